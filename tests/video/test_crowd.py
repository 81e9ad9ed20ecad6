"""Crowd counting: levels with hysteresis, calibration, and a count on a generated square."""

from __future__ import annotations

import numpy as np
import pytest

from console.video.config import parse_cameras
from console.video.crowd import CrowdCounter, CrowdParams, LevelKeeper, fit_calibration
from console.video.frameprep import Steadier
from console.video.scenes import Scene, SceneSpec


def test_levels_need_the_threshold_held_and_fall_back_with_hysteresis() -> None:
    k = LevelKeeper(capacity=100, warning_share=0.7, alarm_share=0.9, hold_s=3.0)
    assert k.update(75, 0.0) is None  # above warning, not yet held
    assert k.update(60, 1.0) is None  # dipped: the wait starts again
    assert k.update(75, 2.0) is None
    assert k.update(76, 4.0) is None
    assert k.update(76, 5.0) == ("normal", "warning")
    assert k.update(66, 6.0) is None  # within 10 % under the threshold: stays warning
    assert k.update(95, 7.0) is None
    assert k.update(95, 10.0) == ("warning", "alarm")
    assert k.level == "alarm"
    assert k.update(50, 11.0) is None
    assert k.update(50, 14.0) == ("alarm", "normal")


def test_calibration_recovers_a_known_curve_and_refuses_nonsense() -> None:
    s = np.linspace(1, 200, 30)
    counts = 0.8 * s - 0.001 * s * s
    a, b = fit_calibration(list(s), list(counts))
    assert a == pytest.approx(0.8, rel=1e-6) and b == pytest.approx(-0.001, rel=1e-4)
    with pytest.raises(ValueError, match="at least 3"):
        fit_calibration([1.0, 1.0], [2.0, 2.0])


def test_counts_follow_the_people_on_a_generated_square() -> None:
    spec = SceneSpec("square", 902501, fps=10.0, duration=12.0)
    scene = Scene(spec)
    cam = parse_cameras(scene.camera_toml()).cameras[0].spec
    assert cam.walkable is not None and cam.capacity and cam.person_height_px
    counter = CrowdCounter(
        CrowdParams(
            walkable=np.array(cam.walkable, np.float32),
            person_h=cam.person_height_px,
            capacity=cam.capacity,
            warning_share=cam.warning_share,
            alarm_share=cam.alarm_share,
        ),
        (spec.height, spec.width),
    )
    steady = Steadier()
    got: list[tuple[int, float]] = []
    for i, frame in enumerate(scene.frames()):
        raw = counter.process(steady(frame), i / spec.fps)
        if raw is not None and i / spec.fps >= 5.0:
            got.append((i, raw))
    truth = scene.labels.counts
    assert len(truth) == scene.n_frames
    err = [abs(raw - truth[i]) for i, raw in got]
    mean_true = float(np.mean([truth[i] for i, _ in got]))
    assert mean_true > 5  # there are people to count
    assert float(np.mean(err)) < 0.35 * mean_true + 2.0
