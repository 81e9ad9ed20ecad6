"""Recording an order delivered by hand: by radio, phone or in person, to whom, when.

When no terminal can receive an order the hub raises "无在线终端：请用电台或电话下达" on every
workstation.  The operator reaches the unit another way and records it here; the hub
(``RecordManualDelivery``) advances the order as the terminal's receipt would have
(delivered, or accepted if the officer accepted over the same channel), puts it on the
incident's chronology and in the audit log, and settles the alert everywhere.

:func:`order_of_alert` finds the order a ``no_terminal`` alert is about: the alert's
proposal names it; an alert without a proposal (a large fan-out, or nobody to send
instead) is matched with its line in the incident's chronology, which records the order.
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable
from typing import Any, cast

from PySide6.QtCore import QT_TRANSLATE_NOOP, QCoreApplication, QDateTime, QEvent, QTimeZone, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDateTimeEdit,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from console.hub.messages import Alert, GetChronology, RecordManualDelivery, Reply
from widgets.bridge import HubBridge
from widgets.workflow.common import refused_text, show_message

SHANGHAI = QTimeZone(8 * 3600)  # UTC+8 all year, as widgets.workflow.common.SHANGHAI
CHANNELS = ("radio", "phone", "in_person")
CHANNEL_TEXT = cast(
    dict[str, str],
    {
        "radio": QT_TRANSLATE_NOOP("ManualDelivery", "Radio"),
        "phone": QT_TRANSLATE_NOOP("ManualDelivery", "Phone"),
        "in_person": QT_TRANSLATE_NOOP("ManualDelivery", "In person"),
    },
)
MAX_CONTACT = 100
NO_TERMINAL = "no_terminal"
_CALL_SIGN_EN = re.compile(r"the order for (\S+) \(incident")

OrderFound = Callable[[str, str, str], None]
"""(order id, call sign, why not found): the order id is "" when it could not be found."""


def call_sign_of_alert(alert: Alert) -> str:
    """The unit a no-terminal alert is about (its proposal, else its English text)."""
    if alert.proposal is not None and alert.proposal.replaces:
        return alert.proposal.replaces
    m = _CALL_SIGN_EN.search(alert.text_en or "")
    return m.group(1) if m else ""


def order_of_alert(bridge: HubBridge, alert: Alert, found: OrderFound) -> None:
    """Find the order a ``no_terminal`` alert is about and call ``found`` (see OrderFound):
    at once when the proposal names it, else after reading the incident's chronology."""
    cs = call_sign_of_alert(alert)
    if alert.kind != NO_TERMINAL:
        found("", cs, f"alert {alert.alert_id} is not about an order without a terminal")
        return
    if alert.proposal is not None and alert.proposal.order_id:
        found(alert.proposal.order_id, cs, "")
        return
    if alert.incident_id is None:
        found("", cs, f"alert {alert.alert_id} names no incident")
        return

    def on_chronology(reply: Reply) -> None:
        if not reply.ok or not isinstance(reply.result, list):
            found("", cs, reply.error or "no chronology")
            return
        for entry in reply.result:
            d = entry.get("detail") if isinstance(entry, dict) else None
            if (
                isinstance(d, dict)
                and entry.get("kind") == f"alert_{NO_TERMINAL}"
                and d.get("text") == alert.text
                and d.get("order_id")
            ):
                found(str(d["order_id"]), cs, "")
                return
        found("", cs, f"the order of alert {alert.alert_id} is not on the chronology")

    bridge.call(GetChronology(incident_id=alert.incident_id), on_chronology)


def channel_text(channel: str) -> str:
    """How an order was delivered by hand, in words."""
    src = CHANNEL_TEXT.get(channel)
    return QCoreApplication.translate("ManualDelivery", src) if src else channel


