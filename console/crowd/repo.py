"""Places, counters and counts in the store (tables in ``console/store/models_crowd.py``).

Writes are upserts keyed by (counter, bucket length, bucket start): a re-import or a
resent count replaces, never doubles.  A place's series is read back per bucket,
its counters combined by the place's rule; a bucket nobody counted stays a gap.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from typing import Any

import numpy as np
import numpy.typing as npt
from sqlalchemy import delete, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from console.crowd.errors import CrowdError
from console.crowd.settings import PlaceSettings
from console.store.models import Base
from console.store.models_crowd import CrowdCountRow, CrowdPlaceRow, CrowdSensorRow

F64 = npt.NDArray[np.float64]
_COUNTS = Base.metadata.tables[CrowdCountRow.__tablename__]
CHUNK = 5000
MIN_MINUTES = 45  # minutes a counter must have counted for its hour to count


def _upsert(dialect: str) -> Any:
    """INSERT ... ON CONFLICT (counter, bucket) DO UPDATE for SQLite and PostgreSQL."""
    keys = [_COUNTS.c.sensor_id, _COUNTS.c.res, _COUNTS.c.t]
    if dialect == "postgresql":
        pg = postgresql.insert(_COUNTS)
        ex = pg.excluded
        return pg.on_conflict_do_update(
            index_elements=keys,
            set_={"value": ex.value, "samples": ex.samples, "received_at": ex.received_at},
        )
    if dialect == "sqlite":
        lite = sqlite.insert(_COUNTS)
        ex = lite.excluded
        return lite.on_conflict_do_update(
            index_elements=keys,
            set_={"value": ex.value, "samples": ex.samples, "received_at": ex.received_at},
        )
    raise CrowdError(f"crowd counts are not supported on {dialect}")


class CrowdRepo:
    """Crowd rows through one session; the caller owns the transaction."""

    def __init__(self, session: Session) -> None:
        self.s = session

    def ensure_place(self, p: PlaceSettings, now: float | None = None) -> int:
        """The place's id, its row created or brought in line with the settings."""
        row = self.s.scalar(select(CrowdPlaceRow).where(CrowdPlaceRow.code == p.code))
        geometry = (
            [list(p.point)] if p.kind == "point" and p.point else [list(v) for v in p.polygon]
        )
        fields = dict(
            name=p.name,
            name_en=p.name_en,
            kind=p.kind,
            geometry=geometry,
            tz=p.tz,
            country=p.country,
            subdiv=p.subdiv,
            measure=p.measure,
            capacity=p.capacity,
            warn_share=p.warn_share,
            alarm_share=p.alarm_share,
        )
        if row is None:
            row = CrowdPlaceRow(code=p.code, created_at=now or time.time(), **fields)
            self.s.add(row)
            self.s.flush()
        else:
            for k, v in fields.items():
                setattr(row, k, v)
        return int(row.id)

    def place_id(self, code: str) -> int:
        pid = self.s.scalar(select(CrowdPlaceRow.id).where(CrowdPlaceRow.code == code))
        if pid is None:
            raise CrowdError(f"no crowd place {code!r} in the store")
        return int(pid)

    def ensure_sensors(
        self, place_id: int, codes: Sequence[str], source: str, device: str = ""
    ) -> dict[str, int]:
        """Ids of the place's counters ``codes``, creating the missing ones."""
        for code in codes:
            if not code or len(code) > 64:
                raise CrowdError(f"sensor name {code[:80]!r}: 1 to 64 characters")
        have = {
            c: int(i)
            for c, i in self.s.execute(
                select(CrowdSensorRow.code, CrowdSensorRow.id).where(
                    CrowdSensorRow.place_id == place_id
                )
            )
        }
        for code in codes:
            if code not in have:
                row = CrowdSensorRow(
                    place_id=place_id, code=code, source=source, device=device, active=True
                )
                self.s.add(row)
                self.s.flush()
                have[code] = int(row.id)
        return {c: have[c] for c in codes}

    def put_counts(
        self,
        place_id: int,
        sensor_ids: npt.NDArray[np.int64],
        res: int,
        t: F64,
        value: F64,
        samples: npt.NDArray[np.int64] | None = None,
        now: float | None = None,
    ) -> int:
        """Upsert counts (one per counter and bucket start); returns the rows written."""
        if res not in (60, 3600):
            raise CrowdError(f"bucket length {res} s: use 60 or 3600")
        if not (np.isfinite(value).all() and (value >= 0).all()):
            raise CrowdError("counts must be finite and not negative")
        received = now or time.time()
        n = np.ones(t.size, dtype=np.int64) if samples is None else samples
        rows = [
            {
                "sensor_id": int(s),
                "res": res,
                "t": float(tt),
                "place_id": place_id,
                "value": float(v),
                "samples": int(k),
                "received_at": received,
            }
            for s, tt, v, k in zip(sensor_ids, t, value, n, strict=True)
        ]
        upsert = _upsert(self.s.get_bind().dialect.name)
        for i in range(0, len(rows), CHUNK):
            self.s.execute(upsert, rows[i : i + CHUNK])
        return len(rows)

    def series(
        self, place_id: int, res: int, start: float, stop: float, combine: str = "sum"
    ) -> tuple[F64, F64]:
        """(bucket starts, place count) over [start, stop), counters combined by ``combine``
        among the place's active counters; buckets with no count are left out (gaps)."""
        q = (
            select(_COUNTS.c.t, _COUNTS.c.value)
            .join(CrowdSensorRow, CrowdSensorRow.id == _COUNTS.c.sensor_id)
            .where(
                _COUNTS.c.place_id == place_id,
                _COUNTS.c.res == res,
                _COUNTS.c.t >= start,
                _COUNTS.c.t < stop,
                CrowdSensorRow.active.is_(True),
            )
            .order_by(_COUNTS.c.t)
        )
        got = self.s.execute(q).all()
        if not got:
            return np.empty(0), np.empty(0)
        t = np.fromiter((r[0] for r in got), dtype=np.float64, count=len(got))
        v = np.fromiter((r[1] for r in got), dtype=np.float64, count=len(got))
        times, inverse = np.unique(t, return_inverse=True)
        if combine == "max":
            out = np.full(times.size, -np.inf)
            np.maximum.at(out, inverse, v)
        else:
            out = np.bincount(inverse, weights=v, minlength=times.size)
            if combine == "mean":
                out = out / np.bincount(inverse, minlength=times.size)
        return times, out

    def roll_up_hour(self, place_id: int, hour: float, measure: str, now: float) -> int:
        """Each counter's minutes of the clock hour starting at ``hour`` (UTC s) become its
        hourly count -- a mean for an occupancy, the sum scaled to 60 minutes for a flow --
        if at least MIN_MINUTES were counted; fewer is a gap.  Returns the hours written."""
        q = select(_COUNTS.c.sensor_id, _COUNTS.c.value).where(
            _COUNTS.c.place_id == place_id,
            _COUNTS.c.res == 60,
            _COUNTS.c.t >= hour,
            _COUNTS.c.t < hour + 3600,
        )
        per: dict[int, list[float]] = {}
        for sid, value in self.s.execute(q):
            per.setdefault(int(sid), []).append(float(value))
        full = {s: v for s, v in per.items() if len(v) >= MIN_MINUTES}
        if not full:
            return 0
        sids = np.array(list(full), dtype=np.int64)
        vals = np.array(
            [
                sum(v) * 60.0 / len(v) if measure == "flow" else sum(v) / len(v)
                for v in full.values()
            ],
            dtype=np.float64,
        )
        counted = np.array([len(v) for v in full.values()], dtype=np.int64)
        return self.put_counts(
            place_id, sids, 3600, np.full(sids.size, float(hour)), vals, counted, now
        )

    def prune(self, res: int, before: float) -> int:
        """Drop counts of bucket length ``res`` older than ``before`` (minutes age out)."""
        result = self.s.execute(delete(_COUNTS).where(_COUNTS.c.res == res, _COUNTS.c.t < before))
        return int(getattr(result, "rowcount", 0) or 0)
