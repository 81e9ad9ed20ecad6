"""A regular metric grid over a city: the common frame of density, hot spots and forecasts.

Why metres: bandwidths, neighbourhoods and cell sizes are stated in metres
and a cell must cover the same ground everywhere (a degree of longitude is
not a degree of latitude).  The grid lives on the local tangent plane of
:class:`console.geo.coords.LocalProjection`; row 0 is the southern edge,
column 0 the western, as in :class:`console.heat.density.HeatGrid`.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from console.geo.coords import LocalProjection

F64 = npt.NDArray[np.float64]
I64 = npt.NDArray[np.int64]
MAX_CELLS = 4_000_000  # ~64 MB a float64 surface; a larger grid is a mistake in the input


@dataclass(frozen=True, eq=False)
class Grid:
    """``ny`` x ``nx`` square cells of ``cell_m`` metres, south-west corner at (x0, y0)."""

    proj: LocalProjection
    x0: float
    y0: float
    cell_m: float
    nx: int
    ny: int

    def __post_init__(self) -> None:
        if not (math.isfinite(self.cell_m) and self.cell_m > 0):
            raise ValueError(f"cell size must be a positive number of metres, got {self.cell_m}")
        if self.nx < 1 or self.ny < 1:
            raise ValueError(f"a grid needs at least one cell, got {self.ny} x {self.nx}")
        if self.nx * self.ny > MAX_CELLS:
            raise ValueError(
                f"grid of {self.ny} x {self.nx} cells of {self.cell_m:g} m is too large "
                f"(limit {MAX_CELLS:,}); use larger cells or a smaller extent"
            )

    @classmethod
    def covering(
        cls, x: F64, y: F64, cell_m: float, proj: LocalProjection, margin_m: float = 0.0
    ) -> Grid:
        """The smallest grid over points (x, y) metres, widened by ``margin_m`` on every side."""
        x = np.asarray(x, dtype=np.float64)
        y = np.asarray(y, dtype=np.float64)
        if x.size == 0:
            raise ValueError("no points to cover with a grid")
        x0 = float(x.min()) - margin_m
        y0 = float(y.min()) - margin_m
        w = float(x.max()) + margin_m - x0
        h = float(y.max()) + margin_m - y0
        if not (math.isfinite(cell_m) and cell_m > 0):
            raise ValueError(f"cell size must be a positive number of metres, got {cell_m}")
        nx = max(1, math.floor(w / cell_m) + 1)
        ny = max(1, math.floor(h / cell_m) + 1)
        if nx * ny > MAX_CELLS:
            raise ValueError(
                f"the points span {w / 1000:.1f} km x {h / 1000:.1f} km: {ny * nx:,} cells of "
                f"{cell_m:g} m, more than {MAX_CELLS:,}; use larger cells or drop far outliers"
            )
        return cls(proj, x0, y0, float(cell_m), nx, ny)

    @classmethod
    def over_bbox(
        cls,
        bbox: tuple[float, float, float, float],
        cell_m: float,
        proj: LocalProjection | None = None,
    ) -> Grid:
        """A grid over (min_lon, min_lat, max_lon, max_lat), on ``proj`` (default: about the
        box's centre)."""
        lon0, lat0, lon1, lat1 = (float(v) for v in bbox)
        if not (lon1 > lon0 and lat1 > lat0):
            raise ValueError(f"bbox must have max > min, got {bbox}")
        if proj is None:
            proj = LocalProjection((lon0 + lon1) / 2.0, (lat0 + lat1) / 2.0)
        cx, cy = proj.to_xy(np.array([lon0, lon1, lon0, lon1]), np.array([lat0, lat0, lat1, lat1]))
        x0, y0 = float(cx.min()), float(cy.min())
        w, h = float(cx.max()) - x0, float(cy.max()) - y0
        nx = max(1, math.ceil(w / cell_m))
        ny = max(1, math.ceil(h / cell_m))
        return cls(proj, x0, y0, float(cell_m), nx, ny)

    @property
    def shape(self) -> tuple[int, int]:
        return (self.ny, self.nx)

    @property
    def size(self) -> int:
        return self.nx * self.ny

    @property
    def cell_km2(self) -> float:
        return (self.cell_m / 1000.0) ** 2

    def flat_index(self, x: F64, y: F64) -> I64:
        """Cell number ``iy * nx + ix`` of each point, -1 outside the grid."""
        fx = np.asarray(x, dtype=np.float64) - self.x0  # in place below: 1M points in ~40 ms
        fx /= self.cell_m
        fy = np.asarray(y, dtype=np.float64) - self.y0
        fy /= self.cell_m
        inside = (fx >= 0) & (fx < self.nx) & (fy >= 0) & (fy < self.ny)
        out = fy.astype(np.int64)  # truncation is floor for the inside points
        out *= self.nx
        out += fx.astype(np.int64)
        out[~inside] = -1
        return out

    def centres_xy(self) -> tuple[F64, F64]:
        """Cell-centre coordinates in metres, each of shape (ny, nx)."""
        xs = self.x0 + (np.arange(self.nx) + 0.5) * self.cell_m
        ys = self.y0 + (np.arange(self.ny) + 0.5) * self.cell_m
        gx, gy = np.meshgrid(xs, ys)
        return gx, gy

    def centres_lonlat(self) -> tuple[F64, F64]:
        """Cell-centre WGS84 coordinates, each of shape (ny, nx)."""
        gx, gy = self.centres_xy()
        lon, lat = self.proj.to_lonlat(gx, gy)
        return np.asarray(lon), np.asarray(lat)

    def cell_lonlat(self, flat: int) -> tuple[float, float]:
        """WGS84 centre of cell number ``flat``."""
        iy, ix = divmod(int(flat), self.nx)
        x = self.x0 + (ix + 0.5) * self.cell_m
        y = self.y0 + (iy + 0.5) * self.cell_m
        lon, lat = self.proj.to_lonlat(x, y)
        return float(lon), float(lat)

    @property
    def bbox(self) -> tuple[float, float, float, float]:
        """WGS84 (min_lon, min_lat, max_lon, max_lat) of the grid's outer corners."""
        xs = np.array([self.x0, self.x0 + self.nx * self.cell_m])
        ys = np.array([self.y0, self.y0 + self.ny * self.cell_m])
        gx, gy = np.meshgrid(xs, ys)
        lon, lat = self.proj.to_lonlat(gx.ravel(), gy.ravel())
        return float(lon.min()), float(lat.min()), float(lon.max()), float(lat.max())

    def mask_of_polygon(self, polygon: Sequence[tuple[float, float]]) -> npt.NDArray[np.bool_]:
        """Cells whose centre lies inside a WGS84 polygon, shape (ny, nx)."""
        from console.polygon import contains

        lon, lat = self.centres_lonlat()
        return contains(polygon, lon.ravel(), lat.ravel()).reshape(self.shape)
