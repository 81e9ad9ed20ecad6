"""The terminal's map: the district's streets, the planned route, the scene, and where the
officer is now.

The streets come from the district map the terminal fetched and keeps
(:mod:`console.terminal.mapsync`), drawn by :class:`~widgets.terminal.street_layer.StreetLayer`
(paths built once per card, only the cells in view drawn); a terminal without one
falls back to the card's own patch of streets within 450 m of the scene.
Everything is drawn in metres east/north of the scene (the card's street map is
already in that plane); with no order but a district map and a fix, the map shows
the streets around the officer.  The view fits the route and the officer's
position, or only the scene's neighbourhood ("现场"); a scale bar and a north arrow
keep it readable at a glance.
"""

from __future__ import annotations

import math
from collections.abc import Callable

import numpy as np
from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import (
    QColor,
    QFont,
    QImage,
    QPainter,
    QPainterPath,
    QPaintEvent,
    QPen,
    QPolygonF,
    QTransform,
)
from PySide6.QtWidgets import QSizePolicy, QWidget

from console.link import protocol as p
from console.link.card_geo import to_metres, unpack_streets
from console.link.district_map import DistrictMap
from console.terminal.gps import Fix
from widgets.terminal.street_layer import StreetLayer
from widgets.terminal.texts import say

ROAD_WIDTH = {0: 9.0, 1: 7.0, 2: 5.0, 3: 3.0}
"""Road classes (console.domain.RoadClass) in pixels, arterial widest."""
ROAD_CASING = QColor("#c9c9c9")
ROAD_FILL = QColor("#ffffff")
ROUTE = QColor("#1565c0")
SCENE = QColor("#d32f2f")
ME = QColor("#0d47a1")
BACKGROUND = QColor("#eef0e6")
SCENE_HALF_M = 260.0
AROUND_ME_M = 500.0
"""Half the view around the officer when there is no order (district map only)."""
Proj = Callable[[float, float], QPointF]
"""Metres east/north of the scene to widget pixels."""


