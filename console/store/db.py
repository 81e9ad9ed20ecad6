"""Opening the database: URL, engine tuning, migrations, session factory.

One call, :func:`open_store`, turns a URL into a ready, migrated
:class:`Store`.  Anything that goes wrong on the way (bad URL, missing
driver, server down, unwritable file, failed migration) becomes a
:class:`StoreError` whose message names the URL with the password masked, so
an operator can fix the configuration without reading a traceback.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType
from typing import Any

import platformdirs
from alembic import command
from alembic.config import Config as AlembicConfig
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from alembic.util import CommandError
from sqlalchemy import URL, Engine, create_engine, event, make_url, text
from sqlalchemy.exc import ArgumentError, NoSuchModuleError, SQLAlchemyError
from sqlalchemy.orm import Session, sessionmaker
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
    return engine


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
        """A session inside a transaction: commit on success, rollback on error."""
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
    return Store(
        url=parsed,
        engine=engine,
        sessions=sessionmaker(bind=engine, expire_on_commit=False),
    )
