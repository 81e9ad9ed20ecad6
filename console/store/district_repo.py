"""Districts and their forces: static layout in, live unit status kept.

``save_district`` is an idempotent upsert keyed by codes and call signs, so
loading the same (or an edited) district definition again updates rows in
place and never duplicates them; live state (unit status, positions, orders)
survives a reload.  Rows that disappeared from the definition are kept:
orders and history still point at them; with ``retire_missing`` they are
marked retired (``retired_at``) and ``load_district`` no longer returns them.
Roads, landmarks and the rest of a district package are stored by
:mod:`console.store.package_repo`, so ``load_district`` returns ``ways=[]``
and ``landmarks={}``.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any, TypeVar

from sqlalchemy import select
from sqlalchemy.orm import Session

from console.domain import (
    Area,
    District,
    FixedPoint,
    LonLat,
    Station,
    UnitSpec,
    UnitStatus,
)
from console.store.checks import enum_value, lonlat, now_or, text
from console.store.errors import StoreError
from console.store.models import (
    CODE,
    NAME,
    AreaRow,
    DistrictRow,
    FixedPointRow,
    IncidentRow,
    OfficerRow,
    StationRow,
    UnitRow,
)

R = TypeVar("R")
OfficerDetails = tuple[str, str, "str | None", "str | None"]  # name, kind, rank, phone


def _points(points: Iterable[Sequence[float]], what: str) -> list[list[float]]:
    out = [list(lonlat(p[0], p[1], what)) for p in points]
    if len(out) < 3:
        raise StoreError(f"{what} needs at least 3 points, got {len(out)}")
    return out


def _tuple_points(points: list[list[float]]) -> tuple[LonLat, ...]:
    return tuple((float(p[0]), float(p[1])) for p in points)


def _unique(codes: Iterable[str], what: str) -> None:
    seen: set[str] = set()
    for c in codes:
        if c in seen:
            raise StoreError(f"{what} {c!r} appears twice")
        seen.add(c)


def _by(session: Session, model: type[R], column: Any, keys: Sequence[str]) -> dict[str, R]:
    if not keys:
        return {}
    rows = session.scalars(select(model).where(column.in_(list(keys)))).all()
    return {getattr(r, column.key): r for r in rows}


class DistrictRepo:
    """Write and read a whole :class:`~console.domain.District` (minus roads)."""

    def __init__(self, session: Session) -> None:
        self.s = session

    def save_district(
        self,
        district: District,
        *,
        t: float | None = None,
        retire_missing: bool = False,
        officers: Mapping[str, OfficerDetails] | None = None,
    ) -> int:
        """Upsert the district with stations, areas, fixed points, units and members.

        Returns the district id.  ``t`` stamps ``status_since`` of new units
        (and ``retired_at`` of rows left out, with ``retire_missing``);
        ``officers`` gives name, kind, rank and phone by badge (default: the badge).
        Raises :class:`StoreError` for dangling references or codes owned by
        another district.
        """
        t = now_or(t)
        self._validate(district)
        d = self.s.scalars(select(DistrictRow).where(DistrictRow.code == district.code)).first()
        if d is None:
            d = DistrictRow(code=district.code)
            self.s.add(d)
        d.name = district.name
        d.approximate = bool(district.approximate)
        d.outline = _points(district.outline, f"district {district.code} outline")
        self.s.flush()

        stations = self._upsert_owned(
            StationRow, StationRow.code, district.stations, d.id, "station"
        )
        for st in district.stations:
            row = stations[st.code]
            row.name = st.name
            row.retired_at = None
            row.lon, row.lat = lonlat(st.lon, st.lat, f"station {st.code}")
        fixed = self._upsert_owned(
            FixedPointRow, FixedPointRow.code, district.fixed_points, d.id, "fixed point"
        )
        for fp in district.fixed_points:
            row_fp = fixed[fp.code]
            row_fp.name = fp.name
            row_fp.retired_at = None
            row_fp.lon, row_fp.lat = lonlat(fp.lon, fp.lat, f"fixed point {fp.code}")
        self.s.flush()

        areas = _by(self.s, AreaRow, AreaRow.code, [a.code for a in district.areas])
        for a in district.areas:
            area = areas.get(a.code)
            if area is None:
                area = areas[a.code] = AreaRow(code=a.code)
                self.s.add(area)
            else:
                owner = self.s.get(StationRow, area.station_id)
                if owner is None or owner.district_id != d.id:
                    raise StoreError(f"area {a.code!r} already belongs to another district")
            area.name = a.name
            area.station_id = stations[a.station_code].id
            area.polygon = _points(a.polygon, f"area {a.code} polygon")
            area.geometry = (
                [[_points(r, f"area {a.code} ring") for r in part] for part in a.parts]
                if a.parts
                else None
            )
            area.retired_at = None
        self.s.flush()

        self._save_units(district, d.id, stations, areas, fixed, t, officers or {})
        if retire_missing:
            self._retire(district, d.id, t)
        self.s.flush()
        return d.id

    def _retire(self, district: District, district_id: int, t: float) -> None:
        """Mark this district's rows that the new definition leaves out as retired."""
        keep_st = {s.code for s in district.stations}
        keep_ar = {a.code for a in district.areas}
        keep_fp = {f.code for f in district.fixed_points}
        keep_un = {u.call_sign for u in district.units}
        st_rows = self.s.scalars(select(StationRow).where(StationRow.district_id == district_id))
        st_ids = []
        for st in st_rows:
            st_ids.append(st.id)
            if st.code not in keep_st and st.retired_at is None:
                st.retired_at = t
        for ar in self.s.scalars(select(AreaRow).where(AreaRow.station_id.in_(st_ids))):
            if ar.code not in keep_ar and ar.retired_at is None:
                ar.retired_at = t
        for fp in self.s.scalars(
            select(FixedPointRow).where(FixedPointRow.district_id == district_id)
        ):
            if fp.code not in keep_fp and fp.retired_at is None:
                fp.retired_at = t
        for un in self.s.scalars(select(UnitRow).where(UnitRow.district_id == district_id)):
            if un.call_sign not in keep_un and un.retired_at is None:
                un.retired_at = t
                for off in self.s.scalars(select(OfficerRow).where(OfficerRow.unit_id == un.id)):
                    off.unit_id = None

    def _upsert_owned(
        self,
        model: type[Any],
        column: Any,
        items: Sequence[Station] | Sequence[FixedPoint],
        district_id: int,
        what: str,
    ) -> dict[str, Any]:
        rows: dict[str, Any] = _by(self.s, model, column, [i.code for i in items])
        for item in items:
            row = rows.get(item.code)
            if row is None:
                row = rows[item.code] = model(code=item.code, district_id=district_id)
                self.s.add(row)
            elif row.district_id != district_id:
                raise StoreError(f"{what} {item.code!r} already belongs to another district")
        return rows

    def _save_units(
        self,
        district: District,
        district_id: int,
        stations: dict[str, StationRow],
        areas: dict[str, AreaRow],
        fixed: dict[str, FixedPointRow],
        t: float,
        details: Mapping[str, OfficerDetails],
    ) -> None:
        units = _by(self.s, UnitRow, UnitRow.call_sign, [u.call_sign for u in district.units])
        for spec in district.units:
            unit = units.get(spec.call_sign)
            if unit is None:
                unit = units[spec.call_sign] = UnitRow(
                    call_sign=spec.call_sign,
                    district_id=district_id,
                    status=UnitStatus.AVAILABLE.value,
                    status_since=t,
                )
                self.s.add(unit)
            elif unit.district_id != district_id:
                raise StoreError(f"unit {spec.call_sign!r} already belongs to another district")
            unit.retired_at = None
            unit.unit_type = spec.unit_type
            unit.station_id = stations[spec.station_code].id if spec.station_code else None
            unit.area_id = areas[spec.area_code].id if spec.area_code else None
            unit.fixed_point_id = fixed[spec.fixed_point_code].id if spec.fixed_point_code else None
            unit.home_lon, unit.home_lat = lonlat(
                spec.home_lon, spec.home_lat, f"unit {spec.call_sign} home"
            )
        self.s.flush()
        self._save_members(district.units, units, details)

    def _save_members(
        self,
        specs: Sequence[UnitSpec],
        units: dict[str, UnitRow],
        details: Mapping[str, OfficerDetails],
    ) -> None:
        """Members are officer badges; an officer listed elsewhere moves to this unit."""
        badges = [b for spec in specs for b in spec.members]
        officers = _by(self.s, OfficerRow, OfficerRow.badge, badges)
        unit_ids = [u.id for u in units.values()]
        current = self.s.scalars(select(OfficerRow).where(OfficerRow.unit_id.in_(unit_ids))).all()
        listed = set(badges)
        for off in current:
            if off.badge not in listed:
                off.unit_id = None  # left the unit in the new definition
        for spec in specs:
            for badge in spec.members:
                officer = officers.get(badge)
                detail = details.get(badge)
                if officer is None:
                    officer = officers[badge] = OfficerRow(badge=badge, name=badge, kind="officer")
                    self.s.add(officer)
                held = (officer.name, officer.kind, officer.rank, officer.phone)
                if detail is not None and held != detail:
                    officer.name, officer.kind, officer.rank, officer.phone = detail
                officer.unit_id = units[spec.call_sign].id

    @staticmethod
    def _validate(d: District) -> None:
        text(d.code, "district code", CODE)
        text(d.name, f"district {d.code} name", NAME)
        for what, codes in (
            ("station", [s.code for s in d.stations]),
            ("area", [a.code for a in d.areas]),
            ("fixed point", [f.code for f in d.fixed_points]),
            ("unit", [u.call_sign for u in d.units]),
            ("officer badge", [b for u in d.units for b in u.members]),
        ):
            _unique(codes, what)
            for c in codes:
                text(c, f"{what} code", CODE)
        named: list[Station | Area | FixedPoint] = [*d.stations, *d.areas, *d.fixed_points]
        for item in named:
            text(item.name, f"name of {item.code}", NAME)
        stations = {s.code for s in d.stations}
        areas = {a.code for a in d.areas}
        fixed = {f.code for f in d.fixed_points}
        for a in d.areas:
            if a.station_code not in stations:
                raise StoreError(f"area {a.code!r} names unknown station {a.station_code!r}")
        for u in d.units:
            text(u.unit_type, f"unit {u.call_sign} type", CODE)
            for code, known, what in (
                (u.station_code, stations, "station"),
                (u.area_code, areas, "area"),
                (u.fixed_point_code, fixed, "fixed point"),
            ):
                if code is not None and code not in known:
                    raise StoreError(f"unit {u.call_sign!r} names unknown {what} {code!r}")

    def load_district(self, code: str) -> District:
        """The district as saved; ``ways`` and ``landmarks`` are empty (not stored)."""
        d = self.s.scalars(select(DistrictRow).where(DistrictRow.code == code)).first()
        if d is None:
            known = ", ".join(c for c, _ in self.list_districts()) or "none"
            raise StoreError(f"no district with code {code!r} in the database (known: {known})")
        stations = self.s.scalars(
            select(StationRow)
            .where(StationRow.district_id == d.id, StationRow.retired_at.is_(None))
            .order_by(StationRow.id)
        ).all()
        st_code = {s.id: s.code for s in stations}
        areas = (
            self.s.scalars(
                select(AreaRow)
                .where(AreaRow.station_id.in_(list(st_code)), AreaRow.retired_at.is_(None))
                .order_by(AreaRow.id)
            ).all()
            if st_code
            else []
        )
        fixed = self.s.scalars(
            select(FixedPointRow)
            .where(FixedPointRow.district_id == d.id, FixedPointRow.retired_at.is_(None))
            .order_by(FixedPointRow.id)
        ).all()
        units = self.s.scalars(
            select(UnitRow)
            .where(UnitRow.district_id == d.id, UnitRow.retired_at.is_(None))
            .order_by(UnitRow.id)
        ).all()
        members: dict[int, list[str]] = {}
        if units:
            officers = self.s.scalars(
                select(OfficerRow)
                .where(OfficerRow.unit_id.in_([u.id for u in units]))
                .order_by(OfficerRow.id)
            ).all()
            for o in officers:
                members.setdefault(o.unit_id or 0, []).append(o.badge)
        area_code = {a.id: a.code for a in areas}
        fp_code = {f.id: f.code for f in fixed}
        return District(
            code=d.code,
            name=d.name,
            approximate=d.approximate,
            outline=_tuple_points(d.outline),
            ways=[],
            stations=[Station(s.code, s.name, s.lon, s.lat) for s in stations],
            areas=[
                Area(
                    a.code,
                    a.name,
                    st_code[a.station_id],
                    _tuple_points(a.polygon),
                    tuple(tuple(_tuple_points(r) for r in part) for part in a.geometry or ()),
                )
                for a in areas
            ],
            fixed_points=[FixedPoint(f.code, f.name, f.lon, f.lat) for f in fixed],
            units=[
                UnitSpec(
                    call_sign=u.call_sign,
                    unit_type=u.unit_type,
                    station_code=st_code.get(u.station_id) if u.station_id else None,
                    area_code=area_code.get(u.area_id) if u.area_id else None,
                    home_lon=u.home_lon,
                    home_lat=u.home_lat,
                    members=tuple(members.get(u.id, ())),
                    fixed_point_code=fp_code.get(u.fixed_point_id) if u.fixed_point_id else None,
                )
                for u in units
            ],
        )

    def list_districts(self) -> list[tuple[str, str]]:
        """(code, name) of every stored district."""
        rows = self.s.execute(select(DistrictRow.code, DistrictRow.name).order_by(DistrictRow.id))
        return [(c, n) for c, n in rows]


