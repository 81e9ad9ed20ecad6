"""Administration: console accounts, and terminal enrolment per unit.

Only an administrator's seat opens this dialog, but that is a convenience:
the hub refuses every command here from any other role.  Enrolment asks
where to save the key file *before* asking the hub, because the hub returns
the terminal's secret key exactly once and keeps no copy; the file is
created with mode 0600 and never overwrites an existing key.  If saving
fails anyway, the key text is shown once so it can be copied, and the
administrator should revoke it if it cannot be installed.
"""

from __future__ import annotations

import functools
import os
from pathlib import Path
from typing import Any

from PySide6.QtCore import QEvent, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPlainTextEdit,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from console.config import Config
from console.hub.messages import (
    Command,
    CreateUser,
    EnrollTerminal,
    ListUnits,
    ListUsers,
    Reply,
    ResetPassword,
    RevokeTerminal,
    SetUserDisabled,
    UnlockUser,
)
from console.link.keys import KeyFileError, load_terminal_key
from widgets.bridge import HubBridge
from widgets.panels.common import unit_type_name
from widgets.workflow.common import local_time, refused_text, show_message

ROLES = ("operator", "supervisor", "admin")


def save_key_file(path: Path, text: str) -> None:
    """Create ``path`` with mode 0600 holding ``text``; never overwrite; check it reads back."""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as f:
        f.write(text)
    load_terminal_key(path)


