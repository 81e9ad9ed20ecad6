"""The road-graph parts of an order card: turn-by-turn legs, the streets around the scene.

The terminal has no map data of its own.  Decided: the card carries what the
officer needs to find the way, and nothing more —

- the route polyline (the plan's, in WGS84 and drawn as is),
- the legs of the route by street name with the turn onto each
  (:func:`route_steps`), for the list an officer reads at a red light,
- the streets within a few hundred metres of the scene as int16 metre offsets
  (:func:`street_map`, about 2-8 KB), so the last turns and the cross streets
  are drawn around the incident marker.

Everything here reads only public arrays of :class:`~console.geo.roadgraph.RoadGraph`.
"""

from __future__ import annotations

import math
import threading
import weakref
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from console.geo.roadgraph import RoadGraph
from console.link import protocol as p

F64 = npt.NDArray[np.float64]
I64 = npt.NDArray[np.int64]
STREETS_RADIUS_M = 450.0
STREETS_MAX = 1500
LABELS_MAX = 40


@dataclass(frozen=True)
class _Index:
    """Per graph: edges by (src, dst) key, undirected segments in degrees."""

    keys: I64
    edge: I64
    n: int
    seg: F64
    seg_way: npt.NDArray[np.int32]
    seg_class: npt.NDArray[np.int8]


_indexes: weakref.WeakKeyDictionary[RoadGraph, _Index] = weakref.WeakKeyDictionary()
_lock = threading.Lock()


def _index(g: RoadGraph) -> _Index:
    with _lock:
        got = _indexes.get(g)
        if got is None:
            n = int(g.n_nodes)
            keys = g.edge_src.astype(np.int64) * n + g.edge_dst.astype(np.int64)
            order = np.argsort(keys, kind="stable")
            segs = g.segments_lonlat()
            got = _Index(
                keys[order],
                order.astype(np.int64),
                n,
                np.asarray(segs.coords, dtype=np.float64),
                np.asarray(segs.way, dtype=np.int32),
                np.asarray(segs.road_class, dtype=np.int8),
            )
            _indexes[g] = got
        return got


def to_metres(lon: F64, lat: F64, lon0: float, lat0: float) -> tuple[F64, F64]:
    """Metres east and north of (lon0, lat0): the plane a card's street map is drawn in
    (equirectangular; within a few kilometres its error is well under a metre per 100 m)."""
    phi = math.radians(lat0)
    ky = 111_132.92 - 559.82 * math.cos(2 * phi) + 1.175 * math.cos(4 * phi)
    kx = 111_412.84 * math.cos(phi) - 93.5 * math.cos(3 * phi) + 0.118 * math.cos(5 * phi)
    return (lon - lon0) * kx, (lat - lat0) * ky


_metres = to_metres


def _bearing(dx: float, dy: float) -> float:
    return math.degrees(math.atan2(dx, dy)) % 360.0


def turn_of(delta: float) -> str:
    """A change of heading (degrees, + clockwise) as a turn word."""
    d = (delta + 540.0) % 360.0 - 180.0
    a = abs(d)
    if a < 25:
        return "straight"
    if a > 165:
        return "uturn"
    side = "right" if d > 0 else "left"
    if a < 60:
        return f"slight_{side}"
    if a < 135:
        return side
    return f"sharp_{side}"


def _edge_names(g: RoadGraph, lon: F64, lat: F64) -> list[str]:
    """The street name of each leg between consecutive route points ("" if unknown)."""
    ix = _index(g)
    nodes = np.asarray(g.snap(lon, lat), dtype=np.int64)
    u, v = nodes[:-1], nodes[1:]
    out: list[str] = []
    for fwd, bwd in zip((u * ix.n + v).tolist(), (v * ix.n + u).tolist(), strict=True):
        name = ""
        for key in (fwd, bwd):
            k = int(np.searchsorted(ix.keys, key))
            if k < len(ix.keys) and ix.keys[k] == key:
                name = g.way_names[int(g.edge_way[ix.edge[k]])]
                break
        out.append(name)
    return out


