"""What kind of day a local date is at a place: working day, weekend, public holiday.

Crowds follow the local calendar, so each place names its own country (and
subdivision) and the kinds come from maintained calendars, never a hand-written
list: ``chinese-calendar`` for the mainland (it knows the make-up working days,
调休, that turn a Saturday into a working day around Golden Week and the Spring
Festival), ``holidays`` for every other country and for mainland years that
``chinese-calendar`` does not cover yet.
"""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass
from functools import cached_property

import holidays
import numpy as np
import numpy.typing as npt

from console.crowd.errors import CrowdError

log = logging.getLogger(__name__)

WORKDAY, MAKEUP, SATURDAY, SUNDAY, HOLIDAY = 0, 1, 2, 3, 4
"""Day kinds: a working day, a weekend day worked as a make-up day, a plain Saturday
or Sunday, a public holiday or a day off in lieu (whatever weekday it falls on)."""

NEAR_CLIP = 7  # days to / since the nearest holiday are clipped here


@dataclass(frozen=True)
class DayTable:
    """Day kinds for consecutive local dates from ``first`` (ordinal) on, as arrays."""

    first: int  # proleptic Gregorian ordinal of the first date
    kind: npt.NDArray[np.int8]
    weekday: npt.NDArray[np.int8]  # Monday 0
    day_of_year: npt.NDArray[np.int16]
    to_holiday: npt.NDArray[np.int8]  # days until the next holiday (0 on one), clipped
    since_holiday: npt.NDArray[np.int8]  # days since the last holiday (0 on one), clipped

    def rows(self, ordinals: npt.NDArray[np.int64]) -> npt.NDArray[np.int64]:
        """Row of each date ordinal; a date outside the table is a programming error."""
        rows = ordinals - self.first
        if rows.size and (rows.min() < 0 or rows.max() >= self.kind.size):
            raise IndexError("date outside the day table")
        return rows


class PlaceCalendar:
    """Public holidays and make-up days of one country (and subdivision)."""

    def __init__(self, country: str, subdiv: str | None = None) -> None:
        self.country = country.strip().upper()
        self.subdiv = subdiv.strip() if subdiv else None
        try:
            holidays.country_holidays(self.country, subdiv=self.subdiv, years=2020)
        except NotImplementedError:
            where = f"country {country!r}" + (f" subdivision {subdiv!r}" if subdiv else "")
            raise CrowdError(
                f"no holiday calendar for {where}: use an ISO 3166 code such as CN or NZ "
                "(and a subdivision the holidays package lists, e.g. NZ AUK)"
            ) from None
        except Exception as exc:  # the library raises NotImplementedError or its own errors
            raise CrowdError(
                f"no holiday calendar for {country!r} subdivision {subdiv!r}: {exc}"
            ) from None

    @cached_property
    def _chinese(self) -> tuple[int, int] | None:
        """Years ``chinese-calendar`` covers (mainland only), or None."""
        if self.country != "CN":
            return None
        try:
            import chinese_calendar
        except ImportError:  # pragma: no cover - installed with the console
            return None
        years = [d.year for d in chinese_calendar.holidays]
        return min(years), max(years)

    def table(self, first: dt.date, last: dt.date) -> DayTable:
        """Kinds of every date in [first, last], plus the distance to the nearest holidays."""
        if last < first:
            raise ValueError("last date before first")
        lo = first - dt.timedelta(days=NEAR_CLIP)
        hi = last + dt.timedelta(days=NEAR_CLIP)
        n = (hi - lo).days + 1
        dates = [lo + dt.timedelta(days=i) for i in range(n)]
        hol = self._holidays(sorted({d.year for d in dates}))
        kind = np.array([self._kind(d, hol) for d in dates], dtype=np.int8)
        is_hol = kind == HOLIDAY
        to_h = _distance(is_hol[::-1])[::-1]
        since_h = _distance(is_hol)
        cut = slice(NEAR_CLIP, n - NEAR_CLIP)
        return DayTable(
            first=first.toordinal(),
            kind=kind[cut].copy(),
            weekday=np.array([d.weekday() for d in dates], dtype=np.int8)[cut].copy(),
            day_of_year=np.array([d.timetuple().tm_yday for d in dates], dtype=np.int16)[
                cut
            ].copy(),
            to_holiday=to_h[cut].copy(),
            since_holiday=since_h[cut].copy(),
        )

    def _holidays(self, years: list[int]) -> holidays.HolidayBase:
        cover = self._chinese
        if cover is not None and (years[0] < cover[0] or years[-1] > cover[1]):
            log.info(
                "chinese-calendar covers %d-%d; other years use the holidays package "
                "(make-up days as it lists them)",
                *cover,
            )
        return holidays.country_holidays(self.country, subdiv=self.subdiv, years=years)

    def _kind(self, d: dt.date, hol: holidays.HolidayBase) -> int:
        cover = self._chinese
        if cover is not None and cover[0] <= d.year <= cover[1]:
            import chinese_calendar

            on_holiday, _name = chinese_calendar.get_holiday_detail(d)
            workday = chinese_calendar.is_workday(d)
            if workday:
                return MAKEUP if d.weekday() >= 5 else WORKDAY
            if on_holiday and _name is not None:
                return HOLIDAY
            return SATURDAY if d.weekday() == 5 else SUNDAY
        if d in hol:
            return HOLIDAY
        if d.weekday() >= 5:
            if d in getattr(hol, "weekend_workdays", ()):
                return MAKEUP
            return SATURDAY if d.weekday() == 5 else SUNDAY
        return WORKDAY

    def holiday_name(self, d: dt.date) -> str:
        """The holiday's name on ``d`` ("" on an ordinary day), for alert texts and charts."""
        cover = self._chinese
        if cover is not None and cover[0] <= d.year <= cover[1]:
            import chinese_calendar

            on_holiday, name = chinese_calendar.get_holiday_detail(d)
            return str(name) if on_holiday and name else ""
        hol = holidays.country_holidays(self.country, subdiv=self.subdiv, years=d.year)
        return str(hol.get(d, ""))


def _distance(flags: npt.NDArray[np.bool_]) -> npt.NDArray[np.int8]:
    """Days since the last True (0 on a True day), clipped at NEAR_CLIP."""
    out = np.empty(flags.size, dtype=np.int8)
    run = NEAR_CLIP
    for i, f in enumerate(flags):
        run = 0 if f else min(run + 1, NEAR_CLIP)
        out[i] = run
    return out
