"""Messages between the command room and the officers, with delivery and read receipts.

The command room writes to one unit, every unit of a station, or every unit with an
open order on an incident (``SendMessage``); the hub writes one row per unit to its
outbox, the terminal link delivers them, and every terminal answers "delivered" at once
and "read" when the officer opens the message.  Those receipts come back as
``MessageChanged`` events, which move the per-unit state in place here (pending →
delivered → read), without asking the hub again.  The officers' own reports from the
scene (text, a photo or a clip) are listed with them, newest last, with the thumbnail of
what they carry; double-click opens it large.

- :class:`MessageThread`: the list (one incident's messages both ways, or the units of
  one message), grouped by message with a row per unit under it;
- :class:`MessagesPanel`: the thread and the compose box under it;
- :class:`MessageDialog`: the panel on its own, for "send a message" on a unit.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import Any, cast

from PySide6.QtCore import QT_TRANSLATE_NOOP, QCoreApplication, QEvent, QSize, Qt, QTimer, Signal
from PySide6.QtGui import (
    QBrush,
    QColor,
    QFont,
    QIcon,
    QKeySequence,
    QPixmap,
    QShortcut,
    QStandardItemModel,
)
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QDialog,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPlainTextEdit,
    QPushButton,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from console.hub.messages import Alert, Event, MessageChanged, Reply, StaticDistrict
from console.hub.messaging import GetMessages, SendMessage
from console.workstation.situation import SituationModel
from widgets.bridge import HubBridge
from widgets.workflow.common import local_time, refused_text, show_message

log = logging.getLogger(__name__)

MAX_TEXT = 4000
RELOAD_DELAY_MS = 300
STATE_RANK = {"pending": 0, "delivered": 1, "read": 2, "expired": 3}
STATE_TEXT = cast(
    dict[str, str],
    {
        "pending": QT_TRANSLATE_NOOP("MessageState", "waiting"),
        "delivered": QT_TRANSLATE_NOOP("MessageState", "delivered"),
        "read": QT_TRANSLATE_NOOP("MessageState", "read"),
        "expired": QT_TRANSLATE_NOOP("MessageState", "not delivered (expired)"),
        "received": QT_TRANSLATE_NOOP("MessageState", "received"),
    },
)
STATE_COLOUR = {
    "pending": "#ef6c00",
    "delivered": "#1565c0",
    "read": "#2e7d32",
    "expired": "#c62828",
    "received": "#37474f",
}
TARGET_INCIDENT, TARGET_UNIT, TARGET_STATION = "incident", "unit", "station"
ICON = QSize(48, 36)


def state_text(state: str) -> str:
    """A message state in words."""
    src = STATE_TEXT.get(state)
    return QCoreApplication.translate("MessageState", src) if src else state


@dataclass(frozen=True)
class MessageRow:
    """One row of ``GetMessages``: a message to one unit (``out``) or an officer's report
    (``in``)."""

    direction: str
    message_id: str
    group_id: str
    to: str
    call_sign: str
    sender: str
    text: str
    t: float
    state: str
    delivered_at: float | None = None
    read_at: float | None = None
    attachment_id: int | None = None
    attachment_kind: str = ""
    attachment_refused: str = ""

    @classmethod
    def from_reply(cls, d: dict[str, Any]) -> MessageRow:
        """From a reply row; ValueError naming what is wrong."""
        try:
            aid = d.get("attachment_id")
            return cls(
                direction=str(d["direction"]),
                message_id=str(d["message_id"]),
                group_id=str(d.get("group_id") or ""),
                to=str(d.get("to") or ""),
                call_sign=str(d.get("call_sign") or ""),
                sender=str(d.get("sender") or ""),
                text=str(d.get("text") or ""),
                t=float(d.get("t") or 0.0),
                state=str(d.get("state") or ""),
                delivered_at=_opt_float(d.get("delivered_at")),
                read_at=_opt_float(d.get("read_at")),
                attachment_id=int(aid) if aid not in (None, "") else None,
                attachment_kind=str(d.get("attachment_kind") or ""),
                attachment_refused=str(d.get("attachment_refused") or ""),
            )
        except (KeyError, TypeError, ValueError) as exc:
            raise ValueError(f"malformed message row {sorted(d)}: {exc}") from None

    def moved(self, state: str, t: float) -> MessageRow:
        """This row after a receipt; an older or equal state changes nothing."""
        if STATE_RANK.get(state, -1) <= STATE_RANK.get(self.state, -1):
            return self
        row = replace(self, state=state)
        if state == "delivered":
            row = replace(row, delivered_at=row.delivered_at or t)
        elif state == "read":
            row = replace(row, delivered_at=row.delivered_at or t, read_at=row.read_at or t)
        return row


def _opt_float(v: Any) -> float | None:
    return None if v is None else float(v)


def addressee_text(to: str, station_names: dict[str, str], units: list[str]) -> str:
    """Whom a message went to, in words: a unit's call sign, a station, an incident's units."""
    if to.startswith("station:"):
        code = to.split(":", 1)[1]
        return QCoreApplication.translate("Messages", "station %1").replace(
            "%1", station_names.get(code, code)
        )
    if to.startswith("incident:"):
        return QCoreApplication.translate("Messages", "every unit of incident #%1").replace(
            "%1", to.split(":", 1)[1]
        )
    return ", ".join(units) if units else to


class MessageThread(QWidget):
    """An incident's messages both ways (or one message's units), oldest first."""

    attachmentRequested = Signal(int)  # an officer's photo or clip to open
    loaded = Signal()

    TIME, WHO, TEXT, STATE = range(4)

    def __init__(
        self,
        bridge: HubBridge,
        parent: QWidget | None = None,
        *,
        thumb: Callable[[int], QPixmap | None] | None = None,
    ) -> None:
        super().__init__(parent)
        self.bridge = bridge
        self.thumb = thumb  # attachment id -> its thumbnail, when the caller has it
        self.station_names: dict[str, str] = {}
        self.incident_id: int | None = None
        self.group_id = ""
        self.rows: list[MessageRow] = []
        self.loads = 0
        self._token = 0
        self.tree = QTreeWidget(self)
        self.tree.setObjectName("messageThread")
        self.tree.setColumnCount(4)
        self.tree.setUniformRowHeights(False)
        self.tree.setIconSize(ICON)
        self.tree.setWordWrap(True)
        self.tree.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        header = self.tree.header()
        header.setSectionResizeMode(self.TIME, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(self.WHO, QHeaderView.ResizeMode.Interactive)
        header.setSectionResizeMode(self.TEXT, QHeaderView.ResizeMode.Stretch)
        header.setSectionResizeMode(self.STATE, QHeaderView.ResizeMode.ResizeToContents)
        header.setStretchLastSection(False)
        self.tree.setColumnWidth(self.WHO, 150)
        self.tree.itemDoubleClicked.connect(self._activated)
        self.message_label = QLabel(self)
        self.message_label.setWordWrap(True)
        self.message_label.hide()
        lay = QVBoxLayout(self)
        lay.setContentsMargins(0, 0, 0, 0)
        lay.addWidget(self.tree, 1)
        lay.addWidget(self.message_label)
        self._reload = QTimer(self)
        self._reload.setSingleShot(True)
        self._reload.setInterval(RELOAD_DELAY_MS)
        self._reload.timeout.connect(self.load)
        bridge.event.connect(self._on_event)
        self.retranslateUi()

    def retranslateUi(self) -> None:
        """Every text (also on LanguageChange)."""
        self.tree.setHeaderLabels(
            [self.tr("Time"), self.tr("From → to"), self.tr("Message"), self.tr("State")]
        )
        self._fill()

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslateUi()
        super().changeEvent(event)

    # ------------------------------------------------------------------ loading

    def set_incident(self, incident_id: int | None) -> None:
        """Show an incident's messages (None: nothing until a message is sent)."""
        self.incident_id, self.group_id = incident_id, ""
        self.rows = []
        self._fill()
        self.load()

    def set_group(self, group_id: str) -> None:
        """Show one message's units (a message about no incident)."""
        self.incident_id, self.group_id = None, group_id
        self.rows = []
        self._fill()
        self.load()

    def load(self) -> None:
        """Ask the hub for the messages (a newer request wins)."""
        self._token += 1
        if self.incident_id is None and not self.group_id:
            return
        token = self._token
        cmd = GetMessages(incident_id=self.incident_id, group_id=self.group_id)
        self.bridge.call(cmd, lambda r: self._on_reply(r, token))

    def _on_reply(self, reply: Reply, token: int) -> None:
        if token != self._token:
            return
        self.loads += 1
        if not reply.ok or not isinstance(reply.result, list):
            show_message(self.message_label, refused_text(reply.error or repr(reply.result)))
            self.loaded.emit()
            return
        show_message(self.message_label, "")
        rows: list[MessageRow] = []
        for d in reply.result:
            try:
                rows.append(MessageRow.from_reply(d if isinstance(d, dict) else {}))
            except ValueError as exc:
                log.warning("skipped a message: %s", exc)
        self.rows = rows
        self._fill()
        self.loaded.emit()

    def _on_event(self, ev: Event) -> None:
        if isinstance(ev, MessageChanged):
            self.apply_change(ev)
        elif (
            isinstance(ev, Alert)
            and ev.kind == "feedback"
            and ev.incident_id is not None
            and ev.incident_id == self.incident_id
        ):
            self._reload.start()  # an officer's report on this incident

    def apply_change(self, ev: MessageChanged) -> bool:
        """A receipt: move the unit's row in place; a message not listed yet (sent from
        another workstation) reloads the thread.  Whether the thread is about it."""
        ours = (self.incident_id is not None and ev.incident_id == self.incident_id) or (
            bool(self.group_id) and ev.group_id == self.group_id
        )
        for k, row in enumerate(self.rows):
            if row.message_id == ev.message_id:
                moved = row.moved(ev.state, ev.t)
                if moved is not row:
                    self.rows[k] = moved
                    self._fill()
                return True
        if ours:
            self._reload.start()
        return ours

    # ------------------------------------------------------------------ showing

    def groups(self) -> list[list[MessageRow]]:
        """Rows as shown: each message (its units together), then each report, by time (a
        clip's still, filed as a photo of the same report, is not shown twice)."""
        out: list[list[MessageRow]] = []
        by_group: dict[str, list[MessageRow]] = {}
        # a clip comes with its still, filed as a photo of the same report: one row (the clip)
        clips = {
            (r.t, r.call_sign, r.text)
            for r in self.rows
            if r.direction == "in" and r.attachment_kind == "video"
        }
        for r in sorted(self.rows, key=lambda r: (r.t, r.message_id)):
            if (
                r.direction == "in"
                and r.attachment_kind == "photo"
                and (r.t, r.call_sign, r.text) in clips
            ):
                continue
            if r.direction == "out" and r.group_id:
                if r.group_id not in by_group:
                    by_group[r.group_id] = []
                    out.append(by_group[r.group_id])
                by_group[r.group_id].append(r)
            else:
                out.append([r])
        return out

    def states(self) -> dict[str, str]:
        """Call sign -> state of every message to a unit shown (the latest per unit)."""
        return {r.call_sign: r.state for r in self.rows if r.direction == "out"}

    def summary(self, rows: list[MessageRow]) -> str:
        """ "read 1/3 · delivered 2/3" for one message's units."""
        n = len(rows)
        read = sum(1 for r in rows if r.state == "read")
        got = sum(1 for r in rows if r.state in ("delivered", "read"))
        if n == 1:
            return state_text(rows[0].state)
        return (
            self.tr("read %1/%3 · delivered %2/%3")
            .replace("%1", str(read))
            .replace("%2", str(got))
            .replace("%3", str(n))
        )

    def _fill(self) -> None:
        self.tree.clear()
        bold = QFont(self.tree.font())
        bold.setBold(True)
        for rows in self.groups():
            first = rows[0]
            if first.direction == "in":
                self.tree.addTopLevelItem(self._report_item(first))
                continue
            units = [r.call_sign for r in rows]
            to = addressee_text(first.to, self.station_names, units)
            top = QTreeWidgetItem(
                [local_time(first.t), f"{first.sender} → {to}", first.text, self.summary(rows)]
            )
            top.setData(0, Qt.ItemDataRole.UserRole, first.group_id)
            top.setToolTip(self.TEXT, first.text)
            worst = min(rows, key=lambda r: STATE_RANK.get(r.state, 9)).state
            top.setForeground(self.STATE, QBrush(QColor(STATE_COLOUR.get(worst, "#37474f"))))
            self.tree.addTopLevelItem(top)
            if len(rows) > 1 or first.to != "unit":
                for r in rows:
                    top.addChild(self._unit_item(r))
                top.setExpanded(len(rows) <= 6)
        self.tree.scrollToBottom()

    def _unit_item(self, r: MessageRow) -> QTreeWidgetItem:
        when = r.read_at if r.state == "read" else r.delivered_at
        state = state_text(r.state) + (f" {local_time(when)}" if when else "")
        item = QTreeWidgetItem(["", r.call_sign, "", state])
        item.setData(0, Qt.ItemDataRole.UserRole, r.message_id)
        item.setForeground(self.STATE, QBrush(QColor(STATE_COLOUR.get(r.state, "#37474f"))))
        return item

    def _report_item(self, r: MessageRow) -> QTreeWidgetItem:
        text = r.text
        if r.attachment_id is not None:
            mark = self.tr("[video clip]") if r.attachment_kind == "video" else self.tr("[photo]")
            text = f"{text} {mark}".strip()
        elif r.attachment_refused:
            text = f"{text} " + self.tr("[photo refused: %1]").replace("%1", r.attachment_refused)
        item = QTreeWidgetItem(
            [
                local_time(r.t),
                self.tr("%1 → command room").replace("%1", r.call_sign),
                text,
                state_text(r.state),
            ]
        )
        item.setData(0, Qt.ItemDataRole.UserRole, r.message_id)
        item.setData(self.TEXT, Qt.ItemDataRole.UserRole, r.attachment_id)
        item.setToolTip(self.TEXT, text)
        item.setBackground(self.TEXT, QBrush(QColor("#e8f5e9")))
        if r.attachment_id is not None and self.thumb is not None:
            pm = self.thumb(r.attachment_id)
            if pm is not None and not pm.isNull():
                item.setIcon(self.TEXT, QIcon(pm))
        return item

    def refresh_icons(self) -> None:
        """Re-draw the rows (the caller has new thumbnails)."""
        self._fill()

    def _activated(self, item: QTreeWidgetItem, _column: int) -> None:
        aid = item.data(self.TEXT, Qt.ItemDataRole.UserRole)
        if aid is not None:
            self.attachmentRequested.emit(int(aid))


