"""``bench/crowd.py --quick`` runs and prints its keys (never asserts on time)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
DATA = ROOT.parent / "shared" / "data" / "crowd" / "auckland-pedestrians-2019-2023.csv.gz"


@pytest.mark.slow
@pytest.mark.skipif(not DATA.exists(), reason=f"reference data absent: {DATA}")
def test_bench_crowd_quick_prints_its_keys() -> None:
    proc = subprocess.run(
        [sys.executable, str(ROOT / "bench" / "crowd.py"), "--quick"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert proc.returncode == 0, proc.stderr[-2000:]
    out = json.loads(proc.stdout.strip().splitlines()[-1])
    assert out["counters"] == 4 and out["weeks"] == 1.0
    assert {"wall_s", "cpu_s", "baseline_only_wall_s", "budget_ratio", "result"} <= set(out)
    assert out["result"]["series"] == 4 and out["result"]["issues"] == 7
