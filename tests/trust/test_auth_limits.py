"""Sign-in limits, lockout, summaries and stored sessions, on a real SQLite store (issue 13, 4).

The clock is a frozen one the test moves: delays and expiries depend on it, never on how
fast this machine is.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Iterator
from concurrent.futures import Future
from pathlib import Path

import pytest
from sqlalchemy import func, select, text

from console.audit import AuditTrail
from console.auth import (
    BUSY,
    LOCKED,
    LOGIN_FAILED,
    NOT_RECORDED,
    Authenticator,
    AuthError,
    AuthSettings,
    Session,
    token_hash,
)
from console.store.db import Store, open_store
from console.store.models import AuditRow
from console.store.models_trust import AuthLockoutRow, AuthSessionRow
from tests.conftest import FrozenClock
from tests.trust.helpers import PASSWORD


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    s = open_store(f"sqlite:///{tmp_path / 'auth.sqlite3'}")
    yield s
    s.close()


@pytest.fixture
def trail(store: Store, tmp_path: Path, frozen_clock: FrozenClock) -> AuditTrail:
    return AuditTrail.open(store, tmp_path / "keys", clock=frozen_clock)


def _auth(store: Store, trail: AuditTrail, clock: FrozenClock, **kw: float) -> Authenticator:
    return Authenticator(store, audit=trail, settings=AuthSettings(**kw), clock=clock)  # type: ignore[arg-type]


def _answer(auth: Authenticator, name: str, password: str, source: str = "ws-1") -> str:
    try:
        auth.login(name, password, source)
    except AuthError as exc:
        return str(exc)
    return "ok"


def _actions(store: Store) -> list[str]:
    with store.session() as s:
        return list(s.scalars(select(AuditRow.action).order_by(AuditRow.seq)))


def test_failures_earn_growing_delays_and_early_attempts_cost_no_check(
    store: Store, trail: AuditTrail, frozen_clock: FrozenClock
) -> None:
    auth = _auth(store, trail, frozen_clock, free_failures=2, lockout_failures=100)
    auth.create_user("sup", "Supervisor", PASSWORD, "supervisor")
    assert [_answer(auth, "sup", "wrong one!!") for _ in range(2)] == [LOGIN_FAILED] * 2
    assert auth.verified == 2
    early = _answer(auth, "sup", PASSWORD)  # even the right password waits its turn
    assert early.startswith("too many failed sign-ins: wait 1 s") and auth.verified == 2
    frozen_clock.advance(1.0)
    assert _answer(auth, "sup", "wrong again!") == LOGIN_FAILED and auth.verified == 3
    assert _answer(auth, "sup", PASSWORD).startswith("too many failed sign-ins: wait 2 s")
    frozen_clock.advance(2.0)
    assert _answer(auth, "sup", PASSWORD) == "ok"
    assert _answer(auth, "sup", "wrong once!") == LOGIN_FAILED  # a good sign-in starts afresh
    assert auth.verified == 5


def test_an_unknown_name_gets_exactly_the_answers_a_real_account_gets(
    store: Store, trail: AuditTrail, frozen_clock: FrozenClock
) -> None:
    auth = _auth(store, trail, frozen_clock, free_failures=2, lockout_failures=4)
    auth.create_user("real", "Real", PASSWORD, "operator")

    def story(name: str) -> list[str]:
        out = []
        for _ in range(6):
            out.append(_answer(auth, name, "not the password", source=f"src-{name}"))
            frozen_clock.advance(0.5)
            out.append(_answer(auth, name, "not the password", source=f"src-{name}"))
            frozen_clock.advance(4.0)
        return out

    real, ghost = story("real"), story("ghost")
    assert real == ghost
    assert real.count(LOCKED) >= 2 and LOGIN_FAILED in real


def test_lockout_survives_a_restart_until_an_administrator_unlocks(
    store: Store, trail: AuditTrail, frozen_clock: FrozenClock
) -> None:
    auth = _auth(store, trail, frozen_clock, free_failures=10, lockout_failures=3)
    auth.create_user("sup", "Supervisor", PASSWORD, "supervisor")
    assert [_answer(auth, "sup", "guess number x") for _ in range(3)] == [LOGIN_FAILED] * 3
    checked = auth.verified
    assert _answer(auth, "sup", PASSWORD) == LOCKED
    assert auth.verified == checked  # a locked account costs no password check
    restarted = _auth(store, trail, frozen_clock, free_failures=10, lockout_failures=3)
    assert _answer(restarted, "sup", PASSWORD) == LOCKED
    assert [a["username"] for a in restarted.locked_accounts()] == ["sup"]
    assert restarted.unlock("sup", actor="root", workstation="desk-1")
    assert _answer(restarted, "sup", PASSWORD) == "ok"
    actions = _actions(store)
    assert actions.count("auth.locked") == 1 and actions.count("auth.unlock") == 1
    assert actions[-1] == "auth.login"
    with store.session() as s:
        assert s.scalar(select(func.count()).select_from(AuthLockoutRow)) == 0


def test_a_flood_of_failures_is_one_summary_row_not_a_row_each(
    store: Store, trail: AuditTrail, frozen_clock: FrozenClock
) -> None:
    auth = _auth(store, trail, frozen_clock, free_failures=1, summary_seconds=60.0)
    answers = [_answer(auth, f"name{i % 3}", "wrong password", f"ws-{i % 4}") for i in range(40)]
    assert set(answers) <= {LOGIN_FAILED} | {a for a in answers if a.startswith("too many")}
    assert auth.verified <= 6  # three names, one free failure each, then delays
    assert not [a for a in _actions(store) if a.startswith("auth.")]  # nothing yet
    frozen_clock.advance(61.0)
    _answer(auth, "name0", "wrong password", "ws-0")  # the 41st attempt is due to summarise
    rows = [a for a in _actions(store) if a.startswith("auth.")]
    assert rows == ["auth.failures"]
    with store.session() as s:
        payload = s.scalars(
            select(AuditRow.payload).where(AuditRow.action == "auth.failures")
        ).one()
    counted = payload["failed"] + payload["throttled"] + payload["locked"] + payload["busy"]
    assert counted in (40, 41) and sum(payload["accounts"].values()) == counted


def test_sign_in_runs_on_the_worker_pool_and_a_full_queue_refuses_at_once(
    store: Store, trail: AuditTrail, frozen_clock: FrozenClock
) -> None:
    auth = _auth(store, trail, frozen_clock, login_workers=1, login_queue=2)
    auth.create_user("op", "Operator", PASSWORD, "operator")
    threads: list[str] = []
    nice: list[int] = []  # the worker's own priority, read on the worker

    def seen(_f: Future[Session]) -> None:
        threads.append(threading.current_thread().name)
        if hasattr(os, "getpriority") and threading.current_thread().name.startswith("sign-in"):
            nice.append(os.getpriority(os.PRIO_PROCESS, threading.get_native_id()))

    futs: list[Future[Session]] = []
    for i in range(6):
        futs.append(auth.login_async(f"user{i}", "wrong password", f"ws-{i}", seen))
    busy = [f for f in futs if f.done() and str(f.exception()) == BUSY]
    assert len(busy) >= 4  # only two could wait for the one worker
    for f in futs:
        assert isinstance(f.exception(30), AuthError)
    good = auth.login_async("op", PASSWORD, "ws-op").result(30)
    assert good.username == "op" and auth.resolve(good.token) is not None
    checked = [t for t in threads if t.startswith("sign-in")]
    assert len(checked) == 6 - len(busy)  # argon2 ran on the pool, never on this thread
    if nice:  # Linux: the worker gives way to the hub's command thread (nice +10)
        own = os.getpriority(os.PRIO_PROCESS, threading.get_native_id())
        assert all(n >= min(own + 10, 19) for n in nice), (own, nice)
    auth.close()
    assert (
        str(auth.login_async("op", PASSWORD).exception(5)) == "sign-in refused: the hub is stopping"
    )


def test_a_sign_in_that_cannot_be_audited_does_not_happen(
    store: Store, trail: AuditTrail, frozen_clock: FrozenClock
) -> None:
    auth = _auth(store, trail, frozen_clock)
    auth.create_user("op", "Operator", PASSWORD, "operator")
    with store.transaction() as s:  # the audit log stops taking rows (a full disk, a lock)
        s.execute(
            text(
                "CREATE TRIGGER no_audit BEFORE INSERT ON audit_log "
                "BEGIN SELECT RAISE(ABORT, 'audit log unavailable'); END"
            )
        )
    assert _answer(auth, "op", PASSWORD) == NOT_RECORDED
    with store.session() as s:
        assert s.scalar(select(func.count()).select_from(AuthSessionRow)) == 0


def test_sessions_are_stored_hashed_survive_a_restart_and_expire(
    store: Store, trail: AuditTrail, frozen_clock: FrozenClock
) -> None:
    kw = {"session_idle_seconds": 600.0, "session_max_seconds": 3600.0, "touch_seconds": 60.0}
    hub_a = _auth(store, trail, frozen_clock, **kw)
    hub_a.create_user("op", "Operator", PASSWORD, "operator")
    s1 = hub_a.login("op", PASSWORD, "ws-1")
    with store.session() as s:
        stored = s.scalars(select(AuthSessionRow.token_hash)).one()
    assert stored == token_hash(s1.token) and s1.token not in stored
    hub_b = _auth(store, trail, frozen_clock, **kw)  # a restarted hub, or the standby
    seen = hub_b.resolve(s1.token)
    assert seen is not None and (seen.username, seen.role) == ("op", "operator")
    # idle expiry: ten minutes without a command
    frozen_clock.advance(601.0)
    assert hub_b.resolve(s1.token) is None
    # absolute expiry: busy all the time, still over after an hour
    s2 = hub_b.login("op", PASSWORD, "ws-1")
    for _ in range(6):
        frozen_clock.advance(590.0)
        assert hub_b.resolve(s2.token) is not None
    frozen_clock.advance(590.0)
    assert hub_b.resolve(s2.token) is None
    # a logout on one hub reaches the other within touch_seconds
    s3 = hub_a.login("op", PASSWORD, "ws-1")
    assert hub_b.resolve(s3.token) is not None
    hub_a.logout(s3.token)
    frozen_clock.advance(61.0)
    assert hub_b.resolve(s3.token) is None
    assert hub_a.resolve("made-up token") is None
