"""A whole shift in the command room, through the real widgets and a real hub.

30 calls of mixed force levels are taken in through the intake on the operator's
workstation; nothing opens over the map: every plan goes to the plan queue.  The
hub's approval policy (config/approval_policy.toml) sends level 1-2 plans at once in the
operator's name, the supervisors only told; the rest are approved from the supervisors'
queues: the low-level ones (robberies, which the policy gives to one supervisor) in one
batch with one confirmation, level 3 and up one by one, each by two supervisors.  The
clicks are counted: 13 for 30 calls (the issue's seed: 90).  Five incidents are closed, the shift is
handed over, and the next shift finds the 25 open incidents on its board, searches a
closed one and prints its after-action report to PDF.  Audit, chronology and the one
map per queue are checked on the way.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import numpy as np
import pytest
from PySide6.QtWidgets import QPushButton

from console.audit import verify
from console.config import CONFIG_DIR, load_config
from console.geo.coords import haversine_m
from console.hub.approval_policy import load_approval_policy
from console.hub.hub import CommandHub
from console.polygon import contains
from console.store import repos
from tests.conftest import FrozenClock, HubFactory
from widgets.main_window import MainWindow
from widgets.workflow.plan_review import PlanReviewDialog
from widgets.workflow.planmap import PlanMapView

pytestmark = [pytest.mark.qt_log_ignore("This plugin does not support"), pytest.mark.slow]
WindowFactory = Callable[..., MainWindow]
WAIT_MS = 30_000

MIX = (
    ["dispute"] * 7
    + ["theft"] * 5
    + ["traffic_accident"] * 3
    + ["thrown_object"] * 2
    + ["fight"] * 4
    + ["robbery"] * 2
    + ["mental_disturbance"] * 2
    + ["knife_attack"] * 3
    + ["suspicious_object"] * 2
)


def _places(hub: CommandHub, n: int) -> list[tuple[float, float]]:
    """``n`` points inside the district at least 350 m apart (no duplicate warning)."""
    d = hub.district
    rng = np.random.default_rng(2026)
    x0, y0, x1, y1 = d.bbox
    out: list[tuple[float, float]] = []
    while len(out) < n:
        lon, lat = float(rng.uniform(x0, x1)), float(rng.uniform(y0, y1))
        if contains(d.outline, lon, lat)[0] and all(
            haversine_m(lon, lat, a, b) >= 350.0 for a, b in out
        ):
            out.append((lon, lat))
    return out


class Clicks:
    """Counts the supervisors' actions: every button they press."""

    def __init__(self) -> None:
        self.n = 0

    def __call__(self, button: QPushButton) -> None:
        assert button.isVisible() and button.isEnabled(), button.text()
        self.n += 1
        button.click()


