"""Opening the database: URL, engine tuning, migrations, session factory.

One call, :func:`open_store`, turns a URL into a ready, migrated
:class:`Store`.  Anything that goes wrong on the way (bad URL, missing
driver, server down, unwritable file, failed migration) becomes a
:class:`StoreError` whose message names the URL with the password masked, so
an operator can fix the configuration without reading a traceback.

SQLite and threads (hub, terminal link, audit checkpoints, workers share one file):

- a unit of work begun explicitly (``store.transaction()``, ``session.begin()``)
  starts with ``BEGIN IMMEDIATE``: it takes the single write lock up front, waiting up
  to the busy timeout for it, so what it reads is what it writes over, and it can never
  fail half-way when a read snapshot cannot become a write (``SQLITE_BUSY_SNAPSHOT``
  ignores the busy timeout).  Plain sessions that only read keep pysqlite's behaviour:
  no transaction until the first write, every read sees the newest commit;
- a pooled connection never goes back to the pool with a statement still running.
  Python 3.11's sqlite3 no longer resets statements on rollback, so a result left
  unread when an exception cut a session short kept its read snapshot on the pooled
  connection: the next user read stale rows and its first write failed at once with
  "database is locked".  The pool closes whatever cursors are left at check-in;
- a thread that already holds the write lock and begins a second unit of work on
  another connection would wait for itself until the busy timeout; that is refused at
  once with a :class:`StoreError` naming the mistake.
"""

from __future__ import annotations

import re
import sqlite3
import threading
import weakref
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType
from typing import Any, TypeVar, overload

import platformdirs
from alembic import command
from alembic.config import Config as AlembicConfig
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from alembic.util import CommandError
from sqlalchemy import URL, Connection, Engine, create_engine, event, make_url, text
from sqlalchemy.exc import ArgumentError, NoSuchModuleError, SQLAlchemyError
from sqlalchemy.orm import Session, SessionTransaction, SessionTransactionOrigin, sessionmaker
from sqlalchemy.pool import StaticPool

from console.store.errors import StoreError

APP_NAME = "huangpu-dispatch"
DB_FILE = "dispatch.sqlite3"
MIGRATIONS_DIR = Path(__file__).resolve().parent / "migrations"
SQLITE_BUSY_TIMEOUT_MS = 5000
PG_CONNECT_TIMEOUT_S = 5

_PASSWORD_RE = re.compile(r"(://[^:/@]*:)[^@]*@")


def default_db_url() -> str:
    """SQLite file in the per-user data dir (created if missing): zero-setup single desk."""
    directory = Path(platformdirs.user_data_dir(APP_NAME))
    try:
        directory.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise StoreError(f"cannot create data directory {directory}: {exc.strerror}") from None
    return URL.create("sqlite", database=str(directory / DB_FILE)).render_as_string()


def mask_url(url: str | URL) -> str:
    """The URL as safe to show or log: password replaced by ``***``."""
    if isinstance(url, URL):
        return url.render_as_string(hide_password=True)
    try:
        return make_url(url).render_as_string(hide_password=True)
    except Exception:  # unparsable: mask by pattern instead
        return _PASSWORD_RE.sub(r"\1***@", str(url))


def _parse(url: str | URL) -> URL:
    if isinstance(url, URL):
        return url
    if not isinstance(url, str) or not url.strip():
        raise StoreError(f"invalid database URL {url!r}: expected e.g. sqlite:///path/file.db")
    try:
        return make_url(url.strip())
    except ArgumentError:
        raise StoreError(
            f"invalid database URL {mask_url(url)!r}: expected "
            "sqlite:///path/file.db or postgresql+psycopg://user:pass@host/db"
        ) from None


def _is_memory_sqlite(url: URL) -> bool:
    return url.get_backend_name() == "sqlite" and url.database in (None, "", ":memory:")


def is_memory_url(url: str) -> bool:
    """A database no second process can open: in-memory SQLite (or a URL that does not
    parse, which no process opens)."""
    try:
        return _is_memory_sqlite(make_url(url))
    except ArgumentError:
        return True


def _sqlite_pragmas(busy_timeout_ms: int, memory: bool) -> Any:
    def on_connect(dbapi_conn: Any, _record: Any) -> None:
        cur = dbapi_conn.cursor()
        try:
            if not memory:
                cur.execute("PRAGMA journal_mode=WAL")  # readers never block the writer
            cur.execute("PRAGMA foreign_keys=ON")
            cur.execute(f"PRAGMA busy_timeout={int(busy_timeout_ms)}")
        finally:
            cur.close()

    return on_connect


_CursorT = TypeVar("_CursorT", bound=sqlite3.Cursor)


