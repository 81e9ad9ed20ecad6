"""Point in polygon and point in area (shapely, vectorised over many points at once).

Used to refuse incidents outside the district, to give each road node its
responsibility area (coverage, move-ups, patrol areas) and to mask grids.  An
area is its whole shape: every part of a multipolygon, holes cut out
(``Area.parts``), not just the largest outer ring (``Area.polygon``), so a
road node on an island of the area or inside an enclave of another area
lands in the right one.  GEOS's prepared point-in-area index does the work
(``shapely.intersects_xy``), tens of thousands of points in a few
milliseconds.  A point on a boundary counts as inside: a road node on a
shared border then belongs to the first area that claims it, never to none.

An area's prepared shape is cached and shared by threads (the hub thread, the
heat pool); GEOS builds a prepared geometry's index lazily and not thread-safely
(libgeos/geos#825), so queries on a shared shape hold one lock.
"""

from __future__ import annotations

import threading
from collections.abc import Sequence
from functools import lru_cache

import numpy as np
import numpy.typing as npt
import shapely
from shapely.geometry.base import BaseGeometry

from console.domain import Area

B = npt.NDArray[np.bool_]
I64 = npt.NDArray[np.int64]
_SHARED = threading.Lock()  # held while a cached (shared) prepared shape is queried


def _ring(points: Sequence[tuple[float, float]] | npt.ArrayLike) -> npt.NDArray[np.float64]:
    ring = np.asarray(points, dtype=np.float64)
    if ring.ndim != 2 or ring.shape[0] < 3 or ring.shape[1] != 2:
        raise ValueError("a polygon needs at least three vertices")
    return ring


def _points(
    lon: float | npt.ArrayLike, lat: float | npt.ArrayLike
) -> tuple[npt.NDArray[np.float64], npt.NDArray[np.float64]]:
    x = np.atleast_1d(np.asarray(lon, dtype=np.float64))
    y = np.atleast_1d(np.asarray(lat, dtype=np.float64))
    return np.broadcast_arrays(x, y)  # type: ignore[return-value]


def _inside(shape: BaseGeometry, x: npt.NDArray[np.float64], y: npt.NDArray[np.float64]) -> B:
    """Boundary included; NaN and infinite points are outside."""
    return np.asarray(shapely.intersects_xy(shape, x, y), dtype=bool) & np.isfinite(x + y)


def contains(
    polygon: Sequence[tuple[float, float]],
    lon: float | npt.ArrayLike,
    lat: float | npt.ArrayLike,
) -> B:
    """True where (lon, lat) lies inside ``polygon`` (one ring, closed or open)."""
    shape = shapely.Polygon(_ring(polygon))
    shapely.prepare(shape)
    return _inside(shape, *_points(lon, lat))


def parts_shape(parts: Sequence[Sequence[Sequence[tuple[float, float]]]]) -> BaseGeometry:
    """A prepared (multi)polygon from parts: each an outer ring, then its holes."""
    polys = [shapely.Polygon(_ring(p[0]), [_ring(h) for h in p[1:]]) for p in parts if p]
    if not polys:
        raise ValueError("an area needs at least one part")
    shape: BaseGeometry = polys[0] if len(polys) == 1 else shapely.MultiPolygon(polys)
    shapely.prepare(shape)
    return shape


def _area_parts(area: Area) -> BaseGeometry:
    return parts_shape(getattr(area, "parts", ()) or ((area.polygon,),))


_cached_area_parts = lru_cache(maxsize=256)(_area_parts)


def area_shape(area: Area) -> BaseGeometry:
    """The area's whole shape, prepared: every part with its holes (``Area.parts``), else
    ``Area.polygon`` (cached: an area is frozen, and hubs ask about the same few)."""
    try:
        hash(area)
    except TypeError:  # an area built with lists: fine, just not cached
        return _area_parts(area)
    return _cached_area_parts(area)


def parts_contain(
    parts: Sequence[Sequence[Sequence[tuple[float, float]]]],
    lon: float | npt.ArrayLike,
    lat: float | npt.ArrayLike,
) -> B:
    """True where (lon, lat) lies in one of ``parts`` and not in its holes (an area as
    the workstation's static district carries it)."""
    return _inside(parts_shape(parts), *_points(lon, lat))


def in_area(area: Area, lon: float | npt.ArrayLike, lat: float | npt.ArrayLike) -> B:
    """True where (lon, lat) lies in the area: in one of its parts and not in a hole."""
    shape = area_shape(area)
    x, y = _points(lon, lat)
    with _SHARED:
        return _inside(shape, x, y)


def area_index(areas: Sequence[Area], lon: npt.ArrayLike, lat: npt.ArrayLike) -> I64:
    """Index into ``areas`` of the area each point lies in, -1 for none; where areas
    overlap (or share a border) the first one listed wins."""
    x, y = _points(lon, lat)
    out = np.full(x.shape, -1, dtype=np.int64)
    for k, area in enumerate(areas):
        free = np.flatnonzero(out < 0)
        if free.size == 0:
            break
        shape = area_shape(area)
        xmin, ymin, xmax, ymax = shape.bounds
        fx, fy = x[free], y[free]
        near = free[(fx >= xmin) & (fx <= xmax) & (fy >= ymin) & (fy <= ymax)]
        with _SHARED:
            hit = _inside(shape, x[near], y[near])
        out[near[hit]] = k
    return out
