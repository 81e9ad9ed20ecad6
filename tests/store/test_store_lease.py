"""The hub's primary lease and its fence, on a real database (SQLite; PostgreSQL in CI).

Two :class:`PrimaryLease` objects stand for two hub processes.  Time is never asserted:
a lease "lapses" because its holder's injected monotonic clock is moved, or because the
database's own clock passes a very short ``ttl_s``, and the tests wait on conditions.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
from collections.abc import Iterator

import pytest
from sqlalchemy import select, text

from console.hub.lease import LeaseLost, PrimaryLease, session_name
from console.store import Store
from console.store.models_lease import HubLeaseRow
from console.store.models_shift import ShiftLogRow
from tests.link.helpers import wait_until

pytestmark = pytest.mark.store


class Clock:
    """A monotonic clock the test moves by hand (a paused process does not notice time)."""

    def __init__(self) -> None:
        self.t = 1000.0

    def __call__(self) -> float:
        return self.t


@pytest.fixture
def leases(store: Store) -> Iterator[list[PrimaryLease]]:
    made: list[PrimaryLease] = []
    yield made
    for lease in made:
        lease.close()


def _lease(made: list[PrimaryLease], store: Store, **kw: object) -> PrimaryLease:
    lease = PrimaryLease(store.url, **kw)  # type: ignore[arg-type]
    made.append(lease)
    return lease


def _log_line(store: Store, words: str) -> None:
    with store.transaction() as s:
        s.add(ShiftLogRow(t=1.0, actor="hub", kind="note", text=words))


def _log_lines(store: Store) -> list[str]:
    with store.session() as s:
        return list(s.scalars(select(ShiftLogRow.text).order_by(ShiftLogRow.id)))


def test_one_holder_and_the_token_grows_on_every_takeover(
    store: Store, leases: list[PrimaryLease]
) -> None:
    a = _lease(leases, store, holder="a")
    b = _lease(leases, store, holder="b")
    assert not a.is_primary() and a.token == 0
    assert a.try_acquire() and a.is_primary()
    first = a.token
    assert first >= 1
    assert not b.try_acquire() and not b.is_primary()  # held and not lapsed
    assert a.renew() and a.token == first  # renewal keeps the token
    assert a.try_acquire() and a.token == first  # so does taking what is already ours
    a.release()
    assert not a.is_primary() and "released" in a.lost_reason
    assert b.try_acquire() and b.token == first + 1
    assert not a.try_acquire()  # a hub that lost the lease never acts again
    with store.session() as s:
        row = s.get(HubLeaseRow, "hub")
    assert row is not None and (row.holder, row.token) == ("b", first + 1)


def test_a_lapsed_lease_is_taken_over_and_the_old_primary_cannot_renew(
    store: Store, leases: list[PrimaryLease]
) -> None:
    a = _lease(leases, store, holder="a", ttl_s=0.2, renew_s=0.1)
    b = _lease(leases, store, holder="b", ttl_s=0.2, renew_s=0.1)
    assert a.try_acquire()
    stop = threading.Event()
    assert b.wait(stop, poll_s=0.05)  # a never renews: its lease lapses in the DB's clock
    assert b.token == a.token + 1
    assert not a.renew()  # its own clock told it first: the lease is older than ttl_s
    assert not a.is_primary() and a.lost_reason


def test_standby_wait_returns_when_told_to_stop(store: Store, leases: list[PrimaryLease]) -> None:
    a = _lease(leases, store, holder="a")
    b = _lease(leases, store, holder="b")
    assert a.try_acquire()
    stop = threading.Event()
    stop.set()
    assert not b.wait(stop)
    assert not b.is_primary()


def test_fence_refuses_the_commit_of_a_paused_old_primary(
    store: Store, leases: list[PrimaryLease]
) -> None:
    """``a`` is paused mid-transaction (its own clock stands still, so it still believes it
    is the primary); ``b`` takes over; ``a``'s commit is refused by the row, not by luck."""
    clock = Clock()
    a = _lease(leases, store, holder="a", ttl_s=0.3, renew_s=0.1, monotonic=clock)
    b = _lease(leases, store, holder="b", ttl_s=0.3, renew_s=0.1)
    assert a.try_acquire()
    a.install_fence(store.engine)
    _log_line(store, "before")  # a's writes go through while it holds the lease

    session = store.sessions()
    session.begin()
    session.add(ShiftLogRow(t=2.0, actor="hub", kind="note", text="paused write"))
    session.flush()
    if store.dialect == "sqlite":  # one writer at a time: the "pause" ends before b writes
        session.rollback()
        session.close()
        session = None
    assert b.wait(threading.Event(), poll_s=0.05)
    assert a.is_primary()  # a's clock did not move: it has not noticed
    if session is not None:
        with pytest.raises(LeaseLost, match="write refused"):
            session.commit()
        session.close()
    with pytest.raises(LeaseLost):
        _log_line(store, "after takeover")
    assert not a.is_primary() and "took the lease over" in a.lost_reason
    assert _log_lines(store) == ["before"]


