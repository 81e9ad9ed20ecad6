"""OSM roads in a package: turn restrictions, private and no-motor-vehicle ways, addresses.

A small plus-shaped junction written with pyosmium (XML and PBF), with a
detour around one corner, so every rule changes a route length we can
compute by hand: 100 m blocks, detours of 400 m.
"""

from __future__ import annotations

from pathlib import Path

import osmium
import pytest
from osmium.osm.mutable import Node, Relation
from osmium.osm.mutable import Way as OsmWay

from console.config import Config
from console.district.importer import import_package
from console.hub.bootstrap import build_graph
from console.store import Store, repos
from tests.district.builders import feature, ll, point, polygon, square, toml, write_csv, write_json

# node ids: centre, west, east, north, south, north-east corner, north-west corner
C, W, E, N, S, NE, NW = 1, 2, 3, 4, 5, 6, 7
XY = {
    C: (0, 0),
    W: (-100, 0),
    E: (100, 0),
    N: (0, 100),
    S: (0, -100),
    NE: (100, 100),
    NW: (-100, 100),
}


def write_plus(path: Path, restrictions: list[tuple[int, str, int, int]]) -> None:
    """Ways 11 W-C, 12 C-N, 13 C-E, 14 S-C, 15 N-NE-E (the detour), 16 W-NW (private),
    17 NW-N (motor_vehicle=no); restrictions are (relation id, kind, from way, to way) at C."""
    w = osmium.SimpleWriter(str(path))
    try:
        for nid, (x, y) in XY.items():
            tags = {}
            if nid == NE:
                tags = {"addr:street": "人民大道", "addr:housenumber": "200", "name": "市政大厦"}
            w.add_node(Node(id=nid, location=tuple(ll(x, y)), tags=tags))
        ways = [
            (11, [W, C], {"highway": "secondary", "name": "西路"}),
            (12, [C, N], {"highway": "secondary", "name": "北路"}),
            (13, [C, E], {"highway": "secondary", "name": "东路"}),
            (14, [S, C], {"highway": "secondary", "name": "南路"}),
            (15, [N, NE, E], {"highway": "residential", "name": "环路"}),
            (16, [W, NW], {"highway": "service", "access": "private"}),
            (17, [NW, N], {"highway": "residential", "motor_vehicle": "no"}),
        ]
        for wid, refs, tags in ways:
            w.add_way(OsmWay(id=wid, nodes=refs, tags=tags))
        for rid, kind, frm, to in restrictions:
            w.add_relation(
                Relation(
                    id=rid,
                    members=[("w", frm, "from"), ("n", C, "via"), ("w", to, "to")],
                    tags={"type": "restriction", "restriction": kind},
                )
            )
    finally:
        w.close()


def write_plus_package(d: Path, roads: str, restrictions: list[tuple[int, str, int, int]]) -> Path:
    d.mkdir(parents=True, exist_ok=True)
    write_plus(d / roads, restrictions)
    (d / "district.toml").write_text(
        toml("plus", "十字路口 (test)", roads).replace('roster = "roster.csv"\n', ""),
        encoding="utf-8",
    )
    write_json(d / "outline.geojson", [feature(polygon(square(-300, -300, 300, 300)))])
    write_json(
        d / "areas.geojson",
        [feature(polygon(square(-300, -300, 300, 300)), code="A", name="全区", station="S")],
    )
    write_json(d / "stations.geojson", [feature(point(ll(10, 10)), code="S", name="派出所")])
    write_json(d / "points.geojson", [])
    write_csv(
        d / "units.csv",
        ("call_sign", "unit_type", "station", "area", "post", "lon", "lat"),
        [("P-1", "patrol_group", "S", "A", "", *ll(-100, 0))],
    )
    write_csv(d / "officers.csv", ("officer_id", "name", "rank", "phone", "unit", "kind"), [])
    write_csv(d / "gazetteer.csv", ("name", "kind", "lon", "lat", "street", "number"), [])
    return d


def route_m(store: Store, config: Config, a: int, b: int) -> float:
    with store.session() as s:
        pkg = repos.PackageRepo(s).load("plus")
    g = build_graph(pkg.district, config, pkg.restrictions)
    return g.route(g.snap(*ll(*XY[a])), g.snap(*ll(*XY[b]))).length_m


@pytest.mark.parametrize("roads", ["roads.osm", "roads.osm.pbf"])
def test_turn_restrictions_and_access_change_routes(
    tmp_path: Path, store: Store, config: Config, roads: str
) -> None:
    d = write_plus_package(tmp_path / "plus", roads, [(90, "no_left_turn", 11, 12)])
    result = import_package(store, d, config)
    assert result.counts["turn_restrictions"] == 1
    # W -> N: the left turn at C is banned, W-NW is private, NW-N is closed to cars:
    # the only way is W, C, E, NE, N
    assert route_m(store, config, W, N) == pytest.approx(400.0, rel=1e-3)
    assert route_m(store, config, S, N) == pytest.approx(200.0, rel=1e-3)  # straight on: fine
    assert route_m(store, config, W, E) == pytest.approx(200.0, rel=1e-3)
    with store.session() as s:
        pkg = repos.PackageRepo(s).load("plus")
    names = {p.name for p in pkg.places}
    assert {"人民大道200号", "市政大厦"} <= names  # addr:* and a named building


def test_only_straight_on(tmp_path: Path, store: Store, config: Config) -> None:
    d = write_plus_package(tmp_path / "plus", "roads.osm", [(91, "only_straight_on", 14, 12)])
    import_package(store, d, config)
    assert route_m(store, config, S, E) == pytest.approx(400.0, rel=1e-3)  # via N, NE
    assert route_m(store, config, S, N) == pytest.approx(200.0, rel=1e-3)
    assert route_m(store, config, W, E) == pytest.approx(200.0, rel=1e-3)  # other approach free


def test_restrictions_survive_export_and_reimport(
    tmp_path: Path, store: Store, config: Config
) -> None:
    from console.district.export import write_package
    from console.district.stored import load_stored
    from console.store import open_store

    d = write_plus_package(tmp_path / "plus", "roads.osm", [(90, "no_left_turn", 11, 12)])
    import_package(store, d, config)
    out = write_package(load_stored(store), tmp_path / "exported")
    assert (out / "restrictions.csv").read_text(encoding="utf-8").startswith("kind,from_lon")
    other = open_store(f"sqlite:///{tmp_path / 'other.sqlite3'}")
    try:
        import_package(other, out, config)
        assert route_m(other, config, W, N) == pytest.approx(400.0, rel=1e-3)
    finally:
        other.close()
