"""Drawing helpers for the synthetic test scenes: blurred blobs, noise, shake, gain.

Kept apart from the scene logic so both scene kinds (a facade watched for
throws, a square watched for crowds) share the same camera effects: sensor
noise, exposure changes, shake and the motion blur a real shutter leaves on a
fast object.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import cv2
import numpy as np

Color = tuple[float, float, float]


def color(values: Sequence[float] | np.ndarray) -> Color:
    """Three channel values as a plain colour tuple."""
    return float(values[0]), float(values[1]), float(values[2])


def stamp(
    img: np.ndarray,
    centres: Sequence[tuple[float, float]],
    size: tuple[float, float],
    color: Color,
    opacity: float = 1.0,
    angle: float = 0.0,
) -> None:
    """Draw an ellipse of ``size`` (w, h px) at each of ``centres``, averaged: motion blur.

    A shutter open while the object moves smears it along its path with the
    contrast reduced in proportion; averaging sub-positions reproduces both.
    """
    if not centres:
        return
    h_img, w_img = img.shape[:2]
    pad = max(size) / 2 + 2
    xs = [c[0] for c in centres]
    ys = [c[1] for c in centres]
    x0 = max(0, math.floor(min(xs) - pad))
    y0 = max(0, math.floor(min(ys) - pad))
    x1 = min(w_img, math.ceil(max(xs) + pad) + 1)
    y1 = min(h_img, math.ceil(max(ys) + pad) + 1)
    if x1 <= x0 or y1 <= y0:
        return
    acc = np.zeros((y1 - y0, x1 - x0), np.float32)
    tmp = np.zeros_like(acc, dtype=np.uint8)
    ax = max(1, round(size[0] * 8))  # half-axes in 1/16 px
    ay = max(1, round(size[1] * 8))
    for cx, cy in centres:
        tmp[:] = 0
        c = (round((cx - x0) * 16), round((cy - y0) * 16))
        cv2.ellipse(tmp, c, (ax, ay), angle, 0, 360, 255, -1, cv2.LINE_AA, shift=4)
        acc += tmp
    acc *= opacity / (255.0 * len(centres))
    blend(img, x0, y0, acc, color)


def blend(img: np.ndarray, x0: int, y0: int, alpha: np.ndarray, color: Color) -> None:
    """Mix ``color`` into ``img`` at (x0, y0) with per-pixel ``alpha`` (0..1)."""
    h, w = alpha.shape
    roi = img[y0 : y0 + h, x0 : x0 + w].astype(np.float32)
    a = alpha[..., None]
    roi = roi * (1.0 - a) + np.asarray(color, np.float32) * a
    img[y0 : y0 + h, x0 : x0 + w] = np.clip(roi, 0, 255).astype(np.uint8)


def texture(rng: np.random.Generator, h: int, w: int, scale: float, amp: float) -> np.ndarray:
    """Smooth random texture (float32, zero mean, about ``amp`` deep) at feature size ``scale``."""
    small = rng.normal(0.0, 1.0, (max(2, int(h / scale) + 2), max(2, int(w / scale) + 2)))
    big = cv2.resize(small.astype(np.float32), (w, h), interpolation=cv2.INTER_CUBIC)
    return big * amp


class NoiseBank:
    """A few pre-drawn sensor-noise frames picked at random (drawing fresh noise is slow)."""

    def __init__(self, rng: np.random.Generator, h: int, w: int, sigma: float, n: int = 6) -> None:
        self._rng = rng
        self._frames = [rng.normal(0.0, sigma, (h, w, 1)).astype(np.float32) for _ in range(n)]

    def add(self, img: np.ndarray) -> np.ndarray:
        """``img`` (float32) plus one noise frame, shifted by a random offset."""
        f = self._frames[int(self._rng.integers(len(self._frames)))]
        dy, dx = int(self._rng.integers(img.shape[0])), int(self._rng.integers(img.shape[1]))
        return img + np.roll(f, (dy, dx), axis=(0, 1))


class Shake:
    """Camera shake: smooth wind sway plus occasional knocks, in pixels."""

    def __init__(self, rng: np.random.Generator, amp: float, knocks: list[tuple[float, float]]):
        self.amp = amp
        self.freqs = rng.uniform(0.7, 4.0, (2, 3))
        self.phases = rng.uniform(0, 2 * math.pi, (2, 3))
        self.knocks = knocks  # (time, pixels)

    def offset(self, t: float) -> tuple[float, float]:
        """The image shift at time ``t``."""
        dx = sum(
            math.sin(2 * math.pi * f * t + p)
            for f, p in zip(self.freqs[0], self.phases[0], strict=True)
        )
        dy = sum(
            math.sin(2 * math.pi * f * t + p)
            for f, p in zip(self.freqs[1], self.phases[1], strict=True)
        )
        ox, oy = dx * self.amp / 3, dy * self.amp / 3
        for tk, px in self.knocks:
            if t >= tk:
                decay = math.exp(-(t - tk) / 0.25) * math.cos(2 * math.pi * 3 * (t - tk))
                ox += px * decay
                oy += 0.6 * px * decay
        return ox, oy

    def apply(self, img: np.ndarray, t: float) -> np.ndarray:
        """``img`` shifted by this shake (reflected borders, as a camera sees more scene)."""
        ox, oy = self.offset(t)
        if abs(ox) < 0.01 and abs(oy) < 0.01:
            return img
        m = np.array([[1, 0, ox], [0, 1, oy]], np.float32)
        return cv2.warpAffine(
            img,
            m,
            (img.shape[1], img.shape[0]),
            flags=cv2.INTER_LINEAR,
            borderMode=cv2.BORDER_REFLECT,
        )


class Gain:
    """Exposure over time: clouds (slow dips), auto-exposure steps, lights."""

    def __init__(self) -> None:
        self.ramps: list[tuple[float, float, float]] = []  # start, duration, depth
        self.steps: list[tuple[float, float]] = []  # time, factor

    def at(self, t: float) -> float:
        """Multiplicative gain at ``t``."""
        g = 1.0
        for t0, dur, depth in self.ramps:
            if t0 <= t <= t0 + dur:
                g *= 1.0 - depth * math.sin(math.pi * (t - t0) / dur)
        for ts, factor in self.steps:
            if t >= ts:
                g *= factor
        return g


def rain(rng: np.random.Generator, img: np.ndarray, n: int, slant: float) -> None:
    """Streaks of rain near the camera: new positions every frame (too fast to track)."""
    h, w = img.shape[:2]
    layer = np.zeros((h, w), np.uint8)
    for _ in range(n):
        x = float(rng.uniform(0, w))
        y = float(rng.uniform(-20, h))
        length = float(rng.uniform(8, 28))
        x2 = x + slant * length
        cv2.line(layer, (round(x), round(y)), (round(x2), round(y + length)), 255, 1, cv2.LINE_AA)
    alpha = layer.astype(np.float32) * (float(rng.uniform(0.18, 0.35)) / 255.0)
    blend(img, 0, 0, alpha, (215, 215, 215))
