"""Migrations build exactly the modelled schema; opening errors are readable."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import inspect

from console.store import Store, StoreError, default_db_url, mask_url, open_store
from console.store.db import alembic_config, make_engine
from console.store.models import Base

pytestmark = pytest.mark.store

ROOT = Path(__file__).resolve().parents[2]

EXPECTED_TABLES = {
    "districts",
    "stations",
    "areas",
    "fixed_points",
    "units",
    "officers",
    "terminals",
    "users",
    "incidents",
    "incident_events",
    "plans",
    "plan_decisions",
    "orders",
    "attachments",
    "positions_latest",
    "position_history",
    "call_history",
    "audit_log",
    "district_versions",
    "district_roads",
    "places",
    "duty_shifts",
    "auth_sessions",
    "auth_lockouts",
    "audit_chain",
    "photo_blobs",
    "photos",
    "crowd_places",
    "crowd_sensors",
    "crowd_counts",
    "shift_handovers",
    "messages",
    "shift_log",
    "hub_lease",
}


def test_migrations_create_every_model_table(store: Store) -> None:
    tables = set(inspect(store.engine).get_table_names())
    assert set(Base.metadata.tables) == EXPECTED_TABLES
    assert tables >= EXPECTED_TABLES
    assert "alembic_version" in tables


def test_migrated_schema_matches_models(store: Store) -> None:
    with store.engine.connect() as conn:
        ctx = MigrationContext.configure(conn, opts={"compare_type": True})
        diff = compare_metadata(ctx, Base.metadata)
    assert diff == [], f"models and migrations differ: {diff}"


def test_database_is_at_head_and_reopen_is_idempotent(store_url: str) -> None:
    head = ScriptDirectory.from_config(alembic_config()).get_current_head()
    assert head is not None
    for _ in range(2):
        s = open_store(store_url)
        try:
            with s.engine.connect() as conn:
                assert MigrationContext.configure(conn).get_current_revision() == head
        finally:
            s.close()


def test_required_indexes_exist(store: Store) -> None:
    insp = inspect(store.engine)

    def cols(table: str) -> list[list[str | None]]:
        return [list(ix["column_names"]) for ix in insp.get_indexes(table)]

    assert ["state", "next_attempt_at"] in cols("orders")
    assert ["unit_id", "t"] in cols("position_history")
    assert ["t"] in cols("call_history")


def test_sqlite_connections_use_wal_and_foreign_keys(store: Store) -> None:
    if store.dialect != "sqlite":
        pytest.skip("SQLite pragmas")
    with store.engine.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
        assert conn.exec_driver_sql("PRAGMA busy_timeout").scalar() == 5000


def test_downgrade_to_base_and_back(store: Store) -> None:
    from alembic import command

    with store.engine.begin() as conn:
        command.downgrade(alembic_config(conn), "base")
    assert not EXPECTED_TABLES & set(inspect(store.engine).get_table_names())
    with store.engine.begin() as conn:
        command.upgrade(alembic_config(conn), "head")
    assert set(inspect(store.engine).get_table_names()) >= EXPECTED_TABLES


def test_concurrent_first_opens_migrate_once(store_url: str) -> None:
    """Hub and consoles (separate processes) starting together on a fresh database."""
    code = "import sys; from console.store import open_store; open_store(sys.argv[1]).close()"
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    procs = [
        subprocess.Popen(
            [sys.executable, "-c", code, store_url],
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for _ in range(3)
    ]
    outcomes = [(p.wait(timeout=120), p.communicate()[1][-500:]) for p in procs]
    assert outcomes == [(0, "")] * 3
    with open_store(store_url) as s, s.engine.connect() as conn:
        assert conn.exec_driver_sql("SELECT count(*) FROM alembic_version").scalar() == 1


def test_in_memory_sqlite_is_usable() -> None:
    s = open_store("sqlite://")
    try:
        assert s.dialect == "sqlite"
        assert set(inspect(s.engine).get_table_names()) >= EXPECTED_TABLES
    finally:
        s.close()


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="XDG data dir is Linux only")
def test_default_url_is_a_file_in_the_user_data_dir(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "xdg"))
    url = default_db_url()
    assert url.startswith("sqlite:///") and url.endswith("/huangpu-dispatch/dispatch.sqlite3")
    assert (tmp_path / "xdg" / "huangpu-dispatch").is_dir()
    s = open_store()
    try:
        assert s.url.database == str(tmp_path / "xdg" / "huangpu-dispatch" / "dispatch.sqlite3")
        assert (tmp_path / "xdg" / "huangpu-dispatch" / "dispatch.sqlite3").is_file()
    finally:
        s.close()


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def test_unreachable_server_names_url_and_masks_password() -> None:
    url = f"postgresql+psycopg://dispatch:s3cret@127.0.0.1:{_free_port()}/nowhere"
    with pytest.raises(StoreError) as err:
        open_store(url)
    msg = str(err.value)
    assert "cannot open database" in msg
    assert "127.0.0.1" in msg and "nowhere" in msg
    assert "s3cret" not in msg and "***" in msg


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("not a url", "invalid database URL"),
        ("", "invalid database URL"),
        ("nosuchdb://user:pw@host/db", "unknown database or missing driver"),
    ],
)
def test_bad_url_is_a_store_error(url: str, expected: str) -> None:
    with pytest.raises(StoreError, match=expected) as err:
        open_store(url)
    assert "pw" not in str(err.value)


def test_sqlite_in_missing_directory_is_a_store_error(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'missing' / 'x.sqlite3'}"
    with pytest.raises(StoreError, match="cannot open database") as err:
        open_store(url)
    assert "missing" in str(err.value)


def test_database_newer_than_program_is_refused(store_url: str) -> None:
    s = open_store(store_url)
    try:
        with s.engine.begin() as conn:
            conn.exec_driver_sql("UPDATE alembic_version SET version_num = '9999'")
    finally:
        s.close()
    with pytest.raises(StoreError, match=r"cannot migrate database.*9999"):
        open_store(store_url)


def test_mask_url_hides_password_even_when_unparsable() -> None:
    assert "pw" not in mask_url("postgresql://u:pw@h/db")
    assert "pw" not in mask_url("weird://u:pw@")


def test_make_engine_does_not_connect() -> None:
    engine = make_engine("postgresql+psycopg://u:p@127.0.0.1:1/db")
    assert engine.dialect.name == "postgresql"
    engine.dispose()
