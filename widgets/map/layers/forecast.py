"""The forecast on the map: expected calls per km² for the chosen period (a whole horizon, one
hour or one day of it) as a translucent blue-purple surface, and the shift's patrol points.

Blue-purple, not the heat's yellow-red, so the two are never mistaken for each
other when both are on.  The colour scale is fixed across the hours (or days)
of one forecast: moving the hour slider shows the calls rise and fall instead
of rescaling each hour to its own peak.  Colours follow the square root of the
value: forecast surfaces are a few sharp places over a wide low field, and a
linear scale would show the sharp places only.  The surface comes from the hub
(``GetForecast``, cells outside the district already zero); patrol points from
``GetPatrolFocus``.  Both items read the map's projection when placed or
painted.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
import numpy.typing as npt
import pyqtgraph as pg
from PySide6.QtCore import QPointF, QRectF, QSize, Qt
from PySide6.QtGui import (
    QColor,
    QFont,
    QImage,
    QLinearGradient,
    QPainter,
    QPaintEvent,
    QPen,
)
from PySide6.QtWidgets import QSizePolicy, QStyleOptionGraphicsItem, QWidget

from widgets.map.layers.heat import SmoothImageItem
from widgets.map.layers.spec import LegendRow
from widgets.map.projection import DisplayProjection

if TYPE_CHECKING:  # the stubs say "object"; at run time it returns the source string
    from widgets.map.view import MapView

    def QT_TRANSLATE_NOOP(context: str, source: str) -> str: ...
else:
    from PySide6.QtCore import QT_TRANSLATE_NOOP

TITLE = QT_TRANSLATE_NOOP("MapView", "Expected calls per km²")
PATROL_POINT = QT_TRANSLATE_NOOP("MapView", "Patrol point (rank in its area)")
PATROL_POSTED = QT_TRANSLATE_NOOP("MapView", "Patrol point already posted")

# (position, RGBA): transparent at zero, pale blue -> violet -> deep purple
FORECAST_STOPS: tuple[tuple[float, tuple[int, int, int, int]], ...] = (
    (0.0, (237, 248, 251, 0)),
    (0.12, (191, 211, 230, 80)),
    (0.35, (140, 150, 198, 130)),
    (0.65, (136, 86, 167, 170)),
    (1.0, (110, 1, 107, 205)),
)
GAMMA = 0.5  # colour position = (value / top) ** GAMMA
POINT_COLOUR = QColor("#00695c")
POSTED_COLOUR = QColor("#757575")
POINT_PX = 9.0
BOUNDS_M = 60_000.0
F32 = npt.NDArray[np.float32]


def forecast_lut(n: int = 256) -> npt.NDArray[np.uint8]:
    """RGBA lookup table (n x 4) of the forecast colour map."""
    pos = np.array([s[0] for s in FORECAST_STOPS])
    rgba = np.array([s[1] for s in FORECAST_STOPS], dtype=np.float64)
    t = np.linspace(0.0, 1.0, n)
    lut = np.stack([np.interp(t, pos, rgba[:, k]) for k in range(4)], axis=1)
    lut[0, 3] = 0
    return np.round(lut).astype(np.uint8)


class ForecastImage(SmoothImageItem):
    """The surface: expected calls per km² of the period shown, on the grid's box."""

    def __init__(self, projection: Callable[[], DisplayProjection | None]) -> None:
        super().__init__(axisOrder="row-major")
        self.setLookupTable(forecast_lut())
        self._projection = projection
        self.surface: F32 = np.zeros((0, 0), dtype=np.float32)
        self.bbox: tuple[float, float, float, float] | None = None
        self.vmax = 0.0

    def set_surface(
        self, per_km2: npt.ArrayLike, bbox: Sequence[float], vmax: float | None = None
    ) -> None:
        """Show ``per_km2`` (rows south to north) over ``bbox`` (lon0, lat0, lon1, lat1);
        ``vmax``: the top of the colour scale (default: the surface's own peak)."""
        d = np.asarray(per_km2, dtype=np.float32)
        if d.ndim != 2 or min(d.shape) < 1:
            raise ValueError(f"forecast surface must be a non-empty 2-D grid, got {d.shape}")
        if len(bbox) != 4:
            raise ValueError(f"forecast box needs 4 numbers, got {list(bbox)}")
        d = np.clip(np.nan_to_num(d, nan=0.0, posinf=0.0, neginf=0.0), 0.0, None)
        self.surface = d
        self.bbox = (float(bbox[0]), float(bbox[1]), float(bbox[2]), float(bbox[3]))
        peak = float(d.max())
        self.vmax = peak if vmax is None or not vmax > 0 else float(vmax)
        self.place()

    def clear(self) -> None:
        """Show nothing."""
        self.surface = np.zeros((0, 0), dtype=np.float32)
        self.bbox = None
        self.vmax = 0.0
        self.clear_image()

    def clear_image(self) -> None:
        self.setImage(np.zeros((1, 1), dtype=np.float32), levels=(0.0, 1.0), autoLevels=False)

    def place(self) -> None:
        """Put the image on its box in the plane (call again after a projection change)."""
        proj = self._projection()
        if self.bbox is None or proj is None or not self.surface.size:
            return
        x0, y0 = proj.point_xy(self.bbox[0], self.bbox[1])
        x1, y1 = proj.point_xy(self.bbox[2], self.bbox[3])
        top = self.vmax if self.vmax > 0 else 1.0
        shown = np.power(np.minimum(self.surface, top), GAMMA)
        self.setImage(shown, levels=(0.0, top**GAMMA), autoLevels=False)
        self.setRect(QRectF(x0, y0, x1 - x0, y1 - y0))


