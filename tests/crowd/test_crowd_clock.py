"""Daylight-saving days and missing hours: no crash, no shifted hours, gaps stay gaps."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import numpy as np
import pytest

from console.crowd.csvread import read_counts
from console.crowd.gbm import GradientBoosting
from console.crowd.localtime import HourGrid, LocalTimeError, resolve_local
from console.crowd.models import SeasonalNaiveWeek, WeeklyProfile
from console.crowd.series import panel_from_file
from tests.crowd.synth import known_at, local_ts, synthetic_panel

TZ = "Pacific/Auckland"  # clocks forward 2023-09-24 02:00, back 2023-04-02 03:00


def test_dst_days_have_23_and_25_clock_hours() -> None:
    spring = local_ts(TZ, 2023, 9, 24)
    grid = HourGrid.build(TZ, spring, local_ts(TZ, 2023, 9, 25))
    assert grid.n == 23 and 2 not in grid.hour.tolist()
    autumn = local_ts(TZ, 2023, 4, 2)
    grid = HourGrid.build(TZ, autumn, local_ts(TZ, 2023, 4, 3))
    assert grid.n == 25 and grid.hour.tolist().count(2) == 2
    with pytest.raises(LocalTimeError, match="does not exist"):
        resolve_local(dt.datetime(2023, 9, 24, 2, 30), TZ)


def test_forecast_over_the_spring_forward_day_keeps_wall_hours() -> None:
    panel = synthetic_panel(TZ, dt.date(2023, 7, 1), days=100)
    known = known_at(panel, local_ts(TZ, 2023, 9, 24))
    grid = panel.grid
    targets = known.issue + np.arange(24)
    for model in (SeasonalNaiveWeek(), WeeklyProfile(), GradientBoosting(max_iter=20)):
        pred = model.forecast(known, 24)
        assert pred.shape == (2, 24) and np.isfinite(pred).all(), model.name
    # the baseline reads the same wall hour a week earlier: 167 buckets back on this day
    pred = SeasonalNaiveWeek().forecast(known, 24)
    src = grid.days_back(targets, 7)
    assert (grid.hour[src] == grid.hour[targets]).all()
    assert np.array_equal(pred, panel.y[:, src])
    assert (targets - src)[grid.hour[targets] >= 3].tolist() == [167] * 21


def test_the_skipped_hour_a_week_later_falls_back_two_weeks() -> None:
    panel = synthetic_panel(TZ, dt.date(2023, 7, 1), days=100)
    known = known_at(panel, local_ts(TZ, 2023, 10, 1))
    pred = SeasonalNaiveWeek().forecast(known, 24)
    two = known.issue + 2  # 02:00 on 1 October; 24 September had no 02:00
    assert panel.grid.hour[two] == 2
    src = panel.grid.lookup(np.array([dt.date(2023, 9, 17).toordinal()]), np.array([2]))[0]
    assert pred[0, 2] == panel.y[0, src]


def test_the_repeated_hour_on_the_autumn_day_is_forecast_twice() -> None:
    panel = synthetic_panel(TZ, dt.date(2023, 2, 1), days=70)
    known = known_at(panel, local_ts(TZ, 2023, 4, 2))
    pred = WeeklyProfile().forecast(known, 25)
    hours = panel.grid.hour[known.issue + np.arange(25)]
    assert hours.tolist() == [0, 1, 2, 2, *range(3, 24)]
    assert pred[:, 2].tolist() == pred[:, 3].tolist()  # same wall hour, same profile
    assert np.isfinite(pred).all()


def test_a_missing_hour_is_a_gap_not_a_zero(tmp_path: Path) -> None:
    path = tmp_path / "counts.csv"
    rows = ["time,sensor,count"]
    for h in range(6):
        if h != 3:  # the counter was down from 03:00 to 04:00
            rows.append(f"2023-09-20T0{h}:00:00,gate,{10 + h}")
    path.write_text("\n".join(rows) + "\n")
    cf = read_counts(path, time_col="time", sensor_col="sensor", count_col="count", tz=TZ)
    panel = panel_from_file(cf, TZ)
    assert panel.y.shape == (1, 6)
    assert np.isnan(panel.y[0, 3]) and panel.y[0, 4] == 14


def test_a_missing_hour_last_week_is_filled_from_earlier_weeks() -> None:
    panel = synthetic_panel(TZ, dt.date(2023, 7, 1), days=100)
    issue_t = local_ts(TZ, 2023, 8, 16)
    known = known_at(panel, issue_t)
    target = known.issue + 12
    week_ago = int(panel.grid.days_back(np.array([target]), 7)[0])
    panel.y[:, week_ago] = np.nan
    pred = SeasonalNaiveWeek().forecast(known, 24)
    two = int(panel.grid.days_back(np.array([target]), 14)[0])
    assert pred[0, 12] == panel.y[0, two]
    assert np.isfinite(WeeklyProfile().forecast(known, 24)).all()


def test_counter_feed_that_writes_the_skipped_hour_is_skipped_by_line(tmp_path: Path) -> None:
    path = tmp_path / "feed.csv"
    path.write_text(
        "time,sensor,count\n"
        "2023-09-24T01:00:00,a,5\n"
        "2023-09-24T02:00:00,a,0\n"  # line 3: this hour never happened in Auckland
        "2023-09-24T03:00:00,a,7\n"
    )
    cf = read_counts(path, time_col="time", sensor_col="sensor", count_col="count", tz=TZ)
    assert cf.count.tolist() == [5.0, 7.0]
    assert [p.line for p in cf.skipped] == [3]
    assert "clocks went forward" in str(cf.skipped[0])
    assert cf.t[1] - cf.t[0] == 3600.0  # 01:00 NZST to 03:00 NZDT is one hour
