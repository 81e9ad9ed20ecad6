"""Few, fixed-size markers: police stations, 1-minute points and incidents.

They are drawn at a constant pixel size whatever the zoom (a station must stay
findable when the whole district is shown), so ``paint`` maps each anchor to
device pixels and blits a pre-rendered pixmap there.  Their counts are in the
tens to hundreds, so a plain loop is fast enough.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt
import pyqtgraph as pg
from PySide6.QtCore import QPointF, QRectF
from PySide6.QtGui import QPainter, QPixmap
from PySide6.QtWidgets import QStyleOptionGraphicsItem, QWidget

F64 = npt.NDArray[np.float64]


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
        if self.x.size == 0:
            return
        tr = p.transform()
        p.resetTransform()
        ax, ay = self.anchor
        for i in self.order:
            pm = self.pixmaps.get(int(self.kind[i]))
            if pm is None or not np.isfinite(self.x[i]):
                continue
            pt = tr.map(QPointF(float(self.x[i]), float(self.y[i])))
            w = pm.width() / pm.devicePixelRatio()
            h = pm.height() / pm.devicePixelRatio()
            p.drawPixmap(QPointF(pt.x() - ax * w, pt.y() - ay * h), pm)
