"""Plans on hand-built graphs where the right answer is known on paper."""

from __future__ import annotations

import msgspec
import numpy as np
import pytest

from console.config import Config
from console.planning.fleet import SituationView
from console.planning.plan import Plan, PlanRequest
from console.planning.runcards import RunCards
from tests.planning.handbuilt import area, build, district, ll, node_at, unit, way


def req(i: int, kind: str, x: float, y: float, **kw: int) -> PlanRequest:
    lon, lat = ll(x, y)
    return PlanRequest(incident_id=i, incident_type=kind, lon=lon, lat=lat, **kw)


def by_sign(plan: Plan) -> dict[str, float]:
    return {s.call_sign: s.eta_s for s in plan.slots}


# ---- one-way streets ----------------------------------------------------------------------


@pytest.mark.parametrize("against", [True, False])
def test_one_way_street_decides_who_is_faster(
    config: Config, cards: RunCards, against: bool
) -> None:
    # A sits 100 m east of the incident on a one-way block (a cycle through the
    # incident).  When the direct street runs away from the incident, A must go
    # round the block (300 m = 30 s) and B, 200 m west on a two-way street
    # (20 s), is faster.
    loop = [(100, 0), (100, 100), (0, 100), (0, 0)]
    if against:
        ways = [way((0, 0), (100, 0), oneway=True), way(*loop, oneway=True)]
    else:
        ways = [way((100, 0), (0, 0), oneway=True), way(*loop[::-1], oneway=True)]
    ways.append(way((-200, 0), (0, 0)))
    d = district(ways, [unit("A", "patrol_group", 100, 0), unit("B", "patrol_group", -200, 0)])
    engine, g, view = build(config, cards, d)
    (plan,) = engine.plan([req(1, "theft", 0, 0)], view)
    assert [s.call_sign for s in plan.slots] == (["B"] if against else ["A"])
    s = plan.slots[0]
    if against:
        assert s.eta_s == pytest.approx(20.0)
        assert s.alternative is not None and s.alternative.call_sign == "A"
        assert s.alternative.eta_s == pytest.approx(30.0)  # round the block, not 10 s
    else:
        assert s.eta_s == pytest.approx(10.0)
    # the route is drawn from the unit to the incident, with its real length
    assert (s.route_lon[0], s.route_lat[0]) == pytest.approx(
        (
            g.node_lon[node_at(g, -200 if against else 100, 0)],
            g.node_lat[node_at(g, -200 if against else 100, 0)],
        )
    )
    assert (s.route_lon[-1], s.route_lat[-1]) == pytest.approx(
        (g.node_lon[node_at(g, 0, 0)], g.node_lat[node_at(g, 0, 0)])
    )
    assert s.distance_m == pytest.approx(200.0 if against else 100.0, abs=0.5)
    assert s.met and plan.standards[0].met


def test_route_through_the_one_way_loop_follows_the_legal_direction(
    config: Config, cards: RunCards
) -> None:
    ways = [
        way((0, 0), (100, 0), oneway=True),
        way((100, 0), (100, 100), (0, 100), (0, 0), oneway=True),
    ]
    d = district(ways, [unit("A", "patrol_group", 100, 0)])
    engine, _, view = build(config, cards, d)
    (plan,) = engine.plan([req(1, "theft", 0, 0)], view)
    s = plan.slots[0]
    xs, ys = engine.graph.projection.to_xy(np.array(s.route_lon), np.array(s.route_lat))
    pts = [(round(float(x)), round(float(y))) for x, y in zip(xs, ys, strict=True)]
    assert len(pts) == 31 and pts[0] == (100, 0) and pts[-1] == (0, 0)
    assert pts.index((100, 100)) == 10 and pts.index((0, 100)) == 20  # round the block
    assert s.eta_s == pytest.approx(30.0)


# ---- eligibility --------------------------------------------------------------------------


def test_closer_but_ineligible_units_are_not_sent(config: Config, cards: RunCards) -> None:
    ways = [way((-2000, 0), (2000, 0))]
    units = [
        unit("社区", "community_police", 10, 0),
        unit("步巡", "foot_patrol", 20, 0),
        unit("辅", "auxiliary", 5, 0),
        unit("巡1", "patrol_group", 300, 0),
        unit("巡2", "patrol_group", -600, 0),
        unit("特1", "special_police", 1100, 0),
    ]
    engine, _, view = build(config, cards, district(ways, units))
    (plan,) = engine.plan([req(7, "knife_attack", 0, 0)], view)  # force level 3
    sent = by_sign(plan)
    assert set(sent) == {"巡1", "巡2", "特1"}
    roles = {s.call_sign: (s.role_en, s.wave) for s in plan.slots}
    assert roles["特1"] == ("Armed response", "first")
    assert roles["巡1"] == ("Scene control", "first")  # the nearer patrol group goes first
    assert roles["巡2"][1] == "reinforcement"
    assert sent["特1"] == pytest.approx(110.0 / 1.1)  # special police drive 10 % faster
    assert plan.manpower_assigned == 8 and not plan.shortfalls


