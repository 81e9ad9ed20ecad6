"""Calls import, step two: columns of text to numbers, UTC times and dedup keys, vectorised.

Each function has a fast numpy path for a clean column and falls back to
one value at a time only when that fails, so the caller can name the rows
that could not be read.
"""

from __future__ import annotations

import datetime as dt
import math
import warnings
import zoneinfo
from collections.abc import Sequence

import numpy as np
import numpy.typing as npt

F64 = npt.NDArray[np.float64]
U64 = npt.NDArray[np.uint64]
B = npt.NDArray[np.bool_]
_FNV_OFFSET = np.uint64(0xCBF29CE484222325)
_FNV_PRIME = np.uint64(0x100000001B3)


def floats(values: list[str]) -> tuple[F64, B]:
    """Numbers and a mask of the values that are not finite numbers."""
    try:
        arr = np.fromiter(map(float, values), dtype=np.float64, count=len(values))
    except ValueError:
        arr = np.empty(len(values), dtype=np.float64)
        for i, v in enumerate(values):
            try:
                arr[i] = float(v)
            except ValueError:
                arr[i] = math.nan
    return arr, ~np.isfinite(arr)


_DIGITS_DATE = (0, 1, 2, 3, 5, 6, 8, 9)
_DIGITS_TIME = (11, 12, 14, 15, 17, 18)


def iso_fixed(values: list[str]) -> tuple[npt.NDArray[np.int64], B]:
    """Local seconds of ``YYYY-MM-DD``, ``YYYY-MM-DD HH:MM`` and ``YYYY-MM-DD[T ]HH:MM:SS``
    text, read straight from the bytes; the mask says which values had that exact form."""
    n = len(values)
    none = (np.zeros(n, dtype=np.int64), np.zeros(n, dtype=bool))
    try:
        b = np.asarray(values, dtype=np.bytes_)
    except (UnicodeEncodeError, ValueError):
        return none
    if not n or b.dtype.itemsize < 10:
        return none
    raw8 = b.view(np.uint8).reshape(n, b.dtype.itemsize)
    length = np.char.str_len(b)

    def col(c: int) -> npt.NDArray[np.int64]:
        return raw8[:, c].astype(np.int64) if c < raw8.shape[1] else np.zeros(n, np.int64)

    ok = np.isin(length, (10, 16, 19)) & (col(4) == 45) & (col(7) == 45)
    timed = length >= 16
    ok &= ~timed | (np.isin(col(10), (32, 84)) & (col(13) == 58))
    ok &= (length != 19) | (col(16) == 58)
    digit: dict[int, npt.NDArray[np.int64]] = {}
    for c in _DIGITS_DATE + _DIGITS_TIME:
        digit[c] = col(c) - 48
        is_digit = (digit[c] >= 0) & (digit[c] <= 9)
        if c < 10:
            ok &= is_digit
        else:
            ok &= ~(timed if c < 17 else length == 19) | is_digit

    def num(*cs: int) -> npt.NDArray[np.int64]:
        v = np.zeros(n, dtype=np.int64)
        for c in cs:
            v = v * 10 + digit[c]
        return v

    year = num(0, 1, 2, 3)
    month = num(5, 6)
    day = num(8, 9)
    hour = np.where(timed, num(11, 12), 0)
    minute = np.where(timed, num(14, 15), 0)
    sec = np.where(length == 19, num(17, 18), 0)
    ok &= (month >= 1) & (month <= 12) & (day >= 1) & (hour <= 23) & (minute <= 59) & (sec <= 59)
    y = np.where(ok, year - 1970, 0).astype("timedelta64[Y]")
    first = (np.datetime64("1970", "Y") + y).astype("datetime64[M]") + np.where(
        ok, month - 1, 0
    ).astype("timedelta64[M]")
    days_in_month = (first + np.timedelta64(1, "M")).astype("datetime64[D]") - first.astype(
        "datetime64[D]"
    )
    ok &= day <= days_in_month.astype(np.int64)
    days = first.astype("datetime64[D]").astype(np.int64) + day - 1
    local = days * 86400 + hour * 3600 + minute * 60 + sec
    return np.where(ok, local, 0), ok


