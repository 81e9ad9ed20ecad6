"""The plan book, the current plans and the availability check on their own: built from a
real store, config, the demo district and the plan engine (no hub), with a real order desk
behind an approval."""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from console.config import Config
from console.domain import IncidentStatus, UnitStatus
from console.hub.availability import Availability
from console.hub.bodies import ManualSlots
from console.hub.current_plans import CurrentPlans, needed_approvals
from console.hub.errors import CommandError
from console.hub.incidents import IncidentBook
from console.hub.messages import Event, PlanChanged
from console.hub.orders import OrderDesk
from console.hub.plans import PlanBook
from console.hub.publisher import Publisher
from console.hub.situation import Situation
from console.planning.engine import PlanEngine
from console.store.db import Store
from tests.conftest import DemoParts, FrozenClock
from tests.core.parts import SCENE_A, SCENE_B, open_incident


@dataclass
class Desk:
    book: PlanBook
    current: CurrentPlans
    availability: Availability
    orders: OrderDesk


@pytest.fixture
def desk(
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
) -> Desk:
    current = CurrentPlans()
    availability = Availability(situation, incidents, current, frozen_clock)
    slots = ManualSlots(config, demo_parts.graph, situation, frozen_clock)
    orders = OrderDesk(
        config, store, incidents, situation, frozen_clock, publisher, released.append
    )
    book = PlanBook(
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
    return Desk(book, current, availability, orders)


def _signs(plan: PlanChanged) -> list[str]:
    return [str(s["call_sign"]) for s in plan.body["slots"]]


def test_a_proposal_is_current_and_holds_its_units(
    desk: Desk, incidents: IncidentBook, situation: Situation, events: list[Event]
) -> None:
    iid = open_incident(incidents, events, "theft", SCENE_A)
    plan = desk.book.propose(iid, "planner")
    assert plan.status == "proposed" and plan.approvals_needed == needed_approvals(1) == 1
    assert plan in events and desk.book.for_incident(iid) is plan
    assert incidents.status_of(iid) == IncidentStatus.PLAN_PROPOSED.value
    signs = _signs(plan)
    assert signs and desk.current.held() == dict.fromkeys(signs, iid)
    assert desk.current.held(exclude_incident=iid) == {}
    assert desk.current.slot_of(iid, signs[0])["call_sign"] == signs[0]  # type: ignore[index]
    # held for this incident: another incident's planner does not see the unit as free
    i = situation.index[signs[0]]
    assert desk.availability.view().available[i] == False  # noqa: E712
    assert desk.availability.view(exclude_incident=iid).available[i] == True  # noqa: E712
    other = open_incident(incidents, events, "theft", SCENE_A)
    assert desk.availability.refusal(i, other) == (
        f"unit {signs[0]} is held by the plan proposed for incident {iid}"
    )
    second = desk.book.propose(other, "planner")
    assert not set(_signs(second)) & set(signs)
    with pytest.raises(CommandError, match="has no current plan"):
        desk.book.for_incident(987654)


def test_approval_dispatches_orders_for_every_slot(
    desk: Desk, incidents: IncidentBook, situation: Situation, events: list[Event]
) -> None:
    iid = open_incident(incidents, events, "theft", SCENE_B)
    plan = desk.book.propose(iid, "planner")
    with pytest.raises(CommandError, match="a rejection needs a reason"):
        desk.book.reject(plan.plan_id, " ", "sup1")
    done = desk.book.approve(plan.plan_id, "sup1")
    assert done.status == "approved" and done.approvals == ["sup1"]
    assert desk.orders.call_signs_sent(iid) == set(_signs(plan))
    assert incidents.status_of(iid) == IncidentStatus.DISPATCHED.value
    i = situation.index[_signs(plan)[0]]
    assert situation.status_of(i) is UnitStatus.DISPATCHED
    assert (
        desk.availability.refusal(i, iid) == f"unit {_signs(plan)[0]} is already on incident {iid}"
    )
    for decide in (
        lambda: desk.book.approve(plan.plan_id, "sup2"),
        lambda: desk.book.reject(plan.plan_id, "too late", "sup2"),
    ):
        with pytest.raises(CommandError, match="approved, not awaiting approval"):
            decide()
    assert desk.book.open_plans() == [done]


def test_force_level_three_needs_two_supervisors_and_a_restart_remembers_the_first(
    desk: Desk, store: Store, incidents: IncidentBook, events: list[Event]
) -> None:
    iid = open_incident(incidents, events, "knife_attack", SCENE_A)
    plan = desk.book.propose(iid, "planner")
    assert plan.approvals_needed == 2
    first = desk.book.approve(plan.plan_id, "sup1")
    assert (first.status, first.approvals) == ("proposed", ["sup1"])
    with pytest.raises(CommandError, match="a second supervisor must approve"):
        desk.book.approve(plan.plan_id, "sup1")
    assert desk.orders.call_signs_sent(iid) == set()  # one approval sends nobody
    reloaded = CurrentPlans()
    reloaded.load(store, incidents.open_ids())
    again = reloaded.of_incident(iid)
    assert again is not None and (again.plan_id, again.approvals) == (plan.plan_id, ["sup1"])
    assert desk.book.approve(plan.plan_id, "sup2").status == "approved"


def test_amending_makes_a_new_proposal_with_a_routed_unit(
    desk: Desk, incidents: IncidentBook, situation: Situation, events: list[Event]
) -> None:
    iid = open_incident(incidents, events, "dispute", SCENE_B)
    plan = desk.book.propose(iid, "planner")
    first = _signs(plan)[0]
    spare = next(
        s.call_sign
        for k, s in enumerate(situation.specs)
        if s.unit_type == "community_police"
        and situation.status_of(k) is UnitStatus.AVAILABLE
        and s.call_sign not in _signs(plan)
    )
    busy = next(s.call_sign for s in situation.specs if s.call_sign not in (*_signs(plan), spare))
    incidents.set_unit_status(situation.index[busy], UnitStatus.OFF_DUTY, None, "op1")
    for remove, add, words in (
        (["nobody"], [], "is not in plan"),
        ([], ["不存在-1"], "unknown unit"),
        ([], [busy], "is not available"),
        ([], [first], "already in the plan"),
    ):
        with pytest.raises(CommandError, match=words):
            desk.book.amend(plan.plan_id, remove, add, "test", "sup1")
    new = desk.book.amend(plan.plan_id, [first], [spare], "closer by foot", "sup1")
    assert new.plan_id != plan.plan_id and new.status == "proposed"
    assert plan.status == "superseded" and desk.current.get(plan.plan_id) is None
    assert spare in _signs(new) and first not in _signs(new)
    added = next(s for s in new.body["slots"] if s["call_sign"] == spare)
    assert added["slot_key"] == "manual" and added["eta_s"] > 0 and len(added["route_lon"]) >= 2
    assert desk.book.reject(new.plan_id, "wait for traffic police", "sup1").status == "rejected"
