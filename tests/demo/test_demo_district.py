"""The demo district 黄浦 (demo): deterministic, complete, consistent and connected."""

from __future__ import annotations

from collections import Counter

import numpy as np
import pytest
from scipy.sparse import coo_matrix
from scipy.sparse.csgraph import connected_components
from scipy.spatial import cKDTree

from console.config import load_config
from console.demo import district as demo
from console.demo.district import area_index, area_of, build_demo_district, is_inside
from console.demo.geometry import LocalFrame, points_in_polygon, polygon_area
from console.domain import District, RoadClass, UnitSpec

KM_PER_DEG_LAT = 110.87


@pytest.fixture(scope="module")
def d() -> District:
    return build_demo_district()


@pytest.fixture(scope="module")
def frame(d: District) -> LocalFrame:
    lo_lon, lo_lat, hi_lon, hi_lat = d.bbox
    return LocalFrame((lo_lon + hi_lon) / 2, (lo_lat + hi_lat) / 2)


def _vertices(d: District) -> np.ndarray:
    return np.concatenate([np.asarray(w.coords) for w in d.ways])


def test_label_and_outline(d: District) -> None:
    assert (d.code, d.name, d.approximate) == ("huangpu_demo", "黄浦 (demo)", True)
    assert 15 <= len(d.outline) <= 25
    lo_lon, lo_lat, hi_lon, hi_lat = d.bbox
    assert 121.455 <= lo_lon < 121.47 and 121.50 < hi_lon <= 121.51
    assert 31.185 <= lo_lat < 31.195 and 31.24 < hi_lat <= 31.25


def test_same_seed_same_district_without_the_cache() -> None:
    cached = build_demo_district()
    fresh = demo._build.__wrapped__(demo.DEFAULT_SEED)  # recompute, bypassing lru_cache
    assert list(fresh.ways) == cached.ways
    assert list(fresh.units) == cached.units
    assert list(fresh.areas) == cached.areas
    assert list(fresh.fixed_points) == cached.fixed_points
    assert build_demo_district() == cached


def test_callers_cannot_disturb_each_other(d: District) -> None:
    mine = build_demo_district()
    mine.units.clear()
    mine.ways.pop()
    mine.landmarks["x"] = (0.0, 0.0)
    again = build_demo_district()
    assert len(again.units) == len(d.units) > 0
    assert len(again.ways) == len(d.ways)
    assert "x" not in again.landmarks


@pytest.mark.parametrize("seed", [-1, True, "1", 1.5])
def test_bad_seed_is_refused(seed: object) -> None:
    with pytest.raises((TypeError, ValueError), match="seed"):
        build_demo_district(seed)  # type: ignore[arg-type]


def test_landmarks_inside(d: District) -> None:
    for key in ("外滩", "南京路步行街", "人民广场", "豫园", "新天地", "田子坊", "城隍庙", "老西门"):
        assert key in d.landmarks
    lon, lat = np.array(list(d.landmarks.values())).T
    assert is_inside(lon, lat).all()
    assert d.landmarks["外滩"] == pytest.approx((121.4905, 31.2400), abs=1e-3)


def test_stations_and_areas(d: District) -> None:
    assert 9 <= len(d.stations) <= 11
    assert len({s.code for s in d.stations}) == len(d.stations)
    for st in d.stations:
        assert len(st.code) == 2 and st.name.endswith("派出所")
        areas = [a for a in d.areas if a.station_code == st.code]
        assert sorted(a.code for a in areas) == [f"{st.code}-{k}" for k in (1, 2, 3)]
        assert area_of(st.lon, st.lat) in {a.code for a in areas}  # a station sits in its own patch
    assert len(d.areas) == 3 * len(d.stations)


