"""The next 30 minutes, minute by minute, from the live counts.

A crowd building on the Bund shows in minutes, not hours: the hourly forecast knows
the evening's usual shape, the live counts know tonight.  The nowcast runs a damped
trend (Holt) over the last two hours of minute counts -- as a ratio to what the
hourly forecast expected for those minutes when there is one, so the usual evening
rise is not mistaken for a surge and a surge shows as the ratio climbing -- and
projects it 30 minutes on.  The band comes from its own one-step misses.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

F64 = npt.NDArray[np.float64]
MINUTE = 60
LOOKBACK = 120  # minutes of live counts used
MIN_POINTS = 10  # fewer counts than this in the lookback: no nowcast
Z80 = 1.2816  # two-sided 80 % band


@dataclass(frozen=True)
class Nowcast:
    """Minute bucket starts (UTC s) and the forecast count with its 80 % band."""

    times: F64
    point: F64
    lower: F64
    upper: F64
    observed_at: float  # start of the last minute with a count


def minute_expectation(
    hour_times: F64, hour_values: F64, minute_times: F64, measure: str = "occupancy"
) -> F64:
    """The hourly forecast spread over minutes: occupancy interpolated between hour
    middles, a flow (people per hour) divided into people per minute."""
    hour_times = np.asarray(hour_times, dtype=np.float64)
    hour_values = np.asarray(hour_values, dtype=np.float64)
    ok = np.isfinite(hour_values)
    if not ok.any():
        return np.full(np.shape(minute_times), np.nan)
    mids = hour_times[ok] + 1800.0
    vals = np.interp(np.asarray(minute_times) + 30.0, mids, hour_values[ok])
    return vals / 60.0 if measure == "flow" else vals


def nowcast(
    times: F64,
    counts: F64,
    now: float,
    *,
    minutes: int = 30,
    expected: F64 | None = None,
    alpha: float = 0.35,
    beta: float = 0.15,
    phi: float = 0.98,
) -> Nowcast | None:
    """Nowcast from minute counts at bucket starts ``times`` (only those ending by ``now``
    are used).  ``expected``, if given, is the hourly forecast per minute for
    ``times`` followed by the ``minutes`` forecast minutes.  None without enough counts."""
    times = np.asarray(times, dtype=np.float64)
    counts = np.asarray(counts, dtype=np.float64)
    if times.shape != counts.shape:
        raise ValueError("times and counts differ in length")
    last_full = np.floor(now / MINUTE) * MINUTE - MINUTE  # last bucket that has ended
    grid = last_full - MINUTE * np.arange(LOOKBACK - 1, -1, -1, dtype=np.float64)
    x = np.full(LOOKBACK, np.nan)
    pos = np.round((times - grid[0]) / MINUTE).astype(np.int64)
    inside = (pos >= 0) & (pos < LOOKBACK) & np.isfinite(counts) & (times <= last_full + 1e-6)
    x[pos[inside]] = counts[inside]
    if np.count_nonzero(~np.isnan(x)) < MIN_POINTS:
        return None
    ahead = last_full + MINUTE * np.arange(1, minutes + 1, dtype=np.float64)
    exp_hist = exp_ahead = None
    if expected is not None:
        expected = np.asarray(expected, dtype=np.float64)
        if expected.size != times.size + minutes:
            raise ValueError("expected must cover the count times and the forecast minutes")
        e = np.full(LOOKBACK, np.nan)
        e[pos[inside]] = expected[: times.size][inside]
        exp_hist, exp_ahead = e, expected[times.size :]
        if not np.isfinite(exp_ahead).all() or np.isnan(e[~np.isnan(x)]).any():
            exp_hist = exp_ahead = None
    r = x if exp_hist is None else (x + 1.0) / (exp_hist + 1.0)
    level, trend, resid = _holt(r, alpha, beta, phi)
    steps = np.arange(1, minutes + 1)
    damp = np.cumsum(phi**steps)
    r_hat = level + trend * damp
    spread = Z80 * resid * np.sqrt(1.0 + (steps - 1) * alpha**2)
    if exp_ahead is None:
        point, lo, hi = r_hat, r_hat - spread, r_hat + spread
    else:
        point = r_hat * (exp_ahead + 1.0) - 1.0
        lo = (r_hat - spread) * (exp_ahead + 1.0) - 1.0
        hi = (r_hat + spread) * (exp_ahead + 1.0) - 1.0
    observed = grid[np.flatnonzero(~np.isnan(x))[-1]]
    return Nowcast(
        times=ahead,
        point=np.maximum(point, 0.0),
        lower=np.maximum(lo, 0.0),
        upper=np.maximum(hi, 0.0),
        observed_at=float(observed),
    )


def _holt(x: F64, alpha: float, beta: float, phi: float) -> tuple[float, float, float]:
    """Damped-trend smoothing over ``x`` (NaN = no count: the state just rolls on).

    Returns the last level, the last trend and the RMS of the one-step misses."""
    seen = np.flatnonzero(~np.isnan(x))
    level = float(x[seen[0]])
    trend = 0.0
    misses: list[float] = []
    for k in range(int(seen[0]) + 1, x.size):
        guess = level + phi * trend
        if np.isnan(x[k]):
            level, trend = guess, phi * trend
            continue
        misses.append(float(x[k]) - guess)
        new_level = alpha * float(x[k]) + (1 - alpha) * guess
        trend = beta * (new_level - level) + (1 - beta) * phi * trend
        level = new_level
    resid = float(np.sqrt(np.mean(np.square(misses)))) if misses else abs(level) * 0.1
    return level, trend, resid
