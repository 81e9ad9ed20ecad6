"""Station jurisdictions and responsibility areas (责任区) that tile the district.

Each station gets the part of the district nearer to it than to any other
station (a Voronoi cell clipped to the outline); the cell is then cut into
three areas of similar size around k-means centres of the cell.  Both steps
only clip by straight half-planes, so neighbouring polygons share their edges
and every point of the district lies in exactly one area.
"""

from __future__ import annotations

import numpy as np

from console.demo.geometry import (
    F64,
    LocalFrame,
    clip_halfplane,
    drop_repeats,
    merge_close,
    points_in_polygon,
)
from console.demo.huangpu_data import StationSite
from console.domain import Area, Station

AREAS_PER_STATION = 3
_ORDINALS = ("一", "二", "三", "四", "五")


def _voronoi_cell(region: F64, sites: F64, i: int) -> F64:
    """Part of ``region`` nearer to sites[i] than to any other site."""
    cell = region
    si = sites[i]
    for j, sj in enumerate(sites):
        if j == i:
            continue
        n = sj - si
        cell = clip_halfplane(cell, float(n[0]), float(n[1]), float((sj @ sj - si @ si) / 2.0))
    return cell


def _kmeans_centres(cell: F64, k: int, spacing: float = 30.0) -> F64:
    """k centres splitting the cell's area evenly (Lloyd's algorithm on a point grid).

    The same on every machine, to the bit: the grid sits on whole metres, so every sum of
    its coordinates is exact whatever order numpy's SIMD code adds them in, and distances
    are compared squared (``np.hypot`` and pairwise sums differ in the last bit between
    AVX2 and AVX-512 builds of the same numpy, and one flipped tie moved a whole area by
    metres: the committed demo package no longer matched its generator on another CPU)."""
    lo, hi = np.floor(cell.min(axis=0)), cell.max(axis=0)
    gx, gy = np.meshgrid(np.arange(lo[0], hi[0], spacing), np.arange(lo[1], hi[1], spacing))
    pts = np.column_stack((gx.ravel(), gy.ravel()))
    pts = pts[points_in_polygon(pts[:, 0], pts[:, 1], cell)]
    if len(pts) < k:
        raise ValueError(f"station cell too small to split into {k} areas ({len(pts)} samples)")

    def dist2(c: F64) -> F64:
        d = pts - c
        return d[:, 0] * d[:, 0] + d[:, 1] * d[:, 1]

    # deterministic farthest-point start, then Lloyd iterations
    centres = [pts[np.argmax(dist2(pts.sum(axis=0) / len(pts)))]]
    while len(centres) < k:
        d = np.min([dist2(c) for c in centres], axis=0)
        centres.append(pts[np.argmax(d)])
    c = np.array(centres)
    for _ in range(30):
        label = np.argmin(np.column_stack([dist2(cm) for cm in c]), axis=1)
        groups = [pts[label == m] for m in range(k)]
        c = np.array([g.sum(axis=0) / len(g) for g in groups])
    return c


def build_areas(
    frame: LocalFrame, outline: F64, sites: tuple[StationSite, ...]
) -> tuple[list[Station], list[Area], list[F64]]:
    """Stations, their areas (lon/lat polygons) and the same polygons in metres."""
    site_xy = frame.to_xy([(s.lon, s.lat) for s in sites])
    inside = points_in_polygon(site_xy[:, 0], site_xy[:, 1], outline)
    if not inside.all():
        bad = [s.name for s, ok in zip(sites, inside, strict=True) if not ok]
        raise ValueError(f"stations outside the district outline: {', '.join(bad)}")
    stations: list[Station] = []
    parts: list[tuple[StationSite, F64]] = []
    for i, site in enumerate(sites):
        stations.append(Station(site.code, site.name, site.lon, site.lat))
        cell = _voronoi_cell(outline, site_xy, i)
        centres = _kmeans_centres(cell, AREAS_PER_STATION)
        split = [_voronoi_cell(cell, centres, m) for m in range(AREAS_PER_STATION)]
        # number areas north to south, as a duty roster would read them
        split.sort(key=lambda p: -float(p[:, 1].mean()))
        parts.extend((site, p) for p in split)
    # neighbours computed their common corners separately: make them identical
    merged = merge_close(np.concatenate([p for _, p in parts]), 0.05)
    bounds = np.cumsum([0] + [len(p) for _, p in parts])
    areas: list[Area] = []
    polys: list[F64] = []
    for k, (site, _) in enumerate(parts):
        ll = np.round(frame.to_lonlat(drop_repeats(merged[bounds[k] : bounds[k + 1]])), 7)
        m = k % AREAS_PER_STATION + 1
        areas.append(
            Area(
                code=f"{site.code}-{m}",
                name=f"{site.name}第{_ORDINALS[m - 1]}责任区",
                station_code=site.code,
                polygon=tuple((float(x), float(y)) for x, y in ll),
            )
        )
        polys.append(frame.to_xy(ll))
    return stations, areas, polys
