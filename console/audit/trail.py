"""The audit trail as the hub and the command-line tools write it: keyed, anchored, fail-closed.

:class:`AuditTrail` owns the audit key (``audit.key_secret`` in the key
directory, beside the hub key, never in the database), the chain record in the
database, and the anchor file of signed checkpoints.  Its writing methods
raise :class:`AuditError` when the row cannot be written, so an action whose
audit row is lost does not happen: :meth:`AuditTrail.write` puts the row in the
caller's own transaction (both commit, or neither), :meth:`AuditTrail.record`
in a transaction of its own, before the action is carried out.
"""

from __future__ import annotations

import logging
import math
import threading
import time
import uuid
import weakref
from collections.abc import Callable
from pathlib import Path
from typing import Any

import msgspec
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from console.audit.anchor import AnchorLog, Checkpoint, anchor_path
from console.link.keys import KeyFileError, check_key_dir, create_audit_key, load_audit_key
from console.store.audit_repo import AuditRepo, chain_mac
from console.store.db import Store, mask_url

log = logging.getLogger(__name__)

#: commands that only read; they are not audited (they change nothing)
READ_ONLY = frozenset(
    {
        "GetSnapshot",
        "GetDistrict",
        "GetHeat",
        "GetHotspots",
        "GetForecast",
        "GetPatrolFocus",
        "GetChronology",
        "GetStats",
        "GetPlan",
        "GetCoverage",
        "GetCrowdPlaces",
        "GetCrowd",
    }
)
#: commands whose outcome the :class:`~console.auth.Authenticator` audits itself (failed
#: sign-ins as summaries: a flood of wrong passwords must not flood the log)
SELF_AUDITED = frozenset({"Login"})
#: payload fields never written to the audit log
SECRET_FIELDS = frozenset({"password", "new_password", "photo"})
CHECKPOINT_S = 30.0
"""Seconds between checkpoints while the log grows (config ``[audit] checkpoint_seconds``)."""


class AuditError(Exception):
    """The audit row could not be written (or the trail cannot be opened): the action must not
    happen.  The text names what failed and is safe to show."""


class NonFiniteNumber(ValueError):
    """A command holds NaN or an infinity where a number belongs: refused before it runs
    (JSON, and so the audit log, has no such numbers).  The text names the field."""


def nonfinite_fields(value: Any, path: str = "") -> list[str]:
    """The fields of ``value`` (a command, its fields, plain data) holding NaN or an infinity,
    as dotted paths (``points[2].lon``).  Walks the command as it is (no copy: a photo's
    bytes are not converted just to be looked at)."""
    if isinstance(value, float):
        return [] if math.isfinite(value) else [path or "value"]
    if isinstance(value, str | bytes | bytearray | int | bool) or value is None:
        return []
    out: list[str] = []
    if isinstance(value, msgspec.Struct):
        for name in value.__struct_fields__:
            out += nonfinite_fields(getattr(value, name), f"{path}.{name}" if path else name)
    elif isinstance(value, dict):
        for k, v in value.items():
            out += nonfinite_fields(v, f"{path}.{k}" if path else str(k))
    elif isinstance(value, list | tuple | set | frozenset):
        for i, v in enumerate(value):
            out += nonfinite_fields(v, f"{path}[{i}]")
    return out


def check_finite(command: Any) -> None:
    """Raise :class:`NonFiniteNumber` naming every field of ``command`` that holds NaN or an
    infinity (these crash nothing further on: the command is refused here)."""
    bad = nonfinite_fields(command)
    if bad:
        names = ", ".join(repr(b) for b in bad[:5]) + (" ..." if len(bad) > 5 else "")
        raise NonFiniteNumber(
            f"{type(command).__name__} refused: field {names} is not a finite number "
            "(NaN or infinity); send a real value"
            if len(bad) == 1
            else f"{type(command).__name__} refused: fields {names} are not finite numbers "
            "(NaN or infinity); send real values"
        )


