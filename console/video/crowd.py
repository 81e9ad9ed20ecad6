"""Counting people in a walkable region: foreground area with perspective weights.

People near the camera cover more pixels than people far away.  The camera
file gives a standing person's height in pixels at the top and the bottom of
the walkable region; between them height grows linearly with the row (a flat
ground), so each foreground pixel at row y counts ``1 / (k * h(y)^2)`` of a
person.  The weighted sum S becomes a count through ``a*S + b*S^2`` (b < 0:
people hide each other in a dense crowd), fitted per camera when a labelled
clip is at hand (:func:`fit_calibration`), else the defaults below, fitted on
the development scenes.  The background model runs at a few frames a second on
a half-size image with a long memory, so people standing for a minute still
count.
"""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np

from console.video.records import CrowdLevel

SILHOUETTE = 0.25  # a person's foreground area as a share of height^2
DEFAULT_CALIBRATION = (0.955, 0.0)  # fitted on the development squares (seeds 700-715)
WORK_WIDTH = 320  # the counter's own resolution


@dataclass(frozen=True)
class CrowdParams:
    """A camera's crowd settings in process pixels."""

    walkable: np.ndarray  # (n, 2) polygon
    person_h: tuple[float, float]  # at the region's top and bottom rows
    capacity: int
    warning_share: float
    alarm_share: float
    calibration: tuple[float, float] = DEFAULT_CALIBRATION
    area_m2: float | None = None
    rate_hz: float = 5.0  # background updates per second
    memory_s: float = 60.0  # how long a still person takes to fade into the background
    hold_s: float = 3.0  # a level must hold this long before it is reported


class CrowdCounter:
    """Raw and smoothed counts from steadied frames (process pixels, BGR)."""

    def __init__(self, p: CrowdParams, shape: tuple[int, int]) -> None:
        h, w = shape
        self.p = p
        self.k = min(1.0, WORK_WIDTH / w)
        self.size = (max(1, round(w * self.k)), max(1, round(h * self.k)))
        poly = p.walkable.astype(np.float32) * self.k
        self.mask = np.zeros((self.size[1], self.size[0]), np.uint8)
        cv2.fillPoly(self.mask, [np.round(poly).astype(np.int32)], 255)
        ys = poly[:, 1]
        top, bottom = float(ys.min()), float(ys.max())
        h_top, h_bot = p.person_h[0] * self.k, p.person_h[1] * self.k
        rows = np.arange(self.size[1], dtype=np.float32)
        slope = (h_bot - h_top) / max(bottom - top, 1.0)
        heights = np.clip(h_top + slope * (rows - top), 2.0, None)
        self.row_weight = 1.0 / (SILHOUETTE * heights**2)
        self.weight = (self.mask > 0).astype(np.float32) * self.row_weight[:, None]
        history = max(20, round(p.memory_s * p.rate_hz))
        self.bg = cv2.createBackgroundSubtractorMOG2(
            history=history, varThreshold=20, detectShadows=False
        )
        self._next = -1e18
        self.samples: list[tuple[float, float]] = []  # (t, raw) since the last report
        self.last_raw: float | None = None
        self.last_s = 0.0

    def process(self, img: np.ndarray, t: float) -> float | None:
        """Update at most ``rate_hz`` times a second; returns the raw count when updated."""
        if t < self._next:
            return None
        self._next = t + 1.0 / self.p.rate_hz * 0.999
        small = cv2.resize(img, self.size, interpolation=cv2.INTER_AREA)
        fg = self.bg.apply(small)
        fg = cv2.medianBlur(fg, 3)
        s = float(np.sum(self.weight[fg > 0]))
        self.last_s = s
        a, b = self.p.calibration
        raw = max(0.0, a * s + b * s * s)
        self.last_raw = raw
        self.samples.append((t, raw))
        return raw

    def take_second(self) -> float | None:
        """The mean of the raw counts since the last call (None if there were none)."""
        if not self.samples:
            return None
        v = float(np.mean([r for _, r in self.samples]))
        self.samples = []
        return v


class LevelKeeper:
    """Normal / warning / alarm against capacity, with hysteresis and a hold time."""

    def __init__(self, capacity: int, warning_share: float, alarm_share: float, hold_s: float):
        self.capacity = capacity
        self.warn = warning_share * capacity
        self.alarm = alarm_share * capacity
        self.hold_s = hold_s
        self.level: CrowdLevel = "normal"
        self._pending: CrowdLevel | None = None
        self._since = 0.0

    def _target(self, count: float) -> CrowdLevel:
        # going up needs the threshold; going down needs 10 % below it
        down = 0.9
        if count >= self.alarm or (self.level == "alarm" and count >= self.alarm * down):
            return "alarm"
        if count >= self.warn or (self.level != "normal" and count >= self.warn * down):
            return "warning"
        return "normal"

    def update(self, count: float, t: float) -> tuple[CrowdLevel, CrowdLevel] | None:
        """Feed a smoothed count; returns (previous, new) when the level changes."""
        target = self._target(count)
        if target == self.level:
            self._pending = None
            return None
        if self._pending != target:
            self._pending, self._since = target, t
        if t - self._since >= self.hold_s:
            prev, self.level, self._pending = self.level, target, None
            return prev, target
        return None


def fit_calibration(
    s_values: list[float], counts: list[float], quadratic: bool = True
) -> tuple[float, float]:
    """Least-squares ``a, b`` of ``count = a*S + b*S^2`` from weighted areas and true counts.

    With ``quadratic`` the occlusion term b is kept only when it comes out negative
    (people hiding each other), explains the clip clearly better than a line (a
    residual under 0.8 of the line's) and leaves the curve rising at 1.5 times the
    largest area seen (it turns over at a / 2|b|).  A clip spans a narrow range of
    crowds: a bend fitted to its noise once counted a denser crowd as fewer people.
    Otherwise, or without ``quadratic``, a line through zero is fitted.
    """
    s = np.asarray(s_values, np.float64)
    y = np.asarray(counts, np.float64)
    if len(s) < 3 or float(np.ptp(s)) <= 0:
        raise ValueError("calibration needs at least 3 samples with different areas")
    a_lin = float(np.dot(s, y) / np.dot(s, s))
    if quadratic:
        a_mat = np.stack([s, s * s], axis=1)
        (a, b), *_ = np.linalg.lstsq(a_mat, y, rcond=None)
        res_q = float(np.sqrt(np.mean((a * s + b * s * s - y) ** 2)))
        res_l = float(np.sqrt(np.mean((a_lin * s - y) ** 2)))
        rising = a + 3.0 * b * float(s.max()) >= 0.0
        if a > 0 and b <= 0 and rising and res_q < 0.8 * res_l:
            return float(a), float(b)
    if a_lin <= 0:
        raise ValueError("calibration came out negative: the samples do not show people")
    return a_lin, 0.0
