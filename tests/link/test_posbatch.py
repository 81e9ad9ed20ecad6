"""The batch position decoder accepts only what the ordinary one does, with the same values."""

from __future__ import annotations

import itertools
import random

import msgspec
import numpy as np

from console.link import protocol as p
from console.link.posbatch import LENGTHS, decode_positions

T0 = 1.7e9
V = p.PROTOCOL_VERSION
EDGES = [-1e300, -400.0, -180.0, -90.0, -0.0, 0.0, 5e-324, 90.0, 150.0, 150.5, 180.0]
EDGES += [359.999, 360.0, 1e5, 1e5 + 1, 4e9, 4e9 + 1, float("nan"), float("inf"), -float("inf")]


def ordinary(frame: bytes) -> p.Position | None:
    try:
        msg = p.decode_terminal(frame)
    except p.ProtocolError:
        return None
    return msg if isinstance(msg, p.Position) else None


def check_agrees(frames: list[bytes]) -> np.ndarray:
    ok, lat, lon, t = decode_positions(frames)
    for i, f in enumerate(frames):
        if ok[i]:
            m = ordinary(f)
            assert m is not None, f.hex()
            assert (m.lat, m.lon, m.t) == (lat[i], lon[i], t[i])
    return ok


def test_every_layout_of_a_valid_position_is_taken() -> None:
    frames = [
        p.encode_terminal(
            p.Position(lat=31.2, lon=121.4, accuracy=acc, speed=spd, heading=hdg, t=T0 + k)
        )
        for k, (acc, spd, hdg) in enumerate(
            itertools.product((None, 4.0), (None, 0.0), (None, 359.5))
        )
    ]
    assert {len(f) for f in frames} == LENGTHS
    ok, lat, lon, t = decode_positions(frames)
    assert ok.all()
    assert np.all(lat == 31.2) and np.all(lon == 121.4)
    assert list(t) == [T0 + k for k in range(8)]


def test_random_and_damaged_frames_never_accepted_beyond_the_ordinary_decoder() -> None:
    rnd = random.Random(7)
    enc = msgspec.msgpack.Encoder()
    frames: list[bytes] = []
    for _ in range(5000):
        f: list[object] = [
            rnd.choice(EDGES) if rnd.random() < 0.2 else rnd.uniform(0.0, 80.0) for _ in range(6)
        ]
        for k in (2, 3, 4):
            if rnd.random() < 0.3:
                f[k] = None
        if rnd.random() < 0.03:
            f[0] = 31  # an int where msgspec writes a float: left to the ordinary decoder
        data = enc.encode([V if rnd.random() < 0.97 else V + 1, ["pos", *f]])
        if rnd.random() < 0.05:
            b = bytearray(data)
            b[rnd.randrange(len(b))] = rnd.randrange(256)
            data = bytes(b)
        frames.append(data)
    frames += [p.encode_terminal(p.Heartbeat(seq=1, t=T0)), frames[0][:-1], frames[1] + b"\0"]
    ok = check_agrees(frames)
    taken = sum(ordinary(f) is not None for f in frames)
    assert 0 < ok.sum() <= taken
    assert not ok[-3:].any()  # another message, a cut frame, a frame with a trailing byte


def test_out_of_range_values_are_left_for_the_ordinary_refusal() -> None:
    enc = msgspec.msgpack.Encoder()
    frames = [
        enc.encode([V, ["pos", 91.0, 121.0, 5.0, 1.0, 1.0, T0]]),
        enc.encode([V, ["pos", 31.0, 121.0, 5.0, 1.0, 360.0, T0]]),
        enc.encode([V, ["pos", 31.0, 121.0, -1.0, None, None, T0]]),
        enc.encode([V, ["pos", 31.0, float("nan"), None, None, None, T0]]),
        enc.encode([V + 1, ["pos", 31.0, 121.0, None, None, None, T0]]),  # another version
        enc.encode([V, ["hb", 31.0, 121.0, None, None, None, T0]]),
    ]
    ok, *_ = decode_positions(frames)
    assert not ok.any()
    assert all(ordinary(f) is None for f in frames)


def test_empty_batch() -> None:
    ok, lat, lon, t = decode_positions([])
    assert ok.size == lat.size == lon.size == t.size == 0


def test_fixed_layout_fast_path_agrees_with_the_general_one() -> None:
    """The slice-based path for 37- and 61-byte frames gives exactly the gather path's result."""
    from console.link.posbatch import _group, _uniform

    rnd = random.Random(11)
    for width, present in ((61, True), (37, False)):
        rows = []
        for _ in range(2000):
            opt = [rnd.uniform(0.0, 400.0) if present else None for _ in range(3)]
            data = msgspec.msgpack.encode(
                [V, ["pos", rnd.uniform(-95, 95), rnd.uniform(-185, 185), *opt, T0]]
            )
            assert len(data) == width  # msgspec writes every float as a float64
            b = bytearray(data)
            if rnd.random() < 0.3:
                b[rnd.randrange(width)] = rnd.randrange(256)  # damage one byte
            rows.append(bytes(b))
        arr = np.frombuffer(b"".join(rows), dtype=np.uint8).reshape(len(rows), width)
        fast, general = _uniform(arr, present), _group(arr)
        assert np.array_equal(fast[0], general[0])
        assert fast[0].any() and not fast[0].all()
        for a, g in zip(fast[1:], general[1:], strict=True):
            assert np.array_equal(a[fast[0]], g[general[0]])
