"""The timers and alerts board: what the hub says needs a human, until a human says "seen".

Alerts (order not acknowledged in time, arrival standard exceeded, on scene
too long, an order rejected, escalations) come from the hub with an id; an
operator acknowledges them (AckAlert) and every workstation greys them out
when the hub re-publishes the alert with ``acked_by``.  While a warning or
critical alert is unacknowledged the board sounds the system bell every few
seconds (``QApplication.beep``: no audio files, nothing to fail in a test).

An escalation that names a unit to send instead (``Alert.proposal``) shows it in
a bar under the table; a supervisor takes it ("改派 …", ReassignOrder) or
declines it (DismissProposal) after a confirmation, and every workstation sees
the decision when the hub re-publishes the alert.  Other roles see the
proposal without the buttons (the hub refuses them anyway).

A "no terminal online" alert (``no_terminal``: no terminal could receive an order)
offers "record delivery by radio or phone": the board only asks for it
(:attr:`AlertsBoard.manualDeliveryRequested`); the communications tools open the
dialog (:mod:`widgets.workflow.manual_delivery`) and the hub settles the alert.
"""

from __future__ import annotations

import time
from typing import Any, cast

import msgspec
from PySide6.QtCore import QT_TRANSLATE_NOOP, QCoreApplication, QEvent, Qt, QTimer, Signal
from PySide6.QtGui import QBrush, QColor
from PySide6.QtWidgets import (
    QAbstractItemView,
    QApplication,
    QCheckBox,
    QFrame,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QMessageBox,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from console.config import Config
from console.hub.messages import (
    AckAlert,
    Alert,
    AlertDecision,
    AlertProposal,
    DismissProposal,
    Event,
    RaiseCrowdIncident,
    ReassignOrder,
    Reply,
    Snapshot,
)
from widgets.bridge import HubBridge
from widgets.i18n import is_chinese
from widgets.panels.common import restyle, unit_type_name
from widgets.ticks import start_spread
from widgets.workflow.common import (
    LEVEL_COLOUR,
    duration_text,
    local_time,
    refused_text,
    show_message,
)

SOUND_INTERVAL_MS = 4000
SOUNDING_LEVELS = frozenset({"critical", "warning"})
LEVEL_RANK = {"critical": 0, "warning": 1, "info": 2}
REASSIGN_ROLES = frozenset({"supervisor"})
"""Roles offered the reassign/dismiss buttons: those the hub's rights allow (ReassignOrder)."""
NO_TERMINAL = "no_terminal"
"""The alert kind of an order no terminal could receive (console.hub.delivery)."""
PROPOSAL_STYLE = "QFrame#proposalBar { background: #fff8e1; border: 1px solid #ffb300; }"

ALERT_KIND_TEXT = cast(
    dict[str, str],
    {
        "not_acknowledged": QT_TRANSLATE_NOOP("AlertKind", "Order not acknowledged in time"),
        "arrival_standard_exceeded": QT_TRANSLATE_NOOP("AlertKind", "Arrival standard exceeded"),
        "on_scene_too_long": QT_TRANSLATE_NOOP("AlertKind", "On scene too long"),
        "order_rejected": QT_TRANSLATE_NOOP("AlertKind", "Order rejected"),
        "escalation": QT_TRANSLATE_NOOP("AlertKind", "Escalation"),
        "crowd_forecast": QT_TRANSLATE_NOOP("AlertKind", "Crowd forecast over the line"),
        "crowd_measured": QT_TRANSLATE_NOOP("AlertKind", "Crowd counted over the line"),
        "no_terminal": QT_TRANSLATE_NOOP("AlertKind", "No terminal online"),
        "approval_without_orders": QT_TRANSLATE_NOOP("AlertKind", "Approved without orders"),
        "store_unwritable": QT_TRANSLATE_NOOP("AlertKind", "Database cannot be written"),
        "store_writable": QT_TRANSLATE_NOOP("AlertKind", "Database writable again"),
        "feedback": QT_TRANSLATE_NOOP("AlertKind", "Report from the scene"),
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
    crowdIncidentRaised = Signal(int, int)  # (alert id, incident id): the run card was opened
    manualDeliveryRequested = Signal(object)  # a no_terminal Alert: record a delivery by hand

    TIME, LEVEL, KIND, TEXT, INCIDENT, ACKED = range(6)

    def __init__(
        self,
        bridge: HubBridge,
        parent: QWidget | None = None,
        *,
        config: Config | None = None,
        role: str | None = None,
    ) -> None:
        super().__init__(parent)
        self.bridge = bridge
        # unit type names come from the configuration (the main window's, when docked there)
        found = config if config is not None else getattr(parent, "config", None)
        self.config: Config | None = found if isinstance(found, Config) else None
        self._role = role
        self.alerts: dict[int, Alert] = {}
        self.pending: set[int] = set()
        self.deciding: set[int] = set()  # alerts whose reassign/dismiss is on its way
        self.last_result: Reply | None = None  # the hub's answer to the latest decision
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
        self.table.itemSelectionChanged.connect(self._update_proposal)
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
        self.proposal_bar = QFrame(self)
        self.proposal_bar.setObjectName("proposalBar")
        self.proposal_bar.setStyleSheet(PROPOSAL_STYLE)
        self.proposal_label = QLabel(self.proposal_bar)
        self.proposal_label.setWordWrap(True)
        self.reassign_button = QPushButton(self.proposal_bar)
        self.reassign_button.setStyleSheet("font-weight: bold;")
        self.reassign_button.clicked.connect(lambda _c=False: self.reassign_current())
        self.dismiss_button = QPushButton(self.proposal_bar)
        self.dismiss_button.clicked.connect(lambda _c=False: self.dismiss_current())
        bar = QHBoxLayout(self.proposal_bar)
        bar.setContentsMargins(6, 3, 6, 3)
        bar.addWidget(self.proposal_label, 1)
        bar.addWidget(self.reassign_button)
        bar.addWidget(self.dismiss_button)
        self.proposal_bar.hide()
        self._proposal_id: int | None = None  # the alert the bar shows
        # a crowd warning opens the crowd-crush run card (RaiseCrowdIncident)
        self.crowd_button = QPushButton(self)
        self.crowd_button.setObjectName("crowdRunCard")
        self.crowd_button.setStyleSheet("font-weight: bold; color: #b71c1c;")
        self.crowd_button.clicked.connect(lambda _c=False: self.raise_crowd_current())
        self.crowd_button.hide()
        self._crowd_id: int | None = None  # the crowd alert the button is for
        # an order no terminal could receive: the operator delivers it by hand and records it
        self.delivery_button = QPushButton(self)
        self.delivery_button.setObjectName("recordManualDelivery")
        self.delivery_button.setStyleSheet("font-weight: bold; color: #b71c1c;")
        self.delivery_button.clicked.connect(lambda _c=False: self.request_delivery_current())
        self.delivery_button.hide()
        self._delivery_id: int | None = None  # the no_terminal alert the button is for
        top = QHBoxLayout()
        top.addWidget(self.count_label, 1)
        top.addWidget(self.delivery_button)
        top.addWidget(self.crowd_button)
        top.addWidget(self.sound_box)
        top.addWidget(self.ack_button)
        top.addWidget(self.ack_all_button)
        lay = QVBoxLayout(self)
        lay.setContentsMargins(4, 4, 4, 4)
        lay.addLayout(top)
        lay.addWidget(self.table, 1)
        lay.addWidget(self.proposal_bar)
        lay.addWidget(self.message_label)
        self.sound_timer = QTimer(self)
        self.sound_timer.setInterval(SOUND_INTERVAL_MS)
        self.sound_timer.timeout.connect(self._sound)
        start_spread(self.sound_timer)
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
        self.dismiss_button.setText(self.tr("Dismiss proposal"))
        self.crowd_button.setText(self.tr("Open the crowd-crush run card"))
        self.delivery_button.setText(self.tr("Record delivery by radio or phone…"))
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
        if old is not None and (
            (old.acked_by and not ev.acked_by) or (old.decision is not None and ev.decision is None)
        ):
            return  # an older copy arriving late must not un-acknowledge or un-decide
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
                self._seen_text(a),
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
        sheet = "color: #b71c1c; font-weight: bold;" if n else ""
        restyle(self.count_label, sheet)
        self.ack_all_button.setEnabled(n > 0)
        self._update_proposal()

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

    # -------------------------------------------------------------- proposals

    @property
    def role(self) -> str:
        """The role this workstation acts in: as set, else the client's (signed-in) role."""
        if self._role is not None:
            return self._role
        return str(getattr(self.bridge.client, "role", "operator"))

    def set_role(self, role: str | None) -> None:
        """Act in ``role`` (None: follow the client's); shows or hides the decision buttons."""
        self._role = role
        self._update_proposal()

    @property
    def may_decide(self) -> bool:
        """Whether this seat is offered reassign/dismiss (the hub checks rights again)."""
        return self.role in REASSIGN_ROLES

    def proposal_alert(self) -> Alert | None:
        """The alert the proposal bar is about: the selected one if it carries a proposal,
        else the most urgent alert whose proposal nobody has decided yet."""
        for aid in self.selected_ids():
            a = self.alerts.get(aid)
            if a is not None and a.proposal is not None:
                return a
        return next(
            (a for a in self.ordered() if a.proposal is not None and a.decision is None), None
        )

    def _seen_text(self, a: Alert) -> str:
        d = a.decision
        if d is None:
            return a.acked_by
        if d.action == "reassigned":
            return self.tr("%1: sent %2").replace("%1", d.actor).replace("%2", d.call_sign)
        return self.tr("%1: declined").replace("%1", d.actor)

    def proposal_text(self, a: Alert) -> str:
        """The proposal, or what was decided about it, in one line."""
        p = a.proposal
        d = a.decision
        if d is not None and d.action == "reassigned":
            return (
                self.tr("%1 sent %2 instead of %3 at %4")
                .replace("%1", d.actor)
                .replace("%2", d.call_sign)
                .replace("%3", p.replaces if p is not None else "?")
                .replace("%4", local_time(d.t))
            )
        if d is not None:
            text = (
                self.tr("%1 declined sending %2 at %3")
                .replace("%1", d.actor)
                .replace("%2", p.call_sign if p is not None else "?")
                .replace("%3", local_time(d.t))
            )
            return f"{text} ({d.reason})" if d.reason else text
        if p is None:
            return ""
        kind = unit_type_name(self.config, p.unit_type) if self.config is not None else ""
        text = (
            self.tr("Proposal for incident #%1: send %2 instead of %3, ETA %4")
            .replace("%1", str(a.incident_id if a.incident_id is not None else "?"))
            .replace("%2", f"{p.call_sign} ({kind})" if kind else p.call_sign)
            .replace("%3", p.replaces)
            .replace("%4", duration_text(p.eta_s))
        )
        return text

    def _update_proposal(self) -> None:
        self._update_crowd()
        self._update_delivery()
        a = self.proposal_alert()
        self._proposal_id = a.alert_id if a is not None else None
        if a is None or a.proposal is None:
            self.proposal_bar.hide()
            return
        self.proposal_label.setText(self.proposal_text(a))
        self.reassign_button.setText(self.tr("Reassign to %1…").replace("%1", a.proposal.call_sign))
        open_ = a.decision is None
        show = self.may_decide and open_
        self.reassign_button.setVisible(show)
        self.dismiss_button.setVisible(show)
        busy = a.alert_id in self.deciding
        self.reassign_button.setEnabled(not busy)
        self.dismiss_button.setEnabled(not busy)
        self.proposal_bar.show()

    def _confirm(self, title: str, text: str) -> bool:
        """Ask before a decision that sends or withdraws an order."""
        box = QMessageBox(QMessageBox.Icon.Question, title, text, parent=self)
        box.setObjectName("confirmDecision")
        box.setStandardButtons(QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No)
        box.setDefaultButton(QMessageBox.StandardButton.No)
        box.exec()
        return box.standardButton(box.clickedButton()) == QMessageBox.StandardButton.Yes

    def _decidable(self, alert_id: int) -> tuple[Alert, AlertProposal] | None:
        a = self.alerts.get(alert_id)
        if a is None or a.proposal is None:
            show_message(self.message_label, self.tr("This alert proposes no unit."))
            return None
        if a.decision is not None or alert_id in self.deciding:
            return None
        return a, a.proposal

    def reassign_current(self, confirm: bool = True) -> bool:
        """Take the proposal the bar shows (see :meth:`reassign`)."""
        return self._proposal_id is not None and self.reassign(self._proposal_id, confirm=confirm)

    def dismiss_current(self, confirm: bool = True) -> bool:
        """Decline the proposal the bar shows (see :meth:`dismiss`)."""
        return self._proposal_id is not None and self.dismiss(self._proposal_id, confirm=confirm)

    def reassign(self, alert_id: int, call_sign: str = "", confirm: bool = True) -> bool:
        """Send ReassignOrder for an alert's proposal (or ``call_sign``) after confirming;
        False if nothing was sent (no proposal, decided, on its way, or not confirmed)."""
        got = self._decidable(alert_id)
        if got is None:
            return False
        a, p = got
        unit = call_sign or p.call_sign
        if confirm and not self._confirm(
            self.tr("Reassign order"),
            self.tr("Withdraw the order of %1 (if still open) and send %2 to incident #%3?")
            .replace("%1", p.replaces)
            .replace("%2", unit)
            .replace("%3", str(a.incident_id)),
        ):
            return False
        self._send_decision(alert_id, ReassignOrder(alert_id=alert_id, call_sign=call_sign))
        return True

    def dismiss(self, alert_id: int, reason: str = "", confirm: bool = True) -> bool:
        """Send DismissProposal after confirming; False if nothing was sent."""
        got = self._decidable(alert_id)
        if got is None:
            return False
        _, p = got
        if confirm and not self._confirm(
            self.tr("Dismiss proposal"),
            self.tr("Do not send %1? The alert counts as acknowledged.").replace("%1", p.call_sign),
        ):
            return False
        self._send_decision(alert_id, DismissProposal(alert_id=alert_id, reason=reason))
        return True

    def _send_decision(self, alert_id: int, cmd: ReassignOrder | DismissProposal) -> None:
        self.deciding.add(alert_id)
        self._update_proposal()
        self.bridge.call(cmd, lambda r: self._on_decision(alert_id, r))

    def _on_decision(self, alert_id: int, reply: Reply) -> None:
        self.deciding.discard(alert_id)
        self.last_result = reply
        if not reply.ok:
            show_message(self.message_label, refused_text(reply.error))
            self._update_proposal()
            return
        res: Any = reply.result
        a = self.alerts.get(alert_id)
        actor = str(getattr(self.bridge.client, "actor", "")) or "✓"
        if a is not None and a.decision is None:  # the re-published alert may still be on its way
            decision = AlertDecision(
                action="reassigned" if isinstance(res, dict) else "dismissed",
                actor=actor,
                t=time.time(),
                call_sign=str(res.get("call_sign", "")) if isinstance(res, dict) else "",
                order_id=str(res.get("order_id", "")) if isinstance(res, dict) else "",
            )
            self.alerts[alert_id] = msgspec.structs.replace(
                a, decision=decision, acked_by=a.acked_by or actor
            )
            self.pending.discard(alert_id)
            self._rebuild()
        if isinstance(res, dict):
            text = (
                self.tr("%1 sent instead of %2 (order %3).")
                .replace("%1", str(res.get("call_sign", "")))
                .replace("%2", str(res.get("replaces", "")))
                .replace("%3", str(res.get("order_id", ""))[:8])
            )
        else:
            text = self.tr("Proposal dismissed.")
        show_message(self.message_label, text, error=False)
        self._update_proposal()

    # -------------------------------------------------------------- crowd warnings

    def crowd_alert(self) -> Alert | None:
        """The crowd warning the run-card button is for: the selected one if it has not
        opened an incident yet, else the most urgent such warning nobody has seen."""
        for aid in self.selected_ids():
            a = self.alerts.get(aid)
            if a is not None and a.crowd is not None and a.incident_id is None:
                return a
        return next(
            (a for a in self.unacknowledged() if a.crowd is not None and a.incident_id is None),
            None,
        )

    def _update_crowd(self) -> None:
        a = self.crowd_alert()
        self._crowd_id = a.alert_id if a is not None else None
        self.crowd_button.setVisible(a is not None)
        if a is not None and a.crowd is not None:
            self.crowd_button.setEnabled(a.alert_id not in self.deciding)
            self.crowd_button.setToolTip(a.crowd.place_name)

    def raise_crowd_current(self) -> bool:
        """Open the run card of the crowd warning the button shows (see below)."""
        return self._crowd_id is not None and self.raise_crowd_incident(self._crowd_id)

    def raise_crowd_incident(self, alert_id: int) -> bool:
        """Send RaiseCrowdIncident: a crowd-crush incident at the warning's place, planned
        by its run card; False when the alert is no crowd warning or is already on its way."""
        a = self.alerts.get(alert_id)
        if a is None or a.crowd is None or a.incident_id is not None:
            return False
        if alert_id in self.deciding:
            return False
        self.deciding.add(alert_id)
        self._update_crowd()
        self.bridge.call(
            RaiseCrowdIncident(alert_id=alert_id), lambda r: self._on_crowd_raised(alert_id, r)
        )
        return True

    def _on_crowd_raised(self, alert_id: int, reply: Reply) -> None:
        self.deciding.discard(alert_id)
        self.last_result = reply
        if not reply.ok or not isinstance(reply.result, dict):
            show_message(self.message_label, refused_text(reply.error))
            self._update_crowd()
            return
        iid = int(reply.result["incident_id"])
        a = self.alerts.get(alert_id)
        actor = str(getattr(self.bridge.client, "actor", "")) or "✓"
        if a is not None and a.incident_id is None:  # the re-published alert may be on its way
            self.alerts[alert_id] = msgspec.structs.replace(
                a, incident_id=iid, acked_by=a.acked_by or actor
            )
            self.pending.discard(alert_id)
            self._rebuild()
        text = self.tr("Incident #%1 opened from the crowd warning; its plan follows.")
        show_message(self.message_label, text.replace("%1", str(iid)), error=False)
        self.crowdIncidentRaised.emit(alert_id, iid)

    # -------------------------------------------------------------- orders by hand

    def delivery_alert(self) -> Alert | None:
        """The no-terminal alert the delivery button is for: the selected one if still
        open, else the most urgent open one (open: nobody acknowledged or decided it)."""

        def open_(a: Alert | None) -> bool:
            return a is not None and a.kind == NO_TERMINAL and not a.acked_by and a.decision is None

        for aid in self.selected_ids():
            a = self.alerts.get(aid)
            if open_(a):
                return a
        return next((a for a in self.unacknowledged() if open_(a)), None)

    def _update_delivery(self) -> None:
        a = self.delivery_alert()
        self._delivery_id = a.alert_id if a is not None else None
        self.delivery_button.setVisible(a is not None)
        if a is not None:
            self.delivery_button.setToolTip((a.text or a.text_en) if is_chinese() else a.text_en)

    def request_delivery_current(self) -> bool:
        """Ask for the delivery dialog of the alert the button shows (see below)."""
        return self._delivery_id is not None and self.request_delivery(self._delivery_id)

    def request_delivery(self, alert_id: int) -> bool:
        """Emit :attr:`manualDeliveryRequested` for a no-terminal alert; False when the
        alert is unknown, of another kind, or already settled."""
        a = self.alerts.get(alert_id)
        if a is None or a.kind != NO_TERMINAL or a.acked_by or a.decision is not None:
            return False
        self.manualDeliveryRequested.emit(a)
        return True
