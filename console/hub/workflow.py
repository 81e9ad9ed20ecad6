"""The command loop: plan -> supervisor decision -> orders -> receipts -> close.

Runs on the hub thread.  Every step is written to the store (plans, decisions,
orders in the outbox, chronology) before its event goes out.  Force level 3
and above needs two different supervisors; the first approval is recorded in
the chronology so a restart does not forget it.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import msgspec
import numpy as np

from console.domain import IncidentStatus, OrderState, UnitStatus
from console.geo.coords import haversine_m
from console.hub.errors import CommandError
from console.hub.messages import Alert, AlertProposal, IncidentState, OrderChanged, PlanChanged
from console.hub.reassignment import Reassignment
from console.planning.demand import Demand
from console.planning.engine import PlanEngine
from console.planning.fleet import SituationView
from console.planning.plan import PlanRequest
from console.planning.reassign import Proposal
from console.planning.runcards import load_run_cards
from console.store import repos
from console.store.errors import StoreError

if TYPE_CHECKING:
    from console.hub.hub import CommandHub

log = logging.getLogger(__name__)
SHANGHAI_UTC_OFFSET_S = 8 * 3600.0  # hours of day are local (Asia/Shanghai, no DST)

ORDER_EFFECT = {
    OrderState.ACCEPTED: UnitStatus.EN_ROUTE,
    OrderState.ARRIVED: UnitStatus.ON_SCENE,
    OrderState.FINISHED: UnitStatus.AVAILABLE,
    OrderState.REJECTED: UnitStatus.AVAILABLE,
    OrderState.EXPIRED: UnitStatus.AVAILABLE,
}


@dataclass
class _Timer:
    """An alert condition already raised (so it is raised once)."""

    key: str
    alert_id: int


class Workflow:
    """Plans, approvals, orders and timers for the hub."""

    def __init__(self, hub: CommandHub) -> None:
        self.hub = hub
        self.cards = load_run_cards(hub.config)
        self.engine = PlanEngine(hub.config, self.cards, hub.graph, hub.district)
        self.engine.demand = self._demand_from_history()
        self.plans: dict[int, PlanChanged] = {}  # newest plan per incident, by plan id
        self.alerts: dict[int, Alert] = {}
        self.proposals: dict[int, Proposal] = {}  # unit proposed by an escalation, by alert id
        self.alert_orders: dict[int, str] = {}  # the silent or refused order, by alert id
        self._raised: set[str] = set()
        self._next_alert = 1
        self.order_listeners: list[Callable[[str, int, dict[str, Any]], None]] = []
        self.cancel_listeners: list[Callable[[str, int, str], None]] = []
        """Told (order id, the unit's store id, reason) after an order was cancelled (alone
        or with its incident), so whoever talks to the terminal can push it at once."""
        self.reassignment = Reassignment(self)  # escalation proposals, reassign, cancel
        self._reload()

    def _demand_from_history(self) -> Demand | None:
        """Coverage weighted by where and when past 110 calls came (the hub's history);
        without a usable history the engine weighs coverage by road length."""
        hub = self.hub
        if len(hub.hist_t) == 0:
            return None
        hour = ((np.asarray(hub.hist_t) + SHANGHAI_UTC_OFFSET_S) % 86400.0) / 3600.0
        try:
            return Demand.from_calls(
                self.engine.tt, self.cards, hour, list(hub.hist_type), hub.hist_lon, hub.hist_lat
            )
        except ValueError as exc:
            log.warning("call history not used for coverage weights: %s", exc)
            return None

    # ------------------------------------------------------------------ state

    def _reload(self) -> None:
        with self.hub.store.session() as s:
            pr = repos.PlanRepo(s)
            ir = repos.IncidentRepo(s)
            for iid in self.hub.incidents.open:
                rows = pr.for_incident(iid)
                if not rows:
                    continue
                row = rows[-1]
                approvals = [
                    e.actor
                    for e in ir.chronology(iid)
                    if e.kind == "plan_first_approval" and e.detail.get("plan_id") == row.id
                ]
                self.plans[row.id] = self._plan_event(row.id, iid, row.status, approvals, row.body)
            # units bound to open incidents keep their binding across a restart
            for o in self.hub.incidents.open.values():
                for order in repos.OrderRepo(s).for_incident(o.state.id):
                    if order.state in ("finished", "rejected", "expired", "cancelled"):
                        continue
                    cs = self._call_sign_of(order.unit_id)
                    i = self.hub.situation.index.get(cs) if cs else None
                    if i is not None and i not in o.units:
                        o.units.append(i)
                        self.hub.situation.set_status(
                            i, UnitStatus.DISPATCHED, order.created_at, o.state.id
                        )
                o.state.units = [self.hub.situation.specs[i].call_sign for i in o.units]

    def _call_sign_of(self, unit_id: int) -> str | None:
        for cs, uid in self.hub.incidents._unit_ids.items():
            if uid == unit_id:
                return cs
        return None

    def needed_approvals(self, force_level: int) -> int:
        """Two different supervisors from force level 3 up, one below."""
        return 2 if force_level >= 3 else 1

    def _plan_event(
        self,
        plan_id: int,
        incident_id: int,
        status: str,
        approvals: list[str],
        body: dict[str, Any],
    ) -> PlanChanged:
        return PlanChanged(
            plan_id=plan_id,
            incident_id=incident_id,
            status=status,
            approvals=approvals,
            approvals_needed=self.needed_approvals(int(body.get("force_level", 1))),
            body=body,
        )

    def open_plans(self) -> list[PlanChanged]:
        """Plans of open incidents (for the snapshot)."""
        return [p for p in self.plans.values() if p.incident_id in self.hub.incidents.open]

    def open_alerts(self) -> list[Alert]:
        """Alerts for the snapshot: not yet acknowledged, or acknowledged with a proposed
        unit nobody has decided on yet (a workstation joining later must still offer it)."""
        return [
            a
            for a in self.alerts.values()
            if not a.acked_by
            or (
                a.proposal is not None
                and a.decision is None
                and a.incident_id in self.hub.incidents.open
            )
        ]

    # ------------------------------------------------------------------ plans

    def propose(
        self,
        incident_id: int,
        actor: str,
        force_level: int | None = None,
        manpower: int | None = None,
    ) -> PlanChanged:
        """Generate and store a plan for an open incident; supersedes older proposals."""
        o = self.hub.incidents.open.get(incident_id)
        if o is None:
            raise CommandError(f"incident {incident_id} is not open")
        st = o.state
        if st.status not in (IncidentStatus.NEW.value, IncidentStatus.PLAN_PROPOSED.value):
            raise CommandError(f"incident {incident_id} is already {st.status}; no new plan")
        if force_level is not None:
            st.force_level = force_level
        if manpower is not None:
            st.manpower = manpower
        view = self._view(exclude_incident=incident_id)
        req = self.plan_request(incident_id, st)
        try:
            plan = self.engine.plan([req], view, hour=self._hour())[0]
        except ValueError as exc:
            raise CommandError(f"no plan: {exc}") from None
        body = msgspec.to_builtins(plan)
        with self.hub.store.transaction() as s:
            row = repos.PlanRepo(s).create(incident_id, body, created_by=actor, t=self.hub.clock())
            plan_id = row.id
        for pid in [p for p, ev in self.plans.items() if ev.incident_id == incident_id]:
            del self.plans[pid]
        ev = self._plan_event(plan_id, incident_id, "proposed", [], body)
        self.plans[plan_id] = ev
        if st.status != IncidentStatus.PLAN_PROPOSED.value:
            self.hub.incidents.set_status(
                incident_id,
                IncidentStatus.PLAN_PROPOSED,
                actor,
                {"plan_id": plan_id},
                self.hub.emit,
            )
        self.hub.emit(ev)
        return ev

    @staticmethod
    def plan_request(incident_id: int, st: IncidentState) -> PlanRequest:
        """What the plan engine needs of an incident (a plan, or a replacement unit)."""
        return PlanRequest(
            incident_id=incident_id,
            incident_type=st.incident_type,
            lon=st.lon,
            lat=st.lat,
            priority=st.priority,
            force_level=st.force_level,
            manpower=st.manpower,
        )

    @staticmethod
    def order_scene(st: IncidentState) -> dict[str, Any]:
        """The incident's part of an order body, as it stands now (type, level, place)."""
        return {
            "incident_type": st.incident_type,
            "priority": st.priority,
            "force_level": st.force_level,
            "lon": st.lon,
            "lat": st.lat,
            "address": st.address,
        }

    def _view(self, exclude_incident: int | None = None) -> SituationView:
        """Live units, with units reserved by other incidents' pending plans left out."""
        view = SituationView.from_situation(self.hub.situation)
        reserved = {
            slot["call_sign"]
            for p in self.plans.values()
            if p.status == "proposed" and p.incident_id != exclude_incident
            for slot in p.body.get("slots", [])
        }
        if reserved:
            avail = view.available.copy()
            for cs in reserved:
                i = self.hub.situation.index.get(cs)
                if i is not None:
                    avail[i] = False
            view = SituationView(view.specs, view.lon, view.lat, avail)
        return view

    def _hour(self) -> int:
        return int((self.hub.clock() + 8 * 3600) // 3600 % 24)  # Asia/Shanghai

    def _plan(self, plan_id: int) -> PlanChanged:
        ev = self.plans.get(plan_id)
        if ev is None:
            raise CommandError(f"plan {plan_id} is not the current plan of an open incident")
        return ev

    def approve(self, plan_id: int, actor: str) -> PlanChanged:
        """Record a supervisor's approval; the last one needed dispatches the orders."""
        ev = self._plan(plan_id)
        if ev.status != "proposed":
            raise CommandError(f"plan {plan_id} is {ev.status}, not awaiting approval")
        if actor in ev.approvals:
            raise CommandError(
                f"{actor} has already approved plan {plan_id}; a second supervisor must approve"
            )
        if not ev.body.get("slots"):
            raise CommandError("the plan has no units; amend it or reject it")
        now = self.hub.clock()
        if len(ev.approvals) + 1 < ev.approvals_needed:
            with self.hub.store.transaction() as s:
                repos.IncidentRepo(s).add_event(
                    ev.incident_id,
                    t=now,
                    actor=actor,
                    kind="plan_first_approval",
                    detail={"plan_id": plan_id, "needed": ev.approvals_needed},
                )
            ev.approvals = [*ev.approvals, actor]
            self.hub.emit(ev)
            return ev
        with self.hub.store.transaction() as s:
            row = repos.PlanRepo(s).decide(plan_id, "approve", user=actor, t=now)
        if row is None:
            raise CommandError(f"plan {plan_id} was decided meanwhile")
        ev.approvals = [*ev.approvals, actor]
        ev.status = "approved"
        self.hub.incidents.set_status(
            ev.incident_id, IncidentStatus.APPROVED, actor, {"plan_id": plan_id}, self.hub.emit
        )
        self.hub.emit(ev)
        self.dispatch(ev, actor)
        return ev

    def reject(self, plan_id: int, reason: str, actor: str) -> PlanChanged:
        """A supervisor turns the plan down; the incident waits for a new one."""
        if not reason.strip():
            raise CommandError("a rejection needs a reason")
        ev = self._plan(plan_id)
        if ev.status != "proposed":
            raise CommandError(f"plan {plan_id} is {ev.status}, not awaiting approval")
        with self.hub.store.transaction() as s:
            repos.PlanRepo(s).decide(
                plan_id, "reject", user=actor, reason=reason, t=self.hub.clock()
            )
        ev.status = "rejected"
        self.hub.emit(ev)
        return ev

    def amend(
        self, plan_id: int, remove: list[str], add: list[str], reason: str, actor: str
    ) -> PlanChanged:
        """Swap, add or remove units; the edited plan is a new proposal needing approval."""
        ev = self._plan(plan_id)
        if ev.status != "proposed":
            raise CommandError(f"plan {plan_id} is {ev.status}, not awaiting approval")
        body = dict(ev.body)
        slots = [dict(x) for x in body.get("slots", [])]
        present = {x["call_sign"] for x in slots}
        for cs in remove:
            if cs not in present:
                raise CommandError(f"unit {cs} is not in plan {plan_id}")
        slots = [x for x in slots if x["call_sign"] not in set(remove)]
        st = self.hub.incidents.open[ev.incident_id].state
        for cs in add:
            i = self.hub.situation.index.get(cs)
            if i is None:
                raise CommandError(f"unknown unit {cs!r}")
            if cs in present and cs not in remove:
                raise CommandError(f"unit {cs} is already in the plan")
            if self.hub.situation.status_of(i) is not UnitStatus.AVAILABLE:
                raise CommandError(f"unit {cs} is not available")
            slots.append(self._manual_slot(i, st.lon, st.lat))
        body["slots"] = slots
        body["manpower_assigned"] = int(sum(int(x.get("crew", 1)) for x in slots))
        body.setdefault("notes_zh", []).append(
            f"{actor} 修改: {reason}" if reason else f"{actor} 修改"
        )
        body.setdefault("notes_en", []).append(f"amended by {actor}: {reason}".rstrip(": "))
        now = self.hub.clock()
        with self.hub.store.transaction() as s:
            repos.PlanRepo(s).decide(
                plan_id, "reject", user=actor, reason=f"amended: {reason}", t=now
            )
            row = repos.PlanRepo(s).create(ev.incident_id, body, created_by=actor, t=now)
            new_id = row.id
        ev.status = "superseded"
        self.hub.emit(ev)
        del self.plans[plan_id]
        new = self._plan_event(new_id, ev.incident_id, "proposed", [], body)
        self.plans[new_id] = new
        self.hub.emit(new)
        return new

    def _manual_slot(self, i: int, lon: float, lat: float) -> dict[str, Any]:
        """A plan slot for a unit the supervisor added by hand, with its real route and ETA."""
        g = self.hub.graph
        spec = self.hub.situation.specs[i]
        ut = self.hub.config.unit_types[spec.unit_type]
        src = int(g.snap(float(self.hub.situation.lon[i]), float(self.hub.situation.lat[i])))
        dst = int(g.snap(lon, lat))
        route = g.route(src, dst, hour=self._hour(), speed_factor=ut.speed_factor)
        std = self.hub.config.arrival_standards[ut.standard]
        return {
            "slot_key": "manual",
            "call_sign": spec.call_sign,
            "unit_type": spec.unit_type,
            "unit_type_zh": ut.name_zh,
            "role_zh": "增援(人工指定)",
            "role_en": "Reinforcement (added by supervisor)",
            "wave": "reinforcement",
            "wave_zh": "增援",
            "crew": ut.crew,
            "route_lon": [float(x) for x in route.lon],
            "route_lat": [float(x) for x in route.lat],
            "distance_m": float(route.length_m),
            "eta_s": float(route.seconds),
            "standard": ut.standard,
            "standard_s": float(std.seconds),
            "met": bool(route.seconds <= std.seconds),
            "alternative": None,
            "why_zh": "值班领导人工指定",
            "why_en": "added by the supervisor",
        }

    # ----------------------------------------------------------------- orders

    def dispatch(self, ev: PlanChanged, actor: str) -> list[str]:
        """Write one order per unit to the outbox and bind the units to the incident."""
        st = self.hub.incidents.open[ev.incident_id].state
        ids = self.hub.incidents._unit_ids
        new_orders = []
        idx = []
        for slot in ev.body.get("slots", []):
            i = self.hub.situation.index.get(slot["call_sign"])
            uid = ids.get(slot["call_sign"])
            if i is None or uid is None:
                continue
            idx.append(i)
            new_orders.append(
                repos.NewOrder(
                    incident_id=ev.incident_id,
                    unit_id=uid,
                    role=str(slot.get("role_en", "responder"))[:60],
                    plan_id=ev.plan_id,
                    body={
                        "call_sign": slot["call_sign"],
                        **self.order_scene(st),
                        "role_zh": slot.get("role_zh", ""),
                        "role_en": slot.get("role_en", ""),
                        "eta_s": slot.get("eta_s"),
                        "instructions": slot.get("why_zh", ""),
                        "briefing": " ".join(ev.body.get("notes_zh", [])),
                    },
                )
            )
        now = self.hub.clock()
        order_ids = self._write_orders(ev.incident_id, new_orders, idx, actor, now)
        self.hub.incidents.set_status(
            ev.incident_id,
            IncidentStatus.DISPATCHED,
            actor,
            {"orders": len(order_ids)},
            self.hub.emit,
        )
        self._announce_orders(ev.incident_id, order_ids, new_orders, idx, now)
        return order_ids

    def _write_orders(
        self,
        incident_id: int,
        new_orders: list[repos.NewOrder],
        idx: list[int],
        actor: str,
        now: float,
    ) -> list[str]:
        """Orders into the outbox (one transaction), then the units bound to the incident."""
        o = self.hub.config.orders
        with self.hub.store.transaction() as s:
            order_ids = repos.OrderRepo(s).add_many(
                new_orders,
                ack_deadline_seconds=o.ack_deadline_seconds,
                time_to_live_seconds=o.time_to_live_seconds,
                now=now,
            )
        self.hub.incidents.assign(incident_id, idx, actor, self.hub.emit)
        return order_ids

    def _announce_orders(
        self,
        incident_id: int,
        order_ids: list[str],
        new_orders: list[repos.NewOrder],
        idx: list[int],
        now: float,
    ) -> None:
        """Events for freshly written orders, then the order listeners (the link's kick, the
        virtual terminals), so the orders go out now rather than at the next poll."""
        for i in idx:
            self.hub.emit_unit(i)
        for oid, no, i in zip(order_ids, new_orders, idx, strict=True):
            self.hub.emit(
                OrderChanged(
                    order_id=oid,
                    incident_id=incident_id,
                    call_sign=self.hub.situation.specs[i].call_sign,
                    state=OrderState.PENDING.value,
                    t=now,
                )
            )
            for listener in self.order_listeners:
                listener(oid, i, no.body)

    def receipt(self, order_id: str, state: str, reason: str, outcome: str, actor: str) -> bool:
        """Apply a terminal's receipt; duplicates and out-of-order receipts change nothing."""
        try:
            new = OrderState(state)
        except ValueError:
            raise CommandError(f"unknown order state {state!r}") from None
        if new in (OrderState.PENDING, OrderState.EXPIRED, OrderState.CANCELLED):
            raise CommandError(f"a terminal cannot report {state!r}")
        now = self.hub.clock()
        fields: dict[str, Any] = {}
        if new is OrderState.REJECTED:
            fields["rejected_reason"] = reason or "no reason given"
        if new is OrderState.FINISHED:
            fields["outcome"] = outcome
        with self.hub.store.transaction() as s:
            r = repos.OrderRepo(s)
            row = r.get(order_id)
            if row is None:
                raise CommandError(f"unknown order {order_id!r}")
            changed = r.mark_state(order_id, new, now, **fields)
            incident_id, unit_id, body = row.incident_id, row.unit_id, dict(row.body)
            if changed:
                repos.IncidentRepo(s).add_event(
                    incident_id,
                    t=now,
                    actor=actor,
                    kind=f"order_{new.value}",
                    detail={
                        "order_id": order_id,
                        "unit": body.get("call_sign"),
                        "reason": reason,
                        "outcome": outcome,
                    },
                )
        if not changed:
            return False
        cs = str(body.get("call_sign") or self._call_sign_of(unit_id) or "")
        i = self.hub.situation.index.get(cs)
        self.hub.emit(
            OrderChanged(
                order_id=order_id, incident_id=incident_id, call_sign=cs, state=new.value, t=now
            )
        )
        if i is not None:
            self.unit_effect(i, incident_id, new, cs, reason, order_id=order_id)
        return True

    def unit_effect(
        self,
        i: int,
        incident_id: int,
        new: OrderState,
        cs: str,
        reason: str,
        order_id: str = "",
    ) -> None:
        """What a receipt means for the unit: en route, on scene, free again (and its events).
        ``order_id`` is the order the receipt was for (looked up when not given)."""
        hub = self.hub
        status = ORDER_EFFECT.get(new)
        if status is None:
            return
        open_inc = hub.incidents.open.get(incident_id)
        bound = incident_id if status not in (UnitStatus.AVAILABLE,) else None
        hub.incidents.set_unit_status(i, status, bound, "terminal")
        if status is UnitStatus.AVAILABLE and open_inc is not None and i in open_inc.units:
            open_inc.units.remove(i)
            open_inc.state.units = [hub.situation.specs[k].call_sign for k in open_inc.units]
        hub.emit_unit(i)
        if open_inc is None:
            return
        if new is OrderState.ACCEPTED and open_inc.state.status == IncidentStatus.DISPATCHED.value:
            hub.incidents.set_status(incident_id, IncidentStatus.EN_ROUTE, cs, {}, hub.emit)
        elif new is OrderState.ARRIVED and open_inc.state.status != IncidentStatus.ON_SCENE.value:
            hub.incidents.set_status(incident_id, IncidentStatus.ON_SCENE, cs, {}, hub.emit)
        elif new is OrderState.REJECTED and f"rejected:{incident_id}:{cs}" not in self._raised:
            zh, en, proposal = self._escalation(incident_id, cs)
            self.raise_alert(
                f"rejected:{incident_id}:{cs}",
                "warning",
                "order_rejected",
                f"{cs} 拒绝指令: {reason}; {zh}",
                f"{cs} rejected the order: {reason}; {en}",
                incident_id,
                proposal=proposal,
                order_id=order_id or self._order_of(incident_id, cs, OrderState.REJECTED),
            )
        hub.emit_incident(incident_id)

    def finish_orders(
        self, incident_id: int, outcome: str, actor: str, cancel: bool = False
    ) -> None:
        """Close every open order of an incident (closed: finished; cancelled: cancelled)."""
        now = self.hub.clock()
        state = OrderState.CANCELLED if cancel else OrderState.FINISHED
        changed: list[tuple[str, str, int]] = []
        with self.hub.store.transaction() as s:
            r = repos.OrderRepo(s)
            for o in r.for_incident(incident_id):
                fields = {} if cancel else {"outcome": outcome}
                if r.mark_state(o.id, state, now, **fields):
                    changed.append((o.id, str(o.body.get("call_sign", "")), o.unit_id))
        why = (
            "警情已撤销 / incident cancelled"
            if cancel
            else f"警情已结束 / incident closed: {outcome}"
        )
        for oid, cs, unit_id in changed:
            self.hub.emit(
                OrderChanged(
                    order_id=oid, incident_id=incident_id, call_sign=cs, state=state.value, t=now
                )
            )
            if cancel:  # the terminal stops working on it now (a closed incident's
                for listener in self.cancel_listeners:  # orders stay the officers' to finish)
                    listener(oid, unit_id, why[:200])
        for p in [p for p, ev in self.plans.items() if ev.incident_id == incident_id]:
            del self.plans[p]

    # ----------------------------------------------------------------- alerts

    def raise_alert(
        self,
        key: str,
        level: str,
        kind: str,
        text: str,
        text_en: str,
        incident_id: int | None,
        proposal: Proposal | None = None,
        order_id: str = "",
    ) -> Alert | None:
        """Raise an alert once per condition key; every workstation sees it.  A proposed
        unit is kept by alert id, recorded in the chronology (``detail["proposal"]``) and
        travels with the alert (``Alert.proposal``) so a supervisor can act on it;
        ``order_id`` is the order the alert is about (the one a reassignment replaces)."""
        if key in self._raised:
            return None
        self._raised.add(key)
        a = Alert(
            level=level,
            kind=kind,
            text=text,
            text_en=text_en,
            incident_id=incident_id,
            alert_id=self._next_alert,
            t=self.hub.clock(),
        )
        self._next_alert += 1
        self.alerts[a.alert_id] = a
        detail: dict[str, Any] = {"text": text}
        if order_id:
            self.alert_orders[a.alert_id] = order_id
            detail["order_id"] = order_id
        if proposal is not None:
            self.proposals[a.alert_id] = proposal
            detail["proposal"] = msgspec.to_builtins(proposal)
            a.proposal = AlertProposal(
                call_sign=proposal.call_sign,
                unit_type=proposal.unit_type,
                eta_s=proposal.eta_s,
                replaces=proposal.replaces,
                order_id=order_id,
                source=proposal.source,
            )
        if incident_id is not None and incident_id in self.hub.incidents.open:
            try:
                with self.hub.store.transaction() as s:
                    repos.IncidentRepo(s).add_event(
                        incident_id,
                        t=a.t,
                        actor="system",
                        kind=f"alert_{kind}",
                        detail=detail,
                    )
            except StoreError:
                log.exception("could not record alert")
        self.hub.emit(a)
        return a

    def ack_alert(self, alert_id: int, actor: str) -> Alert:
        """An operator acknowledges an alert."""
        a = self.alerts.get(alert_id)
        if a is None:
            raise CommandError(f"no alert {alert_id}")
        if a.acked_by:
            raise CommandError(f"alert {alert_id} was already acknowledged by {a.acked_by}")
        a.acked_by = actor
        if a.incident_id is not None and a.incident_id in self.hub.incidents.open:
            with self.hub.store.transaction() as s:
                repos.IncidentRepo(s).add_event(
                    a.incident_id,
                    t=self.hub.clock(),
                    actor=actor,
                    kind="alert_acknowledged",
                    detail={"alert_id": alert_id, "kind": a.kind},
                )
        self.hub.emit(a)
        return a

    # ---------------------------------------------------------- reassignment
    # The escalation proposal and the reassignment live in console/hub/reassignment.py;
    # these names stay here because the hub's command table and tests call them.

    def next_unit(self, incident_id: int, call_sign: str) -> Proposal | None:
        """See :meth:`Reassignment.next_unit`."""
        return self.reassignment.next_unit(incident_id, call_sign)

    def _escalation(self, incident_id: int, call_sign: str) -> tuple[str, str, Proposal | None]:
        """See :meth:`Reassignment.escalation` (the timers and receipts call it)."""
        return self.reassignment.escalation(incident_id, call_sign)

    def reassign(self, alert_id: int, call_sign: str, actor: str) -> dict[str, Any]:
        """See :meth:`Reassignment.reassign`."""
        return self.reassignment.reassign(alert_id, call_sign, actor)

    def dismiss_proposal(self, alert_id: int, reason: str, actor: str) -> int:
        """See :meth:`Reassignment.dismiss_proposal`."""
        return self.reassignment.dismiss_proposal(alert_id, reason, actor)

    def cancel_order(self, order_id: str, reason: str, actor: str) -> bool:
        """See :meth:`Reassignment.cancel_order`."""
        return self.reassignment.cancel_order(order_id, reason, actor)

    # ----------------------------------------------------------------- timers

    def _order_of(self, incident_id: int, call_sign: str, state: OrderState) -> str:
        """The newest order of ``call_sign`` on the incident in ``state`` ("" if none)."""
        uid = self.hub.incidents._unit_ids.get(call_sign)
        with self.hub.store.session() as s:
            for o in reversed(repos.OrderRepo(s).for_incident(incident_id)):
                if o.state == state.value and (
                    o.unit_id == uid or (o.body or {}).get("call_sign") == call_sign
                ):
                    return str(o.id)
        return ""

    def check_timers(self) -> None:
        """Not acknowledged in time, arrival standard exceeded, on scene too long."""
        now = self.hub.clock()
        with self.hub.store.transaction() as s:
            r = repos.OrderRepo(s)
            overdue = [
                (o.id, o.incident_id, o.unit_id, dict(o.body or {})) for o in r.overdue_acks(now)
            ]
            expired = r.expire_due(now)
            late: list[tuple[str, int, dict[str, Any], float]] = []
            for iid in list(self.hub.incidents.open):
                for o in r.for_incident(iid):
                    if (
                        o.state in ("delivered", "read", "accepted", "pending")
                        and o.arrived_at is None
                    ):
                        late.append((o.id, iid, dict(o.body), o.created_at))
        deadline = self.hub.config.orders.ack_deadline_seconds
        for oid, iid, unit_id, body in overdue:
            if f"ack:{oid}" in self._raised:
                continue  # raised once; the proposal is not worked out again every tick
            cs = str(body.get("call_sign") or self._call_sign_of(unit_id) or "?")
            zh, en, proposal = self._escalation(iid, cs)
            self.raise_alert(
                f"ack:{oid}",
                "critical",
                "not_acknowledged",
                f"{cs} 未在 {deadline} 秒内确认指令; {zh}",
                f"{cs} did not acknowledge within {deadline} s; {en}",
                iid,
                proposal=proposal,
                order_id=oid,
            )
        for oid in expired:
            self._expired(oid)
        for oid, iid, body, created in late:
            cs = body.get("call_sign", "?")
            i = self.hub.situation.index.get(cs)
            if i is None:
                continue
            std = self.hub.config.arrival_standards[
                self.hub.config.unit_types[self.hub.situation.specs[i].unit_type].standard
            ]
            if now - created > std.seconds:
                self.raise_alert(
                    f"late:{oid}",
                    "warning",
                    "arrival_standard_exceeded",
                    f"{cs} 超过到场标准 {std.name_zh} ({std.seconds} 秒) 仍未到场",
                    f"{cs} has not arrived within the {std.name_en} standard ({std.seconds} s)",
                    iid,
                )
        limit = self.hub.config.workflow.on_scene_alert_seconds
        for book in list(self.hub.incidents.open.values()):
            if book.state.status == IncidentStatus.ON_SCENE.value:
                since = min(
                    (float(self.hub.situation.status_since[i]) for i in book.units), default=now
                )
                if now - since > limit:
                    iid = book.state.id
                    self.raise_alert(
                        f"onscene:{iid}",
                        "warning",
                        "on_scene_too_long",
                        f"警情 {iid} 现场处置已超过 {limit // 60} 分钟",
                        f"incident {iid} on scene for more than {limit // 60} min",
                        iid,
                    )

    def _expired(self, order_id: str) -> None:
        with self.hub.store.session() as s:
            row = repos.OrderRepo(s).get(order_id)
            if row is None:
                return
            iid, body = row.incident_id, dict(row.body)
        cs = str(body.get("call_sign", ""))
        i = self.hub.situation.index.get(cs)
        self.hub.emit(
            OrderChanged(
                order_id=order_id,
                incident_id=iid,
                call_sign=cs,
                state=OrderState.EXPIRED.value,
                t=self.hub.clock(),
            )
        )
        if i is not None:
            self.unit_effect(i, iid, OrderState.EXPIRED, cs, "expired")

    # ------------------------------------------------------------------- misc

    def duplicates_of(
        self,
        incident_type: str,
        lon: float,
        lat: float,
        radius_m: float = 300.0,
        window_s: float = 1800.0,
    ) -> list[int]:
        """Open incidents of the same type nearby and recent (likely the same event)."""
        now = self.hub.clock()
        out = []
        for o in self.hub.incidents.open.values():
            st = o.state
            if st.incident_type != incident_type or now - st.created_at > window_s:
                continue
            if float(haversine_m(lon, lat, st.lon, st.lat)) <= radius_m:
                out.append(st.id)
        return out

    def coverage(self) -> dict[str, Any]:
        """Coverage per force type now, the uncovered road nodes for the map layer, and the
        relocations the engine suggests right now (``MoveUp`` as dicts)."""
        hour = self._hour()
        view = SituationView.from_situation(self.hub.situation)
        eng = self.engine
        report = eng.coverage(view, hour)
        fleet = eng.fleet(view)
        nodes, avail = eng.snap_units(view)
        g = self.hub.graph
        uncovered: dict[str, dict[str, bytes]] = {}
        for f in report.forces:
            ut = self.hub.config.unit_types[f.unit_type]
            sel = np.flatnonzero(avail & fleet.type_mask([f.unit_type]))
            ok, _ = eng.cov.share(hour, np.maximum(nodes[sel], 0), ut.speed_factor, f.standard_s)
            bad = np.flatnonzero(~ok)
            uncovered[f.unit_type] = {
                "lon": g.node_lon[bad].astype(np.float64).tobytes(),
                "lat": g.node_lat[bad].astype(np.float64).tobytes(),
            }
        body = msgspec.to_builtins(report)
        for f in body["forces"]:
            for gap in f["gaps"]:
                gap.pop("node_ids", None)
        # standing suggestions for the duty plan: refill stripped areas and 1-minute points,
        # and stage idle units where past calls at the coming hours needed more than arrives
        move_ups = [msgspec.to_builtins(m) for m in eng.move_ups(view, hour)]
        return {"report": body, "uncovered": uncovered, "move_ups": move_ups}

    def chronology(self, incident_id: int) -> list[dict[str, Any]]:
        """The incident's recorded steps."""
        with self.hub.store.session() as s:
            r = repos.IncidentRepo(s)
            if r.get(incident_id) is None:
                raise CommandError(f"no incident {incident_id}")
            return [
                {"t": e.t, "actor": e.actor, "kind": e.kind, "detail": dict(e.detail or {})}
                for e in r.chronology(incident_id)
            ]

    def units_of(self, incident_id: int) -> list[int]:
        """Units currently bound to an incident."""
        o = self.hub.incidents.open.get(incident_id)
        return list(o.units) if o else []

    def unit_indices(self, call_signs: list[str]) -> np.ndarray:
        """Situation indices of call signs (unknown ones left out)."""
        return np.array(
            [self.hub.situation.index[c] for c in call_signs if c in self.hub.situation.index],
            dtype=np.int64,
        )
