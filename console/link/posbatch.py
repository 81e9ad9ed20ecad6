"""Position frames checked and decoded a whole batch at a time, with numpy.

Positions are nearly all the link's traffic (every terminal, every second), and
per frame the msgspec decoder is cheap but the Python around it is not.  A
:class:`~console.link.protocol.Position` as msgspec (and so every terminal
built on :mod:`console.link.protocol`) encodes it has one of eight byte layouts::

    92 01 97 a3 "pos"  cb <lat>  cb <lon>  (cb <f64> | c0) x 3  cb <t>

(``[1, ["pos", lat, lon, accuracy, speed, heading, t]]``; each optional field
is a float64 or nil).  :func:`decode_positions` checks a batch of frames
against exactly that grammar and the schema's ranges in a few array
operations and returns the frames it accepted with their values.  It only
accepts what :func:`~console.link.protocol.decode_terminal` would accept with
the same values; anything else (another layout, other number encodings, out
of range, NaN, another version, another message) is left to the caller, who
decodes it the ordinary way and so refuses it with the ordinary reason.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

from console.link import protocol as p

HEAD = bytes([0x92, p.PROTOCOL_VERSION, 0x97, 0xA3]) + b"pos"
"""``[1, [`` + the tag: a 2-array, the version, a 7-array, the 3-character string ``pos``."""
F64 = 0xCB
NIL = 0xC0
LENGTHS = frozenset(len(HEAD) + 9 * 3 + k * 9 + (3 - k) for k in range(4))
"""Frame lengths a position can have in this layout (37, 45, 53, 61 bytes)."""

_HEAD = np.frombuffer(HEAD, dtype=np.uint8)
_OPTIONAL = (  # (low, high, high is exclusive) for accuracy, speed, heading
    (0.0, 100_000.0, False),
    (0.0, 150.0, False),
    (0.0, 360.0, True),
)
_BYTES8 = np.arange(8)

Floats = npt.NDArray[np.float64]
Mask = npt.NDArray[np.bool_]


def _f64(b: npt.NDArray[np.uint8], rows: npt.NDArray[np.intp], at: npt.NDArray[np.intp]) -> Floats:
    """The big-endian float64 at byte offset ``at[i]`` of row ``rows[i]`` (clipped to the row)."""
    cols = np.minimum(at[:, None] + _BYTES8, b.shape[1] - 1)
    raw = np.ascontiguousarray(b[rows[:, None], cols])
    return raw.view(">f8").ravel().astype(np.float64)


def _group(b: npt.NDArray[np.uint8]) -> tuple[Mask, Floats, Floats, Floats]:
    """Check and decode frames of one length (rows of ``b``): ok, lat, lon, t."""
    n, width = b.shape
    rows = np.arange(n)
    ok = (b[:, : len(HEAD)] == _HEAD).all(axis=1)
    at = np.full(n, len(HEAD), dtype=np.intp)
    lat = _f64(b, rows, at + 1)
    ok &= b[:, len(HEAD)] == F64
    ok &= (lat >= -90.0) & (lat <= 90.0)  # NaN fails every comparison
    at += 9
    lon = _f64(b, rows, at + 1)
    ok &= b[:, len(HEAD) + 9] == F64
    ok &= (lon >= -180.0) & (lon <= 180.0)
    at += 9
    for low, high, open_high in _OPTIONAL:
        marker = b[rows, np.minimum(at, width - 1)]
        is_f64 = marker == F64
        v = _f64(b, rows, at + 1)
        in_range = (v >= low) & ((v < high) if open_high else (v <= high))
        ok &= (marker == NIL) | (is_f64 & in_range)
        at += np.where(is_f64, 9, 1)
    ok &= at + 9 == width  # t is the last field and fills the frame exactly
    ok &= b[rows, np.minimum(at, width - 1)] == F64
    t = _f64(b, rows, at + 1)
    ok &= (t >= 0.0) & (t <= 4.0e9)
    return ok, lat, lon, t


def _col_f64(b: npt.NDArray[np.uint8], at: int) -> Floats:
    """The big-endian float64 at the same byte offset ``at`` of every row (a plain slice)."""
    return np.ascontiguousarray(b[:, at : at + 8]).view(">f8").ravel().astype(np.float64)


def _uniform(b: npt.NDArray[np.uint8], present: bool) -> tuple[Mask, Floats, Floats, Floats]:
    """:func:`_group` for the two layouts whose offsets are fixed: every optional field
    a float64 (61 bytes, what terminals send) or every one nil (37 bytes).

    Slices instead of per-row gathers; the same checks, the same results.
    """
    h = len(HEAD)
    ok = (b[:, :h] == _HEAD).all(axis=1)
    ok &= b[:, h] == F64
    lat = _col_f64(b, h + 1)
    ok &= (lat >= -90.0) & (lat <= 90.0)  # NaN fails every comparison
    ok &= b[:, h + 9] == F64
    lon = _col_f64(b, h + 10)
    ok &= (lon >= -180.0) & (lon <= 180.0)
    at = h + 18
    for low, high, open_high in _OPTIONAL:
        if present:
            ok &= b[:, at] == F64
            v = _col_f64(b, at + 1)
            ok &= (v >= low) & ((v < high) if open_high else (v <= high))
            at += 9
        else:
            ok &= b[:, at] == NIL
            at += 1
    ok &= b[:, at] == F64
    t = _col_f64(b, at + 1)
    ok &= (t >= 0.0) & (t <= 4.0e9)
    return ok, lat, lon, t


_ALL_PRESENT = len(HEAD) + 9 * 6
_NONE_PRESENT = len(HEAD) + 9 * 3 + 3


def decode_positions(frames: list[bytes]) -> tuple[Mask, Floats, Floats, Floats]:
    """Check and decode a batch of frames as positions: (accepted, lat, lon, t).

    ``accepted[i]`` says frame ``i`` is a valid protocol-version position in
    msgspec's layout; the values of the others are meaningless and those
    frames must be decoded one by one.
    """
    n = len(frames)
    ok = np.zeros(n, dtype=np.bool_)
    lat = np.zeros(n, dtype=np.float64)
    lon = np.zeros(n, dtype=np.float64)
    t = np.zeros(n, dtype=np.float64)
    lens = np.fromiter(map(len, frames), dtype=np.intp, count=n)
    for width in sorted(LENGTHS):
        sel = np.flatnonzero(lens == width)
        if sel.size == 0:
            continue
        group = frames if sel.size == n else [frames[i] for i in sel.tolist()]
        b = np.frombuffer(b"".join(group), dtype=np.uint8).reshape(sel.size, width)
        if width in (_ALL_PRESENT, _NONE_PRESENT):
            ok[sel], lat[sel], lon[sel], t[sel] = _uniform(b, width == _ALL_PRESENT)
        else:
            ok[sel], lat[sel], lon[sel], t[sel] = _group(b)
    return ok, lat, lon, t