@dataclass(frozen=True)
class PatrolMark:
    """One patrol point on the map."""

    lon: float
    lat: float
    rank: int
    area_code: str
    posted: bool = False


class PatrolPointsItem(pg.GraphicsObject):
    """Patrol points as numbered hexagons (rank within the area), in screen pixels: a shape
    no unit type or incident uses, so a point is never read as a unit."""

    def __init__(self, projection: Callable[[], DisplayProjection | None]) -> None:
        super().__init__()
        self._projection = projection
        self.marks: list[PatrolMark] = []
        self.selected: tuple[str, int] | None = None  # (area code, rank)
        self.painted = 0
        self._bounds = QRectF(-BOUNDS_M, -BOUNDS_M, 2 * BOUNDS_M, 2 * BOUNDS_M)

    def set_marks(self, marks: Sequence[PatrolMark]) -> None:
        self.marks = list(marks)
        self.update()

    def select(self, area_code: str | None, rank: int | None = None) -> None:
        self.selected = None if area_code is None or rank is None else (area_code, rank)
        self.update()

    def boundingRect(self) -> QRectF:
        return self._bounds

    def paint(
        self, p: QPainter, opt: QStyleOptionGraphicsItem, widget: QWidget | None = None
    ) -> None:
        self.painted = 0
        proj = self._projection()
        if proj is None or not self.marks:
            return
        tr_ = p.transform()
        p.save()
        p.resetTransform()
        p.setRenderHint(QPainter.RenderHint.Antialiasing, True)
        f = QFont(p.font())
        f.setPixelSize(11)
        f.setBold(True)
        p.setFont(f)
        chosen = [m for m in self.marks if (m.area_code, m.rank) == self.selected]
        for m in [m for m in self.marks if m not in chosen] + chosen:  # selected on top
            x, y = proj.point_xy(m.lon, m.lat)
            c = tr_.map(QPointF(x, y))
            r = (POINT_PX if m.rank == 1 else POINT_PX - 2.0) + (3.0 if m in chosen else 0.0)
            hexagon = hexagon_points(c, r)
            p.setPen(QPen(QColor("#ffd600") if m in chosen else QColor("white"), 2.0))
            p.setBrush(POSTED_COLOUR if m.posted else POINT_COLOUR)
            p.drawPolygon(hexagon)
            p.setPen(QColor("white"))
            box = QRectF(c.x() - r, c.y() - r, 2 * r, 2 * r)
            p.drawText(box, Qt.AlignmentFlag.AlignCenter, "✓" if m.posted else str(m.rank))
            self.painted += 1
        p.restore()


