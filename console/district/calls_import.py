"""Past 110 calls from a CSV or GeoJSON export: checked row by row, written in one transaction.

Built for a million rows: the file is read once into column lists (a plain
export cut with ``str.split``, anything else with the csv module; see
:mod:`console.district.calls_read`), and everything after that is vectorised
(numbers and ISO times parsed by numpy, local time to UTC per distinct hour of
the district's time zone, the point-in-outline test by shapely over all points
at once, keys hashed with numpy).  The rows go to the driver's ``executemany``
in batches of tuples zipped from plain lists, in key order, inside the one
transaction.  Only rows that fail a fast path are looked at one by
one, to name their line and reason.

A re-import adds nothing: every call gets a 64-bit key (``call_history.call_key``,
unique), from its id column when there is one, else from its time, place
(to 1e-6 degree), type and its rank among identical rows of the same file, so
two identical calls in one file stay two calls and the same file twice stays
the same calls.

For a GUI: :func:`import_calls` takes ``progress(phase, done, total)`` and a
``cancel`` event; a cancelled import raises :class:`ImportCancelled` and,
because everything is written in one transaction, leaves nothing behind.
"""

from __future__ import annotations

import csv
import math
import threading
import time
import zoneinfo
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import numpy.typing as npt
from sqlalchemy import func, select

from console.district.calls_parse import call_keys, floats, id_keys, times
from console.district.calls_read import Raw, read_calls_csv, read_calls_geojson
from console.district.calls_spec import (
    BATCH,
    CallColumns,
    CallsImportError,
    CallsImportResult,
    CallsSpec,
    ImportCancelled,
    Progress,
    Rejected,
    read_type_map,
)
from console.district.roads import DistrictShape
from console.geo.crs import parse_crs, to_wgs84
from console.store.db import Store
from console.store.errors import StoreError
from console.store.models import CallHistoryRow

F64 = npt.NDArray[np.float64]
B = npt.NDArray[np.bool_]
SQLITE_CACHE_KIB = 262_144  # 256 MiB of page cache while a big import writes
SQLITE_DEFAULT_CACHE = -2000  # SQLite's default (2 MiB)
TIME_INDEX = "ix_call_history_t"  # models.CallHistoryRow's index on t (naming convention)
REBUILD_SHARE = 0.25  # rebuild that index when an import adds more than this share of rows

__all__ = [
    "CallColumns",
    "CallsImportError",
    "CallsImportResult",
    "CallsSpec",
    "ImportCancelled",
    "Progress",
    "Rejected",
    "import_calls",
    "read_type_map",
    "result_lines",
    "write_rejects",
]


@dataclass
class _Checked:
    t: F64
    lon: F64
    lat: F64
    type_code: npt.NDArray[np.int64]  # into type_names
    type_names: list[str]
    keys: npt.NDArray[np.int64]


def _check(
    raw: Raw, spec: CallsSpec, shape: DistrictShape, known: set[str], res: CallsImportResult
) -> _Checked:
    n = len(raw.where)
    bad = np.zeros(n, dtype=bool)
    unit = raw.unit

    def reject(mask: B, fld: str, reason: Callable[[int], str], tally: str) -> None:
        for i in np.flatnonzero(mask & ~bad).tolist():
            res.rejected.append(Rejected(f"{unit} {raw.where[i]}", fld, reason(i)))
            res.by_reason[tally] += 1
        bad[:] |= mask

    t, bad_t = times(raw.time, spec.tz, spec.time_format)
    reject(
        bad_t,
        spec.columns.time or "time",
        lambda i: f"cannot read {raw.time[i]!r} as a date/time" if raw.time[i].strip() else "empty",
        "time unreadable or empty",
    )
    lat, bad_lat = floats(raw.lat)
    lon, bad_lon = floats(raw.lon)
    reject(
        bad_lat | bad_lon,
        "lat/lon",
        lambda i: f"not a position: {raw.lat[i]!r}, {raw.lon[i]!r}",
        "position not a number",
    )
    out_range = (np.abs(np.nan_to_num(lat)) > 90) | (np.abs(np.nan_to_num(lon)) > 180)
    reject(
        out_range,
        "lat/lon",
        lambda i: f"out of range: {raw.lat[i]}, {raw.lon[i]}",
        "position out of range",
    )
    ok = ~bad
    wlon, wlat = np.full(n, math.nan), np.full(n, math.nan)
    if ok.any():
        x, y = to_wgs84(lon[ok], lat[ok], spec.crs)
        wlon[ok], wlat[ok] = x, y
        inside = np.zeros(n, dtype=bool)
        inside[ok] = shape.inside_many(wlon[ok], wlat[ok])
        reject(
            ok & ~inside,
            "lat/lon",
            lambda i: f"coordinates outside the district: ({raw.lat[i]}, {raw.lon[i]})",
            "outside the district",
        )
    type_code, type_names = _types(raw, spec, known, reject)
    keep = ~bad
    keys = np.zeros(n, dtype=np.uint64)
    if spec.columns.id:
        stripped = list(map(str.strip, raw.ids))
        empty = (
            np.fromiter(map(len, stripped), dtype=np.int64, count=n) == 0
            if "" in stripped
            else np.zeros(n, dtype=bool)
        )
        reject(keep & empty, spec.columns.id, lambda i: "empty id", "id empty")
        keep = ~bad
        keys = id_keys(stripped)
        _, first_idx, inv = np.unique(
            np.where(keep, keys, 0), return_index=True, return_inverse=True
        )
        first_of = first_idx[inv.reshape(-1)]
        dup = keep & (first_of != np.arange(n))
        reject(
            dup,
            spec.columns.id,
            lambda i: f"duplicate id {raw.ids[i]!r} (first on {unit} {raw.where[first_of[i]]})",
            "id repeated in the file",
        )
        keep = ~bad
    sel = np.flatnonzero(keep)
    if not spec.columns.id:
        keys = np.zeros(n, dtype=np.uint64)
        keys[sel] = call_keys(t[sel], wlon[sel], wlat[sel], type_code[sel], type_names)
    return _Checked(
        t[sel], wlon[sel], wlat[sel], type_code[sel], type_names, keys[sel].view(np.int64)
    )


