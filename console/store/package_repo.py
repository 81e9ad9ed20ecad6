"""District packages in the store: versions, packed roads, roster, places, officer details.

A district import writes, in the caller's one transaction, a new row of
``district_versions`` (what was loaded, by whom, what changed) with its road
network packed into ``district_roads`` (msgpack of flat arrays, zlib: a
200,000-node city is a few megabytes and loads in milliseconds), replaces
the district's roster (``duty_shifts``) and places (``places``: landmarks,
addresses, named buildings) and upserts stations, areas, units and officers
through :class:`~console.store.district_repo.DistrictRepo` (rows left out are
retired, never deleted: incidents, orders and audit still point at them).
"""

from __future__ import annotations

import zlib
from typing import Any

import msgspec
import numpy as np
from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from console.district.model import DistrictPackage, Officer, PackageInfo, Place, Shift
from console.domain import RoadClass, Way
from console.geo.turns import TurnRestriction
from console.store.district_repo import DistrictRepo
from console.store.errors import StoreError
from console.store.models import (
    DistrictRoadsRow,
    DistrictRow,
    DistrictVersionRow,
    DutyShiftRow,
    OfficerRow,
    PlaceRow,
    UnitRow,
)

ROADS_FORMAT = "ways-v1"


class _Roads(msgspec.Struct):
    names: list[str]
    road_class: bytes  # int8 per way
    oneway: bytes  # uint8 per way
    speed: bytes  # float64 per way, NaN = by class
    counts: bytes  # int64 vertices per way
    coords: bytes  # float64 (n, 2) lon, lat
    turns: bytes  # float64 (k, 6) from, via, to
    only: bytes  # uint8 per turn


def pack_roads(ways: list[Way], turns: list[TurnRestriction]) -> bytes:
    """Ways and turn restrictions as one compressed blob."""
    coords = np.array([p for w in ways for p in w.coords], dtype=np.float64).reshape(-1, 2)
    body = _Roads(
        names=[w.name for w in ways],
        road_class=np.array([int(w.road_class) for w in ways], dtype=np.int8).tobytes(),
        oneway=np.array([bool(w.oneway) for w in ways], dtype=np.uint8).tobytes(),
        speed=np.array(
            [np.nan if w.speed_kmh is None else w.speed_kmh for w in ways], dtype=np.float64
        ).tobytes(),
        counts=np.array([len(w.coords) for w in ways], dtype=np.int64).tobytes(),
        coords=coords.tobytes(),
        turns=np.array([[*r.from_pt, *r.via, *r.to_pt] for r in turns], dtype=np.float64).tobytes(),
        only=np.array([bool(r.only) for r in turns], dtype=np.uint8).tobytes(),
    )
    return zlib.compress(msgspec.msgpack.encode(body), 1)


def unpack_roads(data: bytes) -> tuple[list[Way], list[TurnRestriction]]:
    """The inverse of :func:`pack_roads`."""
    try:
        body = msgspec.msgpack.decode(zlib.decompress(data), type=_Roads)
    except (zlib.error, msgspec.DecodeError) as exc:
        raise StoreError(f"stored road network is damaged: {exc}") from None
    counts = np.frombuffer(body.counts, dtype=np.int64)
    coords = np.frombuffer(body.coords, dtype=np.float64).reshape(-1, 2)
    classes = np.frombuffer(body.road_class, dtype=np.int8).tolist()
    oneway = np.frombuffer(body.oneway, dtype=np.uint8).tolist()
    speed = np.frombuffer(body.speed, dtype=np.float64).tolist()
    xs, ys = coords[:, 0].tolist(), coords[:, 1].tolist()
    ways: list[Way] = []
    at = 0
    for k, n in enumerate(counts.tolist()):
        pts = tuple(zip(xs[at : at + n], ys[at : at + n], strict=True))
        at += n
        sp = speed[k]
        ways.append(
            Way(
                body.names[k], RoadClass(classes[k]), bool(oneway[k]), pts, None if sp != sp else sp
            )
        )
    t = np.frombuffer(body.turns, dtype=np.float64).reshape(-1, 6).tolist()
    only = np.frombuffer(body.only, dtype=np.uint8).tolist()
    turns = [
        TurnRestriction((r[0], r[1]), (r[2], r[3]), (r[4], r[5]), bool(o))
        for r, o in zip(t, only, strict=True)
    ]
    return ways, turns


def _info_dict(info: PackageInfo) -> dict[str, Any]:
    out: dict[str, Any] = msgspec.to_builtins(info)
    return out


