"""Hand-built road graphs and districts where the right plan can be worked out on paper.

Coordinates are given in metres on the local plane around ORIGIN and turned
into WGS-84 with the same projection the road graph uses, so a 100 m street at
36 km/h takes exactly 10 s.
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence

import numpy as np

from console.config import Config
from console.domain import Area, District, FixedPoint, LonLat, RoadClass, UnitSpec, Way
from console.geo.coords import LocalProjection
from console.geo.roadgraph import RoadGraph
from console.planning.engine import PlanEngine
from console.planning.fleet import SituationView
from console.planning.runcards import RunCards

ORIGIN = (121.47, 31.23)
PROJ = LocalProjection(*ORIGIN)
SPEED_KMH = 36.0  # 10 m/s: 100 m = 10 s


def ll(x: float, y: float) -> LonLat:
    lon, lat = PROJ.to_lonlat(x, y)
    return (float(lon), float(lat))


def way(
    *pts: tuple[float, float], oneway: bool = False, speed: float = SPEED_KMH, step: float = 10.0
) -> Way:
    """A street through ``pts`` with a vertex every ``step`` m, so units snap where they stand."""
    out = [pts[0]]
    for (x0, y0), (x1, y1) in itertools.pairwise(pts):
        n = max(1, round(float(np.hypot(x1 - x0, y1 - y0)) / step))
        out += [(x0 + (x1 - x0) * k / n, y0 + (y1 - y0) * k / n) for k in range(1, n + 1)]
    return Way("", RoadClass.LOCAL, oneway, tuple(ll(x, y) for x, y in out), speed)


def unit(
    cs: str, unit_type: str, x: float, y: float, area: str | None = None, fp: str | None = None
) -> UnitSpec:
    lon, lat = ll(x, y)
    return UnitSpec(cs, unit_type, None, area, lon, lat, (), fp)


def area(code: str, x0: float, y0: float, x1: float, y1: float) -> Area:
    return Area(code, code, "S1", (ll(x0, y0), ll(x1, y0), ll(x1, y1), ll(x0, y1)))


def district(
    ways: Sequence[Way],
    units: Sequence[UnitSpec],
    areas: Sequence[Area] = (),
    fixed_points: Sequence[tuple[str, float, float]] = (),
) -> District:
    fps = [FixedPoint(code, code, *ll(x, y)) for code, x, y in fixed_points]
    outline = (ll(-1e5, -1e5), ll(1e5, -1e5), ll(1e5, 1e5), ll(-1e5, 1e5))
    return District("T", "test", True, outline, list(ways), [], list(areas), fps, list(units))


def build(
    config: Config, cards: RunCards, d: District
) -> tuple[PlanEngine, RoadGraph, SituationView]:
    """Engine, graph and an all-at-home view for a hand-built district."""
    g = RoadGraph.from_ways(d.ways, config.road_speeds, origin=ORIGIN)
    return PlanEngine(config, cards, g, d), g, SituationView.at_home(d.units)


def node_at(g: RoadGraph, x: float, y: float) -> int:
    return int(np.argmin((g.node_x - x) ** 2 + (g.node_y - y) ** 2))
