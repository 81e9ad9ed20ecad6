"""Reading count files (CSV, optionally gzip) with every bad row named by its line.

One reader serves ``crowd import`` and ``evaluate-crowd``.  A file-level problem
(unreadable file, missing column, naive times without a zone) is a
:class:`CrowdError`; a bad row becomes a :class:`RowProblem` with its line and
column, and the caller decides whether the rest may go in.  Local times the
zone's clock skipped (some feeds write a zero there) are *skipped*, not errors:
they are reported apart so nobody mistakes them for data.
"""

from __future__ import annotations

import csv
import datetime as dt
import gzip
import io
import math
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import numpy.typing as npt

from console.crowd.errors import CrowdError
from console.crowd.localtime import LocalTimeError, is_ambiguous, resolve_local, zone

MAX_COUNT = 1e8  # more people than any place holds in a bucket: a unit or column mix-up


@dataclass(frozen=True)
class RowProblem:
    """One rejected or skipped row: 1-based line in the file, the column, why."""

    line: int
    column: str
    reason: str

    def __str__(self) -> str:
        col = f" column {self.column!r}" if self.column else ""
        return f"line {self.line}{col}: {self.reason}"


@dataclass
class CountFile:
    """The good rows of a count file as arrays, and what was wrong with the others."""

    sensors: list[str]
    sensor: npt.NDArray[np.int32]  # index into ``sensors``
    t: npt.NDArray[np.float64]  # UTC seconds
    count: npt.NDArray[np.float64]
    line: npt.NDArray[np.int64]
    errors: list[RowProblem] = field(default_factory=list)
    skipped: list[RowProblem] = field(default_factory=list)
    lines: int = 0  # data lines read (header excluded)

    def summary(self, limit: int = 10) -> str:
        """A few lines for the operator: counts, then the first problems by line."""
        out = [
            f"{self.lines} rows read: {self.t.size} good, {len(self.errors)} bad, "
            f"{len(self.skipped)} skipped"
        ]
        out += [f"  error {p}" for p in self.errors[:limit]]
        if len(self.errors) > limit:
            out.append(f"  ... and {len(self.errors) - limit} more errors")
        out += [f"  skipped {p}" for p in self.skipped[:limit]]
        if len(self.skipped) > limit:
            out.append(f"  ... and {len(self.skipped) - limit} more skipped rows")
        return "\n".join(out)


def _open_text(path: Path) -> tuple[io.TextIOWrapper, io.BufferedReader]:
    try:
        raw = path.open("rb")
    except OSError as exc:
        raise CrowdError(f"cannot read {path}: {exc.strerror or exc}") from None
    head = raw.read(2)
    raw.seek(0)
    stream = gzip.GzipFile(fileobj=raw) if head == b"\x1f\x8b" else raw
    return io.TextIOWrapper(stream, encoding="utf-8-sig", newline=""), raw


def _lines(path: Path, delimiter: str) -> Iterator[tuple[int, list[str]]]:
    """(line number, fields) of every row; decode errors name the line they hit."""
    text, raw = _open_text(path)
    reader = csv.reader(text, delimiter=delimiter)
    try:
        while True:
            try:
                fields = next(reader)
            except StopIteration:
                return
            yield reader.line_num, fields
    except (UnicodeDecodeError, gzip.BadGzipFile, EOFError, OSError, csv.Error) as exc:
        raise CrowdError(f"{path}: unreadable after line {reader.line_num}: {exc}") from None
    finally:
        text.close()
        raw.close()


def _column(header: list[str], name: str, path: Path, option: str) -> int:
    names = [h.strip() for h in header]
    if name in names:
        return names.index(name)
    raise CrowdError(
        f"{path}: no column {name!r} (given by {option}); the header has: "
        + ", ".join(repr(h) for h in names)
    )


