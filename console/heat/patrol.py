"""Patrol focus: for the next shift, the few places in each responsibility area where a unit
on patrol would be nearest to the most expected calls.

Why greedy coverage, not the top cells: the three hottest cells of an area
are often neighbours on one street, and three cars there leave the rest of
the area bare.  Each pick takes the place whose ``radius_m`` disc holds most
of the expected calls not yet covered; its disc is then counted as covered.
The expected-call figures are the forecast's, for the shift.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt

from console.domain import Area
from console.heat.forecast.base import F64
from console.heat.gistar import disk, disk_sum
from console.heat.grid import Grid
from console.polygon import in_area


@dataclass(frozen=True)
class FocusPoint:
    """A patrol point: rank within its area, centre, expected calls near it during the shift."""

    rank: int
    lon: float
    lat: float
    expected: float  # within radius_m, not already counted for a better point
    expected_cell: float  # in the point's own cell


@dataclass(frozen=True)
class AreaFocus:
    """An area's patrol points and how much of its expected calls they cover."""

    area_code: str
    area_name: str
    station_code: str
    expected_total: float
    points: list[FocusPoint]
    covered: float  # expected calls within radius_m of some point

    def to_wire(self) -> dict[str, Any]:
        return {
            "area_code": self.area_code,
            "area_name": self.area_name,
            "station_code": self.station_code,
            "expected_total": self.expected_total,
            "covered": self.covered,
            "points": [
                {
                    "rank": p.rank,
                    "lon": p.lon,
                    "lat": p.lat,
                    "expected": p.expected,
                    "expected_cell": p.expected_cell,
                }
                for p in self.points
            ],
        }


def area_cells(grid: Grid, area: Area) -> npt.NDArray[np.bool_]:
    """Cells whose centre lies in the area: every part, holes cut out (``Area.parts``), or
    just ``Area.polygon``."""
    lon, lat = grid.centres_lonlat()
    return in_area(area, lon.ravel(), lat.ravel()).reshape(grid.shape)


def patrol_focus(
    expected: F64,
    grid: Grid,
    areas: Sequence[Area],
    per_area: int = 3,
    radius_m: float = 300.0,
    masks: Sequence[npt.NDArray[np.bool_]] | None = None,
) -> list[AreaFocus]:
    """Patrol points per area from a surface of expected calls (``grid.shape``) for the shift;
    ``masks``: each area's cells, if already known."""
    if expected.shape != grid.shape:
        raise ValueError(f"surface shape {expected.shape} differs from the grid {grid.shape}")
    if per_area < 1:
        raise ValueError(f"need at least one point per area, got {per_area}")
    if not radius_m > 0:
        raise ValueError(f"patrol radius must be positive, got {radius_m}")
    w = disk(radius_m / grid.cell_m)
    r = w.shape[0] // 2
    out = []
    if masks is not None and len(masks) != len(areas):
        raise ValueError(f"{len(masks)} area masks for {len(areas)} areas")
    for i, area in enumerate(areas):
        inside = area_cells(grid, area) if masks is None else masks[i]
        rows, cols = np.nonzero(inside)
        if rows.size == 0:
            out.append(AreaFocus(area.code, area.name, area.station_code, 0.0, [], 0.0))
            continue
        # work on the area's box, padded by the radius (discs reach over the edge cells)
        y0, y1 = max(rows.min() - r, 0), min(rows.max() + r + 1, grid.ny)
        x0, x1 = max(cols.min() - r, 0), min(cols.max() + r + 1, grid.nx)
        sub_in = inside[y0:y1, x0:x1]
        left = np.where(sub_in, expected[y0:y1, x0:x1], 0.0)
        total = float(left.sum())
        points: list[FocusPoint] = []
        for rank in range(1, per_area + 1):
            cover = disk_sum(left, radius_m / grid.cell_m)
            cover = np.where(sub_in, cover, -1.0)
            iy, ix = np.unravel_index(int(np.argmax(cover)), cover.shape)
            if cover[iy, ix] <= 0:
                break
            cy, cx = int(iy) + y0, int(ix) + x0
            lon, lat = grid.cell_lonlat(cy * grid.nx + cx)
            points.append(FocusPoint(rank, lon, lat, float(cover[iy, ix]), float(expected[cy, cx])))
            a, b = max(int(iy) - r, 0), max(int(ix) - r, 0)
            wy = w[a - (int(iy) - r) :, b - (int(ix) - r) :]
            patch = left[a : int(iy) + r + 1, b : int(ix) + r + 1]
            patch[wy[: patch.shape[0], : patch.shape[1]] > 0] = 0.0
        covered = float(sum(p.expected for p in points))
        out.append(AreaFocus(area.code, area.name, area.station_code, total, points, covered))
    return out
