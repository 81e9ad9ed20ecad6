"""Counts read from a file into a place's counters, bucketed by the place's clock."""

from __future__ import annotations

import numpy as np
import numpy.typing as npt
from sqlalchemy.orm import Session

from console.crowd.csvread import CountFile
from console.crowd.errors import CrowdError
from console.crowd.localtime import HOUR, HourGrid
from console.crowd.repo import CrowdRepo
from console.crowd.series import bucket_counts
from console.crowd.settings import PlaceSettings


def import_counts(
    session: Session, place: PlaceSettings, cf: CountFile, res: int = 3600
) -> dict[str, object]:
    """Write the file's good rows as counts of ``place`` (one counter per sensor name).

    Rows in one bucket add up for a flow and average for an occupancy; the buckets
    are the place's local clock hours (or minutes)."""
    if cf.t.size == 0:
        raise CrowdError("no usable counts in the file")
    agg = "sum" if place.measure == "flow" else "mean"
    repo = CrowdRepo(session)
    pid = repo.ensure_place(place)
    ids = repo.ensure_sensors(pid, cf.sensors, source="import")
    if res == HOUR:
        grid = HourGrid.build(place.tz, float(cf.t.min()), float(cf.t.max()) + HOUR)
        y = bucket_counts(grid, len(cf.sensors), cf.sensor, cf.t, cf.count, agg)
        starts: npt.NDArray[np.float64] = grid.time(np.arange(grid.n)).astype(np.float64)
    else:
        t0 = float(np.floor(cf.t.min() / res) * res)
        n = int((cf.t.max() - t0) // res) + 1
        starts = t0 + res * np.arange(n, dtype=np.float64)
        y = _minute_counts(cf, t0, res, n, agg)
    y = np.asarray(y, dtype=np.float64)
    s_idx, b_idx = np.nonzero(np.isfinite(y))
    sensor_ids = np.array([ids[cf.sensors[i]] for i in s_idx], dtype=np.int64)
    written = repo.put_counts(pid, sensor_ids, res, starts[b_idx], y[s_idx, b_idx])
    return {
        "place": place.code,
        "sensors": len(cf.sensors),
        "rows": int(cf.t.size),
        "buckets": written,
        "res": res,
        "first": float(starts[b_idx].min()),
        "last": float(starts[b_idx].max()),
    }


def _minute_counts(cf: CountFile, t0: float, res: int, n: int, agg: str) -> npt.NDArray[np.float64]:
    col = ((cf.t - t0) // res).astype(np.int64)
    flat = cf.sensor.astype(np.int64) * n + col
    size = len(cf.sensors) * n
    hits = np.bincount(flat, minlength=size)
    total = np.asarray(np.bincount(flat, weights=cf.count, minlength=size), dtype=np.float64)
    if agg == "mean":
        total = total / np.maximum(hits, 1).astype(np.float64)
    out: npt.NDArray[np.float64] = np.where(hits > 0, total, np.nan)
    return out.reshape(len(cf.sensors), n)
