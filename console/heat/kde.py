"""Binned Gaussian kernel density on a metric grid, in calls per km².

Why binned: counting calls per cell (``bincount``) and smoothing the counts
with a sampled Gaussian (``ndimage.gaussian_filter``) costs milliseconds for
a million calls, where evaluating every kernel at every cell costs minutes.
Counting a call at its cell centre spreads it, on average, uniformly over the
cell (variance cell²/12 per axis); the filter's own width is narrowed by that
much so the result matches the exact kernel estimate with bandwidth
``bandwidth_m`` (``bench/heat.py`` measures the difference).  Edges reflect,
so the surface integrates to the number of calls on the grid.
"""

from __future__ import annotations

import math
from typing import Literal

import numpy as np
import numpy.typing as npt
from scipy import ndimage

from console.heat.grid import Grid

F64 = npt.NDArray[np.float64]
Boundary = Literal["reflect", "constant"]
TRUNCATE = 4.0  # the filter reaches 4 bandwidths; beyond that the kernel is below 3e-4 of its peak


def bin_counts(grid: Grid, x: F64, y: F64, weights: F64 | None = None) -> F64:
    """Calls (or weights) per cell, shape (ny, nx); points off the grid are dropped."""
    idx = grid.flat_index(x, y)
    idx += 1  # off-grid points (-1) land in bin 0, dropped below: no masking pass
    w = None if weights is None else np.asarray(weights, dtype=np.float64)
    c = np.bincount(idx, weights=w, minlength=grid.size + 1)[1:]
    return c.astype(np.float64, copy=False).reshape(grid.shape)


def filter_sigma(bandwidth_cells: float) -> float:
    """The sampled filter's width for a wanted kernel width, both in cells (binning removed)."""
    if not (math.isfinite(bandwidth_cells) and bandwidth_cells >= 0):
        raise ValueError(f"bandwidth must be a non-negative number, got {bandwidth_cells}")
    return math.sqrt(max(bandwidth_cells**2 - 1.0 / 12.0, 0.0))


def smooth(counts: F64, bandwidth_cells: float, boundary: Boundary = "reflect") -> F64:
    """Counts smoothed by a Gaussian of ``bandwidth_cells`` (0: unchanged); the total is kept
    with ``reflect`` edges."""
    s = filter_sigma(bandwidth_cells)
    if s <= 0:
        return np.array(counts, dtype=np.float64)
    return np.asarray(
        ndimage.gaussian_filter(
            np.asarray(counts, dtype=np.float64), sigma=s, mode=boundary, truncate=TRUNCATE
        ),
        dtype=np.float64,
    )


def kde_counts(
    grid: Grid,
    x: F64,
    y: F64,
    bandwidth_m: float,
    weights: F64 | None = None,
    boundary: Boundary = "reflect",
) -> F64:
    """Expected calls per cell under a Gaussian kernel of ``bandwidth_m`` metres."""
    if not (math.isfinite(bandwidth_m) and bandwidth_m >= 0):
        raise ValueError(f"bandwidth must be a non-negative number of metres, got {bandwidth_m}")
    return smooth(bin_counts(grid, x, y, weights), bandwidth_m / grid.cell_m, boundary)


def kde_density(
    grid: Grid,
    x: F64,
    y: F64,
    bandwidth_m: float,
    weights: F64 | None = None,
    boundary: Boundary = "reflect",
) -> F64:
    """Calls per km² on each cell (sum over cells x cell area = calls on the grid)."""
    return kde_counts(grid, x, y, bandwidth_m, weights, boundary) / grid.cell_km2
