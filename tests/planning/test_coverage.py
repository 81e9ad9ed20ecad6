"""Coverage analysis on hand-built graphs: shares, gaps, 1-minute points, removal costs."""

from __future__ import annotations

import numpy as np
import pytest

from console.config import Config
from console.geo.tolerance import within, within_mask
from console.planning.fleet import SituationView
from console.planning.runcards import RunCards
from tests.planning.handbuilt import area, build, district, unit, way


def test_shares_and_gaps_on_a_line(config: Config, cards: RunCards) -> None:
    # 4 km street, 10 m/s, a vertex every 8 m; foot patrols walk at 0.25 x: 750 m in their
    # 5 minutes.  No vertex lies on a reach boundary (750 m is not a multiple of 8): a node
    # exactly on one is a float tie the platform's rounding decides (issue 12).
    ways = [way((0, 0), (4000, 0), step=8.0)]
    areas = [area("西", 0, -100, 2000, 100), area("东", 2000, -100, 4000, 100)]
    units = [
        unit("步1", "foot_patrol", 0, 0, "西"),
        unit("步2", "foot_patrol", 1990, 0, "西"),  # snaps to the vertex at 1992 m
        unit("巡1", "patrol_group", 1100, 0, "西"),
    ]
    engine, _, view = build(config, cards, district(ways, units, areas))
    rep = engine.coverage(view)
    foot = next(f for f in rep.forces if f.unit_type == "foot_patrol")
    # covered vertices: 0..744 m and 1248..2736 m (reaches end at 750, 1242 and 2742 m);
    # each vertex weighs half of its two 8 m edges (the ends 4 m)
    assert foot.length_share == pytest.approx((748 + 1496) / 4000, abs=1e-3)
    assert foot.units_available == 2 and foot.standard_s == 300
    big = foot.gaps[0]  # vertices 2744..4000 m: 158 of them, 157 x 8 + 4 m
    assert big.length_m == pytest.approx(1260, abs=1) and big.nodes == 158
    x, _ = engine.graph.projection.to_xy(big.lon, big.lat)
    assert x == pytest.approx(3372, abs=5) and big.area_codes == ["东"]
    # vertices 752..1240 m between the two reaches: 62 x 8 m
    assert foot.gaps[1].length_m == pytest.approx(496, abs=1) and foot.gaps[1].area_codes == ["西"]
    west = next(a for a in foot.areas if a.area_code == "西")
    assert west.share == pytest.approx(1508 / 2000, abs=0.01) and west.units == 2
    patrol = next(f for f in rep.forces if f.unit_type == "patrol_group")
    assert patrol.length_share == pytest.approx(1.0)  # 3 km either way covers the street
    assert rep.areas_without_patrol == ["东"]
    # busy units do not cover
    busy = SituationView(view.specs, view.lon, view.lat, np.array([True, False, True]))
    foot2 = next(f for f in engine.coverage(busy).forces if f.unit_type == "foot_patrol")
    assert foot2.length_share == pytest.approx(748 / 4000, abs=1e-3)


def test_a_node_on_the_reach_boundary_is_covered(config: Config, cards: RunCards) -> None:
    """750 m walked in exactly 300 s sums to 300.0000000002704 s here and to 299.99... s
    elsewhere; the tolerance (console.geo.tolerance) makes every platform count it."""
    ways = [way((0, 0), (4000, 0))]
    units = [unit("步1", "foot_patrol", 0, 0), unit("步2", "foot_patrol", 1990, 0)]
    engine, _, view = build(config, cards, district(ways, units))
    foot = next(f for f in engine.coverage(view).forces if f.unit_type == "foot_patrol")
    # vertices at 750 and 2740 m are exactly 300 s away: covered, so the gap starts at 2750
    assert foot.gaps[0].nodes == 126 and foot.gaps[0].length_m == pytest.approx(1255, abs=1e-6)
    assert within(300.0000000002704, 300.0) and not within(300.001, 300.0)
    mask = within_mask(np.array([299.9999999997, 300.0000000003, 300.01]), 300.0)
    assert mask.tolist() == [True, True, False]


def test_fixed_points(config: Config, cards: RunCards) -> None:
    ways = [way((0, 0), (3000, 0))]
    units = [
        unit("特1", "special_police", 0, 0, fp="FP1"),
        unit("特2", "special_police", 2000, 0),
    ]
    d = district(ways, units, fixed_points=[("FP1", 0, 0), ("FP2", 1000, 0), ("FP3", 2600, 0)])
    engine, _, view = build(config, cards, d)
    fps = {p.code: p for p in engine.coverage(view).fixed_points}
    assert fps["FP1"].covered and fps["FP1"].best_unit == "特1" and fps["FP1"].best_s == 0.0
    assert not fps["FP2"].covered  # 1000 m at 11 m/s is 91 s, over the 1-minute standard
    assert fps["FP3"].covered and fps["FP3"].best_unit == "特2"
    assert fps["FP3"].best_s == pytest.approx(600 / 11.0)


def brute_unique_loss(engine, view, members, cands, limit_s):  # type: ignore[no-untyped-def]
    """Road metres only each candidate covers, from full per-unit searches and set logic."""
    g, tt = engine.graph, engine.tt
    fleet = engine.fleet(view)
    nodes, _ = engine.snap_units(view)
    reach = {
        int(u): set(
            np.flatnonzero(
                g.travel_times_from(int(nodes[u]), speed_factor=float(fleet.speed[u]))[0] <= limit_s
            ).tolist()
        )
        for u in members
    }
    out = {}
    for c in cands:
        others = set().union(*(reach[int(u)] for u in members if u != c))
        out[int(c)] = float(sum(tt.node_weight_m[v] for v in reach[int(c)] - others))
    return out


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_removal_cost_matches_brute_force(config: Config, cards: RunCards, seed: int) -> None:
    rng = np.random.default_rng(seed)
    # a 600 m x 600 m grid with some one-way streets, special police at random corners
    ways = [way((0, y), (600, y), oneway=bool(y % 400 == 200)) for y in range(0, 601, 200)]
    ways += [way((x, 600), (x, 0), oneway=bool(x == 400)) for x in range(0, 601, 200)]
    pts = rng.choice(16, 6, replace=False)
    units = [
        unit(f"特{k}", "special_police", 200 * (p % 4), 200 * (p // 4)) for k, p in enumerate(pts)
    ]
    engine, _, view = build(config, cards, district(ways, units))
    fleet = engine.fleet(view)
    nodes, _ = engine.snap_units(view)
    members = np.arange(len(units))
    # seconds: small enough that coverage overlaps only partly; at 11 m/s the reach ends
    # at 456.5 m, between two 10 m vertices (one exactly on a vertex is a float tie)
    limit = 41.5
    got = engine.cov.unique_loss_m(None, nodes, fleet.speed, limit, members, [0, 2, 5])
    want = brute_unique_loss(engine, view, members, [0, 2, 5], limit)
    assert got == pytest.approx(want)
    assert any(v > 0 for v in want.values())
