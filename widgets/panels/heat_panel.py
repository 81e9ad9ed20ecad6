"""Filters of the 110 heatmap: time window, incident types and hours of the day.

The panel only builds a ``GetHeat`` command and shows its answer; the hub
bins and smooths the calls on its own thread, so changing a filter never
stalls the map.  Changes are debounced (an operator ticking five types sends
one request) and a reply to an older request is dropped.  Hours are Shanghai
local time, as the hub counts them.
"""

from __future__ import annotations

import time
from collections.abc import Callable

from PySide6.QtCore import QDateTime, QEvent, Qt, QTimer, QTimeZone, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QDateTimeEdit,
    QFormLayout,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from console.config import Config
from console.heat import HeatGrid, heat_grid_from_result
from console.hub.messages import GetHeat, Reply
from widgets.bridge import HubBridge
from widgets.i18n import is_chinese
from widgets.map import MapView

DAY = 86400
WINDOWS_S: tuple[int, ...] = (DAY, 7 * DAY, 30 * DAY, 90 * DAY)
CUSTOM = -1
DEFAULT_WINDOW_S = 30 * DAY
DEBOUNCE_MS = 350
SHANGHAI = QTimeZone(b"Asia/Shanghai")
DAY_HOURS = tuple(range(7, 19))
NIGHT_HOURS = tuple(h for h in range(24) if h not in DAY_HOURS)


grid_from_result = heat_grid_from_result  # the name this panel's callers know


