"""Text on the map: station and point names, area codes, road names, call signs.

Labels are drawn in screen pixels on top of everything, in priority order
(stations first, call signs last), each only from its zoom level on and never
over an earlier label: a coarse occupancy grid of 8-pixel cells keeps the
overlap test cheap enough for hundreds of labels per frame.  Nor do they go
under the widgets floating over the map (legend, title, scale bar), and the
low-priority groups (road names, call signs) also keep off the symbols of
units, incidents and stations: a call sign must never hide another unit.
"""

from __future__ import annotations

import bisect
import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt
import pyqtgraph as pg
from PySide6.QtCore import QRectF, Qt
from PySide6.QtGui import QBrush, QColor, QFont, QFontMetricsF, QPainter, QPen
from PySide6.QtWidgets import QStyleOptionGraphicsItem, QWidget

F64 = npt.NDArray[np.float64]
LabelSource = Callable[[], tuple[F64, F64, list[str]]]
# symbols labels keep clear of: plane x, y and the box around each anchor in pixels
# (left, top, right, bottom offsets), e.g. (-7, -7, 7, 7) for a centred 14-px symbol
Obstacles = Callable[[], list[tuple[F64, F64, tuple[float, float, float, float]]]]
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
    avoid_symbols: bool = False  # keep off unit, incident and station symbols
    # other offsets tried when blocked; for a left-aligned group a negative x puts the
    # text's *end* there (the label goes to the left of its symbol)
    alternatives: tuple[tuple[float, float], ...] = ()


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
        self.reserved: Callable[[], list[QRectF]] = list  # viewport rects covered by widgets
        self.obstacles: Obstacles = list

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
        for r in self.reserved():
            occupied |= _cells(r)
        symbols: SymbolIndex | None = None
        self.drawn = {}
        for g in self.groups:
            if ppm < g.min_ppm or ppm > g.max_ppm or not g.enabled():
                continue
            if g.avoid_symbols and symbols is None:
                symbols = SymbolIndex.build(self.obstacles(), tr, w, h)
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
                for ox, oy in (g.offset, *g.alternatives):
                    if g.centred:
                        left = dx[i] + ox - tw / 2
                    elif ox < 0:  # left of the anchor: the text ends there
                        left = dx[i] + ox - tw
                    else:
                        left = dx[i] + ox
                    top = dy[i] + oy - th / 2
                    rect = QRectF(left - 2, top, tw + 4, th)
                    cells = _cells(rect)
                    if not cells.isdisjoint(occupied):
                        continue
                    if g.avoid_symbols and symbols and symbols.hits(rect, dx[i], dy[i]):
                        continue
                    break
                else:
                    continue  # no room at any of the places tried
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


def _cells(rect: QRectF) -> set[tuple[int, int]]:
    """The 8-pixel grid cells a rectangle touches."""
    return {
        (cx, cy)
        for cx in range(int(rect.left() // CELL_PX), int(rect.right() // CELL_PX) + 1)
        for cy in range(int(rect.top() // CELL_PX), int(rect.bottom() // CELL_PX) + 1)
    }


class SymbolIndex:
    """Symbol boxes in viewport pixels, sorted by left edge: a label's test is a bisection
    plus a look at the few boxes that start within reach of it (plain Python: for the
    handful of candidates per label that beats numpy's per-call overhead)."""

    def __init__(self, ax: F64, ay: F64, boxes: F64) -> None:
        order = np.argsort(boxes[:, 0], kind="stable")
        rows = np.column_stack([boxes[order], ax[order], ay[order]])
        self.rows: list[tuple[float, float, float, float, float, float]] = [
            (r[0], r[1], r[2], r[3], r[4], r[5]) for r in rows.tolist()
        ]
        self.left = [r[0] for r in self.rows]
        self.max_w = float((boxes[:, 2] - boxes[:, 0]).max()) if boxes.size else 0.0

    @classmethod
    def build(
        cls,
        obstacles: list[tuple[F64, F64, tuple[float, float, float, float]]],
        tr: Any,
        w: int,
        h: int,
    ) -> SymbolIndex:
        """The visible symbols of ``obstacles`` under the painter transform ``tr``."""
        axs: list[F64] = []
        ays: list[F64] = []
        boxes: list[F64] = []
        for x, y, (l_, t_, r_, b_) in obstacles:
            if x.size == 0:
                continue
            dx = tr.m11() * x + tr.m21() * y + tr.m31()
            dy = tr.m12() * x + tr.m22() * y + tr.m32()
            vis = (dx > -30) & (dx < w + 30) & (dy > -30) & (dy < h + 30)
            dx, dy = dx[vis], dy[vis]
            axs.append(dx)
            ays.append(dy)
            boxes.append(np.column_stack([dx + l_, dy + t_, dx + r_, dy + b_]))
        if not boxes:
            return cls(np.zeros(0), np.zeros(0), np.zeros((0, 4)))
        return cls(np.concatenate(axs), np.concatenate(ays), np.concatenate(boxes))

    def __len__(self) -> int:
        return len(self.rows)

    def hits(self, rect: QRectF, ax: float, ay: float) -> bool:
        """Whether ``rect`` covers a symbol other than the one at its own anchor (ax, ay)."""
        left, right, top, bottom = rect.left(), rect.right(), rect.top(), rect.bottom()
        lo = bisect.bisect_left(self.left, left - self.max_w)
        hi = bisect.bisect_right(self.left, right)
        for x0, y0, x1, y1, ox, oy in self.rows[lo:hi]:
            if x0 < right and x1 > left and y0 < bottom and y1 > top:
                if abs(ox - ax) < 0.5 and abs(oy - ay) < 0.5:
                    continue  # the label's own symbol
                return True
        return False
