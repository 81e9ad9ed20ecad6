"""One SQLite file, many writers (the hub, the terminal link, the audit checkpoints, the
workers): no writer may find the database "locked" through another part's mistake, and a
lock that passes never takes the hub into its safe state.

The failure these pin down: the hub's MessageStates handler called a deprecated SQLAlchemy
method after its query had run, so the exception left the query's result unread.  Python
3.11's sqlite3 no longer resets statements on rollback, so the pooled connection went back
with the statement running and its read snapshot held.  The link thread committed a
message receipt, and the next write on that connection, the hub's audit row, failed at
once with SQLITE_BUSY_SNAPSHOT ("database is locked"; the busy timeout does not apply to
it), which the store guard took for a database that cannot be written.
"""

from __future__ import annotations

import logging
import sqlite3
import subprocess
import sys
import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import event, func, insert, select, text, update
from sqlalchemy.exc import OperationalError

from console.audit import AuditTrail, register
from console.hub.auditing import CommandAudit
from console.hub.guard import (
    DB_BUSY,
    LOCKED_EN,
    LOCKED_ZH,
    RETRY_S,
    UNWRITABLE_EN,
    StoreGuard,
    StoreLocked,
    plain_error,
    retry_locked,
    store_failure,
    transient_lock,
    why_unwritable,
)
from console.hub.messages import Envelope, Reply
from console.hub.messaging import SendMessage
from console.link import msgbox as mb
from console.link import protocol as p
from console.store.audit_repo import AuditRepo
from console.store.db import Store, make_engine, make_sessions, open_store
from console.store.errors import StoreError
from console.store.models import AuditRow, UnitRow
from console.store.models_messages import MessageRow
from tests.conftest import HubFactory
from tests.store.lock_writer import bump, counter, prepare, quick_store

pytestmark = pytest.mark.store

T = 1_780_000_000.0
ROOT = Path(__file__).resolve().parents[2]
THREADS, UNITS = 3, 25
QUICK_MS = 50
"""Busy timeout of the contending writers: a lock fails their try within 50 ms, so the
retry of whole units of work (not SQLite's own busy wait) is what carries them through."""


def _sqlite_only(store: Store) -> None:
    if store.dialect != "sqlite":
        pytest.skip("SQLite's single write lock and read snapshots")


def _file(store: Store) -> str:
    return str(store.url.database)


def _quick(store: Store) -> Store:
    """A second store on the same file whose writes give up on a lock after 50 ms."""
    engine = make_engine(store.url, busy_timeout_ms=50)
    return Store(url=store.url, engine=engine, sessions=make_sessions(engine))


class Holder:
    """Another program's connection holding (or not) the database's write lock."""

    def __init__(self, path: str) -> None:
        self.db = sqlite3.connect(path, timeout=0, isolation_level=None, check_same_thread=False)

    def lock(self) -> None:
        self.db.execute("BEGIN IMMEDIATE")

    def release(self) -> None:
        if self.db.in_transaction:
            self.db.execute("ROLLBACK")

    def can_lock(self) -> bool:
        """Whether the write lock is free right now (taken and given back at once)."""
        try:
            self.db.execute("BEGIN IMMEDIATE")
        except sqlite3.OperationalError as exc:
            assert "locked" in str(exc)
            return False
        self.db.execute("ROLLBACK")
        return True

    def close(self) -> None:
        self.release()
        self.db.close()


@pytest.fixture
def holder(store: Store) -> Iterator[Holder]:
    _sqlite_only(store)
    h = Holder(_file(store))
    yield h
    h.close()


def _units(store: Store) -> list[tuple[int, str]]:
    with store.session() as s:
        rows = s.execute(select(UnitRow.id, UnitRow.call_sign).order_by(UnitRow.id)).all()
    return [(int(i), str(cs)) for i, cs in rows]


def _pending_message(store: Store, unit: tuple[int, str]) -> str:
    with store.transaction() as s:
        _, (mid,) = mb.enqueue(
            s,
            [mb.Recipient(*unit)],
            text="嫌疑人身穿黑色外套",
            sender="op",
            sender_name="op",
            to="unit",
            incident_id=None,
            now=T,
        )
    return mid


