"""Staging (pre-positioning): idle units go where the coming hour's calls need more of them.

Hand-built street from x = -6000 m to 6000 m at 10 m/s.  Auxiliary teams walk
at a quarter of that (2.5 m/s) and must arrive within 600 s, so one covers
1.5 km of street either side of it; a crowd-crush risk needs two of them.
Past crowd-crush calls all came at x = 2000 around 19:00.
"""

from __future__ import annotations

import copy

import msgspec
import numpy as np
import pytest
from handbuilt import build, district, ll, node_at, unit, way

from console.config import Config
from console.domain import UnitSpec
from console.planning.demand import HOURS, Demand
from console.planning.engine import PlanEngine
from console.planning.fleet import SituationView
from console.planning.runcards import RunCards
from console.planning.simday import DaySimulator, SimIncident

HOT_X = 2000.0


def _history(engine: PlanEngine, cards: RunCards, hour: float = 19.2, n: int = 40) -> Demand:
    xs = np.linspace(HOT_X - 50, HOT_X + 50, n)
    pts = [ll(float(x), 0.0) for x in xs]
    return Demand.from_calls(
        engine.tt,
        cards,
        [hour] * n,
        ["crowd_crush_risk"] * n,
        [p[0] for p in pts],
        [p[1] for p in pts],
    )


def _street(
    config: Config, cards: RunCards, units: list[UnitSpec]
) -> tuple[PlanEngine, SituationView]:
    engine, _, view = build(config, cards, district([way((-6000, 0), (6000, 0))], units))
    engine.demand = _history(engine, cards)
    return engine, view


def _stages(engine: PlanEngine, view: SituationView, hour: int) -> list[tuple[str, float]]:
    """(call sign, target x) of the staging moves proposed now."""
    g = engine.graph
    out = []
    for m in engine.move_ups(view, hour):
        if m.to_kind == "stage":
            x, _ = g.projection.to_xy(m.lon, m.lat)
            out.append((m.call_sign, float(x)))
    return out


AUX_PAIR = [unit("A", "auxiliary", -1000, 0), unit("B", "auxiliary", -800, 0)]


def test_depth_demand_and_hour_intensity(config: Config, cards: RunCards) -> None:
    engine, _ = _street(config, cards, AUX_PAIR)
    dem = engine.demand
    assert dem is not None
    road = engine.tt.node_weight_m
    hot = node_at(engine.graph, HOT_X, 0)
    # a crowd-crush risk needs two auxiliary teams (and two patrol groups), one armed team
    assert dem.depth("auxiliary") == 2 and dem.depth("patrol_group") == 2
    assert dem.depth("special_police") == 1 and dem.depth("traffic_police") == 1
    first = dem.weight("auxiliary", 19, road)
    second = dem.weight("auxiliary", 19, road, depth=2)
    # every call needing auxiliaries needs two: the second team is wanted as much as the first
    assert np.allclose(first, second)
    assert second[hot] > 10 * road[hot]
    assert not dem.weight("auxiliary", 19, road, depth=3).any()
    assert dem.weight("traffic_police", 19, road) is road  # no call needed one
    # every call came between 19:00 and 20:00
    assert dem.hour_factor("auxiliary", 19) == pytest.approx(HOURS)
    assert dem.hour_factor("auxiliary", 4) == 0.0
    assert dem.hour_factor("armed_police", 4) == 1.0  # unknown: no opinion


def test_bad_depth_demand_is_refused(config: Config, cards: RunCards) -> None:
    engine, _ = _street(config, cards, AUX_PAIR)
    n = engine.graph.n_nodes
    ok = {"auxiliary": np.ones((HOURS, n))}
    with pytest.raises(ValueError, match="depth demand"):
        Demand(ok, n, deep={"auxiliary": np.ones((HOURS, n))})
    with pytest.raises(ValueError, match="hour rate"):
        Demand(ok, n, hour_rate={"auxiliary": np.ones(HOURS - 1)})
    with pytest.raises(ValueError, match="depth must be"):
        Demand(ok, n).weight("auxiliary", 3, ok["auxiliary"][0], depth=0)


