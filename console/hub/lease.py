"""Which hub may act: a primary lease held in the database, with a fencing token.

A hot standby runs two or more hub processes against one PostgreSQL; exactly one may
serve terminals and workstations and write.  The database decides, because it is the
one thing both hubs see (a hub cannot tell a dead peer from a partitioned one):

- the ``hub_lease`` row (:mod:`console.store.models_lease`) names the holder, a token
  and when the lease lapses, in the database's own clock (the machines' clocks may
  disagree).  The primary renews it every ``renew_s`` (1 s); a standby takes it over
  once it has lapsed (``ttl_s``, 3 s) and adds one to the token.  Takeover and renewal
  are one ``UPDATE ... WHERE`` each, so two standbys can never both win;
- the primary stops acting on its own *before* the database would let a successor in:
  :meth:`PrimaryLease.is_primary` counts ``ttl_s`` from the moment the last successful
  renewal was *sent* (monotonic clock), so even a renewal that hangs on a dead network
  ends its primacy in time, and a failed renewal or lost database connection ends it
  at once;
- the *fence* (:meth:`PrimaryLease.install_fence`) guards every commit of the hub's
  engine, so a primary that was paused (SIGSTOP, a long GC, a frozen VM) and did not
  notice cannot commit orders, approvals or audit rows after a successor took over.
  Right before each COMMIT it reads the lease row ``FOR SHARE`` and compares holder
  and token with its own; the share lock makes a takeover (an UPDATE of that row) wait
  until this commit is done, so a write is either in before the takeover or refused.
  ``SET LOCAL idle_in_transaction_session_timeout`` makes PostgreSQL end a session
  paused between the check and its COMMIT, so the successor waits seconds, not forever;
- the successor *ends the old primary's database sessions* when it takes over
  (:meth:`PrimaryLease.end_sessions_of`): every session of a hub carries its holder in
  ``application_name`` (:func:`session_name`).  No idle timeout ends a session whose
  process was paused in the middle of a batched write (psycopg's pipeline: statements
  sent, their Sync not yet): PostgreSQL counts it as *active*, waiting for the client,
  and it keeps its locks (the audit log's table lock among them) as long as the process
  stays paused; a primary cut off by the network keeps them until TCP gives up (hours).

On SQLite (one hub, one file: the default) nothing of this runs: the hub starts no
lease, and ``main.py hub --standby`` refuses SQLite.  The code still works on SQLite,
with its clock in SQL, which the tests use.
"""

from __future__ import annotations

import logging
import os
import socket
import threading
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import URL, Connection, Engine, event, text
from sqlalchemy.exc import SQLAlchemyError

from console.store.db import make_engine, mask_url
from console.store.errors import StoreError
from console.store.locks import transient_lock

log = logging.getLogger(__name__)

LEASE_NAME = "hub"
TTL_S = 3.0
RENEW_S = 1.0
FENCE_IDLE_TIMEOUT = "2s"
"""How long PostgreSQL lets a session sit between the fence check and its COMMIT."""
TAKEOVER_LOCK_TIMEOUT = "500ms"
"""A takeover or renewal waits this long for a commit holding the row, then tries again."""
SESSION_PREFIX = "dispatch-hub "
"""``application_name`` of every database session of a hub: this, then its holder."""


class LeaseLost(StoreError):
    """This hub is no longer the primary: nothing it writes may be committed."""


@dataclass(frozen=True)
class LeaseView:
    """The lease row as the database holds it now (``now`` in the database's clock)."""

    holder: str
    token: int
    expires_at: float
    acquired_at: float
    now: float

    @property
    def free(self) -> bool:
        return not self.holder or self.expires_at < self.now


def default_holder() -> str:
    """Host, process and a random part: unique per hub process, readable in the log."""
    return f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"


def session_name(holder: str) -> str:
    """The ``application_name`` of hub ``holder``'s database sessions (PostgreSQL keeps 63
    bytes): a successor finds a lost primary's sessions by it and ends them."""
    return (SESSION_PREFIX + holder).encode()[:63].decode(errors="ignore")


def _now_sql(dialect: str) -> str:
    """The database's clock in UNIX seconds, as SQL (one clock for every hub)."""
    if dialect == "postgresql":
        return "extract(epoch from clock_timestamp())::float8"
    return "((julianday('now') - 2440587.5) * 86400.0)"