def _audit_rows(store: Store) -> int:
    with store.session() as s:
        return int(s.scalar(select(func.count()).select_from(AuditRow)) or 0)


def _envelope(call_sign: str) -> Envelope:
    cmd = SendMessage(text="收到请回复", to_unit=call_sign)
    return Envelope(request_id=1, command=cmd, actor="op", role="operator", workstation="desk")


# ------------------------------------------------------------------ the failure itself


def test_a_read_cut_short_on_the_hub_does_not_lock_out_its_next_write(
    district_store: Store,
) -> None:
    """The hub thread's read is cut short (its result left unread, and kept alive as a
    traceback keeps it), the link thread commits a message receipt, then the hub writes
    a command's audit row and reads the message: the write goes through and the read
    sees the receipt."""
    store = district_store
    _sqlite_only(store)
    unit = _units(store)[0]
    mid = _pending_message(store, unit)
    # the link: its own connection, as the link thread has while the hub's is pooled
    link_store = open_store(store.url)
    register(AuditTrail.unkeyed(store))
    audit = CommandAudit(store, lambda: T, patience_s=1.0)
    read_cut_short, receipt_stored = threading.Event(), threading.Event()
    left_unread: list[Any] = []
    out: dict[str, Any] = {}

    def hub() -> None:
        try:
            with store.session() as s:
                left_unread.append(s.execute(select(UnitRow.id, UnitRow.call_sign)))
                raise RuntimeError("the handler failed after its query ran")
        except RuntimeError:
            pass
        read_cut_short.set()
        assert receipt_stored.wait(30)
        out["audit"] = audit.record(_envelope(unit[1]), Reply(1, True, result={}))
        with store.session() as s:
            out["state"] = s.scalar(select(MessageRow.state).where(MessageRow.id == mid))

    def link() -> None:
        assert read_cut_short.wait(30)
        receipt = p.MessageReceipt(mid=1, order_id=mid, kind="delivered", t=T)
        out["moved"], _ = mb.MsgBox(link_store).apply([(unit[0], receipt)], T)
        receipt_stored.set()

    threads = [threading.Thread(target=f, name=f.__name__) for f in (hub, link)]
    try:
        for t in threads:
            t.start()
        for t in threads:
            t.join(60)
    finally:
        link_store.close()
    assert [m.message_id for m in out["moved"]] == [mid]
    assert out["audit"] is None, f"the audit row was not written: {out['audit']!r}"
    assert _audit_rows(store) == 1
    assert out["state"] == "delivered", "the hub read a snapshot from before the receipt"


def test_a_result_abandoned_without_an_error_is_closed_when_its_session_ends(
    district_store: Store, holder: Holder
) -> None:
    """A loop that breaks off (no exception) leaves a statement running too (plain SQL: the
    ORM would have fetched every row at the first one)."""
    store = district_store
    with store.session() as s:
        result = s.execute(text("SELECT id FROM units ORDER BY id"))
        for _ in result:
            break  # the rest of the units are never read (and the result lives on)
    holder.db.execute("UPDATE units SET call_sign = call_sign || '-x' WHERE id = 1")
    with store.transaction() as s:  # failed with SQLITE_BUSY_SNAPSHOT, at once
        s.execute(update(UnitRow).where(UnitRow.id == 2).values(call_sign="renamed"))
    with store.session() as s:
        assert s.scalar(select(UnitRow.call_sign).where(UnitRow.id == 1)).endswith("-x")
        assert s.scalar(select(UnitRow.call_sign).where(UnitRow.id == 2)) == "renamed"
    del result


# ------------------------------------------------------------------ BEGIN IMMEDIATE


