"""Terminals off the air for minutes, and orders through an overloaded link.

The hub here runs on a clock the test can move forward, so "minutes offline"
passes in seconds: backoff, offline deferral, the acknowledgement deadline and
the time to live all read that clock, exactly as they read the wall clock in
service.  Sockets, CURVE, the store and the terminals are all real.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator

import pytest
import zmq
from sqlalchemy import select

from console.link import protocol as p
from console.link.hubport import SituationPort, TerminalEvent
from console.link.keys import KeyPair
from console.link.node import HubNode
from console.store.db import Store
from console.store.models import OrderRow
from tests.link.conftest import FleetFactory
from tests.link.helpers import add_orders, enroll_fleet, make_incident, on_fleet, wait_until


class HubClock:
    """Wall time plus an offset the test moves forward."""

    def __init__(self) -> None:
        self.offset = 0.0

    def __call__(self) -> float:
        return time.time() + self.offset


@pytest.fixture
def clock() -> HubClock:
    return HubClock()


@pytest.fixture
def node(store: Store, hub_keys: KeyPair, clock: HubClock) -> Iterator[HubNode]:
    """The link alone, on the test's clock (replaces conftest's ``node`` in this module)."""
    n = HubNode(
        store, hub_keys, "tcp://127.0.0.1:0", port=SituationPort.from_store(store), clock=clock
    ).start()
    yield n
    n.stop()


def _order(store: Store, oid: str) -> OrderRow:
    with store.session() as s:
        row = s.get(OrderRow, oid)
        assert row is not None
        return row


def test_terminal_offline_for_minutes_gets_its_live_orders_and_not_the_expired_one(
    node: HubNode, store: Store, port: SituationPort, fleet_of: FleetFactory, clock: HubClock
) -> None:
    fleet, members = fleet_of(2)
    away, here = members
    assert wait_until(lambda: bool(away.session.epoch and here.session.epoch))
    on_fleet(fleet, lambda: fleet.set_online(away, False))
    inc = make_incident(store)
    [live] = add_orders(store, inc, [away.key.unit], ack_s=30.0, ttl_s=1800.0)
    [short] = add_orders(store, inc, [away.key.unit], ack_s=30.0, ttl_s=120.0)
    node.link.kick()
    # the hub tries, finds the terminal gone (ROUTER_MANDATORY) and stops counting it online
    assert wait_until(lambda: away.key.unit not in node.link.online_units())
    assert node.link.stats.unreachable >= 1  # the send raised EHOSTUNREACH, not a timeout

    for minute in range(1, 6):  # five minutes off the air, one minute at a time
        clock.offset = 60.0 * minute
        now = clock()
        node.link.kick()
        # each minute the link looks at the order again and puts it off (still pending)
        assert wait_until(lambda now=now: _order(store, live).next_attempt_at >= now)
        assert _order(store, live).state == "pending"

    def raised() -> set[tuple[str, str]]:
        return {(e.kind, e.order_id) for e in port.events if isinstance(e, TerminalEvent)}

    # the short order's two minutes to live ran out; the live one missed its ack deadline
    assert wait_until(lambda: _order(store, short).state == "expired")
    assert wait_until(lambda: {("overdue", live), ("expired", short)} <= raised())
    assert _order(store, live).state == "pending"
    assert away.session.executed == []

    on_fleet(fleet, lambda: fleet.set_online(away, True))
    assert wait_until(lambda: _order(store, live).state == "delivered")
    assert away.session.executed == [live]  # the live order once; the expired one never
    assert wait_until(lambda: not away.session.store.unacked())
    assert _order(store, short).state == "expired" and _order(store, short).delivered_at is None


def _flood(endpoint: str, hub_public: str, keys: list[KeyPair], stop: threading.Event) -> int:
    """Terminals sending fixes as fast as they can (no hello, no latest-wins): returns sent."""
    ctx = zmq.Context()
    socks = []
    for k in keys:
        s = ctx.socket(zmq.DEALER)
        s.curve_secretkey, s.curve_publickey = k.secret.encode(), k.public.encode()
        s.curve_serverkey = hub_public.encode()
        s.setsockopt(zmq.LINGER, 0)
        s.setsockopt(zmq.SNDHWM, 1000)
        s.connect(endpoint)
        socks.append(s)
    sent = 0
    try:
        while not stop.is_set():
            for s in socks:
                fix = p.Position(
                    lat=31.23, lon=121.48, accuracy=5.0, speed=1.0, heading=0.0, t=time.time()
                )
                frame = p.encode_terminal(fix)
                for _ in range(200):
                    try:
                        s.send(frame, zmq.NOBLOCK)
                        sent += 1
                    except zmq.Again:  # the pipe is full: this fix is dropped (latest wins)
                        break
    finally:
        for s in socks:
            s.close(0)
        ctx.term()
    return sent


def test_orders_get_through_a_link_flooded_with_positions(
    node: HubNode, store: Store, hub_keys: KeyPair, fleet_of: FleetFactory
) -> None:
    flooders = [k.keys for k in enroll_fleet(store, 20, hub_keys.public, start=40)]
    _fleet, members = fleet_of(10)
    assert wait_until(lambda: all(m.session.epoch for m in members))
    stop = threading.Event()
    result: list[int] = []
    t = threading.Thread(
        target=lambda: result.append(_flood(node.link.endpoint, hub_keys.public, flooders, stop))
    )
    t.start()
    try:
        frames0 = node.link.stats.frames
        assert wait_until(lambda: node.link.stats.frames - frames0 > 20_000)  # the flood is on
        ids = add_orders(store, make_incident(store), [m.key.unit for m in members])
        node.link.kick()

        def delivered() -> bool:
            with store.session() as s:
                states = s.scalars(select(OrderRow.state).where(OrderRow.id.in_(ids))).all()
            return all(st == "delivered" for st in states)

        assert wait_until(delivered, timeout=60)
        assert t.is_alive()  # delivered while the flood was still running
        during = node.link.stats.frames - frames0
    finally:
        stop.set()
        t.join(30)
    for m, oid in zip(members, ids, strict=True):
        assert m.session.executed == [oid]
    assert result and result[0] > 20_000 and during > 20_000  # fixes were read all along
    assert node.link.stats.positions > 0
