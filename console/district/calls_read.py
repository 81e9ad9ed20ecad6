"""Calls import, step one: the file into column lists (CSV with the csv module, or GeoJSON).

Nothing is converted here: the lists go to :mod:`console.district.calls_parse`
in one piece.  A plain file (no quotes, no NUL, every line with the header's
number of commas: what databases export) is cut with ``str.split`` a batch of
lines at a time, about four times faster than the csv module; anything else
(quoted fields, line breaks in a field, blank or short lines) goes through the
csv module, which names the line of each problem.
"""

from __future__ import annotations

import csv
import itertools
import json
import threading
from dataclasses import dataclass
from operator import itemgetter
from pathlib import Path

import numpy as np

from console.district.calls_spec import (
    BATCH,
    CallColumns,
    CallsImportError,
    ImportCancelled,
    Progress,
)
from console.district.csvread import read_text


@dataclass
class Raw:
    where: list[int]  # line (CSV) or feature number (GeoJSON) per row
    time: list[str]
    lat: list[str]
    lon: list[str]
    type: list[str]
    ids: list[str]
    unit: str = "line"


def _columns(header: list[str], path: Path, cols: CallColumns) -> list[int]:
    """Indices of the time, lat, lon, type and id columns (-1: not asked for)."""
    lower = [h.lower() for h in header]

    def col(name: str, what: str, required: bool) -> int:
        if not name:
            if required:
                raise CallsImportError(f"the {what} column must be named (--{what}-col)")
            return -1
        if name.lower() not in lower:
            raise CallsImportError(
                f"{path.name} has no column {name!r} for the {what} (columns: {', '.join(header)})"
            )
        return lower.index(name.lower())

    return [
        col(cols.time, "time", True),
        col(cols.lat, "lat", True),
        col(cols.lon, "lon", True),
        col(cols.type, "type", False),
        col(cols.id, "id", False),
    ]


def read_calls_csv(
    path: Path, cols: CallColumns, progress: Progress | None, cancel: threading.Event | None
) -> Raw:
    with path.open("rb") as fh:  # rows to expect, for the progress bar: from the first 1 MiB
        head = fh.read(1 << 20)
    size = path.stat().st_size
    total = max(1, round(head.count(b"\n") * size / max(1, len(head))))
    try:
        head.decode("utf-8-sig")
        encoding = "utf-8-sig"
    except UnicodeDecodeError as exc:
        # a cut multi-byte character at the end of the sample is still UTF-8
        cut = len(head) == 1 << 20 and exc.start >= len(head) - 3
        encoding = "utf-8-sig" if cut else "gb18030"
    if size <= 1 << 31 and b'"' not in head and b"\x00" not in head:
        raw = _read_plain(path, encoding, cols, progress, cancel)
        if raw is not None:
            return raw
    return _read_csv_module(path, encoding, cols, progress, cancel, total)


def _read_plain(
    path: Path,
    encoding: str,
    cols: CallColumns,
    progress: Progress | None,
    cancel: threading.Event | None,
) -> Raw | None:
    """The fast path for a plain file: no quotes, no NUL, every line with the header's
    number of commas (what a database export writes).  Such a file means exactly what the
    csv module would read from it, so it is cut with ``str.split`` a batch of lines at a
    time.  None when the file is not plain: the caller reads it with the csv module, which
    names the line of any problem."""
    data = path.read_bytes()
    if not data or b'"' in data or b"\x00" in data:
        return None
    buf = np.frombuffer(data, dtype=np.uint8)
    ends = np.flatnonzero(buf == 10)  # every line's newline (ASCII: never inside a character)
    crlf = data.count(b"\r")
    if crlf and (crlf != len(ends) or data.count(b"\r\n") != crlf or not data.endswith(b"\n")):
        return None  # lone CRs end rows for the csv module, and mixed line ends: its path
    cr = 1 if crlf else 0  # every line ends CR LF: the CR is cut off with the LF
    if not data.endswith(b"\n"):
        data += b"\n"
        buf = np.frombuffer(data, dtype=np.uint8)
        ends = np.append(ends, len(data) - 1)
    codec = "utf-8" if encoding == "utf-8-sig" else encoding
    skip = 3 if encoding == "utf-8-sig" and data.startswith(b"\xef\xbb\xbf") else 0
    commas = np.searchsorted(np.flatnonzero(buf == 44), ends)
    del buf
    per_line = np.diff(commas, prepend=0)
    width = int(per_line[0]) + 1
    if (per_line != width - 1).any():
        return None  # blank, short or long lines: the csv module's path names them
    try:
        header = [h.strip() for h in data[skip : int(ends[0]) - cr].decode(codec).split(",")]
    except UnicodeDecodeError:
        return None
    picks_at = _columns(header, path, cols)
    rows = len(ends) - 1
    raw = Raw([], [], [], [], [], [])
    targets = (raw.time, raw.lat, raw.lon, raw.type, raw.ids)
    starts = ends + 1
    for a in range(1, rows + 1, BATCH):  # a, b: line indices (0 = header)
        b = min(rows + 1, a + BATCH)
        seg = data[int(starts[a - 1]) : int(ends[b - 1]) - cr]
        try:
            flat = seg.decode(codec).replace("\r\n" if cr else "\n", ",").split(",")
        except UnicodeDecodeError:
            return None
        raw.where.extend(range(a + 1, b + 1))
        for target, k in zip(targets, picks_at, strict=True):
            target.extend(flat[k::width] if k >= 0 else itertools.repeat("", b - a))
        if cancel is not None and cancel.is_set():
            raise ImportCancelled("import cancelled while reading; nothing was written")
        if progress is not None and b - 1 < rows:
            progress("reading", b - 1, rows)
    if progress is not None:
        progress("reading", rows, rows)
    return raw


