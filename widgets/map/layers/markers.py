"""Few, fixed-size markers: police stations, 1-minute points and incidents.

They are drawn at a constant pixel size whatever the zoom (a station must stay
findable when the whole district is shown), so ``paint`` maps each anchor to
device pixels and blits a pre-rendered pixmap there.  Their counts are in the
tens to hundreds (a busy shift: 500 open incidents, repainted at every change), so the
anchors are mapped in one numpy step and markers off the painted area are skipped before
the per-marker loop: only the pins on screen cost Python work (``bench/markers.py``).

Incident pins can carry their incident number in a small box beside the head
(``label_of``) and show one pin as selected (``highlighted``): a blue ring, drawn on
top.  Both are callbacks read at paint time, so they always follow the markers' order;
whoever changes what they answer calls ``update()`` (the numbers) or
``highlight_changed()`` (the selection alone).  The selected pin is drawn again, ringed,
by an uncached child item (:class:`SelectedPins`): choosing another incident repaints
that one pin, not the whole cached layer of 500 (``bench/shift.py``: a supervisor working
through the plan queue changes the selection with every plan).

Each layer is cached as device pixels (``DeviceCoordinateCache``, clipped to the
viewport): the map repaints at every unit move, and 500 incident pins with their
numbers cost about 6 ms of a 13 ms frame; cached, a frame blits them unless the pins
themselves changed (``bench/shift.py``, issue 15).
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import TYPE_CHECKING

import numpy as np
import numpy.typing as npt
import pyqtgraph as pg
from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QBrush, QColor, QFont, QFontMetricsF, QPainter, QPen, QPixmap
from PySide6.QtWidgets import QGraphicsItem, QStyleOptionGraphicsItem, QWidget

from widgets.map import strings as s
from widgets.map.layers.base import CACHE
from widgets.map.layers.spec import LegendRow
from widgets.map.symbols import fixed_point_pixmap, incident_pixmap, station_pixmap

if TYPE_CHECKING:
    from widgets.map.view import MapView

F64 = npt.NDArray[np.float64]
LABEL_CACHE_MAX = 4000
CULL_MARGIN_PX = 96.0
"""Markers this far outside the painted area are still drawn (a pixmap and its label
reach that far from their anchor)."""
HIGHLIGHT = QColor("#1565c0")


class MarkersItem(pg.GraphicsObject):
    """Pixmaps at plane points; ``anchor`` is where in the pixmap the point sits (0..1)."""

    def __init__(self, pixmaps: dict[int, QPixmap], anchor: tuple[float, float] = (0.5, 0.5)):
        super().__init__()
        self.pixmaps = pixmaps
        self.anchor = anchor
        self.x: F64 = np.zeros(0)
        self.y: F64 = np.zeros(0)
        self.kind = np.zeros(0, dtype=np.int64)
        self.order = np.zeros(0, dtype=np.int64)
        self._bounds = QRectF()
        self.label_of: Callable[[int], str] | None = None  # marker index -> its label
        self.highlighted: Callable[[int], bool] | None = None  # marker index -> selected?
        self._labels: dict[str, QPixmap] = {}
        self._chosen: list[int] | None = None  # what ``highlighted`` answered, until a change
        self.setCacheMode(CACHE)
        self.selected_pins = SelectedPins(self)

    def highlight_changed(self) -> None:
        """What ``highlighted`` answers changed: repaint the ringed pins, not the layer."""
        self._chosen = None
        self.selected_pins.update()

    def set_points(
        self,
        x: F64,
        y: F64,
        kind: npt.NDArray[np.int64] | None = None,
        z: npt.NDArray[np.float64] | None = None,
    ) -> None:
        """Replace the markers; ``kind`` picks the pixmap, higher ``z`` is drawn on top."""
        self.x = np.asarray(x, dtype=np.float64)
        self.y = np.asarray(y, dtype=np.float64)
        self.kind = np.zeros(self.x.size, dtype=np.int64) if kind is None else np.asarray(kind)
        self.order = (
            np.arange(self.x.size) if z is None else np.argsort(np.asarray(z), kind="stable")
        )
        self.prepareGeometryChange()
        fin = np.isfinite(self.x) & np.isfinite(self.y)
        if fin.any():
            x0, x1 = float(self.x[fin].min()), float(self.x[fin].max())
            y0, y1 = float(self.y[fin].min()), float(self.y[fin].max())
            pad = max(x1 - x0, y1 - y0, 500.0)  # generous: the pixmaps have a pixel size
            self._bounds = QRectF(x0 - pad, y0 - pad, x1 - x0 + 2 * pad, y1 - y0 + 2 * pad)
        else:
            self._bounds = QRectF()
        self._chosen = None
        self.selected_pins.prepareGeometryChange()
        self.update()

    def nearest(self, x: float, y: float, tol: float) -> int | None:
        """Index of the marker nearest (x, y) within ``tol`` metres, or None."""
        if self.x.size == 0:
            return None
        d2 = (self.x - x) ** 2 + (self.y - y) ** 2
        d2 = np.where(np.isfinite(d2), d2, np.inf)
        i = int(np.argmin(d2))
        return i if d2[i] <= tol * tol else None

    def boundingRect(self) -> QRectF:
        return self._bounds

    def paint(
        self, p: QPainter, opt: QStyleOptionGraphicsItem, widget: QWidget | None = None
    ) -> None:
        self._chosen = None  # the layer is drawn again (an update): ask ``highlighted`` again
        if self.x.size == 0:
            return
        px, py = self._device_points(p)
        p.resetTransform()
        shown = np.isfinite(px) & np.isfinite(py)
        for i in self.order[shown[self.order]].tolist():
            self._draw_pin(p, i, float(px[i]), float(py[i]), False)

    def chosen(self) -> list[int]:
        """The markers ``highlighted`` answers True for, in index order (asked again after
        :meth:`highlight_changed`, new points or a repaint of the layer, not every frame:
        the ringed pins are painted with every map frame)."""
        if self.highlighted is None:
            return []
        if self._chosen is None:
            self._chosen = [i for i in range(self.x.size) if self.highlighted(i)]
        return self._chosen

    def _draw_pin(self, p: QPainter, i: int, x: float, y: float, selected: bool) -> None:
        """Marker ``i`` with its anchor at device point (x, y); ringed when selected."""
        pm = self.pixmaps.get(int(self.kind[i]))
        if pm is None:
            return
        ax, ay = self.anchor
        w = pm.width() / pm.devicePixelRatio()
        h = pm.height() / pm.devicePixelRatio()
        left, top = x - ax * w, y - ay * h
        if selected:
            self._draw_ring(p, QPointF(left + w / 2, top + h * 0.36), h * 0.34 + 5)
        p.drawPixmap(QPointF(left, top), pm)
        if self.label_of is not None:
            label = self._label(self.label_of(i), pm.devicePixelRatio(), selected)
            lh = label.height() / label.devicePixelRatio()
            p.drawPixmap(QPointF(left + w * 0.78, top + h * 0.36 - lh / 2), label)

    def _device_points(self, p: QPainter) -> tuple[F64, F64]:
        """Every anchor in device pixels (NaN: not drawn, being off the painted area)."""
        tr = p.transform()
        if not tr.isAffine():  # never on a map view; kept exact all the same
            pts = [tr.map(QPointF(float(x), float(y))) for x, y in zip(self.x, self.y, strict=True)]
            return np.array([q.x() for q in pts]), np.array([q.y() for q in pts])
        px = tr.m11() * self.x + tr.m21() * self.y + tr.m31()
        py = tr.m12() * self.x + tr.m22() * self.y + tr.m32()
        dev = p.device()
        if dev is not None and dev.width() > 0 and dev.height() > 0:
            m = CULL_MARGIN_PX
            off = (px < -m) | (py < -m) | (px > dev.width() + m) | (py > dev.height() + m)
            px = np.where(off, np.nan, px)
        return px, py

    @staticmethod
    def _draw_ring(p: QPainter, centre: QPointF, radius: float) -> None:
        p.setRenderHint(QPainter.RenderHint.Antialiasing, True)
        halo = QColor(HIGHLIGHT)
        halo.setAlpha(60)
        p.setBrush(QBrush(halo))
        p.setPen(QPen(HIGHLIGHT, 3))
        p.drawEllipse(centre, radius, radius)

    def _label(self, text: str, dpr: float, selected: bool) -> QPixmap:
        """A small boxed label (cached by text): dark on white, white on blue when selected."""
        key = f"{int(selected)}{dpr:.2f}{text}"
        pm = self._labels.get(key)
        if pm is not None:
            return pm
        if len(self._labels) > LABEL_CACHE_MAX:
            self._labels.clear()
        font = QFont()
        font.setPixelSize(11)
        font.setBold(True)
        fm = QFontMetricsF(font)
        w, h = fm.horizontalAdvance(text) + 6.0, fm.height() + 2.0
        pm = QPixmap(int(w * dpr + 1), int(h * dpr + 1))
        pm.setDevicePixelRatio(dpr)
        pm.fill(Qt.GlobalColor.transparent)
        q = QPainter(pm)
        q.setRenderHint(QPainter.RenderHint.Antialiasing, True)
        q.setPen(QPen(HIGHLIGHT if selected else QColor("#37474f"), 1))
        q.setBrush(QBrush(HIGHLIGHT if selected else QColor(255, 255, 255, 235)))
        q.drawRoundedRect(QRectF(0.5, 0.5, w - 1, h - 1), 3, 3)
        q.setPen(QColor("white") if selected else QColor("#212121"))
        q.setFont(font)
        q.drawText(QRectF(0, 0, w, h), Qt.AlignmentFlag.AlignCenter, text)
        q.end()
        self._labels[key] = pm
        return pm


class SelectedPins(QGraphicsItem):
    """The selected pins of a :class:`MarkersItem`, ringed, over its cached layer.

    A child item, so it follows the layer's visibility and stacks just above it; not
    cached, so a new selection paints one pin, not the layer's 500 again (its area is the
    layer's, so the other uncached layers under it repaint: the main window therefore
    rings a new selection in the map's own turn, :mod:`widgets.frame_pacer`).  It reaches
    the layer through ``parentItem()``, never a reference of its own: the two Python
    objects must not form a cycle, which only the collector frees, on whichever thread it
    runs."""

    def __init__(self, markers: MarkersItem) -> None:
        super().__init__(markers)

    def _markers(self) -> MarkersItem | None:
        m = self.parentItem()
        return m if isinstance(m, MarkersItem) else None

    def boundingRect(self) -> QRectF:
        m = self._markers()
        return QRectF() if m is None else m.boundingRect()

    def paint(
        self, p: QPainter, opt: QStyleOptionGraphicsItem, widget: QWidget | None = None
    ) -> None:
        m = self._markers()
        chosen = m.chosen() if m is not None and m.x.size else []
        if m is None or not chosen:
            return
        tr = p.transform()
        p.resetTransform()
        for i in chosen:
            pt = tr.map(QPointF(float(m.x[i]), float(m.y[i])))
            if math.isfinite(pt.x()) and math.isfinite(pt.y()):
                m._draw_pin(p, i, pt.x(), pt.y(), True)


# ------------------------------------------------------------------ legend


def station_legend(view: MapView) -> list[LegendRow]:
    """The police station symbol."""
    return [LegendRow(icon=lambda size: station_pixmap(size=size), text=s.POLICE_STATION)]


def fixed_point_legend(view: MapView) -> list[LegendRow]:
    """The 1-minute point symbol."""
    return [LegendRow(icon=lambda size: fixed_point_pixmap(size=size - 2), text=s.FIXED_POINT)]


def priority_legend(view: MapView) -> list[LegendRow]:
    """The incident pin in each priority's colour."""

    def row(prio: int) -> LegendRow:
        return LegendRow(
            icon=lambda size: incident_pixmap(prio, size=size + 2), text=s.PRIORITY[prio]
        )

    return [LegendRow(text=s.INCIDENT_PRIORITY, heading=True), *(row(k) for k in (1, 2, 3, 4))]