class PackageRepo:
    """Store and read whole district packages (as versions)."""

    def __init__(self, session: Session) -> None:
        self.s = session

    # ---- reading ---------------------------------------------------------------------------

    def districts(self) -> list[tuple[str, str, bool, int]]:
        """(code, name, approximate, newest version or 0) of every stored district."""
        newest = (
            select(DistrictVersionRow.district_id, func.max(DistrictVersionRow.version).label("v"))
            .group_by(DistrictVersionRow.district_id)
            .subquery()
        )
        rows = self.s.execute(
            select(DistrictRow.code, DistrictRow.name, DistrictRow.approximate, newest.c.v)
            .outerjoin(newest, newest.c.district_id == DistrictRow.id)
            .order_by(DistrictRow.id)
        )
        return [(c, n, bool(a), int(v or 0)) for c, n, a, v in rows]

    def newest_version(self, code: str) -> DistrictVersionRow | None:
        return self.s.scalars(
            select(DistrictVersionRow)
            .join(DistrictRow, DistrictRow.id == DistrictVersionRow.district_id)
            .where(DistrictRow.code == code)
            .order_by(DistrictVersionRow.version.desc())
        ).first()

    def versions(self, code: str) -> list[DistrictVersionRow]:
        return list(
            self.s.scalars(
                select(DistrictVersionRow)
                .join(DistrictRow, DistrictRow.id == DistrictVersionRow.district_id)
                .where(DistrictRow.code == code)
                .order_by(DistrictVersionRow.version)
            )
        )

    def load(self, code: str, *, roads: bool = True) -> DistrictPackage:
        """The district as stored (its newest version's roads); StoreError if unknown."""
        district = DistrictRepo(self.s).load_district(code)
        d_id = self.s.scalars(select(DistrictRow.id).where(DistrictRow.code == code)).one()
        ver = self.newest_version(code)
        info = PackageInfo(code, district.name, approximate=district.approximate)
        ways: list[Way] = []
        turns: list[TurnRestriction] = []
        if ver is not None:
            m = dict(ver.manifest)
            info = PackageInfo(
                code=code,
                name=district.name,
                time_zone=str(m.get("time_zone", info.time_zone)),
                crs=str(m.get("crs", info.crs)),
                approximate=district.approximate,
                margin_m=float(m.get("margin_m", info.margin_m)),
                include_pedestrian=bool(m.get("include_pedestrian", False)),
            )
            if roads:
                blob = self.s.get(DistrictRoadsRow, ver.id)
                if blob is not None:
                    ways, turns = unpack_roads(blob.data)
        district.ways = ways
        places = [
            Place(p.name, p.kind, p.lon, p.lat, p.street or "", p.number or "")
            for p in self.s.scalars(
                select(PlaceRow).where(PlaceRow.district_id == d_id).order_by(PlaceRow.id)
            )
        ]
        district.landmarks = {p.name: (p.lon, p.lat) for p in places if p.kind == "landmark"}
        others = [p for p in places if p.kind != "landmark"]
        return DistrictPackage(
            info,
            district,
            turns,
            self._officers(d_id),
            self._shifts(d_id),
            others,
            "store",
        )

    def _officers(self, district_id: int) -> list[Officer]:
        rows = self.s.execute(
            select(OfficerRow, UnitRow.call_sign)
            .join(UnitRow, UnitRow.id == OfficerRow.unit_id)
            .where(UnitRow.district_id == district_id, UnitRow.retired_at.is_(None))
            .order_by(OfficerRow.id)
        ).all()
        return [Officer(o.badge, o.name, o.rank or "", o.phone or "", cs, o.kind) for o, cs in rows]

    def _shifts(self, district_id: int) -> list[Shift]:
        rows = self.s.execute(
            select(DutyShiftRow, UnitRow.call_sign)
            .join(UnitRow, UnitRow.id == DutyShiftRow.unit_id)
            .where(DutyShiftRow.district_id == district_id)
            .order_by(DutyShiftRow.id)
        ).all()
        return [
            Shift(r.day, r.shift, cs, r.start_at, r.end_at, tuple(r.officers)) for r, cs in rows
        ]

    # ---- writing ---------------------------------------------------------------------------

    def save(
        self,
        pkg: DistrictPackage,
        *,
        t: float,
        actor: str,
        source: str = "",
        summary: dict[str, Any] | None = None,
        packed_roads: bytes | None = None,
    ) -> int:
        """Write ``pkg`` as the district's next version; returns the version number.

        ``packed_roads`` is ``pack_roads(ways, restrictions)`` if the caller has it already."""
        details = {
            o.officer_id: (o.name, o.kind, o.rank or None, o.phone or None) for o in pkg.officers
        }
        d_id = DistrictRepo(self.s).save_district(
            pkg.district, t=t, retire_missing=True, officers=details
        )
        units = {
            cs: uid
            for cs, uid in self.s.execute(
                select(UnitRow.call_sign, UnitRow.id).where(UnitRow.district_id == d_id)
            )
        }
        self.s.execute(delete(DutyShiftRow).where(DutyShiftRow.district_id == d_id))
        self.s.add_all(
            DutyShiftRow(
                district_id=d_id,
                unit_id=units[sh.unit],
                day=sh.day,
                shift=sh.shift,
                start_at=sh.start,
                end_at=sh.end,
                officers=list(sh.officers),
            )
            for sh in pkg.shifts
        )
        self.s.execute(delete(PlaceRow).where(PlaceRow.district_id == d_id))
        landmarks = [
            Place(name, "landmark", ll[0], ll[1]) for name, ll in pkg.district.landmarks.items()
        ]
        self.s.add_all(
            PlaceRow(
                district_id=d_id,
                name=p.name,
                kind=p.kind,
                lon=p.lon,
                lat=p.lat,
                street=p.street or None,
                number=p.number or None,
            )
            for p in [*landmarks, *pkg.places]
        )
        last = self.s.scalar(
            select(func.max(DistrictVersionRow.version)).where(
                DistrictVersionRow.district_id == d_id
            )
        )
        version = int(last or 0) + 1
        row = DistrictVersionRow(
            district_id=d_id,
            version=version,
            created_at=t,
            created_by=actor,
            source=source,
            manifest=_info_dict(pkg.info),
            summary=summary or {},
        )
        self.s.add(row)
        self.s.flush()
        ways = pkg.district.ways
        self.s.add(
            DistrictRoadsRow(
                version_id=row.id,
                format=ROADS_FORMAT,
                n_ways=len(ways),
                n_vertices=sum(len(w.coords) for w in ways),
                n_restrictions=len(pkg.restrictions),
                data=packed_roads or pack_roads(ways, pkg.restrictions),
            )
        )
        self.s.flush()
        return version
