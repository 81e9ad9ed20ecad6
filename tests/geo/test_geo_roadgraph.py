"""RoadGraph on hand-built streets with known answers, and against a plain Dijkstra."""

from __future__ import annotations

import heapq
import math

import numpy as np
import pytest

from console.config import RoadSpeeds
from console.domain import RoadClass, Way
from console.geo.coords import LocalProjection
from console.geo.roadgraph import NoRouteError, RoadGraph

ORIGIN = (121.4737, 31.2304)
PROJ = LocalProjection(*ORIGIN)
# 36 / 18 / 9 / 3.6 km/h = 10 / 5 / 2.5 / 1 m/s: times are round numbers
SPEEDS = RoadSpeeds(arterial=36.0, secondary=18.0, local=9.0, pedestrian=3.6)
RUSH_TOD = [1.0] * 24
RUSH_TOD[8] = 0.5


def way(
    name: str,
    pts_m: list[tuple[float, float]],
    rc: RoadClass = RoadClass.LOCAL,
    oneway: bool = False,
    speed: float | None = None,
) -> Way:
    """A Way from points given in metres on the test plane."""
    coords = tuple(PROJ.to_lonlat(x, y) for x, y in pts_m)
    return Way(name, rc, oneway, coords, speed)


def graph(ways: list[Way], **kw: object) -> RoadGraph:
    return RoadGraph.from_ways(ways, SPEEDS, origin=ORIGIN, **kw)  # type: ignore[arg-type]


def node_at(g: RoadGraph, x: float, y: float) -> int:
    lon, lat = PROJ.to_lonlat(x, y)
    idx, dist = g.snap_with_distance(lon, lat)
    assert dist < 1e-3
    return idx


@pytest.fixture
def block() -> RoadGraph:
    """100 m square A(0,0) B(100,0) C(100,100) D(0,100); A->B is one-way."""
    return graph(
        [
            way("一号路", [(0, 0), (100, 0)], oneway=True),
            way("二号路", [(100, 0), (100, 100), (0, 100)]),
            way("三号路", [(0, 100), (0, 0)]),
        ],
        tod_factors=RUSH_TOD,
    )


def test_one_way_street_makes_the_way_back_long(block: RoadGraph) -> None:
    a, b = node_at(block, 0, 0), node_at(block, 100, 0)
    assert block.n_nodes == 4 and block.n_edges == 1 + 2 * 3
    t = block.travel_times_from([a, b])
    assert t[0, b] == pytest.approx(40.0, rel=1e-9)  # 100 m at 2.5 m/s
    assert t[1, a] == pytest.approx(120.0, rel=1e-9)  # round the block
    assert block.travel_times_to(a)[b] == pytest.approx(120.0, rel=1e-9)
    # on foot one-way streets do not apply
    assert block.travel_times_from([b], respect_oneway=False)[0, a] == pytest.approx(40.0)
    assert block.travel_times_to(a, respect_oneway=False)[b] == pytest.approx(40.0)


def test_time_of_day_and_unit_speed_factor_scale_times(block: RoadGraph) -> None:
    a, b = node_at(block, 0, 0), node_at(block, 100, 0)
    assert block.travel_times_from([a], hour=3)[0, b] == pytest.approx(40.0)
    assert block.travel_times_from([a], hour=8)[0, b] == pytest.approx(80.0)
    assert block.travel_times_from([a], hour=8, speed_factor=0.25)[0, b] == pytest.approx(320.0)
    np.testing.assert_allclose(
        block.time_csr(hour=8).toarray(), 2 * block.time_csr().toarray(), rtol=1e-12
    )
    assert block.time_csr(hour=8) is block.time_csr(hour=8)  # cached
    assert block.edge_seconds(hour=8).max() == pytest.approx(80.0)


def test_speeds_by_class_and_posted_speed() -> None:
    ways = [way(rc.name, [(0, 200 * i), (1000, 200 * i)], rc=rc) for i, rc in enumerate(RoadClass)]
    ways.append(way("posted", [(0, 800), (1000, 800)], rc=RoadClass.LOCAL, speed=72.0))
    g = graph(ways)
    starts = [node_at(g, 0, 200 * i) for i in range(5)]
    ends = [node_at(g, 1000, 200 * i) for i in range(5)]
    t = g.travel_times_from(starts)
    np.testing.assert_allclose(t[np.arange(5), ends], [100, 200, 400, 1000, 50], rtol=1e-9)
    assert set(g.edge_class.tolist()) == {0, 1, 2, 3}
    assert g.edge_speed_kmh.max() == 72.0


