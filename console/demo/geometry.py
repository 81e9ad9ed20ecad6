"""Small planar geometry kit for the demo generator (no GIS library in the venv).

Work happens in a local metric frame (metres east/north of an origin) because
the tolerances that matter - "vertices within 0.5 m are one", "blocks of
100 m" - are easy to state there and awkward in degrees.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Sequence

import numpy as np
import numpy.typing as npt
from scipy.sparse import coo_matrix
from scipy.sparse.csgraph import connected_components
from scipy.spatial import cKDTree

F64 = npt.NDArray[np.float64]
I64 = npt.NDArray[np.int64]
B = npt.NDArray[np.bool_]


class LocalFrame:
    """Equirectangular plane around (lon0, lat0); < 1 m error across a 10 km district."""

    def __init__(self, lon0: float, lat0: float) -> None:
        phi = math.radians(lat0)
        self.lon0 = lon0
        self.lat0 = lat0
        self.kx = 111412.84 * math.cos(phi) - 93.5 * math.cos(3 * phi) + 0.118 * math.cos(5 * phi)
        self.ky = 111132.92 - 559.82 * math.cos(2 * phi) + 1.175 * math.cos(4 * phi)

    def to_xy(self, lonlat: npt.ArrayLike) -> F64:
        """(N, 2) lon/lat -> (N, 2) metres."""
        p = np.asarray(lonlat, dtype=np.float64).reshape(-1, 2)
        return np.column_stack(((p[:, 0] - self.lon0) * self.kx, (p[:, 1] - self.lat0) * self.ky))

    def to_lonlat(self, xy: npt.ArrayLike) -> F64:
        """(N, 2) metres -> (N, 2) lon/lat."""
        p = np.asarray(xy, dtype=np.float64).reshape(-1, 2)
        return np.column_stack((p[:, 0] / self.kx + self.lon0, p[:, 1] / self.ky + self.lat0))


def points_in_polygon(x: npt.ArrayLike, y: npt.ArrayLike, polygon: npt.ArrayLike) -> B:
    """Even-odd ray casting, vectorised over points; NaN points are outside."""
    px = np.asarray(x, dtype=np.float64)
    py = np.asarray(y, dtype=np.float64)
    poly = np.asarray(polygon, dtype=np.float64)
    if poly.ndim != 2 or poly.shape[1] != 2 or poly.shape[0] < 3:
        raise ValueError(f"a polygon needs at least 3 (x, y) vertices, got shape {poly.shape}")
    px, py = np.broadcast_arrays(px, py)
    inside = np.zeros(px.shape, dtype=bool)
    xj, yj = poly[-1]
    for xi, yi in poly:
        crosses = (yi > py) != (yj > py)
        with np.errstate(divide="ignore", invalid="ignore"):
            x_at = (xj - xi) * (py - yi) / (yj - yi) + xi
        inside ^= crosses & (px < x_at)
        xj, yj = xi, yi
    return inside


def clip_halfplane(poly: F64, nx: float, ny: float, c: float) -> F64:
    """Keep the part of ``poly`` where nx*x + ny*y <= c (Sutherland-Hodgman, one edge)."""
    if len(poly) == 0:
        return poly
    d = poly @ np.array([nx, ny]) - c
    out: list[F64] = []
    n = len(poly)
    for k in range(n):
        p, q = poly[k], poly[(k + 1) % n]
        dp, dq = d[k], d[(k + 1) % n]
        if dp <= 0:
            out.append(p)
        if (dp <= 0) != (dq <= 0):
            out.append(p + (q - p) * (dp / (dp - dq)))
    return np.array(out, dtype=np.float64).reshape(-1, 2)


def polygon_area(poly: F64) -> float:
    """Absolute shoelace area."""
    if len(poly) < 3:
        return 0.0
    x, y = poly[:, 0], poly[:, 1]
    return float(abs(np.dot(x, np.roll(y, -1)) - np.dot(y, np.roll(x, -1))) / 2.0)


def densify(line: F64, max_len: float) -> F64:
    """Add evenly spaced vertices so no segment is longer than ``max_len``."""
    out = [line[:1]]
    for p, q in itertools.pairwise(line):
        n = max(1, math.ceil(float(np.hypot(*(q - p))) / max_len))
        t = np.arange(1, n + 1, dtype=np.float64)[:, None] / n
        out.append(p + (q - p) * t)
    return np.concatenate(out)


def drop_repeats(line: F64) -> F64:
    """Remove consecutive duplicate vertices."""
    if len(line) < 2:
        return line
    keep = np.r_[True, np.any(line[1:] != line[:-1], axis=1)]
    return line[keep]


def nearest_on_segments(
    points: F64, seg_a: F64, seg_b: F64, chunk: int = 512
) -> tuple[F64, I64, F64]:
    """For each point: distance to, index of, and foot point on the nearest segment."""
    d = seg_b - seg_a
    l2 = np.maximum(np.einsum("ij,ij->i", d, d), 1e-12)
    dist = np.empty(len(points))
    idx = np.empty(len(points), dtype=np.int64)
    foot = np.empty((len(points), 2))
    for s in range(0, len(points), chunk):
        p = points[s : s + chunk]
        rel = p[:, None, :] - seg_a[None, :, :]
        t = np.clip(np.einsum("ijk,jk->ij", rel, d) / l2, 0.0, 1.0)
        fx = seg_a[None, :, 0] + t * d[None, :, 0]
        fy = seg_a[None, :, 1] + t * d[None, :, 1]
        dd = (fx - p[:, :1]) ** 2 + (fy - p[:, 1:]) ** 2
        k = np.argmin(dd, axis=1)
        rows = np.arange(len(p))
        dist[s : s + chunk] = np.sqrt(dd[rows, k])
        idx[s : s + chunk] = k
        foot[s : s + chunk] = np.column_stack((fx[rows, k], fy[rows, k]))
    return dist, idx, foot


def _cross(v: F64, w: F64) -> F64:
    return np.asarray(v[:, 0] * w[:, 1] - v[:, 1] * w[:, 0], dtype=np.float64)


def node_lines(lines: Sequence[F64], merge_tol: float = 0.5) -> list[F64]:
    """Insert every crossing into both lines, then make vertices closer than merge_tol one.

    Why: a road graph joins roads only at shared vertices, so two streets that
    merely cross on the drawing would be two disconnected networks.  Lines that
    end on another line (T-junctions) are found with the same tolerance.
    Output lines keep the input order; a line may collapse below 2 vertices.
    """
    lines = [drop_repeats(np.asarray(ln, dtype=np.float64)) for ln in lines]
    counts = np.array([max(len(ln) - 1, 0) for ln in lines], dtype=np.int64)
    if counts.sum() == 0:
        return [ln.copy() for ln in lines]
    a = np.concatenate([ln[:-1] for ln in lines if len(ln) > 1])
    b = np.concatenate([ln[1:] for ln in lines if len(ln) > 1])
    line_of = np.repeat(np.arange(len(lines)), counts)
    seg_of = np.concatenate([np.arange(c) for c in counts])
    d = b - a
    length = np.hypot(d[:, 0], d[:, 1])
    tree = cKDTree((a + b) / 2.0)
    pairs = tree.query_pairs(float(length.max()) + 2 * merge_tol, output_type="ndarray")
    i, j = pairs[:, 0], pairs[:, 1]
    m = line_of[i] != line_of[j]
    i, j = i[m], j[m]
    r, s = d[i], d[j]
    qp = a[j] - a[i]
    den = _cross(r, s)
    ok = np.abs(den) > 1e-6 * length[i] * length[j]
    den = np.where(ok, den, 1.0)
    t = _cross(qp, s) / den
    u = _cross(qp, r) / den
    ei, ej = merge_tol / length[i], merge_tol / length[j]
    ok &= (t >= -ei) & (t <= 1 + ei) & (u >= -ej) & (u <= 1 + ej)
    i, j, t, u, r = i[ok], j[ok], t[ok], u[ok], r[ok]
    pt = a[i] + t[:, None] * r
    # every vertex gets a sort key "segment index + position along it"
    n_vert = np.array([len(ln) for ln in lines], dtype=np.int64)
    v_line = np.repeat(np.arange(len(lines)), n_vert)
    v_key = np.concatenate([np.arange(n, dtype=np.float64) for n in n_vert])
    all_line = np.concatenate([v_line, line_of[i], line_of[j]])
    all_key = np.concatenate(
        [v_key, seg_of[i] + np.clip(t, 0.0, 1.0), seg_of[j] + np.clip(u, 0.0, 1.0)]
    )
    all_xy = np.concatenate([np.concatenate(lines), pt, pt])
    order = np.lexsort((all_key, all_line))
    all_line, all_xy = all_line[order], all_xy[order]
    all_xy = merge_close(all_xy, merge_tol)
    bounds = np.searchsorted(all_line, np.arange(len(lines) + 1))
    return [drop_repeats(all_xy[bounds[k] : bounds[k + 1]]) for k in range(len(lines))]


def merge_close(xy: F64, tol: float) -> F64:
    """Give points closer than ``tol`` (transitively) the coordinates of the first of them."""
    pairs = cKDTree(xy).query_pairs(tol, output_type="ndarray")
    if len(pairs) == 0:
        return xy.copy()
    n = len(xy)
    g = coo_matrix((np.ones(len(pairs)), (pairs[:, 0], pairs[:, 1])), shape=(n, n))
    _, labels = connected_components(g, directed=False)
    rep = np.full(labels.max() + 1, n, dtype=np.int64)
    np.minimum.at(rep, labels, np.arange(n))
    return np.asarray(xy[rep[labels]], dtype=np.float64)