def test_force_level_override_changes_who_may_go(config: Config, cards: RunCards) -> None:
    ways = [way((-2000, 0), (2000, 0))]
    units = [
        unit("巡1", "patrol_group", 50, 0),
        unit("巡2", "patrol_group", -50, 0),
        unit("特1", "special_police", 1100, 0),
        unit("特2", "special_police", -1500, 0),
        unit("武1", "armed_police", 900, 0),
    ]
    engine, _, view = build(config, cards, district(ways, units))
    (default,) = engine.plan([req(1, "fight", 0, 0)], view)
    assert set(by_sign(default)) == {"巡1", "巡2"}
    (lvl4,) = engine.plan([req(1, "fight", 0, 0, force_level=4)], view)
    assert lvl4.force_level == 4
    assert not {"巡1", "巡2"} & set(by_sign(lvl4))  # patrol groups may not answer level 4
    assert "特1" in by_sign(lvl4)
    assert any("level 4" in n for n in lvl4.notes_en)
    # more manpower asked: the plan grows to meet it
    (big,) = engine.plan([req(1, "fight", 0, 0, manpower=10)], view)
    assert big.manpower == 10 and big.manpower_assigned >= 10


def test_missing_units_are_reported_not_invented(config: Config, cards: RunCards) -> None:
    ways = [way((-2000, 0), (2000, 0))]
    units = [unit("巡1", "patrol_group", 50, 0)]
    engine, _, view = build(config, cards, district(ways, units))
    (plan,) = engine.plan([req(1, "knife_attack", 0, 0)], view)
    assert by_sign(plan) == {"巡1": pytest.approx(5.0)}
    missing = {s.slot_key: s.missing for s in plan.shortfalls}
    assert missing["first.0"] == 1  # no special-police team at all
    assert "special_police" in next(s.text_en for s in plan.shortfalls if s.slot_key == "first.0")
    assert missing["manpower"] == 6


# ---- coverage: do not strip an area -------------------------------------------------------


def _two_areas(b1_x: float) -> tuple[list, list]:
    ways = [way((-1000, 0), (4000, 0))]
    areas = [area("A区", -1000, -500, 0, 500), area("B区", 0, -500, 4000, 500)]
    units = [
        unit("a1", "patrol_group", -100, 0, "A区"),
        unit("b1", "patrol_group", b1_x, 0, "B区"),
        unit("b2", "patrol_group", 800, 0, "B区"),
    ]
    return ways, [areas, units]


def test_keeps_the_last_patrol_group_of_an_area(config: Config, cards: RunCards) -> None:
    ways, (areas, units) = _two_areas(b1_x=100)
    engine, _, view = build(config, cards, district(ways, units, areas))
    (plan,) = engine.plan([req(1, "theft", -200, 0)], view)
    s = plan.slots[0]
    # a1 is 10 s away but the only patrol group of A区; b1 (30 s) still meets 5 min
    assert s.call_sign == "b1" and s.eta_s == pytest.approx(30.0)
    assert "a1" in s.why_en and "last free patrol group of area A区" in s.why_en
    assert "A区" in s.why_zh and "最后一个" in s.why_zh
    assert s.alternative is not None and s.alternative.call_sign == "a1"
    assert not plan.coverage_costs and not plan.move_ups


def test_strips_an_area_only_to_meet_the_standard_and_says_so(
    config: Config, cards: RunCards
) -> None:
    ways, (areas, units) = _two_areas(b1_x=3000)  # b1 now 320 s away: late
    units[2] = unit("b2", "patrol_group", 3100, 0, "B区")
    engine, _, view = build(config, cards, district(ways, units, areas))
    (plan,) = engine.plan([req(1, "theft", -200, 0)], view)
    assert plan.slots[0].call_sign == "a1" and plan.slots[0].met
    (cost,) = plan.coverage_costs
    assert cost.kind == "area" and cost.code == "A区"
    assert cost.text_zh.startswith("A区 责任区将无巡逻组; 建议 b1 前移补位")
    assert cost.text_en == "area A区 left without a patrol group; suggest moving b1 there"
    (mu,) = plan.move_ups
    assert mu.call_sign == "b1" and mu.to_code == "A区" and mu.to_kind == "area"