def test_stages_an_idle_team_before_the_hot_hour_not_in_a_quiet_one(
    config: Config, cards: RunCards
) -> None:
    """A and B stand together at x = -1000; C alone at the hotspot.  Before 19:00 one
    of the pair walks to the hotspot (2.8-3 km, under the 30-minute limit), so two
    teams reach its calls within 600 s; the other keeps the pair's own street covered.
    At 04:00 nobody ever called: nothing moves."""
    units = [*AUX_PAIR, unit("C", "auxiliary", HOT_X, 0)]
    engine, view = _street(config, cards, units)
    assert _stages(engine, view, 4) == []
    ((cs, x),) = _stages(engine, view, 18)  # the coming hour is the hot one
    assert cs in ("A", "B")
    assert abs(x - HOT_X) <= 1500.0 - 2.5 * 60  # within a minute of C's reach of the calls
    # the staged team reaches the calls in time: no further staging once it stands there
    lon = [ll(x, 0)[0] if u.call_sign == cs else u.home_lon for u in units]
    moved = SituationView(
        units, np.array(lon), np.array([u.home_lat for u in units]), np.ones(3, bool)
    )
    assert _stages(engine, moved, 18) == []


def test_never_takes_a_place_s_only_cover(config: Config, cards: RunCards) -> None:
    """A alone at x = -1000: moving it to the hotspot would leave its own post bare,
    so it stays, however hot the hour.  With B beside it, one of them goes."""
    engine, view = _street(config, cards, [AUX_PAIR[0]])
    assert _stages(engine, view, 18) == []
    engine, view = _street(config, cards, AUX_PAIR)
    assert [cs for cs, _ in _stages(engine, view, 18)] in (["A"], ["B"])
    # busy units are not moved, and a busy pair member's post still needs the other
    busy_b = SituationView(
        view.specs,
        view.lon,
        view.lat,
        np.array([True, False]),
    )
    assert _stages(engine, busy_b, 18) == []


def test_no_staging_without_history_or_setting(config: Config, cards: RunCards) -> None:
    engine, view = _street(config, cards, AUX_PAIR)
    engine.demand = None
    assert _stages(engine, view, 18) == []
    engine, view = _street(config, cards, AUX_PAIR)
    engine.cards = _cards_without_staging(cards)
    assert _stages(engine, view, 18) == []


def _cards_without_staging(cards: RunCards) -> RunCards:
    out = copy.copy(cards)
    out.coverage = msgspec.structs.replace(cards.coverage, stage_types=[])
    return out


def test_staging_makes_the_second_team_on_time_in_a_simulated_evening(
    config: Config, cards: RunCards
) -> None:
    """A theft at 18:00 gives the engine its chance to stage; a crowd-crush risk at
    the hotspot at 19:10 needs two teams.  C is there; without staging the second
    walks 2.8 km (1,120 s, late); staged, it is within the standard.  The closest-unit
    baseline (no move-ups) sends the same C and B as the engine without staging."""
    units = [
        *AUX_PAIR,
        unit("C", "auxiliary", HOT_X, 0),
        unit("P1", "patrol_group", HOT_X - 300, 0),
        unit("P2", "patrol_group", HOT_X + 300, 0),
        unit("P3", "patrol_group", -3000, 0),
        unit("S1", "special_police", HOT_X - 500, 0),
    ]
    incidents = [
        SimIncident(18 * 3600.0, "theft", *ll(-3000, 0), 600.0),
        SimIncident(19 * 3600.0 + 600.0, "crowd_crush_risk", *ll(HOT_X, 0), 3600.0),
    ]

    def late_aux(engine: PlanEngine, policy: str) -> int:
        sim = DaySimulator(engine, policy, move_ups=True)
        result = sim.run(incidents)
        assert result.unserved_slots == 0
        return sum(1 for ut, _, resp, std, _, _ in sim.log if ut == "auxiliary" and resp > std)

    engine, _ = _street(config, cards, units)
    assert late_aux(engine, "engine") == 0
    engine, _ = _street(config, cards, units)
    engine.cards = _cards_without_staging(cards)
    assert late_aux(engine, "engine") == 1
    engine, _ = _street(config, cards, units)
    assert late_aux(engine, "closest") == 1
