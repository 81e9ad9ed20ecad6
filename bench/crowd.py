"""Crowd forecast evaluation benchmark: prints one JSON line.

Times ``main.py evaluate-crowd`` (the whole command: reading the file, every model,
every issue) on eight weeks of 21 counters against the issue's budget of 4 minutes
on a 2-core machine, beside the same command with the baseline model only (the
reference measured in the same run: reading, bucketing and scoring without models).

The 21 counters are the 11 real Auckland counters
(``../shared/data/crowd/auckland-pedestrians-2019-2023.csv.gz``, Heart of the City
Auckland, CC BY 4.0) plus 10 copies of the first ten with their own scale (0.5-2x)
and 10 % hourly noise, written to a temporary file.

Keys: ``counters``, ``weeks``, ``wall_s`` / ``cpu_s`` (all models: wall clock, and
CPU of the command and its worker processes), ``baseline_only_wall_s``,
``budget_s`` (240), ``budget_ratio`` (wall_s / budget_s: below 1 meets the budget),
``vs_baseline_only`` (wall_s / baseline_only_wall_s), ``load_before`` (1-minute load
average when the run started: other work on the machine stretches wall times),
``result`` (the evaluation's own JSON line).

Run: ``.venv/bin/python bench/crowd.py`` (a few minutes); ``--quick`` for one week
of 4 counters.
"""

from __future__ import annotations

import argparse
import csv
import gzip
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT.parent / "shared" / "data" / "crowd" / "auckland-pedestrians-2019-2023.csv.gz"
BUDGET_S = 240.0
ENTRY = (
    "import sys; from console.crowd.cli import evaluate_crowd_main; "
    "sys.exit(evaluate_crowd_main(sys.argv[1:]))"
)


def make_file(out: Path, copies: int, keep: int | None, since: str) -> int:
    """The real counters from ``since`` on plus ``copies`` noisy copies; returns counters."""
    rng = np.random.default_rng(21)
    with gzip.open(DATA, "rt", encoding="utf-8", newline="") as src:
        rows = [r for r in csv.reader(src)][1:]
    rows = [r for r in rows if r[0] >= since]
    sensors = sorted({r[1] for r in rows})[: keep or None]
    chosen = set(sensors)
    scale = {s: float(rng.uniform(0.5, 2.0)) for s in sensors[:copies]}
    with gzip.open(out, "wt", encoding="utf-8", newline="") as dst:
        w = csv.writer(dst)
        w.writerow(["time", "sensor", "count"])
        for t, s, c in rows:
            if s not in chosen:
                continue
            w.writerow([t, s, c])
            if s in scale:
                noisy = max(0.0, float(c) * scale[s] * rng.normal(1.0, 0.1))
                w.writerow([t, f"copy of {s}", round(noisy)])
    return len(sensors) + min(copies, len(sensors))


def run(path: Path, start: str, stop: str, models: str) -> tuple[float, float, dict[str, Any]]:
    """(wall s, CPU s of the command and its children, its JSON result)."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    t0 = time.perf_counter()
    proc = subprocess.run(
        [
            sys.executable,
            "-c",
            ENTRY,
            "--csv",
            str(path),
            "--time-col",
            "time",
            "--sensor-col",
            "sensor",
            "--count-col",
            "count",
            "--horizon-h",
            "24",
            "--from",
            start,
            "--to",
            stop,
            "--tz",
            "Pacific/Auckland",
            "--country",
            "NZ",
            "--subdiv",
            "AUK",
            "--models",
            models,
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        check=False,
    )
    wall = time.perf_counter() - t0
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if proc.returncode != 0:
        raise SystemExit(f"evaluate-crowd failed:\n{proc.stderr[-2000:]}")
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return wall, cpu, json.loads(proc.stdout.strip().splitlines()[-1])


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--quick", action="store_true", help="one week, 4 counters")
    args = p.parse_args()
    if not DATA.exists():
        raise SystemExit(f"needs {DATA} (the shared reference data)")
    start, stop = ("2023-12-03", "2023-12-10") if args.quick else ("2023-11-06", "2024-01-01")
    load = os.getloadavg()[0]
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "counts21.csv.gz"
        counters = make_file(
            path,
            copies=2 if args.quick else 10,
            keep=2 if args.quick else None,
            since="2019",
        )
        base_wall, _base_cpu, _ = run(path, start, stop, "seasonal_naive_week")
        wall, cpu, result = run(
            path, start, stop, "seasonal_naive_week,weekly_profile,gradient_boosting"
        )
    weeks = (np.datetime64(stop) - np.datetime64(start)).astype(int) / 7
    print(
        json.dumps(
            {
                "counters": counters,
                "weeks": weeks,
                "wall_s": round(wall, 1),
                "cpu_s": round(cpu, 1),
                "baseline_only_wall_s": round(base_wall, 1),
                "budget_s": BUDGET_S,
                "budget_ratio": round(wall / BUDGET_S, 3),
                "vs_baseline_only": round(wall / base_wall, 2),
                "load_before": round(load, 2),
                "result": result,
            },
            ensure_ascii=False,
        )
    )


if __name__ == "__main__":
    main()
