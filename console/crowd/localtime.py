"""Hour buckets that are local clock hours, and the wall-clock lags forecasts use.

Counts live in UTC seconds; people live by the place's clock.  A daylight-saving
day has 23 or 25 buckets, and "the same hour one week earlier" is the same *wall*
hour seven local days back, which is 167, 168 or 169 buckets back.  Every lag goes
through :meth:`HourGrid.lookup` so no model shifts its hours across a change of
clocks, and a wall hour that did not exist (the skipped hour) is simply absent.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from functools import lru_cache
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import numpy as np
import numpy.typing as npt

from console.crowd.errors import CrowdError

HOUR = 3600
I64 = npt.NDArray[np.int64]


@lru_cache(maxsize=64)
def zone(name: str) -> ZoneInfo:
    """The IANA zone ``name``; a clear :class:`CrowdError` for a wrong one."""
    try:
        return ZoneInfo(str(name).strip())
    except (ZoneInfoNotFoundError, ValueError, TypeError):
        raise CrowdError(
            f"unknown time zone {name!r}: use an IANA name such as Asia/Shanghai or "
            "Pacific/Auckland"
        ) from None


def local_hour_start(t: float, tz: str) -> int:
    """UTC seconds at which the local clock hour holding instant ``t`` began."""
    z = zone(tz)
    local = dt.datetime.fromtimestamp(t, z)
    return int(local.replace(minute=0, second=0, microsecond=0).timestamp())


class LocalTimeError(ValueError):
    """A naive local time that the zone's clock skipped (the hour clocks go forward)."""


def resolve_local(naive: dt.datetime, tz: str, *, later: bool = False) -> float:
    """UTC seconds of a naive local time in ``tz``.

    A time repeated when clocks go back is its first occurrence unless ``later``;
    a time that never happened (clocks went forward) raises :class:`LocalTimeError`.
    """
    z = zone(tz)
    aware = naive.replace(tzinfo=z, fold=1 if later else 0)
    t = aware.timestamp()
    back = dt.datetime.fromtimestamp(t, z).replace(tzinfo=None)
    if back != naive.replace(tzinfo=None):
        raise LocalTimeError(f"{naive.isoformat()} does not exist in {tz} (clocks went forward)")
    return t


def is_ambiguous(naive: dt.datetime, tz: str) -> bool:
    """True for a local time that happens twice (the hour clocks go back)."""
    z = zone(tz)
    return (
        naive.replace(tzinfo=z, fold=0).utcoffset() != naive.replace(tzinfo=z, fold=1).utcoffset()
    )


@dataclass(frozen=True)
class HourGrid:
    """``n`` consecutive hour buckets from ``t0`` (UTC seconds), each a local clock hour."""

    tz: str
    t0: int
    day: I64  # local date (proleptic ordinal) of each bucket
    hour: I64  # local clock hour 0-23 of each bucket
    _inv: I64  # (day * 24 + hour - _key0) -> first bucket with that wall hour, else -1
    _key0: int

    @property
    def n(self) -> int:
        return int(self.day.size)

    @classmethod
    def build(cls, tz: str, start: float, end: float) -> HourGrid:
        """Buckets covering [start, end): the first starts on the local hour holding ``start``."""
        z = zone(tz)
        t0 = local_hour_start(start, tz)
        n = max(1, int(np.ceil((end - t0) / HOUR)))
        day = np.empty(n, dtype=np.int64)
        hour = np.empty(n, dtype=np.int64)
        for i in range(n):
            local = dt.datetime.fromtimestamp(t0 + i * HOUR, z)
            if local.minute or local.second:
                raise CrowdError(
                    f"time zone {tz} moves its clock by part of an hour on {local.date()}: "
                    "hourly buckets would not be clock hours there"
                )
            day[i] = local.toordinal()
            hour[i] = local.hour
        key = day * 24 + hour
        key0 = int(key.min())
        inv = np.full(int(key.max()) - key0 + 1, -1, dtype=np.int64)
        inv[(key - key0)[::-1]] = np.arange(n - 1, -1, -1, dtype=np.int64)  # first one wins
        return cls(tz=tz, t0=t0, day=day, hour=hour, _inv=inv, _key0=key0)

    def index(self, t: float) -> int:
        """Bucket holding instant ``t`` (may be outside [0, n))."""
        return int((t - self.t0) // HOUR)

    def time(self, idx: int | I64) -> I64:
        """UTC start seconds of buckets ``idx``."""
        return self.t0 + np.asarray(idx, dtype=np.int64) * HOUR

    def lookup(self, day: I64, hour: I64) -> I64:
        """Bucket of each (local date, wall hour); -1 outside the grid or for a skipped hour."""
        rel = np.asarray(day, dtype=np.int64) * 24 + np.asarray(hour, dtype=np.int64)
        rel = rel - self._key0
        ok = (rel >= 0) & (rel < self._inv.size)
        out = np.full(rel.shape, -1, dtype=np.int64)
        out[ok] = self._inv[rel[ok]]
        return out

    def days_back(self, idx: I64, days: int | I64) -> I64:
        """The same wall hour ``days`` local days before each bucket (-1 where there is none)."""
        idx = np.asarray(idx, dtype=np.int64)
        return self.lookup(self.day[idx] - days, self.hour[idx])
