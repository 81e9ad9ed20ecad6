"""Reading the package's GeoJSON files: features by number, geometry checked on the way in.

Each geometry is checked where the file is read, so the report can name the
feature: positions must be finite (lon, lat) numbers, polygon rings closed and
at least four positions long, polygons valid (no self-intersection: shapely's
``is_valid_reason`` says where).  Coordinates are converted from the
package's system to WGS-84 here, once.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import shapely
from shapely.geometry import MultiPolygon, Polygon

from console.district.problems import Problems
from console.domain import LonLat
from console.geo.crs import to_wgs84

Ring = tuple[LonLat, ...]
Part = tuple[Ring, ...]  # outer ring, then holes; rings open (last point != first)


@dataclass(frozen=True)
class Feature:
    """One GeoJSON feature and its 1-based number in the file."""

    number: int
    geometry: dict[str, Any] | None
    properties: dict[str, Any]

    @property
    def where(self) -> str:
        return f"feature {self.number}"


def read_features(path: Path, problems: Problems) -> list[Feature] | None:
    """The features of a FeatureCollection (or a single Feature); None if unreadable."""
    name = path.name
    try:
        doc = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError) as exc:
        problems.error(name, "", "", f"cannot read: {exc}")
        return None
    except json.JSONDecodeError as exc:
        problems.error(name, f"line {exc.lineno}", "", f"not valid JSON: {exc.msg}")
        return None
    if isinstance(doc, dict) and doc.get("type") == "Feature":
        doc = {"type": "FeatureCollection", "features": [doc]}
    if not isinstance(doc, dict) or doc.get("type") != "FeatureCollection":
        problems.error(name, "", "type", "must be a GeoJSON FeatureCollection")
        return None
    raw = doc.get("features")
    if not isinstance(raw, list):
        problems.error(name, "", "features", "must be a list")
        return None
    out: list[Feature] = []
    for i, f in enumerate(raw, start=1):
        if not isinstance(f, dict) or f.get("type") != "Feature":
            problems.error(name, f"feature {i}", "type", "not a GeoJSON Feature")
            continue
        geom = f.get("geometry")
        props = f.get("properties") or {}
        if not isinstance(props, dict):
            problems.error(name, f"feature {i}", "properties", "must be an object")
            props = {}
        out.append(Feature(i, geom if isinstance(geom, dict) else None, props))
    return out


def _position(p: Any) -> tuple[float, float] | None:
    if not isinstance(p, (list, tuple)) or len(p) < 2:
        return None
    x, y = p[0], p[1]
    if isinstance(x, bool) or isinstance(y, bool) or not isinstance(x, (int, float)):
        return None
    if not isinstance(y, (int, float)) or not (math.isfinite(x) and math.isfinite(y)):
        return None
    if abs(x) > 180 or abs(y) > 90:
        return None
    return float(x), float(y)


def _convert(points: list[tuple[float, float]], crs: str) -> list[LonLat]:
    if crs == "wgs84" or not points:
        return points
    arr = np.asarray(points, dtype=np.float64)
    lo, la = to_wgs84(arr[:, 0], arr[:, 1], crs)
    return list(zip(lo.tolist(), la.tolist(), strict=True))


class GeometryReader:
    """Geometry of one file's features, problems reported under that file's name."""

    def __init__(self, file: str, crs: str, problems: Problems) -> None:
        self.file = file
        self.crs = crs
        self.problems = problems

    def _err(self, f: Feature, reason: str) -> None:
        self.problems.error(self.file, f.where, "geometry", reason)

    def _positions(self, f: Feature, raw: Any, what: str) -> list[tuple[float, float]] | None:
        if not isinstance(raw, list):
            self._err(f, f"{what} is not a list of positions")
            return None
        pts = []
        for k, p in enumerate(raw):
            q = _position(p)
            if q is None:
                self._err(f, f"{what} position {k + 1} is not a (lon, lat) pair in range: {p!r}")
                return None
            pts.append(q)
        return pts

    def point(self, f: Feature) -> LonLat | None:
        g = f.geometry
        if g is None or g.get("type") != "Point":
            self._err(f, f"must be a Point, got {None if g is None else g.get('type')!r}")
            return None
        q = _position(g.get("coordinates"))
        if q is None:
            self._err(f, f"not a (lon, lat) position in range: {g.get('coordinates')!r}")
            return None
        return _convert([q], self.crs)[0]

    def lines(self, f: Feature) -> list[list[LonLat]] | None:
        g = f.geometry
        kind = None if g is None else g.get("type")
        if g is None or kind not in ("LineString", "MultiLineString"):
            self._err(f, f"must be a LineString or MultiLineString, got {kind!r}")
            return None
        raw = [g.get("coordinates")] if kind == "LineString" else g.get("coordinates")
        if not isinstance(raw, list):
            self._err(f, "coordinates must be a list")
            return None
        out = []
        for k, line in enumerate(raw):
            pts = self._positions(f, line, f"line {k + 1}")
            if pts is None:
                return None
            if len(pts) < 2:
                self._err(f, f"line {k + 1} needs at least 2 positions, has {len(pts)}")
                return None
            out.append(_convert(pts, self.crs))
        return out

    def polygon(self, f: Feature) -> tuple[list[Part], Polygon | MultiPolygon] | None:
        """Parts (outer ring then holes, WGS-84) and the shapely shape; None if invalid."""
        g = f.geometry
        kind = None if g is None else g.get("type")
        if g is None or kind not in ("Polygon", "MultiPolygon"):
            self._err(f, f"must be a Polygon or MultiPolygon, got {kind!r}")
            return None
        raw = [g.get("coordinates")] if kind == "Polygon" else g.get("coordinates")
        if not isinstance(raw, list) or not raw:
            self._err(f, "coordinates must be a non-empty list")
            return None
        parts: list[Part] = []
        for pk, rings in enumerate(raw):
            if not isinstance(rings, list) or not rings:
                self._err(f, f"polygon {pk + 1} has no rings")
                return None
            out_rings = []
            for rk, ring in enumerate(rings):
                what = (
                    f"polygon {pk + 1} ring {rk + 1}"
                    if kind == "MultiPolygon"
                    else f"ring {rk + 1}"
                )
                pts = self._positions(f, ring, what)
                if pts is None:
                    return None
                if len(pts) < 4:
                    self._err(f, f"{what} has {len(pts)} positions; a closed ring needs at least 4")
                    return None
                if pts[0] != pts[-1]:
                    self._err(
                        f,
                        f"polygon not closed: {what} ends at {pts[-1]}, not at its start {pts[0]}",
                    )
                    return None
                out_rings.append(tuple(_convert(pts[:-1], self.crs)))  # kept open, as in domain
            parts.append(tuple(out_rings))
        shape = _shape(parts)
        reason = shapely.is_valid_reason(shape)
        if reason != "Valid Geometry":
            self._err(f, _explain(reason))
            return None
        return parts, shape


def _shape(parts: list[Part]) -> Polygon | MultiPolygon:
    polys = [Polygon(p[0], p[1:]) for p in parts]
    return polys[0] if len(polys) == 1 else MultiPolygon(polys)


def shape_of(parts: list[Part] | tuple[Part, ...]) -> Polygon | MultiPolygon:
    """The shapely shape of stored parts (no checks: they were checked on import)."""
    return _shape(list(parts))


def _explain(reason: str) -> str:
    """shapely's reason in the words of the issue tracker ("self-intersecting near ...")."""
    head, _, rest = reason.partition("[")
    near = ""
    if rest:
        try:
            x, y = (float(v) for v in rest.rstrip("]").split()[:2])
            near = f" near ({x:.7f}, {y:.7f})"
        except ValueError:
            near = f" near [{rest}"
    head = head.strip()
    if head.lower().startswith("self-intersection") or head.lower().startswith("ring self"):
        return f"polygon is self-intersecting{near}"
    return f"invalid polygon: {head}{near}"
