"""The administration dialog against a real embedded hub: users, enrolment, revocation, rights."""

from __future__ import annotations

import os
import stat
from pathlib import Path
from typing import Any

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import pytest
from PySide6.QtCore import QSettings

from console.config import Config
from console.hub.client import InprocClient
from console.hub.hub import CommandHub
from console.hub.messages import Login
from console.link.keys import KeyPair, load_terminal_key
from console.link.trust import TrustCache
from tests.conftest import HubFactory
from widgets.bridge import HubBridge
from widgets.main_window import MainWindow
from widgets.workflow.admin import AdminDialog

pytestmark = pytest.mark.qt_log_ignore("This plugin does not support")
WAIT_MS = 15_000
PASSWORD = "correct horse battery"


@pytest.fixture(scope="module")
def hub(module_hub_factory: HubFactory) -> CommandHub:
    h = module_hub_factory()
    h.link_public_key = KeyPair.generate().public
    return h


def _bridge(hub: CommandHub, actor: str, role: str) -> HubBridge:
    b = HubBridge(InprocClient(hub, actor=actor, role=role, workstation="pytest"))
    b.start()
    return b


def _loaded(qtbot: Any, dlg: AdminDialog) -> None:
    with qtbot.waitSignal(dlg.loaded, timeout=WAIT_MS):
        dlg.load()


def test_admin_enrols_a_terminal_and_the_key_file_loads_then_revokes_it(
    qtbot: Any, hub: CommandHub, tmp_path: Path, languages: Any
) -> None:
    bridge = _bridge(hub, "boss", "admin")
    try:
        dlg = AdminDialog(bridge)
        qtbot.addWidget(dlg)
        _loaded(qtbot, dlg)
        assert dlg.units_table.rowCount() == len(hub.district.units)
        call_sign = dlg.units[0]["call_sign"]
        assert dlg.units_table.item(0, 2).text() == "无"
        assert dlg.select_unit(call_sign)
        dlg.endpoint_edit.setText("tcp://hub.example:5555")
        path = tmp_path / "unit.key"
        with qtbot.waitSignal(dlg.enrolled, timeout=WAIT_MS) as sig:
            assert dlg.enroll_selected(path)
        assert sig.args == [call_sign, str(path)]
        assert stat.S_IMODE(path.stat().st_mode) == 0o600
        key = load_terminal_key(path)
        assert key.unit == call_sign and key.hub_public == hub.link_public_key
        assert key.endpoint == "tcp://hub.example:5555"
        assert "密钥已保存" in dlg.message_label.text() and not dlg.key_text.isVisible()
        trust = TrustCache(hub.store)
        trust.refresh(force=True)
        assert trust.get(key.keys.public) is not None
        qtbot.waitUntil(lambda: dlg.units[0]["enrolled"], timeout=WAIT_MS)
        assert dlg.units_table.item(0, 2).text() == "已登记"
        # a second enrolment never overwrites an existing key file
        assert not dlg.enroll_selected(path)
        assert "已存在" in dlg.message_label.text()
        assert dlg.select_unit(call_sign)
        with qtbot.waitSignal(dlg.revoked, timeout=WAIT_MS) as rv:
            assert dlg.revoke_selected(confirm=False)
        assert rv.args == [[key.keys.public]]
        qtbot.waitUntil(lambda: not dlg.units[0]["enrolled"], timeout=WAIT_MS)
        assert dlg.units_table.item(0, 2).text() == "已吊销"
        trust.refresh(force=True)
        assert trust.get(key.keys.public) is None
    finally:
        bridge.close()


def test_admin_creates_disables_and_resets_users(
    qtbot: Any, hub: CommandHub, languages: Any
) -> None:
    bridge = _bridge(hub, "boss", "admin")
    try:
        dlg = AdminDialog(bridge)
        qtbot.addWidget(dlg)
        _loaded(qtbot, dlg)
        with qtbot.waitSignal(dlg.done_action, timeout=WAIT_MS):
            dlg.new_user("op-zhou", "周警官", "operator", PASSWORD)
        qtbot.waitUntil(lambda: any(u["username"] == "op-zhou" for u in dlg.users), timeout=WAIT_MS)
        assert dlg.select_user("op-zhou")
        with qtbot.waitSignal(dlg.done_action, timeout=WAIT_MS):
            assert dlg.toggle_selected_user()
        qtbot.waitUntil(
            lambda: next(u for u in dlg.users if u["username"] == "op-zhou")["disabled"],
            timeout=WAIT_MS,
        )
        assert not InprocClient(hub).call(Login(username="op-zhou", password=PASSWORD)).ok
        assert dlg.select_user("op-zhou")
        with qtbot.waitSignal(dlg.done_action, timeout=WAIT_MS):
            assert dlg.toggle_selected_user()
        assert dlg.select_user("op-zhou")
        assert dlg.reset_selected_password("short")
        qtbot.waitUntil(lambda: "at least" in dlg.message_label.text(), timeout=WAIT_MS)
        assert dlg.select_user("op-zhou")
        with qtbot.waitSignal(dlg.done_action, timeout=WAIT_MS):
            assert dlg.reset_selected_password("a fresh long password")
        assert (
            InprocClient(hub).call(Login(username="op-zhou", password="a fresh long password")).ok
        )
    finally:
        bridge.close()


def test_an_operator_sees_the_hub_refuse_and_the_menu_follows_the_role(
    qtbot: Any, hub: CommandHub, config: Config, tmp_path: Path, languages: Any
) -> None:
    bridge = _bridge(hub, "op-wu", "operator")
    try:
        dlg = AdminDialog(bridge)  # opened anyway (e.g. an old workstation): the hub decides
        qtbot.addWidget(dlg)
        _loaded(qtbot, dlg)
        assert "指挥中心拒绝" in dlg.message_label.text() and "may not" in dlg.message_label.text()
        assert dlg.users == [] and dlg.units == []
        window = MainWindow(
            bridge, config, settings=QSettings(str(tmp_path / "c.ini"), QSettings.Format.IniFormat)
        )
        qtbot.addWidget(window)
        wf = window.workflow
        assert not wf.admin_action.isEnabled() and wf.open_admin() is None
        wf.apply_session({"actor": "boss", "role": "admin", "display_name": "管理员"})
        assert wf.admin_action.isEnabled()
        opened = wf.open_admin()
        assert opened is not None and opened.isVisible()
        wf.apply_session({"actor": "op-wu", "role": "operator", "display_name": "吴"})
        assert not wf.admin_action.isEnabled() and wf.admin_dialog is None
        window.close()
    finally:
        bridge.close()
