"""The live situation map: base map, 110 heat, units and incidents on one pyqtgraph ViewBox.

Everything is drawn in metres on a plane around the district centre
(:mod:`widgets.map.projection`), in the configured display system.  Units and
incidents come from the workstation's :class:`SituationModel`, which the map
observes; position floods only write into arrays (the model's positions, the
:class:`~widgets.map.layers.units.UnitTable`'s projected x/y);
a frame timer limited to ``MapSettings.redraw_hz`` turns "something moved" into
one repaint, so 20,000 units at 1 Hz cost ten frames a second, never one per
message.
"""

from __future__ import annotations

import logging
import math
import time
from typing import Any

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QEvent, QPointF, QRectF, Qt, QTimer, Signal
from PySide6.QtGui import QColor, QResizeEvent
from PySide6.QtWidgets import QGraphicsItem, QLayout, QToolTip, QVBoxLayout, QWidget

from console.config import Config
from console.heat import HeatGrid
from console.hub.messages import IncidentState, StaticDistrict, UnitsMoved, UnitState
from console.workstation.situation import (
    Change,
    IncidentUpdated,
    Moved,
    Reset,
    SituationModel,
    UnitUpdated,
)
from widgets.frame_pacer import MAP_LANE, InTurn
from widgets.map import strings as s
from widgets.map import style as st
from widgets.map.district import PlacedDistrict, place
from widgets.map.labelling import map_label_groups
from widgets.map.layers import registry
from widgets.map.layers.base import CosmeticPathItem, RoadsItem, ensure_pixmap_cache
from widgets.map.layers.coverage import (
    MIN_GAP_LABEL_M,
    CoverageItem,
    ForceCoverage,
    parse_coverage,
)
from widgets.map.layers.heat import HeatBar, HeatLayer, density_text
from widgets.map.layers.labels import F64, LabelsItem
from widgets.map.layers.markers import MarkersItem
from widgets.map.layers.spec import LayerSpec
from widgets.map.layers.spec import tr as layer_tr
from widgets.map.layers.tiles import TilesItem, loader_for
from widgets.map.layers.units import UnitsItem, UnitTable
from widgets.map.legend import MapLegend
from widgets.map.overlays import ScaleBar, TitleLabel
from widgets.map.projection import DisplayProjection
from widgets.map.symbols import fixed_point_pixmap, incident_pixmap, station_pixmap
from widgets.map.tooltips import incident_tip, unit_tip
from widgets.ticks import start_spread

log = logging.getLogger(__name__)

HIDDEN_INCIDENT_STATUSES = frozenset({"closed", "cancelled"})


class MapViewBox(pg.ViewBox):
    """A ViewBox whose clicks (left and right) become one signal in plane coordinates."""

    clicked = Signal(object, object)  # (QPointF plane position, Qt.MouseButton)

    def mouseClickEvent(self, ev: pg.GraphicsScene.mouseEvents.MouseClickEvent) -> None:
        if ev.button() in (Qt.MouseButton.LeftButton, Qt.MouseButton.RightButton):
            ev.accept()
            self.clicked.emit(self.mapSceneToView(ev.scenePos()), ev.button())
        else:
            super().mouseClickEvent(ev)


