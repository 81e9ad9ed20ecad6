"""The 110-call density under the forces: a semi-transparent image in calls/km².

Zero density is fully transparent so the base map shows through where
nothing happened; opacity and warmth grow with density.  The grid comes
ready-made from the hub (``HeatGrid``); this layer only colours and places it.

**Colour scale.**  The top colour is the 99th percentile of the non-empty cells
inside the district (:func:`scale_top`), not the single hottest cell; the few
cells above it (1 % of them) all draw in the top colour.  Between 0 and that top
the ramp is linear.  Why: a real city's calls pile up in one or two places (on
Portland's two months of calls, 400 m smoothing, the downtown peak is 1,882
per km², the median non-empty cell 56, the 90th percentile 226), so a scale up
to the peak painted most of the city at 3-12 % of it, faint enough that an
operator could not see where calls cluster.  With the top at the 99th
percentile (697 there) those cells reach 8-32 % and the clusters of the east
side stand out, as GIS tools do with a percentile stretch (QGIS's cumulative
count cut).  A square-root ramp was tried too, alone and with the percentile:
it lifts the smoothing's faint tails around single calls until most of the
district is tinted, and the clusters stand out less; a linear ramp also keeps
the legend plain (half way along the bar is half the top's density).  Nothing
is hidden: the legend says what the top colour means ("≥ N per km²") and gives
the peak, and hovering the map shows the exact density of the cell under the
pointer (:meth:`HeatLayer.value_at`).  The HTML export uses the same rule.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any

import numpy as np
import numpy.typing as npt
import pyqtgraph as pg
from PySide6.QtCore import QRectF, QSize, Qt
from PySide6.QtGui import (
    QColor,
    QFont,
    QImage,
    QLinearGradient,
    QPainter,
    QPainterPath,
    QPaintEvent,
    QTransform,
)
from PySide6.QtWidgets import QGraphicsItem, QSizePolicy, QWidget

from console.heat import HeatGrid
from widgets.map import strings as s
from widgets.map.layers.spec import LegendRow
from widgets.map.projection import DisplayProjection

if TYPE_CHECKING:
    from widgets.map.view import MapView

TOP_PERCENTILE = 99.0
"""The top of the colour scale: this percentile of the non-empty cells (see above)."""

# (position, RGBA): transparent at zero, pale yellow -> orange -> deep red
HEAT_STOPS: tuple[tuple[float, tuple[int, int, int, int]], ...] = (
    (0.0, (255, 255, 178, 0)),
    (0.08, (255, 237, 160, 40)),
    (0.3, (254, 178, 76, 85)),
    (0.6, (240, 59, 32, 120)),
    (1.0, (160, 0, 38, 155)),
)


def heat_lut(n: int = 256) -> npt.NDArray[np.uint8]:
    """RGBA lookup table (n x 4) of the heat colour map."""
    pos = np.array([s[0] for s in HEAT_STOPS])
    rgba = np.array([s[1] for s in HEAT_STOPS], dtype=np.float64)
    t = np.linspace(0.0, 1.0, n)
    lut = np.stack([np.interp(t, pos, rgba[:, k]) for k in range(4)], axis=1)
    lut[0, 3] = 0  # exactly zero is exactly transparent
    return np.round(lut).astype(np.uint8)


def heat_gradient(x0: float, y0: float, x1: float, y1: float) -> QLinearGradient:
    """The same colour map as a gradient, for the legend's colour bar."""
    g = QLinearGradient(x0, y0, x1, y1)
    for pos, (r, gg, b, a) in HEAT_STOPS:
        g.setColorAt(pos, QColor(r, gg, b, max(a, 40)))
    return g


def scale_top(density: npt.ArrayLike) -> float:
    """Top of the colour scale for ``density`` (already blanked outside the district):
    the :data:`TOP_PERCENTILE` of its non-empty cells; cells above it saturate.
    0.0 when no cell holds anything."""
    d = np.asarray(density)
    nz = d[np.isfinite(d) & (d > 0)]
    if not nz.size:
        return 0.0
    return float(np.percentile(nz, TOP_PERCENTILE))


