"""The order desk: orders into the outbox, units bound to their incident, receipts and
what they mean for the unit, and orders ended (finished, cancelled, expired).

Every order is written to the outbox before its events go out, and the order
listeners (the link's kick, the demo's stand-in terminals) are told once it is, so it
leaves now rather than at the next poll.  A refusal is handed to the refusal
listeners (the escalation that names a replacement), which keeps this desk free of
plans and alerts.

``add`` writes inside a transaction the caller already holds, so a decision and the
orders it makes can be committed together.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from sqlalchemy.orm import Session

from console.config import Config
from console.domain import IncidentStatus, OrderState, UnitStatus
from console.hub.bodies import slot_order_body, slot_role
from console.hub.errors import CommandError
from console.hub.incidents import IncidentBook
from console.hub.messages import OrderChanged, PlanChanged
from console.hub.publisher import Publisher
from console.hub.situation import Situation
from console.store import repos
from console.store.db import Store

log = logging.getLogger(__name__)

ORDER_EFFECT = {
    OrderState.ACCEPTED: UnitStatus.EN_ROUTE,
    OrderState.ARRIVED: UnitStatus.ON_SCENE,
    OrderState.FINISHED: UnitStatus.AVAILABLE,
    OrderState.REJECTED: UnitStatus.AVAILABLE,
    OrderState.EXPIRED: UnitStatus.AVAILABLE,
}
"""What an order's new state means for its unit."""
FINAL = frozenset(
    s.value
    for s in (OrderState.FINISHED, OrderState.REJECTED, OrderState.EXPIRED, OrderState.CANCELLED)
)
"""Order states after which the order is over."""

OrderListener = Callable[[str, int, dict[str, Any]], None]
"""(order id, situation index of the unit, order body): an order was written."""
CancelListener = Callable[[str, int, str], None]
"""(order id, the unit's store id, reason): an open order was withdrawn."""
RefusalListener = Callable[[int, str, str, str], None]
"""(incident id, call sign, reason, order id or ""): a unit refused its order."""
SentListener = Callable[[int, list[str], list[int]], None]
"""(incident id, order ids, situation indices of their units): a batch of orders was written."""


@dataclass(frozen=True)
class Cancelled:
    """An order just cancelled in the store (what its effects need)."""

    order_id: str
    incident_id: int
    unit_id: int
    call_sign: str


@dataclass(frozen=True)
class OrderRecord:
    """One order as the store holds it, with the unit's call sign resolved."""

    order_id: str
    incident_id: int
    unit_id: int
    call_sign: str
    role: str
    plan_id: int | None
    state: str
    body: dict[str, Any]
    created_at: float = 0.0


