"""More patrol units for the demo, so the demo can be run at any size.

Load tests need a hub serving thousands of units (``main.py simulate --terminals 5000``
against ``main.py hub --demo --demo-units 5000``).  The demo package keeps its own 142
units; :func:`with_units` adds patrol groups after it is loaded, so the one loading path
(package -> store -> hub) stays the only one.  The extra units are deterministic (the
same N always gives the same units), stand on road vertices spread over the whole
district, carry the station and area they stand in, and are labelled as demo units
(call signs ``演示-00001`` ...), like everything else in the approximate demo.
"""

from __future__ import annotations

import dataclasses

import numpy as np

from console.district.model import DistrictPackage
from console.domain import Area, District, RoadClass, UnitSpec
from console.polygon import area_index, contains

PREFIX = "演示-"
"""Call sign prefix of the generated units: the demo label."""
UNIT_TYPE = "patrol_group"
SEED = 20_260_529
MAX_UNITS = 100_000


def call_sign(k: int) -> str:
    """The ``k``-th generated unit's call sign (1-based)."""
    return f"{PREFIX}{k:05d}"


def _road_points(district: District) -> np.ndarray:
    """Unique drivable road vertices inside the district outline, in a fixed order."""
    pts = {
        (round(float(x), 7), round(float(y), 7))
        for w in district.ways
        if w.road_class != RoadClass.PEDESTRIAN
        for x, y in w.coords
    }
    arr = np.array(sorted(pts), dtype=np.float64).reshape(-1, 2)
    if not len(arr):
        raise ValueError(f"district {district.code} has no drivable road to place units on")
    inside = contains(district.outline, arr[:, 0], arr[:, 1])
    return arr[np.asarray(inside, dtype=bool)]


def _areas_of(areas: list[Area], lon: np.ndarray, lat: np.ndarray) -> np.ndarray:
    """Index into ``areas`` of the area each point lies in (-1: none; holes excluded)."""
    return area_index(areas, lon, lat)


def extra_units(district: District, n: int, seed: int = SEED) -> list[UnitSpec]:
    """``n`` patrol groups on road vertices spread over ``district`` (deterministic)."""
    if not 0 <= n <= MAX_UNITS:
        raise ValueError(f"extra demo units: 0 to {MAX_UNITS}, not {n}")
    if n == 0:
        return []
    pts = _road_points(district)
    rng = np.random.default_rng(seed)
    # every vertex once before any twice: spread first, then stack where roads are dense
    order = np.concatenate([rng.permutation(len(pts)) for _ in range(-(-n // len(pts)))])[:n]
    lon, lat = pts[order, 0], pts[order, 1]
    where = _areas_of(district.areas, lon, lat)
    out: list[UnitSpec] = []
    for k in range(n):
        a = int(where[k])
        area = district.areas[a] if a >= 0 else (district.areas[0] if district.areas else None)
        out.append(
            UnitSpec(
                call_sign=call_sign(k + 1),
                unit_type=UNIT_TYPE,
                station_code=area.station_code if area is not None else None,
                area_code=area.code if area is not None else None,
                home_lon=float(lon[k]),
                home_lat=float(lat[k]),
            )
        )
    return out


def with_units(pkg: DistrictPackage, total: int) -> DistrictPackage:
    """The demo package with generated patrol groups added to reach ``total`` units.

    ``total`` below the package's own count is refused (the package's units are the
    demo); equal to it, the package is returned as it is."""
    base = len(pkg.district.units)
    if total < base:
        raise ValueError(
            f"the demo has {base} units of its own: --demo-units must be {base} or more"
        )
    if not pkg.info.approximate:
        raise ValueError("generated units are for the approximate demo district only")
    if total == base:
        return pkg
    taken = {u.call_sign for u in pkg.district.units}
    added = [u for u in extra_units(pkg.district, total - base) if u.call_sign not in taken]
    district = dataclasses.replace(pkg.district, units=[*pkg.district.units, *added])
    return dataclasses.replace(pkg, district=district)
