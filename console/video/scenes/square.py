"""A square seen from above at an angle: people walking and standing, counted in a region.

Perspective is a ground plane: a person's height in pixels grows linearly
with the image row (zero at the horizon).  People enter and leave across the
frame edges, walk, stop in small groups for a while and walk on; the number
present follows a slow random curve.  The truth is the number of people whose
feet are inside the walkable polygon, frame by frame.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import cv2
import numpy as np

from console.video.scenes.render import Gain, NoiseBank, Shake, color, texture


@dataclass
class Square:
    """Static geometry of a square scene."""

    width: int
    height: int
    horizon: float  # image row where a person shrinks to nothing
    k: float  # person height px per row below the horizon
    walkable: list[tuple[float, float]]
    capacity: int

    def person_h(self, y: float) -> float:
        return max(2.0, self.k * (y - self.horizon))

    def person_height_px(self) -> tuple[float, float]:
        """Heights at the walkable region's top and bottom rows (what the camera file says)."""
        ys = [p[1] for p in self.walkable]
        return round(self.person_h(min(ys)), 1), round(self.person_h(max(ys)), 1)


@dataclass
class Person:
    x: float
    y: float  # feet
    vx: float  # m/s in the image plane
    vy: float
    color: tuple[float, float, float]
    legs: tuple[float, float, float]
    stop_at: float
    stop_for: float
    phase: float
    width: float  # body width share of height


def build_square(rng: np.random.Generator, w: int, h: int) -> tuple[Square, np.ndarray]:
    """Random square geometry and its background (paving in perspective, kerbs, benches)."""
    bottom_h = h * rng.uniform(0.09, 0.16)  # person height at the bottom row
    horizon = -h * rng.uniform(0.1, 0.8)
    k = bottom_h / (h - horizon)
    top = h * rng.uniform(0.15, 0.3)
    bot = h * rng.uniform(0.9, 0.98)
    inset = w * rng.uniform(0.05, 0.2)
    walkable = [
        (float(inset + w * 0.1), float(top)),
        (float(w - inset - w * 0.1), float(top)),
        (float(w - inset * 0.3), float(bot)),
        (float(inset * 0.3), float(bot)),
    ]
    cap = int(rng.integers(60, 220))
    sq = Square(w, h, float(horizon), float(k), walkable, cap)
    img = np.zeros((h, w, 3), np.float32)
    base = np.array(rng.uniform([110, 110, 110], [190, 190, 195]), np.float32)
    img[:] = base
    img += texture(rng, h, w, 4, 5.0)[..., None] + texture(rng, h, w, 60, 9.0)[..., None]
    # paving joints: rows spaced in perspective, converging columns
    y = float(h)
    while y > max(0.0, horizon + 5):
        step = max(3.0, sq.person_h(y) * 0.5)
        cv2.line(img, (0, round(y)), (w, round(y)), (base * 0.85).tolist(), 1)
        y -= step
    cx = w / 2
    for i in range(-12, 13):
        xb = cx + i * w / 10
        cv2.line(img, (round(xb), h), (round(cx + (xb - cx) * 0.2), 0), (base * 0.88).tolist(), 1)
    poly = np.array(walkable, np.int32)
    cv2.polylines(img, [poly], True, (base * 0.7).tolist(), 2)
    for _ in range(int(rng.integers(1, 5))):  # planters, benches, lamp posts
        bx, by = float(rng.uniform(0, w)), float(rng.uniform(top, h))
        ph = sq.person_h(by)
        if rng.random() < 0.5:
            cv2.rectangle(
                img,
                (round(bx), round(by - ph * 0.3)),
                (round(bx + ph * 1.2), round(by)),
                (60, 90, 70),
                -1,
            )
        else:
            cv2.line(
                img, (round(bx), round(by)), (round(bx), round(by - ph * 2.2)), (50, 50, 50), 2
            )
    return sq, np.clip(img, 0, 255).astype(np.uint8)


def _inside(poly: list[tuple[float, float]], x: float, y: float) -> bool:
    c = np.array(poly, np.float32).reshape(-1, 1, 2)
    return cv2.pointPolygonTest(c, (float(x), float(y)), False) >= 0


