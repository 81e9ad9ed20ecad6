"""Capacity warnings: raised ahead of a forecast crossing with its lead time, once per
crossing; a measured crossing raises one now."""

from __future__ import annotations

import numpy as np
import pytest

from console.crowd.alerts import CrowdWarnings, PlaceLimits
from console.crowd.errors import CrowdError
from tests.crowd.synth import local_ts

TZ = "Asia/Shanghai"
BUND = PlaceLimits(
    code="bund",
    name="外滩",
    name_en="The Bund",
    capacity=100_000,
    tz=TZ,
    lon=121.4905,
    lat=31.24,
)


def _evening(now: float) -> tuple[np.ndarray, np.ndarray]:
    """Hourly forecast from ``now``: quiet, then 85 % at +2 h, 92 % peak at +3 h, then down."""
    times = now + 3600.0 * np.arange(8)
    values = np.array([40, 60, 85, 92, 88, 70, 50, 30], dtype=float) * 1000
    return times, values


def test_forecast_crossing_raises_one_alert_ahead_with_lead_time() -> None:
    now = local_ts(TZ, 2024, 10, 1, 17)
    warnings = CrowdWarnings([BUND])
    alerts = warnings.check_forecast("bund", now, *_evening(now))
    assert [a.level for a in alerts] == ["warning"]
    a = alerts[0]
    assert a.kind == "crowd_forecast" and a.source == "hourly"
    assert a.t_cross == now + 2 * 3600 and a.lead_s == 2 * 3600
    assert a.t_peak == now + 3 * 3600 and a.share == pytest.approx(0.92)
    assert "外滩" in a.text and "92%" in a.text and "20:00" in a.text
    assert a.text_en.startswith("The Bund expected 92 % of capacity at 20:00, in 3 h")
    assert "over 80 % from 19:00, in 2 h" in a.text_en
    assert a.incident_type == "crowd_crush_risk" and a.lon == BUND.lon


def test_the_same_crossing_refreshed_is_not_raised_again() -> None:
    now = local_ts(TZ, 2024, 10, 1, 17)
    warnings = CrowdWarnings([BUND])
    first = warnings.check_forecast("bund", now, *_evening(now))
    # a minute later the forecast moved a little: the same episode, no second alert
    later = now + 60
    times, values = _evening(later)
    again = warnings.check_forecast("bund", later, times, values * 1.01)
    nowcast = warnings.check_forecast(
        "bund", later, later + 60.0 * np.arange(30), np.full(30, 81_000.0), "nowcast"
    )
    assert len(first) == 1 and again == [] and nowcast == []
    assert warnings.active() == [first[0].key]


def test_an_episode_ends_below_the_hysteresis_and_a_new_crossing_rings_again() -> None:
    now = local_ts(TZ, 2024, 10, 1, 17)
    warnings = CrowdWarnings([BUND])
    warnings.check_forecast("bund", now, *_evening(now))
    times = now + 3600.0 * np.arange(8)
    hovering = np.full(8, 78_000.0)  # under 80 % but within the 5 % margin: still on
    assert warnings.check_forecast("bund", now + 600, times, hovering) == []
    assert len(warnings.active()) == 1
    warnings.check_forecast("bund", now + 1200, times, np.full(8, 50_000.0))
    assert warnings.active() == []
    again = warnings.check_forecast("bund", now + 1800, *_evening(now + 1800))
    assert len(again) == 1 and again[0].lead_s == 2 * 3600


def test_alarm_level_is_its_own_critical_alert() -> None:
    now = local_ts(TZ, 2024, 12, 31, 20)
    warnings = CrowdWarnings([BUND])
    times = now + 3600.0 * np.arange(6)
    values = np.array([70, 82, 90, 97, 99, 60], dtype=float) * 1000
    alerts = warnings.check_forecast("bund", now, times, values)
    assert [(a.level, a.lead_s) for a in alerts] == [("warning", 3600.0), ("critical", 3 * 3600.0)]
    assert "in 4 h" in alerts[1].text_en  # the peak, 99 %, at 24:00
    assert "tomorrow 00:00" in alerts[1].text_en


def test_measured_crossing_raises_now_once() -> None:
    now = local_ts(TZ, 2024, 10, 1, 20)
    warnings = CrowdWarnings([BUND])
    assert warnings.check_measured("bund", now, 79_000) == []
    alerts = warnings.check_measured("bund", now + 60, 81_500)
    assert len(alerts) == 1 and alerts[0].kind == "crowd_measured" and alerts[0].lead_s == 0
    assert alerts[0].text_en == "The Bund now 81,500 people, 82 % of capacity"
    assert warnings.check_measured("bund", now + 120, 83_000) == []
    assert warnings.check_measured("bund", now + 180, float("nan")) == []


def test_nowcast_minutes_raise_with_a_lead_in_minutes() -> None:
    now = local_ts(TZ, 2024, 10, 1, 19, 30)
    warnings = CrowdWarnings([BUND])
    times = now + 60.0 * np.arange(1, 31)
    values = np.linspace(70_000, 88_000, 30)
    alerts = warnings.check_forecast("bund", now, times, values, "nowcast")
    assert len(alerts) == 1
    assert alerts[0].source == "nowcast" and 10 * 60 <= alerts[0].lead_s <= 25 * 60
    assert "min" in alerts[0].text_en


def test_bad_limits_are_refused_with_a_reason() -> None:
    with pytest.raises(CrowdError, match="capacity"):
        PlaceLimits(code="x", name="x", capacity=0)
    with pytest.raises(CrowdError, match="warning share < alarm share"):
        PlaceLimits(code="x", name="x", capacity=10, warn_share=0.9, alarm_share=0.8)
    with pytest.raises(CrowdError, match="time zone"):
        PlaceLimits(code="x", name="x", capacity=10, tz="Mars/Olympus")
    with pytest.raises(CrowdError, match="no limits for place"):
        CrowdWarnings([BUND]).check_measured("nowhere", 0.0, 1.0)


def test_a_flow_place_says_people_per_hour() -> None:
    street = PlaceLimits(code="st", name="南京路", name_en="Nanjing Rd", capacity=10_000,
                         tz=TZ, measure="flow")  # fmt: skip
    (a,) = CrowdWarnings([street]).check_measured("st", 0.0, 8_500)
    assert a.text_en == "Nanjing Rd 8,500 people in the last hour, 85 % of capacity"
    assert "最近一小时" in a.text
