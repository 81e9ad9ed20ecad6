"""The demo road network: hand-drawn named roads plus a generated street grid.

Named roads come from :mod:`console.demo.huangpu_data`.  Between them a
jittered, gently warped lattice (~100 m blocks, sheared in the former
concession so east-west streets slope like Nanjing Road) supplies local
streets.  Everything is then "noded" - every crossing becomes a vertex of both
roads - because the road graph joins roads only at shared vertices.  Finally
one-way streets are checked so no part of the network is a trap (enter but
never leave), and fragments cut off from the main network are dropped.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
from scipy.sparse import coo_matrix
from scipy.sparse.csgraph import connected_components

from console.demo.geometry import (
    F64,
    I64,
    LocalFrame,
    densify,
    drop_repeats,
    nearest_on_segments,
    node_lines,
    points_in_polygon,
)
from console.demo.huangpu_data import LAND_EDGES, NAMED_ROADS, PARKS, PEDESTRIAN_ZONES
from console.demo.names import EW_STREETS, NS_STREETS
from console.domain import RoadClass

SPACING_M = (105.0, 92.0)  # lattice step east-west, north-south
SNAP_M = 30.0  # lattice nodes this close to a named road move onto it
END_SNAP_M = 80.0  # named-road ends this close to another named road end on it
LAND_MARGIN_M = 35.0  # keep local streets this far inside the land boundary
WATER_MARGIN_M = 115.0  # ... and behind the riverside roads
NODE_DROP_SHARE = 0.06  # lattice nodes left out, making bigger blocks
DROP_SHARE = 0.07  # lattice edges left out, for T-junctions and irregular blocks
BREAK_SHARE = 0.12  # chance a street ends (changes name) at a lattice node
ONEWAY_SHARE = 0.28  # of local streets, before trap repair
MERGE_TOL_M = 0.5


@dataclass
class Street:
    """A road polyline in the local metric frame."""

    name: str
    road_class: RoadClass
    oneway: bool
    xy: F64


def _segments(lines: list[F64]) -> tuple[F64, F64, I64]:
    a = np.concatenate([ln[:-1] for ln in lines])
    b = np.concatenate([ln[1:] for ln in lines])
    owner = np.repeat(np.arange(len(lines)), [len(ln) - 1 for ln in lines])
    return a, b, owner


def named_streets(frame: LocalFrame) -> list[Street]:
    """Named roads, densified to <= 50 m, with ends near another road moved onto it."""
    streets = [
        Street(r.name, r.road_class, r.oneway, densify(frame.to_xy(r.points), 50.0))
        for r in NAMED_ROADS
    ]
    for k, st in enumerate(streets):
        others = [o.xy for n, o in enumerate(streets) if n != k]
        a, b, _ = _segments(others)
        for end in (0, -1):
            dist, _, foot = nearest_on_segments(st.xy[end : end + 1 or None], a, b)
            if 0.0 < dist[0] <= END_SNAP_M:
                st.xy[end] = foot[0]
    return streets


def _shear(y: F64, x: F64) -> F64:
    """North-south offset making east-west streets slope WSW north of the old city."""
    s = np.interp(y, [100.0, 1100.0, 1600.0], [0.05, 0.26, 0.36], left=0.0, right=0.36)
    s = np.where(y < -300.0, 0.0, s)
    x_ref = -210.0  # Xizang Rd
    return np.where(x >= x_ref, s, 0.6 * s) * (x - x_ref)


def _in_boxes(
    frame: LocalFrame, xy: F64, boxes: tuple[tuple[float, float, float, float], ...]
) -> npt.NDArray[np.bool_]:
    out = np.zeros(len(xy), dtype=bool)
    for lon0, lat0, lon1, lat1 in boxes:
        lo, hi = frame.to_xy([(lon0, lat0), (lon1, lat1)])
        out |= np.all((xy >= lo) & (xy <= hi), axis=1)
    return out


def _in_zones(frame: LocalFrame, xy: F64) -> npt.NDArray[np.bool_]:
    out = np.zeros(len(xy), dtype=bool)
    for lon, lat, radius in PEDESTRIAN_ZONES:
        c = frame.to_xy([(lon, lat)])[0]
        out |= np.hypot(*(xy - c).T) <= radius
    return out


@dataclass
class _Lattice:
    pos: F64  # (ny, nx, 2)
    valid: npt.NDArray[np.bool_]  # (ny, nx)
    snapped: I64  # (ny, nx) named road index or -1


def _lattice(
    frame: LocalFrame, outline: F64, named: list[Street], rng: np.random.Generator
) -> _Lattice:
    lo, hi = outline.min(axis=0), outline.max(axis=0)
    sx, sy = SPACING_M
    gx, gy = np.meshgrid(
        np.arange(lo[0] - sx, hi[0] + sx, sx), np.arange(lo[1] - 700.0, hi[1] + sy, sy)
    )
    ph = rng.uniform(0, 2 * np.pi, 4)
    x = gx + 22 * np.sin(2 * np.pi * gy / 950 + ph[0])
    x = x + 12 * np.sin(2 * np.pi * (gx + gy) / 1400 + ph[1])
    y = gy + _shear(gy, gx) + 18 * np.sin(2 * np.pi * gx / 1100 + ph[2])
    y = y + 10 * np.sin(2 * np.pi * (gx - gy) / 1700 + ph[3])
    jitter = np.clip(rng.normal(0.0, 9.0, (2, *gx.shape)), -22.0, 22.0)
    flat = np.column_stack(((x + jitter[0]).ravel(), (y + jitter[1]).ravel()))
    valid = points_in_polygon(flat[:, 0], flat[:, 1], outline)
    ea, eb = outline, np.roll(outline, -1, axis=0)
    land = np.isin(np.arange(len(outline)), LAND_EDGES)
    d_land, _, _ = nearest_on_segments(flat, ea[land], eb[land])
    d_water, _, _ = nearest_on_segments(flat, ea[~land], eb[~land])
    valid &= (d_land > LAND_MARGIN_M) & (d_water > WATER_MARGIN_M)
    valid &= ~_in_boxes(frame, flat, PARKS)
    a, b, owner = _segments([s.xy for s in named])
    dist, seg, foot = nearest_on_segments(flat, a, b)
    # a few missing nodes make 2x2 superblocks (schools, estates, lilong compounds)
    valid &= (rng.random(len(flat)) >= NODE_DROP_SHARE) | (dist <= 2 * SNAP_M)
    snap = valid & (dist <= SNAP_M)
    flat = np.where(snap[:, None], foot, flat)
    snapped = np.where(snap, owner[seg], -1)
    shape = gx.shape
    return _Lattice(flat.reshape(*shape, 2), valid.reshape(shape), snapped.reshape(shape))


def _edges(
    lat: _Lattice, axis: int, outline: F64, rng: np.random.Generator
) -> npt.NDArray[np.bool_]:
    """Which lattice edges along ``axis`` (0: east-west rows) become street pieces."""
    pos, valid, snapped = (
        (lat.pos, lat.valid, lat.snapped)
        if axis == 0
        else (lat.pos.transpose(1, 0, 2), lat.valid.T, lat.snapped.T)
    )
    p, q = pos[:, :-1], pos[:, 1:]
    ok = valid[:, :-1] & valid[:, 1:] & (rng.random(valid[:, 1:].shape) >= DROP_SHARE)
    ok &= ~((snapped[:, :-1] >= 0) & (snapped[:, :-1] == snapped[:, 1:]))
    ok &= np.hypot(*(q - p).transpose(2, 0, 1)) >= 15.0
    mid = (p + q) / 2.0
    ok &= points_in_polygon(mid[..., 0], mid[..., 1], outline)
    return ok


def local_streets(
    frame: LocalFrame, outline: F64, named: list[Street], rng: np.random.Generator
) -> list[Street]:
    """Chains of lattice edges between named roads, as local (or pedestrian) streets."""
    lat = _lattice(frame, outline, named, rng)
    out: list[Street] = []
    ew = [int(k) for k in rng.permutation(len(EW_STREETS))]
    ns = [int(k) for k in rng.permutation(len(NS_STREETS))]
    for axis in (0, 1):  # 0: rows (east-west), 1: columns (north-south)
        ok = _edges(lat, axis, outline, rng)
        pos = lat.pos if axis == 0 else lat.pos.transpose(1, 0, 2)
        snapped = lat.snapped if axis == 0 else lat.snapped.T
        breaks = (rng.random(snapped.shape) < BREAK_SHARE) | (snapped >= 0)
        bends = rng.normal(0.0, 4.0, ok.shape) * (rng.random(ok.shape) < 0.5)
        for k in range(ok.shape[0]):
            chain: list[F64] = []
            for i in range(ok.shape[1]):
                if not ok[k, i] or (chain and breaks[k, i]):
                    if len(chain) > 1:
                        out.append(_finish(chain, axis, k, ew, ns))
                    chain = []
                if not ok[k, i]:
                    continue
                pa, pb = pos[k, i], pos[k, i + 1]
                if not chain:
                    chain.append(pa)
                if bends[k, i] != 0.0:
                    d = pb - pa
                    normal = np.array([-d[1], d[0]]) / max(float(np.hypot(*d)), 1e-9)
                    chain.append((pa + pb) / 2.0 + normal * bends[k, i])
                chain.append(pb)
            if len(chain) > 1:
                out.append(_finish(chain, axis, k, ew, ns))
    # drop streets lying along a named road (both ends and the middle within 12 m of it)
    a, b, _ = _segments([s.xy for s in named])
    probe = np.vstack([(s.xy[0], s.xy[len(s.xy) // 2], s.xy[-1]) for s in out])
    dist, _, _ = nearest_on_segments(probe, a, b)
    along = np.all(dist.reshape(-1, 3) < 12.0, axis=1)
    streets = [s for s, drop in zip(out, along, strict=True) if not drop]
    for s in streets:
        if _in_zones(frame, s.xy).mean() > 0.5:
            s.road_class = RoadClass.PEDESTRIAN
    return streets


def _finish(chain: list[F64], axis: int, k: int, ew: list[int], ns: list[int]) -> Street:
    xy = np.array(chain, dtype=np.float64)
    pool, order = (EW_STREETS, ew) if axis == 0 else (NS_STREETS, ns)
    chunk = int((xy[0, 1 - axis] + 5000.0) // 1300.0)
    name = pool[order[(k + 17 * chunk) % len(pool)]]
    return Street(name, RoadClass.LOCAL, False, xy)


def _graph(lines: list[F64], oneway: np.ndarray) -> tuple[int, I64, I64, I64]:
    """Vertex count and directed edges (src, dst, way) of the polylines."""
    allv = np.concatenate(lines)
    _, inv = np.unique(allv, axis=0, return_inverse=True)
    inv = inv.ravel().astype(np.int64)
    lens = np.array([len(ln) for ln in lines])
    way_of_v = np.repeat(np.arange(len(lines)), lens)
    same = way_of_v[:-1] == way_of_v[1:]
    src, dst, way = inv[:-1][same], inv[1:][same], way_of_v[:-1][same]
    two = ~oneway[way]
    return (
        int(inv.max()) + 1,
        np.concatenate([src, dst[two]]),
        np.concatenate([dst, src[two]]),
        np.concatenate([way, way[two]]),
    )


def _components(n: int, src: I64, dst: I64, strong: bool) -> I64:
    g = coo_matrix((np.ones(len(src)), (src, dst)), shape=(n, n)).tocsr()
    _, labels = connected_components(g, directed=strong, connection="strong")
    return np.asarray(labels, dtype=np.int64)


def finalise(streets: list[Street], rng: np.random.Generator) -> list[Street]:
    """Node, pick one-way locals, repair one-way traps, keep the main connected network."""
    lines = node_lines([s.xy for s in streets], MERGE_TOL_M)
    streets = [
        Street(s.name, s.road_class, s.oneway, ln)
        for s, ln in zip(streets, lines, strict=True)
        if len(ln) >= 2
    ]
    for s in streets:
        if s.road_class == RoadClass.LOCAL and rng.random() < ONEWAY_SHARE:
            s.oneway = True
            if rng.random() < 0.5:
                s.xy = s.xy[::-1].copy()
    lines = [s.xy for s in streets]
    oneway = np.array([s.oneway for s in streets])
    n, src, dst, way = _graph(lines, oneway)
    weak = _components(n, src, dst, strong=False)
    main = np.bincount(weak).argmax()
    keep_way = np.zeros(len(streets), dtype=bool)
    keep_way[way[weak[src] == main]] = True
    streets = [s for s, k in zip(streets, keep_way, strict=True) if k]
    for _ in range(20):
        lines = [s.xy for s in streets]
        oneway = np.array([s.oneway for s in streets])
        n, src, dst, way = _graph(lines, oneway)
        strong = _components(n, src, dst, strong=True)
        big = np.bincount(strong).argmax()
        bad = np.unique(way[(strong[src] != big) | (strong[dst] != big)])
        bad = bad[oneway[bad]]
        if len(bad) == 0:
            break
        for k in bad:
            streets[int(k)].oneway = False
    return [Street(s.name, s.road_class, s.oneway, drop_repeats(s.xy)) for s in streets]


def build_streets(frame: LocalFrame, outline: F64, rng: np.random.Generator) -> list[Street]:
    """The whole demo network in the metric frame, named roads first."""
    named = named_streets(frame)
    local = local_streets(frame, outline, named, rng)
    return finalise(named + local, rng)
