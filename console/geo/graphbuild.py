"""Turn road polylines into node and edge arrays, vectorised (no Python loop per edge).

Kept apart from :mod:`console.geo.roadgraph` so the routing class stays small:
this module only validates ways and produces plain numpy arrays.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from itertools import chain

import numpy as np
import numpy.typing as npt
from scipy.sparse import coo_matrix
from scipy.sparse.csgraph import connected_components
from scipy.spatial import cKDTree

from console.config import RoadSpeeds
from console.domain import RoadClass, Way
from console.geo.coords import LocalProjection
from console.geo.turns import TurnRestriction, split_turns

F64 = npt.NDArray[np.float64]
I32 = npt.NDArray[np.int32]
I64 = npt.NDArray[np.int64]

MIN_EDGE_M = 1e-3  # zero-weight edges confuse shortest paths; clamp merged-vertex slivers


@dataclass(frozen=True)
class GraphArrays:
    """Everything :class:`RoadGraph` needs, as flat arrays."""

    projection: LocalProjection
    node_lon: F64
    node_lat: F64
    node_x: F64
    node_y: F64
    # undirected segments (one per consecutive vertex pair, slivers dropped)
    seg_a: I32
    seg_b: I32
    seg_way: I32
    # directed edges
    edge_src: I32
    edge_dst: I32
    edge_len_m: F64
    edge_speed_kmh: F64
    edge_class: npt.NDArray[np.int8]
    edge_way: I32
    # per input vertex (for labels): projected coords and way index
    vert_x: F64
    vert_y: F64
    vert_way: I32
    # turn restrictions: nodes from n_phys on are copies of junction node_phys[i]
    n_phys: int = -1  # -1: no copies (every node is real)
    node_phys: I64 | None = None
    turns_applied: int = 0
    turns_unmatched: tuple[int, ...] = ()


def class_speeds(speeds: RoadSpeeds) -> F64:
    """Free-flow speed by RoadClass value, validated."""
    table = np.empty(len(RoadClass), dtype=np.float64)
    for rc in RoadClass:
        v = float(getattr(speeds, rc.name.lower()))
        if not (math.isfinite(v) and v > 0):
            raise ValueError(f"road speed for {rc.name.lower()} must be positive, got {v}")
        table[rc.value] = v
    return table


def _way_label(ways: Sequence[Way], i: int) -> str:
    name = getattr(ways[i], "name", "")
    return f"way #{i}" + (f" ({name!r})" if name else "")


def _validate(ways: Sequence[Way]) -> tuple[I64, npt.NDArray[np.int8], F64, npt.NDArray[np.bool_]]:
    """Per-way vertex counts, classes, explicit speeds (NaN = by class) and oneway flags."""
    if not ways:
        raise ValueError("cannot build a road graph from an empty list of ways")
    n = len(ways)
    counts = np.empty(n, dtype=np.int64)
    classes = np.empty(n, dtype=np.int8)
    explicit = np.full(n, np.nan)
    oneway = np.empty(n, dtype=bool)
    for i, w in enumerate(ways):
        if not isinstance(w, Way):
            raise ValueError(f"{_way_label(ways, i)} is a {type(w).__name__}, not a Way")
        if len(w.coords) < 2:
            raise ValueError(f"{_way_label(ways, i)} needs at least 2 points, has {len(w.coords)}")
        try:
            classes[i] = RoadClass(w.road_class).value
        except ValueError:
            raise ValueError(
                f"{_way_label(ways, i)} has unknown road class {w.road_class!r}"
            ) from None
        if w.speed_kmh is not None:
            v = float(w.speed_kmh)
            if not (math.isfinite(v) and v > 0):
                raise ValueError(f"{_way_label(ways, i)} has invalid speed_kmh {w.speed_kmh!r}")
            explicit[i] = v
        counts[i] = len(w.coords)
        oneway[i] = bool(w.oneway)
    return counts, classes, explicit, oneway


def _coords(ways: Sequence[Way], counts: I64) -> F64:
    """All vertices as an (N, 2) lon/lat array, with errors naming the bad way."""
    try:
        flat = np.array(list(chain.from_iterable(w.coords for w in ways)), dtype=np.float64)
    except (TypeError, ValueError) as exc:
        raise ValueError(f"way coordinates must be (lon, lat) number pairs: {exc}") from None
    if flat.ndim != 2 or flat.shape[1] != 2:
        raise ValueError(f"way coordinates must be (lon, lat) pairs, got shape {flat.shape}")
    way_of = np.repeat(np.arange(len(ways)), counts)
    bad = ~np.isfinite(flat).all(axis=1)
    if bad.any():
        raise ValueError(
            f"{_way_label(ways, int(way_of[np.argmax(bad)]))} has a NaN/inf coordinate"
        )
    bad = (np.abs(flat[:, 0]) > 180.0) | (np.abs(flat[:, 1]) > 90.0)
    if bad.any():
        i = int(np.argmax(bad))
        raise ValueError(
            f"{_way_label(ways, int(way_of[i]))} has an out-of-range point "
            f"({flat[i, 0]}, {flat[i, 1]}); coordinates must be (lon, lat) degrees"
        )
    return flat


def _merge_vertices(xy: F64, tol_m: float) -> tuple[I64, I64]:
    """Map each vertex to a node: identical or within ``tol_m`` (transitively) -> same node.

    Returns (node_of_vertex, representative_vertex_of_node); a node keeps the
    coordinates of its first vertex so shared OSM nodes stay exactly in place.
    """
    uniq, first, inverse = np.unique(xy, axis=0, return_index=True, return_inverse=True)
    inverse = inverse.reshape(-1)
    m = len(uniq)
    labels = np.arange(m)
    if tol_m > 0 and m > 1:
        pairs = cKDTree(uniq).query_pairs(tol_m, output_type="ndarray")
        if len(pairs):
            adj = coo_matrix((np.ones(len(pairs)), (pairs[:, 0], pairs[:, 1])), shape=(m, m))
            labels = connected_components(adj, directed=False)[1]
    # order nodes by first appearance in the input, for stable, readable indices
    first_vertex = np.full(labels.max() + 1, len(xy), dtype=np.int64)
    np.minimum.at(first_vertex, labels, first)
    order = np.argsort(first_vertex, kind="stable")
    rank = np.empty_like(order)
    rank[order] = np.arange(len(order))
    return rank[labels][inverse].astype(np.int64), first_vertex[order]


def _turn_nodes(
    restrictions: Sequence[TurnRestriction],
    proj: LocalProjection,
    node_x: F64,
    node_y: F64,
    tol_m: float,
) -> I64:
    """(k, 3) node of each restriction's from, via and to vertex; -1 where none is that close."""
    pts = np.array(
        [[p for r in restrictions for p in (r.from_pt, r.via, r.to_pt)]], dtype=np.float64
    ).reshape(-1, 2)
    x, y = proj.to_xy(pts[:, 0], pts[:, 1])
    dist, idx = cKDTree(np.column_stack([node_x, node_y])).query(np.column_stack([x, y]))
    idx = np.where(np.asarray(dist) <= tol_m, np.asarray(idx, dtype=np.int64), -1)
    return idx.reshape(-1, 3)


