"""The next unit for an unanswered or refused order, on a hand-built street where the
right answer is known on paper (100 m = 10 s at the test speed)."""

from __future__ import annotations

import math

import msgspec
import numpy as np
import pytest

from console.config import Config
from console.planning.engine import PlanEngine
from console.planning.fleet import SituationView
from console.planning.plan import PlanRequest, PlanSlot
from console.planning.reassign import ReassignError, next_unit
from console.planning.runcards import RunCards
from tests.planning.handbuilt import build, district, ll, unit, way

# theft at (0, 0).  East of it a one-way block: a unit 100 m east must drive round it (300 m).
WAYS = [
    way((0, 0), (100, 0), oneway=True),
    way((100, 0), (100, 100), (0, 100), (0, 0), oneway=True),
    way((-2000, 0), (0, 0)),
]
UNITS = [
    unit("巡1", "patrol_group", -50, 0),  # 5 s: the plan sends it
    unit("巡B", "patrol_group", -200, 0),  # 20 s: the plan's alternative
    unit("巡C", "patrol_group", -250, 0),  # 25 s
    unit("巡A", "patrol_group", 100, 0),  # 100 m away as the crow flies, 30 s by road
    unit("社区", "community_police", -20, 0),  # closest, but not a type the slot takes
    unit("特1", "special_police", -1500, 0),
]


@pytest.fixture(scope="module")
def setup(config: Config, cards: RunCards) -> tuple[PlanEngine, SituationView]:
    engine, _, view = build(config, cards, district(WAYS, UNITS))
    return engine, view


def theft(**kw: int) -> PlanRequest:
    lon, lat = ll(0, 0)
    return PlanRequest(incident_id=1, incident_type="theft", lon=lon, lat=lat, **kw)


def without(view: SituationView, *call_signs: str) -> SituationView:
    """The view with these units busy."""
    avail = view.available.copy()
    for i, s in enumerate(view.specs):
        if s.call_sign in call_signs:
            avail[i] = False
    return SituationView(view.specs, view.lon, view.lat, avail)


def slot_of(engine: PlanEngine, view: SituationView, **kw: int) -> PlanSlot:
    (plan,) = engine.plan([theft(**kw)], view, with_move_ups=False)
    (slot,) = [s for s in plan.slots if s.slot_key == "first.0"]
    return slot


def test_plan_alternative_first_while_it_is_free(setup: tuple[PlanEngine, SituationView]) -> None:
    engine, view = setup
    slot = slot_of(engine, view)
    assert slot.call_sign == "巡1" and slot.alternative is not None
    assert slot.alternative.call_sign == "巡B"
    body = msgspec.to_builtins(slot)
    p = next_unit(engine, without(view, "巡1"), theft(), "巡1", slot=body)
    assert p is not None and p.source == "plan_alternative"
    assert (p.call_sign, p.replaces, p.unit_type) == ("巡B", "巡1", "patrol_group")
    assert p.eta_s == pytest.approx(slot.alternative.eta_s) == pytest.approx(20.0)
    assert "巡B" in p.text("zh") and "巡B" in p.text("en") and "0:20" in p.text("en")


def test_busy_alternative_gives_the_nearest_by_road_of_the_slot_types(
    setup: tuple[PlanEngine, SituationView],
) -> None:
    engine, view = setup
    body = msgspec.to_builtins(slot_of(engine, view))
    p = next_unit(engine, without(view, "巡1", "巡B"), theft(), "巡1", slot=body)
    # 巡A is nearer on the map but has to go round the one-way block; 社区 is nearer still
    # but the role takes patrol groups or foot patrols
    assert p is not None and p.source == "same_role"
    assert p.call_sign == "巡C" and p.eta_s == pytest.approx(25.0)
    # the engine's own plan, with 巡C gone too, sends no one faster than 巡C
    rest = slot_of(engine, without(view, "巡1", "巡B", "巡C"))
    assert rest.call_sign == "巡A" and rest.eta_s > p.eta_s


def test_silent_and_excluded_units_are_never_proposed(
    setup: tuple[PlanEngine, SituationView],
) -> None:
    engine, view = setup
    body = msgspec.to_builtins(slot_of(engine, view))
    # a refusal frees its unit: it is available in the view, yet not proposed
    p = next_unit(engine, view, theft(), "巡1", slot=body, exclude={"巡B", "巡C"})
    assert p is not None and p.call_sign == "巡A" and p.source == "same_role"
    assert p.eta_s == pytest.approx(30.0)


def test_order_without_a_plan_takes_the_silent_units_type_then_any_eligible(
    setup: tuple[PlanEngine, SituationView],
) -> None:
    engine, view = setup
    p = next_unit(engine, without(view, "巡1"), theft(), "巡1")
    assert p is not None and (p.call_sign, p.source) == ("巡B", "same_role")
    # every patrol group busy: the nearest unit the force level allows (community police
    # at 20 m on foot-ish speed 0.6: 20 / (10 * 0.6) s)
    busy = without(view, "巡1", "巡B", "巡C", "巡A")
    p = next_unit(engine, busy, theft(), "巡1")
    assert p is not None and (p.call_sign, p.source) == ("社区", "force_level")
    assert p.eta_s == pytest.approx(20.0 / 6.0)
    # an unknown silent unit (a stale order) still gets a proposal
    p = next_unit(engine, view, theft(), "nobody")
    assert p is not None and p.call_sign == "社区"


def test_force_level_decides_who_may_be_proposed(
    setup: tuple[PlanEngine, SituationView],
) -> None:
    engine, view = setup
    body = msgspec.to_builtins(slot_of(engine, view))
    p = next_unit(engine, without(view, "巡1"), theft(force_level=4), "巡1", slot=body)
    # level 4: patrol groups and community police may not go, whatever the plan said before
    assert p is not None and p.call_sign == "特1" and p.unit_type == "special_police"
    assert p.source == "same_role"  # the slot's role at level 4 is the armed teams'; 巡B skipped
    assert p.eta_s == pytest.approx(150.0 / 1.1)


def test_no_unit_available(setup: tuple[PlanEngine, SituationView]) -> None:
    engine, view = setup
    body = msgspec.to_builtins(slot_of(engine, view))
    # level 4 with the only armed team busy: free patrol groups do not count
    assert next_unit(engine, without(view, "巡1", "特1"), theft(force_level=4), "巡1") is None
    nobody = SituationView(view.specs, view.lon, view.lat, np.zeros(len(view.specs), bool))
    assert next_unit(engine, nobody, theft(), "巡1", slot=body) is None
    # a unit without a position fix is not proposed either
    lon = view.lon.copy()
    lon[:] = math.nan
    assert (
        next_unit(engine, SituationView(view.specs, lon, view.lat, view.available), theft(), "x")
        is None
    )


def test_bad_requests_are_refused_with_the_reason(
    setup: tuple[PlanEngine, SituationView],
) -> None:
    engine, view = setup
    lon, lat = ll(0, 0)
    ufo = PlanRequest(incident_id=9, incident_type="ufo", lon=lon, lat=lat)
    with pytest.raises(ReassignError, match="incident 9: unknown incident type 'ufo'"):
        next_unit(engine, view, ufo, "巡1")
    nan = PlanRequest(incident_id=8, incident_type="theft", lon=math.nan, lat=lat)
    with pytest.raises(ReassignError, match="incident 8: location is not a number"):
        next_unit(engine, view, nan, "巡1")
    with pytest.raises(ReassignError, match="force level"):
        next_unit(engine, view, theft(force_level=7), "巡1")