class _Times:
    """Parses time cells once per distinct text (hourly files repeat each time per sensor)."""

    def __init__(self, tz: str | None, column: str) -> None:
        self.tz = tz
        self.column = column
        self.cache: dict[str, tuple[float, bool] | str] = {}

    def parse(self, text: str) -> tuple[float, bool] | str:
        """(UTC seconds, ambiguous) or the reason the text is no time."""
        hit = self.cache.get(text)
        if hit is None:
            hit = self._parse(text)
            self.cache[text] = hit
        return hit

    def _parse(self, text: str) -> tuple[float, bool] | str:
        s = text.strip()
        if not s:
            return "empty time"
        try:
            stamp = dt.datetime.fromisoformat(s.replace("Z", "+00:00").replace("z", "+00:00"))
        except ValueError:
            return f"{s!r} is not a time (expected ISO 8601, e.g. 2023-10-01T14:00:00)"
        if stamp.tzinfo is not None:
            return stamp.timestamp(), False
        if self.tz is None:
            raise CrowdError(
                f"times in column {self.column!r} carry no UTC offset ({s!r}): give the "
                "file's time zone (--tz, e.g. Asia/Shanghai)"
            )
        try:
            return resolve_local(stamp, self.tz), is_ambiguous(stamp, self.tz)
        except LocalTimeError as exc:
            return f"skip:{exc}"

    def later(self, text: str) -> float:
        """The second occurrence of an ambiguous local time."""
        assert self.tz is not None
        return resolve_local(dt.datetime.fromisoformat(text.strip()), self.tz, later=True)


def read_counts(
    path: Path | str,
    *,
    time_col: str,
    count_col: str,
    sensor_col: str | None = None,
    sensor: str | None = None,
    tz: str | None = None,
    delimiter: str = ",",
) -> CountFile:
    """Read a count file; every row is either kept, an error, or skipped (DST gap).

    Naive times are local times of ``tz``; one row at a time the clocks repeat is its
    first occurrence, a second row for the same sensor and time its second.
    """
    path = Path(path)
    if tz is not None:
        zone(tz)  # a wrong zone is a file-level error before any row
    if (sensor_col is None) == (sensor is None):
        raise CrowdError("give either a sensor column (--sensor-col) or one sensor name")
    rows = _lines(path, delimiter)
    first = next(rows, None)
    if first is None:
        raise CrowdError(f"{path}: empty file (expected a header line)")
    header = first[1]
    i_time = _column(header, time_col, path, "--time-col")
    i_count = _column(header, count_col, path, "--count-col")
    i_sensor = _column(header, sensor_col, path, "--sensor-col") if sensor_col else -1
    width = max(i_time, i_count, i_sensor) + 1
    times = _Times(tz, time_col)
    names: dict[str, int] = {}
    s_out: list[int] = []
    t_out: list[float] = []
    c_out: list[float] = []
    l_out: list[int] = []
    seen: dict[tuple[int, float], int] = {}
    errors: list[RowProblem] = []
    skipped: list[RowProblem] = []
    n = 0
    for line, fields in rows:
        if not fields or all(not f.strip() for f in fields):
            continue
        n += 1
        if len(fields) < width:
            errors.append(RowProblem(line, "", f"{len(fields)} fields, expected {len(header)}"))
            continue
        name = fields[i_sensor].strip() if i_sensor >= 0 else str(sensor)
        if not name:
            errors.append(RowProblem(line, sensor_col or "", "empty sensor name"))
            continue
        parsed = times.parse(fields[i_time])
        if isinstance(parsed, str):
            if parsed.startswith("skip:"):
                skipped.append(RowProblem(line, time_col, parsed[5:]))
            else:
                errors.append(RowProblem(line, time_col, parsed))
            continue
        t, ambiguous = parsed
        cell = fields[i_count].strip()
        try:
            value = float(cell)
        except ValueError:
            errors.append(RowProblem(line, count_col, f"{cell!r} is not a number"))
            continue
        if not math.isfinite(value) or value < 0 or value > MAX_COUNT:
            errors.append(
                RowProblem(line, count_col, f"{cell!r} is not a count (0 to {MAX_COUNT:.0f})")
            )
            continue
        idx = names.setdefault(name, len(names))
        prior = seen.get((idx, t))
        if prior is not None and ambiguous:
            t = times.later(fields[i_time])
            prior = seen.get((idx, t))
        if prior is not None:
            errors.append(
                RowProblem(line, time_col, f"duplicate of line {prior} (same sensor and time)")
            )
            continue
        seen[(idx, t)] = line
        s_out.append(idx)
        t_out.append(t)
        c_out.append(value)
        l_out.append(line)
    return CountFile(
        sensors=list(names),
        sensor=np.asarray(s_out, dtype=np.int32),
        t=np.asarray(t_out, dtype=np.float64),
        count=np.asarray(c_out, dtype=np.float64),
        line=np.asarray(l_out, dtype=np.int64),
        errors=errors,
        skipped=skipped,
        lines=n,
    )