def test_fence_refuses_at_once_when_the_renewal_is_too_old(
    store: Store, leases: list[PrimaryLease]
) -> None:
    clock = Clock()
    a = _lease(leases, store, holder="a", monotonic=clock)
    assert a.try_acquire()
    a.install_fence(store.engine)
    _log_line(store, "in time")
    clock.t += a.ttl_s  # no renewal went out for a whole lease: step down before anyone asks
    assert not a.is_primary()
    with pytest.raises(LeaseLost):
        _log_line(store, "too late")
    assert not a.renew()
    assert _log_lines(store) == ["in time"]


def test_keeper_renews_and_reports_the_loss_once(store: Store, leases: list[PrimaryLease]) -> None:
    a = _lease(leases, store, holder="a", ttl_s=0.6, renew_s=0.05)
    assert a.try_acquire()
    lost: list[str] = []
    a.keep(lost.append)
    first = a.view().expires_at
    assert wait_until(lambda: a.view().expires_at > first, timeout=10)
    assert a.is_primary() and not lost
    with store.transaction() as s:  # an operator (or a split brain) moves the lease away
        s.execute(text("UPDATE hub_lease SET holder = 'x', token = token + 1"))
    assert wait_until(lambda: bool(lost), timeout=10)
    assert lost == ["another hub took the lease over"]
    assert not a.is_primary()


def test_a_commit_in_progress_holds_the_takeover_back(
    store: Store, leases: list[PrimaryLease]
) -> None:
    """PostgreSQL: the fence's share lock makes a takeover wait for the checked commit, so
    a write that passed the check is in before the new token exists."""
    if store.dialect != "postgresql":
        pytest.skip("row locks: PostgreSQL")
    clock = Clock()
    a = _lease(leases, store, holder="a", ttl_s=0.2, renew_s=0.1, monotonic=clock)
    b = _lease(leases, store, holder="b", ttl_s=0.2, renew_s=0.1)
    assert a.try_acquire()
    with store.engine.connect() as conn:
        conn.execute(
            text("INSERT INTO shift_log (t, actor, kind, text) VALUES (3, 'hub', 'note', 'x')")
        )
        a.check(conn.connection.dbapi_connection)  # checked, not yet committed: row share-locked
        assert wait_until(lambda: b.view().free, timeout=10)  # a's lease lapsed meanwhile
        assert not b.try_acquire()  # waits its lock timeout, then gives up: no new token yet
        assert a.renew() and a.is_primary()  # a lock timeout is no lost lease: next period
        conn.commit()
    assert b.try_acquire() and b.token == a.token + 1
    assert _log_lines(store) == ["x"]


def test_fence_for_the_whole_process_guards_engines_made_later(
    store: Store, leases: list[PrimaryLease]
) -> None:
    """A standby hub fences before it opens its store: engines made afterwards on the
    same database are guarded too, the lease's own engine and other databases are not."""
    from console.store import open_store

    clock = Clock()
    a = _lease(leases, store, holder="a", monotonic=clock)
    assert a.try_acquire()
    a.install_fence(None)
    later = open_store(store.url)
    try:
        _log_line(later, "primary")
        clock.t += a.ttl_s
        with pytest.raises(LeaseLost):
            _log_line(later, "stale")
        a.remove_fences()
        _log_line(later, "unfenced")  # removing the fence really removes it
    finally:
        later.close()
    assert _log_lines(store) == ["primary", "unfenced"]


def _end_connections(store: Store) -> int:
    """What an administrator, or a database failover, does to a hub: PostgreSQL ends every
    other connection to this database (``pg_terminate_backend``); the server stays up."""
    with store.engine.connect() as conn:
        ended = conn.execute(
            text(
                "SELECT count(*) FILTER (WHERE pg_terminate_backend(pid)) FROM pg_stat_activity "
                "WHERE datname = current_database() AND pid <> pg_backend_pid()"
            )
        ).scalar_one()
    return int(ended)


