"""Place names for the intake's search: the gazetteer CSV and the OSM addresses.

``gazetteer.csv``: ``name, kind, lon, lat, street, number``.  A row may give
only ``street`` and ``number``; its name is then the address as an operator
types it ("南京东路" + "300" -> "南京东路300号", see
:func:`console.geo.osm_network.address_name`).  ``kind`` is ``address``
(default), ``building`` or ``landmark``.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable

from console.district.csvread import Row
from console.district.model import Place
from console.district.problems import Problems
from console.geo.crs import to_wgs84
from console.geo.osm_network import OsmAddress, address_name

COLUMNS = ("lon", "lat"), ("name", "kind", "street", "number")
KINDS = ("address", "building", "landmark")
MAX_NAME = 200


def read_gazetteer(
    rows: Iterable[Row],
    crs: str,
    inside: Callable[[float, float], bool],
    problems: Problems,
    file: str = "gazetteer.csv",
) -> list[Place]:
    """Places from the gazetteer rows, converted to WGS-84 and checked to lie in the district."""
    out: list[Place] = []
    for r in rows:
        street, number = r.get("street"), r.get("number")
        name = r.get("name") or (address_name(street, number) if street and number else "")
        if not name:
            problems.error(file, r.where, "name", "empty (give a name, or street and number)")
            continue
        if len(name) > MAX_NAME:
            problems.error(file, r.where, "name", f"longer than {MAX_NAME} characters")
            continue
        kind = r.get("kind") or "address"
        if kind not in KINDS:
            problems.error(
                file, r.where, "kind", f"must be one of {', '.join(KINDS)}, got {kind!r}"
            )
            continue
        try:
            lon, lat = float(r.get("lon")), float(r.get("lat"))
        except ValueError:
            problems.error(
                file, r.where, "lon/lat", f"not a position: {r.get('lon')!r}, {r.get('lat')!r}"
            )
            continue
        if not (math.isfinite(lon) and math.isfinite(lat)) or abs(lon) > 180 or abs(lat) > 90:
            problems.error(file, r.where, "lon/lat", f"not a position: {lon}, {lat}")
            continue
        x, y = to_wgs84([lon], [lat], crs)
        wlon, wlat = float(x[0]), float(y[0])
        if not inside(wlon, wlat):
            problems.error(
                file, r.where, "lon/lat", f"coordinates outside the district: ({lon}, {lat})"
            )
            continue
        out.append(Place(name, kind, wlon, wlat, street, number))
    return out


def osm_places(
    addresses: Iterable[OsmAddress], inside: Callable[[float, float], bool]
) -> list[Place]:
    """OSM addresses inside the district as places (outside ones are dropped silently)."""
    return [
        Place(a.name[:MAX_NAME], a.kind, a.lon, a.lat, a.street, a.number)
        for a in addresses
        if inside(a.lon, a.lat)
    ]


def merge_places(*groups: Iterable[Place]) -> list[Place]:
    """Places of several sources, the first of equal (name, kind) kept."""
    seen: set[tuple[str, str]] = set()
    out: list[Place] = []
    for group in groups:
        for p in group:
            key = (p.name, p.kind)
            if key not in seen:
                seen.add(key)
                out.append(p)
    return out
