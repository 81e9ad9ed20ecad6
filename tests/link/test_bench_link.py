"""bench/link.py still runs end to end (tiny sizes) and prints the keys the issue asks for.

Figures are not checked here (tests never judge speed); only that the
benchmark works, so a change to the link cannot silently break it.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow  # the link benchmark end to end

ROOT = Path(__file__).resolve().parents[2]
KEYS = {
    "ingest_per_s",
    "raw_curve_per_s",
    "ingest_ratio",
    "fanout_p50_ms",
    "fanout_p99_ms",
    "raw_rtt_ms",
}


def test_bench_link_prints_one_json_line_with_its_keys() -> None:
    sizes = ["--terminals", "20", "--fanout", "20", "--seconds", "1", "--rounds", "1"]
    out = subprocess.run(
        [sys.executable, str(ROOT / "bench" / "link.py"), *sizes],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=240,
    )
    assert out.returncode == 0, out.stderr[-2000:]
    lines = [ln for ln in out.stdout.splitlines() if ln.strip()]
    assert len(lines) == 1, out.stdout
    figures = json.loads(lines[0])
    assert set(figures) == KEYS
    assert all(isinstance(v, int | float) and v > 0 for v in figures.values()), figures