def test_a_unit_of_work_holds_the_write_lock_from_its_start(
    district_store: Store, holder: Holder
) -> None:
    """What a transaction reads is what it writes over: nobody commits in between, so it
    cannot fail half-way on a stale snapshot either.  Plain reading takes no lock."""
    store = district_store
    with store.session() as s:
        assert s.scalar(select(func.count()).select_from(UnitRow))
        assert holder.can_lock(), "a plain read must not hold the write lock"
    with store.transaction() as s:
        before = s.scalar(select(UnitRow.call_sign).where(UnitRow.id == 1))
        assert not holder.can_lock(), "the transaction has only read, yet holds the lock"
        s.execute(update(UnitRow).where(UnitRow.id == 1).values(call_sign=f"{before}-2"))
    assert holder.can_lock()
    with store.session() as s, s.begin():  # the link's way of beginning: the same
        s.execute(select(UnitRow.id)).all()
        assert not holder.can_lock()
    with store.replayable_transaction() as s:
        s.execute(select(UnitRow.id)).all()
        assert not holder.can_lock()
    assert holder.can_lock()


def test_a_second_write_transaction_on_the_same_thread_is_refused_at_once(store: Store) -> None:
    """It would wait for the first (its own thread) until the busy timeout."""
    _sqlite_only(store)
    with store.transaction() as s:
        s.execute(insert(AuditRow).values(**_audit_values("outer")))
        with (
            pytest.raises(StoreError, match="second write transaction"),
            store.transaction() as inner,
        ):
            inner.execute(select(AuditRow.seq)).all()
        with store.session() as reader:  # reading beside it is fine
            reader.execute(select(AuditRow.seq)).all()
    with store.transaction() as s:  # the first one is over: the thread may begin again
        s.execute(insert(AuditRow).values(**_audit_values("again")))
    done: list[int] = []

    def other_thread() -> None:
        with store.transaction() as s:
            done.append(len(s.execute(select(AuditRow.seq)).all()))

    with store.transaction() as s:
        s.execute(select(AuditRow.seq)).all()  # the lock is held from here
        t = threading.Thread(target=other_thread)
        t.start()  # waits for the lock (another thread: that is what the lock is for)
    t.join(30)
    assert done == [2]


def _audit_values(action: str) -> dict[str, Any]:
    return {
        "t": T,
        "actor": "test",
        "workstation": "",
        "action": action,
        "payload": {},
        "prev_hash": "",
        "hash": "",
    }


# ------------------------------------------------------------------ the guard


class FakeTime:
    """Seconds that pass only when someone sleeps; ``on_sleep`` runs at each sleep."""

    def __init__(self, on_sleep: Callable[[int], None] = lambda n: None) -> None:
        self.now = 0.0
        self.sleeps = 0
        self.on_sleep = on_sleep

    def monotonic(self) -> float:
        return self.now

    def sleep(self, s: float) -> None:
        self.sleeps += 1
        self.now += max(s, 5.0)  # each failed try also waited out the busy timeout
        self.on_sleep(self.sleeps)


def _locked_write(store: Store) -> OperationalError:
    """What a write says while another program holds the lock (a real driver error)."""
    with pytest.raises(OperationalError) as info, store.transaction() as s:
        s.execute(insert(AuditRow).values(**_audit_values("blocked")))
    return info.value


def test_a_lock_that_passes_is_waited_out_without_the_safe_state(
    district_store: Store, holder: Holder, caplog: pytest.LogCaptureFixture
) -> None:
    quick = _quick(district_store)
    alerts: list[tuple[str, ...]] = []
    fake = FakeTime(on_sleep=lambda n: holder.release() if n == 2 else None)
    guard = StoreGuard(
        quick,
        lambda *a: alerts.append(a),
        sleep=fake.sleep,
        monotonic=fake.monotonic,
    )
    try:
        holder.lock()
        exc = _locked_write(quick)
        assert transient_lock(exc) and not store_failure(exc)
        assert plain_error(exc) == DB_BUSY
        with caplog.at_level(logging.WARNING, logger="console.hub.guard"):
            assert guard.watch(exc)  # handled: nothing more for the caller to log
        assert not guard.safe and guard.reason == "" and alerts == []
        assert guard.locks_waited == 1 and fake.sleeps == 2
        assert "lock passed" in caplog.text and "safe state" in caplog.text
        assert holder.can_lock()
    finally:
        quick.close()