class UnitRepo:
    """Units' live duty status (the static part is written by :class:`DistrictRepo`)."""

    def __init__(self, session: Session) -> None:
        self.s = session

    def list_units(
        self, district_code: str | None = None, *, include_retired: bool = False
    ) -> list[UnitRow]:
        """Units (of one district), oldest first; retired units only when asked for."""
        q = select(UnitRow).order_by(UnitRow.id)
        if not include_retired:
            q = q.where(UnitRow.retired_at.is_(None))
        if district_code is not None:
            q = q.join(DistrictRow, DistrictRow.id == UnitRow.district_id).where(
                DistrictRow.code == district_code
            )
        return list(self.s.scalars(q).all())

    def get(self, unit_id: int) -> UnitRow | None:
        return self.s.get(UnitRow, unit_id)

    def get_by_call_sign(self, call_sign: str) -> UnitRow | None:
        return self.s.scalars(select(UnitRow).where(UnitRow.call_sign == call_sign)).first()

    def ids_by_call_sign(self) -> dict[str, int]:
        return {c: i for c, i in self.s.execute(select(UnitRow.call_sign, UnitRow.id))}

    def set_status(
        self,
        unit_id: int,
        status: UnitStatus | str,
        *,
        t: float | None = None,
        incident_id: int | None = None,
    ) -> bool:
        """Set the duty status; returns False if nothing changed.

        ``incident_id`` binds the unit to an incident; becoming available or
        off duty releases it.  ``status_since`` moves only on a real change.
        """
        new = enum_value(UnitStatus, status, "unit status")
        unit = self.s.get(UnitRow, unit_id)
        if unit is None:
            raise StoreError(f"no unit with id {unit_id}")
        if incident_id is not None and self.s.get(IncidentRow, incident_id) is None:
            raise StoreError(f"no incident with id {incident_id}")
        incident = unit.current_incident_id
        if new in (UnitStatus.AVAILABLE, UnitStatus.OFF_DUTY):
            incident = None
        elif incident_id is not None:
            incident = incident_id
        if unit.status == new.value and unit.current_incident_id == incident:
            return False
        if unit.status != new.value:
            unit.status = new.value
            unit.status_since = now_or(t)
        unit.current_incident_id = incident
        self.s.flush()
        return True
