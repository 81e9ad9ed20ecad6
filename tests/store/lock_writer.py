"""A writer for the lock tests: read-modify-write units of work on one counter row, each
retried whole on another writer's lock (:func:`~console.hub.guard.retry_locked`).

Imported by the tests' writer threads, and run as a second program
(``python -m tests.store.lock_writer URL NAME N BUSY_MS AUDIT``): it opens the store, says
``ready``, waits for a line on stdin (so every writer starts at once), does its ``N``
units of work and says ``done``.  A lost write shows as a counter behind the number of
units done; a unit done twice as a counter ahead of it (or a duplicate audit row).
"""

from __future__ import annotations

import sys

from sqlalchemy import text

from console.audit import AuditTrail
from console.hub.guard import retry_locked
from console.store.db import Store, make_engine, make_sessions, open_store

TABLE = "lock_test_counter"


def prepare(store: Store) -> None:
    """The counter row, at 0 (a table of the test's own: the schema is not touched)."""
    with store.transaction() as s:
        s.execute(text(f"CREATE TABLE IF NOT EXISTS {TABLE} (id INTEGER PRIMARY KEY, n INTEGER)"))
        s.execute(text(f"DELETE FROM {TABLE}"))
        s.execute(text(f"INSERT INTO {TABLE} (id, n) VALUES (1, 0)"))


def counter(store: Store) -> int:
    with store.session() as s:
        return int(s.execute(text(f"SELECT n FROM {TABLE} WHERE id = 1")).scalar_one())


def quick_store(url: str, busy_timeout_ms: int) -> Store:
    """A store on an existing database whose SQLite writes give up on a lock quickly, so
    the retry (not the driver's busy wait) is what carries the writer through."""
    engine = make_engine(url, busy_timeout_ms=busy_timeout_ms)
    return Store(url=engine.url, engine=engine, sessions=make_sessions(engine))


def bump(store: Store, writer: str, i: int, *, audit: bool, patience_s: float = 60.0) -> int:
    """One unit of work: read the counter, write it plus one (and, with ``audit``, an audit
    row naming the writer and unit), all or nothing; retried whole while locked.  On
    PostgreSQL it runs SERIALIZABLE, so a concurrent writer makes it fail with 40001 (or
    40P01) instead of losing an update; on SQLite ``BEGIN IMMEDIATE`` takes the lock first."""

    def once() -> int:
        with store.transaction() as s:
            if store.dialect == "postgresql":
                s.connection(execution_options={"isolation_level": "SERIALIZABLE"})
            n = int(s.execute(text(f"SELECT n FROM {TABLE} WHERE id = 1")).scalar_one())
            s.execute(text(f"UPDATE {TABLE} SET n = :n WHERE id = 1"), {"n": n + 1})
            if audit:
                AuditTrail.unkeyed(store).write(
                    s, actor=writer, action="bump", payload={"writer": writer, "i": i}, t=1.0
                )
            return n + 1

    return retry_locked(once, patience_s=patience_s, what=f"{writer}'s unit {i}")


def main(argv: list[str]) -> int:
    url, name, n, busy_ms, audit = argv[0], argv[1], int(argv[2]), int(argv[3]), argv[4] == "1"
    open_store(url, migrate=False).close()  # the database is there and reachable
    store = quick_store(url, busy_ms)
    try:
        print("ready", flush=True)
        if not sys.stdin.readline():
            return 2
        for i in range(n):
            bump(store, name, i, audit=audit)
        print("done", flush=True)
    finally:
        store.close()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
