"""A district as a package holds it: the domain district plus what the hub loads beside it.

:class:`~console.domain.District` is the shared vocabulary (outline, ways,
stations, areas, fixed points, units, landmarks); a real district also has
turn restrictions, officers with rank and phone, a duty roster and a
gazetteer, which only the import, the store and the duty clock need.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from console.domain import District
from console.geo.turns import TurnRestriction

DEFAULT_MARGIN_M = 500.0


@dataclass(frozen=True)
class PackageInfo:
    """The ``[district]`` table of ``district.toml``, and how roads are cut."""

    code: str
    name: str
    time_zone: str = "Asia/Shanghai"
    crs: str = "wgs84"  # the system of the package's files (the store is always WGS-84)
    approximate: bool = False
    margin_m: float = DEFAULT_MARGIN_M
    include_pedestrian: bool = False


@dataclass(frozen=True)
class Officer:
    """One officer (or auxiliary) and the unit they serve in."""

    officer_id: str
    name: str
    rank: str = ""
    phone: str = ""
    unit: str = ""  # call sign, "" when not in a unit
    kind: str = "officer"  # "officer" | "auxiliary"


@dataclass(frozen=True)
class Shift:
    """One line of the duty roster: a unit on duty from ``start`` to ``end`` (unix seconds)."""

    day: str  # the roster's date, YYYY-MM-DD (local)
    shift: str  # its name ("day", "night", "早班")
    unit: str  # call sign
    start: float
    end: float
    officers: tuple[str, ...] = ()


@dataclass(frozen=True)
class Place:
    """A name the intake's place search finds: an address, a named building, a landmark."""

    name: str
    kind: str  # "address" | "building" | "landmark"
    lon: float
    lat: float
    street: str = ""
    number: str = ""


@dataclass
class DistrictPackage:
    """Everything one package (or one stored version) says about a district."""

    info: PackageInfo
    district: District
    restrictions: list[TurnRestriction] = field(default_factory=list)
    officers: list[Officer] = field(default_factory=list)
    shifts: list[Shift] = field(default_factory=list)
    places: list[Place] = field(default_factory=list)
    roads_source: str = ""  # "osm" | "geojson" | "store"
    road_points_left_out: int = 0  # road points of the file outside the outline plus margin
