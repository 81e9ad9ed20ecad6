"""Point-in-polygon for district and area outlines (vectorised ray casting).

Used to refuse incidents outside the district and to find the responsibility
area of a point; small enough not to need a GIS library.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import numpy.typing as npt


def contains(
    polygon: Sequence[tuple[float, float]],
    lon: float | npt.ArrayLike,
    lat: float | npt.ArrayLike,
) -> npt.NDArray[np.bool_]:
    """True where (lon, lat) lies inside ``polygon`` (closed or open ring)."""
    poly = np.asarray(polygon, dtype=np.float64)
    if poly.ndim != 2 or poly.shape[0] < 3:
        raise ValueError("a polygon needs at least three vertices")
    x = np.atleast_1d(np.asarray(lon, dtype=np.float64))
    y = np.atleast_1d(np.asarray(lat, dtype=np.float64))
    inside = np.zeros(x.shape, dtype=bool)
    xj, yj = poly[-1]
    for xi, yi in poly:
        crosses = (yi > y) != (yj > y)
        with np.errstate(divide="ignore", invalid="ignore"):
            x_at = (xj - xi) * (y - yi) / (yj - yi) + xi
        inside ^= crosses & (x < x_at)
        xj, yj = xi, yi
    return inside & np.isfinite(x) & np.isfinite(y)
