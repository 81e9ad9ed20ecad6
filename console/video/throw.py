"""Objects thrown from height (高空抛物): background subtraction, tracking, a gravity test.

Per frame: MOG2 foreground inside the watched region (the facade and the
ground below it), a 3x3 median to drop single pixels and one-pixel rain
streaks, connected components of a plausible size, then tracks.  Tracks are
born only on the facade.  A track is reported when some stretch of it (after
a still part, the object held at a window) falls like a dropped object:

- a parabola y(t) fits it closely and its acceleration, through
  ``metres_per_pixel``, is 9.81 m/s^2 within ``gravity_tolerance``;
- it moves sideways steadily and slowly (x(t) a line, under 5 m/s), which
  birds, insects and drifting leaves do not;
- it drops at least 1.5 m and is still going down at the end.

The release point is where the object was still (held), else the apex of the
fitted parabola if that lies a little before the first sighting, else the
first sighting.  Its floor follows from the height above ``ground_y``.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import cv2
import numpy as np

from console.video.tracking import Blob, Track, Tracker

G = 9.81


@dataclass(frozen=True)
class ThrowParams:
    """What the gravity test needs, in process pixels (see :func:`params_for`)."""

    mpp: float  # metres per process pixel at the facade
    ground_y: float
    floor_height_m: float = 3.0
    gravity_tolerance: float = 0.35
    min_drop_m: float = 1.5
    max_side_speed: float = 5.0  # m/s
    max_side_accel: float = 3.0  # m/s^2
    min_points: int = 5
    min_duration: float = 0.3  # of a track that ended
    early_duration: float = 0.8  # of a track still going (reported while the object falls)
    min_coverage: float = 0.7  # share of the frames of a stretch the object was seen in
    max_fit_s: float = 1.6  # fit at most this much of the fall (air drag grows later)
    max_back_s: float = 0.6  # how far before the first sighting the release may be put
    max_hold_s: float = 1.5  # how far back earlier sightings of the object are looked for


@dataclass(frozen=True)
class ThrowEvent:
    """A detected throw in process pixels (the pipeline scales it to the full frame)."""

    t: float  # release
    frame: int
    release: tuple[float, float]
    floor: int
    height_m: float
    accel_m_s2: float
    fall_m: float
    track: list[tuple[float, float, float]]
    t_detected: float
    frame_detected: int


@dataclass(frozen=True)
class Fit:
    """A stretch of a track that passed the gravity test."""

    start: int
    end: int
    accel: float  # m/s^2
    cy: tuple[float, float, float]  # y = cy0*u^2 + cy1*u + cy2, u from t0
    cx: tuple[float, float]
    t0: float


def analyse(
    tr: Track, p: ThrowParams, inside: object, min_duration: float | None = None
) -> Fit | None:
    """The first stretch of ``tr`` that falls like a dropped object, or None.

    ``inside(x, y)`` says whether a point is on the facade (where a release must be).
    """
    n = len(tr)
    if n < p.min_points:
        return None
    t = np.asarray(tr.t)
    x = np.asarray(tr.x)
    y = np.asarray(tr.y)
    if (y.max() - y.min()) * p.mpp < p.min_drop_m:
        return None
    # drop a still tail (the object lies where it landed)
    end = n
    while end > p.min_points and y[end - 1] - y[end - 2] < 0.5:
        end -= 1
    if not inside(x[0], y[0]):  # type: ignore[operator]
        return None  # born off the facade (the detector only starts tracks on it)
    g_px = G / p.mpp
    for s in range(0, end - p.min_points + 1):
        if abs(y[s + 2] - y[s]) < 0.5 and abs(x[s + 2] - x[s]) < 0.5:
            continue  # still (held at the window): the fall starts later
        e = end
        while e - s > p.min_points and t[e - 1] - t[s] > p.max_fit_s:
            e -= 1
        if t[e - 1] - t[s] < (p.min_duration if min_duration is None else min_duration):
            return None  # later starts only get shorter
        frames = tr.frames[e - 1] - tr.frames[s] + 1
        if (e - s) / frames < p.min_coverage:
            continue  # seen in too few of the frames: a chain of unrelated blobs
        fit = _fit(t[s:e], x[s:e], y[s:e], p, g_px)
        if fit is None:
            continue
        cy, cx, accel = fit
        # the drop over the whole stretch until the tail
        if (y[end - 1] - y[s]) * p.mpp < p.min_drop_m:
            continue
        if not inside(x[s], y[s]):  # type: ignore[operator]
            continue
        return Fit(s, e, accel, cy, cx, float(t[s]))
    return None


def _fit(
    t: np.ndarray, x: np.ndarray, y: np.ndarray, p: ThrowParams, g_px: float
) -> tuple[tuple[float, float, float], tuple[float, float], float] | None:
    u = t - t[0]
    cy = np.polyfit(u, y, 2)
    # one round of outlier rejection: a fragment of the object's ghost at the window,
    # or a blob merged with a passer-by, must not bend the fit
    ry = np.abs(y - np.polyval(cy, u))
    keep = ry <= max(2.0, 3.0 * float(np.median(ry)))
    if not keep.all():
        if keep.sum() < max(p.min_points, 0.8 * len(u)):
            return None
        u, x, y = u[keep], x[keep], y[keep]
        cy = np.polyfit(u, y, 2)
    accel = 2 * cy[0] * p.mpp
    if abs(accel - G) > p.gravity_tolerance * G:
        return None
    ry = y - np.polyval(cy, u)
    drop = y.max() - y.min()
    if float(np.sqrt(np.mean(ry**2))) > max(1.0, 0.03 * drop):
        return None
    # thrown by hand: at the first sighting it moves as a push plus a short fall at most
    v_start = cy[1] * p.mpp
    if not -4.0 <= v_start <= 3.0 + G * p.max_back_s:
        return None
    # the fitted motion must end going down fast enough to be a fall, not a hop
    v_end = 2 * cy[0] * u[-1] + cy[1]
    if v_end * p.mpp < 2.0:
        return None
    cx1 = np.polyfit(u, x, 1)
    cx2 = np.polyfit(u, x, 2)
    if abs(cx1[0]) * p.mpp > p.max_side_speed or abs(2 * cx2[0]) * p.mpp > p.max_side_accel:
        return None
    rx = x - np.polyval(cx1, u)
    if float(np.sqrt(np.mean(rx**2))) > max(1.2, 0.05 * drop):
        return None
    # steps: a fall never goes back up once past its apex
    apex = -cy[1] / (2 * cy[0])
    after = u > apex + 0.05
    if after.sum() >= 3 and np.any(np.diff(y[after]) < -1.5):
        return None
    del g_px
    return (float(cy[0]), float(cy[1]), float(cy[2])), (float(cx1[0]), float(cx1[1])), float(accel)


class ThrowDetector:
    """Finds throws in a stream of steadied grey frames (process pixels)."""

    def __init__(
        self,
        facade: np.ndarray,
        shape: tuple[int, int],
        fps: float,
        params: ThrowParams,
    ) -> None:
        h, w = shape
        self.p = params
        self.fps = fps
        self.facade = facade.astype(np.float32).reshape(-1, 1, 2)
        fx0, fy0, fw, fh = cv2.boundingRect(facade.astype(np.int32))
        margin = max(4, int(0.03 * w))
        # watched: the facade plus the ground below it (the object falls past its foot)
        self.x0 = max(0, fx0 - margin)
        self.x1 = min(w, fx0 + fw + margin)
        self.y0 = max(0, fy0 - margin)
        self.y1 = h
        self.mask = np.zeros((self.y1 - self.y0, self.x1 - self.x0), np.uint8)
        shifted = facade.astype(np.int32) - np.array([self.x0, self.y0], np.int32)
        cv2.fillPoly(self.mask, [shifted], 255)
        below = int(min(fy0 + fh, h)) - self.y0
        self.mask[max(0, below - 2) :, :] = 255
        self.facade_mask = np.zeros_like(self.mask)
        cv2.fillPoly(self.facade_mask, [shifted], 255)
        self.facade_px = max(1, int(cv2.countNonZero(self.facade_mask)))
        # a still object turns into background after about a tenth of the history:
        # 20 s keeps an object held at a window in the foreground for two seconds
        hist = max(60, round(20 * fps))
        self.bg = cv2.createBackgroundSubtractorMOG2(
            history=hist, varThreshold=25, detectShadows=False
        )
        size_px = 1.0 / params.mpp  # one metre
        self.min_area = 3
        self.max_area = max(60.0, (2.0 * size_px) ** 2)
        g_px = G / params.mpp
        self.tracker = Tracker(
            g_px=g_px,
            base_gate=3.0 + 0.02 * size_px,
            # a second sighting may be far: the object can be first seen already falling fast
            start_gate=max(6.0, 12.0 / params.mpp / max(fps, 1.0)),
            max_miss=max(2, round(0.2 * fps)),
        )
        self.frames = 0
        self.flooded = 0
        self.fg_share = 0.0
        self._recent: list[ThrowEvent] = []
        self._ended: list[Track] = []  # tracks that ended lately: earlier sightings of a throw

    def inside(self, x: float, y: float) -> bool:
        """Whether a process-pixel point lies on the facade (2 px slack)."""
        return cv2.pointPolygonTest(self.facade, (float(x), float(y)), True) >= -2.0

    def process(self, gray: np.ndarray, t: float, frame: int) -> list[ThrowEvent]:
        """Feed one steadied grey frame; returns throws recognised on it."""
        self.frames += 1
        roi = gray[self.y0 : self.y1, self.x0 : self.x1]
        fg = self.bg.apply(roi)
        fg = cv2.medianBlur(fg, 3)
        fg = cv2.bitwise_and(fg, self.mask)
        share = cv2.countNonZero(cv2.bitwise_and(fg, self.facade_mask)) / self.facade_px
        self.fg_share = share
        if share > 0.08 or self.frames < 3:
            # a lighting change or a knock the steadier missed: nothing here is trustworthy
            self.flooded += 1
            return []
        n, _labels, stats, cents = cv2.connectedComponentsWithStats(fg, connectivity=8)
        blobs: list[Blob] = []
        starts: list[bool] = []
        for i in range(1, min(n, 400)):
            area = float(stats[i, cv2.CC_STAT_AREA])
            if area < self.min_area or area > self.max_area:
                continue
            bx = float(cents[i, 0]) + self.x0
            by = float(cents[i, 1]) + self.y0
            blobs.append(Blob(bx, by, area, int(stats[i, 2]), int(stats[i, 3])))
            starts.append(self.inside(bx, by))
        if len(blobs) > 150:
            self.flooded += 1
            blobs, starts = [], []
        ended = self.tracker.update(t, frame, blobs, starts)
        self._ended = [e for e in self._ended if t - e.t[-1] < self.p.max_hold_s + 0.5]
        self._ended.extend(e for e in ended if len(e) >= 2)
        out: list[ThrowEvent] = []
        for tr in self.tracker.tracks:
            if not tr.reported and len(tr) >= self.p.min_points and tr.missed == 0:
                ev = self._check(tr, t, frame, self.p.early_duration)
                if ev is not None:
                    out.append(ev)
        for tr in ended:
            if not tr.reported:
                ev = self._check(tr, t, frame)
                if ev is not None:
                    out.append(ev)
        return out

    def finish(self, t: float, frame: int) -> list[ThrowEvent]:
        """End of the video: judge the tracks still open."""
        out = []
        for tr in self.tracker.flush():
            if not tr.reported:
                ev = self._check(tr, t, frame)
                if ev is not None:
                    out.append(ev)
        return out

    def live_tracks(self, min_len: int = 3) -> list[list[tuple[float, float]]]:
        """Polylines of the tracks in progress (process pixels), for overlays."""
        return [
            list(zip(tr.x, tr.y, strict=True)) for tr in self.tracker.tracks if len(tr) >= min_len
        ]

    def _check(
        self, tr: Track, t_now: float, frame_now: int, min_duration: float | None = None
    ) -> ThrowEvent | None:
        fit = analyse(tr, self.p, self.inside, min_duration)
        if fit is None:
            return None
        tr.reported = True
        ev = self._event(tr, fit, t_now, frame_now)
        for old in self._recent:
            near = math.hypot(old.release[0] - ev.release[0], old.release[1] - ev.release[1])
            if abs(old.t - ev.t) < 1.0 and near * self.p.mpp < 2.5:
                return None  # the same object, seen as a second track
        self._recent = [e for e in self._recent if ev.t - e.t < 5.0] + [ev]
        return ev

    def _release(self, tr: Track, fit: Fit) -> tuple[float, float, float]:
        """Release time relative to ``fit.t0`` (<= 0) and the release point.

        Earlier sightings of the object are looked for in this track before the
        fitted stretch and in the other tracks of the last seconds (a held object
        and its first jerky moves often form tracks of their own):

        - *held*: a blob that sat still (three sightings within a pixel) above the
          first moving sighting (or at most a metre below: thrown upwards) and
          beside the path.  The object left it after it was last seen there; its
          position is the release point.  Time is taken
          from the sightings, not from the fitted parabola, whose extrapolation
          back in time is biased by air drag.
        - *moving*: sightings on the fitted path at the fitted time.

        Without a held blob the release is the first moving sighting, or the apex
        of the path if that comes up to ``max_back_s`` before it (a drop from rest).
        """
        p = self.p
        a2, b, c = fit.cy
        d1, d0 = fit.cx
        tol = 2.5 + 0.15 / p.mpp
        rise = 1.5 + 1.0 / p.mpp  # a hand throws up at most about 1 m (4-4.5 m/s)
        own = Track(tr.id, tr.t[: fit.start], tr.x[: fit.start], tr.y[: fit.start])
        others = [o for o in [*self._ended, *self.tracker.tracks] if o is not tr]
        first_u, first_x, first_y = 0.0, tr.x[fit.start], tr.y[fit.start]
        apex = -b / (2 * a2) if a2 > 0 else 0.0
        # before its apex the path rises for at most what a hand throw gives (4 m/s: 0.4 s);
        # further back the parabola comes down again, which no thrown object did
        earliest = max(-p.max_hold_s, min(0.0, apex - 0.45))
        still_pts: list[tuple[float, float, float]] = []  # (time, x, y)
        for o in [own, *others]:
            for k in range(len(o.t)):
                ui = o.t[k] - fit.t0
                if not -p.max_hold_s <= ui < 0:
                    continue
                x, y = o.x[k], o.y[k]
                # still: two more sightings within a pixel among the two before and the
                # two after (an object passing its apex is still for a frame or two only)
                near = sum(
                    abs(o.x[m] - x) < 1.0 and abs(o.y[m] - y) < 1.0
                    for m in range(max(0, k - 2), min(len(o.t), k + 3))
                    if m != k
                )
                if near >= 2:
                    still_pts.append((ui, x, y))
                    continue
                on_path = abs(d1 * ui + d0 - x) <= tol and abs(a2 * ui * ui + b * ui + c - y) <= tol
                if on_path and earliest <= ui < first_u:
                    first_u, first_x, first_y = ui, x, y
        # held: before the first moving sighting, above it (or a metre below: thrown
        # upwards) and beside the path near its top
        held = [
            (ui, x, y)
            for ui, x, y in still_pts
            if ui < first_u
            and y <= first_y + rise
            and first_y - y <= tol + _drop_px(first_u - ui, p.mpp)
            and abs(x - first_x) <= tol + abs(d1) * (first_u - ui)
        ]
        if held:
            last = max(held)
            # released after the last still sighting and before the first moving one:
            # when the path leaves the hold's height, if that falls in between (the
            # background model may have swallowed a long hold before the release)
            lo = min(first_u, last[0] + 0.5 / self.fps)
            roots = np.roots([a2, b, c - last[2]]) if a2 > 0 else np.array([])
            real = sorted(float(r.real) for r in roots if abs(r.imag) < 1e-9)
            leave = next((r for r in real if r >= lo), apex)
            u = min(first_u, max(lo, leave))
            return u, last[1], last[2]
        u = max(apex, first_u - p.max_back_s) if apex < first_u else first_u
        return u, d1 * u + d0, a2 * u * u + b * u + c

    def _event(self, tr: Track, fit: Fit, t_now: float, frame_now: int) -> ThrowEvent:
        p = self.p
        u, rx, ry = self._release(tr, fit)
        t_rel = fit.t0 + u
        height = max(0.0, (p.ground_y - ry) * p.mpp)
        floor = int(height // p.floor_height_m) + 1
        fall = (max(tr.y[fit.start : fit.end]) - ry) * p.mpp
        frame_rel = tr.frames[fit.start] + round(u * self.fps)
        track = [(tr.t[i], tr.x[i], tr.y[i]) for i in range(len(tr))]
        return ThrowEvent(
            t=t_rel,
            frame=max(0, frame_rel),
            release=(float(rx), float(ry)),
            floor=floor,
            height_m=round(height, 2),
            accel_m_s2=round(fit.accel, 2),
            fall_m=round(float(fall), 2),
            track=track,
            t_detected=t_now,
            frame_detected=frame_now,
        )


def _drop_px(dt: float, mpp: float) -> float:
    """The most an object falls in ``dt`` seconds after leaving a hand (thrown down at up
    to 4 m/s): a still blob higher above the first moving sighting was something else
    (a person at another window), not where the object was held."""
    return (0.5 * 9.81 * dt * dt + 4.0 * dt) / mpp
