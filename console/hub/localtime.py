"""The command room's clock: hours of day and times of day in the district's own time zone.

Plans, coverage, demand weights and the heat filter all speak of local hours, and the
texts a dispatcher reads ("order sent 10:42") of local times.  The zone is the district's
(``PackageInfo.time_zone``: Asia/Shanghai for the demo, America/Los_Angeles for Portland),
never the machine's; the arithmetic lives here once so every part agrees.  Daylight
saving is honoured (the offsets come from :mod:`console.heat.localtime`).

The module functions keep the old fixed Asia/Shanghai answers for callers that have no
district at hand.
"""

from __future__ import annotations

import math
from datetime import UTC, datetime

import numpy as np
import numpy.typing as npt

from console.heat.localtime import utc_offsets, zone

DEFAULT_ZONE = "Asia/Shanghai"


class LocalTime:
    """Local clock fields of UNIX times in one IANA zone."""

    def __init__(self, tz: str = DEFAULT_ZONE) -> None:
        self.name = tz
        self.zone = zone(tz)  # ValueError naming an unknown zone

    def offset(self, t: float) -> float:
        """Seconds local time is ahead of UTC at ``t``."""
        if not math.isfinite(t):
            raise ValueError("a time must be finite UNIX seconds")
        off = datetime.fromtimestamp(t, tz=UTC).astimezone(self.zone).utcoffset()
        return 0.0 if off is None else off.total_seconds()

    def hour(self, t: float) -> int:
        """The local hour (0-23) of a UNIX time."""
        return int((t + self.offset(t)) // 3600 % 24)

    def hours(self, t: npt.NDArray[np.float64]) -> npt.NDArray[np.int64]:
        """The local hour (0-23) of each UNIX time."""
        t = np.asarray(t, dtype=np.float64)
        return ((t + utc_offsets(t, self.zone)) // 3600 % 24).astype(np.int64)

    def hour_of_day(self, t: npt.NDArray[np.float64]) -> npt.NDArray[np.float64]:
        """The local time of day in fractional hours [0, 24) (demand weights by hour)."""
        t = np.asarray(t, dtype=np.float64)
        return ((t + utc_offsets(t, self.zone)) % 86400.0) / 3600.0

    def clock_text(self, t: float) -> str:
        """``HH:MM`` local (what a refusal or an alert shows)."""
        return datetime.fromtimestamp(t, tz=UTC).astimezone(self.zone).strftime("%H:%M")


SHANGHAI = LocalTime(DEFAULT_ZONE)


def local_hour(t: float) -> int:
    """The Asia/Shanghai hour (0-23) of a UNIX time (no district at hand)."""
    return SHANGHAI.hour(t)


def local_hours(t: npt.NDArray[np.float64]) -> npt.NDArray[np.int64]:
    """The Asia/Shanghai hour (0-23) of each UNIX time."""
    return SHANGHAI.hours(t)


def local_hour_of_day(t: npt.NDArray[np.float64]) -> npt.NDArray[np.float64]:
    """The Asia/Shanghai time of day in fractional hours [0, 24)."""
    return SHANGHAI.hour_of_day(t)
