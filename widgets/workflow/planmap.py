"""A static drawing of one plan (QGraphicsView): the fallback for the briefing web map.

Chromium paints through a GPU process that Qt's offscreen platform cannot
grab, and a workstation may lack QtWebEngine; this view draws the same plan
(district outline, roads, routes coloured by whether the arrival standard is
met, units labelled with call sign and ETA, the incident) with plain
QPainter, so the plan review always shows a map and screenshots show it too.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import (
    QBrush,
    QColor,
    QFont,
    QFontMetricsF,
    QPainter,
    QPainterPath,
    QPen,
    QResizeEvent,
)
from PySide6.QtWidgets import (
    QGraphicsItem,
    QGraphicsPathItem,
    QGraphicsScene,
    QGraphicsView,
    QStyleOptionGraphicsItem,
    QWidget,
)

from console.config import Config
from console.hub.messages import StaticDistrict
from widgets.map.projection import DisplayProjection
from widgets.workflow.briefing import (
    INCIDENT_COLOUR,
    LATE_COLOUR,
    MET_COLOUR,
    MOVE_UP_COLOUR,
    ROAD_STYLE,
    label_sides,
)
from widgets.workflow.common import duration_text, zh_en


def _cosmetic(colour: str, width: float, style: Qt.PenStyle = Qt.PenStyle.SolidLine) -> QPen:
    pen = QPen(QColor(colour), width, style)
    pen.setCosmetic(True)
    pen.setCapStyle(Qt.PenCapStyle.RoundCap)
    pen.setJoinStyle(Qt.PenJoinStyle.RoundJoin)
    return pen


class MarkerItem(QGraphicsItem):
    """A dot (or star) with a boxed label, the same size at every zoom."""

    def __init__(
        self, text: str, fill: str, *, star: bool = False, left: bool = False, ring: str = "#fff"
    ) -> None:
        super().__init__()
        self.text = text
        self.fill = QColor(fill)
        self.ring = QColor(ring)
        self.star = star
        self.left = left
        self.font = QFont()
        self.font.setPointSizeF(9.0)
        fm = QFontMetricsF(self.font)
        self._tw = fm.horizontalAdvance(text) + 10
        self._th = fm.height() + 4
        self.setFlag(QGraphicsItem.GraphicsItemFlag.ItemIgnoresTransformations, True)

    def _label_rect(self) -> QRectF:
        if self.star:
            return QRectF(-self._tw / 2, -14 - self._th, self._tw, self._th)
        x = -10 - self._tw if self.left else 10
        return QRectF(x, -self._th / 2, self._tw, self._th)

    def boundingRect(self) -> QRectF:
        return QRectF(-12, -12, 24, 24).united(self._label_rect()).adjusted(-2, -2, 2, 2)

    def paint(
        self,
        painter: QPainter,
        option: QStyleOptionGraphicsItem,
        widget: QWidget | None = None,
    ) -> None:
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        if self.star:
            painter.setPen(QPen(QColor("#ffffff"), 1.5))
            painter.setBrush(self.fill)
            painter.drawPath(_star_path(9.0))
        else:
            painter.setPen(QPen(self.ring, 2.0))
            painter.setBrush(self.fill)
            painter.drawEllipse(QPointF(0, 0), 6.5, 6.5)
        if not self.text:
            return
        r = self._label_rect()
        painter.setPen(QPen(QColor("#90a4ae"), 1.0))
        painter.setBrush(QColor(255, 255, 255, 235))
        painter.drawRoundedRect(r, 3, 3)
        painter.setFont(self.font)
        painter.setPen(QColor("#212121"))
        painter.drawText(r, Qt.AlignmentFlag.AlignCenter, self.text)


def _star_path(r: float) -> QPainterPath:
    path = QPainterPath()
    for k in range(10):
        rad = r if k % 2 == 0 else r * 0.45
        a = -np.pi / 2 + k * np.pi / 5
        p = QPointF(rad * np.cos(a), rad * np.sin(a))
        if k == 0:
            path.moveTo(p)
        else:
            path.lineTo(p)
    path.closeSubpath()
    return path


class PlanMapView(QGraphicsView):
    """The plan on a plain vector map; ``set_plan`` redraws everything."""

    def __init__(self, config: Config, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.config = config
        self.setScene(QGraphicsScene(self))
        self.setRenderHint(QPainter.RenderHint.Antialiasing)
        self.setBackgroundBrush(QBrush(QColor("#eceff1")))
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.setDragMode(QGraphicsView.DragMode.ScrollHandDrag)
        self.setTransformationAnchor(QGraphicsView.ViewportAnchor.AnchorUnderMouse)
        self.focus = QRectF()
        self.markers: list[MarkerItem] = []
        self.routes: list[QGraphicsPathItem] = []

    def set_plan(self, plan: dict[str, Any], district: StaticDistrict | None) -> None:
        """Draw ``plan`` (a Plan body) over ``district`` (if known)."""
        scene = self.scene()
        scene.clear()
        self.markers, self.routes = [], []
        try:
            ilon, ilat = float(plan["lon"]), float(plan["lat"])
        except (KeyError, TypeError, ValueError):
            raise ValueError("plan body needs numeric 'lon' and 'lat' of the incident") from None
        proj = DisplayProjection(ilon, ilat, self.config.map.display_crs)

        def xy(lon: Any, lat: Any) -> tuple[np.ndarray, np.ndarray]:
            x, y = proj.to_xy(lon, lat)
            return x, -y  # scene y grows downwards

        if district is not None:
            self._draw_district(district, xy)
        pts_x, pts_y = [0.0], [0.0]
        slots = [
            x
            for x in plan.get("slots", [])
            if x.get("route_lon") and len(x.get("route_lon", [])) == len(x.get("route_lat", []))
        ]
        starts = [(float(x["route_lon"][0]), float(x["route_lat"][0])) for x in slots]
        for slot, left in zip(slots, label_sides(starts), strict=True):
            lon = np.asarray(slot["route_lon"], dtype=np.float64)
            lat = np.asarray(slot["route_lat"], dtype=np.float64)
            x, y = xy(lon, lat)
            met = bool(slot.get("met"))
            path = QPainterPath(QPointF(x[0], y[0]))
            for px, py in zip(x[1:], y[1:], strict=True):
                path.lineTo(px, py)
            item = scene.addPath(path, _cosmetic(MET_COLOUR if met else LATE_COLOUR, 3.5))
            item.setZValue(5)
            self.routes.append(item)
            ut = self.config.unit_types.get(str(slot.get("unit_type", "")))
            eta = duration_text(float(slot.get("eta_s", float("nan"))))
            label = f"{slot.get('call_sign', '?')} · {eta}" + ("" if met else " ✗")
            marker = MarkerItem(label, ut.colour if ut else "#546e7a", left=left)
            marker.setPos(x[0], y[0])
            marker.setZValue(20)
            scene.addItem(marker)
            self.markers.append(marker)
            pts_x += x.tolist()
            pts_y += y.tolist()
        for mu in plan.get("move_ups", []):
            try:
                mx, my = xy(float(mu["lon"]), float(mu["lat"]))
            except (KeyError, TypeError, ValueError):
                continue
            mk = MarkerItem("", "#ffffff", ring=MOVE_UP_COLOUR)
            mk.setPos(float(mx[0]), float(my[0]))
            mk.setZValue(15)
            mk.setToolTip(str(mu.get("text_zh") or mu.get("text_en") or ""))
            scene.addItem(mk)
        name = zh_en(plan, "incident_name") or str(plan.get("incident_type") or "")
        star = MarkerItem(name, INCIDENT_COLOUR, star=True)
        star.setZValue(30)
        scene.addItem(star)
        self.markers.append(star)
        x0, x1, y0, y1 = min(pts_x), max(pts_x), min(pts_y), max(pts_y)
        margin = max(150.0, 0.15 * max(x1 - x0, y1 - y0))
        self.focus = QRectF(x0 - margin, y0 - margin, x1 - x0 + 2 * margin, y1 - y0 + 2 * margin)
        self.fit()

    def _draw_district(self, d: StaticDistrict, xy: Any) -> None:
        scene = self.scene()
        ol = np.asarray(d.outline, dtype=np.float64).reshape(-1, 2)
        if ol.shape[0] >= 3:
            ox, oy = xy(ol[:, 0], ol[:, 1])
            path = QPainterPath(QPointF(ox[0], oy[0]))
            for px, py in zip(ox[1:], oy[1:], strict=True):
                path.lineTo(px, py)
            path.closeSubpath()
            fill = scene.addPath(path, QPen(Qt.PenStyle.NoPen), QBrush(QColor("#f7f5ef")))
            fill.setZValue(-10)
            edge = scene.addPath(path, _cosmetic("#37474f", 2.0))
            edge.setZValue(2)
        if len(d.seg_lonlat) % 32:
            return
        seg = np.frombuffer(d.seg_lonlat, dtype=np.float64).reshape(-1, 4)
        cls = np.frombuffer(d.seg_class, dtype=np.int8)
        if cls.size != seg.shape[0]:
            return
        x0, y0 = xy(seg[:, 0], seg[:, 1])
        x1, y1 = xy(seg[:, 2], seg[:, 3])
        for c, (colour, width) in ROAD_STYLE.items():
            rows = np.flatnonzero(cls == c)
            if not rows.size:
                continue
            path = QPainterPath()
            for i in rows.tolist():
                path.moveTo(x0[i], y0[i])
                path.lineTo(x1[i], y1[i])
            item = scene.addPath(path, _cosmetic(colour, width))
            item.setZValue(-5 + (3 - c) * 0.1)

    def fit(self) -> None:
        """Show the incident and every route."""
        if not self.focus.isEmpty():
            self.fitInView(self.focus, Qt.AspectRatioMode.KeepAspectRatio)

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        self.fit()

    def wheelEvent(self, event: Any) -> None:
        factor = 1.2 if event.angleDelta().y() > 0 else 1 / 1.2
        self.scale(factor, factor)
