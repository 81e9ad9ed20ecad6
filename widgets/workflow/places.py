"""Named places of the district an operator can type instead of clicking the map.

A 110 caller says "外滩" or "南京东路派出所门口" far more often than a
coordinate.  The static district the hub sends carries landmarks, stations,
1-minute fixed points and road labels; this module turns them into one list
and searches it.  Road labels are way midpoints (one per way, several per
street) without geometry, so an intersection "A与B交叉口" cannot be placed
from them honestly; a road is offered once, at the midpoint of its longest
way, and the operator refines the point on the map.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import cast

import numpy as np
from PySide6.QtCore import QT_TRANSLATE_NOOP, QCoreApplication

from console.geo.coords import haversine_m
from console.hub.messages import StaticDistrict

KIND_TEXT = cast(
    dict[str, str],
    {
        "landmark": QT_TRANSLATE_NOOP("Place", "landmark"),
        "station": QT_TRANSLATE_NOOP("Place", "police station"),
        "fixed_point": QT_TRANSLATE_NOOP("Place", "1-minute point"),
        "road": QT_TRANSLATE_NOOP("Place", "road"),
    },
)
KIND_RANK = {"landmark": 0, "station": 1, "fixed_point": 2, "road": 3}
ROAD_PENALTY_M = 60.0


@dataclass(frozen=True)
class Place:
    """One searchable place (WGS-84)."""

    name: str
    kind: str  # landmark | station | fixed_point | road
    lon: float
    lat: float

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
    return out


def d_items(landmarks: dict[str, tuple[float, float]]) -> list[tuple[str, tuple[float, float]]]:
    """Landmarks as (name, (lon, lat)) pairs, tolerating lists from the wire."""
    return [(str(k), (float(v[0]), float(v[1]))) for k, v in landmarks.items() if len(v) >= 2]


def search_places(places: list[Place], text: str, limit: int = 20) -> list[Place]:
    """Places whose name contains ``text`` (any case); prefix matches and landmarks first."""
    q = text.strip().lower()
    if not q:
        return []
    hits = [p for p in places if q in p.name.lower()]
    hits.sort(key=lambda p: (not p.name.lower().startswith(q), KIND_RANK.get(p.kind, 9), p.name))
    return hits[:limit]


def nearest_place(
    places: list[Place], lon: float, lat: float, max_m: float = 300.0
) -> tuple[Place, float] | None:
    """The place nearest to (lon, lat) within ``max_m`` metres, with its distance.

    A road label is a way's midpoint, a rougher reference than a landmark, so
    roads count ``ROAD_PENALTY_M`` farther when choosing.
    """
    if not places:
        return None
    lo = np.array([p.lon for p in places])
    la = np.array([p.lat for p in places])
    d = np.asarray(haversine_m(lo, la, float(lon), float(lat)), dtype=np.float64)
    rank = d + np.array([ROAD_PENALTY_M if p.kind == "road" else 0.0 for p in places])
    k = int(np.argmin(rank))
    return (places[k], float(d[k])) if d[k] <= max_m else None


def find_place(places: list[Place], label_or_name: str) -> Place | None:
    """The place a completer label or an exact name denotes, if any."""
    key = label_or_name.strip()
    for p in places:
        if key in (p.label(), p.name):
            return p
    return None
