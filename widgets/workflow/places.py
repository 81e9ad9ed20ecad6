"""Named places of the district an operator can type instead of clicking the map.

A 110 caller says "外滩" or "南京东路派出所门口" far more often than a
coordinate.  The static district the hub sends carries landmarks, stations,
1-minute fixed points and road labels; this module turns them into one list
and searches it.  Road labels are way midpoints (one per way, several per
street) without geometry, so an intersection "A与B交叉口" cannot be placed
from them honestly; a road is offered once, at the midpoint of its longest
way, and the operator refines the point on the map.  Intersections come
from the hub (computed on the road graph, where the crossing nodes are
known) and are offered under both name orders, "A / B" and "B / A"; a typed
"A与B交叉口" or "A B路口" finds them too.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import cast

import numpy as np
from PySide6.QtCore import QT_TRANSLATE_NOOP, QCoreApplication

from console.geo.coords import haversine_m
from console.hub.messages import StaticDistrict
from console.polygon import contains, parts_contain

KIND_TEXT = cast(
    dict[str, str],
    {
        "landmark": QT_TRANSLATE_NOOP("Place", "landmark"),
        "station": QT_TRANSLATE_NOOP("Place", "police station"),
        "fixed_point": QT_TRANSLATE_NOOP("Place", "1-minute point"),
        "road": QT_TRANSLATE_NOOP("Place", "road"),
        "intersection": QT_TRANSLATE_NOOP("Place", "intersection"),
    },
)
KIND_RANK = {"landmark": 0, "station": 1, "fixed_point": 2, "intersection": 3, "road": 4}
JOIN = " / "
# what people put between or after two road names: "A与B交叉口", "A和B路口", "A/B", "A & B"
_CROSSING_WORDS = re.compile(
    r"交叉口|十字路口|路口|交口|交汇处|(?<=[路街道巷弄桥])[与和跟]|[/／&＆,，、]|\s+"
)
ROAD_PENALTY_M = 60.0
CROSSING_PENALTY_M = 40.0  # a landmark is the better reference when both are near


@dataclass(frozen=True)
class Place:
    """One searchable place (WGS-84)."""

    name: str
    kind: str  # landmark | station | fixed_point | road | intersection
    lon: float
    lat: float
    roads: tuple[str, ...] = ()  # an intersection's two road names, in the order of ``name``

    def label(self) -> str:
        """ "name (kind)" in the interface language, as the completer lists it."""
        src = KIND_TEXT.get(self.kind, self.kind)
        return f"{self.name} ({QCoreApplication.translate('Place', src)})"


def build_places(district: StaticDistrict) -> list[Place]:
    """Every named place of ``district``; bad entries are skipped, names unique per kind."""
    out: list[Place] = []
    seen: set[tuple[str, str]] = set()

    def add(name: object, kind: str, lon: object, lat: object) -> None:
        try:
            p = Place(str(name).strip(), kind, float(lon), float(lat))  # type: ignore[arg-type]
        except (TypeError, ValueError):
            return
        if p.name and (p.name, kind) not in seen:
            seen.add((p.name, kind))
            out.append(p)

    for name, (lon, lat) in d_items(district.landmarks):
        add(name, "landmark", lon, lat)
    for st in district.stations:
        add(st.get("name", st.get("code", "")), "station", st.get("lon"), st.get("lat"))
    for fp in district.fixed_points:
        add(fp.get("name", fp.get("code", "")), "fixed_point", fp.get("lon"), fp.get("lat"))
    for label in district.road_labels:  # longest way first: the first label of a name wins
        if len(label) >= 3:
            add(label[0], "road", label[1], label[2])
    out.extend(intersection_places(district))
    return out


def intersection_places(district: StaticDistrict) -> list[Place]:
    """Each intersection under both name orders; the same two roads crossing twice are
    told apart by the area they lie in (else a number)."""
    out: list[Place] = []
    seen: set[str] = set()
    for item in district.intersections:
        try:
            a, b, lon, lat = (
                str(item[0]).strip(),
                str(item[1]).strip(),
                float(item[2]),
                float(item[3]),
            )
        except (TypeError, ValueError, IndexError):
            continue
        if not a or not b or a == b:
            continue
        base = a + JOIN + b
        name = base
        if name in seen:
            name = f"{base} · {_area_name(district, lon, lat)}"
            n = 2
            while name in seen:
                name = f"{base} #{n}"
                n += 1
        seen.add(name)
        suffix = name[len(base) :]
        out.append(Place(name, "intersection", lon, lat, (a, b)))
        out.append(Place(b + JOIN + a + suffix, "intersection", lon, lat, (b, a)))
    return out


def _area_name(district: StaticDistrict, lon: float, lat: float) -> str:
    for area in district.areas:
        try:
            parts = area.get("parts")
            inside = (
                parts_contain(parts, lon, lat) if parts else contains(area["polygon"], lon, lat)
            )
            if bool(inside[0]):
                return str(area.get("name", area.get("code", "")))
        except (KeyError, TypeError, ValueError):
            continue
    return f"{lon:.4f}, {lat:.4f}"


def road_parts(text: str) -> list[str]:
    """The road names in a typed crossing ("西藏中路与延安东路交叉口" -> two names)."""
    return [p for p in _CROSSING_WORDS.split(text.strip().lower()) if p]


def _crossing_match(p: Place, parts: list[str]) -> bool:
    """Both typed parts name the intersection's two roads (either order)."""
    if p.kind != "intersection" or len(parts) != 2 or len(p.roads) != 2:
        return False
    a, b = (r.lower() for r in p.roads)
    return parts[0] in a and parts[1] in b


