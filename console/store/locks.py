"""Another writer's lock is not a broken database: telling the two apart, and waiting one out.

The hub, the terminal link, the audit checkpoints and the workers write the same database.
A write can find it locked: SQLite's single write lock (SQLITE_BUSY, "database is
locked", once the busy timeout has passed) or a PostgreSQL serialization failure (40001),
deadlock (40P01) or lock timeout (55P03).  Such a failure passes (:func:`transient_lock`);
:func:`retry_locked` runs a whole unit of work again after a short backoff until it goes
through, and raises :class:`StoreLocked` only once the lock has lasted
:data:`LOCK_PATIENCE_S`.  A database that cannot be written at all (read-only, disk full)
is not a lock and is never retried here (:mod:`console.hub.guard` takes the hub into its
safe state for it).

Lives in the store so every writer (the hub, the link, the authenticator, the audit trail)
can use it without reaching up into the hub.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from typing import TypeVar

from sqlalchemy.exc import DBAPIError, SQLAlchemyError

from console.store.errors import StoreError

log = logging.getLogger(__name__)

LOCK_PATIENCE_S = 30.0
"""How long a write keeps being retried while other writers hold the lock, before the hub
takes the database as unwritable (each try itself waits up to the store's busy timeout)."""
_BACKOFF_S = (0.05, 0.1, 0.2, 0.5, 1.0)

T = TypeVar("T")


_LOCK_WORDS = (
    "database is locked",  # SQLITE_BUSY and its kinds (snapshot, recovery, timeout)
    "database table is locked",  # SQLITE_LOCKED
    "could not serialize access",
    "deadlock detected",
    "lock timeout",
    "could not obtain lock",
)
_LOCK_SQLSTATES = ("40001", "40P01", "55P03")
"""PostgreSQL: serialization failure, deadlock detected, lock not available (lock timeout)."""


class StoreLocked(StoreError):
    """Other writers held the database's lock for longer than the hub waits
    (:data:`LOCK_PATIENCE_S`): from here on it counts as a database that cannot be written."""


def cause_chain(exc: BaseException) -> list[BaseException]:
    """``exc`` and what caused it (a few levels, no loops): the hub's guard reads it too."""
    out: list[BaseException] = []
    cur: BaseException | None = exc
    while cur is not None and cur not in out and len(out) < 8:
        out.append(cur)
        cur = cur.__cause__ or cur.__context__
    return out


def sqlstate_of(e: DBAPIError) -> str:
    return str(getattr(e.orig, "sqlstate", "") or getattr(e.orig, "pgcode", "") or "")


def transient_lock(exc: BaseException) -> bool:
    """Whether ``exc`` (or what caused it) is another writer's lock, which passes: SQLite's
    SQLITE_BUSY/SQLITE_LOCKED, a PostgreSQL serialization failure, deadlock or lock timeout.
    A :class:`StoreLocked` (the lock did not pass) is not transient."""
    for e in cause_chain(exc):
        if isinstance(e, StoreLocked):
            return False
        if isinstance(e, DBAPIError):
            if sqlstate_of(e).startswith(_LOCK_SQLSTATES):
                return True
            name = str(getattr(e.orig, "sqlite_errorname", "") or "")
            if name.startswith(("SQLITE_BUSY", "SQLITE_LOCKED")):
                return True
        if isinstance(e, SQLAlchemyError | StoreError) or type(e).__name__ in (
            "OperationalError",
            "AuditError",
        ):
            msg = str(e).lower()
            if any(w in msg for w in _LOCK_WORDS):
                return True
    return False


def retry_locked(
    fn: Callable[[], T],
    *,
    patience_s: float = LOCK_PATIENCE_S,
    what: str = "a write",
    sleep: Callable[[float], object] = time.sleep,
    monotonic: Callable[[], float] = time.monotonic,
) -> T:
    """``fn()``, tried again after a short backoff while it fails on another writer's lock;
    :class:`StoreLocked` once the lock has lasted ``patience_s``.  Any other failure is
    raised at once.  ``fn`` must be a whole unit of work (a failed try leaves nothing)."""
    start = monotonic()
    tries = 0
    while True:
        try:
            return fn()
        except Exception as exc:
            if not transient_lock(exc):
                raise
            waited = monotonic() - start
            if waited >= patience_s:
                raise StoreLocked(
                    f"the database stayed locked by other writers for {waited:.0f} s "
                    f"({what} was tried {tries + 1} times)"
                ) from exc
            pause = _BACKOFF_S[min(tries, len(_BACKOFF_S) - 1)]
            tries += 1
            log.info("database busy (%s): %s tried again in %.2f s", first_line(exc), what, pause)
            sleep(min(pause, patience_s - waited))


def first_line(exc: BaseException) -> str:
    orig = getattr(exc, "orig", None) or exc
    return (str(orig).strip().splitlines() or [type(orig).__name__])[0]
