"""A supervisor acts on an escalation's proposal in one step (ReassignOrder / DismissProposal).

Real parts: the demo district in a SQLite file and the command hub on its own thread.  No
terminal answers (the hub's virtual terminals are switched off), and the hub runs on a
frozen clock the test moves past the acknowledgement deadline by hand, so the hub's own
timer check raises the alert; refusals come in as a terminal's ``OrderReceipt`` as a real
one would.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

import msgspec
import pytest

from console.domain import OrderState
from console.hub.client import InprocClient
from console.hub.hub import CommandHub
from console.hub.messages import (
    AckAlert,
    Alert,
    ApprovePlan,
    CloseIncident,
    CreateIncident,
    DismissProposal,
    Event,
    GetChronology,
    GetPlan,
    GetSnapshot,
    OrderChanged,
    OrderReceipt,
    ReassignOrder,
    SetUnitStatus,
)
from console.planning.reassign import NO_UNIT_ZH
from console.store import repos
from tests.conftest import FrozenClock, HubFactory

# scenes on roads of the demo district, away from the stations
SCENE_A = (121.4737, 31.2304)
SCENE_B = (121.4800, 31.2360)
SCENE_C = (121.4700, 31.2150)


@pytest.fixture
def hub(hub_factory: HubFactory, frozen_clock: FrozenClock) -> CommandHub:
    h = hub_factory("reassign", clock=frozen_clock)
    h.virtual.on_order = lambda *a: None  # type: ignore[method-assign]  # no terminal answers
    return h


class Desks:
    """The hub's events, its frozen clock, and one client per person."""

    def __init__(self, hub: CommandHub, clock: FrozenClock) -> None:
        self.hub = hub
        self.clock = clock
        self.events: list[Event] = []
        hub.subscribe(self.events.append)
        self.sent: list[tuple[str, str]] = []  # (order id, call sign) the listeners were told
        hub.workflow.order_listeners.append(
            lambda oid, i, body: self.sent.append((oid, str(body["call_sign"])))
        )
        self.op = InprocClient(hub, actor="op1", role="operator", workstation="ws-op")
        self.sup = InprocClient(hub, actor="sup1", role="supervisor", workstation="ws-sup1")
        self.sup2 = InprocClient(hub, actor="sup2", role="supervisor", workstation="ws-sup2")
        self.terminal = InprocClient(hub, actor="terminal", role="terminal")

    def ok(self, client: InprocClient, cmd: Any) -> Any:
        r = client.call(cmd)
        assert r.ok, r.error
        return r.result

    def refused(self, client: InprocClient, cmd: Any) -> str:
        r = client.call(cmd)
        assert not r.ok, f"{type(cmd).__name__} was not refused"
        return r.error

    def dispatch(self, incident_type: str, scene: tuple[float, float], **kw: Any) -> int:
        """Register an incident and approve its plan (two supervisors when it needs them)."""
        r = self.ok(
            self.op, CreateIncident(incident_type=incident_type, lon=scene[0], lat=scene[1], **kw)
        )
        iid, pid = r["incident_id"], r["plan_id"]
        res = self.ok(self.sup, ApprovePlan(plan_id=pid))
        if res["status"] != "approved":
            res = self.ok(self.sup2, ApprovePlan(plan_id=pid))
        assert res["status"] == "approved"
        return int(iid)

    def orders(self, incident_id: int) -> dict[str, tuple[str, str]]:
        """Order id -> (call sign, state) of every order on record for the incident."""
        with self.hub.store.session() as s:
            return {
                o.id: (str(o.body["call_sign"]), o.state)
                for o in repos.OrderRepo(s).for_incident(incident_id)
            }

    def bodies(self, incident_id: int) -> dict[str, tuple[str, dict[str, Any]]]:
        with self.hub.store.session() as s:
            return {
                o.id: (o.role, dict(o.body)) for o in repos.OrderRepo(s).for_incident(incident_id)
            }

    def past_deadline(self) -> None:
        """Move the hub's clock past the acknowledgement deadline; its timer check follows."""
        self.clock.advance(self.hub.config.orders.ack_deadline_seconds + 1)

    def alerts(self, pred: Callable[[Alert], bool]) -> list[Alert]:
        return [e for e in list(self.events) if isinstance(e, Alert) and pred(e)]

    def wait_alert(self, kind: str, incident_id: int, about: str = "") -> Alert:
        def found() -> list[Alert]:
            return self.alerts(
                lambda a: (
                    a.kind == kind
                    and a.incident_id == incident_id
                    and a.text_en.startswith(about)
                    and a.decision is None
                )
            )

        assert wait(lambda: bool(found())), f"no {kind} alert on incident {incident_id}"
        return found()[0]

    def unit(self, call_sign: str) -> Any:
        units = self.ok(self.op, GetSnapshot()).units
        return next(u for u in units if u.call_sign == call_sign)

    def chronology(self, incident_id: int) -> list[dict[str, Any]]:
        return list(self.ok(self.op, GetChronology(incident_id=incident_id)))

    def audit(self, action: str) -> list[tuple[str, bool, dict[str, Any]]]:
        with self.hub.store.session() as s:
            rows = repos.AuditRepo(s).tail(200)
            return [
                (r.actor, bool(r.payload["ok"]), dict(r.payload["command"]))
                for r in rows
                if r.action == action
            ]