class MapView(QWidget):
    """The situation map widget the main window embeds."""

    unitClicked = Signal(str)
    incidentClicked = Signal(int)
    newIncidentRequested = Signal(float, float)  # WGS-84 lon, lat
    layerVisibilityChanged = Signal(str, bool)

    def __init__(
        self,
        config: Config,
        parent: QWidget | None = None,
        *,
        situation: SituationModel | None = None,
    ) -> None:
        super().__init__(parent)
        self.config = config
        # what the map shows of units and incidents: the window's model, or its own
        self.situation = situation if situation is not None else SituationModel()
        self.settings = config.map
        self.proj: DisplayProjection | None = None
        self.district: StaticDistrict | None = None
        self.placed: PlacedDistrict | None = None
        self._incidents: list[IncidentState] = []  # as the pins are placed now
        self._inc_index: dict[int, int] = {}
        self._incidents_stale = False  # an IncidentUpdated not yet placed (see flush)
        self._pins: tuple[tuple[int, float, float, int], ...] | None = None  # as placed
        self._dirty = False
        self.frames = 0  # repaints requested by the frame timer

        self.graphics = pg.GraphicsView(self, background=st.BACKGROUND)
        self.viewbox = MapViewBox(lockAspect=True, enableMenu=False)
        self.viewbox.setMenuEnabled(False)
        self.viewbox.setAspectLocked(True, 1.0)
        self.graphics.setCentralItem(self.viewbox)
        lay = QVBoxLayout(self)
        lay.setContentsMargins(0, 0, 0, 0)
        # no min/max size pushed onto a top-level window (offscreen Qt warns about it)
        lay.setSizeConstraint(QLayout.SizeConstraint.SetNoConstraint)
        lay.addWidget(self.graphics)

        # ---- layers, bottom to top
        self.tiles: TilesItem = TilesItem()
        self.tile_error = ""
        self.district_fill: CosmeticPathItem = CosmeticPathItem(
            pg.mkPen(None), pg.mkBrush(st.DISTRICT_FILL)
        )
        self.roads: RoadsItem = RoadsItem()
        self.heat: HeatLayer = HeatLayer()
        self.coverage_item: CoverageItem = CoverageItem()
        self.coverage: dict[str, ForceCoverage] = {}
        self.coverage_type: str | None = None
        # gap labels (drawn by the labels item, which keeps them apart from the rest)
        self.gap_x: F64 = np.zeros(0)
        self.gap_y: F64 = np.zeros(0)
        self.gap_texts: list[str] = []
        area_pen = pg.mkPen(st.AREA_OUTLINE, width=1.3)
        area_pen.setDashPattern([5.0, 4.0])
        self.areas_item: CosmeticPathItem = CosmeticPathItem(area_pen)
        self.district_outline: CosmeticPathItem = CosmeticPathItem(
            pg.mkPen(st.DISTRICT_OUTLINE, width=2.5)
        )
        self.stations: MarkersItem = MarkersItem({0: station_pixmap(self._dpr())})
        self.fixed_points: MarkersItem = MarkersItem({0: fixed_point_pixmap(self._dpr())})
        types: list[tuple[str, str]] = [(ut.colour, ut.symbol) for ut in config.unit_types.values()]
        types.append((st.UNKNOWN_TYPE_COLOUR, "circle"))
        self.table = UnitTable(self.situation, list(config.unit_types))
        self.units: UnitsItem = UnitsItem(self.table, types)
        self.incident_markers: MarkersItem = MarkersItem(
            {p: incident_pixmap(p, self._dpr()) for p in (1, 2, 3, 4)}, anchor=(0.5, 1.0)
        )
        self.labels: LabelsItem = LabelsItem()
        # every layer from the registry: its items, their heights, whether it starts shown
        self._specs: list[LayerSpec] = registry.layers()
        self._layers: dict[str, list[QGraphicsItem]] = {}
        for spec in self._specs:
            items = list(spec.items(self))
            if len(items) != len(spec.z):
                raise ValueError(
                    f"map layer {spec.key!r} made {len(items)} items but gives {len(spec.z)} z"
                )
            for item, z in zip(items, spec.z, strict=True):
                item.setZValue(z - 100)
                item.setVisible(spec.visible)
                self.viewbox.addItem(item, ignoreBounds=True)
            self._layers[spec.key] = items
        self.labels.groups = map_label_groups(self)
        self.labels.reserved = self._overlay_rects
        self.labels.obstacles = self._label_obstacles

        # ---- overlays
        self.title = TitleLabel(self)
        self.legend = MapLegend(self, self._specs)
        self.scale_bar = ScaleBar(self)
        self.legend.toggle.toggled.connect(lambda _on: self._place_overlays())  # stay in corner

        # ---- wiring
        self.situation.subscribe(self._on_situation)
        self.viewbox.clicked.connect(self._on_click)
        self.graphics.scene().sigMouseMoved.connect(self._on_hover)
        self.viewbox.sigRangeChanged.connect(self._on_range)
        # Frames: at most redraw_hz a second, leading edge (a change after a quiet spell
        # is drawn at once, a flood waits for the next slot) -- see _schedule.
        self.frame_interval_s = 1.0 / self.settings.redraw_hz
        self._last_frame = 0.0
        self.timer = QTimer(self)
        self.timer.setSingleShot(True)
        # in the main window the frame is drawn in the map's own turn of the window's frames
        # (never in the same frame as the board and the unit list: widgets/frame_pacer.py)
        self.turn = InTurn(MAP_LANE)
        self.timer.timeout.connect(self._frame_due)
        # staleness needs no data to change: check it once a second
        self.stale_timer = QTimer(self)
        self.stale_timer.setInterval(1000)
        self.stale_timer.timeout.connect(self._check_stale)
        start_spread(self.stale_timer)
        try:
            self.set_tile_source(self.settings.tile_source)
        except ValueError as exc:  # a bad setting must not cost the map: vector base instead
            self.tile_error = str(exc)
            log.warning("raster base map off: %s", exc)
        if self.situation.n or self.situation.incidents:  # a model that already holds data
            self._units_reset()
            self._incidents_changed()
        self.resize(900, 700)

    # ------------------------------------------------------------------ district

    def set_district(self, d: StaticDistrict) -> None:
        """Draw the static district: outline, areas, roads, stations and 1-minute points."""
        ol = np.asarray(d.outline, dtype=np.float64).reshape(-1, 2)
        if ol.shape[0] < 3 or not np.isfinite(ol).all():
            raise ValueError(f"district {d.code!r}: outline needs at least 3 finite points")
        lon0 = float((ol[:, 0].min() + ol[:, 0].max()) / 2)
        lat0 = float((ol[:, 1].min() + ol[:, 1].max()) / 2)
        proj = DisplayProjection(lon0, lat0, self.settings.display_crs)
        placed = place(d, proj)  # validates before anything is replaced
        first = self.district is None
        self.district, self.placed = d, placed
        self._set_projection(proj)
        self.district_fill.set_path(placed.outline)
        self.district_outline.set_path(placed.outline)
        self.areas_item.set_path(placed.areas)
        self.heat.set_outline(placed.outline)
        self._heat_scale_changed()
        self.roads.set_segments(*placed.seg, placed.seg_class)
        self.stations.set_points(placed.station_x, placed.station_y)
        self.fixed_points.set_points(placed.point_x, placed.point_y)
        r = placed.rect
        m = max(r.width(), r.height()) * 0.5 + 500.0
        bounds = r.adjusted(-m, -m, m, m)
        self.units.set_bounds(bounds)
        self.labels.set_bounds(bounds)
        size = max(r.width(), r.height(), 1000.0)
        self.viewbox.setLimits(
            minXRange=60.0, minYRange=60.0, maxXRange=size * 4, maxYRange=size * 4
        )
        self.title.set_district(d.name, d.approximate)
        self._place_overlays()
        if first:
            self.zoom_to_district()

    def _set_projection(self, proj: DisplayProjection) -> None:
        """Adopt a plane and re-place everything already shown on it."""
        self.proj = proj
        self.table.reproject(proj)
        self.units.styles_changed()
        self._pins = None  # the same incidents land elsewhere on a new plane
        self._place_incidents()
        self.heat.place(proj)
        self.tiles.set_projection(proj)
        self._place_coverage()
        self._mark_dirty()

    def _ensure_projection(self, lon: float, lat: float) -> DisplayProjection | None:
        """Before any district arrives, centre a provisional plane on the first data."""
        if self.proj is None and math.isfinite(lon) and math.isfinite(lat):
            self._set_projection(DisplayProjection(lon, lat, self.settings.display_crs))
            self.units.set_bounds(QRectF(-50_000, -50_000, 100_000, 100_000))
            self.labels.set_bounds(QRectF(-50_000, -50_000, 100_000, 100_000))
        return self.proj

    # --------------------------------------------------------------------- units

    def set_units(self, units: list[UnitState]) -> None:
        """Replace every unit (writes into the situation model; a map on its own uses this)."""
        self.situation.set_units(units)

    def update_unit(self, u: UnitState) -> None:
        """One unit's status, assignment or position changed, or a new unit (into the model)."""
        self.situation.update_unit(u)

    def apply_moves(self, ev: UnitsMoved) -> None:
        """Coalesced positions into the model; the map only projects them and marks itself
        dirty, and the redraw timer repaints (ValueError on malformed arrays)."""
        self.situation.apply_moves(ev)

    def _on_situation(self, change: Change) -> None:
        """Follow the situation model: the numpy path for moves, styles for the rest."""
        if isinstance(change, Moved):
            self.table.moved(change.rows, change.lon, change.lat, self.proj)
            self._mark_dirty()
        elif isinstance(change, UnitUpdated):
            self._ensure_projection(change.unit.lon, change.unit.lat)
            self.table.unit_changed(change.row, self.proj)
            self._units_restyled()
        elif isinstance(change, IncidentUpdated):
            # placed with the next frame: a burst of incident events re-places the pins
            # once, not once per event (O(n) each, O(n²) over a busy shift)
            self._incidents_stale = True
            self._mark_dirty()
        elif isinstance(change, Reset):
            if change.units:
                self._units_reset()
            if change.incidents:
                self._incidents_changed()

    def _units_reset(self) -> None:
        sit = self.situation
        if sit.n and self.proj is None:
            ok = np.isfinite(sit.lon) & np.isfinite(sit.lat)
            if ok.any():
                self._ensure_projection(float(sit.lon[ok].mean()), float(sit.lat[ok].mean()))
        self.table.reset(self.proj)
        self._units_restyled()

    def _units_restyled(self) -> None:
        self.table.update_stale(time.time(), self.settings.stale_fix_seconds)
        self.units.styles_changed()
        self._mark_dirty()

    def stale_units(self) -> list[str]:
        """Call signs whose last fix is older than ``MapSettings.stale_fix_seconds``."""
        t = self.table
        age = time.time() - t.fix_t
        rows = np.flatnonzero(age > self.settings.stale_fix_seconds)
        return [t.states[i].call_sign for i in rows]

    def unit_tooltip(self, call_sign: str) -> str:
        """Call sign, type, status and fix age of one unit, as its tooltip shows them."""
        row = self._unit_row(call_sign)
        stations = (
            {str(st_.get("code")): str(st_.get("name")) for st_ in self.district.stations}
            if self.district is not None
            else {}
        )
        return unit_tip(
            self.config,
            self.table.states[row],
            float(self.table.fix_t[row]),
            time.time(),
            stations,
        )

    def incident_tooltip(self, incident_id: int) -> str:
        """Number, type, priority and status of one incident."""
        return incident_tip(self.config, self._incident(incident_id))

    # ----------------------------------------------------------- incidents, heat

    def set_incidents(self, incs: list[IncidentState]) -> None:
        """Replace the incidents (into the model; closed and cancelled ones are not drawn)."""
        self.situation.set_incidents(incs)

    def update_incident(self, inc: IncidentState) -> None:
        """One incident was created or changed (into the model)."""
        self.situation.update_incident(inc)

    @property
    def incidents(self) -> list[IncidentState]:
        """The incidents drawn as pins, in marker order (placed now if an update waits)."""
        if self._incidents_stale:
            self._incidents_changed()
        return self._incidents

    @property
    def placed_incidents(self) -> list[IncidentState]:
        """The incidents as the pins are placed now (for paint-time lookups: never places)."""
        return self._incidents

    def _incidents_changed(self) -> None:
        self._incidents_stale = False
        shown = self.situation.open_incidents()
        self._incidents = [i for i in shown if i.status not in HIDDEN_INCIDENT_STATUSES]
        self._inc_index = {inc.id: k for k, inc in enumerate(self._incidents)}
        if self._incidents:
            self._ensure_projection(self._incidents[0].lon, self._incidents[0].lat)
        self._place_incidents()

    def _place_incidents(self) -> None:
        if self.proj is None or not self._incidents:
            self._pins = None
            self.incident_markers.set_points(np.zeros(0), np.zeros(0))
            return
        pins = tuple((i.id, i.lon, i.lat, min(4, max(1, i.priority))) for i in self._incidents)
        if pins == self._pins:
            return  # a status or unit change: the pins, their numbers and order stay
        self._pins = pins
        lon = np.array([i.lon for i in self._incidents], dtype=np.float64)
        lat = np.array([i.lat for i in self._incidents], dtype=np.float64)
        x, y = self.proj.to_xy(lon, lat)
        prio = np.array([pin[3] for pin in pins], dtype=np.int64)
        self.incident_markers.set_points(x, y, prio, z=-prio.astype(np.float64))

    def set_heat(self, grid: HeatGrid) -> None:
        """Show a 110-call density grid (calls/km²) under the forces."""
        if self.proj is None:
            self._ensure_projection((grid.lon0 + grid.lon1) / 2, (grid.lat0 + grid.lat1) / 2)
        self.heat.set_grid(grid, self.proj)
        self._heat_scale_changed()

    def _heat_scale_changed(self) -> None:
        """The heat's colour scale (its top, its peak) may have moved: redo the legend."""
        self.legend.widget_of("heat", HeatBar).set_scale(self.heat.vmax, self.heat.peak)
        self.refresh_legend("heat")

    def heat_tooltip(self, x: float, y: float) -> str:
        """The exact 110-call density under plane point (x, y) while the heat layer shows
        it ("" where there is none): saturated cells all look alike, this tells them apart."""
        if not self.is_layer_visible("heat"):
            return ""
        v = self.heat.value_at(x, y)
        return s.tr(s.HEAT_TIP, value=density_text(v)) if v is not None and v > 0 else ""

    # ----------------------------------------------------------------- coverage

    def set_coverage(self, result: dict[str, Any], unit_type: str) -> None:
        """Show where no available unit of ``unit_type`` arrives within its standard.

        ``result`` is a ``GetCoverage`` reply result; the layer itself stays as the
        operator set it (off by default).
        """
        parsed = parse_coverage(result)
        if unit_type not in parsed:
            known = ", ".join(parsed) or "none"
            raise KeyError(f"coverage result has no force type {unit_type!r} (has: {known})")
        self.coverage, self.coverage_type = parsed, unit_type
        self._place_coverage()

    def _place_coverage(self) -> None:
        fc = self.coverage.get(self.coverage_type or "")
        self.gap_x, self.gap_y, self.gap_texts = np.zeros(0), np.zeros(0), []
        if fc is None or self.proj is None:
            self.coverage_item.set_points(np.zeros(0), np.zeros(0))
            self.refresh_legend("coverage")
            return
        x, y = self.proj.to_xy(fc.lon, fc.lat) if fc.lon.size else (np.zeros(0), np.zeros(0))
        gaps = [
            g for g in sorted(fc.gaps, key=lambda g: -g.length_m) if g.length_m >= MIN_GAP_LABEL_M
        ]
        if gaps:
            self.gap_x, self.gap_y = self.proj.to_xy([g.lon for g in gaps], [g.lat for g in gaps])
            self.gap_texts = [
                s.tr(s.GAP_LABEL, rank=k, km=f"{g.length_m / 1000:.1f}")
                for k, g in enumerate(gaps, start=1)
            ]
        self.coverage_item.set_points(x, y)
        self.labels.update()
        self.refresh_legend("coverage")

    def coverage_shown(self) -> ForceCoverage | None:
        """The coverage of the force type the layer shows (None before any is set)."""
        return self.coverage.get(self.coverage_type or "")

    def _overlay_rects(self) -> list[QRectF]:
        """Where the floating widgets cover the map, in viewport pixels (labels keep off)."""
        vp = self.graphics.viewport()
        out = []
        for w in (self.title, self.legend, self.scale_bar):
            if w.isVisible():
                tl = vp.mapFrom(self, w.pos())
                out.append(QRectF(tl.x(), tl.y(), w.width(), w.height()))
        return out

    def _label_obstacles(self) -> list[tuple[F64, F64, tuple[float, float, float, float]]]:
        """Symbols the minor labels keep clear of (see ``LabelGroup.avoid_symbols``)."""
        out: list[tuple[F64, F64, tuple[float, float, float, float]]] = []
        if self.is_layer_visible("units") and self.table.n:
            r = max(5.0, self.units.last_size / 2 + 1.0)
            out.append((self.table.x, self.table.y, (-r, -r, r, r)))
        if self.is_layer_visible("incidents") and self.incident_markers.x.size:
            h = float(st.INCIDENT_PX)
            out.append((self.incident_markers.x, self.incident_markers.y, (-h / 3, -h, h / 3, 0)))
        if self.is_layer_visible("stations") and self.stations.x.size:
            out.append((self.stations.x, self.stations.y, (-10.0, -10.0, 10.0, 10.0)))
        if self.is_layer_visible("fixed_points") and self.fixed_points.x.size:
            out.append((self.fixed_points.x, self.fixed_points.y, (-9.0, -9.0, 9.0, 9.0)))
        return out

    # --------------------------------------------------------------- raster tiles

    def set_tile_source(self, spec: str) -> None:
        """Use XYZ tiles from ``spec`` (URL template, folder or .mbtiles) under everything.

        An empty ``spec`` goes back to the vector district.  Raises ValueError naming
        what is wrong with ``spec``; the previous base map stays in that case.
        """
        loader = loader_for(spec)  # raises before anything is replaced
        old = self.tiles.loader
        if loader is not None:
            loader.setParent(self)
        self.tiles.set_loader(loader)
        if old is not None:
            old.close()
            old.deleteLater()
        self.tile_error = ""
        has = loader is not None
        self.tiles.setVisible(has)  # the "tiles" layer is listed only while it has a loader
        # over a raster map the district's flat fill would hide it: keep only the outline
        fill = QColor(st.DISTRICT_FILL)
        fill.setAlpha(0 if has else 255)
        self.district_fill.set_brush(pg.mkBrush(fill))
        self._update_tiles()

    def _update_tiles(self) -> None:
        if self.tiles.loader is None:
            return
        vr = self.viewbox.viewRect()
        m_per_px = abs(self.viewbox.viewPixelSize()[0]) / max(1.0, self._dpr())
        self.tiles.update_view(vr, m_per_px)

    # -------------------------------------------------------------------- layers

    def layer_names(self) -> list[str]:
        """Keys accepted by :meth:`set_layer_visible`, in the registry's order."""
        return [spec.key for spec in self._specs if spec.available is None or spec.available(self)]

    def layer_specs(self) -> list[LayerSpec]:
        """The layers this map was built with (the registry as it was then)."""
        return list(self._specs)

    def layer_title(self, key: str) -> str:
        """Translated name of a layer (for a layer menu)."""
        self._check_layer(key)
        return layer_tr(self._spec(key).title)

    def layer_items(self, key: str) -> list[QGraphicsItem]:
        """The graphics items of a layer."""
        self._check_layer(key)
        return list(self._layers[key])

    def set_layer_visible(self, key: str, visible: bool) -> None:
        """Show or hide one layer."""
        self._check_layer(key)
        for item in self._layers[key]:
            item.setVisible(bool(visible))
        if any(e.follows_layer for e in self._spec(key).legend):
            self.refresh_legend(key)
        self.layerVisibilityChanged.emit(key, bool(visible))

    def is_layer_visible(self, key: str) -> bool:
        """Whether a layer is shown."""
        self._check_layer(key)
        return self._layers[key][0].isVisible()

    def refresh_legend(self, key: str) -> None:
        """A layer's visibility or content changed: show its legend rows that follow it
        while it is on and has something to show, and re-read their texts."""
        spec = self._spec(key)
        has = spec.has_content is None or spec.has_content(self)
        self.legend.set_layer_shown(key, has and self._layers[key][0].isVisible())
        self._place_overlays()

    def _spec(self, key: str) -> LayerSpec:
        for spec in self._specs:
            if spec.key == key:
                return spec
        raise KeyError(f"unknown map layer {key!r} (known: {', '.join(self.layer_names())})")

    def _check_layer(self, key: str) -> None:
        if key not in self.layer_names():
            known = ", ".join(self.layer_names())
            raise KeyError(f"unknown map layer {key!r} (known: {known})")

    # ---------------------------------------------------------------------- zoom

    def zoom_to_district(self) -> None:
        """Fit the whole district (or, before one is loaded, all units)."""
        if self.placed is not None:
            self.viewbox.setRange(self.placed.rect, padding=0.03)
        elif self.table.n:
            x, y = self.table.x, self.table.y
            ok = np.isfinite(x) & np.isfinite(y)
            if ok.any():
                self.viewbox.setRange(
                    xRange=(x[ok].min(), x[ok].max()),
                    yRange=(y[ok].min(), y[ok].max()),
                    padding=0.05,
                )

    def zoom_to(self, lon: float, lat: float, radius_m: float = 300.0) -> None:
        """Centre on a WGS-84 point showing at least ``radius_m`` around it."""
        if not (math.isfinite(lon) and math.isfinite(lat)):
            raise ValueError(f"zoom_to: position must be finite, got ({lon}, {lat})")
        if not (math.isfinite(radius_m) and radius_m > 0):
            raise ValueError(f"zoom_to: radius must be positive, got {radius_m}")
        proj = self._ensure_projection(lon, lat)
        assert proj is not None
        x, y = proj.point_xy(lon, lat)
        self.viewbox.setRange(
            xRange=(x - radius_m, x + radius_m), yRange=(y - radius_m, y + radius_m), padding=0.0
        )

    def zoom_to_unit(self, call_sign: str, radius_m: float = 300.0) -> None:
        """Centre on a unit."""
        row = self._unit_row(call_sign)
        self.zoom_to(float(self.table.lon[row]), float(self.table.lat[row]), radius_m)

    def zoom_to_incident(self, incident_id: int, radius_m: float = 300.0) -> None:
        """Centre on an incident."""
        inc = self._incident(incident_id)
        self.zoom_to(inc.lon, inc.lat, radius_m)

    def _unit_row(self, call_sign: str) -> int:
        row = self.table.row_of.get(call_sign)
        if row is None:
            raise KeyError(f"unknown unit call sign {call_sign!r}")
        return row

    def _incident(self, incident_id: int) -> IncidentState:
        incs = self.incidents  # places a waiting update first
        k = self._inc_index.get(incident_id)
        if k is None:
            raise KeyError(f"incident {incident_id} is not on the map")
        return incs[k]

    # ------------------------------------------------------------- interaction

    def _tolerance_m(self) -> float:
        px = self.viewbox.viewPixelSize()
        return st.HIT_TOLERANCE_PX * max(abs(px[0]), abs(px[1]))

    def hit_test(self, x: float, y: float) -> tuple[str, int | str] | None:
        """What is under a plane point: ("incident", id), ("unit", call sign) or None."""
        tol = self._tolerance_m()
        m_per_px = tol / st.HIT_TOLERANCE_PX
        if self.is_layer_visible("incidents"):
            incs = self.incidents  # places a waiting update first
            # the pin's tip is on the incident; its head (what one clicks) is 14 px above
            k = self.incident_markers.nearest(x, y - 14.0 * m_per_px, 16.0 * m_per_px)
            if k is not None:
                return "incident", incs[k].id
        if self.is_layer_visible("units"):
            row = self.table.nearest(x, y, tol)
            if row is not None:
                return "unit", self.table.states[row].call_sign
        return None

    def _on_click(self, pos: QPointF, button: Qt.MouseButton) -> None:
        if button == Qt.MouseButton.RightButton:
            if self.proj is not None:
                lon, lat = self.proj.to_lonlat(pos.x(), pos.y())
                self.newIncidentRequested.emit(lon, lat)
            return
        hit = self.hit_test(pos.x(), pos.y())
        if hit is None:
            return
        if hit[0] == "incident":
            self.incidentClicked.emit(int(hit[1]))
        else:
            self.unitClicked.emit(str(hit[1]))

    def _on_hover(self, scene_pos: QPointF) -> None:
        if not self.viewbox.sceneBoundingRect().contains(scene_pos):
            return
        pos = self.viewbox.mapSceneToView(scene_pos)
        hit = self.hit_test(pos.x(), pos.y())
        if hit is None:
            text = self.heat_tooltip(pos.x(), pos.y())
        elif hit[0] == "incident":
            text = self.incident_tooltip(int(hit[1]))
        else:
            text = self.unit_tooltip(str(hit[1]))
        if text != self.viewbox.toolTip():
            self.viewbox.setToolTip(text)
            if not text:
                QToolTip.hideText()

    # --------------------------------------------------------------- redrawing

    def _mark_dirty(self) -> None:
        self._dirty = True
        self._schedule()

    def _schedule(self) -> None:
        """Arm the frame timer: now if the last frame is a full interval old, else at its end.

        A plain 10 Hz ticker adds half an interval (50 ms) of waiting on average;
        this keeps the same ceiling of ``redraw_hz`` frames a second without it.
        """
        if self.timer.isActive():
            return
        wait = self._last_frame + self.frame_interval_s - time.perf_counter()
        self.timer.start(max(0, math.ceil(wait * 1000)))

    def _check_stale(self) -> None:
        if self.table.update_stale(time.time(), self.settings.stale_fix_seconds):
            self.units.styles_changed()
            self._mark_dirty()

    def _frame_due(self) -> None:
        self.turn(self, self.flush)

    def flush(self) -> None:
        """Frame-timer step: refresh staleness and repaint once if anything changed."""
        if self._incidents_stale:
            self._incidents_changed()
        if self.table.update_stale(time.time(), self.settings.stale_fix_seconds):
            self.units.styles_changed()
            self._dirty = True
        if not self._dirty:
            return
        self._dirty = False
        self._last_frame = time.perf_counter()
        self.frames += 1
        self.units.update()
        self.labels.update()

    def _on_range(self) -> None:
        m_per_px = abs(self.viewbox.viewPixelSize()[0])
        self.scale_bar.set_scale(m_per_px)
        # street level: fade the heat so the streets under it stay readable
        ppm = 1.0 / m_per_px if m_per_px > 0 else 0.0
        self.heat.item.setOpacity(1.0 - 0.6 * min(1.0, max(0.0, (ppm - 0.4) / 1.2)))
        self._update_tiles()

    # ---------------------------------------------------------------- overlays

    def _dpr(self) -> float:
        return float(self.devicePixelRatioF())

    def _place_overlays(self) -> None:
        m = 8
        self.title.adjustSize()
        self.title.move(m, m)
        self.legend.adjustSize()
        # bottom right: the district's north-east (the Bund, Nanjing Road) stays in view
        self.legend.move(
            max(m, self.width() - self.legend.width() - m),
            max(m, self.height() - self.legend.height() - m),
        )
        self.scale_bar.move(m, self.height() - self.scale_bar.height() - m)
        for w in (self.title, self.legend, self.scale_bar):
            w.raise_()

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        self._place_overlays()
        vp = self.graphics.viewport()
        # heat, coverage, tiles and the three marker layers cache viewport-sized pixmaps
        # (the base map keeps its own: LayerPixels)
        ensure_pixmap_cache(vp.width(), vp.height(), self._dpr(), n_cached=8)
        self._update_tiles()

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            self.title.retranslate()
            self.scale_bar.update()
            self._place_coverage()  # gap labels are translated texts
            self._place_overlays()
        super().changeEvent(event)
