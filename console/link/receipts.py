"""Terminal reports applied to the outbox: receipts, arrival, outcome, feedback (and its photo).

Receipts arrive late, twice or out of order, so every state change is a
conditional bulk UPDATE that only moves forward, and ``RETURNING`` tells which
rows really moved: those, and only those, get effects (executed once in
effect).  A report about another unit's order is refused, never applied.  All
times written are the hub's clock, never the terminal's.
"""

from __future__ import annotations

import functools
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, cast

from sqlalchemy import Float, Table, Update, bindparam, func, insert, select, update
from sqlalchemy.orm import Session

from console.domain import OrderState
from console.link.attachments import (
    OPEN_STATES,
    PhotoLimits,
    PhotoRefused,
    check_photo,
    check_quota,
    store_photo,
)
from console.link.outbox import chunks
from console.link.protocol import Arrived, Feedback, Finished, Receipt
from console.store.bulk import no_index
from console.store.db import Store
from console.store.incident_repo import IncidentRepo
from console.store.models import IncidentEventRow, OrderRow, UnitRow
from console.store.order_repo import ALLOWED_FROM, CHAIN

S = OrderState
_STAMP = {
    S.DELIVERED: OrderRow.delivered_at,
    S.READ: OrderRow.read_at,
    S.ACCEPTED: OrderRow.accepted_at,
    S.ARRIVED: OrderRow.arrived_at,
    S.FINISHED: OrderRow.finished_at,
}
_RECEIPT_STATE = {
    "delivered": S.DELIVERED,
    "read": S.READ,
    "accepted": S.ACCEPTED,
    "rejected": S.REJECTED,
}
_ORDER_RANK = {s: i for i, s in enumerate((*CHAIN, S.REJECTED))}
_CHRONICLED = frozenset({S.ACCEPTED, S.REJECTED, S.ARRIVED, S.FINISHED})
"""Officers' decisions go to the incident chronology; delivery and reading are
already stamped on the order row (``delivered_at``, ``read_at``), and writing a
chronology line per delivery would double the cost of a 1,000-unit fan-out."""

TerminalReport = Receipt | Arrived | Finished
REPLAYABLE = frozenset({"delivered"})
"""Receipt kinds a terminal sends again whenever the order reaches it again
(console/terminal/session.py re-confirms a duplicate order once its receipt was acked)."""


@dataclass(frozen=True)
class Moved:
    """An order whose state really changed because of a terminal's message."""

    order_id: str
    unit_id: int
    incident_id: int
    state: OrderState
    text: str = ""
    call_sign: str = ""


def apply_reports(
    store: Store, reports: Sequence[tuple[int, TerminalReport]], now: float
) -> tuple[list[Moved], set[str]]:
    """Apply terminal reports (unit id, message) in one transaction.

    Returns the orders that really moved and the order ids that were not
    the sender's (unknown, or another unit's: refused, never applied).
    """
    ids = sorted({m.order_id for _, m in reports})
    moved: list[Moved] = []
    # a batch of only delivered/read receipts may skip the disk flush: if a power cut
    # loses it, the order is resent and the terminal confirms it again (executed once);
    # accepted, rejected, arrived and finished reports are acknowledged to the terminal,
    # which then forgets them, so they are always flushed
    replayable = all(isinstance(m, Receipt) and m.kind in REPLAYABLE for _, m in reports)
    tx = store.replayable_transaction() if replayable else store.transaction()
    with tx as s:
        owner: dict[str, int] = {}
        sign: dict[int, str] = {}
        conn = s.connection()  # Core on the session's connection: no ORM rows per receipt
        for chunk in chunks(ids):
            for oid, uid, cs in conn.execute(_OWNERS, {"ids": chunk}):
                owner[oid] = uid
                sign[uid] = cs
        foreign = {m.order_id for u, m in reports if owner.get(m.order_id) != u}
        groups: dict[OrderState, list[str]] = {}
        texts: list[tuple[OrderState, str, dict[str, str]]] = []
        for _, m in reports:
            if m.order_id in foreign:
                continue
            if isinstance(m, Receipt):
                if m.kind == "cancel_seen":
                    continue
                target = _RECEIPT_STATE[m.kind]
                if target is S.REJECTED:
                    texts.append((target, m.order_id, {"rejected_reason": m.reason}))
                    continue
            elif isinstance(m, Arrived):
                target = S.ARRIVED
            else:
                texts.append((S.FINISHED, m.order_id, {"outcome": m.outcome}))
                continue
            groups.setdefault(target, []).append(m.order_id)
        for target in sorted(groups, key=_ORDER_RANK.__getitem__):
            for chunk in chunks(sorted(set(groups[target]))):
                moved += _advance(s, chunk, target, now, {}, sign)
        for target, oid, extra in texts:
            moved += _advance(s, [oid], target, now, extra, sign)
        decisions = [m for m in moved if m.state in _CHRONICLED]
        if decisions:  # one executemany, not one ORM object per receipt
            s.execute(
                insert(IncidentEventRow),
                [
                    {
                        "incident_id": m.incident_id,
                        "t": now,
                        "actor": (m.call_sign or f"unit#{m.unit_id}")[:64],
                        "kind": f"order_{m.state.value}",
                        "detail": {"order_id": m.order_id, "unit": m.call_sign, "text": m.text},
                    }
                    for m in decisions
                ],
            )
    return moved, foreign


