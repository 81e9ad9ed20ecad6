"""No count at or after the issue time reaches a model: a planted spike changes nothing."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pytest

from console.crowd.band import residual_band
from console.crowd.context import Known
from console.crowd.gbm import GradientBoosting
from console.crowd.models import SeasonalNaiveWeek, WeeklyProfile
from tests.crowd.synth import known_at, local_ts, synthetic_panel

TZ = "Asia/Shanghai"


@pytest.mark.parametrize("horizon", [24, 168])
@pytest.mark.parametrize(
    "make", [SeasonalNaiveWeek, WeeklyProfile, lambda: GradientBoosting(max_iter=30)]
)
def test_a_spike_after_the_issue_changes_no_forecast(make: object, horizon: int) -> None:
    panel = synthetic_panel(TZ, dt.date(2024, 5, 1), days=120)
    issue_t = local_ts(TZ, 2024, 8, 10, 9)  # a Saturday morning, not midnight
    clean = known_at(panel, issue_t, country="CN")
    model = make()  # type: ignore[operator]
    before = model.forecast(clean, horizon)
    band_before = residual_band(clean, horizon)
    spiked = panel.y.copy()
    spiked[:, clean.issue :] *= 50.0  # everything from the issue bucket on
    spiked[:, clean.issue] = 1e6
    planted = Known(type(panel)(panel.grid, panel.names, spiked), clean.issue, clean.days)
    after = make().forecast(planted, horizon)  # type: ignore[operator]
    assert np.isfinite(before).any()
    np.testing.assert_array_equal(before, after)
    band_after = residual_band(planted, horizon)
    np.testing.assert_array_equal(band_before.lo, band_after.lo)
    np.testing.assert_array_equal(band_before.hi, band_after.hi)


def test_a_spike_just_before_the_issue_does_reach_the_models() -> None:
    """The control: the same spike one hour earlier is seen (the test above is not blind)."""
    panel = synthetic_panel(TZ, dt.date(2024, 5, 1), days=120)
    known = known_at(panel, local_ts(TZ, 2024, 8, 10, 9), country="CN")
    before = GradientBoosting(max_iter=30).forecast(known, 24)
    panel.y[:, known.issue - 1] *= 20.0
    after = GradientBoosting(max_iter=30).forecast(known, 24)
    assert not np.array_equal(before, after)


def test_training_rows_all_end_before_the_issue() -> None:
    panel = synthetic_panel(TZ, dt.date(2024, 5, 1), days=120)
    known = known_at(panel, local_ts(TZ, 2024, 8, 10), country="CN")
    for hours in ("same", "all"):
        s, iss, j = GradientBoosting(issue_hours=hours).training_rows(known, 168)
        assert s.size > 0
        assert (j < known.issue).all() and (iss <= j).all() and (j - iss < 168).all()
