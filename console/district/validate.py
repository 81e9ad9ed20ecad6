"""Outline, areas, stations and points: read, checked against each other, turned into domain types.

Geometry checks use shapely in a local metric plane (so thresholds are in m²):
an area mostly outside the outline is an error; overlaps between areas and
gaps the areas leave inside the outline are warnings with their size and
place, because real responsibility maps have slivers a command room still
wants to hear about.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import shapely
from shapely.geometry import MultiPolygon, Polygon
from shapely.strtree import STRtree

from console.district.geojson import Feature, GeometryReader, Part
from console.district.problems import Problems
from console.district.roads import DistrictShape
from console.domain import Area, FixedPoint, LonLat, Station

OUTSIDE_SHARE = 0.01  # an area may stick out of the outline by 1 % (digitising slivers) ...
OUTSIDE_M2 = 50.0  # ... or by 50 m², whichever is larger
OVERLAP_M2 = 100.0  # overlaps and gaps smaller than these are not reported
GAP_M2 = 1000.0
MAX_CODE, MAX_NAME = 64, 200


def _text(f: Feature, key: str) -> str:
    v = f.properties.get(key)
    return str(v).strip() if v is not None else ""


def read_outline(
    features: Sequence[Feature], file: str, crs: str, problems: Problems
) -> tuple[LonLat, ...] | None:
    """The district outline: exactly one polygon (holes are not used)."""
    if len(features) != 1:
        problems.error(
            file, "", "", f"must hold exactly one feature (the outline), has {len(features)}"
        )
        return None
    got = GeometryReader(file, crs, problems).polygon(features[0])
    if got is None:
        return None
    parts, _ = got
    if len(parts) != 1:
        problems.error(
            file,
            features[0].where,
            "geometry",
            f"the outline must be one polygon, got {len(parts)} parts",
        )
        return None
    if len(parts[0]) > 1:
        problems.warning(file, features[0].where, "geometry", "holes in the outline are not used")
    return parts[0][0]


@dataclass
class Layout:
    """Stations, areas and points of a package, checked."""

    stations: list[Station]
    station_where: dict[str, str]
    areas: list[Area]
    fixed_points: list[FixedPoint]
    landmarks: dict[str, LonLat]


def _codes(
    f: Feature, file: str, problems: Problems, need_code: bool = True
) -> tuple[str, str] | None:
    code, name = _text(f, "code"), _text(f, "name")
    ok = True
    if need_code and not code:
        problems.error(file, f.where, "code", "empty")
        ok = False
    elif len(code) > MAX_CODE:
        problems.error(file, f.where, "code", f"longer than {MAX_CODE} characters")
        ok = False
    if not name:
        problems.error(file, f.where, "name", "empty")
        ok = False
    elif len(name) > MAX_NAME:
        problems.error(file, f.where, "name", f"longer than {MAX_NAME} characters")
        ok = False
    return (code, name) if ok else None


def read_stations(
    features: Sequence[Feature], file: str, crs: str, shape: DistrictShape, problems: Problems
) -> tuple[list[Station], dict[str, str]]:
    geo = GeometryReader(file, crs, problems)
    out: list[Station] = []
    where: dict[str, str] = {}
    for f in features:
        names = _codes(f, file, problems)
        pt = geo.point(f)
        if names is None or pt is None:
            continue
        code, name = names
        if code in where:
            problems.error(
                file, f.where, "code", f"duplicate station code {code!r} (also {where[code]})"
            )
            continue
        if not shape.inside(*pt):
            problems.error(
                file,
                f.where,
                "geometry",
                f"coordinates outside the district: station {code!r} at {pt}",
            )
            continue
        where[code] = f.where
        out.append(Station(code, name, pt[0], pt[1]))
    if not out and not problems.errors:
        problems.error(file, "", "", "no station: a district needs at least one")
    return out, where


def read_points(
    features: Sequence[Feature], file: str, crs: str, shape: DistrictShape, problems: Problems
) -> tuple[list[FixedPoint], dict[str, LonLat]]:
    """Fixed (1-minute) points and landmarks (``kind``; without it, a ``code`` means fixed)."""
    geo = GeometryReader(file, crs, problems)
    fixed: list[FixedPoint] = []
    landmarks: dict[str, LonLat] = {}
    seen: dict[str, str] = {}
    for f in features:
        kind = _text(f, "kind") or ("fixed_point" if _text(f, "code") else "landmark")
        if kind not in ("fixed_point", "landmark"):
            problems.error(file, f.where, "kind", f"must be fixed_point or landmark, got {kind!r}")
            continue
        names = _codes(f, file, problems, need_code=kind == "fixed_point")
        pt = geo.point(f)
        if names is None or pt is None:
            continue
        code, name = names
        if not shape.inside(*pt):
            problems.error(
                file, f.where, "geometry", f"coordinates outside the district: {name!r} at {pt}"
            )
            continue
        if kind == "landmark":
            landmarks[name] = pt
            continue
        if code in seen:
            problems.error(
                file, f.where, "code", f"duplicate point code {code!r} (also {seen[code]})"
            )
            continue
        seen[code] = f.where
        fixed.append(FixedPoint(code, name, pt[0], pt[1]))
    return fixed, landmarks


def read_areas(
    features: Sequence[Feature],
    file: str,
    crs: str,
    shape: DistrictShape,
    stations: set[str],
    problems: Problems,
) -> list[Area]:
    geo = GeometryReader(file, crs, problems)
    areas: list[Area] = []
    shapes_m: list[Polygon | MultiPolygon] = []
    seen: dict[str, str] = {}
    for f in features:
        names = _codes(f, file, problems)
        station = _text(f, "station")
        got = geo.polygon(f)
        if names is None or got is None:
            continue
        code, name = names
        if code in seen:
            problems.error(
                file, f.where, "code", f"duplicate area code {code!r} (also {seen[code]})"
            )
            continue
        seen[code] = f.where
        if station not in stations:
            problems.error(file, f.where, "station", f"station code unknown: {station!r}")
            continue
        parts, shp = got
        m = shape.to_m(shp)
        out = m.difference(shape.polygon_m).area
        if out > max(OUTSIDE_M2, OUTSIDE_SHARE * m.area):
            problems.error(
                file,
                f.where,
                "geometry",
                f"area outside the outline: {out:.0f} m² of area {code!r}"
                f" ({100 * out / m.area:.0f} %) lies outside the district",
            )
            continue
        areas.append(_area(code, name, station, parts, m))
        shapes_m.append(m)
    _overlaps_and_gaps(areas, shapes_m, shape, file, problems)
    return areas


def _area(code: str, name: str, station: str, parts: list[Part], m: Polygon | MultiPolygon) -> Area:
    sizes = [g.area for g in getattr(m, "geoms", [m])]
    biggest = max(range(len(parts)), key=lambda i: sizes[i] if i < len(sizes) else 0.0)
    simple = len(parts) == 1 and len(parts[0]) == 1
    return Area(code, name, station, parts[biggest][0], () if simple else tuple(parts))


def _near(shape: DistrictShape, g: Polygon | MultiPolygon) -> str:
    p = g.representative_point()
    lon, lat = shape.projection.to_lonlat(p.x, p.y)
    return f"({lon:.5f}, {lat:.5f})"


def _overlaps_and_gaps(
    areas: Sequence[Area],
    shapes_m: Sequence[Polygon | MultiPolygon],
    shape: DistrictShape,
    file: str,
    problems: Problems,
) -> None:
    if not shapes_m:
        return
    tree = STRtree(list(shapes_m))
    left, right = tree.query(list(shapes_m), predicate="intersects")
    for i, j in zip(left.tolist(), right.tolist(), strict=True):
        if i >= j:
            continue
        inter = shapes_m[i].intersection(shapes_m[j])
        if inter.area > OVERLAP_M2:
            problems.warning(
                file,
                "",
                "geometry",
                f"areas {areas[i].code!r} and {areas[j].code!r} overlap by {inter.area:.0f} m² "
                f"near {_near(shape, inter)}",
            )
    gap = shape.polygon_m.difference(shapely.union_all(list(shapes_m)))
    for g in getattr(gap, "geoms", [gap]):
        if g.area > GAP_M2:
            problems.warning(
                file,
                "",
                "geometry",
                f"gap between areas: {g.area:.0f} m² near {_near(shape, g)} belongs to no area",
            )
