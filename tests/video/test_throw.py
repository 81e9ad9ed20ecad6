"""The gravity test on hand-made tracks, and the thrown-object detector on a generated scene."""

from __future__ import annotations

import math

import numpy as np
import pytest

from console.video.config import parse_cameras
from console.video.frameprep import Steadier
from console.video.scenes import Scene, SceneSpec
from console.video.throw import G, ThrowDetector, ThrowParams, analyse
from console.video.tracking import Blob, Track

MPP = 0.1  # metres per pixel
P = ThrowParams(mpp=MPP, ground_y=460.0)
FACADE = np.array([[50, 20], [590, 20], [590, 460], [50, 460]], np.float32)


def _inside(x: float, y: float) -> bool:
    return 50 <= x <= 590 and 20 <= y <= 460


def _track(points: list[tuple[float, float, float]], fps: float = 15.0) -> Track:
    tr = Track(1)
    for t, x, y in points:
        tr.add(t, round(t * fps), Blob(x, y, 20.0, 5, 5))
    return tr


def _fall(
    x0: float, y0: float, vx: float, vy: float, accel: float, n: int, fps: float = 15.0
) -> list[tuple[float, float, float]]:
    """Points of a body launched at (vx, vy) m/s with vertical acceleration ``accel``."""
    out = []
    for i in range(n):
        t = 2.0 + i / fps
        u = t - 2.0
        out.append((t, x0 + vx * u / MPP, y0 + (vy * u + 0.5 * accel * u * u) / MPP))
    return out


def test_a_dropped_object_passes() -> None:
    fit = analyse(_track(_fall(300, 100, 0.5, 0.0, G, 20)), P, _inside)
    assert fit is not None
    assert fit.accel == pytest.approx(G, rel=0.02)


def test_an_object_thrown_up_then_falling_passes() -> None:
    assert analyse(_track(_fall(300, 200, -1.0, -2.5, G, 20)), P, _inside) is not None


@pytest.mark.parametrize(
    ("why", "points"),
    [
        ("constant speed down (gliding bird, rain)", _fall(300, 100, 0.0, 6.0, 0.0, 20)),
        ("too little acceleration (a leaf)", _fall(300, 100, 0.0, 0.5, 3.0, 20)),
        ("too much acceleration", _fall(300, 100, 0.0, 0.0, 25.0, 12)),
        ("moving up (paper in an updraft)", _fall(300, 300, 0.0, -2.0, -3.0, 20)),
        ("fast sideways (a bird)", _fall(60, 100, 9.0, 0.0, G, 20)),
        (
            "already falling fast when first seen (not from the facade)",
            _fall(300, 100, 0.0, 15.0, G, 12),
        ),
        ("starts outside the facade", _fall(300, 5, 0.0, 0.0, G, 20)),
        ("too short a drop", _fall(300, 100, 0.0, 0.0, G, 4)),
    ],
)
def test_what_is_not_a_throw(why: str, points: list[tuple[float, float, float]]) -> None:
    assert analyse(_track(points), P, _inside) is None, why


def test_a_wobbly_path_fails_even_with_the_right_mean_acceleration() -> None:
    pts = [(t, x + 6.0 * math.sin(12 * t), y) for t, x, y in _fall(300, 100, 0.0, 0.0, G, 20)]
    assert analyse(_track(pts), P, _inside) is None


def test_a_held_object_is_released_where_it_was_held() -> None:
    fps = 15.0
    hold = [(1.0 + i / fps, 300.0, 100.0) for i in range(10)]  # held at a window
    fall = [(t + 1.0 / fps * 10 - 1.0, x, y) for t, x, y in _fall(300, 100, 0.0, 0.0, G, 20)]
    fall = [(1.0 + 10 / fps + i / fps, x, y) for i, (_t, x, y) in enumerate(fall)]
    det = ThrowDetector(FACADE, (480, 640), fps, P)
    tr = _track(hold + fall)
    fit = analyse(tr, P, _inside)
    assert fit is not None and fit.start >= 9
    ev = det._event(tr, fit, 5.0, 75)
    assert ev.t == pytest.approx(1.0 + 9.5 / fps, abs=0.1)
    assert ev.release[1] == pytest.approx(100.0, abs=2.0)
    assert ev.floor == int(36.0 // 3.0) + 1  # (460 - 100) px * 0.1 m = 36 m above the foot


def test_the_detector_finds_the_throw_of_a_generated_scene() -> None:
    spec = SceneSpec("facade", 902011, fps=10.0, duration=8.0)
    scene = Scene(spec)
    cam = parse_cameras(scene.camera_toml()).cameras[0].spec
    assert cam.facade is not None and cam.metres_per_pixel is not None and cam.ground_y
    det = ThrowDetector(
        np.array(cam.facade, np.float32),
        (spec.height, spec.width),
        spec.fps,
        ThrowParams(mpp=cam.metres_per_pixel, ground_y=cam.ground_y),
    )
    steady = Steadier()
    events = []
    for i, frame in enumerate(scene.frames()):
        events += det.process(steady(frame), i / spec.fps, i)
    events += det.finish(spec.duration, scene.n_frames)
    (truth,) = scene.labels.throws
    assert len(events) == 1
    ev = events[0]
    assert abs(ev.t - truth.t) < 0.5
    assert math.dist(ev.release, truth.release) < 3.0 / cam.metres_per_pixel
    assert ev.floor == truth.floor
    assert abs(ev.accel_m_s2 - G) < 0.35 * G
