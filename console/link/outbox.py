"""Orders at least once: the ``orders`` table as the hub's send outbox.

An approved order is a row in state ``pending`` before anything is sent
(``OrderRepo.add_many``, or :meth:`Outbox.enqueue`, which also hands back
the wire messages, in the approval transaction).  The link sends due rows,
counts the attempt and schedules the next with exponential backoff; the
terminal's ``delivered`` receipt (:mod:`console.link.receipts`) ends the
resending.  Reads use plain rows, not ORM objects: a 1,000-unit fan-out must
not build 1,000 of them.

Every wire order carries its card (:mod:`console.link.order_card`), built from
the store at the moment it is sent (:class:`~console.link.card_facts.CardSource`):
a resend, a hello or an update always shows the incident as it stands.
"""

from __future__ import annotations

import random
from collections.abc import Iterable, Sequence
from typing import Any, NamedTuple, cast

import msgspec
from sqlalchemy import Table, bindparam, func, select, update
from sqlalchemy.orm import Session

from console.domain import OrderState
from console.link.card_facts import CardSource
from console.link.protocol import Order, OrderBody, OrderCard, OrderUpdate
from console.store.bulk import insert_many, no_index
from console.store.db import Store
from console.store.ids import time_ordered_ids
from console.store.models import IncidentRow, OrderRow, UnitRow
from console.store.order_repo import FINAL_STATES, NewOrder, OrderRepo

S = OrderState
BACKOFF_S = (0.5, 1.0, 2.0, 4.0, 8.0, 15.0)
"""Delay before the next send after attempt n (the last value repeats)."""
OFFLINE_RETRY_S = 5.0
"""Re-check of an order whose terminal is offline (it is pushed at once on hello anyway)."""


_ORDER_COLS = (
    OrderRow.id,
    OrderRow.plan_id,
    OrderRow.unit_id,
    OrderRow.incident_id,
    OrderRow.role,
    OrderRow.body,
    OrderRow.state,
    OrderRow.attempts,
    OrderRow.created_at,
    OrderRow.expires_at,
)
_INCIDENT_COLS = (
    IncidentRow.id,
    IncidentRow.incident_type,
    IncidentRow.priority,
    IncidentRow.lon,
    IncidentRow.lat,
    IncidentRow.address,
    IncidentRow.description,
    IncidentRow.force_level,
    IncidentRow.caller,
    IncidentRow.created_at,
)


_KNOWN_UNITS = select(UnitRow.id).where(UnitRow.id.in_(bindparam("ids", expanding=True)))
_COUNT_UNITS = (
    select(func.count())
    .select_from(UnitRow)
    .where(UnitRow.id.in_(bindparam("ids", expanding=True)))
)
_INCIDENTS = select(*_INCIDENT_COLS).where(IncidentRow.id.in_(bindparam("ids", expanding=True)))


class _Row:
    """Attribute access to a row dict (so :func:`order_message` takes it like a DB row)."""

    def __init__(self, d: dict[str, Any]) -> None:
        self.__dict__.update(d)


def backoff(attempts: int) -> float:
    """Seconds until the next try after ``attempts`` tries, with 20 % jitter."""
    base = BACKOFF_S[min(max(attempts - 1, 0), len(BACKOFF_S) - 1)]
    return base * (0.9 + 0.2 * random.random())


class Due(NamedTuple):
    """An order to send now (a named tuple: a fan-out makes a thousand at once)."""

    order_id: str
    unit_id: int
    attempts: int
    message: OrderBody
    counted: bool = False
    """The attempt this send makes is already recorded (written with the order)."""


def _clip(value: Any, n: int) -> str:
    return ("" if value is None else str(value))[:n]


def _num(value: Any, default: float) -> float:
    try:
        f = float(value)
    except (TypeError, ValueError):
        return default
    return f if f == f and abs(f) != float("inf") else default


