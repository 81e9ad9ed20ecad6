"""A real street network: People's Square from OpenStreetMap, imported through ``main.py``.

Roads are the shared OSM extract; stations, areas, units, roster and
gazetteer are this test's own.  Route lengths are checked against a plain
Dijkstra over the OSM ways written here from the XML (no code of the
console), and ``main.py plan`` answers on the imported district.
"""

from __future__ import annotations

import csv
import filecmp
import heapq
import itertools
import json
import math
import random
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest
from scipy.sparse import csr_matrix
from scipy.sparse.csgraph import dijkstra

from console.config import Config
from console.geo.roadgraph import NoRouteError, RoadGraph
from console.hub.bootstrap import MixedDistrictError, NoDistrictError, build_graph, open_hub
from console.store import open_store, repos
from console.store.models import IncidentRow, UnitRow
from tests.district.builders import PEOPLES_SQUARE_OSM, write_peoples_square
from tests.district.conftest import needs_osm, run_inproc, run_main

pytestmark = needs_osm
NOON_29_MAY = 1_780_027_200.0  # 2026-05-29 12:00 Shanghai: day shift
OFF_ROSTER = 1_780_800_000.0  # 2026-06-07: nobody on the roster
R = 6_371_008.8
ARTERIAL = {"motorway", "trunk", "primary", "motorway_link", "trunk_link", "primary_link"}
SECONDARY = {"secondary", "tertiary", "secondary_link", "tertiary_link"}
LOCAL = {"unclassified", "residential", "living_street", "service", "road"}


@pytest.fixture(scope="module")
def ps(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Path, str]]:
    """The package, imported once through the real command into a module database."""
    base = tmp_path_factory.mktemp("ps")
    pkg = write_peoples_square(base / "pkg")
    url = f"sqlite:///{base / 'ps.sqlite3'}"
    done = run_main("district", "import", str(pkg), "--db", url)
    assert done.returncode == 0, done.stderr
    assert "district huangpu_ps: version 1 written" in done.stdout
    yield pkg, url


def _metres(a: tuple[float, float], b: tuple[float, float]) -> float:
    la1, la2 = math.radians(a[1]), math.radians(b[1])
    h = (
        math.sin((la2 - la1) / 2) ** 2
        + math.cos(la1) * math.cos(la2) * math.sin(math.radians(b[0] - a[0]) / 2) ** 2
    )
    return 2 * R * math.asin(math.sqrt(h))


def independent_graph(
    osm: Path, speeds: dict[str, float]
) -> tuple[dict[int, tuple[float, float]], dict[int, list[tuple[int, float, float]]]]:
    """node -> (lon, lat) and node -> [(next node, metres, seconds)], straight from the XML."""
    root = ET.parse(osm).getroot()
    nodes = {
        int(n.get("id", 0)): (float(n.get("lon", 0)), float(n.get("lat", 0)))
        for n in root.iter("node")
    }
    adj: dict[int, list[tuple[int, float, float]]] = {}
    for w in root.iter("way"):
        tags = {t.get("k"): t.get("v") for t in w.iter("tag")}
        hw = tags.get("highway", "")
        cls = (
            "arterial"
            if hw in ARTERIAL
            else "secondary"
            if hw in SECONDARY
            else "local"
            if hw in LOCAL
            else None
        )
        if cls is None or tags.get("area") == "yes":
            continue
        if any(
            tags.get(k) in ("no", "private")
            for k in ("access", "motor_vehicle", "motorcar", "vehicle")
        ):
            continue
        kmh = speeds[cls]
        ms = (tags.get("maxspeed") or "").strip()
        if ms.isdigit() and int(ms) > 0:
            kmh = float(ms)
        ow = tags.get("oneway", "")
        fwd_only = ow in ("yes", "true", "1") or (
            ow == "" and (tags.get("junction") == "roundabout" or hw == "motorway")
        )
        rev_only = ow == "-1"
        refs = [int(nd.get("ref", 0)) for nd in w.iter("nd")]
        for a, b in itertools.pairwise(refs):
            if a == b:
                continue
            m = _metres(nodes[a], nodes[b])
            s = m / (kmh / 3.6)
            if not rev_only:
                adj.setdefault(a, []).append((b, m, s))
            if not fwd_only:
                adj.setdefault(b, []).append((a, m, s))
    return nodes, adj


def plain_dijkstra(
    adj: dict[int, list[tuple[int, float, float]]], src: int, by: int
) -> dict[int, tuple[float, float]]:
    """node -> (cost, other measure along that path); ``by`` 1 = metres, 2 = seconds."""
    best: dict[int, tuple[float, float]] = {src: (0.0, 0.0)}
    heap = [(0.0, 0.0, src)]
    done: set[int] = set()
    while heap:
        cost, other, u = heapq.heappop(heap)
        if u in done:
            continue
        done.add(u)
        for v, m, s in adj.get(u, ()):
            step, step_other = (m, s) if by == 1 else (s, m)
            c = cost + step
            if v not in best or c < best[v][0]:
                best[v] = (c, other + step_other)
                heapq.heappush(heap, (c, other + step_other, v))
    return best


