"""Issue 13, 2 and 3 on the plan book's own parts (no hub, no thread): an approval and its
orders commit together or not at all; every unit is checked again at approval and at
amendment, and a refusal names the unit and where it is committed; an incident an older
hub left approved without orders is flagged at start and may be planned again."""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from sqlalchemy import func, select

from console.config import Config
from console.domain import IncidentStatus, UnitStatus
from console.hub.alerts import AlertBoard
from console.hub.availability import Availability
from console.hub.bodies import ManualSlots
from console.hub.current_plans import CurrentPlans
from console.hub.errors import CommandError
from console.hub.incidents import IncidentBook
from console.hub.localtime import LocalTime
from console.hub.messages import Alert, Event, PlanChanged
from console.hub.orders import OrderDesk
from console.hub.plans import PlanBook
from console.hub.publisher import Publisher
from console.hub.repair import STRANDED, repair_half_done
from console.hub.situation import Situation
from console.planning.engine import PlanEngine
from console.store import repos
from console.store.db import Store
from console.store.errors import StoreError
from console.store.models import OrderRow
from tests.conftest import DemoParts, FrozenClock
from tests.core.parts import SCENE_A, SCENE_B, open_incident


@dataclass
class Book:
    plans: PlanBook
    orders: OrderDesk
    alerts: AlertBoard
    availability: Availability
    current: CurrentPlans


@pytest.fixture
def book(
    config: Config,
    store: Store,
    demo_parts: DemoParts,
    incidents: IncidentBook,
    situation: Situation,
    engine: PlanEngine,
    frozen_clock: FrozenClock,
    publisher: Publisher,
    events: list[Event],
    released: list[int],
) -> Book:
    current = CurrentPlans()
    availability = Availability(
        situation, incidents, current, frozen_clock, LocalTime("Asia/Shanghai")
    )
    slots = ManualSlots(config, demo_parts.graph, situation, frozen_clock, availability.hour)
    orders = OrderDesk(
        config, store, incidents, situation, frozen_clock, publisher, released.append
    )
    availability.sent_at = orders.sent_at
    plans = PlanBook(
        store,
        incidents,
        situation,
        engine,
        current,
        availability,
        slots,
        orders,
        frozen_clock,
        events.append,
    )
    alerts = AlertBoard(store, incidents, frozen_clock, events.append)
    return Book(plans, orders, alerts, availability, current)


def _signs(plan: PlanChanged) -> list[str]:
    return [str(s["call_sign"]) for s in plan.body["slots"]]


def _order_count(store: Store) -> int:
    with store.session() as s:
        return int(s.scalar(select(func.count()).select_from(OrderRow)) or 0)


