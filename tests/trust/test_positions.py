"""Fixes that must not be drawn as truth (issue 13, 6): stamped in the future, outside the
district, or an impossible jump; none may pin a unit or hide the real fixes after it.

First the gate itself (console.link.posbatch.PositionGate), then the link on real CURVE
sockets: an enrolled terminal sends the fixes that pinned a unit at (0, 0) for minutes.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest
import zmq

from console.link import protocol as p
from console.link.hubport import SituationPort
from console.link.keys import TerminalKey, load_or_create_hub_keys
from console.link.node import HubNode
from console.link.posbatch import FUTURE, OK, OUTSIDE, SPEED, DistrictArea, PositionGate
from console.store.db import Store
from tests.link.helpers import LAT0, LON0, enroll_fleet, make_store, wait_until

NOW = 1_780_000_000.0
SQUARE = [(LON0 - 0.02, LAT0 - 0.02), (LON0 + 0.02, LAT0 - 0.02), (LON0 + 0.02, LAT0 + 0.02),
          (LON0 - 0.02, LAT0 + 0.02)]  # fmt: skip
DEG_M = 110_574.0


def _one(gate: PositionGate, unit: int, lon: float, lat: float, t: float, now: float = NOW) -> int:
    res = gate.check(np.array([unit]), np.array([lon]), np.array([lat]), np.array([t]), now)
    return int(res.code[0])


def test_fixes_stamped_ahead_are_refused_or_filed_at_the_hub_clock() -> None:
    gate = PositionGate(DistrictArea([SQUARE]))
    assert _one(gate, 0, 0.0, 0.0, NOW + 290) == FUTURE  # the fix that pinned a unit
    res = gate.check(np.array([1]), np.array([LON0]), np.array([LAT0]), np.array([NOW + 8]), NOW)
    assert res.all_ok and res.t[0] == NOW  # within the tolerance, but filed as taken now
    # so the next real fix, a second later by the terminal's (slow) clock, is not "older"
    assert _one(gate, 1, LON0, LAT0 + 1e-4, NOW + 1, NOW + 1.5) == OK


def test_fixes_outside_the_district_and_its_margin_are_refused() -> None:
    gate = PositionGate(DistrictArea([SQUARE], margin_m=2000.0))
    east_edge = LON0 + 0.02
    km = 1.0 / (DEG_M * np.cos(np.radians(LAT0))) * 1000
    assert _one(gate, 0, 0.0, 0.0, NOW) == OUTSIDE
    assert _one(gate, 1, east_edge + 1.0 * km, LAT0, NOW) == OK  # a kilometre out: still ours
    assert _one(gate, 2, east_edge + 3.0 * km, LAT0, NOW) == OUTSIDE
    assert _one(gate, 3, LON0, LAT0 + 0.5, NOW) == OUTSIDE


def test_an_impossible_jump_is_refused_but_a_real_move_is_believed_after_three_fixes() -> None:
    gate = PositionGate(DistrictArea([SQUARE]))
    assert _one(gate, 0, LON0, LAT0, NOW) == OK
    far = LAT0 + 0.015  # 1.7 km in one second
    assert _one(gate, 0, LON0, far, NOW + 1) == SPEED
    assert _one(gate, 0, LON0, LAT0 + 2e-4, NOW + 2) == OK  # the spike hid nothing
    assert gate.refused == {"speed": 1}
    # the believed fix was the wrong one: three fixes agreeing with each other win
    gate2 = PositionGate(DistrictArea([SQUARE]))
    assert _one(gate2, 5, LON0 - 0.015, LAT0, NOW) == OK  # a stale fix from the depot
    codes = [_one(gate2, 5, LON0 + 0.015, LAT0 + k * 1e-4, NOW + 1 + k) for k in range(4)]
    assert codes == [SPEED, SPEED, OK, OK]


def test_a_batch_is_judged_per_unit_and_each_units_newest_fix_is_kept() -> None:
    gate = PositionGate(DistrictArea([SQUARE]))
    idx = np.array([0, 1, 0, 2, 1])
    lon = np.array([LON0, LON0, LON0, 0.0, LON0])
    lat = np.array([LAT0, LAT0, LAT0 + 1e-4, 0.0, LAT0 + 0.5])
    t = np.array([NOW, NOW, NOW + 1, NOW, NOW + 1])
    res = gate.check(idx, lon, lat, t, NOW + 1)
    assert res.code.tolist() == [OK, OK, OK, OUTSIDE, OUTSIDE]
    assert gate.lat[0] == LAT0 + 1e-4 and gate.t[0] == NOW + 1
    assert np.isnan(gate.t[2])  # nothing believed of unit 2 yet


# ------------------------------------------------------------------ on real sockets


@pytest.fixture
def link(tmp_path: Path) -> Iterator[tuple[HubNode, SituationPort, TerminalKey, Store]]:
    store = make_store(tmp_path / "hub.sqlite3", 4)
    keys = load_or_create_hub_keys(tmp_path / "hubkeys")
    (term, *_) = enroll_fleet(store, 4, keys.public)
    port = SituationPort.from_store(store)
    node = HubNode(store, keys, "tcp://127.0.0.1:0", port=port).start()
    yield node, port, term, store
    node.stop()
    store.close()


def _terminal(
    ctx: zmq.Context[zmq.Socket[bytes]], key: TerminalKey, endpoint: str
) -> zmq.Socket[bytes]:
    s = ctx.socket(zmq.DEALER)
    s.curve_secretkey = key.keys.secret.encode()
    s.curve_publickey = key.keys.public.encode()
    s.curve_serverkey = key.hub_public.encode()
    s.linger = 0
    s.connect(endpoint)
    return s


def _fix(lon: float, lat: float, t: float) -> bytes:
    return p.encode_terminal(
        p.Position(lat=lat, lon=lon, accuracy=5.0, speed=0.0, heading=0.0, t=t)
    )


def _refusals(s: zmq.Socket[bytes], until: float) -> list[str]:
    out: list[str] = []
    while time.monotonic() < until and s.poll(100):
        msg = p.decode_hub(s.recv())
        if isinstance(msg, p.Refused):
            out.append(msg.reason)
    return out


def test_a_fix_from_the_future_at_zero_zero_neither_shows_nor_pins_the_unit(
    link: tuple[HubNode, SituationPort, TerminalKey, Store],
) -> None:
    node, port, term, _ = link
    sit = port.situation
    i = sit.index[term.unit]
    home = (float(sit.lon[i]), float(sit.lat[i]))
    ctx = zmq.Context()
    s = _terminal(ctx, term, node.link.endpoint)
    try:
        s.send(_fix(0.0, 0.0, time.time() + 290))  # the broken GNSS of the issue
        assert wait_until(lambda: node.link.stats.positions >= 1)
        assert (float(sit.lon[i]), float(sit.lat[i])) == home and sit.fix_t[i] == 0.0
        refused = _refusals(s, time.monotonic() + 5)
        assert any("ahead of the hub clock" in r for r in refused), refused
        # the real fixes that follow are believed at once (not minutes later)
        for k in range(3):
            s.send(_fix(LON0 + 0.001, LAT0 + 1e-4 * k, time.time()))
        assert wait_until(lambda: port.applied >= 3)
        assert abs(float(sit.lat[i]) - (LAT0 + 2e-4)) < 1e-9
        # a fix far outside the district is refused and never drawn
        s.send(_fix(LON0, LAT0 + 0.5, time.time()))
        assert wait_until(lambda: node.link.stats.positions_refused["outside"] == 1)
        assert abs(float(sit.lat[i]) - (LAT0 + 2e-4)) < 1e-9
        assert node.link.stats.positions_refused["future"] == 1
        assert node.link.stats.invalid["invalid"] == 2  # counted and logged like other refusals
    finally:
        s.close(0)
        ctx.term()
