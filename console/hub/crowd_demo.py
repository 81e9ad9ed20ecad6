"""Counts for the labelled demo's crowd places: a stand-in series, never a real place's counts.

The demo district has no counters, yet the crowd chart, the map colours and the warnings
must show something real.  When the Auckland pedestrian counts are on this machine
(``../shared/data/crowd/auckland-pedestrians-2019-2023.csv.gz``: Heart of the City,
CC BY 4.0, 11 street counters, hourly) each demo place gets two of those counters,
summed, rescaled to the place's capacity and moved by **whole weeks** so that each
count keeps its local wall hour and weekday on the demo's dates: a real crowd's rhythm
(mornings, lunch, Friday nights, the Christmas weeks), labelled everywhere it shows as
a stand-in and not the place's own counts.  Its public holidays are Auckland's, not
China's.  Without the file the places get a simulated series (a daily shape, quieter
weekends, noise), labelled simulated.

The series lives in memory only: the hub hands it to the crowd service and never to
its store, so nothing here can reach a database, the demo's or a real one.  A live
feed replays the series minute by minute (the hour's value spread over the minutes,
with a little noise) so the nowcast and the measured warnings have counts to work on.
"""

from __future__ import annotations

import datetime as dt
import gzip
import logging
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

import numpy as np
import numpy.typing as npt

from console.crowd.localtime import HOUR, HourGrid, zone
from console.crowd.settings import CrowdSettings

log = logging.getLogger(__name__)

F64 = npt.NDArray[np.float64]
STANDIN_FILE = (
    Path(__file__).resolve().parents[3]
    / "shared"
    / "data"
    / "crowd"
    / "auckland-pedestrians-2019-2023.csv.gz"
)
WEEK = 7 * 86400
AHEAD_S = 3 * 86400  # the series runs at least this far past the start (the live feed)
PEAK_SHARES = (0.9, 0.72, 0.66, 0.62, 0.58)
"""Share of capacity a typical week's busiest hour reaches, place by place: the first
place is put over its warning line (80 %), so the demo shows the warnings at work."""
STANDIN_ZH = "演示替代数据：奥克兰行人计数（CC BY 4.0），按容量缩放并按整周平移日期，非本地点实测"
STANDIN_EN = (
    "demo stand-in: Auckland pedestrian counts (CC BY 4.0), rescaled to capacity and moved "
    "by whole weeks to these dates; not this place's counts"
)
SIMULATED_ZH = "演示模拟数据：非实测客流"
SIMULATED_EN = "demo: simulated counts, not measured"
SHAPE = np.array(
    [4, 2, 1, 1, 1, 2, 6, 18, 40, 42, 45, 55, 66, 60, 54, 56, 62, 72, 80, 85, 78, 60, 35, 14],
    dtype=np.float64,
)


@dataclass(frozen=True)
class DemoCounts:
    """Hourly counts per place (bucket starts, UTC s) and how to label them."""

    kind: str  # "stand-in" | "simulated"
    note: str
    note_en: str
    series: dict[str, tuple[F64, F64]]
    sources: dict[str, tuple[tuple[str, ...], int]] = field(default_factory=dict)
    """Stand-in only: each place's counters in the file, and the whole weeks they moved."""

    def hours_before(self, code: str, t: float) -> tuple[F64, F64]:
        """The place's hourly counts of buckets that ended by ``t`` (what was counted then)."""
        times, values = self.series[code]
        keep = times + HOUR <= t
        return times[keep], values[keep]

    def at(self, code: str, t: float) -> float | None:
        """The series between hour middles at instant ``t`` (None past its end)."""
        times, values = self.series[code]
        if times.size == 0 or t < times[0] or t >= times[-1] + HOUR:
            return None
        return float(np.interp(t, times + HOUR / 2, values))


