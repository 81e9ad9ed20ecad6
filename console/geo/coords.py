"""Coordinate systems: WGS-84 <-> GCJ-02 <-> BD-09, great-circle distance, a local metric plane.

Data (OSM, GPS fixes from terminals) is WGS-84, while maps published in
mainland China use GCJ-02, offset by a few hundred metres in Shanghai, and
Baidu's maps use BD-09, GCJ-02 shifted and turned once more; every layer must
be converted to the display system (and every imported file to WGS-84).  Geometry (snapping, edge
lengths, grids) is done in metres on a local tangent plane around the
district centre.

All functions accept scalars or numpy arrays (broadcast together); scalar
inputs give Python floats back.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any, overload

import numpy as np
import numpy.typing as npt

FloatArray = npt.NDArray[np.float64]
ArrayIn = npt.NDArray[Any] | Sequence[float]
# array overloads also take plain floats in some positions (broadcasting)
ArrayOrFloat = ArrayIn | float

EARTH_MEAN_RADIUS_M = 6_371_008.8  # IUGG mean radius, for haversine
WGS84_A = 6_378_137.0
WGS84_F = 1.0 / 298.257223563
WGS84_E2 = WGS84_F * (2.0 - WGS84_F)

# GCJ-02 constants as in the leaked reference code (Krasovsky 1940 semi-major axis);
# the published test vectors of eviltransform and coordtransform are reproduced
# exactly only with this radius.
_GCJ_A = 6_378_245.0
_GCJ_EE = 0.00669342162296594323

# Rectangle outside which GCJ-02 applies no offset (as in googollee/eviltransform).
_CHINA_LON = (72.004, 137.8347)
_CHINA_LAT = (0.8293, 55.8271)


def _arrays(lon: Any, lat: Any) -> tuple[FloatArray, FloatArray, bool]:
    """Float64 arrays broadcast together, and whether both inputs were scalars."""
    try:
        lo = np.asarray(lon, dtype=np.float64)
        la = np.asarray(lat, dtype=np.float64)
        lo, la = np.broadcast_arrays(lo, la)
    except (TypeError, ValueError) as exc:
        raise ValueError(f"coordinates must be numbers or numeric arrays: {exc}") from None
    return lo, la, lo.ndim == 0


def _ret(x: FloatArray, scalar: bool) -> Any:
    return float(x) if scalar else np.array(x, dtype=np.float64)


@overload
def out_of_china(lon: ArrayIn, lat: ArrayIn) -> npt.NDArray[np.bool_]: ...
@overload
def out_of_china(lon: float, lat: float) -> bool: ...
def out_of_china(lon: Any, lat: Any) -> Any:
    """True where GCJ-02 leaves coordinates unchanged (outside the China rectangle)."""
    lo, la, scalar = _arrays(lon, lat)
    inside = (lo >= _CHINA_LON[0]) & (lo <= _CHINA_LON[1])
    inside &= (la >= _CHINA_LAT[0]) & (la <= _CHINA_LAT[1])
    out = ~inside
    return bool(out) if scalar else out


def _gcj_delta(lo: FloatArray, la: FloatArray) -> tuple[FloatArray, FloatArray]:
    """GCJ-02 offset (dlon, dlat) in degrees at a WGS-84 point (no China check)."""
    x = lo - 105.0
    y = la - 35.0
    xp = x * math.pi
    yp = y * math.pi
    common = (20.0 * np.sin(6.0 * xp) + 20.0 * np.sin(2.0 * xp)) * 2.0 / 3.0
    dlat = -100.0 + 2.0 * x + 3.0 * y + 0.2 * y * y + 0.1 * x * y + 0.2 * np.sqrt(np.abs(x))
    dlat += common
    dlat += (20.0 * np.sin(yp) + 40.0 * np.sin(yp / 3.0)) * 2.0 / 3.0
    dlat += (160.0 * np.sin(yp / 12.0) + 320.0 * np.sin(yp / 30.0)) * 2.0 / 3.0
    dlon = 300.0 + x + 2.0 * y + 0.1 * x * x + 0.1 * x * y + 0.1 * np.sqrt(np.abs(x))
    dlon += common
    dlon += (20.0 * np.sin(xp) + 40.0 * np.sin(xp / 3.0)) * 2.0 / 3.0
    dlon += (150.0 * np.sin(xp / 12.0) + 300.0 * np.sin(xp / 30.0)) * 2.0 / 3.0
    rad = np.radians(la)
    magic = 1.0 - _GCJ_EE * np.sin(rad) ** 2
    sqrt_magic = np.sqrt(magic)
    dlat = dlat * 180.0 / ((_GCJ_A * (1.0 - _GCJ_EE)) / (magic * sqrt_magic) * math.pi)
    dlon = dlon * 180.0 / (_GCJ_A / sqrt_magic * np.cos(rad) * math.pi)
    return dlon, dlat


def _to_gcj(lo: FloatArray, la: FloatArray) -> tuple[FloatArray, FloatArray]:
    dlon, dlat = _gcj_delta(lo, la)
    keep = out_of_china(lo, la) | ~np.isfinite(dlon) | ~np.isfinite(dlat)
    return np.where(keep, lo, lo + dlon), np.where(keep, la, la + dlat)


@overload
def wgs84_to_gcj02(lon: ArrayIn, lat: ArrayIn) -> tuple[FloatArray, FloatArray]: ...
@overload
def wgs84_to_gcj02(lon: float, lat: float) -> tuple[float, float]: ...
def wgs84_to_gcj02(lon: Any, lat: Any) -> Any:
    """WGS-84 -> GCJ-02 ("Mars coordinates"); identity outside China."""
    lo, la, scalar = _arrays(lon, lat)
    glo, gla = _to_gcj(lo, la)
    return _ret(glo, scalar), _ret(gla, scalar)


@overload
def gcj02_to_wgs84(
    lon: ArrayIn, lat: ArrayIn, tol_deg: float = ...
) -> tuple[FloatArray, FloatArray]: ...
@overload
def gcj02_to_wgs84(lon: float, lat: float, tol_deg: float = ...) -> tuple[float, float]: ...
def gcj02_to_wgs84(lon: Any, lat: Any, tol_deg: float = 1e-10) -> Any:
    """GCJ-02 -> WGS-84 by fixed-point iteration (the forward offset varies slowly).

    The one-step inverse used by many libraries is off by up to a few metres;
    iterating until the forward transform reproduces the input brings the
    error below ``tol_deg`` (default 1e-10 deg, about 0.01 mm).
    """
    g_lo, g_la, scalar = _arrays(lon, lat)
    w_lo, w_la = g_lo.copy(), g_la.copy()
    for _ in range(30):
        f_lo, f_la = _to_gcj(w_lo, w_la)
        e_lo = f_lo - g_lo
        e_la = f_la - g_la
        w_lo = w_lo - e_lo
        w_la = w_la - e_la
        err = np.maximum(np.abs(e_lo), np.abs(e_la))
        if not np.any(err[np.isfinite(err)] > tol_deg):
            break
    return _ret(w_lo, scalar), _ret(w_la, scalar)


# BD-09 (Baidu): GCJ-02 in polar form, radius and angle nudged, then shifted (published code).
_BD_X_PI = math.pi * 3000.0 / 180.0
_BD_DLON = 0.0065
_BD_DLAT = 0.006


def _to_bd(lo: FloatArray, la: FloatArray) -> tuple[FloatArray, FloatArray]:
    z = np.sqrt(lo * lo + la * la) + 0.00002 * np.sin(la * _BD_X_PI)
    theta = np.arctan2(la, lo) + 0.000003 * np.cos(lo * _BD_X_PI)
    return z * np.cos(theta) + _BD_DLON, z * np.sin(theta) + _BD_DLAT


@overload
def gcj02_to_bd09(lon: ArrayIn, lat: ArrayIn) -> tuple[FloatArray, FloatArray]: ...
@overload
def gcj02_to_bd09(lon: float, lat: float) -> tuple[float, float]: ...
def gcj02_to_bd09(lon: Any, lat: Any) -> Any:
    """GCJ-02 -> BD-09 (Baidu maps), the published closed form."""
    lo, la, scalar = _arrays(lon, lat)
    blo, bla = _to_bd(lo, la)
    return _ret(blo, scalar), _ret(bla, scalar)


@overload
def bd09_to_gcj02(
    lon: ArrayIn, lat: ArrayIn, tol_deg: float = ...
) -> tuple[FloatArray, FloatArray]: ...
@overload
def bd09_to_gcj02(lon: float, lat: float, tol_deg: float = ...) -> tuple[float, float]: ...
def bd09_to_gcj02(lon: Any, lat: Any, tol_deg: float = 1e-10) -> Any:
    """BD-09 -> GCJ-02: the published one-step inverse, then refined like :func:`gcj02_to_wgs84`.

    The one-step inverse found in most libraries is off by up to about 1e-6 degree
    (0.1 m); iterating until the forward transform gives the input back removes that.
    """
    b_lo, b_la, scalar = _arrays(lon, lat)
    x = b_lo - _BD_DLON
    y = b_la - _BD_DLAT
    z = np.sqrt(x * x + y * y) - 0.00002 * np.sin(y * _BD_X_PI)
    theta = np.arctan2(y, x) - 0.000003 * np.cos(x * _BD_X_PI)
    g_lo, g_la = z * np.cos(theta), z * np.sin(theta)
    for _ in range(10):
        f_lo, f_la = _to_bd(g_lo, g_la)
        e_lo, e_la = f_lo - b_lo, f_la - b_la
        g_lo, g_la = g_lo - e_lo, g_la - e_la
        err = np.maximum(np.abs(e_lo), np.abs(e_la))
        if not np.any(err[np.isfinite(err)] > tol_deg):
            break
    return _ret(g_lo, scalar), _ret(g_la, scalar)


@overload
def wgs84_to_bd09(lon: ArrayIn, lat: ArrayIn) -> tuple[FloatArray, FloatArray]: ...
@overload
def wgs84_to_bd09(lon: float, lat: float) -> tuple[float, float]: ...
def wgs84_to_bd09(lon: Any, lat: Any) -> Any:
    """WGS-84 -> BD-09 (through GCJ-02)."""
    lo, la, scalar = _arrays(lon, lat)
    blo, bla = _to_bd(*_to_gcj(lo, la))
    return _ret(blo, scalar), _ret(bla, scalar)


@overload
def bd09_to_wgs84(lon: ArrayIn, lat: ArrayIn) -> tuple[FloatArray, FloatArray]: ...
@overload
def bd09_to_wgs84(lon: float, lat: float) -> tuple[float, float]: ...
def bd09_to_wgs84(lon: Any, lat: Any) -> Any:
    """BD-09 -> WGS-84 (through GCJ-02, both steps exact inverses)."""
    lo, la, scalar = _arrays(lon, lat)
    g_lo, g_la = bd09_to_gcj02(lo, la)
    w_lo, w_la = gcj02_to_wgs84(g_lo, g_la)
    return _ret(np.asarray(w_lo), scalar), _ret(np.asarray(w_la), scalar)


@overload
def haversine_m(
    lon1: ArrayIn, lat1: ArrayOrFloat, lon2: ArrayOrFloat, lat2: ArrayOrFloat
) -> FloatArray: ...
@overload
def haversine_m(lon1: float, lat1: float, lon2: float, lat2: float) -> float: ...
def haversine_m(lon1: Any, lat1: Any, lon2: Any, lat2: Any) -> Any:
    """Great-circle distance in metres on the mean-radius sphere (about 0.3 % accurate)."""
    try:
        a = np.broadcast_arrays(
            *(np.asarray(v, dtype=np.float64) for v in (lon1, lat1, lon2, lat2))
        )
    except (TypeError, ValueError) as exc:
        raise ValueError(f"coordinates must be numbers or numeric arrays: {exc}") from None
    lo1, la1, lo2, la2 = (np.radians(v) for v in a)
    h = np.sin((la2 - la1) / 2.0) ** 2 + np.cos(la1) * np.cos(la2) * np.sin((lo2 - lo1) / 2.0) ** 2
    d = 2.0 * EARTH_MEAN_RADIUS_M * np.arcsin(np.sqrt(np.clip(h, 0.0, 1.0)))
    return _ret(d, a[0].ndim == 0)


def _ecef(lon_rad: FloatArray, lat_rad: FloatArray) -> FloatArray:
    """Earth-centred coordinates (..., 3) of points on the WGS-84 ellipsoid surface."""
    s = np.sin(lat_rad)
    c = np.cos(lat_rad)
    n = WGS84_A / np.sqrt(1.0 - WGS84_E2 * s * s)
    return np.stack(
        [n * c * np.cos(lon_rad), n * c * np.sin(lon_rad), n * (1.0 - WGS84_E2) * s], axis=-1
    )


class LocalProjection:
    """Metres east (x) / north (y) on the plane tangent to the WGS-84 ellipsoid at a centre.

    A plain equirectangular projection misses the convergence of meridians and
    the ellipsoid's two radii of curvature: around Shanghai it is off by up to
    about 9 m at 10 km from the centre.  The tangent plane (ENU, dropping "up")
    is exact at the centre and its scale error grows only as (d/R)^2/2: about
    1 cm at 10 km.  The inverse intersects the normal through the plane point
    with the ellipsoid, a closed-form quadratic, so round trips are exact to
    float precision.
    """

    def __init__(self, lon0: float, lat0: float) -> None:
        if not (math.isfinite(lon0) and math.isfinite(lat0)):
            raise ValueError(f"projection centre must be finite, got ({lon0}, {lat0})")
        if not (-180.0 <= lon0 <= 180.0 and -89.0 <= lat0 <= 89.0):
            raise ValueError(f"projection centre out of range: ({lon0}, {lat0})")
        self.lon0 = float(lon0)
        self.lat0 = float(lat0)
        lam, phi = math.radians(lon0), math.radians(lat0)
        self._origin = _ecef(np.array(lam), np.array(phi))
        self._east = np.array([-math.sin(lam), math.cos(lam), 0.0])
        self._north = np.array(
            [-math.sin(phi) * math.cos(lam), -math.sin(phi) * math.sin(lam), math.cos(phi)]
        )
        self._up = np.array(
            [math.cos(phi) * math.cos(lam), math.cos(phi) * math.sin(lam), math.sin(phi)]
        )

    def __repr__(self) -> str:
        return f"LocalProjection(lon0={self.lon0!r}, lat0={self.lat0!r})"

    @overload
    def to_xy(self, lon: ArrayIn, lat: ArrayIn) -> tuple[FloatArray, FloatArray]: ...
    @overload
    def to_xy(self, lon: float, lat: float) -> tuple[float, float]: ...
    def to_xy(self, lon: Any, lat: Any) -> Any:
        """(lon, lat) degrees -> (x east, y north) metres from the centre."""
        lo, la, scalar = _arrays(lon, lat)
        d = _ecef(np.radians(lo), np.radians(la)) - self._origin
        return _ret(d @ self._east, scalar), _ret(d @ self._north, scalar)

    @overload
    def to_lonlat(self, x: ArrayIn, y: ArrayIn) -> tuple[FloatArray, FloatArray]: ...
    @overload
    def to_lonlat(self, x: float, y: float) -> tuple[float, float]: ...
    def to_lonlat(self, x: Any, y: Any) -> Any:
        """(x, y) metres -> (lon, lat) degrees of the ellipsoid point below that plane point."""
        xa, ya, scalar = _arrays(x, y)
        p0 = self._origin + xa[..., None] * self._east + ya[..., None] * self._north
        # Solve |D^(1/2) (p0 + u*up)|^2 = 1 for the root u nearest zero (stable form).
        w = np.array([1.0 / WGS84_A**2, 1.0 / WGS84_A**2, 1.0 / (WGS84_A**2 * (1 - WGS84_E2))])
        qa = float(np.sum(w * self._up * self._up))
        qb = 2.0 * ((p0 * w) @ self._up)
        qc = np.sum(p0 * p0 * w, axis=-1) - 1.0
        disc = np.sqrt(np.maximum(qb * qb - 4.0 * qa * qc, 0.0))
        u = -2.0 * qc / (qb + disc)
        p = p0 + u[..., None] * self._up
        lon = np.degrees(np.arctan2(p[..., 1], p[..., 0]))
        lat = np.degrees(np.arctan2(p[..., 2], (1.0 - WGS84_E2) * np.hypot(p[..., 0], p[..., 1])))
        return _ret(lon, scalar), _ret(lat, scalar)
