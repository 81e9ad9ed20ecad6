"""Crowd places belong to their district: a hub on another district forecasts none of them."""

from __future__ import annotations

from pathlib import Path

from console.crowd.settings import PlaceSettings, for_district, load_crowd_settings
from console.demo.district import DISTRICT_CODE
from tests.conftest import DemoParts

ROOT = Path(__file__).resolve().parents[2]
# a square around Portland's downtown, far from Shanghai
PORTLAND = ((-122.70, 45.50), (-122.65, 45.50), (-122.65, 45.54), (-122.70, 45.54))


def test_the_shipped_places_are_the_demo_district_s() -> None:
    settings = load_crowd_settings(ROOT / "config")
    assert settings.district == "huangpu_demo"
    assert settings.places


def test_another_district_gets_no_places_and_a_reason() -> None:
    settings = load_crowd_settings(ROOT / "config")
    kept, why = for_district(settings, "portland", PORTLAND)
    assert kept.places == []
    assert len(why) == 1 and "'huangpu_demo'" in why[0] and "'portland'" in why[0]
    assert kept.forecast == settings.forecast


def test_places_outside_the_outline_are_left_out_by_name() -> None:
    settings = load_crowd_settings(ROOT / "config")
    inside = PlaceSettings(
        code="pioneer_square",
        name="Pioneer Square",
        kind="point",
        capacity=5000.0,
        point=(-122.679, 45.519),
    )
    free = settings.__class__(places=[*settings.places, inside])  # no district key
    kept, why = for_district(free, "portland", PORTLAND)
    assert [p.code for p in kept.places] == ["pioneer_square"]
    assert len(why) == len(settings.places)
    assert all("outside district 'portland'" in w for w in why)


def test_the_demo_hub_keeps_every_demo_place(demo_parts: DemoParts) -> None:
    district = demo_parts.district
    settings = load_crowd_settings(ROOT / "config")
    kept, why = for_district(settings, DISTRICT_CODE, district.outline)
    assert why == [] and len(kept.places) == len(settings.places)
