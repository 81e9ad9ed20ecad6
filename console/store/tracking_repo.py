"""Unit positions (latest + bounded track) and the 110 call history.

Both are high-volume: positions arrive in batches from many terminals and
the call history is loaded tens of thousands of rows at a time, so writes
go as one executemany per batch and reads of the history come back as
numpy arrays ready for the heatmap.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any, NamedTuple, cast

import numpy as np
import numpy.typing as npt
from sqlalchemy import CursorResult, delete, func, insert, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from console.domain import HistoricCall
from console.store.checks import finite, lonlat, now_or, optional_finite, text
from console.store.errors import StoreError
from console.store.models import (
    CODE,
    Base,
    CallHistoryRow,
    PositionHistoryRow,
    PositionLatestRow,
    UnitRow,
)

_LATEST = Base.metadata.tables[PositionLatestRow.__tablename__]
_HISTORY = Base.metadata.tables[PositionHistoryRow.__tablename__]
_CALLS = Base.metadata.tables[CallHistoryRow.__tablename__]


def _rowcount(result: Any) -> int:
    """Rows touched by a DML statement (``Session.execute`` is typed as a plain Result)."""
    return int(cast(CursorResult[Any], result).rowcount or 0)


@dataclass(frozen=True)
class PositionFix:
    """One GNSS fix of one unit as received from its terminal (or the simulator)."""

    unit_id: int
    t: float
    lon: float
    lat: float
    accuracy: float | None = None  # metres
    speed: float | None = None  # m/s
    heading: float | None = None  # degrees from north


def _fix_row(f: PositionFix) -> dict[str, Any]:
    what = f"fix of unit {f.unit_id}"
    lon, lat = lonlat(f.lon, f.lat, what)
    return {
        "unit_id": int(f.unit_id),
        "t": finite(f.t, f"{what} time"),
        "lon": lon,
        "lat": lat,
        "accuracy": optional_finite(f.accuracy, f"{what} accuracy"),
        "speed": optional_finite(f.speed, f"{what} speed"),
        "heading": optional_finite(f.heading, f"{what} heading"),
    }


def _upsert_latest(dialect: str) -> Any:
    """INSERT .. ON CONFLICT (unit_id) DO UPDATE, only if the fix is not older."""
    stmt: Any
    if dialect == "postgresql":
        stmt = postgresql.insert(_LATEST)
    elif dialect == "sqlite":
        stmt = sqlite.insert(_LATEST)
    else:
        raise StoreError(f"position upsert is not supported on {dialect}")
    ex = stmt.excluded
    cols = ("t", "lon", "lat", "accuracy", "speed", "heading")
    return stmt.on_conflict_do_update(
        index_elements=[_LATEST.c.unit_id],
        set_={c: ex[c] for c in cols},
        where=_LATEST.c.t <= ex.t,
    )


class PositionRepo:
    """Latest position per unit (upserted) plus an append-only, prunable track."""

    def __init__(self, session: Session) -> None:
        self.s = session

    def record(self, batch: Iterable[PositionFix]) -> int:
        """Store a batch of fixes; returns how many were stored.

        Out-of-order fixes go to the history but never move the latest
        position backwards in time.  Unknown unit ids raise :class:`StoreError`.
        """
        rows = [_fix_row(f) for f in batch]
        if not rows:
            return 0
        ids = {r["unit_id"] for r in rows}
        known = set(self.s.scalars(select(UnitRow.id).where(UnitRow.id.in_(ids))))
        if ids - known:
            raise StoreError(f"position fixes for unknown unit ids {sorted(ids - known)}")
        newest: dict[int, dict[str, Any]] = {}
        for r in rows:
            cur = newest.get(r["unit_id"])
            if cur is None or r["t"] >= cur["t"]:
                newest[r["unit_id"]] = r
        self.s.execute(insert(_HISTORY), rows)
        self.s.execute(_upsert_latest(self.s.get_bind().dialect.name), list(newest.values()))
        return len(rows)

    def latest(self) -> list[PositionLatestRow]:
        return list(self.s.scalars(select(PositionLatestRow).order_by(PositionLatestRow.unit_id)))

    def latest_for(self, unit_id: int) -> PositionLatestRow | None:
        return self.s.get(PositionLatestRow, unit_id)

    def history(
        self, unit_id: int, t0: float | None = None, t1: float | None = None
    ) -> list[PositionHistoryRow]:
        """Track of one unit, oldest first, optionally within [t0, t1)."""
        q = select(PositionHistoryRow).where(PositionHistoryRow.unit_id == unit_id)
        if t0 is not None:
            q = q.where(PositionHistoryRow.t >= t0)
        if t1 is not None:
            q = q.where(PositionHistoryRow.t < t1)
        return list(self.s.scalars(q.order_by(PositionHistoryRow.t, PositionHistoryRow.id)))

    def history_count(self, unit_id: int | None = None) -> int:
        q = select(func.count()).select_from(_HISTORY)
        if unit_id is not None:
            q = q.where(_HISTORY.c.unit_id == unit_id)
        return int(self.s.scalar(q) or 0)

    def prune_history(
        self, keep_seconds: float, max_per_unit: int, *, now: float | None = None
    ) -> int:
        """Drop fixes older than ``keep_seconds`` and all but the newest ``max_per_unit``
        per unit, so the track table stays bounded however long the console runs.
        Returns the number of rows deleted."""
        keep = finite(keep_seconds, "keep_seconds")
        if keep < 0 or max_per_unit < 0:
            raise StoreError("keep_seconds and max_per_unit must not be negative")
        cutoff = now_or(now) - keep
        deleted = _rowcount(self.s.execute(delete(_HISTORY).where(_HISTORY.c.t < cutoff)))
        crowded = (
            select(_HISTORY.c.unit_id)
            .group_by(_HISTORY.c.unit_id)
            .having(func.count() > max_per_unit)
        )
        rank = (
            func.row_number()
            .over(
                partition_by=_HISTORY.c.unit_id,
                order_by=(_HISTORY.c.t.desc(), _HISTORY.c.id.desc()),
            )
            .label("rank")
        )
        ranked = select(_HISTORY.c.id, rank).where(_HISTORY.c.unit_id.in_(crowded)).subquery()
        surplus = select(ranked.c.id).where(ranked.c.rank > max_per_unit)
        deleted += _rowcount(self.s.execute(delete(_HISTORY).where(_HISTORY.c.id.in_(surplus))))
        return int(deleted)


class CallArrays(NamedTuple):
    """Call history columns as parallel numpy arrays (heatmap input)."""

    t: npt.NDArray[np.float64]
    lon: npt.NDArray[np.float64]
    lat: npt.NDArray[np.float64]
    incident_type: npt.NDArray[np.str_]


class CallHistoryRepo:
    """Bulk store and time-window query of past 110 calls."""

    BATCH = 5000  # rows per executemany; keeps memory flat for big imports

    def __init__(self, session: Session) -> None:
        self.s = session

    def insert_calls(self, calls: Iterable[HistoricCall]) -> int:
        """Insert domain calls; returns the row count."""
        calls = list(calls)
        return self.insert_arrays(
            np.fromiter((c.t for c in calls), np.float64, len(calls)),
            np.fromiter((c.lon for c in calls), np.float64, len(calls)),
            np.fromiter((c.lat for c in calls), np.float64, len(calls)),
            [c.incident_type for c in calls],
        )

    def insert_arrays(
        self,
        t: npt.ArrayLike,
        lon: npt.ArrayLike,
        lat: npt.ArrayLike,
        incident_type: npt.ArrayLike | Sequence[str],
    ) -> int:
        """Insert parallel arrays (validated vectorised); returns the row count."""
        try:
            ta = np.asarray(t, dtype=np.float64).ravel()
            xa = np.asarray(lon, dtype=np.float64).ravel()
            ya = np.asarray(lat, dtype=np.float64).ravel()
        except (TypeError, ValueError) as exc:
            raise StoreError(f"call history arrays must be numeric: {exc}") from None
        types = [str(x) for x in np.asarray(incident_type).ravel()]
        n = len(ta)
        if not (len(xa) == len(ya) == len(types) == n):
            raise StoreError(
                f"call history arrays differ in length: t={n}, lon={len(xa)}, "
                f"lat={len(ya)}, incident_type={len(types)}"
            )
        bad = ~(np.isfinite(ta) & np.isfinite(xa) & np.isfinite(ya))
        bad |= (np.abs(xa) > 180) | (np.abs(ya) > 90)
        if bad.any():
            i = int(np.argmax(bad))
            raise StoreError(
                f"call history row {i} is not a valid time/lon/lat: "
                f"t={ta[i]}, lon={xa[i]}, lat={ya[i]}"
            )
        for name in set(types):
            text(name, "call history incident_type", CODE)
        tl, xl, yl = ta.tolist(), xa.tolist(), ya.tolist()
        for start in range(0, n, self.BATCH):
            stop = min(start + self.BATCH, n)
            self.s.execute(
                insert(_CALLS),
                [
                    {"t": tl[i], "incident_type": types[i], "lon": xl[i], "lat": yl[i]}
                    for i in range(start, stop)
                ],
            )
        return n

    def query(self, t0: float, t1: float, types: Iterable[str] | None = None) -> CallArrays:
        """Calls with ``t0 <= t < t1`` (optionally of the given types), sorted by time."""
        c = _CALLS.c
        q = select(c.t, c.lon, c.lat, c.incident_type).where(
            c.t >= finite(t0, "t0"), c.t < finite(t1, "t1")
        )
        if types is not None:
            wanted = sorted(set(types))
            if not wanted:
                return _empty_calls()
            q = q.where(c.incident_type.in_(wanted))
        rows = self.s.execute(q.order_by(c.t, c.id)).all()
        if not rows:
            return _empty_calls()
        ts, xs, ys, ks = zip(*rows, strict=True)
        return CallArrays(
            np.asarray(ts, dtype=np.float64),
            np.asarray(xs, dtype=np.float64),
            np.asarray(ys, dtype=np.float64),
            np.asarray(ks, dtype=np.str_),
        )

    def count(self) -> int:
        return int(self.s.scalar(select(func.count()).select_from(_CALLS)) or 0)

    def time_span(self) -> tuple[float, float] | None:
        """(first, last) call time, or None when the history is empty."""
        lo, hi = self.s.execute(select(func.min(_CALLS.c.t), func.max(_CALLS.c.t))).one()
        return None if lo is None else (float(lo), float(hi))


def _empty_calls() -> CallArrays:
    e = np.empty(0, dtype=np.float64)
    return CallArrays(e, e.copy(), e.copy(), np.empty(0, dtype=np.str_))
