"""The built-in demo district 黄浦 (demo): deterministic, approximate, believable.

``build_demo_district()`` is a pure function of its seed.  The expensive part
(roads, areas, forces) is computed once per seed and cached; every call then
returns a *fresh* :class:`~console.domain.District` whose lists and dict are
new objects, while the items in them (ways, stations, areas, units) are frozen
dataclasses shared between calls.  So a caller may append to or filter
``district.units`` without affecting anybody else's district.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from console.demo.areas import build_areas
from console.demo.forces import ForceBuilder
from console.demo.geometry import LocalFrame, points_in_polygon
from console.demo.huangpu_data import LANDMARKS, OUTLINE, STATIONS
from console.demo.streets import build_streets
from console.domain import Area, District, FixedPoint, LonLat, Station, UnitSpec, Way

DISTRICT_CODE = "huangpu_demo"
DISTRICT_NAME = "黄浦 (demo)"
DEFAULT_SEED = 20261123
FRAME_ORIGIN: LonLat = (121.48, 31.22)


@dataclass(frozen=True)
class _Parts:
    ways: tuple[Way, ...]
    stations: tuple[Station, ...]
    areas: tuple[Area, ...]
    fixed_points: tuple[FixedPoint, ...]
    units: tuple[UnitSpec, ...]


def _check_seed(seed: object) -> int:
    if isinstance(seed, bool) or not isinstance(seed, (int, np.integer)):
        raise TypeError(f"demo district seed must be an int, got {type(seed).__name__}")
    if seed < 0:
        raise ValueError(f"demo district seed must be >= 0, got {seed}")
    return int(seed)


@functools.lru_cache(maxsize=4)
def _build(seed: int) -> _Parts:
    frame = LocalFrame(*FRAME_ORIGIN)
    outline = frame.to_xy(OUTLINE)
    street_rng, force_rng = (
        np.random.default_rng(s) for s in np.random.SeedSequence(seed).spawn(2)
    )
    streets = build_streets(frame, outline, street_rng)
    ways = []
    for s in streets:
        ll = np.round(frame.to_lonlat(s.xy), 7)
        keep = np.r_[True, np.any(ll[1:] != ll[:-1], axis=1)]
        coords = tuple((float(x), float(y)) for x, y in ll[keep])
        if len(coords) >= 2:
            ways.append(Way(s.name, s.road_class, s.oneway, coords))
    stations, areas, polys = build_areas(frame, outline, STATIONS)
    fixed_points, units = ForceBuilder(frame, streets, areas, polys, force_rng).build()
    return _Parts(tuple(ways), tuple(stations), tuple(areas), tuple(fixed_points), tuple(units))


def build_demo_district(seed: int = DEFAULT_SEED) -> District:
    """The demo district for ``seed``: same seed, same district, every time.

    The result is a new District object per call (cheap; the geometry is
    cached per seed), so mutating its lists is safe.  Do not rely on the items
    being distinct objects between calls: they are immutable and shared.
    """
    parts = _build(_check_seed(seed))
    return District(
        code=DISTRICT_CODE,
        name=DISTRICT_NAME,
        approximate=True,
        outline=OUTLINE,
        ways=list(parts.ways),
        stations=list(parts.stations),
        areas=list(parts.areas),
        fixed_points=list(parts.fixed_points),
        units=list(parts.units),
        landmarks=dict(LANDMARKS),
    )


def is_inside(lon: npt.ArrayLike, lat: npt.ArrayLike) -> npt.NDArray[np.bool_]:
    """True where (lon, lat) lies inside the demo district outline (arrays broadcast)."""
    return points_in_polygon(lon, lat, OUTLINE)


def area_index(
    lon: npt.ArrayLike, lat: npt.ArrayLike, district: District | None = None
) -> npt.NDArray[np.int64]:
    """Index into ``district.areas`` (default: the demo district) per point, -1 outside all."""
    d = district if district is not None else build_demo_district()
    x = np.asarray(lon, dtype=np.float64)
    y = np.asarray(lat, dtype=np.float64)
    x, y = np.broadcast_arrays(x, y)
    out = np.full(x.shape, -1, dtype=np.int64)
    for k, area in enumerate(d.areas):
        hit = (out < 0) & points_in_polygon(x, y, area.polygon)
        out[hit] = k
    return out


def area_of(lon: float, lat: float, district: District | None = None) -> str | None:
    """Code of the responsibility area containing the point, or None outside the district."""
    d = district if district is not None else build_demo_district()
    k = int(area_index(lon, lat, d))
    return d.areas[k].code if k >= 0 else None
