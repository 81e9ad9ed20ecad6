"""The district's streets on the terminal's map, drawn from the cached district map.

Built once per map and plane origin (the scene of the card shown): the segments
go into one :class:`QPainterPath` per road class and square cell of ``CELL_M``
metres, in metres east/north of the origin.  A paint only picks the cells the
view touches and draws their paths through the view's transform with cosmetic
pens (widths in pixels, as the card's street patch), so a new fix every second
costs a transform, not a rebuild.
"""

from __future__ import annotations

import math

import numpy as np
from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QColor, QFont, QFontMetricsF, QPainter, QPainterPath, QPen, QTransform

from console.link.card_geo import to_metres
from console.link.district_map import DistrictMap

CELL_M = 400.0
LABELS_SHOWN = 30


class StreetLayer:
    """One district map in one plane (metres from ``lon0``, ``lat0``)."""

    def __init__(self, dm: DistrictMap, lon0: float, lat0: float) -> None:
        self.map = dm
        self.origin = (lon0, lat0)
        ll = dm.segments_lonlat()
        cls = dm.classes()
        x0, y0 = to_metres(ll[:, 0], ll[:, 1], lon0, lat0)
        x1, y1 = to_metres(ll[:, 2], ll[:, 3], lon0, lat0)
        length = np.hypot(x1 - x0, y1 - y0)
        self.reach = float(min(length.max() / 2, 5_000.0)) if len(length) else 0.0
        """How far a segment reaches out of the cell of its midpoint (metres)."""
        cx = np.floor((x0 + x1) / 2 / CELL_M).astype(np.int64)
        cy = np.floor((y0 + y1) / 2 / CELL_M).astype(np.int64)
        self.classes = sorted({int(c) for c in cls.tolist()}, reverse=True)
        self.cells: dict[tuple[int, int], list[tuple[int, QPainterPath]]] = {}
        order = np.lexsort((cls, cy, cx))
        seg = np.column_stack([x0, y0, x1, y1])
        keys = np.column_stack([cx, cy, cls.astype(np.int64)])[order]
        cuts = np.flatnonzero(np.any(np.diff(keys, axis=0) != 0, axis=1)) + 1
        for run in np.split(order, cuts):
            if not run.size:
                continue
            k = int(run[0])
            path = QPainterPath()
            for a, b, c, d in seg[run].tolist():
                path.moveTo(a, b)
                path.lineTo(c, d)
            self.cells.setdefault((int(cx[k]), int(cy[k])), []).append((int(cls[k]), path))
        lab = dm.labels
        self.label_names = [n for n, _, _ in lab]
        if lab:
            lx, ly = to_metres(
                np.array([q[1] for q in lab]), np.array([q[2] for q in lab]), lon0, lat0
            )
        else:
            lx = ly = np.zeros(0)
        self.label_xy = np.column_stack([lx, ly])

    def visible(self, view: QRectF) -> list[tuple[int, QPainterPath]]:
        """The (class, path) pieces whose cells the view (metres) may show."""
        pad = self.reach
        i0 = math.floor((view.left() - pad) / CELL_M)
        i1 = math.floor((view.right() + pad) / CELL_M)
        j0 = math.floor((view.top() - pad) / CELL_M)
        j1 = math.floor((view.bottom() + pad) / CELL_M)
        out: list[tuple[int, QPainterPath]] = []
        if (i1 - i0 + 1) * (j1 - j0 + 1) > 4 * len(self.cells):  # zoomed far out: all of it
            for pieces in self.cells.values():
                out.extend(pieces)
            return out
        for i in range(i0, i1 + 1):
            for j in range(j0, j1 + 1):
                out.extend(self.cells.get((i, j), ()))
        return out

    def draw(
        self,
        qp: QPainter,
        world: QTransform,
        view: QRectF,
        scale: float,
        widths: dict[int, float],
        casing: QColor,
        fill: QColor,
    ) -> int:
        """Casings, then fills, minor roads first; returns the paths drawn (for tests)."""
        pieces = self.visible(view)
        qp.save()
        qp.setTransform(world)
        qp.setBrush(Qt.BrushStyle.NoBrush)
        shrink = 1.0 if scale > 0.4 else 0.6
        for is_casing in (True, False):
            for cls in self.classes:
                width = widths.get(cls, 3.0) * shrink + (2.5 if is_casing else 0.0)
                pen = QPen(casing if is_casing else fill, width)
                pen.setCosmetic(True)
                pen.setCapStyle(Qt.PenCapStyle.RoundCap)
                qp.setPen(pen)
                for c, path in pieces:
                    if c == cls:
                        qp.drawPath(path)
        qp.restore()
        return len(pieces)

    def labels(self, qp: QPainter, world: QTransform, view: QRectF, font: QFont) -> int:
        """Street names in view, longest streets first, never on top of each other."""
        if not len(self.label_xy):
            return 0
        xy = self.label_xy
        inside = np.flatnonzero(
            (xy[:, 0] >= view.left())
            & (xy[:, 0] <= view.right())
            & (xy[:, 1] >= view.top())
            & (xy[:, 1] <= view.bottom())
        )
        qp.setFont(font)
        qp.setPen(QColor("#5f6368"))
        fm = QFontMetricsF(font)
        taken: list[QRectF] = []
        names: set[str] = set()
        for k in inside.tolist():
            name = self.label_names[k]
            if name in names:
                continue
            pt = world.map(QPointF(float(xy[k, 0]), float(xy[k, 1])))
            w = fm.horizontalAdvance(name) + 6
            box = QRectF(pt.x() - w / 2, pt.y() - 10, w, 20)
            if any(box.intersects(t) for t in taken):
                continue
            taken.append(box)
            names.add(name)
            qp.drawText(box, Qt.AlignmentFlag.AlignCenter, name)
            if len(taken) >= LABELS_SHOWN:
                break
        return len(taken)
