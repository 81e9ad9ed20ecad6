"""Live units: a column store of positions and styles, and the item that blits them.

Position floods (1 Hz from thousands of units) only write into numpy arrays
(the situation model's positions, the table's projected x/y) and raise a
dirty flag; the view's redraw timer repaints at most ``redraw_hz`` times a
second.  ``paint`` maps every point to device pixels with numpy and
draws all symbols with one ``drawPixmapFragments`` call from a symbol atlas,
ordered so busy units are drawn over idle, off-duty and stale ones.
"""

from __future__ import annotations

import math
import time
from collections.abc import Sequence
from typing import TYPE_CHECKING, TypeVar

import numpy as np
import numpy.typing as npt
import pyqtgraph as pg
from PySide6.QtCore import QRectF
from PySide6.QtGui import QPainter
from PySide6.QtWidgets import QStyleOptionGraphicsItem, QWidget

from console.hub.messages import UnitState
from console.workstation.situation import SituationModel
from widgets.i18n import is_chinese
from widgets.map import strings as s
from widgets.map import style as st
from widgets.map.layers.spec import LegendRow
from widgets.map.projection import DisplayProjection
from widgets.map.symbols import UnitAtlas, unit_icon

if TYPE_CHECKING:
    from widgets.map.view import MapView

F64 = npt.NDArray[np.float64]
T = TypeVar("T", bound=np.generic)

_STYLE_Z = np.asarray(st.STYLE_Z, dtype=np.int32)


