"""Tracking small moving blobs from frame to frame.

Greedy nearest-neighbour association with a prediction per track: constant
velocity for young tracks, a fitted parabola (what a falling object follows)
once a track has a few points.  Cheap enough for dozens of blobs a frame, and
a thrown object is never more than a few tracks at once.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np


@dataclass(frozen=True)
class Blob:
    """A connected foreground component (process pixels)."""

    x: float
    y: float
    area: float
    w: int
    h: int


@dataclass
class Track:
    """The positions of one moving thing: (t, x, y, area) per frame it was seen."""

    id: int
    t: list[float] = field(default_factory=list)
    x: list[float] = field(default_factory=list)
    y: list[float] = field(default_factory=list)
    area: list[float] = field(default_factory=list)
    frames: list[int] = field(default_factory=list)
    missed: int = 0
    reported: bool = False

    def add(self, t: float, frame: int, b: Blob) -> None:
        self.t.append(t)
        self.x.append(b.x)
        self.y.append(b.y)
        self.area.append(b.area)
        self.frames.append(frame)
        self.missed = 0

    def __len__(self) -> int:
        return len(self.t)

    def predict(self, t: float, g_px: float) -> tuple[float, float, float]:
        """Expected (x, y) at ``t`` and the extra gate radius its speed calls for (pixels)."""
        n = len(self.t)
        if n == 1:
            return self.x[0], self.y[0], 0.0
        k = min(n, 8)
        ts = np.asarray(self.t[-k:]) - self.t[-1]
        xs = np.asarray(self.x[-k:])
        ys = np.asarray(self.y[-k:])
        dt = t - self.t[-1]
        vx = (xs[-1] - xs[-2]) / max(ts[-1] - ts[-2], 1e-3)
        vy = (ys[-1] - ys[-2]) / max(ts[-1] - ts[-2], 1e-3)
        if k >= 4:
            cy = np.polyfit(ts, ys, 2)
            cx = np.polyfit(ts, xs, 1)
            py = float(np.polyval(cy, dt))
            px = float(np.polyval(cx, dt))
            vx, vy = float(cx[0]), float(cy[1])
        else:
            # half of gravity: a young track may be falling or not
            px = float(xs[-1] + vx * dt)
            py = float(ys[-1] + vy * dt + 0.25 * g_px * dt * dt)
        speed = float(np.hypot(vx, vy))
        return px, py, 0.35 * speed * dt


class Tracker:
    """Associates each frame's blobs with live tracks; returns the tracks that ended."""

    def __init__(self, g_px: float, base_gate: float, start_gate: float, max_miss: int) -> None:
        self.g_px = g_px  # gravity in process pixels per s^2
        self.base_gate = base_gate
        self.start_gate = start_gate  # how far a new track's second sighting may be
        self.max_miss = max_miss
        self.tracks: list[Track] = []
        self._next = 1

    def update(self, t: float, frame: int, blobs: list[Blob], may_start: list[bool]) -> list[Track]:
        """Extend tracks with ``blobs``; unmatched blobs where ``may_start`` open tracks."""
        pairs: list[tuple[float, int, int]] = []
        for ti, tr in enumerate(self.tracks):
            px, py, extra = tr.predict(t, self.g_px)
            gate = (self.start_gate if len(tr) == 1 else self.base_gate) + extra
            gate *= 1 + 0.5 * tr.missed
            for bi, b in enumerate(blobs):
                d = float(np.hypot(b.x - px, b.y - py))
                if d <= gate:
                    pairs.append((d / gate, ti, bi))
        pairs.sort()
        used_t: set[int] = set()
        used_b: set[int] = set()
        for _, ti, bi in pairs:
            if ti in used_t or bi in used_b:
                continue
            used_t.add(ti)
            used_b.add(bi)
            self.tracks[ti].add(t, frame, blobs[bi])
        ended: list[Track] = []
        live: list[Track] = []
        for ti, tr in enumerate(self.tracks):
            if ti not in used_t:
                tr.missed += 1
            (ended if tr.missed > self.max_miss else live).append(tr)
        for bi, b in enumerate(blobs):
            if bi not in used_b and may_start[bi]:
                tr = Track(self._next)
                self._next += 1
                tr.add(t, frame, b)
                live.append(tr)
        self.tracks = live
        return ended

    def flush(self) -> list[Track]:
        """End every live track (end of the video)."""
        out, self.tracks = self.tracks, []
        return out