def test_a_lock_that_lasts_takes_the_hub_to_the_safe_state_and_says_why(
    district_store: Store, holder: Holder, caplog: pytest.LogCaptureFixture
) -> None:
    quick = _quick(district_store)
    alerts: list[tuple[str, ...]] = []
    fake = FakeTime()
    clock = [0.0]
    guard = StoreGuard(
        quick,
        lambda *a: alerts.append(a),
        clock=lambda: clock[0],
        probe=lambda: quick_write(quick),
        sleep=fake.sleep,
        monotonic=fake.monotonic,
    )
    try:
        holder.lock()
        with caplog.at_level(logging.ERROR, logger="console.hub.guard"):
            assert guard.watch(_locked_write(quick))
        assert guard.safe and guard.reason == LOCKED_EN
        assert fake.now >= guard.patience_s
        assert [(a[1], a[2], a[3]) for a in alerts] == [("store_unwritable", LOCKED_ZH, LOCKED_EN)]
        assert "locked by other writers for more than 30 s" in caplog.text
        assert "entering the safe state" in caplog.text
        # the safe state tries a write every few seconds: still locked, then free
        clock[0] += RETRY_S
        assert not guard.retry() and guard.safe
        holder.release()
        clock[0] += RETRY_S
        assert guard.retry() and not guard.safe
        assert alerts[-1][1] == "store_writable"
    finally:
        quick.close()


def quick_write(store: Store) -> None:
    with store.transaction() as s:
        s.execute(insert(AuditRow).values(**_audit_values("probe")))


def test_a_database_that_cannot_be_written_still_trips_at_once(
    district_store: Store, caplog: pytest.LogCaptureFixture
) -> None:
    store = district_store
    _sqlite_only(store)
    read_only = open_store(f"sqlite:///file:{_file(store)}?mode=ro&uri=true", migrate=False)
    alerts: list[tuple[str, ...]] = []
    guard = StoreGuard(read_only, lambda *a: alerts.append(a), sleep=_never_sleeps)
    try:
        with pytest.raises(OperationalError) as info:
            quick_write(read_only)
        assert store_failure(info.value) and not transient_lock(info.value)
        assert why_unwritable(info.value) == "read-only"
        with caplog.at_level(logging.ERROR, logger="console.hub.guard"):
            assert guard.watch(info.value)
        assert guard.safe and guard.reason == UNWRITABLE_EN and guard.locks_waited == 0
        assert "(read-only)" in caplog.text
    finally:
        read_only.close()


def _never_sleeps(_s: float) -> None:
    raise AssertionError("a database that cannot be written is not waited out")


class _PgError(Exception):
    """A PostgreSQL driver error as psycopg reports one: the text and its SQLSTATE."""

    def __init__(self, text: str, sqlstate: str) -> None:
        super().__init__(text)
        self.sqlstate = sqlstate


@pytest.mark.parametrize(
    ("text", "sqlstate", "transient", "failure", "why"),
    [
        ("could not serialize access due to concurrent update", "40001", True, False, ""),
        ("deadlock detected", "40P01", True, False, ""),
        ("canceling statement due to lock timeout", "55P03", True, False, ""),
        ("cannot execute INSERT in a read-only transaction", "25006", False, True, "read-only"),
        ("could not extend file: No space left on device", "53100", False, True, "disk full"),
        ("terminating connection due to administrator command", "57P01", False, True, ""),
        ('duplicate key value violates unique constraint "x"', "23505", False, False, ""),
    ],
)
def test_postgresql_locks_and_failures_are_told_apart(
    text: str, sqlstate: str, transient: bool, failure: bool, why: str
) -> None:
    exc = OperationalError("INSERT INTO audit_log ...", {}, _PgError(text, sqlstate))
    assert transient_lock(exc) is transient
    assert store_failure(exc) is failure
    if why:
        assert why_unwritable(exc) == why
    if transient:
        assert plain_error(exc) == DB_BUSY


def test_retrying_gives_up_with_store_locked_after_its_patience() -> None:
    fake = FakeTime()
    tries: list[int] = []

    def always_locked() -> None:
        tries.append(1)
        raise sqlite3.OperationalError("database is locked")

    with pytest.raises(StoreLocked) as info:
        retry_locked(always_locked, patience_s=12.0, sleep=fake.sleep, monotonic=fake.monotonic)
    assert len(tries) == 4 and fake.now >= 12.0
    assert store_failure(info.value) and not transient_lock(info.value)
    assert plain_error(info.value) == LOCKED_EN
    with pytest.raises(ValueError):  # anything else is not retried
        retry_locked(lambda: int("x"), sleep=_never_sleeps)