def test_route_polyline_runs_between_the_right_nodes(block: RoadGraph) -> None:
    a, b = node_at(block, 0, 0), node_at(block, 100, 0)
    r = block.route(b, a)
    assert r.nodes[0] == b and r.nodes[-1] == a
    assert len(r.nodes) == 4 and len(r.edges) == 3  # B C D A
    assert (r.lon[0], r.lat[0]) == (block.node_lon[b], block.node_lat[b])
    assert (r.lon[-1], r.lat[-1]) == (block.node_lon[a], block.node_lat[a])
    assert r.length_m == pytest.approx(300.0, abs=1e-6)
    assert r.seconds == pytest.approx(120.0, rel=1e-9)
    assert np.all(np.diff(r.cum_s) > 0) and r.cum_m[-1] == r.length_m
    np.testing.assert_array_equal(block.edge_src[r.edges], r.nodes[:-1])
    np.testing.assert_array_equal(block.edge_dst[r.edges], r.nodes[1:])
    rush = block.route(b, a, hour=8)
    assert rush.seconds == pytest.approx(240.0) and rush.length_m == r.length_m
    walk = block.route(b, a, respect_oneway=False)
    assert walk.length_m == pytest.approx(100.0) and list(walk.nodes) == [b, a]
    same = block.route(a, a)
    assert list(same.nodes) == [a] and same.seconds == 0.0 and len(same.edges) == 0


def test_no_route_and_largest_strong_component() -> None:
    # a one-way spur leaving the block: reachable, but no way back
    g = graph(
        [
            way("环", [(0, 0), (100, 0), (100, 100), (0, 100), (0, 0)]),
            way("出口", [(100, 100), (200, 200)], oneway=True),
        ]
    )
    spur, corner = node_at(g, 200, 200), node_at(g, 100, 100)
    assert math.isfinite(g.travel_times_from([corner])[0, spur])
    with pytest.raises(NoRouteError, match="no route"):
        g.route(spur, corner)
    scc = g.largest_strongly_connected_component()
    assert spur not in scc and len(scc) == 4
    lon, lat = PROJ.to_lonlat(205, 205)
    assert g.snap(lon, lat) == spur
    assert g.snap(lon, lat, scc_only=True) == corner


def test_snap_scalar_and_arrays(block: RoadGraph) -> None:
    lon, lat = PROJ.to_lonlat(np.array([3.0, 96.0, 50.0]), np.array([4.0, 101.0, -30.0]))
    idx = block.snap(lon, lat)
    assert idx.shape == (3,)
    assert list(idx) == [node_at(block, 0, 0), node_at(block, 100, 100), node_at(block, 0, 0)]
    d = block.snap_distance_m(lon, lat)
    np.testing.assert_allclose(d, [5.0, math.hypot(4, 1), math.hypot(50, 30)], rtol=1e-6)
    assert isinstance(block.snap(float(lon[0]), float(lat[0])), int)
    with pytest.raises(ValueError, match="NaN"):
        block.snap(float("nan"), 31.0)


def test_crossing_ways_connect_at_shared_or_nearby_vertices() -> None:
    ns = way("南北", [(0, -100), (0, 0), (0, 100)])
    ew_shared = way("东西", [(-100, 0), (0, 0), (100, 0)])
    ew_near = way("东西", [(-100, 0), (0.4, 0.3), (100, 0)])  # 0.5 m from the crossing
    g = graph([ns, ew_shared])
    assert g.n_nodes == 5
    assert np.isfinite(g.travel_times_from([node_at(g, -100, 0)])).all()
    g = graph([ns, ew_near])
    assert g.n_nodes == 5
    assert np.isfinite(g.travel_times_from([node_at(g, -100, 0)])).all()
    g = graph([ns, ew_near], snap_tol_m=0.1)
    assert g.n_nodes == 6
    assert np.isinf(g.travel_times_from([node_at(g, -100, 0)])[0, node_at(g, 0, 100)])


