"""Gradient boosting over calendar features and recent wall-clock lags, one model for all
series of a zone.

Why one global model: a holiday, the Christmas weeks or a rainy Sunday change every
place in much the same proportion, and a single place has only a handful of each.
The model learns a *correction* to the weekly profile (:meth:`Known.profile`): its
target is the count divided by that base, its features the calendar (hour, weekday,
day kind with make-up days, distance to holidays, day of year), the lead time, the
last four weeks' same wall hour, how far the place ran above or below its profile in
the last day and week, and the last count before the issue -- all relative, so the
busy Bund and a quiet lane teach the same shapes.  Rows are drawn in proportion to
their base, so the loss is the absolute error in people, which is what WAPE scores.
Fitted on what was known before the issue; refitted every ``refit_days``.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt
from sklearn.ensemble import HistGradientBoostingRegressor
from threadpoolctl import threadpool_limits

from console.crowd.context import Known
from console.crowd.localtime import HourGrid

F64 = npt.NDArray[np.float64]
I64 = npt.NDArray[np.int64]

LEVEL_DAYS = 28
MAX_RATIO = 8.0  # a count over eight times its base is an event, not a pattern to learn
FEATURES = (
    "hour",
    "weekday",
    "kind",
    "day_of_year",
    "to_holiday",
    "since_holiday",
    "lead",
    "lag1w",
    "lag2w",
    "lag3w",
    "lag4w",
    "kind1w",
    "base",
    "week_trend",
    "last",
    "last_ratio",
    "recent_ratio",
    "week_ratio",
)
CATEGORICAL = ("weekday", "kind")


def issue_buckets(grid: HourGrid, start: int, stop: int, hour: int = 0) -> I64:
    """Buckets in [start, stop) that begin local hour ``hour`` of their day (first one on a
    day the clocks repeat it; none on a day the clocks skip it)."""
    days = np.unique(grid.day[max(start, 0) : max(min(stop, grid.n), 0)])
    idx = grid.lookup(days, np.full(days.size, hour))
    return idx[(idx >= start) & (idx < stop)]


class _Levels:
    """Mean count of each series over the LEVEL_DAYS days before each issue (NaN-aware)."""

    def __init__(self, known: Known) -> None:
        y = known.panel.y[:, : known.issue]
        have = ~np.isnan(y)
        zero = np.zeros((y.shape[0], 1))
        self.sum = np.hstack([zero, np.cumsum(np.where(have, y, 0.0), axis=1)])
        self.num = np.hstack([zero, np.cumsum(have, axis=1)])

    def window(self, s: I64, start: I64, stop: I64) -> F64:
        """Mean over buckets [start, stop) (clipped to what is known); NaN if empty."""
        hi = np.clip(stop, 0, self.sum.shape[1] - 1)
        lo = np.clip(start, 0, self.sum.shape[1] - 1)
        total = self.sum[s, hi] - self.sum[s, lo]
        num = self.num[s, hi] - self.num[s, lo]
        with np.errstate(invalid="ignore", divide="ignore"):
            return np.where(num > 0, total / np.maximum(num, 1), np.nan)


def _ratio_before(known: Known, s: I64, issue: I64, hours: int) -> F64:
    """Counts over the profile in the ``hours`` before each issue: how far the place has
    lately run above (> 1) or below its usual days (school holidays, a festive season)."""
    key = s * (known.grid.n + 1) + issue  # one (series, issue) pair per key
    first, inverse = np.unique(key, return_index=True, return_inverse=True)[1:]
    ps = np.repeat(s[first], hours)
    pi = np.repeat(issue[first], hours)
    pj = pi - np.tile(np.arange(1, hours + 1, dtype=np.int64), first.size)
    prof = known.profile(ps, np.maximum(pj, 0), pi).reshape(-1, hours)
    seen = known.values(ps, pj, pi).reshape(-1, hours)
    both = np.isfinite(prof) & np.isfinite(seen)
    num = np.where(both, seen, 0.0).sum(axis=1)
    den = np.where(both, prof, 0.0).sum(axis=1)
    with np.errstate(invalid="ignore", divide="ignore"):
        ratio = np.where(both.sum(axis=1) >= hours // 2, (num + 1.0) / (den + 1.0), np.nan)
    return ratio[inverse.ravel()]


def features(known: Known, s: I64, issue: I64, j: I64, levels: _Levels) -> tuple[F64, F64, F64]:
    """Feature matrix for rows (series, issue bucket, target bucket), each row's level and
    its base: the weekly profile (the same hour a week ago where there is none), plus a
    small share of the level so a quiet hour is never a zero base."""
    grid = known.grid
    span = 24 * LEVEL_DAYS
    level = levels.window(s, issue - span, issue)
    scale = np.where(np.isfinite(level) & (level > 0), np.maximum(level, 1.0), np.nan)
    row = known.day_row(j)
    cols: dict[str, F64] = {
        "hour": grid.hour[j].astype(float),
        "weekday": known.days.weekday[row].astype(float),
        "kind": known.days.kind[row].astype(float),
        "day_of_year": known.days.day_of_year[row].astype(float),
        "to_holiday": known.days.to_holiday[row].astype(float),
        "since_holiday": known.days.since_holiday[row].astype(float),
        "lead": (j - issue).astype(float),
    }
    lag1 = known.values(s, grid.days_back(j, 7), issue)
    prof = known.profile(s, j, issue)
    base = np.where(np.isfinite(prof), prof, lag1) + 0.05 * scale
    for w in range(1, 5):
        lag = lag1 if w == 1 else known.values(s, grid.days_back(j, 7 * w), issue)
        cols[f"lag{w}w"] = lag / base
    back = grid.days_back(j, 7)
    cols["kind1w"] = np.where(back >= 0, known.kind(np.maximum(back, 0)), -1).astype(float)
    cols["base"] = base / scale
    recent = levels.window(s, issue - 168, issue)
    before = levels.window(s, issue - 336, issue - 168)
    with np.errstate(invalid="ignore", divide="ignore"):
        cols["week_trend"] = recent / before
        last_i = issue - 1
        last = known.values(s, last_i, issue)
        last_then = known.values(s, grid.days_back(np.maximum(last_i, 0), 7), issue)
        cols["last"] = last / scale
        cols["last_ratio"] = (last + 1.0) / (last_then + 1.0)
    cols["recent_ratio"] = _ratio_before(known, s, issue, 24)
    cols["week_ratio"] = _ratio_before(known, s, issue, 168)
    x = np.column_stack([cols[name] for name in FEATURES])
    return x, scale, base


class GradientBoosting:
    """scikit-learn's histogram gradient boosting (absolute error) on :data:`FEATURES`."""

    name = "gradient_boosting"

    def __init__(
        self,
        train_days: int = 364,
        max_rows: int = 250_000,
        max_iter: int = 100,
        learning_rate: float = 0.15,
        refit_days: int = 1,
        issue_hours: str = "same",
        threads: int = 1,
        seed: int = 0,
    ) -> None:
        self.threads = threads  # OpenMP threads spin-wait: on a busy 2-core box one is faster
        if issue_hours not in ("same", "all"):
            raise ValueError("issue_hours: same | all")
        self.issue_hours = issue_hours
        self.train_days = train_days
        self.refit_days = refit_days
        self._fitted: (
            tuple[tuple[str, int, int, int], float, HistGradientBoostingRegressor] | None
        ) = None
        self.max_rows = max_rows
        self.max_iter = max_iter
        self.learning_rate = learning_rate
        self.seed = seed

    def _model(self) -> HistGradientBoostingRegressor:
        return HistGradientBoostingRegressor(
            loss="absolute_error",
            learning_rate=self.learning_rate,
            max_iter=self.max_iter,
            max_leaf_nodes=31,
            min_samples_leaf=50,
            categorical_features=[FEATURES.index(c) for c in CATEGORICAL],
            early_stopping=False,
            random_state=self.seed,
        )

    def training_rows(self, known: Known, horizon: int) -> tuple[I64, I64, I64]:
        """(series, issue, target) of past forecasts whose targets were known: issued at
        the same local hour as this one (``same``, as the daily evaluation issues) or at
        any hour (``all``, a live forecast re-issued every hour), for the same horizon."""
        grid = known.grid
        hour = int(grid.hour[known.issue]) if known.issue < grid.n else 0
        first = known.issue - 24 * self.train_days
        if self.issue_hours == "all":
            rng = np.random.default_rng(self.seed)
            lo = max(first, 0)
            n = min(self.max_rows, 4 * known.n_series * (known.issue - lo))
            if known.issue - lo <= 1:
                return (np.empty(0, dtype=np.int64),) * 3
            s = rng.integers(0, known.n_series, n)
            iss = rng.integers(lo, known.issue, n)
            j = iss + rng.integers(0, horizon, n)
            keep = j < known.issue
            return s[keep], iss[keep], j[keep]
        issues = issue_buckets(grid, first, known.issue - horizon + 1, hour)
        lead = np.arange(horizon, dtype=np.int64)
        n_s = known.n_series
        s = np.repeat(np.arange(n_s, dtype=np.int64), issues.size * horizon)
        iss = np.tile(np.repeat(issues, horizon), n_s)
        j = iss + np.tile(lead, issues.size * n_s)
        keep = j < known.issue
        s, iss, j = s[keep], iss[keep], j[keep]
        if s.size > self.max_rows:
            pick = np.random.default_rng(self.seed).choice(s.size, self.max_rows, replace=False)
            pick.sort()
            s, iss, j = s[pick], iss[pick], j[pick]
        return s, iss, j

    def fit(self, known: Known, horizon: int) -> HistGradientBoostingRegressor | None:
        """A model fitted on the forecasts one could have checked before ``known.issue``;
        None while there are too few of them."""
        levels = _Levels(known)
        s, iss, j = self.training_rows(known, horizon)
        if s.size == 0:
            return None
        x, _scale, base = features(known, s, iss, j, levels)
        y = known.values(s, j) / base  # targets: anything before this issue
        ok = np.isfinite(y) & np.isfinite(base)
        if ok.sum() < 200:  # too little history to learn anything
            return None
        # rows drawn in proportion to their base instead of weighted: the same expected
        # loss (absolute error in people), but scikit-learn's weighted binning and leaf
        # medians cost 15 times the time of plain ones
        x, y, w = x[ok], np.minimum(y[ok], MAX_RATIO), base[ok]
        pick = np.random.default_rng(self.seed).choice(w.size, w.size, p=w / w.sum())
        model = self._model()
        with threadpool_limits(self.threads, user_api="openmp"):
            model.fit(x[pick], y[pick])
        return model

    def _model_for(self, known: Known, horizon: int) -> HistGradientBoostingRegressor | None:
        """The fitted model, refitted when ``refit_days`` have passed since the last fit (the
        model in use was always fitted on counts before the issue it serves)."""
        hour = int(known.grid.hour[known.issue]) if known.issue < known.grid.n else 0
        key = (
            known.grid.tz,
            known.n_series,
            horizon,
            hour if self.issue_hours == "same" else -1,
        )
        at = float(known.grid.time(known.issue))
        if self._fitted is not None:
            fkey, fitted_at, model = self._fitted
            if fkey == key and 0 <= at - fitted_at < 86400 * self.refit_days:
                return model
        fitted = self.fit(known, horizon)
        self._fitted = None if fitted is None else (key, at, fitted)
        return fitted

    def forecast(self, known: Known, horizon: int) -> F64:
        out = np.full((known.n_series, horizon), np.nan)
        model = self._model_for(known, horizon)
        if model is None:
            return out
        levels = _Levels(known)
        ts = np.repeat(np.arange(known.n_series, dtype=np.int64), horizon)
        tj = np.tile(known.issue + np.arange(horizon, dtype=np.int64), known.n_series)
        inside = tj < known.grid.n
        ti = np.full(ts.size, known.issue, dtype=np.int64)
        xt, _tscale, tbase = features(known, ts[inside], ti[inside], tj[inside], levels)
        pred = np.full(ts.size, np.nan)
        with threadpool_limits(self.threads, user_api="openmp"):
            pred[inside] = np.maximum(model.predict(xt), 0.0) * tbase
        return pred.reshape(known.n_series, horizon)
