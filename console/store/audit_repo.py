"""Tamper-evident audit trail: every row carries a MAC (or hash) over the one before.

Two row formats share one chain:

- **keyed** (every row from ``audit_chain.keyed_from`` on): ``hash = keyed
  BLAKE2b-256(audit key, JSON [prev_hash, seq, t, actor, workstation, action] followed
  by the payload exactly as stored)`` (:func:`row_mac`).  BLAKE2b's keyed mode is a MAC
  like HMAC (RFC 7693) at a third of HMAC-SHA256's cost per row, which is what keeps
  checking a million rows within seconds; MACing the stored payload text (read back
  after the insert) spares re-encoding it.  The audit key lives outside the database
  (the key directory, like the hub key), so someone who can write the database cannot
  recompute a chain over an edited row;
- **legacy** (rows written before the chain was keyed): ``hash = sha256(prev_hash +
  canonical JSON of {seq, t, actor, workstation, action, payload})`` (:func:`row_hash`).

``prev_hash`` of the first row is 64 zeros.  Editing any row breaks its own MAC;
deleting a row breaks the next row's ``prev_hash``; cutting rows off the *end*
leaves a valid shorter chain, which the signed checkpoints kept outside the
database (:mod:`console.audit.anchor`) reveal.

Appends are serialised so two writers cannot both chain onto the same row:
PostgreSQL takes a table lock, SQLite's single-writer lock is taken by the
INSERT before the predecessor is read.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import msgspec
from sqlalchemy import Text, cast, delete, func, select, update
from sqlalchemy.orm import Session

from console.store.checks import canonical_json, json_object, now_or, text
from console.store.errors import StoreError
from console.store.models import CODE, AuditRow
from console.store.models_trust import AuditChainRow

GENESIS = "0" * 64
CHAIN_ROW_ID = 1
_ENC = msgspec.json.Encoder(order="sorted")


def row_hash(
    prev_hash: str,
    seq: int,
    t: float,
    actor: str,
    workstation: str,
    action: str,
    payload: dict[str, Any],
) -> str:
    """The legacy (unkeyed) chain hash of one row; kept to check rows written before keying."""
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


def row_mac(
    key: bytes,
    prev_hash: str,
    seq: int,
    t: float,
    actor: str,
    workstation: str,
    action: str,
    payload_text: str,
) -> str:
    """The keyed chain MAC of one row; ``payload_text`` is the payload as the database holds it."""
    m = keyed_state(key)
    m.update(_ENC.encode([prev_hash, seq, float(t), actor, workstation, action]))
    m.update(payload_text.encode())
    return m.hexdigest()


def keyed_state(key: bytes) -> Any:
    """A keyed BLAKE2b-256 state to copy per row (the key block is hashed once)."""
    if not 16 <= len(key) <= 64:
        raise StoreError("the audit key must be 16 to 64 bytes")
    return hashlib.blake2b(key=key, digest_size=32)


def chain_mac(key: bytes, chain: str, keyed_from: int, created_at: float) -> str:
    """The MAC sealing the ``audit_chain`` record (where keying starts, which chain)."""
    m = keyed_state(key)
    m.update(_ENC.encode(["audit_chain", chain, keyed_from, float(created_at)]))
    return m.hexdigest()


@dataclass
class ChainWalk:
    """What walking the whole chain found."""

    bad_seq: int | None = None
    """First entry that fails (edited, missing predecessor, or not as anchored), or None."""
    reason: str = ""
    count: int = 0
    """Entries walked (the true number of rows, not the highest seq)."""
    head: tuple[int, str] | None = None
    anchored: set[int] = field(default_factory=set)
    """Anchored seqs found with the anchored hash."""
    first: tuple[int, str] | None = None
    """(seq, prev_hash) of the first row walked: where a part of a split walk joins the last."""


class AuditRepo:
    """Append, verify and read the audit log."""

    def __init__(self, session: Session) -> None:
        self.s = session

    # ---------------------------------------------------------------- the chain record

    def chain(self) -> AuditChainRow | None:
        """The keyed chain's record, or None while the log is unkeyed (legacy)."""
        return self.s.get(AuditChainRow, CHAIN_ROW_ID)

    def start_keyed_chain(self, key: bytes, chain: str, t: float | None = None) -> AuditChainRow:
        """Key the chain from the next row on; the existing record if there is one.

        Takes the write lock before reading the head, so no row can slip in between.
        Two processes keying at once: the primary key lets one insert, the other's
        commit fails (IntegrityError) and it reads the winner's record in a new transaction.
        """
        existing = self.chain()
        if existing is not None:
            return existing
        if self.s.get_bind().dialect.name == "postgresql":
            self.s.connection().exec_driver_sql("LOCK TABLE audit_log IN SHARE ROW EXCLUSIVE MODE")
        else:  # a write statement takes SQLite's write lock for the rest of the transaction
            self.s.execute(delete(AuditChainRow).where(AuditChainRow.id != AuditChainRow.id))
        existing = self.chain()
        if existing is not None:
            return existing
        head = self.head()
        keyed_from = (head[0] if head else 0) + 1
        created = now_or(t)
        row = AuditChainRow(
            id=CHAIN_ROW_ID,
            chain=chain,
            keyed_from=keyed_from,
            created_at=created,
            mac=chain_mac(key, chain, keyed_from, created),
        )
        self.s.add(row)
        self.s.flush()
        return row

    # ---------------------------------------------------------------- appending

    def append(
        self,
        actor: str,
        workstation: str,
        action: str,
        payload: dict[str, Any] | None = None,
        *,
        t: float | None = None,
        key: bytes | None = None,
    ) -> AuditRow:
        """Add one entry chained to the current head; returns it with seq and hash set.

        With ``key`` the row is MACed (keyed chain); without it the legacy hash is
        used, which is refused once the chain is keyed (an unkeyed row would break it).
        """
        clean = json_object(payload, "audit payload")
        if key is None and self.chain() is not None:
            raise StoreError("the audit log is keyed: entries must be written with the audit key")
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
        if key is None:
            row.hash = row_hash(
                row.prev_hash, row.seq, row.t, row.actor, row.workstation, row.action, clean
            )
        else:  # MAC the payload as stored, so checking never re-encodes it
            stored = self.s.scalar(
                select(cast(AuditRow.payload, Text)).where(AuditRow.seq == row.seq)
            )
            row.hash = row_mac(
                key,
                row.prev_hash,
                row.seq,
                row.t,
                row.actor,
                row.workstation,
                row.action,
                str(stored),
            )
        self.s.execute(
            update(AuditRow)
            .where(AuditRow.seq == row.seq)
            .values(prev_hash=row.prev_hash, hash=row.hash)
            .execution_options(synchronize_session=False)
        )
        return row

    # ---------------------------------------------------------------- checking

    def verify(self, batch: int = 1000) -> int | None:
        """Walk an unkeyed (legacy) chain; the seq of the first row that fails, or None.

        A keyed chain needs its key: use :meth:`walk` (``console.audit`` does).
        """
        return self.walk(batch=batch).bad_seq

    def walk(
        self,
        *,
        key: bytes | None = None,
        keyed_from: int | None = None,
        anchors: Mapping[int, str] | None = None,
        batch: int = 20_000,
        after: int = 0,
        upto: int | None = None,
    ) -> ChainWalk:
        """Walk the whole chain once and check every row (and every anchored seq on the way).

        Rows with ``seq >= keyed_from`` must carry the MAC under ``key``, earlier
        ones the legacy hash.  Reads plain columns (the payload as stored text),
        not ORM objects, so rows cached in this session cannot hide what is
        really stored, and a million rows take seconds, not minutes.

        ``after``/``upto`` walk only the rows ``after < seq <= upto`` (one part of a
        walk split between processes); the first row's own ``prev_hash`` is then
        taken as given and reported in ``first`` for the caller to join the parts.
        """
        if (key is None) != (keyed_from is None):
            raise StoreError("a keyed chain needs both the key and where keying starts")
        start = keyed_from if keyed_from is not None else 2**62
        anchors = anchors or {}
        out = ChainWalk()
        base = keyed_state(key) if key is not None else None
        # the driver's own cursor: SQLAlchemy's result rows cost more than the check itself
        ph = "?" if self.s.get_bind().dialect.paramstyle == "qmark" else "%s"
        end = "" if upto is None else f" AND seq <= {int(upto)}"
        sql = (
            "SELECT seq, t, actor, workstation, action, CAST(payload AS TEXT), prev_hash, hash"
            f" FROM audit_log WHERE seq > {ph}{end} ORDER BY seq LIMIT {int(batch)}"
        )
        cur = self.s.connection().connection.dbapi_connection.cursor()  # type: ignore[union-attr]
        prev, last_seq, count = GENESIS, int(after), 0
        if after:  # a later part: it joins whatever its first row says (checked by the caller)
            cur.execute(sql, (last_seq,))
            head_rows = cur.fetchmany(1)
            if head_rows:
                prev = head_rows[0][6]
                out.first = (int(head_rows[0][0]), str(prev))
        encode = _ENC.encode
        copy = base.copy if base is not None else None
        try:
            while True:
                cur.execute(sql, (last_seq,))
                rows = cur.fetchall()
                if not rows:
                    break
                for seq, t, actor, workstation, action, payload, prev_hash, hash_ in rows:
                    if prev_hash != prev:
                        return _bad(out, seq, count, "does not chain onto the entry before it")
                    if seq >= start:
                        m = copy()  # type: ignore[misc]
                        m.update(encode([prev, seq, float(t), actor, workstation, action]))
                        m.update(payload.encode())
                        expected = m.hexdigest()
                    else:
                        expected = row_hash(
                            prev, seq, t, actor, workstation, action, json.loads(payload)
                        )
                    if hash_ != expected:
                        return _bad(out, seq, count, "was changed after it was written")
                    if seq in anchors:
                        if anchors[seq] != hash_:
                            return _bad(out, seq, count, "differs from its signed checkpoint")
                        out.anchored.add(seq)
                    count += 1
                    prev, last_seq = hash_, seq
        finally:
            cur.close()
        out.count = count
        out.head = (int(last_seq), str(prev)) if count else None
        return out

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

    def count(self) -> int:
        """How many entries the log holds."""
        return int(self.s.scalar(select(func.count()).select_from(AuditRow)) or 0)


def _bad(out: ChainWalk, seq: int, count: int, why: str) -> ChainWalk:
    out.bad_seq = int(seq)
    out.reason = f"entry seq {seq} {why}"
    out.count = count
    return out
