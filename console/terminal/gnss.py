"""The device's GNSS receiver: NMEA 0183 through pynmea2, from a serial port (pyserial) or a file.

Sentences come in bursts, one burst per epoch (the fix's UTC time).  :class:`NmeaState`
keeps what the burst said so far and turns each position sentence into a :class:`GnssFix`:

- position from RMC (status ``A``), GGA (quality > 0) or GNS (mode not ``N``), multi-
  constellation talkers included (GP, GL, GA, GB, GN);
- speed and course from RMC or VTG;
- **accuracy**: from GST where the receiver sends it (the standard deviations of the
  latitude and longitude errors, combined into a horizontal radius), otherwise
  estimated from HDOP (``hdop_uere_m`` per unit of HDOP, 5 m by default) and
  marked as an estimate;
- time: RMC's date with the sentence's UTC time, so a stored fix carries when it
  was taken, not when it was read.

Bad checksums, unknown or truncated sentences are counted and skipped, never raised.
:class:`SerialGnss` reads a serial device at the configured baud rate on a thread
(pyserial) and reopens it when the cable is pulled; :class:`NmeaReplay` replays a
file for desk tests.  Both answer ``fix()`` like the other position sources.
"""

from __future__ import annotations

import datetime as dt
import logging
import math
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Self

import pynmea2

from console.terminal.gps import KNOT_MS, Fix

log = logging.getLogger(__name__)

KMH_MS = 1 / 3.6
HDOP_UERE_M = 5.0
"""Metres of horizontal error per unit of HDOP when no GST says better (a typical UERE)."""
GST_MAX_AGE_S = 2.0
"""A GST older than this (by the sentences' own clock) no longer describes the fix."""
BAUD_RATES = (4800, 9600, 19200, 38400, 57600, 115200, 230400, 460800, 921600)


@dataclass(frozen=True)
class GnssFix(Fix):
    """A fix with what the receiver said about it."""

    t: float | None = None
    """UTC unix seconds of the fix (None until a date has been seen)."""
    accuracy_from: str = ""
    """``GST`` (measured), ``HDOP`` (estimated) or "" (unknown)."""
    satellites: int | None = None
    quality: str = ""


def _f(value: Any) -> float | None:
    try:
        v = float(value)
    except (TypeError, ValueError):
        return None
    return v if math.isfinite(v) else None


def _seconds_of_day(t: dt.time | None) -> float | None:
    if not isinstance(t, dt.time):
        return None
    return t.hour * 3600 + t.minute * 60 + t.second + t.microsecond / 1e6


class NmeaState:
    """Stateful NMEA parser: feed lines, get fixes (one per position sentence)."""

    def __init__(self, hdop_uere_m: float = HDOP_UERE_M) -> None:
        if not hdop_uere_m > 0:
            raise ValueError("metres per HDOP must be positive")
        self.hdop_uere_m = hdop_uere_m
        self.date: dt.date | None = None
        self.speed: float | None = None
        self.heading: float | None = None
        self.hdop: float | None = None
        self.gst: tuple[float, float] | None = None  # (seconds of day, radius m)
        self.satellites: int | None = None
        self.sentences = 0
        self.bad = 0
        self.last: GnssFix | None = None

    def feed(self, line: str | bytes) -> GnssFix | None:
        """One sentence; the new fix if it carried a position (None otherwise)."""
        if isinstance(line, bytes):
            line = line.decode("ascii", errors="replace")
        line = line.strip()
        if not line.startswith(("$", "!")):
            return None
        try:
            msg = pynmea2.parse(line, check=True)
        except (pynmea2.ParseError, ValueError, TypeError, AttributeError, IndexError):
            self.bad += 1
            return None
        self.sentences += 1
        try:
            return self._sentence(msg)
        except (ValueError, TypeError, AttributeError, IndexError):
            self.bad += 1
            return None

    def _sentence(self, m: Any) -> GnssFix | None:
        kind = getattr(m, "sentence_type", "")
        if kind == "GST":
            sd_lat, sd_lon = _f(m.std_dev_latitude), _f(m.std_dev_longitude)
            sod = _seconds_of_day(m.timestamp)
            if sd_lat is not None and sd_lon is not None and sod is not None:
                self.gst = (sod, math.hypot(sd_lat, sd_lon))
            return None
        if kind == "VTG":
            kn, kmh = _f(m.spd_over_grnd_kts), _f(m.spd_over_grnd_kmph)
            self.speed = kn * KNOT_MS if kn is not None else (kmh * KMH_MS if kmh else None)
            course = _f(m.true_track)
            self.heading = course % 360.0 if course is not None else self.heading
            return None
        if kind == "GSA":
            self.hdop = _f(m.hdop) or self.hdop
            return None
        if kind == "RMC":
            if m.status != "A":
                return None
            if isinstance(m.datestamp, dt.date):
                self.date = m.datestamp
            kn = _f(m.spd_over_grnd)
            self.speed = None if kn is None else kn * KNOT_MS
            course = _f(m.true_course)
            self.heading = None if course is None else course % 360.0
            return self._fix(m, "RMC")
        if kind == "GGA":
            if int(_f(m.gps_qual) or 0) <= 0:
                return None
            self.hdop = _f(m.horizontal_dil)
            self.satellites = int(_f(m.num_sats) or 0) or None
            return self._fix(m, f"GGA:{m.gps_qual}")
        if kind == "GNS":
            modes = str(m.mode_indicator or "")
            if not modes or all(c == "N" for c in modes):
                return None
            self.hdop = _f(m.hdop)
            self.satellites = int(_f(m.num_sats) or 0) or None
            return self._fix(m, f"GNS:{modes}")
        return None

    def _fix(self, m: Any, quality: str) -> GnssFix | None:
        lat, lon = _f(m.latitude), _f(m.longitude)
        if lat is None or lon is None or not (-90 <= lat <= 90 and -180 <= lon <= 180):
            return None
        if lat == 0.0 and lon == 0.0:  # receivers say 0,0 while they have nothing
            return None
        sod = _seconds_of_day(getattr(m, "timestamp", None))
        accuracy, source = None, ""
        if self.gst is not None and sod is not None:
            age = (sod - self.gst[0]) % 86400.0
            if age <= GST_MAX_AGE_S or age >= 86400.0 - GST_MAX_AGE_S:
                accuracy, source = self.gst[1], "GST"
        if accuracy is None and self.hdop is not None:
            accuracy, source = self.hdop * self.hdop_uere_m, "HDOP"
        t = None
        if self.date is not None and sod is not None:
            day = dt.datetime.combine(self.date, dt.time(), dt.UTC)
            t = day.timestamp() + sod
        fix = GnssFix(
            lon=lon,
            lat=lat,
            accuracy=None if accuracy is None else min(accuracy, 100_000.0),
            speed=None if self.speed is None else min(max(self.speed, 0.0), 150.0),
            heading=self.heading if self.heading is None or self.heading < 360.0 else 0.0,
            t=t,
            accuracy_from=source,
            satellites=self.satellites,
            quality=quality,
        )
        self.last = fix
        return fix


