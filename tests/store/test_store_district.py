"""District save/load round trip, idempotent reloads, unit status."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable

import pytest
from sqlalchemy import func, select

from console.domain import District, RoadClass, UnitSpec, UnitStatus, Way
from console.store import Store, StoreError
from console.store.models import AreaRow, OfficerRow, StationRow, UnitRow
from console.store.repos import DistrictRepo, IncidentRepo, UnitRepo

pytestmark = pytest.mark.store


def _counts(store: Store) -> dict[str, int]:
    with store.session() as s:
        return {
            m.__tablename__: int(s.scalar(select(func.count()).select_from(m)) or 0)
            for m in (StationRow, AreaRow, UnitRow, OfficerRow)
        }


def test_round_trip_returns_the_same_district(
    store: Store, make_district: Callable[..., District]
) -> None:
    d = make_district()
    d.ways.append(Way("中山东一路", RoadClass.ARTERIAL, False, ((121.49, 31.23), (121.49, 31.24))))
    d.landmarks["外滩"] = (121.49, 31.24)
    with store.transaction() as s:
        DistrictRepo(s).save_district(d, t=10.0)
    with store.session() as s:
        loaded = DistrictRepo(s).load_district("HP")
    assert loaded.ways == [] and loaded.landmarks == {}
    assert loaded == dataclasses.replace(d, ways=[], landmarks={})
    assert loaded.outline == d.outline  # floats survive exactly
    assert loaded.units[-1].station_code is None  # district-level unit kept
    assert loaded.units[2].fixed_point_code == "HP-F0"


def test_saving_twice_does_not_duplicate(
    store: Store, make_district: Callable[..., District]
) -> None:
    d = make_district()
    for _ in range(2):
        with store.transaction() as s:
            DistrictRepo(s).save_district(d, t=10.0)
    assert _counts(store) == {"stations": 2, "areas": 6, "units": 4, "officers": 5}
    with store.session() as s:
        assert DistrictRepo(s).list_districts() == [("HP", "黄浦区")]
        assert DistrictRepo(s).load_district("HP") == dataclasses.replace(d, ways=[])


def test_reload_updates_layout_but_keeps_live_status(
    district_store: Store, make_district: Callable[..., District]
) -> None:
    with district_store.transaction() as s:
        unit = UnitRepo(s).get_by_call_sign("HP-P0")
        assert unit is not None
        inc = IncidentRepo(s).create(
            incident_type="theft",
            priority=2,
            force_level=1,
            manpower=2,
            lon=121.47,
            lat=31.23,
            created_by="op1",
            created_at=50.0,
        )
        assert UnitRepo(s).set_status(unit.id, UnitStatus.DISPATCHED, t=60.0, incident_id=inc.id)
    d = make_district()
    moved = dataclasses.replace(d.units[0], home_lon=121.5, members=("HP-0000a",))
    d.units[0] = moved
    d.stations[1] = dataclasses.replace(d.stations[1], name="新名字")
    with district_store.transaction() as s:
        DistrictRepo(s).save_district(d, t=99.0)
    with district_store.session() as s:
        unit = UnitRepo(s).get_by_call_sign("HP-P0")
        assert unit is not None
        assert unit.status == "dispatched" and unit.status_since == 60.0
        assert unit.current_incident_id == inc.id
        loaded = DistrictRepo(s).load_district("HP")
    assert loaded.units[0].home_lon == 121.5
    assert loaded.units[0].members == ("HP-0000a",)
    assert loaded.stations[1].name == "新名字"
    assert _counts(district_store)["officers"] == 5  # dropped member is detached, not deleted


def test_two_districts_stay_apart(store: Store, make_district: Callable[..., District]) -> None:
    with store.transaction() as s:
        DistrictRepo(s).save_district(make_district("HP"), t=1.0)
        DistrictRepo(s).save_district(make_district("JA", n_stations=1), t=1.0)
    with store.session() as s:
        assert len(DistrictRepo(s).load_district("JA").units) == 3
        assert len(UnitRepo(s).list_units("HP")) == 4
        assert len(UnitRepo(s).list_units()) == 7


def test_code_owned_by_another_district_is_refused(
    store: Store, make_district: Callable[..., District]
) -> None:
    with store.transaction() as s:
        DistrictRepo(s).save_district(make_district("HP"), t=1.0)
    other = make_district("JA")
    other.units.append(UnitSpec("HP-P0", "patrol_car", None, None, 121.4, 31.2))
    with pytest.raises(StoreError, match=r"HP-P0.*another district"), store.transaction() as s:
        DistrictRepo(s).save_district(other, t=1.0)
    with store.session() as s:  # the failed save rolled back completely
        assert [c for c, _ in DistrictRepo(s).list_districts()] == ["HP"]


@pytest.mark.parametrize(
    ("mutate", "message"),
    [
        (
            lambda d: d.units.append(UnitSpec("X", "t", "NOPE", None, 121.4, 31.2)),
            "unknown station",
        ),
        (lambda d: d.units.append(UnitSpec("X", "t", None, "NOPE", 121.4, 31.2)), "unknown area"),
        (lambda d: d.units.append(UnitSpec("X", "t", None, None, 500.0, 31.2)), "lon/lat"),
        (lambda d: d.units.append(d.units[0]), "appears twice"),
        (lambda d: setattr(d, "outline", d.outline[:2]), "at least 3 points"),
        (lambda d: setattr(d, "code", ""), "must not be empty"),
    ],
)
def test_bad_district_is_refused_with_a_clear_error(
    store: Store,
    make_district: Callable[..., District],
    mutate: Callable[[District], None],
    message: str,
) -> None:
    d = make_district()
    mutate(d)
    with pytest.raises(StoreError, match=message), store.transaction() as s:
        DistrictRepo(s).save_district(d, t=1.0)


def test_unknown_district_code(district_store: Store) -> None:
    with district_store.session() as s, pytest.raises(StoreError, match=r"'XX'.*known: HP"):
        DistrictRepo(s).load_district("XX")


def test_unit_status_changes(district_store: Store) -> None:
    with district_store.transaction() as s:
        repo = UnitRepo(s)
        unit = repo.get_by_call_sign("HP-P1")
        assert unit is not None and unit.status == "available" and unit.status_since == 1000.0
        inc = IncidentRepo(s).create(
            incident_type="fight",
            priority=1,
            force_level=2,
            manpower=4,
            lon=121.47,
            lat=31.23,
            created_by="op1",
            created_at=1100.0,
        )
        assert repo.set_status(unit.id, "en_route", t=1200.0, incident_id=inc.id)
        assert not repo.set_status(unit.id, "en_route", t=1300.0)  # no change
        assert unit.status_since == 1200.0 and unit.current_incident_id == inc.id
        assert repo.set_status(unit.id, UnitStatus.AVAILABLE, t=1400.0)
        assert unit.current_incident_id is None
        with pytest.raises(StoreError, match="invalid unit status 'flying'"):
            repo.set_status(unit.id, "flying", t=1.0)
        with pytest.raises(StoreError, match="no unit with id 999"):
            repo.set_status(999, "available", t=1.0)
        assert repo.ids_by_call_sign()["HP-P1"] == unit.id
