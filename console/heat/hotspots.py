"""Hot-spot areas: significant Gi* cells merged into areas with what happens there and when.

Why areas, not cells: a commander posts a car at a place, not at a 100 m
square; neighbouring significant cells (8-connected) form one area, listed
with its calls, dominant incident types and peak local hours, and outlined
on the map by the boundary of its cells.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
import numpy.typing as npt
import shapely
from scipy import ndimage

from console.heat.calls import CallSet
from console.heat.gistar import PMethod, fdr_cut, gi_star
from console.heat.grid import Grid

F64 = npt.NDArray[np.float64]
BoolArr = npt.NDArray[np.bool_]
LonLat = tuple[float, float]


@dataclass(frozen=True)
class HotSpot:
    """One hot-spot area (ranked by calls, 1 = most)."""

    rank: int
    calls: int
    cells: int
    area_km2: float
    max_z: float
    min_p: float
    centre: LonLat  # call-weighted centre of its cells
    bbox: tuple[float, float, float, float]  # min_lon, min_lat, max_lon, max_lat
    rings: list[list[LonLat]]  # closed boundary lines (outer edges and holes) to draw
    top_types: list[tuple[str, int]]  # up to 3 (type, calls)
    peak_hours: list[tuple[int, int]]  # up to 3 (local hour, calls), busiest first

    def to_wire(self) -> dict[str, Any]:
        """Plain values for a hub reply (msgspec encodes lists, tuples become lists)."""
        return {
            "rank": self.rank,
            "calls": self.calls,
            "cells": self.cells,
            "area_km2": self.area_km2,
            "max_z": self.max_z,
            "min_p": self.min_p,
            "centre": list(self.centre),
            "bbox": list(self.bbox),
            "rings": [[list(p) for p in ring] for ring in self.rings],
            "top_types": [list(t) for t in self.top_types],
            "peak_hours": [list(h) for h in self.peak_hours],
        }


@dataclass(frozen=True, eq=False)
class HotSpotResult:
    """Hot spots and the cell grids behind them (z, significance) for a map layer."""

    hotspots: list[HotSpot]
    grid: Grid
    z: F64
    significant: BoolArr
    n_calls: int
    fdr: float
    p_cut: float
    neighbourhood_m: float
    params: dict[str, Any] = field(default_factory=dict)

    def to_wire(self) -> dict[str, Any]:
        """Hub reply form: hot-spot list, plus the z grid and significance mask as bytes."""
        return {
            "hotspots": [h.to_wire() for h in self.hotspots],
            "shape": [self.grid.ny, self.grid.nx],
            "bbox": list(self.grid.bbox),
            "cell_m": self.grid.cell_m,
            "z": self.z.astype(np.float32).tobytes(),
            "significant": np.packbits(self.significant.ravel()).tobytes(),
            "n_calls": self.n_calls,
            "fdr": self.fdr,
            "p_cut": self.p_cut,
            "neighbourhood_m": self.neighbourhood_m,
        }


def find_hotspots(
    calls: CallSet,
    grid: Grid,
    neighbourhood_m: float = 300.0,
    fdr: float = 0.05,
    mask: BoolArr | None = None,
    pvalues: PMethod = "count",
) -> HotSpotResult:
    """Hot spots of ``calls`` (already filtered by window, types, hours) on ``grid``.

    ``mask`` is the study area (e.g. the district's cells); Gi* compares each
    cell's neighbourhood with the whole study area.
    """
    if not neighbourhood_m > 0:
        raise ValueError(
            f"neighbourhood must be a positive number of metres, got {neighbourhood_m}"
        )
    cell_of = grid.flat_index(calls.x, calls.y)
    counts = np.bincount(cell_of[cell_of >= 0], minlength=grid.size).astype(np.float64)
    counts = counts.reshape(grid.shape)
    gi = gi_star(counts, neighbourhood_m / grid.cell_m, mask, pvalues)
    sig, cut = fdr_cut(gi.p, fdr, gi.mask)
    sig &= gi.z > 0
    labels, n_areas = ndimage.label(sig, structure=np.ones((3, 3), dtype=int))
    spots: list[HotSpot] = []
    if n_areas:
        flat_labels = labels.ravel()
        call_label = np.where(cell_of >= 0, flat_labels[np.maximum(cell_of, 0)], 0)
        inside = np.flatnonzero(call_label > 0)
        order = inside[np.argsort(call_label[inside], kind="stable")]  # each area's calls
        bounds = np.searchsorted(call_label[order], np.arange(n_areas + 2))
        for lab, box in enumerate(ndimage.find_objects(labels), start=1):
            assert box is not None
            mine = order[bounds[lab] : bounds[lab + 1]]
            spots.append(_describe(lab, labels, box, mine, calls, grid, counts, gi.z, gi.p))
    spots.sort(key=lambda h: (-h.calls, -h.max_z))
    spots = [_with_rank(h, i + 1) for i, h in enumerate(spots)]
    return HotSpotResult(
        hotspots=spots,
        grid=grid,
        z=gi.z,
        significant=sig,
        n_calls=len(calls),
        fdr=fdr,
        p_cut=cut,
        neighbourhood_m=neighbourhood_m,
        params={"pvalues": pvalues, "study_cells": gi.n},
    )


def _with_rank(h: HotSpot, rank: int) -> HotSpot:
    return HotSpot(
        rank,
        h.calls,
        h.cells,
        h.area_km2,
        h.max_z,
        h.min_p,
        h.centre,
        h.bbox,
        h.rings,
        h.top_types,
        h.peak_hours,
    )


def _describe(
    lab: int,
    labels: npt.NDArray[np.int32],
    box: tuple[slice, slice],
    mine: npt.NDArray[np.intp],
    calls: CallSet,
    grid: Grid,
    counts: F64,
    z: F64,
    p: F64,
) -> HotSpot:
    """One area's summary: ``box`` its bounding slices, ``mine`` the indices of its calls."""
    cells = labels[box] == lab
    iy, ix = np.nonzero(cells)
    iy = iy + box[0].start
    ix = ix + box[1].start
    n = int(mine.size)
    w = counts[iy, ix]
    cx = grid.x0 + (ix + 0.5) * grid.cell_m
    cy = grid.y0 + (iy + 0.5) * grid.cell_m
    wsum = float(w.sum())
    mx = float((cx * w).sum() / wsum) if wsum > 0 else float(cx.mean())
    my = float((cy * w).sum() / wsum) if wsum > 0 else float(cy.mean())
    clon, clat = grid.proj.to_lonlat(mx, my)
    rings = _rings(grid, ix, iy)
    lons = [q[0] for r in rings for q in r]
    lats = [q[1] for r in rings for q in r]
    tc = np.bincount(calls.type_idx[mine], minlength=len(calls.types))
    top_types = [(calls.types[i], int(tc[i])) for i in np.argsort(-tc, kind="stable")[:3] if tc[i]]
    hc = np.bincount(calls.hour[mine].astype(np.int64), minlength=24)
    peak = [(int(h), int(hc[h])) for h in np.argsort(-hc, kind="stable")[:3] if hc[h]]
    return HotSpot(
        rank=0,
        calls=n,
        cells=int(iy.size),
        area_km2=float(iy.size) * grid.cell_km2,
        max_z=float(z[iy, ix].max()),
        min_p=float(p[iy, ix].min()),
        centre=(float(clon), float(clat)),
        bbox=(min(lons), min(lats), max(lons), max(lats)),
        rings=rings,
        top_types=top_types,
        peak_hours=peak,
    )


def _rings(grid: Grid, ix: npt.NDArray[np.intp], iy: npt.NDArray[np.intp]) -> list[list[LonLat]]:
    """Boundary lines of the union of cells, in WGS84 (outer edges first, then holes)."""
    x0 = grid.x0 + ix * grid.cell_m
    y0 = grid.y0 + iy * grid.cell_m
    boxes = shapely.box(x0, y0, x0 + grid.cell_m, y0 + grid.cell_m)
    union = shapely.coverage_union_all(boxes)  # cells never overlap: the fast union
    polys = list(getattr(union, "geoms", [union]))
    outer: list[list[LonLat]] = []
    holes: list[list[LonLat]] = []
    for poly in polys:
        poly = shapely.simplify(poly, 0.0)  # drop collinear vertices between cells
        for ring, bucket in [(poly.exterior, outer)] + [(r, holes) for r in poly.interiors]:
            xy = np.asarray(ring.coords)
            lon, lat = grid.proj.to_lonlat(xy[:, 0], xy[:, 1])
            bucket.append([(float(a), float(b)) for a, b in zip(lon, lat, strict=True)])
    return outer + holes
