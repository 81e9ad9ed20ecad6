"""The three coordinate systems district files come in, and conversion to WGS-84.

Police GIS exports in mainland China are usually GCJ-02 (the published-map
system), Baidu-based tools give BD-09 and GPS and OpenStreetMap give WGS-84.
The console stores WGS-84 only, so every imported file is converted once, on
the way in, by :func:`to_wgs84`; :func:`from_wgs84` is the way back out
(export in the system the package says).
"""

from __future__ import annotations

from typing import Any

import numpy as np
import numpy.typing as npt

from console.geo.coords import (
    bd09_to_wgs84,
    gcj02_to_wgs84,
    wgs84_to_bd09,
    wgs84_to_gcj02,
)

F64 = npt.NDArray[np.float64]
CRS_NAMES: tuple[str, ...] = ("wgs84", "gcj02", "bd09")
_ALIASES = {
    "wgs84": "wgs84",
    "wgs-84": "wgs84",
    "epsg:4326": "wgs84",
    "gcj02": "gcj02",
    "gcj-02": "gcj02",
    "bd09": "bd09",
    "bd-09": "bd09",
    "bd09ll": "bd09",
}


def parse_crs(value: object) -> str:
    """The canonical name of a coordinate system (``wgs84``, ``gcj02``, ``bd09``).

    Raises ValueError naming the accepted values for anything else.
    """
    key = str(value).strip().lower() if isinstance(value, str) else ""
    if key not in _ALIASES:
        raise ValueError(f"unknown coordinate system {value!r} (use one of {', '.join(CRS_NAMES)})")
    return _ALIASES[key]


def to_wgs84(lon: Any, lat: Any, crs: str) -> tuple[F64, F64]:
    """Arrays of (lon, lat) in ``crs`` -> WGS-84 arrays (a copy even for WGS-84)."""
    lo = np.array(lon, dtype=np.float64, copy=True)
    la = np.array(lat, dtype=np.float64, copy=True)
    name = parse_crs(crs)
    if name == "gcj02":
        a, b = gcj02_to_wgs84(lo, la)
        return np.asarray(a, dtype=np.float64), np.asarray(b, dtype=np.float64)
    if name == "bd09":
        a, b = bd09_to_wgs84(lo, la)
        return np.asarray(a, dtype=np.float64), np.asarray(b, dtype=np.float64)
    return lo, la


def from_wgs84(lon: Any, lat: Any, crs: str) -> tuple[F64, F64]:
    """WGS-84 arrays -> arrays in ``crs`` (for writing a package in its own system)."""
    lo = np.array(lon, dtype=np.float64, copy=True)
    la = np.array(lat, dtype=np.float64, copy=True)
    name = parse_crs(crs)
    if name == "gcj02":
        a, b = wgs84_to_gcj02(lo, la)
        return np.asarray(a, dtype=np.float64), np.asarray(b, dtype=np.float64)
    if name == "bd09":
        a, b = wgs84_to_bd09(lo, la)
        return np.asarray(a, dtype=np.float64), np.asarray(b, dtype=np.float64)
    return lo, la