def wait(pred: Callable[[], bool], timeout: float = 20.0) -> bool:
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if pred():
            return True
        time.sleep(0.05)
    return False


def test_supervisor_takes_the_proposal_for_an_unacknowledged_order(
    hub: CommandHub, frozen_clock: FrozenClock
) -> None:
    d = Desks(hub, frozen_clock)
    iid = d.dispatch("theft", SCENE_A)
    ((old_id, (silent, state)),) = d.orders(iid).items()
    assert state == "pending"
    d.past_deadline()
    alert = d.wait_alert("not_acknowledged", iid, silent)
    p = alert.proposal
    assert p is not None, alert.text
    assert (p.replaces, p.order_id) == (silent, old_id)
    assert p.call_sign != silent and 0 < p.eta_s < 3600
    assert f"建议改派 {p.call_sign}" in alert.text and p.call_sign in alert.text_en
    held = hub.workflow.alerts.proposal(alert.alert_id)
    assert held is not None and held.call_sign == p.call_sign

    # an operator cannot, even though the alert is on every workstation
    err = d.refused(d.op, ReassignOrder(alert_id=alert.alert_id))
    assert "operator" in err and "may not ReassignOrder" in err
    assert "may not DismissProposal" in d.refused(d.op, DismissProposal(alert_id=alert.alert_id))
    assert d.orders(iid) == {old_id: (silent, "pending")}

    res = d.ok(d.sup, ReassignOrder(alert_id=alert.alert_id))
    new_id = res["order_id"]
    assert res == {
        "alert_id": alert.alert_id,
        "order_id": new_id,
        "call_sign": p.call_sign,
        "replaces": silent,
        "cancelled_order_id": old_id,
    }
    # the silent order is cancelled, exactly one new order for the proposed unit
    assert d.orders(iid) == {old_id: (silent, "cancelled"), new_id: (p.call_sign, "pending")}
    bodies = d.bodies(iid)
    (old_role, old_body), (new_role, new_body) = bodies[old_id], bodies[new_id]
    assert new_role == old_role
    notes = [k for k in ("briefing", "plan_notes") if k in old_body]  # the card's plan text
    assert notes, sorted(old_body)
    for key in ("role_zh", "role_en", "instructions", *notes, "incident_type", "address"):
        assert new_body[key] == old_body[key], key
    assert new_body["replaces"] == silent and new_body["eta_s"] == pytest.approx(p.eta_s)
    # through the same path as a plan approval: events and the order listeners (link kick)
    assert d.sent[-1] == (new_id, p.call_sign)
    changes = {(e.order_id, e.state) for e in d.events if isinstance(e, OrderChanged)}
    assert {(old_id, "cancelled"), (new_id, "pending")} <= changes
    # the new unit is bound to the incident, the silent one is free
    st = hub.incidents.state(iid)
    assert st is not None and p.call_sign in st.units and silent not in st.units
    new_unit, old_unit = d.unit(p.call_sign), d.unit(silent)
    assert (new_unit.status, new_unit.incident_id) == ("dispatched", iid)
    assert (old_unit.status, old_unit.incident_id) == ("available", None)

    # every workstation sees the alert acknowledged and decided, by whom
    assert wait(
        lambda: bool(d.alerts(lambda a: a.alert_id == alert.alert_id and a.decision is not None))
    )
    (done,) = d.alerts(lambda a: a.alert_id == alert.alert_id and a.decision is not None)
    assert done.acked_by == "sup1" and done.decision is not None
    assert (done.decision.action, done.decision.actor) == ("reassigned", "sup1")
    assert (done.decision.call_sign, done.decision.order_id) == (p.call_sign, new_id)
    assert done.decision.cancelled_order_id == old_id
    assert alert.alert_id not in {a.alert_id for a in d.ok(d.op, GetSnapshot()).alerts}

    # on the record: chronology and audit log name the supervisor
    chron = d.chronology(iid)
    cancelled = [c for c in chron if c["kind"] == "order_cancelled"]
    assert [(c["actor"], c["detail"]["order_id"]) for c in cancelled] == [("sup1", old_id)]
    (step,) = [c for c in chron if c["kind"] == "reassigned"]
    assert step["actor"] == "sup1"
    assert step["detail"]["from"] == silent and step["detail"]["to"] == p.call_sign
    assert step["detail"]["order_id"] == new_id and step["detail"]["proposed"] == p.call_sign
    audit = d.audit("ReassignOrder")
    assert [(who, ok) for who, ok, _ in audit] == [("op1", False), ("sup1", True)]
    assert audit[-1][2]["alert_id"] == alert.alert_id

    # acted on once: a repeat (by anyone, for any unit) and a dismissal are refused
    err = d.refused(d.sup2, ReassignOrder(alert_id=alert.alert_id))
    assert "already acted on" in err and "sup1" in err and p.call_sign in err
    assert "already acted on" in d.refused(d.sup, DismissProposal(alert_id=alert.alert_id))
    assert len(d.orders(iid)) == 2 and d.sent[-1] == (new_id, p.call_sign)


