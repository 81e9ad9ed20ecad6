"""The forecast as the console shows it: a risk surface, its hour-by-hour (or day-by-day)
totals and the ranked cells, for the next shift, the next 24 hours or the next 7 days.

Why split "where" from "how many": where calls fall is stable and is what
the spatial models learn (for a shift, from past calls in the same local
hours); how many arrive in each coming hour is the hour-of-week rhythm of the
last weeks.  The surface is the model's shape scaled to the rhythm's total,
so the layer and the hourly chart agree.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt

from console.heat.calls import CallSet
from console.heat.forecast import Blend, make_models
from console.heat.forecast.base import F64, check_past
from console.heat.forecast.rhythm import HOUR_S, fit_rhythm
from console.heat.grid import Grid
from console.heat.localtime import local_fields

BoolArr = npt.NDArray[np.bool_]


@dataclass(frozen=True)
class RankedCell:
    """One forecast cell: rank (1 = most calls expected), centre, expected calls."""

    rank: int
    cell: int
    lon: float
    lat: float
    expected: float


@dataclass(frozen=True, eq=False)
class Forecast:
    """Expected calls per cell in [t0, t1) and district totals per step (hour or day)."""

    grid: Grid
    t0: float
    t1: float
    model: str
    expected: F64  # (ny, nx)
    step_s: float
    step_starts: F64
    step_totals: F64

    @property
    def total(self) -> float:
        return float(self.expected.sum())

    def ranked_cells(self, n: int = 20, mask: BoolArr | None = None) -> list[RankedCell]:
        """The ``n`` cells with most expected calls (inside ``mask`` if given)."""
        e = self.expected.ravel()
        if mask is not None:
            e = np.where(mask.ravel(), e, -np.inf)
        order = np.argsort(-e, kind="stable")[: max(0, n)]
        out = []
        for i, c in enumerate(order):
            if not np.isfinite(e[c]) or e[c] <= 0:
                break
            lon, lat = self.grid.cell_lonlat(int(c))
            out.append(RankedCell(i + 1, int(c), lon, lat, float(e[c])))
        return out

    def step_surface(self, i: int) -> F64:
        """Expected calls per cell in step ``i`` (the surface's shape, the step's share)."""
        tot = float(self.step_totals.sum())
        if not 0 <= i < self.step_totals.size:
            raise IndexError(f"step {i} outside 0..{self.step_totals.size - 1}")
        return self.expected * (float(self.step_totals[i]) / tot if tot > 0 else 0.0)

    def to_wire(self, top: int = 50) -> dict[str, Any]:
        """Hub reply form: the surface as float32 bytes, steps, ranked cells."""
        return {
            "t0": self.t0,
            "t1": self.t1,
            "model": self.model,
            "shape": [self.grid.ny, self.grid.nx],
            "bbox": list(self.grid.bbox),
            "cell_m": self.grid.cell_m,
            "expected": self.expected.astype(np.float32).tobytes(),
            "total": self.total,
            "step_s": self.step_s,
            "step_starts": [float(v) for v in self.step_starts],
            "step_totals": [float(v) for v in self.step_totals],
            "ranked": [
                {"rank": r.rank, "lon": r.lon, "lat": r.lat, "expected": r.expected}
                for r in self.ranked_cells(top)
            ],
        }


def local_hours_between(t0: float, t1: float, tz: str) -> list[int] | None:
    """The local hours of day [t0, t1) touches, or None when it spans a whole day or more."""
    if t1 - t0 >= 24 * HOUR_S:
        return None
    n = int(np.ceil((t1 - t0) / HOUR_S))
    starts = np.asarray(t0 + np.arange(n) * HOUR_S, dtype=np.float64)
    return sorted({int(h) for h in local_fields(starts, tz).hour})


def make_forecast(
    calls: CallSet,
    grid: Grid,
    t0: float,
    t1: float,
    model: str = "blend",
    step_s: float = HOUR_S,
) -> Forecast:
    """Forecast [t0, t1) from ``calls.before(t0)`` only (see the module docstring)."""
    if step_s not in (HOUR_S, 24 * HOUR_S):
        raise ValueError(f"forecast step must be an hour or a day, got {step_s} s")
    past = calls.before(t0)
    check_past(past, t0, t1)
    if t1 - t0 > 31 * 24 * HOUR_S:
        raise ValueError("forecasts reach at most 31 days ahead")
    (m,) = make_models([model])
    hours = local_hours_between(t0, t1, calls.tz)
    if isinstance(m, Blend) and hours is not None:
        m.fit(past, grid, t0)
        shape = m.surface(past, grid, t0, t1, hours)
    else:
        shape = m.predict(past, grid, t0, t1)
    rhythm = fit_rhythm(past, t0)
    n_hours = int(np.ceil((t1 - t0) / HOUR_S))
    starts, per_hour = rhythm.hourly(t0, n_hours)
    per_hour = per_hour * np.clip((t1 - starts) / HOUR_S, 0.0, 1.0)
    total = float(per_hour.sum()) if rhythm.weeks > 0 else float(shape.sum())
    s = float(shape.sum())
    expected = shape * (total / s) if s > 0 else np.zeros(grid.shape)
    if step_s == HOUR_S:
        step_starts, step_totals = starts, per_hour
    else:
        idx = np.arange(n_hours) // 24
        step_starts = starts[::24]
        step_totals = np.bincount(idx, weights=per_hour, minlength=step_starts.size).astype(
            np.float64
        )
    return Forecast(grid, t0, t1, model, expected, step_s, step_starts, step_totals)
