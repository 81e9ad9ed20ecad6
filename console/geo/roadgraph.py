"""Directed road graph with travel times: the planner's and the simulator's view of streets.

Every polyline vertex is a node (nearby vertices merged), every consecutive
vertex pair gives one directed edge per permitted direction.  Travel times
are edge length / (class or posted speed x time-of-day factor x unit speed
factor); shortest paths come from ``scipy.sparse.csgraph.dijkstra``, which
answers "every unit to this incident" in one call on the transposed graph.
"""

from __future__ import annotations

import math
import operator
import threading
from collections import OrderedDict
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, NamedTuple, overload

import numpy as np
import numpy.typing as npt
from scipy.sparse import csr_matrix
from scipy.sparse.csgraph import connected_components, dijkstra
from scipy.spatial import cKDTree

from console.config import RoadSpeeds
from console.domain import RoadClass, Way
from console.geo.coords import ArrayIn, LocalProjection
from console.geo.graphbuild import GraphArrays, build_arrays, way_midpoints
from console.geo.tolerance import cutoff
from console.geo.turns import TurnRestriction

F64 = npt.NDArray[np.float64]
I64 = npt.NDArray[np.int64]

_CACHE_SIZE = 32


class NoRouteError(ValueError):
    """The destination cannot be reached from the source (one-way streets, islands)."""


@dataclass(frozen=True)
class Route:
    """A shortest path: nodes, the edges between them and the polyline to draw."""

    nodes: I64
    edges: I64  # edge index per step, len(nodes) - 1 (may run against it if oneway ignored)
    lon: F64
    lat: F64
    cum_m: F64  # distance from the start at each node
    cum_s: F64  # travel seconds from the start at each node
    length_m: float
    seconds: float


@dataclass(frozen=True)
class Segments:
    """One row per undirected road segment, for drawing; one-way rows point along travel."""

    coords: F64  # (m, 4): x0, y0, x1, y1 (metres) or lon0, lat0, lon1, lat1 (degrees)
    road_class: npt.NDArray[np.int8]
    oneway: npt.NDArray[np.bool_]
    way: npt.NDArray[np.int32]


class WayLabel(NamedTuple):
    """Where to write a way's name on the map."""

    name: str
    lon: float
    lat: float
    x: float
    y: float
    road_class: RoadClass
    length_m: float