def test_duplicate_edges_keep_the_fastest_and_draw_once() -> None:
    slow = way("慢", [(0, 0), (100, 0)], rc=RoadClass.LOCAL)
    fast = way("快", [(0, 0), (100, 0)], rc=RoadClass.ARTERIAL)
    back_and_forth = way("来回", [(100, 0), (200, 0), (100, 0)])  # as OSMnx writes two-way edges
    g = graph([slow, fast, back_and_forth])
    a, b, c = node_at(g, 0, 0), node_at(g, 100, 0), node_at(g, 200, 0)
    t = g.travel_times_from([a])[0]
    assert t[b] == pytest.approx(10.0) and t[c] == pytest.approx(50.0)  # not the sum
    seg = g.segments_xy()
    assert seg.coords.shape == (2, 4) and not seg.oneway.any()


def test_segments_and_labels_for_drawing(block: RoadGraph) -> None:
    seg = block.segments_xy()
    assert seg.coords.shape == (4, 4)
    assert seg.oneway.sum() == 1
    np.testing.assert_allclose(seg.coords[seg.oneway][0], [0, 0, 100, 0], atol=1e-6)
    assert seg.road_class.dtype == np.int8 and set(seg.road_class.tolist()) == {2}
    ll = block.segments_lonlat()
    np.testing.assert_allclose(
        ll.coords[:, 0], block.node_lon[[block.snap(*c) for c in ll.coords[:, :2]]]
    )
    labels = {lb.name: lb for lb in block.names_at()}
    assert set(labels) == {"一号路", "二号路", "三号路"}
    assert (labels["二号路"].x, labels["二号路"].y) == pytest.approx((100.0, 100.0), abs=1e-6)
    assert labels["一号路"].length_m == pytest.approx(100.0)
    assert (labels["一号路"].lon, labels["一号路"].lat) == pytest.approx(PROJ.to_lonlat(50, 0))
    unnamed = graph([way("", [(0, 0), (10, 0)]), way("有名", [(10, 0), (20, 0)])])
    assert [lb.name for lb in unnamed.names_at()] == ["有名"]


def _plain_dijkstra(n: int, edges: list[tuple[int, int, float]], source: int) -> list[float]:
    adj: list[list[tuple[int, float]]] = [[] for _ in range(n)]
    for u, v, w in edges:
        adj[u].append((v, w))
    dist = [math.inf] * n
    dist[source] = 0.0
    heap = [(0.0, source)]
    while heap:
        d, u = heapq.heappop(heap)
        if d > dist[u]:
            continue
        for v, w in adj[u]:
            if d + w < dist[v]:
                dist[v] = d + w
                heapq.heappush(heap, (d + w, v))
    return dist


@pytest.fixture(params=[1, 2, 3])
def random_graph(request: pytest.FixtureRequest) -> RoadGraph:
    rng = np.random.default_rng(request.param)
    pts = rng.uniform(0, 2000, size=(40, 2))
    ways = []
    for _ in range(35):
        k = int(rng.integers(2, 5))
        chain = rng.choice(40, size=k, replace=False)
        ways.append(
            way(
                "",
                [tuple(pts[i]) for i in chain],
                rc=RoadClass(int(rng.integers(0, 4))),
                oneway=bool(rng.random() < 0.5),
            )
        )
    return graph(ways, tod_factors=RUSH_TOD)


def test_travel_times_to_equals_plain_dijkstra_columns(random_graph: RoadGraph) -> None:
    g = random_graph
    secs = g.edge_seconds(hour=8, speed_factor=0.6)
    edges = list(zip(g.edge_src.tolist(), g.edge_dst.tolist(), secs.tolist(), strict=True))
    slow = np.array([_plain_dijkstra(g.n_nodes, edges, s) for s in range(g.n_nodes)])
    assert np.isinf(slow).any()  # some nodes cannot be reached: one-way streets, islands
    assert not np.allclose(slow[np.isfinite(slow)], slow.T[np.isfinite(slow)])  # asymmetric
    from_all = g.travel_times_from(np.arange(g.n_nodes), hour=8, speed_factor=0.6)
    np.testing.assert_allclose(from_all, slow, rtol=1e-9)
    for target in range(g.n_nodes):
        to = g.travel_times_to(target, hour=8, speed_factor=0.6)
        np.testing.assert_allclose(to, slow[:, target], rtol=1e-9)
    multi = g.travel_times_to(np.array([0, 5]), hour=8, speed_factor=0.6)
    np.testing.assert_allclose(multi, slow[:, [0, 5]].T, rtol=1e-9)


