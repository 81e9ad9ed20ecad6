"""The minute nowcast: a building crowd shows in minutes, gaps are tolerated."""

from __future__ import annotations

import numpy as np
import pytest

from console.crowd.nowcast import minute_expectation, nowcast

NOW = 1_727_780_000.0 + 25.0  # 25 s into a minute


def _minutes(n: int) -> np.ndarray:
    last = np.floor(NOW / 60) * 60 - 60
    return last - 60.0 * np.arange(n - 1, -1, -1)


def test_a_steady_rise_keeps_rising_for_30_minutes() -> None:
    t = _minutes(60)
    counts = 50_000 + 400.0 * np.arange(60)  # +400 people a minute
    nc = nowcast(t, counts, NOW)
    assert nc is not None
    assert nc.times.size == 30 and nc.times[0] == t[-1] + 60
    assert np.all(np.diff(nc.point) > 0)
    assert nc.point[0] == pytest.approx(counts[-1] + 400, rel=0.01)
    assert nc.point[-1] > counts[-1] + 5_000  # damped, but still well up in half an hour
    assert np.all(nc.lower <= nc.point) and np.all(nc.point <= nc.upper)
    assert np.all(np.diff(nc.upper - nc.lower) >= 0)  # wider further out


def test_a_flat_crowd_stays_flat_and_gaps_are_skipped() -> None:
    t = _minutes(120)
    rng = np.random.default_rng(3)
    counts = 20_000 + rng.normal(0, 200, 120)
    counts[30:70] = np.nan  # the camera was down for 40 minutes
    nc = nowcast(t, counts, NOW)
    assert nc is not None
    assert np.all(np.abs(nc.point - 20_000) < 1_500)
    assert nc.observed_at == t[-1]


def test_too_few_live_counts_give_no_nowcast() -> None:
    t = _minutes(120)
    counts = np.full(120, np.nan)
    counts[-5:] = 100.0
    assert nowcast(t, counts, NOW) is None
    assert nowcast(np.empty(0), np.empty(0), NOW) is None


def test_counts_from_the_running_minute_are_not_used() -> None:
    t = _minutes(60)
    counts = np.full(60, 1000.0)
    running = np.append(t, t[-1] + 60)  # the minute holding NOW is not over
    with_running = np.append(counts, 1e6)
    a = nowcast(t, counts, NOW)
    b = nowcast(running, with_running, NOW)
    assert a is not None and b is not None
    np.testing.assert_array_equal(a.point, b.point)


def test_the_usual_evening_rise_is_not_a_surge() -> None:
    """With the hourly forecast as the expectation, a crowd exactly on its usual rise
    is nowcast on that rise, not extrapolated beyond it."""
    t = _minutes(90)
    hour_t = np.floor(t[0] / 3600) * 3600 + 3600.0 * np.arange(-1, 5)
    hour_v = np.array([30_000, 40_000, 50_000, 60_000, 60_000, 60_000], dtype=float)
    ahead = t[-1] + 60.0 * np.arange(1, 31)
    exp = minute_expectation(hour_t, hour_v, np.concatenate([t, ahead]))
    counts = exp[:90].copy()
    nc = nowcast(t, counts, NOW, expected=exp)
    assert nc is not None
    np.testing.assert_allclose(nc.point, exp[90:], rtol=0.01)
    surge = counts * np.linspace(1.0, 1.3, 90)  # 30 % above the usual and climbing
    up = nowcast(t, surge, NOW, expected=exp)
    assert up is not None and np.all(up.point > exp[90:] * 1.25)


def test_flow_expectation_is_per_minute() -> None:
    hours = np.array([0.0, 3600.0])
    per_min = minute_expectation(hours, np.array([600.0, 600.0]), np.array([1800.0]), "flow")
    assert per_min.tolist() == [10.0]
