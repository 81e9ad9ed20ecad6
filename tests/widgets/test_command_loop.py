"""The whole command loop through the real widgets, a real hub and simulated terminals.

An operator takes a knife-attack call in the intake form, the plan review
opens with the engine's plan, two different supervisors approve it from their
own workstations (force level 3), the in-process terminals acknowledge, accept
and drive to the scene, and the operator closes the incident.  The chronology
and the hash-chained audit log hold every step.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import pytest
from PySide6.QtCore import QItemSelectionModel

from console.audit import verify
from console.config import Config
from console.hub.client import InprocClient
from console.hub.hub import CommandHub
from console.hub.messages import Event, GetChronology, OrderChanged
from console.store import repos
from tests.conftest import HubFactory
from widgets.main_window import MainWindow

WindowFactory = Callable[..., MainWindow]  # the fixture in tests/widgets/conftest.py
pytestmark = pytest.mark.qt_log_ignore("This plugin does not support")
NANJING_RD = (121.4800, 31.2362)


@pytest.fixture
def hub(hub_factory: HubFactory) -> CommandHub:
    return hub_factory(simulate=True)


def test_operator_to_close_through_the_widgets(
    qtbot: Any, hub: CommandHub, window_factory: WindowFactory, tmp_path: Path
) -> None:
    config: Config = hub.config

    def _window(actor: str, role: str) -> MainWindow:
        w = window_factory(hub, actor=actor, role=role, workstation=f"ws-{actor}", show=False)
        w.workflow.briefing_dir = tmp_path / "briefings"
        return w

    orders: list[OrderChanged] = []

    def on_event(e: Event) -> None:
        if isinstance(e, OrderChanged):
            orders.append(e)

    hub.subscribe(on_event)
    op = _window("op-zhao", "operator")
    sup1 = _window("sup-qian", "supervisor")
    sup2 = _window("sup-sun", "supervisor")

    # 1. intake: a right-click on the map opens the form at that point
    op.map.newIncidentRequested.emit(*NANJING_RD)
    intake = op.workflow.intake
    assert intake is not None
    intake.set_type("knife_attack")
    assert intake.force_box.currentData() == config.incident_types["knife_attack"].force_level == 3
    intake.caller_edit.setText("13916248801")
    intake.description_edit.setPlainText("步行街一男子持刀与人争执")
    intake.submit_button.click()

    # 2. the engine's plan goes to the operator's plan queue (no window over the map);
    # the operator opens its full review on request
    qtbot.waitUntil(
        lambda: any(i in op.situation.plans for i in op.workflow.created_here), timeout=30_000
    )
    (iid,) = op.workflow.created_here
    assert not op.workflow.reviews
    queue = op.shift_tools.plan_queue
    qtbot.waitUntil(lambda: queue.current is not None, timeout=15_000)
    assert queue.current is not None and queue.current.incident_id == iid
    review = op.workflow.open_review(op.situation.plans[iid])
    plan = review.plan_event
    assert plan.approvals_needed == 2 and plan.body["slots"]
    assert "special_police" in {s["unit_type"] for s in plan.body["slots"]}
    assert review.slot_table.rowCount() == len(plan.body["slots"])
    assert not review.approve_button.isEnabled()  # an operator may not approve
    assert review.briefing_path is not None and review.briefing_path.exists()

    # 3. two different supervisors approve from the plan queues of their own workstations
    qtbot.waitUntil(lambda: iid in sup1.workflow.pending_plans, timeout=15_000)
    assert sup1.workflow.review_next_pending() is None  # shown in the queue, not a window
    q1 = sup1.shift_tools.plan_queue
    assert q1.current is not None and q1.current.incident_id == iid
    assert q1.approve_current()
    qtbot.waitUntil(lambda: iid not in sup1.workflow.pending_plans, timeout=15_000)
    assert hub.incidents.state(iid).status == "plan_proposed"  # one approval is not enough
    qtbot.waitUntil(lambda: iid in sup2.workflow.pending_plans, timeout=15_000)
    assert sup2.workflow.review_next_pending() is None
    q2 = sup2.shift_tools.plan_queue
    assert q2.current is not None and q2.current.incident_id == iid
    # the plan awaited sup-sun before sup-qian approved it: the version carrying that first
    # approval reaches this workstation a moment later, and the queue shows it in its place
    qtbot.waitUntil(
        lambda: q2.current is not None and "sup-qian" in q2.current.approvals, timeout=15_000
    )
    assert q2.current.incident_id == iid
    assert q2.approve_current()

    # 4. orders go out; the terminals acknowledge, accept and arrive
    signs = {s["call_sign"] for s in plan.body["slots"]}
    qtbot.waitUntil(
        lambda: {o.call_sign for o in orders if o.state == "delivered"} == signs, timeout=30_000
    )
    qtbot.waitUntil(lambda: hub.incidents.state(iid).status == "on_scene", timeout=120_000)
    qtbot.waitUntil(
        lambda: any(
            i.id == iid and i.status == "on_scene" for i in op.incident_panel.model.incidents()
        ),
        timeout=10_000,
    )

    # 5. the operator selects the incident in the list and closes it
    panel = op.incident_panel
    row = next(k for k, i in enumerate(panel.model.incidents()) if i.id == iid)
    idx = panel.view_index(row)
    panel.table.selectionModel().select(
        idx,
        QItemSelectionModel.SelectionFlag.ClearAndSelect | QItemSelectionModel.SelectionFlag.Rows,
    )
    op.workflow.close_selected("嫌疑人已控制, 伤者送医")
    qtbot.waitUntil(lambda: hub.incidents.state(iid) is None, timeout=15_000)
    qtbot.waitUntil(lambda: all(i.id != iid for i in panel.model.incidents()), timeout=10_000)

    # 6. chronology and audit hold every step, with who did it
    chron = InprocClient(hub).call(GetChronology(incident_id=iid)).result
    steps = [(c["actor"], c["kind"]) for c in chron]
    assert ("op-zhao", "created") in steps
    assert ("planner", "plan_proposed") in steps
    assert ("sup-qian", "plan_first_approval") in steps and ("sup-sun", "plan_approve") in steps
    for cs in signs:
        assert (cs, "order_delivered") in steps and (cs, "order_accepted") in steps
    assert any(k == "order_arrived" for _, k in steps)
    closing = [c for c in chron if c["kind"] == "status" and c["detail"].get("to") == "closed"]
    assert closing and closing[0]["actor"] == "op-zhao"
    with hub.store.session() as s:
        audit = [(r.actor, r.workstation, r.action) for r in repos.AuditRepo(s).tail(200)]
    assert ("op-zhao", "ws-op-zhao", "CreateIncident") in audit
    assert ("sup-qian", "ws-sup-qian", "ApprovePlan") in audit
    assert ("sup-sun", "ws-sup-sun", "ApprovePlan") in audit
    assert ("op-zhao", "ws-op-zhao", "CloseIncident") in audit
    assert verify(hub.store) is None
