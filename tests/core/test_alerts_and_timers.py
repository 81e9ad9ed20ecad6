"""The alert board, the timers and the reassignment on their own: built from a real store,
config, the demo district and the plan engine (no hub, no thread), on a frozen clock the
tests move by hand and check as the hub's tick would."""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from console.config import Config
from console.domain import IncidentStatus, UnitStatus
from console.hub.alerts import AlertBoard
from console.hub.availability import Availability
from console.hub.bodies import ManualSlots
from console.hub.current_plans import CurrentPlans
from console.hub.errors import CommandError
from console.hub.incidents import IncidentBook
from console.hub.messages import Alert, AlertDecision, Event, OrderChanged
from console.hub.orders import OrderDesk
from console.hub.publisher import Publisher
from console.hub.reassignment import Reassignment
from console.hub.situation import Situation
from console.hub.timers import Timers
from console.planning.engine import PlanEngine
from console.planning.reassign import Proposal
from console.store import repos
from console.store.db import Store
from tests.conftest import DemoParts, FrozenClock
from tests.core.parts import SCENE_A, open_incident


@pytest.fixture
def board(
    store: Store, incidents: IncidentBook, frozen_clock: FrozenClock, events: list[Event]
) -> AlertBoard:
    return AlertBoard(store, incidents, frozen_clock, events.append)


def _proposal(call_sign: str, replaces: str) -> Proposal:
    return Proposal(
        call_sign=call_sign,
        unit_type="patrol_group",
        eta_s=95.0,
        replaces=replaces,
        source="same_role",
    )


def test_an_alert_is_raised_once_per_condition_and_recorded(
    board: AlertBoard, incidents: IncidentBook, events: list[Event]
) -> None:
    iid = open_incident(incidents, events)
    p = _proposal("人广-1-1", "人广-2-1")
    a = board.raise_alert("ack:x", "critical", "not_acknowledged", "未确认", "silent", iid, p, "x")
    assert a is not None and a in events and board.has_raised("ack:x")
    assert board.raise_alert("ack:x", "critical", "not_acknowledged", "again", "", iid) is None
    assert a.proposal is not None and (a.proposal.call_sign, a.proposal.order_id) == (
        "人广-1-1",
        "x",
    )
    assert board.proposal(a.alert_id) == p and board.order_of(a.alert_id) == "x"
    assert board.proposed_call_signs() == {"人广-1-1"}
    (step,) = [c for c in incidents.chronology(iid) if c["kind"] == "alert_not_acknowledged"]
    assert step["detail"]["order_id"] == "x" and step["detail"]["proposal"]["eta_s"] == 95.0
    # acknowledged once; its proposal stays on offer in the snapshot until decided
    assert board.ack(a.alert_id, "op1").acked_by == "op1"
    with pytest.raises(CommandError, match="already acknowledged by op1"):
        board.ack(a.alert_id, "op2")
    with pytest.raises(CommandError, match="no alert 99"):
        board.ack(99, "op1")
    assert board.proposed_call_signs() == set() and board.open_alerts() == [a]
    board.decide(a.alert_id, AlertDecision(action="reassigned", actor="sup1", t=1.0, call_sign="z"))
    assert board.open_alerts() == [] and board.replacement_of("x") == (a.alert_id, a.decision)
    assert board.replacement_of("y") is None
    # an alert about nothing open is shown, not recorded
    plain = board.raise_alert("feedback:1", "info", "feedback", "现场反馈", "feedback", None)
    assert plain is not None and board.open_alerts() == [plain]


@dataclass
class Loop:
    orders: OrderDesk
    alerts: AlertBoard
    reassignment: Reassignment
    timers: Timers


@pytest.fixture
def loop(
    config: Config,
    store: Store,
    demo_parts: DemoParts,
    incidents: IncidentBook,
    situation: Situation,
    engine: PlanEngine,
    frozen_clock: FrozenClock,
    publisher: Publisher,
    board: AlertBoard,
    released: list[int],
) -> Loop:
    current = CurrentPlans()
    availability = Availability(situation, incidents, current, frozen_clock)
    slots = ManualSlots(config, demo_parts.graph, situation, frozen_clock)
    orders = OrderDesk(
        config, store, incidents, situation, frozen_clock, publisher, released.append
    )
    reassignment = Reassignment(
        store,
        incidents,
        situation,
        engine,
        current,
        availability,
        slots,
        board,
        orders,
        frozen_clock,
        publisher,
    )
    orders.refusal_listeners.append(reassignment.on_refused)
    timers = Timers(
        config, store, incidents, situation, board, orders, reassignment.escalation, frozen_clock
    )
    return Loop(orders, board, reassignment, timers)


