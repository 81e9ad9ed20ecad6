"""Rolling-origin evaluation: every model forecasts each window from the calls before it.

Why this shape: a forecast is only worth what it does on calls it has not
seen.  Windows start at local midnight, ``train_days`` after the first call,
and step forward ``step_days`` at a time; each model gets
``calls.before(t0)`` (a slice: nothing of the window or after it) and is
scored on the window's calls by

- hit rate: the share of the window's calls in the flagged cells (the top
  ``area_frac`` of the grid's cells by forecast);
- PAI (predictive accuracy index, Chainey et al. 2008): hit rate / share of
  area flagged;
- PEI (predictive efficiency index, Hunt 2016): PAI / the best PAI any
  choice of that many cells could have had for that window.

Ties in a forecast at the cut are credited pro rata (as a random choice among
the tied cells would be on average), so no model gains by the order of cells.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import numpy.typing as npt

from console.heat.calls import CallSet
from console.heat.forecast.base import DAY_S, ForecastModel
from console.heat.grid import Grid
from console.heat.kde import bin_counts
from console.heat.localtime import local_midnight

F64 = npt.NDArray[np.float64]


@dataclass(frozen=True)
class Score:
    """One model on one window."""

    pai: float
    pei: float
    hit_rate: float


@dataclass
class WindowResult:
    """A scored window: its bounds, its calls and each model's score (and surface if kept)."""

    t0: float
    t1: float
    n_calls: int
    n_train: int
    scores: dict[str, Score]
    surfaces: dict[str, F64] = field(default_factory=dict)


@dataclass
class Evaluation:
    """All windows of a run and the summary the CLI prints."""

    grid: Grid
    flagged_cells: int
    windows: list[WindowResult]
    skipped_empty: int = 0

    def mean(self, model: str) -> Score:
        rows = [w.scores[model] for w in self.windows if model in w.scores]
        if not rows:
            return Score(math.nan, math.nan, math.nan)
        return Score(
            float(np.mean([r.pai for r in rows])),
            float(np.mean([r.pei for r in rows])),
            float(np.mean([r.hit_rate for r in rows])),
        )

    def summary(self) -> dict[str, Any]:
        """``{"windows": N, "models": {name: {"pai", "pei", "hit_rate"}}, "best": name, ...}``."""
        names = list(self.windows[0].scores) if self.windows else []
        models = {}
        for n in names:
            s = self.mean(n)
            models[n] = {
                "pai": round(s.pai, 4),
                "pei": round(s.pei, 4),
                "hit_rate": round(s.hit_rate, 4),
            }
        best = max(names, key=lambda n: models[n]["pai"]) if names else None
        return {
            "windows": len(self.windows),
            "models": models,
            "best": best,
            "cells": self.grid.size,
            "flagged_cells": self.flagged_cells,
            "cell_m": self.grid.cell_m,
            "calls_scored": int(sum(w.n_calls for w in self.windows)),
        }


def score(risk: F64, truth: F64, k: int) -> Score:
    """Hit rate, PAI and PEI of flagging the ``k`` highest-risk cells (ties pro rata)."""
    r = np.asarray(risk, dtype=np.float64).ravel()
    y = np.asarray(truth, dtype=np.float64).ravel()
    n = r.size
    total = float(y.sum())
    if not 0 < k <= n:
        raise ValueError(f"cells to flag must be 1..{n}, got {k}")
    if total <= 0:
        return Score(math.nan, math.nan, math.nan)
    if not np.all(np.isfinite(r)):
        raise ValueError("a forecast surface has non-finite values")
    cut = np.partition(r, n - k)[n - k]  # the k-th highest value
    above = r > cut
    tied = r == cut
    hits = float(y[above].sum()) + (k - int(above.sum())) / int(tied.sum()) * float(y[tied].sum())
    best = float(np.partition(y, n - k)[n - k :].sum())
    hit_rate = hits / total
    share = k / n
    pai = hit_rate / share
    pei = hits / best if best > 0 else math.nan
    return Score(pai, pei, hit_rate)


def window_starts(
    calls: CallSet, train_days: int, horizon_days: int, step_days: int
) -> list[tuple[float, float]]:
    """[t0, t1) windows at local midnight from ``train_days`` after the first call's day,
    every ``step_days``, each ending by the end of the last call's local day."""
    for name, v in (("train", train_days), ("horizon", horizon_days), ("step", step_days)):
        if v != int(v) or v <= 0:
            raise ValueError(f"{name} days must be a positive whole number, got {v}")
    if not len(calls):
        raise ValueError("no calls to evaluate")
    first, last = int(calls.day[0]), int(calls.day[-1])
    end = local_midnight(last + 1, calls.tz)
    out = []
    d = first + int(train_days)
    while (t1 := local_midnight(d + int(horizon_days), calls.tz)) <= end:
        out.append((local_midnight(d, calls.tz), t1))
        d += int(step_days)
    return out


def evaluate(
    calls: CallSet,
    grid: Grid,
    models: Sequence[ForecastModel],
    *,
    train_days: int = 28,
    horizon_days: int = 7,
    step_days: int = 7,
    area_frac: float = 0.01,
    progress: Callable[[str], None] | None = None,
    keep_surfaces: bool = False,
) -> Evaluation:
    """Score every model on every window; see the module docstring."""
    if not 0 < area_frac <= 1:
        raise ValueError(f"area fraction must be in (0, 1], got {area_frac}")
    names = [m.name for m in models]
    if len(set(names)) != len(names):
        raise ValueError(f"model names must differ, got {names}")
    spans = window_starts(calls, train_days, horizon_days, step_days)
    if not spans:
        days = (calls.t[-1] - calls.t[0]) / DAY_S
        raise ValueError(
            f"the calls span {days:.1f} days: too short for --train-days {train_days:g} "
            f"and --horizon-days {horizon_days:g}"
        )
    k = max(1, round(area_frac * grid.size))
    result = Evaluation(grid, k, [])
    for i, (t0, t1) in enumerate(spans):
        past = calls.before(t0)
        inside = calls.between(t0, t1)
        if not len(inside):
            result.skipped_empty += 1
            continue
        truth = bin_counts(grid, inside.x, inside.y)
        wr = WindowResult(t0, t1, len(inside), len(past), {})
        for m in models:
            surface = m.predict(past, grid, t0, t1)
            if surface.shape != grid.shape:
                raise ValueError(f"model {m.name} returned shape {surface.shape}, not {grid.shape}")
            wr.scores[m.name] = score(surface, truth, k)
            if keep_surfaces:
                wr.surfaces[m.name] = surface
        result.windows.append(wr)
        if progress is not None:
            parts = ", ".join(f"{n} PAI {s.pai:.2f}" for n, s in wr.scores.items())
            progress(f"window {i + 1}/{len(spans)}: {len(inside)} calls, {parts}")
    return result