def order_message(
    row: Any, incident: Any, cls: type[OrderBody] = Order, card: OrderCard | None = None
) -> OrderBody:
    """The wire form of an order row; body keys override the incident's own details.

    ``row`` and ``incident`` are ORM rows or Core rows with the same column names.
    The briefing is the caller's report (the incident's description) unless the
    body gives one that says something.
    """
    b = row.body if isinstance(row.body, dict) else {}
    briefing = b.get("briefing") or (incident.description if incident else "")
    lon = _num(b.get("lon"), incident.lon if incident else 0.0)
    lat = _num(b.get("lat"), incident.lat if incident else 0.0)
    return cls(
        order_id=row.id,
        incident_id=row.incident_id,
        incident_type=_clip(b.get("incident_type", incident.incident_type if incident else ""), 64),
        priority=int(_num(b.get("priority"), incident.priority if incident else 3)),
        lon=min(max(lon, -180.0), 180.0),
        lat=min(max(lat, -90.0), 90.0),
        address=_clip(b.get("address", incident.address if incident else ""), 4000),
        role=_clip(row.role, 64),
        instructions=_clip(b.get("instructions", ""), 4000),
        briefing=_clip(briefing, 4000),
        created_at=row.created_at,
        expires_at=row.expires_at,
        rev=max(0, int(_num(b.get("rev"), 0))),
        card=card,
    )


def _body_key(body: dict[str, Any]) -> bytes:
    """Identity of an order body for sharing (msgpack keeps types apart: 1, 1.0, True, "1").

    Equal bodies built in another key order get different keys: they are then
    simply not shared, which is never wrong.
    """
    try:
        return b"m" + msgspec.msgpack.encode(body)
    except (TypeError, ValueError, OverflowError):  # not msgpack-able: never shared
        return b"i" + str(id(body)).encode()