class ManualDeliveryDialog(QDialog):
    """Channel, who answered, when, and whether the officer accepted; Record sends it."""

    recorded = Signal(dict)  # the hub's reply: {order_id, state, channel, at}

    def __init__(
        self,
        bridge: HubBridge,
        order_id: str,
        *,
        call_sign: str = "",
        incident_id: int | None = None,
        clock: Callable[[], float] = time.time,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("manualDelivery")
        if not order_id:
            raise ValueError("a manual delivery needs the order id")
        self.bridge = bridge
        self.order_id = order_id
        self.call_sign = call_sign
        self.incident_id = incident_id
        self.clock = clock
        self.sending = False
        self.recorded_result: dict[str, Any] | None = None
        self.last_reply: Reply | None = None
        self.intro_label = QLabel(self)
        self.intro_label.setWordWrap(True)
        self.channel_box = QComboBox(self)
        self.channel_box.setObjectName("deliveryChannel")
        self.contact_edit = QLineEdit(self)
        self.contact_edit.setObjectName("deliveryContact")
        self.contact_edit.setMaxLength(MAX_CONTACT)
        self.time_edit = QDateTimeEdit(self)
        self.time_edit.setTimeZone(SHANGHAI)
        self.time_edit.setDisplayFormat("yyyy-MM-dd HH:mm:ss")
        self.time_edit.setCalendarPopup(True)
        self._shown_at = float(int(clock()))
        self.time_edit.setDateTime(QDateTime.fromSecsSinceEpoch(int(self._shown_at), SHANGHAI))
        self.accepted_box = QCheckBox(self)
        self.accepted_box.setObjectName("deliveryAccepted")
        self.message_label = QLabel(self)
        self.message_label.setWordWrap(True)
        self.message_label.hide()
        self.form = QFormLayout()
        self.channel_label, self.contact_label, self.time_label = QLabel(), QLabel(), QLabel()
        self.form.addRow(self.channel_label, self.channel_box)
        self.form.addRow(self.contact_label, self.contact_edit)
        self.form.addRow(self.time_label, self.time_edit)
        self.form.addRow("", self.accepted_box)
        self.buttons = QDialogButtonBox(self)
        self.record_button = QPushButton(self)
        self.record_button.setObjectName("recordDelivery")
        self.record_button.setDefault(True)
        self.buttons.addButton(self.record_button, QDialogButtonBox.ButtonRole.AcceptRole)
        self.cancel_button = self.buttons.addButton(QDialogButtonBox.StandardButton.Cancel)
        self.buttons.accepted.connect(self.submit)
        self.buttons.rejected.connect(self.reject)
        lay = QVBoxLayout(self)
        lay.addWidget(self.intro_label)
        lay.addLayout(self.form)
        lay.addWidget(self.message_label)
        lay.addWidget(self.buttons)
        self.retranslateUi()

    def retranslateUi(self) -> None:
        """Every text (also on LanguageChange)."""
        self.setWindowTitle(self.tr("Order delivered by radio or phone"))
        self.intro_label.setText(
            self.tr(
                "No terminal could receive the order for %1 (incident #%2). Record how it "
                "reached the unit; the order then moves on as if the terminal had confirmed it."
            )
            .replace("%1", self.call_sign or self.order_id[:8])
            .replace("%2", str(self.incident_id if self.incident_id is not None else "?"))
        )
        current = self.channel()
        self.channel_box.clear()
        for c in CHANNELS:
            self.channel_box.addItem(channel_text(c), c)
        self.channel_box.setCurrentIndex(max(0, self.channel_box.findData(current)))
        self.channel_label.setText(self.tr("Delivered by"))
        self.contact_label.setText(self.tr("Who answered"))
        self.contact_edit.setPlaceholderText(self.tr("name or badge number of the officer"))
        self.time_label.setText(self.tr("When (Shanghai)"))
        self.accepted_box.setText(self.tr("The officer accepted the order"))
        self.record_button.setText(self.tr("Record delivery"))
        if self.cancel_button is not None:
            self.cancel_button.setText(self.tr("Cancel"))

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslateUi()
        super().changeEvent(event)

    # ------------------------------------------------------------------ values

    def channel(self) -> str:
        return str(self.channel_box.currentData() or CHANNELS[0])

    def set_values(
        self,
        channel: str,
        contact: str = "",
        accepted: bool = False,
        at: float | None = None,
    ) -> None:
        """Fill the form (tests and a caller that knows the answer)."""
        k = self.channel_box.findData(channel)
        if k < 0:
            raise ValueError(f"unknown delivery channel {channel!r}; one of {', '.join(CHANNELS)}")
        self.channel_box.setCurrentIndex(k)
        self.contact_edit.setText(contact)
        self.accepted_box.setChecked(accepted)
        if at is not None:
            self.time_edit.setDateTime(QDateTime.fromSecsSinceEpoch(int(at), SHANGHAI))

    def at(self) -> float | None:
        """The time entered (None: left as it was shown, so the hub records its own now)."""
        t = float(self.time_edit.dateTime().toSecsSinceEpoch())
        return None if t == self._shown_at else t

    def command(self) -> RecordManualDelivery:
        return RecordManualDelivery(
            order_id=self.order_id,
            channel=self.channel(),
            contact=self.contact_edit.text().strip(),
            at=self.at(),
            accepted=self.accepted_box.isChecked(),
        )

    # ------------------------------------------------------------------ send

    def submit(self) -> bool:
        """Send the record; the dialog closes when the hub has it (its refusal stays shown)."""
        if self.sending:
            return False
        self.sending = True
        self.record_button.setEnabled(False)
        show_message(self.message_label, "")
        self.bridge.call(self.command(), self._on_reply)
        return True

    def _on_reply(self, reply: Reply) -> None:
        self.sending = False
        self.record_button.setEnabled(True)
        self.last_reply = reply
        if not reply.ok or not isinstance(reply.result, dict):
            show_message(self.message_label, refused_text(reply.error or repr(reply.result)))
            return
        self.recorded_result = dict(reply.result)
        self.recorded.emit(self.recorded_result)
        self.accept()
