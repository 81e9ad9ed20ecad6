"""Pre-rendered marker pixmaps: unit symbols by (type, style), incidents, stations.

Drawing 20,000 vector symbols per frame is slow; blitting small pixmaps from
one atlas with a single ``drawPixmapFragments`` call is not.  The same
renderers draw the legend, so map and legend can never disagree.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np
import numpy.typing as npt
from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QBrush, QColor, QFont, QPainter, QPainterPath, QPen, QPixmap, QPolygonF

from widgets.map import style as st

SYMBOLS = ("circle", "square", "triangle", "diamond", "star", "cross")


def symbol_path(symbol: str, size: float) -> QPainterPath:
    """Outline of a unit shape centred on (0, 0) fitting a ``size`` box; unknown -> circle."""
    r = size / 2.0
    path = QPainterPath()
    if symbol == "square":
        a = r * 0.86
        path.addRect(QRectF(-a, -a, 2 * a, 2 * a))
    elif symbol == "triangle":
        path.addPolygon(QPolygonF([QPointF(0, -r), QPointF(r, r * 0.8), QPointF(-r, r * 0.8)]))
        path.closeSubpath()
    elif symbol == "diamond":
        path.addPolygon(QPolygonF([QPointF(0, -r), QPointF(r, 0), QPointF(0, r), QPointF(-r, 0)]))
        path.closeSubpath()
    elif symbol == "star":
        pts = []
        for k in range(10):
            rad = r if k % 2 == 0 else r * 0.45
            ang = -math.pi / 2 + k * math.pi / 5
            pts.append(QPointF(rad * math.cos(ang), rad * math.sin(ang)))
        path.addPolygon(QPolygonF(pts))
        path.closeSubpath()
    elif symbol == "cross":
        w = r * 0.38
        path.addRect(QRectF(-r, -w, 2 * r, 2 * w))
        path.addRect(QRectF(-w, -r, 2 * w, 2 * r))
        path = path.simplified()
    else:
        path.addEllipse(QPointF(0, 0), r * 0.92, r * 0.92)
    return path


def paint_unit_symbol(
    p: QPainter, centre: QPointF, colour: QColor, symbol: str, style: int, size: float
) -> None:
    """Draw one unit symbol; the status shows in fill and outline, the type in shape and colour."""
    path = symbol_path(symbol, size).translated(centre)
    p.setRenderHint(QPainter.RenderHint.Antialiasing, True)
    if style == st.STYLE_AVAILABLE:  # filled, thin white rim for contrast on any background
        p.setPen(QPen(QColor("white"), 1.2))
        p.setBrush(QBrush(colour))
        p.drawPath(path)
    elif style in (st.STYLE_EN_ROUTE, st.STYLE_DISPATCHED):  # ring: coloured outline, pale inside
        p.setPen(QPen(QColor("white"), 4.2))
        p.setBrush(Qt.BrushStyle.NoBrush)
        p.drawPath(path)
        p.setPen(QPen(colour, 2.6))
        p.setBrush(QBrush(QColor(255, 255, 255, 200)))
        p.drawPath(path)
        if style == st.STYLE_DISPATCHED:  # order sent, not moving yet: ring with a dot
            p.setPen(Qt.PenStyle.NoPen)
            p.setBrush(QBrush(colour))
            p.drawEllipse(centre, size * 0.14, size * 0.14)
    elif style == st.STYLE_ON_SCENE:  # filled with a heavy dark outline
        p.setPen(QPen(st.ON_SCENE_OUTLINE, 2.4))
        p.setBrush(QBrush(colour))
        p.drawPath(path)
    elif style == st.STYLE_OFF_DUTY:
        p.setPen(QPen(QColor("#757575"), 1.0))
        p.setBrush(QBrush(st.OFF_DUTY_GREY))
        p.drawPath(path)
    else:  # stale fix: hollow, grey, dashed -- "we do not know where this unit is"
        pen = QPen(st.STALE_GREY, 1.6, Qt.PenStyle.DashLine)
        p.setPen(pen)
        p.setBrush(QBrush(QColor(255, 255, 255, 150)))
        p.drawPath(path)


class UnitAtlas:
    """One pixmap holding every (unit type, style) symbol; rows = types, columns = styles."""

    def __init__(
        self, types: Sequence[tuple[str, str]], size: int = st.UNIT_SYMBOL_PX, dpr: float = 1.0
    ) -> None:
        """``types``: (colour, symbol) per type index; the last may be the unknown-type fallback."""
        self.size = size
        self.dpr = dpr
        self.cell = math.ceil((size + 6) * dpr)
        n_t = max(1, len(types))
        pm = QPixmap(self.cell * st.N_STYLES, self.cell * n_t)
        pm.fill(Qt.GlobalColor.transparent)
        p = QPainter(pm)
        for ti, (colour, symbol) in enumerate(types):
            for si in range(st.N_STYLES):
                c = QPointF((si + 0.5) * self.cell, (ti + 0.5) * self.cell)
                p.save()
                p.translate(c)
                p.scale(dpr, dpr)
                paint_unit_symbol(p, QPointF(0, 0), QColor(colour), symbol, si, size)
                p.restore()
        p.end()
        self.pixmap = pm
        # source rect (sx, sy, sw, sh) per atlas index ti * N_STYLES + si
        idx = np.arange(n_t * st.N_STYLES)
        self.source_rects: npt.NDArray[np.float64] = np.stack(
            [
                (idx % st.N_STYLES) * self.cell,
                (idx // st.N_STYLES) * self.cell,
                np.full(idx.size, self.cell),
                np.full(idx.size, self.cell),
            ],
            axis=1,
        ).astype(np.float64)


def unit_icon(colour: str, symbol: str, style: int, size: int = 18) -> QPixmap:
    """A legend-sized unit symbol (``size`` plus a 2-px margin on each side)."""
    pm = QPixmap(size + 4, size + 4)
    pm.fill(Qt.GlobalColor.transparent)
    p = QPainter(pm)
    c = QPointF((size + 4) / 2, (size + 4) / 2)
    paint_unit_symbol(p, c, QColor(colour), symbol, style, size - 3)
    p.end()
    return pm


def incident_pixmap(priority: int, dpr: float = 1.0, size: int = st.INCIDENT_PX) -> QPixmap:
    """A map pin in the priority colour with a white "!": unlike any unit shape."""
    colour = st.PRIORITY_COLOURS.get(priority, QColor("#757575"))
    pm = QPixmap(int(size * dpr), int(size * dpr))
    pm.setDevicePixelRatio(dpr)
    pm.fill(Qt.GlobalColor.transparent)
    p = QPainter(pm)
    p.setRenderHint(QPainter.RenderHint.Antialiasing, True)
    s = float(size)
    r = s * 0.34
    cx, cy = s / 2, r + 1.5
    pin = QPainterPath()
    pin.moveTo(cx, s - 1.0)
    pin.arcTo(QRectF(cx - r, cy - r, 2 * r, 2 * r), 240, -300)
    pin.closeSubpath()
    p.setPen(QPen(QColor("#212121"), 1.6))
    p.setBrush(QBrush(colour))
    p.drawPath(pin)
    p.setPen(QPen(QColor("#212121") if priority == 3 else QColor("white"), 1))
    f = QFont()
    f.setBold(True)
    f.setPixelSize(int(r * 1.5))
    p.setFont(f)
    p.drawText(QRectF(cx - r, cy - r, 2 * r, 2 * r), Qt.AlignmentFlag.AlignCenter, "!")
    p.end()
    return pm


def station_pixmap(dpr: float = 1.0, size: int = 20) -> QPixmap:
    """Police station: a dark-blue shield with a white bar."""
    pm = QPixmap(int(size * dpr), int(size * dpr))
    pm.setDevicePixelRatio(dpr)
    pm.fill(Qt.GlobalColor.transparent)
    p = QPainter(pm)
    p.setRenderHint(QPainter.RenderHint.Antialiasing, True)
    s = float(size)
    shield = QPainterPath()
    shield.moveTo(s * 0.5, 1)
    shield.lineTo(s - 2, s * 0.2)
    shield.cubicTo(s - 2, s * 0.62, s * 0.75, s * 0.85, s * 0.5, s - 1)
    shield.cubicTo(s * 0.25, s * 0.85, 2, s * 0.62, 2, s * 0.2)
    shield.closeSubpath()
    p.setPen(QPen(QColor("white"), 1.4))
    p.setBrush(QBrush(st.STATION_COLOUR))
    p.drawPath(shield)
    p.setPen(Qt.PenStyle.NoPen)
    p.setBrush(QBrush(QColor("white")))
    p.drawRect(QRectF(s * 0.3, s * 0.38, s * 0.4, s * 0.14))
    p.end()
    return pm


def fixed_point_pixmap(dpr: float = 1.0, size: int = 18) -> QPixmap:
    """A "1-minute" point: a red target (two rings and a dot)."""
    pm = QPixmap(int(size * dpr), int(size * dpr))
    pm.setDevicePixelRatio(dpr)
    pm.fill(Qt.GlobalColor.transparent)
    p = QPainter(pm)
    p.setRenderHint(QPainter.RenderHint.Antialiasing, True)
    c = QPointF(size / 2, size / 2)
    p.setBrush(QBrush(QColor(255, 255, 255, 220)))
    p.setPen(QPen(st.FIXED_POINT_COLOUR, 2.0))
    p.drawEllipse(c, size / 2 - 1.5, size / 2 - 1.5)
    p.setBrush(Qt.BrushStyle.NoBrush)
    p.drawEllipse(c, size / 4, size / 4)
    p.setPen(Qt.PenStyle.NoPen)
    p.setBrush(QBrush(st.FIXED_POINT_COLOUR))
    p.drawEllipse(c, 1.8, 1.8)
    p.end()
    return pm