@lru_cache(maxsize=2)
def _read_standin(path: str) -> tuple[tuple[str, ...], npt.NDArray[np.int64], F64, F64]:
    """(counter names, counter per row, wall hour per row as hours since 1970-01-01 local,
    count): the file read once per process, without time-zone work (wall hours are kept)."""
    lines = gzip.decompress(Path(path).read_bytes()).decode("utf-8").splitlines()
    header = [h.strip() for h in lines[0].split(",")]
    it, ise, ic = header.index("time"), header.index("sensor"), header.index("count")
    stamps: list[str] = []
    names: list[str] = []
    counts: list[str] = []
    for line in lines[1:]:
        f = line.split(",")
        if len(f) == len(header):
            stamps.append(f[it][:13])
            names.append(f[ise])
            counts.append(f[ic])
    sensors, idx = np.unique(np.array(names), return_inverse=True)
    wall = np.array(stamps, dtype="datetime64[h]").astype(np.int64).astype(np.float64)
    value = np.array([float(c) if c else np.nan for c in counts], dtype=np.float64)
    ok = np.isfinite(value) & (value >= 0)
    return tuple(str(s) for s in sensors), idx[ok].astype(np.int64), wall[ok], value[ok]


def _wall_series(
    sensor_idx: npt.NDArray[np.int64], wall: F64, value: F64, pick: list[int]
) -> tuple[F64, F64]:
    """Wall hours and the sum of the picked counters where all of them counted."""
    hours: dict[float, list[float]] = {}
    for k in pick:
        m = sensor_idx == k
        for h, v in zip(wall[m], value[m], strict=True):
            hours.setdefault(float(h), []).append(float(v))
    keys = np.array(sorted(h for h, vs in hours.items() if len(vs) == len(pick)))
    return keys, np.array([sum(hours[h]) for h in keys], dtype=np.float64)