def test_an_approval_whose_orders_cannot_be_written_leaves_nothing_half_done(
    book: Book,
    store: Store,
    incidents: IncidentBook,
    situation: Situation,
    events: list[Event],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    iid = open_incident(incidents, events, "theft", SCENE_A)
    plan = book.plans.propose(iid, "planner")

    def broken(*_a: object) -> list[str]:
        raise StoreError("disk full while writing the orders")

    monkeypatch.setattr(book.orders, "add", broken)
    with pytest.raises(StoreError):
        book.plans.approve(plan.plan_id, "sup1")
    # the decision was in the same transaction: still proposed, everywhere
    with store.session() as s:
        row = repos.PlanRepo(s).get(plan.plan_id)
        assert row is not None and row.status == "proposed"
        assert repos.IncidentRepo(s).get(iid).status == IncidentStatus.PLAN_PROPOSED.value  # type: ignore[union-attr]
    assert _order_count(store) == 0
    assert plan.status == "proposed" and plan.approvals == []
    assert incidents.status_of(iid) == IncidentStatus.PLAN_PROPOSED.value
    assert all(
        situation.status_of(situation.index[c]) is UnitStatus.AVAILABLE for c in _signs(plan)
    )
    monkeypatch.undo()
    done = book.plans.approve(plan.plan_id, "sup1")  # the same supervisor simply tries again
    assert done.status == "approved" and book.orders.call_signs_sent(iid) == set(_signs(plan))
    assert incidents.status_of(iid) == IncidentStatus.DISPATCHED.value
    with store.session() as s:  # approval, orders and status in the store together
        assert repos.PlanRepo(s).get(plan.plan_id).status == "approved"  # type: ignore[union-attr]
        statuses = [
            e.detail["to"] for e in repos.IncidentRepo(s).chronology(iid) if e.kind == "status"
        ]
    assert statuses[-2:] == ["approved", "dispatched"]


def test_a_unit_committed_since_the_plan_was_made_is_refused_by_name(
    book: Book,
    incidents: IncidentBook,
    situation: Situation,
    events: list[Event],
    frozen_clock: FrozenClock,
) -> None:
    b = open_incident(incidents, events, "theft", SCENE_A)
    plan_b = book.plans.propose(b, "planner")
    u = _signs(plan_b)[0]
    c = open_incident(incidents, events, "theft", SCENE_B)
    plan_c = book.plans.propose(c, "planner")
    assert u not in _signs(plan_c)
    # the amendment: add plan B's unit to plan C; refused, naming where it is held
    with pytest.raises(CommandError) as held:
        book.plans.amend(plan_c.plan_id, [], [u], "closer", "sup1")
    assert str(held.value) == f"unit {u} is held by the plan proposed for incident {b}"
    # the state an older hub allowed: plan C amended with U anyway and dispatched
    body = dict(plan_c.body)
    body["slots"] = [*plan_c.body["slots"], dict(plan_b.body["slots"][0])]
    plan_c.body = body
    with pytest.raises(CommandError, match=f"unit {u} is held by the plan proposed for"):
        book.plans.approve(plan_c.plan_id, "sup1")  # caught at approval too
    book.current.drop_incident(b)  # plan B forgotten: C may now send U
    book.plans.approve(plan_c.plan_id, "sup1")
    assert situation.status_of(situation.index[u]) is UnitStatus.DISPATCHED
    book.current.put(plan_b)  # plan B is back and approved: U is not sent twice
    sent = LocalTime("Asia/Shanghai").clock_text(frozen_clock())
    frozen_clock.advance(300)
    with pytest.raises(CommandError) as committed:
        book.plans.approve(plan_b.plan_id, "sup2")
    text = str(committed.value)
    assert f"unit {u} is committed to incident {c} (dispatched, order sent {sent})" in text
    assert text.startswith(f"plan {plan_b.plan_id} cannot be approved")
    assert book.orders.call_signs_sent(b) == set()
    # an amendment that keeps the committed unit is refused the same way; removing it works
    with pytest.raises(CommandError, match=f"unit {u} is committed to incident {c}"):
        book.plans.amend(plan_b.plan_id, [], [], "try again", "sup2")
    fresh = book.plans.amend(plan_b.plan_id, [u], [], "U is on incident C", "sup2")
    if fresh.body["slots"]:
        assert u not in _signs(fresh)
        book.plans.approve(fresh.plan_id, "sup2")
        assert u not in book.orders.call_signs_sent(b)


def test_an_incident_approved_without_orders_is_flagged_and_planned_again(
    book: Book,
    store: Store,
    incidents: IncidentBook,
    events: list[Event],
    frozen_clock: FrozenClock,
) -> None:
    iid = open_incident(incidents, events, "theft", SCENE_A)
    plan = book.plans.propose(iid, "planner")
    # what an older hub killed between its two transactions left: approved, no orders
    with store.transaction() as s:
        repos.PlanRepo(s).decide(plan.plan_id, "approve", user="sup1", t=frozen_clock())
    incidents.set_status(iid, IncidentStatus.APPROVED, "sup1", {}, events.append)
    plan.status = "approved"
    with pytest.raises(CommandError, match="approved, not awaiting approval"):
        book.plans.approve(plan.plan_id, "sup2")
    ok = open_incident(incidents, events, "theft", SCENE_B)
    book.plans.approve(book.plans.propose(ok, "planner").plan_id, "sup1")  # a healthy one
    report = repair_half_done(incidents, book.plans, book.orders, book.alerts, events.append)
    assert report.stranded == [iid] and report.dispatched == []
    (alert,) = [e for e in events if isinstance(e, Alert) and e.kind == STRANDED]
    assert alert.incident_id == iid and alert.level == "critical"
    assert (
        f"警情 {iid} 已批准但指令从未写入" in alert.text and "propose a new plan" in alert.text_en
    )
    again = book.plans.propose(iid, "sup2")  # re-proposal is allowed for it (and only it)
    assert again.status == "proposed" and incidents.status_of(iid) == "plan_proposed"
    with pytest.raises(CommandError, match="already dispatched; no new plan"):
        book.plans.propose(ok, "sup2")
    book.plans.approve(again.plan_id, "sup2")
    assert book.orders.call_signs_sent(iid) == set(_signs(again))
    assert not book.plans.stranded(iid)


def test_orders_written_before_the_status_moved_on_are_dispatched_at_start(
    book: Book,
    store: Store,
    incidents: IncidentBook,
    situation: Situation,
    events: list[Event],
    frozen_clock: FrozenClock,
) -> None:
    iid = open_incident(incidents, events, "theft", SCENE_A)
    plan = book.plans.propose(iid, "planner")
    new_orders, _idx = book.orders.plan_orders(plan)
    with store.transaction() as s:  # an older hub: orders committed, then killed
        repos.PlanRepo(s).decide(plan.plan_id, "approve", user="sup1", t=frozen_clock())
        book.orders.add(s, new_orders, frozen_clock())
    incidents.set_status(iid, IncidentStatus.APPROVED, "sup1", {}, events.append)
    report = repair_half_done(incidents, book.plans, book.orders, book.alerts, events.append)
    assert report.dispatched == [iid] and report.stranded == []
    assert incidents.status_of(iid) == IncidentStatus.DISPATCHED.value
    last = incidents.chronology(iid)[-1]
    assert "status was approved" in last["detail"]["repaired"]
