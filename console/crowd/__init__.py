"""Crowd flow per place: counts, forecasts from the next minute to the next seven days,
capacity warnings and their measured accuracy.

Qt-free like all of ``console/``.  Times are UTC seconds; local time (hour of day,
day of week, holidays) only through ``zoneinfo`` with the place's own zone, never the
machine's.  See ``docs/crowd.md``.
"""

from console.crowd.errors import CrowdError

__all__ = ["CrowdError"]