def _to_place_clock(wall_h: F64, tz: str, shift_weeks: int, start: float, stop: float) -> F64:
    """UTC bucket starts of wall hours moved by whole weeks onto ``tz``'s clock (NaN for a
    wall hour that clock skips)."""
    grid = HourGrid.build(tz, start, stop)
    epoch = dt.date(1970, 1, 1).toordinal()
    day = (wall_h // 24).astype(np.int64) + epoch + 7 * shift_weeks
    hour = (wall_h % 24).astype(np.int64)
    idx = grid.lookup(day, hour)
    out = np.full(wall_h.size, np.nan)
    out[idx >= 0] = grid.time(idx[idx >= 0]).astype(np.float64)
    return out


def standin_counts(
    settings: CrowdSettings, now: float, path: Path | str = STANDIN_FILE
) -> DemoCounts | None:
    """Each place's stand-in series from the Auckland file (None when it is not here)."""
    path = Path(path)
    if not path.is_file() or not settings.places:
        return None
    try:
        sensors, sidx, wall, value = _read_standin(str(path))
    except (OSError, ValueError, UnicodeDecodeError) as exc:
        log.warning("demo crowd stand-in %s unreadable (%s): simulated counts instead", path, exc)
        return None
    rows = np.bincount(sidx, minlength=len(sensors))
    full = [k for k in range(len(sensors)) if rows[k] >= 0.9 * rows.max()]  # whole span
    order = sorted(full, key=lambda k: -float(np.median(value[sidx == k])))
    history_s = settings.forecast.history_days * 86400.0
    series: dict[str, tuple[F64, F64]] = {}
    sources: dict[str, tuple[tuple[str, ...], int]] = {}
    for n, place in enumerate(settings.places):
        pick = [order[(2 * n) % len(order)], order[(2 * n + 1) % len(order)]]
        wall_h, counts = _wall_series(sidx, wall, value, pick)
        shift = _shift_weeks(wall_h, now, place.tz, history_s)
        if shift is None:
            continue
        start, stop = now - history_s - WEEK, now + AHEAD_S + 2 * WEEK
        t = _to_place_clock(wall_h, place.tz, shift, start, stop)
        ok = np.isfinite(t)
        t, v = t[ok], counts[ok]
        if t.size == 0:
            continue
        series[place.code] = (t, _rescale(t, v, now, place.capacity, _peak_share(n)))
        sources[place.code] = (tuple(sensors[k] for k in pick), shift)
    if not series:
        return None
    return DemoCounts("stand-in", STANDIN_ZH, STANDIN_EN, series, sources)


def _shift_weeks(wall_h: F64, now: float, tz: str, history_s: float) -> int | None:
    """Whole weeks that move the file onto the demo's dates at the same time of year: the
    latest year of the file whose date like today's has ``history_s`` of counts before it
    and AHEAD_S after it (None: the file is too short)."""
    if wall_h.size == 0:
        return None
    epoch = dt.date(1970, 1, 1)
    first = epoch + dt.timedelta(hours=float(wall_h[0]))
    last = epoch + dt.timedelta(hours=float(wall_h[-1]))
    today = dt.datetime.fromtimestamp(now, zone(tz)).date()
    for year in range(last.year, first.year - 1, -1):
        ref = dt.date(year, today.month, min(today.day, 28 if today.month == 2 else today.day))
        if ref - dt.timedelta(seconds=history_s) >= first and (
            ref + dt.timedelta(seconds=AHEAD_S + 86400) <= last
        ):
            return round((today - ref).days / 7)
    return None


def _peak_share(n: int) -> float:
    return PEAK_SHARES[n] if n < len(PEAK_SHARES) else PEAK_SHARES[-1]


def _rescale(t: F64, v: F64, now: float, capacity: float, share: float) -> F64:
    """Counts scaled so the busiest hour of a typical one of the four weeks before ``now``
    (the median of their four peaks) is ``share`` of capacity: the series' shape is kept,
    only its unit changes."""
    peaks = [
        float(np.max(w))
        for k in range(1, 5)
        if (w := v[(t < now - (k - 1) * WEEK) & (t >= now - k * WEEK)]).size
    ]
    top = float(np.median(peaks)) if peaks else float(np.max(v))
    return np.round(v * (share * capacity / top)) if top > 0 else v


def simulated_counts(settings: CrowdSettings, now: float) -> DemoCounts:
    """A simulated hourly series per place (a daily shape, quieter weekday mornings,
    busier weekends, a few percent of noise), seeded by the place's order."""
    series: dict[str, tuple[F64, F64]] = {}
    history_s = settings.forecast.history_days * 86400.0
    for n, place in enumerate(settings.places):
        grid = HourGrid.build(place.tz, now - history_s, now + AHEAD_S)
        weekday = np.array([dt.date.fromordinal(int(d)).weekday() for d in grid.day])
        weekend = np.where(weekday >= 5, 1.25, 1.0)
        rng = np.random.default_rng(1000 + n)
        base = SHAPE[grid.hour] * weekend * rng.normal(1.0, 0.05, grid.n)
        t = grid.time(np.arange(grid.n)).astype(np.float64)
        series[place.code] = (t, _rescale(t, base, now, place.capacity, _peak_share(n)))
    return DemoCounts("simulated", SIMULATED_ZH, SIMULATED_EN, series)


def demo_counts(settings: CrowdSettings, now: float, path: Path | str = STANDIN_FILE) -> DemoCounts:
    """The stand-in when its file is here, else the simulated series."""
    found = standin_counts(settings, now, path)
    if found is not None:
        return found
    log.info("demo crowd places: simulated counts (no stand-in file at %s)", path)
    return simulated_counts(settings, now)


def feed_value(counts: DemoCounts, code: str, minute: float) -> float | None:
    """The demo feed's count for one minute: the series there, a little noise (seeded by
    the minute, so a replay gives the same counts)."""
    v = counts.at(code, minute + 30.0)
    if v is None:
        return None
    rng = np.random.default_rng([int(minute // 60) % (2**31), sum(map(ord, code))])
    return max(0.0, round(v * float(rng.normal(1.0, 0.015))))