class HeatPanel(QWidget):
    """Time window, incident types and hours for the heat layer; asks the hub for the grid."""

    heatLoaded = Signal(object)  # HeatGrid, after the map shows it
    requested = Signal(object)  # the GetHeat just sent

    def __init__(
        self,
        config: Config,
        bridge: HubBridge,
        map_view: MapView,
        clock: Callable[[], float] = time.time,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.config = config
        self.bridge = bridge
        self.map = map_view
        self.clock = clock
        self.last_command: GetHeat | None = None
        self.grid: HeatGrid | None = None
        self.requests = 0
        self._token = 0
        self._state = ""  # "", "loading", "error:<text>", "nothing:<kind>"

        # ---- time window
        self.window_group = QGroupBox(self)
        form = QFormLayout(self.window_group)
        self.window_box = QComboBox(self.window_group)
        for seconds in WINDOWS_S:
            self.window_box.addItem("", seconds)
        self.window_box.addItem("", CUSTOM)
        self.window_box.setCurrentIndex(self.window_box.findData(DEFAULT_WINDOW_S))
        now = QDateTime.fromSecsSinceEpoch(int(self.clock()), SHANGHAI)
        self.from_edit = self._dt_edit(now.addDays(-30))
        self.to_edit = self._dt_edit(now)
        self.window_label, self.from_label, self.to_label = QLabel(), QLabel(), QLabel()
        form.addRow(self.window_label, self.window_box)
        form.addRow(self.from_label, self.from_edit)
        form.addRow(self.to_label, self.to_edit)

        # ---- incident types
        self.types_group = QGroupBox(self)
        tl = QVBoxLayout(self.types_group)
        self.types_list = QListWidget(self.types_group)
        self.types_list.setObjectName("heatTypes")
        for key in config.incident_types:
            item = QListWidgetItem(self.types_list)
            item.setData(Qt.ItemDataRole.UserRole, key)
            item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
            item.setCheckState(Qt.CheckState.Checked)
        self.types_list.setMaximumHeight(170)
        self.all_types = QPushButton(self.types_group)
        self.no_types = QPushButton(self.types_group)
        row = QHBoxLayout()
        row.addWidget(self.all_types)
        row.addWidget(self.no_types)
        tl.addWidget(self.types_list)
        tl.addLayout(row)

        # ---- hours of day
        self.hours_group = QGroupBox(self)
        hl = QVBoxLayout(self.hours_group)
        grid = QGridLayout()
        grid.setSpacing(2)
        self.hour_buttons: list[QToolButton] = []
        for h in range(24):
            b = QToolButton(self.hours_group)
            b.setText(f"{h:02d}")
            b.setCheckable(True)
            b.setChecked(True)
            b.setAutoRaise(False)
            b.setMinimumWidth(28)
            grid.addWidget(b, h // 6, h % 6)
            self.hour_buttons.append(b)
        hl.addLayout(grid)
        presets = QHBoxLayout()
        self.all_hours = QPushButton(self.hours_group)
        self.day_hours = QPushButton(self.hours_group)
        self.night_hours = QPushButton(self.hours_group)
        for preset in (self.all_hours, self.day_hours, self.night_hours):
            presets.addWidget(preset)
        hl.addLayout(presets)

        self.info = QLabel(self)
        self.info.setWordWrap(True)
        lay = QVBoxLayout(self)
        lay.setContentsMargins(4, 4, 4, 4)
        lay.addWidget(self.window_group)
        lay.addWidget(self.types_group)
        lay.addWidget(self.hours_group)
        lay.addWidget(self.info)
        lay.addStretch(1)

        # ---- wiring: every change -> one debounced request
        self.debounce = QTimer(self)
        self.debounce.setSingleShot(True)
        self.debounce.setInterval(DEBOUNCE_MS)
        self.debounce.timeout.connect(self.request)
        self.window_box.currentIndexChanged.connect(self._on_window)
        self.from_edit.dateTimeChanged.connect(self._changed)
        self.to_edit.dateTimeChanged.connect(self._changed)
        self.types_list.itemChanged.connect(self._changed)
        for b in self.hour_buttons:
            b.toggled.connect(self._changed)
        self.all_types.clicked.connect(lambda: self.set_types(None))
        self.no_types.clicked.connect(lambda: self.set_types([]))
        self.all_hours.clicked.connect(lambda: self.set_hours(None))
        self.day_hours.clicked.connect(lambda: self.set_hours(list(DAY_HOURS)))
        self.night_hours.clicked.connect(lambda: self.set_hours(list(NIGHT_HOURS)))
        self._on_window()
        self.debounce.stop()  # the window asks for the default heat itself at start
        self.retranslateUi()

    def _dt_edit(self, value: QDateTime) -> QDateTimeEdit:
        e = QDateTimeEdit(self)
        e.setTimeZone(SHANGHAI)
        e.setDisplayFormat("yyyy-MM-dd HH:mm")
        e.setCalendarPopup(True)
        e.setDateTime(value)
        return e

    # ------------------------------------------------------------------ choices

    def window_s(self) -> int:
        """The chosen window in seconds, or ``CUSTOM`` (-1)."""
        return int(self.window_box.currentData())

    def set_window(self, seconds: int) -> None:
        """Choose one of ``WINDOWS_S`` or ``CUSTOM``."""
        i = self.window_box.findData(seconds)
        if i < 0:
            raise ValueError(f"heat window {seconds} s is not offered (offered: {WINDOWS_S})")
        self.window_box.setCurrentIndex(i)

    def set_custom_range(self, t0: float, t1: float) -> None:
        """Custom window from ``t0`` to ``t1`` (unix seconds)."""
        if not t1 > t0:
            raise ValueError(f"heat window: end {t1} must be after start {t0}")
        self.set_window(CUSTOM)
        self.from_edit.setDateTime(QDateTime.fromSecsSinceEpoch(int(t0), SHANGHAI))
        self.to_edit.setDateTime(QDateTime.fromSecsSinceEpoch(int(t1), SHANGHAI))

    def time_range(self) -> tuple[float, float]:
        """(t0, t1) in unix seconds for the current choice."""
        w = self.window_s()
        if w == CUSTOM:
            return (
                float(self.from_edit.dateTime().toSecsSinceEpoch()),
                float(self.to_edit.dateTime().toSecsSinceEpoch()),
            )
        t1 = float(self.clock())
        return t1 - w, t1

    def selected_types(self) -> list[str]:
        """Ticked incident type keys."""
        return [
            str(it.data(Qt.ItemDataRole.UserRole))
            for it in (self.types_list.item(i) for i in range(self.types_list.count()))
            if it.checkState() == Qt.CheckState.Checked
        ]

    def set_types(self, keys: list[str] | None) -> None:
        """Tick exactly ``keys`` (None: all).  Unknown keys raise ValueError."""
        known = set(self.config.incident_types)
        if keys is not None and set(keys) - known:
            raise ValueError(f"unknown incident type(s): {', '.join(sorted(set(keys) - known))}")
        self.types_list.blockSignals(True)
        for i in range(self.types_list.count()):
            it = self.types_list.item(i)
            on = keys is None or it.data(Qt.ItemDataRole.UserRole) in keys
            it.setCheckState(Qt.CheckState.Checked if on else Qt.CheckState.Unchecked)
        self.types_list.blockSignals(False)
        self._changed()

    def selected_hours(self) -> list[int]:
        """Ticked hours of the day (Shanghai time)."""
        return [h for h, b in enumerate(self.hour_buttons) if b.isChecked()]

    def set_hours(self, hours: list[int] | None) -> None:
        """Tick exactly ``hours`` (None: all 24).  Hours outside 0-23 raise ValueError."""
        if hours is not None and any(not 0 <= h <= 23 for h in hours):
            raise ValueError(f"hours of day must be 0-23, got {sorted(hours)}")
        for h, b in enumerate(self.hour_buttons):
            b.blockSignals(True)
            b.setChecked(hours is None or h in hours)
            b.blockSignals(False)
        self._changed()

    def command(self) -> GetHeat | None:
        """The GetHeat for the current choices; None when nothing could match."""
        types = self.selected_types()
        hours = self.selected_hours()
        t0, t1 = self.time_range()
        if not types:
            self._state = "nothing:types"
        elif not hours:
            self._state = "nothing:hours"
        elif t1 <= t0:
            self._state = "nothing:range"
        else:
            return GetHeat(
                t0=t0,
                t1=t1,
                types=None if len(types) == self.types_list.count() else types,
                hours=None if len(hours) == 24 else hours,
            )
        self._show_info()
        return None

    # ------------------------------------------------------------------ hub

    def request(self) -> None:
        """Send the current filter now (the debounce timer calls this)."""
        self.debounce.stop()
        cmd = self.command()
        if cmd is None:
            return
        self._token += 1
        token = self._token
        self.last_command = cmd
        self.requests += 1
        self._state = "loading"
        self._show_info()
        self.requested.emit(cmd)
        self.bridge.call(cmd, lambda r: self._on_reply(r, token), timeout_s=60.0)

    def _on_reply(self, reply: Reply, token: int) -> None:
        if token != self._token:
            return  # a newer filter is on its way
        if not reply.ok:
            self._state = f"error:{reply.error}"
            self._show_info()
            return
        try:
            grid = grid_from_result(reply.result)
        except ValueError as exc:
            self._state = f"error:{exc}"
            self._show_info()
            return
        self.grid = grid
        self._state = ""
        self.map.set_heat(grid)
        self._show_info()
        self.heatLoaded.emit(grid)

    def show_grid(self, grid: HeatGrid) -> None:
        """A grid fetched elsewhere (the window's start-up request): show its figures."""
        self.grid = grid
        self._state = ""
        self._show_info()

    # ------------------------------------------------------------------ texts

    def _on_window(self, *_: object) -> None:
        custom = self.window_s() == CUSTOM
        self.from_edit.setEnabled(custom)
        self.to_edit.setEnabled(custom)
        self._changed()

    def _changed(self, *_: object) -> None:
        self.debounce.start()

    def _show_info(self) -> None:
        st = self._state
        if st == "loading":
            text = self.tr("Computing…")
        elif st.startswith("error:"):
            text = self.tr("Heatmap unavailable: %1").replace("%1", st[6:])
        elif st == "nothing:types":
            text = self.tr("Tick at least one incident type.")
        elif st == "nothing:hours":
            text = self.tr("Tick at least one hour of the day.")
        elif st == "nothing:range":
            text = self.tr("The end of the window must be after its start.")
        elif self.grid is not None:
            calls = self.tr("%1 calls match").replace("%1", f"{self.grid.n_calls:,}")
            peak = self.tr("peak %1 per km²").replace("%1", f"{self.grid.max:,.0f}")
            text = f"{calls} · {peak}"
        else:
            text = ""
        self.info.setText(text)

    def retranslateUi(self) -> None:
        """Re-read every text (on LanguageChange)."""
        self.window_group.setTitle(self.tr("Time window"))
        self.window_label.setText(self.tr("Window"))
        self.from_label.setText(self.tr("From"))
        self.to_label.setText(self.tr("To"))
        names = (
            self.tr("Last 24 hours"),
            self.tr("Last 7 days"),
            self.tr("Last 30 days"),
            self.tr("Last 90 days"),
            self.tr("Custom…"),
        )
        for i, name in enumerate(names):
            self.window_box.setItemText(i, name)
        self.types_group.setTitle(self.tr("Incident types"))
        zh = is_chinese()
        for i in range(self.types_list.count()):
            it = self.types_list.item(i)
            t = self.config.incident_types[str(it.data(Qt.ItemDataRole.UserRole))]
            it.setText(t.name_zh if zh else t.name_en)
        self.all_types.setText(self.tr("All"))
        self.no_types.setText(self.tr("None"))
        self.hours_group.setTitle(self.tr("Hours of the day (Shanghai time)"))
        self.all_hours.setText(self.tr("All day"))
        self.day_hours.setText(self.tr("Day 07–19"))
        self.night_hours.setText(self.tr("Night 19–07"))
        self._show_info()

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslateUi()
        super().changeEvent(event)