def _types(
    raw: Raw,
    spec: CallsSpec,
    known: set[str],
    reject: Callable[[B, str, Callable[[int], str], str], None],
) -> tuple[npt.NDArray[np.int64], list[str]]:
    """Each row's incident type as a code into the returned names (-1 when rejected)."""
    n = len(raw.where)
    if not spec.columns.type:
        return np.zeros(n, dtype=np.int64), [spec.default_type]
    # distinct raw values, numbered in order of appearance
    seen = {v: k for k, v in enumerate(dict.fromkeys(raw.type))}
    inv = np.fromiter(map(seen.__getitem__, raw.type), np.int64, count=n)
    tmap = spec.type_map
    names: list[str] = []
    code_of: dict[str, int] = {}
    codes = np.full(len(seen), -1, dtype=np.int64)
    for k, raw_value in enumerate(seen):
        u = raw_value.strip()
        target = tmap.get(u, tmap.get("*")) if tmap is not None else (u if u in known else None)
        if target is not None:
            codes[k] = code_of.setdefault(target, len(names))
            if codes[k] == len(names):
                names.append(target)
    row_code = codes[inv]
    what = "not in the type map" if tmap is not None else "not a configured incident type"
    reject(
        row_code < 0,
        spec.columns.type,
        lambda i: f"type {raw.type[i].strip()!r} {what}",
        f"type {what}",
    )
    return np.maximum(row_code, 0), names


# ---- writing -----------------------------------------------------------------------------------


def _insert_sql(dialect: str, paramstyle: str) -> str:
    mark = "?" if paramstyle == "qmark" else "%s"
    cols = "t, incident_type, lon, lat, call_key"
    values = ", ".join([mark] * 5)
    if dialect == "sqlite":
        return f"INSERT OR IGNORE INTO call_history ({cols}) VALUES ({values})"
    return f"INSERT INTO call_history ({cols}) VALUES ({values}) ON CONFLICT (call_key) DO NOTHING"