def _advance(
    s: Session,
    ids: list[str],
    target: OrderState,
    now: float,
    extra: dict[str, str],
    sign: dict[int, str],
) -> list[Moved]:
    stmt = _advance_statement(target, tuple(sorted(extra)))
    params: dict[str, Any] = {"ids": ids, "now": now}
    params.update((f"x_{k}", v) for k, v in extra.items())
    rows = s.connection().execute(stmt, params).all()
    text = next(iter(extra.values()), "")
    return [Moved(i, u, inc, target, text, sign.get(u, "")) for i, u, inc in rows]


_ORDERS = cast(Table, OrderRow.__table__)
_UNITS = cast(Table, UnitRow.__table__)
_OWNERS = (
    select(_ORDERS.c.id, _ORDERS.c.unit_id, _UNITS.c.call_sign)
    .join(_UNITS, _UNITS.c.id == _ORDERS.c.unit_id)
    .where(_ORDERS.c.id.in_(bindparam("ids", expanding=True)))
)


@functools.cache
def _advance_statement(target: OrderState, extra: tuple[str, ...]) -> Update:
    """UPDATE these ids to ``target`` if their state allows it, stamping skipped steps.

    Built once per target (the ids are an expanding parameter), so a batch of a
    thousand receipts costs one statement, not a thousand literal coercions.
    """
    now = bindparam("now", type_=Float)
    values: dict[str, Any] = {"state": target.value, **{k: bindparam(f"x_{k}") for k in extra}}
    upto = CHAIN.index(target) if target in CHAIN else CHAIN.index(S.DELIVERED)
    for step in CHAIN[1 : upto + 1]:
        col = _ORDERS.c[_STAMP[step].key]
        values[col.name] = now if step == target else func.coalesce(col, now)
    allowed = sorted(x.value for x in ALLOWED_FROM[target])
    return (
        update(_ORDERS)
        .where(
            _ORDERS.c.id.in_(bindparam("ids", expanding=True)),
            no_index(_ORDERS.c.state).in_(allowed),
        )
        .values(values)
        .returning(_ORDERS.c.id, _ORDERS.c.unit_id, _ORDERS.c.incident_id)
    )


@dataclass(frozen=True)
class Filed:
    """What became of one feedback: the incident it was filed under (None: nothing filed),
    its photo's id, and the photo's refusal (code, reason) if the photo was not taken."""

    incident_id: int | None
    photo_id: int | None = None
    refusal: tuple[str, str] | None = None


def file_feedback(
    store: Store,
    unit_id: int,
    call_sign: str,
    msg: Feedback,
    now: float,
    *,
    terminal_key: str = "",
    limits: PhotoLimits | None = None,
) -> Filed:
    """File feedback under its order's (or the unit's current) incident.

    The text goes to the incident chronology.  A photo is taken only if it
    decodes, belongs to an open order of this unit and fits the quotas
    (:mod:`console.link.attachments`); otherwise the text is still filed, the
    chronology line says the photo was refused, and the refusal is returned so
    the terminal hears why.  With no incident to file under, nothing is stored.
    """
    lim = limits or PhotoLimits()
    refusal: PhotoRefused | None = None
    checked = None
    if msg.photo is not None:
        try:
            checked = check_photo(msg.photo, lim)
        except PhotoRefused as exc:
            refusal = exc
    with store.session() as s, s.begin():
        incident_id: int | None = None
        order: OrderRow | None = None
        if msg.order_id is not None:
            row = s.get(OrderRow, msg.order_id)
            if row is not None and row.unit_id == unit_id:
                order, incident_id = row, row.incident_id
        if incident_id is None:
            unit = s.get(UnitRow, unit_id)
            incident_id = unit.current_incident_id if unit is not None else None
        if checked is not None:
            try:
                if order is None:
                    raise PhotoRefused(
                        "order_closed", "a photo must name an open order of this unit"
                    )
                if order.state not in OPEN_STATES:
                    raise PhotoRefused(
                        "order_closed",
                        f"order {order.id[:8]} is {order.state}: it takes no more photos",
                    )
                check_quota(s, order.id, terminal_key, len(checked.data), now, lim)
            except PhotoRefused as exc:
                refusal, checked = exc, None
        if incident_id is None:
            return Filed(None, None, (refusal.code, refusal.reason) if refusal else None)
        photo_id = None
        if checked is not None and order is not None:
            photo_id = store_photo(
                s,
                checked,
                incident_id=incident_id,
                order_id=order.id,
                unit_id=unit_id,
                terminal_key=terminal_key,
                now=now,
            )
        detail: dict[str, Any] = {
            "text": msg.text,
            "order_id": order.id if order is not None else None,
            "photo_id": photo_id,
        }
        if refusal is not None:
            detail["photo_refused"] = refusal.code
        IncidentRepo(s).add_event(
            incident_id,
            t=now,
            actor=f"terminal:{call_sign}"[:64],
            kind="feedback",
            detail=detail,
        )
    return Filed(incident_id, photo_id, (refusal.code, refusal.reason) if refusal else None)


def store_feedback(
    store: Store, unit_id: int, call_sign: str, msg: Feedback, now: float
) -> int | None:
    """:func:`file_feedback` without the terminal's key (no per-terminal quota): the incident."""
    return file_feedback(store, unit_id, call_sign, msg, now).incident_id
