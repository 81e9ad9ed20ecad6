"""The one table of map layers: the map view, the layer panel, the Layers menu,
the legend and the HTML export all read it.

Adding a layer touches three files: its own module (its graphics item, legend
rows and exporter), one :class:`~widgets.map.layers.spec.LayerSpec` line in
:data:`LAYERS` below, and its name's Chinese in
``resources/i18n/console_zh_CN.ts`` (context ``MapView``).  Order here is the
order of the layer panel and the menu; ``z`` decides what is drawn over what.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING

from widgets.map import export_layers as ex
from widgets.map.layers.coverage import coverage_legend
from widgets.map.layers.crowd import crowd_has_content, crowd_items, crowd_legend
from widgets.map.layers.forecast import (
    ForecastImage,
    PatrolPointsItem,
    forecast_has_content,
    forecast_legend,
)
from widgets.map.layers.heat import heat_legend
from widgets.map.layers.hotspots import (
    export_hotspots,
    hotspot_items,
    hotspots_has_content,
    hotspots_legend,
)
from widgets.map.layers.markers import fixed_point_legend, priority_legend, station_legend
from widgets.map.layers.spec import BELOW, LEFT, RIGHT, LayerSpec, LegendEntry, tr
from widgets.map.layers.units import unit_status_legend, unit_type_legend

if TYPE_CHECKING:  # the stubs say "object"; at run time it returns the source string

    def QT_TRANSLATE_NOOP(context: str, source: str) -> str: ...
else:
    from PySide6.QtCore import QT_TRANSLATE_NOOP

LAYERS: list[LayerSpec] = [
    LayerSpec(
        "tiles",
        QT_TRANSLATE_NOOP("MapView", "Raster base map"),
        lambda v: [v.tiles],
        z=(0,),
        export=ex.tiles,
        available=lambda v: v.tiles.loader is not None,  # only while a base map is configured
    ),
    LayerSpec(
        "district",
        QT_TRANSLATE_NOOP("MapView", "District outline"),
        lambda v: [v.district_fill, v.district_outline],
        z=(1, 6),  # the fill under the roads, the outline over the areas
        export=ex.district,
    ),
    LayerSpec(
        "areas",
        QT_TRANSLATE_NOOP("MapView", "Responsibility areas"),
        lambda v: [v.areas_item],
        z=(5,),
        export=ex.areas,
    ),
    LayerSpec(
        "roads",
        QT_TRANSLATE_NOOP("MapView", "Roads"),
        lambda v: [v.roads],
        z=(2,),
        export=ex.roads,
    ),
    LayerSpec(
        "stations",
        QT_TRANSLATE_NOOP("MapView", "Police stations"),
        lambda v: [v.stations],
        z=(7,),
        legend=(LegendEntry(LEFT, 20, station_legend),),
        export=ex.stations,
    ),
    LayerSpec(
        "fixed_points",
        QT_TRANSLATE_NOOP("MapView", "1-minute points"),
        lambda v: [v.fixed_points],
        z=(8,),
        legend=(LegendEntry(LEFT, 30, fixed_point_legend),),
        export=ex.fixed_points,
    ),
    LayerSpec(
        "units",
        QT_TRANSLATE_NOOP("MapView", "Units"),
        lambda v: [v.units],
        z=(9,),
        legend=(
            LegendEntry(LEFT, 10, unit_type_legend),
            LegendEntry(RIGHT, 10, unit_status_legend),
        ),
        export=ex.units,
    ),
    LayerSpec(
        "incidents",
        QT_TRANSLATE_NOOP("MapView", "Incidents"),
        lambda v: [v.incident_markers],
        z=(10,),
        legend=(LegendEntry(RIGHT, 20, priority_legend),),
        export=ex.incidents,
    ),
    LayerSpec(
        "heat",
        QT_TRANSLATE_NOOP("MapView", "110 call heatmap"),
        lambda v: [v.heat.item],
        z=(3,),
        legend=(LegendEntry(BELOW, 10, heat_legend, follows_layer=True),),
        export=ex.heat,
        has_content=lambda v: v.heat.grid is not None,
    ),
    LayerSpec(
        "coverage",
        QT_TRANSLATE_NOOP("MapView", "Coverage gaps"),
        lambda v: [v.coverage_item],
        z=(4,),
        visible=False,  # an analysis layer: off until asked for
        legend=(LegendEntry(BELOW, 20, coverage_legend, follows_layer=True),),
        has_content=lambda v: v.coverage_shown() is not None,
    ),
    LayerSpec(  # widgets/forecast_tools.py fills it (GetHotspots)
        "hotspots",
        QT_TRANSLATE_NOOP("MapView", "Hot spots"),
        lambda v: hotspot_items(lambda: v.proj),
        z=(6.5, 11.5),  # outlines over the areas; rank badges over everything
        visible=False,
        legend=(LegendEntry(BELOW, 30, hotspots_legend, follows_layer=True),),
        export=export_hotspots,
        has_content=hotspots_has_content,
    ),
    LayerSpec(  # widgets/forecast_tools.py fills it (GetForecast, GetPatrolFocus)
        "forecast",
        QT_TRANSLATE_NOOP("MapView", "Forecast and patrol points"),
        lambda v: [ForecastImage(lambda: v.proj), PatrolPointsItem(lambda: v.proj)],
        z=(3.5, 9.5),
        visible=False,
        legend=(LegendEntry(BELOW, 40, forecast_legend, follows_layer=True),),
        has_content=forecast_has_content,
    ),
    LayerSpec(  # widgets/crowd_tools.py fills it (GetCrowdPlaces, CrowdForecast events)
        "crowd",
        QT_TRANSLATE_NOOP("MapView", "Crowd forecast"),
        lambda v: crowd_items(lambda: v.proj),
        z=(6.6, 11.6),  # places over the areas; their labels over everything
        legend=(LegendEntry(BELOW, 50, crowd_legend, follows_layer=True),),
        has_content=crowd_has_content,
    ),
    LayerSpec(
        "labels",
        QT_TRANSLATE_NOOP("MapView", "Labels"),
        lambda v: [v.labels],
        z=(11,),
    ),
]


def layers() -> list[LayerSpec]:
    """Every registered layer, in panel and menu order (a copy: a map keeps its own)."""
    return list(LAYERS)


def keys() -> list[str]:
    """Every registered layer key, in order."""
    return [spec.key for spec in LAYERS]


def spec(key: str) -> LayerSpec:
    """The registered layer ``key``; KeyError names the known ones."""
    for s in LAYERS:
        if s.key == key:
            return s
    raise KeyError(f"unknown map layer {key!r} (known: {', '.join(keys())})")


def layer_title(key: str) -> str:
    """A layer's name in the interface language (the key itself if not registered)."""
    for s in LAYERS:
        if s.key == key:
            return tr(s.title)
    return key


def register(layer: LayerSpec, *, before: str | None = None) -> LayerSpec:
    """Add a layer (before layer ``before`` in panel order, else last).

    Maps built afterwards show it; a map already on screen keeps the layers it
    was built with.  A key already registered raises ValueError.
    """
    if layer.key in keys():
        raise ValueError(f"map layer {layer.key!r} is already registered")
    at = keys().index(spec(before).key) if before is not None else len(LAYERS)
    LAYERS.insert(at, layer)
    return layer


def unregister(key: str) -> LayerSpec:
    """Remove a layer from the table (maps already built keep it)."""
    found = spec(key)
    LAYERS.remove(found)
    return found


@contextmanager
def registered(layer: LayerSpec, *, before: str | None = None) -> Iterator[LayerSpec]:
    """``register`` for the duration of a ``with`` block (tests, previews)."""
    register(layer, before=before)
    try:
        yield layer
    finally:
        unregister(layer.key)
