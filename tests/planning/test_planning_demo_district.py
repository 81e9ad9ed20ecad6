"""Every incident type plans on the demo district with its real units."""

from __future__ import annotations

import msgspec

from console.config import Config
from console.planning import PlanEngine, PlanRequest, SituationView
from console.planning.plan import Plan
from console.planning.runcards import RunCards
from tests.conftest import DemoParts


def test_every_incident_type_at_a_landmark(
    config: Config, cards: RunCards, demo_parts: DemoParts
) -> None:
    d = demo_parts.district  # the demo district and its graph (configured speeds, times of day)
    engine = PlanEngine(config, cards, demo_parts.graph, d)
    view = SituationView.at_home(d.units)
    marks = list(d.landmarks.values())
    reqs = [
        PlanRequest(
            incident_id=i,
            incident_type=key,
            lon=marks[i % len(marks)][0],
            lat=marks[i % len(marks)][1],
        )
        for i, key in enumerate(config.incident_types)
    ]
    for r in reqs:
        (plan,) = engine.plan([r], view, hour=18)
        assert plan.slots, r.incident_type
        assert not [s for s in plan.shortfalls if s.slot_key.startswith("first")], r.incident_type
        assert plan.manpower_assigned >= plan.manpower or plan.shortfalls
        for s in plan.slots:
            assert s.why_zh and s.why_en and len(s.route_lon) == len(s.route_lat) >= 1
            assert s.eta_s >= 0 and s.distance_m >= 0
    # all twelve at once: one joint plan, nobody sent twice
    plans = engine.plan(reqs, view, hour=18)
    sent = [s.call_sign for p in plans for s in p.slots]
    assert len(sent) == len(set(sent))
    assert msgspec.json.decode(msgspec.json.encode(plans), type=list[Plan]) == plans
    report = engine.coverage(view, hour=18)
    assert {f.unit_type for f in report.forces} >= {"patrol_group", "special_police"}
    assert len(report.fixed_points) == len(d.fixed_points)
    assert all(fp.covered for fp in report.fixed_points)  # every team stands on its point