def build_arrays(
    ways: Sequence[Way],
    speeds: RoadSpeeds,
    snap_tol_m: float,
    origin: tuple[float, float] | None,
    restrictions: Sequence[TurnRestriction] = (),
) -> GraphArrays:
    """Validate ways and compute node/segment/edge arrays (junctions split for restrictions)."""
    if not (math.isfinite(snap_tol_m) and snap_tol_m >= 0):
        raise ValueError(f"snap_tol_m must be a finite number >= 0, got {snap_tol_m}")
    counts, classes, explicit, oneway = _validate(ways)
    by_class = class_speeds(speeds)
    flat = _coords(ways, counts)
    if origin is None:
        lo_min, la_min = flat.min(axis=0)
        lo_max, la_max = flat.max(axis=0)
        origin = ((lo_min + lo_max) / 2.0, (la_min + la_max) / 2.0)
    proj = LocalProjection(*origin)
    vx, vy = proj.to_xy(flat[:, 0], flat[:, 1])
    vert_way = np.repeat(np.arange(len(ways), dtype=np.int32), counts)

    node_of, rep = _merge_vertices(np.column_stack([vx, vy]), snap_tol_m)

    # consecutive vertex pairs inside each way
    within = np.ones(len(flat) - 1, dtype=bool)
    within[np.cumsum(counts)[:-1] - 1] = False
    i = np.flatnonzero(within)
    a, b = node_of[i], node_of[i + 1]
    keep = a != b
    if not keep.any():
        raise ValueError(f"no road segment is longer than snap_tol_m={snap_tol_m} m")
    seg_a, seg_b, seg_way = a[keep], b[keep], vert_way[i][keep]
    # drop nodes no segment touches (ways shorter than the tolerance)
    used = np.zeros(len(rep), dtype=bool)
    used[seg_a] = used[seg_b] = True
    if not used.all():
        new_id = np.cumsum(used) - 1
        seg_a, seg_b, rep = new_id[seg_a], new_id[seg_b], rep[used]

    node_lon, node_lat = flat[rep, 0].copy(), flat[rep, 1].copy()
    node_x, node_y = vx[rep].copy(), vy[rep].copy()
    seg_len = np.maximum(
        np.hypot(node_x[seg_b] - node_x[seg_a], node_y[seg_b] - node_y[seg_a]), MIN_EDGE_M
    )
    way_speed = np.where(np.isnan(explicit), by_class[classes], explicit)
    two_way = ~oneway[seg_way]
    src = np.concatenate([seg_a, seg_b[two_way]]).astype(np.int32)
    dst = np.concatenate([seg_b, seg_a[two_way]]).astype(np.int32)
    edge_way = np.concatenate([seg_way, seg_way[two_way]]).astype(np.int32)
    edge_len = np.concatenate([seg_len, seg_len[two_way]])
    n_phys, node_phys, applied = -1, None, 0
    unmatched: tuple[int, ...] = ()
    if restrictions:
        triples = _turn_nodes(restrictions, proj, node_x, node_y, max(snap_tol_m, 0.05))
        only = np.array([bool(r.only) for r in restrictions], dtype=bool)
        split = split_turns(len(node_lon), src, dst, triples, only)
        applied, unmatched = split.applied, split.unmatched
        if len(split.node_phys) > len(node_lon):
            n_phys, node_phys = len(node_lon), split.node_phys
            node_lon, node_lat = node_lon[node_phys], node_lat[node_phys]
            node_x, node_y = node_x[node_phys], node_y[node_phys]
        src, dst = split.src, split.dst
        edge_way, edge_len = edge_way[split.parent], edge_len[split.parent]
    return GraphArrays(
        projection=proj,
        node_lon=node_lon,
        node_lat=node_lat,
        node_x=node_x,
        node_y=node_y,
        seg_a=seg_a.astype(np.int32),
        seg_b=seg_b.astype(np.int32),
        seg_way=seg_way.astype(np.int32),
        edge_src=src,
        edge_dst=dst,
        edge_len_m=edge_len,
        edge_speed_kmh=way_speed[edge_way],
        edge_class=classes[edge_way],
        edge_way=edge_way,
        vert_x=vx,
        vert_y=vy,
        vert_way=vert_way,
        n_phys=n_phys,
        node_phys=node_phys,
        turns_applied=applied,
        turns_unmatched=unmatched,
    )


def way_midpoints(arr: GraphArrays, n_ways: int) -> tuple[F64, F64, F64]:
    """(x, y, length_m) of the point halfway along each way's polyline."""
    vx, vy, way = arr.vert_x, arr.vert_y, arr.vert_way
    step = np.hypot(np.diff(vx), np.diff(vy))
    step[way[1:] != way[:-1]] = 0.0
    cum = np.concatenate([[0.0], np.cumsum(step)])
    starts = np.searchsorted(way, np.arange(n_ways), side="left")
    ends = np.searchsorted(way, np.arange(n_ways), side="right") - 1
    length = cum[ends] - cum[starts]
    target = cum[starts] + length / 2.0
    k = np.clip(np.searchsorted(cum, target, side="right") - 1, starts, ends - 1)
    seg = np.where(step[k] > 0, step[k], 1.0)
    frac = np.clip((target - cum[k]) / seg, 0.0, 1.0)
    mx = vx[k] + frac * (vx[k + 1] - vx[k])
    my = vy[k] + frac * (vy[k + 1] - vy[k])
    return mx, my, length
