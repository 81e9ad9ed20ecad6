"""Hostile input from an enrolled terminal: 100,000 bad frames, counted; the hub carries on.

The other terminals are checked while the flood is in progress, not only after
it. The fuzzer's sends block at a small high-water mark, so it is never far
ahead of the hub and the flood lasts until its last frame is sent (here the hub
keeps pace with one Python sender). The hub's own refusal counter, read before
and after each look, says how far through the flood it was when an honest
terminal's effect was seen.
"""

from __future__ import annotations

import functools
import logging
import math
import random
import time
from dataclasses import dataclass

import msgspec
import pytest
import zmq

from console.link import protocol as p
from console.link import server
from console.link.hubport import SituationPort
from console.link.node import HubNode
from console.store.db import Store
from console.terminal.fleet import dealer
from tests.link.conftest import FleetFactory
from tests.link.helpers import LAT0, LON0, add_orders, make_incident, on_fleet, wait_until
from tests.link.test_delivery import _delivered
from tests.link.test_refusals import log_adds_up

pytestmark = pytest.mark.slow  # 100,000 hostile frames

N_BAD = 100_000
V = p.PROTOCOL_VERSION
"""The version these frames speak: each is refused for what the comment beside it says."""
OID = "f" * 32
FUZZ_SNDHWM = 1000
"""The fuzzer's send queue: small, so sending ends only when the hub is nearly through."""


def bad_frames(rng: random.Random, n: int) -> list[list[bytes]]:
    """``n`` bad messages (lists of frames) of every kind a broken or hostile terminal sends."""
    now = time.time()
    enc = msgspec.msgpack.encode
    good = [
        p.encode_terminal(
            p.Position(lat=LAT0, lon=LON0, accuracy=3.0, speed=1.0, heading=5.0, t=now)
        ),
        p.encode_terminal(p.Receipt(mid=5, order_id=OID, kind="read", t=now)),
        p.encode_terminal(p.Hello(app="x", t=now, holding=[OID])),
    ]
    makers = [
        lambda: rng.randbytes(rng.randrange(0, 200)),  # noise
        lambda: rng.choice(good)[: rng.randrange(0, 20)],  # truncated
        lambda: enc([V, ["pos", "north", 121.0, None, None, None, now]]),  # wrong type
        lambda: enc([V, ["pos", 31.0, 121.0, -5.0, None, None, now]]),  # negative accuracy
        lambda: enc([V, ["pos", math.nan, 121.0, None, None, None, now]]),  # NaN
        lambda: enc([V, ["pos", 31.0, math.inf, None, None, None, now]]),  # infinity
        lambda: enc([V, ["pos", 31.0, 121.0, None, None, None, now + 86400]]),  # from the future
        lambda: enc([V, ["receipt", 1, OID, "rejected", now, 0, ""]]),  # rejection, no reason
        lambda: enc([V, ["feedback", 1, None, "x", now, b"GIF89a"]]),  # photo not a JPEG
        lambda: enc([V + rng.randrange(1, 1000), ["hb", 1, now]]),  # unknown version
        lambda: enc([V, [rng.choice(["", "exec", "pos\x00", "HB"]), 1]]),  # unknown tag
        lambda: enc([V, ["hb", 1, now, 1, 2, 3]]),  # extra fields
        lambda: enc([V, ["hb", -1, now]]),  # out of range
        lambda: enc({"v": 1, "m": ["hb", 1, now]}),  # wrong container
        lambda: enc([V, ["hello", "x" * 1000, now]]),  # string too long
        lambda: enc([V]),  # missing body
        lambda: enc(2**64 - 1),  # not an array at all
        lambda: bytes([0x92, V, 0x93, 0xA2]) + rng.randbytes(2) + b"\x01\x01",  # invalid UTF-8 tag
    ]
    out: list[list[bytes]] = []
    for i in range(n):
        if i % 5000 == 0:
            out.append(
                [b"\x91" + b"\x00" * (p.FRAME_LIMIT + rng.randrange(1, p.FRAME_LIMIT))]
            )  # oversize
        elif i % 997 == 0:
            out.append([rng.choice(good), rng.randbytes(8)])  # multipart: one message, two frames
        else:
            out.append([rng.choice(makers)()])
    return out


@dataclass
class Look:
    """One look at an honest unit and the orders, between two readings of the flood's progress."""

    before: int
    """Fuzz frames the hub had refused just before the look."""
    lon: float
    delivered: bool
    after: int
    """... and just after it: below ``N_BAD``, the flood was still being worked through."""