@dataclass
class SquareScene:
    """People on the square and the effects; :meth:`frame` also returns the true count."""

    sq: Square
    background: np.ndarray
    rng: np.random.Generator
    target: list[tuple[float, float]]  # (t, people wanted in the frame)
    gain: Gain
    shake: Shake | None
    noise: NoiseBank
    people: list[Person]
    _t: float = 0.0

    def _target(self, t: float) -> float:
        return float(np.interp(t, [p[0] for p in self.target], [p[1] for p in self.target]))

    def _spawn(self, anywhere: bool) -> Person:
        rng, sq = self.rng, self.sq
        ys = [p[1] for p in sq.walkable]
        y = float(rng.uniform(min(ys) - 10, sq.height + 5))
        speed = float(rng.uniform(0.7, 1.6))
        ang = float(rng.uniform(0, 2 * math.pi))
        vx, vy = speed * math.cos(ang), 0.5 * speed * math.sin(ang)
        edge = -8.0 if vx > 0 else sq.width + 8.0
        x = float(rng.uniform(0, sq.width)) if anywhere else edge
        col = color(rng.uniform(15, 240, 3))
        legs = color(rng.uniform(15, 120, 3))
        stop = float(rng.uniform(0, 30)) if rng.random() < 0.6 else 1e9
        return Person(
            x,
            y,
            vx,
            vy,
            col,
            legs,
            self._t + stop,
            float(rng.uniform(2, 12)),
            float(rng.uniform(0, 6.3)),
            float(rng.uniform(0.28, 0.4)),
        )

    def step(self, t: float, dt: float) -> None:
        """Move everyone by ``dt`` and keep the number present near the target."""
        self._t = t
        sq = self.sq
        alive = []
        for p in self.people:
            moving = not (p.stop_at <= t <= p.stop_at + p.stop_for)
            if moving:
                ppm = sq.person_h(p.y) / 1.7
                p.x += p.vx * ppm * dt
                p.y += p.vy * ppm * dt
            if (
                -30 <= p.x <= sq.width + 30
                and min(q[1] for q in sq.walkable) - 40 <= p.y <= sq.height + 40
            ):
                alive.append(p)
        self.people = alive
        want = self._target(t)
        while len(self.people) < want - 0.5:
            self.people.append(self._spawn(False))
        if len(self.people) > want + 3 and self.rng.random() < 0.3:
            # someone leaves faster: they walk out of the frame
            p = self.people[int(self.rng.integers(len(self.people)))]
            p.stop_at = 1e9
            p.vx = 2.0 * (1 if p.vx >= 0 else -1)

    def count(self) -> int:
        """People whose feet are in the walkable region now."""
        return sum(_inside(self.sq.walkable, p.x, p.y) for p in self.people)

    def frame(self, t: float, fps: float) -> np.ndarray:
        img = self.background.copy()
        sq = self.sq
        for p in sorted(self.people, key=lambda q: q.y):
            ph = sq.person_h(p.y)
            bw = ph * p.width
            moving = not (p.stop_at <= t <= p.stop_at + p.stop_for)
            swing = math.sin(2 * math.pi * 1.8 * t + p.phase) * bw * 0.35 if moving else 0.0
            x, y = p.x, p.y
            lw = max(1, round(bw * 0.25))
            cv2.line(
                img,
                (round(x - bw * 0.15), round(y - ph * 0.45)),
                (round(x - bw * 0.15 + swing), round(y)),
                p.legs,
                lw,
            )
            cv2.line(
                img,
                (round(x + bw * 0.15), round(y - ph * 0.45)),
                (round(x + bw * 0.15 - swing), round(y)),
                p.legs,
                lw,
            )
            cv2.ellipse(
                img,
                (round(x), round(y - ph * 0.62)),
                (max(1, round(bw / 2)), max(1, round(ph * 0.22))),
                0,
                0,
                360,
                p.color,
                -1,
            )
            cv2.circle(
                img, (round(x), round(y - ph * 0.9)), max(1, round(ph * 0.08)), (60, 80, 110), -1
            )
        if self.shake is not None:
            img = self.shake.apply(img, t)
        f = img.astype(np.float32) * self.gain.at(t)
        f = self.noise.add(f)
        return np.clip(f, 0, 255).astype(np.uint8)


def make_square_scene(
    rng: np.random.Generator,
    w: int,
    h: int,
    duration: float,
    people: np.random.Generator | None = None,
) -> SquareScene:
    """A random square with a crowd that grows, shrinks or holds over ``duration``.

    ``people`` (default: ``rng``) draws the crowd, light and noise: the same square
    with another ``people`` generator is another clip of the same camera (calibration).
    """
    sq, bg = build_square(rng, w, h)
    rng = people or rng
    peak = float(rng.uniform(0.2, 1.5)) * sq.capacity
    n_knots = 4
    target = [
        (duration * i / (n_knots - 1), float(rng.uniform(0.1, 1.0)) * peak) for i in range(n_knots)
    ]
    gain = Gain()
    if rng.random() < 0.4:
        gain.ramps.append(
            (
                float(rng.uniform(0, duration)),
                float(rng.uniform(1, 4)),
                float(rng.uniform(0.1, 0.25)),
            )
        )
    shake = Shake(rng, float(rng.uniform(0.3, 1.2)) * w / 640, []) if rng.random() < 0.3 else None
    noise = NoiseBank(rng, h, w, float(rng.uniform(1.0, 4.0)))
    scene = SquareScene(sq, bg, rng, target, gain, shake, noise, [])
    for _ in range(round(target[0][1])):
        scene.people.append(scene._spawn(True))
    return scene
