"""Static district geometry turned into plane coordinates once, ready for the layers."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
from PySide6.QtCore import QRectF
from PySide6.QtGui import QPainterPath

from console.hub.messages import StaticDistrict
from widgets.map.layers.base import polygon_path
from widgets.map.projection import DisplayProjection

F64 = npt.NDArray[np.float64]


@dataclass
class PlacedDistrict:
    """A :class:`StaticDistrict` projected to the map plane."""

    outline: QPainterPath
    areas: QPainterPath
    rect: QRectF
    area_x: F64
    area_y: F64
    area_codes: list[str]
    station_x: F64
    station_y: F64
    station_names: list[str]
    point_x: F64
    point_y: F64
    point_names: list[str]
    seg: tuple[F64, F64, F64, F64]
    seg_class: npt.NDArray[np.int8]
    road_x: F64
    road_y: F64
    road_names: list[str]


def validate(d: StaticDistrict) -> tuple[F64, npt.NDArray[np.int8]]:
    """Check the byte arrays and outline; return segments (n x 4) and classes."""
    if len(d.outline) < 3:
        raise ValueError(
            f"district {d.code!r}: outline needs at least 3 points, got {len(d.outline)}"
        )
    if len(d.seg_lonlat) % 32:
        raise ValueError(
            f"district {d.code!r}: seg_lonlat has {len(d.seg_lonlat)} bytes, "
            "not a whole number of (lon0, lat0, lon1, lat1) float64 rows"
        )
    seg = np.frombuffer(d.seg_lonlat, dtype=np.float64).reshape(-1, 4)
    cls = np.frombuffer(d.seg_class, dtype=np.int8)
    if cls.size != seg.shape[0]:
        raise ValueError(
            f"district {d.code!r}: {seg.shape[0]} road segments but {cls.size} road classes"
        )
    return seg, cls


def _xy_of(items: list[dict[str, object]], proj: DisplayProjection, what: str) -> tuple[F64, F64]:
    try:
        lon = np.array([float(it["lon"]) for it in items], dtype=np.float64)  # type: ignore[arg-type]
        lat = np.array([float(it["lat"]) for it in items], dtype=np.float64)  # type: ignore[arg-type]
    except (KeyError, TypeError, ValueError) as exc:
        raise ValueError(f"district {what}: each needs numeric 'lon' and 'lat' ({exc})") from None
    return proj.to_xy(lon, lat) if lon.size else (np.zeros(0), np.zeros(0))


def place(d: StaticDistrict, proj: DisplayProjection) -> PlacedDistrict:
    """Project everything drawable of ``d``."""
    seg, cls = validate(d)
    ol = np.asarray(d.outline, dtype=np.float64)
    ox, oy = proj.to_xy(ol[:, 0], ol[:, 1])
    outline = polygon_path(ox, oy)
    areas = QPainterPath()
    ax: list[float] = []
    ay: list[float] = []
    codes: list[str] = []
    for a in d.areas:
        poly = np.asarray(a.get("polygon") or [], dtype=np.float64).reshape(-1, 2)
        if poly.shape[0] < 3:
            continue
        px, py = proj.to_xy(poly[:, 0], poly[:, 1])
        # every ring of the whole shape (other parts, holes), else the one polygon
        parts = a.get("parts")
        rings = [r for part in parts for r in part] if isinstance(parts, list) else [poly]
        for ring in rings:
            rr = np.asarray(ring, dtype=np.float64).reshape(-1, 2)
            if rr.shape[0] >= 3:
                areas.addPath(polygon_path(*proj.to_xy(rr[:, 0], rr[:, 1])))
        cx, cy = _centroid(px, py)  # the label sits in the largest part
        ax.append(cx)
        ay.append(cy)
        codes.append(str(a.get("code", "")))
    sx, sy = _xy_of(d.stations, proj, "stations")
    fx, fy = _xy_of(d.fixed_points, proj, "fixed points")
    x0, y0 = proj.to_xy(seg[:, 0], seg[:, 1])
    x1, y1 = proj.to_xy(seg[:, 2], seg[:, 3])
    labels = sorted(d.road_labels, key=lambda r: r[3])  # major roads first
    rl = np.array([[r[1], r[2]] for r in labels], dtype=np.float64).reshape(-1, 2)
    rx, ry = proj.to_xy(rl[:, 0], rl[:, 1]) if rl.size else (np.zeros(0), np.zeros(0))
    return PlacedDistrict(
        outline=outline,
        areas=areas,
        rect=outline.boundingRect(),
        area_x=np.asarray(ax),
        area_y=np.asarray(ay),
        area_codes=codes,
        station_x=sx,
        station_y=sy,
        station_names=[str(s.get("name", "")) for s in d.stations],
        point_x=fx,
        point_y=fy,
        point_names=[str(p.get("name", "")) for p in d.fixed_points],
        seg=(x0, y0, x1, y1),
        seg_class=cls,
        road_x=rx,
        road_y=ry,
        road_names=[r[0] for r in labels],
    )


def _centroid(x: F64, y: F64) -> tuple[float, float]:
    """Area centroid of a polygon (vertex mean if degenerate)."""
    xs, ys = np.append(x, x[0]), np.append(y, y[0])
    cross = xs[:-1] * ys[1:] - xs[1:] * ys[:-1]
    a = cross.sum() / 2
    if abs(a) < 1e-9:
        return float(x.mean()), float(y.mean())
    cx = ((xs[:-1] + xs[1:]) * cross).sum() / (6 * a)
    cy = ((ys[:-1] + ys[1:]) * cross).sum() / (6 * a)
    return float(cx), float(cy)
