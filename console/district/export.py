"""Write a district package: the format :mod:`console.district.load` reads, file for file.

Used by ``main.py district export`` (a stored version back to files) and by
the demo generator (the demo is a package like any other).  Coordinates are
written in the package's own system (``info.crs``); floats are written with
Python's shortest round-trip repr, so a WGS-84 package reads back bit for bit.
Roads are always written as GeoJSON lines (the OSM extract they may have come
from is not kept), with turn restrictions beside them in ``restrictions.csv``.
"""

from __future__ import annotations

import csv
import datetime as dt
import json
import zoneinfo
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

import numpy as np

from console.district.model import DistrictPackage, Officer
from console.district.package import MANIFEST
from console.domain import LonLat, RoadClass
from console.geo.crs import from_wgs84

FILE_NAMES = {
    "outline": "outline.geojson",
    "areas": "areas.geojson",
    "stations": "stations.geojson",
    "points": "points.geojson",
    "roads": "roads.geojson",
    "restrictions": "restrictions.csv",
    "units": "units.csv",
    "officers": "officers.csv",
    "roster": "roster.csv",
    "gazetteer": "gazetteer.csv",
}


class _Writer:
    def __init__(self, directory: Path, crs: str) -> None:
        self.dir = directory
        self.crs = crs

    def pts(self, points: Sequence[LonLat]) -> list[list[float]]:
        if not points:
            return []
        arr = np.asarray(points, dtype=np.float64)
        lo, la = from_wgs84(arr[:, 0], arr[:, 1], self.crs)
        return [[x, y] for x, y in zip(lo.tolist(), la.tolist(), strict=True)]

    def pt(self, lon: float, lat: float) -> list[float]:
        return self.pts([(lon, lat)])[0]

    def ring(self, ring: Sequence[LonLat]) -> list[list[float]]:
        out = self.pts(ring)
        if out and out[0] != out[-1]:
            out.append(list(out[0]))
        return out

    def geojson(self, name: str, features: Iterable[dict[str, Any]]) -> None:
        doc = {"type": "FeatureCollection", "features": list(features)}
        text = json.dumps(doc, ensure_ascii=False, separators=(",", ":"))
        (self.dir / name).write_text(text.replace('{"type":"Feature",', '\n{"type":"Feature",'))

    def csv(self, name: str, header: Sequence[str], rows: Iterable[Sequence[Any]]) -> None:
        with (self.dir / name).open("w", encoding="utf-8", newline="") as fh:
            w = csv.writer(fh, lineterminator="\n")
            w.writerow(header)
            w.writerows(rows)


def _feature(geometry: dict[str, Any], **props: Any) -> dict[str, Any]:
    return {"type": "Feature", "properties": props, "geometry": geometry}


def _toml_str(s: str) -> str:
    return json.dumps(s, ensure_ascii=False)  # a JSON string is a valid TOML basic string


def write_package(pkg: DistrictPackage, directory: str | Path) -> Path:
    """Write every file of ``pkg`` into ``directory`` (created; existing files replaced)."""
    out = Path(directory)
    out.mkdir(parents=True, exist_ok=True)
    info, d = pkg.info, pkg.district
    w = _Writer(out, info.crs)
    files = dict(FILE_NAMES)
    if not pkg.restrictions:
        files.pop("restrictions")
    if not pkg.shifts:
        files.pop("roster")
    manifest = [
        "# District package: see docs/district-package.md",
        "[district]",
        f"code = {_toml_str(info.code)}",
        f"name = {_toml_str(info.name)}",
        f"time_zone = {_toml_str(info.time_zone)}",
        f"crs = {_toml_str(info.crs)}",
        f"approximate = {'true' if info.approximate else 'false'}",
        "",
        "[files]",
        *(f"{k} = {_toml_str(v)}" for k, v in files.items()),
        "",
        "[roads]",
        f"margin_m = {info.margin_m!r}",
        f"include_pedestrian = {'true' if info.include_pedestrian else 'false'}",
        "",
    ]
    (out / MANIFEST).write_text("\n".join(manifest), encoding="utf-8")
    w.geojson(
        files["outline"],
        [_feature({"type": "Polygon", "coordinates": [w.ring(d.outline)]}, name=d.name)],
    )
    w.geojson(files["stations"], _stations(w, pkg))
    w.geojson(files["areas"], _areas(w, pkg))
    w.geojson(files["points"], _points(w, pkg))
    w.geojson(files["roads"], _roads(w, pkg))
    if pkg.restrictions:
        w.csv(
            files["restrictions"],
            ("kind", "from_lon", "from_lat", "via_lon", "via_lat", "to_lon", "to_lat"),
            (
                ("only" if r.only else "no", *w.pt(*r.from_pt), *w.pt(*r.via), *w.pt(*r.to_pt))
                for r in pkg.restrictions
            ),
        )
    _units(w, pkg, files)
    if pkg.shifts:
        _roster(w, pkg, files["roster"])
    w.csv(
        files["gazetteer"],
        ("name", "kind", "lon", "lat", "street", "number"),
        ((p.name, p.kind, *w.pt(p.lon, p.lat), p.street, p.number) for p in pkg.places),
    )
    return out


