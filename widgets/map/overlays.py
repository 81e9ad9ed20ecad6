"""Widgets floating over the map: the district title and the scale bar."""

from __future__ import annotations

import math

from PySide6.QtCore import QRectF, QSize, Qt
from PySide6.QtGui import QColor, QFont, QPainter, QPaintEvent, QPen
from PySide6.QtWidgets import QLabel, QWidget

from widgets.map import strings as s


class TitleLabel(QLabel):
    """District name in the top-left corner, marked when the geometry is approximate."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setAttribute(Qt.WidgetAttribute.WA_TransparentForMouseEvents, True)
        self.setStyleSheet(
            "QLabel { background: rgba(255,255,255,215); color: #263238; border: 1px solid #b0bec5;"
            " border-radius: 3px; padding: 2px 6px; }"
        )
        f = self.font()
        f.setPixelSize(15)
        f.setBold(True)
        self.setFont(f)
        self.name = ""
        self.approximate = False
        self.retranslate()

    def set_district(self, name: str, approximate: bool) -> None:
        """Show a district name; ``approximate`` adds the "(approximate)" mark."""
        self.name = name
        self.approximate = approximate
        self.retranslate()

    def retranslate(self) -> None:
        """Re-read the texts (language switch)."""
        if not self.name:
            self.setText(s.tr(s.NO_DISTRICT))
        elif self.approximate:
            self.setText(s.tr(s.APPROXIMATE, name=self.name))
        else:
            self.setText(self.name)
        self.adjustSize()


def nice_length(max_m: float) -> float:
    """The largest 1/2/5 x 10^k metres not above ``max_m``."""
    if not math.isfinite(max_m) or max_m <= 0:
        return 0.0
    k = math.floor(math.log10(max_m))
    for m in (5.0, 2.0, 1.0):
        if m * 10**k <= max_m:
            return m * 10**k
    return 10.0 ** (k - 1) * 5


class ScaleBar(QWidget):
    """A 1/2/5-rounded scale bar of at most ``max_px`` pixels."""

    def __init__(self, parent: QWidget | None = None, max_px: int = 120) -> None:
        super().__init__(parent)
        self.setAttribute(Qt.WidgetAttribute.WA_TransparentForMouseEvents, True)
        self.max_px = max_px
        self.m_per_px = 0.0
        self.setFixedSize(QSize(max_px + 16, 30))

    def set_scale(self, m_per_px: float) -> None:
        """Metres per screen pixel at the current zoom."""
        if m_per_px != self.m_per_px:
            self.m_per_px = m_per_px
            self.update()

    def text(self) -> str:
        """The bar's label, e.g. "500 m"."""
        length = nice_length(self.max_px * self.m_per_px)
        if length <= 0:
            return ""
        if length >= 1000:
            km = length / 1000
            return s.tr(s.KILOMETRES, n=f"{km:g}")
        return s.tr(s.METRES, n=f"{length:g}")

    def paintEvent(self, event: QPaintEvent) -> None:
        length = nice_length(self.max_px * self.m_per_px)
        if length <= 0:
            return
        px = length / self.m_per_px
        p = QPainter(self)
        p.setRenderHint(QPainter.RenderHint.Antialiasing, True)
        p.fillRect(QRectF(0, 0, px + 16, 30), QColor(255, 255, 255, 190))
        p.setPen(QPen(QColor("#263238"), 2))
        y = 24.0
        p.drawLine(8, int(y), int(8 + px), int(y))
        p.drawLine(8, int(y - 5), 8, int(y))
        p.drawLine(int(8 + px), int(y - 5), int(8 + px), int(y))
        f = QFont(self.font())
        f.setPixelSize(11)
        p.setFont(f)
        p.drawText(QRectF(8, 2, px, 16), Qt.AlignmentFlag.AlignCenter, self.text())
        p.end()
