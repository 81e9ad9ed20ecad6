"""Where the terminal is: a GNSS receiver speaking NMEA, a route to follow, or a fixed point.

Every source answers :meth:`PositionSource.fix` with the latest :class:`Fix`
(or None while it has none).  NMEA comes from a file or a serial device
(``/dev/ttyUSB0``, ``/dev/ttyACM0``) read on a thread by :mod:`console.terminal.gnss`
(pynmea2, pyserial); a route is a CSV of ``lon,lat`` lines or a GeoJSON
LineString driven at a set speed.
"""

from __future__ import annotations

import json
import math
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

import numpy as np
import numpy.typing as npt

KNOT_MS = 0.514444


@dataclass(frozen=True)
class Fix:
    """One position: degrees WGS84, accuracy m, speed m/s, heading degrees from north."""

    lon: float
    lat: float
    accuracy: float | None = None
    speed: float | None = None
    heading: float | None = None


class PositionSource(Protocol):
    def fix(self) -> Fix | None: ...


class FixedSource:
    """Always the same place (a fixed post, or a desk test)."""

    def __init__(self, lon: float, lat: float) -> None:
        if not (-180 <= lon <= 180 and -90 <= lat <= 90):
            raise ValueError(f"not a position: {lon}, {lat}")
        self._fix = Fix(lon, lat, accuracy=5.0, speed=0.0, heading=None)

    def fix(self) -> Fix | None:
        return self._fix


class RouteSource:
    """Drives along a polyline at ``speed`` m/s, back and forth."""

    def __init__(
        self, lon: npt.ArrayLike, lat: npt.ArrayLike, speed: float = 8.0, start: float | None = None
    ) -> None:
        self.lon = np.asarray(lon, dtype=np.float64)
        self.lat = np.asarray(lat, dtype=np.float64)
        if self.lon.size < 2 or self.lon.shape != self.lat.shape:
            raise ValueError("a route needs at least two points")
        if speed <= 0:
            raise ValueError("route speed must be positive")
        kx = 111_320.0 * math.cos(math.radians(float(self.lat.mean())))
        step = np.hypot(np.diff(self.lon) * kx, np.diff(self.lat) * 110_540.0)
        self.cum = np.concatenate([[0.0], np.cumsum(step)])
        self.speed = speed
        self.start = time.monotonic() if start is None else start

    def at(self, dist_m: float) -> Fix:
        """The fix ``dist_m`` metres along the route (ping-pong at the ends)."""
        total = float(self.cum[-1])
        if total <= 0:
            return Fix(float(self.lon[0]), float(self.lat[0]), 5.0, 0.0, None)
        d = dist_m % (2 * total)
        backwards = d > total
        if backwards:
            d = 2 * total - d
        k = int(np.clip(np.searchsorted(self.cum, d) - 1, 0, self.cum.size - 2))
        seg = self.cum[k + 1] - self.cum[k]
        f = 0.0 if seg <= 0 else (d - self.cum[k]) / seg
        lon = float(self.lon[k] + f * (self.lon[k + 1] - self.lon[k]))
        lat = float(self.lat[k] + f * (self.lat[k + 1] - self.lat[k]))
        dx, dy = self.lon[k + 1] - self.lon[k], self.lat[k + 1] - self.lat[k]
        if backwards:
            dx, dy = -dx, -dy
        heading = math.degrees(math.atan2(dx * math.cos(math.radians(lat)), dy)) % 360.0
        return Fix(lon, lat, 5.0, self.speed, heading if heading < 360.0 else 0.0)

    def fix(self) -> Fix | None:
        return self.at((time.monotonic() - self.start) * self.speed)


def load_route(path: Path) -> RouteSource:
    """A route from a CSV of ``lon,lat`` lines or a GeoJSON (Feature/LineString) file."""
    text = path.read_text(encoding="utf-8")
    pts: list[tuple[float, float]] = []
    if path.suffix.lower() in (".json", ".geojson"):
        g = json.loads(text)
        if g.get("type") == "FeatureCollection":
            g = g["features"][0]
        if g.get("type") == "Feature":
            g = g["geometry"]
        if g.get("type") != "LineString":
            raise ValueError(f"{path}: expected a GeoJSON LineString")
        pts = [(float(x), float(y)) for x, y, *_ in g["coordinates"]]
    else:
        for n, line in enumerate(text.splitlines(), 1):
            line = line.strip()
            if not line or line.startswith("#") or line.lower().startswith("lon"):
                continue
            try:
                x, y = (float(v) for v in line.replace(";", ",").split(",")[:2])
            except ValueError:
                raise ValueError(f"{path}:{n}: expected 'lon,lat', got {line!r}") from None
            pts.append((x, y))
    if len(pts) < 2:
        raise ValueError(f"{path}: a route needs at least two points")
    return RouteSource([p[0] for p in pts], [p[1] for p in pts])


def parse_nmea(line: str) -> Fix | None:
    """A fix from one RMC, GGA or GNS sentence alone (pynmea2; see :mod:`console.terminal.gnss`
    for the stateful reader that adds GST accuracy, VTG speed and the fix's time)."""
    from console.terminal.gnss import NmeaState

    return NmeaState().feed(line)


class NmeaSource:
    """NMEA from a file (replayed, one epoch a second) or a serial device at ``baud``."""

    def __init__(self, path: Path, replay_s: float = 1.0, baud: int = 9600) -> None:
        from console.terminal.gnss import NmeaReplay, SerialGnss

        self.path = path
        self._reader = (
            NmeaReplay(path, replay_s) if path.is_file() else SerialGnss(str(path), baud)
        ).start()

    def fix(self) -> Fix | None:
        return self._reader.fix()

    def stop(self) -> None:
        self._reader.stop()