def test_route_lengths_match_an_independent_dijkstra(ps: tuple[Path, str], config: Config) -> None:
    _pkg, url = ps
    store = open_store(url)
    try:
        with store.session() as s:
            pkg = repos.PackageRepo(s).load("huangpu_ps")
    finally:
        store.close()
    graph: RoadGraph = build_graph(pkg.district, config, pkg.restrictions)
    rs = config.road_speeds
    nodes, adj = independent_graph(
        PEOPLES_SQUARE_OSM, {"arterial": rs.arterial, "secondary": rs.secondary, "local": rs.local}
    )
    junctions = sorted(n for n, out in adj.items() if len(out) >= 3)
    rng = random.Random(14)
    pairs = [(rng.choice(junctions), rng.choice(junctions)) for _ in range(25)]
    # shortest road distance on the console's graph: one (shortest) edge per node pair
    key = graph.edge_src.astype(np.int64) * graph.n_nodes + graph.edge_dst
    order = np.lexsort((graph.edge_len_m, key))
    first = np.r_[True, key[order][1:] != key[order][:-1]]
    e = order[first]
    length_csr = csr_matrix(
        (graph.edge_len_m[e], (graph.edge_src[e], graph.edge_dst[e])),
        shape=(graph.n_nodes, graph.n_nodes),
    )
    checked = 0
    for a, b in pairs:
        ga, da = graph.snap_with_distance(*nodes[a])
        gb, db = graph.snap_with_distance(*nodes[b])
        assert da < 0.01 and db < 0.01  # OSM nodes are graph nodes
        by_len = plain_dijkstra(adj, a, 1)
        by_time = plain_dijkstra(adj, a, 2)
        g_len = float(dijkstra(length_csr, indices=ga)[gb])
        if b not in by_len:
            assert math.isinf(g_len)
            with pytest.raises(NoRouteError):
                graph.route(ga, gb)
            continue
        assert g_len == pytest.approx(by_len[b][0], rel=5e-3)  # shortest road distance
        route = graph.route(ga, gb)  # fastest route, as the planner drives
        assert route.seconds == pytest.approx(by_time[b][0], rel=5e-3)
        assert route.length_m == pytest.approx(by_time[b][1], rel=1e-2)
        checked += 1
    assert checked >= 15


def test_plan_command_on_the_imported_district(
    ps: tuple[Path, str], capsys: pytest.CaptureFixture[str]
) -> None:
    _pkg, url = ps
    done = run_main(
        "plan",
        "--db",
        url,
        "--type",
        "knife_attack",
        "--at",
        "31.2318,121.4737",
        "--time",
        str(NOON_29_MAY),
        "--json",
    )
    assert done.returncode == 0, done.stderr
    out = json.loads(done.stdout)
    assert out["district"] == "huangpu_ps" and out["units_available"] == 10
    units = out["units"]
    assert units and {"special_police", "patrol_group"} <= {u["unit_type"] for u in units}
    for u in units:
        assert u["eta_s"] >= 0 and u["road_distance_m"] >= 0 and u["role"]
        assert u["route_length_m"] == pytest.approx(u["road_distance_m"], rel=0.05, abs=5.0)
    assert out["standards"] and all("met" in s for s in out["standards"])
    code, stdout, _ = run_inproc(
        capsys,
        "plan",
        "--db",
        url,
        "--type",
        "theft",
        "--at",
        "31.2318,121.4737",
        "--time",
        str(OFF_ROSTER),
        "--json",
    )
    off = json.loads(stdout)
    assert code == 0 and off["units_available"] == 0 and not off["units"] and off["shortfalls"]
    code, _, err = run_inproc(
        capsys, "plan", "--db", url, "--type", "alien_landing", "--at", "31.2318,121.4737"
    )
    assert code == 2 and "unknown incident type 'alien_landing'" in err


def test_hub_opens_the_stored_district_with_addresses(ps: tuple[Path, str], config: Config) -> None:
    _pkg, url = ps
    hub = open_hub(url, config, clock=lambda: NOON_29_MAY)
    try:
        assert hub.district.code == "huangpu_ps" and hub.sim is None
        assert "南京东路300号" in hub.district.landmarks  # from the gazetteer's street + number
        assert "第一百货商店" in hub.district.landmarks
        assert len(hub.hist_t) == 0  # a real district never gets generated calls
        with hub.store.session() as s:
            assert repos.CallHistoryRepo(s).count() == 0
    finally:
        hub.stop()
        hub.store.close()
    with pytest.raises(MixedDistrictError, match="demo and real districts"):
        open_hub(url, config, demo=True, clock=lambda: NOON_29_MAY)


