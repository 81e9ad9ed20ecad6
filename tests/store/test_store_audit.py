"""The hash-chained audit log: appends chain up, tampering is found."""

from __future__ import annotations

import itertools
import threading
from typing import Any

import pytest
from sqlalchemy import delete, update

from console.store import Store, StoreError
from console.store.models import AuditRow
from console.store.repos import GENESIS, AuditRepo, row_hash

pytestmark = pytest.mark.store


def _fill(store: Store, n: int = 6) -> None:
    with store.transaction() as s:
        repo = AuditRepo(s)
        for i in range(n):
            repo.append(
                "op1",
                "desk-3",
                "order.sent",
                {"order": f"o{i}", "units": [i, i + 1], "x": 0.1 * i},
                t=1000.0 + i,
            )


def test_append_chains_rows(store: Store) -> None:
    _fill(store)
    with store.session() as s:
        repo = AuditRepo(s)
        rows = repo.tail(100)
        assert [r.seq for r in rows] == [1, 2, 3, 4, 5, 6]
        assert rows[0].prev_hash == GENESIS
        for prev, row in itertools.pairwise(rows):
            assert row.prev_hash == prev.hash
        r = rows[2]
        assert r.hash == row_hash(
            r.prev_hash, r.seq, r.t, r.actor, r.workstation, r.action, r.payload
        )
        assert len({r.hash for r in rows}) == 6
        assert repo.verify() is None
        assert repo.verify(batch=4) is None  # chain checked across batch boundaries
        assert repo.head() == (6, rows[-1].hash)
        assert [r.seq for r in repo.tail(2)] == [5, 6]


def test_verify_detects_an_edited_row(store: Store) -> None:
    _fill(store)
    with store.transaction() as s:
        s.execute(update(AuditRow).where(AuditRow.seq == 4).values(actor="intruder"))
    with store.session() as s:
        assert AuditRepo(s).verify() == 4


def test_verify_detects_an_edited_payload(store: Store) -> None:
    _fill(store)
    with store.transaction() as s:
        s.execute(update(AuditRow).where(AuditRow.seq == 2).values(payload={"order": "forged"}))
    with store.session() as s:
        assert AuditRepo(s).verify() == 2


def test_verify_detects_a_deleted_row(store: Store) -> None:
    _fill(store)
    with store.transaction() as s:
        s.execute(delete(AuditRow).where(AuditRow.seq == 3))
    with store.session() as s:
        assert AuditRepo(s).verify() == 4  # the row after the gap no longer chains


def test_verify_detects_deleted_first_row_and_rehashed_row(store: Store) -> None:
    _fill(store)
    with store.transaction() as s:
        s.execute(delete(AuditRow).where(AuditRow.seq == 1))
    with store.session() as s:
        assert AuditRepo(s).verify() == 2
    # a forger who recomputes the edited row's own hash still breaks the next link
    with store.transaction() as s:
        row = s.get(AuditRow, 5)
        assert row is not None
        new_hash = row_hash(
            row.prev_hash, 5, row.t, "intruder", row.workstation, row.action, row.payload
        )
        s.execute(update(AuditRow).where(AuditRow.seq == 5).values(actor="intruder", hash=new_hash))
        s.execute(delete(AuditRow).where(AuditRow.seq < 5))
        s.execute(update(AuditRow).where(AuditRow.seq == 5).values(prev_hash=GENESIS))
    with store.session() as s:
        assert AuditRepo(s).verify() == 5


def test_empty_log_verifies_and_after_tail_delete_seq_is_not_reused(store: Store) -> None:
    with store.session() as s:
        assert AuditRepo(s).verify() is None and AuditRepo(s).head() is None
    _fill(store, 3)
    with store.transaction() as s:
        s.execute(delete(AuditRow).where(AuditRow.seq == 3))
    with store.transaction() as s:
        row = AuditRepo(s).append("op1", "desk-3", "login", {}, t=2000.0)
        assert row.seq == 4  # never reuses a seq, on SQLite too (AUTOINCREMENT)
    with store.session() as s:
        assert AuditRepo(s).verify() is None  # tail cut is invisible: anchor head() elsewhere


def test_concurrent_appends_keep_one_chain(store: Store) -> None:
    errors: list[BaseException] = []

    def writer(name: str) -> None:
        try:
            for i in range(15):
                with store.transaction() as s:
                    AuditRepo(s).append(name, "ws", "tick", {"i": i})
        except BaseException as exc:  # reported below
            errors.append(exc)

    threads = [threading.Thread(target=writer, args=(f"w{k}",)) for k in range(4)]
    for th in threads:
        th.start()
    for th in threads:
        th.join()
    assert errors == []
    with store.session() as s:
        repo = AuditRepo(s)
        assert repo.verify() is None
        assert len(repo.tail(1000)) == 60


def test_bad_payload_is_refused(store: Store) -> None:
    with store.transaction() as s:
        repo = AuditRepo(s)
        with pytest.raises(StoreError, match="not JSON-serialisable"):
            repo.append("op1", "ws", "x", {"v": float("nan")})
        with pytest.raises(StoreError, match="must be a JSON object"):
            repo.append("op1", "ws", "x", [1, 2])  # type: ignore[arg-type]
        loose: dict[Any, Any] = {"k": (1, 2), 3: "int key"}
        row = repo.append("op1", "ws", "x", loose, t=5.0)
        assert row.payload == {"k": [1, 2], "3": "int key"}  # stored as it reads back
        assert repo.verify() is None