def test_refused_order_reassigned_to_a_unit_the_supervisor_names(
    hub: CommandHub, frozen_clock: FrozenClock
) -> None:
    d = Desks(hub, frozen_clock)
    iid = d.dispatch("traffic_accident", SCENE_B)  # a traffic police unit and a patrol group
    plan = d.ok(d.op, GetPlan(incident_id=iid))
    first = [s for s in plan.body["slots"] if s["wave"] == "first"]
    refuser = next(s["call_sign"] for s in first if s["unit_type"] == "patrol_group")
    traffic = next(s["call_sign"] for s in first if s["unit_type"] == "traffic_police")
    orders = d.orders(iid)
    refused_id = next(oid for oid, (cs, _) in orders.items() if cs == refuser)
    d.ok(d.terminal, OrderReceipt(order_id=refused_id, state="rejected", reason="车辆故障"))
    alert = d.wait_alert("order_rejected", iid, refuser)
    p = alert.proposal
    assert p is not None and p.order_id == refused_id and p.replaces == refuser
    # the link's receipts reach the workflow without the order id: it finds the same order
    assert hub.workflow.orders.order_of(iid, refuser, OrderState.REJECTED) == refused_id
    aid = alert.alert_id

    busy = next(
        u.call_sign
        for u in d.ok(d.op, GetSnapshot()).units
        if u.unit_type == "patrol_group" and u.status == "available" and u.call_sign != p.call_sign
    )
    d.ok(d.op, SetUnitStatus(call_sign=busy, status="off_duty"))
    for call_sign, words in (
        ("不存在-9", "unknown unit '不存在-9'"),
        (traffic, f"unit {traffic} is already on incident {iid}"),
        (refuser, f"unit {refuser} is the unit being replaced"),
        (busy, f"unit {busy} is not available (off_duty)"),
    ):
        assert words in d.refused(d.sup, ReassignOrder(alert_id=aid, call_sign=call_sign))
    assert "no alert 987654" in d.refused(d.sup, ReassignOrder(alert_id=987654))
    assert d.orders(iid) == orders | {refused_id: (refuser, "rejected")}  # nothing created

    named = next(
        u.call_sign
        for u in d.ok(d.op, GetSnapshot()).units
        if u.unit_type == "foot_patrol" and u.status == "available" and u.call_sign != p.call_sign
    )
    res = d.ok(d.sup, ReassignOrder(alert_id=aid, call_sign=named))
    new_id = res["order_id"]
    assert res["call_sign"] == named and res["replaces"] == refuser
    assert res["cancelled_order_id"] == ""  # a refused order is already over: nothing to cancel
    now = d.orders(iid)
    assert now[refused_id] == (refuser, "rejected") and now[new_id] == (named, "pending")
    assert [oid for oid, (cs, _) in now.items() if cs == named] == [new_id] and len(now) == 3
    new_body = d.bodies(iid)[new_id][1]
    old_body = d.bodies(iid)[refused_id][1]
    assert new_body["role_en"] == old_body["role_en"] == "Scene protection"
    assert new_body["eta_s"] > 0  # a real road route for a unit the supervisor named
    (step,) = [c for c in d.chronology(iid) if c["kind"] == "reassigned"]
    assert (step["actor"], step["detail"]["to"], step["detail"]["proposed"]) == (
        "sup1",
        named,
        p.call_sign,
    )
    assert not step["detail"]["cancelled"]
    decided = hub.workflow.alerts.require(aid)
    assert decided.decision is not None and decided.decision.call_sign == named

    # the traffic police refuses too: this time the supervisor declines the proposal
    traffic_id = next(oid for oid, (cs, _) in now.items() if cs == traffic)
    d.ok(d.terminal, OrderReceipt(order_id=traffic_id, state="rejected", reason="另有事故"))
    second = d.wait_alert("order_rejected", iid, traffic)
    assert second.proposal is not None
    assert d.ok(d.sup2, DismissProposal(alert_id=second.alert_id, reason="现场已有交警")) == (
        second.alert_id
    )
    a = hub.workflow.alerts.require(second.alert_id)
    assert a.acked_by == "sup2" and a.decision is not None
    assert (a.decision.action, a.decision.reason) == ("dismissed", "现场已有交警")
    (dismissed,) = [c for c in d.chronology(iid) if c["kind"] == "proposal_dismissed"]
    assert dismissed["actor"] == "sup2"
    assert dismissed["detail"]["proposed"] == second.proposal.call_sign
    err = d.refused(d.sup, ReassignOrder(alert_id=second.alert_id))
    assert "already acted on" in err and "sup2 dismissed" in err
    assert len(d.orders(iid)) == 3


