"""The real stand-alone hub's audit log (issue 13, 5): its entries are sealed with the audit
key, its head is checkpointed outside the database, and a command whose audit row cannot be
written does not happen.  A real ``console.link.cli hub`` process and a workstation on tcp.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from sqlalchemy import delete, func, select, text, update

from console.hub.messages import CreateIncident, Login
from console.link.keys import load_or_create_hub_keys
from console.link.remote import RemoteClient
from console.store.audit_repo import GENESIS, row_hash
from console.store.db import open_store
from console.store.models import AuditRow, IncidentRow
from tests.trust.helpers import (
    PASSWORD,
    add_user,
    hub_process,
    run_main,
)


@pytest.fixture(scope="module")
def worked(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """A hub that ran: a supervisor signed in and opened three incidents; then it stopped."""
    tmp = tmp_path_factory.mktemp("hub-audit")
    db, keys = tmp / "hub.sqlite3", tmp / "keys"
    url = f"sqlite:///{db}"
    load_or_create_hub_keys(keys)
    add_user(url, keys, "sup", "supervisor")
    with hub_process(tmp, url, keys) as h:
        ws = RemoteClient(h.endpoint, h.public, workstation="desk-1")
        try:
            assert ws.call(Login(username="sup", password=PASSWORD), timeout=60).ok
            for k in range(3):
                r = ws.call(
                    CreateIncident(incident_type="theft", lon=121.4737, lat=31.2304 + k * 1e-3)
                )
                assert r.ok, r.error
        finally:
            ws.close()
    store = open_store(url)  # everything into the main file, so a copy of it is the database
    with store.engine.connect() as conn:
        conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
    store.close()
    return db, keys


def _copy(worked: tuple[Path, Path], tmp_path: Path) -> str:
    db = tmp_path / "copy.sqlite3"
    shutil.copyfile(worked[0], db)
    return f"sqlite:///{db}"


def _verify(url: str, keys: Path) -> tuple[int, str]:
    r = run_main(["audit", "verify", "--db", url, "--key-dir", str(keys)], keys)
    return r.returncode, r.stdout + r.stderr


def test_the_hubs_entries_are_sealed_against_a_recomputed_chain(
    worked: tuple[Path, Path], tmp_path: Path
) -> None:
    url, keys = _copy(worked, tmp_path), worked[1]
    assert _verify(url, keys)[0] == 0
    store = open_store(url)
    with store.transaction() as s:
        rows = s.scalars(select(AuditRow).order_by(AuditRow.seq)).all()
        target = next(r for r in rows if r.action == "CreateIncident")
        s.execute(
            update(AuditRow)
            .where(AuditRow.seq == target.seq)
            .values(actor="someone-else", workstation="desk-9")
        )
        prev = GENESIS
        for r in s.scalars(select(AuditRow).order_by(AuditRow.seq)).all():
            h = row_hash(prev, r.seq, r.t, r.actor, r.workstation, r.action, r.payload)
            s.execute(update(AuditRow).where(AuditRow.seq == r.seq).values(prev_hash=prev, hash=h))
            prev = h
    store.close()
    rc, out = _verify(url, keys)
    assert rc == 1 and "TAMPERED" in out, out


def test_the_hubs_last_entries_cannot_be_cut_off(worked: tuple[Path, Path], tmp_path: Path) -> None:
    url, keys = _copy(worked, tmp_path), worked[1]
    store = open_store(url)
    with store.transaction() as s:
        last = s.scalar(select(func.max(AuditRow.seq)))
        s.execute(delete(AuditRow).where(AuditRow.seq == last))
    store.close()
    rc, out = _verify(url, keys)
    assert rc == 1 and f"entry seq {last}" in out and "is missing" in out, out


def test_a_command_whose_audit_row_cannot_be_written_does_not_happen(tmp_path: Path) -> None:
    db, keys = tmp_path / "hub.sqlite3", tmp_path / "keys"
    url = f"sqlite:///{db}"
    load_or_create_hub_keys(keys)
    add_user(url, keys, "sup", "supervisor")
    with hub_process(tmp_path, url, keys) as h:
        ws = RemoteClient(h.endpoint, h.public, workstation="desk-1")
        try:
            assert ws.call(Login(username="sup", password=PASSWORD), timeout=60).ok
            store = open_store(url)
            with store.transaction() as s:  # the audit log stops taking rows
                s.execute(
                    text(
                        "CREATE TRIGGER no_audit BEFORE INSERT ON audit_log "
                        "BEGIN SELECT RAISE(ABORT, 'audit log unavailable'); END"
                    )
                )
            r = ws.call(CreateIncident(incident_type="theft", lon=121.4737, lat=31.2304))
            with store.session() as s:
                incidents = s.scalar(select(func.count()).select_from(IncidentRow))
            store.close()
        finally:
            ws.close()
    assert not r.ok and "audit" in r.error
    assert incidents == 0