class _TrackedConnection(sqlite3.Connection):
    """A pysqlite connection that remembers its open cursors, so the pool can close any a
    caller left unread (each pins a read snapshot while its statement is not reset)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.open_cursors: weakref.WeakSet[sqlite3.Cursor] = weakref.WeakSet()

    @overload
    def cursor(self, factory: None = None) -> sqlite3.Cursor: ...

    @overload
    def cursor(self, factory: Callable[[sqlite3.Connection], _CursorT]) -> _CursorT: ...

    def cursor(self, factory: Any = None) -> Any:
        cur = super().cursor() if factory is None else super().cursor(factory)
        self.open_cursors.add(cur)
        return cur


def _close_left_cursors(dbapi_conn: Any, _record: Any) -> None:
    """Pool check-in: reset every statement still running on the connection (a result left
    unread); closing a cursor that was already closed does nothing."""
    cursors = getattr(dbapi_conn, "open_cursors", None)
    if cursors:
        for cur in list(cursors):
            cur.close()
        cursors.clear()


_HOLDING = threading.local()
"""Per thread: the database files whose write lock this thread holds (``BEGIN IMMEDIATE``)."""


def _held() -> set[str]:
    held: set[str] | None = getattr(_HOLDING, "files", None)
    if held is None:
        held = _HOLDING.files = set()
    return held


def _begin_immediate(session: Session, transaction: SessionTransaction, conn: Connection) -> None:
    """SQLite, a unit of work begun explicitly: take the write lock before anything is read."""
    if conn.dialect.name != "sqlite" or transaction.origin is not SessionTransactionOrigin.BEGIN:
        return  # PostgreSQL, or a session that only reads (autobegin)
    dbapi = conn.connection.dbapi_connection
    if dbapi is None or dbapi.in_transaction:
        return  # the one shared in-memory connection (StaticPool) is already in a transaction
    key = str(conn.engine.url.database)
    held = _held()
    if key in held:
        raise StoreError(
            "a second write transaction was begun on this thread while its first one is "
            "still open: it would wait for the first (its own thread) until the busy timeout; "
            "finish the first, or do the work inside it"
        )
    conn.exec_driver_sql("BEGIN IMMEDIATE")
    held.add(key)
    session.info["write_lock_of"] = (held, key)  # that thread's set, wherever the end runs


def _release(session: Session, transaction: SessionTransaction) -> None:
    """The root transaction ended (commit, rollback or close): its thread's lock is gone."""
    if transaction.parent is None:
        mark = session.info.pop("write_lock_of", None)
        if mark is not None:
            mark[0].discard(mark[1])


def make_engine(
    url: str | URL, *, busy_timeout_ms: int = SQLITE_BUSY_TIMEOUT_MS, echo: bool = False
) -> Engine:
    """An engine tuned per backend; does not connect yet.

    SQLite: WAL, enforced foreign keys and a busy timeout on every connection,
    and usable from the hub's worker threads.  PostgreSQL: pre-ping and a
    short connect timeout so a dead server fails fast instead of hanging the UI.
    """
    parsed = _parse(url)
    backend = parsed.get_backend_name()
    kwargs: dict[str, Any] = {"echo": echo}
    connect_args: dict[str, Any] = {}
    if backend == "sqlite":
        connect_args["check_same_thread"] = False
        connect_args["timeout"] = busy_timeout_ms / 1000.0
        if _is_memory_sqlite(parsed):
            kwargs["poolclass"] = StaticPool  # one shared in-memory database
        else:
            connect_args["factory"] = _TrackedConnection
    elif backend == "postgresql":
        kwargs["pool_pre_ping"] = True
        if parsed.get_driver_name() in ("psycopg", "psycopg2") and (
            "connect_timeout" not in parsed.query
        ):
            connect_args["connect_timeout"] = PG_CONNECT_TIMEOUT_S
    try:
        engine = create_engine(parsed, connect_args=connect_args, **kwargs)
    except (NoSuchModuleError, ImportError) as exc:
        raise StoreError(
            f"cannot use database URL {mask_url(parsed)!r}: unknown database or missing driver "
            f"({exc})"
        ) from None
    except (ArgumentError, TypeError) as exc:
        raise StoreError(f"invalid database URL {mask_url(parsed)!r}: {exc}") from None
    if backend == "sqlite":
        event.listen(engine, "connect", _sqlite_pragmas(busy_timeout_ms, _is_memory_sqlite(parsed)))
        event.listen(engine, "checkin", _close_left_cursors)
    return engine


def make_sessions(engine: Engine) -> sessionmaker[Session]:
    """The session factory of a store (``BEGIN IMMEDIATE`` for explicit units on SQLite)."""
    sessions = sessionmaker(bind=engine, expire_on_commit=False)
    event.listen(sessions, "after_begin", _begin_immediate)
    event.listen(sessions, "after_transaction_end", _release)
    return sessions


def _reason(exc: BaseException) -> str:
    """The driver's own message, first line, without SQLAlchemy's boilerplate."""
    orig = getattr(exc, "orig", None) or exc
    text = str(orig).strip().splitlines()
    return text[0] if text else type(orig).__name__


def alembic_config(connection: Any = None) -> AlembicConfig:
    """Alembic config built in code: no alembic.ini needed at run time."""
    cfg = AlembicConfig()
    cfg.set_main_option("script_location", str(MIGRATIONS_DIR))
    if connection is not None:
        cfg.attributes["connection"] = connection
    return cfg


