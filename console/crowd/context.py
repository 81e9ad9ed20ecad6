"""What every model may know at an issue time: the counts before it and the calendar.

:class:`Known` is the one door to the counts: every read takes the issue bucket
and turns anything at or after it into a gap, so no model can see the future --
not through a lag that reaches past the issue on a long horizon, nor through
a training row.  The calendar (hour, day kind, distance to holidays) is known
for every bucket, future ones included: that is what a calendar is for.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from functools import cached_property

import numpy as np
import numpy.typing as npt

from console.crowd.daytypes import (
    HOLIDAY,
    MAKEUP,
    SATURDAY,
    SUNDAY,
    WORKDAY,
    DayTable,
    PlaceCalendar,
)
from console.crowd.localtime import HourGrid
from console.crowd.series import Panel

F64 = npt.NDArray[np.float64]
I64 = npt.NDArray[np.int64]

PEERS = 8  # earlier days of the same kind a profile looks through
PROFILE_DAYS = 4  # of which the most recent with a count are kept


@dataclass
class Known:
    """The panel as seen from issue bucket ``issue``, with the place calendar."""

    panel: Panel
    issue: int
    days: DayTable

    @property
    def grid(self) -> HourGrid:
        return self.panel.grid

    @property
    def n_series(self) -> int:
        return len(self.panel.names)

    def values(self, series: I64, idx: I64, issue: I64 | int | None = None) -> F64:
        """Counts at buckets ``idx`` of ``series``; NaN for gaps, -1 and anything not
        strictly before ``issue`` (per row, default the panel's issue)."""
        cut = self.issue if issue is None else np.minimum(issue, self.issue)
        idx = np.asarray(idx, dtype=np.int64)
        ok = (idx >= 0) & (idx < cut)
        out = np.full(np.broadcast(series, idx).shape, np.nan)
        s = np.broadcast_to(series, out.shape)
        out[ok] = self.panel.y[s[ok], idx[ok]]
        return out

    # --- calendar of a bucket ------------------------------------------------------------

    def day_row(self, idx: I64) -> I64:
        return self.days.rows(self.grid.day[np.asarray(idx, dtype=np.int64)])

    def kind(self, idx: I64) -> I64:
        return self.days.kind[self.day_row(idx)].astype(np.int64)

    @cached_property
    def peers(self) -> I64:
        """``peers[r]``: rows of the PEERS latest earlier days that behave like day ``r``
        (-1 where fewer exist), most recent first.

        A working day looks at earlier working days of the same weekday, a Saturday at
        Saturdays, a Sunday or a public holiday at Sundays, a make-up working day at
        any working day: a holiday is a rest day whatever weekday it falls on.
        """
        kind = self.days.kind
        wd = self.days.weekday
        n = kind.size
        out = np.full((n, PEERS), -1, dtype=np.int64)
        klass = np.where(kind == MAKEUP, WORKDAY, kind)
        klass = np.where(klass == HOLIDAY, SUNDAY, klass)
        plain_sunday = (kind == SUNDAY) | ((kind == HOLIDAY) & (wd == 6))
        for r in range(n):
            k = kind[r]
            if k == WORKDAY:
                pool = (klass[:r] == WORKDAY) & (wd[:r] == wd[r]) & (kind[:r] == WORKDAY)
            elif k == MAKEUP:
                pool = kind[:r] == WORKDAY
            elif k == SATURDAY:
                pool = kind[:r] == SATURDAY
            else:  # Sunday or holiday: plain Sundays
                pool = plain_sunday[:r] & (kind[:r] == SUNDAY)
            rows = np.flatnonzero(pool)[::-1][:PEERS]
            out[r, : rows.size] = rows
        return out

    def profile(self, series: I64, idx: I64, issue: I64 | int | None = None) -> F64:
        """Median count at the same wall hour on the latest PROFILE_DAYS days that behave
        like the target's day and have a count before the issue."""
        idx = np.asarray(idx, dtype=np.int64)
        rows = self.peers[self.day_row(idx)]  # (m, PEERS)
        ordinals = np.where(rows >= 0, rows + self.days.first, -(10**6))
        cand = self.grid.lookup(ordinals, self.grid.hour[idx][:, None])
        cut = np.asarray(self.issue if issue is None else issue)
        cut = cut[:, None] if cut.ndim else cut
        vals = self.values(np.asarray(series)[:, None] if np.ndim(series) else series, cand, cut)
        have = ~np.isnan(vals)
        keep = have & (np.cumsum(have, axis=1) <= PROFILE_DAYS)
        vals = np.sort(np.where(keep, vals, np.nan), axis=1)  # NaN sorts last
        n = keep.sum(axis=1)
        lo = np.take_along_axis(vals, np.maximum((n - 1) // 2, 0)[:, None], axis=1)[:, 0]
        hi = np.take_along_axis(vals, np.maximum(n // 2, 0)[:, None], axis=1)[:, 0]
        return np.where(n > 0, (lo + hi) / 2.0, np.nan)


def day_table_for(grid: HourGrid, calendar: PlaceCalendar) -> DayTable:
    """The calendar of every local date the grid touches (and the PEERS weeks before)."""
    first = dt.date.fromordinal(int(grid.day[0]))
    last = dt.date.fromordinal(int(grid.day[-1]))
    return calendar.table(first, last)


__all__ = ["HOLIDAY", "MAKEUP", "SATURDAY", "SUNDAY", "WORKDAY", "Known", "day_table_for"]