class PrimaryLease:
    """One hub process's claim on the primary lease; thread-safe.

    ``try_acquire`` (standby: take a lapsed lease), ``renew`` (primary: keep it),
    ``release`` (clean stop: let a standby in at once), ``is_primary`` and ``token``.
    :meth:`keep` renews on a thread of its own and calls ``on_lost`` once when the lease
    is gone; :meth:`install_fence` guards another engine's commits with the token.
    """

    def __init__(
        self,
        url: str | URL,
        *,
        name: str = LEASE_NAME,
        ttl_s: float = TTL_S,
        renew_s: float = RENEW_S,
        holder: str | None = None,
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        if not 0 < renew_s < ttl_s:
            raise ValueError(f"renewal every {renew_s} s must be shorter than the lease {ttl_s} s")
        self.engine: Engine = make_engine(url)
        self.url = self.engine.url
        self.name = name
        self.ttl_s = ttl_s
        self.renew_s = renew_s
        self.holder = holder or default_holder()
        self.monotonic = monotonic
        self.dialect = self.engine.dialect.name
        self._now = _now_sql(self.dialect)
        self._lock = threading.Lock()
        self._token = 0
        self._valid_until_m = 0.0
        self._lost_reason = ""
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._fenced: list[Any] = []
        self.taken_from = ""
        """The holder whose lease this hub took over ("" if it was free or released)."""
        # the pool replaces a connection the database ended (pre-ping) without a word:
        # for the holder that is a lost database, not a detail (see _connection_lost)
        event.listen(self.engine, "invalidate", self._connection_lost)

    # ------------------------------------------------------------------ state

    @property
    def token(self) -> int:
        """The fencing token this hub holds (0: never held)."""
        return self._token

    @property
    def lost_reason(self) -> str:
        """Why this hub stopped being the primary ("" while it is, or never was)."""
        return self._lost_reason

    def is_primary(self) -> bool:
        """Whether this hub may act now: holds a token, has not lost it, and its last
        successful renewal was sent less than ``ttl_s`` ago (by this machine's clock)."""
        with self._lock:
            return (
                self._token > 0 and not self._lost_reason and self.monotonic() < self._valid_until_m
            )

    def _mark_lost(self, reason: str) -> bool:
        """Record the loss once; True the first time."""
        with self._lock:
            if self._lost_reason or self._token == 0:
                return False
            self._lost_reason = reason
        level = logging.INFO if reason == "released" else logging.CRITICAL
        log.log(level, "hub %s is no longer the primary: %s", self.holder, reason)
        return True

    def _connection_lost(self, _dbapi: Any, _record: Any, exc: BaseException | None) -> None:
        """The pool found a connection of the lease dead (the server ended it: an
        administrator's ``pg_terminate_backend``, a database failover or restart, a cut
        network).  The holder steps down instead of renewing on a fresh connection: the
        database it held the lease in may not be the one that answers now, and a hub
        that lost its database must say so and stop acting as primary at once."""
        detail = _first_line(exc) if exc is not None and str(exc).strip() else ""
        why = "its connection was ended" + (f" ({detail})" if detail else "")
        self._mark_lost(f"cannot renew the lease, database unreachable: {why}")

    # --------------------------------------------------------------- database

    def view(self) -> LeaseView:
        """Read the lease row (and the database's clock)."""
        with self.engine.connect() as conn:
            row = conn.execute(
                text(
                    f"SELECT holder, token, expires_at, acquired_at, {self._now} AS now "
                    "FROM hub_lease WHERE name = :name"
                ),
                {"name": self.name},
            ).one_or_none()
        if row is None:
            raise StoreError(f"no lease row {self.name!r} in {mask_url(self.url)}: not migrated?")
        return LeaseView(str(row[0]), int(row[1]), float(row[2]), float(row[3]), float(row[4]))

    def _short_locks(self, conn: Connection) -> None:
        if self.dialect == "postgresql":
            conn.exec_driver_sql(f"SET LOCAL lock_timeout = '{TAKEOVER_LOCK_TIMEOUT}'")

    def try_acquire(self) -> bool:
        """Take the lease if it is free or lapsed (a new token), or renew it if ours.

        Never waits for another hub beyond a short lock timeout; a database error is a
        plain False (a standby keeps trying)."""
        if self._lost_reason:
            return False  # a hub that lost the lease never acts again: start it afresh
        sent_m = self.monotonic()
        try:
            with self.engine.begin() as conn:
                self._short_locks(conn)
                token = conn.execute(
                    text(
                        "UPDATE hub_lease SET "
                        "token = CASE WHEN holder = :me THEN token ELSE token + 1 END, "
                        "acquired_at = CASE WHEN holder = :me THEN acquired_at "
                        f"ELSE {self._now} END, "
                        f"holder = :me, expires_at = {self._now} + :ttl "
                        "WHERE name = :name AND (holder = :me OR holder = '' "
                        f"OR expires_at < {self._now}) RETURNING token"
                    ),
                    {"me": self.holder, "ttl": self.ttl_s, "name": self.name},
                ).scalar_one_or_none()
        except SQLAlchemyError as exc:
            log.debug("lease: takeover attempt failed: %s", exc)
            return False
        if token is None:
            return False
        with self._lock:
            if self._token == 0:
                log.warning("hub %s is now the primary (fencing token %d)", self.holder, token)
            self._token = int(token)
            self._valid_until_m = sent_m + self.ttl_s
        return True

    def renew(self) -> bool:
        """Extend our lease; False (and the lease counts as lost) if it is not ours any
        more, the database cannot be reached, or the last renewal is already too old."""
        if not self.is_primary():
            self._mark_lost(self._lost_reason or "the lease lapsed before it was renewed")
            return False
        sent_m = self.monotonic()
        try:
            with self.engine.begin() as conn:
                self._short_locks(conn)
                n = conn.execute(
                    text(
                        f"UPDATE hub_lease SET expires_at = {self._now} + :ttl "
                        "WHERE name = :name AND holder = :me AND token = :mine"
                    ),
                    {"ttl": self.ttl_s, "name": self.name, "me": self.holder, "mine": self._token},
                ).rowcount
        except SQLAlchemyError as exc:
            if transient_lock(exc):  # a commit held the row past the lock timeout: try again
                log.warning("lease: renewal waited for a row lock; retrying next period")
                if self.is_primary():  # still bounded by the last renewal that went in
                    return True
                self._mark_lost("the lease lapsed before it was renewed")
                return False
            self._mark_lost(f"cannot renew the lease, database unreachable: {_first_line(exc)}")
            return False
        if n != 1:
            self._mark_lost("another hub took the lease over")
            return False
        with self._lock:
            if not self._lost_reason:
                self._valid_until_m = sent_m + self.ttl_s
        return self.is_primary()

    def release(self) -> None:
        """Clean stop of the primary: give the lease up so a standby takes over at once."""
        self.stop_keeping()
        if self._token == 0:
            return
        try:
            with self.engine.begin() as conn:
                self._short_locks(conn)
                conn.execute(
                    text(
                        "UPDATE hub_lease SET holder = '', expires_at = 0 "
                        "WHERE name = :name AND holder = :me AND token = :mine"
                    ),
                    {"name": self.name, "me": self.holder, "mine": self._token},
                )
        except SQLAlchemyError as exc:
            log.warning("lease: could not release (it lapses by itself): %s", _first_line(exc))
        self._mark_lost("released")

    # ---------------------------------------------------------------- waiting

    def wait(self, stop: threading.Event, poll_s: float = 0.5) -> bool:
        """Standby: block until this hub holds the lease (True) or ``stop`` is set.

        Reads the row and sleeps until just after the holder's lease would lapse, so a
        takeover follows the lapse within a few tens of milliseconds without hammering
        the primary's row."""
        while not stop.is_set():
            try:
                v = self.view()
            except (SQLAlchemyError, StoreError) as exc:
                log.warning("standby: database not reachable: %s", _first_line(exc))
                stop.wait(poll_s)
                continue
            if (v.free or v.holder == self.holder) and self.try_acquire():
                self.taken_from = v.holder if v.holder != self.holder else ""
                self.end_sessions_of(self.taken_from)
                return True
            pause = poll_s if v.free else min(poll_s, max(0.01, v.expires_at - v.now + 0.01))
            stop.wait(pause)
        return False

    def end_sessions_of(self, holder: str) -> int:
        """End every session of hub ``holder`` (the primary this hub took over from) in
        the lease's database, so none of them keeps a lock the new primary needs; how
        many were ended.  Its process learns it on its next statement (a lost database:
        it steps down).  Nothing on SQLite (one hub) or for ourselves; a database that
        refuses (another role's sessions, no ``pg_signal_backend``) is logged, not
        raised: the takeover goes on and waits for those locks as before."""
        if self.dialect != "postgresql" or not holder or holder == self.holder:
            return 0
        try:
            with self.engine.connect() as conn:
                ended = conn.execute(
                    text(
                        "SELECT count(*) FILTER (WHERE pg_terminate_backend(pid)) "
                        "FROM pg_stat_activity WHERE application_name = :name "
                        "AND datname = current_database() AND pid <> pg_backend_pid()"
                    ),
                    {"name": session_name(holder)},
                ).scalar_one()
        except SQLAlchemyError as exc:
            log.warning(
                "could not end the database sessions of the previous primary %s (a paused "
                "one keeps its locks until it resumes): %s",
                holder,
                _first_line(exc),
            )
            return 0
        if ended:
            log.warning(
                "ended %d database session(s) of the previous primary %s (a paused or cut-off "
                "hub keeps its locks)",
                ended,
                holder,
            )
        return int(ended)

    def keep(self, on_lost: Callable[[str], None]) -> None:
        """Renew every ``renew_s`` on a daemon thread; ``on_lost(reason)`` once when gone."""
        if self._thread is not None:
            return

        def run() -> None:
            while not self._stop.wait(self.renew_s):
                if not self.renew():
                    if not self._stop.is_set():
                        on_lost(self._lost_reason)
                    return

        self._thread = threading.Thread(target=run, name="hub-lease", daemon=True)
        self._thread.start()

    def stop_keeping(self) -> None:
        self._stop.set()
        t = self._thread
        if t is not None and t is not threading.current_thread():
            t.join(self.ttl_s + 5.0)

    # ------------------------------------------------------------------ fence

    def check(self, dbapi_conn: Any) -> None:
        """Inside a transaction about to commit: raise :class:`LeaseLost` unless the row
        still names this hub and token.  On PostgreSQL the row stays share-locked until
        the commit, so no takeover can slip in between this check and the COMMIT."""
        if not self.is_primary():
            self._mark_lost(self._lost_reason or "the lease lapsed before it was renewed")
            raise LeaseLost(f"not the primary hub any more ({self._lost_reason}): write refused")
        cur = dbapi_conn.cursor()
        try:
            if self.dialect == "postgresql":
                cur.execute(
                    f"SET LOCAL idle_in_transaction_session_timeout = '{FENCE_IDLE_TIMEOUT}'"
                )
                cur.execute(
                    "SELECT holder, token FROM hub_lease WHERE name = %s FOR SHARE", (self.name,)
                )
            else:
                cur.execute("SELECT holder, token FROM hub_lease WHERE name = ?", (self.name,))
            row = cur.fetchone()
        finally:
            cur.close()
        if row is None or (str(row[0]), int(row[1])) != (self.holder, self._token):
            self._mark_lost("another hub took the lease over")
            raise LeaseLost(
                f"not the primary hub any more (lease token {row and row[1]}, ours "
                f"{self._token}): write refused"
            )

    def install_fence(self, engine: Engine | None) -> None:
        """Check the lease before every commit on ``engine`` (the hub's store); ``None``:
        on every engine of this process that opens the lease's database, including ones
        made later (a hub opens its store itself), but never the lease's own."""
        if engine is self.engine:
            raise ValueError("the lease's own engine is never fenced (it renews the lease)")
        target: Any = Engine if engine is None else engine
        event.listen(target, "commit", self._on_commit)
        self._fenced.append(target)

    def remove_fences(self) -> None:
        for target in self._fenced:
            event.remove(target, "commit", self._on_commit)
        self._fenced.clear()

    def _guards(self, engine: Engine) -> bool:
        if engine is self.engine:
            return False
        u, mine = engine.url, self.url
        return (u.host, u.port, u.database) == (mine.host, mine.port, mine.database)

    def _on_commit(self, conn: Connection) -> None:
        if not self._guards(conn.engine):
            return
        dbapi = conn.connection.dbapi_connection
        try:
            self.check(dbapi)
        except BaseException:
            # the COMMIT will not be sent: end the transaction here, or the connection
            # would go back to the pool still inside it
            if dbapi is not None:
                dbapi.rollback()
            raise

    def close(self) -> None:
        self.stop_keeping()
        self.remove_fences()
        self.engine.dispose()


def _first_line(exc: BaseException) -> str:
    orig = getattr(exc, "orig", None) or exc
    lines = str(orig).strip().splitlines()
    return lines[0] if lines else type(orig).__name__
