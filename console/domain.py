"""Domain vocabulary shared by every layer: plain, immutable values, no I/O.

The hub, the store, the planner and the GUI all speak in these types, so a
unit type or a status means the same thing everywhere.  Enum values are the
stable keys used in config files, the database and on the wire.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import IntEnum, StrEnum


class UnitStatus(StrEnum):
    """Where a unit is in its duty cycle; drives map colour and eligibility."""

    AVAILABLE = "available"
    DISPATCHED = "dispatched"  # order sent, not yet moving
    EN_ROUTE = "en_route"
    ON_SCENE = "on_scene"
    OFF_DUTY = "off_duty"


class IncidentStatus(StrEnum):
    """Incident lifecycle: new -> plan_proposed -> approved -> dispatched -> ... -> closed."""

    NEW = "new"
    PLAN_PROPOSED = "plan_proposed"
    APPROVED = "approved"
    DISPATCHED = "dispatched"
    EN_ROUTE = "en_route"
    ON_SCENE = "on_scene"
    CLOSED = "closed"
    CANCELLED = "cancelled"


class RoadClass(IntEnum):
    """Road classes ordered from fastest to slowest; speeds come from config."""

    ARTERIAL = 0
    SECONDARY = 1
    LOCAL = 2
    PEDESTRIAN = 3


class OrderState(StrEnum):
    """Delivery state of one order to one terminal (the outbox state machine)."""

    PENDING = "pending"  # in the outbox, not yet acknowledged by the terminal
    DELIVERED = "delivered"
    READ = "read"
    ACCEPTED = "accepted"
    REJECTED = "rejected"
    ARRIVED = "arrived"
    FINISHED = "finished"
    EXPIRED = "expired"
    CANCELLED = "cancelled"


class Role(StrEnum):
    """Who may do what; checked in the hub, never only in the GUI."""

    OPERATOR = "operator"
    SUPERVISOR = "supervisor"
    ADMIN = "admin"
    TERMINAL = "terminal"


LonLat = tuple[float, float]


@dataclass(frozen=True)
class Way:
    """One road polyline as it comes from a map source (demo generator or OSM)."""

    name: str
    road_class: RoadClass
    oneway: bool
    coords: tuple[LonLat, ...]
    speed_kmh: float | None = None  # explicit maxspeed; None means by class


@dataclass(frozen=True)
class Station:
    """A police station (派出所) with its three responsibility areas."""

    code: str
    name: str
    lon: float
    lat: float


Ring = tuple[LonLat, ...]


@dataclass(frozen=True)
class Area:
    """A responsibility area (责任区): a polygon owned by one station.

    ``polygon`` is the outer ring of the area's largest part, which is all most
    code needs; ``parts`` holds the whole shape when it is more than one ring
    (several polygons, or holes): one tuple of rings per polygon, outer ring
    first, then its holes.  Empty ``parts`` means the area is just ``polygon``.
    """

    code: str
    name: str
    station_code: str
    polygon: Ring
    parts: tuple[tuple[Ring, ...], ...] = ()


@dataclass(frozen=True)
class FixedPoint:
    """A fixed "1-minute" point (1分钟处置点) where a special-police team stands."""

    code: str
    name: str
    lon: float
    lat: float


@dataclass(frozen=True)
class UnitSpec:
    """A deployable unit as configured for a district (not its live state)."""

    call_sign: str
    unit_type: str  # key into the unit-types config
    station_code: str | None
    area_code: str | None
    home_lon: float
    home_lat: float
    members: tuple[str, ...] = ()
    fixed_point_code: str | None = None


@dataclass(frozen=True)
class HistoricCall:
    """One past 110 call, as used for the heatmap and forecasts."""

    t: float  # unix seconds
    incident_type: str
    lon: float
    lat: float


@dataclass
class District:
    """Everything static about a district: outline, roads, stations, forces."""

    code: str
    name: str
    approximate: bool
    outline: tuple[LonLat, ...]
    ways: list[Way]
    stations: list[Station]
    areas: list[Area]
    fixed_points: list[FixedPoint]
    units: list[UnitSpec]
    landmarks: dict[str, LonLat] = field(default_factory=dict)

    @property
    def bbox(self) -> tuple[float, float, float, float]:
        """(min_lon, min_lat, max_lon, max_lat) of the outline."""
        lons = [p[0] for p in self.outline]
        lats = [p[1] for p in self.outline]
        return min(lons), min(lats), max(lons), max(lats)