def test_empty_database_says_how_to_import(
    tmp_path: Path, config: Config, capsys: pytest.CaptureFixture[str]
) -> None:
    url = f"sqlite:///{tmp_path / 'empty.sqlite3'}"
    with pytest.raises(
        NoDistrictError,
        match=r"holds no district; import one with: python main\.py district import",
    ):
        open_hub(url, config)
    done = run_main(
        "hub", "--db", url, "--bind", "tcp://127.0.0.1:0", "--key-dir", str(tmp_path / "k")
    )
    assert done.returncode == 3
    assert "main.py district import DIR --db" in done.stderr


def _rewrite_units(pkg: Path) -> None:
    with (pkg / "units.csv").open(encoding="utf-8", newline="") as fh:
        rows = list(csv.reader(fh))
    rows = [r for r in rows if r[0] != "社区-1"]  # removed
    for r in rows:
        if r[0] == "人广-3":
            r[5], r[6] = "121.4700", "31.2240"  # moved
    rows.append(["南东-4", "patrol_group", "NDL", "NDL-2", "", "121.4660", "31.2380"])  # added
    with (pkg / "units.csv").open("w", encoding="utf-8", newline="") as fh:
        csv.writer(fh, lineterminator="\n").writerows(rows)
    with (pkg / "officers.csv").open(encoding="utf-8", newline="") as fh:
        officers = [r for r in csv.reader(fh) if r[4] != "社区-1"]
    with (pkg / "officers.csv").open("w", encoding="utf-8", newline="") as fh:
        csv.writer(fh, lineterminator="\n").writerows(officers)
    with (pkg / "roster.csv").open(encoding="utf-8", newline="") as fh:
        roster = [r for r in csv.reader(fh) if r[2] != "社区-1"]
    with (pkg / "roster.csv").open("w", encoding="utf-8", newline="") as fh:
        csv.writer(fh, lineterminator="\n").writerows(roster)


def test_reimport_reports_changes_and_keeps_incidents(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    pkg = write_peoples_square(tmp_path / "pkg")
    url = f"sqlite:///{tmp_path / 'again.sqlite3'}"
    assert run_inproc(capsys, "district", "import", str(pkg), "--db", url)[0] == 0
    store = open_store(url)
    try:
        with store.transaction() as s:
            inc = repos.IncidentRepo(s).create(
                incident_type="theft",
                priority=2,
                force_level=1,
                manpower=2,
                lon=121.47,
                lat=31.23,
                created_by="op",
                created_at=NOON_29_MAY,
            )
            gone = s.query(UnitRow).filter_by(call_sign="社区-1").one()
            repos.UnitRepo(s).set_status(gone.id, "dispatched", t=NOON_29_MAY, incident_id=inc.id)
            inc_id = inc.id
        _rewrite_units(pkg)
        code, out, err = run_inproc(capsys, "district", "import", str(pkg), "--db", url)
        assert code == 0, err
        assert "version 2 written" in out
        assert "units: 1 added, 1 removed, 1 moved" in out
        assert "unit 南东-4 added" in out and "unit 社区-1 removed" in out
        assert "unit 人广-3 moved: home moved" in out
        with store.session() as s:
            assert s.get(IncidentRow, inc_id) is not None  # incidents kept
            retired = s.query(UnitRow).filter_by(call_sign="社区-1").one()
            assert retired.retired_at is not None and retired.current_incident_id == inc_id
            d = repos.PackageRepo(s).load("huangpu_ps")
        assert "社区-1" not in {u.call_sign for u in d.district.units}
        assert len(d.district.units) == 10
    finally:
        store.close()


def test_export_round_trip(
    tmp_path: Path, ps: tuple[Path, str], capsys: pytest.CaptureFixture[str]
) -> None:
    _pkg, url = ps
    first = tmp_path / "export1"
    assert run_inproc(capsys, "district", "export", str(first), "--db", url)[0] == 0
    url2 = f"sqlite:///{tmp_path / 'second.sqlite3'}"
    code, _, err = run_inproc(capsys, "district", "import", str(first), "--db", url2)
    assert code == 0, err
    second = tmp_path / "export2"
    assert run_inproc(capsys, "district", "export", str(second), "--db", url2)[0] == 0
    cmp = filecmp.dircmp(first, second)
    assert sorted(cmp.left_list) == sorted(cmp.right_list)
    assert not cmp.diff_files and not cmp.funny_files, cmp.diff_files
    a, b = open_store(url), open_store(url2)
    try:
        with a.session() as s1, b.session() as s2:
            p1 = repos.PackageRepo(s1).load("huangpu_ps")
            p2 = repos.PackageRepo(s2).load("huangpu_ps")
    finally:
        a.close()
        b.close()
    assert p1.district == p2.district
    assert p1.officers == p2.officers and p1.shifts == p2.shifts and p1.places == p2.places
    assert len(p1.district.ways) == 793  # every drivable way of the extract, none cut