def d_items(landmarks: dict[str, tuple[float, float]]) -> list[tuple[str, tuple[float, float]]]:
    """Landmarks as (name, (lon, lat)) pairs, tolerating lists from the wire."""
    return [(str(k), (float(v[0]), float(v[1]))) for k, v in landmarks.items() if len(v) >= 2]


def search_places(places: list[Place], text: str, limit: int = 20) -> list[Place]:
    """Places whose name contains ``text`` (any case); prefix matches and landmarks first."""
    q = text.strip().lower()
    if not q:
        return []
    parts = road_parts(q)
    hits = [p for p in places if q in p.name.lower() or _crossing_match(p, parts)]
    hits.sort(key=lambda p: (not p.name.lower().startswith(q), KIND_RANK.get(p.kind, 9), p.name))
    return hits[:limit]


def nearest_place(
    places: list[Place], lon: float, lat: float, max_m: float = 300.0
) -> tuple[Place, float] | None:
    """The place nearest to (lon, lat) within ``max_m`` metres, with its distance.

    A road label is a way's midpoint, a rougher reference than a landmark, so
    roads count ``ROAD_PENALTY_M`` farther when choosing (intersections
    ``CROSSING_PENALTY_M``).
    """
    if not places:
        return None
    lo = np.array([p.lon for p in places])
    la = np.array([p.lat for p in places])
    d = np.asarray(haversine_m(lo, la, float(lon), float(lat)), dtype=np.float64)
    penalty = {"road": ROAD_PENALTY_M, "intersection": CROSSING_PENALTY_M}
    rank = d + np.array([penalty.get(p.kind, 0.0) for p in places])
    k = int(np.argmin(rank))
    return (places[k], float(d[k])) if d[k] <= max_m else None


def find_place(places: list[Place], label_or_name: str) -> Place | None:
    """The place a completer label or an exact name denotes, if any."""
    key = label_or_name.strip()
    for p in places:
        if key in (p.label(), p.name):
            return p
    parts = road_parts(key)
    if len(parts) == 2:  # a typed crossing: exact road names first, then unambiguous parts
        exact = [
            p for p in places if p.kind == "intersection" and [r.lower() for r in p.roads] == parts
        ]
        if exact:
            return exact[0]
        loose = [p for p in places if _crossing_match(p, parts)]
        if len({(p.lon, p.lat) for p in loose}) == 1:
            return loose[0]
    return None
