"""Measured accuracy on any count file: a forecast issued every day, scored when it is due.

For each day in [from, to) a forecast is issued at the local ``issue_hour`` (00:00)
for the next ``horizon`` hours, for every series, by every model, each seeing only
the counts before the issue (:class:`Known` blanks the rest).  WAPE is the sum of
absolute errors over the sum of actual counts, MAE the mean absolute error, both
over the hours that have an actual count *and* a forecast from every model, so every
model is scored on the same hours.  Days run in blocks of ``refit_days``: a model
that needs fitting is fitted at the start of its block (on counts before it) and
serves the block's issues, each with features computed from the counts before it;
blocks are independent, so they run in parallel processes with the same result.
"""

from __future__ import annotations

import datetime as dt
import sys
import time
from collections.abc import Callable, Sequence
from concurrent.futures import ProcessPoolExecutor, as_completed
from dataclasses import dataclass, field
from multiprocessing import get_context

import numpy as np
import numpy.typing as npt

from console.crowd.band import residual_band
from console.crowd.context import Known, day_table_for
from console.crowd.daytypes import DayTable, PlaceCalendar
from console.crowd.errors import CrowdError
from console.crowd.gbm import GradientBoosting
from console.crowd.localtime import HourGrid
from console.crowd.models import Forecaster, SeasonalNaiveWeek, WeeklyProfile
from console.crowd.series import Panel

F64 = npt.NDArray[np.float64]
BASELINE = "seasonal_naive_week"
MODEL_NAMES = (BASELINE, "weekly_profile", "gradient_boosting")


def make_models(names: Sequence[str], refit_days: int = 1) -> list[Forecaster]:
    """Fresh model objects by name (the baseline always first)."""
    made: dict[str, Forecaster] = {}
    for name in [BASELINE, *names]:
        if name in made:
            continue
        if name == BASELINE:
            made[name] = SeasonalNaiveWeek()
        elif name == "weekly_profile":
            made[name] = WeeklyProfile()
        elif name == "gradient_boosting":
            made[name] = GradientBoosting(refit_days=refit_days)
        else:
            raise CrowdError(f"unknown model {name!r}: choose from {', '.join(MODEL_NAMES)}")
    return list(made.values())


@dataclass
class Tally:
    """Running sums for one model."""

    abs_err: float = 0.0
    actual: float = 0.0
    hours: int = 0
    inside: int = 0  # actuals inside the 80 % band

    def add(self, other: Tally) -> None:
        self.abs_err += other.abs_err
        self.actual += other.actual
        self.hours += other.hours
        self.inside += other.inside


@dataclass
class BlockResult:
    """Sums from one block of issue days."""

    tallies: dict[str, Tally]
    forecasts: int = 0
    issues: int = 0
    seconds: dict[str, float] = field(default_factory=dict)


def issue_index(grid: HourGrid, day: dt.date, hour: int) -> int | None:
    """Bucket of local ``hour`` on ``day`` (the next existing hour if the clocks skip it)."""
    for h in range(hour, 24):
        idx = int(grid.lookup(np.array([day.toordinal()]), np.array([h]))[0])
        if idx >= 0:
            return idx
    return None


def evaluate_block(
    panel: Panel,
    days: DayTable,
    issue_days: Sequence[dt.date],
    horizon: int,
    model_names: Sequence[str],
    issue_hour: int = 0,
    refit_days: int = 7,
) -> BlockResult:
    """Issue, forecast and score every day of one block (models fitted at its start)."""
    try:
        from threadpoolctl import threadpool_limits

        limit = threadpool_limits(1)  # one thread per process: busy machines punish spinning
    except ImportError:  # pragma: no cover - comes with scikit-learn
        limit = None
    models = make_models(model_names, refit_days)
    result = BlockResult({m.name: Tally() for m in models})
    for day in issue_days:
        issue = issue_index(panel.grid, day, issue_hour)
        if issue is None or issue + horizon > panel.grid.n:
            continue
        known = Known(panel, issue, days)
        actual = panel.y[:, issue : issue + horizon]
        preds: dict[str, F64] = {}
        for m in models:
            t = time.perf_counter()
            preds[m.name] = m.forecast(known, horizon)
            result.seconds[m.name] = result.seconds.get(m.name, 0.0) + time.perf_counter() - t
        band = residual_band(known, horizon)
        ok = ~np.isnan(actual)
        for p in preds.values():
            ok &= ~np.isnan(p)
        result.issues += 1
        result.forecasts += int(ok.any(axis=1).sum())
        for name, p in preds.items():
            lower, upper = band.apply(np.nan_to_num(p))
            tally = result.tallies[name]
            tally.abs_err += float(np.abs(p - actual)[ok].sum())
            tally.actual += float(actual[ok].sum())
            tally.hours += int(ok.sum())
            tally.inside += int(((actual >= lower) & (actual <= upper))[ok].sum())
    if limit is not None:
        limit.unregister()
    return result


