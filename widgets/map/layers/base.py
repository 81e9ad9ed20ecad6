"""The static base map: district outline and fill, roads by class, responsibility areas.

This geometry never changes during a shift but sits under 20,000 live units
that repaint ten times a second, so the roads cache their rendering in device
pixels (``DeviceCoordinateCache``): a units frame then costs a blit, not a
re-stroke of every road.  Those caches live in ``QPixmapCache``, whose default
10 MB holds only two viewport-sized pixmaps; :func:`ensure_pixmap_cache` grows
it with the viewport, otherwise the caches evict each other every frame.
Roads are one ``QPainterPath`` per class built in
one go from the segment array (``arrayToQPath`` with ``connect="pairs"``).
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np
import numpy.typing as npt
import pyqtgraph as pg
from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import (
    QBrush,
    QColor,
    QImage,
    QPainter,
    QPainterPath,
    QPen,
    QPixmapCache,
    QPolygonF,
    QTransform,
)
from PySide6.QtWidgets import QGraphicsItem, QStyleOptionGraphicsItem, QWidget

from widgets.map import style as st

F64 = npt.NDArray[np.float64]
CACHE = QGraphicsItem.CacheMode.DeviceCoordinateCache
SUPERSAMPLE = 2
MAX_SUPERSAMPLE_PX = 40_000_000


def polygon_path(xs: F64, ys: F64) -> QPainterPath:
    """A closed path through plane points (NaN-free)."""
    path = QPainterPath()
    if xs.size >= 2:
        path.addPolygon(
            QPolygonF([QPointF(float(a), float(b)) for a, b in zip(xs, ys, strict=True)])
        )
        path.closeSubpath()
    return path


def ensure_pixmap_cache(width: int, height: int, dpr: float, n_cached: int) -> None:
    """Make ``QPixmapCache`` big enough for ``n_cached`` viewport-sized item caches."""
    need_kb = int(width * height * dpr * dpr * 4 * n_cached * 1.5 / 1024) + 2048
    if QPixmapCache.cacheLimit() < need_kb:
        QPixmapCache.setCacheLimit(need_kb)


def zoom_factor(p: QPainter) -> float:
    """Pen-width multiplier growing gently with zoom (roads look thin when zoomed in)."""
    ppm = math.hypot(p.transform().m11(), p.transform().m12())
    return min(3.0, max(0.7, math.sqrt(max(ppm, 1e-9) / 0.2)))


class CosmeticPathItem(pg.GraphicsObject):
    """One path with a pixel-width pen and an optional fill, cached as device pixels.

    Few polygons, but the district's antialiased fill covers the whole map: 4-27 ms a
    frame, and every unit move repaints the frame (bench/shift.py, issue 15).  The
    cache is redrawn only when the view pans or zooms or the path changes.
    """

    def __init__(self, pen: QPen, brush: QBrush | None = None, scale_with_zoom: bool = False):
        super().__init__()
        self.path = QPainterPath()
        self.pen = QPen(pen)
        self.pen.setCosmetic(True)
        self.brush = brush
        self.scale_with_zoom = scale_with_zoom
        self.setCacheMode(CACHE)

    def set_path(self, path: QPainterPath) -> None:
        """Replace the geometry."""
        self.prepareGeometryChange()
        self.path = path
        self.update()

    def boundingRect(self) -> QRectF:
        r = self.path.boundingRect()
        m = max(r.width(), r.height()) * 0.02 + 1.0
        return r.adjusted(-m, -m, m, m)

    def paint(
        self, p: QPainter, opt: QStyleOptionGraphicsItem, widget: QWidget | None = None
    ) -> None:
        p.setRenderHint(QPainter.RenderHint.Antialiasing, True)
        pen = QPen(self.pen)
        if self.scale_with_zoom:
            pen.setWidthF(pen.widthF() * zoom_factor(p))
        p.setPen(pen)
        p.setBrush(self.brush if self.brush is not None else Qt.BrushStyle.NoBrush)
        p.drawPath(self.path)


class RoadsItem(pg.GraphicsObject):
    """All road segments: casings first, then fills, minor classes under major ones."""

    def __init__(self) -> None:
        super().__init__()
        self.paths: list[QPainterPath] = [QPainterPath() for _ in st.ROAD_STYLES]
        self._bounds = QRectF()
        self.setCacheMode(CACHE)

    def set_segments(self, x0: F64, y0: F64, x1: F64, y1: F64, cls: npt.NDArray[np.int8]) -> None:
        """Segments as plane coordinates with their road class (0 arterial .. 3 pedestrian)."""
        self.prepareGeometryChange()
        self.paths = []
        for c in range(len(st.ROAD_STYLES)):
            m = cls == c
            if c == len(st.ROAD_STYLES) - 1:
                m = cls >= c  # unknown classes drawn as the thinnest
            xs = np.column_stack([x0[m], x1[m]]).ravel()
            ys = np.column_stack([y0[m], y1[m]]).ravel()
            self.paths.append(
                pg.arrayToQPath(xs, ys, connect="pairs") if xs.size else QPainterPath()
            )
        r = QRectF()
        for path in self.paths:
            r = r.united(path.boundingRect())
        self._bounds = r.adjusted(-50, -50, 50, 50)
        self.update()

    def boundingRect(self) -> QRectF:
        return self._bounds

    def paint(
        self, p: QPainter, opt: QStyleOptionGraphicsItem, widget: QWidget | None = None
    ) -> None:
        """Supersampled: stroke without antialiasing at 2x, then scale down smoothly.

        Qt's antialiased wide-line stroker costs about 25 us a segment (0.3 s for
        10,000 roads on every zoom step); aliased strokes at twice the resolution
        averaged 2x2 look the same and cost a quarter of that.
        """
        tr = p.transform()
        dev = p.device()
        dpr = dev.devicePixelRatioF() if dev is not None else 1.0
        area = QRectF(0, 0, dev.width() / dpr, dev.height() / dpr) if dev is not None else QRectF()
        target = tr.mapRect(self._bounds).intersected(area)
        if target.isEmpty():
            return
        scale = SUPERSAMPLE * dpr
        w, h = math.ceil(target.width() * scale), math.ceil(target.height() * scale)
        if w * h > MAX_SUPERSAMPLE_PX:  # e.g. printing: draw directly, antialiased
            p.setRenderHint(QPainter.RenderHint.Antialiasing, True)
            self._stroke(p, zoom_factor(p), 1.0)
            return
        img = QImage(w, h, QImage.Format.Format_ARGB32_Premultiplied)
        img.fill(0)
        q = QPainter(img)
        q.setTransform(
            tr
            * QTransform.fromTranslate(-target.x(), -target.y())
            * QTransform.fromScale(scale, scale)
        )
        self._stroke(q, zoom_factor(p), scale)
        q.end()
        p.save()
        p.resetTransform()
        p.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform, True)
        p.drawImage(target, img)
        p.restore()

    def _stroke(self, p: QPainter, k: float, px: float) -> None:
        """Casings, then fills, minor classes first; widths in screen px times ``px``."""
        p.setBrush(Qt.BrushStyle.NoBrush)
        ppm = math.hypot(p.transform().m11(), p.transform().m12()) / px
        last = len(self.paths) - 1
        order: Sequence[int] = range(last, -1, -1)
        for c in order:  # casings (the darker edge of a road)
            _, casing, width = st.ROAD_STYLES[c]
            if casing is not None and not self.paths[c].isEmpty():
                p.setPen(_pen(casing, (width * k + 1.6) * px))
                p.drawPath(self.paths[c])
        for c in order:
            colour, _, width = st.ROAD_STYLES[c]
            if self.paths[c].isEmpty() or (c == last and ppm < st.ZOOM_FOOTPATHS):
                continue
            pen = _pen(colour, width * k * px)
            if c == last:
                pen.setStyle(Qt.PenStyle.DashLine)
            p.setPen(pen)
            p.drawPath(self.paths[c])


def _pen(colour: str | QColor, width: float) -> QPen:
    pen = QPen(QColor(colour), width)
    pen.setCosmetic(True)
    pen.setCapStyle(Qt.PenCapStyle.RoundCap)
    pen.setJoinStyle(Qt.PenJoinStyle.RoundJoin)
    return pen