class OrderDesk:
    """Orders out, receipts in, and their effect on units and incidents."""

    def __init__(
        self,
        config: Config,
        store: Store,
        incidents: IncidentBook,
        situation: Situation,
        clock: Callable[[], float],
        publish: Publisher,
        release: Callable[[int], None],
    ) -> None:
        """``release(i)``: unit ``i`` is free again outside any incident's closing (the
        hub stops its stand-in terminal and lets the simulation move it, then tells
        everyone its new state)."""
        self.config = config
        self.store = store
        self.incidents = incidents
        self.situation = situation
        self.clock = clock
        self.publish = publish
        self.release = release
        self.order_listeners: list[OrderListener] = []
        self.cancel_listeners: list[CancelListener] = []
        """Told after an order was cancelled (alone or with its incident), so whoever
        talks to the terminal can push the withdrawal at once."""
        self.refusal_listeners: list[RefusalListener] = []
        self.sent_listeners: list[SentListener] = []
        """Told once per batch of freshly written orders, after the order listeners (the
        no-terminal check looks at the link once for the whole batch)."""

    # ------------------------------------------------------------------ reads

    def record(self, order_id: str) -> OrderRecord | None:
        """The order on record, or None."""
        with self.store.session() as s:
            row = repos.OrderRepo(s).get(order_id)
            if row is None:
                return None
            body = dict(row.body or {})
            return OrderRecord(
                order_id=str(row.id),
                incident_id=row.incident_id,
                unit_id=row.unit_id,
                call_sign=self._call_sign(body, row.unit_id),
                role=row.role,
                plan_id=row.plan_id,
                state=row.state,
                body=body,
                created_at=float(row.created_at),
            )

    def order_of(self, incident_id: int, call_sign: str, state: OrderState) -> str:
        """The newest order of ``call_sign`` on the incident in ``state`` ("" if none)."""
        uid = self.incidents.unit_id_of(call_sign)
        with self.store.session() as s:
            for o in reversed(repos.OrderRepo(s).for_incident(incident_id)):
                if o.state == state.value and (
                    o.unit_id == uid or (o.body or {}).get("call_sign") == call_sign
                ):
                    return str(o.id)
        return ""

    def sent_at(self, incident_id: int, call_sign: str) -> float | None:
        """When the unit's newest open order on the incident was written (None: it has none)."""
        uid = self.incidents.unit_id_of(call_sign)
        with self.store.session() as s:
            for o in reversed(repos.OrderRepo(s).for_incident(incident_id)):
                if o.unit_id == uid and o.state not in FINAL:
                    return float(o.created_at)
        return None

    def has_orders(self, incident_id: int) -> bool:
        """Whether any order was ever written for the incident."""
        with self.store.session() as s:
            return bool(repos.OrderRepo(s).for_incident(incident_id))

    def call_signs_sent(self, incident_id: int) -> set[str]:
        """Every unit that ever had an order on the incident."""
        out: set[str] = set()
        with self.store.session() as s:
            for o in repos.OrderRepo(s).for_incident(incident_id):
                cs = self._call_sign(o.body or {}, o.unit_id)
                if cs:
                    out.add(cs)
        return out

    def _call_sign(self, body: dict[str, Any], unit_id: int) -> str:
        return str(body.get("call_sign") or self.incidents.call_sign_of(unit_id) or "")

    # ---------------------------------------------------------------- writing

    def add(self, s: Session, new_orders: list[repos.NewOrder], now: float) -> list[str]:
        """Orders into the outbox inside the caller's transaction ``s``; their ids."""
        o = self.config.orders
        return repos.OrderRepo(s).add_many(
            new_orders,
            ack_deadline_seconds=o.ack_deadline_seconds,
            time_to_live_seconds=o.time_to_live_seconds,
            now=now,
        )

    def bind(self, incident_id: int, idx: list[int], actor: str) -> None:
        """The units of freshly written orders are dispatched to the incident."""
        self.incidents.assign(incident_id, idx, actor, self.publish.event)

    def write(
        self,
        incident_id: int,
        new_orders: list[repos.NewOrder],
        idx: list[int],
        actor: str,
        now: float,
    ) -> list[str]:
        """Orders into the outbox (one transaction), then the units bound to the incident."""
        with self.store.transaction() as s:
            order_ids = self.add(s, new_orders, now)
        self.bind(incident_id, idx, actor)
        return order_ids

    def announce(
        self,
        incident_id: int,
        order_ids: list[str],
        new_orders: list[repos.NewOrder],
        idx: list[int],
        now: float,
    ) -> None:
        """Events for freshly written orders, then the order listeners."""
        for i in idx:
            self.publish.unit(i)
        for oid, no, i in zip(order_ids, new_orders, idx, strict=True):
            self.publish.event(
                OrderChanged(
                    order_id=oid,
                    incident_id=incident_id,
                    call_sign=self.situation.specs[i].call_sign,
                    state=OrderState.PENDING.value,
                    t=now,
                )
            )
            for listener in self.order_listeners:
                listener(oid, i, no.body)
        if order_ids:
            for sent in self.sent_listeners:
                try:
                    sent(incident_id, list(order_ids), list(idx))
                except Exception:  # the orders are written and announced: they stand
                    log.exception("sent listener failed for incident %s", incident_id)

    def send(
        self,
        incident_id: int,
        new_orders: list[repos.NewOrder],
        idx: list[int],
        actor: str,
        now: float,
    ) -> list[str]:
        """Write, bind and announce: an order outside a plan's approval (a reassignment)."""
        order_ids = self.write(incident_id, new_orders, idx, actor, now)
        self.announce(incident_id, order_ids, new_orders, idx, now)
        return order_ids

    def plan_orders(self, plan: PlanChanged) -> tuple[list[repos.NewOrder], list[int]]:
        """One order per unit of an approved plan, and the units' situation indices."""
        st = self.incidents.state(plan.incident_id)
        if st is None:
            raise CommandError(f"incident {plan.incident_id} is not open")
        new_orders: list[repos.NewOrder] = []
        idx: list[int] = []
        for slot in plan.body.get("slots", []):
            i = self.situation.index.get(slot["call_sign"])
            uid = self.incidents.unit_id_of(slot["call_sign"])
            if i is None or uid is None:
                continue
            idx.append(i)
            new_orders.append(
                repos.NewOrder(
                    incident_id=plan.incident_id,
                    unit_id=uid,
                    role=slot_role(slot),
                    plan_id=plan.plan_id,
                    body=slot_order_body(slot, plan.body, st),
                )
            )
        return new_orders, idx

    # --------------------------------------------------------------- receipts

    def receipt(
        self,
        order_id: str,
        state: str,
        reason: str,
        outcome: str,
        actor: str,
        *,
        detail: dict[str, Any] | None = None,
        at: float | None = None,
    ) -> bool:
        """Apply a terminal's receipt; duplicates and out-of-order receipts change nothing.

        ``detail`` is added to the chronology entry and ``at`` is when the step really
        happened (an operator's record of a delivery by radio: see
        :mod:`console.hub.delivery`); by default both are the receipt's own."""
        try:
            new = OrderState(state)
        except ValueError:
            raise CommandError(f"unknown order state {state!r}") from None
        if new in (OrderState.PENDING, OrderState.EXPIRED, OrderState.CANCELLED):
            raise CommandError(f"a terminal cannot report {state!r}")
        now = self.clock()
        fields: dict[str, Any] = {}
        if new is OrderState.REJECTED:
            fields["rejected_reason"] = reason or "no reason given"
        if new is OrderState.FINISHED:
            fields["outcome"] = outcome
        with self.store.transaction() as s:
            r = repos.OrderRepo(s)
            row = r.get(order_id)
            if row is None:
                raise CommandError(f"unknown order {order_id!r}")
            changed = r.mark_state(order_id, new, now if at is None else at, **fields)
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
                        **(detail or {}),
                    },
                )
        if not changed:
            return False
        cs = self._call_sign(body, unit_id)
        i = self.situation.index.get(cs)
        self.publish.event(
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
        ``order_id`` is the order the receipt was for ("" when the caller does not know)."""
        status = ORDER_EFFECT.get(new)
        if status is None:
            return
        st = self.incidents.state(incident_id)
        bound = incident_id if status is not UnitStatus.AVAILABLE else None
        self.incidents.set_unit_status(i, status, bound, "terminal")
        if status is UnitStatus.AVAILABLE and st is not None:
            self.incidents.unbind(incident_id, i)
        self.publish.unit(i)
        if st is None:
            return
        if new is OrderState.ACCEPTED and st.status == IncidentStatus.DISPATCHED.value:
            self.incidents.set_status(
                incident_id, IncidentStatus.EN_ROUTE, cs, {}, self.publish.event
            )
        elif new is OrderState.ARRIVED and st.status != IncidentStatus.ON_SCENE.value:
            self.incidents.set_status(
                incident_id, IncidentStatus.ON_SCENE, cs, {}, self.publish.event
            )
        elif new is OrderState.REJECTED:
            for listener in self.refusal_listeners:
                listener(incident_id, cs, reason, order_id)
        self.publish.incident(incident_id)

    def expire(self, order_id: str) -> None:
        """An order the outbox expired unanswered: everyone is told, its unit is free."""
        rec = self.record(order_id)
        if rec is None:
            return
        cs = str(rec.body.get("call_sign", ""))
        i = self.situation.index.get(cs)
        self.publish.event(
            OrderChanged(
                order_id=order_id,
                incident_id=rec.incident_id,
                call_sign=cs,
                state=OrderState.EXPIRED.value,
                t=self.clock(),
            )
        )
        if i is not None:
            self.unit_effect(i, rec.incident_id, OrderState.EXPIRED, cs, "expired")

    # ----------------------------------------------------------------- ending

    def cancel(self, order_id: str, reason: str, actor: str) -> bool:
        """Cancel one open order while its incident goes on; False if it was already final.

        The order is marked cancelled in the outbox (the cancel listeners push it to the
        terminal at once; the link's hello sync also tells it), its unit is freed the way
        a closed incident frees its units, and the step is on the chronology.
        """
        now = self.clock()
        with self.store.transaction() as s:
            done = self.cancel_in(s, order_id, reason, actor, now)
        if done is None:
            return False
        self.cancelled(done, reason, actor, now)
        return True

    def cancel_in(
        self, s: Session, order_id: str, reason: str, actor: str, now: float
    ) -> Cancelled | None:
        """The cancellation's rows inside the caller's transaction ``s`` (a reassignment
        writes it with the replacement order); None if the order was already final.
        :meth:`cancelled` once committed."""
        r = repos.OrderRepo(s)
        row = r.get(order_id)
        if row is None:
            raise CommandError(f"unknown order {order_id!r}")
        incident_id, unit_id, body = row.incident_id, row.unit_id, dict(row.body or {})
        if not r.mark_state(order_id, OrderState.CANCELLED, now):
            return None
        cs = self._call_sign(body, unit_id)
        repos.IncidentRepo(s).add_event(
            incident_id,
            t=now,
            actor=actor,
            kind="order_cancelled",
            detail={"order_id": order_id, "unit": cs, "reason": reason},
        )
        return Cancelled(order_id, incident_id, unit_id, cs)

    def cancelled(self, c: Cancelled, reason: str, actor: str, now: float) -> None:
        """A committed cancellation's effects: everyone told, the unit freed, the terminal
        told at once (the cancel listeners)."""
        self.publish.event(
            OrderChanged(
                order_id=c.order_id,
                incident_id=c.incident_id,
                call_sign=c.call_sign,
                state=OrderState.CANCELLED.value,
                t=now,
            )
        )
        i = self.situation.index.get(c.call_sign)
        if i is not None:
            # off the incident, even if a status report from its terminal already unbound it
            self.incidents.unbind(c.incident_id, i)
            if int(self.situation.incident[i]) == c.incident_id:
                self.incidents.set_unit_status(i, UnitStatus.AVAILABLE, None, actor)
                self.release(i)
        for listener in self.cancel_listeners:
            listener(c.order_id, c.unit_id, reason)
        self.publish.incident(c.incident_id)

    def finish_incident(
        self, incident_id: int, outcome: str, actor: str, cancel: bool = False
    ) -> None:
        """Close every open order of an incident (closed: finished; cancelled: cancelled)."""
        now = self.clock()
        state = OrderState.CANCELLED if cancel else OrderState.FINISHED
        changed: list[tuple[str, str, int]] = []
        with self.store.transaction() as s:
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
            self.publish.event(
                OrderChanged(
                    order_id=oid, incident_id=incident_id, call_sign=cs, state=state.value, t=now
                )
            )
            if cancel:  # the terminal stops working on it now (a closed incident's
                for listener in self.cancel_listeners:  # orders stay the officers' to finish)
                    listener(oid, unit_id, why[:200])
