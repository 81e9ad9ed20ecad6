"""The map legend: unit types, unit statuses, incident priorities, symbols, heat scale.

Every icon is drawn by the same renderer the map uses (``widgets.map.symbols``),
so the legend cannot drift from the map.  It sits over a map corner and folds
away to its title button; texts are re-read on a language switch.
"""

from __future__ import annotations

from PySide6.QtCore import QEvent, QPointF, QRectF, QSize, Qt
from PySide6.QtGui import QColor, QFont, QPainter, QPaintEvent, QPixmap
from PySide6.QtWidgets import (
    QFrame,
    QGridLayout,
    QLabel,
    QSizePolicy,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from console.config import Config
from widgets.i18n import is_chinese
from widgets.map import strings as s
from widgets.map import style as st
from widgets.map.layers.coverage import coverage_swatch
from widgets.map.layers.heat import heat_gradient
from widgets.map.symbols import (
    fixed_point_pixmap,
    incident_pixmap,
    paint_unit_symbol,
    station_pixmap,
)

ICON = 18

STATUS_ROWS: tuple[tuple[int, str], ...] = (
    (st.STYLE_AVAILABLE, s.STATUS["available"]),
    (st.STYLE_DISPATCHED, s.STATUS["dispatched"]),
    (st.STYLE_EN_ROUTE, s.STATUS["en_route"]),
    (st.STYLE_ON_SCENE, s.STATUS["on_scene"]),
    (st.STYLE_OFF_DUTY, s.STATUS["off_duty"]),
    (st.STYLE_STALE, s.STALE),
)


def unit_icon(colour: str, symbol: str, style: int, size: int = ICON) -> QPixmap:
    """A legend-sized unit symbol."""
    pm = QPixmap(size + 4, size + 4)
    pm.fill(Qt.GlobalColor.transparent)
    p = QPainter(pm)
    c = QPointF((size + 4) / 2, (size + 4) / 2)
    paint_unit_symbol(p, c, QColor(colour), symbol, style, size - 3)
    p.end()
    return pm


class HeatBar(QWidget):
    """A horizontal colour bar from 0 to the grid's maximum, labelled in calls/km²."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.vmax = 0.0
        self.setMinimumSize(QSize(150, 30))
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)

    def set_max(self, vmax: float) -> None:
        """New top of the scale."""
        self.vmax = vmax
        self.update()

    def paintEvent(self, event: QPaintEvent) -> None:
        p = QPainter(self)
        w = self.width() - 2
        bar = QRectF(1, 1, w, 12)
        checker = QColor("#dcdcdc")  # shows that the low end is see-through
        for i in range(0, int(w), 6):
            p.fillRect(QRectF(1 + i, 1 + (i // 6 % 2) * 6, 6, 6), checker)
        p.fillRect(bar, heat_gradient(bar.left(), 0, bar.right(), 0))
        p.setPen(QColor("#616161"))
        p.drawRect(bar)
        f = QFont(self.font())
        f.setPixelSize(11)
        p.setFont(f)
        p.setPen(QColor("#212121"))
        txt = QRectF(1, 14, w, 15)
        p.drawText(txt, Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter, "0")
        mid = self.vmax / 2
        for v, align in (
            (mid, Qt.AlignmentFlag.AlignHCenter),
            (self.vmax, Qt.AlignmentFlag.AlignRight),
        ):
            p.drawText(txt, align | Qt.AlignmentFlag.AlignVCenter, _num(v))
        p.end()


def _num(v: float) -> str:
    return f"{v:,.0f}" if v >= 10 else f"{v:.1f}"


class MapLegend(QFrame):
    """Collapsible legend panel for :class:`~widgets.map.view.MapView`."""

    def __init__(self, config: Config, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.config = config
        self.setObjectName("mapLegend")
        self.setStyleSheet(
            "#mapLegend { background: rgba(255,255,255,230); border: 1px solid #9e9e9e;"
            " border-radius: 4px; } #mapLegend QLabel { background: transparent; color: #212121; }"
        )
        outer = QVBoxLayout(self)
        outer.setContentsMargins(6, 2, 6, 6)
        outer.setSpacing(2)
        self.toggle = QToolButton(self)
        self.toggle.setCheckable(True)
        self.toggle.setChecked(True)
        self.toggle.setAutoRaise(True)
        self.toggle.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
        self.toggle.toggled.connect(self._on_toggle)
        outer.addWidget(self.toggle)
        self.body = QWidget(self)
        outer.addWidget(self.body)
        self.grid = QGridLayout(self.body)
        self.grid.setContentsMargins(0, 0, 0, 0)
        self.grid.setHorizontalSpacing(5)
        self.grid.setVerticalSpacing(0)
        self.heat_title = QLabel(self.body)
        self.heat_bar = HeatBar(self.body)
        self.coverage_icon = QLabel(self.body)
        self.coverage_icon.setPixmap(QPixmap.fromImage(coverage_swatch(ICON)))
        self.coverage_icon.setFixedSize(QSize(ICON + 4, ICON + 4))
        self.coverage_icon.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.coverage_label = QLabel(self.body)
        self.coverage_label.setWordWrap(True)
        self._coverage_args: tuple[float, str] | None = None
        self._texts: list[tuple[QLabel, str]] = []
        self._type_labels: list[tuple[QLabel, str]] = []
        self._build()
        self.retranslate()

    def _label(self, row: int, col: int, source: str, bold: bool = False, span: int = 1) -> QLabel:
        lab = QLabel(self.body)
        if bold:
            f = lab.font()
            f.setBold(True)
            lab.setFont(f)
        self.grid.addWidget(lab, row, col, 1, span)
        if source:
            self._texts.append((lab, source))
        return lab

    def _icon(self, row: int, col: int, pm: QPixmap) -> None:
        ic = QLabel(self.body)
        ic.setPixmap(pm)
        ic.setFixedSize(QSize(ICON + 4, ICON + 4))
        ic.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.grid.addWidget(ic, row, col)

    def _build(self) -> None:
        self._label(0, 0, s.UNIT_TYPES, bold=True, span=2)
        row = 1
        for key, ut in self.config.unit_types.items():
            self._icon(row, 0, unit_icon(ut.colour, ut.symbol, st.STYLE_AVAILABLE))
            self._type_labels.append((self._label(row, 1, ""), key))
            row += 1
        self._icon(row, 0, station_pixmap(size=ICON))
        self._label(row, 1, s.POLICE_STATION)
        row += 1
        self._icon(row, 0, fixed_point_pixmap(size=ICON - 2))
        self._label(row, 1, s.FIXED_POINT)
        left = row + 1
        self._label(0, 2, s.UNIT_STATUS, bold=True, span=2)
        row = 1
        for style, src in STATUS_ROWS:
            self._icon(row, 2, unit_icon("#1565c0", "circle", style))
            self._label(row, 3, src)
            row += 1
        self._label(row, 2, s.INCIDENT_PRIORITY, bold=True, span=2)
        row += 1
        for prio in (1, 2, 3, 4):
            self._icon(row, 2, incident_pixmap(prio, size=ICON + 2))
            self._label(row, 3, s.PRIORITY[prio])
            row += 1
        row = max(row, left)
        self.grid.addWidget(self.heat_title, row, 0, 1, 4)
        self.grid.addWidget(self.heat_bar, row + 1, 0, 1, 4)
        self.grid.addWidget(self.coverage_icon, row + 2, 0)
        self.grid.addWidget(self.coverage_label, row + 2, 1, 1, 3)
        self.coverage_icon.hide()
        self.coverage_label.hide()
        self.grid.setColumnMinimumWidth(1, 90)

    def retranslate(self) -> None:
        """Re-read every text (language switch)."""
        self.toggle.setText(s.tr(s.LEGEND))
        self.toggle.setArrowType(
            Qt.ArrowType.DownArrow if self.toggle.isChecked() else Qt.ArrowType.RightArrow
        )
        for lab, src in self._texts:
            lab.setText(s.tr(src))
        zh = is_chinese()
        for lab, key in self._type_labels:
            ut = self.config.unit_types[key]
            lab.setText(ut.name_zh if zh else ut.name_en)
        self.heat_title.setText(s.tr(s.HEAT_TITLE))
        if self._coverage_args is not None:
            minutes, key = self._coverage_args
            cut = self.config.unit_types.get(key)
            type_name = (cut.name_zh if zh else cut.name_en) if cut is not None else key
            self.coverage_label.setText(
                s.tr(s.COVERAGE_LEGEND, minutes=f"{minutes:g}", type=type_name)
            )
        self.adjustSize()

    def set_heat_max(self, vmax: float) -> None:
        """Top of the heat colour scale (calls/km²)."""
        self.heat_bar.set_max(vmax)

    def set_heat_shown(self, shown: bool) -> None:
        """Hide the heat scale while the heat layer is off or empty."""
        self.heat_bar.setVisible(shown)
        self.heat_title.setVisible(shown)
        self.adjustSize()

    def set_coverage_shown(self, shown: bool, minutes: float = 0, unit_type: str = "") -> None:
        """Show the coverage-gap swatch for a force type and its standard (hidden when off)."""
        self._coverage_args = (minutes, unit_type) if shown else None
        self.coverage_icon.setVisible(shown)
        self.coverage_label.setVisible(shown)
        self.retranslate()

    def _on_toggle(self, open_: bool) -> None:
        self.body.setVisible(open_)
        self.retranslate()

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate()
        super().changeEvent(event)
