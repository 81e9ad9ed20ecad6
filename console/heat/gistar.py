"""Getis-Ord Gi* on a regular grid as a convolution, with p-values and an FDR cut.

Why a convolution: with binary weights "every cell whose centre lies within d
metres, the cell itself included", the neighbourhood sum of every cell is one
correlation with a disk (done row by row from prefix sums); the textbook
statistic (Getis and Ord 1995)

    Gi*_i = (sum_j w_ij x_j - xbar k_i) / (S sqrt((n k_i - k_i^2) / (n - 1))),
    k_i = sum_j w_ij,  xbar = sum x / n,  S^2 = sum x^2 / n - xbar^2

then costs milliseconds on a few hundred thousand cells (PySAL's esda gives
the same values for seconds and 200 MB of dependencies).

p-values: the textbook reads z against the normal curve.  Call counts on small
cells are sparse and skewed, and there the normal tail is far too thin (three
calls in one cell of a quiet field pass as z = 5).  The default ``count``
p-value keeps Gi*'s own mean and variance for the neighbourhood sum but reads
the tail of a count distribution with those two moments (negative binomial,
or Poisson when the cells are not over-dispersed); with many calls it tends to
the normal answer.  Many cells are tested at once, so the cut is
Benjamini-Hochberg's false-discovery rate (valid under the positive
dependence neighbouring Gi* values have).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Literal

import numpy as np
import numpy.typing as npt
from scipy import special, stats

F64 = npt.NDArray[np.float64]
BoolArr = npt.NDArray[np.bool_]
PMethod = Literal["count", "normal"]


def disk(radius_cells: float) -> F64:
    """Binary weights of the cells whose centres lie within ``radius_cells`` (self included)."""
    if not (math.isfinite(radius_cells) and radius_cells >= 0):
        raise ValueError(f"neighbourhood radius must be >= 0, got {radius_cells}")
    r = math.floor(radius_cells + 1e-9)
    d = np.arange(-r, r + 1)
    dx, dy = np.meshgrid(d, d)
    return (dx * dx + dy * dy <= radius_cells * radius_cells + 1e-9).astype(np.float64)


def disk_sum(x: F64, radius_cells: float) -> F64:
    """Sum of ``x`` over each cell's disk (zeros beyond the edge): ``correlate(x, disk(r))``.

    Row by row from prefix sums along x: 2r + 1 shifted differences instead of (2r + 1)²
    products per cell, and exact for integer counts."""
    w = disk(radius_cells)
    r = w.shape[0] // 2
    ny, nx = x.shape
    pad = np.zeros((ny + 2 * r, nx + 2 * r + 1))
    pad[r : r + ny, r + 1 : r + 1 + nx] = x
    c = np.cumsum(pad, axis=1)
    out = np.zeros((ny, nx))
    for dy in range(-r, r + 1):
        half = int(w[dy + r].sum()) // 2  # the disk's row dy spans dx = -half..half
        rows = c[r + dy : r + dy + ny]
        out += rows[:, half + r + 1 : half + r + 1 + nx] - rows[:, r - half : r - half + nx]
    return out


@dataclass(frozen=True, eq=False)
class GiStar:
    """Gi* z-scores and their parts on a grid; cells outside the study mask have z = 0, p = 1."""

    z: F64
    p: F64
    local_sum: F64  # sum_j w_ij x_j
    k: F64  # sum_j w_ij (neighbours inside the study area, self included)
    mask: BoolArr
    n: int
    xbar: float
    s: float


def gi_star(
    counts: F64,
    radius_cells: float,
    mask: BoolArr | None = None,
    pvalues: PMethod = "count",
) -> GiStar:
    """Gi* of every cell of ``counts`` (ny, nx) with a disk neighbourhood, one-sided p for hot."""
    x = np.asarray(counts, dtype=np.float64)
    if x.ndim != 2:
        raise ValueError(f"counts must be a 2-D grid, got shape {x.shape}")
    if not np.all(np.isfinite(x)) or (x.size and x.min() < 0):
        raise ValueError("counts must be finite and non-negative")
    m = np.ones(x.shape, dtype=bool) if mask is None else np.asarray(mask, dtype=bool)
    if m.shape != x.shape:
        raise ValueError(f"mask shape {m.shape} differs from counts shape {x.shape}")
    x = np.where(m, x, 0.0)
    n = int(m.sum())
    local = disk_sum(x, radius_cells)
    k = disk_sum(m.astype(np.float64), radius_cells)
    z = np.zeros(x.shape)
    p = np.ones(x.shape)
    if n < 2:
        return GiStar(z, p, local, k, m, n, float(x.sum()) / max(n, 1), 0.0)
    xbar = float(x.sum()) / n
    s = math.sqrt(max(float((x * x).sum()) / n - xbar * xbar, 0.0))
    var = k * (n - k) / (n - 1)  # Gi* variance of the local sum, in units of S^2
    ok = m & (var > 0) & (s > 0)
    z[ok] = (local[ok] - xbar * k[ok]) / (s * np.sqrt(var[ok]))
    if pvalues == "normal":
        p[ok] = stats.norm.sf(z[ok])
    elif pvalues == "count":
        # one-sided for hot: a cell at or below the mean is never significant (p stays 1)
        hot = ok & (z > 0)
        p[hot] = _count_tail(local[hot], xbar * k[hot], s * s * var[hot])
    else:
        raise ValueError(f"p-value method must be 'count' or 'normal', got {pvalues!r}")
    return GiStar(z, p, local, k, m, n, xbar, s)


def _count_tail(observed: F64, mean: F64, var: F64) -> F64:
    """P(X >= observed) for a count X with the given mean and variance (NB, or Poisson).

    Through the regularised incomplete beta and gamma functions directly:
    ``stats.nbinom.sf`` checks its arguments per call and cost 0.3 s on 160,000 cells."""
    obs = np.round(observed)
    out = np.ones(obs.shape)
    pos = obs >= 1  # P(X >= 0) = 1
    over = pos & (var > mean * (1 + 1e-9))
    if over.any():
        mu, v = mean[over], var[over]
        r = mu * mu / (v - mu)
        out[over] = special.betainc(obs[over], r, 1.0 - mu / v)  # NB sf at obs - 1
    rest = pos & ~over & (mean > 0)
    if rest.any():
        out[rest] = special.gammainc(obs[rest], mean[rest])  # Poisson sf at obs - 1
    return np.clip(out, 0.0, 1.0)


def fdr_cut(p: F64, q: float, mask: BoolArr | None = None) -> tuple[BoolArr, float]:
    """Benjamini-Hochberg: the cells rejected at false-discovery rate ``q``, and the p cut-off
    (0 when none)."""
    if not 0 < q < 1:
        raise ValueError(f"false-discovery rate must be between 0 and 1, got {q}")
    pa = np.asarray(p, dtype=np.float64)
    m = np.ones(pa.shape, dtype=bool) if mask is None else np.asarray(mask, dtype=bool)
    tested = np.sort(pa[m])
    if tested.size == 0:
        return np.zeros(pa.shape, dtype=bool), 0.0
    ranks = np.arange(1, tested.size + 1)
    below = np.flatnonzero(tested <= ranks * q / tested.size)
    if below.size == 0:
        return np.zeros(pa.shape, dtype=bool), 0.0
    cut = float(tested[below[-1]])
    return m & (pa <= cut), cut