# ------------------------------------------------------------------ the fail-closed audit


def test_the_audit_check_and_row_wait_out_a_lock(district_store: Store, holder: Holder) -> None:
    quick = _quick(district_store)
    register(AuditTrail.unkeyed(quick))
    releases: list[int] = []

    def pause(_s: float) -> None:
        releases.append(1)
        holder.release()

    audit = CommandAudit(quick, lambda: T, sleep=pause)
    env = _envelope(_units(quick)[0][1])
    try:
        holder.lock()
        audit.check(env)  # the row is written and rolled back once the lock passed
        assert releases == [1] and _audit_rows(quick) == 0
        holder.lock()
        assert audit.record(env, Reply(1, True, result={})) is None
        assert releases == [1, 1] and _audit_rows(quick) == 1
    finally:
        quick.close()


def test_a_hub_carries_on_through_a_brief_lock(hub_factory: HubFactory, tmp_path: Path) -> None:
    """Another program holds the lock while an operator sends a command: the command waits
    for it and goes through; the hub never enters the safe state."""
    from console.hub.client import InprocClient
    from console.hub.messages import CreateIncident

    hub = hub_factory("locked")
    h = Holder(_file(hub.store))
    hub.audit.sleep = lambda _s: h.release()  # the lock passes while the hub waits
    hub.guard.sleep = hub.audit.sleep
    engine = hub.store.engine

    def quick_timeout(dbapi_conn: Any, _record: Any) -> None:
        dbapi_conn.execute("PRAGMA busy_timeout=50")

    event.listen(engine, "connect", quick_timeout)
    engine.dispose()  # the hub's connections from now on give up on a lock after 50 ms
    op = InprocClient(hub, actor="op", role="operator", workstation="desk")
    try:
        h.lock()
        r = op.call(CreateIncident(incident_type="theft", lon=121.4737, lat=31.2304), timeout=60)
        assert r.ok, r.error
        assert not hub.guard.safe and hub.guard.trips == 0
    finally:
        event.remove(engine, "connect", quick_timeout)
        h.close()


# ------------------------------------------------------------------ many writers at once


def _url(store: Store) -> str:
    return store.url.render_as_string(hide_password=False)


def _second_program(url: str, name: str, audit: bool) -> subprocess.Popen[str]:
    """Another program writing the same database (``tests/store/lock_writer.py``), ready
    and waiting for the word to start."""
    args = [url, name, str(UNITS), str(QUICK_MS), "1" if audit else "0"]
    proc = subprocess.Popen(
        [sys.executable, "-m", "tests.store.lock_writer", *args],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        cwd=ROOT,
    )
    assert proc.stdout is not None
    line = proc.stdout.readline()
    if line.strip() != "ready":
        proc.kill()
        _, err = proc.communicate(timeout=30)
        pytest.fail(f"the second program did not start: {line!r} {err[-2000:]}")
    return proc


class Writers:
    """``THREADS`` writer threads (each with its own connections) and a second program, all
    doing ``UNITS`` units of work on the same database, started together by :meth:`go`."""

    def __init__(self, url: str, audit: bool) -> None:
        self.stores = [quick_store(url, QUICK_MS) for _ in range(THREADS)]
        self.errors: list[BaseException] = []
        self.start = threading.Barrier(THREADS + 1, timeout=60)
        self.threads = [
            threading.Thread(target=self._write, args=(k, audit), name=f"writer{k}")
            for k in range(THREADS)
        ]
        self.proc = _second_program(url, "program", audit)
        for t in self.threads:
            t.start()

    def _write(self, k: int, audit: bool) -> None:
        try:
            self.start.wait()
            for i in range(UNITS):
                bump(self.stores[k], f"thread{k}", i, audit=audit)
        except BaseException as exc:
            self.errors.append(exc)

    def go(self) -> None:
        assert self.proc.stdin is not None
        self.proc.stdin.write("go\n")
        self.proc.stdin.flush()
        self.start.wait()

    def finish(self) -> None:
        """Wait for all of them; every writer got all its units through."""
        try:
            for t in self.threads:
                t.join(180)
            out, err = self.proc.communicate(timeout=180)
        finally:
            if self.proc.poll() is None:
                self.proc.kill()
                self.proc.communicate(timeout=30)
            for st in self.stores:
                st.close()
        assert not any(t.is_alive() for t in self.threads), "a writer thread hangs"
        assert self.errors == [], f"a writer thread failed: {self.errors[0]!r}"
        assert self.proc.returncode == 0 and "done" in out, err[-2000:]

    @staticmethod
    def total() -> int:
        return (THREADS + 1) * UNITS


