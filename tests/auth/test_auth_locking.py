"""Issue 13 (write contention): a sign-in's writes wait out another writer's lock.

The hub, the terminal link and the audit checkpoints write the same database as the
authenticator.  A wrong password whose failure count was lost to a lock would be one the
lockout never counted, and a right one refused "not recorded" for a lock that passed a
moment later is a dispatcher locked out of the console for nothing.  Here another
program holds SQLite's write lock while the sign-ins run, and lets go of it only once
the authenticator has found it locked and is waiting to try again."""

from __future__ import annotations

import logging
import sqlite3
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import select

from console.audit import AuditTrail
from console.auth import Authenticator, AuthError
from console.auth.common import LOGIN_FAILED, AuthSettings
from console.store.access_repo import LockoutRepo
from console.store.db import Store, make_engine, make_sessions, open_store
from console.store.models import AuditRow

PASSWORD = "correct horse battery staple"


class ReleaseOnRetry(logging.Handler):
    """Lets go of the other program's lock when a writer says it will try again."""

    def __init__(self, db: sqlite3.Connection) -> None:
        super().__init__(logging.INFO)
        self.db = db
        self.retries = 0

    def emit(self, record: logging.LogRecord) -> None:
        if "tried again" in record.getMessage():
            self.retries += 1
            if self.db.in_transaction:
                self.db.execute("ROLLBACK")


@pytest.fixture
def quick(tmp_path: Path) -> Iterator[Store]:
    """A store whose writes give up on a lock after 50 ms (so the retry is what waits)."""
    url = f"sqlite:///{tmp_path / 'auth.sqlite3'}"
    open_store(url).close()
    engine = make_engine(url, busy_timeout_ms=50)
    store = Store(url=engine.url, engine=engine, sessions=make_sessions(engine))
    yield store
    store.close()


@pytest.fixture
def other(quick: Store) -> Iterator[tuple[sqlite3.Connection, ReleaseOnRetry]]:
    db = sqlite3.connect(str(quick.url.database), timeout=0, isolation_level=None)
    db.execute("PRAGMA busy_timeout=0")
    handler = ReleaseOnRetry(db)
    logger = logging.getLogger("console.store.locks")
    old = logger.level
    logger.addHandler(handler)
    logger.setLevel(logging.INFO)
    yield db, handler
    logger.removeHandler(handler)
    logger.setLevel(old)
    if db.in_transaction:
        db.execute("ROLLBACK")
    db.close()


def test_sign_ins_wait_out_another_writers_lock(
    quick: Store, other: tuple[sqlite3.Connection, ReleaseOnRetry], tmp_path: Path
) -> None:
    db, handler = other
    trail = AuditTrail.open(quick, tmp_path / "keys")
    auth = Authenticator(quick, audit=trail, settings=AuthSettings(lockout_failures=5))
    auth.create_user("sup", "Supervisor", PASSWORD, "supervisor")
    try:
        db.execute("BEGIN IMMEDIATE")  # a wrong password while the database is locked
        with pytest.raises(AuthError) as info:
            auth.login("sup", "wrong password", source="desk-1")
        assert str(info.value) == LOGIN_FAILED
        assert handler.retries >= 1 and not db.in_transaction
        with quick.session() as s:
            row = LockoutRepo(s).get("sup")
            assert row is not None and row.failures == 1, "the failure was lost to the lock"

        db.execute("BEGIN IMMEDIATE")  # the right one while it is locked again
        session = auth.login("sup", PASSWORD, source="desk-1")
        assert session.username == "sup" and auth.resolve(session.token) is not None
        assert handler.retries >= 2 and not db.in_transaction
        with quick.session() as s:
            actions = s.scalars(select(AuditRow.action).order_by(AuditRow.seq)).all()
        assert "auth.login" in actions
    finally:
        auth.close()
        trail.close()
