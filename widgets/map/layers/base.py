"""The static base map: district outline and fill, roads by class, responsibility areas.

This geometry never changes during a shift but sits under 20,000 live units
that repaint ten times a second, so each layer keeps its rendering as device pixels
(:class:`LayerPixels`): a units frame then costs a blit, not a re-stroke of every road.
They do not use ``DeviceCoordinateCache``: its pixmaps live in ``QPixmapCache``, which
trims itself every 30 s (the least recently used quarter goes when nothing was added), and
the layers painted first in a frame are the least recently used: the roads were stroked
again (35 ms) in the middle of a busy shift (``bench/shift.py``, issue 15).
Roads are one ``QPainterPath`` per class built in
one go from the segment array (``arrayToQPath`` with ``connect="pairs"``).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass

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


@dataclass
class _Pixels:
    key: tuple[float, ...]
    plane: QRectF  # the part of the layer the image holds, in plane coordinates
    image: QImage  # device pixels (devicePixelRatio set)


class LayerPixels:
    """A static layer's rendering in device pixels, kept by the layer itself.

    Drawn again only when the zoom (the transform's linear part), the screen's pixel ratio
    or the layer (:meth:`invalidate`) changes, or a pan leaves the rendered part: it
    renders ``margin`` of the viewport beyond each edge.  ``supersample`` > 1 strokes
    aliased at that multiple and keeps the smoothly reduced image.  Painting elsewhere than
    a view (export, print) draws directly.
    """

    def __init__(self, supersample: int = 1, margin: float = 0.25) -> None:
        self.supersample = supersample
        self.margin = margin
        self.renders = 0
        """How many times the layer was drawn into pixels (tests, diagnosis)."""
        self._pixels: _Pixels | None = None

    def invalidate(self) -> None:
        self._pixels = None

    def paint(
        self,
        p: QPainter,
        bounds: QRectF,
        widget: QWidget | None,
        draw: Callable[[QPainter, float], None],
    ) -> None:
        """Blit the kept pixels of ``bounds`` or render them with ``draw(painter, px)``
        (``px``: the pixel multiple to scale pen widths by)."""
        dev = p.device()
        if widget is None or dev is None:
            _draw_directly(p, draw)
            return
        tr = p.transform()
        dpr = dev.devicePixelRatioF()
        area = QRectF(0, 0, dev.width() / dpr, dev.height() / dpr)
        full = tr.mapRect(bounds)
        visible = full.intersected(area)
        if visible.isEmpty():
            return
        inv, ok = tr.inverted()
        if not ok:
            return
        key = (tr.m11(), tr.m12(), tr.m21(), tr.m22(), dpr)
        kept = self._pixels
        if (
            kept is None
            or not _same_scale(kept.key, key)
            or not _covers(kept.plane, inv.mapRect(visible))
        ):
            kept = self._render(p, tr, inv, key, full, area, dpr, draw)
            if kept is None:
                return
        p.save()
        p.resetTransform()
        p.drawImage(tr.mapRect(kept.plane).topLeft(), kept.image)
        p.restore()

    def _render(
        self,
        p: QPainter,
        tr: QTransform,
        inv: QTransform,
        key: tuple[float, ...],
        full: QRectF,
        area: QRectF,
        dpr: float,
        draw: Callable[[QPainter, float], None],
    ) -> _Pixels | None:
        mw, mh = area.width() * self.margin, area.height() * self.margin
        target = QRectF(full.intersected(area.adjusted(-mw, -mh, mw, mh)).toAlignedRect())
        w, h = round(target.width() * dpr), round(target.height() * dpr)
        k = self.supersample
        if w <= 0 or h <= 0:
            return None
        if w * h * k * k > MAX_SUPERSAMPLE_PX:  # a huge screen: draw directly
            self._pixels = None
            _draw_directly(p, draw)
            return None
        img = QImage(w * k, h * k, QImage.Format.Format_ARGB32_Premultiplied)
        img.fill(0)
        q = QPainter(img)
        q.setRenderHint(QPainter.RenderHint.Antialiasing, k == 1)
        q.setTransform(
            tr
            * QTransform.fromTranslate(-target.x(), -target.y())
            * QTransform.fromScale(dpr * k, dpr * k)
        )
        draw(q, float(k))
        q.end()
        if k > 1:
            img = img.scaled(
                w,
                h,
                Qt.AspectRatioMode.IgnoreAspectRatio,
                Qt.TransformationMode.SmoothTransformation,
            )
        img.setDevicePixelRatio(dpr)
        self.renders += 1
        self._pixels = _Pixels(key, inv.mapRect(target), img)
        return self._pixels


def _draw_directly(p: QPainter, draw: Callable[[QPainter, float], None]) -> None:
    """Export, print, a huge screen: antialiased vectors straight onto the device."""
    p.setRenderHint(QPainter.RenderHint.Antialiasing, True)
    draw(p, 1.0)


def _same_scale(a: tuple[float, ...], b: tuple[float, ...]) -> bool:
    """The same zoom and pixel ratio, up to the float noise of a pan (pyqtgraph derives
    the scale from the new view range again)."""
    return all(math.isclose(x, y, rel_tol=1e-7, abs_tol=1e-12) for x, y in zip(a, b, strict=True))


def _covers(outer: QRectF, inner: QRectF) -> bool:
    """``outer`` contains ``inner`` up to rounding (plane units of a part of a pixel)."""
    e = max(inner.width(), inner.height()) * 1e-6
    return outer.adjusted(-e, -e, e, e).contains(inner)


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
    """One path with a pixel-width pen and an optional fill, kept as device pixels.

    Few polygons, but the district's antialiased fill covers the whole map: 4-27 ms a
    frame, and every unit move repaints the frame (bench/shift.py, issue 15).  The
    pixels are drawn again only when the view zooms or pans past them or the path or its
    fill changes (:class:`LayerPixels`).
    """

    def __init__(self, pen: QPen, brush: QBrush | None = None, scale_with_zoom: bool = False):
        super().__init__()
        self.path = QPainterPath()
        self.pen = QPen(pen)
        self.pen.setCosmetic(True)
        self.brush = brush
        self.scale_with_zoom = scale_with_zoom
        self.pixels = LayerPixels()

    def set_path(self, path: QPainterPath) -> None:
        """Replace the geometry."""
        self.prepareGeometryChange()
        self.path = path
        self.pixels.invalidate()
        self.update()

    def set_brush(self, brush: QBrush | None) -> None:
        """Replace the fill (None: outline only)."""
        self.brush = brush
        self.pixels.invalidate()
        self.update()

    def boundingRect(self) -> QRectF:
        r = self.path.boundingRect()
        m = max(r.width(), r.height()) * 0.02 + 1.0
        return r.adjusted(-m, -m, m, m)

    def paint(
        self, p: QPainter, opt: QStyleOptionGraphicsItem, widget: QWidget | None = None
    ) -> None:
        k = zoom_factor(p) if self.scale_with_zoom else 1.0
        self.pixels.paint(p, self.boundingRect(), widget, lambda q, px: self._draw(q, k * px))

    def _draw(self, p: QPainter, px: float) -> None:
        p.setRenderHint(QPainter.RenderHint.Antialiasing, True)
        pen = QPen(self.pen)
        pen.setWidthF(pen.widthF() * px)
        p.setPen(pen)
        p.setBrush(self.brush if self.brush is not None else Qt.BrushStyle.NoBrush)
        p.drawPath(self.path)


class RoadsItem(pg.GraphicsObject):
    """All road segments: casings first, then fills, minor classes under major ones."""

    def __init__(self) -> None:
        super().__init__()
        self.paths: list[QPainterPath] = [QPainterPath() for _ in st.ROAD_STYLES]
        self._bounds = QRectF()
        self.pixels = LayerPixels(supersample=SUPERSAMPLE)
        """Supersampled: Qt's antialiased wide-line stroker costs about 25 us a segment
        (0.3 s for 10,000 roads on every zoom step); aliased strokes at twice the
        resolution averaged 2x2 look the same and cost a quarter of that."""

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
        self.pixels.invalidate()
        self.update()

    def boundingRect(self) -> QRectF:
        return self._bounds

    def paint(
        self, p: QPainter, opt: QStyleOptionGraphicsItem, widget: QWidget | None = None
    ) -> None:
        k = zoom_factor(p)
        self.pixels.paint(p, self._bounds, widget, lambda q, px: self._stroke(q, k, px))

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
