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

:class:`PositionGate` then decides which decoded fixes are believed (time
not ahead of the hub, inside the district plus a margin, no impossible jump),
for the link and for any other source of fixes the hub takes in.
"""

from __future__ import annotations

import math
from typing import Any

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


# ---------------------------------------------------------------------- plausibility


FUTURE_TOLERANCE_S = 10.0
"""How far ahead of the hub's clock a fix may be stamped (clock skew); later ones are refused,
and accepted ones are counted as taken *now*, so no fix can hide the real ones after it."""
DISTRICT_MARGIN_M = 2000.0
"""How far outside the district outline a fix is still believed (a unit crossing the
boundary, a detour); the grid that answers it is exact to about a tenth of a cell."""
MAX_SPEED_MPS = 70.0
"""Fastest plausible movement between two fixes (252 km/h: no unit drives faster)."""
JUMP_SLACK_M = 300.0
"""Distance always allowed between fixes, whatever the time between them (GNSS jitter)."""
CONFIRM_FIXES = 3
"""Consecutive fixes that agree with each other but not with the last believed one, after
which they are believed (the unit really is there: the old fix was the wrong one)."""
GRID_CELL_M = 100.0

OK, FUTURE, OUTSIDE, SPEED = 0, 1, 2, 3
GATE_CODES = {FUTURE: "future", OUTSIDE: "outside", SPEED: "speed"}


class DistrictArea:
    """Whether points lie inside the district outline(s) plus a margin.

    Answered from a grid of cells (100 m, coarser for huge districts) marked once
    at start, so a batch of 8,000 fixes costs a few array operations, not a
    polygon test each.
    """

    def __init__(
        self, outlines: list[list[tuple[float, float]]], margin_m: float = DISTRICT_MARGIN_M
    ) -> None:
        import shapely

        rings = [np.asarray(o, dtype=np.float64) for o in outlines if len(o) >= 3]
        if not rings:
            raise ValueError("a district area needs at least one outline of three points")
        pts = np.concatenate(rings)
        self.lon0 = float((pts[:, 0].min() + pts[:, 0].max()) / 2)
        self.lat0 = float((pts[:, 1].min() + pts[:, 1].max()) / 2)
        self.kx = math.cos(math.radians(self.lat0)) * 111_320.0
        self.ky = 110_574.0
        geoms = [
            shapely.make_valid(
                shapely.Polygon(
                    np.c_[(r[:, 0] - self.lon0) * self.kx, (r[:, 1] - self.lat0) * self.ky]
                )
            )
            for r in rings
        ]
        area = shapely.union_all(geoms).buffer(margin_m)
        minx, miny, maxx, maxy = area.bounds
        self.cell = max(GRID_CELL_M, (maxx - minx) / 2048.0, (maxy - miny) / 2048.0)
        self.x0, self.y0 = minx, miny
        nx = max(1, math.ceil((maxx - minx) / self.cell))
        ny = max(1, math.ceil((maxy - miny) / self.cell))
        cx = minx + (np.arange(nx) + 0.5) * self.cell
        cy = miny + (np.arange(ny) + 0.5) * self.cell
        gx, gy = np.meshgrid(cx, cy)
        shapely.prepare(area)
        self.grid = shapely.contains_xy(area, gx, gy).reshape(ny, nx)

    def contains(self, lon: Floats, lat: Floats) -> Mask:
        """True where (lon, lat) lies within the outline plus the margin."""
        ix = np.floor(((lon - self.lon0) * self.kx - self.x0) / self.cell)
        iy = np.floor(((lat - self.lat0) * self.ky - self.y0) / self.cell)
        ny, nx = self.grid.shape
        inside = (ix >= 0) & (ix < nx) & (iy >= 0) & (iy < ny)
        out = np.zeros(lon.shape, dtype=np.bool_)
        sel = np.flatnonzero(inside)
        out[sel] = self.grid[iy[sel].astype(np.intp), ix[sel].astype(np.intp)]
        return out


def _metres(lon1: Floats, lat1: Floats, lon2: Floats, lat2: Floats) -> Floats:
    """Distance in metres (equirectangular at the first point's mean latitude: exact enough
    for plausibility at city scale, and one cosine per batch)."""
    finite = lat1[np.isfinite(lat1)]
    k = math.cos(math.radians(float(finite.mean()) if finite.size else 0.0)) * 111_320.0
    return np.asarray(np.hypot((lon1 - lon2) * k, (lat1 - lat2) * 110_574.0), dtype=np.float64)


class GateResult:
    """Per fix: believed or not (``code``: 0 or FUTURE / OUTSIDE / SPEED), and the time to
    file a believed fix under (its own, or the hub's clock if it was stamped ahead)."""

    def __init__(self, ok: Mask, t: Floats, code: npt.NDArray[np.uint8]) -> None:
        self.ok = ok
        self.t = t
        self.code = code

    @property
    def all_ok(self) -> bool:
        return bool(self.ok.all())


class PositionGate:
    """Decides which fixes are believed, before any reaches the live situation.

    Refused, and never drawn: fixes stamped more than ``future_s`` ahead of the
    hub's clock; fixes outside the district plus ``margin_m``; fixes implying a
    speed above ``max_speed`` from the unit's last believed fix (unless
    ``confirm`` consecutive fixes agree with each other: then the unit really
    moved and they are believed).  Believed fixes stamped ahead are filed at the
    hub's clock, so a clock running fast can never pin a unit or hide the fixes
    after it.  Qt-free and thread-compatible (one caller at a time, e.g. the
    link thread, or the hub under its position lock).  Units are situation indices.
    """

    def __init__(
        self,
        area: DistrictArea | None = None,
        *,
        future_s: float = FUTURE_TOLERANCE_S,
        max_speed: float = MAX_SPEED_MPS,
        slack_m: float = JUMP_SLACK_M,
        confirm: int = CONFIRM_FIXES,
    ) -> None:
        self.area = area
        self.future_s = future_s
        self.max_speed = max_speed
        self.slack_m = slack_m
        self.confirm = confirm
        self.lon = np.zeros(0, dtype=np.float64)
        self.lat = np.zeros(0, dtype=np.float64)
        self.t = np.zeros(0, dtype=np.float64)
        """Last believed fix per unit (t = NaN: none yet)."""
        self._cand: dict[int, tuple[float, float, float, int]] = {}
        """Per unit: the newest disbelieved-for-speed fix (lon, lat, t) and how many agree."""
        self.refused: dict[str, int] = {}

    @classmethod
    def from_store(cls, store: Any, **kw: Any) -> PositionGate:
        """A gate on the outlines of every district in ``store`` (no district: no area check)."""
        from sqlalchemy import select

        from console.store.models import DistrictRow

        with store.session() as s:
            outlines = [list(map(tuple, o)) for o in s.scalars(select(DistrictRow.outline)) if o]
        return cls(DistrictArea(outlines) if outlines else None, **kw)

    def _grow(self, n: int) -> None:
        if n <= self.t.size:
            return
        add = max(n, 2 * self.t.size) - self.t.size
        self.lon = np.concatenate([self.lon, np.zeros(add)])
        self.lat = np.concatenate([self.lat, np.zeros(add)])
        self.t = np.concatenate([self.t, np.full(add, np.nan)])

    def check(
        self, idx: npt.NDArray[np.int64], lon: Floats, lat: Floats, t: Floats, now: float
    ) -> GateResult:
        """Judge a batch of fixes (unit index, lon, lat, time) at hub time ``now``."""
        n = idx.size
        code = np.zeros(n, dtype=np.uint8)
        if n == 0:
            return GateResult(np.ones(0, dtype=np.bool_), t, code)
        self._grow(int(idx.max()) + 1)
        code[t > now + self.future_s] = FUTURE
        t_eff = np.minimum(t, now)
        if self.area is not None:
            code[(code == OK) & ~self.area.contains(lon, lat)] = OUTSIDE
        ref_t = self.t[idx]
        dist = _metres(lon, lat, self.lon[idx], self.lat[idx])
        with np.errstate(invalid="ignore"):
            fast = dist > self.max_speed * np.abs(t_eff - ref_t) + self.slack_m
        code[(code == OK) & fast & np.isfinite(ref_t)] = SPEED
        if (code == SPEED).any():
            self._confirm(code, idx, lon, lat, t_eff)
        ok = code == OK
        self._remember(ok, idx, lon, lat, t_eff)
        if not ok.all():
            for c, k in zip(*np.unique(code[~ok], return_counts=True), strict=True):
                name = GATE_CODES[int(c)]
                self.refused[name] = self.refused.get(name, 0) + int(k)
        return GateResult(ok, t_eff, code)

    def _confirm(
        self,
        code: npt.NDArray[np.uint8],
        idx: npt.NDArray[np.int64],
        lon: Floats,
        lat: Floats,
        t: Floats,
    ) -> None:
        """Believe a unit's fast fixes once ``confirm`` of them in a row agree with each other."""
        for i in sorted(np.flatnonzero(code == SPEED).tolist(), key=lambda j: t[j]):
            u = int(idx[i])
            c = self._cand.get(u)
            x, y, ti = float(lon[i]), float(lat[i]), float(t[i])
            agree = 0
            if c is not None:
                d = float(
                    _metres(np.array([x]), np.array([y]), np.array([c[0]]), np.array([c[1]]))[0]
                )
                if d <= self.max_speed * abs(ti - c[2]) + self.slack_m:
                    agree = c[3]
            if agree + 1 >= self.confirm:
                code[i] = OK
                self._cand.pop(u, None)
                self.t[u] = np.nan  # the next reference is this fix (set by _remember)
            else:
                self._cand[u] = (x, y, ti, agree + 1)

    def _remember(
        self, ok: Mask, idx: npt.NDArray[np.int64], lon: Floats, lat: Floats, t: Floats
    ) -> None:
        """Each unit's newest believed fix becomes its reference (if newer than the one held)."""
        sel = np.flatnonzero(ok)
        if sel.size == 0:
            return
        u, tt = idx[sel], t[sel]
        best = np.full(self.t.size, -np.inf)
        np.maximum.at(best, u, tt)
        top = sel[tt == best[u]]  # each unit's newest (ties: the same time, any of them)
        units = idx[top]
        newer = ~(t[top] < self.t[units])  # NaN reference: newer
        units, top = units[newer], top[newer]
        self.lon[units] = lon[top]
        self.lat[units] = lat[top]
        self.t[units] = t[top]
        if self._cand:
            for v in units.tolist():
                self._cand.pop(v, None)

    def reason(self, code: int, lon: float, lat: float, t: float, now: float) -> str:
        """The refusal text a terminal (and the log) gets for one disbelieved fix."""
        if code == FUTURE:
            return (
                f"position time is {t - now:.0f} s ahead of the hub clock "
                f"(at most {self.future_s:.0f} s allowed): check the terminal's clock"
            )
        if code == OUTSIDE:
            return f"position ({lon:.5f}, {lat:.5f}) is outside the district"
        return f"position ({lon:.5f}, {lat:.5f}) implies an impossible speed since the last fix"
