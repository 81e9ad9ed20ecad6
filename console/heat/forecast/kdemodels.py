"""Kernel-density forecasts: the fixed baseline and Bowers-Johnson-Pease prospective hot-spotting.

Why both: the baseline (a Gaussian KDE of a fixed number of recent days) is
the yardstick every other model is compared with across files; prospective
hot-spotting (Bowers, Johnson and Pease 2004, "Prospective hot-spotting",
Brit. J. Criminol. 44: 641-658; as in open_cp's ``ProspectiveHotSpot``) is
the classic published step beyond it: each past call weighs
1/(1 + weeks ago) x 1/(1 + cells away) within 8 weeks and 400 m.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from scipy import ndimage

from console.heat.calls import CallSet
from console.heat.forecast.base import DAY_S, F64, WEEK_S, check_past, recent_rate, scaled
from console.heat.grid import Grid
from console.heat.kde import bin_counts, smooth


@dataclass
class BaselineKDE:
    """Gaussian KDE, bandwidth ``bandwidth_cells`` cells, of the ``train_days`` days before t0."""

    train_days: float = 28.0
    bandwidth_cells: float = 2.0
    name: str = "baseline"

    def predict(self, past: CallSet, grid: Grid, t0: float, t1: float) -> F64:
        check_past(past, t0, t1)
        recent = past.between(t0 - self.train_days * DAY_S, t0)
        surface = smooth(bin_counts(grid, recent.x, recent.y), self.bandwidth_cells)
        return scaled(surface, len(recent) * (t1 - t0) / (self.train_days * DAY_S))


@dataclass
class ProspectiveHotSpot:
    """Bowers et al. (2004): weights 1/(1+w) per whole week w ago (w < ``weeks``) times
    1/(1+d) per cell d away (Chebyshev distance, d < ``space_m`` / cell)."""

    weeks: int = 8
    space_m: float = 400.0
    name: str = "prospective"

    def predict(self, past: CallSet, grid: Grid, t0: float, t1: float) -> F64:
        check_past(past, t0, t1)
        recent = past.between(t0 - self.weeks * WEEK_S, t0)
        w_ago = np.floor((t0 - recent.t) / WEEK_S)
        weighted = bin_counts(grid, recent.x, recent.y, 1.0 / (1.0 + w_ago))
        reach = self.space_m / grid.cell_m
        r = max(0, math.ceil(reach) - 1)  # cells d with d < reach
        d = np.arange(-r, r + 1)
        dist = np.maximum(np.abs(d)[:, None], np.abs(d)[None, :])
        kernel = 1.0 / (1.0 + dist)
        surface = ndimage.correlate(weighted, kernel, mode="constant", cval=0.0)
        return scaled(surface, recent_rate(past, t0) * (t1 - t0))
