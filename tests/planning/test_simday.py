"""The simulated day: units are really busy on scene, waits count, both policies are comparable."""

from __future__ import annotations

import pytest

from console.config import Config
from console.planning.runcards import RunCards
from console.planning.simday import DaySimulator, SimIncident, generate_day, incidents_from_calls
from tests.planning.handbuilt import build, district, ll, unit, way


def _theft(t: float, x: float, dur: float) -> SimIncident:
    return SimIncident(t, "theft", *ll(x, 0), dur)


@pytest.mark.parametrize("policy", ["closest", "engine"])
def test_busy_units_and_waits_are_simulated(config: Config, cards: RunCards, policy: str) -> None:
    ways = [way((0, 0), (2000, 0))]
    units = [unit("A", "patrol_group", 0, 0), unit("B", "patrol_group", 2000, 0)]
    engine, _, _ = build(config, cards, district(ways, units))
    incidents = [_theft(0, 100, 600), _theft(10, 150, 600), _theft(20, 0, 300)]
    r = DaySimulator(engine, policy, move_ups=True).run(incidents)
    # A answers the first (10 s); A is on scene, so B drives 1850 m (185 s) to the
    # second; nobody is free for the third until A leaves the first scene at
    # 0 + 10 + 600 = 610 s and drives 100 m: 610 - 20 + 10 = 600 s, late
    assert r.arrivals == 3 and r.queued_slots == 1 and r.unserved_slots == 0
    assert r.late == 1 and r.late_share == pytest.approx(1 / 3)
    assert r.mean_response_s == pytest.approx((10 + 185 + 600) / 3)
    assert r.mean_first_response_s == pytest.approx((10 + 185) / 2)
    assert r.min_coverage == 0.0  # both patrol groups busy after the second dispatch


def test_incident_streams(config: Config, cards: RunCards) -> None:
    ways = [way((0, 0), (2000, 0))]
    engine, _, _ = build(config, cards, district(ways, [unit("A", "patrol_group", 0, 0)]))
    day = generate_day(engine, 50, seed=3)
    assert len(day) == 50 and all(0 <= x.t < 86400 for x in day)
    assert [x.t for x in day] == sorted(x.t for x in day)
    assert all(x.incident_type in config.incident_types and x.duration_s > 0 for x in day)
    assert generate_day(engine, 50, seed=3) == day  # reproducible
    calls = incidents_from_calls(
        engine,
        [50.0, 10.0, 30.0],
        ["theft", "alien", "fight"],
        [ll(0, 0)[0]] * 3,
        [ll(0, 0)[1]] * 3,
        1,
    )
    assert [(c.t, c.incident_type) for c in calls] == [(30.0, "fight"), (50.0, "theft")]
    with pytest.raises(ValueError, match="at least one"):
        generate_day(engine, 0, seed=1)
    with pytest.raises(ValueError, match="policy"):
        DaySimulator(engine, "random")
