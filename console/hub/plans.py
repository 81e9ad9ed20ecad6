"""The plan book: a plan proposed for an incident, the supervisors' decision on it, and
amendments by hand.

Every step is written to the store (plans, decisions, chronology) before its event goes
out.  How many supervisors must approve is the approval policy's answer
(``config/approval_policy.toml``, by force level and incident type): none, one, or two
different supervisors; a first approval of two is recorded in the chronology so a
restart does not forget it.  A plan the policy frees from approval is dispatched as soon
as it is proposed, in the name of the operator who took the call (or proposed it), with
the same one-transaction write as a supervisor's approval; the supervisors are told by
the plan event (approved, 0 needed) and a ``plan_dispatched_by_policy`` chronology entry.

The last approval needed is one transaction: the plan's decision, its orders in the
outbox and the incident's status (approved, then dispatched) commit together or not at
all, so a hub killed half-way leaves either a plan still awaiting approval or a
dispatched incident with its orders, never an approved incident without orders.  Only
then are the units bound, and everyone told.  Every unit of the plan is checked again
at approval (and every unit of an amended plan at amendment): a unit committed or held
elsewhere since the plan was made is refused by name, never sent twice.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import msgspec

from console.domain import IncidentStatus
from console.hub.availability import Availability
from console.hub.bodies import ManualSlots, plan_request
from console.hub.current_plans import FIRST_APPROVAL, POLICY_DISPATCH, CurrentPlans
from console.hub.errors import CommandError
from console.hub.faults import fault_point
from console.hub.incidents import IncidentBook
from console.hub.messages import Event, PlanChanged
from console.hub.orders import OrderDesk
from console.hub.situation import Situation
from console.planning.engine import PlanEngine
from console.store import repos
from console.store.db import Store

PLANNER = "planner"
"""The actor of the first plan the hub proposes at intake (not a person)."""


class PlanBook:
    """Propose, approve, reject and amend plans; the current plans are in ``current``."""

    def __init__(
        self,
        store: Store,
        incidents: IncidentBook,
        situation: Situation,
        engine: PlanEngine,
        current: CurrentPlans,
        availability: Availability,
        slots: ManualSlots,
        orders: OrderDesk,
        clock: Callable[[], float],
        emit: Callable[[Event], None],
    ) -> None:
        self.store = store
        self.incidents = incidents
        self.situation = situation
        self.engine = engine
        self.current = current
        self.availability = availability
        self.slots = slots
        self.orders = orders
        self.clock = clock
        self.emit = emit

    # ------------------------------------------------------------------ reads

    def for_incident(self, incident_id: int) -> PlanChanged:
        """The incident's current plan; a refusal when it has none."""
        p = self.current.of_incident(incident_id)
        if p is None:
            raise CommandError(f"incident {incident_id} has no current plan")
        return p

    def open_plans(self) -> list[PlanChanged]:
        """Plans of open incidents (for the snapshot)."""
        return self.current.of_open(self.incidents.is_open)

    def stranded(self, incident_id: int) -> bool:
        """An incident approved (or dispatched) without a single order: an approval cut
        short before this hub wrote approval and orders together.  It may be planned again."""
        st = self.incidents.state(incident_id)
        return (
            st is not None
            and st.status in (IncidentStatus.APPROVED.value, IncidentStatus.DISPATCHED.value)
            and not self.orders.has_orders(incident_id)
        )

    def refusals(self, incident_id: int, slots: list[dict[str, Any]]) -> list[str]:
        """Why units of these slots may not be sent to the incident now (empty: all may)."""
        out: list[str] = []
        for slot in slots:
            cs = str(slot.get("call_sign", ""))
            i = self.situation.index.get(cs)
            if i is None or self.incidents.unit_id_of(cs) is None:
                out.append(f"unit {cs!r} is not a unit of this district")
                continue
            why = self.availability.refusal(i, incident_id)
            if why is not None:
                out.append(why)
        return out

    def _pending(self, plan_id: int) -> PlanChanged:
        """A current plan still waiting for a decision; a refusal otherwise."""
        ev = self.current.get(plan_id)
        if ev is None:
            raise CommandError(f"plan {plan_id} is not the current plan of an open incident")
        if ev.status != "proposed":
            raise CommandError(f"plan {plan_id} is {ev.status}, not awaiting approval")
        return ev

    # ---------------------------------------------------------------- changes

    def propose(
        self,
        incident_id: int,
        actor: str,
        force_level: int | None = None,
        manpower: int | None = None,
    ) -> PlanChanged:
        """Generate and store a plan for an open incident; supersedes older proposals.

        A plan the approval policy frees (0 approvals) with units that may all go is
        dispatched at once (see the module text); the returned event says which."""
        st = self.incidents.state(incident_id)
        if st is None:
            raise CommandError(f"incident {incident_id} is not open")
        if st.status not in (
            IncidentStatus.NEW.value,
            IncidentStatus.PLAN_PROPOSED.value,
        ) and not self.stranded(incident_id):
            raise CommandError(f"incident {incident_id} is already {st.status}; no new plan")
        st = self.incidents.adjust_force(incident_id, force_level, manpower)
        view = self.availability.view(exclude_incident=incident_id)
        req = plan_request(incident_id, st)
        try:
            plan = self.engine.plan([req], view, hour=self.availability.hour())[0]
        except ValueError as exc:
            raise CommandError(f"no plan: {exc}") from None
        body = msgspec.to_builtins(plan)
        with self.store.transaction() as s:
            row = repos.PlanRepo(s).create(incident_id, body, created_by=actor, t=self.clock())
            plan_id = row.id
        ev = self.current.event(plan_id, incident_id, "proposed", [], body)
        self.current.put(ev)
        if st.status != IncidentStatus.PLAN_PROPOSED.value:
            self.incidents.set_status(
                incident_id, IncidentStatus.PLAN_PROPOSED, actor, {"plan_id": plan_id}, self.emit
            )
        self.emit(ev)
        slots = list(ev.body.get("slots", []))
        if ev.approvals_needed == 0 and slots and not self.refusals(incident_id, slots):
            return self._dispatch(ev, self._operator(incident_id, actor), by_policy=True)
        return ev

    def _operator(self, incident_id: int, actor: str) -> str:
        """Who dispatches a plan the policy frees: the proposer, or for the hub's own first
        plan the operator who registered the call."""
        if actor != PLANNER:
            return actor
        with self.store.session() as s:
            row = repos.IncidentRepo(s).get(incident_id)
            return str(row.created_by) if row is not None and row.created_by else actor

    def approve(self, plan_id: int, actor: str) -> PlanChanged:
        """Record a supervisor's approval; the last one needed dispatches the orders."""
        ev = self._pending(plan_id)
        if actor in ev.approvals:
            raise CommandError(
                f"{actor} has already approved plan {plan_id}; a second supervisor must approve"
            )
        if not ev.body.get("slots"):
            raise CommandError("the plan has no units; amend it or reject it")
        iid = ev.incident_id
        refused = self.refusals(iid, list(ev.body["slots"]))
        if refused:
            raise CommandError(
                f"plan {plan_id} cannot be approved: "
                + "; ".join(refused)
                + ". Amend the plan or propose a new one"
            )
        now = self.clock()
        if len(ev.approvals) + 1 < ev.approvals_needed:
            with self.store.transaction() as s:
                repos.IncidentRepo(s).add_event(
                    iid,
                    t=now,
                    actor=actor,
                    kind=FIRST_APPROVAL,
                    detail={"plan_id": plan_id, "needed": ev.approvals_needed},
                )
            ev.approvals = [*ev.approvals, actor]
            self.emit(ev)
            return ev
        return self._dispatch(ev, actor)

    def _dispatch(self, ev: PlanChanged, actor: str, by_policy: bool = False) -> PlanChanged:
        """The last approval (or the policy's none): decision, orders and status in one
        transaction, then the units bound and everyone told."""
        plan_id, iid, now = ev.plan_id, ev.incident_id, self.clock()
        new_orders, idx = self.orders.plan_orders(ev)
        with self.store.transaction() as s:
            row = repos.PlanRepo(s).decide(plan_id, "approve", user=actor, t=now)
            if row is None:
                raise CommandError(f"plan {plan_id} was decided meanwhile")
            if by_policy:
                repos.IncidentRepo(s).add_event(
                    iid,
                    t=now,
                    actor=actor,
                    kind=POLICY_DISPATCH,
                    detail={"plan_id": plan_id, "approvals_needed": 0, "notified": "supervisors"},
                )
            fault_point("approve:decided")
            order_ids = self.orders.add(s, new_orders, now)
            self.incidents.write_status(
                s, iid, IncidentStatus.APPROVED, actor, {"plan_id": plan_id}, now
            )
            self.incidents.write_status(
                s, iid, IncidentStatus.DISPATCHED, actor, {"orders": len(order_ids)}, now
            )
        fault_point("approve:committed")
        ev.approvals = [*ev.approvals, actor]
        ev.status = "approved"
        self.incidents.show_status(iid, IncidentStatus.APPROVED, self.emit)
        self.emit(ev)
        self.orders.bind(iid, idx, actor)
        self.incidents.show_status(iid, IncidentStatus.DISPATCHED, self.emit)
        self.orders.announce(iid, order_ids, new_orders, idx, now)
        return ev

    def reject(self, plan_id: int, reason: str, actor: str) -> PlanChanged:
        """A supervisor turns the plan down; the incident waits for a new one."""
        if not reason.strip():
            raise CommandError("a rejection needs a reason")
        ev = self._pending(plan_id)
        with self.store.transaction() as s:
            repos.PlanRepo(s).decide(plan_id, "reject", user=actor, reason=reason, t=self.clock())
        ev.status = "rejected"
        self.emit(ev)
        return ev

    def amend(
        self, plan_id: int, remove: list[str], add: list[str], reason: str, actor: str
    ) -> PlanChanged:
        """Swap, add or remove units; the edited plan is a new proposal needing approval."""
        ev = self._pending(plan_id)
        body = dict(ev.body)
        slots = [dict(x) for x in body.get("slots", [])]
        present = {x["call_sign"] for x in slots}
        for cs in remove:
            if cs not in present:
                raise CommandError(f"unit {cs} is not in plan {plan_id}")
        slots = [x for x in slots if x["call_sign"] not in set(remove)]
        st = self.incidents.state(ev.incident_id)
        if st is None:
            raise CommandError(f"incident {ev.incident_id} is not open")
        for cs in add:
            i = self.situation.index.get(cs)
            if i is None:
                raise CommandError(f"unknown unit {cs!r}")
            if cs in present and cs not in remove:
                raise CommandError(f"unit {cs} is already in the plan")
            why = self.availability.refusal(i, ev.incident_id)
            if why is not None:
                raise CommandError(why)
            slots.append(self.slots.slot(i, st.lon, st.lat))
        refused = self.refusals(ev.incident_id, slots)
        if refused:  # a unit kept from the old plan went elsewhere meanwhile
            raise CommandError(
                "; ".join(refused) + ": remove it from the plan or propose a new one"
            )
        body["slots"] = slots
        body["manpower_assigned"] = int(sum(int(x.get("crew", 1)) for x in slots))
        body.setdefault("notes_zh", []).append(
            f"{actor} 修改: {reason}" if reason else f"{actor} 修改"
        )
        body.setdefault("notes_en", []).append(f"amended by {actor}: {reason}".rstrip(": "))
        now = self.clock()
        with self.store.transaction() as s:
            repos.PlanRepo(s).decide(
                plan_id, "reject", user=actor, reason=f"amended: {reason}", t=now
            )
            row = repos.PlanRepo(s).create(ev.incident_id, body, created_by=actor, t=now)
            new_id = row.id
        ev.status = "superseded"
        self.emit(ev)
        new = self.current.event(new_id, ev.incident_id, "proposed", [], body)
        self.current.put(new)
        self.emit(new)
        return new
