"""A tower block seen from across the street: thrown objects and everything that is not one.

Positives: objects of 3-12 px (about 0.2-1 m) held at a window for a moment,
then released from floors 2 to the top with a small push (sideways, up or
down), falling under gravity with air drag until they hit the ground.
Negatives: birds crossing, gliding, climbing or swooping (dive and pull up);
leaves and paper drifting down, sideways or up; insects close to the lens;
people appearing at windows; window lights switching; people and vehicles on
the street; rain streaks; clouds and exposure steps; sensor noise; shake.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, field

import cv2
import numpy as np

from console.video.scenes.render import (
    Color,
    Gain,
    NoiseBank,
    Shake,
    blend,
    color,
    rain,
    stamp,
    texture,
)

G = 9.81
EXPOSURE = 0.6  # share of the frame interval the shutter is open


@dataclass(frozen=True)
class Window:
    x0: int
    y0: int
    x1: int
    y1: int
    floor: int


@dataclass
class Facade:
    """The static geometry of one facade scene."""

    width: int
    height: int
    roof_y: int
    ground_y: int
    bx0: int
    bx1: int
    floors: int
    floor_px: float
    mpp: float
    windows: list[Window] = field(default_factory=list)

    def polygon(self) -> list[tuple[float, float]]:
        """The facade as the camera file states it."""
        return [
            (self.bx0, self.roof_y),
            (self.bx1, self.roof_y),
            (self.bx1, self.ground_y),
            (self.bx0, self.ground_y),
        ]


def build_facade(rng: np.random.Generator, w: int, h: int) -> tuple[Facade, np.ndarray]:
    """Random facade geometry and its background picture (BGR uint8)."""
    roof_y = int(h * rng.uniform(0.05, 0.16))
    ground_y = int(h * rng.uniform(0.80, 0.88))
    floors = int(rng.integers(9, 16))
    floor_px = (ground_y - roof_y) / floors
    mpp = 3.0 / floor_px
    bx0 = int(w * rng.uniform(0.04, 0.2))
    bx1 = int(w * rng.uniform(0.8, 0.96))
    fac = Facade(w, h, roof_y, ground_y, bx0, bx1, floors, floor_px, mpp)

    img = np.zeros((h, w, 3), np.float32)
    sky_top = np.array(rng.uniform([150, 110, 80], [230, 190, 150]), np.float32)
    sky_bot = np.minimum(sky_top + rng.uniform(20, 50), 250)
    for y in range(h):
        img[y] = sky_top + (sky_bot - sky_top) * (y / h)
    # a neighbouring block at the side, further away
    nb = int(h * rng.uniform(0.15, 0.4))
    side = rng.uniform(120, 190, 3)
    if rng.random() < 0.5:
        img[nb:ground_y, 0:bx0] = side
    else:
        img[nb:ground_y, bx1:] = side
    wall = np.array(rng.uniform([120, 120, 120], [215, 215, 225]), np.float32)
    if rng.random() < 0.3:  # brick
        wall = np.array(rng.uniform([60, 70, 120], [100, 110, 175]), np.float32)
    bw = bx1 - bx0
    bh = ground_y - roof_y
    tex = texture(rng, bh, bw, 6, 6.0) + texture(rng, bh, bw, 40, 10.0)
    img[roof_y:ground_y, bx0:bx1] = wall + tex[..., None]
    # floor slabs
    slab = wall * 0.82
    for f in range(floors + 1):
        y = round(ground_y - f * floor_px)
        img[max(roof_y, y - 1) : y + 1, bx0:bx1] = slab
    # windows: columns with glass, frames, some balconies and air conditioners
    cols = int(rng.integers(5, 10))
    col_w = bw / cols
    win_w = col_w * rng.uniform(0.45, 0.65)
    glass = np.array(rng.uniform([60, 55, 40], [120, 110, 100]), np.float32)
    for f in range(1, floors + 1):
        y_floor = ground_y - (f - 1) * floor_px
        y0 = round(y_floor - floor_px * 0.8)
        y1 = round(y_floor - floor_px * 0.25)
        for c in range(cols):
            xc = bx0 + (c + 0.5) * col_w
            x0, x1 = round(xc - win_w / 2), round(xc + win_w / 2)
            shade = glass + rng.uniform(-15, 25)
            img[y0:y1, x0:x1] = shade
            img[y0:y1, x0 : x0 + 1] = wall * 0.7
            img[y0:y1, x1 - 1 : x1] = wall * 0.7
            img[y0 : y0 + 1, x0:x1] = wall * 0.7
            fac.windows.append(Window(x0, y0, x1, y1, f))
            if rng.random() < 0.15:  # air conditioner box beside the window
                ax = x1 + 2
                img[y1 - 5 : y1, ax : ax + 7] = (225, 225, 225)
            if rng.random() < 0.2:  # balcony rail
                img[y1 : y1 + 2, x0 - 2 : x1 + 2] = wall * 0.6
    # street: pavement and road
    img[ground_y:h] = rng.uniform(95, 140)
    img[ground_y : ground_y + max(2, (h - ground_y) // 3)] = rng.uniform(150, 185)
    img[ground_y:h] += texture(rng, h - ground_y, w, 3, 5.0)[..., None]
    return fac, np.clip(img, 0, 255).astype(np.uint8)


@dataclass
class Throw:
    """One thrown object: held at a window, released, falling with drag."""

    t_show: float
    t_rel: float
    x0: float
    y0: float
    vx: float  # m/s
    vy: float  # m/s, + down
    drag: float  # 1/m: a = g - drag*v|v|
    size: tuple[float, float]
    color: Color
    spin: float
    landing_y: float
    mpp: float
    height_m: float
    floor: int
    _ts: np.ndarray = field(init=False, repr=False)
    _xs: np.ndarray = field(init=False, repr=False)
    _ys: np.ndarray = field(init=False, repr=False)

    def __post_init__(self) -> None:
        dt = 1 / 500
        ts, xs, ys = [0.0], [self.x0], [self.y0]
        vx, vy, x, y = self.vx, self.vy, self.x0, self.y0
        while y < self.landing_y and len(ts) < 20000:
            speed = math.hypot(vx, vy)
            ax = -self.drag * vx * speed
            ay = G - self.drag * vy * speed
            vx += ax * dt
            vy += ay * dt
            x += vx * dt / self.mpp
            y += vy * dt / self.mpp
            ts.append(ts[-1] + dt)
            xs.append(x)
            ys.append(min(y, self.landing_y))
        self._ts, self._xs, self._ys = np.array(ts), np.array(xs), np.array(ys)

    @property
    def t_ground(self) -> float:
        return self.t_rel + float(self._ts[-1])

    def pos(self, t: float) -> tuple[float, float]:
        u = min(max(t - self.t_rel, 0.0), float(self._ts[-1]))
        return float(np.interp(u, self._ts, self._xs)), float(np.interp(u, self._ts, self._ys))

    def draw(self, img: np.ndarray, t: float, fps: float) -> None:
        if t < self.t_show:
            return
        k = 6
        times = [t - EXPOSURE / fps * i / (k - 1) for i in range(k)]
        pts = [self.pos(max(u, self.t_show)) for u in times]
        stamp(img, pts, self.size, self.color, 1.0, angle=self.spin * max(t - self.t_rel, 0) * 57.3)


@dataclass
class Mover:
    """A distractor with a position function: birds, leaves, insects, walkers, vehicles."""

    t0: float
    t1: float
    path: list[tuple[float, float, float]]  # (t, x, y) samples
    size: tuple[float, float]
    color: Color
    opacity: float = 1.0
    flap_hz: float = 0.0  # birds: wingspan pulses
    kind: str = ""

    def pos(self, t: float) -> tuple[float, float]:
        ts = [p[0] for p in self.path]
        return float(np.interp(t, ts, [p[1] for p in self.path])), float(
            np.interp(t, ts, [p[2] for p in self.path])
        )

    def draw(self, img: np.ndarray, t: float, fps: float) -> None:
        if not self.t0 <= t <= self.t1:
            return
        w, h = self.size
        if self.flap_hz:
            w *= 0.55 + 0.45 * abs(math.sin(math.pi * self.flap_hz * t))
        k = 4
        pts = [self.pos(t - EXPOSURE / fps * i / (k - 1)) for i in range(k)]
        stamp(img, pts, (w, h), self.color, self.opacity)


def _sample(
    fn: Callable[[float], tuple[float, float]], t0: float, t1: float, step: float = 0.02
) -> list[tuple[float, float, float]]:
    n = max(2, int((t1 - t0) / step) + 1)
    out = []
    for i in range(n):
        t = t0 + (t1 - t0) * i / (n - 1)
        x, y = fn(t - t0)
        out.append((t, x, y))
    return out


def make_throw(rng: np.random.Generator, fac: Facade, bg: np.ndarray, t_rel: float) -> Throw:
    """A throw from a random window at ``t_rel``, visible against what is behind it."""
    candidates = [w for w in fac.windows if w.floor >= 2]
    win = candidates[int(rng.integers(len(candidates)))]
    height_m = (win.floor - 1) * 3.0 + rng.uniform(0.8, 1.3)
    x0 = (win.x0 + win.x1) / 2 + rng.uniform(-0.3, 0.3) * (win.x1 - win.x0)
    y0 = fac.ground_y - height_m / fac.mpp
    px = float(rng.uniform(3.0, 12.0)) * fac.width / 640
    aspect = float(rng.uniform(0.5, 1.0))
    size = (px, px * aspect) if rng.random() < 0.5 else (px * aspect, px)
    base = rng.uniform(0, 255, 3)
    # what lies behind the release point and the first metres of the fall
    x_i = int(np.clip(x0, 0, fac.width - 1))
    y_a = int(np.clip(y0, 0, fac.height - 1))
    y_b = int(np.clip(y0 + 2.0 / fac.mpp, y_a + 1, fac.height))
    behind = bg[y_a:y_b, max(0, x_i - 3) : x_i + 4].reshape(-1, 3).astype(np.float32)
    for ref in (behind.min(axis=0), behind.max(axis=0)):
        if abs(float(np.mean(base)) - float(np.mean(ref))) < 40:  # keep a visible contrast
            base = np.clip(base + (-80 if float(np.mean(ref)) > 128 else 80), 0, 255)
    terminal = float(rng.uniform(18.0, 45.0))
    return Throw(
        t_show=t_rel - float(rng.uniform(0.2, 1.0)),
        t_rel=t_rel,
        x0=x0,
        y0=y0,
        vx=float(rng.uniform(-1.5, 1.5)),
        vy=float(rng.uniform(-2.5, 0.6)),
        drag=G / terminal**2,
        size=size,
        color=(float(base[0]), float(base[1]), float(base[2])),
        spin=float(rng.uniform(-6, 6)),
        landing_y=fac.ground_y + float(rng.uniform(0, 0.4)) * (fac.height - fac.ground_y),
        mpp=fac.mpp,
        height_m=float(height_m),
        floor=int(height_m // 3.0) + 1,
    )


def make_bird(rng: np.random.Generator, fac: Facade, t0: float, dur: float) -> Mover:
    """A bird crossing, gliding down, climbing or swooping (dive and pull up)."""
    w = fac.width
    s = w / 640
    speed = float(rng.uniform(40, 170)) * s
    span = float(rng.uniform(5, 14)) * s
    direction = 1 if rng.random() < 0.5 else -1
    xs = -10.0 if direction > 0 else w + 10.0
    y0 = float(rng.uniform(fac.roof_y * 0.3, fac.ground_y * 0.8))
    mode = ["cross", "glide", "climb", "swoop", "swoop"][int(rng.integers(5))]
    slope = float(rng.uniform(0.3, 0.9))
    depth = float(rng.uniform(30, 120)) * s
    period = float(rng.uniform(0.8, 2.0))
    bob = float(rng.uniform(1, 5)) * s

    def fn(u: float) -> tuple[float, float]:
        x = xs + direction * speed * u
        if mode == "cross":
            y = y0 + bob * math.sin(2 * math.pi * u / period)
        elif mode == "glide":
            y = y0 + slope * speed * u
        elif mode == "climb":
            y = y0 - slope * speed * u
        else:
            y = y0 + depth * math.sin(math.pi * min(u / period, 1.0)) ** 2
        return x, y

    t1 = t0 + min(dur, (w + 20) / speed)
    shade = float(rng.uniform(20, 70)) if rng.random() < 0.7 else float(rng.uniform(200, 245))
    return Mover(
        t0,
        t1,
        _sample(fn, t0, t1),
        (span, span * 0.35),
        (shade,) * 3,
        1.0,
        float(rng.uniform(3, 8)),
        "bird_" + mode,
    )


def make_leaf(rng: np.random.Generator, fac: Facade, t0: float, dur: float) -> Mover:
    """A leaf or scrap of paper: slow descent, sideways sway, sometimes carried up."""
    s = fac.width / 640
    x0 = float(rng.uniform(fac.bx0, fac.bx1))
    y0 = float(rng.uniform(fac.roof_y, fac.ground_y * 0.7))
    vy = float(rng.uniform(0.3, 1.8)) / fac.mpp * (1 if rng.random() < 0.75 else -0.6)
    vx = float(rng.uniform(-1.5, 1.5)) / fac.mpp
    amp = float(rng.uniform(0.3, 1.2)) / fac.mpp
    period = float(rng.uniform(0.7, 2.0))

    def fn(u: float) -> tuple[float, float]:
        return x0 + vx * u + amp * math.sin(2 * math.pi * u / period), y0 + vy * u + 0.3 * amp * (
            math.sin(4 * math.pi * u / period)
        )

    size = float(rng.uniform(2.5, 6)) * s
    col = [(40, 120, 60), (30, 90, 140), (50, 160, 190), (235, 235, 235)][int(rng.integers(4))]
    return Mover(
        t0,
        t0 + dur,
        _sample(fn, t0, t0 + dur),
        (size, size * 0.6),
        color(col),
        1.0,
        0.0,
        "leaf",
    )


def make_insect(rng: np.random.Generator, fac: Facade, t0: float, dur: float) -> Mover:
    """An insect close to the lens: a blurred blob darting about."""
    s = fac.width / 640
    x, y = float(rng.uniform(0, fac.width)), float(rng.uniform(0, fac.height))
    vx, vy = 0.0, 0.0
    pts = []
    t = t0
    while t <= t0 + dur:
        pts.append((t, x, y))
        vx = 0.8 * vx + float(rng.normal(0, 120)) * s
        vy = 0.8 * vy + float(rng.normal(0, 120)) * s
        x += vx * 0.04
        y += vy * 0.04
        t += 0.04
    size = float(rng.uniform(5, 16)) * s
    return Mover(
        t0,
        t0 + dur,
        pts,
        (size, size),
        (30.0, 30.0, 30.0),
        float(rng.uniform(0.35, 0.8)),
        0.0,
        "insect",
    )


def make_walker(rng: np.random.Generator, fac: Facade, t0: float, dur: float) -> Mover:
    """A pedestrian or a vehicle on the street in front."""
    w, h = fac.width, fac.height
    vehicle = rng.random() < 0.3
    ppm = 1.25 / fac.mpp  # the street is nearer than the facade
    y = float(rng.uniform(fac.ground_y + 0.2 * (h - fac.ground_y), h - 2))
    speed = (float(rng.uniform(5, 12)) if vehicle else float(rng.uniform(0.8, 1.8))) * ppm
    d = 1 if rng.random() < 0.5 else -1
    x0 = float(rng.uniform(0, w))

    def fn(u: float) -> tuple[float, float]:
        return x0 + d * speed * u, y

    size = (4.5 * ppm, 1.5 * ppm) if vehicle else (0.5 * ppm, 1.7 * ppm)
    col = color(rng.uniform(20, 230, 3))
    return Mover(
        t0,
        t0 + dur,
        _sample(fn, t0, t0 + dur),
        size,
        col,
        1.0,
        0.0,
        "vehicle" if vehicle else "walker",
    )


@dataclass
class WindowEvent:
    """A person appearing at a window, or a window light switching."""

    win: Window
    t0: float
    t1: float
    person: bool
    color: Color

    def draw(self, img: np.ndarray, t: float, fps: float) -> None:
        w = self.win
        if self.person:
            if not self.t0 <= t <= self.t1:
                return
            fade = min(1.0, (t - self.t0) / 0.4, (self.t1 - t) / 0.4)
            cx = (w.x0 + w.x1) / 2 + 0.15 * (w.x1 - w.x0) * math.sin(1.7 * t)
            hh = w.y1 - w.y0
            roi = img[w.y0 : w.y1, w.x0 : w.x1]
            alpha = np.zeros(roi.shape[:2], np.float32)
            cv2.ellipse(
                alpha,
                (round(cx - w.x0), round(hh * 0.35)),
                (max(1, round(hh * 0.15)), max(1, round(hh * 0.2))),
                0,
                0,
                360,
                1.0,
                -1,
            )
            cv2.ellipse(
                alpha,
                (round(cx - w.x0), hh),
                (max(1, round(hh * 0.3)), round(hh * 0.5)),
                0,
                180,
                360,
                1.0,
                -1,
            )
            blend(img, w.x0, w.y0, alpha * fade, self.color)
        elif t >= self.t0:
            alpha = np.full((w.y1 - w.y0, w.x1 - w.x0), 0.6, np.float32)
            blend(img, w.x0, w.y0, alpha, self.color)


@dataclass
class FacadeScene:
    """Everything moving in one facade scene, with its effects."""

    fac: Facade
    background: np.ndarray
    throws: list[Throw]
    movers: list[Mover]
    window_events: list[WindowEvent]
    gain: Gain
    shake: Shake | None
    noise: NoiseBank
    rain_n: int
    rain_slant: float
    rng: np.random.Generator

    def frame(self, t: float, fps: float) -> np.ndarray:
        img = self.background.copy()
        for e in self.window_events:
            e.draw(img, t, fps)
        for th in self.throws:
            th.draw(img, t, fps)
        for m in self.movers:
            m.draw(img, t, fps)
        if self.rain_n:
            rain(self.rng, img, self.rain_n, self.rain_slant)
        if self.shake is not None:
            img = self.shake.apply(img, t)
        f = img.astype(np.float32) * self.gain.at(t)
        f = self.noise.add(f)
        return np.clip(f, 0, 255).astype(np.uint8)


def make_facade_scene(
    rng: np.random.Generator, w: int, h: int, duration: float, n_throws: int
) -> FacadeScene:
    """A random facade scene with ``n_throws`` throws and a random mix of distractors."""
    fac, bg = build_facade(rng, w, h)
    throws: list[Throw] = []
    slots = np.linspace(1.5, max(1.6, duration - 4.0), max(n_throws, 1) + 1)
    for i in range(n_throws):
        t_rel = float(rng.uniform(slots[i], max(slots[i], slots[i + 1] - 0.3)))
        throws.append(make_throw(rng, fac, bg, max(t_rel, 1.5)))
    movers: list[Mover] = []

    def start() -> float:
        return float(rng.uniform(0.0, duration - 1.0))

    for _ in range(int(rng.integers(0, 5))):
        movers.append(make_bird(rng, fac, start(), duration))
    for _ in range(int(rng.integers(0, 6))):
        movers.append(make_leaf(rng, fac, start(), float(rng.uniform(2, 6))))
    if rng.random() < 0.4:
        for _ in range(int(rng.integers(1, 3))):
            movers.append(make_insect(rng, fac, start(), float(rng.uniform(0.8, 2.5))))
    for _ in range(int(rng.integers(0, 6))):
        movers.append(make_walker(rng, fac, 0.0, duration))
    events: list[WindowEvent] = []
    for _ in range(int(rng.integers(0, 4))):
        win = fac.windows[int(rng.integers(len(fac.windows)))]
        t0 = start()
        col = color(rng.uniform(20, 200, 3))
        events.append(WindowEvent(win, t0, t0 + float(rng.uniform(1.0, 5.0)), True, col))
    for _ in range(int(rng.integers(0, 4))):
        win = fac.windows[int(rng.integers(len(fac.windows)))]
        events.append(WindowEvent(win, start(), duration, False, (120.0, 220.0, 250.0)))
    gain = Gain()
    if rng.random() < 0.5:
        gain.ramps.append((start(), float(rng.uniform(1.0, 4.0)), float(rng.uniform(0.1, 0.3))))
    if rng.random() < 0.35:
        gain.steps.append((start(), float(rng.uniform(0.8, 1.2))))
    shake = None
    if rng.random() < 0.35:
        knocks = [(start(), float(rng.uniform(2, 5)))] if rng.random() < 0.4 else []
        shake = Shake(rng, float(rng.uniform(0.3, 1.5)) * w / 640, knocks)
    noise = NoiseBank(rng, h, w, float(rng.uniform(1.0, 4.5)))
    rain_n = int(rng.uniform(40, 160) * w / 640) if rng.random() < 0.25 else 0
    return FacadeScene(
        fac,
        bg,
        throws,
        movers,
        events,
        gain,
        shake,
        noise,
        rain_n,
        float(rng.uniform(-0.3, 0.3)),
        rng,
    )
