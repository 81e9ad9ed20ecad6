"""WGS-84 positions to the map's drawing plane (metres) and back.

Everything on the map is drawn in metres on a tangent plane around the
district centre, so distances, zoom radii and the 10-pixel hit tolerance are
plain Euclidean.  When the configured display system is GCJ-02 (the system
Chinese base maps use) every WGS-84 input is shifted first, so our layers
line up with such maps; clicks are shifted back before they leave the map.
"""

from __future__ import annotations

from typing import Any, Literal

import numpy as np
import numpy.typing as npt

from console.geo.coords import LocalProjection, gcj02_to_wgs84, wgs84_to_gcj02

FloatArray = npt.NDArray[np.float64]
Crs = Literal["wgs84", "gcj02"]


class DisplayProjection:
    """WGS-84 lon/lat <-> display-plane metres (x east, y north) in ``crs``."""

    def __init__(self, lon0: float, lat0: float, crs: Crs = "wgs84") -> None:
        if crs not in ("wgs84", "gcj02"):
            raise ValueError(f"unknown display CRS {crs!r} (expected 'wgs84' or 'gcj02')")
        self.crs: Crs = crs
        self.lon0 = float(lon0)
        self.lat0 = float(lat0)
        # One fixed geographic plane for both systems: GCJ-02 data is *displaced* in it
        # (as on a GCJ-02 base map placed by its own lon/lat), it does not move the plane.
        self._plane = LocalProjection(self.lon0, self.lat0)

    def to_xy(self, lon: Any, lat: Any) -> tuple[FloatArray, FloatArray]:
        """WGS-84 degrees (arrays or scalars) -> plane metres as float64 arrays."""
        lo = np.asarray(lon, dtype=np.float64)
        la = np.asarray(lat, dtype=np.float64)
        if self.crs == "gcj02":
            lo, la = wgs84_to_gcj02(lo, la)
        x, y = self._plane.to_xy(np.atleast_1d(lo), np.atleast_1d(la))
        return np.asarray(x, dtype=np.float64), np.asarray(y, dtype=np.float64)

    def point_xy(self, lon: float, lat: float) -> tuple[float, float]:
        """One WGS-84 point -> plane metres."""
        x, y = self.to_xy(lon, lat)
        return float(x[0]), float(y[0])

    def to_lonlat(self, x: float, y: float) -> tuple[float, float]:
        """A plane point -> WGS-84 degrees (undoing the GCJ-02 shift when displayed in it)."""
        lon, lat = self._plane.to_lonlat(float(x), float(y))
        if self.crs == "gcj02":
            lon, lat = gcj02_to_wgs84(lon, lat)
        return float(lon), float(lat)

    def display_to_xy(self, lon: Any, lat: Any) -> tuple[FloatArray, FloatArray]:
        """Degrees already in the display system (e.g. a GCJ-02 tile corner) -> plane metres."""
        lo = np.atleast_1d(np.asarray(lon, dtype=np.float64))
        la = np.atleast_1d(np.asarray(lat, dtype=np.float64))
        x, y = self._plane.to_xy(lo, la)
        return np.asarray(x, dtype=np.float64), np.asarray(y, dtype=np.float64)

    def xy_to_display(self, x: float, y: float) -> tuple[float, float]:
        """A plane point -> degrees in the display system (no GCJ-02 shift undone)."""
        lon, lat = self._plane.to_lonlat(float(x), float(y))
        return float(lon), float(lat)
