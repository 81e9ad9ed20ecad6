"""Searching past incidents through the hub: number, time, type, place, unit, officer, text."""

from __future__ import annotations

from typing import Any

import pytest

from console.history.search import IncidentQuery
from console.hub.client import InprocClient
from console.hub.messages_shift import SearchIncidents
from console.polygon import contains
from console.store.models import AreaRow, OfficerRow, UnitRow
from tests.history.shift_data import NANJING_RD, PastShift, ok


def _ids(shift: PastShift, **query: Any) -> list[int]:
    client = InprocClient(shift.hub, actor="op-li", role="operator")
    return [r["id"] for r in ok(client, SearchIncidents(query=IncidentQuery(**query)))["rows"]]


def test_closed_and_cancelled_by_default_newest_first(past_shift: PastShift) -> None:
    a, b, c, d = (past_shift.ids[k] for k in "ABCD")
    assert _ids(past_shift) == [c, b, a]  # D is open: not history yet
    assert _ids(past_shift, statuses=["closed"]) == [c, a]
    assert d in _ids(past_shift, statuses=["dispatched", "en_route", "closed"])


def test_by_number_time_and_type(past_shift: PastShift) -> None:
    a, b, c = (past_shift.ids[k] for k in "ABC")
    assert _ids(past_shift, number=b) == [b]
    assert _ids(past_shift, number=999_999) == []
    assert _ids(past_shift, t0=past_shift.t0 + 1) == [c, b]  # A was created at t0
    assert _ids(past_shift, t1=past_shift.t0 + 1) == [a]
    assert _ids(past_shift, incident_types=["knife_attack", "theft"]) == [c, b]


def test_by_place_within_a_radius_and_inside_an_area(past_shift: PastShift) -> None:
    a, b = past_shift.ids["A"], past_shift.ids["B"]
    lon, lat = NANJING_RD
    assert _ids(past_shift, lon=lon, lat=lat, radius_m=150.0) == [a]
    assert _ids(past_shift, lon=lon, lat=lat, radius_m=50_000.0) == _ids(past_shift)
    square = [(lon - 0.002, lat - 0.002), (lon + 0.002, lat - 0.002), (lon, lat + 0.002)]
    assert _ids(past_shift, polygon=square) == [a]
    # the responsibility area around 人民路 holds B and not A
    with past_shift.hub.store.session() as s:
        code = next(
            r.code
            for r in s.query(AreaRow)
            if contains(r.polygon, 121.4700, 31.2150)[0] and not contains(r.polygon, lon, lat)[0]
        )
    found = _ids(past_shift, area=code)
    assert b in found and a not in found


def test_by_unit_and_by_officer(past_shift: PastShift) -> None:
    a, c = past_shift.ids["A"], past_shift.ids["C"]
    cs = past_shift.units["A"][0]
    assert a in _ids(past_shift, unit=cs.lower())  # call signs match whatever the case
    assert past_shift.ids["B"] not in _ids(past_shift, unit=cs)
    with past_shift.hub.store.session() as s:
        unit_id = s.query(UnitRow.id).filter(UnitRow.call_sign == cs).scalar()
        officer = s.query(OfficerRow).filter(OfficerRow.unit_id == unit_id).first()
        assert officer is not None, "the demo units carry their officers"
        name = officer.name
    assert a in _ids(past_shift, officer=name)
    assert _ids(past_shift, officer="无此人") == []
    both = _ids(past_shift, unit=cs, officer=name)  # both filters hold at once
    assert a in both and (c in both) == (cs in past_shift.units["C"])


def test_by_text_in_address_report_and_outcome(past_shift: PastShift) -> None:
    a, b, c = (past_shift.ids[k] for k in "ABC")
    assert _ids(past_shift, text="南京东路") == [a]  # address
    assert _ids(past_shift, text="电动车") == [b]  # the caller's report
    assert _ids(past_shift, text="调解") == [a]  # the outcome, in Chinese
    assert _ids(past_shift, text="SUSPECT") == [c]  # case does not matter
    assert _ids(past_shift, text="误报") == [b]  # the cancelling reason


def test_paging_and_rows(past_shift: PastShift) -> None:
    client = InprocClient(past_shift.hub, actor="op-li", role="operator")
    page = ok(client, SearchIncidents(query=IncidentQuery(limit=1, offset=1)))
    assert page["total"] == 3 and len(page["rows"]) == 1
    row = page["rows"][0]
    assert row["id"] == past_shift.ids["B"] and row["status"] == "cancelled"
    assert row["outcome"] == "误报 false alarm" and row["address"] == "人民路8号"
    a_row = ok(client, SearchIncidents(query=IncidentQuery(number=past_shift.ids["A"])))["rows"][0]
    assert a_row["units"] == past_shift.units["A"]
    assert a_row["closed_at"] is not None and a_row["created_by"] == "op-zhao"


@pytest.mark.parametrize(
    ("query", "reason"),
    [
        ({"radius_m": 100.0}, "needs the centre"),
        ({"lon": 121.48, "lat": 31.23, "radius_m": -5.0}, "must be positive"),
        ({"t0": 10.0, "t1": 5.0}, "ends before it starts"),
        ({"statuses": ["lost"]}, "unknown incident statuses"),
        ({"statuses": []}, "at least one incident status"),
        ({"limit": 0}, "limit must be"),
        ({"polygon": [(121.4, 31.2), (121.5, 31.2)]}, "three points"),
        ({"area": "no-such-area"}, "no responsibility area"),
        ({"t0": float("nan")}, "finite"),
    ],
)
def test_bad_queries_are_refused_in_words(
    past_shift: PastShift, query: dict[str, Any], reason: str
) -> None:
    client = InprocClient(past_shift.hub, actor="op-li", role="operator")
    reply = client.call(SearchIncidents(query=IncidentQuery(**query)))
    assert not reply.ok and reason in reply.error
