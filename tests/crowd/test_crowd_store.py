"""The crowd tables: created by migration 0004 exactly as modelled."""

from __future__ import annotations

from pathlib import Path

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import MetaData, inspect

import console.store.models_crowd  # noqa: F401  (registers the crowd tables on Base)
from console.store import open_store
from console.store.models import Base

CROWD = ("crowd_places", "crowd_sensors", "crowd_counts")


def test_migration_0004_builds_the_modelled_crowd_tables(tmp_path: Path) -> None:
    with open_store(f"sqlite:///{tmp_path / 'c.sqlite3'}") as store:
        assert set(CROWD) <= set(inspect(store.engine).get_table_names())
        only = MetaData(naming_convention=Base.metadata.naming_convention)
        for name in CROWD:
            Base.metadata.tables[name].to_metadata(only)
        with store.engine.connect() as conn:
            ctx = MigrationContext.configure(
                conn,
                opts={
                    "compare_type": True,
                    "include_name": lambda name, kind, _p: kind != "table" or name in CROWD,
                },
            )
            diff = compare_metadata(ctx, only)
    assert diff == []


def test_models_and_create_all_agree(tmp_path: Path) -> None:
    """The same tables from the models alone (what the unit tests rely on)."""
    from sqlalchemy import create_engine

    engine = create_engine(f"sqlite:///{tmp_path / 'm.sqlite3'}")
    Base.metadata.create_all(engine, tables=[Base.metadata.tables[n] for n in CROWD])
    cols = {c["name"] for c in inspect(engine).get_columns("crowd_counts")}
    assert cols == {"sensor_id", "res", "t", "place_id", "value", "samples", "received_at"}
    pk = inspect(engine).get_pk_constraint("crowd_counts")
    assert pk["constrained_columns"] == ["sensor_id", "res", "t"]
    engine.dispose()