def test_alert_without_a_proposal_needs_a_named_unit_and_an_open_incident(
    hub: CommandHub, frozen_clock: FrozenClock
) -> None:
    d = Desks(hub, frozen_clock)
    # a level-4 knife attack takes special and armed police only; send every other one home
    iid = d.dispatch("knife_attack", SCENE_C, force_level=4)
    sent = {cs for cs, _ in d.orders(iid).values()}
    spare = [
        u.call_sign
        for u in d.ok(d.op, GetSnapshot()).units
        if u.unit_type in ("special_police", "armed_police")
        and u.status == "available"
        and u.call_sign not in sent
    ]
    assert spare, "test setup: no spare special police"
    for cs in spare:
        d.ok(d.op, SetUnitStatus(call_sign=cs, status="off_duty"))
    d.past_deadline()
    assert wait(lambda: len(d.alerts(lambda a: a.incident_id == iid)) == len(sent))
    first, second = d.alerts(lambda a: a.incident_id == iid)[:2]
    assert first.kind == "not_acknowledged" and first.proposal is None
    assert NO_UNIT_ZH in first.text

    err = d.refused(d.sup, ReassignOrder(alert_id=first.alert_id))
    assert f"alert {first.alert_id} proposes no unit; name the unit to send" in err
    assert "nothing to dismiss" in d.refused(d.sup, DismissProposal(alert_id=first.alert_id))
    assert "not available (off_duty)" in d.refused(
        d.sup, ReassignOrder(alert_id=first.alert_id, call_sign=spare[0])
    )
    d.ok(d.op, SetUnitStatus(call_sign=spare[0], status="available"))
    res = d.ok(d.sup, ReassignOrder(alert_id=first.alert_id, call_sign=spare[0]))
    assert res["call_sign"] == spare[0] and res["cancelled_order_id"]
    assert d.orders(iid)[res["order_id"]] == (spare[0], "pending")

    # once the incident is closed its alerts can no longer send anyone
    d.ok(d.op, CloseIncident(incident_id=iid, outcome="suspect detained"))
    d.ok(d.op, SetUnitStatus(call_sign=spare[1], status="available"))
    n = len(d.orders(iid))
    err = d.refused(d.sup, ReassignOrder(alert_id=second.alert_id, call_sign=spare[1]))
    assert f"incident {iid} is closed" in err
    assert len(d.orders(iid)) == n and d.unit(spare[1]).status == "available"


