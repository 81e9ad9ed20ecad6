"""The alerts board offers an escalation's proposed unit to supervisors, asks, sends
ReassignOrder and shows what the hub answered.

A real hub (no simulation, no virtual terminals: nobody acknowledges) with its clock held
still and moved past the acknowledgement deadline, so the hub's own timer raises the alert
that every board receives through a real ``HubBridge``.
"""

from __future__ import annotations

import os
import time
from collections.abc import Iterator
from typing import Any

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import pytest
from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import QApplication, QMessageBox

from console.config import Config
from console.hub.client import InprocClient
from console.hub.hub import CommandHub
from console.hub.messages import ApprovePlan, CreateIncident, SetUnitStatus
from console.store import repos
from tests.conftest import FrozenClock, HubFactory
from widgets.app import choose_cjk_font
from widgets.bridge import HubBridge
from widgets.i18n import LanguageManager
from widgets.workflow.alerts import AlertsBoard

pytestmark = pytest.mark.qt_log_ignore("This plugin does not support")
WAIT_MS = 15_000
SCENE = (121.4737, 31.2304)


@pytest.fixture
def hub(hub_factory: HubFactory) -> CommandHub:
    """A hub per test: escalations of an earlier test would ring on this test's boards."""
    h = hub_factory(clock=FrozenClock(time.time()))  # now, held still: moved past deadlines
    h.virtual.on_order = lambda *a: None  # type: ignore[method-assign]  # nobody acknowledges
    return h


@pytest.fixture
def languages(qapp: QApplication) -> Iterator[LanguageManager]:
    before = qapp.font()  # the app font is process-wide: later windows must not inherit it
    family = choose_cjk_font()
    if family:
        qapp.setFont(family)
    lm = LanguageManager(qapp)
    lm.set_language("zh_CN")
    yield lm
    lm.set_language("en")
    qapp.setFont(before)


def _bridge(hub: CommandHub, actor: str, role: str) -> HubBridge:
    b = HubBridge(InprocClient(hub, actor=actor, role=role, workstation=f"ws-{actor}"))
    b.start()
    return b


def _board(qtbot: Any, bridge: HubBridge, config: Config) -> AlertsBoard:
    board = AlertsBoard(bridge, config=config)
    qtbot.addWidget(board)
    board.resize(980, 250)
    board.show()
    return board


def _escalate(hub: CommandHub, incident_type: str = "theft") -> int:
    """An incident whose only order goes unacknowledged past the deadline; its id."""
    sup = InprocClient(hub, actor="sup-he", role="supervisor")
    r = sup.call(CreateIncident(incident_type=incident_type, lon=SCENE[0], lat=SCENE[1]))
    assert r.ok, r.error
    assert sup.call(ApprovePlan(plan_id=r.result["plan_id"])).ok
    clock = hub.clock
    assert isinstance(clock, FrozenClock)
    clock.advance(hub.config.orders.ack_deadline_seconds + 1)
    return int(r.result["incident_id"])


def _orders(hub: CommandHub, incident_id: int) -> dict[str, tuple[str, str]]:
    with hub.store.session() as s:
        return {
            o.id: (str(o.body["call_sign"]), o.state)
            for o in repos.OrderRepo(s).for_incident(incident_id)
        }


def _answer_confirmation(answer: QMessageBox.StandardButton) -> list[str]:
    """Press ``answer`` in the confirmation box as soon as it is up; returns its text."""
    seen: list[str] = []
    timer = QTimer(QApplication.instance())  # parented: lives until it has answered

    def press() -> None:
        box = QApplication.activeModalWidget()
        if isinstance(box, QMessageBox):
            timer.stop()
            timer.deleteLater()
            seen.append(box.text())
            box.button(answer).click()

    timer.timeout.connect(press)
    timer.start(20)
    return seen


def test_only_a_supervisor_is_offered_the_proposal(
    qtbot: Any, hub: CommandHub, config: Config, languages: Any
) -> None:
    op_bridge, sup_bridge = _bridge(hub, "op-sun", "operator"), _bridge(hub, "sup-li", "supervisor")
    try:
        op_board = _board(qtbot, op_bridge, config)
        sup_board = _board(qtbot, sup_bridge, config)
        iid = _escalate(hub)
        for board in (op_board, sup_board):  # (other tests' escalations may ring too)
            qtbot.waitUntil(
                lambda b=board: (a := b.proposal_alert()) is not None and a.incident_id == iid,
                timeout=WAIT_MS,
            )
        alert = sup_board.proposal_alert()
        assert alert is not None and alert.proposal is not None and alert.incident_id == iid
        p = alert.proposal
        for board in (op_board, sup_board):
            assert not board.proposal_bar.isHidden()
            text = board.proposal_label.text()
            assert f"改派 {p.call_sign}" in text and p.replaces in text and f"#{iid}" in text
            assert "巡逻" in text or "步巡" in text  # the unit type, named in Chinese
        # the operator sees the proposal but not the buttons; the supervisor both
        assert op_board.reassign_button.isHidden() and op_board.dismiss_button.isHidden()
        assert not sup_board.reassign_button.isHidden()
        assert sup_board.reassign_button.text() == f"改派 {p.call_sign}…"
        assert sup_board.dismiss_button.text() == "驳回建议"
        # the hub allows supervisors only, so an administrator's seat is not offered it either
        sup_board.set_role("admin")
        assert sup_board.reassign_button.isHidden()
        sup_board.set_role(None)  # back to the client's role
        assert not sup_board.reassign_button.isHidden()
        # an operator's board cannot slip the command through either
        assert op_board.reassign(alert.alert_id, confirm=False)
        qtbot.waitUntil(lambda: op_board.last_result is not None, timeout=WAIT_MS)
        assert "may not ReassignOrder" in op_board.message_label.text()
        assert "指挥中心拒绝" in op_board.message_label.text()
        assert [st for _, st in _orders(hub, iid).values()] == ["pending"]
    finally:
        op_bridge.close()
        sup_bridge.close()


