"""The package's roads: an OSM extract or a GeoJSON of lines, cut to the district, checked.

Both sources become :class:`~console.domain.Way` lists (WGS-84) plus turn
restrictions.  Ways are kept inside the district outline plus the
``[roads] margin_m`` of ``district.toml`` (a patrol car may cut through the
next district's streets); the check that matters for dispatch is that every
station's nearest road is on the main network, the largest part of the graph
in which every node reaches every other by legal driving.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import numpy.typing as npt
import shapely
from scipy.sparse.csgraph import connected_components
from shapely.geometry import MultiPolygon, Polygon

from console.config import RoadSpeeds
from console.district.csvread import Row
from console.district.geojson import Feature, GeometryReader
from console.district.problems import Problems
from console.domain import LonLat, RoadClass, Station, Way
from console.geo.coords import LocalProjection
from console.geo.crs import to_wgs84
from console.geo.osm import HIGHWAY_CLASS, PEDESTRIAN_HIGHWAYS, OsmLoadError, parse_maxspeed
from console.geo.osm_network import OsmNetwork, read_osm_network
from console.geo.roadgraph import RoadGraph
from console.geo.turns import TurnRestriction

F64 = npt.NDArray[np.float64]
RESTRICTION_COLUMNS = (
    ("kind", "from_lon", "from_lat", "via_lon", "via_lat", "to_lon", "to_lat"),
    (),
)
CLASS_NAMES = {rc.name.lower(): rc for rc in RoadClass}
MAX_STATION_ROAD_M = 1000.0
OSM_SUFFIXES = (".osm", ".pbf", ".osm.pbf", ".osm.gz", ".osm.bz2", ".xml")


class DistrictShape:
    """The outline in a local metric plane: "inside the district" and "keep this road"."""

    def __init__(self, outline: Sequence[LonLat], margin_m: float) -> None:
        pts = np.asarray(outline, dtype=np.float64)
        lo0 = float((pts[:, 0].min() + pts[:, 0].max()) / 2)
        la0 = float((pts[:, 1].min() + pts[:, 1].max()) / 2)
        self.projection = LocalProjection(lo0, la0)
        x, y = self.projection.to_xy(pts[:, 0], pts[:, 1])
        self.polygon_m = shapely.make_valid(Polygon(np.column_stack([x, y])))
        self.inside_m = self.polygon_m.buffer(1.0)  # a point on the boundary is inside
        self.keep_m = self.polygon_m.buffer(max(margin_m, 1.0))
        shapely.prepare(self.inside_m)
        shapely.prepare(self.keep_m)

    def to_m(self, shape: Polygon | MultiPolygon) -> Polygon | MultiPolygon:
        """A lon/lat shape in the metric plane (for areas in m² and overlaps)."""

        def f(xy: F64) -> F64:
            x, y = self.projection.to_xy(xy[:, 0], xy[:, 1])
            return np.column_stack([x, y])

        out: Polygon | MultiPolygon = shapely.transform(shape, f)
        return out

    def inside(self, lon: float, lat: float) -> bool:
        x, y = self.projection.to_xy(lon, lat)
        return bool(shapely.contains_xy(self.inside_m, x, y))

    def inside_many(self, lon: F64, lat: F64) -> npt.NDArray[np.bool_]:
        x, y = self.projection.to_xy(lon, lat)
        return np.asarray(shapely.contains_xy(self.inside_m, x, y), dtype=bool)

    def keep(self, lon: F64, lat: F64) -> npt.NDArray[np.bool_]:
        x, y = self.projection.to_xy(lon, lat)
        return np.asarray(shapely.contains_xy(self.keep_m, x, y), dtype=bool)


def is_osm(path: Path) -> bool:
    name = path.name.lower()
    return any(name.endswith(s) for s in OSM_SUFFIXES)


def read_osm_roads(
    path: Path, shape: DistrictShape, include_pedestrian: bool, problems: Problems
) -> OsmNetwork | None:
    """The OSM extract cut to the district; OSM files are WGS-84 whatever the package says."""
    try:
        net = read_osm_network(path, include_pedestrian, keep=shape.keep)
    except OsmLoadError as exc:
        problems.error(path.name, "", "", str(exc))
        return None
    for where, reason in net.notes:
        problems.warning(path.name, where, "", f"turn restriction ignored: {reason}")
    if not net.ways:
        problems.error(
            path.name, "", "", "no drivable road inside the district outline (and margin)"
        )
        return None
    return net


def _road_class(name: str) -> RoadClass | None:
    for table in (CLASS_NAMES, HIGHWAY_CLASS, PEDESTRIAN_HIGHWAYS):
        if name in table:
            return table[name]  # ARTERIAL is 0: never test a class for truth
    return None


def _oneway(v: object) -> int | None:
    if v is None or v is False or v == 0:
        return 0
    if v is True or v == 1:
        return 1
    if v == -1:
        return -1
    s = str(v).strip().lower()
    return {"yes": 1, "true": 1, "1": 1, "no": 0, "false": 0, "0": 0, "": 0, "-1": -1}.get(s)


def read_geojson_roads(
    features: Sequence[Feature], file: str, crs: str, shape: DistrictShape, problems: Problems
) -> tuple[list[Way], int]:
    """Ways from line features with ``name``, ``class``, ``oneway``, ``speed_kmh`` properties,
    and how many of their points were left out (outside the outline plus margin)."""
    geo = GeometryReader(file, crs, problems)
    ways: list[Way] = []
    left_out = 0
    for f in features:
        props = f.properties
        cls = str(props.get("class", props.get("highway", ""))).strip().lower()
        rc = _road_class(cls)
        if rc is None:
            known = ", ".join(CLASS_NAMES)
            problems.error(
                file,
                f.where,
                "class",
                f"unknown road class {cls!r} (use {known} or an OSM highway value)",
            )
            continue
        direction = _oneway(props.get("oneway"))
        if direction is None:
            problems.error(
                file, f.where, "oneway", f"must be yes, no or -1, got {props.get('oneway')!r}"
            )
            continue
        speed_raw = props.get("speed_kmh", props.get("maxspeed"))
        speed = None
        if speed_raw not in (None, ""):
            speed = parse_maxspeed(str(speed_raw))
            if speed is None or not math.isfinite(speed):
                problems.error(file, f.where, "speed_kmh", f"not a speed: {speed_raw!r}")
                continue
        if str(props.get("access", "")).strip().lower() in ("no", "private"):
            continue
        lines = geo.lines(f)
        if lines is None:
            continue
        name = str(props.get("name", "") or "")
        for line in lines:
            arr = np.asarray(line, dtype=np.float64)
            keep = shape.keep(arr[:, 0], arr[:, 1])
            edges = np.flatnonzero(np.diff(np.concatenate([[0], keep.astype(np.int8), [0]])))
            left_out += len(arr)
            for s, e in zip(edges[::2], edges[1::2], strict=True):
                if e - s < 2:
                    continue
                left_out -= int(e - s)
                coords = tuple((float(x), float(y)) for x, y in arr[s:e])
                if direction < 0:
                    coords = coords[::-1]
                ways.append(Way(name, rc, direction != 0, coords, speed))
    if not ways and not problems.errors:
        problems.error(file, "", "", "no drivable road inside the district outline (and margin)")
    return ways, left_out


def read_restrictions(
    rows: Sequence[Row], crs: str, problems: Problems, file: str
) -> list[TurnRestriction]:
    """Turn restrictions of a GeoJSON road package (``kind`` no/only, three positions)."""
    out: list[TurnRestriction] = []
    for r in rows:
        kind = r.get("kind").lower()
        if kind not in ("no", "only"):
            problems.error(file, r.where, "kind", f"must be no or only, got {kind!r}")
            continue
        vals = []
        for key in RESTRICTION_COLUMNS[0][1:]:
            try:
                v = float(r.get(key))
            except ValueError:
                v = math.nan
            if not math.isfinite(v):
                problems.error(file, r.where, key, f"not a number: {r.get(key)!r}")
                break
            vals.append(v)
        if len(vals) != 6:
            continue
        lo, la = to_wgs84(vals[0::2], vals[1::2], crs)
        p = [(float(lo[i]), float(la[i])) for i in range(3)]
        out.append(TurnRestriction(p[0], p[1], p[2], kind == "only"))
    return out


def check_network(
    ways: Sequence[Way],
    restrictions: Sequence[TurnRestriction],
    stations: Sequence[tuple[Station, str]],
    speeds: RoadSpeeds,
    roads_file: str,
    stations_file: str,
    problems: Problems,
) -> RoadGraph | None:
    """Build the graph and check every station reaches the main network (and it them)."""
    try:
        graph = RoadGraph.from_ways(ways, speeds, restrictions=restrictions)
    except ValueError as exc:
        problems.error(roads_file, "", "", f"cannot build the road graph: {exc}")
        return None
    if restrictions and graph.turns_applied < len(restrictions):
        problems.warning(
            roads_file,
            "",
            "",
            f"{len(restrictions) - graph.turns_applied} of {len(restrictions)} turn restrictions "
            "do not match a turn of the road graph (outside the district, or roads not joined)",
        )
    n_comp, labels = connected_components(graph.time_csr(), directed=True, connection="strong")
    labels = labels[: graph.n_real]
    sizes = np.bincount(labels, minlength=n_comp)
    main = int(np.argmax(sizes))
    if not stations:
        return graph
    lon = np.array([s.lon for s, _ in stations])
    lat = np.array([s.lat for s, _ in stations])
    node, dist = graph.snap_with_distance(lon, lat)
    for (st, where), k, d in zip(stations, node.tolist(), dist.tolist(), strict=True):
        if d > MAX_STATION_ROAD_M:
            problems.error(
                stations_file,
                where,
                "geometry",
                f"station {st.code!r}: no road within {MAX_STATION_ROAD_M:.0f} m"
                f" (nearest {d:.0f} m)",
            )
        elif labels[k] != main:
            problems.error(
                stations_file,
                where,
                "geometry",
                "road graph split into pieces that stations cannot reach: station "
                f"{st.code!r} is on a piece of {int(sizes[labels[k]])} road nodes not joined "
                f"both ways to the main network of {int(sizes[main])} nodes",
            )
    stray = int(graph.n_real - sizes[main])
    if stray:
        problems.warning(
            roads_file,
            "",
            "",
            f"{n_comp - 1} small road pieces ({stray} of {graph.n_real} nodes) are not joined "
            "both ways to the main network; units are placed on the main network",
        )
    return graph
