"""Filters of the 110 heatmap: time window, incident types, hours of the day, weekdays and
the smoothing bandwidth.

The panel only builds a ``GetHeat`` command and shows its answer; the hub
bins and smooths the calls on its heat worker, so changing a filter never
stalls the map.  Changes are debounced (an operator ticking five types sends
one request; the smoothing slider redraws while it moves) and a reply to an
older request is dropped.  Hours and weekdays are the district's local time,
as the hub counts them.  The hot-spot dock reads the same filter.
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
    QSlider,
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
SLIDER_DEBOUNCE_MS = 90  # the smoothing slider: redraw while it moves
BANDWIDTHS_M = (40, 600, 10)  # slider minimum, maximum, step
DEFAULT_BANDWIDTH_M = 120
WORK_DAYS = tuple(range(5))
WEEKEND = (5, 6)
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
        self.zone = SHANGHAI  # the district's zone once it is known (set_time_zone)
        now = QDateTime.fromSecsSinceEpoch(int(self.clock()), self.zone)
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

        # ---- weekdays (0 = Monday) and smoothing
        self.days_group = QGroupBox(self)
        dl = QVBoxLayout(self.days_group)
        days = QHBoxLayout()
        days.setSpacing(2)
        self.day_buttons: list[QToolButton] = []
        for _ in range(7):
            b = QToolButton(self.days_group)
            b.setCheckable(True)
            b.setChecked(True)
            b.setMinimumWidth(34)
            days.addWidget(b)
            self.day_buttons.append(b)
        dl.addLayout(days)
        day_presets = QHBoxLayout()
        self.all_days = QPushButton(self.days_group)
        self.work_days = QPushButton(self.days_group)
        self.weekend_days = QPushButton(self.days_group)
        for preset in (self.all_days, self.work_days, self.weekend_days):
            day_presets.addWidget(preset)
        dl.addLayout(day_presets)
        smooth = QHBoxLayout()
        self.bandwidth_label = QLabel(self.days_group)
        self.bandwidth_slider = QSlider(Qt.Orientation.Horizontal, self.days_group)
        self.bandwidth_slider.setObjectName("heatBandwidth")
        lo, hi, step = BANDWIDTHS_M
        self.bandwidth_slider.setRange(lo, hi)
        self.bandwidth_slider.setSingleStep(step)
        self.bandwidth_slider.setPageStep(step * 5)
        self.bandwidth_slider.setValue(DEFAULT_BANDWIDTH_M)
        smooth.addWidget(self.bandwidth_label)
        smooth.addWidget(self.bandwidth_slider, 1)
        dl.addLayout(smooth)

        self.info = QLabel(self)
        self.info.setWordWrap(True)
        lay = QVBoxLayout(self)
        lay.setContentsMargins(4, 4, 4, 4)
        lay.addWidget(self.window_group)
        lay.addWidget(self.types_group)
        lay.addWidget(self.hours_group)
        lay.addWidget(self.days_group)
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
        for b in self.day_buttons:
            b.toggled.connect(self._changed)
        self.all_days.clicked.connect(lambda: self.set_weekdays(None))
        self.work_days.clicked.connect(lambda: self.set_weekdays(list(WORK_DAYS)))
        self.weekend_days.clicked.connect(lambda: self.set_weekdays(list(WEEKEND)))
        self.bandwidth_slider.valueChanged.connect(self._on_bandwidth)
        self._on_window()
        self.debounce.stop()  # the window asks for the default heat itself at start
        self.retranslateUi()

    def set_time_zone(self, name: str) -> None:
        """Show From and To in the district's zone (an IANA name; unknown to Qt: Shanghai).
        The instants chosen stay the same; only how they read changes."""
        z = QTimeZone(name.encode())
        self.zone = z if z.isValid() else SHANGHAI
        for e in (self.from_edit, self.to_edit):
            t = e.dateTime().toSecsSinceEpoch()
            e.setTimeZone(self.zone)
            e.setDateTime(QDateTime.fromSecsSinceEpoch(t, self.zone))

    def _dt_edit(self, value: QDateTime) -> QDateTimeEdit:
        e = QDateTimeEdit(self)
        e.setTimeZone(self.zone)
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
        self.from_edit.setDateTime(QDateTime.fromSecsSinceEpoch(int(t0), self.zone))
        self.to_edit.setDateTime(QDateTime.fromSecsSinceEpoch(int(t1), self.zone))

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

    def selected_weekdays(self) -> list[int]:
        """Ticked weekdays (0 = Monday), the district's local calendar."""
        return [d for d, b in enumerate(self.day_buttons) if b.isChecked()]

    def set_weekdays(self, days: list[int] | None) -> None:
        """Tick exactly ``days`` (None: all 7).  Days outside 0-6 raise ValueError."""
        if days is not None and any(not 0 <= d <= 6 for d in days):
            raise ValueError(f"weekdays must be 0 (Monday) to 6 (Sunday), got {sorted(days)}")
        for d, b in enumerate(self.day_buttons):
            b.blockSignals(True)
            b.setChecked(days is None or d in days)
            b.blockSignals(False)
        self._changed()

    def bandwidth_m(self) -> int:
        """The smoothing bandwidth in metres."""
        return int(self.bandwidth_slider.value())

    def set_bandwidth(self, metres: int) -> None:
        """Smooth over ``metres`` (within the slider's range, else ValueError)."""
        lo, hi, _ = BANDWIDTHS_M
        if not lo <= metres <= hi:
            raise ValueError(f"smoothing must be {lo}-{hi} m, got {metres}")
        self.bandwidth_slider.setValue(int(metres))

    def command(self) -> GetHeat | None:
        """The GetHeat for the current choices; None when nothing could match."""
        types = self.selected_types()
        hours = self.selected_hours()
        days = self.selected_weekdays()
        t0, t1 = self.time_range()
        if not types:
            self._state = "nothing:types"
        elif not hours:
            self._state = "nothing:hours"
        elif not days:
            self._state = "nothing:days"
        elif t1 <= t0:
            self._state = "nothing:range"
        else:
            return GetHeat(
                t0=t0,
                t1=t1,
                types=None if len(types) == self.types_list.count() else types,
                hours=None if len(hours) == 24 else hours,
                weekdays=None if len(days) == 7 else days,
                bandwidth_m=float(self.bandwidth_m()),
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
        self.debounce.start(DEBOUNCE_MS)

    def _on_bandwidth(self, *_: object) -> None:
        self._bandwidth_text()
        self.debounce.start(SLIDER_DEBOUNCE_MS)

    def _bandwidth_text(self) -> None:
        self.bandwidth_label.setText(
            self.tr("Smoothing %1 m").replace("%1", str(self.bandwidth_m()))
        )

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
        elif st == "nothing:days":
            text = self.tr("Tick at least one day of the week.")
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
        self.types_list.blockSignals(True)  # renaming is no change of filter: send nothing
        for i in range(self.types_list.count()):
            it = self.types_list.item(i)
            t = self.config.incident_types[str(it.data(Qt.ItemDataRole.UserRole))]
            it.setText(t.name_zh if zh else t.name_en)
        self.types_list.blockSignals(False)
        self.all_types.setText(self.tr("All"))
        self.no_types.setText(self.tr("None"))
        self.hours_group.setTitle(self.tr("Hours of the day (local time)"))
        self.all_hours.setText(self.tr("All day"))
        self.day_hours.setText(self.tr("Day 07–19"))
        self.night_hours.setText(self.tr("Night 19–07"))
        self.days_group.setTitle(self.tr("Days of the week and smoothing"))
        day_names = (
            self.tr("Mon"),
            self.tr("Tue"),
            self.tr("Wed"),
            self.tr("Thu"),
            self.tr("Fri"),
            self.tr("Sat"),
            self.tr("Sun"),
        )
        for b, name in zip(self.day_buttons, day_names, strict=True):
            b.setText(name)
        self.all_days.setText(self.tr("All week"))
        self.work_days.setText(self.tr("Mon–Fri"))
        self.weekend_days.setText(self.tr("Weekend"))
        self._bandwidth_text()
        self._show_info()

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslateUi()
        super().changeEvent(event)
