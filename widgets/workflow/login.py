"""Sign-in: user name and password, answered by the hub.

The hub gives the same refusal for an unknown user and a wrong password (so
the dialog cannot be used to probe user names); the dialog shows it as is.
On success the session (token, actor, role, display name) is kept in
:attr:`LoginDialog.session` and announced with ``signedIn``.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QEvent, Signal
from PySide6.QtWidgets import (
    QDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from console.hub.messages import Login, Reply
from widgets.bridge import HubBridge
from widgets.workflow.common import show_message

SESSION_KEYS = ("token", "actor", "role", "display_name")


class LoginDialog(QDialog):
    """Ask for user name and password; ``signedIn(session)`` when the hub accepts."""

    signedIn = Signal(object)  # dict with token, actor, role, display_name

    def __init__(self, bridge: HubBridge, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("LoginDialog")
        self.bridge = bridge
        self.session: dict[str, Any] | None = None
        self.pending = False
        self.user_edit = QLineEdit(self)
        self.password_edit = QLineEdit(self)
        self.password_edit.setEchoMode(QLineEdit.EchoMode.Password)
        self.message_label = QLabel(self)
        self.message_label.setWordWrap(True)
        self.message_label.hide()
        self.sign_in_button = QPushButton(self)
        self.sign_in_button.setDefault(True)
        self.sign_in_button.clicked.connect(self.submit)
        self.cancel_button = QPushButton(self)
        self.cancel_button.clicked.connect(self.reject)
        self.password_edit.returnPressed.connect(self.submit)
        self._user_label = QLabel(self)
        self._password_label = QLabel(self)
        form = QFormLayout()
        form.addRow(self._user_label, self.user_edit)
        form.addRow(self._password_label, self.password_edit)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        buttons.addWidget(self.cancel_button)
        buttons.addWidget(self.sign_in_button)
        lay = QVBoxLayout(self)
        lay.addLayout(form)
        lay.addWidget(self.message_label)
        lay.addLayout(buttons)
        self.resize(360, 160)
        self.retranslateUi()

    def retranslateUi(self) -> None:
        """Every text (also on LanguageChange)."""
        self.setWindowTitle(self.tr("Sign in"))
        self._user_label.setText(self.tr("User name"))
        self._password_label.setText(self.tr("Password"))
        self.sign_in_button.setText(self.tr("Sign in"))
        self.cancel_button.setText(self.tr("Cancel"))

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslateUi()
        super().changeEvent(event)

    def submit(self) -> bool:
        """Send Login; False (with a message) when a field is empty or a request is on its way."""
        if self.pending:
            return False
        user = self.user_edit.text().strip()
        if not user or not self.password_edit.text():
            show_message(self.message_label, self.tr("Enter user name and password."))
            return False
        self.pending = True
        self.sign_in_button.setEnabled(False)
        show_message(self.message_label, "")
        self.bridge.call(Login(username=user, password=self.password_edit.text()), self._on_reply)
        return True

    def _on_reply(self, reply: Reply) -> None:
        self.pending = False
        self.sign_in_button.setEnabled(True)
        if not reply.ok:
            self.password_edit.clear()
            self.password_edit.setFocus()
            show_message(self.message_label, reply.error or self.tr("Sign-in failed."))
            return
        result = reply.result if isinstance(reply.result, dict) else {}
        missing = [k for k in SESSION_KEYS if k not in result]
        if missing:
            show_message(
                self.message_label,
                self.tr("Unexpected answer from the command centre (missing %1).").replace(
                    "%1", ", ".join(missing)
                ),
            )
            return
        self.session = {k: result[k] for k in SESSION_KEYS}
        self.password_edit.clear()
        self.signedIn.emit(self.session)
        self.accept()