class Outbox:
    """Database side of order delivery; used only from the link thread."""

    def __init__(self, store: Store, cards: CardSource | None = None) -> None:
        self.store = store
        self.cards = cards or CardSource()
        """Builds each order's card; the hub's owner gives it config names and the road graph."""

    # ------------------------------------------------------------- sending

    def _messages(self, s: Session, rows: Sequence[Any], cls: type[OrderBody] = Order) -> list[Due]:
        inc_ids = sorted({r.incident_id for r in rows})
        incidents: dict[int, Any] = {}
        for chunk in chunks(inc_ids):
            incidents.update(
                (i.id, i)
                for i in s.execute(select(*_INCIDENT_COLS).where(IncidentRow.id.in_(chunk)))
            )
        cards = self.cards.cards(s, rows, incidents)
        return [
            Due(
                r.id,
                r.unit_id,
                r.attempts,
                order_message(r, incidents.get(r.incident_id), cls, cards.get(r.id)),
            )
            for r in rows
        ]

    def due_heads(self, now: float, limit: int = 5000) -> list[tuple[str, int, int]]:
        """(order id, unit id, attempts) of pending, unexpired orders due a send attempt.

        The query of ``OrderRepo.due_for_send`` without the bodies: the link
        loads bodies only for terminals that are on the air, a chunk at a time,
        and sends each chunk before loading the next.
        """
        with self.store.session() as s:
            rows = s.execute(
                select(OrderRow.id, OrderRow.unit_id, OrderRow.attempts)
                .where(
                    OrderRow.state == S.PENDING.value,
                    OrderRow.next_attempt_at <= now,
                    OrderRow.expires_at > now,
                )
                .order_by(OrderRow.next_attempt_at, OrderRow.created_at, OrderRow.id)
                .limit(limit)
            ).all()
        return [(i, u, a) for i, u, a in rows]

    def load(self, ids: Sequence[str]) -> list[Due]:
        """Wire messages for these orders (plain rows, no ORM objects)."""
        with self.store.session() as s:
            rows: list[Any] = []
            for chunk in chunks(ids):
                rows += s.execute(select(*_ORDER_COLS).where(OrderRow.id.in_(chunk))).all()
            return self._messages(s, rows)

    def due(self, now: float, limit: int = 5000) -> list[Due]:
        """Pending, unexpired orders whose next attempt is due, with their messages."""
        return self.load([h[0] for h in self.due_heads(now, limit)])

    def enqueue(
        self,
        orders: Sequence[NewOrder],
        *,
        ack_deadline_seconds: float,
        time_to_live_seconds: float,
        now: float,
        session: Session | None = None,
        sending: bool = False,
    ) -> list[Due]:
        """Write approved orders to the outbox (the rows ``OrderRepo.add_many`` writes).

        One executemany through the driver (:func:`console.store.bulk.insert_many`,
        as ``add_many``), and the wire messages come back built from memory:
        hand them to :meth:`TerminalLink.send_now` after the commit and the
        first order leaves without reading anything
        back.  Pass the approval's ``session`` to write in its transaction.
        With ``sending`` the first attempt is counted in the same write (the
        caller promises ``send_now``; if it dies first, the retry comes with the
        first backoff, half a second later).
        """
        if ack_deadline_seconds <= 0 or time_to_live_seconds <= 0:
            raise ValueError("ack deadline and time to live must be positive")
        args = (orders, ack_deadline_seconds, time_to_live_seconds, now, sending)
        if session is None:
            with self.store.session() as s, s.begin():
                return self._enqueue(s, *args)
        return self._enqueue(session, *args)

    def _enqueue(
        self,
        s: Session,
        orders: Sequence[NewOrder],
        ack: float,
        ttl: float,
        now: float,
        sending: bool,
    ) -> list[Due]:
        units = sorted({o.unit_id for o in orders})
        conn = s.connection()  # Core with expanding ids: no ORM rows, no per-id coercion
        known = sum(int(conn.execute(_COUNT_UNITS, {"ids": c}).scalar_one()) for c in chunks(units))
        if known != len(units):  # only now read which ones, for the message
            found: set[int] = set()
            for chunk in chunks(units):
                found.update(conn.execute(_KNOWN_UNITS, {"ids": chunk}).scalars())
            raise ValueError(f"orders refer to unknown unit ids {sorted(set(units) - found)}")
        incidents: dict[int, Any] = {}
        for chunk in chunks(sorted({o.incident_id for o in orders})):
            incidents.update((r.id, r) for r in conn.execute(_INCIDENTS, {"ids": chunk}))
        missing = {o.incident_id for o in orders} - set(incidents)
        if missing:
            raise ValueError(f"orders refer to unknown incident ids {sorted(missing)}")
        ids = time_ordered_ids(len(orders))  # keys that append to the index (console/store/ids.py)
        # a fan-out gives many units the same instructions: equal bodies share one dict,
        # so the insert serialises it once and each distinct message is built once
        body_keys = [_body_key(o.body) for o in orders]
        bodies: dict[bytes, dict[str, Any]] = {}
        for o, bk in zip(orders, body_keys, strict=True):
            if bk not in bodies:
                bodies[bk] = dict(o.body)
        pending, deadline, expires = S.PENDING.value, now + ack, now + ttl
        attempts = 1 if sending else 0
        first, rnd = BACKOFF_S[0], random.random  # backoff(1), jittered per order, inlined
        rows: list[dict[str, Any]] = [
            {
                "id": ids[k],
                "plan_id": o.plan_id,
                "incident_id": o.incident_id,
                "unit_id": o.unit_id,
                "role": str(o.role)[:64],
                "body": bodies[body_keys[k]],
                "state": pending,
                "created_at": now,
                "deadline_at": deadline,
                "expires_at": expires,
                "attempts": attempts,
                "next_attempt_at": now + first * (0.9 + 0.2 * rnd()) if sending else now,
            }
            for k, o in enumerate(orders)
        ]
        insert_many(s, cast(Table, OrderRow.__table__), rows)
        for iid in incidents:  # the team of these incidents just grew
            self.cards.invalidate(iid)
        row_objs = [_Row(r) for r in rows]
        cards = self.cards.cards(s, row_objs, incidents)
        # each distinct message once, copied with the order's own id (same incident, role,
        # body and times)
        templates: dict[tuple[int, str, bytes], OrderBody] = {}
        dues: list[Due] = []
        add, replace = dues.append, msgspec.structs.replace
        for r, bk in zip(rows, body_keys, strict=True):
            key = (r["incident_id"], r["role"], bk)
            tpl = templates.get(key)
            card = cards.get(r["id"])
            if tpl is None or tpl.card is not card:
                msg = templates[key] = order_message(
                    _Row(r), incidents[r["incident_id"]], Order, card
                )
            else:
                msg = replace(tpl, order_id=r["id"])
            add(Due(r["id"], r["unit_id"], attempts, msg, sending))
        return dues

    def record_attempts(self, sent: Iterable[Due], now: float) -> None:
        """Count one attempt each and schedule the next with backoff (only while pending)."""
        by_next: dict[int, list[str]] = {}
        for d in sent:
            if not d.counted:
                by_next.setdefault(d.attempts + 1, []).append(d.order_id)
        if not by_next:
            return
        with self.store.session() as s, s.begin():
            for attempts, ids in by_next.items():
                for chunk in chunks(ids):
                    s.execute(
                        update(OrderRow)
                        .where(OrderRow.id.in_(chunk), no_index(OrderRow.state) == S.PENDING.value)
                        .values(
                            attempts=OrderRow.attempts + 1, next_attempt_at=now + backoff(attempts)
                        )
                        .execution_options(synchronize_session=False)
                    )

    def defer(self, ids: Sequence[str], until: float) -> None:
        """Push back orders whose terminal is offline, without counting an attempt."""
        if not ids:
            return
        with self.store.session() as s, s.begin():
            for chunk in chunks(ids):
                s.execute(
                    update(OrderRow)
                    .where(OrderRow.id.in_(chunk), no_index(OrderRow.state) == S.PENDING.value)
                    .values(next_attempt_at=until)
                    .execution_options(synchronize_session=False)
                )

    def open_for_units(
        self, unit_ids: Iterable[int], now: float
    ) -> dict[int, tuple[list[Due], list[Due]]]:
        """(Re)connected terminals' open orders: unit -> (pending, already delivered).

        One query for a whole batch of hellos: after a hub restart thousands
        of terminals say hello within a second.
        """
        ids = sorted(set(unit_ids))
        out: dict[int, tuple[list[Due], list[Due]]] = {u: ([], []) for u in ids}
        if not ids:
            return out
        with self.store.session() as s:
            rows: list[Any] = []
            for chunk in chunks(ids):
                rows += s.execute(
                    select(*_ORDER_COLS)
                    .where(
                        OrderRow.unit_id.in_(chunk),
                        OrderRow.state.not_in([x.value for x in FINAL_STATES]),
                        OrderRow.expires_at > now,
                    )
                    .order_by(OrderRow.created_at, OrderRow.id)
                ).all()
            dues = self._messages(s, rows)
        for d, r in zip(dues, rows, strict=True):
            out[r.unit_id][0 if r.state == S.PENDING.value else 1].append(d)
        return out

    def closed_among(self, ids: Sequence[str]) -> list[tuple[str, str]]:
        """Of the order ids a terminal holds, those now final (id, state) or unknown ("unknown")."""
        if not ids:
            return []
        with self.store.session() as s:
            states = dict(
                s.execute(select(OrderRow.id, OrderRow.state).where(OrderRow.id.in_(ids))).all()
            )
        final = {x.value for x in FINAL_STATES}
        return [
            (i, states.get(i, "unknown"))
            for i in ids
            if states.get(i, "unknown") in final | {"unknown"}
        ]

    # ------------------------------------------------------------ receipts

    # ----------------------------------------------------------- deadlines

    def overdue(self, now: float) -> list[tuple[str, int, int, str]]:
        """Pending orders past their ack deadline: (id, unit id, incident, call sign)."""
        with self.store.session() as s:
            rows = OrderRepo(s).overdue_acks(now)
            signs = _call_signs(s, {r.unit_id for r in rows})
            return [(r.id, r.unit_id, r.incident_id, signs.get(r.unit_id, "?")) for r in rows]

    def expire(self, now: float) -> list[tuple[str, int, int, str]]:
        """Expire unaccepted orders past their time to live; returns them as :meth:`overdue`."""
        with self.store.session() as s, s.begin():
            ids = OrderRepo(s).expire_due(now)
            if not ids:
                return []
            rows = list(s.scalars(select(OrderRow).where(OrderRow.id.in_(ids))))
            signs = _call_signs(s, {r.unit_id for r in rows})
            return [(r.id, r.unit_id, r.incident_id, signs.get(r.unit_id, "?")) for r in rows]

    # ------------------------------------------------- cancel and update

    def cancel(self, order_id: str, reason: str, now: float) -> int | None:
        """Cancel an open order; returns its unit id, or None if it was already final."""
        with self.store.session() as s, s.begin():
            row = s.get(OrderRow, order_id)
            if row is None or not OrderRepo(s).mark_state(order_id, S.CANCELLED, now):
                return None
            return row.unit_id

    def update(
        self, order_id: str, changes: dict[str, Any], now: float
    ) -> tuple[int, OrderUpdate] | None:
        """Change an open order's body (instructions, briefing, place); bumps ``rev``."""
        allowed = {"instructions", "briefing", "address", "lon", "lat", "priority"}
        bad = set(changes) - allowed
        if bad:
            raise ValueError(
                f"cannot update order fields {sorted(bad)} (allowed: {sorted(allowed)})"
            )
        with self.store.session() as s, s.begin():
            row = s.get(OrderRow, order_id)
            if row is None or S(row.state) in FINAL_STATES:
                return None
            body = dict(row.body or {})
            body.update(changes)
            body["rev"] = int(_num(body.get("rev"), 0)) + 1
            row.body = body
            s.flush()
            self.cards.invalidate(row.incident_id)
            (due,) = self._messages(s, [row], OrderUpdate)
            msg = due.message
            assert isinstance(msg, OrderUpdate)
            return row.unit_id, msg

    def open_of_incident(self, incident_id: int, now: float) -> list[Due]:
        """The incident's open, unexpired orders as updates, with fresh cards."""
        self.cards.invalidate(incident_id)
        with self.store.session() as s:
            rows = s.execute(
                select(*_ORDER_COLS)
                .where(
                    OrderRow.incident_id == incident_id,
                    OrderRow.state.not_in([x.value for x in FINAL_STATES]),
                    OrderRow.expires_at > now,
                )
                .order_by(OrderRow.created_at, OrderRow.id)
            ).all()
            return self._messages(s, rows, OrderUpdate)

    def bump_revs(self, order_ids: Sequence[str]) -> dict[str, int]:
        """One more revision for each still-open order (its card changed); new revs by id."""
        out: dict[str, int] = {}
        if not order_ids:
            return out
        with self.store.session() as s, s.begin():
            for chunk in chunks(sorted(order_ids)):
                for row in s.scalars(select(OrderRow).where(OrderRow.id.in_(chunk))):
                    if S(row.state) in FINAL_STATES:
                        continue
                    body = dict(row.body or {})
                    body["rev"] = int(_num(body.get("rev"), 0)) + 1
                    row.body = body
                    out[row.id] = body["rev"]
        return out


def _call_signs(s: Session, unit_ids: set[int]) -> dict[int, str]:
    if not unit_ids:
        return {}
    return dict(
        s.execute(select(UnitRow.id, UnitRow.call_sign).where(UnitRow.id.in_(unit_ids))).all()
    )


def chunks(ids: Sequence[Any], n: int = 500) -> Iterable[list[Any]]:
    """Slices of at most ``n`` (SQL ``IN`` lists stay short on every backend)."""
    ids = list(ids)
    for i in range(0, len(ids), n):
        yield ids[i : i + n]
