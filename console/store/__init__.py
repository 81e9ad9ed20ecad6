"""Persistence: SQLAlchemy models, Alembic migrations and repositories.

Works the same on SQLite (single desk, default) and PostgreSQL (command
room server).  Typical use::

    store = open_store(url)              # connects and migrates to head
    with store.transaction() as s:
        OrderRepo(s).add_many(...)
"""

from __future__ import annotations

from console.store.db import Store, default_db_url, make_engine, mask_url, open_store
from console.store.errors import StoreError

# every table on the one Base, whichever module a caller imports first (migrations 0003, 0004)
from console.store import models_crowd, models_lease, models_messages, models_shift, models_trust  # noqa: F401  isort: skip

__all__ = ["Store", "StoreError", "default_db_url", "make_engine", "mask_url", "open_store"]