def local_to_utc(local_s: npt.NDArray[np.int64], tz: zoneinfo.ZoneInfo) -> F64:
    """Naive local seconds -> UTC seconds, one zone lookup per distinct hour."""
    hours, inverse = np.unique(local_s // 3600, return_inverse=True)
    offsets = np.empty(len(hours), dtype=np.float64)
    for k, h in enumerate(hours.tolist()):
        naive = dt.datetime(1970, 1, 1) + dt.timedelta(seconds=h * 3600)
        off = naive.replace(tzinfo=tz).utcoffset()
        offsets[k] = 0.0 if off is None else off.total_seconds()
    return local_s.astype(np.float64) - offsets[inverse.reshape(-1)]


def times(values: list[str], tz_name: str, time_format: str = "") -> tuple[F64, B]:
    """UNIX seconds and a mask of unreadable times."""
    tz = zoneinfo.ZoneInfo(tz_name)
    n = len(values)
    out = np.full(n, math.nan)
    if time_format:
        for i, v in enumerate(values):
            try:
                d = dt.datetime.strptime(v.strip(), time_format)
            except ValueError:
                continue
            out[i] = (d if d.tzinfo else d.replace(tzinfo=tz)).timestamp()
        return out, ~np.isfinite(out)
    fast, done = iso_fixed(values)
    if done.all():
        return local_to_utc(fast, tz), np.zeros(n, dtype=bool)
    if done.any():
        out[done] = local_to_utc(fast[done], tz)
    rest = np.flatnonzero(~done)
    arr = np.char.strip(np.asarray([values[i] for i in rest.tolist()], dtype=np.str_))
    if len(arr) and np.char.isdigit(arr).all():
        out[rest] = arr.astype(np.float64)
        return out, ~np.isfinite(out)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error")  # an offset in the text: take the slow, exact path
            local = arr.astype("datetime64[s]").astype(np.int64)
        if (arr == "").any() or (local == np.iinfo(np.int64).min).any():
            raise ValueError("empty or NaT")
        out[rest] = local_to_utc(local, tz)
        return out, ~np.isfinite(out)
    except (ValueError, UserWarning, OverflowError):
        pass
    for i, v in zip(rest.tolist(), arr.tolist(), strict=True):
        if not v:
            continue
        if v.isdigit():
            out[i] = float(v)
            continue
        try:
            d = dt.datetime.fromisoformat(v.replace("Z", "+00:00"))
        except ValueError:
            continue
        out[i] = (d if d.tzinfo else d.replace(tzinfo=tz)).timestamp()
    return out, ~np.isfinite(out)


def _fnv(values: Sequence[str]) -> U64:
    """FNV-1a 64 over each string's UTF-8 bytes (NUL-padded to the longest), then its length:
    vectorised over the byte matrix, one column at a time."""
    if not len(values):
        return np.empty(0, dtype=np.uint64)
    try:
        b = np.asarray(values, dtype=np.bytes_)  # ASCII: numpy encodes in C
    except UnicodeEncodeError:
        b = np.asarray([v.encode("utf-8") for v in values], dtype=np.bytes_)
    width = b.dtype.itemsize
    mat = b.view(np.uint8).reshape(len(values), width)
    h = np.full(len(values), _FNV_OFFSET, dtype=np.uint64)
    with np.errstate(over="ignore"):
        for j in range(width):
            h = (h ^ mat[:, j]) * _FNV_PRIME
        return (h ^ np.char.str_len(b).astype(np.uint64)) * _FNV_PRIME


def _mix(x: U64) -> U64:
    """splitmix64 finaliser: spreads nearby inputs over the whole 64-bit range."""
    x = x + np.uint64(0x9E3779B97F4A7C15)
    x = (x ^ (x >> np.uint64(30))) * np.uint64(0xBF58476D1CE4E5B9)
    x = (x ^ (x >> np.uint64(27))) * np.uint64(0x94D049BB133111EB)
    return x ^ (x >> np.uint64(31))


def id_keys(ids: Sequence[str]) -> U64:
    """The dedup key of calls that have an id."""
    return _mix(_fnv(ids) ^ np.uint64(0x1D))


def call_keys(
    t: F64, lon: F64, lat: F64, type_code: npt.NDArray[np.int64], type_names: Sequence[str]
) -> U64:
    """The dedup key of calls without an id: time, place, type and rank among equals."""
    with np.errstate(over="ignore"):
        base = _mix(np.round(t).astype(np.int64).astype(np.uint64))
        base = _mix(base ^ np.round(lon * 1e6).astype(np.int64).astype(np.uint64))
        base = _mix(base ^ np.round(lat * 1e6).astype(np.int64).astype(np.uint64))
        base = _mix(base ^ _fnv(list(type_names))[type_code])
        order = np.argsort(base, kind="stable")  # rank among identical calls, in file order
        sb = base[order]
        first = np.r_[True, sb[1:] != sb[:-1]]
        group_start = np.maximum.accumulate(np.where(first, np.arange(len(sb)), 0))
        rank = np.empty(len(sb), dtype=np.uint64)
        rank[order] = (np.arange(len(sb)) - group_start).astype(np.uint64)
        return _mix(base ^ (rank * np.uint64(0x9E3779B97F4A7C15)))