def _read_csv_module(
    path: Path,
    encoding: str,
    cols: CallColumns,
    progress: Progress | None,
    cancel: threading.Event | None,
    total: int,
) -> Raw:
    with path.open(encoding=encoding, newline="") as fh_t:
        reader = csv.reader(fh_t)
        try:
            header = [h.strip() for h in next(reader)]
        except StopIteration:
            raise CallsImportError(f"{path.name} is empty") from None
        except (csv.Error, UnicodeDecodeError) as exc:
            raise CallsImportError(f"{path.name} line 1: not valid CSV: {exc}") from None
        it, ia, io_, ity, iid = _columns(header, path, cols)
        need = max(it, ia, io_, ity, iid)
        raw = Raw([], [], [], [], [], [])
        picks = [(raw.time, it), (raw.lat, ia), (raw.lon, io_), (raw.type, ity), (raw.ids, iid)]
        line = 1
        try:
            while True:
                chunk = list(itertools.islice(reader, BATCH))
                if not chunk:
                    break
                if reader.line_num - line == len(chunk) and min(map(len, chunk)) > need:
                    # one line per row, every row long enough: columns in one go each
                    raw.where.extend(range(line + 1, reader.line_num + 1))
                    for target, k in picks:
                        target.extend(map(itemgetter(k), chunk) if k >= 0 else [""] * len(chunk))
                else:
                    _slow_rows(chunk, raw, picks, line, need)
                line = reader.line_num
                if cancel is not None and cancel.is_set():
                    raise ImportCancelled("import cancelled while reading; nothing was written")
                if progress is not None:
                    progress("reading", min(line, total - 1), total)
        except csv.Error as exc:
            raise CallsImportError(
                f"{path.name} line {reader.line_num}: not valid CSV: {exc}"
            ) from None
        except UnicodeDecodeError as exc:
            raise CallsImportError(f"{path.name} near line {line}: cannot decode: {exc}") from None
    if progress is not None:
        progress("reading", total, total)
    return raw


def _slow_rows(
    chunk: list[list[str]], raw: Raw, picks: list[tuple[list[str], int]], line: int, need: int
) -> None:
    """Rows one by one: blank lines skipped, short rows padded, line numbers counted
    (a quoted field may hold a line break, so a row's line is where it starts)."""
    for row in chunk:
        start = line + 1
        line += 1 + sum(field.count("\n") for field in row)
        if len(row) <= need:
            if not any(c.strip() for c in row):
                continue
            row = row + [""] * (need + 1 - len(row))
        raw.where.append(start)
        for target, k in picks:
            target.append(row[k] if k >= 0 else "")


def read_calls_geojson(path: Path, cols: CallColumns) -> Raw:
    try:
        doc = json.loads(read_text(path))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise CallsImportError(f"{path.name}: not readable GeoJSON: {exc}") from None
    feats = doc.get("features") if isinstance(doc, dict) else None
    if not isinstance(feats, list):
        raise CallsImportError(f"{path.name}: must be a GeoJSON FeatureCollection")
    raw = Raw([], [], [], [], [], [], unit="feature")
    for n, f in enumerate(feats, start=1):
        props = (f.get("properties") or {}) if isinstance(f, dict) else {}
        geom = f.get("geometry") if isinstance(f, dict) else None
        lon = lat = ""
        if cols.lat and cols.lon:
            lat, lon = str(props.get(cols.lat, "")), str(props.get(cols.lon, ""))
        elif isinstance(geom, dict) and geom.get("type") == "Point":
            c = geom.get("coordinates")
            if isinstance(c, list) and len(c) >= 2:
                lon, lat = str(c[0]), str(c[1])
        raw.where.append(n)
        raw.time.append(str(props.get(cols.time, "") or ""))
        raw.lat.append(lat)
        raw.lon.append(lon)
        raw.type.append(str(props.get(cols.type, "") or "") if cols.type else "")
        raw.ids.append(str(props.get(cols.id, "") or "") if cols.id else "")
    return raw
