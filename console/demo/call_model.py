"""Parameters of the synthetic 110-call model: type mixes, daily rhythms, sources.

Kept apart from the generator so the numbers a reviewer may want to tune
(how many thefts on the pedestrian street, when fights peak) sit together.
Type vectors follow the order of :data:`INCIDENT_TYPES`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from console.demo.geometry import F64
from console.domain import RoadClass

INCIDENT_TYPES: tuple[str, ...] = (
    "fight",
    "knife_attack",
    "robbery",
    "theft",
    "dispute",
    "traffic_accident",
    "fire",
    "crowd_crush_risk",
    "thrown_object",
    "mental_disturbance",
    "suspicious_object",
    "hostage_taking",
)


def _norm(v: Sequence[float]) -> F64:
    a = np.asarray(v, dtype=np.float64)
    return a / a.sum()


# Type mix per kind of place (order of INCIDENT_TYPES).
PROFILES: dict[str, F64] = {
    "residential": _norm([6, 0.25, 0.4, 13, 54, 5, 4, 0.05, 4.5, 5, 0.4, 0.004]),
    "traffic": _norm([3, 0.1, 0.3, 3, 18, 70, 1.5, 0.1, 0.3, 1.5, 0.5, 0.002]),
    "tourist": _norm([4, 0.15, 0.8, 38, 34, 3, 0.6, 3.5, 0.2, 3, 2, 0.006]),
    "nightlife": _norm([26, 0.7, 1, 18, 40, 5, 0.5, 1.5, 0.2, 3, 0.6, 0.004]),
    "hub": _norm([4, 0.2, 0.8, 36, 38, 4, 0.5, 3, 0.1, 4, 2.5, 0.004]),
}

# Relative call volume by local hour 0..23, per rhythm.
RHYTHMS: dict[str, F64] = {
    "general": _norm([3.2, 2.6, 2.0, 1.4, 1.1, 1.2, 1.8, 3.0, 4.2, 4.8, 5.0, 5.2,
                      5.2, 5.2, 5.4, 5.6, 5.9, 6.2, 6.2, 6.0, 5.6, 5.0, 4.4, 3.8]),
    "traffic": _norm([1.5, 1.0, 0.8, 0.6, 0.6, 1.0, 2.5, 5.0, 6.5, 5.0, 4.0, 4.0,
                      4.0, 4.0, 4.0, 4.5, 5.5, 6.5, 6.0, 4.5, 3.5, 3.0, 2.5, 2.0]),
    "tourist": _norm([1.5, 1.0, 0.6, 0.3, 0.2, 0.3, 0.6, 1.2, 2.5, 4.0, 5.5, 6.5,
                      7.0, 7.0, 7.0, 7.0, 7.0, 7.0, 7.5, 8.0, 7.5, 6.0, 4.0, 2.5]),
    "nightlife": _norm([7.0, 6.0, 4.5, 2.5, 1.0, 0.3, 0.2, 0.2, 0.2, 0.3, 0.5, 0.8,
                        1.0, 1.0, 1.0, 1.2, 1.5, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0, 7.5]),
    "hub": _norm([0.5, 0.2, 0.1, 0.1, 0.1, 0.5, 2.0, 6.0, 8.0, 5.0, 3.0, 3.0,
                  3.0, 3.0, 3.0, 3.5, 5.0, 8.0, 7.0, 4.0, 3.0, 2.5, 2.0, 1.0]),
}  # fmt: skip

# How each type's share moves over the day (1 = as in the profile).
_TYPE_HOUR: dict[str, list[float]] = {
    "fight": [3.0, 3.0, 2.5, 2.0, 1.2, 0.6, 0.4, 0.4, 0.4, 0.5, 0.5, 0.6,
              0.6, 0.6, 0.6, 0.7, 0.8, 0.9, 1.0, 1.2, 1.5, 1.8, 2.3, 2.8],
    "traffic_accident": [0.6, 0.5, 0.5, 0.5, 0.6, 0.8, 1.3, 1.9, 2.0, 1.4, 1.0, 1.0,
                         1.0, 1.0, 1.0, 1.1, 1.4, 1.9, 1.9, 1.3, 1.0, 0.9, 0.8, 0.7],
    "theft": [0.5, 0.4, 0.3, 0.3, 0.3, 0.4, 0.6, 0.9, 1.1, 1.2, 1.3, 1.3,
              1.3, 1.3, 1.3, 1.3, 1.3, 1.3, 1.2, 1.2, 1.1, 1.0, 0.8, 0.6],
    "crowd_crush_risk": [0.3, 0.1, 0.05, 0.05, 0.05, 0.05, 0.1, 0.3, 0.5, 0.8, 1.0, 1.2,
                         1.2, 1.2, 1.2, 1.3, 1.5, 1.8, 2.3, 2.8, 2.8, 2.2, 1.2, 0.6],
    "thrown_object": [0.2, 0.1, 0.1, 0.1, 0.1, 0.2, 0.5, 0.9, 1.2, 1.3, 1.3, 1.3,
                      1.3, 1.3, 1.3, 1.3, 1.3, 1.3, 1.3, 1.3, 1.2, 0.9, 0.6, 0.3],
    "fire": [0.8, 0.8, 0.8, 0.8, 0.8, 0.8, 0.9, 1.0, 1.0, 1.0, 1.1, 1.3,
             1.3, 1.1, 1.0, 1.0, 1.1, 1.3, 1.4, 1.3, 1.1, 1.0, 0.9, 0.8],
}  # fmt: skip
# ... and at weekends (Sat/Sun daytime, Fri/Sat nights).
_TYPE_WEEKEND: dict[str, float] = {
    "theft": 1.2,
    "crowd_crush_risk": 2.5,
    "fight": 1.25,
    "traffic_accident": 0.85,
}


@dataclass(frozen=True)
class Source:
    """One generator of calls: how many (share of the total), when, of what type and where.

    Where: along roads of the given classes, along the named way, or around a
    landmark.  A way the district lacks falls back to the landmark; a source
    with neither is left out and its share goes to the others.
    """

    name: str
    share: float
    profile: str  # key of PROFILES
    rhythm: str  # key of RHYTHMS
    week: str  # general | traffic | tourist | nightlife | hub (see week_factor)
    spread_m: float  # Gaussian scatter around the road or landmark
    roads: tuple[RoadClass, ...] = ()
    way: tuple[str, RoadClass] | None = None
    landmark: str | None = None


_LOC, _SEC, _ART, _PED = (
    RoadClass.LOCAL,
    RoadClass.SECONDARY,
    RoadClass.ARTERIAL,
    RoadClass.PEDESTRIAN,
)


def _spot(name: str, share: float, kind: str, spread: float, landmark: str = "") -> Source:
    """A hotspot around a landmark; kind sets profile, rhythm and week alike."""
    return Source(name, share, kind, kind, kind, spread, landmark=landmark or name)


SOURCES: tuple[Source, ...] = (
    Source("streets", 0.46, "residential", "general", "general", 20.0, roads=(_LOC, _SEC, _PED)),
    Source("arterials", 0.16, "traffic", "traffic", "traffic", 8.0, roads=(_ART, _SEC)),
    Source("南京路步行街", 0.07, "tourist", "tourist", "tourist", 25.0, way=("南京东路", _PED),
           landmark="南京路步行街"),
    Source("外滩", 0.05, "tourist", "tourist", "tourist", 40.0, way=("中山东一路", _ART),
           landmark="外滩"),
    _spot("人民广场", 0.04, "hub", 160.0),
    _spot("豫园", 0.045, "tourist", 130.0),
    _spot("城隍庙", 0.015, "tourist", 90.0),
    _spot("新天地", 0.025, "tourist", 110.0),
    _spot("新天地夜", 0.03, "nightlife", 160.0, "新天地"),
    _spot("田子坊", 0.02, "tourist", 80.0),
    _spot("复兴公园夜", 0.012, "nightlife", 90.0, "复兴公园"),
    _spot("外滩夜", 0.012, "nightlife", 150.0, "外滩"),
    _spot("南京东路站", 0.015, "hub", 90.0),
    _spot("十六铺", 0.01, "hub", 90.0),
    _spot("老西门", 0.01, "hub", 100.0),
    _spot("打浦桥", 0.015, "hub", 120.0),
    _spot("大世界", 0.01, "tourist", 80.0),
    _spot("南浦大桥", 0.008, "hub", 120.0),
)  # fmt: skip

PROFILE_NAMES: tuple[str, ...] = tuple(PROFILES)


def type_table() -> F64:
    """P(type | profile, weekend flag, hour) as rows indexed profile*48 + weekend*24 + hour."""
    n_types = len(INCIDENT_TYPES)
    hour_mod = np.ones((24, n_types))
    week_mod = np.ones(n_types)
    for k, name in enumerate(INCIDENT_TYPES):
        if name in _TYPE_HOUR:
            hour_mod[:, k] = _TYPE_HOUR[name]
        week_mod[k] = _TYPE_WEEKEND.get(name, 1.0)
    rows = []
    for prof in PROFILE_NAMES:
        for weekend in (False, True):
            w = PROFILES[prof][None, :] * hour_mod * (week_mod if weekend else 1.0)
            rows.append(w / w.sum(axis=1, keepdims=True))
    return np.concatenate(rows)


def calendar(local_s: F64) -> tuple[F64, F64, F64, F64]:
    """Hour, calendar weekday, 'night of' weekday (before 06:00 counts as the evening before)
    and a weekend flag (Sat/Sun 08-20 or Fri/Sat 20-03) for local-time seconds (Mon = 0)."""
    day = np.floor(local_s / 86400.0)
    hour = np.floor((local_s - day * 86400.0) / 3600.0)
    weekday = (day + 3) % 7  # 1970-01-01 was a Thursday
    night_of = np.where(hour < 6, (weekday + 6) % 7, weekday)
    fri_sat_night = np.isin(night_of, (4, 5)) & ((hour >= 20) | (hour < 3))
    weekend_day = np.isin(weekday, (5, 6)) & (hour >= 8) & (hour < 20)
    return hour, weekday, night_of, (fri_sat_night | weekend_day).astype(np.float64)


def week_factor(kind: str, hour: F64, weekday: F64, night_of: F64) -> F64:
    """Day-of-week multiplier of a source's volume."""
    fri_sat_night = np.isin(night_of, (4, 5)) & ((hour >= 20) | (hour < 3))
    thu_night = (night_of == 3) & ((hour >= 20) | (hour < 3))
    weekend_day = np.isin(weekday, (5, 6)) & (hour >= 8) & (hour < 20)
    workday = weekday < 5
    if kind == "general":
        return 1.0 + 0.35 * fri_sat_night + 0.08 * weekend_day
    if kind == "traffic":
        return np.where(workday, 1.1, 0.85)
    if kind == "tourist":
        return 1.0 + 0.5 * weekend_day + 0.3 * fri_sat_night
    if kind == "nightlife":
        return 1.0 + 0.9 * fri_sat_night + 0.15 * thu_night
    if kind == "hub":
        return np.where(workday, 1.05, 0.9) + 0.2 * fri_sat_night
    raise ValueError(f"unknown week rhythm {kind!r}")
