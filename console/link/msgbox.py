"""Messages at least once: the ``messages`` table as the hub's message outbox.

The command room's :class:`~console.hub.messaging.SendMessage` writes one row per
recipient unit (:func:`enqueue`) before anything is sent; the terminal link sends
due rows to units on the air with backoff (:class:`MsgBox`), on every hello, and
after a hub restart.  The terminal confirms with ``msg_receipt`` (``delivered``
when it has it, ``read`` when the officer opened it): conditional, forward-only
updates, so late, repeated or out-of-order receipts change nothing twice.
"""

from __future__ import annotations

import random
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from console.link import protocol as p
from console.store.db import Store
from console.store.ids import time_ordered_ids
from console.store.models_messages import MessageRow

BACKOFF_S = (1.0, 2.0, 4.0, 8.0, 15.0)
OFFLINE_RETRY_S = 5.0
TTL_S = 24 * 3600.0
"""A message nobody could deliver in a day is expired (the console shows it)."""
STATES = ("pending", "delivered", "read", "expired")
_RANK = {"pending": 0, "delivered": 1, "read": 2}


@dataclass(frozen=True)
class Recipient:
    """One unit a message goes to."""

    unit_id: int
    call_sign: str


@dataclass(frozen=True)
class DueMessage:
    """A message to send now."""

    message_id: str
    unit_id: int
    attempts: int
    message: p.Message


@dataclass(frozen=True)
class Moved:
    """A message whose state a receipt really changed."""

    message_id: str
    group_id: str
    unit_id: int
    incident_id: int | None
    state: str
    t: float


def enqueue(
    s: Session,
    recipients: Sequence[Recipient],
    *,
    text: str,
    sender: str,
    sender_name: str,
    to: str,
    incident_id: int | None,
    now: float,
    ttl_s: float = TTL_S,
) -> tuple[str, list[str]]:
    """Write one pending row per recipient in the caller's transaction; (group id, row ids)."""
    if not recipients:
        raise ValueError("a message needs at least one recipient")
    text = text.strip()
    if not text:
        raise ValueError("a message needs a text")
    if len(text) > 4000:
        raise ValueError(f"message too long ({len(text)} characters, at most 4000)")
    group, *ids = time_ordered_ids(len(recipients) + 1)
    for mid, r in zip(ids, recipients, strict=True):
        s.add(
            MessageRow(
                id=mid,
                group_id=group,
                unit_id=r.unit_id,
                incident_id=incident_id,
                to=to[:64],
                sender=sender[:64],
                sender_name=sender_name[:200],
                text=text,
                state="pending",
                created_at=now,
                expires_at=now + ttl_s,
                attempts=0,
                next_attempt_at=now,
            )
        )
    s.flush()
    return group, ids


def wire(row: MessageRow) -> p.Message:
    """The wire form of a message row."""
    return p.Message(
        message_id=row.id,
        text=row.text[:4000],
        sender=(row.sender_name or row.sender)[:64],
        t=min(max(row.created_at, 0.0), 4.0e9),
        incident_id=row.incident_id,
        to=row.to[:64],
    )


def _backoff(attempts: int) -> float:
    base = BACKOFF_S[min(max(attempts - 1, 0), len(BACKOFF_S) - 1)]
    return base * (0.9 + 0.2 * random.random())


class MsgBox:
    """Database side of message delivery; used from the link thread."""

    def __init__(self, store: Store) -> None:
        self.store = store

    def due(self, now: float, online: set[int], limit: int = 2000) -> list[DueMessage]:
        """Pending, unexpired messages due a send attempt, for units on the air."""
        if not online:
            return []
        with self.store.session() as s:
            rows = s.scalars(
                select(MessageRow)
                .where(
                    MessageRow.state == "pending",
                    MessageRow.next_attempt_at <= now,
                    MessageRow.expires_at > now,
                )
                .order_by(MessageRow.next_attempt_at, MessageRow.id)
                .limit(limit)
            ).all()
            return [
                DueMessage(r.id, r.unit_id, r.attempts, wire(r))
                for r in rows
                if r.unit_id in online
            ]

    def pending_for(self, unit_ids: Iterable[int], now: float) -> list[DueMessage]:
        """Every pending message of these units (a hello: send them all now)."""
        ids = sorted(set(unit_ids))
        if not ids:
            return []
        with self.store.session() as s:
            rows = s.scalars(
                select(MessageRow)
                .where(
                    MessageRow.unit_id.in_(ids),
                    MessageRow.state == "pending",
                    MessageRow.expires_at > now,
                )
                .order_by(MessageRow.id)
            ).all()
            return [DueMessage(r.id, r.unit_id, r.attempts, wire(r)) for r in rows]

    def record_attempts(self, sent: Sequence[DueMessage], now: float) -> None:
        """Count one attempt each and schedule the next (only while pending)."""
        if not sent:
            return
        with self.store.session() as s, s.begin():
            for d in sent:
                s.execute(
                    update(MessageRow)
                    .where(MessageRow.id == d.message_id, MessageRow.state == "pending")
                    .values(attempts=d.attempts + 1, next_attempt_at=now + _backoff(d.attempts + 1))
                    .execution_options(synchronize_session=False)
                )

    def apply(
        self, receipts: Sequence[tuple[int, p.MessageReceipt]], now: float
    ) -> tuple[list[Moved], set[str]]:
        """Apply (unit id, receipt) pairs in one transaction; (moved, foreign message ids).

        A receipt for another unit's (or an unknown) message is foreign: never applied.
        """
        moved: list[Moved] = []
        foreign: set[str] = set()
        with self.store.session() as s, s.begin():
            ids = sorted({m.order_id for _, m in receipts})
            rows = {
                r.id: r for r in s.scalars(select(MessageRow).where(MessageRow.id.in_(ids))).all()
            }
            for unit_id, m in receipts:
                row = rows.get(m.order_id)
                if row is None or row.unit_id != unit_id:
                    foreign.add(m.order_id)
                    continue
                target = m.kind
                if _RANK.get(target, -1) <= _RANK.get(row.state, 9):
                    continue
                if row.delivered_at is None:
                    row.delivered_at = now
                if target == "read":
                    row.read_at = now
                row.state = target
                moved.append(Moved(row.id, row.group_id, row.unit_id, row.incident_id, target, now))
        return moved, foreign

    def expire(self, now: float) -> int:
        """Expire pending messages past their time to live; how many."""
        with self.store.session() as s, s.begin():
            res = s.execute(
                update(MessageRow)
                .where(MessageRow.state == "pending", MessageRow.expires_at <= now)
                .values(state="expired")
                .execution_options(synchronize_session=False)
            )
            return int(res.rowcount or 0)  # type: ignore[attr-defined]
