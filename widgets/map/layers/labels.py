"""Text on the map: station and point names, area codes, road names, call signs.

Labels are drawn in screen pixels on top of everything, in priority order
(stations first, call signs last), each only from its zoom level on and never
over an earlier label: a coarse occupancy grid of 8-pixel cells keeps the
overlap test cheap enough for hundreds of labels per frame.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
import pyqtgraph as pg
from PySide6.QtCore import QRectF, Qt
from PySide6.QtGui import QBrush, QColor, QFont, QFontMetricsF, QPainter, QPen
from PySide6.QtWidgets import QStyleOptionGraphicsItem, QWidget

F64 = npt.NDArray[np.float64]
LabelSource = Callable[[], tuple[F64, F64, list[str]]]
CELL_PX = 8


@dataclass
class LabelGroup:
    """One kind of label: where the texts come from and how they look."""

    key: str
    source: LabelSource
    enabled: Callable[[], bool]
    min_ppm: float
    max_count: int
    font: QFont
    colour: QColor
    offset: tuple[float, float] = (0.0, 0.0)  # pixels from the anchor to the text's left/centre
    centred: bool = False
    background: QColor | None = None
    max_ppm: float = math.inf


def make_font(px: int, bold: bool = False, italic: bool = False) -> QFont:
    """A label font of a fixed pixel size (independent of screen DPI)."""
    f = QFont()
    f.setPixelSize(px)
    f.setBold(bold)
    f.setItalic(italic)
    return f


class LabelsItem(pg.GraphicsObject):
    """Draws every enabled label group without overlaps, in screen pixels."""

    def __init__(self) -> None:
        super().__init__()
        self.groups: list[LabelGroup] = []
        self._bounds = QRectF()
        self.drawn: dict[str, int] = {}  # labels drawn per group in the last paint (tests, tuning)

    def set_bounds(self, rect: QRectF) -> None:
        """Extent of everything labelled (district plus margin)."""
        self.prepareGeometryChange()
        self._bounds = QRectF(rect)

    def boundingRect(self) -> QRectF:
        return self._bounds

    def paint(
        self, p: QPainter, opt: QStyleOptionGraphicsItem, widget: QWidget | None = None
    ) -> None:
        tr = p.transform()
        ppm = math.hypot(tr.m11(), tr.m12())
        vp = p.viewport()
        w, h = vp.width(), vp.height()
        p.resetTransform()
        p.setRenderHint(QPainter.RenderHint.Antialiasing, True)
        p.setRenderHint(QPainter.RenderHint.TextAntialiasing, True)
        occupied: set[tuple[int, int]] = set()
        self.drawn = {}
        for g in self.groups:
            if ppm < g.min_ppm or ppm > g.max_ppm or not g.enabled():
                continue
            x, y, texts = g.source()
            if x.size == 0:
                continue
            dx = tr.m11() * x + tr.m21() * y + tr.m31()
            dy = tr.m12() * x + tr.m22() * y + tr.m32()
            vis = np.flatnonzero((dx > -20) & (dx < w + 20) & (dy > -20) & (dy < h + 20))
            if vis.size == 0:
                continue
            fm = QFontMetricsF(g.font)
            th = fm.height()
            p.setFont(g.font)
            n = 0
            for i in vis:
                text = texts[i]
                if not text:
                    continue
                tw = fm.horizontalAdvance(text)
                left = dx[i] + g.offset[0] - (tw / 2 if g.centred else 0.0)
                top = dy[i] + g.offset[1] - th / 2
                rect = QRectF(left - 2, top, tw + 4, th)
                cells = {
                    (cx, cy)
                    for cx in range(int(rect.left() // CELL_PX), int(rect.right() // CELL_PX) + 1)
                    for cy in range(int(rect.top() // CELL_PX), int(rect.bottom() // CELL_PX) + 1)
                }
                if not cells.isdisjoint(occupied):
                    continue
                occupied |= cells
                if g.background is not None:
                    p.setPen(Qt.PenStyle.NoPen)
                    p.setBrush(QBrush(g.background))
                    p.drawRoundedRect(rect, 3, 3)
                p.setPen(QPen(g.colour))
                p.drawText(QRectF(left, top, tw + 1, th), Qt.AlignmentFlag.AlignLeft, text)
                n += 1
                if n >= g.max_count:
                    break
            self.drawn[g.key] = n
