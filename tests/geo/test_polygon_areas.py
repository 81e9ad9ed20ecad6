"""Point in area on the whole shape: every part of a multipolygon, holes cut out (issue 14).

Geometry is in metres on the local plane of ``tests.planning.handbuilt`` (a street vertex
every 10 m); no test point or road node lies on an area's edge (../shared/GUIDE.md).
"""

from __future__ import annotations

import numpy as np
import pytest

from console.config import Config
from console.domain import Area, LonLat
from console.planning.runcards import RunCards, load_run_cards
from console.planning.traveltimes import TravelTimes
from console.polygon import area_index, contains, in_area, parts_contain
from tests.planning.handbuilt import build, district, ll, node_at, unit, way

Ring = tuple[LonLat, ...]


@pytest.fixture(scope="module")
def cards(config: Config) -> RunCards:
    return load_run_cards(config)


def box(x0: float, x1: float, y0: float = -105.0, y1: float = 105.0) -> Ring:
    return (ll(x0, y0), ll(x1, y0), ll(x1, y1), ll(x0, y1), ll(x0, y0))


def at(*xs: float, y: float = 0.0) -> tuple[np.ndarray, np.ndarray]:
    pts = [ll(x, y) for x in xs]
    return np.array([p[0] for p in pts]), np.array([p[1] for p in pts])


# 甲: x -5..1005 with a hole 405..605, and a second part 2005..3005
# 乙: the enclave 405..605 (in 甲's hole) and 1005..2005
JIA = Area(
    "甲", "甲", "S1", box(-5, 1005), parts=((box(-5, 1005), box(405, 605)), (box(2005, 3005),))
)
YI = Area("乙", "乙", "S1", box(1005, 2005), parts=((box(1005, 2005),), (box(405, 605),)))


def test_a_point_in_a_hole_is_not_in_the_area() -> None:
    lon, lat = at(200, 500, 800)
    assert in_area(JIA, lon, lat).tolist() == [True, False, True]
    assert in_area(YI, lon, lat).tolist() == [False, True, False]
    # the largest ring alone (what area assignment used to read) takes the hole in
    assert contains(JIA.polygon, lon, lat).tolist() == [True, True, True]


def test_a_point_in_the_second_part_of_a_multipolygon_is_in_the_area() -> None:
    lon, lat = at(2500, 1500, 3500)
    assert in_area(JIA, lon, lat).tolist() == [True, False, False]
    assert in_area(YI, lon, lat).tolist() == [False, True, False]
    assert not contains(JIA.polygon, lon, lat)[0]  # not in the largest part's ring
    # the same shape as the workstation's static district carries it (lists, not tuples)
    parts = [[list(r) for r in part] for part in JIA.parts]
    assert parts_contain(parts, lon, lat).tolist() == [True, False, False]


def test_area_index_is_first_area_wins_and_minus_one_outside() -> None:
    lon, lat = at(200, 500, 1500, 2500, 3500, 500)
    lat[-1] = np.nan  # a point without a fix is in no area
    assert area_index([JIA, YI], lon, lat).tolist() == [0, 1, 1, 0, -1, -1]
    overlap = Area("全", "全", "S1", box(-1000, 4000))
    assert area_index([overlap, JIA], lon, lat).tolist() == [0, 0, 0, 0, 0, -1]
    assert area_index([JIA, overlap], lon, lat).tolist() == [0, 1, 1, 0, 1, -1]
    assert area_index([], lon, lat).tolist() == [-1] * 6
    assert in_area(JIA, *ll(2500, 0)).shape == (1,)  # one point in, one answer out


def test_a_plain_ring_still_works_concave_or_drawn_crossing_itself() -> None:
    u_shape = (
        ll(0, 0),
        ll(30, 0),
        ll(30, 30),
        ll(20, 30),
        ll(20, 10),
        ll(10, 10),
        ll(10, 30),
        ll(0, 30),
    )
    lon, lat = at(5, 15, 25, 35, y=20)
    assert contains(u_shape, lon, lat).tolist() == [True, False, True, False]
    with pytest.raises(ValueError, match="three vertices"):
        contains(u_shape[:2], lon, lat)
    # a bow tie drawn by hand on the map (a history search area): both lobes are in
    bow = (ll(0, 0), ll(20, 20), ll(20, 0), ll(0, 20))
    lon, lat = at(3, 17, 10, y=10)
    assert contains(bow, lon, lat).tolist() == [True, True, False]


def test_road_nodes_of_a_multipolygon_area_get_its_coverage(
    config: Config, cards: RunCards
) -> None:
    # a 3 km street across both areas; one patrol car on 甲's second part
    ways = [way((0, 0), (3000, 0))]
    units = [unit("巡1", "patrol_group", 2500, 0, "甲")]
    engine, g, view = build(config, cards, district(ways, units, [JIA, YI]))
    tt = TravelTimes(g, [JIA, YI])
    x = np.round(g.node_x)
    expect = np.where((x > 405) & (x < 605) | (x > 1005) & (x < 2005), 1, 0)
    assert (tt.node_area == expect).all()
    assert (engine.tt.node_area == expect).all()  # the engine's own node areas agree
    assert tt.node_area[node_at(g, 500, 0)] == 1 and tt.node_area[node_at(g, 2500, 0)] == 0
    # 甲's road length is its two pieces outside the hole: 400 + 400 + 1000 m (to 5 m)
    weight = np.bincount(
        tt.node_area[tt.node_area >= 0], weights=tt.node_weight_m[tt.node_area >= 0]
    )
    assert weight[0] == pytest.approx(1800, abs=15) and weight[1] == pytest.approx(1200, abs=15)
    rep = engine.coverage(view)
    patrol = next(f for f in rep.forces if f.unit_type == "patrol_group")
    by_code = {a.area_code: a for a in patrol.areas}
    assert by_code["甲"].units == 1 and by_code["乙"].units == 0  # the car stands in 甲
    assert rep.areas_without_patrol == ["乙"]