def test_supervisor_reassigns_after_confirming_and_sees_the_outcome(
    qtbot: Any, hub: CommandHub, config: Config, languages: Any
) -> None:
    sup_bridge, op_bridge = _bridge(hub, "sup-li", "supervisor"), _bridge(hub, "op-sun", "operator")
    op = InprocClient(hub, actor="op-sun", role="operator")
    try:
        board = _board(qtbot, sup_bridge, config)
        watcher = _board(qtbot, op_bridge, config)
        iid = _escalate(hub)
        qtbot.waitUntil(
            lambda: (a := board.proposal_alert()) is not None and a.incident_id == iid,
            timeout=WAIT_MS,
        )
        alert = board.proposal_alert()
        assert alert is not None and alert.proposal is not None
        p, aid = alert.proposal, alert.alert_id
        before = _orders(hub, iid)

        # the proposed unit went off duty meanwhile: the hub's refusal is shown as it is
        assert op.call(SetUnitStatus(call_sign=p.call_sign, status="off_duty")).ok
        seen = _answer_confirmation(QMessageBox.StandardButton.Yes)
        qtbot.mouseClick(board.reassign_button, Qt.MouseButton.LeftButton)
        qtbot.waitUntil(lambda: board.last_result is not None, timeout=WAIT_MS)
        assert seen and p.replaces in seen[0] and p.call_sign in seen[0] and f"#{iid}" in seen[0]
        assert board.last_result is not None and not board.last_result.ok
        assert f"{p.call_sign} is not available" in board.message_label.text()
        assert board.reassign_button.isEnabled() and _orders(hub, iid) == before

        # back on duty; the first time the supervisor thinks better of it: nothing is sent
        assert op.call(SetUnitStatus(call_sign=p.call_sign, status="available")).ok
        board.last_result = None
        _answer_confirmation(QMessageBox.StandardButton.No)
        qtbot.mouseClick(board.reassign_button, Qt.MouseButton.LeftButton)
        assert board.last_result is None and not board.deciding and _orders(hub, iid) == before

        _answer_confirmation(QMessageBox.StandardButton.Yes)
        qtbot.mouseClick(board.reassign_button, Qt.MouseButton.LeftButton)
        qtbot.waitUntil(lambda: board.last_result is not None, timeout=WAIT_MS)
        assert board.last_result is not None and board.last_result.ok
        new_id = board.last_result.result["order_id"]
        assert f"已改派 {p.call_sign} 接替 {p.replaces}" in board.message_label.text()
        after = _orders(hub, iid)
        assert after[p.order_id] == (p.replaces, "cancelled")
        assert after[new_id] == (p.call_sign, "pending") and len(after) == len(before) + 1

        # every board shows the decision; nobody is offered the proposal again
        for b in (board, watcher):
            qtbot.waitUntil(lambda b=b: b.alerts[aid].decision is not None, timeout=WAIT_MS)
            decided = b.alerts[aid]
            assert decided.acked_by == "sup-li" and decided.decision is not None
            assert decided.decision.call_sign == p.call_sign
        row = next(
            r
            for r in range(watcher.table.rowCount())
            if (a := watcher.alert_at(r)) is not None and a.alert_id == aid
        )
        assert watcher.table.item(row, watcher.ACKED).text() == f"sup-li: 改派 {p.call_sign}"
        watcher.table.selectRow(row)
        assert watcher.proposal_label.text().startswith("sup-li 已于")
        assert f"改派 {p.call_sign} 接替 {p.replaces}" in watcher.proposal_label.text()
        assert watcher.reassign_button.isHidden()
        assert board.reassign(aid, confirm=False) is False  # decided: nothing to send
    finally:
        sup_bridge.close()
        op_bridge.close()


def test_chronology_words_reassignment_and_dismissal(qapp: object) -> None:
    from PySide6.QtCore import QCoreApplication, QTranslator

    from widgets.i18n import qm_path
    from widgets.workflow.chronology import step_text

    moved = {"from": "人广-3-1", "to": "淮海-2-1", "order_id": "x"}
    dismissed = {"proposed": "淮海-2-1", "reason": "该组正在处置"}
    assert step_text("reassigned", moved) == "Reassigned: 淮海-2-1 replaces 人广-3-1"
    tr = QTranslator()
    assert tr.load(str(qm_path("zh_CN")))
    QCoreApplication.installTranslator(tr)
    try:
        assert step_text("reassigned", moved) == "改派：淮海-2-1 接替 人广-3-1"
        assert step_text("proposal_dismissed", dismissed) == "驳回改派建议：淮海-2-1 (该组正在处置)"
    finally:
        QCoreApplication.removeTranslator(tr)
