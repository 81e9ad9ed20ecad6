"""Unlocking an account locked by failed sign-ins from the administration window (it was
``main.py admin unlock`` only): a real embedded hub, the dialog's Unlock button, the audit
rows it leaves, and the hub refusing the same command from anyone but an administrator."""

from __future__ import annotations

import os
import time
from typing import Any

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import pytest
from PySide6.QtCore import Qt
from sqlalchemy import select

from console.auth import LOCKED, AuthError
from console.hub.client import InprocClient
from console.hub.hub import CommandHub
from console.hub.messages import UnlockUser
from console.store.access_repo import LockoutRepo
from console.store.models import AuditRow
from tests.conftest import HubFactory
from widgets.bridge import HubBridge
from widgets.workflow.admin import AdminDialog

pytestmark = pytest.mark.qt_log_ignore("This plugin does not support")
WAIT_MS = 15_000
PASSWORD = "correct horse battery"


def _lock(hub: CommandHub, username: str) -> None:
    """What ``lockout_failures`` wrong passwords in a row leave in the store."""
    n = hub.auth.settings.lockout_failures
    with hub.store.transaction() as s:
        for _ in range(n):
            LockoutRepo(s).failed(username, time.time(), n)
    with pytest.raises(AuthError, match="locked"):
        hub.auth.login(username, PASSWORD)


def _locked(hub: CommandHub, username: str) -> bool:
    with hub.store.session() as s:
        row = LockoutRepo(s).get(username)
        return row is not None and row.locked_at is not None


def test_an_administrator_unlocks_a_locked_account_from_the_window_and_it_is_audited(
    qtbot: Any, hub_factory: HubFactory
) -> None:
    hub = hub_factory()
    hub.auth.create_user("clerk", "Clerk", PASSWORD, "operator")
    _lock(hub, "clerk")
    assert LOCKED.startswith("too many failed sign-ins")
    bridge = HubBridge(InprocClient(hub, actor="boss", role="admin", workstation="desk-admin"))
    bridge.start()
    try:
        dlg = AdminDialog(bridge)
        qtbot.addWidget(dlg)
        with qtbot.waitSignal(dlg.loaded, timeout=WAIT_MS):
            dlg.load()
        row = next(r for r, u in enumerate(dlg.users) if u["username"] == "clerk")
        assert dlg.users[row]["locked"] is True
        assert "locked" in dlg.users_table.item(row, 3).text()
        assert dlg.unlock_button.text() == "Unlock"
        assert dlg.select_user("clerk")
        with qtbot.waitSignal(dlg.done_action, timeout=WAIT_MS) as sig:
            qtbot.mouseClick(dlg.unlock_button, Qt.MouseButton.LeftButton)
        assert sig.args == ["User clerk unlocked."]
        qtbot.waitUntil(
            lambda: not next(u for u in dlg.users if u["username"] == "clerk")["locked"],
            timeout=WAIT_MS,
        )
        assert not _locked(hub, "clerk")
        # unlocking an account that is not locked sends nothing
        assert dlg.select_user("clerk")
        assert not dlg.unlock_selected_user()
        assert "not locked" in dlg.message_label.text()
    finally:
        bridge.stop()
    # on record: the unlock itself (who, where, that it was locked) and the command
    with hub.store.session() as s:
        rows = s.execute(
            select(AuditRow.actor, AuditRow.workstation, AuditRow.action, AuditRow.payload)
        ).all()
    unlocks = [r for r in rows if r.action == "auth.unlock"]
    assert [(r.actor, r.workstation, r.payload) for r in unlocks] == [
        ("boss", "desk-admin", {"username": "clerk", "was_locked": True})
    ]
    assert any(r.action == "UnlockUser" and r.actor == "boss" for r in rows)
    # and the account signs in again
    assert hub.auth.login("clerk", PASSWORD).username == "clerk"


def test_only_an_administrator_may_unlock_the_hub_refuses_everyone_else(
    hub_factory: HubFactory,
) -> None:
    hub = hub_factory()
    hub.auth.create_user("clerk", "Clerk", PASSWORD, "operator")
    _lock(hub, "clerk")
    for role in ("operator", "supervisor"):
        reply = InprocClient(hub, actor="someone", role=role, workstation="desk").call(
            UnlockUser(username="clerk")
        )
        assert not reply.ok and reply.error, role
        assert _locked(hub, "clerk"), role
    admin = InprocClient(hub, actor="boss", role="admin", workstation="desk")
    missing = admin.call(UnlockUser(username="nobody"))
    assert not missing.ok and "no user 'nobody'" in missing.error
    done = admin.call(UnlockUser(username="clerk"))
    assert done.ok and done.result == {"username": "clerk", "was_locked": True}
    assert not _locked(hub, "clerk")
