"""bench/district.py on a small size: one JSON line with every key (no timing asserted)."""

from __future__ import annotations

import json
import subprocess
import sys

from tests.district.builders import ROOT


def test_bench_prints_one_json_line_with_its_keys() -> None:
    done = subprocess.run(
        [sys.executable, "bench/district.py", "--nodes", "400", "--calls", "3000"],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=300,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    lines = done.stdout.strip().splitlines()
    assert len(lines) == 1
    out = json.loads(lines[0])
    for key in (
        "osm_nodes",
        "osm_import_s",
        "osm_parse_s",
        "osm_ratio",
        "calls_import_s",
        "calls_parse_s",
        "calls_ratio",
    ):
        assert key in out, key
    assert out["osm_nodes"] >= 400 and out["calls_added"] == 3000 and out["calls_rejected"] == 0
    assert out["osm_turn_restrictions"] >= 1
