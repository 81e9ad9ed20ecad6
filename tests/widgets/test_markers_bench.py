"""``bench/markers.py``: the incident pins painted the shipped way (one numpy step, pins off
the painted area skipped) give the same pixels as the per-pin loop they replaced, at the
district and the street zoom; the bench prints its one JSON line with every key."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
KEYS = {
    "pins",
    "district_ms",
    "district_naive_ms",
    "ratio_district",
    "street_ms",
    "street_naive_ms",
    "ratio_street",
    "pins_on_screen_street",
    "same_image",
}


def test_the_markers_bench_paints_the_same_pixels_and_prints_its_keys() -> None:
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen")
    done = subprocess.run(
        [sys.executable, "bench/markers.py", "--pins", "120", "--repeat", "2"],
        capture_output=True, text=True, cwd=ROOT, env=env, timeout=300, check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr[-2000:]
    lines = [ln for ln in done.stdout.splitlines() if ln.startswith("{")]
    assert len(lines) == 1, done.stdout
    out = json.loads(lines[0])
    assert set(out) == KEYS
    assert out["same_image"] is True  # the culling dropped no pin that shows
    assert out["pins"] == 120 and 0 < out["pins_on_screen_street"] < 120