def _write(
    store: Store, c: _Checked, progress: Progress | None, cancel: threading.Event | None
) -> tuple[int, int]:
    n = len(c.t)
    order = np.argsort(c.keys, kind="stable")  # the unique key index grows in order
    tl, xl, yl, kl = (a[order].tolist() for a in (c.t, c.lon, c.lat, c.keys))
    types = np.asarray(c.type_names, dtype=object)[c.type_code[order]].tolist()
    with store.transaction() as s:
        conn = s.connection()
        sqlite = conn.dialect.name == "sqlite"
        if sqlite:  # a big page cache for this transaction: index pages stay in memory
            conn.exec_driver_sql(f"PRAGMA cache_size=-{SQLITE_CACHE_KIB}")
        try:
            before = int(s.scalar(select(func.count()).select_from(CallHistoryRow)) or 0)
            # a big import into a small table: drop the time index and build it once at the
            # end (SQLite DDL is transactional: a cancel or error brings it back as it was)
            rebuild = sqlite and n > REBUILD_SHARE * before and n >= BATCH
            if rebuild:
                # pysqlite opens the transaction only at the first DML statement and would
                # autocommit the DROP: a DML that touches nothing opens it first
                conn.exec_driver_sql("DELETE FROM call_history WHERE 0")
                conn.exec_driver_sql(f"DROP INDEX IF EXISTS {TIME_INDEX}")
            sql = _insert_sql(conn.dialect.name, conn.dialect.paramstyle)
            # the driver's own cursor, fed tuples straight from zip: no per-batch lists
            cursor = conn.connection.driver_connection.cursor()  # type: ignore[union-attr]
            dbapi_error = conn.dialect.loaded_dbapi.Error
            inserted = 0  # rows the driver says the batches inserted
            told = True  # False: the driver could not say (rowcount -1)
            try:
                for start in range(0, n, BATCH):
                    if cancel is not None and cancel.is_set():
                        raise ImportCancelled("import cancelled while writing; nothing was written")
                    stop = min(n, start + BATCH)
                    try:
                        cursor.executemany(
                            sql,
                            zip(
                                tl[start:stop],
                                types[start:stop],
                                xl[start:stop],
                                yl[start:stop],
                                kl[start:stop],
                                strict=True,
                            ),
                        )
                    except dbapi_error as exc:  # the transaction rolls back: nothing written
                        raise StoreError(f"calls not written (nothing was): {exc}") from exc
                    told = told and cursor.rowcount >= 0
                    inserted += cursor.rowcount
                    if progress is not None:
                        progress("writing", stop, n)
            finally:
                cursor.close()
            if rebuild:
                conn.exec_driver_sql(f"CREATE INDEX {TIME_INDEX} ON call_history (t)")
            if sqlite and told:  # sqlite3 sums each row's changes (ignored ones: 0)
                after = before + inserted
            else:
                after = int(s.scalar(select(func.count()).select_from(CallHistoryRow)) or 0)
        finally:
            if sqlite:
                conn.exec_driver_sql(f"PRAGMA cache_size={SQLITE_DEFAULT_CACHE}")
    added = after - before
    return added, n - added


def import_calls(
    store: Store,
    path: str | Path,
    spec: CallsSpec,
    outline: Sequence[tuple[float, float]],
    known_types: Sequence[str],
    *,
    progress: Progress | None = None,
    cancel: threading.Event | None = None,
) -> CallsImportResult:
    """Read, check and write one file of calls; see the module text."""
    p = Path(path)
    if not p.is_file():
        raise CallsImportError(f"calls file {p} not found")
    spec.crs = parse_crs(spec.crs)
    try:
        zoneinfo.ZoneInfo(spec.tz)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        raise CallsImportError(f"unknown time zone {spec.tz!r}") from None
    known = set(known_types)
    if not spec.columns.type and spec.default_type not in known:
        raise CallsImportError(
            "no type column: name one (--type-col) or give --default-type "
            f"(known: {', '.join(sorted(known))})"
        )
    res = CallsImportResult(p.name)
    t0 = time.perf_counter()
    is_json = p.suffix.lower() in (".geojson", ".json")
    raw = (
        read_calls_geojson(p, spec.columns)
        if is_json
        else read_calls_csv(p, spec.columns, progress, cancel)
    )
    res.rows = len(raw.where)
    t1 = time.perf_counter()
    res.read_s = t1 - t0
    if progress is not None:
        progress("checking", 0, res.rows)
    checked = _check(raw, spec, DistrictShape(outline, 0.0), known, res)
    if cancel is not None and cancel.is_set():
        raise ImportCancelled("import cancelled; nothing was written")
    if progress is not None:
        progress("checking", res.rows, res.rows)
    t2 = time.perf_counter()
    res.check_s = t2 - t1
    res.added, res.already = _write(store, checked, progress, cancel)
    res.write_s = time.perf_counter() - t2
    return res


def result_lines(res: CallsImportResult, limit: int = 1000) -> list[str]:
    """The result as printed by ``main.py calls import``."""
    lines = [
        f"{res.file}: {res.rows} rows read, {res.added} calls added, {res.already} already "
        f"stored, {len(res.rejected)} rejected ({res.seconds:.1f} s: read {res.read_s:.1f}, "
        f"check {res.check_s:.1f}, write {res.write_s:.1f})"
    ]
    for reason, k in res.by_reason.most_common():
        lines.append(f"  rejected {k}: {reason}")
    for r in res.rejected[:limit]:
        lines.append(f"  {r}")
    if len(res.rejected) > limit:
        lines.append(f"  ... and {len(res.rejected) - limit} more (--rejects FILE lists them all)")
    return lines


def write_rejects(res: CallsImportResult, path: str | Path) -> None:
    """Every rejected row as CSV: where, field, reason."""
    with Path(path).open("w", encoding="utf-8", newline="") as fh:
        w = csv.writer(fh, lineterminator="\n")
        w.writerow(("where", "field", "reason"))
        w.writerows((r.where, r.field, r.reason) for r in res.rejected)