class _Reader:
    """A thread feeding lines to an :class:`NmeaState`; ``fix()`` is the latest."""

    def __init__(self, name: str, hdop_uere_m: float) -> None:
        self.state = NmeaState(hdop_uere_m)
        self._stop = threading.Event()
        self._fix: GnssFix | None = None
        self.error = ""
        self._thread = threading.Thread(target=self._guarded, name=name, daemon=True)

    def start(self) -> Self:
        self._thread.start()
        return self

    def _guarded(self) -> None:
        try:
            self._run()
        except Exception as exc:  # the terminal goes on without a position
            self.error = str(exc)
            log.exception("GNSS reader stopped")

    def _run(self) -> None:
        raise NotImplementedError

    def _line(self, line: str | bytes) -> bool:
        fix = self.state.feed(line)
        if fix is not None:
            self._fix = fix
        return fix is not None

    def fix(self) -> GnssFix | None:
        return self._fix

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(5.0)


class SerialGnss(_Reader):
    """A GNSS receiver on a serial port (``/dev/ttyUSB0``, ``/dev/ttyACM0``, ``COM3``) at
    ``baud``; reopened every ``retry_s`` while it is missing or was pulled."""

    def __init__(
        self,
        port: str,
        baud: int = 9600,
        *,
        hdop_uere_m: float = HDOP_UERE_M,
        retry_s: float = 2.0,
    ) -> None:
        if baud not in BAUD_RATES:
            raise ValueError(f"baud rate {baud} is not one of {', '.join(map(str, BAUD_RATES))}")
        super().__init__("gnss-serial", hdop_uere_m)
        self.port = port
        self.baud = baud
        self.retry_s = retry_s
        self.opened = threading.Event()

    def _run(self) -> None:
        import serial

        while not self._stop.is_set():
            try:
                with serial.Serial(self.port, self.baud, timeout=0.5) as dev:
                    self.opened.set()
                    self.error = ""
                    while not self._stop.is_set():
                        line = dev.readline()
                        if line:
                            self._line(line)
            except (serial.SerialException, OSError) as exc:
                self.opened.clear()
                if self.error != str(exc):
                    self.error = str(exc)
                    log.warning("GNSS %s at %d baud: %s; retrying", self.port, self.baud, exc)
                self._stop.wait(self.retry_s)


class NmeaReplay(_Reader):
    """An NMEA log replayed for desk tests: one epoch (position sentence) per ``period_s``."""

    def __init__(
        self, path: Path, period_s: float = 1.0, *, hdop_uere_m: float = HDOP_UERE_M
    ) -> None:
        super().__init__("gnss-replay", hdop_uere_m)
        self.path = path
        self.period_s = period_s
        if not path.is_file():
            raise ValueError(f"{path}: not an NMEA file")

    def _run(self) -> None:
        while not self._stop.is_set():
            with open(self.path, encoding="ascii", errors="replace") as f:
                for line in f:
                    if self._stop.is_set():
                        return
                    kind = line[3:6] if line.startswith("$") else ""
                    if self._line(line) and kind in ("RMC", "GNS"):
                        self._stop.wait(self.period_s)
            if self.state.sentences == 0:
                time.sleep(self.period_s)


def open_gnss(source: str, baud: int = 9600, *, hdop_uere_m: float = HDOP_UERE_M) -> _Reader:
    """A started reader: a regular file is replayed, anything else is a serial port."""
    path = Path(source)
    if path.is_file():
        return NmeaReplay(path, hdop_uere_m=hdop_uere_m).start()
    return SerialGnss(source, baud, hdop_uere_m=hdop_uere_m).start()
