"""Scoring: how detections are matched to the labelled throws, and the tiny benchmark's keys."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from console.video.evaluate import match_throws
from console.video.records import Detection
from console.video.scenes import ThrowLabel

ROOT = Path(__file__).resolve().parents[2]


def _det(t: float, x: float, y: float) -> Detection:
    return Detection(
        camera_id="c", event_id=f"e{t}", t=t, frame=0, wall_t=0.0, release=(x, y), floor=1,
        height_m=0.0, accel_m_s2=9.8, fall_m=5.0, track=[], lon=0.0, lat=0.0,
    )  # fmt: skip


def _truth(t: float, x: float, y: float) -> ThrowLabel:
    return ThrowLabel(
        t=t, frame=0, release=(x, y), floor=1, height_m=1.0, size_px=5, t_ground=t + 1
    )


def test_matching_needs_time_and_place_and_counts_each_truth_once() -> None:
    truth = [_truth(2.0, 100, 100), _truth(5.0, 300, 100)]
    found = [
        _det(2.3, 105, 98),  # the first throw
        _det(2.45, 110, 104),  # a second report of it: a false alarm
        _det(5.0, 300, 200),  # right time, 100 px = 10 m off: not the second throw
        _det(7.0, 300, 100),  # right place, 2 s late
    ]
    matched, fps, fns = match_throws(found, truth, mpp=0.1, width=640)
    assert [(d.t, th.t) for d, th in matched] == [(2.3, 2.0)]
    assert [d.t for d in fps] == [2.45, 5.0, 7.0]
    assert [th.t for th in fns] == [5.0]


@pytest.mark.slow
def test_the_quick_benchmark_prints_one_line_with_every_key() -> None:
    out = subprocess.run(
        [sys.executable, str(ROOT / "bench" / "video.py"), "--quick"],
        capture_output=True, text=True, timeout=900, cwd=ROOT, check=True,
    )  # fmt: skip
    lines = [x for x in out.stdout.splitlines() if x.strip()]
    assert len(lines) == 1
    d = json.loads(lines[0])
    for key in (
        "throw_precision", "throw_recall", "crowd_mae", "fps_640x480", "fps_1280x720",
        "cameras_at_10fps",
    ):  # fmt: skip
        assert key in d, key
    assert 0.0 <= d["throw_precision"] <= 1.0 and 0.0 <= d["throw_recall"] <= 1.0
    assert d["fps_640x480"] > 0 and d["cameras_at_10fps"] >= 0