def test_areas_tile_the_district(d: District, frame: LocalFrame) -> None:
    rng = np.random.default_rng(7)
    lo_lon, lo_lat, hi_lon, hi_lat = d.bbox
    pts = np.column_stack((rng.uniform(lo_lon, hi_lon, 6000), rng.uniform(lo_lat, hi_lat, 6000)))
    pts = pts[is_inside(pts[:, 0], pts[:, 1])][:2000]
    assert len(pts) == 2000
    hits = np.zeros(len(pts), dtype=int)
    for a in d.areas:
        hits += points_in_polygon(pts[:, 0], pts[:, 1], a.polygon)
    assert (hits == 1).all(), f"{(hits != 1).sum()} points in 0 or 2+ areas"
    total = sum(polygon_area(frame.to_xy(a.polygon)) for a in d.areas)
    outline_km2 = polygon_area(frame.to_xy(d.outline)) / 1e6
    assert total / 1e6 == pytest.approx(outline_km2, rel=1e-3)
    assert 15.0 < outline_km2 < 25.0  # real Huangpu: 20.5 km²
    # areas are of a sensible size (no slivers)
    sizes = [polygon_area(frame.to_xy(a.polygon)) / 1e6 for a in d.areas]
    assert min(sizes) > 0.1 * outline_km2 / len(d.areas)


def test_area_lookup(d: District) -> None:
    assert area_of(121.51, 31.24) is None  # Lujiazui, across the river
    assert area_of(float("nan"), 31.23) is None
    assert area_of(*d.landmarks["南京路步行街"]) is not None
    idx = area_index([121.4737, 121.51], [31.2304, 31.24])
    assert idx.shape == (2,) and idx[0] >= 0 and idx[1] == -1
    assert is_inside(121.4737, 31.2304) and not is_inside(121.51, 31.24)
    assert is_inside(np.zeros((3, 4)) + 121.48, 31.22).shape == (3, 4)


def test_unit_counts(d: District) -> None:
    by_type = Counter(u.unit_type for u in d.units)
    assert by_type["patrol_group"] == 2 * len(d.areas)
    assert by_type["special_police"] == 11
    assert by_type["traffic_police"] >= 6
    assert by_type["foot_patrol"] >= 8
    assert 1 <= by_type["community_police"] <= len(d.areas)
    assert by_type["armed_police"] == 2
    assert by_type["auxiliary"] >= 10
    assert set(by_type) <= set(load_config().unit_types)


def test_patrol_groups_per_area(d: District, frame: LocalFrame) -> None:
    for a in d.areas:
        groups = [u for u in d.units if u.unit_type == "patrol_group" and u.area_code == a.code]
        assert sorted(u.call_sign for u in groups) == [f"{a.code}-1", f"{a.code}-2"]
        for u in groups:
            assert u.station_code == a.station_code
            assert u.members[0].startswith("民警 ") and u.members[1].startswith("辅警 ")
        p, q = frame.to_xy([(u.home_lon, u.home_lat) for u in groups])
        assert np.hypot(*(p - q)) > 50.0  # two cars, not one spot


def test_fixed_points_and_special_police(d: District, frame: LocalFrame) -> None:
    assert len(d.fixed_points) == 11
    names = {p.name for p in d.fixed_points}
    assert {"外滩陈毅广场", "南京路步行街世纪广场", "豫园", "新天地"} <= names
    for p in d.fixed_points:
        teams = [u for u in d.units if u.fixed_point_code == p.code]
        assert [u.unit_type for u in teams] == ["special_police"]
        assert (teams[0].home_lon, teams[0].home_lat) == (p.lon, p.lat)
    # each point is at (within 150 m of) the landmark it is named after
    fp = {p.name: frame.to_xy([(p.lon, p.lat)])[0] for p in d.fixed_points}
    assert np.hypot(*(fp["豫园"] - frame.to_xy([d.landmarks["豫园"]])[0])) < 150.0


