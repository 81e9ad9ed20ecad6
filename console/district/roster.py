"""Units, officers and the duty roster: the three CSV files a duty system exports.

- ``units.csv``: ``call_sign, unit_type, station, area, post, lon, lat`` — the
  unit's post is a fixed point code; its home position is ``lon``/``lat`` when
  given, else its post's, else its station's.
- ``officers.csv``: ``officer_id, name, rank, phone, unit, kind`` — ``unit`` is
  a call sign; a unit's members are its officers in file order.
- ``roster.csv``: ``date, shift, unit, officers, start, end`` — local times in
  the district's time zone; an end at or before the start is the next day.

:class:`DutyRoster` answers "who is on duty at t" and "which shift changes fall
between t0 and t1".  With a roster, a unit is on duty only during its shifts.
"""

from __future__ import annotations

import bisect
import datetime as dt
import itertools
import math
import re
import zoneinfo
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field

from console.district.csvread import Row
from console.district.model import Officer, Shift
from console.district.problems import Problems
from console.domain import LonLat, UnitSpec
from console.geo.crs import to_wgs84

UNIT_COLUMNS = ("call_sign", "unit_type"), ("station", "area", "post", "lon", "lat")
OFFICER_COLUMNS = ("officer_id", "name"), ("rank", "phone", "unit", "kind")
ROSTER_COLUMNS = ("date", "shift", "unit", "start", "end"), ("officers",)
_SPLIT = re.compile(r"[\s;|、,，]+")
_TIME = re.compile(r"^(\d{1,2}):(\d{2})(?::(\d{2}))?$")
MAX_CODE = 64


@dataclass
class Refs:
    """What unit rows may refer to (from the package's other files)."""

    stations: dict[str, LonLat]
    area_station: dict[str, str]
    posts: dict[str, LonLat]
    unit_types: set[str]
    inside: Callable[[float, float], bool]
    crs: str = "wgs84"
    file: str = "units.csv"


def _number(text: str) -> float | None:
    try:
        v = float(text)
    except ValueError:
        return None
    return v if math.isfinite(v) else None


def read_units(rows: Iterable[Row], refs: Refs, problems: Problems) -> list[UnitSpec]:
    """Unit specs from ``units.csv`` rows (members are filled in from the officers)."""
    f = refs.file
    seen: dict[str, int] = {}
    units: list[UnitSpec] = []
    for r in rows:
        cs, ut = r.get("call_sign"), r.get("unit_type")
        ok = True
        if not cs:
            problems.error(f, r.where, "call_sign", "empty")
            continue
        if len(cs) > MAX_CODE:
            problems.error(f, r.where, "call_sign", f"longer than {MAX_CODE} characters")
            ok = False
        if cs in seen:
            problems.error(
                f, r.where, "call_sign", f"duplicate call sign {cs!r} (first on line {seen[cs]})"
            )
            continue
        seen[cs] = r.line
        if ut not in refs.unit_types:
            problems.error(
                f,
                r.where,
                "unit_type",
                f"unknown unit type {ut!r} (known: {', '.join(sorted(refs.unit_types))})",
            )
            ok = False
        st, area, post = r.get("station") or None, r.get("area") or None, r.get("post") or None
        if st is not None and st not in refs.stations:
            problems.error(f, r.where, "station", f"station code unknown: {st!r}")
            ok = False
        if area is not None:
            owner = refs.area_station.get(area)
            if owner is None:
                problems.error(f, r.where, "area", f"area code unknown: {area!r}")
                ok = False
            elif st is None:
                st = owner
            elif owner != st:
                problems.error(
                    f, r.where, "area", f"area {area!r} belongs to station {owner!r}, not {st!r}"
                )
                ok = False
        if post is not None and post not in refs.posts:
            problems.error(f, r.where, "post", f"post (fixed point code) unknown: {post!r}")
            ok = False
        home = _home(r, refs, st, post, problems)
        if home is None or not ok:
            continue
        units.append(UnitSpec(cs, ut, st, area, home[0], home[1], (), post))
    return units