def test_nearest_source_and_limit(random_graph: RoadGraph) -> None:
    g = random_graph
    sources = np.array([3, 17, 29, 3])
    full = g.travel_times_from(sources)
    best, which = g.nearest_times_min_only(sources)
    np.testing.assert_allclose(best, full.min(axis=0), rtol=1e-9)
    reached = np.isfinite(best)
    assert (which[~reached] == -1).all()
    np.testing.assert_allclose(full[which[reached], np.flatnonzero(reached)], best[reached])
    assert 3 not in which  # duplicate source reported at its first position
    limit = float(np.median(best[reached]))
    lim, _ = g.nearest_times_min_only(sources, limit_s=limit)
    assert np.all(np.isinf(lim[best > limit]))
    np.testing.assert_allclose(lim[best <= limit], best[best <= limit])


def test_bad_input_raises_clear_errors(block: RoadGraph) -> None:
    with pytest.raises(ValueError, match="empty"):
        graph([])
    with pytest.raises(ValueError, match="NaN"):
        graph([Way("坏", RoadClass.LOCAL, False, ((121.47, 31.23), (float("nan"), 31.23)))])
    with pytest.raises(ValueError, match="at least 2 points"):
        graph([Way("短", RoadClass.LOCAL, False, ((121.47, 31.23),))])
    with pytest.raises(ValueError, match="out-of-range"):
        graph([Way("反", RoadClass.LOCAL, False, ((31.23, 121.47), (31.24, 121.47)))])
    with pytest.raises(ValueError, match="pairs"):
        graph([Way("三维", RoadClass.LOCAL, False, ((121.47, 31.23, 0.0), (121.48, 31.23, 0.0)))])  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="speed_kmh"):
        graph([way("负", [(0, 0), (1, 0)], speed=-5.0)])
    with pytest.raises(ValueError, match="24 hourly"):
        graph([way("x", [(0, 0), (10, 0)])], tod_factors=[1.0] * 23)
    with pytest.raises(ValueError, match="longer than"):
        graph([way("点", [(0, 0), (0.2, 0)])])
    with pytest.raises(ValueError, match="hour"):
        block.travel_times_from([0], hour=24)
    with pytest.raises(ValueError, match="hour"):
        block.travel_times_from([0], hour=8.5)  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="speed_factor"):
        block.travel_times_to(0, speed_factor=0.0)
    with pytest.raises(ValueError, match="out of range"):
        block.travel_times_to(4)
    with pytest.raises(ValueError, match="integer"):
        block.route(0.5, 1)  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="limit_s"):
        block.travel_times_from([0], limit_s=-1)


def test_large_grid_times_are_manhattan_distances() -> None:
    """158 x 158 = 24,964-node street grid (the planner's scale); no timing asserted."""
    n, step = 158, 50.0
    side = (n - 1) * step
    ticks = np.arange(n) * step
    gx, gy = np.meshgrid(ticks, ticks)
    lon, lat = PROJ.to_lonlat(gx, gy)  # [row j, col i] = (i*step, j*step)
    ways = [
        Way("", RoadClass.LOCAL, False, tuple(zip(lon[j], lat[j], strict=True))) for j in range(n)
    ]
    ways += [
        Way("", RoadClass.LOCAL, False, tuple(zip(lon[:, i], lat[:, i], strict=True)))
        for i in range(n)
    ]
    g = graph(ways)
    assert g.n_nodes == n * n and g.n_edges == 4 * n * (n - 1)
    corner, far = node_at(g, 0, 0), node_at(g, side, side)
    to_far = g.travel_times_to(far)
    assert to_far[corner] == pytest.approx(2 * side / 2.5, rel=1e-9)
    sample = np.arange(0, n * n, 997)
    np.testing.assert_allclose(g.travel_times_from(sample)[:, far], to_far[sample], rtol=1e-12)
    units = g.snap(*PROJ.to_lonlat(np.array([0.0, side, 5000.0]), np.array([0.0, 0.0, 5000.0])))
    best, which = g.nearest_times_min_only(units)
    assert best[far] == pytest.approx(2 * (side - 5000) / 2.5, rel=1e-9)
    assert which[far] == 2
    assert which[node_at(g, side, 100)] == 1
