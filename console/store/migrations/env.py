"""Alembic environment for the dispatch store.

At run time ``console.store.db.upgrade`` passes an open connection through
``config.attributes["connection"]``.  For hand use from a shell,
``alembic -c <ini>`` with ``sqlalchemy.url`` set, or the ``DISPATCH_DB_URL``
environment variable, also works.  ``render_as_batch`` lets later
migrations alter tables on SQLite (copy-and-move).
"""

from __future__ import annotations

import os

from alembic import context
from sqlalchemy import Connection

from console.store import (  # noqa: F401  (on Base)
    models_crowd,
    models_lease,
    models_messages,
    models_shift,
    models_trust,
)
from console.store.models import Base

config = context.config
target_metadata = Base.metadata


def _run(connection: Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        render_as_batch=True,
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_offline() -> None:
    """Emit SQL to stdout instead of running it (``alembic upgrade --sql``)."""
    url = config.get_main_option("sqlalchemy.url") or os.environ.get("DISPATCH_DB_URL")
    context.configure(
        url=url,
        target_metadata=target_metadata,
        literal_binds=True,
        render_as_batch=True,
    )
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    connection = config.attributes.get("connection")
    if connection is not None:
        _run(connection)
        return
    from console.store.db import default_db_url, make_engine

    url = (
        config.get_main_option("sqlalchemy.url")
        or os.environ.get("DISPATCH_DB_URL")
        or default_db_url()
    )
    engine = make_engine(url)
    try:
        with engine.begin() as conn:
            _run(conn)
    finally:
        engine.dispose()


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
