"""``main.py simulate`` on the demo district: roads, flapping terminals, the command line.

Everything is real: the demo district in a SQLite store, the link on loopback
CURVE sockets, terminal keys made and enrolled by the simulator's own code.
"""

from __future__ import annotations

import math
import random
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import select

from console.link.hubport import SituationPort
from console.link.keys import KeyPair, load_or_create_hub_keys
from console.link.node import HubNode
from console.link.posbatch import MAX_SPEED_MPS
from console.store.db import Store, open_store
from console.store.district_repo import DistrictRepo
from console.store.models import OrderRow, TerminalRow, UnitRow
from console.terminal.simulator import Mover, build, road_graph, sim_keys, unit_homes
from tests.conftest import DemoParts
from tests.link.helpers import add_orders, make_incident, wait_until

ROOT = Path(__file__).parents[2]


@pytest.fixture
def demo(tmp_path: Path, demo_parts: DemoParts) -> Iterator[tuple[str, Store]]:
    url = f"sqlite:///{tmp_path / 'hub.sqlite3'}"
    store = open_store(url)
    with store.transaction() as s:
        DistrictRepo(s).save_district(demo_parts.district)
    yield url, store
    store.close()


@pytest.fixture
def hub_keys(tmp_path: Path) -> KeyPair:
    return load_or_create_hub_keys(tmp_path / "hubkeys")


@pytest.fixture
def demo_node(demo: tuple[str, Store], hub_keys: KeyPair) -> Iterator[HubNode]:
    _url, store = demo
    n = HubNode(store, hub_keys, "tcp://127.0.0.1:0", port=SituationPort.from_store(store)).start()
    yield n
    n.stop()


def _first_units(store: Store, n: int) -> list[str]:
    with store.session() as s:
        return list(s.scalars(select(UnitRow.call_sign).order_by(UnitRow.id).limit(n)))


def test_officers_drive_along_demo_roads(demo: tuple[str, Store]) -> None:
    url, store = demo
    signs = _first_units(store, 2)
    graph = road_graph(url, signs)
    assert graph is not None
    (lon0, lat0), _ = unit_homes(url, signs)
    m = Mover(lon0, lat0, random.Random(1), graph)
    far = (lon0 + 0.012, lat0 + 0.008)  # about 1.5 km away, inside the district
    m.go(*far)
    assert m.path_lon.size > 3  # via road nodes, not one straight segment
    nodes = set(zip(graph.node_lon.tolist(), graph.node_lat.tolist(), strict=True))
    inner = list(zip(m.path_lon[1:-1].tolist(), m.path_lat[1:-1].tolist(), strict=True))
    assert inner and all(pt in nodes for pt in inner)
    kx = 111_320.0 * math.cos(math.radians(lat0))
    straight = math.hypot((far[0] - lon0) * kx, (far[1] - lat0) * 110_540.0)
    assert float(m.cum[-1]) >= straight  # a road route is never shorter than the crow flies
    while not m.done:
        m.advance(10.0)
    assert (m.lon, m.lat) == pytest.approx(far)


def test_roads_only_for_the_district_they_belong_to(tmp_path: Path) -> None:
    from tests.link.helpers import make_store

    store = make_store(tmp_path / "other.sqlite3", 3)  # a district the demo roads do not cover
    store.close()
    url = f"sqlite:///{tmp_path / 'other.sqlite3'}"
    assert road_graph(url, ["T-0000"]) is None


def test_flapping_simulated_officers_still_finish_every_order(
    demo: tuple[str, Store], demo_node: HubNode, hub_keys: KeyPair, tmp_path: Path
) -> None:
    url, store = demo
    n = 8
    keys = sim_keys(url, n, hub_keys.public, tmp_path / "sim-keys")
    signs = [k.unit for k in keys]
    homes = unit_homes(url, signs)
    port = demo_node.port
    assert isinstance(port, SituationPort)
    fleet, sim = build(
        keys,
        demo_node.link.endpoint,
        homes,
        graph=road_graph(url, signs),
        seed=5,
        delay_s=(0.05, 0.2),
        on_scene_s=(0.1, 0.3),
        reject_p=0.0,
        offline_per_min=90.0,  # each officer drops off one and a half times a second ...
        offline_s=(0.2, 0.6),  # ... and is back within a second
    )
    for o in sim.officers:
        o.mover.speed = 0.8 * MAX_SPEED_MPS  # a fast car the hub's position gate believes
    fleet.start()
    try:
        sit = port.situation
        assert wait_until(lambda: all(sit.fix_t[sit.index[c]] > 0 for c in signs))
        # each to a call near its own post: the drive is short, the flapping is the test
        ids = [
            add_orders(store, make_incident(store, lon, lat), [c])[0]
            for c, (lon, lat) in zip(signs, homes, strict=True)
        ]
        demo_node.link.kick()

        def finished() -> bool:
            with store.session() as s:
                states = s.scalars(select(OrderRow.state).where(OrderRow.id.in_(ids))).all()
            return all(st == "finished" for st in states)

        assert wait_until(finished, timeout=90)
        assert wait_until(lambda: sim.stats.offline_episodes > 0, timeout=30)
    finally:
        fleet.stop()
    assert sim.stats.orders == n and sim.stats.finished == n  # each order once, to the end
    assert sum(o.member.connects for o in sim.officers) > n  # terminals really reconnected
    for c in signs:  # fixes came from inside the district
        i = sit.index[c]
        assert 121.44 < sit.lon[i] < 121.53 and 31.18 < sit.lat[i] < 31.26


@pytest.mark.slow  # a child process simulating for four seconds
def test_main_simulate_runs_terminals_against_a_hub(
    demo: tuple[str, Store], demo_node: HubNode, tmp_path: Path
) -> None:
    url, store = demo
    proc = subprocess.run(
        [
            sys.executable,
            "main.py",
            "simulate",
            "--hub",
            demo_node.link.endpoint,
            "--terminals",
            "4",
            "--db",
            url,
            "--key-dir",
            str(tmp_path / "hubkeys"),
            "--sim-keys",
            str(tmp_path / "sim-keys"),
            "--duration",
            "4",
            "--offline-per-min",
            "0",
        ],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=ROOT,
    )
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert "simulating 4 terminals" in proc.stdout
    signs = _first_units(store, 4)
    port = demo_node.port
    assert isinstance(port, SituationPort)
    assert all(port.situation.fix_t[port.situation.index[c]] > 0 for c in signs)
    with store.session() as s:
        by = list(s.scalars(select(TerminalRow.enrolled_by)))
    assert by.count("simulator") == 4
    assert len(list((tmp_path / "sim-keys").iterdir())) == 4  # kept for the next run