class UnitTable:
    """The map's side of the situation's units: plane positions and symbol styles by row.

    States, positions and fix times are the :class:`SituationModel`'s (read here,
    never copied); this table adds only what drawing needs: x/y in the display
    plane, the atlas row of each type, the status style and the stale mask.
    Rows are the model's rows (the order units were first seen).
    """

    def __init__(self, situation: SituationModel, type_keys: list[str]) -> None:
        self.situation = situation
        self.type_keys = list(type_keys)
        self._type_index = {k: i for i, k in enumerate(self.type_keys)}
        self.unknown_type = len(self.type_keys)  # fallback atlas row for unknown types
        self.x: F64 = np.zeros(0)
        self.y: F64 = np.zeros(0)
        self.type_i = np.zeros(0, dtype=np.int32)
        self.base_style = np.zeros(0, dtype=np.int32)  # from status, before staleness
        self.stale = np.zeros(0, dtype=bool)

    # ------------------------------------------------------------ the model's data

    @property
    def n(self) -> int:
        """Number of units."""
        return self.situation.n

    @property
    def states(self) -> list[UnitState]:
        """Every unit's state by row (the model's list)."""
        return self.situation.units

    @property
    def call_signs(self) -> list[str]:
        """Call signs by row."""
        return self.situation.call_signs

    @property
    def row_of(self) -> dict[str, int]:
        """Call sign -> row."""
        return self.situation.row_of

    @property
    def row_of_idx(self) -> npt.NDArray[np.int64]:
        """Hub index -> row (-1: unknown)."""
        return self.situation.row_of_idx

    @property
    def lon(self) -> F64:
        """Longitudes (WGS-84) by row."""
        return self.situation.lon

    @property
    def lat(self) -> F64:
        """Latitudes (WGS-84) by row."""
        return self.situation.lat

    @property
    def fix_t(self) -> F64:
        """Last fix time by row."""
        return self.situation.fix_t

    # ----------------------------------------------------------------- following

    def reset(self, proj: DisplayProjection | None) -> None:
        """Every unit was replaced (snapshot): recompute every style and position."""
        units = self.situation.units
        self.type_i = np.array([self._type_of(u.unit_type) for u in units], dtype=np.int32)
        self.base_style = np.array([_status_style(u.status) for u in units], dtype=np.int32)
        self.stale = np.zeros(len(units), dtype=bool)
        self.reproject(proj)

    def unit_changed(self, row: int, proj: DisplayProjection | None) -> None:
        """One unit's status, type or position changed, or a unit joined at ``row``."""
        n = self.n
        self.x, self.y = _grown(self.x, n, np.nan), _grown(self.y, n, np.nan)
        self.type_i = _grown(self.type_i, n, 0)
        self.base_style = _grown(self.base_style, n, 0)
        self.stale = _grown(self.stale, n, False)
        u = self.situation.units[row]
        self.type_i[row] = self._type_of(u.unit_type)
        self.base_style[row] = _status_style(u.status)
        if proj is not None:
            x, y = proj.to_xy(self.lon[row], self.lat[row])
            self.x[row], self.y[row] = x[0], y[0]

    def moved(
        self, rows: npt.NDArray[np.int64], lon: F64, lat: F64, proj: DisplayProjection | None
    ) -> None:
        """A batch of positions (already in the model): project just those rows."""
        if proj is not None and rows.size:
            x, y = proj.to_xy(lon, lat)
            self.x[rows] = x
            self.y[rows] = y

    def apply_moves(
        self,
        idx: npt.NDArray[np.int32],
        lon: F64,
        lat: F64,
        fix_t: F64,
        proj: DisplayProjection | None = None,
    ) -> int:
        """Write a batch of fixes keyed by hub index into the model (which tells the map);
        unknown indices and non-finite positions are skipped.  Returns the count."""
        return self.situation.move(idx, lon, lat, fix_t)

    def reproject(self, proj: DisplayProjection | None) -> None:
        """Recompute every plane position (new district centre or display system)."""
        if proj is None or self.n == 0:
            self.x = np.full(self.n, np.nan)
            self.y = np.full(self.n, np.nan)
        else:
            self.x, self.y = proj.to_xy(self.lon, self.lat)

    def update_stale(self, now: float, max_age_s: float) -> bool:
        """Recompute the stale mask; True when it changed (a repaint is needed)."""
        stale = (now - self.fix_t) > max_age_s
        changed = stale.shape != self.stale.shape or bool(np.any(stale != self.stale))
        self.stale = stale
        return changed

    # ----------------------------------------------------------------- reading

    def atlas_index(self) -> npt.NDArray[np.int32]:
        """Atlas cell per row: type row x style column, stale overriding status."""
        style = np.where(self.stale, st.STYLE_STALE, self.base_style).astype(np.int32)
        return self.type_i * st.N_STYLES + style

    def draw_order(self) -> npt.NDArray[np.int64]:
        """Rows sorted so that higher-z styles are drawn last (on top)."""
        style = np.where(self.stale, st.STYLE_STALE, self.base_style)
        return np.argsort(_STYLE_Z[style], kind="stable")

    def nearest(self, x: float, y: float, tol: float) -> int | None:
        """Row of the unit nearest (x, y) within ``tol`` metres, or None."""
        if self.n == 0 or self.x.size != self.n:
            return None
        d2 = (self.x - x) ** 2 + (self.y - y) ** 2
        d2 = np.where(np.isfinite(d2), d2, np.inf)
        i = int(np.argmin(d2))
        return i if d2[i] <= tol * tol else None

    def _type_of(self, key: str) -> int:
        return self._type_index.get(key, self.unknown_type)


def _grown(a: npt.NDArray[T], n: int, fill: object) -> npt.NDArray[T]:
    """``a`` extended to ``n`` entries with ``fill`` (a unit joined)."""
    if a.size >= n:
        return a
    return np.concatenate([a, np.full(n - a.size, fill, dtype=a.dtype)])


def _status_style(status: str) -> int:
    return st.STATUS_STYLE.get(status, st.STYLE_AVAILABLE)


def symbol_size(ppm: float) -> int:
    """Unit symbol size in pixels for a zoom level (pixels per metre): small when zoomed out."""
    for limit, size in st.UNIT_SIZE_BY_ZOOM:
        if ppm < limit:
            return size
    return st.UNIT_SYMBOL_PX


