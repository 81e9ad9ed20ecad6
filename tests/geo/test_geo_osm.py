"""OSM import: tag rules, a PBF written with osmium, and the real People's Square extract."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import osmium
import pytest
from osmium.osm.mutable import Node
from osmium.osm.mutable import Way as OsmWay

from console.config import load_config
from console.domain import RoadClass
from console.geo.osm import (
    OsmFileNotFoundError,
    OsmLoadError,
    load_osm_ways,
    parse_maxspeed,
    parse_oneway,
    road_class,
    way_name,
)
from console.geo.roadgraph import RoadGraph

REPO = Path(__file__).resolve().parents[2]
OSM_FILE = REPO / ".." / "shared" / "data" / "osm" / "huangpu-peoples-square.osm"


@pytest.mark.parametrize(
    "value,kmh",
    [
        ("40", 40.0),
        ("40 km/h", 40.0),
        ("60kmh", 60.0),
        ("25 mph", 25 * 1.609344),
        ("40;60", 40.0),
        ("none", None),
        ("CN:urban", None),
        ("", None),
        (None, None),
        ("0", None),
    ],
)
def test_parse_maxspeed(value: str | None, kmh: float | None) -> None:
    assert parse_maxspeed(value) == (pytest.approx(kmh) if kmh is not None else None)


def test_oneway_name_and_class_rules() -> None:
    assert parse_oneway({"oneway": "yes"}) == 1
    assert parse_oneway({"oneway": "true"}) == 1
    assert parse_oneway({"oneway": "1"}) == 1
    assert parse_oneway({"oneway": "-1"}) == -1
    assert parse_oneway({"oneway": "no", "junction": "roundabout"}) == 0
    assert parse_oneway({"junction": "roundabout"}) == 1
    assert parse_oneway({"highway": "motorway"}) == 1
    assert parse_oneway({"highway": "primary"}) == 0
    assert way_name({"name": "南京东路", "name:en": "East Nanjing Road"}) == "南京东路"
    assert way_name({"name:en": "East Nanjing Road", "ref": "S1"}) == "East Nanjing Road"
    assert way_name({"name:zh": "延安高架路", "name:en": "Yan'an Elevated Road"}) == "延安高架路"
    assert way_name({"ref": "G60"}) == "G60"
    assert way_name({}) == ""
    assert road_class({"highway": "trunk_link"}) is RoadClass.ARTERIAL
    assert road_class({"highway": "tertiary"}) is RoadClass.SECONDARY
    assert road_class({"highway": "service"}) is RoadClass.LOCAL
    assert road_class({"highway": "pedestrian"}) is None
    assert road_class({"highway": "pedestrian"}, include_pedestrian=True) is RoadClass.PEDESTRIAN
    assert road_class({"highway": "footway"}, include_pedestrian=True) is RoadClass.PEDESTRIAN
    assert road_class({"highway": "cycleway"}, include_pedestrian=True) is None
    assert road_class({"highway": "pedestrian", "area": "yes"}, include_pedestrian=True) is None
    assert road_class({"building": "yes"}) is None


def _write_tiny(path: Path) -> None:
    """Four nodes around People's Square and ways exercising every tag rule."""
    pts = {1: (121.470, 31.230), 2: (121.475, 31.230), 3: (121.475, 31.234), 4: (121.470, 31.234)}
    w = osmium.SimpleWriter(str(path))
    try:
        for nid, loc in pts.items():
            w.add_node(Node(id=nid, location=loc, tags={}))
        w.add_way(
            OsmWay(
                id=10,
                nodes=[1, 2],
                tags={"highway": "primary", "name": "南京东路", "maxspeed": "50"},
            )
        )
        w.add_way(
            OsmWay(
                id=11, nodes=[2, 3], tags={"highway": "residential", "oneway": "-1", "ref": "R1"}
            )
        )
        w.add_way(
            OsmWay(id=12, nodes=[3, 4, 99, 1], tags={"highway": "tertiary", "name:en": "Gap Rd"})
        )
        w.add_way(OsmWay(id=13, nodes=[4, 2], tags={"highway": "footway", "name": "步行道"}))
        w.add_way(OsmWay(id=14, nodes=[1, 2, 3, 4, 1], tags={"building": "yes"}))
        w.add_way(
            OsmWay(
                id=15,
                nodes=[1, 3],
                tags={"highway": "service", "maxspeed": "10 mph", "junction": "roundabout"},
            )
        )
    finally:
        w.close()


