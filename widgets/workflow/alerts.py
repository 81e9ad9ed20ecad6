"""The timers and alerts board: what the hub says needs a human, until a human says "seen".

Alerts (order not acknowledged in time, arrival standard exceeded, on scene
too long, an order rejected, escalations) come from the hub with an id; an
operator acknowledges them (AckAlert) and every workstation greys them out
when the hub re-publishes the alert with ``acked_by``.  While a warning or
critical alert is unacknowledged the board sounds the system bell every few
seconds (``QApplication.beep``: no audio files, nothing to fail in a test).
"""

from __future__ import annotations

from typing import cast

import msgspec
from PySide6.QtCore import QT_TRANSLATE_NOOP, QCoreApplication, QEvent, Qt, QTimer, Signal
from PySide6.QtGui import QBrush, QColor
from PySide6.QtWidgets import (
    QAbstractItemView,
    QApplication,
    QCheckBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from console.hub.messages import AckAlert, Alert, Event, Reply, Snapshot
from widgets.bridge import HubBridge
from widgets.i18n import is_chinese
from widgets.workflow.common import LEVEL_COLOUR, local_time, refused_text, show_message

SOUND_INTERVAL_MS = 4000
SOUNDING_LEVELS = frozenset({"critical", "warning"})
LEVEL_RANK = {"critical": 0, "warning": 1, "info": 2}

ALERT_KIND_TEXT = cast(
    dict[str, str],
    {
        "not_acknowledged": QT_TRANSLATE_NOOP("AlertKind", "Order not acknowledged in time"),
        "arrival_standard_exceeded": QT_TRANSLATE_NOOP("AlertKind", "Arrival standard exceeded"),
        "on_scene_too_long": QT_TRANSLATE_NOOP("AlertKind", "On scene too long"),
        "order_rejected": QT_TRANSLATE_NOOP("AlertKind", "Order rejected"),
        "escalation": QT_TRANSLATE_NOOP("AlertKind", "Escalation"),
    },
)
LEVEL_TEXT = cast(
    dict[str, str],
    {
        "critical": QT_TRANSLATE_NOOP("AlertLevel", "Critical"),
        "warning": QT_TRANSLATE_NOOP("AlertLevel", "Warning"),
        "info": QT_TRANSLATE_NOOP("AlertLevel", "Info"),
    },
)


def alert_kind_text(kind: str) -> str:
    """Display text of an alert kind (the key itself when unknown)."""
    src = ALERT_KIND_TEXT.get(kind)
    return QCoreApplication.translate("AlertKind", src) if src else kind


def alert_level_text(level: str) -> str:
    """Display text of an alert level."""
    src = LEVEL_TEXT.get(level)
    return QCoreApplication.translate("AlertLevel", src) if src else level


class AlertsBoard(QWidget):
    """Alerts newest first, coloured by level; acknowledged ones grey."""

    incidentActivated = Signal(int)

    TIME, LEVEL, KIND, TEXT, INCIDENT, ACKED = range(6)

    def __init__(self, bridge: HubBridge, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.bridge = bridge
        self.alerts: dict[int, Alert] = {}
        self.pending: set[int] = set()
        self.beeps = 0  # how often the bell rang (for tests and the status line)
        self.table = QTableWidget(0, 6, self)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.verticalHeader().setVisible(False)
        self.table.setWordWrap(False)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        header.setStretchLastSection(False)
        header.setSectionResizeMode(self.TEXT, QHeaderView.ResizeMode.Stretch)
        for col, width in (
            (self.TIME, 70),
            (self.LEVEL, 52),
            (self.KIND, 150),
            (self.INCIDENT, 56),
        ):
            self.table.setColumnWidth(col, width)
        self.table.setColumnWidth(self.ACKED, 80)
        self.table.doubleClicked.connect(lambda idx: self._row_activated(idx.row()))
        self.ack_button = QPushButton(self)
        self.ack_button.clicked.connect(self.ack_selected)
        self.ack_all_button = QPushButton(self)
        self.ack_all_button.clicked.connect(self.ack_all)
        self.sound_box = QCheckBox(self)
        self.sound_box.setChecked(True)
        self.count_label = QLabel(self)
        self.message_label = QLabel(self)
        self.message_label.setWordWrap(True)
        self.message_label.hide()
        top = QHBoxLayout()
        top.addWidget(self.count_label, 1)
        top.addWidget(self.sound_box)
        top.addWidget(self.ack_button)
        top.addWidget(self.ack_all_button)
        lay = QVBoxLayout(self)
        lay.setContentsMargins(4, 4, 4, 4)
        lay.addLayout(top)
        lay.addWidget(self.table, 1)
        lay.addWidget(self.message_label)
        self.sound_timer = QTimer(self)
        self.sound_timer.setInterval(SOUND_INTERVAL_MS)
        self.sound_timer.timeout.connect(self._sound)
        self.sound_timer.start()
        bridge.alert.connect(self.add_alert)
        bridge.event.connect(self._on_event)
        self.retranslateUi()

    # ------------------------------------------------------------------ texts

    def retranslateUi(self) -> None:
        """Every text (also on LanguageChange)."""
        self.table.setHorizontalHeaderLabels(
            [
                self.tr("Time"),
                self.tr("Level"),
                self.tr("Kind"),
                self.tr("Alert"),
                self.tr("Incident"),
                self.tr("Seen by"),
            ]
        )
        self.ack_button.setText(self.tr("Acknowledge"))
        self.ack_all_button.setText(self.tr("Acknowledge all"))
        self.sound_box.setText(self.tr("Sound"))
        self._rebuild()

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslateUi()
        super().changeEvent(event)

    # ----------------------------------------------------------------- alerts

    def add_alert(self, ev: Alert) -> None:
        """A new alert, or a known one re-published (acknowledged)."""
        if ev.alert_id <= 0:
            return
        is_new = ev.alert_id not in self.alerts
        old = self.alerts.get(ev.alert_id)
        if old is not None and old.acked_by and not ev.acked_by:
            return  # an older copy arriving late must not un-acknowledge
        # a copy: in-process the hub hands out its own Alert and sets acked_by on it later
        self.alerts[ev.alert_id] = msgspec.structs.replace(ev)
        if ev.acked_by:
            self.pending.discard(ev.alert_id)
        self._rebuild()
        if is_new and not ev.acked_by and ev.level in SOUNDING_LEVELS:
            self._sound()

    def set_alerts(self, alerts: list[Alert]) -> None:
        """Replace with the alerts of a snapshot (open ones)."""
        self.alerts = {a.alert_id: msgspec.structs.replace(a) for a in alerts if a.alert_id > 0}
        self._rebuild()

    def _on_event(self, ev: Event) -> None:
        if isinstance(ev, Snapshot):
            self.set_alerts(list(ev.alerts))

    def unacknowledged(self) -> list[Alert]:
        """Alerts nobody has acknowledged yet, most urgent first."""
        rows = [a for a in self.alerts.values() if not a.acked_by]
        rows.sort(key=lambda a: (LEVEL_RANK.get(a.level, 9), -a.t))
        return rows

    @property
    def sounding(self) -> bool:
        """Whether the bell rings: an unacknowledged warning or critical alert and sound on."""
        return self.sound_box.isChecked() and any(
            a.level in SOUNDING_LEVELS for a in self.unacknowledged()
        )

    def _sound(self) -> None:
        if self.sounding:
            self.beeps += 1
            QApplication.beep()

    def ordered(self) -> list[Alert]:
        """Rows as shown: unacknowledged first (most urgent, newest), then the rest newest first."""
        return sorted(
            self.alerts.values(),
            key=lambda a: (
                bool(a.acked_by),
                LEVEL_RANK.get(a.level, 9) if not a.acked_by else 0,
                -a.t,
            ),
        )

    def _rebuild(self) -> None:
        t = self.table
        selected = set(self.selected_ids())
        rows = self.ordered()
        t.setRowCount(len(rows))
        zh = is_chinese()
        for r, a in enumerate(rows):
            text = (a.text or a.text_en) if zh else (a.text_en or a.text)
            cells = [
                local_time(a.t),
                alert_level_text(a.level),
                alert_kind_text(a.kind),
                text,
                "" if a.incident_id is None else f"#{a.incident_id}",
                a.acked_by,
            ]
            colour = QColor(LEVEL_COLOUR.get(a.level, "#455a64"))
            bg = QColor(colour)
            bg.setAlpha(40 if a.acked_by else 70)
            for c, value in enumerate(cells):
                item = QTableWidgetItem(value)
                item.setData(Qt.ItemDataRole.UserRole, a.alert_id)
                if a.acked_by:
                    item.setForeground(QBrush(QColor("#9e9e9e")))
                    item.setBackground(QBrush(QColor("#f5f5f5")))
                else:
                    item.setBackground(QBrush(bg))
                    if c == self.LEVEL:
                        item.setForeground(QBrush(colour))
                if c == self.TEXT:
                    item.setToolTip(value)
                t.setItem(r, c, item)
            if a.alert_id in selected:
                t.selectRow(r)
        n = len(self.unacknowledged())
        self.count_label.setText(
            self.tr("%1 unacknowledged of %2").replace("%1", str(n)).replace("%2", str(len(rows)))
        )
        self.count_label.setStyleSheet("color: #b71c1c; font-weight: bold;" if n else "")
        self.ack_all_button.setEnabled(n > 0)

    def alert_at(self, row: int) -> Alert | None:
        """The alert shown in table row ``row``."""
        item = self.table.item(row, 0)
        if item is None:
            return None
        return self.alerts.get(int(item.data(Qt.ItemDataRole.UserRole)))

    def selected_ids(self) -> list[int]:
        """Alert ids of the selected rows."""
        rows = sorted({i.row() for i in self.table.selectedIndexes()})
        return [a.alert_id for r in rows if (a := self.alert_at(r)) is not None]

    # -------------------------------------------------------------------- ack

    def ack(self, alert_id: int) -> bool:
        """Send AckAlert for one alert; False if it is unknown, acknowledged or on its way."""
        a = self.alerts.get(alert_id)
        if a is None or a.acked_by or alert_id in self.pending:
            return False
        self.pending.add(alert_id)
        self.bridge.call(AckAlert(alert_id=alert_id), lambda r: self._on_ack(alert_id, r))
        return True

    def ack_selected(self) -> int:
        """Acknowledge the selected alerts; returns how many were sent."""
        return sum(self.ack(i) for i in self.selected_ids())

    def ack_all(self) -> int:
        """Acknowledge every open alert; returns how many were sent."""
        return sum(self.ack(a.alert_id) for a in self.unacknowledged())

    def _on_ack(self, alert_id: int, reply: Reply) -> None:
        self.pending.discard(alert_id)
        if not reply.ok:
            show_message(self.message_label, refused_text(reply.error))
            return
        show_message(self.message_label, "")
        a = self.alerts.get(alert_id)
        if a is not None and not a.acked_by:  # the re-published alert may still be on its way
            actor = str(getattr(self.bridge.client, "actor", "")) or "✓"
            self.alerts[alert_id] = msgspec.structs.replace(a, acked_by=actor)
            self._rebuild()

    def _row_activated(self, row: int) -> None:
        a = self.alert_at(row)
        if a is not None and a.incident_id is not None:
            self.incidentActivated.emit(a.incident_id)
