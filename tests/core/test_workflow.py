"""The command loop in the hub: plan, approvals (two for level 3+), orders, receipts, close."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import text

from console.hub.bootstrap import start_embedded_hub
from console.hub.client import InprocClient
from console.hub.hub import CommandHub
from console.hub.messages import (
    AckAlert,
    AmendPlan,
    ApprovePlan,
    CloseIncident,
    CreateIncident,
    CreateUser,
    Envelope,
    Event,
    GetChronology,
    GetPlan,
    GetSnapshot,
    GetStats,
    Login,
    OrderChanged,
    OrderReceipt,
    RejectPlan,
)

NANJING_RD = (121.4800, 31.2360)


@pytest.fixture
def hub(tmp_path: Path) -> Iterator[CommandHub]:
    h = start_embedded_hub(f"sqlite:///{tmp_path / 'wf.sqlite3'}", simulate=True)
    yield h
    h.stop()


def _wait(pred, timeout: float = 60.0) -> bool:  # type: ignore[no-untyped-def]
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if pred():
            return True
        time.sleep(0.1)
    return False


def test_level3_needs_two_supervisors_then_orders_flow(hub: CommandHub) -> None:
    events: list[Event] = []
    hub.subscribe(events.append)
    op = InprocClient(hub, actor="op1", role="operator", workstation="ws-1")
    sup1 = InprocClient(hub, actor="sup1", role="supervisor", workstation="ws-2")
    sup2 = InprocClient(hub, actor="sup2", role="supervisor", workstation="ws-3")
    r = op.call(CreateIncident(incident_type="knife_attack", lon=NANJING_RD[0], lat=NANJING_RD[1]))
    assert r.ok, r.error
    iid, pid = r.result["incident_id"], r.result["plan_id"]
    plan = op.call(GetPlan(incident_id=iid)).result
    assert plan.approvals_needed == 2
    types = [s["unit_type"] for s in plan.body["slots"]]
    assert "special_police" in types  # force level 3: an armed team is required
    # an operator cannot approve, even when sending the command directly to the hub
    direct = hub.handle(Envelope(request_id=99, command=ApprovePlan(plan_id=pid), role="operator"))
    assert not direct.ok and "may not" in direct.error
    first = sup1.call(ApprovePlan(plan_id=pid))
    assert first.ok and first.result["status"] == "proposed"
    again = sup1.call(ApprovePlan(plan_id=pid))
    assert not again.ok and "second supervisor" in again.error
    second = sup2.call(ApprovePlan(plan_id=pid))
    assert second.ok and second.result["status"] == "approved"
    # orders go out; the in-process terminals deliver, accept and arrive
    assert _wait(lambda: hub.incidents.state(iid).status == "on_scene")
    states = {(e.call_sign, e.state) for e in events if isinstance(e, OrderChanged)}
    for slot in plan.body["slots"]:
        assert (slot["call_sign"], "pending") in states
        assert (slot["call_sign"], "delivered") in states
    assert op.call(CloseIncident(incident_id=iid, outcome="suspect detained")).ok
    kinds = [(c["actor"], c["kind"]) for c in op.call(GetChronology(incident_id=iid)).result]
    assert ("sup1", "plan_first_approval") in kinds and ("sup2", "plan_approve") in kinds
    assert any(k == "order_arrived" for _, k in kinds)
    assert kinds[-2][0] == "op1"  # the close is on record with its actor
    stats = op.call(GetStats(t0=0, t1=time.time() + 60)).result
    assert sum(u["orders"] for u in stats["units"]) == len(plan.body["slots"])
    assert any(u["arrivals"] >= 1 for u in stats["units"])
    assert stats["officers"] and stats["stations"]


def test_reject_and_amend(hub: CommandHub) -> None:
    op = InprocClient(hub, actor="op1", role="operator")
    sup = InprocClient(hub, actor="sup1", role="supervisor")
    r = op.call(CreateIncident(incident_type="dispute", lon=121.47, lat=31.215))
    iid, pid = r.result["incident_id"], r.result["plan_id"]
    assert not sup.call(RejectPlan(plan_id=pid, reason="  ")).ok
    plan = op.call(GetPlan(incident_id=iid)).result
    first = plan.body["slots"][0]["call_sign"]
    spare = next(
        u.call_sign
        for u in op.call(GetSnapshot()).result.units
        if u.unit_type == "community_police" and u.status == "available"
    )
    amended = sup.call(AmendPlan(plan_id=pid, remove=[first], add=[spare], reason="closer by foot"))
    assert amended.ok, amended.error
    new = op.call(GetPlan(incident_id=iid)).result
    assert new.plan_id != pid and new.status == "proposed"
    signs = [s["call_sign"] for s in new.body["slots"]]
    assert spare in signs and first not in signs
    added = next(s for s in new.body["slots"] if s["call_sign"] == spare)
    assert added["eta_s"] > 0 and len(added["route_lon"]) >= 2
    assert not sup.call(ApprovePlan(plan_id=pid)).ok  # the superseded plan is dead
    rej = sup.call(RejectPlan(plan_id=new.plan_id, reason="wait for traffic police"))
    assert rej.ok and rej.result["status"] == "rejected"


def test_login_does_not_reveal_users(hub: CommandHub) -> None:
    admin = InprocClient(hub, actor="root", role="admin")
    assert admin.call(
        CreateUser(username="li", display_name="李", password="correct-horse-1", role="supervisor")
    ).ok
    weak = admin.call(CreateUser(username="x", display_name="x", password="short", role="operator"))
    assert not weak.ok and "at least" in weak.error
    op = InprocClient(hub, actor="op", role="operator")
    assert not op.call(
        CreateUser(username="y", display_name="y", password="long-enough-pw", role="admin")
    ).ok
    anon = InprocClient(hub, actor="?", role="anonymous")
    wrong = anon.call(Login(username="li", password="wrong-password"))
    nouser = anon.call(Login(username="nobody", password="wrong-password"))
    assert not wrong.ok and not nouser.ok and wrong.error == nouser.error
    ok = anon.call(Login(username="li", password="correct-horse-1"))
    assert ok.ok and ok.result["role"] == "supervisor"
    # the token decides who acts: the envelope's own claim is ignored
    env = Envelope(request_id=1, command=GetSnapshot(), role="anonymous", token=ok.result["token"])
    assert hub.handle(env).ok
    bad = Envelope(request_id=2, command=GetSnapshot(), role="admin", token="forged")
    assert not hub.handle(bad).ok


def test_unacknowledged_order_raises_alert(tmp_path: Path) -> None:
    hub = start_embedded_hub(f"sqlite:///{tmp_path / 'alert.sqlite3'}", simulate=False)
    try:
        hub.virtual.on_order = lambda *a: None  # type: ignore[method-assign]  # terminal never answers
        clock = [time.time()]
        hub.clock = lambda: clock[0]  # type: ignore[method-assign]
        hub.workflow.hub.clock = hub.clock
        op = InprocClient(hub, actor="op", role="operator")
        sup = InprocClient(hub, actor="sup", role="supervisor")
        r = op.call(CreateIncident(incident_type="theft", lon=121.48, lat=31.23))
        assert sup.call(ApprovePlan(plan_id=r.result["plan_id"])).ok
        alerts: list[Event] = []
        hub.subscribe(alerts.append)
        clock[0] += hub.config.orders.ack_deadline_seconds + 1
        hub.submit(Envelope(request_id=5, command=GetSnapshot())).result(5)
        hub.workflow.check_timers()
        raised = [a for a in alerts if type(a).__name__ == "Alert"]
        assert raised and raised[0].kind == "not_acknowledged"
        assert op.call(AckAlert(alert_id=raised[0].alert_id)).ok
        assert not op.call(AckAlert(alert_id=raised[0].alert_id)).ok
        # a late receipt still counts, exactly once
        with hub.store.session() as session:
            orders = session.execute(text("SELECT id FROM orders")).scalars().all()
        term = InprocClient(hub, actor="t", role="terminal")
        assert term.call(OrderReceipt(order_id=orders[0], state="delivered")).result is True
        assert term.call(OrderReceipt(order_id=orders[0], state="delivered")).result is False
        assert not op.call(OrderReceipt(order_id=orders[0], state="arrived")).ok
    finally:
        hub.stop()