def _home(
    r: Row, refs: Refs, st: str | None, post: str | None, problems: Problems
) -> LonLat | None:
    f = refs.file
    lon_t, lat_t = r.get("lon"), r.get("lat")
    if lon_t or lat_t:
        lon, lat = _number(lon_t), _number(lat_t)
        if lon is None or lat is None or abs(lon) > 180 or abs(lat) > 90:
            problems.error(f, r.where, "lon/lat", f"not a position: {lon_t!r}, {lat_t!r}")
            return None
        x, y = to_wgs84([lon], [lat], refs.crs)
        lon, lat = float(x[0]), float(y[0])
        if not refs.inside(lon, lat):
            problems.error(
                f, r.where, "lon/lat", f"coordinates outside the district: ({lon_t}, {lat_t})"
            )
            return None
        return lon, lat
    if post is not None and post in refs.posts:
        return refs.posts[post]
    if st is not None and st in refs.stations:
        return refs.stations[st]
    if post is None and st is None:
        problems.error(f, r.where, "lon/lat", "no position: give lon/lat, a post or a station")
    return None


def read_officers(
    rows: Iterable[Row], units: Sequence[UnitSpec], problems: Problems, file: str = "officers.csv"
) -> list[Officer]:
    """Officers; each unit's ``members`` becomes its officers' ids in file order."""
    known = {u.call_sign for u in units}
    seen: dict[str, int] = {}
    out: list[Officer] = []
    for r in rows:
        oid, name = r.get("officer_id"), r.get("name")
        if not oid:
            problems.error(file, r.where, "officer_id", "empty")
            continue
        if len(oid) > MAX_CODE:
            problems.error(file, r.where, "officer_id", f"longer than {MAX_CODE} characters")
            continue
        if oid in seen:
            problems.error(
                file,
                r.where,
                "officer_id",
                f"duplicate officer id {oid!r} (first on line {seen[oid]})",
            )
            continue
        seen[oid] = r.line
        if not name:
            problems.error(file, r.where, "name", "empty")
            continue
        unit = r.get("unit")
        if not unit:
            problems.warning(file, r.where, "unit", f"officer {oid!r} is in no unit: left out")
            continue
        if unit not in known:
            problems.error(file, r.where, "unit", f"unit call sign unknown: {unit!r}")
            continue
        kind = r.get("kind") or ("auxiliary" if "辅" in r.get("rank") else "officer")
        if kind not in ("officer", "auxiliary"):
            problems.error(file, r.where, "kind", f"must be officer or auxiliary, got {kind!r}")
            continue
        out.append(Officer(oid, name, r.get("rank"), r.get("phone"), unit, kind))
    return out


def with_members(units: Sequence[UnitSpec], officers: Sequence[Officer]) -> list[UnitSpec]:
    """Units with ``members`` set from the officers list (order kept)."""
    members: dict[str, list[str]] = {}
    for o in officers:
        if o.unit:
            members.setdefault(o.unit, []).append(o.officer_id)
    return [
        UnitSpec(
            u.call_sign,
            u.unit_type,
            u.station_code,
            u.area_code,
            u.home_lon,
            u.home_lat,
            tuple(members.get(u.call_sign, ())),
            u.fixed_point_code,
        )
        for u in units
    ]


def _date(text: str) -> dt.date | None:
    try:
        return dt.date.fromisoformat(text.replace("/", "-"))
    except ValueError:
        return None


def _clock(text: str) -> dt.time | None:
    m = _TIME.match(text)
    if m is None:
        return None
    h, mi, s = int(m.group(1)), int(m.group(2)), int(m.group(3) or 0)
    if h == 24 and mi == 0 and s == 0:
        return dt.time(0, 0)  # "24:00" = midnight, the end of the day
    if h > 23 or mi > 59 or s > 59:
        return None
    return dt.time(h, mi, s)