class RoadGraph:
    """Nodes, directed edges and cached sparse travel-time matrices; see :meth:`from_ways`."""

    def __init__(
        self,
        arrays: GraphArrays,
        ways: Sequence[Way],
        tod_factors: Sequence[float] | None = None,
    ) -> None:
        self.projection: LocalProjection = arrays.projection
        self.ways: tuple[Way, ...] = tuple(ways)
        self.way_names: list[str] = [w.name for w in self.ways]
        self.node_lon, self.node_lat = arrays.node_lon, arrays.node_lat
        self.node_x, self.node_y = arrays.node_x, arrays.node_y
        self.edge_src, self.edge_dst = arrays.edge_src, arrays.edge_dst
        self.edge_len_m, self.edge_speed_kmh = arrays.edge_len_m, arrays.edge_speed_kmh
        self.edge_class, self.edge_way = arrays.edge_class, arrays.edge_way
        self.way_class = np.array([int(w.road_class) for w in self.ways], dtype=np.int8)
        self._arrays = arrays
        self.tod_factors: tuple[float, ...] | None = _check_tod(tod_factors)
        n = self.n_nodes
        # turn restrictions: nodes n_real.. are copies of junctions (see console.geo.turns)
        self.n_real = arrays.n_phys if arrays.n_phys >= 0 else n
        self.node_real: I64 = (
            arrays.node_phys if arrays.node_phys is not None else np.arange(n, dtype=np.int64)
        )
        self.turns_applied = arrays.turns_applied
        self._copy_ids: I64 | None = None
        self._copies_of: dict[int, list[int]] = {}
        if self.n_real < n:
            self._copy_ids = np.arange(self.n_real, n, dtype=np.int64)
            for c in self._copy_ids.tolist():
                self._copies_of.setdefault(int(self.node_real[c]), []).append(c)
        # one representative (fastest) edge per (src, dst) pair: csr_matrix would sum duplicates
        base_s = self.edge_len_m / (self.edge_speed_kmh / 3.6)
        key = self.edge_src.astype(np.int64) * n + self.edge_dst
        order = np.lexsort((base_s, key))
        first = np.ones(len(order), dtype=bool)
        first[1:] = key[order][1:] != key[order][:-1]
        rep = order[first]
        self._rep_edge: I64 = rep.astype(np.int64)
        self._rep_key: I64 = key[rep]
        self._base_s: F64 = base_s
        src, dst = self.edge_src[rep], self.edge_dst[rep]
        self._fwd = (_indptr(src, n), dst.astype(np.int32), base_s[rep])
        t_order = np.lexsort((src, dst))
        self._bwd = (_indptr(dst[t_order], n), src[t_order].astype(np.int32), base_s[rep][t_order])
        self._lock = threading.Lock()
        self._csr_cache: OrderedDict[tuple[float, bool], csr_matrix] = OrderedDict()
        self._tree: cKDTree | None = None
        self._scc: I64 | None = None
        self._scc_tree: cKDTree | None = None

    @classmethod
    def from_ways(
        cls,
        ways: Sequence[Way],
        speeds: RoadSpeeds,
        snap_tol_m: float = 1.0,
        tod_factors: Sequence[float] | None = None,
        origin: tuple[float, float] | None = None,
        restrictions: Sequence[TurnRestriction] = (),
    ) -> RoadGraph:
        """Build from polylines; vertices within ``snap_tol_m`` metres become one node.

        ``tod_factors`` are 24 hourly speed multipliers (config ``time_of_day``);
        ``origin`` is the (lon, lat) centre of the local metric plane (default:
        the centre of the ways' bounding box); ``restrictions`` are turn
        restrictions (junction copies are added after the real nodes).
        """
        arrays = build_arrays(ways, speeds, snap_tol_m, origin, restrictions)
        return cls(arrays, ways, tod_factors)

    def _fold(self, d: F64) -> F64:
        """Times to a junction's copies count as times to the junction (in place, (k, n))."""
        if self._copy_ids is not None:
            real = self.node_real[self._copy_ids]
            np.minimum.at(d.T, real, d[:, self._copy_ids].T)
        return d

    def __repr__(self) -> str:
        return f"RoadGraph({self.n_nodes} nodes, {self.n_edges} edges, {len(self.ways)} ways)"

    @property
    def n_nodes(self) -> int:
        return len(self.node_lon)

    @property
    def n_edges(self) -> int:
        return len(self.edge_src)

    # ---- travel-time matrices -------------------------------------------------------------

    def _factor(self, hour: int | None, speed_factor: float) -> float:
        sf = float(speed_factor)
        if not (math.isfinite(sf) and sf > 0):
            raise ValueError(f"speed_factor must be a positive number, got {speed_factor!r}")
        if hour is None:
            return sf
        try:
            h = operator.index(hour)
        except TypeError:
            raise ValueError(f"hour must be an integer 0-23 or None, got {hour!r}") from None
        if not 0 <= h <= 23:
            raise ValueError(f"hour must be 0-23, got {h}")
        return sf * (self.tod_factors[h] if self.tod_factors is not None else 1.0)

    def _matrix(self, factor: float, transposed: bool) -> csr_matrix:
        key = (factor, transposed)
        with self._lock:
            m = self._csr_cache.get(key)
            if m is not None:
                self._csr_cache.move_to_end(key)
                return m
        indptr, indices, base = self._bwd if transposed else self._fwd
        m = csr_matrix((base / factor, indices, indptr), shape=(self.n_nodes, self.n_nodes))
        m.has_sorted_indices = True
        with self._lock:
            self._csr_cache[key] = m
            while len(self._csr_cache) > _CACHE_SIZE:
                self._csr_cache.popitem(last=False)
        return m

    def time_csr(self, hour: int | None = None, speed_factor: float = 1.0) -> csr_matrix:
        """Sparse (n, n) matrix of edge travel seconds, cached per effective speed factor."""
        return self._matrix(self._factor(hour, speed_factor), False)

    def edge_seconds(self, hour: int | None = None, speed_factor: float = 1.0) -> F64:
        """Travel seconds of every edge (same order as ``edge_src``)."""
        return self._base_s / self._factor(hour, speed_factor)

    def _nodes(self, idx: Any, what: str) -> I64:
        arr = np.asarray(idx)
        if arr.dtype == bool or not np.issubdtype(arr.dtype, np.integer):
            raise ValueError(f"{what} must be integer node indices, got {arr.dtype}")
        arr = arr.astype(np.int64).reshape(-1)
        bad = (arr < 0) | (arr >= self.n_nodes)
        if bad.any():
            raise ValueError(f"{what}: node index {arr[bad][0]} out of range 0..{self.n_nodes - 1}")
        return arr

    def travel_times_from(
        self,
        sources: ArrayIn | int,
        hour: int | None = None,
        speed_factor: float = 1.0,
        limit_s: float = math.inf,
        respect_oneway: bool = True,
    ) -> F64:
        """(k, n) seconds from each source node to every node (inf = unreachable / over limit)."""
        src = self._nodes(sources, "sources")
        factor = self._factor(hour, speed_factor)
        if not len(src):
            return np.empty((0, self.n_nodes))
        d = dijkstra(
            self._matrix(factor, False), directed=respect_oneway, indices=src, limit=_limit(limit_s)
        )
        return self._fold(np.asarray(d, dtype=np.float64).reshape(len(src), self.n_nodes))

    def travel_times_to(
        self,
        target: ArrayIn | int,
        hour: int | None = None,
        speed_factor: float = 1.0,
        limit_s: float = math.inf,
        respect_oneway: bool = True,
    ) -> F64:
        """Seconds from every node to ``target``: (n,) for one target, (k, n) for an array.

        One Dijkstra on the transposed graph replaces one Dijkstra per unit:
        index the result with the units' nodes to get every unit's time to the incident.
        """
        tgt = self._nodes(target, "target")
        factor = self._factor(hour, speed_factor)
        if not len(tgt):
            return np.empty((0, self.n_nodes))
        # transposed graph when one-way streets count; undirected search needs no transpose
        m = self._matrix(factor, respect_oneway)
        if not any(int(t) in self._copies_of for t in tgt):
            d = dijkstra(m, directed=respect_oneway, indices=tgt, limit=_limit(limit_s))
            d = np.asarray(d, dtype=np.float64).reshape(len(tgt), self.n_nodes)
        else:  # arriving at a junction's copy is arriving at the junction
            d = np.vstack(
                [
                    dijkstra(
                        m,
                        directed=respect_oneway,
                        indices=[int(t), *self._copies_of.get(int(t), [])],
                        limit=_limit(limit_s),
                        min_only=True,
                    ).reshape(1, self.n_nodes)
                    for t in tgt
                ]
            )
        return d[0] if np.ndim(target) == 0 else d

    def nearest_times_min_only(
        self,
        sources: ArrayIn,
        hour: int | None = None,
        speed_factor: float = 1.0,
        limit_s: float = math.inf,
        respect_oneway: bool = True,
    ) -> tuple[F64, I64]:
        """For every node: seconds from the nearest source, and that source's index in ``sources``.

        The index is -1 where no source reaches the node within ``limit_s``.
        """
        src = self._nodes(sources, "sources")
        factor = self._factor(hour, speed_factor)
        if not len(src):
            return np.full(self.n_nodes, np.inf), np.full(self.n_nodes, -1, dtype=np.int64)
        d, _pred, origin = dijkstra(
            self._matrix(factor, False),
            directed=respect_oneway,
            indices=src,
            limit=_limit(limit_s),
            min_only=True,
            return_predecessors=True,
        )
        pos_of_node = np.full(self.n_nodes, -1, dtype=np.int64)
        pos_of_node[src[::-1]] = np.arange(len(src) - 1, -1, -1)  # first occurrence wins
        origin = np.asarray(origin, dtype=np.int64)
        which = np.where(origin >= 0, pos_of_node[np.maximum(origin, 0)], -1)
        d = np.asarray(d, dtype=np.float64)
        if self._copy_ids is not None:  # a junction reached first through one of its copies
            for c in self._copy_ids.tolist():
                r = int(self.node_real[c])
                if d[c] < d[r]:
                    d[r], which[r] = d[c], which[c]
        return d, which

    def route(
        self,
        src: int,
        dst: int,
        hour: int | None = None,
        speed_factor: float = 1.0,
        respect_oneway: bool = True,
    ) -> Route:
        """Fastest path from node ``src`` to node ``dst``; raises NoRouteError if unreachable."""
        s = int(self._nodes(src, "src")[0])
        t = int(self._nodes(dst, "dst")[0])
        factor = self._factor(hour, speed_factor)
        dist, pred = dijkstra(
            self._matrix(factor, False),
            directed=respect_oneway,
            indices=s,
            return_predecessors=True,
        )
        ends = [t, *self._copies_of.get(t, [])]
        end = min(ends, key=lambda k: float(dist[k]))
        if not np.isfinite(dist[end]):
            raise NoRouteError(f"no route from node {s} to node {t}")
        path = [end]
        while path[-1] != s:
            path.append(int(pred[path[-1]]))
        graph_nodes = np.array(path[::-1], dtype=np.int64)
        edges = self._step_edges(graph_nodes, respect_oneway)
        nodes = self.node_real[graph_nodes]
        step_m = self.edge_len_m[edges]
        step_s = self._base_s[edges] / factor
        cum_m = np.concatenate([[0.0], np.cumsum(step_m)])
        cum_s = np.concatenate([[0.0], np.cumsum(step_s)])
        return Route(
            nodes=nodes,
            edges=edges,
            lon=self.node_lon[nodes],
            lat=self.node_lat[nodes],
            cum_m=cum_m,
            cum_s=cum_s,
            length_m=float(cum_m[-1]),
            seconds=float(cum_s[-1]),
        )

    def _step_edges(self, nodes: I64, respect_oneway: bool) -> I64:
        """Fastest edge for each consecutive node pair (either direction if oneway is ignored)."""
        u, v = nodes[:-1], nodes[1:]
        n = self.n_nodes
        fwd = self._lookup(u * n + v)
        if respect_oneway:
            return fwd
        bwd = self._lookup(v * n + u)
        base = np.where(fwd >= 0, self._base_s[np.maximum(fwd, 0)], np.inf)
        base_b = np.where(bwd >= 0, self._base_s[np.maximum(bwd, 0)], np.inf)
        return np.where(base <= base_b, fwd, bwd)

    def _lookup(self, keys: I64) -> I64:
        pos = np.clip(np.searchsorted(self._rep_key, keys), 0, len(self._rep_key) - 1)
        found = self._rep_key[pos] == keys
        return np.where(found, self._rep_edge[pos], -1)

    # ---- structure ------------------------------------------------------------------------

    def largest_strongly_connected_component(self) -> I64:
        """Sorted node indices of the largest set where every node reaches every other."""
        with self._lock:
            if self._scc is not None:
                return self._scc
        _, labels = connected_components(
            self._matrix(1.0, False), directed=True, connection="strong"
        )
        biggest = int(np.argmax(np.bincount(labels[: self.n_real])))
        scc = np.flatnonzero(labels[: self.n_real] == biggest).astype(np.int64)
        with self._lock:
            self._scc = scc
        return scc

    # ---- snapping -------------------------------------------------------------------------

    def _trees(self, scc_only: bool) -> tuple[cKDTree, I64 | None]:
        if scc_only:
            scc = self.largest_strongly_connected_component()
            with self._lock:
                if self._scc_tree is None:
                    self._scc_tree = cKDTree(np.column_stack([self.node_x[scc], self.node_y[scc]]))
                return self._scc_tree, scc
        with self._lock:
            if self._tree is None:  # real nodes only: a junction's copies are not places
                r = self.n_real
                self._tree = cKDTree(np.column_stack([self.node_x[:r], self.node_y[:r]]))
            return self._tree, None

    @overload
    def snap_with_distance(
        self, lon: ArrayIn, lat: ArrayIn, scc_only: bool = ...
    ) -> tuple[I64, F64]: ...
    @overload
    def snap_with_distance(
        self, lon: float, lat: float, scc_only: bool = ...
    ) -> tuple[int, float]: ...
    def snap_with_distance(self, lon: Any, lat: Any, scc_only: bool = False) -> Any:
        """Nearest node(s) to WGS-84 point(s) and the distance in metres.

        ``scc_only`` restricts to the largest strongly connected component, so a
        unit never lands on an island it cannot drive out of.
        """
        x, y = self.projection.to_xy(
            np.asarray(lon, dtype=np.float64), np.asarray(lat, dtype=np.float64)
        )
        if not (np.isfinite(x).all() and np.isfinite(y).all()):
            raise ValueError("cannot snap a NaN/inf coordinate")
        tree, subset = self._trees(scc_only)
        dist, idx = tree.query(np.column_stack([np.ravel(x), np.ravel(y)]))
        idx = np.asarray(idx, dtype=np.int64)
        if subset is not None:
            idx = subset[idx]
        if np.ndim(x) == 0:
            return int(idx[0]), float(dist[0])
        return idx.reshape(np.shape(x)), np.asarray(dist, dtype=np.float64).reshape(np.shape(x))

    @overload
    def snap(self, lon: ArrayIn, lat: ArrayIn, scc_only: bool = ...) -> I64: ...
    @overload
    def snap(self, lon: float, lat: float, scc_only: bool = ...) -> int: ...
    def snap(self, lon: Any, lat: Any, scc_only: bool = False) -> Any:
        """Index of the nearest node (scalar in, int out; array in, array out)."""
        return self.snap_with_distance(lon, lat, scc_only)[0]

    @overload
    def snap_distance_m(self, lon: ArrayIn, lat: ArrayIn, scc_only: bool = ...) -> F64: ...
    @overload
    def snap_distance_m(self, lon: float, lat: float, scc_only: bool = ...) -> float: ...
    def snap_distance_m(self, lon: Any, lat: Any, scc_only: bool = False) -> Any:
        """Metres from the point(s) to the nearest node."""
        return self.snap_with_distance(lon, lat, scc_only)[1]

    # ---- drawing --------------------------------------------------------------------------

    def _segments(self) -> tuple[I64, I64, npt.NDArray[np.bool_], npt.NDArray[np.int32]]:
        sa = self._arrays.seg_a.astype(np.int64)
        sb = self._arrays.seg_b.astype(np.int64)
        n = self.n_nodes
        _, first = np.unique(np.minimum(sa, sb) * n + np.maximum(sa, sb), return_index=True)
        first.sort()
        a, b, way = sa[first], sb[first], self._arrays.seg_way[first]
        if self._copy_ids is None:
            ab = self._lookup(a * n + b) >= 0
            ba = self._lookup(b * n + a) >= 0
        else:  # directions by real node (edges into a junction may end at one of its copies)
            real = np.unique(self.node_real[self.edge_src] * n + self.node_real[self.edge_dst])
            ab = np.isin(a * n + b, real)
            ba = np.isin(b * n + a, real)
        oneway: npt.NDArray[np.bool_] = ab != ba
        flip = ba & ~ab
        return np.where(flip, b, a), np.where(flip, a, b), oneway, way

    def segments_xy(self) -> Segments:
        """Undirected segments in local metres (x0, y0, x1, y1) with class and oneway flag."""
        a, b, oneway, way = self._segments()
        xy = np.column_stack([self.node_x[a], self.node_y[a], self.node_x[b], self.node_y[b]])
        return Segments(xy, self.way_class[way], oneway, way)

    def segments_lonlat(self) -> Segments:
        """Undirected segments in WGS-84 degrees (lon0, lat0, lon1, lat1)."""
        a, b, oneway, way = self._segments()
        ll = np.column_stack(
            [self.node_lon[a], self.node_lat[a], self.node_lon[b], self.node_lat[b]]
        )
        return Segments(ll, self.way_class[way], oneway, way)

    def names_at(self) -> list[WayLabel]:
        """Name and halfway point of every named way, for map labels (longest first)."""
        mx, my, length = way_midpoints(self._arrays, len(self.ways))
        lon, lat = self.projection.to_lonlat(mx, my)
        labels = [
            WayLabel(
                w.name,
                float(lon[i]),
                float(lat[i]),
                float(mx[i]),
                float(my[i]),
                RoadClass(w.road_class),
                float(length[i]),
            )
            for i, w in enumerate(self.ways)
            if w.name
        ]
        labels.sort(key=lambda lb: -lb.length_m)
        return labels


def _indptr(rows: npt.NDArray[Any], n: int) -> npt.NDArray[np.int32]:
    counts = np.bincount(rows, minlength=n)
    return np.concatenate([[0], np.cumsum(counts)]).astype(np.int32)


def _limit(limit_s: float) -> float:
    v = float(limit_s)
    if math.isnan(v) or v < 0:
        raise ValueError(f"limit_s must be >= 0 (or inf), got {limit_s!r}")
    return cutoff(v)


def _check_tod(tod: Sequence[float] | None) -> tuple[float, ...] | None:
    if tod is None:
        return None
    vals = tuple(float(x) for x in tod)
    if len(vals) != 24:
        raise ValueError(f"tod_factors needs 24 hourly factors, got {len(vals)}")
    for h, v in enumerate(vals):
        if not (math.isfinite(v) and v > 0):
            raise ValueError(f"tod_factors[{h}] must be a positive number, got {v}")
    return vals
