"""Read the drivable street network from an OpenStreetMap file (XML ``.osm`` or ``.pbf``).

Only the tags routing needs are interpreted: ``highway`` (which roads, and
their class), ``oneway`` / ``junction`` (direction), ``maxspeed``, the
access tags (no routing over ``access=private`` or ``motor_vehicle=no``) and
the name.  Coordinates stay WGS-84 as in OSM.  Turn restrictions and
addresses are read by :mod:`console.geo.osm_network`.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from pathlib import Path

import osmium

from console.domain import LonLat, RoadClass, Way

HIGHWAY_CLASS: dict[str, RoadClass] = {
    "motorway": RoadClass.ARTERIAL,
    "trunk": RoadClass.ARTERIAL,
    "primary": RoadClass.ARTERIAL,
    "motorway_link": RoadClass.ARTERIAL,
    "trunk_link": RoadClass.ARTERIAL,
    "primary_link": RoadClass.ARTERIAL,
    "secondary": RoadClass.SECONDARY,
    "tertiary": RoadClass.SECONDARY,
    "secondary_link": RoadClass.SECONDARY,
    "tertiary_link": RoadClass.SECONDARY,
    "unclassified": RoadClass.LOCAL,
    "residential": RoadClass.LOCAL,
    "living_street": RoadClass.LOCAL,
    "service": RoadClass.LOCAL,
    "road": RoadClass.LOCAL,  # "unknown type": better routable than missing
}
PEDESTRIAN_HIGHWAYS: dict[str, RoadClass] = {
    "pedestrian": RoadClass.PEDESTRIAN,
    "footway": RoadClass.PEDESTRIAN,
}
# OSM convention: these imply oneway=yes unless tagged otherwise.
_IMPLIED_ONEWAY_HIGHWAY = frozenset({"motorway"})
_IMPLIED_ONEWAY_JUNCTION = frozenset({"roundabout", "circular"})

_MPH = 1.609344
_SPEED_RE = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*(km/h|kmh|kph|mph|knots)?\s*$", re.IGNORECASE)


Tags = Mapping[str, str] | osmium.osm.TagList  # a dict, or pyosmium's own (no copy needed)


class OsmLoadError(ValueError):
    """An OSM file could not be read; the message names the file and the reason."""


class OsmFileNotFoundError(OsmLoadError, FileNotFoundError):
    """The OSM file does not exist."""


def parse_maxspeed(value: str | None) -> float | None:
    """``"40"``, ``"40 km/h"``, ``"25 mph"``, ``"40;60"`` -> km/h (lowest); else None."""
    if not value:
        return None
    best: float | None = None
    for part in value.split(";"):
        m = _SPEED_RE.match(part)
        if m is None:
            continue  # "none", "signals", "CN:urban", "walk" ...
        v = float(m.group(1))
        unit = (m.group(2) or "km/h").lower()
        if unit == "mph":
            v *= _MPH
        elif unit == "knots":
            v *= 1.852
        if v > 0 and math.isfinite(v):
            best = v if best is None else min(best, v)
    return best


def tag(tags: Tags, key: str) -> str:
    """The tag's value, "" when absent (for dicts and pyosmium tag lists alike)."""
    return tags.get(key, "") or ""


def parse_oneway(tags: Tags) -> int:
    """1 = along the way, -1 = against it, 0 = both directions."""
    v = tag(tags, "oneway").strip().lower()
    if v in ("yes", "true", "1"):
        return 1
    if v in ("-1", "reverse"):
        return -1
    if v in ("no", "false", "0", "reversible", "alternating"):
        return 0  # time-dependent directions: an emergency vehicle may use both
    if tag(tags, "junction") in _IMPLIED_ONEWAY_JUNCTION:
        return 1
    if tag(tags, "highway") in _IMPLIED_ONEWAY_HIGHWAY:
        return 1
    return 0


def way_name(tags: Tags) -> str:
    """``name``, else ``name:zh``, ``name:en``, else ``ref``, else ``""``."""
    for key in ("name", "name:zh", "name:en", "ref"):
        v = tag(tags, key).strip()
        if v:
            return v
    return ""


# access keys from general to specific: the most specific one present decides
_ACCESS_KEYS = ("access", "vehicle", "motor_vehicle", "motorcar", "emergency")
_NO_ACCESS = frozenset({"no", "private"})


def drivable(tags: Tags) -> bool:
    """False for ways a patrol car may not use: ``access``/``vehicle``/``motor_vehicle``/
    ``motorcar`` ``no`` or ``private`` (the most specific key wins; ``emergency=yes`` opens)."""
    verdict = True
    for key in _ACCESS_KEYS:
        v = tag(tags, key).strip().lower()
        if v:
            verdict = v not in _NO_ACCESS
    return verdict


def road_class(tags: Tags, include_pedestrian: bool = False) -> RoadClass | None:
    """Road class for a ``highway`` value, or None if the way is not part of the network."""
    hw = tag(tags, "highway")
    if tag(tags, "area") == "yes" or not drivable(tags):
        return None
    rc = HIGHWAY_CLASS.get(hw)
    if rc is None and include_pedestrian:
        rc = PEDESTRIAN_HIGHWAYS.get(hw)
    return rc


def _runs(nodes: osmium.osm.WayNodeList) -> list[list[LonLat]]:
    """Stretches of consecutive nodes with known locations (extracts cut ways at the edge)."""
    runs: list[list[LonLat]] = [[]]
    for nd in nodes:
        loc = nd.location
        if loc.valid():
            runs[-1].append((loc.lon, loc.lat))
        elif runs[-1]:
            runs.append([])
    return [r for r in runs if len(r) >= 2]


def load_osm_ways(path: str | Path, include_pedestrian: bool = False) -> list[Way]:
    """Routable ways from an ``.osm`` / ``.osm.pbf`` (``.osm.gz``, ``.osm.bz2``) file.

    Ways whose ``oneway=-1`` are returned reversed with ``oneway=True``; ways
    that reference nodes missing from the file are split at the gaps.
    """
    p = Path(path)
    if not p.is_file():
        raise OsmFileNotFoundError(f"OSM file not found: {p}")
    ways: list[Way] = []
    try:
        proc = osmium.FileProcessor(str(p)).with_locations()
        proc = proc.with_filter(osmium.filter.KeyFilter("highway"))
        for obj in proc:
            if not isinstance(obj, osmium.osm.Way):
                continue
            tags = {t.k: t.v for t in obj.tags}
            rc = road_class(tags, include_pedestrian)
            if rc is None:
                continue
            direction = parse_oneway(tags)
            name = way_name(tags)
            speed = parse_maxspeed(tags.get("maxspeed"))
            for run in _runs(obj.nodes):
                coords = tuple(reversed(run)) if direction < 0 else tuple(run)
                ways.append(Way(name, rc, direction != 0, coords, speed))
    except RuntimeError as exc:
        raise OsmLoadError(f"cannot read OSM file {p}: {exc}") from None
    return ways