def _stations(w: _Writer, pkg: DistrictPackage) -> list[dict[str, Any]]:
    return [
        _feature({"type": "Point", "coordinates": w.pt(s.lon, s.lat)}, code=s.code, name=s.name)
        for s in pkg.district.stations
    ]


def _areas(w: _Writer, pkg: DistrictPackage) -> list[dict[str, Any]]:
    out = []
    for a in pkg.district.areas:
        parts = a.parts or ((a.polygon,),)
        polys = [[w.ring(r) for r in part] for part in parts]
        geom = (
            {"type": "Polygon", "coordinates": polys[0]}
            if len(polys) == 1
            else {"type": "MultiPolygon", "coordinates": polys}
        )
        out.append(_feature(geom, code=a.code, name=a.name, station=a.station_code))
    return out


def _points(w: _Writer, pkg: DistrictPackage) -> list[dict[str, Any]]:
    d = pkg.district
    feats = [
        _feature(
            {"type": "Point", "coordinates": w.pt(f.lon, f.lat)},
            kind="fixed_point",
            code=f.code,
            name=f.name,
        )
        for f in d.fixed_points
    ]
    feats += [
        _feature({"type": "Point", "coordinates": w.pt(*ll)}, kind="landmark", name=name)
        for name, ll in d.landmarks.items()
    ]
    return feats


def _roads(w: _Writer, pkg: DistrictPackage) -> list[dict[str, Any]]:
    return [
        _feature(
            {"type": "LineString", "coordinates": w.pts(way.coords)},
            name=way.name,
            **{"class": RoadClass(way.road_class).name.lower()},
            oneway=bool(way.oneway),
            speed_kmh=way.speed_kmh,
        )
        for way in pkg.district.ways
    ]


def officers_of(pkg: DistrictPackage) -> list[Officer]:
    """The package's officers, plus a bare record for any unit member not listed."""
    listed = {o.officer_id for o in pkg.officers}
    extra = [
        Officer(m, m, unit=u.call_sign)
        for u in pkg.district.units
        for m in u.members
        if m not in listed
    ]
    return [*pkg.officers, *extra]


def _units(w: _Writer, pkg: DistrictPackage, files: dict[str, str]) -> None:
    w.csv(
        files["units"],
        ("call_sign", "unit_type", "station", "area", "post", "lon", "lat"),
        (
            (
                u.call_sign,
                u.unit_type,
                u.station_code or "",
                u.area_code or "",
                u.fixed_point_code or "",
                *w.pt(u.home_lon, u.home_lat),
            )
            for u in pkg.district.units
        ),
    )
    w.csv(
        files["officers"],
        ("officer_id", "name", "rank", "phone", "unit", "kind"),
        ((o.officer_id, o.name, o.rank, o.phone, o.unit, o.kind) for o in officers_of(pkg)),
    )


def _roster(w: _Writer, pkg: DistrictPackage, name: str) -> None:
    tz = zoneinfo.ZoneInfo(pkg.info.time_zone)

    def clock(t: float) -> str:
        return dt.datetime.fromtimestamp(t, tz).strftime("%H:%M:%S")

    w.csv(
        name,
        ("date", "shift", "unit", "officers", "start", "end"),
        (
            (s.day, s.shift, s.unit, " ".join(s.officers), clock(s.start), clock(s.end))
            for s in pkg.shifts
        ),
    )
