"""Turn restrictions (OSM ``type=restriction`` relations) in a node-based road graph.

A graph whose nodes are junctions cannot say "no left turn from A into B at
X": every way into X may leave by every way out.  The classic fix, used here,
splits the junction per restricted approach: arrivals from A go to a copy X'
of X whose way out into B is missing (``no_*``) or whose only way out is B
(``only_*``).  Other approaches keep the plain node, so an unrestricted graph
is unchanged and a restricted one only gains one node per restricted
approach.  Copies are appended after the real nodes and keep the real node's
place; :class:`~console.geo.roadgraph.RoadGraph` snaps to real nodes only and
folds copies back when it reports times to a node.

Restrictions are given by coordinates (the vertex before the junction on the
"from" road, the junction, the vertex after it on the "to" road), so they
survive storage and export without OSM ids.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from console.domain import LonLat

I32 = npt.NDArray[np.int32]
I64 = npt.NDArray[np.int64]


@dataclass(frozen=True)
class TurnRestriction:
    """A banned (``only=False``) or the only allowed (``only=True``) turn at a junction.

    ``from_pt`` is the last vertex before ``via`` on the road one arrives by,
    ``to_pt`` the first vertex after ``via`` on the road one turns into.
    """

    from_pt: LonLat
    via: LonLat
    to_pt: LonLat
    only: bool = False


@dataclass(frozen=True)
class TurnSplit:
    """Edges after splitting restricted junctions."""

    src: I32
    dst: I32
    parent: I64  # original edge each edge copies (its length, speed, class, way)
    node_phys: I64  # real node of every node (identity for real nodes, the junction for copies)
    applied: int  # restrictions that matched edges of the graph
    unmatched: tuple[int, ...]  # indices of restrictions whose turn is not in the graph


def split_turns(
    n_nodes: int, src: I32, dst: I32, triples: I64, only: npt.NDArray[np.bool_]
) -> TurnSplit:
    """Apply restrictions given as (from, via, to) node triples (-1: vertex not in the graph)."""
    m = len(src)
    edge_key = np.sort(src.astype(np.int64) * n_nodes + dst)

    def has_edge(a: int, b: int) -> bool:
        k = a * n_nodes + b
        i = int(np.searchsorted(edge_key, k))
        return i < m and int(edge_key[i]) == k

    banned: dict[tuple[int, int], set[int]] = defaultdict(set)
    allowed_only: dict[tuple[int, int], set[int]] = defaultdict(set)
    unmatched: list[int] = []
    for r, (f, v, t) in enumerate(triples.tolist()):
        if min(f, v, t) < 0 or not has_edge(f, v) or not has_edge(v, t):
            unmatched.append(r)
            continue
        (allowed_only if only[r] else banned)[(f, v)].add(t)
    keys = sorted(set(banned) | set(allowed_only))
    applied = len(triples) - len(unmatched)
    if not keys:
        return TurnSplit(
            src.copy(),
            dst.copy(),
            np.arange(m, dtype=np.int64),
            np.arange(n_nodes, dtype=np.int64),
            0,
            tuple(unmatched),
        )
    by_src = np.argsort(src, kind="stable")
    starts = np.searchsorted(src[by_src], np.arange(n_nodes + 1))
    new_src: list[int] = []
    new_dst: list[int] = []
    parent: list[int] = []
    for g, key in enumerate(keys):
        v = key[1]
        keep_only = allowed_only.get(key)
        ban = banned.get(key, set())
        for e in by_src[starts[v] : starts[v + 1]].tolist():
            t = int(dst[e])
            if (t in keep_only) if keep_only else (t not in ban):
                new_src.append(n_nodes + g)
                new_dst.append(t)
                parent.append(e)
    node_phys = np.concatenate(
        [np.arange(n_nodes, dtype=np.int64), np.array([k[1] for k in keys], dtype=np.int64)]
    )
    s = np.concatenate([src.astype(np.int64), np.asarray(new_src, dtype=np.int64)])
    d = np.concatenate([dst.astype(np.int64), np.asarray(new_dst, dtype=np.int64)])
    par = np.concatenate([np.arange(m, dtype=np.int64), np.asarray(parent, dtype=np.int64)])
    # arrivals by a restricted approach go to its copy (every dst is still a real node here)
    group_key = np.array([k[0] * n_nodes + k[1] for k in keys], dtype=np.int64)  # sorted
    arrive_key = node_phys[s] * n_nodes + d
    pos = np.clip(np.searchsorted(group_key, arrive_key), 0, len(keys) - 1)
    hit = group_key[pos] == arrive_key
    d[hit] = n_nodes + pos[hit]
    return TurnSplit(
        s.astype(np.int32), d.astype(np.int32), par, node_phys, applied, tuple(unmatched)
    )
