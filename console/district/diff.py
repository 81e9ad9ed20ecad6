"""What a re-import changes: units added, removed and moved, and the rest in counts.

Printed by ``main.py district import`` and kept in the new version's summary,
so a command room can see what the GIS team's new export did before going on.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

from console.district.model import DistrictPackage
from console.domain import UnitSpec
from console.geo.coords import haversine_m

MOVED_M = 1.0  # a home position shifted by less than this is the same


@dataclass(frozen=True)
class Change:
    """One change of one item between the stored version and the package."""

    what: str  # "unit" | "station" | "area" | "fixed point" | "roads" | ...
    key: str
    kind: str  # "added" | "removed" | "moved" | "changed"
    detail: str = ""

    def __str__(self) -> str:
        return f"{self.what} {self.key} {self.kind}" + (f": {self.detail}" if self.detail else "")


def roads_digest(packed_roads: bytes) -> str:
    """A short fingerprint of the road network (of its packed form, see package_repo)."""
    return hashlib.sha256(packed_roads).hexdigest()[:16]


def _unit_moves(old: UnitSpec, new: UnitSpec) -> str:
    parts = []
    for label, a, b in (
        ("type", old.unit_type, new.unit_type),
        ("station", old.station_code, new.station_code),
        ("area", old.area_code, new.area_code),
        ("post", old.fixed_point_code, new.fixed_point_code),
    ):
        if a != b:
            parts.append(f"{label} {a or '-'} -> {b or '-'}")
    d = haversine_m(old.home_lon, old.home_lat, new.home_lon, new.home_lat)
    if d >= MOVED_M:
        parts.append(f"home moved {d:.0f} m")
    if old.members != new.members:
        parts.append("crew changed")
    return ", ".join(parts)


def diff(
    old: DistrictPackage | None, new: DistrictPackage, old_digest: str = "", new_digest: str = ""
) -> list[Change]:
    """Changes from ``old`` (None: a first import) to ``new``."""
    if old is None:
        return []
    out: list[Change] = []
    ou = {u.call_sign: u for u in old.district.units}
    nu = {u.call_sign: u for u in new.district.units}
    out += [Change("unit", k, "added", nu[k].unit_type) for k in nu if k not in ou]
    out += [Change("unit", k, "removed", ou[k].unit_type) for k in ou if k not in nu]
    for k in nu:
        if k in ou:
            detail = _unit_moves(ou[k], nu[k])
            if detail:
                kind = (
                    "moved"
                    if any(w in detail for w in ("station", "area", "post", "home"))
                    else "changed"
                )
                out.append(Change("unit", k, kind, detail))
    for what, olds, news in (
        ("station", old.district.stations, new.district.stations),
        ("area", old.district.areas, new.district.areas),
        ("fixed point", old.district.fixed_points, new.district.fixed_points),
    ):
        o = {x.code: x for x in olds}
        n = {x.code: x for x in news}
        out += [Change(what, k, "added") for k in n if k not in o]
        out += [Change(what, k, "removed") for k in o if k not in n]
        out += [Change(what, k, "changed") for k in n if k in o and n[k] != o[k]]
    if old_digest and old_digest != new_digest:
        out.append(Change("roads", "network", "changed", f"{len(new.district.ways)} ways now"))
    oo = {o.officer_id for o in old.officers}
    no = {o.officer_id for o in new.officers}
    if oo != no:
        out.append(
            Change("officers", "list", "changed", f"{len(no - oo)} added, {len(oo - no)} removed")
        )
    if len(old.shifts) != len(new.shifts) or old.shifts != new.shifts:
        out.append(Change("roster", "shifts", "changed", f"{len(old.shifts)} -> {len(new.shifts)}"))
    return out


def counts(pkg: DistrictPackage) -> dict[str, int]:
    d = pkg.district
    return {
        "stations": len(d.stations),
        "areas": len(d.areas),
        "fixed_points": len(d.fixed_points),
        "units": len(d.units),
        "officers": len(pkg.officers),
        "shifts": len(pkg.shifts),
        "places": len(pkg.places) + len(d.landmarks),
        "ways": len(d.ways),
        "road_vertices": sum(len(w.coords) for w in d.ways),
        "turn_restrictions": len(pkg.restrictions),
        "road_points_left_out": int(pkg.road_points_left_out),
    }
