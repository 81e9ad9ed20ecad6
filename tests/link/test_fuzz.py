"""Hostile input from an enrolled terminal: 100,000 bad frames, counted; the hub carries on."""

from __future__ import annotations

import math
import random
import time

import msgspec
import zmq

from console.link import protocol as p
from console.link.hubport import SituationPort
from console.link.node import HubNode
from console.store.db import Store
from console.terminal.fleet import dealer
from tests.link.conftest import FleetFactory
from tests.link.helpers import LAT0, LON0, add_orders, make_incident, on_fleet, wait_until

N_BAD = 100_000
OID = "f" * 32


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
        lambda: enc([1, ["pos", "north", 121.0, None, None, None, now]]),  # wrong type
        lambda: enc([1, ["pos", 31.0, 121.0, -5.0, None, None, now]]),  # negative accuracy
        lambda: enc([1, ["pos", math.nan, 121.0, None, None, None, now]]),  # NaN
        lambda: enc([1, ["pos", 31.0, math.inf, None, None, None, now]]),  # infinity
        lambda: enc([1, ["pos", 31.0, 121.0, None, None, None, now + 86400]]),  # from the future
        lambda: enc([1, ["receipt", 1, OID, "rejected", now, 0, ""]]),  # rejection, no reason
        lambda: enc([1, ["feedback", 1, None, "x", now, b"GIF89a"]]),  # photo not a JPEG
        lambda: enc([rng.randrange(2, 1000), ["hb", 1, now]]),  # unknown version
        lambda: enc([1, [rng.choice(["", "exec", "pos\x00", "HB"]), 1]]),  # unknown tag
        lambda: enc([1, ["hb", 1, now, 1, 2, 3]]),  # extra fields
        lambda: enc([1, ["hb", -1, now]]),  # out of range
        lambda: enc({"v": 1, "m": ["hb", 1, now]}),  # wrong container
        lambda: enc([1, ["hello", "x" * 1000, now]]),  # string too long
        lambda: enc([1]),  # missing body
        lambda: enc(2**64 - 1),  # not an array at all
        lambda: b"\x92\x01\x93\xa2" + rng.randbytes(2) + b"\x01\x01",  # invalid UTF-8 tag
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


def test_fuzzed_terminal_is_counted_and_others_flow_on(
    node: HubNode, store: Store, port: SituationPort, fleet_of: FleetFactory
) -> None:
    fleet, members = fleet_of(11)
    fuzzer, honest = members[0], members[1:]
    on_fleet(fleet, lambda: fleet.set_online(fuzzer, False))  # its key, our own socket
    assert wait_until(lambda: all(m.session.epoch for m in honest))
    frames = bad_frames(random.Random(7), N_BAD)

    ctx = zmq.Context()
    s = dealer(ctx, fuzzer.key, node.link.endpoint)
    s.setsockopt(zmq.SNDHWM, 0)
    s.setsockopt(zmq.RCVHWM, 0)
    ids: list[str] = []
    try:
        assert wait_until(lambda: s.poll(10, zmq.POLLOUT) != 0)
        s.send(p.encode_terminal(p.Hello(app="fuzz", t=time.time())))
        assert s.poll(5000)  # welcomed: an enrolled, trusted terminal
        assert isinstance(p.decode_hub(s.recv()), p.Welcome)
        for k, msg in enumerate(frames):
            s.send_multipart(msg)
            if k == N_BAD // 2:  # mid-flood the command room sends orders to the others
                ids = add_orders(store, make_incident(store), [m.key.unit for m in honest])
                node.link.kick()
            if k % 2000 == 0:
                fleet.call(lambda: [m.session.position(LAT0, LON0, 4.0, 2.0, 90.0) for m in honest])
        assert wait_until(
            lambda: node.link.stats.invalid_by_sender[fuzzer.key.unit] >= N_BAD, timeout=120
        )
        assert node.link.stats.invalid_by_sender[fuzzer.key.unit] == N_BAD  # each counted once
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
            m = p.decode_hub(s.recv())
            pong = m if isinstance(m, p.Pong) else None
        assert pong is not None and pong.seq == 99
    finally:
        s.close(0)
        ctx.term()
    # honest terminals: every order delivered, positions applied throughout
    from tests.link.test_delivery import _delivered

    assert wait_until(lambda: _delivered(store, ids))
    for m in honest:
        assert len(m.session.executed) == 1
        assert port.situation.fix_t[port.situation.index[m.key.unit]] > 0
    assert node.link.stats.invalid_by_sender.keys() == {fuzzer.key.unit}
