"""The blend: long-term densities at several scales, the recent weeks and a near-repeat term,
mixed with weights fitted on the weeks just before the forecast.

Why: real call maps are a few sharp, stable places (a station square, a
nightlife street) over a smoother field, plus short flare-ups where calls
repeat for a few days.  No single bandwidth or time span serves all three,
and which matters most differs by city and by incident type.  So each
component is a spatial distribution (summing to 1) built from calls before
a moment, and the forecast is sum_k w_k F_k.  The weights are the Poisson
maximum-likelihood non-negative mixture (multiplicative EM updates) over the
last ``fit_weeks`` weeks: for each of those weeks the components are built
from the calls before it and scored on its calls.  Everything it uses is
before the forecast start.  The likelihood is counted on the cells that could be
flagged (the top ``focus_frac`` by long-term density): ranking among hot cells is
what a patrol plan needs, and broad components otherwise win weight for the
quiet rest of the map.

Components: calls per cell of all history (no smoothing), all history at
0.5, 1.5 and 4 cells, the last 28 days at 0.5 cells, the last 7 days at 1
cell, a near-repeat term (each call weighted exp(-age / 1.5 days), 0.5 cells;
the self-exciting part of an ETAS model in kernel form) and a uniform floor.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

import numpy as np

from console.heat.calls import CallSet
from console.heat.forecast.base import DAY_S, F64, WEEK_S, check_past
from console.heat.grid import Grid
from console.heat.kde import bin_counts, smooth

COMPONENTS = (
    "cells_all",
    "kde_all_0.5",
    "kde_all_1.5",
    "kde_all_4",
    "kde_28d_0.5",
    "kde_7d_1",
    "near_repeat",
    "uniform",
)
NEAR_REPEAT_DAYS = 1.5


def _unit(surface: F64) -> F64:
    s = float(surface.sum())
    return surface / s if s > 0 else np.zeros_like(surface)


def components(past: CallSet, grid: Grid, t0: float, hours: Iterable[int] | None = None) -> F64:
    """The component surfaces at ``t0``, shape (len(COMPONENTS), ny, nx), each summing to 1
    (or 0 when it has no calls).  ``hours``: build the long-term ones from those local hours."""
    lt = past if hours is None else past.take(past.mask(hours=hours))
    all_counts = bin_counts(grid, lt.x, lt.y)
    r28 = lt.between(t0 - 28 * DAY_S, t0)
    r7 = past.between(t0 - 7 * DAY_S, t0)
    nr = past.between(t0 - 10 * NEAR_REPEAT_DAYS * DAY_S, t0)
    # a file of dates puts each call at midnight: age counts from the middle of its day
    age = (t0 - nr.t - past.resolution_s / 2.0 * (past.resolution_s >= DAY_S)) / DAY_S
    out = np.empty((len(COMPONENTS), *grid.shape))
    out[0] = _unit(all_counts)
    out[1] = _unit(smooth(all_counts, 0.5))
    out[2] = _unit(smooth(all_counts, 1.5))
    out[3] = _unit(smooth(all_counts, 4.0))
    out[4] = _unit(smooth(bin_counts(grid, r28.x, r28.y), 0.5))
    out[5] = _unit(smooth(bin_counts(grid, r7.x, r7.y), 1.0))
    out[6] = _unit(
        smooth(bin_counts(grid, nr.x, nr.y, np.exp(-np.maximum(age, 0) / NEAR_REPEAT_DAYS)), 0.5)
    )
    out[7] = np.full(grid.shape, 1.0 / grid.size)
    return out


def fit_mixture(
    comps: list[F64],
    targets: list[F64],
    w0: F64 | None = None,
    iters: int = 300,
    focus_frac: float = 1.0,
) -> F64:
    """Non-negative weights maximising the Poisson log-likelihood of ``targets`` under
    sum_k w_k comps[m][k] (each component sums to 1 or 0), counted on the ``focus_frac``
    share of cells ranked highest by the 1.5-cell long-term component."""
    k = comps[0].shape[0]
    ref = COMPONENTS.index("kde_all_1.5")
    rows, ys, mass = [], [], np.zeros(k)
    for f, y in zip(comps, targets, strict=True):
        flat = f.reshape(k, -1)
        yv = y.ravel()
        keep = yv > 0
        if focus_frac < 1.0:
            n_focus = max(1, round(focus_frac * yv.size))
            focus = np.zeros(yv.size, dtype=bool)
            focus[np.argsort(-flat[ref], kind="stable")[:n_focus]] = True
            keep &= focus
            mass += flat[:, focus].sum(axis=1)
        else:
            mass += flat.sum(axis=1)
        hit = np.flatnonzero(keep)
        rows.append(flat[:, hit])
        ys.append(yv[hit])
    big_f = np.concatenate(rows, axis=1)
    yv = np.concatenate(ys)
    total = float(yv.sum())
    if total <= 0:
        return np.zeros(k)
    live = mass > 0
    w = np.where(live, total / max(mass[live].sum(), 1e-12), 0.0) if w0 is None else w0.copy()
    w = np.where(live, np.maximum(w, 1e-6 * total / k), 0.0)
    for _ in range(iters):
        lam = w @ big_f
        ratio = yv / np.maximum(lam, 1e-300)
        new = np.where(live, w * (big_f @ ratio) / np.where(live, mass, 1.0), 0.0)
        if np.allclose(new, w, rtol=1e-5, atol=1e-9 * total):
            w = new
            break
        w = new
    return w


@dataclass
class Blend:
    """Stacked kernel densities + near-repeat, weights fitted on the weeks before each forecast."""

    fit_weeks: int = 3
    focus_frac: float = 0.05
    name: str = "blend"
    weights: F64 | None = field(default=None, repr=False)

    def fit(self, past: CallSet, grid: Grid, t0: float) -> F64:
        """Weights (expected calls per week of each component) from the weeks before ``t0``."""
        comps, targets = [], []
        for j in range(1, self.fit_weeks + 1):
            a, b = t0 - j * WEEK_S, t0 - (j - 1) * WEEK_S
            before = past.before(a)
            if len(before) < 2 or (len(past) and past.t[0] > a - WEEK_S):
                break  # less than a week of history before this pseudo-window
            inside = past.between(a, b)
            comps.append(components(before, grid, a))
            targets.append(bin_counts(grid, inside.x, inside.y))
        if not comps:  # too little history: the plain density of what there is
            w = np.zeros(len(COMPONENTS))
            w[COMPONENTS.index("kde_all_0.5")] = (
                len(past) * WEEK_S / max(t0 - float(past.t[0]) if len(past) else 0.0, DAY_S)
            )
            self.weights = w
            return w
        w = fit_mixture(comps, targets, self.weights, focus_frac=self.focus_frac)
        # the mixture's shape comes from the focus cells; its level from every call of the weeks
        weekly = float(np.mean([y.sum() for y in targets]))
        w = w * (weekly / w.sum()) if w.sum() > 0 else w
        self.weights = w
        return w

    def predict(self, past: CallSet, grid: Grid, t0: float, t1: float) -> F64:
        check_past(past, t0, t1)
        self.fit(past, grid, t0)
        return self.surface(past, grid, t0, t1)

    def surface(
        self,
        past: CallSet,
        grid: Grid,
        t0: float,
        t1: float,
        hours: Iterable[int] | None = None,
    ) -> F64:
        """Expected calls in [t0, t1) with the fitted weights; ``hours``: long-term components
        from past calls in those local hours only (a shift's own geography)."""
        if self.weights is None:
            raise ValueError("the blend has no weights yet: call fit() first")
        comps = components(past, grid, t0, hours)
        surface = np.tensordot(self.weights, comps, axes=1)
        return np.asarray(surface * ((t1 - t0) / WEEK_S), dtype=np.float64)
