"""A synthetic city's 110 calls with the structure forecasts feed on: for tests and timing.

Why our own: the tests need a known truth (where the hot places are, that
calls repeat nearby for a few days, that Friday nights are busy) and the
timing needs a year with hourly times, which the shared real file (dates
only, two months) is not.  The city: hot places of different sizes and
rhythms over a uniform background, some places switching on or off during
the year, and every call followed by Poisson(``theta``) repeat calls within
about 60 m after an exponential delay of ``repeat_days`` on average.
Deterministic for a seed.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import numpy as np
import numpy.typing as npt

from console.geo.coords import LocalProjection
from console.heat.localtime import local_fields

F64 = npt.NDArray[np.float64]
DAY_S = 86400.0
CENTRE = (121.4737, 31.2304)  # People's Square, Shanghai
START = 1_767_196_800.0  # 2026-01-01 00:00 Shanghai
_DAY_CURVE = np.array(
    [0.5, 0.35, 0.25, 0.2, 0.2, 0.3, 0.6, 0.9, 1.1, 1.2, 1.3, 1.3,
     1.3, 1.3, 1.3, 1.3, 1.35, 1.45, 1.5, 1.5, 1.45, 1.3, 1.1, 0.8]
)  # fmt: skip
_NIGHT_CURVE = np.array(
    [2.2, 2.0, 1.5, 0.8, 0.3, 0.2, 0.2, 0.2, 0.3, 0.4, 0.5, 0.6,
     0.7, 0.7, 0.7, 0.8, 0.9, 1.0, 1.2, 1.5, 1.9, 2.3, 2.6, 2.6]
)  # fmt: skip


@dataclass(frozen=True, eq=False)
class SyntheticCalls:
    """Calls (UTC seconds, lon, lat, type) sorted by time, and the planted places."""

    t: F64
    lon: F64
    lat: F64
    types: list[str]
    place_lonlat: F64  # (n_places, 2)
    place_weight: F64  # share of the place calls each place gets


def synthetic_city(
    days: int = 365,
    calls_per_day: float = 96.0,
    seed: int = 7,
    n_places: int = 40,
    background_share: float = 0.3,
    theta: float = 0.2,
    repeat_days: float = 1.5,
    half_size_m: float = 8000.0,
    start: float = START,
    tz: str = "Asia/Shanghai",
) -> SyntheticCalls:
    """``days`` of calls over a square city of side 2 * ``half_size_m`` (see module docstring)."""
    if days < 1 or calls_per_day <= 0 or not 0 <= theta < 1:
        raise ValueError("need days >= 1, calls_per_day > 0 and 0 <= theta < 1")
    rng = np.random.default_rng(seed)
    proj = LocalProjection(*CENTRE)
    hours = np.asarray(start + np.arange(days * 24) * 3600.0, dtype=np.float64)
    lf = local_fields(hours, tz)
    h = lf.hour.astype(np.int64)
    weekend = (lf.weekday >= 5) | ((lf.weekday == 4) & (h >= 18))
    base = calls_per_day * (1 - theta) / 24.0  # the repeats bring the rest
    day_rate = base * _DAY_CURVE[h] / _DAY_CURVE.mean() * np.where(weekend, 1.15, 1.0)
    night_rate = base * _NIGHT_CURVE[h] / _NIGHT_CURVE.mean() * np.where(weekend, 1.6, 0.8)

    pxy = rng.uniform(-0.8, 0.8, (n_places, 2)) * half_size_m
    weight = rng.lognormal(0.0, 1.0, n_places)
    weight /= weight.sum()
    spread = rng.uniform(40.0, 250.0, n_places)
    nightlife = rng.random(n_places) < 0.25
    on = np.ones((n_places, days), dtype=bool)  # a few places start or stop during the year
    for p in rng.choice(n_places, size=max(1, n_places // 8), replace=False):
        cut = int(rng.integers(days // 4, max(days // 4 + 1, 3 * days // 4)))
        on[p, :cut] = rng.random() < 0.5
        on[p, cut:] = not on[p, 0]
    day_of_hour = np.arange(days * 24) // 24

    ts, xs, ys = [], [], []
    lam_bg = day_rate * background_share
    n = rng.poisson(lam_bg)
    ts.append(np.repeat(hours, n) + rng.random(n.sum()) * 3600.0)
    xs.append(rng.uniform(-half_size_m, half_size_m, n.sum()))
    ys.append(rng.uniform(-half_size_m, half_size_m, n.sum()))
    for p in range(n_places):
        rate = (night_rate if nightlife[p] else day_rate) * (1 - background_share) * weight[p]
        n = rng.poisson(rate * on[p, day_of_hour])
        k = int(n.sum())
        ts.append(np.repeat(hours, n) + rng.random(k) * 3600.0)
        xs.append(pxy[p, 0] + rng.normal(0.0, spread[p], k))
        ys.append(pxy[p, 1] + rng.normal(0.0, spread[p], k))
    t, x, y = np.concatenate(ts), np.concatenate(xs), np.concatenate(ys)
    gen_t, gen_x, gen_y = t, x, y
    while gen_t.size:  # repeat calls, generation by generation
        kids = rng.poisson(theta, gen_t.size)
        gen_t = np.repeat(gen_t, kids) + rng.exponential(repeat_days * DAY_S, kids.sum())
        gen_x = np.repeat(gen_x, kids) + rng.normal(0.0, 60.0, kids.sum())
        gen_y = np.repeat(gen_y, kids) + rng.normal(0.0, 60.0, kids.sum())
        t, x, y = np.concatenate([t, gen_t]), np.concatenate([x, gen_x]), np.concatenate([y, gen_y])
    end = start + days * DAY_S
    keep = (t < end) & (np.abs(x) <= half_size_m) & (np.abs(y) <= half_size_m)
    t, x, y = t[keep], x[keep], y[keep]
    order = np.argsort(t, kind="stable")
    t, x, y = t[order], x[order], y[order]
    lon, lat = proj.to_lonlat(x, y)
    kinds = np.array(["theft", "dispute", "traffic", "fight", "noise"])
    ktype = kinds[rng.choice(len(kinds), size=t.size, p=[0.3, 0.25, 0.2, 0.1, 0.15])]
    plon, plat = proj.to_lonlat(pxy[:, 0], pxy[:, 1])
    return SyntheticCalls(
        t=t,
        lon=np.asarray(lon),
        lat=np.asarray(lat),
        types=[str(k) for k in ktype],
        place_lonlat=np.column_stack([plon, plat]),
        place_weight=weight,
    )


def write_csv(calls: SyntheticCalls, path: str | Path, tz: str = "Asia/Shanghai") -> Path:
    """The calls as ``time,type,lat,lon`` with local times to the minute (no offset)."""
    zi = ZoneInfo(tz)
    p = Path(path)
    with p.open("w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh)
        w.writerow(["time", "type", "lat", "lon"])
        for t, k, la, lo in zip(calls.t, calls.types, calls.lat, calls.lon, strict=True):
            local = datetime.fromtimestamp(float(t), tz=UTC).astimezone(zi)
            w.writerow([local.strftime("%Y-%m-%d %H:%M"), k, f"{la:.6f}", f"{lo:.6f}"])
    return p
