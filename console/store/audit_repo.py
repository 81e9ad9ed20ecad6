"""Tamper-evident audit trail: every row carries the hash of the one before.

``hash = sha256(prev_hash + canonical JSON of {seq, t, actor, workstation,
action, payload})`` with ``prev_hash`` of the first row = 64 zeros.
Editing any row breaks its own hash; deleting a row breaks the next row's
``prev_hash``; both are found by :meth:`AuditRepo.verify`.  Cutting rows off
the *end* leaves a valid shorter chain, so whoever needs that guarantee
should keep :meth:`AuditRepo.head` somewhere else (a printout, another host)
and compare.

Appends are serialised so two writers cannot both chain onto the same row:
PostgreSQL takes a table lock, SQLite's single-writer lock is taken by the
INSERT before the predecessor is read.
"""

from __future__ import annotations

import hashlib
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from console.store.checks import canonical_json, json_object, now_or, text
from console.store.errors import StoreError
from console.store.models import CODE, AuditRow

GENESIS = "0" * 64


def row_hash(
    prev_hash: str,
    seq: int,
    t: float,
    actor: str,
    workstation: str,
    action: str,
    payload: dict[str, Any],
) -> str:
    """The chain hash of one row (also used by external verifiers)."""
    body = canonical_json(
        {
            "seq": seq,
            "t": t,
            "actor": actor,
            "workstation": workstation,
            "action": action,
            "payload": payload,
        }
    )
    return hashlib.sha256((prev_hash + body).encode("utf-8")).hexdigest()


class AuditRepo:
    """Append, verify and read the audit log."""

    def __init__(self, session: Session) -> None:
        self.s = session

    def append(
        self,
        actor: str,
        workstation: str,
        action: str,
        payload: dict[str, Any] | None = None,
        *,
        t: float | None = None,
    ) -> AuditRow:
        """Add one entry chained to the current head; returns it with seq and hash set."""
        clean = json_object(payload, "audit payload")
        row = AuditRow(
            t=now_or(t),
            actor=text(actor, "audit actor", CODE),
            workstation=text(workstation, "workstation", CODE, allow_empty=True),
            action=text(action, "audit action", CODE),
            payload=clean,
            prev_hash="",
            hash="",
        )
        if self.s.get_bind().dialect.name == "postgresql":
            self.s.connection().exec_driver_sql("LOCK TABLE audit_log IN SHARE ROW EXCLUSIVE MODE")
        self.s.add(row)
        self.s.flush()  # assigns seq; on SQLite this INSERT holds the write lock from here on
        prev = self.s.scalar(
            select(AuditRow.hash)
            .where(AuditRow.seq < row.seq)
            .order_by(AuditRow.seq.desc())
            .limit(1)
        )
        row.prev_hash = prev if prev is not None else GENESIS
        row.hash = row_hash(
            row.prev_hash, row.seq, row.t, row.actor, row.workstation, row.action, row.payload
        )
        self.s.execute(
            update(AuditRow)
            .where(AuditRow.seq == row.seq)
            .values(prev_hash=row.prev_hash, hash=row.hash)
            .execution_options(synchronize_session=False)
        )
        return row

    def verify(self, batch: int = 1000) -> int | None:
        """Walk the whole chain; the seq of the first row that fails, or None if intact.

        Reads plain columns, not ORM objects, so rows cached in this session
        cannot hide what is really stored.
        """
        cols = (
            AuditRow.seq,
            AuditRow.t,
            AuditRow.actor,
            AuditRow.workstation,
            AuditRow.action,
            AuditRow.payload,
            AuditRow.prev_hash,
            AuditRow.hash,
        )
        prev, last_seq = GENESIS, 0
        while True:
            rows = self.s.execute(
                select(*cols).where(AuditRow.seq > last_seq).order_by(AuditRow.seq).limit(batch)
            ).all()
            if not rows:
                return None
            # positional unpacking: Row.t is SQLAlchemy's tuple accessor, not column "t"
            for seq, t, actor, workstation, action, payload, prev_hash, hash_ in rows:
                expected = row_hash(prev, seq, t, actor, workstation, action, payload)
                if prev_hash != prev or hash_ != expected:
                    return int(seq)
                prev, last_seq = hash_, seq

    def tail(self, n: int = 50) -> list[AuditRow]:
        """The newest ``n`` entries, oldest first."""
        if n < 0:
            raise StoreError(f"tail length must not be negative, got {n}")
        rows = self.s.scalars(select(AuditRow).order_by(AuditRow.seq.desc()).limit(n)).all()
        return list(reversed(rows))

    def head(self) -> tuple[int, str] | None:
        """(seq, hash) of the newest entry, to anchor the chain outside the database."""
        r = self.s.execute(
            select(AuditRow.seq, AuditRow.hash).order_by(AuditRow.seq.desc()).limit(1)
        ).first()
        return None if r is None else (int(r[0]), str(r[1]))
