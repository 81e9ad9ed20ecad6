"""The command loop in the hub: plan, approvals (two for level 3+), orders, receipts, close.

The hubs run on a frozen clock the tests move by hand: the stand-in terminals answer and
the simulated units drive when the hub's clock says so, so nothing waits on the wall clock.
"""

from __future__ import annotations

import time
from collections.abc import Callable

import pytest
from sqlalchemy import text

from console.hub.client import InprocClient
from console.hub.hub import CommandHub
from console.hub.messages import (
    AckAlert,
    Alert,
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
from tests.conftest import FrozenClock, HubFactory

NANJING_RD = (121.4800, 31.2360)


@pytest.fixture
def hub(hub_factory: HubFactory, frozen_clock: FrozenClock) -> CommandHub:
    """A hub with the demo's simulation and stand-in terminals, on the frozen clock."""
    return hub_factory("wf", simulate=True, clock=frozen_clock)


def _wait(pred: Callable[[], bool], timeout: float = 30.0) -> bool:
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if pred():
            return True
        time.sleep(0.02)
    return pred()


def _drive(clock: FrozenClock, pred: Callable[[], bool], step_s: float = 5.0) -> bool:
    """Move the hub's clock on in steps until ``pred`` holds: each hub tick then lets the
    stand-in terminals answer what fell due and drives the simulated units that far.
    Orders once accepted never lapse, so however far the clock runs ahead of the hub's
    ticks on a busy machine, the scene is reached."""
    for _ in range(600):  # at most 50 min of hub time
        if _wait(pred, 0.05):
            return True
        clock.advance(step_s)
    return _wait(pred)


def test_level3_needs_two_supervisors_then_orders_flow(
    hub: CommandHub, frozen_clock: FrozenClock
) -> None:
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
    assert _drive(frozen_clock, lambda: _status(hub, iid) == "on_scene")
    states = {(e.call_sign, e.state) for e in events if isinstance(e, OrderChanged)}
    for slot in plan.body["slots"]:
        assert (slot["call_sign"], "pending") in states
        assert (slot["call_sign"], "delivered") in states
    assert op.call(CloseIncident(incident_id=iid, outcome="suspect detained")).ok
    kinds = [(c["actor"], c["kind"]) for c in op.call(GetChronology(incident_id=iid)).result]
    assert ("sup1", "plan_first_approval") in kinds and ("sup2", "plan_approve") in kinds
    assert any(k == "order_arrived" for _, k in kinds)
    assert kinds[-2][0] == "op1"  # the close is on record with its actor
    stats = op.call(GetStats(t0=0, t1=frozen_clock() + 60)).result
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


def test_unacknowledged_order_raises_alert(
    hub_factory: HubFactory, frozen_clock: FrozenClock
) -> None:
    hub = hub_factory("alert", clock=frozen_clock)
    hub.virtual.on_order = lambda *a: None  # type: ignore[method-assign]  # terminal never answers
    alerts: list[Event] = []
    hub.subscribe(alerts.append)
    op = InprocClient(hub, actor="op", role="operator")
    sup = InprocClient(hub, actor="sup", role="supervisor")
    r = op.call(CreateIncident(incident_type="theft", lon=121.48, lat=31.23))
    assert sup.call(ApprovePlan(plan_id=r.result["plan_id"])).ok
    frozen_clock.advance(hub.config.orders.ack_deadline_seconds + 1)

    def raised() -> list[Alert]:
        return [a for a in list(alerts) if isinstance(a, Alert)]

    assert _wait(lambda: bool(raised()))  # the hub's own timer check, on its thread
    assert raised()[0].kind == "not_acknowledged"
    assert op.call(AckAlert(alert_id=raised()[0].alert_id)).ok
    assert not op.call(AckAlert(alert_id=raised()[0].alert_id)).ok
    # a late receipt still counts, exactly once
    with hub.store.session() as session:
        orders = session.execute(text("SELECT id FROM orders")).scalars().all()
    term = InprocClient(hub, actor="t", role="terminal")
    assert term.call(OrderReceipt(order_id=orders[0], state="delivered")).result is True
    assert term.call(OrderReceipt(order_id=orders[0], state="delivered")).result is False
    assert not op.call(OrderReceipt(order_id=orders[0], state="arrived")).ok


def _status(hub: CommandHub, incident_id: int) -> str | None:
    st = hub.incidents.state(incident_id)
    return None if st is None else st.status
