"""Order ids: valid UUIDv7 hex that sort by creation, unique across threads."""

from __future__ import annotations

import threading
import uuid

import pytest

from console.link import protocol as p
from console.store import Store
from console.store import ids as ids_mod
from console.store.ids import time_ordered_ids
from console.store.repos import IncidentRepo, NewOrder, OrderRepo, UnitRepo

pytestmark = pytest.mark.store


def test_ids_are_uuid7_hex_that_the_protocol_accepts() -> None:
    out = time_ordered_ids(3)
    for i in out:
        u = uuid.UUID(hex=i)
        assert (u.version, u.variant) == (7, uuid.RFC_4122)
        assert u.hex == i and len(i) == 32
        # the wire validates order ids by pattern: a receipt naming this id decodes
        frame = p.encode_terminal(p.Receipt(mid=1, order_id=i, kind="delivered", t=1.0))
        assert p.decode_terminal(frame).order_id == i  # type: ignore[union-attr]


def test_later_batches_sort_after_earlier_ones() -> None:
    first = time_ordered_ids(5000)
    second = time_ordered_ids(10)
    assert first == sorted(first)
    assert first[-1] < second[0]
    assert len(set(first + second)) == 5010
    assert time_ordered_ids(0) == []


def test_a_clock_stepping_back_keeps_the_order(monkeypatch: pytest.MonkeyPatch) -> None:
    before = time_ordered_ids(2)
    real = ids_mod.time.time_ns
    monkeypatch.setattr(ids_mod.time, "time_ns", lambda: real() - 3_600 * 10**9)
    after = time_ordered_ids(2)
    assert before[-1] < after[0] and after == sorted(after)


def test_a_spent_counter_moves_to_the_next_millisecond(monkeypatch: pytest.MonkeyPatch) -> None:
    ms = ids_mod.time.time_ns() // 1_000_000 + 10_000  # ahead of any id made so far
    monkeypatch.setattr(ids_mod.time, "time_ns", lambda: ms * 1_000_000)
    a = time_ordered_ids(1)
    monkeypatch.setattr(ids_mod, "_counter", (1 << ids_mod._COUNTER_BITS) - 2)
    b = time_ordered_ids(5)
    assert a[0] < b[0] and b == sorted(b)
    assert int(b[0][:12], 16) == ms + 1


def test_threads_never_share_an_id() -> None:
    got: list[list[str]] = []
    lock = threading.Lock()

    def make() -> None:
        batch = [i for _ in range(50) for i in time_ordered_ids(40)]
        with lock:
            got.append(batch)

    threads = [threading.Thread(target=make) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    flat = [i for b in got for i in b]
    assert len(flat) == len(set(flat)) == 8 * 50 * 40
    assert all(b == sorted(b) for b in got)


def test_stored_orders_get_time_ordered_ids(district_store: Store) -> None:
    with district_store.transaction() as s:
        inc = IncidentRepo(s).create(
            incident_type="fight",
            priority=1,
            force_level=2,
            manpower=2,
            lon=121.47,
            lat=31.23,
            created_by="op1",
        )
        units = [u.id for u in UnitRepo(s).list_units()][:3]
        first = OrderRepo(s).add_many(
            [NewOrder(inc.id, u, "first_responder", {}) for u in units],
            ack_deadline_seconds=30,
            time_to_live_seconds=600,
        )
        second = OrderRepo(s).add_many(
            [NewOrder(inc.id, units[0], "backup", {})],
            ack_deadline_seconds=30,
            time_to_live_seconds=600,
        )
    assert first == sorted(first) and first[-1] < second[0]
    assert all(uuid.UUID(hex=i).version == 7 for i in first + second)
