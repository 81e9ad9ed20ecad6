"""When the database cannot be written: a plain message at start, a safe state later.

A hub whose database cannot be written must not pretend to work.  At start
(:func:`check_writable`) it stops with a message an operator can act on.  If writing
fails later (disk full, the file made read-only, the server gone read-only), the
:class:`StoreGuard` puts the hub in a safe state: every command that would change
anything is refused with a plain-language reason, one alert tells every workstation,
reads go on, and once a write works again (checked every few seconds) the hub says so
and carries on.  Approval and its orders are one transaction, so a failure leaves
nothing half-done.

A lock is not a broken database: the link, the audit checkpoints and the workers write
the same database, so a write can find it locked (SQLite's "database is locked", a
PostgreSQL serialization failure, deadlock or lock timeout).  Such a failure
(:func:`transient_lock`) is retried with a short backoff (:func:`retry_locked`); only a
lock that lasts longer than :data:`LOCK_PATIENCE_S` (:class:`StoreLocked`) takes the hub
into the safe state, and the log says which failure it was (:func:`why_unwritable`).

Users never see SQL: :func:`plain_error` turns whatever a command raised into a text for
people, and the detail goes to the hub's log.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable

from sqlalchemy import text
from sqlalchemy.exc import DBAPIError, SQLAlchemyError

from console.store.db import Store, mask_url, open_store
from console.store.errors import StoreError
from console.store.locks import (  # the lock part, here too for the hub's callers
    LOCK_PATIENCE_S,
    StoreLocked,
    cause_chain,
    first_line,
    retry_locked,
    sqlstate_of,
    transient_lock,
)

log = logging.getLogger(__name__)

UNWRITABLE_ZH = "数据库无法写入(磁盘已满或只读): 所有修改类操作已暂停, 请通知管理员"
UNWRITABLE_EN = (
    "the database cannot be written (disk full or read-only): commands that change "
    "anything are refused until it is fixed; tell the administrator"
)
LOCKED_ZH = "数据库长时间被其他写入方锁定, 无法写入: 所有修改类操作已暂停, 请通知管理员"
LOCKED_EN = (
    "the database has stayed locked by another writer for too long: commands that change "
    "anything are refused until it is free; tell the administrator"
)
DB_BUSY = (
    "the database was busy, so the command was not carried out; try again in a moment "
    "(details in the hub's log)"
)
WRITABLE_ZH = "数据库已恢复写入, 可继续操作"
WRITABLE_EN = "the database can be written again: commands are accepted"
DB_REFUSED = "the database refused the change, so nothing was changed (details in the hub's log)"
AUDIT_DOWN = (
    "the audit log cannot be written, so the command was not carried out "
    "(details in the hub's log); tell the administrator"
)
RETRY_S = 5.0
"""How often a hub in the safe state tries a write."""
_UNWRITABLE_WORDS = (
    "readonly database",
    "read-only",
    "read only",
    "disk is full",
    "disk full",
    "no space left",
    "could not extend file",
    "disk i/o error",
    "unable to open database file",
    "could not write",
    "server closed the connection",
    "connection refused",
    "terminating connection",
)
_UNWRITABLE_SQLSTATES = ("53", "25006", "58", "08", "57P")
"""PostgreSQL error classes: insufficient resources, read-only transaction, system error,
connection exception, operator intervention (shutdown)."""
_WHY = (
    ("read-only", ("readonly", "read-only", "read only"), ("25006",)),
    ("disk full", ("disk is full", "disk full", "no space left", "could not extend"), ("53",)),
    ("I/O error", ("disk i/o error", "could not write"), ("58",)),
    ("file cannot be opened", ("unable to open database file",), ()),
    (
        "server unreachable",
        ("server closed the connection", "connection refused", "terminating connection"),
        ("08", "57P"),
    ),
)


_SQL_MARKERS = ("[SQL:", "(Background on this error", "SELECT ", "INSERT ", "UPDATE ", "DELETE ")


def why_unwritable(exc: BaseException) -> str:
    """Which failure ``exc`` is, in a few words for the log (read-only, disk full, ...)."""
    chain = cause_chain(exc)
    if any(isinstance(e, StoreLocked) for e in chain):
        return f"locked by other writers for more than {LOCK_PATIENCE_S:.0f} s"
    for why, words, states in _WHY:
        for e in chain:
            if states and isinstance(e, DBAPIError) and sqlstate_of(e).startswith(states):
                return why
            if any(w in str(e).lower() for w in words):
                return why
    if any(isinstance(e, DBAPIError) and e.connection_invalidated for e in chain):
        return "server unreachable"
    return "write failed"


def store_failure(exc: BaseException) -> bool:
    """Whether ``exc`` (or what caused it) says the database cannot be written or reached
    (as opposed to a refusal of one bad value, or a lock that passes:
    :func:`transient_lock`).  A lock that did not pass (:class:`StoreLocked`) is one."""
    chain = cause_chain(exc)
    if any(isinstance(e, StoreLocked) for e in chain):
        return True
    if transient_lock(exc):
        return False
    for e in chain:
        if isinstance(e, DBAPIError):
            code = sqlstate_of(e)
            if code and code.startswith(_UNWRITABLE_SQLSTATES):
                return True
            if e.connection_invalidated:
                return True
        if isinstance(e, SQLAlchemyError | StoreError | OSError) or type(e).__name__ in (
            "OperationalError",
            "AuditError",
        ):
            msg = str(e).lower()
            if any(w in msg for w in _UNWRITABLE_WORDS):
                return True
    return False


def _shows_sql(msg: str) -> bool:
    return any(m in msg for m in _SQL_MARKERS)


def plain_error(exc: BaseException) -> str:
    """What a user is told about an unexpected failure of their command (never SQL)."""
    if store_failure(exc):
        locked = any(isinstance(e, StoreLocked) for e in cause_chain(exc))
        return LOCKED_EN if locked else UNWRITABLE_EN
    if transient_lock(exc):
        return DB_BUSY
    names = {type(e).__name__ for e in cause_chain(exc)}
    if "AuditError" in names:
        return AUDIT_DOWN
    if isinstance(exc, SQLAlchemyError):
        return DB_REFUSED
    msg = str(exc)
    if isinstance(exc, StoreError):
        return msg if not _shows_sql(msg) else DB_REFUSED
    if _shows_sql(msg) or any(isinstance(e, SQLAlchemyError) for e in cause_chain(exc)):
        return DB_REFUSED
    return f"internal error: {msg or type(exc).__name__} (details in the hub's log)"


def safe_text(exc: BaseException) -> str:
    """The exception's own message when it is fit to show, else :func:`plain_error`'s."""
    msg = str(exc)
    if (
        msg
        and not _shows_sql(msg)
        and not any(isinstance(e, SQLAlchemyError) for e in cause_chain(exc))
    ):
        return msg
    return plain_error(exc)


def try_write(store: Store) -> None:
    """A write that is rolled back (nothing changes); raises what the database said."""
    with store.session() as s, s.begin():
        s.execute(text("UPDATE alembic_version SET version_num = version_num"))
        s.rollback()


def check_writable(store: Store) -> None:
    """Raise :class:`StoreError` with a plain message if ``store`` cannot be written now
    (a write that is rolled back: nothing changes)."""
    try:
        try_write(store)
    except SQLAlchemyError as exc:
        log.debug("write check of %s failed", mask_url(store.url), exc_info=True)
        raise StoreError(unwritable_text(store, exc)) from None


def open_writable(url: str) -> Store:
    """Open (and migrate) the database the hub will run on, and make sure it can be written;
    a :class:`StoreError` with a plain message (what, where, what to check) if not."""
    try:
        store = open_store(url)
    except StoreError as exc:
        if store_failure(exc):
            raise StoreError(f"{exc}; {_hint(url.startswith('sqlite'))}") from None
        raise
    try:
        check_writable(store)
    except StoreError:
        store.close()
        raise
    return store


def _hint(sqlite: bool) -> str:
    if sqlite:
        return (
            "the hub needs to write it: check that the database file and the folder it is in "
            "can be written by the user running the hub, and that the disk is not full"
        )
    return (
        "the hub needs to write it: check that the database server accepts writes "
        "(not read-only, disk not full)"
    )


def unwritable_text(store: Store, exc: BaseException) -> str:
    """The start-up refusal for a database that cannot be written."""
    orig = getattr(exc, "orig", None) or exc
    why = (str(orig).strip().splitlines() or [type(orig).__name__])[0]
    where = mask_url(store.url)
    return f"the database {where} cannot be written ({why}); {_hint(store.dialect == 'sqlite')}"


class StoreGuard:
    """The hub's safe state while its database cannot be written."""

    def __init__(
        self,
        store: Store,
        alert: Callable[[str, str, str, str], object],
        clock: Callable[[], float] = time.monotonic,
        probe: Callable[[], object] | None = None,
        *,
        patience_s: float = LOCK_PATIENCE_S,
        lock_probe: Callable[[], object] | None = None,
        sleep: Callable[[float], object] = time.sleep,
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        """``alert(key, kind, zh, en)`` raises an alert on every workstation; ``probe()``
        is the write tried in the safe state (it raises while writing fails; default: a
        write that is rolled back).  ``lock_probe()`` is the write tried while a lock is
        waited out (default: a write that is rolled back), for up to ``patience_s``."""
        self.store = store
        self.alert = alert
        self.clock = clock
        self.probe = probe or (lambda: check_writable(self.store))
        self.lock_probe = lock_probe or (lambda: try_write(self.store))
        self.patience_s = patience_s
        self.sleep = sleep
        self.monotonic = monotonic
        self.reason = ""
        """Why the hub is in the safe state ("" while the database can be written)."""
        self.why = ""
        """Which failure took the hub there, for the log (read-only, disk full, locked...)."""
        self.trips = 0
        self.locks_waited = 0
        """Locks waited out without entering the safe state."""
        self._next_try = 0.0

    @property
    def safe(self) -> bool:
        return bool(self.reason)

    def trip(self, exc: BaseException) -> None:
        """Writing failed: enter the safe state (once) and tell every workstation."""
        why = why_unwritable(exc)
        log.error("database write failed (%s): entering the safe state: %s", why, exc)
        self._next_try = self.clock() + RETRY_S
        if self.reason:
            return
        locked = any(isinstance(e, StoreLocked) for e in cause_chain(exc))
        zh, en = (LOCKED_ZH, LOCKED_EN) if locked else (UNWRITABLE_ZH, UNWRITABLE_EN)
        self.reason, self.why = en, why
        self.trips += 1
        key = f"store-unwritable:{self.trips}"
        self.alert(key, "store_unwritable", zh, en)

    def watch(self, exc: BaseException) -> bool:
        """Deal with a failed write: a lock is waited out (:meth:`wait_out`), a database that
        cannot be written trips the safe state; whether ``exc`` was either (else it is the
        caller's to report)."""
        if transient_lock(exc):
            if not self.reason:
                self.wait_out(exc)
            return True
        if store_failure(exc):
            self.trip(exc)
            return True
        return False

    def wait_out(self, exc: BaseException) -> bool:
        """A write failed on another writer's lock: try a write (rolled back) with a short
        backoff until one works (True: carry on, no safe state) or the lock has lasted
        ``patience_s`` or the write fails otherwise (the safe state, False)."""
        start = self.monotonic()
        log.warning("database busy (%s): waiting for the lock to pass", first_line(exc))
        try:
            retry_locked(
                self.lock_probe,
                patience_s=self.patience_s,
                what="a test write",
                sleep=self.sleep,
                monotonic=self.monotonic,
            )
        except Exception as failed:
            if store_failure(failed):
                self.trip(failed)
            else:
                log.exception("a test write after a lock failed")
            return False
        self.locks_waited += 1
        log.warning(
            "database lock passed after %.1f s: writes work, the hub carries on (no safe state)",
            self.monotonic() - start,
        )
        return True

    def retry(self) -> bool:
        """In the safe state, try a write every few seconds; True once it works again."""
        if not self.reason or self.clock() < self._next_try:
            return False
        self._next_try = self.clock() + RETRY_S
        try:
            self.probe()
        except Exception as exc:
            log.info("the database still cannot be written (%s): %s", why_unwritable(exc), exc)
            return False
        log.warning("the database can be written again (was: %s): leaving the safe state", self.why)
        self.reason = self.why = ""
        self.alert(f"store-writable:{self.trips}", "store_writable", WRITABLE_ZH, WRITABLE_EN)
        return True