def test_concurrent_writers_in_threads_and_another_program_lose_no_write(store: Store) -> None:
    """Read-modify-write units of work (a counter and an audit row each) from three threads
    and a second program at once: every unit is there exactly once, the counter agrees, and
    the audit chain still checks out.  On PostgreSQL the units run SERIALIZABLE and the
    conflicts (40001, 40P01) are retried whole; on SQLite the lock is taken first and a
    busy lock is retried."""
    prepare(store)
    writers = Writers(_url(store), audit=True)
    writers.go()
    writers.finish()
    assert counter(store) == Writers.total(), "a write was lost (or done twice)"
    with store.session() as s:
        payloads = s.scalars(select(AuditRow.payload).where(AuditRow.action == "bump")).all()
        assert AuditRepo(s).verify() is None, "the audit chain broke under contention"
    done = sorted((str(p["writer"]), int(p["i"])) for p in payloads)
    names = [f"thread{k}" for k in range(THREADS)] + ["program"]
    assert done == sorted((w, i) for w in names for i in range(UNITS))


def test_a_hub_among_concurrent_writers_never_enters_the_safe_state(
    hub_factory: HubFactory,
) -> None:
    """While threads and another program keep writing the hub's database, an operator's
    commands all go through, each on record, and the hub never enters the safe state."""
    from console.hub.client import InprocClient
    from console.hub.messages import CreateIncident

    hub = hub_factory("contended")
    prepare(hub.store)
    writers = Writers(_url(hub.store), audit=False)  # the hub's audit chain is keyed
    op = InprocClient(hub, actor="op", role="operator", workstation="desk")
    replies = []
    writers.go()
    for k in range(6):
        cmd = CreateIncident(incident_type="theft", lon=121.4737 + 0.0003 * k, lat=31.2304)
        replies.append(op.call(cmd, timeout=120))
    writers.finish()
    assert [r.error for r in replies if not r.ok] == []
    assert not hub.guard.safe and hub.guard.trips == 0
    assert counter(hub.store) == Writers.total()
    with hub.store.session() as s:
        n = s.scalar(
            select(func.count()).select_from(AuditRow).where(AuditRow.action == "CreateIncident")
        )
    assert n == len(replies)


def test_a_hub_whose_database_turns_read_only_enters_the_safe_state(
    hub_factory: HubFactory, caplog: pytest.LogCaptureFixture
) -> None:
    """Not a lock: SQLite refuses every write (``query_only``, as a read-only file does),
    so the command is refused and the hub enters the safe state at once, saying why."""
    from console.hub.client import InprocClient
    from console.hub.messages import CreateIncident

    hub = hub_factory("read-only")
    engine = hub.store.engine
    hub.audit.sleep = hub.guard.sleep = _never_sleeps  # nothing to wait out

    def read_only(dbapi_conn: Any, _record: Any) -> None:
        dbapi_conn.execute("PRAGMA query_only=ON")

    event.listen(engine, "connect", read_only)
    engine.dispose()
    op = InprocClient(hub, actor="op", role="operator", workstation="desk")
    try:
        with caplog.at_level(logging.ERROR, logger="console.hub.guard"):
            r = op.call(CreateIncident(incident_type="theft", lon=121.4737, lat=31.2304))
        assert not r.ok and r.error == UNWRITABLE_EN
        assert hub.guard.safe and hub.guard.why == "read-only" and hub.guard.locks_waited == 0
        assert "(read-only): entering the safe state" in caplog.text
    finally:
        event.remove(engine, "connect", read_only)
        engine.dispose()