def _finite(value: Any) -> Any:
    """``value`` with NaN and infinities written as text ("nan", "inf", "-inf"), so a refused
    command's row can still go on record."""
    if isinstance(value, float) and not math.isfinite(value):
        return repr(value)
    if isinstance(value, dict):
        return {k: _finite(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_finite(v) for v in value]
    return value


def command_payload(command: Any, ok: bool, error: str = "") -> dict[str, Any]:
    """The audit payload of a hub command: its fields (secrets masked), outcome and error.
    NaN and infinities become text ("nan", "inf"): JSON cannot hold them as numbers."""
    raw = _finite(msgspec.to_builtins(command))
    fields = (
        {k: ("***" if k in SECRET_FIELDS else v) for k, v in raw.items() if k != "type"}
        if isinstance(raw, dict)
        else {"value": raw}
    )
    payload: dict[str, Any] = {"command": fields, "ok": ok}
    if error:
        payload["error"] = error
    return payload


class AuditTrail:
    """Writes keyed audit rows for one store and anchors the chain's head outside it.

    Open with :meth:`open`; a trail without a key (:meth:`unkeyed`) writes the old
    unkeyed rows and exists only for stores that were never keyed (tests, old demos).
    """

    def __init__(
        self,
        store: Store,
        key: bytes | None,
        chain: str = "",
        keyed_from: int = 0,
        anchors: AnchorLog | None = None,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.store = store
        self._key = key
        self.chain = chain
        self.keyed_from = keyed_from
        self.anchors = anchors
        self.clock = clock
        self._last_anchored: tuple[int, str] | None = None
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._lock = threading.Lock()

    # ------------------------------------------------------------------ opening

    @classmethod
    def open(
        cls,
        store: Store,
        key_dir: Path | None = None,
        *,
        create: bool = True,
        clock: Callable[[], float] = time.time,
    ) -> AuditTrail:
        """The keyed trail of ``store`` with the audit key of ``key_dir`` (default key dir).

        The first keyed start makes the audit key (``create``) and the chain record.
        Refuses (AuditError) when the store's chain was keyed but the key is missing
        or is another key: rows written now could never be checked with the old ones.
        """
        try:
            d = check_key_dir(key_dir)
            key = load_audit_key(d)
        except KeyFileError as exc:
            raise AuditError(f"audit key: {exc}") from None
        with store.session() as s:
            rec = AuditRepo(s).chain()
            rec_fields = (rec.chain, rec.keyed_from, rec.created_at, rec.mac) if rec else None
        if rec_fields is None:
            if key is None:
                if not create:
                    raise AuditError(f"no audit key in {d} and the audit log is not keyed yet")
                try:
                    key = create_audit_key(d)
                except KeyFileError as exc:
                    raise AuditError(f"cannot make the audit key: {exc}") from None
                log.warning("created the audit key %s (back it up with the hub key)", d)
            rec_fields = _start_chain(store, key, clock())
        chain, keyed_from, created_at, mac = rec_fields
        if key is None:
            raise AuditError(
                f"the audit log of this database is sealed with an audit key, but {d} has none "
                f"(audit.key_secret is missing): restore the key directory from its backup. "
                "Nothing is written to the log without it"
            )
        if chain_mac(key, chain, keyed_from, created_at) != mac:
            raise AuditError(
                f"the audit key in {d} is not the key this database's audit log was sealed "
                "with (or the log's chain record was edited)"
            )
        anchors = AnchorLog(anchor_path(d, chain), chain, mask_url(store.url), key)
        trail = cls(store, key, chain, keyed_from, anchors, clock)
        register(trail)
        return trail

    @classmethod
    def unkeyed(cls, store: Store, clock: Callable[[], float] = time.time) -> AuditTrail:
        """A trail writing old unkeyed rows (no key, no anchors): for stores never keyed."""
        return cls(store, None, clock=clock)

    @property
    def keyed(self) -> bool:
        return self._key is not None

    # ------------------------------------------------------------------ writing

    def write(
        self,
        session: Session,
        *,
        actor: str,
        workstation: str = "",
        action: str,
        payload: dict[str, Any] | None = None,
        t: float | None = None,
    ) -> int:
        """Append one row inside the caller's transaction; returns its seq.

        Raises AuditError if it cannot be written: let it propagate out of the
        caller's ``with store.transaction()`` so the action rolls back with it.
        """
        try:
            row = AuditRepo(session).append(
                actor[:64] or "unknown",
                workstation[:64],
                action[:64],
                payload,
                t=self.clock() if t is None else t,
                key=self._key,
            )
        except Exception as exc:
            log.critical("AUDIT WRITE FAILED for %s by %s: %s", action, actor, exc)
            raise AuditError(f"the audit entry for {action} cannot be written: {exc}") from exc
        return int(row.seq)

    def record(
        self,
        *,
        actor: str,
        workstation: str = "",
        action: str,
        payload: dict[str, Any] | None = None,
        t: float | None = None,
    ) -> int:
        """Append one row in a transaction of its own (before the action); AuditError if not."""
        try:
            with self.store.transaction() as s:
                return self.write(
                    s, actor=actor, workstation=workstation, action=action, payload=payload, t=t
                )
        except AuditError:
            raise
        except Exception as exc:  # the commit itself failed
            log.critical("AUDIT WRITE FAILED for %s by %s: %s", action, actor, exc)
            raise AuditError(f"the audit entry for {action} cannot be written: {exc}") from exc

    def record_command(
        self,
        *,
        actor: str,
        workstation: str,
        command: Any,
        ok: bool,
        error: str = "",
        t: float | None = None,
        session: Session | None = None,
    ) -> int | None:
        """Audit one hub command (in ``session`` if given); None for read-only commands."""
        name = type(command).__name__
        if name in READ_ONLY or name in SELF_AUDITED:
            return None
        payload = command_payload(command, ok, error)
        if session is not None:
            return self.write(
                session, actor=actor, workstation=workstation, action=name, payload=payload, t=t
            )
        return self.record(actor=actor, workstation=workstation, action=name, payload=payload, t=t)

    # ------------------------------------------------------------------ anchoring

    def checkpoint(self, force: bool = False) -> Checkpoint | None:
        """Anchor the committed head outside the database (if it moved since the last one)."""
        if self.anchors is None:
            return None
        with self._lock:
            with self.store.session() as s:
                repo = AuditRepo(s)
                head = repo.head()
                if head is None or (head == self._last_anchored and not force):
                    return None
                count = repo.count()
            cp = self.anchors.append(head[0], head[1], count, self.clock())
            self._last_anchored = head
            return cp

    def start(self, interval_s: float = CHECKPOINT_S) -> AuditTrail:
        """Checkpoint every ``interval_s`` seconds on a thread of its own until :meth:`close`."""
        if self.anchors is None or self._thread is not None:
            return self
        self._stop.clear()

        def run() -> None:
            while not self._stop.wait(interval_s):
                try:
                    self.checkpoint()
                except Exception:
                    log.exception("audit checkpoint failed (retried in %.0f s)", interval_s)

        self._thread = threading.Thread(target=run, name="audit-anchor", daemon=True)
        self._thread.start()
        return self

    def close(self) -> None:
        """Stop checkpointing and anchor the final head."""
        self._stop.set()
        if self._thread is not None:
            self._thread.join(10.0)
            self._thread = None
        try:
            self.checkpoint()
        except Exception:
            log.exception("final audit checkpoint failed")


def _start_chain(store: Store, key: bytes, now: float) -> tuple[str, int, float, str]:
    """Create the chain record (or read the one another process made a moment ago)."""
    for _ in range(3):
        try:
            with store.transaction() as s:
                rec = AuditRepo(s).start_keyed_chain(key, uuid.uuid4().hex, t=now)
                return rec.chain, rec.keyed_from, rec.created_at, rec.mac
        except IntegrityError:
            continue  # another process keyed it between our look and our insert
    raise AuditError("cannot create the audit chain record")


# ---------------------------------------------------------------------- one trail per store

_TRAILS: dict[int, tuple[weakref.ref[Store], AuditTrail]] = {}
_TRAILS_LOCK = threading.Lock()


def register(trail: AuditTrail) -> None:
    """Make ``trail`` the one :func:`trail_for` returns for its store."""
    with _TRAILS_LOCK:
        _TRAILS[id(trail.store)] = (weakref.ref(trail.store), trail)


def trail_for(store: Store) -> AuditTrail:
    """The trail registered for ``store``; else the keyed one if its log is keyed (audit key
    from the default key directory), else an unkeyed one (a store never keyed)."""
    with _TRAILS_LOCK:
        found = _TRAILS.get(id(store))
        if found is not None and found[0]() is store:
            return found[1]
    with store.session() as s:
        keyed = AuditRepo(s).chain() is not None
    trail = AuditTrail.open(store, create=False) if keyed else AuditTrail.unkeyed(store)
    register(trail)
    return trail