def evaluate(
    panel: Panel,
    calendar: PlaceCalendar,
    start: dt.date,
    stop: dt.date,
    horizon: int = 24,
    model_names: Sequence[str] = MODEL_NAMES,
    issue_hour: int = 0,
    refit_days: int = 7,
    jobs: int = 1,
    progress: Callable[[str], None] | None = None,
) -> dict[str, object]:
    """Backtest every model over issue days [start, stop); the result as the CLI prints it."""
    if stop <= start:
        raise CrowdError(f"--to {stop} must be after --from {start}")
    if not 1 <= horizon <= 24 * 7:
        raise CrowdError(f"horizon {horizon} h: give 1 to 168 hours")
    if refit_days < 1:
        raise CrowdError("refit days must be at least 1")
    first_day = dt.date.fromordinal(int(panel.grid.day[0]))
    last_day = dt.date.fromordinal(int(panel.grid.day[-1]))
    if start <= first_day or start > last_day:
        raise CrowdError(
            f"--from {start} is outside the counts ({first_day} to {last_day}): the "
            "models need counts before the first issue"
        )
    make_models(model_names)  # unknown names fail before any work
    t0 = time.perf_counter()
    days = day_table_for(panel.grid, calendar)
    all_days = [start + dt.timedelta(days=i) for i in range((stop - start).days)]
    blocks = [all_days[i : i + refit_days] for i in range(0, len(all_days), refit_days)]
    total = BlockResult({})
    say = progress or (lambda _msg: None)

    def merge(res: BlockResult, k: int) -> None:
        for name, tally in res.tallies.items():
            total.tallies.setdefault(name, Tally()).add(tally)
        total.forecasts += res.forecasts
        total.issues += res.issues
        for name, sec in res.seconds.items():
            total.seconds[name] = total.seconds.get(name, 0.0) + sec
        say(
            f"block {k}/{len(blocks)} done: {total.issues} issues, {time.perf_counter() - t0:.0f} s"
        )

    args = (horizon, list(model_names), issue_hour, refit_days)
    if jobs <= 1 or len(blocks) == 1:
        for k, block in enumerate(blocks, 1):
            merge(evaluate_block(panel, days, block, *args), k)
    else:
        ctx = get_context("spawn")  # no fork of a process whose thread pools are running
        with ProcessPoolExecutor(max_workers=min(jobs, len(blocks)), mp_context=ctx) as pool:
            futures = [pool.submit(evaluate_block, panel, days, b, *args) for b in blocks]
            for k, fut in enumerate(as_completed(futures), 1):
                merge(fut.result(), k)
    return _report(total, time.perf_counter() - t0)


def _report(total: BlockResult, seconds: float) -> dict[str, object]:
    models: dict[str, dict[str, float | int | None]] = {}
    for name, t in total.tallies.items():
        models[name] = {
            "wape": round(t.abs_err / t.actual, 4) if t.actual > 0 else None,
            "mae": round(t.abs_err / t.hours, 2) if t.hours else None,
            "band80_coverage": round(t.inside / t.hours, 3) if t.hours else None,
            "hours": t.hours,
            "fit_predict_s": round(total.seconds.get(name, 0.0), 1),
        }
    scored = {n: m["wape"] for n, m in models.items() if m["wape"] is not None}
    best = min(scored, key=lambda n: float(scored[n] or 0.0)) if scored else None
    base = scored.get(BASELINE)
    ratio = (
        round(float(scored[best] or 0.0) / float(base), 3) if best is not None and base else None
    )
    return {
        "forecasts": total.forecasts,
        "issues": total.issues,
        "models": models,
        "best": best,
        "best_vs_baseline": ratio,
        "seconds": round(seconds, 1),
    }


def _stderr(msg: str) -> None:
    print(msg, file=sys.stderr, flush=True)