def test_joint_plan_does_not_empty_an_area_across_two_incidents(
    config: Config, cards: RunCards
) -> None:
    # two thefts in B区, which has two patrol groups; A区 has one.  Taking both
    # of B区's empties B区, taking a1 empties A区 and is 60 s slower,
    # taking c1 (outside any area) would be late: the engine empties B区, says
    # so, and proposes c1 to refill it.
    ways = [way((-1000, 0), (4000, 0))]
    areas = [area("A区", -1000, -500, 0, 500), area("B区", 0, -500, 2000, 500)]
    units = [
        unit("a1", "patrol_group", -100, 0, "A区"),
        unit("b1", "patrol_group", 500, 0, "B区"),
        unit("b2", "patrol_group", 700, 0, "B区"),
        unit("c1", "patrol_group", 3900, 0, None),  # outside any area, far away
    ]
    engine, _, view = build(config, cards, district(ways, units, areas))
    plans = engine.plan([req(1, "theft", 600, 0), req(2, "theft", 650, 0)], view)
    sent = {s.call_sign for p in plans for s in p.slots}
    assert sum(len(p.slots) for p in plans) == 2 and sent == {"b1", "b2"}
    assert any(c.code == "B区" for p in plans for c in p.coverage_costs)
    assert [m.call_sign for p in plans for m in p.move_ups] == ["c1"]


# ---- two incidents competing for one team -------------------------------------------------


def test_two_incidents_share_special_police_jointly(config: Config, cards: RunCards) -> None:
    ways = [way((-2000, 0), (2000, 0))]
    units = [
        unit("特1", "special_police", 660, 0),  # 60 s to I1, 40 s to I2 (speed 1.1)
        unit("特2", "special_police", -1320, 0),  # 120 s to I1, 220 s to I2
        unit("巡1", "patrol_group", 0, 0),
        unit("巡2", "patrol_group", 0, 0),
        unit("巡3", "patrol_group", 1100, 0),
        unit("巡4", "patrol_group", 1100, 0),
    ]
    engine, _, view = build(config, cards, district(ways, units))
    p1, p2 = engine.plan([req(1, "knife_attack", 0, 0), req(2, "knife_attack", 1100, 0)], view)
    sp1 = [s for s in p1.slots if s.unit_type == "special_police"]
    sp2 = [s for s in p2.slots if s.unit_type == "special_police"]
    # greedy in arrival order would give 特1 to incident 1 and leave incident 2 with
    # 特2 at 220 s (over the 3-minute standard); jointly both are in time
    assert [s.call_sign for s in sp1] == ["特2"] and [s.call_sign for s in sp2] == ["特1"]
    assert sp1[0].eta_s == pytest.approx(1320 / 11.0) and sp1[0].met
    assert sp2[0].eta_s == pytest.approx(440 / 11.0) and sp2[0].met
    assert "特1" in sp1[0].why_en and "incident #2" in sp1[0].why_en
    assert "警情 #2" in sp1[0].why_zh


# ---- plumbing -----------------------------------------------------------------------------


def test_plans_are_messages_and_bad_requests_are_refused(config: Config, cards: RunCards) -> None:
    ways = [way((-500, 0), (500, 0))]
    engine, _, view = build(config, cards, district(ways, [unit("巡1", "patrol_group", 50, 0)]))
    plans = engine.plan([req(3, "dispute", 0, 0)], view, hour=8)
    raw = msgspec.json.encode(plans)
    back = msgspec.json.decode(raw, type=list[Plan])
    assert back == plans and back[0].slots[0].call_sign == "巡1"
    assert engine.plan([], view) == []
    with pytest.raises(ValueError, match="unknown incident type 'alien'"):
        engine.plan([req(1, "alien", 0, 0)], view)
    with pytest.raises(ValueError, match="force level must be 1-4"):
        engine.plan([req(1, "theft", 0, 0, force_level=9)], view)
    with pytest.raises(ValueError, match="twice"):
        engine.plan([req(1, "theft", 0, 0), req(1, "theft", 10, 0)], view)
    nan = PlanRequest(incident_id=1, incident_type="theft", lon=float("nan"), lat=0.0)
    with pytest.raises(ValueError, match="not a number"):
        engine.plan([nan], view)
    # a unit that is busy or has no position is never planned
    busy = SituationView(view.specs, view.lon, view.lat, np.array([False]))
    (p,) = engine.plan([req(1, "theft", 0, 0)], busy)
    assert not p.slots and p.shortfalls
