"""Travel times for planning: every unit to one incident in one reversed Dijkstra.

The planner needs, per incident, the time of *every* candidate unit and the
route of the few it picks.  One Dijkstra from the incident on the transposed
graph gives both: the distances are each node's time to the incident, and the
predecessor of a node in the reversed search is its next hop towards the
incident, so any unit's route is traced in O(route length) without another
search.  Unit speed factors (foot patrols, special police) scale the result.

Also kept here, because they depend only on the graph: per-node road length
(for length-weighted coverage), per-node responsibility area (the area's whole
shape, :func:`console.polygon.area_index`), and a cache of
"nodes reachable within t seconds" sets used by the coverage costs.
"""

from __future__ import annotations

import math
import threading
from collections import OrderedDict
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
from scipy.sparse import csr_matrix
from scipy.sparse.csgraph import dijkstra

from console.domain import Area
from console.geo.roadgraph import RoadGraph
from console.geo.tolerance import cutoff, within_mask
from console.polygon import area_index

F64 = npt.NDArray[np.float64]
I64 = npt.NDArray[np.int64]
I32 = npt.NDArray[np.int32]

_REACH_CACHE = 8192


@dataclass(frozen=True)
class ToTarget:
    """Seconds from every node to one target node (speed factor 1) and the next hop."""

    target: int
    hour: int | None
    seconds: F64  # (n,), inf = unreachable or beyond the search limit
    next_hop: I32  # (n,), -9999 where none


@dataclass(frozen=True)
class Path:
    """A route as drawn on the map."""

    nodes: I64
    lon: list[float]
    lat: list[float]
    length_m: float


class TravelTimes:
    """Graph-bound helpers shared by the engine and the coverage analysis."""

    def __init__(self, graph: RoadGraph, areas: Sequence[Area] = ()) -> None:
        self.graph = graph
        n = graph.n_nodes
        self._lock = threading.Lock()
        self._rev: dict[int | None, csr_matrix] = {}
        self._reach: OrderedDict[tuple[int, int | None, float], I64] = OrderedDict()
        # fastest edge per (src, dst), as the graph's own time matrices use
        base_s = graph.edge_len_m / (graph.edge_speed_kmh / 3.6)
        key = graph.edge_src.astype(np.int64) * n + graph.edge_dst
        order = np.lexsort((base_s, key))
        first = np.ones(len(order), dtype=bool)
        first[1:] = key[order][1:] != key[order][:-1]
        self._key: I64 = key[order][first]
        self._len: F64 = graph.edge_len_m[order][first]
        self.max_speed_ms = float(np.max(graph.edge_speed_kmh)) / 3.6
        # each undirected segment's length split between its two end nodes
        a = np.minimum(graph.edge_src, graph.edge_dst).astype(np.int64)
        b = np.maximum(graph.edge_src, graph.edge_dst).astype(np.int64)
        _, uniq = np.unique(a * n + b, return_index=True)
        w = np.zeros(n)
        np.add.at(w, a[uniq], graph.edge_len_m[uniq] / 2.0)
        np.add.at(w, b[uniq], graph.edge_len_m[uniq] / 2.0)
        self.node_weight_m: F64 = w
        self.total_weight_m = float(w.sum())
        self.area_codes: list[str] = [a_.code for a_ in areas]
        self.area_names: list[str] = [a_.name for a_ in areas]
        # the area's whole shape (every part, holes cut out); the first area listed wins
        self.node_area: I64 = area_index(areas, graph.node_lon, graph.node_lat)
        self.area_centre: I64 = self._area_centres()

    def _area_centres(self) -> I64:
        """A central road node per area: the node closest to the mean of its nodes."""
        g = self.graph
        out = np.full(len(self.area_codes), -1, dtype=np.int64)
        for i in range(len(self.area_codes)):
            idx = np.flatnonzero(self.node_area == i)
            if idx.size == 0:
                continue
            cx, cy = g.node_x[idx].mean(), g.node_y[idx].mean()
            out[i] = idx[np.argmin((g.node_x[idx] - cx) ** 2 + (g.node_y[idx] - cy) ** 2)]
        return out

    # ---- one incident ---------------------------------------------------------------------

    def reversed_csr(self, hour: int | None) -> csr_matrix:
        """Transposed travel-time matrix for an hour (cached; built once per hour)."""
        with self._lock:
            m = self._rev.get(hour)
        if m is None:
            m = self.graph.time_csr(hour).T.tocsr()
            with self._lock:
                self._rev[hour] = m
        return m

    def to_target(self, target: int, hour: int | None, limit_s: float = math.inf) -> ToTarget:
        """One reversed Dijkstra: every node's time to ``target`` and its next hop."""
        d, pred = dijkstra(
            self.reversed_csr(hour),
            directed=True,
            indices=int(target),
            return_predecessors=True,
            limit=cutoff(limit_s),
        )
        return ToTarget(int(target), hour, np.asarray(d, dtype=np.float64), pred.astype(np.int32))

    def path(self, tt: ToTarget, node: int) -> Path:
        """Route from ``node`` to the target of ``tt`` (empty if unreachable)."""
        g = self.graph
        if not math.isfinite(tt.seconds[node]):
            return Path(np.empty(0, dtype=np.int64), [], [], math.inf)
        nodes = [int(node)]
        while nodes[-1] != tt.target:
            nxt = int(tt.next_hop[nodes[-1]])
            if nxt < 0 or len(nodes) > g.n_nodes:
                raise RuntimeError(f"broken predecessor chain at node {nodes[-1]}")
            nodes.append(nxt)
        arr = np.asarray(nodes, dtype=np.int64)
        return Path(
            arr,
            g.node_lon[arr].tolist(),
            g.node_lat[arr].tolist(),
            self.length_m(arr),
        )

    def length_m(self, nodes: I64) -> float:
        """Metres along consecutive nodes (fastest edge between each pair)."""
        if len(nodes) < 2:
            return 0.0
        keys = nodes[:-1] * self.graph.n_nodes + nodes[1:]
        pos = np.clip(np.searchsorted(self._key, keys), 0, len(self._key) - 1)
        if not np.all(self._key[pos] == keys):
            raise ValueError("consecutive nodes are not joined by an edge")
        return float(self._len[pos].sum())

    # ---- reach sets for coverage ----------------------------------------------------------

    def reach(self, node: int, hour: int | None, limit_s: float) -> I64:
        """Nodes a unit at ``node`` reaches within ``limit_s`` (speed factor 1), cached."""
        key = (int(node), hour, round(float(limit_s), 3))
        with self._lock:
            hit = self._reach.get(key)
            if hit is not None:
                self._reach.move_to_end(key)
                return hit
        d = dijkstra(
            self.graph.time_csr(hour), directed=True, indices=int(node), limit=cutoff(limit_s)
        )
        out = np.flatnonzero(within_mask(d, limit_s)).astype(np.int64)
        with self._lock:
            self._reach[key] = out
            while len(self._reach) > _REACH_CACHE:
                self._reach.popitem(last=False)
        return out

    def clear_reach_cache(self) -> None:
        """Forget cached reach sets (benchmarks measure the cold cost with this)."""
        with self._lock:
            self._reach.clear()
