"""Deterministic synthetic hourly counts on a real local clock, for the crowd tests."""

from __future__ import annotations

import datetime as dt

import numpy as np

from console.crowd.context import Known, day_table_for
from console.crowd.daytypes import PlaceCalendar
from console.crowd.localtime import HOUR, HourGrid, resolve_local
from console.crowd.series import Panel

SHAPE = np.array(
    [5, 3, 2, 2, 2, 4, 10, 30, 60, 50, 45, 55, 70, 60, 50, 55, 70, 90, 80, 60, 45, 30, 20, 10],
    dtype=float,
)


def local_ts(tz: str, *args: int) -> float:
    """UTC seconds of a local wall time (first occurrence)."""
    return resolve_local(dt.datetime(*args), tz)  # type: ignore[arg-type]


def synthetic_panel(
    tz: str = "Pacific/Auckland",
    start: dt.date = dt.date(2023, 6, 1),
    days: int = 84,
    series: int = 2,
    seed: int = 7,
) -> Panel:
    """``series`` counters over ``days`` local days: a daily shape, quieter weekends,
    a few percent of noise; series k is (k + 1) times as busy."""
    t0 = local_ts(tz, start.year, start.month, start.day)
    grid = HourGrid.build(tz, t0, t0 + days * 86400 + 2 * HOUR)
    weekday = np.array([dt.date.fromordinal(int(d)).weekday() for d in grid.day])
    factor = np.where(weekday >= 5, 0.6, 1.0)
    rng = np.random.default_rng(seed)
    base = SHAPE[grid.hour] * factor
    y = np.vstack([(k + 1) * base * rng.normal(1.0, 0.03, grid.n) for k in range(series)]).round()
    return Panel(grid, [f"c{k}" for k in range(series)], y)


def known_at(panel: Panel, t: float, country: str = "NZ") -> Known:
    """What was known at instant ``t`` (the bucket holding it is the issue)."""
    days = day_table_for(panel.grid, PlaceCalendar(country))
    return Known(panel, panel.grid.index(t), days)
