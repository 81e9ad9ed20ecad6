"""Migration 0008: a camera's evidence is a ``photos`` row without a unit (``camera_id``).

Both ways on the test database (SQLite here, PostgreSQL in CI's second run): an
officer's photo filed before survives the upgrade and the downgrade untouched, a
camera's row is possible only after the upgrade and is dropped by the downgrade
(the older table cannot hold a row without a unit)."""

from __future__ import annotations

import pytest
from alembic import command
from sqlalchemy import func, inspect, select

from console.store import Store
from console.store.db import alembic_config
from console.store.models_trust import PhotoBlobRow, PhotoRow
from console.store.repos import IncidentRepo, UnitRepo

pytestmark = pytest.mark.store


def _migrate(store: Store, to: str, down: bool = False) -> None:
    with store.engine.begin() as conn:
        (command.downgrade if down else command.upgrade)(alembic_config(conn), to)


def _unit_id_nullable(store: Store) -> bool:
    cols = {c["name"]: c for c in inspect(store.engine).get_columns("photos")}
    return bool(cols["unit_id"]["nullable"])


def test_camera_rows_need_0008_and_officers_photos_survive_both_ways(
    district_store: Store,
) -> None:
    store = district_store
    with store.transaction() as s:
        iid = IncidentRepo(s).create(
            incident_type="thrown_object", priority=1, force_level=1, manpower=2,
            lon=121.48, lat=31.23, created_by="camera:tower", source="camera",
        ).id  # fmt: skip
        unit_id = next(iter(UnitRepo(s).ids_by_call_sign().values()))
        s.add(PhotoBlobRow(sha256="a" * 64, mime="image/jpeg", size=3, width=1, height=1,
                           data=b"abc", thumb=b"", created_at=1.0))  # fmt: skip
        s.add(PhotoRow(sha256="a" * 64, incident_id=iid, unit_id=unit_id,
                       terminal_key="k" * 40, size=3, created_at=1.0))  # fmt: skip
        s.add(PhotoRow(sha256="a" * 64, incident_id=iid, unit_id=None, terminal_key="",
                       camera_id="tower", size=3, created_at=2.0))  # fmt: skip
    assert _unit_id_nullable(store)

    _migrate(store, "0007", down=True)
    assert not _unit_id_nullable(store)
    assert "camera_id" not in {c["name"] for c in inspect(store.engine).get_columns("photos")}
    with store.engine.connect() as conn:
        rows = conn.exec_driver_sql("SELECT unit_id, terminal_key FROM photos").all()
    assert [tuple(r) for r in rows] == [(unit_id, "k" * 40)]  # the officer's photo stays

    _migrate(store, "head")
    assert _unit_id_nullable(store)
    with store.session() as s:
        (kept,) = s.scalars(select(PhotoRow)).all()
        assert (kept.unit_id, kept.camera_id, kept.incident_id) == (unit_id, None, iid)
        assert s.scalar(select(func.count()).select_from(PhotoBlobRow)) == 1  # blobs stay
