"""Live units: a column store of positions and styles, and the item that blits them.

Position floods (1 Hz from thousands of units) only write into numpy arrays
and raise a dirty flag; the view's redraw timer repaints at most ``redraw_hz``
times a second.  ``paint`` maps every point to device pixels with numpy and
draws all symbols with one ``drawPixmapFragments`` call from a symbol atlas,
ordered so busy units are drawn over idle, off-duty and stale ones.
"""

from __future__ import annotations

import math
import time
from collections.abc import Sequence

import numpy as np
import numpy.typing as npt
import pyqtgraph as pg
from PySide6.QtCore import QRectF
from PySide6.QtGui import QPainter
from PySide6.QtWidgets import QStyleOptionGraphicsItem, QWidget

from console.hub.messages import UnitState
from widgets.map import style as st
from widgets.map.projection import DisplayProjection
from widgets.map.symbols import UnitAtlas

F64 = npt.NDArray[np.float64]

_STYLE_Z = np.asarray(st.STYLE_Z, dtype=np.int32)


class UnitTable:
    """Every unit's state as parallel arrays; row order is the order units were first seen."""

    def __init__(self, type_keys: list[str]) -> None:
        self.type_keys = list(type_keys)
        self._type_index = {k: i for i, k in enumerate(self.type_keys)}
        self.unknown_type = len(self.type_keys)  # fallback atlas row for unknown types
        self.clear()

    def clear(self) -> None:
        """Forget every unit."""
        self.n = 0
        self.states: list[UnitState] = []
        self.call_signs: list[str] = []
        self.row_of: dict[str, int] = {}
        self.row_of_idx = np.full(0, -1, dtype=np.int64)  # hub index -> row
        self.lon: F64 = np.zeros(0)
        self.lat: F64 = np.zeros(0)
        self.fix_t: F64 = np.zeros(0)
        self.x: F64 = np.zeros(0)
        self.y: F64 = np.zeros(0)
        self.type_i = np.zeros(0, dtype=np.int32)
        self.base_style = np.zeros(0, dtype=np.int32)  # from status, before staleness
        self.stale = np.zeros(0, dtype=bool)

    # ----------------------------------------------------------------- writing

    def set_units(self, units: list[UnitState], proj: DisplayProjection | None) -> None:
        """Replace the whole table (snapshot on join or resync)."""
        row_of = {u.call_sign: i for i, u in enumerate(units)}
        if len(row_of) != len(units):
            first = {u.call_sign: i for i, u in reversed(list(enumerate(units)))}
            dup = next(u.call_sign for i, u in enumerate(units) if first[u.call_sign] != i)
            raise ValueError(f"duplicate call sign {dup!r} in unit list")
        self.clear()
        n = len(units)
        self.states = list(units)
        self.call_signs = [u.call_sign for u in units]
        self.row_of = row_of
        self.n = n
        self.lon = np.array([u.lon for u in units], dtype=np.float64)
        self.lat = np.array([u.lat for u in units], dtype=np.float64)
        self.fix_t = np.array([u.fix_t for u in units], dtype=np.float64)
        self.type_i = np.array([self._type_of(u.unit_type) for u in units], dtype=np.int32)
        self.base_style = np.array([_status_style(u.status) for u in units], dtype=np.int32)
        self.stale = np.zeros(n, dtype=bool)
        self._rebuild_idx()
        self.reproject(proj)

    def upsert(self, u: UnitState, proj: DisplayProjection | None) -> int:
        """Insert or replace one unit (status change, assignment, new unit); returns its row.

        Its position is taken only if its fix is not older than the one held: a status
        event may carry a position the coalesced moves have already overtaken.
        """
        row = self.row_of.get(u.call_sign)
        if row is None:
            row = self.n
            self.n += 1
            self.states.append(u)
            self.call_signs.append(u.call_sign)
            self.row_of[u.call_sign] = row
            self.lon = np.append(self.lon, u.lon)
            self.lat = np.append(self.lat, u.lat)
            self.fix_t = np.append(self.fix_t, u.fix_t)
            self.x = np.append(self.x, np.nan)
            self.y = np.append(self.y, np.nan)
            self.type_i = np.append(self.type_i, np.int32(0))
            self.base_style = np.append(self.base_style, np.int32(0))
            self.stale = np.append(self.stale, False)
            self._rebuild_idx()
        else:
            old_idx = self.states[row].idx
            self.states[row] = u
            if u.fix_t >= self.fix_t[row]:
                self.lon[row], self.lat[row], self.fix_t[row] = u.lon, u.lat, u.fix_t
            if u.idx != old_idx:
                self._rebuild_idx()
        self.type_i[row] = self._type_of(u.unit_type)
        self.base_style[row] = _status_style(u.status)
        if proj is not None:
            x, y = proj.to_xy(self.lon[row], self.lat[row])
            self.x[row], self.y[row] = x[0], y[0]
        return row

    def apply_moves(
        self,
        idx: npt.NDArray[np.int32],
        lon: F64,
        lat: F64,
        fix_t: F64,
        proj: DisplayProjection | None,
    ) -> int:
        """Write a batch of fixes keyed by hub index; unknown indices are skipped. Returns count."""
        if not (idx.shape == lon.shape == lat.shape == fix_t.shape):
            raise ValueError(
                f"UnitsMoved arrays differ in length: idx {idx.size}, lon {lon.size}, "
                f"lat {lat.size}, fix_t {fix_t.size}"
            )
        m = self.row_of_idx
        ok = (idx >= 0) & (idx < m.size)
        rows = np.full(idx.shape, -1, dtype=np.int64)
        rows[ok] = m[idx[ok]]
        ok &= rows >= 0
        ok &= np.isfinite(lon) & np.isfinite(lat)
        if not ok.all():
            rows, lon, lat, fix_t = rows[ok], lon[ok], lat[ok], fix_t[ok]
        if rows.size == 0:
            return 0
        self.lon[rows] = lon
        self.lat[rows] = lat
        self.fix_t[rows] = fix_t
        if proj is not None:
            x, y = proj.to_xy(lon, lat)
            self.x[rows] = x
            self.y[rows] = y
        return int(rows.size)

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
        if self.n == 0:
            return None
        d2 = (self.x - x) ** 2 + (self.y - y) ** 2
        d2 = np.where(np.isfinite(d2), d2, np.inf)
        i = int(np.argmin(d2))
        return i if d2[i] <= tol * tol else None

    def _type_of(self, key: str) -> int:
        return self._type_index.get(key, self.unknown_type)

    def _rebuild_idx(self) -> None:
        idx = np.array([u.idx for u in self.states], dtype=np.int64)
        size = int(idx.max()) + 1 if idx.size else 0
        m = np.full(size, -1, dtype=np.int64)
        good = idx >= 0
        m[idx[good]] = np.flatnonzero(good)
        self.row_of_idx = m


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
