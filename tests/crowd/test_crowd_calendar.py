"""Holidays from maintained calendars, with the mainland's make-up working days, and
what the weekly profile makes of them."""

from __future__ import annotations

import datetime as dt

import pytest

from console.crowd.context import Known, day_table_for
from console.crowd.daytypes import HOLIDAY, MAKEUP, SATURDAY, SUNDAY, WORKDAY, PlaceCalendar
from console.crowd.errors import CrowdError
from console.crowd.models import WeeklyProfile
from console.crowd.zones import country_of_zone
from tests.crowd.synth import SHAPE, local_ts, synthetic_panel


def test_golden_week_and_its_make_up_days() -> None:
    table = PlaceCalendar("CN").table(dt.date(2024, 9, 28), dt.date(2024, 10, 13))
    kinds = dict(zip(range(28, 46), table.kind.tolist(), strict=False))
    assert kinds[29] == MAKEUP  # Sunday 29 September was worked
    assert [kinds[d] for d in range(31, 38)] == [HOLIDAY] * 7  # 1-7 October
    assert kinds[42] == MAKEUP  # Saturday 12 October was worked
    assert kinds[43] == SUNDAY and kinds[28] == SATURDAY and kinds[38] == WORKDAY
    assert table.to_holiday[0] == 3 and table.since_holiday[-1] == 6


def test_auckland_has_its_own_anniversary_day() -> None:
    auk = PlaceCalendar("NZ", "AUK").table(dt.date(2023, 1, 30), dt.date(2023, 1, 30))
    wgn = PlaceCalendar("NZ", "WGN").table(dt.date(2023, 1, 30), dt.date(2023, 1, 30))
    assert auk.kind.tolist() == [HOLIDAY] and wgn.kind.tolist() == [WORKDAY]
    assert PlaceCalendar("NZ", "AUK").holiday_name(dt.date(2023, 1, 30)) == (
        "Auckland Anniversary Day"
    )


def test_years_beyond_chinese_calendar_fall_back_to_holidays() -> None:
    table = PlaceCalendar("CN").table(dt.date(2030, 10, 1), dt.date(2030, 10, 3))
    assert table.kind.tolist() == [HOLIDAY] * 3


def test_unknown_calendars_are_refused() -> None:
    with pytest.raises(CrowdError, match="no holiday calendar for country 'XX'"):
        PlaceCalendar("XX")
    with pytest.raises(CrowdError, match="subdivision 'ZZZ'"):
        PlaceCalendar("NZ", "ZZZ")


def test_zone_to_country() -> None:
    assert country_of_zone("Asia/Shanghai") == "CN"
    assert country_of_zone("Pacific/Auckland") == "NZ"
    assert country_of_zone("Not/AZone") is None


def test_a_holiday_is_forecast_as_a_rest_day_and_a_make_up_day_as_a_working_day() -> None:
    tz = "Asia/Shanghai"
    panel = synthetic_panel(tz, dt.date(2024, 7, 1), days=110, series=1)
    days = day_table_for(panel.grid, PlaceCalendar("CN"))
    noon = 12
    for when, expect_weekend in (((2024, 10, 2), True), ((2024, 10, 12), False)):
        issue = panel.grid.index(local_ts(tz, *when))
        known = Known(panel, issue, days)
        pred = WeeklyProfile().forecast(known, 24)[0, noon]
        ratio = pred / SHAPE[noon]  # a synthetic working day's noon, without noise
        # the synthetic weekends run at 0.6 of a working day
        assert (0.5 < ratio < 0.7) if expect_weekend else (0.9 < ratio < 1.1), when
