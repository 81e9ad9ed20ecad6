"""The terminal's smaller parts: the action bar of big buttons, the status strip, the banner,
the messages list, and the reject / finish dialogs.

Buttons show only what the order's state allows (new: acknowledge, accept, reject;
accepted: arrived; on scene: finished, photo, video), so the next step is always
the big one under the officer's thumb.  Dialogs are opened, not executed: the
window stays live (a new order can still ring) while the officer types a reason.
"""

from __future__ import annotations

import time

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtGui import QAction, QFont, QMouseEvent
from PySide6.QtWidgets import (
    QButtonGroup,
    QDialog,
    QDialogButtonBox,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QMenu,
    QPushButton,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from console.terminal.localstore import LocalMessage
from widgets.terminal.texts import OUTCOMES, REJECT_REASONS, say

ACTIONS = ("ack", "accept", "reject", "arrived", "finish", "photo", "video")
SHOWN: dict[str, tuple[str, ...]] = {
    "new": ("ack", "accept", "reject"),
    "read": ("accept", "reject"),
    "accepted": ("arrived", "photo", "reject"),
    "arrived": ("finish", "photo", "video"),
}
"""Which buttons an order's state shows, the next step first (biggest, coloured)."""
STATUS_CHOICES: tuple[tuple[str, str], ...] = (
    ("available", "available"),
    ("busy", "on_scene"),
    ("off_duty", "off_duty"),
)
"""The status menu: (text key, status on the wire)."""
COLOURS = {
    "ack": "#1565c0",
    "accept": "#2e7d32",
    "reject": "#757575",
    "arrived": "#2e7d32",
    "finish": "#1565c0",
    "photo": "#5d4037",
    "video": "#5d4037",
}


def _big(widget: QWidget, factor: float) -> None:
    f = QFont(widget.font())
    f.setPointSizeF(max(f.pointSizeF() * factor, 11.0))
    f.setBold(True)
    widget.setFont(f)


class ActionBar(QWidget):
    """The big buttons; ``triggered(action)`` when one is pressed."""

    triggered = Signal(str)

    def __init__(self, lang: str = "zh", compact: bool = False, parent: QWidget | None = None):
        super().__init__(parent)
        self.lang = lang
        self.buttons: dict[str, QPushButton] = {}
        row = QHBoxLayout(self)
        row.setContentsMargins(6, 6, 6, 6)
        row.setSpacing(8)
        for a in ACTIONS:
            b = QPushButton(say(a, lang))
            b.setObjectName(f"action_{a}")
            b.setMinimumHeight(72 if compact else 84)
            b.setMinimumWidth(10)
            _big(b, 1.6 if compact else 1.8)
            b.clicked.connect(lambda _=False, a=a: self.triggered.emit(a))
            row.addWidget(b, 1)
            self.buttons[a] = b
        self.show_for("")

    def show_for(self, state: str) -> None:
        """Show the buttons of ``state``; the first is the next step (filled colour)."""
        shown = SHOWN.get(state, ())
        for a, b in self.buttons.items():
            b.setVisible(a in shown)
            lead = bool(shown) and a == shown[0]
            c = COLOURS[a]
            b.setStyleSheet(
                f"QPushButton{{background:{c};color:white;border-radius:10px;border:none}}"
                if lead
                else f"QPushButton{{background:white;color:{c};border:3px solid {c};"
                "border-radius:10px}"
            )
        self.setVisible(bool(shown))


class StatusStrip(QWidget):
    """Unit, link state, reports waiting for the network, duty status, language."""

    status_chosen = Signal(str)
    language_toggled = Signal()
    copy_requested = Signal()

    def __init__(self, lang: str = "zh", compact: bool = False, parent: QWidget | None = None):
        super().__init__(parent)
        self.lang = lang
        self.setObjectName("status_strip")
        self.setAttribute(Qt.WidgetAttribute.WA_StyledBackground, True)
        self.setStyleSheet(
            "#status_strip{background:#263238} QLabel{color:white}"
            " QToolButton{color:white;background:#37474f;border:1px solid #546e7a;"
            "border-radius:6px;padding:4px 10px}"
        )
        row = QHBoxLayout(self)
        row.setContentsMargins(10, 4, 6, 4)
        self.unit = QLabel("-")
        _big(self.unit, 1.3)
        self.link = QLabel(say("connecting", lang))
        self.queue = QLabel("")
        self.queue.setObjectName("queue")
        self.chosen = ""
        """The duty status last chosen here (wire value), "" before any."""
        self.status = QToolButton()
        self.status.setText(say("status", lang))
        self.status.setPopupMode(QToolButton.ToolButtonPopupMode.InstantPopup)
        self.status.setMinimumHeight(40)
        menu = QMenu(self.status)
        self.status_actions: dict[str, QAction] = {}
        for key, wire in STATUS_CHOICES:
            act = menu.addAction(say(key, lang))
            act.setCheckable(True)
            act.triggered.connect(lambda _=False, w=wire: self.choose_status(w))
            self.status_actions[wire] = act
        self.status.setMenu(menu)
        self.lang_button = QToolButton()
        self.lang_button.setText(say("lang", lang))
        self.lang_button.setMinimumHeight(40)
        self.lang_button.clicked.connect(self.language_toggled.emit)
        row.addWidget(self.unit)
        row.addSpacing(8)
        row.addWidget(self.link)
        row.addSpacing(8)
        row.addWidget(self.queue, 1)
        row.addWidget(self.status)
        row.addWidget(self.lang_button)

    def set_unit(self, unit: str) -> None:
        self.unit.setText(unit)

    def choose_status(self, wire: str) -> None:
        """The officer picked a duty status in the menu: show it and ask for it."""
        self.show_status(wire)
        self.status_chosen.emit(wire)

    def show_status(self, wire: str) -> None:
        """Show the chosen duty status on the button and tick it in the menu."""
        self.chosen = wire
        key = next((k for k, w in STATUS_CHOICES if w == wire), "")
        self.status.setText(say(key, self.lang) if key else say("status", self.lang))
        self.status.setToolTip(f"{say('status', self.lang)}: {say(key, self.lang)}" if key else "")
        for w, act in self.status_actions.items():
            act.setChecked(w == wire)

    def set_link(self, connected: bool, waiting: int) -> None:
        dot = "#66bb6a" if connected else "#ef5350"
        word = say("online" if connected else "offline", self.lang)
        self.link.setText(f"<span style='color:{dot}'>●</span> {word}")
        if waiting:
            self.queue.setText(
                f"<span style='color:#ffb74d;font-weight:bold'>"
                f"{say('waiting', self.lang, n=waiting)}</span>"
            )
        else:
            self.queue.setText("")
        self.queue.setToolTip(say("waiting", self.lang, n=waiting) if waiting else "")


class Banner(QLabel):
    """The unmistakable line across the top: flashing red for a new order until it is
    acknowledged, amber for an update or a message (for a few seconds); ``tapped`` when
    the officer touches it."""

    tapped = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.setWordWrap(True)
        self.setMinimumHeight(56)
        _big(self, 1.7)
        self._flash = QTimer(self)
        self._flash.timeout.connect(self._toggle)
        self._hide = QTimer(self)
        self._hide.setSingleShot(True)
        self._hide.timeout.connect(self.clear_banner)
        self._on = False
        self.kind = ""
        self.hide()

    def mousePressEvent(self, event: QMouseEvent) -> None:
        self.tapped.emit()
        super().mousePressEvent(event)

    def alarm(self, text: str) -> None:
        """Red, flashing, until :meth:`clear_banner` (the officer acknowledged)."""
        self.kind = "alarm"
        self.setText(text)
        self._hide.stop()
        self._flash.start(500)
        self._on = True
        self._paint()
        self.show()

    def notice(self, text: str, seconds: float = 8.0, error: bool = False) -> None:
        if self.kind == "alarm":
            return  # a new order stays on top until acknowledged
        self.kind = "error" if error else "notice"
        self._flash.stop()
        self.setText(text)
        self.setStyleSheet(
            "background:#b71c1c;color:white" if error else "background:#ffb300;color:#212121"
        )
        self.show()
        if not error:
            self._hide.start(int(seconds * 1000))

    def clear_banner(self) -> None:
        self.kind = ""
        self._flash.stop()
        self.hide()

    def _toggle(self) -> None:
        self._on = not self._on
        self._paint()

    def _paint(self) -> None:
        self.setStyleSheet(
            "background:#d50000;color:white" if self._on else "background:#ffffff;color:#d50000"
        )


class MessagesView(QWidget):
    """Messages both ways; tapping an unread one marks it read; a line to write back."""

    read_requested = Signal(str)
    send_requested = Signal(str)

    def __init__(self, lang: str = "zh", parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.lang = lang
        col = QVBoxLayout(self)
        col.setContentsMargins(4, 4, 4, 4)
        self.list = QListWidget()
        self.list.setWordWrap(True)
        f = QFont(self.list.font())
        f.setPointSizeF(max(f.pointSizeF() * 1.5, 13.0))
        self.list.setFont(f)
        self.list.setSpacing(4)
        self.list.itemClicked.connect(self._clicked)
        col.addWidget(self.list, 1)
        row = QHBoxLayout()
        self.edit = QLineEdit()
        self.edit.setPlaceholderText(say("compose", lang))
        self.edit.setMinimumHeight(48)
        ef = QFont(self.edit.font())
        ef.setPointSizeF(max(ef.pointSizeF() * 1.3, 12.0))
        self.edit.setFont(ef)
        self.edit.returnPressed.connect(self._send)
        send = QPushButton(say("send", lang))
        send.setMinimumHeight(48)
        _big(send, 1.2)
        send.clicked.connect(self._send)
        row.addWidget(self.edit, 1)
        row.addWidget(send)
        col.addLayout(row)
        self.unread = 0

    def _send(self) -> None:
        text = self.edit.text().strip()
        if text:
            self.send_requested.emit(text)
            self.edit.clear()

    def _clicked(self, item: QListWidgetItem) -> None:
        mid = item.data(Qt.ItemDataRole.UserRole)
        if mid:
            self.read_requested.emit(str(mid))

    def show_messages(self, messages: list[LocalMessage], pending: set[int]) -> None:
        """``pending``: mids of own reports the hub does not have yet."""
        self.list.clear()
        self.unread = 0
        for m in messages[-200:]:
            when = time.strftime("%H:%M", time.localtime(m.message.t))
            if m.outgoing:
                wait = f" · {say('pending_net', self.lang)}" if m.mid in pending else " ✓"
                clip = " 📷" if m.photo else ""
                item = QListWidgetItem(
                    f"{say('from_me', self.lang)} {when}{wait}\n{m.message.text}{clip}"
                )
                item.setTextAlignment(Qt.AlignmentFlag.AlignRight)
                item.setForeground(Qt.GlobalColor.darkGray)
            else:
                new = m.state != "read"
                self.unread += int(new)
                mark = f"● {say('unread', self.lang)} · " if new else ""
                item = QListWidgetItem(f"{mark}{m.message.sender} {when}\n{m.message.text}")
                if new:
                    f = QFont(self.list.font())
                    f.setBold(True)
                    item.setFont(f)
                    item.setData(Qt.ItemDataRole.UserRole, m.message.message_id)
            self.list.addItem(item)
        self.list.scrollToBottom()


class ReasonDialog(QDialog):
    """A required text with quick choices (a rejection's reason, an order's outcome)."""

    def __init__(self, kind: str, lang: str = "zh", parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.kind = kind
        self.setWindowTitle(say(f"{kind}_title", lang))
        self.setModal(True)
        col = QVBoxLayout(self)
        title = QLabel(say("reject_reason" if kind == "reject" else "finish_outcome", lang))
        _big(title, 1.3)
        col.addWidget(title)
        self.text = QLineEdit()
        self.text.setMinimumHeight(52)
        grid = QGridLayout()
        self.choices = QButtonGroup(self)
        presets = REJECT_REASONS if kind == "reject" else OUTCOMES
        for k, (zh, en) in enumerate(presets):
            b = QPushButton(zh if lang == "zh" else en)
            b.setMinimumHeight(56)
            _big(b, 1.2)
            b.clicked.connect(lambda _=False, t=(zh if lang == "zh" else en): self.text.setText(t))
            self.choices.addButton(b)
            grid.addWidget(b, k // 2, k % 2)
        col.addLayout(grid)
        col.addWidget(self.text)
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        self.buttons.button(QDialogButtonBox.StandardButton.Ok).setText(say("ok", lang))
        self.buttons.button(QDialogButtonBox.StandardButton.Cancel).setText(say("cancel", lang))
        for btn in self.buttons.buttons():
            btn.setMinimumHeight(56)
            _big(btn, 1.2)
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        col.addWidget(self.buttons)
        self.text.textChanged.connect(self._enable)
        self._enable()

    def _enable(self) -> None:
        ok = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        ok.setEnabled(bool(self.text.text().strip()))

    def value(self) -> str:
        return self.text.text().strip()