@pytest.mark.parametrize("suffix", [".pbf", ".osm"])
def test_tiny_file_written_with_osmium_reads_back(tmp_path: Path, suffix: str) -> None:
    path = tmp_path / f"tiny{suffix}"
    _write_tiny(path)
    ways = load_osm_ways(path)
    by_name = {w.name: w for w in ways}
    assert sorted(by_name) == ["", "Gap Rd", "R1", "南京东路"]
    nj = by_name["南京东路"]
    assert nj.road_class is RoadClass.ARTERIAL and not nj.oneway and nj.speed_kmh == 50.0
    assert nj.coords == ((121.470, 31.230), (121.475, 31.230))
    r1 = by_name["R1"]
    assert r1.oneway and r1.road_class is RoadClass.LOCAL
    assert r1.coords == ((121.475, 31.234), (121.475, 31.230))  # oneway=-1 reversed
    gap = by_name["Gap Rd"]  # node 99 is missing: the way is cut there
    assert gap.coords == ((121.475, 31.234), (121.470, 31.234))
    ring = by_name[""]
    assert ring.oneway and ring.speed_kmh == pytest.approx(16.09344)
    with_foot = load_osm_ways(path, include_pedestrian=True)
    assert [w.road_class for w in with_foot if w.name == "步行道"] == [RoadClass.PEDESTRIAN]


def test_missing_and_corrupt_files_name_the_file(tmp_path: Path) -> None:
    missing = tmp_path / "nowhere.osm.pbf"
    with pytest.raises(OsmFileNotFoundError, match=r"nowhere\.osm\.pbf"):
        load_osm_ways(missing)
    with pytest.raises(FileNotFoundError):
        load_osm_ways(missing)
    bad_xml = tmp_path / "broken.osm"
    bad_xml.write_text("<osm><node id='1' lat=")
    with pytest.raises(OsmLoadError, match=r"broken\.osm"):
        load_osm_ways(bad_xml)
    bad_pbf = tmp_path / "broken.pbf"
    bad_pbf.write_bytes(b"\x00\x00\x00\x0dnot a pbf at all")
    with pytest.raises(OsmLoadError, match=r"broken\.pbf: "):
        load_osm_ways(bad_pbf)
    unknown = tmp_path / "roads.txt"
    unknown.write_text("hello")
    with pytest.raises(OsmLoadError, match=r"roads\.txt"):
        load_osm_ways(unknown)


@pytest.fixture(scope="module")
def peoples_square() -> tuple[list, RoadGraph]:
    if not OSM_FILE.is_file():
        pytest.skip(f"shared OSM extract not present at {OSM_FILE.resolve()}")
    cfg = load_config()
    ways = load_osm_ways(OSM_FILE)
    return ways, RoadGraph.from_ways(ways, cfg.road_speeds, tod_factors=cfg.time_of_day)


def test_real_extract_has_the_expected_streets(peoples_square: tuple[list, RoadGraph]) -> None:
    ways, _ = peoples_square
    assert 300 <= len(ways) <= 2000
    assert sum(w.oneway for w in ways) > 100  # central Shanghai is full of one-way streets
    names = {w.name for w in ways}
    assert any("南京" in n or "Nanjing" in n for n in names)
    assert {"人民大道", "西藏中路", "延安东路"} <= names
    assert {w.road_class for w in ways} == {
        RoadClass.ARTERIAL,
        RoadClass.SECONDARY,
        RoadClass.LOCAL,
    }
    assert any(w.speed_kmh == 40.0 for w in ways)
    lon = np.array([c[0] for w in ways for c in w.coords])
    lat = np.array([c[1] for w in ways for c in w.coords])
    assert lon.min() > 121.46 and lon.max() < 121.49
    assert lat.min() > 31.21 and lat.max() < 31.25


def test_real_graph_is_routable(peoples_square: tuple[list, RoadGraph]) -> None:
    _, g = peoples_square
    scc = g.largest_strongly_connected_component()
    # The extract (OSMnx XML export) keeps only one segment of most two-way streets and
    # leaves their other nodes unreferenced, so it is cut into pieces: ~61 % in the largest SCC.
    assert len(scc) > 0.5 * g.n_nodes
    a = g.snap(121.4615, 31.2400, scc_only=True)  # north-west corner
    b = g.snap(121.4860, 31.2200, scc_only=True)  # south-east corner
    straight = float(np.hypot(g.node_x[a] - g.node_x[b], g.node_y[a] - g.node_y[b]))
    there, back = g.route(a, b), g.route(b, a)
    for r in (there, back):
        assert straight <= r.length_m < 2.5 * straight and 2000 < r.length_m < 8000
        assert (
            r.length_m / 10 < r.seconds < r.length_m / (8 / 3.6)
        )  # faster than walking, < 36 km/h
        assert np.all(np.isin(r.nodes, scc))
    assert there.nodes[0] == a and there.nodes[-1] == b
    assert there.seconds != back.seconds  # one-way streets make the two directions differ
    assert g.route(a, b, hour=8).seconds > there.seconds  # morning rush
    to_b = g.travel_times_to(b)
    np.testing.assert_allclose(to_b[scc[:50]], g.travel_times_from(scc[:50])[:, b], rtol=1e-12)
    assert to_b[a] == pytest.approx(there.seconds, rel=1e-9)
    labels = g.names_at()
    assert len(labels) > 100 and all(121.46 < lb.lon < 121.49 for lb in labels)
