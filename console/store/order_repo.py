"""Orders to units, and the outbox the hub sends them from.

An order is written once, in the same transaction as the plan approval
that caused it, and then delivered at-least-once: the sender polls
:meth:`OrderRepo.due_for_send`, records each try with
:meth:`OrderRepo.mark_attempt`, and terminal receipts advance the state via
:meth:`OrderRepo.mark_state`.  Receipts may arrive late, twice or out of
order, so state changes are conditional updates that only ever move
forward; a stale receipt is refused (False) instead of rewinding the order.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any, cast

from sqlalchemy import ColumnElement, Table, func, select, update
from sqlalchemy.orm import Session

from console.domain import OrderState
from console.store.bulk import insert_many
from console.store.checks import enum_value, finite, json_object, now_or, text
from console.store.errors import StoreError
from console.store.ids import time_ordered_ids
from console.store.models import CODE, IncidentRow, OrderRow, PlanRow, UnitRow

S = OrderState

# The forward chain; skipping ahead is allowed (a lost 'delivered' receipt
# must not block 'accepted'), going back never.
CHAIN = (S.PENDING, S.DELIVERED, S.READ, S.ACCEPTED, S.ARRIVED, S.FINISHED)
FINAL_STATES = frozenset({S.FINISHED, S.REJECTED, S.EXPIRED, S.CANCELLED})
UNACCEPTED = (S.PENDING, S.DELIVERED, S.READ)

ALLOWED_FROM: dict[OrderState, frozenset[OrderState]] = {
    **{s: frozenset(CHAIN[:i]) for i, s in enumerate(CHAIN)},
    S.REJECTED: frozenset({*UNACCEPTED, S.ACCEPTED}),
    S.EXPIRED: frozenset(UNACCEPTED),
    S.CANCELLED: frozenset(set(OrderState) - FINAL_STATES),
}

_STAMP = {
    S.DELIVERED: "delivered_at",
    S.READ: "read_at",
    S.ACCEPTED: "accepted_at",
    S.ARRIVED: "arrived_at",
    S.FINISHED: "finished_at",
}
_EXTRA_FIELDS = {"rejected_reason", "outcome"}


def can_transition(old: OrderState | str, new: OrderState | str) -> bool:
    """Whether ``old -> new`` is a legal order state change."""
    return OrderState(old) in ALLOWED_FROM[OrderState(new)]


@dataclass(frozen=True)
class NewOrder:
    """What the planner hands over for one unit; ids and times are added on insert."""

    incident_id: int
    unit_id: int
    role: str
    body: dict[str, Any] = field(default_factory=dict)
    plan_id: int | None = None


class OrderRepo:
    """The orders table used as a transactional outbox."""

    def __init__(self, session: Session) -> None:
        self.s = session

    def add_many(
        self,
        orders: Iterable[NewOrder],
        *,
        ack_deadline_seconds: float,
        time_to_live_seconds: float,
        now: float | None = None,
    ) -> list[str]:
        """Queue orders (all or none, in the caller's transaction); returns their ids.

        Each is immediately due for sending; ``deadline_at`` is when a missing
        acknowledgement should alarm, ``expires_at`` when the order lapses.
        """
        orders = list(orders)
        t = now_or(now)
        ack = finite(ack_deadline_seconds, "ack_deadline_seconds")
        ttl = finite(time_to_live_seconds, "time_to_live_seconds")
        if ack <= 0 or ttl <= 0:
            raise StoreError("ack deadline and time to live must be positive")
        self._check_refs(UnitRow, {o.unit_id for o in orders}, "unit")
        self._check_refs(IncidentRow, {o.incident_id for o in orders}, "incident")
        self._check_refs(PlanRow, {o.plan_id for o in orders if o.plan_id is not None}, "plan")
        rows: list[dict[str, Any]] = [
            {
                "id": oid,
                "plan_id": o.plan_id,
                "incident_id": o.incident_id,
                "unit_id": o.unit_id,
                "role": text(o.role, "order role", CODE),
                "body": json_object(o.body, "order body"),
                "state": S.PENDING.value,
                "created_at": t,
                "deadline_at": t + ack,
                "expires_at": t + ttl,
                "attempts": 0,
                "next_attempt_at": t,
            }
            for oid, o in zip(time_ordered_ids(len(orders)), orders, strict=True)
        ]
        # straight to the driver: a 1,000-unit approval through ORM objects took ~250 ms
        self.s.flush()  # the caller's pending rows (a new plan) first: the orders refer to them
        insert_many(self.s, cast(Table, OrderRow.__table__), rows)
        return [r["id"] for r in rows]

    def _check_refs(self, model: Any, ids: set[int], what: str) -> None:
        if not ids:
            return
        found = set(self.s.scalars(select(model.id).where(model.id.in_(ids))))
        if ids - found:
            raise StoreError(f"orders refer to unknown {what} ids {sorted(ids - found)}")

    def get(self, order_id: str) -> OrderRow | None:
        return self.s.get(OrderRow, order_id)

    def for_incident(self, incident_id: int) -> list[OrderRow]:
        q = select(OrderRow).where(OrderRow.incident_id == incident_id)
        return list(self.s.scalars(q.order_by(OrderRow.created_at, OrderRow.id)))

    def due_for_send(self, now: float, limit: int = 100) -> list[OrderRow]:
        """Unacknowledged, unexpired orders whose next send attempt is due, oldest first."""
        q = (
            select(OrderRow)
            .where(
                OrderRow.state == S.PENDING.value,
                OrderRow.next_attempt_at <= now,
                OrderRow.expires_at > now,
            )
            .order_by(OrderRow.next_attempt_at, OrderRow.created_at, OrderRow.id)
            .limit(limit)
        )
        return list(self.s.scalars(q))

    def mark_attempt(self, order_id: str, next_at: float) -> bool:
        """Count one send attempt and schedule the next (only while still pending)."""
        res = self.s.execute(
            update(OrderRow)
            .where(OrderRow.id == order_id, OrderRow.state == S.PENDING.value)
            .values(attempts=OrderRow.attempts + 1, next_attempt_at=finite(next_at, "next_at"))
            .execution_options(synchronize_session="fetch")
        )
        return bool(getattr(res, "rowcount", 0))

    def mark_state(
        self, order_id: str, state: OrderState | str, t: float | None = None, **fields: Any
    ) -> bool:
        """Advance the order to ``state`` at time ``t``; False if that would be illegal
        (e.g. ``finished -> delivered``), a repeat, or the order does not exist.

        Timestamps of skipped steps are filled in (accepted implies read and
        delivered).  ``fields`` may set ``rejected_reason`` and ``outcome``.
        """
        new = enum_value(OrderState, state, "order state")
        unknown = set(fields) - _EXTRA_FIELDS
        if unknown:
            raise StoreError(
                f"mark_state got unknown fields {sorted(unknown)} "
                f"(allowed: {', '.join(sorted(_EXTRA_FIELDS))})"
            )
        t = now_or(t)
        values: dict[str, Any] = {"state": new.value}
        if new in CHAIN or new == S.REJECTED:
            upto = CHAIN.index(new) if new in CHAIN else CHAIN.index(S.DELIVERED)
            for step in CHAIN[1 : upto + 1]:
                col = _STAMP[step]
                values[col] = t if step == new else func.coalesce(getattr(OrderRow, col), t)
        for key, value in fields.items():
            values[key] = None if value is None else text(str(value), key, 10_000, allow_empty=True)
        allowed: ColumnElement[bool] = OrderRow.state.in_(
            sorted(s.value for s in ALLOWED_FROM[new])
        )
        res = self.s.execute(
            update(OrderRow)
            .where(OrderRow.id == order_id, allowed)
            .values(**values)
            .execution_options(synchronize_session="fetch")
        )
        return bool(getattr(res, "rowcount", 0))

    def expire_due(self, now: float) -> list[str]:
        """Mark not-yet-accepted orders past their time to live as expired; returns their ids."""
        ids = list(
            self.s.scalars(
                select(OrderRow.id).where(
                    OrderRow.state.in_([s.value for s in UNACCEPTED]),
                    OrderRow.expires_at <= now,
                )
            )
        )
        return [i for i in ids if self.mark_state(i, S.EXPIRED, now)]

    def overdue_acks(self, now: float) -> list[OrderRow]:
        """Pending orders whose acknowledgement deadline has passed (to alarm the operator)."""
        q = select(OrderRow).where(
            OrderRow.state == S.PENDING.value,
            OrderRow.deadline_at <= now,
            OrderRow.expires_at > now,
        )
        return list(self.s.scalars(q.order_by(OrderRow.deadline_at, OrderRow.id)))

    def pending_for_unit(self, unit_id: int, now: float | None = None) -> list[OrderRow]:
        """Orders the unit's terminal has not acknowledged yet (resend on reconnect);
        with ``now``, lapsed ones are left out."""
        q = select(OrderRow).where(OrderRow.unit_id == unit_id, OrderRow.state == S.PENDING.value)
        if now is not None:
            q = q.where(OrderRow.expires_at > now)
        return list(self.s.scalars(q.order_by(OrderRow.created_at, OrderRow.id)))

    def open_for_unit(self, unit_id: int) -> list[OrderRow]:
        """Every order of the unit that is not final yet (what the terminal should show)."""
        q = select(OrderRow).where(
            OrderRow.unit_id == unit_id,
            OrderRow.state.not_in([s.value for s in FINAL_STATES]),
        )
        return list(self.s.scalars(q.order_by(OrderRow.created_at, OrderRow.id)))