def read_roster(
    rows: Iterable[Row],
    units: Sequence[UnitSpec],
    officers: Sequence[Officer],
    time_zone: str,
    problems: Problems,
    file: str = "roster.csv",
) -> list[Shift]:
    """Shifts with start and end as unix seconds (local times in ``time_zone``)."""
    tz = zoneinfo.ZoneInfo(time_zone)
    known = {u.call_sign for u in units}
    ids = {o.officer_id for o in officers}
    shifts: list[Shift] = []
    for r in rows:
        day = _date(r.get("date"))
        start_t, end_t = _clock(r.get("start")), _clock(r.get("end"))
        unit = r.get("unit")
        bad = False
        for value, fld, what in (
            (day, "date", "not a date (YYYY-MM-DD)"),
            (start_t, "start", "not a time (HH:MM)"),
            (end_t, "end", "not a time (HH:MM)"),
        ):
            if value is None:
                problems.error(file, r.where, fld, f"{what}: {r.get(fld)!r}")
                bad = True
        if not r.get("shift"):
            problems.error(file, r.where, "shift", "empty")
            bad = True
        if unit not in known:
            problems.error(file, r.where, "unit", f"unit call sign unknown: {unit!r}")
            bad = True
        crew = tuple(x for x in _SPLIT.split(r.get("officers")) if x)
        unknown = [x for x in crew if x not in ids]
        if unknown:
            problems.error(
                file, r.where, "officers", f"officer id(s) unknown: {', '.join(unknown)}"
            )
            bad = True
        if bad or day is None or start_t is None or end_t is None:
            continue
        start = dt.datetime.combine(day, start_t, tz)
        end_day = day if end_t > start_t else day + dt.timedelta(days=1)
        end = dt.datetime.combine(end_day, end_t, tz)
        shifts.append(
            Shift(day.isoformat(), r.get("shift"), unit, start.timestamp(), end.timestamp(), crew)
        )
    _overlaps(shifts, problems, file)
    return shifts


def _overlaps(shifts: Sequence[Shift], problems: Problems, file: str) -> None:
    by_unit: dict[str, list[Shift]] = {}
    for s in shifts:
        by_unit.setdefault(s.unit, []).append(s)
    for unit, items in by_unit.items():
        items.sort(key=lambda s: s.start)
        for a, b in itertools.pairwise(items):
            if b.start < a.end:
                problems.warning(
                    file,
                    "",
                    "start",
                    f"unit {unit!r}: shift {b.day} {b.shift} starts before {a.day} {a.shift} ends",
                )


@dataclass
class DutyRoster:
    """Who is on duty when.  Without shifts every unit is always on duty."""

    shifts: Sequence[Shift]
    _by_unit: dict[str, list[tuple[float, float]]] = field(init=False)
    _lines: dict[str, list[Shift]] = field(init=False)
    _events: list[tuple[float, str]] = field(init=False)

    def __post_init__(self) -> None:
        self._by_unit = {}
        self._lines = {}
        events: set[tuple[float, str]] = set()
        for s in self.shifts:
            self._by_unit.setdefault(s.unit, []).append((s.start, s.end))
            self._lines.setdefault(s.unit, []).append(s)
            events.add((s.start, s.unit))
            events.add((s.end, s.unit))
        for spans in self._by_unit.values():
            spans.sort()
        for lines in self._lines.values():
            lines.sort(key=lambda s: (s.start, s.end))
        self._events = sorted(events)

    @property
    def active(self) -> bool:
        """True when the district has a roster at all."""
        return bool(self.shifts)

    def on_duty(self, call_sign: str, t: float) -> bool:
        if not self.shifts:
            return True
        return any(a <= t < b for a, b in self._by_unit.get(call_sign, ()))

    def line_at(self, call_sign: str, t: float) -> Shift | None:
        """The roster line that decides the unit's duty at ``t``: the shift it is on, else
        the last one that ended (None before its first), so a duty change names its line."""
        last = None
        for s in self._lines.get(call_sign, ()):
            if s.start <= t < s.end:
                return s
            if s.end <= t:
                last = s
        return last

    def changes(self, t0: float, t1: float) -> list[tuple[float, str, bool]]:
        """(time, call sign, on duty after it) for every shift boundary in (t0, t1]."""
        lo = bisect.bisect_right(self._events, (t0, "\uffff"))
        hi = bisect.bisect_right(self._events, (t1, "\uffff"))
        out = []
        for t, unit in self._events[lo:hi]:
            out.append((t, unit, self.on_duty(unit, t)))
        return out
