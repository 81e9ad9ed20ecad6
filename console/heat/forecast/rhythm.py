"""The hour-of-week rhythm: how many calls each local hour of the coming days should bring.

Why the local clock: a Friday 23:00 in Shanghai is the same slot every week
whatever UTC says, and daylight-saving zones shift it in UTC twice a year.
The rate of a slot is the mean count of that slot over its occurrences in
the last ``weeks`` weeks (fewer if the history is shorter); a file of dates only has no hours,
so its rhythm is by weekday and spread evenly over the day's hours.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from console.heat.calls import CallSet
from console.heat.forecast.base import F64, WEEK_S
from console.heat.localtime import local_fields, local_midnight

HOUR_S = 3600.0
SLOTS = 168


@dataclass(frozen=True, eq=False)
class Rhythm:
    """Expected calls per local hour-of-week slot (0 = Monday 00:00), and the zone."""

    per_slot: F64
    tz: str
    weeks: float

    def hourly(self, t0: float, n_hours: int) -> tuple[F64, F64]:
        """(hour start instants, expected calls in each) for ``n_hours`` hours from ``t0``."""
        starts = np.asarray(t0 + np.arange(n_hours) * HOUR_S, dtype=np.float64)
        lf = local_fields(starts, self.tz)
        slot = lf.weekday.astype(np.int64) * 24 + lf.hour.astype(np.int64)
        return starts, self.per_slot[slot]

    def expected(self, t0: float, t1: float) -> float:
        """Expected calls in [t0, t1) (partial hours pro rata)."""
        n = int(np.ceil((t1 - t0) / HOUR_S))
        if n <= 0:
            return 0.0
        starts, rate = self.hourly(t0, n)
        frac = np.clip((t1 - starts) / HOUR_S, 0.0, 1.0)
        return float((rate * frac).sum())


def fit_rhythm(past: CallSet, t0: float, weeks: int = 8) -> Rhythm:
    """Mean calls per hour-of-week slot over the last ``weeks`` weeks before ``t0`` (from the
    first call's local midnight when the history is shorter)."""
    if weeks < 1:
        raise ValueError(f"the rhythm needs at least one week, got {weeks}")
    if not len(past):
        return Rhythm(np.zeros(SLOTS), past.tz, 0.0)
    start = max(t0 - weeks * WEEK_S, local_midnight(int(past.day[0]), past.tz))
    recent = past.between(start, t0)
    n_hours = max(1, int(np.ceil((t0 - start) / HOUR_S)))
    seen = local_fields(np.asarray(start + np.arange(n_hours) * HOUR_S, dtype=np.float64), past.tz)
    seen_slot = seen.weekday.astype(np.int64) * 24 + seen.hour.astype(np.int64)
    if past.resolution_s >= 86400.0:  # dates only: by weekday, even over the hours
        days = np.bincount(recent.weekday.astype(np.int64), minlength=7).astype(np.float64)
        occurred = np.bincount(seen.weekday.astype(np.int64), minlength=7) / 24.0
        per_day = days / np.maximum(occurred, 1.0)
        per_slot = np.repeat(per_day / 24.0, 24)
    else:
        slot = recent.weekday.astype(np.int64) * 24 + recent.hour.astype(np.int64)
        counts = np.bincount(slot, minlength=SLOTS).astype(np.float64)
        per_slot = counts / np.maximum(np.bincount(seen_slot, minlength=SLOTS), 1)
    return Rhythm(per_slot, past.tz, (t0 - start) / WEEK_S)