def test_every_unit_is_placed_and_owned(d: District) -> None:
    crew = {k: t.crew for k, t in load_config().unit_types.items()}
    call_signs = [u.call_sign for u in d.units]
    assert len(set(call_signs)) == len(call_signs)
    badges = [m for u in d.units for m in u.members]
    assert len(set(badges)) == len(badges)  # the store uses members as unique badges
    lon = np.array([u.home_lon for u in d.units])
    lat = np.array([u.home_lat for u in d.units])
    assert is_inside(lon, lat).all()
    fp_lon, fp_lat = np.array([(p.lon, p.lat) for p in d.fixed_points]).T
    assert is_inside(fp_lon, fp_lat).all()
    areas = {a.code: a for a in d.areas}
    for u in d.units:
        assert len(u.members) == crew[u.unit_type], u.call_sign
        assert u.area_code is not None and u.area_code == area_of(u.home_lon, u.home_lat)
        assert u.station_code == areas[u.area_code].station_code


def test_units_start_on_road_vertices(d: District) -> None:
    vertices = {tuple(v) for v in _vertices(d).tolist()}
    homes = {(u.home_lon, u.home_lat) for u in d.units}
    assert homes <= vertices
    # no two units stacked on one vertex, except traffic posts at busy junctions
    solo: list[UnitSpec] = [u for u in d.units if u.unit_type != "traffic_police"]
    assert len({(u.home_lon, u.home_lat) for u in solo}) == len(solo)


def test_named_roads(d: District) -> None:
    arterials = {w.name for w in d.ways if w.road_class == RoadClass.ARTERIAL}
    assert {"南京东路", "延安东路", "淮海中路", "西藏中路", "人民路", "中山东一路"} <= arterials
    assert {"中华路", "西藏南路", "河南中路", "复兴东路", "徐家汇路"} <= arterials
    pedestrian = {w.name for w in d.ways if w.road_class == RoadClass.PEDESTRIAN}
    assert "南京东路" in pedestrian
    # Nanjing Rd E runs east-west around lat 31.236-31.240
    nj = np.concatenate([w.coords for w in d.ways if w.name == "南京东路"])
    assert nj[:, 1].min() > 31.234 and nj[:, 1].max() < 31.241
    assert np.ptp(nj[:, 0]) > 0.01


def test_local_streets(d: District) -> None:
    local = [w for w in d.ways if w.road_class == RoadClass.LOCAL]
    assert len(local) > 300
    share = sum(w.oneway for w in local) / len(local)
    assert 0.15 < share < 0.35
    assert all(len(w.coords) >= 2 and w.name for w in d.ways)
    v = _vertices(d)
    assert is_inside(v[:, 0], v[:, 1]).all()


def test_network_is_connected(d: District, frame: LocalFrame) -> None:
    """Merge vertices within 1 m (as a road-graph builder does); one component must remain."""
    xy = frame.to_xy(_vertices(d))
    pairs = cKDTree(xy).query_pairs(1.0, output_type="ndarray")
    n = len(xy)
    g = coo_matrix((np.ones(len(pairs)), (pairs[:, 0], pairs[:, 1])), shape=(n, n))
    _, node = connected_components(g, directed=False)
    n_nodes = int(node.max()) + 1
    assert 3000 <= n_nodes <= 8000
    src, dst, two_way = [], [], []
    start = 0
    for w in d.ways:
        ids = node[start : start + len(w.coords)]
        start += len(w.coords)
        src.append(ids[:-1])
        dst.append(ids[1:])
        two_way.append(np.full(len(ids) - 1, not w.oneway))
    s, t, both = np.concatenate(src), np.concatenate(dst), np.concatenate(two_way)
    undirected = coo_matrix((np.ones(len(s)), (s, t)), shape=(n_nodes, n_nodes))
    _, comp = connected_components(undirected, directed=False)
    assert np.bincount(comp).max() >= 0.98 * n_nodes
    # respecting one-way streets, (almost) every node can reach every other
    directed = coo_matrix(
        (np.ones(len(s) + both.sum()), (np.r_[s, t[both]], np.r_[t, s[both]])),
        shape=(n_nodes, n_nodes),
    )
    _, scc = connected_components(directed, directed=True, connection="strong")
    assert np.bincount(scc).max() >= 0.95 * n_nodes
    # crossings are real junctions: plenty of nodes of degree 3+
    deg = np.bincount(np.r_[s, t], minlength=n_nodes)
    assert (deg >= 3).sum() > 0.2 * n_nodes
