"""The uncertainty band around an hourly forecast, from errors already made.

For each series the weekly profile is issued again at the same local hour on each of
the last ``days`` days (on what was known then) and its misses are measured as
log-ratios ``log((actual + 1) / (forecast + 1))``, grouped by lead time.  Their 10 %
and 90 % quantiles, applied to any model's point forecast, give an 80 % band.  It is
cheap (one vectorised profile call), out-of-sample, and the evaluation reports how
often the actual counts really fell inside it, per model.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from console.crowd.context import Known
from console.crowd.gbm import issue_buckets

F64 = npt.NDArray[np.float64]

LEAD_EDGES = (0, 3, 24, 72, 10**9)  # lead groups in hours: [0,3) [3,24) [24,72) [72,...)
MIN_POINTS = 30  # fewer misses than this in a group: pool the group over all series
FALLBACK = (np.log(0.6), np.log(1.5))  # no history at all: a wide, honest band


@dataclass(frozen=True)
class Band:
    """Log-ratio quantiles per series and lead group."""

    lo: F64  # (series, groups)
    hi: F64
    coverage: float  # nominal share of actuals inside, e.g. 0.8

    def apply(self, point: F64) -> tuple[F64, F64]:
        """(lower, upper) counts around ``point`` shaped (series, horizon)."""
        lead = np.arange(point.shape[1])
        group = np.searchsorted(LEAD_EDGES, lead, side="right") - 1
        base = np.maximum(point, 0.0) + 1.0
        lower = np.maximum(base * np.exp(self.lo[:, group]) - 1.0, 0.0)
        upper = np.maximum(base * np.exp(self.hi[:, group]) - 1.0, 0.0)
        return lower, upper


def residual_band(known: Known, horizon: int, days: int = 28, coverage: float = 0.8) -> Band:
    """The band from the weekly profile's misses over the last ``days`` days."""
    grid = known.grid
    hour = int(grid.hour[known.issue]) if known.issue < grid.n else 0
    issues = issue_buckets(grid, known.issue - 24 * days, known.issue, hour)
    n_s = known.n_series
    groups = len(LEAD_EDGES) - 1
    q = ((1 - coverage) / 2, 1 - (1 - coverage) / 2)
    lo = np.full((n_s, groups), FALLBACK[0])
    hi = np.full((n_s, groups), FALLBACK[1])
    if issues.size == 0:
        return Band(lo, hi, coverage)
    lead = np.arange(horizon, dtype=np.int64)
    s = np.repeat(np.arange(n_s, dtype=np.int64), issues.size * horizon)
    iss = np.tile(np.repeat(issues, horizon), n_s)
    j = iss + np.tile(lead, issues.size * n_s)
    keep = j < known.issue
    s, iss, j = s[keep], iss[keep], j[keep]
    pred = known.profile(s, j, iss)
    actual = known.values(s, j)
    ok = np.isfinite(pred) & np.isfinite(actual)
    err = np.log((actual[ok] + 1.0) / (pred[ok] + 1.0))
    s, g = s[ok], np.searchsorted(LEAD_EDGES, (j - iss)[ok], side="right") - 1
    for gi in range(groups):
        pooled = err[g == gi]
        if pooled.size >= MIN_POINTS:
            plo, phi = np.quantile(pooled, q)
            lo[:, gi], hi[:, gi] = plo, phi
        for si in range(n_s):
            mine = err[(g == gi) & (s == si)]
            if mine.size >= MIN_POINTS:
                lo[si, gi], hi[si, gi] = np.quantile(mine, q)
    return Band(lo, hi, coverage)