class MessagesPanel(QWidget):
    """The thread of one incident and the box to write to its units, a unit or a station."""

    sent = Signal(dict)  # the hub's reply to a SendMessage

    def __init__(
        self,
        bridge: HubBridge,
        situation: SituationModel | None = None,
        parent: QWidget | None = None,
        *,
        thumb: Callable[[int], QPixmap | None] | None = None,
    ) -> None:
        super().__init__(parent)
        self.bridge = bridge
        self.situation = situation
        self.incident_id: int | None = None
        self.stations: dict[str, str] = {}  # code -> name
        self.sending = False
        self.last_reply: Reply | None = None
        self.thread_view = MessageThread(bridge, self, thumb=thumb)
        self.target_box = QComboBox(self)
        self.target_box.setObjectName("messageTarget")
        self.target_box.currentIndexChanged.connect(lambda _i: self._target_changed())
        self.unit_box = QComboBox(self)
        self.unit_box.setEditable(True)
        self.unit_box.setInsertPolicy(QComboBox.InsertPolicy.NoInsert)
        self.unit_box.setMinimumContentsLength(10)
        self.station_box = QComboBox(self)
        self.station_box.setMinimumContentsLength(10)
        self.text_edit = QPlainTextEdit(self)
        self.text_edit.setObjectName("messageText")
        self.text_edit.setMaximumHeight(64)
        self.text_edit.setTabChangesFocus(True)
        self.send_button = QPushButton(self)
        self.send_button.setObjectName("sendMessage")
        self.send_button.clicked.connect(lambda _c=False: self.send())
        self.send_shortcut = QShortcut(QKeySequence("Ctrl+Return"), self.text_edit)
        self.send_shortcut.setContext(Qt.ShortcutContext.WidgetShortcut)
        self.send_shortcut.activated.connect(self.send)
        self.result_label = QLabel(self)
        self.result_label.setWordWrap(True)
        self.result_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.result_label.hide()
        to_row = QHBoxLayout()
        self.to_label = QLabel(self)
        to_row.addWidget(self.to_label)
        to_row.addWidget(self.target_box)
        to_row.addWidget(self.unit_box, 1)
        to_row.addWidget(self.station_box, 1)
        write = QHBoxLayout()
        write.addWidget(self.text_edit, 1)
        write.addWidget(self.send_button, 0, Qt.AlignmentFlag.AlignBottom)
        lay = QVBoxLayout(self)
        lay.setContentsMargins(4, 4, 4, 4)
        lay.addWidget(self.thread_view, 1)
        lay.addLayout(to_row)
        lay.addLayout(write)
        lay.addWidget(self.result_label)
        self.retranslateUi()

    # ------------------------------------------------------------------ texts

    def retranslateUi(self) -> None:
        """Every text (also on LanguageChange)."""
        current = self.target()
        self.target_box.blockSignals(True)
        self.target_box.clear()
        self.target_box.addItem(self.tr("every unit of the incident"), TARGET_INCIDENT)
        self.target_box.addItem(self.tr("one unit"), TARGET_UNIT)
        self.target_box.addItem(self.tr("every unit of a station"), TARGET_STATION)
        self.target_box.setCurrentIndex(max(0, self.target_box.findData(current)))
        self.target_box.blockSignals(False)
        self.to_label.setText(self.tr("To:"))
        self.send_button.setText(self.tr("Send"))
        self.send_button.setToolTip(self.tr("Send to the terminals (Ctrl+Enter)"))
        self.text_edit.setPlaceholderText(
            self.tr("Message to the officers (delivered to their terminals, read receipts)")
        )
        edit = self.unit_box.lineEdit()
        if edit is not None:
            edit.setPlaceholderText(self.tr("call sign"))
        self._target_changed()

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslateUi()
        super().changeEvent(event)

    # ------------------------------------------------------------------ set-up

    def set_district(self, district: StaticDistrict | None) -> None:
        """The stations to write to (code and name)."""
        if district is None:
            return
        self.stations = {str(s["code"]): str(s.get("name", s["code"])) for s in district.stations}
        self.thread_view.station_names = dict(self.stations)
        self.station_box.clear()
        for code, name in sorted(self.stations.items(), key=lambda kv: kv[1]):
            self.station_box.addItem(name, code)

    def set_incident(self, incident_id: int | None) -> None:
        """Write about and show another incident (None: no incident)."""
        self.incident_id = incident_id
        show_message(self.result_label, "")
        self._fill_units()
        self.thread_view.set_incident(incident_id)
        self._target_changed()

    def _fill_units(self) -> None:
        """Call signs to pick from: the incident's units first, then every other."""
        typed = self.unit_box.currentText()
        first: list[str] = []
        if self.situation is not None and self.incident_id is not None:
            inc = self.situation.incidents.get(self.incident_id)
            first = list(inc.units) if inc is not None else []
        rest = sorted(self.situation.call_signs) if self.situation is not None else []
        self.unit_box.clear()
        self.unit_box.addItems(first + [cs for cs in rest if cs not in first])
        self.unit_box.setCurrentText(typed or (first[0] if first else ""))

    def target(self) -> str:
        """incident | unit | station."""
        return str(self.target_box.currentData() or TARGET_INCIDENT)

    def set_target(self, target: str, value: str = "") -> None:
        """Address the next message: the incident's units, one unit, a station."""
        k = self.target_box.findData(target)
        if k < 0:
            raise ValueError(f"unknown message target {target!r}")
        self.target_box.setCurrentIndex(k)
        if target == TARGET_UNIT and value:
            if self.unit_box.findText(value) < 0:
                self._fill_units()
            self.unit_box.setCurrentText(value)
        elif target == TARGET_STATION and value:
            self.station_box.setCurrentIndex(max(0, self.station_box.findData(value)))
        self._target_changed()

    def _target_changed(self) -> None:
        t = self.target()
        self.unit_box.setVisible(t == TARGET_UNIT)
        self.station_box.setVisible(t == TARGET_STATION)
        model = self.target_box.model()
        item = model.item(0) if isinstance(model, QStandardItemModel) else None
        if item is not None:
            item.setEnabled(self.incident_id is not None)
        if t == TARGET_INCIDENT and self.incident_id is None:
            self.target_box.setCurrentIndex(self.target_box.findData(TARGET_UNIT))
        self.send_button.setEnabled(not self.sending)

    # ------------------------------------------------------------------ sending

    def command(self, text: str) -> SendMessage:
        """The SendMessage the box describes; ValueError says what is missing."""
        text = text.strip()
        if not text:
            raise ValueError(self.tr("Write a message first."))
        if len(text) > MAX_TEXT:
            raise ValueError(
                self.tr("The message is too long (%1 characters, at most %2).")
                .replace("%1", str(len(text)))
                .replace("%2", str(MAX_TEXT))
            )
        t = self.target()
        if t == TARGET_INCIDENT:
            if self.incident_id is None:
                raise ValueError(self.tr("Select an incident first."))
            return SendMessage(text=text, to_incident=self.incident_id)
        if t == TARGET_UNIT:
            cs = self.unit_box.currentText().strip()
            if not cs:
                raise ValueError(self.tr("Name the unit (call sign)."))
            return SendMessage(text=text, to_unit=cs, incident_id=self.incident_id)
        code = str(self.station_box.currentData() or "")
        if not code:
            raise ValueError(self.tr("Choose a station."))
        return SendMessage(text=text, to_station=code, incident_id=self.incident_id)

    def send(self, text: str | None = None) -> bool:
        """Send the message in the box (or ``text``); False when nothing was sent."""
        if self.sending:
            return False
        try:
            cmd = self.command(self.text_edit.toPlainText() if text is None else text)
        except ValueError as exc:
            show_message(self.result_label, str(exc))
            return False
        self.sending = True
        self.send_button.setEnabled(False)
        self.bridge.call(cmd, self._on_sent)
        return True

    def _on_sent(self, reply: Reply) -> None:
        self.sending = False
        self.send_button.setEnabled(True)
        self.last_reply = reply
        if not reply.ok or not isinstance(reply.result, dict):
            show_message(self.result_label, refused_text(reply.error or repr(reply.result)))
            return
        res = reply.result
        self.text_edit.clear()
        recipients = [str(x) for x in res.get("recipients", [])]
        without = [str(x) for x in res.get("without_terminal", [])]
        text = self.tr("Sent to %1.").replace("%1", ", ".join(recipients[:12]))
        if len(recipients) > 12:
            text = self.tr("Sent to %1 units.").replace("%1", str(len(recipients)))
        if without:
            text += " " + self.tr("No terminal: %1 — reach them by radio or phone.").replace(
                "%1", ", ".join(without[:20])
            )
        show_message(self.result_label, text, error=bool(without))
        if self.incident_id is None:
            self.thread_view.set_group(str(res.get("group_id", "")))
        else:
            self.thread_view.load()
        self.sent.emit(dict(res))


class MessageDialog(QDialog):
    """The messages panel on its own: "send a message" on a unit of the unit board."""

    def __init__(
        self,
        bridge: HubBridge,
        situation: SituationModel | None,
        call_sign: str,
        *,
        district: StaticDistrict | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.call_sign = call_sign
        self.panel = MessagesPanel(bridge, situation, self)
        self.panel.set_district(district)
        unit = situation.unit_by_call_sign(call_sign) if situation is not None else None
        self.panel.set_incident(unit.incident_id if unit is not None else None)
        self.panel.set_target(TARGET_UNIT, call_sign)
        lay = QVBoxLayout(self)
        lay.addWidget(self.panel)
        self.resize(620, 420)
        self.retranslateUi()

    def retranslateUi(self) -> None:
        """Every text (also on LanguageChange)."""
        self.setWindowTitle(self.tr("Message to %1").replace("%1", self.call_sign))

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslateUi()
        super().changeEvent(event)
