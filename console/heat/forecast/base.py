"""What a forecast model is: expected calls per cell in a future window, from past calls only.

Why this narrow shape: the evaluation, the hub and the patrol focus all need
the same thing, a surface of expected calls in [t0, t1) on a grid, and a
model that only ever receives ``calls.before(t0)`` cannot look ahead.  Models
may keep state between calls (a warm start for the next, later window); the
state is built from earlier data only, since windows only move forward.
"""

from __future__ import annotations

from typing import Protocol

import numpy as np
import numpy.typing as npt

from console.heat.calls import CallSet
from console.heat.grid import Grid

F64 = npt.NDArray[np.float64]
DAY_S = 86400.0
WEEK_S = 7 * DAY_S


class ForecastModel(Protocol):
    """A named forecast: ``predict`` gets only calls before ``t0``."""

    name: str

    def predict(self, past: CallSet, grid: Grid, t0: float, t1: float) -> F64:
        """Expected calls per cell in [t0, t1), shape ``grid.shape``."""
        ...


def check_past(past: CallSet, t0: float, t1: float) -> None:
    """Refuse a window that ends before it starts or training data that reaches into it."""
    if not t1 > t0:
        raise ValueError(f"forecast window must end after it starts ({t0} .. {t1})")
    if len(past) and past.t[-1] >= t0:
        raise ValueError("training calls must all be before the forecast window")


def recent_rate(past: CallSet, t0: float, span_s: float = 4 * WEEK_S) -> float:
    """Calls per second over the last ``span_s`` before ``t0`` (shorter if the data is)."""
    if not len(past):
        return 0.0
    start = max(float(past.t[0]), t0 - span_s)
    n = int(np.count_nonzero(past.t >= start))
    # a file of dates puts a day's calls at its midnight: count whole days
    span = max(t0 - start, past.resolution_s, 1.0)
    return n / span


def scaled(surface: F64, total: float) -> F64:
    """``surface`` rescaled to sum to ``total`` (zeros stay zeros; an empty surface stays 0)."""
    s = float(surface.sum())
    if s <= 0:
        return np.zeros_like(surface)
    return surface * (total / s)
