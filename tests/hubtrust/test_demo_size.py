"""Issue 13, 6 (``simulate`` could not run more terminals than the demo has units): the demo
at any size.  ``main.py hub --demo --demo-units N`` serves N units (the demo's own 142 and
generated patrol groups, deterministic, labelled demo), and ``simulate --terminals N`` runs
that many real terminals against the real hub process."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from sqlalchemy import func, select

from console.config import Config
from console.demo.extra_units import PREFIX, extra_units, with_units
from console.demo.package import DEMO_PACKAGE
from console.district.load import load_package
from console.link.keys import load_or_create_hub_keys
from console.polygon import contains
from console.store.db import open_store
from console.store.models import UnitRow
from tests.conftest import DemoParts
from tests.link.helpers import HubProcess, wait_until

ROOT = Path(__file__).resolve().parents[2]
OWN = 142
N = 260


def test_generated_units_are_deterministic_on_roads_inside_the_district(
    demo_parts: DemoParts, config: Config
) -> None:
    d = demo_parts.district
    a, b = extra_units(d, 500), extra_units(d, 500)
    assert a == b and len({u.call_sign for u in a}) == 500
    assert all(u.call_sign.startswith(PREFIX) and u.unit_type == "patrol_group" for u in a)
    lon = np.array([u.home_lon for u in a])
    lat = np.array([u.home_lat for u in a])
    assert contains(d.outline, lon, lat).all()
    assert len({(u.home_lon, u.home_lat) for u in a}) == 500  # spread: no two on one vertex
    assert {u.area_code for u in a} == {x.code for x in d.areas}  # every area gets some
    stations = {x.code: x.station_code for x in d.areas}
    assert all(stations[u.area_code] == u.station_code for u in a if u.area_code)
    assert extra_units(d, 20) == a[:20]  # a smaller demo is a prefix of a larger one
    pkg, _ = load_package(DEMO_PACKAGE, config)
    assert len(with_units(pkg, N).district.units) == N
    assert with_units(pkg, OWN) is pkg
    with pytest.raises(ValueError, match=f"must be {OWN} or more"):
        with_units(pkg, OWN - 1)


def _simulate(*args: str) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-m", "console.link.cli", "simulate", *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        cwd=ROOT,
    )


@pytest.mark.slow  # two hub processes and a simulator (about a minute)
def test_simulate_runs_more_terminals_than_the_demo_has_units(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'hub.sqlite3'}"
    keys = tmp_path / "keys"
    load_or_create_hub_keys(keys)
    # refused with the way out, before the demo is sized
    small = HubProcess(url, keys, tmp_path / "hub0.log", "--demo", link_only=False).start()
    try:
        r = _simulate("--hub", small.endpoint, "--db", url, "--terminals", str(N))
        out, _ = r.communicate(timeout=120)
        assert r.returncode == 2, out
        assert f"the database has {OWN} units: cannot simulate {N} terminals" in out
        assert f"--demo-units {N}" in out
    finally:
        small.stop()

    hub = HubProcess(
        url, keys, tmp_path / "hub.log", "--demo", "--demo-units", str(N), link_only=False
    ).start()
    sim = None
    try:
        store = open_store(url)
        with store.session() as s:
            live = select(func.count()).select_from(UnitRow).where(UnitRow.retired_at.is_(None))
            assert s.scalar(live) == N
        store.close()
        sim = _simulate(
            *("--hub", hub.endpoint, "--db", url, "--key-dir", str(keys)),
            *("--terminals", str(N), "--sim-keys", str(tmp_path / "sim-keys")),
            *("--offline-per-min", "0", "--no-roads"),
        )
        lines: list[str] = []

        def all_online() -> bool:
            assert sim is not None and sim.stdout is not None
            line = sim.stdout.readline()
            lines.append(line)
            return f"online {N}/{N}" in line or sim.poll() is not None

        assert wait_until(all_online, timeout=120, step=0), lines
        assert sim.poll() is None and f"online {N}/{N}" in lines[-1], lines
    finally:
        if sim is not None and sim.poll() is None:
            sim.terminate()
            sim.wait(30)
        hub.stop()


def test_demo_units_needs_the_demo(tmp_path: Path) -> None:
    r = subprocess.run(
        [
            *(sys.executable, "-m", "console.link.cli", "hub"),
            *("--db", f"sqlite:///{tmp_path / 'x.sqlite3'}", "--demo-units", "500"),
            *("--bind", "tcp://127.0.0.1:0", "--key-dir", str(tmp_path / "k")),
        ],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=120,
    )
    assert r.returncode == 2 and "use it with --demo" in r.stderr, r.stderr
