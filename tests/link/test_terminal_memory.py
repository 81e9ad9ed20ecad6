"""The terminal's memory (both stores) and the session rules built on it.

The session is socket-free, so these drive it with real protocol frames
directly; the delivery tests cover the same rules over real sockets.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from console.link import protocol as p
from console.terminal.localstore import LocalOrder, LocalStore, MemoryStore, SqliteStore
from console.terminal.session import TerminalSession


@pytest.fixture(params=["memory", "sqlite"])
def store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[LocalStore]:
    if request.param == "memory":
        yield MemoryStore()
        return
    db = SqliteStore(tmp_path / "terminal.sqlite3")
    yield db
    db.close()


def _order(
    order_id: str = "a" * 32, rev: int = 0, kind: type[p.OrderBody] = p.Order
) -> p.OrderBody:
    now = time.time()
    return kind(
        order_id=order_id,
        incident_id=7,
        incident_type="theft",
        priority=1,
        lon=121.48,
        lat=31.23,
        address="南京东路 100 号",
        role="respond",
        instructions="到场处置",
        briefing="",
        created_at=now,
        expires_at=now + 600,
        rev=rev,
    )


def _receipts(frames: list[bytes]) -> list[p.Receipt]:
    msgs = [p.decode_terminal(f) for f in frames]
    return [m for m in msgs if isinstance(m, p.Receipt)]


def test_unacked_reports_are_kept_until_dropped(store: LocalStore) -> None:
    a, b = store.next_mid(), store.next_mid()
    assert b > a
    store.put_unacked(a, b"first")
    store.put_unacked(b, b"second")
    assert store.has_unacked(a) and store.has_unacked(b)
    assert not store.has_unacked(b + 1)
    store.drop_unacked(a)
    assert not store.has_unacked(a)
    assert store.unacked() == [(b, b"second")]
    store.drop_unacked(a)  # dropping twice is harmless (acks can arrive twice)
    assert store.unacked() == [(b, b"second")]


def test_orders_are_kept_by_id(store: LocalStore) -> None:
    o = _order()
    store.put(LocalOrder(o, "new", 1.0))
    held = store.get(o.order_id)
    assert held is not None and held.order.order_id == o.order_id and held.state == "new"
    held.state = "accepted"
    store.put(held)
    assert [x.state for x in store.orders()] == ["accepted"]
    assert store.get("b" * 32) is None


def test_sqlite_memory_outlives_the_process(tmp_path: Path) -> None:
    db = SqliteStore(tmp_path / "t.sqlite3")
    o = _order()
    db.put(LocalOrder(o, "read", 1.0))
    mid = db.next_mid()
    db.put_unacked(mid, b"receipt")
    db.close()
    again = SqliteStore(tmp_path / "t.sqlite3")
    try:
        held = again.get(o.order_id)
        assert held is not None and held.state == "read"
        assert again.has_unacked(mid) and again.unacked() == [(mid, b"receipt")]
        assert again.next_mid() > mid  # never reused after a restart
    finally:
        again.close()


def test_a_repeated_order_is_executed_once_and_confirmed_again_only_once_acked(
    store: LocalStore,
) -> None:
    s = TerminalSession(store)
    frame = p.encode_hub(_order())
    s.on_frame(frame, 0.0)
    first = _receipts(s.take())
    assert [r.kind for r in first] == ["delivered"] and s.executed == ["a" * 32]

    # the hub resends before our receipt reached it: the receipt is still unacked and
    # will be resent on its own schedule, so no second receipt now
    s.on_frame(frame, 0.0)
    assert _receipts(s.take()) == [] and s.executed == ["a" * 32]

    # the hub acked the receipt but sends the order again (its record of the
    # delivery was lost): confirm delivery once more, still without executing it
    s.on_frame(p.encode_hub(p.Ack(mid=first[0].mid)), 0.0)
    assert not store.has_unacked(first[0].mid)
    s.on_frame(frame, 0.0)
    again = _receipts(s.take())
    assert [r.kind for r in again] == ["delivered"] and again[0].mid != first[0].mid
    assert s.executed == ["a" * 32]


def test_an_update_replaces_the_order_and_is_confirmed_with_its_revision(
    store: LocalStore,
) -> None:
    events: list[str] = []
    s = TerminalSession(store, on_event=lambda kind, _payload: events.append(kind))
    s.on_frame(p.encode_hub(_order()), 0.0)
    s.take()
    s.on_frame(p.encode_hub(_order(rev=2, kind=p.OrderUpdate)), 0.0)
    receipts = _receipts(s.take())
    assert [(r.kind, r.rev) for r in receipts] == [("delivered", 2)]
    held = store.get("a" * 32)
    assert held is not None and held.order.rev == 2
    assert events == ["order", "order_update"]


def test_a_cancel_is_confirmed_once_until_acked(store: LocalStore) -> None:
    s = TerminalSession(store)
    s.on_frame(p.encode_hub(_order()), 0.0)
    s.take()
    cancel = p.encode_hub(p.OrderCancel(order_id="a" * 32, reason="警情已撤销"))
    s.on_frame(cancel, 0.0)
    seen = _receipts(s.take())
    assert [r.kind for r in seen] == ["cancel_seen"]
    s.on_frame(cancel, 0.0)
    assert _receipts(s.take()) == []
    held = store.get("a" * 32)
    assert held is not None and held.state == "cancelled"


def test_an_unanswered_hello_is_repeated_but_never_piles_up(store: LocalStore) -> None:
    s = TerminalSession(store, heartbeat_s=10.0)
    s.start(0.0)
    for k in range(1, 6):  # five seconds without a connection: a retry each second
        s.tick(float(k))
    hellos = [f for f in s.take() if isinstance(p.decode_terminal(f), p.Hello)]
    assert len(hellos) == 1  # the latest, not five resyncs for the hub
    s.tick(6.5)
    assert [type(p.decode_terminal(f)) for f in s.take()] == [p.Hello]  # still unanswered
    s.on_frame(p.encode_hub(p.Welcome(hub_epoch="e1", unit="U-1", heartbeat_s=10.0, t=0.0)), 7.0)
    s.tick(9.0)
    assert not any(isinstance(p.decode_terminal(f), p.Hello) for f in s.take())
    # a pong from a restarted hub (new epoch) asks for a fresh hello; first contact does not
    s.on_frame(p.encode_hub(p.Pong(seq=1, hub_epoch="e2", t=0.0)), 9.5)
    assert [type(p.decode_terminal(f)) for f in s.take()] == [p.Hello]