def hexagon_points(c: QPointF, r: float) -> list[QPointF]:
    """A hexagon of circumradius ``r`` around ``c`` (points left and right)."""
    return [
        QPointF(c.x() + r * math.cos(math.radians(a)), c.y() + r * math.sin(math.radians(a)))
        for a in range(0, 360, 60)
    ]


def forecast_items(view: MapView) -> tuple[ForecastImage, PatrolPointsItem]:
    """The layer's two items on ``view``."""
    image, points = view.layer_items("forecast")
    if not isinstance(image, ForecastImage) or not isinstance(points, PatrolPointsItem):
        raise KeyError("the map's 'forecast' layer is not a forecast layer")
    return image, points


def forecast_has_content(view: MapView) -> bool:
    image, _ = forecast_items(view)
    return image.bbox is not None


# ------------------------------------------------------------------ legend


def forecast_gradient(x0: float, y0: float, x1: float, y1: float) -> QLinearGradient:
    g = QLinearGradient(x0, y0, x1, y1)
    for pos, (r, gg, b, a) in FORECAST_STOPS:
        g.setColorAt(pos, QColor(r, gg, b, max(a, 40)))
    return g


class ForecastBar(QWidget):
    """A colour bar from 0 to the scale's top, in expected calls per km² of the period."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.vmax = 0.0
        self.setMinimumSize(QSize(150, 30))
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)

    def set_max(self, vmax: float) -> None:
        self.vmax = vmax
        self.update()

    def paintEvent(self, event: QPaintEvent) -> None:
        p = QPainter(self)
        w = self.width() - 2
        bar = QRectF(1, 1, w, 12)
        p.fillRect(bar, forecast_gradient(bar.left(), 0, bar.right(), 0))
        p.setPen(QColor("#616161"))
        p.drawRect(bar)
        f = QFont(self.font())
        f.setPixelSize(11)
        p.setFont(f)
        p.setPen(QColor("#212121"))
        txt = QRectF(1, 14, w, 15)
        p.drawText(txt, Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter, "0")
        for v, align in (  # the bar is linear in (value / top) ** GAMMA
            (self.vmax * 0.5 ** (1.0 / GAMMA), Qt.AlignmentFlag.AlignHCenter),
            (self.vmax, Qt.AlignmentFlag.AlignRight),
        ):
            p.drawText(txt, align | Qt.AlignmentFlag.AlignVCenter, _num(v))
        p.end()


def _num(v: float) -> str:
    return f"{v:,.0f}" if v >= 10 else f"{v:.1f}" if v >= 1 else f"{v:.2f}"


def _point_icon(posted: bool) -> Callable[[int], QImage]:
    def draw(size: int) -> QImage:
        img = QImage(size, size, QImage.Format.Format_ARGB32_Premultiplied)
        img.fill(0)
        q = QPainter(img)
        q.setRenderHint(QPainter.RenderHint.Antialiasing, True)
        c, r = size / 2.0, size / 2.0 - 2.0
        q.setPen(QPen(QColor("white"), 1.5))
        q.setBrush(POSTED_COLOUR if posted else POINT_COLOUR)
        q.drawPolygon(hexagon_points(QPointF(c, c), r))
        q.end()
        return img

    return draw


def forecast_legend(view: MapView) -> list[LegendRow]:
    """The surface's scale and the patrol-point symbols (while the layer shows a forecast)."""
    return [
        LegendRow(text=TITLE),
        LegendRow(widget=ForecastBar),
        LegendRow(text=PATROL_POINT, icon=_point_icon(False)),
        LegendRow(text=PATROL_POSTED, icon=_point_icon(True)),
    ]