class UserForm(QDialog):
    """A new account: name, display name, role and the password typed twice."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.username_edit = QLineEdit(self)
        self.display_edit = QLineEdit(self)
        self.role_box = QComboBox(self)
        self.password_edit = QLineEdit(self)
        self.password_edit.setEchoMode(QLineEdit.EchoMode.Password)
        self.again_edit = QLineEdit(self)
        self.again_edit.setEchoMode(QLineEdit.EchoMode.Password)
        self.message_label = QLabel(self)
        self.message_label.hide()
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel, self
        )
        self.buttons.accepted.connect(self._check)
        self.buttons.rejected.connect(self.reject)
        self.form = QFormLayout()
        self._labels = [QLabel(self) for _ in range(5)]
        for lab, field in zip(
            self._labels,
            (
                self.username_edit,
                self.display_edit,
                self.role_box,
                self.password_edit,
                self.again_edit,
            ),
            strict=True,
        ):
            self.form.addRow(lab, field)
        lay = QVBoxLayout(self)
        lay.addLayout(self.form)
        lay.addWidget(self.message_label)
        lay.addWidget(self.buttons)
        self.setWindowTitle(self.tr("New user"))
        for lab, text in zip(
            self._labels,
            (
                self.tr("User name"),
                self.tr("Display name"),
                self.tr("Role"),
                self.tr("Password"),
                self.tr("Password again"),
            ),
            strict=True,
        ):
            lab.setText(text)
        for role in ROLES:
            self.role_box.addItem(role_text(role), role)

    def _check(self) -> None:
        if not self.username_edit.text().strip():
            show_message(self.message_label, self.tr("Enter a user name."))
        elif self.password_edit.text() != self.again_edit.text():
            show_message(self.message_label, self.tr("The passwords differ."))
        else:
            self.accept()


def role_text(role: str) -> str:
    """A role in the interface language."""
    from PySide6.QtCore import QCoreApplication

    names = {
        "operator": QCoreApplication.translate("AdminDialog", "operator"),
        "supervisor": QCoreApplication.translate("AdminDialog", "supervisor"),
        "admin": QCoreApplication.translate("AdminDialog", "administrator"),
    }
    return names.get(role, role)


class AdminDialog(QDialog):
    """Users and terminals tabs; every action is a hub command (admin role only)."""

    loaded = Signal()
    enrolled = Signal(str, str)  # call sign, key file path
    revoked = Signal(list)  # public keys revoked
    done_action = Signal(str)  # the message shown after a successful action

    def __init__(
        self, bridge: HubBridge, parent: QWidget | None = None, *, config: Config | None = None
    ) -> None:
        super().__init__(parent)
        self.setObjectName("AdminDialog")
        self.bridge = bridge
        self.config = config  # for unit type names; without it the keys are shown
        self.users: list[dict[str, Any]] = []
        self.units: list[dict[str, Any]] = []
        self._pending_loads = 0
        self.tabs = QTabWidget(self)
        # users
        self.users_page = QWidget(self)
        self.users_table = QTableWidget(0, 5, self.users_page)
        self.new_user_button = QPushButton(self.users_page)
        self.new_user_button.clicked.connect(lambda: self.new_user())
        self.toggle_user_button = QPushButton(self.users_page)
        self.toggle_user_button.clicked.connect(lambda: self.toggle_selected_user())
        self.reset_button = QPushButton(self.users_page)
        self.reset_button.clicked.connect(lambda: self.reset_selected_password())
        self.unlock_button = QPushButton(self.users_page)
        self.unlock_button.clicked.connect(lambda: self.unlock_selected_user())
        ub = QHBoxLayout()
        for b in (
            self.new_user_button,
            self.toggle_user_button,
            self.reset_button,
            self.unlock_button,
        ):
            ub.addWidget(b)
        ub.addStretch(1)
        ul = QVBoxLayout(self.users_page)
        ul.addWidget(self.users_table)
        ul.addLayout(ub)
        # terminals
        self.units_page = QWidget(self)
        self.units_table = QTableWidget(0, 4, self.units_page)
        self.endpoint_edit = QLineEdit(self.units_page)
        self.enroll_button = QPushButton(self.units_page)
        self.enroll_button.clicked.connect(lambda: self.enroll_selected())
        self.revoke_button = QPushButton(self.units_page)
        self.revoke_button.clicked.connect(lambda: self.revoke_selected())
        self.endpoint_label = QLabel(self.units_page)
        tb = QHBoxLayout()
        tb.addWidget(self.endpoint_label)
        tb.addWidget(self.endpoint_edit, 1)
        tb.addWidget(self.enroll_button)
        tb.addWidget(self.revoke_button)
        tl = QVBoxLayout(self.units_page)
        tl.addWidget(self.units_table)
        tl.addLayout(tb)
        for table in (self.users_table, self.units_table):
            table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
            table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
            table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
            table.verticalHeader().hide()
            table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
            table.horizontalHeader().setStretchLastSection(True)
        self.tabs.addTab(self.users_page, "")
        self.tabs.addTab(self.units_page, "")
        self.message_label = QLabel(self)
        self.message_label.setWordWrap(True)
        self.message_label.hide()
        self.key_text = QPlainTextEdit(self)  # shown only when a key could not be saved
        self.key_text.setReadOnly(True)
        self.key_text.hide()
        self.close_button = QPushButton(self)
        self.close_button.clicked.connect(self.accept)
        bottom = QHBoxLayout()
        bottom.addStretch(1)
        bottom.addWidget(self.close_button)
        lay = QVBoxLayout(self)
        lay.addWidget(self.tabs)
        lay.addWidget(self.message_label)
        lay.addWidget(self.key_text)
        lay.addLayout(bottom)
        self.resize(760, 520)
        self.retranslateUi()

    # ------------------------------------------------------------------ texts

    def retranslateUi(self) -> None:
        self.setWindowTitle(self.tr("Administration"))
        self.tabs.setTabText(0, self.tr("Users"))
        self.tabs.setTabText(1, self.tr("Units and terminals"))
        self.users_table.setHorizontalHeaderLabels(
            [
                self.tr("User name"),
                self.tr("Display name"),
                self.tr("Role"),
                self.tr("State"),
                self.tr("Created"),
            ]
        )
        self.units_table.setHorizontalHeaderLabels(
            [self.tr("Call sign"), self.tr("Type"), self.tr("Terminal"), self.tr("Keys")]
        )
        self.new_user_button.setText(self.tr("New user…"))
        self.toggle_user_button.setText(self.tr("Disable / enable"))
        self.reset_button.setText(self.tr("Reset password…"))
        self.unlock_button.setText(self.tr("Unlock"))
        self.unlock_button.setToolTip(
            self.tr("Unlock an account locked by failed sign-ins (recorded in the audit log)")
        )
        self.endpoint_label.setText(self.tr("Hub address for the key file"))
        self.endpoint_edit.setPlaceholderText(self.tr("optional, e.g. tcp://hub.example:5555"))
        self.enroll_button.setText(self.tr("Enrol terminal…"))
        self.revoke_button.setText(self.tr("Revoke terminal"))
        self.close_button.setText(self.tr("Close"))
        self._fill_users()
        self._fill_units()

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslateUi()
        super().changeEvent(event)

    # ------------------------------------------------------------------- load

    def load(self) -> None:
        """Fetch users and units from the hub."""
        self._pending_loads = 2
        self.bridge.call(ListUsers(), self._on_users)
        self.bridge.call(ListUnits(), self._on_units)

    def _loaded_one(self) -> None:
        self._pending_loads = max(0, self._pending_loads - 1)
        if self._pending_loads == 0:
            self.loaded.emit()

    def _on_users(self, reply: Reply) -> None:
        if reply.ok and isinstance(reply.result, list):
            self.users = [u for u in reply.result if isinstance(u, dict)]
            self._fill_users()
        elif not reply.ok:
            show_message(self.message_label, refused_text(reply.error))
        self._loaded_one()

    def _on_units(self, reply: Reply) -> None:
        if reply.ok and isinstance(reply.result, list):
            self.units = [u for u in reply.result if isinstance(u, dict)]
            self._fill_units()
        elif not reply.ok:
            show_message(self.message_label, refused_text(reply.error))
        self._loaded_one()

    def _fill_users(self) -> None:
        t = self.users_table
        t.setRowCount(len(self.users))
        for r, u in enumerate(self.users):
            state = self.tr("disabled") if u.get("disabled") else self.tr("active")
            if u.get("locked"):
                state += ", " + self.tr("locked (failed sign-ins)")
            created = u.get("created_at")
            cells = [
                str(u.get("username", "")),
                str(u.get("display_name", "")),
                role_text(str(u.get("role", ""))),
                state,
                local_time(float(created), with_date=True)
                if isinstance(created, int | float)
                else "",
            ]
            for c, text in enumerate(cells):
                t.setItem(r, c, QTableWidgetItem(text))

    def _fill_units(self) -> None:
        t = self.units_table
        t.setRowCount(len(self.units))
        for r, u in enumerate(self.units):
            terms = [k for k in u.get("terminals", []) if isinstance(k, dict)]
            live = [k for k in terms if k.get("revoked_at") is None]
            if live:
                state = self.tr("enrolled")
            elif terms:
                state = self.tr("revoked")
            else:
                state = self.tr("none")
            keys = ", ".join(
                str(k.get("public_key", ""))[:8]
                + "…"
                + ("" if k.get("revoked_at") is None else " " + self.tr("(revoked)"))
                for k in terms
            )
            kind = str(u.get("unit_type", ""))
            if self.config is not None:
                kind = unit_type_name(self.config, kind)
            cells = [str(u.get("call_sign", "")), kind, state, keys]
            for c, text in enumerate(cells):
                t.setItem(r, c, QTableWidgetItem(text))

    # ------------------------------------------------------------------ users

    def selected_user(self) -> str | None:
        rows = self.users_table.selectionModel().selectedRows()
        if not rows or rows[0].row() >= len(self.users):
            return None
        return str(self.users[rows[0].row()].get("username", "")) or None

    def select_user(self, username: str) -> bool:
        for r, u in enumerate(self.users):
            if u.get("username") == username:
                self.users_table.selectRow(r)
                return True
        return False

    def new_user(
        self,
        username: str | None = None,
        display_name: str = "",
        role: str = "operator",
        password: str | None = None,
    ) -> bool:
        """Create an account (asks in a form when no name is given); True when sent."""
        if username is None or password is None:
            form = UserForm(self)
            if form.exec() != QDialog.DialogCode.Accepted:
                return False
            username = form.username_edit.text().strip()
            display_name = form.display_edit.text().strip()
            role = str(form.role_box.currentData())
            password = form.password_edit.text()
        cmd = CreateUser(
            username=username, display_name=display_name or username, password=password, role=role
        )
        self._send(cmd, self.tr("User %1 created.").replace("%1", username))
        return True

    def toggle_selected_user(self) -> bool:
        """Disable an active account or enable a disabled one."""
        name = self.selected_user()
        if name is None:
            show_message(self.message_label, self.tr("Select a user first."))
            return False
        user = next(u for u in self.users if u.get("username") == name)
        disable = not user.get("disabled")
        text = self.tr("User %1 disabled.") if disable else self.tr("User %1 enabled.")
        self._send(SetUserDisabled(username=name, disabled=disable), text.replace("%1", name))
        return True

    def unlock_selected_user(self) -> bool:
        """Unlock the selected account after failed sign-ins (the hub allows administrators
        only and audits it); True when sent."""
        name = self.selected_user()
        if name is None:
            show_message(self.message_label, self.tr("Select a user first."))
            return False
        user = next(u for u in self.users if u.get("username") == name)
        if not user.get("locked"):
            show_message(self.message_label, self.tr("%1 is not locked.").replace("%1", name))
            return False
        self._send(UnlockUser(username=name), self.tr("User %1 unlocked.").replace("%1", name))
        return True

    def reset_selected_password(self, password: str | None = None) -> bool:
        """Set a new password for the selected user (asked for twice when not given)."""
        name = self.selected_user()
        if name is None:
            show_message(self.message_label, self.tr("Select a user first."))
            return False
        if password is None:
            form = UserForm(self)
            form.setWindowTitle(self.tr("New password for %1").replace("%1", name))
            form.username_edit.setText(name)
            form.username_edit.setReadOnly(True)
            for w in (form.display_edit, form.role_box):
                form.form.labelForField(w).hide()
                w.hide()
            if form.exec() != QDialog.DialogCode.Accepted:
                return False
            password = form.password_edit.text()
        self._send(
            ResetPassword(username=name, new_password=password),
            self.tr("Password of %1 reset; the user must sign in again.").replace("%1", name),
        )
        return True

    # -------------------------------------------------------------- terminals

    def selected_unit(self) -> str | None:
        rows = self.units_table.selectionModel().selectedRows()
        if not rows or rows[0].row() >= len(self.units):
            return None
        return str(self.units[rows[0].row()].get("call_sign", "")) or None

    def select_unit(self, call_sign: str) -> bool:
        for r, u in enumerate(self.units):
            if u.get("call_sign") == call_sign:
                self.units_table.selectRow(r)
                return True
        return False

    def enroll_selected(self, path: Path | None = None) -> bool:
        """Enrol a terminal for the selected unit and save its key file; True when sent."""
        unit = self.selected_unit()
        if unit is None:
            show_message(self.message_label, self.tr("Select a unit first."))
            return False
        if path is None:
            safe = "".join(c if c.isalnum() or c in "-_" else "_" for c in unit)
            chosen, _ = QFileDialog.getSaveFileName(
                self,
                self.tr("Save the terminal key of %1").replace("%1", unit),
                str(Path.home() / f"{safe}.key"),
                self.tr("Terminal key (*.key)"),
                options=QFileDialog.Option.DontConfirmOverwrite,
            )
            if not chosen:
                return False
            path = Path(chosen)
        if path.exists():
            show_message(
                self.message_label,
                self.tr(
                    "%1 exists; a terminal key is never overwritten. Choose a new file."
                ).replace("%1", str(path)),
            )
            return False
        if not path.parent.is_dir():
            show_message(
                self.message_label,
                self.tr("The folder %1 does not exist.").replace("%1", str(path.parent)),
            )
            return False
        self.key_text.clear()
        self.key_text.hide()
        cmd = EnrollTerminal(call_sign=unit, endpoint=self.endpoint_edit.text().strip())
        self.bridge.call(cmd, functools.partial(self._on_enrolled, path=path, unit=unit))
        return True

    def _on_enrolled(self, reply: Reply, path: Path, unit: str) -> None:
        if not reply.ok:
            show_message(self.message_label, refused_text(reply.error))
            return
        result = reply.result if isinstance(reply.result, dict) else {}
        text = str(result.get("key_text", ""))
        try:
            save_key_file(path, text)
        except (OSError, KeyFileError) as exc:
            # the hub keeps no copy: show the key once so it is not lost
            self.key_text.setPlainText(text)
            self.key_text.show()
            show_message(
                self.message_label,
                self.tr(
                    "The key of %1 could not be saved (%2). Copy it below now, or revoke it: "
                    "it is shown only once."
                )
                .replace("%1", unit)
                .replace("%2", str(exc)),
            )
            self.load()
            return
        msg = self.tr(
            "Terminal of %1 enrolled; key saved to %2 (install it on the terminal only; "
            "the command centre keeps no copy)."
        )
        show_message(
            self.message_label, msg.replace("%1", unit).replace("%2", str(path)), error=False
        )
        self.enrolled.emit(unit, str(path))
        self.load()

    def revoke_selected(self, confirm: bool = True) -> bool:
        """Revoke every live key of the selected unit (a lost or stolen terminal)."""
        unit = self.selected_unit()
        if unit is None:
            show_message(self.message_label, self.tr("Select a unit first."))
            return False
        if confirm:
            answer = QMessageBox.question(
                self,
                self.tr("Revoke terminal"),
                self.tr("Revoke every terminal key of %1? It can no longer connect.").replace(
                    "%1", unit
                ),
            )
            if answer != QMessageBox.StandardButton.Yes:
                return False

        def done(reply: Reply) -> None:
            if not reply.ok:
                show_message(self.message_label, refused_text(reply.error))
                return
            keys = [str(k) for k in reply.result] if isinstance(reply.result, list) else []
            text = (
                self.tr("%1 key(s) of %2 revoked.")
                .replace("%1", str(len(keys)))
                .replace("%2", unit)
                if keys
                else self.tr("%1 had no live terminal key.").replace("%1", unit)
            )
            show_message(self.message_label, text, error=False)
            self.revoked.emit(keys)
            self.load()

        self.bridge.call(RevokeTerminal(call_sign=unit), done)
        return True

    # ----------------------------------------------------------------- common

    def _send(self, cmd: Command, ok_text: str) -> None:
        def done(reply: Reply) -> None:
            if not reply.ok:
                show_message(self.message_label, refused_text(reply.error))
                return
            show_message(self.message_label, ok_text, error=False)
            self.done_action.emit(ok_text)
            self.load()

        self.bridge.call(cmd, done)
