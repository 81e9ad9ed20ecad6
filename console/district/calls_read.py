"""Calls import, step one: the file into column lists (CSV with the csv module, or GeoJSON).

Nothing is converted here: the lists go to :mod:`console.district.calls_parse`
in one piece, so a million rows cost one pass of the csv module and a few
list appends each.
"""

from __future__ import annotations

import csv
import itertools
import json
import threading
from dataclasses import dataclass
from operator import itemgetter
from pathlib import Path

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


def read_calls_csv(
    path: Path, cols: CallColumns, progress: Progress | None, cancel: threading.Event | None
) -> Raw:
    with path.open("rb") as fh:  # rows to expect, for the progress bar: from the first 1 MiB
        head = fh.read(1 << 20)
    size = path.stat().st_size
    total = max(1, round(head.count(b"\n") * size / max(1, len(head))))
    try:
        fh_t = path.open(encoding="utf-8-sig", newline="")
        fh_t.read(1 << 16)
        fh_t.seek(0)
    except UnicodeDecodeError:
        fh_t = path.open(encoding="gb18030", newline="")
    with fh_t:
        reader = csv.reader(fh_t)
        try:
            header = [h.strip() for h in next(reader)]
        except StopIteration:
            raise CallsImportError(f"{path.name} is empty") from None
        except (csv.Error, UnicodeDecodeError) as exc:
            raise CallsImportError(f"{path.name} line 1: not valid CSV: {exc}") from None
        lower = [h.lower() for h in header]

        def col(name: str, what: str, required: bool) -> int:
            if not name:
                if required:
                    raise CallsImportError(f"the {what} column must be named (--{what}-col)")
                return -1
            if name.lower() not in lower:
                raise CallsImportError(
                    f"{path.name} has no column {name!r} for the {what}"
                    f" (columns: {', '.join(header)})"
                )
            return lower.index(name.lower())

        it = col(cols.time, "time", True)
        ia = col(cols.lat, "lat", True)
        io_ = col(cols.lon, "lon", True)
        ity = col(cols.type, "type", False)
        iid = col(cols.id, "id", False)
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
