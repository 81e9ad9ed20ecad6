"""Argument checks shared by the repositories.

Bad values are refused before they reach the database, with a
:class:`StoreError` naming the field and the value, rather than surfacing
later as a driver error (or, on SQLite, being silently stored: SQLite turns
NaN into NULL and accepts any string as a status).
"""

from __future__ import annotations

import json
import math
import time
from enum import Enum
from typing import Any, TypeVar

from console.store.errors import StoreError

E = TypeVar("E", bound=Enum)


def now_or(t: float | None) -> float:
    """``t`` if given, else the current unix time (repositories accept explicit times for tests)."""
    return time.time() if t is None else finite(t, "time")


def enum_value(cls: type[E], value: E | str, what: str) -> E:
    """Coerce ``value`` to member of ``cls``; error lists the allowed values."""
    try:
        return cls(value)
    except ValueError:
        allowed = ", ".join(str(m.value) for m in cls)
        raise StoreError(f"invalid {what} {value!r} (allowed: {allowed})") from None


def choice(value: str, allowed: tuple[str, ...], what: str) -> str:
    if value not in allowed:
        raise StoreError(f"invalid {what} {value!r} (allowed: {', '.join(allowed)})")
    return value


def finite(value: Any, what: str) -> float:
    """A real, finite float (NaN would become NULL on SQLite)."""
    try:
        f = float(value)
    except (TypeError, ValueError):
        raise StoreError(f"{what} must be a number, got {value!r}") from None
    if not math.isfinite(f):
        raise StoreError(f"{what} must be finite, got {value!r}")
    return f


def optional_finite(value: Any, what: str) -> float | None:
    """Optional sensor readings: None or NaN mean 'not reported'."""
    if value is None:
        return None
    try:
        f = float(value)
    except (TypeError, ValueError):
        raise StoreError(f"{what} must be a number or None, got {value!r}") from None
    return f if math.isfinite(f) else None


def lonlat(lon: Any, lat: Any, what: str) -> tuple[float, float]:
    x, y = finite(lon, f"{what} longitude"), finite(lat, f"{what} latitude")
    if not (-180.0 <= x <= 180.0 and -90.0 <= y <= 90.0):
        raise StoreError(f"{what} position ({x}, {y}) is not a valid lon/lat")
    return x, y


def text(value: Any, what: str, max_len: int, *, allow_empty: bool = False) -> str:
    if not isinstance(value, str):
        raise StoreError(f"{what} must be a string, got {type(value).__name__}")
    if not allow_empty and not value.strip():
        raise StoreError(f"{what} must not be empty")
    if len(value) > max_len:
        raise StoreError(f"{what} is longer than {max_len} characters: {value[:40]!r}...")
    return value


def canonical_json(value: Any) -> str:
    """Deterministic JSON: sorted keys, no spaces, UTF-8 kept, NaN refused."""
    return json.dumps(
        value, sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False
    )


def json_value(value: Any, what: str) -> Any:
    """``value`` as it will read back from a JSON column (tuples become lists, keys strings)."""
    try:
        return json.loads(json.dumps(value, allow_nan=False))
    except (TypeError, ValueError) as exc:
        bad = _nonfinite_path(value, "")
        if bad is not None:
            raise StoreError(
                f"{what} is not JSON-serialisable: {bad} is not a finite number (NaN or infinity)"
            ) from None
        raise StoreError(f"{what} is not JSON-serialisable: {exc}") from None


def _nonfinite_path(value: Any, path: str) -> str | None:
    """Where ``value`` holds the first NaN or infinity (``field 'a.b[2]'``), else None."""
    if isinstance(value, float) and not math.isfinite(value):
        return f"field {path!r}" if path else "the value"
    items: Any = ()
    if isinstance(value, dict):
        items = ((f"{path}.{k}" if path else str(k), v) for k, v in value.items())
    elif isinstance(value, list | tuple):
        items = ((f"{path}[{i}]", v) for i, v in enumerate(value))
    for p, v in items:
        found = _nonfinite_path(v, p)
        if found is not None:
            return found
    return None


def json_object(value: Any, what: str) -> dict[str, Any]:
    out = json_value({} if value is None else value, what)
    if not isinstance(out, dict):
        raise StoreError(f"{what} must be a JSON object (dict), got {type(value).__name__}")
    return out