def heat_rgba(density: npt.ArrayLike, top: float) -> npt.NDArray[np.uint8]:
    """RGBA (rows x cols x 4) of ``density`` on a scale from 0 to ``top`` (above: saturated),
    the same colours the map draws (for the HTML export)."""
    d = np.clip(np.nan_to_num(np.asarray(density, dtype=np.float64)), 0.0, None)
    lut = heat_lut()
    scale = (len(lut) - 1) / top if top > 0 else 0.0
    idx = np.clip(np.round(d * scale), 0, len(lut) - 1).astype(np.int64)
    return lut[idx]


def density_text(v: float) -> str:
    """A density as the legend and the tooltip write it: 1,234 / 56 / 5.6 / 0.04."""
    if v >= 10:
        return f"{v:,.0f}"
    return f"{v:.1f}" if v >= 1 else f"{v:.2g}"


class SmoothImageItem(pg.ImageItem):
    """An ImageItem scaled with bilinear filtering (50 m cells would look like tiles),
    cached in device pixels so the filtering runs once per zoom, not once per frame."""

    def __init__(self, **kw: Any) -> None:
        super().__init__(**kw)
        self.setCacheMode(QGraphicsItem.CacheMode.DeviceCoordinateCache)

    def paint(self, p: QPainter, *args: Any) -> None:
        p.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform, True)
        super().paint(p, *args)


class HeatLayer:
    """Owns the ImageItem and the grid it shows, masked to the district outline."""

    def __init__(self) -> None:
        self.item = SmoothImageItem(axisOrder="row-major")
        self.item.setLookupTable(heat_lut())
        self.grid: HeatGrid | None = None
        self.outline: QPainterPath | None = None
        self.vmax = 0.0  # top of the colour scale (scale_top); cells above it saturate
        self.peak = 0.0  # the hottest cell shown
        self._density: npt.NDArray[np.float32] = np.zeros((0, 0), dtype=np.float32)
        self._shown: npt.NDArray[np.float32] = np.zeros((0, 0), dtype=np.float32)
        self._rect: QRectF | None = None
        self._proj: DisplayProjection | None = None

    def set_grid(self, grid: HeatGrid, proj: DisplayProjection | None) -> None:
        """Show ``grid``; rows run south to north, columns west to east."""
        d = np.asarray(grid.density, dtype=np.float32)
        if d.ndim != 2:
            raise ValueError(f"heat density must be 2-D, got shape {d.shape}")
        if not np.isfinite(d).all():
            d = np.nan_to_num(d, nan=0.0, posinf=0.0, neginf=0.0)
        self.grid = grid
        self._density = np.clip(d, 0.0, None)
        self.place(proj)

    def set_outline(self, outline: QPainterPath | None) -> None:
        """Blank the cells outside the district (the smoothing bleeds over its edge)."""
        self.outline = outline
        self.place(self._proj)

    def place(self, proj: DisplayProjection | None) -> None:
        """Put the image on its bounding box in the plane (after a projection change too)."""
        self._proj = proj
        g = self.grid
        if g is None or proj is None:
            return
        x0, y0 = proj.point_xy(g.lon0, g.lat0)
        x1, y1 = proj.point_xy(g.lon1, g.lat1)
        rect = QRectF(x0, y0, x1 - x0, y1 - y0)
        d = self._density
        if self.outline is not None and not self.outline.isEmpty() and d.size:
            d = np.where(inside_mask(self.outline, rect, d.shape), d, np.float32(0.0))
        self.peak = float(d.max()) if d.size else 0.0
        self.vmax = scale_top(d)
        self._shown, self._rect = d, rect
        self.item.setImage(d, levels=(0.0, self.vmax if self.vmax > 0 else 1.0), autoLevels=False)
        self.item.setRect(rect)

    def value_at(self, x: float, y: float) -> float | None:
        """The exact density (calls/km²) of the cell under plane point (x, y), as held
        (not clipped to the colour scale); 0 outside the district, None off the grid."""
        r, d = self._rect, self._shown
        if self.grid is None or r is None or not d.size or r.width() <= 0 or r.height() <= 0:
            return None
        col = math.floor((x - r.x()) / r.width() * d.shape[1])
        row = math.floor((y - r.y()) / r.height() * d.shape[0])
        if not (0 <= row < d.shape[0] and 0 <= col < d.shape[1]):
            return None
        return float(d[row, col])