def _dispatch(loop: Loop, incidents: IncidentBook, events: list[Event], call_sign: str) -> str:
    """One order for ``call_sign`` on a new, dispatched theft; the order id."""
    iid = open_incident(incidents, events, "theft", SCENE_A)
    st = incidents.state(iid)
    uid = incidents.unit_id_of(call_sign)
    i = loop.reassignment.situation.index[call_sign]
    assert st is not None and uid is not None
    body = {"call_sign": call_sign, "lon": st.lon, "lat": st.lat, "role_en": "First responder"}
    new = repos.NewOrder(incident_id=iid, unit_id=uid, role="First responder", body=body)
    (oid,) = loop.orders.send(iid, [new], [i], "sup1", incidents.clock())
    incidents.set_status(iid, IncidentStatus.DISPATCHED, "sup1", {}, events.append)
    return oid


def _alerts(events: list[Event], kind: str) -> list[Alert]:
    return [e for e in events if isinstance(e, Alert) and e.kind == kind]


def test_timers_escalate_a_silent_unit_once_then_late_then_on_scene_too_long(
    loop: Loop,
    config: Config,
    incidents: IncidentBook,
    situation: Situation,
    events: list[Event],
    frozen_clock: FrozenClock,
) -> None:
    silent = next(s.call_sign for s in situation.specs if s.unit_type == "patrol_group")
    oid = _dispatch(loop, incidents, events, silent)
    loop.timers.check()
    assert _alerts(events, "not_acknowledged") == []  # not due yet
    frozen_clock.advance(config.orders.ack_deadline_seconds + 1)
    loop.timers.check()
    loop.timers.check()  # raised once, proposal worked out once
    (alert,) = _alerts(events, "not_acknowledged")
    assert alert.level == "critical" and alert.proposal is not None
    assert alert.proposal.replaces == silent and alert.proposal.order_id == oid
    assert (
        alert.proposal.call_sign != silent and f"建议改派 {alert.proposal.call_sign}" in alert.text
    )
    # the officer answers late; past the arrival standard the board says so
    for state in ("delivered", "accepted"):
        assert loop.orders.receipt(oid, state, "", "", "terminal")
    frozen_clock.advance(600)
    loop.timers.check()
    (late,) = _alerts(events, "arrival_standard_exceeded")
    assert silent in late.text_en and late.incident_id == alert.incident_id
    assert loop.orders.receipt(oid, "arrived", "", "", "terminal")
    frozen_clock.advance(config.workflow.on_scene_alert_seconds + 1)
    loop.timers.check()
    (long,) = _alerts(events, "on_scene_too_long")
    assert long.incident_id == alert.incident_id


def test_an_unanswered_order_expires_and_frees_its_unit(
    loop: Loop,
    config: Config,
    incidents: IncidentBook,
    situation: Situation,
    events: list[Event],
    frozen_clock: FrozenClock,
) -> None:
    cs = situation.specs[2].call_sign
    oid = _dispatch(loop, incidents, events, cs)
    frozen_clock.advance(config.orders.time_to_live_seconds + 1)
    loop.timers.check()
    assert [(e.order_id, e.state) for e in events if isinstance(e, OrderChanged)][-1] == (
        oid,
        "expired",
    )
    assert situation.status_of(2) is UnitStatus.AVAILABLE


def test_a_refusal_names_a_replacement_and_the_supervisor_sends_it(
    loop: Loop,
    incidents: IncidentBook,
    situation: Situation,
    events: list[Event],
    released: list[int],
) -> None:
    refuser = next(s.call_sign for s in situation.specs if s.unit_type == "patrol_group")
    oid = _dispatch(loop, incidents, events, refuser)
    assert loop.orders.receipt(oid, "rejected", "车辆故障", "", "terminal")
    (alert,) = _alerts(events, "order_rejected")
    p = alert.proposal
    assert p is not None and p.order_id == oid and p.replaces == refuser
    assert "车辆故障" in alert.text
    res = loop.reassignment.reassign(alert.alert_id, "", "sup1")
    assert (res["call_sign"], res["replaces"], res["cancelled_order_id"]) == (
        p.call_sign,
        refuser,
        "",  # a refused order is over already: nothing to cancel
    )
    new = loop.orders.record(res["order_id"])
    assert new is not None and new.state == "pending" and new.body["replaces"] == refuser
    assert new.role == "First responder" and new.body["role_en"] == "First responder"
    assert situation.status_of(situation.index[p.call_sign]) is UnitStatus.DISPATCHED
    decided = loop.alerts.get(alert.alert_id)
    assert decided is not None and decided.decision is not None
    assert (decided.decision.action, decided.acked_by) == ("reassigned", "sup1")
    with pytest.raises(CommandError, match="already acted on: sup1 sent"):
        loop.reassignment.dismiss_proposal(alert.alert_id, "", "sup2")
    with pytest.raises(CommandError, match="incident 987654 is not open"):
        loop.reassignment.next_unit(987654, refuser)
    assert released == []  # nothing was cancelled, so no unit was handed back
