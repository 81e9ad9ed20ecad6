"""Intersections of named roads, for the intake's place search.

A 110 caller often names a crossing ("南京东路河南中路路口") rather than a
building.  The road graph knows where differently named ways share a node;
this module lists those crossings once per pair of names.  A dual
carriageway or a wide junction meets the other road at several nodes a few
dozen metres apart: those are merged into one point (their centroid), so the
search offers one "南京东路 / 河南中路", not four.
"""

from __future__ import annotations

from dataclasses import dataclass
from itertools import combinations

import numpy as np

from console.geo.roadgraph import RoadGraph

MERGE_M = 120.0
"""Crossings of the same two roads closer than this are one intersection."""


@dataclass(frozen=True)
class Intersection:
    """Where two named roads meet (WGS-84); ``roads`` sorted so a pair has one spelling."""

    roads: tuple[str, str]
    lon: float
    lat: float


def intersections(graph: RoadGraph, merge_m: float = MERGE_M) -> list[Intersection]:
    """Every crossing of two differently named roads, nearby duplicates merged.

    A node where three names meet yields every pair of them.  Sorted by the
    road names, so the list is the same on every run.
    """
    if graph.n_edges == 0:
        return []
    names = np.array([w.name.strip() for w in graph.ways], dtype=object)
    nodes = np.concatenate([graph.edge_src, graph.edge_dst]).astype(np.int64)
    ways = np.concatenate([graph.edge_way, graph.edge_way]).astype(np.int64)
    named = names[ways] != ""
    # one (node, name) pair per road meeting at the node
    name_ids = {n: i for i, n in enumerate(sorted({str(x) for x in names if x}))}
    name_of = np.array([name_ids.get(str(n), -1) for n in names], dtype=np.int64)
    pairs = np.unique(np.column_stack([nodes[named], name_of[ways[named]]]), axis=0)
    if not len(pairs):
        return []
    node_ids, counts = np.unique(pairs[:, 0], return_counts=True)
    crossing = set(node_ids[counts >= 2].tolist())
    by_pair: dict[tuple[str, str], list[int]] = {}
    inverse = {i: n for n, i in name_ids.items()}
    start = 0
    order = pairs[:, 0]
    while start < len(pairs):
        end = start
        while end < len(pairs) and order[end] == order[start]:
            end += 1
        node = int(order[start])
        if node in crossing:
            road_names = sorted(inverse[int(k)] for k in pairs[start:end, 1])
            for a, b in combinations(road_names, 2):
                by_pair.setdefault((a, b), []).append(node)
        start = end
    out: list[Intersection] = []
    x, y = graph.node_x, graph.node_y
    for roads in sorted(by_pair):
        for cluster in _clusters(by_pair[roads], x, y, merge_m):
            idx = np.asarray(cluster, dtype=np.int64)
            out.append(
                Intersection(
                    roads,
                    float(np.mean(graph.node_lon[idx])),
                    float(np.mean(graph.node_lat[idx])),
                )
            )
    return out


def _clusters(nodes: list[int], x: np.ndarray, y: np.ndarray, merge_m: float) -> list[list[int]]:
    """Greedy single-link groups of nodes within ``merge_m`` of a group member."""
    groups: list[list[int]] = []
    for n in nodes:
        home = None
        for g in groups:
            if any(float(np.hypot(x[n] - x[m], y[n] - y[m])) <= merge_m for m in g):
                home = g
                break
        if home is None:
            groups.append([n])
        else:
            home.append(n)
    return groups