def inside_mask(path: QPainterPath, rect: QRectF, shape: tuple[int, ...]) -> npt.NDArray[np.bool_]:
    """Grid cells (rows south to north) that ``path`` covers at least partly."""
    ny, nx = shape[0], shape[1]
    img = QImage(nx, ny, QImage.Format.Format_Grayscale8)
    img.fill(0)
    if rect.width() == 0 or rect.height() == 0:
        return np.zeros((ny, nx), dtype=bool)
    sx, sy = nx / rect.width(), ny / rect.height()
    p = QPainter(img)
    p.setRenderHint(QPainter.RenderHint.Antialiasing, True)  # partial cells count as inside
    p.setTransform(QTransform(sx, 0, 0, sy, -rect.x() * sx, -rect.y() * sy))
    p.fillPath(path, QColor(255, 255, 255))
    p.end()
    buf = np.frombuffer(img.constBits(), dtype=np.uint8, count=img.bytesPerLine() * ny)
    return buf.reshape(ny, img.bytesPerLine())[:, :nx] > 0


# ------------------------------------------------------------------ legend


class HeatBar(QWidget):
    """A horizontal colour bar from 0 to the top of the scale, labelled in calls/km²;
    the top reads "≥ N" when hotter cells saturate."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.vmax = 0.0
        self.peak = 0.0
        self.setMinimumSize(QSize(150, 30))
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)

    def set_scale(self, top: float, peak: float) -> None:
        """New top of the scale and the hottest cell."""
        self.vmax, self.peak = top, peak
        self.update()

    def top_label(self) -> str:
        """The text at the bar's right end."""
        top = density_text(self.vmax)
        return f"≥{top}" if self.peak > self.vmax else top

    def paintEvent(self, event: QPaintEvent) -> None:
        p = QPainter(self)
        w = self.width() - 2
        bar = QRectF(1, 1, w, 12)
        checker = QColor("#dcdcdc")  # shows that the low end is see-through
        for i in range(0, int(w), 6):
            p.fillRect(QRectF(1 + i, 1 + (i // 6 % 2) * 6, 6, 6), checker)
        p.fillRect(bar, heat_gradient(bar.left(), 0, bar.right(), 0))
        p.setPen(QColor("#616161"))
        p.drawRect(bar)
        f = QFont(self.font())
        f.setPixelSize(11)
        p.setFont(f)
        p.setPen(QColor("#212121"))
        txt = QRectF(1, 14, w, 15)
        p.drawText(txt, Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter, "0")
        for text, align in (
            (density_text(self.vmax / 2), Qt.AlignmentFlag.AlignHCenter),
            (self.top_label(), Qt.AlignmentFlag.AlignRight),
        ):
            p.drawText(txt, align | Qt.AlignmentFlag.AlignVCenter, text)
        p.end()


def scale_text(view: MapView) -> str:
    """What the top colour means, and the peak."""
    layer = view.heat
    if layer.grid is None or layer.vmax <= 0:
        return s.tr(s.HEAT_EMPTY)
    return s.tr(
        s.HEAT_TOP,
        top=density_text(layer.vmax),
        share=f"{100.0 - TOP_PERCENTILE:g}",
        peak=density_text(layer.peak),
    )


def heat_legend(view: MapView) -> list[LegendRow]:
    """The density scale (shown while the heat layer is on and has a grid)."""
    return [
        LegendRow(text=s.HEAT_TITLE),
        LegendRow(widget=HeatBar),
        LegendRow(label=lambda: scale_text(view), wrap=True),
    ]
