"""What a map layer is, in one record: the shapes of the layer registry.

A layer module (``layers/heat.py``, ``layers/coverage.py``, the next hotspot or
camera layer) describes itself with a :class:`LayerSpec`: its key, its name,
the graphics items it puts on the map and at which height, whether it starts
shown, its rows in the map legend and how it draws itself into the HTML
situation export.  :mod:`widgets.map.layers.registry` holds the table of them
all, and the map view, the layer panel, the Layers menu, the legend and the
export read that table, so they cannot disagree about which layers exist.

Kept apart from the table itself so that layer modules can import these
shapes while the table imports the layer modules.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from PySide6.QtCore import QCoreApplication
from PySide6.QtGui import QImage, QPixmap
from PySide6.QtWidgets import QGraphicsItem, QWidget

if TYPE_CHECKING:
    import folium

    from console.config import Config
    from console.heat import HeatGrid
    from console.hub.messages import IncidentState, StaticDistrict, UnitState
    from widgets.map.view import MapView

CONTEXT = "MapView"
"""Translation context of every layer name and legend text (``QT_TRANSLATE_NOOP``)."""

LEFT, RIGHT, BELOW = 0, 1, 2
"""Legend columns: left, right, and the full width under both."""


def tr(source: str) -> str:
    """A layer or legend source text in the interface language."""
    return QCoreApplication.translate(CONTEXT, source)


@dataclass(frozen=True)
class LegendRow:
    """One line of the legend: a symbol and its text, a heading, or a whole-width widget.

    ``text`` is an English source text (translated in :data:`CONTEXT`); ``label``
    instead makes the text when the legend is (re)translated, for names that come
    from the configuration or figures that change (a standard in minutes).
    """

    text: str = ""
    label: Callable[[], str] | None = None
    icon: Callable[[int], QPixmap | QImage] | None = None  # the symbol at a legend size (px)
    heading: bool = False  # bold section title
    widget: Callable[[QWidget], QWidget] | None = None  # e.g. a colour scale; spans the column
    wrap: bool = False  # long texts wrap instead of widening the legend

    def current_text(self) -> str:
        """The row's text in the interface language."""
        if self.label is not None:
            return self.label()
        return tr(self.text) if self.text else ""


@dataclass(frozen=True)
class LegendEntry:
    """A block of legend rows in one column; ``order`` sorts the blocks of a column.

    ``follows_layer``: the block shows only while its layer is on and has something
    to show (:attr:`LayerSpec.has_content`), as a colour scale does; otherwise it
    always shows, as the map's symbols do.
    """

    column: int
    order: int
    rows: Callable[[MapView], Sequence[LegendRow]]
    follows_layer: bool = False


@dataclass(frozen=True)
class ExportContext:
    """Everything a layer may draw into the HTML situation export."""

    district: StaticDistrict | None
    units: Sequence[UnitState]
    incidents: Sequence[IncidentState]
    heat: HeatGrid | None
    tile_url: str
    config: Config
    texts: Mapping[str, str]  # the page's words in the interface language
    chinese: bool  # pick name_zh over name_en from the configuration
    now: float
    items: Mapping[str, Sequence[QGraphicsItem]] = field(default_factory=dict)
    """The map's items by layer key when exported from a live map (a layer that keeps
    its data in its item reads it here); empty when exported from data alone."""


Exporter = Callable[["folium.Map", ExportContext], None]


@dataclass(frozen=True)
class LayerSpec:
    """One map layer.

    - ``key``: stable name (settings, layer panel, menu, ``MapView.set_layer_visible``);
    - ``title``: English source of its name, translated in :data:`CONTEXT` (wrap it in
      ``QT_TRANSLATE_NOOP("MapView", ...)`` so ``pyside6-lupdate`` finds it);
    - ``items``: builds (or, for the map's own layers, hands over) the graphics items;
    - ``z``: one height per item (larger is drawn on top; the map's own layers use
      0 for raster tiles up to 11 for labels, so 3.5 goes between heat and coverage);
    - ``visible``: shown when the map opens;
    - ``legend``: its blocks in the map legend;
    - ``export``: draws it into the HTML situation export (None: not exported);
    - ``available``: whether the layer exists on this map now (raster tiles only
      while a base map is configured; None: always);
    - ``has_content``: whether it has anything to show (for ``follows_layer`` legend
      blocks; None: always).
    """

    key: str
    title: str
    items: Callable[[MapView], Sequence[QGraphicsItem]]
    z: tuple[float, ...]
    visible: bool = True
    legend: tuple[LegendEntry, ...] = ()
    export: Exporter | None = None
    available: Callable[[MapView], bool] | None = None
    has_content: Callable[[MapView], bool] | None = None

    def __post_init__(self) -> None:
        if not self.key or not self.key.replace("_", "").isalnum():
            raise ValueError(f"layer key {self.key!r} must be letters, digits and underscores")
        if not self.title.strip():
            raise ValueError(f"layer {self.key!r} needs a title")
        if not self.z:
            raise ValueError(f"layer {self.key!r} needs a z value for each of its items")
        for entry in self.legend:
            if entry.column not in (LEFT, RIGHT, BELOW):
                raise ValueError(f"layer {self.key!r}: legend column {entry.column} unknown")