class UnitsItem(pg.GraphicsObject):
    """Draws every unit of a :class:`UnitTable` with one pixmap-fragment call."""

    def __init__(self, table: UnitTable, atlas_types: Sequence[tuple[str, str]]) -> None:
        super().__init__()
        self.table = table
        self._atlas_types = atlas_types
        self._atlases: dict[tuple[int, float], UnitAtlas] = {}
        self._frags = pg.Qt.internals.PrimitiveArray(QPainter.PixmapFragment, 10)
        self._order: npt.NDArray[np.int64] = np.zeros(0, dtype=np.int64)
        self._cell: npt.NDArray[np.int32] = np.zeros(0, dtype=np.int32)
        self._bounds = QRectF()
        self.paint_count = 0
        self.last_paint: float = 0.0
        self.last_size = 0  # symbol size of the last paint (tests)
        self.styles_changed()

    def styles_changed(self) -> None:
        """Status, type or staleness changed: recompute draw order and atlas cells."""
        t = self.table
        self._order = t.draw_order()
        self._cell = t.atlas_index()[self._order]

    def set_bounds(self, rect: QRectF) -> None:
        """Area the units may be in (district extent plus margin), for Qt's bookkeeping."""
        self.prepareGeometryChange()
        self._bounds = QRectF(rect)

    def boundingRect(self) -> QRectF:
        return self._bounds

    def atlas(self, size: int, dpr: float) -> UnitAtlas:
        """The symbol atlas for a pixel size and device pixel ratio (built once)."""
        key = (size, dpr)
        if key not in self._atlases:
            self._atlases[key] = UnitAtlas(self._atlas_types, size=size, dpr=dpr)
        return self._atlases[key]

    def paint(
        self, p: QPainter, opt: QStyleOptionGraphicsItem, widget: QWidget | None = None
    ) -> None:
        self.paint_count += 1
        self.last_paint = time.perf_counter()
        t = self.table
        if t.n == 0:
            return
        if self._order.size != t.n:
            self.styles_changed()
        tr = p.transform()
        dpr = float(widget.devicePixelRatioF()) if widget is not None else 1.0
        self.last_size = symbol_size(math.hypot(tr.m11(), tr.m12()))
        atlas = self.atlas(self.last_size, dpr)
        order = self._order
        x = t.x[order]
        y = t.y[order]
        dx = tr.m11() * x + tr.m21() * y + tr.m31()
        dy = tr.m12() * x + tr.m22() * y + tr.m32()
        vp = p.viewport()
        half = atlas.cell / dpr
        vis = (dx > -half) & (dx < vp.width() + half) & (dy > -half) & (dy < vp.height() + half)
        n = int(np.count_nonzero(vis))
        if n == 0:
            return
        self._frags.resize(n)
        f = self._frags.ndarray()
        f[:, 0] = dx[vis]
        f[:, 1] = dy[vis]
        f[:, 2:6] = atlas.source_rects[self._cell[vis]]
        f[:, 6] = 1.0 / dpr
        f[:, 7] = 1.0 / dpr
        f[:, 8] = 0.0
        f[:, 9] = 1.0
        p.resetTransform()
        p.drawPixmapFragments(*self._frags.drawargs(), atlas.pixmap)  # type: ignore[call-arg]


# ------------------------------------------------------------------ legend

STATUS_ROWS: tuple[tuple[int, str], ...] = (
    (st.STYLE_AVAILABLE, s.STATUS["available"]),
    (st.STYLE_DISPATCHED, s.STATUS["dispatched"]),
    (st.STYLE_EN_ROUTE, s.STATUS["en_route"]),
    (st.STYLE_ON_SCENE, s.STATUS["on_scene"]),
    (st.STYLE_OFF_DUTY, s.STATUS["off_duty"]),
    (st.STYLE_STALE, s.STALE),
)


def unit_type_legend(view: MapView) -> list[LegendRow]:
    """One row per configured unit type: its symbol and its name in the interface language."""

    def row(colour: str, symbol: str, zh: str, en: str) -> LegendRow:
        return LegendRow(
            icon=lambda size: unit_icon(colour, symbol, st.STYLE_AVAILABLE, size),
            label=lambda: zh if is_chinese() else en,
        )

    types = view.config.unit_types.values()
    return [
        LegendRow(text=s.UNIT_TYPES, heading=True),
        *(row(ut.colour, ut.symbol, ut.name_zh, ut.name_en) for ut in types),
    ]


def unit_status_legend(view: MapView) -> list[LegendRow]:
    """How each status (and a stale fix) changes a unit's symbol."""

    def row(style: int, src: str) -> LegendRow:
        return LegendRow(icon=lambda size: unit_icon("#1565c0", "circle", style, size), text=src)

    return [LegendRow(text=s.UNIT_STATUS, heading=True), *(row(k, t) for k, t in STATUS_ROWS)]