def is_at_head(engine: Engine) -> bool:
    """Whether the database already carries the newest migration."""
    head = ScriptDirectory.from_config(alembic_config()).get_current_head()
    with engine.connect() as conn:
        return MigrationContext.configure(conn).get_current_revision() == head


_MIGRATION_LOCK_ID = 0x48500001  # any constant; names the advisory lock on PostgreSQL
_ALEMBIC_LOCK = threading.Lock()


def upgrade(engine: Engine, revision: str = "head") -> None:
    """Run migrations up to ``revision`` in one transaction, one process at a time.

    Hub and consoles may start together on a fresh database: PostgreSQL
    serialises them on an advisory lock, SQLite on ``BEGIN IMMEDIATE`` (which
    also makes SQLite's DDL atomic; pysqlite would otherwise autocommit it).
    The second comes in, finds the schema at head and does nothing.
    Alembic's ``context``/``op`` are process globals, hence the thread lock too.
    """
    if revision == "head" and is_at_head(engine):
        return  # the common case: no write lock taken, nothing to do
    with _ALEMBIC_LOCK, engine.begin() as conn:
        if conn.dialect.name == "sqlite":
            conn.exec_driver_sql("BEGIN IMMEDIATE")
        elif conn.dialect.name == "postgresql":
            conn.exec_driver_sql(f"SELECT pg_advisory_xact_lock({_MIGRATION_LOCK_ID})")
        command.upgrade(alembic_config(conn), revision)


@dataclass
class Store:
    """A migrated database: the engine plus a session factory.

    Repositories never commit; wrap each unit of work in
    ``with store.transaction() as s:`` so it commits or rolls back whole.
    Sessions use ``expire_on_commit=False`` so returned rows stay readable.
    On SQLite a unit of work holds the write lock from its start (``BEGIN IMMEDIATE``):
    keep it short, never wait on another thread inside it, and never begin a second
    one on the same thread before the first ends (refused at once, see the module text).
    """

    url: URL
    engine: Engine
    sessions: sessionmaker[Session]

    @property
    def dialect(self) -> str:
        return self.engine.dialect.name

    def session(self) -> Session:
        """A new session; the caller closes it (use as a context manager)."""
        return self.sessions()

    @contextmanager
    def transaction(self) -> Iterator[Session]:
        """A session inside a transaction: commit on success, rollback on error.

        SQLite: ``BEGIN IMMEDIATE`` (waits up to the busy timeout for the write lock,
        then raises "database is locked" before anything was done)."""
        with self.sessions.begin() as session:
            yield session

    @contextmanager
    def replayable_transaction(self) -> Iterator[Session]:
        """A transaction whose commit skips the disk flush: only for writes that the
        other side replays until it sees them stored (delivery receipts).

        The commit survives a crash or SIGKILL of this process (SQLite WAL
        ``synchronous=NORMAL``; PostgreSQL ``synchronous_commit=off``) but may be
        lost on a power cut, until the next ordinary commit flushes the log;
        orders themselves are never written this way.
        """
        if self.dialect == "sqlite" and not _is_memory_sqlite(self.url):
            with self.engine.connect() as conn:
                before = int(conn.exec_driver_sql("PRAGMA synchronous").scalar() or 2)
                conn.exec_driver_sql("PRAGMA synchronous=NORMAL")
                conn.commit()
                try:
                    with self.sessions(bind=conn) as session, session.begin():
                        yield session
                finally:
                    conn.rollback()  # nothing left open (the session committed or failed)
                    conn.exec_driver_sql(f"PRAGMA synchronous={before}")
                    conn.commit()
            return
        with self.sessions.begin() as session:
            if self.dialect == "postgresql":
                session.execute(text("SET LOCAL synchronous_commit TO OFF"))
            yield session

    def close(self) -> None:
        """Release every pooled connection."""
        self.engine.dispose()

    def __enter__(self) -> Store:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()


def open_store(url: str | URL | None = None, *, migrate: bool = True) -> Store:
    """Connect, bring the schema to the newest migration and return the :class:`Store`.

    ``url`` defaults to :func:`default_db_url`.  Raises :class:`StoreError`
    naming the (masked) URL when the database cannot be reached or migrated.
    """
    parsed = _parse(url if url is not None else default_db_url())
    engine = make_engine(parsed)
    shown = mask_url(parsed)
    try:
        with engine.connect() as conn:
            conn.exec_driver_sql("SELECT 1")
    except SQLAlchemyError as exc:
        engine.dispose()
        raise StoreError(f"cannot open database {shown}: {_reason(exc)}") from None
    if migrate:
        try:
            upgrade(engine)
        except SQLAlchemyError as exc:
            engine.dispose()
            raise StoreError(f"cannot migrate database {shown}: {_reason(exc)}") from None
        except CommandError as exc:  # e.g. database newer than this program
            engine.dispose()
            raise StoreError(f"cannot migrate database {shown}: {exc}") from None
    return Store(url=parsed, engine=engine, sessions=make_sessions(engine))