def test_a_primary_whose_connection_the_database_ended_steps_down_and_writes_nothing(
    store: Store, leases: list[PrimaryLease]
) -> None:
    """PostgreSQL ends the primary's connections.  The pool would quietly open new ones
    and the row still names ``a``, yet ``a`` must not carry on as if nothing happened: its
    next renewal reports the loss once, with the reason, and every later write of its
    process is refused by the fence (nothing is committed without the lease)."""
    if store.dialect != "postgresql":
        pytest.skip("pg_terminate_backend: PostgreSQL")
    a = _lease(leases, store, holder="a", ttl_s=30.0, renew_s=0.05)
    assert a.try_acquire()
    a.install_fence(store.engine)
    lost: list[str] = []
    a.keep(lost.append)
    _log_line(store, "before")
    assert wait_until(lambda: _end_connections(store) > 0, timeout=10)
    assert wait_until(lambda: bool(lost), timeout=10), "the renewal went on as if nothing happened"
    assert len(lost) == 1 and "database unreachable" in lost[0], lost
    assert not a.is_primary() and a.lost_reason == lost[0]
    with pytest.raises(LeaseLost, match="write refused"):
        _log_line(store, "after")  # the store reconnects, the fence still refuses
    view = a.view()
    assert view.holder == "a" and not view.free  # refused by the hub itself, not by the row
    assert not a.try_acquire()  # it never takes the lease back: the process starts afresh
    assert _log_lines(store) == ["before"]


PAUSED_MID_WRITE = """
import os, signal, sys
import psycopg
conn = psycopg.connect(sys.argv[1], application_name=sys.argv[2])
with conn.pipeline():
    conn.execute("LOCK TABLE audit_log IN SHARE ROW EXCLUSIVE MODE")
    conn.pgconn.flush()  # sent; the pipeline's Sync is not
    os.kill(os.getpid(), signal.SIGSTOP)
"""
"""A hub process paused in the middle of a batched write (psycopg's pipeline mode, what
``executemany`` uses), holding the audit log's lock as every audit append does."""


def _audit_lock_held_by(store: Store, name: str) -> bool:
    with store.engine.connect() as conn:
        return bool(
            conn.execute(
                text(
                    "SELECT count(*) FROM pg_locks l JOIN pg_stat_activity a USING (pid) "
                    "WHERE a.application_name = :name AND l.granted "
                    "AND l.relation = 'audit_log'::regclass"
                ),
                {"name": name},
            ).scalar_one()
        )


def _sessions_named(store: Store, name: str) -> int:
    with store.engine.connect() as conn:
        return int(
            conn.execute(
                text("SELECT count(*) FROM pg_stat_activity WHERE application_name = :name"),
                {"name": name},
            ).scalar_one()
        )


def test_the_new_primary_ends_the_sessions_of_the_one_it_took_over_from(
    store: Store, leases: list[PrimaryLease]
) -> None:
    """A primary paused in the middle of a batched write keeps its locks: PostgreSQL
    counts the session as active (it waits for the rest of the pipeline), so the idle
    timeout every standby sets never ends it, and the new primary's first audit entry
    waited on that lock for as long as the old one stayed paused (seen in CI).  Here a
    real process, connected as hub ``a``'s session, takes the audit log's lock in a
    pipeline and stops itself; ``b`` takes the lapsed lease over and ends ``a``'s
    sessions: the lock is free and ``b``'s audit entry goes in at once."""
    if store.dialect != "postgresql":
        pytest.skip("pipelines, pg_terminate_backend: PostgreSQL")
    a = _lease(leases, store, holder="a", ttl_s=0.3, renew_s=0.1)
    b = _lease(leases, store, holder="b", ttl_s=0.3, renew_s=0.1)
    assert session_name("a") == "dispatch-hub a"
    assert len(session_name("h" * 100).encode()) == 63  # what PostgreSQL keeps
    assert a.try_acquire()
    dsn = store.engine.url.set(drivername="postgresql").render_as_string(hide_password=False)
    env = dict(os.environ, PGOPTIONS="-c idle_in_transaction_session_timeout=500")
    paused = subprocess.Popen(
        [sys.executable, "-c", PAUSED_MID_WRITE, dsn, "dispatch-hub a"], env=env
    )
    try:
        assert wait_until(lambda: _audit_lock_held_by(store, "dispatch-hub a"), timeout=30)
        assert wait_until(
            lambda: (
                os.waitid(os.P_PID, paused.pid, os.WEXITED | os.WSTOPPED | os.WNOHANG | os.WNOWAIT)
                is not None
            ),
            timeout=30,
        )
        threading.Event().wait(1.5)  # three times its idle timeout: it is not idle
        assert _audit_lock_held_by(store, "dispatch-hub a")
        assert b.wait(threading.Event(), poll_s=0.05)  # a's lease lapses: b takes it over
        assert b.taken_from == "a"
        assert wait_until(lambda: _sessions_named(store, "dispatch-hub a") == 0, timeout=10)
        with store.engine.begin() as conn:
            conn.exec_driver_sql("SET LOCAL lock_timeout = '5s'")
            conn.exec_driver_sql("LOCK TABLE audit_log IN SHARE ROW EXCLUSIVE MODE")
        assert b.end_sessions_of("a") == 0  # nothing left of a
        assert b.end_sessions_of("b") == 0  # never its own
    finally:
        paused.send_signal(signal.SIGKILL)
        paused.wait(10)