class RouteMap(QWidget):
    """The order's map; :meth:`show_card` for a new card, :meth:`set_fix` for each fix."""

    def __init__(self, lang: str = "zh", parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.lang = lang
        self.card: p.OrderCard | None = None
        self.fix: Fix | None = None
        self.whole_route = True
        self._seg = np.zeros((0, 4), np.float64)
        self._cls = np.zeros(0, np.int8)
        self._route = np.zeros((0, 2), np.float64)
        self.district: DistrictMap | None = None
        self._layer: StreetLayer | None = None
        self.world = QTransform()
        """Plane metres to widget pixels, as last painted."""
        self.drawn_paths = 0
        """Street paths in the district streets shown (0: card patch or none)."""
        self.street_renders = 0
        """How often the district's streets were drawn afresh (a view that stays reuses them)."""
        self._street_image: tuple[tuple[object, ...], QImage] | None = None
        """The district's streets as last drawn, reused while the view stays where it was."""
        self.setMinimumSize(240, 200)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)

    # ------------------------------------------------------------------ data

    def show_card(self, card: p.OrderCard | None) -> None:
        self.card = card
        if card is None:
            self._seg, self._cls, self._route = (
                np.zeros((0, 4)),
                np.zeros(0, np.int8),
                np.zeros((0, 2)),
            )
        else:
            if card.streets is not None:
                seg, cls = unpack_streets(card.streets)
                self._seg, self._cls = seg.astype(np.float64), cls
            else:
                self._seg, self._cls = np.zeros((0, 4)), np.zeros(0, np.int8)
            if card.route_lon:
                x, y = to_metres(
                    np.asarray(card.route_lon), np.asarray(card.route_lat), card.lon, card.lat
                )
                self._route = np.column_stack([x, y])
            else:
                self._route = np.zeros((0, 2))
        self.update()

    def set_district(self, dm: DistrictMap | None) -> None:
        """The district's street map (None: draw only the card's streets)."""
        if dm is not self.district:
            self.district = dm
            self._layer = None
            self.update()

    def _origin(self) -> tuple[float, float] | None:
        """Where the plane's (0, 0) is: the scene, or without an order the district's middle."""
        if self.card is not None:
            return self.card.lon, self.card.lat
        if self.district is not None and self.fix is not None:
            return self.district.lon0, self.district.lat0
        return None

    def _streets_layer(self) -> StreetLayer | None:
        origin = self._origin()
        if self.district is None or origin is None:
            return None
        if self._layer is None or self._layer.origin != origin:
            self._layer = StreetLayer(self.district, *origin)
        return self._layer

    def set_fix(self, fix: Fix | None) -> None:
        self.fix = fix
        self.update()

    def set_whole_route(self, whole: bool) -> None:
        self.whole_route = whole
        self.update()

    def _me(self) -> tuple[float, float] | None:
        origin = self._origin()
        if self.fix is None or origin is None:
            return None
        x, y = to_metres(np.array([self.fix.lon]), np.array([self.fix.lat]), *origin)
        return float(x[0]), float(y[0])

    def _me_point(self) -> QPointF:
        """The officer in plane metres (the origin without a fix)."""
        me = self._me()
        return QPointF(*me) if me is not None else QPointF()

    def _scene_point(self) -> QPointF:
        """The scene in plane metres (the card's scene is the plane's origin)."""
        return QPointF(0.0, 0.0)

    def view_box(self) -> QRectF:
        """The part of the plane shown (metres): the route and the officer, or the scene."""
        pts = [(-80.0, -80.0), (80.0, 80.0)]
        me = self._me()
        if self.card is None and me is not None:  # no order: around the officer
            h = AROUND_ME_M
            return QRectF(me[0] - h, me[1] - h, 2 * h, 2 * h)
        if self.whole_route:
            pts += [(float(r[0]), float(r[1])) for r in self._route.tolist()]
            if me is not None and math.hypot(*me) < 20_000:
                pts.append(me)
        else:
            pts += [(-SCENE_HALF_M, -SCENE_HALF_M), (SCENE_HALF_M, SCENE_HALF_M)]
        xs, ys = [q[0] for q in pts], [q[1] for q in pts]
        return QRectF(min(xs), min(ys), max(xs) - min(xs), max(ys) - min(ys))

    # --------------------------------------------------------------- drawing

    def paintEvent(self, event: QPaintEvent) -> None:
        qp = QPainter(self)
        qp.setRenderHint(QPainter.RenderHint.Antialiasing, True)
        qp.fillRect(self.rect(), BACKGROUND)
        if self.card is None and self._me() is None:
            qp.setPen(QColor("#555"))
            f = QFont(self.font())
            f.setPointSizeF(f.pointSizeF() * 1.4)
            qp.setFont(f)
            qp.drawText(self.rect(), Qt.AlignmentFlag.AlignCenter, say("no_order", self.lang))
            return
        box = self.view_box()
        margin = 28.0
        w, h = max(self.width() - 2 * margin, 10.0), max(self.height() - 2 * margin, 10.0)
        scale = min(w / max(box.width(), 1.0), h / max(box.height(), 1.0))
        cx, cy = box.center().x(), box.center().y()
        ox, oy = self.width() / 2.0, self.height() / 2.0

        def at(x: float, y: float) -> QPointF:
            return QPointF(ox + (x - cx) * scale, oy - (y - cy) * scale)

        self.world = QTransform(scale, 0.0, 0.0, -scale, ox - cx * scale, oy + cy * scale)
        layer = self._streets_layer()
        if layer is not None:
            qp.drawImage(0, 0, self._district_streets(layer, scale, cx, cy))
        else:
            self.drawn_paths = 0
            self._streets(qp, at, scale)
        me = self._me()
        if self.card is None:  # no order: the streets around the officer
            if me is not None:
                self._me_marker(qp, at(*me), scale)
            self._scale_bar(qp, scale)
            self._north(qp)
            qp.setPen(QColor("#555"))
            qp.drawText(
                QRectF(8, 6, self.width() - 16, 28),
                Qt.AlignmentFlag.AlignLeft,
                say("no_order", self.lang),
            )
            return
        self._route_line(qp, at)
        self._scene(qp, at(0.0, 0.0))
        if me is not None:
            self._me_marker(qp, at(*me), scale)
        self._scale_bar(qp, scale)
        self._north(qp)
        if not len(self._route):
            qp.setPen(QColor("#7a4f01"))
            qp.drawText(
                QRectF(8, 6, self.width() - 16, 28),
                Qt.AlignmentFlag.AlignLeft,
                say("route_none", self.lang),
            )

    def _district_streets(self, layer: StreetLayer, scale: float, cx: float, cy: float) -> QImage:
        """The district's streets for this view: drawn again only when the view moved
        (while the officer drives along the route the view stays, and a fix costs a blit)."""
        dpr = self.devicePixelRatioF()
        key = (id(layer), self.width(), self.height(), dpr, scale, cx, cy, self.font().key())
        if self._street_image is not None and self._street_image[0] == key:
            return self._street_image[1]
        img = QImage(
            int(self.width() * dpr),
            int(self.height() * dpr),
            QImage.Format.Format_ARGB32_Premultiplied,
        )
        img.setDevicePixelRatio(dpr)
        img.fill(Qt.GlobalColor.transparent)
        qp = QPainter(img)
        qp.setRenderHint(QPainter.RenderHint.Antialiasing, True)
        ox, oy = self.width() / 2.0, self.height() / 2.0
        seen = QRectF(cx - ox / scale, cy - oy / scale, self.width() / scale, self.height() / scale)
        self.drawn_paths = layer.draw(
            qp, self.world, seen, scale, ROAD_WIDTH, ROAD_CASING, ROAD_FILL
        )
        if scale > 0.25:
            f = QFont(self.font())
            f.setPointSizeF(max(f.pointSizeF() * 0.85, 7.0))
            layer.labels(qp, self.world, seen, f)
        qp.end()
        self._street_image = (key, img)
        self.street_renders += 1
        return img

    def _streets(self, qp: QPainter, to: Proj, scale: float) -> None:
        if not len(self._seg):
            return
        for casing in (True, False):
            for cls in sorted(set(self._cls.tolist()), reverse=True):
                width = ROAD_WIDTH.get(int(cls), 3.0) * (1.0 if scale > 0.4 else 0.6)
                pen = QPen(ROAD_CASING if casing else ROAD_FILL, width + (2.5 if casing else 0.0))
                pen.setCapStyle(Qt.PenCapStyle.RoundCap)
                qp.setPen(pen)
                for x0, y0, x1, y1 in self._seg[self._cls == cls].tolist():
                    qp.drawLine(to(x0, y0), to(x1, y1))
        if self.card is not None and self.card.streets is not None and scale > 0.25:
            f = QFont(self.font())
            f.setPointSizeF(max(f.pointSizeF() * 0.85, 7.0))
            qp.setFont(f)
            qp.setPen(QColor("#5f6368"))
            for name, x, y in self.card.streets.labels[:24]:
                pt = to(x, y)
                qp.drawText(
                    QRectF(pt.x() - 60, pt.y() - 10, 120, 20), Qt.AlignmentFlag.AlignCenter, name
                )

    def _route_line(self, qp: QPainter, to: Proj) -> None:
        if len(self._route) < 2:
            return
        x0, y0 = self._route[0].tolist()
        path = QPainterPath(to(x0, y0))
        for x, y in self._route[1:].tolist():
            path.lineTo(to(x, y))
        for color, width in ((QColor("white"), 11.0), (ROUTE, 7.0)):
            pen = QPen(color, width)
            pen.setCapStyle(Qt.PenCapStyle.RoundCap)
            pen.setJoinStyle(Qt.PenJoinStyle.RoundJoin)
            qp.setPen(pen)
            qp.setBrush(Qt.BrushStyle.NoBrush)
            qp.drawPath(path)
        start = to(x0, y0)
        qp.setPen(QPen(QColor("white"), 2.5))
        qp.setBrush(ROUTE)
        qp.drawEllipse(start, 6.0, 6.0)
        xe, ye = self._route[-1].tolist()
        if math.hypot(xe, ye) > 15.0:  # the road ends short of the scene: the last stretch
            pen = QPen(ROUTE, 3.0, Qt.PenStyle.DashLine)
            qp.setPen(pen)
            qp.drawLine(to(xe, ye), to(0.0, 0.0))

    def _scene(self, qp: QPainter, pt: QPointF) -> None:
        qp.setPen(QPen(QColor("white"), 3.0))
        qp.setBrush(SCENE)
        pin = QPainterPath()
        pin.moveTo(pt)
        pin.cubicTo(pt + QPointF(-14, -18), pt + QPointF(-14, -34), pt + QPointF(0, -36))
        pin.cubicTo(pt + QPointF(14, -34), pt + QPointF(14, -18), pt)
        qp.drawPath(pin)
        qp.setPen(QColor("white"))
        f = QFont(self.font())
        f.setBold(True)
        f.setPointSizeF(f.pointSizeF() * 1.3)
        qp.setFont(f)
        qp.drawText(QRectF(pt.x() - 10, pt.y() - 34, 20, 22), Qt.AlignmentFlag.AlignCenter, "!")

    def _me_marker(self, qp: QPainter, pt: QPointF, scale: float) -> None:
        fix = self.fix
        if fix is None:
            return
        if fix.accuracy:
            r = max(fix.accuracy * scale, 10.0)
            qp.setPen(QPen(QColor(13, 71, 161, 120), 1.0))
            qp.setBrush(QColor(13, 71, 161, 40))
            qp.drawEllipse(pt, r, r)
        qp.setPen(Qt.PenStyle.NoPen)
        qp.setBrush(QColor(13, 71, 161, 60))
        qp.drawEllipse(pt, 22.0, 22.0)
        qp.setPen(QPen(QColor("white"), 3.0))
        qp.setBrush(ME)
        if fix.heading is None:
            qp.drawEllipse(pt, 11.0, 11.0)
            return
        a = math.radians(fix.heading)
        dx, dy = math.sin(a), -math.cos(a)
        tip = pt + QPointF(dx * 16, dy * 16)
        left = pt + QPointF(-dy * 10 - dx * 8, dx * 10 - dy * 8)
        right = pt + QPointF(dy * 10 - dx * 8, -dx * 10 - dy * 8)
        qp.drawPolygon(QPolygonF([tip, left, pt - QPointF(dx * 3, dy * 3), right]))

    def _scale_bar(self, qp: QPainter, scale: float) -> None:
        target = 110.0 / scale  # metres in about 110 px
        nice = next(
            (m for m in (10, 20, 50, 100, 200, 500, 1000, 2000, 5000) if m >= target * 0.6), 5000
        )
        px = nice * scale
        x0, y0 = 14.0, self.height() - 18.0
        qp.setPen(QPen(QColor("#222"), 3.0))
        qp.drawLine(QPointF(x0, y0), QPointF(x0 + px, y0))
        qp.drawLine(QPointF(x0, y0 - 6), QPointF(x0, y0))
        qp.drawLine(QPointF(x0 + px, y0 - 6), QPointF(x0 + px, y0))
        label = f"{nice // 1000} km" if nice >= 1000 else f"{nice} m"
        qp.drawText(QRectF(x0, y0 - 24, px + 60, 18), Qt.AlignmentFlag.AlignLeft, label)

    def _north(self, qp: QPainter) -> None:
        x, y = self.width() - 26.0, 30.0
        qp.setPen(QPen(QColor("#222"), 2.0))
        qp.setBrush(QColor("#222"))
        qp.drawPolygon(
            QPolygonF([QPointF(x, y - 16), QPointF(x - 7, y + 2), QPointF(x + 7, y + 2)])
        )
        qp.drawText(QRectF(x - 10, y + 2, 20, 18), Qt.AlignmentFlag.AlignCenter, "N")