class MidFlood:
    """What the honest terminals got done while the hub was still refusing the fuzzer's frames."""

    def __init__(self, node: HubNode, store: Store, port: SituationPort, fuzzer: str, unit: str):
        self.node, self.store, self.port, self.fuzzer = node, store, port, fuzzer
        self.i = port.situation.index[unit]
        self.looks: list[Look] = []
        self.ids: list[str] = []

    def refused(self) -> int:
        return self.node.link.stats.invalid_by_sender[self.fuzzer]

    def look(self) -> None:
        before = self.refused()
        lon = float(self.port.situation.lon[self.i])
        delivered = bool(self.ids) and _delivered(self.store, self.ids)
        self.looks.append(Look(before, lon, delivered, self.refused()))

    def moves(self) -> list[tuple[int, int]]:
        """(refused before, refused after) around each position change seen inside the flood.

        A change between two looks happened after the earlier look began and
        before the later one ended; it counts when the hub had refused fuzz
        frames before it and had not yet refused them all after it.
        """
        return [
            (a.before, b.after)
            for a, b in zip(self.looks, self.looks[1:], strict=False)
            if a.lon != b.lon and a.before > 0 and b.after < N_BAD
        ]

    def delivered_at(self) -> int | None:
        """The hub's refusal count when the orders were first seen delivered, if mid-flood."""
        return next((k.after for k in self.looks if k.delivered and k.after < N_BAD), None)


def test_fuzzed_terminal_is_counted_and_others_flow_on(
    node: HubNode,
    store: Store,
    port: SituationPort,
    fleet_of: FleetFactory,
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.WARNING, logger=server.__name__)
    node.link.refusal_log_s = 0.0  # refusal summaries at every once-a-second check
    fleet, members = fleet_of(11)
    fuzzer, honest = members[0], members[1:]
    on_fleet(fleet, lambda: fleet.set_online(fuzzer, False))  # its key, our own socket
    assert wait_until(lambda: all(m.session.epoch for m in honest))
    frames = bad_frames(random.Random(7), N_BAD)

    watch = MidFlood(node, store, port, fuzzer.key.unit, honest[0].key.unit)
    ordered_at = -1

    def move(step: int) -> None:  # every honest unit reports a new fix (a new place, too)
        for m in honest:
            m.session.position(LAT0, LON0 + step * 1e-5, 4.0, 2.0, 90.0)

    ctx = zmq.Context()
    s = dealer(ctx, fuzzer.key, node.link.endpoint)
    s.setsockopt(zmq.SNDHWM, FUZZ_SNDHWM)  # blocking sends: the hub's pace sets the flood's
    s.setsockopt(zmq.RCVHWM, 0)
    try:
        assert wait_until(lambda: s.poll(10, zmq.POLLOUT) != 0)
        s.send(p.encode_terminal(p.Hello(app="fuzz", t=time.time())))
        assert s.poll(5000)  # welcomed: an enrolled, trusted terminal
        assert isinstance(p.decode_hub(s.recv()), p.Welcome)
        for k, msg in enumerate(frames):
            s.send_multipart(msg)
            if k == N_BAD // 4:  # mid-flood the command room sends orders to the others
                watch.ids = add_orders(store, make_incident(store), [m.key.unit for m in honest])
                node.link.kick()
                ordered_at = watch.refused()
            if k % 2000 == 0:
                fleet.call(functools.partial(move, k // 2000))
                watch.look()
        deadline = time.monotonic() + 120  # the tail of the flood: keep looking until it is done
        while watch.refused() < N_BAD and time.monotonic() < deadline:
            watch.look()
            time.sleep(0.005)
        assert node.link.stats.invalid_by_sender[fuzzer.key.unit] == N_BAD  # each counted once
        # while the hub was still refusing the flood, honest traffic was applied
        assert 0 < ordered_at < N_BAD
        assert len(watch.moves()) >= 2, watch.looks
        delivered_at = watch.delivered_at()
        assert delivered_at is not None and delivered_at < N_BAD, watch.looks[-5:]
        st = node.link.stats.invalid
        assert st["oversize"] == N_BAD // 5000 and st["malformed"] > 0
        assert st["version"] > 0 and st["invalid"] > 0
        # the hub is up and still serves the fuzzer's valid frames
        while s.poll(100):
            s.recv()
        s.send(p.encode_terminal(p.Heartbeat(seq=99, t=time.time())))
        pong = None
        deadline = time.monotonic() + 5
        while pong is None and time.monotonic() < deadline and s.poll(1000):
            got = p.decode_hub(s.recv())
            pong = got if isinstance(got, p.Pong) else None
        assert pong is not None and pong.seq == 99
    finally:
        s.close(0)
        ctx.term()
    # honest terminals: every order delivered, positions applied throughout
    ids = watch.ids
    assert wait_until(lambda: _delivered(store, ids))
    for m in honest:
        assert len(m.session.executed) == 1
        assert port.situation.fix_t[port.situation.index[m.key.unit]] > 0
    assert node.link.stats.invalid_by_sender.keys() == {fuzzer.key.unit}
    # 100,000 refusals, every one in the log with its sender, in a handful of lines
    want = +node.link.stats.invalid
    assert wait_until(lambda: log_adds_up(caplog, fuzzer.key.unit, fuzzer.key.keys.public) == want)
    lines = [r for r in caplog.records if r.name == server.__name__]
    assert len(lines) < 100
