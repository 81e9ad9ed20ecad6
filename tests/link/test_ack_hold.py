"""Acks wait while a fan-out's receipts are still coming in, and never longer than the hold.

Over real CURVE sockets with bare DEALER terminals, so the test decides when
each receipt is sent.  The "before the pong" checks are exact, not timed: the
hub answers one terminal's frames in order on one pipe.
"""

from __future__ import annotations

import contextlib
import time
from collections.abc import Iterator
from concurrent.futures import Future

import zmq
from sqlalchemy import select

from console.link import protocol as p
from console.link.keys import KeyPair
from console.link.node import HubNode
from console.link.outbox import Due
from console.store.db import Store
from console.store.models import OrderRow
from tests.link.helpers import (
    add_orders,
    enroll_fleet,
    make_incident,
    raw_terminal,
    replies_before_pong,
    wait_until,
)


def _order(s: zmq.Socket[bytes]) -> p.Order:
    assert s.poll(10_000), "no order"
    msg = p.decode_hub(s.recv())
    assert isinstance(msg, p.Order)
    return msg


def _receipt(s: zmq.Socket[bytes], mid: int, order_id: str, kind: str = "delivered") -> None:
    s.send(p.encode_terminal(p.Receipt(mid=mid, order_id=order_id, kind=kind, t=time.time())))


def _state(store: Store, oid: str) -> str:
    with store.session() as s:
        return str(s.scalar(select(OrderRow.state).where(OrderRow.id == oid)))


def _acks(msgs: list[p.HubMsg]) -> list[int]:
    return [m.mid for m in msgs if isinstance(m, p.Ack)]


@contextlib.contextmanager
def _two_with_orders(
    node: HubNode, store: Store, hub_keys: KeyPair
) -> Iterator[tuple[zmq.Socket[bytes], str, zmq.Socket[bytes], str]]:
    """Two bare terminals, each holding one freshly sent order: (a, its order, b, its order)."""
    ka, kb = enroll_fleet(store, 2, hub_keys.public)
    ep = node.link.endpoint
    with raw_terminal(ep, ka) as a, raw_terminal(ep, kb) as b:
        oa, ob = add_orders(store, make_incident(store), [ka.unit, kb.unit])
        node.link.kick()
        assert _order(a).order_id == oa and _order(b).order_id == ob
        yield a, oa, b, ob


def test_acks_wait_for_the_rest_of_the_fanout(
    node: HubNode, store: Store, hub_keys: KeyPair
) -> None:
    node.link.ack_hold_s = 60.0  # only the last receipt may release the acks here
    with _two_with_orders(node, store, hub_keys) as (a, oa, b, ob):
        _receipt(a, 1, oa)
        assert wait_until(lambda: _state(store, oa) == "delivered")  # stored at once...
        # two pongs: the link has run a whole turn after the receipt's commit
        assert _acks(replies_before_pong(a, 1) + replies_before_pong(a, 2)) == []  # held for b
        _receipt(b, 1, ob)
        assert wait_until(lambda: _state(store, ob) == "delivered")
        assert _acks(replies_before_pong(b, 1) + replies_before_pong(b, 2)) == [1]
        assert _acks(replies_before_pong(a, 3)) == [1]  # released with b's
        # nothing in flight any more: a later report is acked at once
        _receipt(a, 2, oa, "accepted")
        assert wait_until(lambda: _state(store, oa) == "accepted")
        assert _acks(replies_before_pong(a, 4) + replies_before_pong(a, 5)) == [2]


def test_a_silent_terminal_holds_acks_no_longer_than_the_hold(
    node: HubNode, store: Store, hub_keys: KeyPair
) -> None:
    node.link.ack_hold_s = 0.3
    with _two_with_orders(node, store, hub_keys) as (a, oa, _silent, ob):
        _receipt(a, 7, oa)  # the other terminal never answers
        acks: list[int] = []
        end = time.monotonic() + 20
        while not acks and time.monotonic() < end and a.poll(1000):
            acks = _acks([p.decode_hub(a.recv())])
        assert acks == [7], "the ack never came although its hold ran out"
        assert _state(store, ob) == "pending"  # b's order is still being resent, not acked


def test_orders_nobody_answers_leave_the_inflight_map(node: HubNode) -> None:
    """Only orders inside their window are kept, so resends to dead terminals never pile up."""
    link = node.link
    link.ack_hold_s = 0.05
    msg = p.Order(
        order_id="0" * 32,
        incident_id=1,
        incident_type="theft",
        priority=1,
        lon=121.48,
        lat=31.23,
        address="",
        role="respond",
        instructions="",
        briefing="",
        created_at=0.0,
        expires_at=1.0,
    )

    def send(ids: list[str]) -> tuple[int, bool]:
        """As the link does after sending these orders (on the link thread)."""
        got: Future[tuple[int, bool]] = Future()

        def run() -> None:
            link._expect_receipts([Due(i, 1, 1, msg) for i in ids])
            got.set_result((len(link._inflight), link._receipts_expected(time.monotonic())))

        link.call(run)
        return got.result(timeout=10)

    assert send([f"{k:032x}" for k in range(100)]) == (100, True)
    time.sleep(0.1)  # the hundred windows are over
    assert send(["f" * 32]) == (1, True)