def route_steps(
    g: RoadGraph | None, lon: tuple[float, ...], lat: tuple[float, ...]
) -> list[p.RouteStep]:
    """The route's legs by street, with the turn onto each, ending with "arrive"."""
    if g is None or len(lon) < 2:
        return []
    x_lon = np.asarray(lon, dtype=np.float64)
    x_lat = np.asarray(lat, dtype=np.float64)
    try:
        names = _edge_names(g, x_lon, x_lat)
    except ValueError:
        return []
    x, y = _metres(x_lon, x_lat, float(x_lon[0]), float(x_lat[0]))
    dx, dy = np.diff(x), np.diff(y)
    length = np.hypot(dx, dy)
    legs: list[tuple[str, float, int, int]] = []  # name, metres, first and last segment
    for i, name in enumerate(names):
        if length[i] <= 0.01:
            continue
        if legs and (legs[-1][0] == name or not name):
            nm, m, a, _ = legs[-1]
            legs[-1] = (nm, m + float(length[i]), a, i)
        else:
            legs.append((name, float(length[i]), i, i))
    # a leg shorter than 15 m between two of the same street is a kink, not a turn
    merged: list[tuple[str, float, int, int]] = []
    for leg in legs:
        if merged and leg[1] < 15.0 and leg is not legs[-1]:
            nm, m, a, _ = merged[-1]
            merged[-1] = (nm, m + leg[1], a, leg[3])
            continue
        if merged and merged[-1][0] == leg[0]:
            nm, m, a, _ = merged[-1]
            merged[-1] = (nm, m + leg[1], a, leg[3])
            continue
        merged.append(leg)
    steps: list[p.RouteStep] = []
    for k, (name, metres, first, _last) in enumerate(merged):
        if k == 0:
            turn = "depart"
        else:
            prev_last = merged[k - 1][3]
            b0 = _bearing(float(dx[prev_last]), float(dy[prev_last]))
            b1 = _bearing(float(dx[first]), float(dy[first]))
            turn = turn_of(b1 - b0)
        steps.append(p.RouteStep(turn=turn, street=name[:64], distance_m=min(metres, 1e6)))  # type: ignore[arg-type]
    end = merged[-1][0] if merged else ""
    steps.append(p.RouteStep(turn="arrive", street=end[:64], distance_m=0.0))
    return steps[:120]


def nearest_street(g: RoadGraph | None, lon: float, lat: float) -> str:
    """The name of the nearest named road to a point ("" without a graph or names)."""
    if g is None:
        return ""
    ix = _index(g)
    named = np.array([bool(g.way_names[w]) for w in ix.seg_way.tolist()], dtype=bool)
    if not named.any():
        return ""
    seg = ix.seg[named]
    ways = ix.seg_way[named]
    x0, y0 = _metres(seg[:, 0], seg[:, 1], lon, lat)
    x1, y1 = _metres(seg[:, 2], seg[:, 3], lon, lat)
    vx, vy = x1 - x0, y1 - y0
    L = vx * vx + vy * vy
    t = np.clip(np.where(L > 0, -(x0 * vx + y0 * vy) / np.where(L > 0, L, 1.0), 0.0), 0.0, 1.0)
    d = np.hypot(x0 + t * vx, y0 + t * vy)
    k = int(np.argmin(d))
    if d[k] > 300.0:
        return ""
    return g.way_names[int(ways[k])][:64]


def street_map(
    g: RoadGraph | None,
    lon: float,
    lat: float,
    radius_m: float = STREETS_RADIUS_M,
    max_segments: int = STREETS_MAX,
) -> p.StreetMap | None:
    """The road segments within ``radius_m`` of the scene, nearest first, as int16 metres."""
    if g is None:
        return None
    ix = _index(g)
    if not len(ix.seg):
        return None
    x0, y0 = _metres(ix.seg[:, 0], ix.seg[:, 1], lon, lat)
    x1, y1 = _metres(ix.seg[:, 2], ix.seg[:, 3], lon, lat)
    near = np.minimum(np.hypot(x0, y0), np.hypot(x1, y1))
    pick = np.flatnonzero(near <= radius_m)
    if not pick.size:
        return None
    pick = pick[np.argsort(near[pick], kind="stable")][: min(max_segments, 4096)]
    q = np.column_stack([x0[pick], y0[pick], x1[pick], y1[pick]])
    q = np.clip(np.round(q), -32768, 32767).astype("<i2")
    labels: list[tuple[str, float, float]] = []
    best: dict[int, tuple[float, float, float]] = {}
    for k in pick.tolist():
        w = int(ix.seg_way[k])
        if not g.way_names[w]:
            continue
        ln = float(math.hypot(x1[k] - x0[k], y1[k] - y0[k]))
        if w not in best or ln > best[w][0]:
            best[w] = (ln, float((x0[k] + x1[k]) / 2), float((y0[k] + y1[k]) / 2))
    seen: set[str] = set()
    for w, (_ln, mx, my) in sorted(best.items(), key=lambda kv: -kv[1][0]):
        name = g.way_names[w][:64]
        if name in seen:
            continue
        seen.add(name)
        labels.append((name, round(mx, 1), round(my, 1)))
        if len(labels) >= LABELS_MAX:
            break
    return p.StreetMap(
        seg=q.tobytes(), road_class=ix.seg_class[pick].astype(np.int8).tobytes(), labels=labels
    )


def unpack_streets(sm: p.StreetMap) -> tuple[npt.NDArray[np.int16], npt.NDArray[np.int8]]:
    """(n, 4) int16 metres and (n,) road classes of a card's street map (terminal side)."""
    seg = np.frombuffer(sm.seg, dtype="<i2")
    n = min(seg.size // 4, len(sm.road_class))
    return seg[: 4 * n].reshape(n, 4), np.frombuffer(sm.road_class, dtype=np.int8)[:n]


def route_distance_m(lon: tuple[float, ...], lat: tuple[float, ...]) -> float | None:
    """Length of a polyline in metres (None for fewer than two points)."""
    if len(lon) < 2:
        return None
    x, y = _metres(
        np.asarray(lon, dtype=np.float64), np.asarray(lat, dtype=np.float64), lon[0], lat[0]
    )
    return float(np.hypot(np.diff(x), np.diff(y)).sum())
