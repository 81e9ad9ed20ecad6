"""Counts as a panel: one row per place (or sensor), one column per local clock hour.

A bucket without any count is NaN -- a gap, never a zero: a counter that was down
says nothing about the crowd, and a zero would teach every model an empty street.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from console.crowd.csvread import CountFile
from console.crowd.errors import CrowdError
from console.crowd.localtime import HOUR, HourGrid

F64 = npt.NDArray[np.float64]


@dataclass
class Panel:
    """Hourly counts ``y[s, i]`` of series ``names[s]`` in bucket ``i`` of ``grid``."""

    grid: HourGrid
    names: list[str]
    y: F64

    def __post_init__(self) -> None:
        if self.y.shape != (len(self.names), self.grid.n):
            raise ValueError(f"counts shaped {self.y.shape}, expected {len(self.names)} x n")

    def until(self, idx: int) -> Panel:
        """The same panel with every bucket from ``idx`` on blanked: what was known then."""
        y = self.y.copy()
        y[:, max(idx, 0) :] = np.nan
        return Panel(self.grid, self.names, y)


def bucket_counts(
    grid: HourGrid,
    n_series: int,
    series: npt.NDArray[np.int64] | npt.NDArray[np.int32],
    t: F64,
    count: F64,
    agg: str = "sum",
) -> F64:
    """Counts summed (flows) or averaged (occupancy) into the grid's hour buckets."""
    if agg not in ("sum", "mean", "max"):
        raise CrowdError(f"unknown aggregation {agg!r}: use sum, mean or max")
    col = ((t - grid.t0) // HOUR).astype(np.int64)
    ok = (col >= 0) & (col < grid.n)
    s, col, c = np.asarray(series, dtype=np.int64)[ok], col[ok], count[ok]
    flat = s * grid.n + col
    hits = np.bincount(flat, minlength=n_series * grid.n).reshape(n_series, grid.n)
    if agg == "max":
        out = np.full(n_series * grid.n, -np.inf)
        np.maximum.at(out, flat, c)
        total = out.reshape(n_series, grid.n)
    else:
        total = np.bincount(flat, weights=c, minlength=n_series * grid.n).reshape(n_series, grid.n)
        if agg == "mean":
            total = total / np.maximum(hits, 1)
    return np.where(hits > 0, total, np.nan)


def panel_from_file(cf: CountFile, tz: str, agg: str = "sum", end: float | None = None) -> Panel:
    """The file's counts bucketed by local clock hour of ``tz`` (through ``end`` if later)."""
    if cf.t.size == 0:
        raise CrowdError("no usable counts in the file")
    start = float(cf.t.min())
    stop = max(float(cf.t.max()) + HOUR, end or 0.0)
    grid = HourGrid.build(tz, start, stop)
    y = bucket_counts(grid, len(cf.sensors), cf.sensor, cf.t, cf.count, agg)
    return Panel(grid, list(cf.sensors), y)
