"""``bench/heat.py --quick`` runs and prints one JSON line with its keys (no timing asserted)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

BENCH = Path(__file__).resolve().parents[2] / "bench" / "heat.py"


def test_quick_bench_prints_its_keys() -> None:
    run = subprocess.run(
        [sys.executable, str(BENCH), "--quick"], capture_output=True, text=True, timeout=240
    )
    assert run.returncode == 0, run.stderr
    lines = run.stdout.strip().splitlines()
    assert len(lines) == 1
    res = json.loads(lines[0])
    for key in ("kde_1m_ms", "exact_kde_scaled_ms", "max_rel_diff", "gistar_ms", "hotspots_ms"):
        assert key in res and res[key] >= 0
    assert res["max_rel_diff"] < 0.02  # accuracy of the binned estimate, not speed
    assert res["total_calls_on_grid"] == res["calls"]
