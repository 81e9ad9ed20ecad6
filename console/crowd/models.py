"""The forecast models: the fixed baseline and a robust weekly profile.

Each model answers one question: given what was :class:`Known` at the issue
bucket, what will each series count in the ``horizon`` buckets from it?  The
answer is an array ``(series, horizon)``; NaN where the model has nothing to go on.
The gradient-boosting model is in :mod:`console.crowd.gbm`.
"""

from __future__ import annotations

from typing import Protocol

import numpy as np
import numpy.typing as npt

from console.crowd.context import Known

F64 = npt.NDArray[np.float64]


class Forecaster(Protocol):
    """A forecast model; ``name`` is its key in settings and evaluation output."""

    name: str

    def forecast(self, known: Known, horizon: int) -> F64:
        """Counts for buckets ``known.issue .. known.issue + horizon - 1`` of every series."""
        ...


def _targets(known: Known, horizon: int) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.int64]]:
    """(series, bucket) index arrays shaped (series, horizon)."""
    s = np.arange(known.n_series, dtype=np.int64)[:, None]
    j = known.issue + np.arange(horizon, dtype=np.int64)[None, :]
    return np.broadcast_to(s, (s.size, horizon)), np.broadcast_to(j, (s.size, horizon))


class SeasonalNaiveWeek:
    """The same wall-clock hour one week earlier (two, three, four weeks if that is a gap).

    The fixed baseline every other model must beat.
    """

    name = "seasonal_naive_week"

    def __init__(self, max_weeks: int = 4) -> None:
        self.max_weeks = max_weeks

    def forecast(self, known: Known, horizon: int) -> F64:
        s, j = _targets(known, horizon)
        out = np.full(s.shape, np.nan)
        grid = known.grid
        target_in = j < grid.n
        jj = np.where(target_in, j, 0)
        for week in range(1, self.max_weeks + 1):
            need = np.isnan(out) & target_in
            if not need.any():
                break
            lag = grid.days_back(jj, 7 * week)
            vals = known.values(s, np.where(need, lag, -1))
            out = np.where(need, vals, out)
        return out


class WeeklyProfile:
    """Median of the same wall hour on the last four days that behave like the target day.

    Robust to one odd day (a storm, a street closure), and holiday-aware: a public
    holiday is forecast from recent Sundays times the place's own holiday ratio, and
    a holiday a week ago never stands in for an ordinary day.
    """

    name = "weekly_profile"

    def forecast(self, known: Known, horizon: int) -> F64:
        s, j = _targets(known, horizon)
        out = np.full(s.shape, np.nan)
        target_in = j < known.grid.n
        if target_in.any():
            out[target_in] = known.profile(s[target_in], j[target_in])
        return out
