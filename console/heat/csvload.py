"""Read an incident CSV of any city (WGS84) into columns, with errors that name line and column.

Why strict: an evaluation on silently half-read data reports figures of a
file nobody has.  An unparseable time or coordinate stops the run naming the
line, column and value.  Only *empty* times or coordinates (open-data
extracts leave ungeocoded or undated rows blank) are skipped, and counted on
stderr by the caller.

Times: ISO 8601 dates or date-times (with or without an offset), the common
``Y/m/d``, ``m/d/Y`` (optionally with ``H:M[:S]`` and AM/PM) and ``d.m.Y``
forms, or numbers (UNIX seconds; milliseconds above 1e11).  Times without an
offset are local times of ``tz``.
"""

from __future__ import annotations

import csv
import math
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import numpy as np
import numpy.typing as npt

from console.heat.localtime import zone

F64 = npt.NDArray[np.float64]
_FORMATS = (
    "%Y/%m/%d %H:%M:%S",
    "%Y/%m/%d %H:%M",
    "%Y/%m/%d",
    "%m/%d/%Y %H:%M:%S",
    "%m/%d/%Y %H:%M",
    "%m/%d/%Y %I:%M:%S %p",
    "%m/%d/%Y %I:%M %p",
    "%m/%d/%Y",
    "%d.%m.%Y %H:%M:%S",
    "%d.%m.%Y %H:%M",
    "%d.%m.%Y",
)


class InputError(ValueError):
    """Bad input file: the message names the file, line and column."""


@dataclass
class CsvCalls:
    """The rows read: time (UTC s), lon, lat, type (or None) and what was skipped, with its
    first line number."""

    t: F64
    lon: F64
    lat: F64
    types: list[str] | None
    skipped: dict[str, tuple[int, int]] = field(default_factory=dict)  # reason: (count, line)


def parse_time(text: str, tz: ZoneInfo) -> float:
    """UTC seconds of one time cell; ValueError when no known form fits."""
    s = text.strip()
    try:
        v = float(s)
    except ValueError:
        pass
    else:
        if not math.isfinite(v):
            raise ValueError(f"not a time: {text!r}")
        return v / 1000.0 if abs(v) > 1e11 else v
    dt: datetime | None = None
    try:
        dt = datetime.fromisoformat(s)
    except ValueError:
        for fmt in _FORMATS:
            try:
                dt = datetime.strptime(s, fmt)
                break
            except ValueError:
                continue
    if dt is None:
        raise ValueError(f"not a time: {text!r}")
    if dt.tzinfo is None:
        dt = dt.replace(tzinfo=tz)
    return dt.timestamp()


def _coord(text: str, low: float, high: float) -> float:
    v = float(text)
    if not (math.isfinite(v) and low <= v <= high):
        raise ValueError(f"out of range {low:g}..{high:g}")
    return v


def read_calls_csv(
    path: str | Path,
    time_col: str,
    lat_col: str,
    lon_col: str,
    type_col: str | None = None,
    tz: str = "UTC",
) -> CsvCalls:
    """All rows with a time and a position; see the module docstring for what fails."""
    zi = zone(tz)
    p = Path(path)
    try:
        fh = p.open(newline="", encoding="utf-8-sig")
    except OSError as exc:
        raise InputError(f"{p}: cannot open: {exc.strerror or exc}") from None
    with fh:
        reader = csv.reader(fh)
        try:
            header = next(reader)
        except StopIteration:
            raise InputError(f"{p}: the file is empty") from None
        except (csv.Error, UnicodeDecodeError) as exc:
            raise InputError(f"{p}: not a readable CSV: {exc}") from None
        cols = [h.strip() for h in header]
        want = {"time": time_col, "lat": lat_col, "lon": lon_col}
        if type_col is not None:
            want["type"] = type_col
        missing = [c for c in want.values() if c not in cols]
        if missing:
            raise InputError(
                f"{p}: no column {', '.join(repr(c) for c in missing)} (columns: {', '.join(cols)})"
            )
        ix = {k: cols.index(c) for k, c in want.items()}
        width = max(ix.values()) + 1
        ts: list[float] = []
        lons: list[float] = []
        lats: list[float] = []
        kinds: list[str] = []
        cache: dict[str, float] = {}
        skipped: dict[str, tuple[int, int]] = {}

        def skip(reason: str, line: int) -> None:
            n, first = skipped.get(reason, (0, line))
            skipped[reason] = (n + 1, first)

        try:
            for row in reader:
                line = reader.line_num
                if not any(c.strip() for c in row):
                    continue
                if len(row) < width:
                    raise InputError(f"{p}, line {line}: {len(row)} fields, need {width}")
                tt, la, lo = row[ix["time"]], row[ix["lat"]], row[ix["lon"]]
                if not tt.strip():
                    skip(f"no time in {time_col!r}", line)
                    continue
                if not la.strip() or not lo.strip():
                    skip(f"no position in {lat_col!r}/{lon_col!r}", line)
                    continue
                t = cache.get(tt)
                if t is None:
                    try:
                        t = parse_time(tt, zi)
                    except (ValueError, OverflowError, OSError):
                        raise InputError(
                            f"{p}, line {line}, column {time_col!r}: cannot read time {tt!r}"
                        ) from None
                    cache[tt] = t
                for name, text, lim in ((lat_col, la, 90.0), (lon_col, lo, 180.0)):
                    try:
                        _coord(text, -lim, lim)
                    except ValueError as exc:
                        raise InputError(
                            f"{p}, line {line}, column {name!r}: bad coordinate {text!r} ({exc})"
                        ) from None
                ts.append(t)
                lats.append(float(la))
                lons.append(float(lo))
                if type_col is not None:
                    kinds.append(row[ix["type"]].strip())
        except csv.Error as exc:
            raise InputError(f"{p}, line {reader.line_num}: {exc}") from None
        except UnicodeDecodeError as exc:
            raise InputError(f"{p}: not UTF-8 text near line {reader.line_num}: {exc}") from None
    return CsvCalls(
        t=np.asarray(ts, dtype=np.float64),
        lon=np.asarray(lons, dtype=np.float64),
        lat=np.asarray(lats, dtype=np.float64),
        types=kinds if type_col is not None else None,
        skipped=skipped,
    )
