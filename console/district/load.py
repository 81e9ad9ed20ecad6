"""Read and check a whole district package: every file, every cross-reference, in one pass.

``load_package`` is the one way in for a real district and for the demo
(which is written as a package by :mod:`console.demo.package`).  It never
stops at the first problem: each file is read and checked as far as the
files it depends on allow, and if any error was found it raises one
:class:`~console.district.problems.PackageError` listing them all.
"""

from __future__ import annotations

from pathlib import Path

from console.config import Config
from console.district import csvread, gazetteer, roster
from console.district.geojson import Feature, read_features
from console.district.model import DistrictPackage, Place
from console.district.package import Manifest, read_manifest
from console.district.problems import PackageError, Problem, Problems
from console.district.roads import (
    RESTRICTION_COLUMNS,
    DistrictShape,
    check_network,
    is_osm,
    read_geojson_roads,
    read_osm_roads,
    read_restrictions,
)
from console.district.validate import read_areas, read_outline, read_points, read_stations
from console.domain import District, FixedPoint, LonLat, Way
from console.geo.turns import TurnRestriction


def load_package(directory: str | Path, config: Config) -> tuple[DistrictPackage, list[Problem]]:
    """The checked package and its warnings; raises PackageError naming every error."""
    directory = Path(directory)
    problems = Problems()
    manifest = read_manifest(directory, problems)
    if manifest is None:
        raise PackageError(problems.items, str(directory))
    pkg = _load(manifest, config, problems)
    if problems or pkg is None:
        raise PackageError(problems.items, str(directory))
    return pkg, problems.warnings


def _features(m: Manifest, key: str, problems: Problems) -> list[Feature] | None:
    path = m.files.get(key)
    return None if path is None else read_features(path, problems)


def _load(m: Manifest, config: Config, problems: Problems) -> DistrictPackage | None:
    info = m.info
    name = m.name_of
    outline_f = _features(m, "outline", problems)
    outline = (
        None if outline_f is None else read_outline(outline_f, name("outline"), info.crs, problems)
    )
    if outline is None:
        return None  # nothing else can be checked without the outline
    shape = DistrictShape(outline, info.margin_m)
    stations_f = _features(m, "stations", problems) or []
    stations, st_where = read_stations(stations_f, name("stations"), info.crs, shape, problems)
    areas_f = _features(m, "areas", problems) or []
    areas = read_areas(areas_f, name("areas"), info.crs, shape, set(st_where), problems)
    fixed: list[FixedPoint] = []
    landmarks: dict[str, LonLat] = {}
    if "points" in m.files:
        points_f = _features(m, "points", problems) or []
        fixed, landmarks = read_points(points_f, name("points"), info.crs, shape, problems)

    ways, restrictions, osm_places, source, left_out = _roads(m, shape, problems)
    if ways:
        check_network(
            ways,
            restrictions,
            [(s, st_where[s.code]) for s in stations],
            config.road_speeds,
            name("roads"),
            name("stations"),
            problems,
        )

    refs = roster.Refs(
        stations={s.code: (s.lon, s.lat) for s in stations},
        area_station={a.code: a.station_code for a in areas},
        posts={f.code: (f.lon, f.lat) for f in fixed},
        unit_types=set(config.unit_types),
        inside=shape.inside,
        crs=info.crs,
        file=name("units"),
    )
    units_rows = _rows(m, "units", roster.UNIT_COLUMNS, problems) or []
    units = roster.read_units(units_rows, refs, problems)
    officers = []
    if "officers" in m.files:
        rows = _rows(m, "officers", roster.OFFICER_COLUMNS, problems) or []
        officers = roster.read_officers(rows, units, problems, name("officers"))
    units = roster.with_members(units, officers)
    shifts = []
    if "roster" in m.files:
        rows = _rows(m, "roster", roster.ROSTER_COLUMNS, problems) or []
        shifts = roster.read_roster(rows, units, officers, info.time_zone, problems, name("roster"))
        rostered = {s.unit for s in shifts}
        for u in units:
            if u.call_sign not in rostered:
                problems.warning(
                    name("roster"),
                    "",
                    "unit",
                    f"unit {u.call_sign!r} has no shift: it shows as off duty",
                )
    places: list[Place] = []
    if "gazetteer" in m.files:
        rows = _rows(m, "gazetteer", gazetteer.COLUMNS, problems) or []
        places = gazetteer.read_gazetteer(rows, info.crs, shape.inside, problems, name("gazetteer"))
    places = gazetteer.merge_places(places, osm_places)
    if problems:
        return None
    district = District(
        code=info.code,
        name=info.name,
        approximate=info.approximate,
        outline=outline,
        ways=ways,
        stations=stations,
        areas=areas,
        fixed_points=fixed,
        units=units,
        landmarks=landmarks,
    )
    return DistrictPackage(info, district, restrictions, officers, shifts, places, source, left_out)


def _rows(
    m: Manifest, key: str, columns: tuple[tuple[str, ...], tuple[str, ...]], problems: Problems
) -> list[csvread.Row] | None:
    path = m.files.get(key)
    if path is None:
        return None
    return csvread.read_csv(path, columns[0], columns[1], problems)


def _roads(
    m: Manifest, shape: DistrictShape, problems: Problems
) -> tuple[list[Way], list[TurnRestriction], list[Place], str, int]:
    """Ways, turn restrictions, OSM addresses, source kind and road points left out."""
    path = m.files.get("roads")
    if path is None:
        return [], [], [], "", 0
    if is_osm(path):
        net = read_osm_roads(path, shape, m.info.include_pedestrian, problems)
        if net is None:
            return [], [], [], "osm", 0
        if "restrictions" in m.files:
            problems.warning(
                m.name_of("restrictions"),
                "",
                "",
                "not used: OSM roads bring their own turn restrictions",
            )
        places = gazetteer.osm_places(net.addresses, shape.inside)
        return net.ways, net.restrictions, places, "osm", net.vertices_read - net.vertices
    feats = read_features(path, problems)
    if feats is None:
        return [], [], [], "geojson", 0
    ways, left_out = read_geojson_roads(feats, path.name, m.info.crs, shape, problems)
    restrictions: list[TurnRestriction] = []
    if "restrictions" in m.files:
        rows = _rows(m, "restrictions", RESTRICTION_COLUMNS, problems) or []
        restrictions = read_restrictions(rows, m.info.crs, problems, m.name_of("restrictions"))
    return ways, restrictions, [], "geojson", left_out