def test_a_whole_shift_from_intake_to_handover(
    qtbot: Any,
    hub_factory: HubFactory,
    window_factory: WindowFactory,
    frozen_clock: FrozenClock,
    languages: Any,
    tmp_path: Path,
) -> None:
    hub = hub_factory(
        "shift", simulate=False, clock=frozen_clock, cfg=load_config(CONFIG_DIR)
    )  # shipped
    config = hub.config
    op = window_factory(
        hub, actor="op-zhao", role="operator", workstation="A1", languages=languages
    )
    sup1 = window_factory(hub, actor="sup-qian", role="supervisor", workstation="S1")
    sup2 = window_factory(hub, actor="sup-sun", role="supervisor", workstation="S2")
    rng = np.random.default_rng(15)
    kinds = list(MIX)
    rng.shuffle(kinds)

    # 1. thirty calls through the intake: each plan goes to the queue, no window opens
    ids: list[int] = []
    for k, (kind, (lon, lat)) in enumerate(zip(kinds, _places(hub, len(kinds)), strict=True)):
        op.map.newIncidentRequested.emit(lon, lat)  # a right-click on the map
        intake = op.workflow.intake
        assert intake is not None
        intake.set_type(kind)
        intake.address_edit.setText(f"测试路{k + 1}号")
        intake.caller_edit.setText(f"139{16248800 + k:08d}")
        intake.description_edit.setPlainText(f"第{k + 1}起: {kind}")
        with qtbot.waitSignal(intake.incidentCreated, timeout=WAIT_MS) as sig:
            intake.submit_button.click()
        ids.append(int(sig.args[0]))
        frozen_clock.advance(90)
    level = {i: config.incident_types[k].force_level for i, k in zip(ids, kinds, strict=True)}
    kind_of = dict(zip(ids, kinds, strict=True))
    for w in (op, sup1, sup2):
        qtbot.waitUntil(lambda w=w: w.incident_panel.model.rowCount() == 30, timeout=WAIT_MS)
        assert not w.workflow.reviews  # nothing opened over the map
        assert not [d for d in w.findChildren(PlanReviewDialog) if d.isVisible()]
        assert len(w.findChildren(PlanMapView)) == 1  # the queue's one map, whatever the load

    policy = load_approval_policy(config=config)
    needed = {i: policy.needed(level[i], kind_of[i]) for i in ids}
    auto = [i for i in ids if needed[i] == 0]
    # level 1-2 plans (but the robberies, which the policy gives to one supervisor) went
    # out at once, dispatched in the operator's name, no supervisor involved
    assert len(auto) == 23 and all(level[i] <= 2 for i in auto)
    for i in auto:
        plan = hub.workflow.current.of_incident(i)
        assert plan is not None and plan.status == "approved" and plan.approvals_needed == 0
        assert plan.approvals == ["op-zhao"]
    for w in (sup1, sup2):  # the supervisors are told, without an action of theirs
        q = w.shift_tools.plan_queue
        qtbot.waitUntil(lambda q=q: len(q.by_policy) == len(auto), timeout=WAIT_MS)
        assert q.policy_label.isVisible() and "按审批规则直接派警 23 起" in q.policy_label.text()

    # 2. the supervisors decide from their queues: low levels in one batch, level 3 one by one
    queue1, queue2 = sup1.shift_tools.plan_queue, sup2.shift_tools.plan_queue
    waiting = [i for i in ids if needed[i] > 0]
    qtbot.waitUntil(lambda: set(queue1.plans) == set(waiting), timeout=WAIT_MS)
    qtbot.waitUntil(queue1.tick_low_button.isEnabled, timeout=WAIT_MS)  # in the lists' turn
    click = Clicks()
    click(queue1.tick_low_button)
    low = [i for i in waiting if level[i] <= 2 and needed[i] == 1]
    assert sorted(p.incident_id for p in queue1.ticked_plans()) == sorted(low)
    click(queue1.batch_button)
    assert queue1.confirm_bar.isVisible() and str(len(low)) in queue1.confirm_label.text()
    click(queue1.confirm_button)  # the one confirmation for the whole batch
    high = [i for i in waiting if needed[i] == 2]
    qtbot.waitUntil(lambda: set(queue1.plans) == set(high), timeout=WAIT_MS)
    for queue, who in ((queue1, "sup-qian"), (queue2, "sup-sun")):
        for _ in high:
            qtbot.waitUntil(
                lambda q=queue: (
                    q.current is not None and q.awaiting_me(q.current) and not q.pending_sends
                ),
                timeout=WAIT_MS,
            )
            current = queue.current
            assert current is not None and needed[current.incident_id] == 2
            assert not queue.batchable(current)  # two supervisors: never in a batch
            click(queue.approve_button)  # the next plan is selected by itself
            qtbot.waitUntil(
                lambda q=queue, p=current, w=who: (
                    w in (q.plans.get(p.incident_id) or p).approvals or p.incident_id not in q.plans
                ),
                timeout=WAIT_MS,
            )
    qtbot.waitUntil(lambda: not queue1.plans and not queue2.plans, timeout=WAIT_MS)
    for i in ids:
        qtbot.waitUntil(  # orders out (the demo's stand-in terminals may have answered)
            lambda i=i: hub.incidents.status_of(i) in ("dispatched", "en_route", "on_scene"),
            timeout=WAIT_MS,
        )
    print(f"\nsupervisor actions for {len(waiting)} plans: {click.n}")
    expected = 3 + 2 * len(high)  # tick, approve ticked, confirm; two approvals per level-3
    assert (len(low), len(high), click.n) == (2, 5, expected) == (2, 5, 13)  # the seed: 90
    slots = 0
    for i in ids:  # every approved plan's units have their orders in the outbox
        plan = hub.workflow.current.of_incident(i)
        assert plan is not None and plan.status == "approved"
        slots += len(plan.body["slots"])
    with hub.store.session() as s:
        orders = sum(len(repos.OrderRepo(s).for_incident(i)) for i in ids)
    assert orders == slots >= len(ids)

    # 3. five incidents are closed from the operator's board
    board = op.incident_panel
    closed = [i for i in ids if level[i] == 1][:5]
    for i in closed:
        assert board.select_incident(i)
        op.workflow.close_selected(f"已处置完毕 #{i}")
        frozen_clock.advance(30)
    qtbot.waitUntil(lambda: board.model.rowCount() == 25, timeout=WAIT_MS)

    # 4. the shift is handed over and taken over
    log = op.shift_tools.open_log()
    qtbot.waitUntil(lambda: log.latest is None and log.entries is not None, timeout=WAIT_MS)
    with qtbot.waitSignal(log.loaded, timeout=WAIT_MS):
        log.add_note("南京东路施工至06:00, 绕行九江路")
    frozen_clock.advance(60)
    with qtbot.waitSignal(log.handedOver, timeout=WAIT_MS):
        log.hand_over("25起未结, 3起持刀伤人现场处置中", shift_start=frozen_clock() - 4 * 3600)
    assert log.latest is not None and len(log.latest["summary"]["open_incidents"]) == 25
    nxt = window_factory(hub, actor="op-wang", role="operator", workstation="A1")
    qtbot.waitUntil(lambda: nxt.incident_panel.model.rowCount() == 25, timeout=WAIT_MS)
    assert set(i.id for i in nxt.incident_panel.model.incidents()) == set(ids) - set(closed)
    take = nxt.shift_tools.open_log()
    qtbot.waitUntil(lambda: take.latest is not None, timeout=WAIT_MS)
    with qtbot.waitSignal(take.acknowledged, timeout=WAIT_MS):
        assert take.acknowledge(incoming=["李四"])

    # 5. the next shift searches a closed incident and prints its report to PDF
    hist = nxt.shift_tools.open_history()
    hist.number_edit.setText(str(closed[2]))
    with qtbot.waitSignal(hist.searched, timeout=WAIT_MS):
        hist.search_button.click()
    assert hist.result_ids() == [closed[2]]
    with qtbot.waitSignal(hist.recordLoaded, timeout=WAIT_MS):
        hist.results.selectRow(0)
    pdf = hist.export_pdf(tmp_path / f"incident-{closed[2]}.pdf")
    assert pdf is not None
    data = pdf.read_bytes()
    assert data.startswith(b"%PDF") and b"WenQuanYi" in data
    assert f"已处置完毕 #{closed[2]}" in hist.record_view.toPlainText()

    # 6. every step on record: chronology and the hash-chained audit log
    with hub.store.session() as s:
        audit = [(r.actor, r.action) for r in repos.AuditRepo(s).tail(400)]
    assert sum(1 for a in audit if a == ("op-zhao", "CreateIncident")) == 30
    assert ("sup-qian", "ApprovePlan") in audit and ("sup-sun", "ApprovePlan") in audit
    assert ("op-zhao", "StartHandover") in audit and ("op-wang", "AcknowledgeHandover") in audit
    assert verify(hub.store) is None
