"""Demand-weighted coverage: past calls decide what a unit's coverage is worth.

Hand-built street from x = -6000 m to 4000 m at 10 m/s, traffic police
standard 300 s (3 km).  A traffic accident at x = 0; traffic police A at
x = -2000 (200 s), B at x = 2050 (205 s), a patrol group on scene.  A alone
covers about 4 km of street, B about 3 km: by road length sending B gives
away less, so B goes.  When every past accident happened on B's side, B's
coverage is what matters and A goes instead.
"""

from __future__ import annotations

import numpy as np
import pytest
from handbuilt import build, district, ll, node_at, unit, way

from console.config import Config
from console.planning.demand import HOURS, Demand
from console.planning.engine import PlanEngine
from console.planning.fleet import SituationView
from console.planning.plan import PlanRequest
from console.planning.runcards import RunCards


def _street(config: Config, cards: RunCards) -> tuple[PlanEngine, object, object]:
    d = district(
        [way((-6000, 0), (4000, 0))],
        [
            unit("A", "traffic_police", -2000, 0),
            unit("B", "traffic_police", 2050, 0),
            unit("P", "patrol_group", 0, 0),
        ],
    )
    return build(config, cards, d)


def _calls(xs: list[float], kind: str, hour: float) -> tuple[list[float], list[str], list, list]:
    pts = [ll(x, 0.0) for x in xs]
    return [hour] * len(xs), [kind] * len(xs), [p[0] for p in pts], [p[1] for p in pts]


def _tp(engine: PlanEngine, view: object) -> str:
    (plan,) = engine.plan(
        [
            PlanRequest(
                incident_id=1, incident_type="traffic_accident", lon=ll(0, 0)[0], lat=ll(0, 0)[1]
            )
        ],
        view,  # type: ignore[arg-type]
        10,
    )
    return next(s.call_sign for s in plan.slots if s.unit_type == "traffic_police")


def test_weights_follow_the_calls_that_need_each_type(config: Config, cards: RunCards) -> None:
    engine, g, _ = _street(config, cards)
    h, k, lon, lat = _calls([3500.0] * 20, "traffic_accident", 10.5)
    h2, k2, lon2, lat2 = _calls([-4000.0] * 20, "dispute", 3.2)
    dem = Demand.from_calls(
        engine.tt, cards, h + h2, k + k2, lon + lon2, lat + lat2, road_share=0.3, hour_smoothing=0.5
    )
    total = engine.tt.node_weight_m.sum()
    right, left = node_at(g, 3500, 0), node_at(g, -4000, 0)  # type: ignore[arg-type]
    tp = dem.weight("traffic_police", 10, engine.tt.node_weight_m)
    # every hour's weights add up to the road length; 70 % of it sits where the accidents were
    for hour in range(HOURS):
        assert dem.weight("traffic_police", hour, tp).sum() == pytest.approx(total)
    assert tp[right] == pytest.approx(0.3 * engine.tt.node_weight_m[right] + 0.7 * total)
    assert tp[left] == pytest.approx(0.3 * engine.tt.node_weight_m[left])
    # disputes need patrol groups, never traffic police; accidents need both
    pg3 = dem.weight("patrol_group", 3, engine.tt.node_weight_m)
    assert pg3[left] > pg3[right] > 0.3 * engine.tt.node_weight_m[right]
    # the hour's own calls count for (1 - hour_smoothing), the whole day's for the rest
    pg10 = dem.weight("patrol_group", 10, engine.tt.node_weight_m)
    assert pg10[right] > pg3[right]
    # a type no call needs keeps road length
    assert dem.weight("armed_police", 10, engine.tt.node_weight_m) is engine.tt.node_weight_m
    # an hour nobody called in falls back to the whole day
    day = dem.weight("traffic_police", None, engine.tt.node_weight_m)
    assert np.allclose(dem.weight("traffic_police", 4, tp), day)


def test_dispatch_spares_the_unit_covering_where_calls_come_from(
    config: Config, cards: RunCards
) -> None:
    engine, _, view = _street(config, cards)
    assert _tp(engine, view) == "B"  # by road length: B leaves less street uncovered
    h, k, lon, lat = _calls(list(np.linspace(2500, 4000, 30)), "traffic_accident", 10.0)
    engine.demand = Demand.from_calls(engine.tt, cards, h, k, lon, lat)
    assert _tp(engine, view) == "A"  # by demand: B's side is where accidents happen


def test_bad_demand_is_refused(config: Config, cards: RunCards) -> None:
    engine, g, _ = _street(config, cards)
    n = g.n_nodes  # type: ignore[attr-defined]
    with pytest.raises(ValueError, match="shape"):
        Demand({"traffic_police": np.ones((3, n))}, n)
    with pytest.raises(ValueError, match=">= 0"):
        Demand({"traffic_police": -np.ones((HOURS, n))}, n)
    with pytest.raises(ValueError, match="differ in length"):
        Demand.from_calls(engine.tt, cards, [1.0], [], [], [])
    with pytest.raises(ValueError, match="nodes"):
        PlanEngine(config, cards, engine.graph, engine.district, Demand({}, n + 1))


def test_move_up_goes_where_the_calls_are(config: Config, cards: RunCards) -> None:
    """Street -6000..4000; idle Z at 0, X (post -3000) and Y (post 3000) busy.

    By road length no move gains anything (to X's post: +3 km west, -3 km
    east; to Y's: +1 km, -3 km).  With accidents around x = -4500 the move
    to X's post wins what Z's 0 position leaves uncovered.
    """
    d = district(
        [way((-6000, 0), (4000, 0))],
        [
            unit("X", "traffic_police", -3000, 0),
            unit("Y", "traffic_police", 3000, 0),
            unit("Z", "traffic_police", 0, 0),
        ],
    )
    engine, _, home = build(config, cards, d)
    view = SituationView(home.specs, home.lon, home.lat, np.array([False, False, True]))
    assert engine.move_ups(view, 10) == []
    h, k, lon, lat = _calls(list(np.linspace(-5500, -3500, 30)), "traffic_accident", 10.0)
    engine.demand = Demand.from_calls(engine.tt, cards, h, k, lon, lat)
    (mu,) = engine.move_ups(view, 10)
    assert (mu.call_sign, mu.to_code) == ("Z", "X")
    assert mu.eta_s == pytest.approx(300.0, abs=2.0)