def test_decisions_and_the_structured_proposal_travel_over_the_wire() -> None:
    """Remote workstations: the server accepts both commands, and the alert keeps its
    proposal and decision through msgpack (hub and workstation ship together)."""
    from console.hub.hub import RIGHTS, SUPERVISORS
    from console.hub.messages import (
        ENCODER,
        EVENT_DECODER,
        AlertDecision,
        AlertProposal,
        Envelope,
    )
    from console.link.workstation import wire_envelope_type

    decoder = msgspec.msgpack.Decoder(wire_envelope_type(list(RIGHTS)))
    for cmd in (ReassignOrder(alert_id=4, call_sign="淮海-2-1"), DismissProposal(alert_id=4)):
        assert RIGHTS[type(cmd)] == SUPERVISORS
        env = decoder.decode(ENCODER.encode(Envelope(request_id=1, command=cmd, token="t")))
        assert env.command == cmd  # type: ignore[attr-defined]
    alert = Alert(
        level="critical",
        kind="not_acknowledged",
        text="人广-3-1 未在 30 秒内确认指令; 建议改派 淮海-2-1 (预计 1分29秒)",
        alert_id=4,
        proposal=AlertProposal(
            call_sign="淮海-2-1",
            unit_type="patrol_group",
            eta_s=89.0,
            replaces="人广-3-1",
            order_id="ab" * 16,
            source="plan_alternative",
        ),
        decision=AlertDecision(action="reassigned", actor="sup1", t=1.0, call_sign="淮海-2-1"),
    )
    assert EVENT_DECODER.decode(ENCODER.encode(alert)) == alert
    plain = Alert(level="info", kind="feedback", text="现场反馈")  # every old construction works
    assert plain.proposal is None and plain.decision is None


def test_an_order_overdue_then_refused_is_replaced_once(
    hub: CommandHub, frozen_clock: FrozenClock
) -> None:
    d = Desks(hub, frozen_clock)
    iid = d.dispatch("theft", SCENE_C)
    ((order_id, (silent, _)),) = d.orders(iid).items()
    d.past_deadline()
    overdue = d.wait_alert("not_acknowledged", iid, silent)
    # the officer answers at last, with a refusal: a second alert about the same order
    d.ok(d.terminal, OrderReceipt(order_id=order_id, state="rejected", reason="车辆故障"))
    refused = d.wait_alert("order_rejected", iid, silent)
    assert overdue.proposal is not None and refused.proposal is not None
    first = d.ok(d.sup, ReassignOrder(alert_id=overdue.alert_id))
    err = d.refused(d.sup2, ReassignOrder(alert_id=refused.alert_id))
    assert "already replaced" in err and first["call_sign"] in err
    live = [cs for cs, st in d.orders(iid).values() if st == "pending"]
    assert live == [first["call_sign"]]  # one replacement, not two


def test_a_unit_held_by_another_incidents_plan_is_not_sent(
    hub: CommandHub, frozen_clock: FrozenClock
) -> None:
    d = Desks(hub, frozen_clock)
    iid = d.dispatch("theft", SCENE_A)
    ((_, (silent, _)),) = d.orders(iid).items()
    # a second incident's plan is proposed but not yet approved: its units are spoken for
    other = d.ok(d.op, CreateIncident(incident_type="theft", lon=SCENE_B[0], lat=SCENE_B[1]))
    plan = d.ok(d.op, GetPlan(incident_id=other["incident_id"]))
    held = plan.body["slots"][0]["call_sign"]
    d.past_deadline()
    alert = d.wait_alert("not_acknowledged", iid, silent)
    assert alert.proposal is not None and alert.proposal.call_sign != held
    err = d.refused(d.sup, ReassignOrder(alert_id=alert.alert_id, call_sign=held))
    assert f"unit {held} is held by the plan proposed for incident {other['incident_id']}" in err


def test_an_acknowledged_but_undecided_proposal_stays_in_the_snapshot(
    hub: CommandHub, frozen_clock: FrozenClock
) -> None:
    d = Desks(hub, frozen_clock)
    iid = d.dispatch("theft", SCENE_B)
    ((_, (silent, _)),) = d.orders(iid).items()
    d.past_deadline()
    alert = d.wait_alert("not_acknowledged", iid, silent)
    assert alert.proposal is not None
    d.ok(d.op, AckAlert(alert_id=alert.alert_id))  # the sound stops; the decision is open

    def in_snapshot() -> list[int]:
        return [a.alert_id for a in d.ok(d.op, GetSnapshot()).alerts]

    assert alert.alert_id in in_snapshot()  # a workstation joining now still sees it
    d.ok(d.sup, ReassignOrder(alert_id=alert.alert_id))
    assert alert.alert_id not in in_snapshot()  # decided and acknowledged: history now
