"""Synthetic 110-call history: volume, rhythms, type mix, hotspots, determinism."""

from __future__ import annotations

import numpy as np
import pytest

from console.config import load_config
from console.demo.district import build_demo_district, is_inside
from console.demo.geometry import LocalFrame, polygon_area
from console.demo.history import (
    DEFAULT_END_TIME,
    INCIDENT_TYPES,
    CallHistory,
    generate_call_history,
)
from console.domain import District, HistoricCall

DAY = 86400.0
END = 1_790_000_000.0  # an arbitrary instant (2026-09-21), not midnight
CST = 8 * 3600


@pytest.fixture(scope="module")
def d() -> District:
    return build_demo_district()


@pytest.fixture(scope="module")
def h(d: District) -> CallHistory:
    return generate_call_history(d, days=90, end_time=END, seed=3)


def _local(h: CallHistory) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Local day number, hour and weekday (Mon = 0) of every call."""
    s = h.t + CST
    day = np.floor(s / DAY).astype(int)
    hour = ((s % DAY) // 3600).astype(int)
    return day, hour, (day + 3) % 7


def test_deterministic(d: District, h: CallHistory) -> None:
    again = generate_call_history(d, days=90, end_time=END, seed=3)
    for name in ("t", "type_idx", "lon", "lat"):
        np.testing.assert_array_equal(getattr(h, name), getattr(again, name))
    other = generate_call_history(d, days=90, end_time=END, seed=4)
    assert len(other) != len(h) or not np.array_equal(other.t, h.t)


def test_types_are_the_configured_incident_types(h: CallHistory) -> None:
    assert h.types == list(INCIDENT_TYPES)
    # every configured type but "patrol" (a patrol point posted from the forecast, never a call)
    assert set(h.types) == set(load_config().incident_types) - {"patrol"}
    assert h.type_idx.dtype == np.int16 and h.t.dtype == np.float64


def test_span_and_volume(h: CallHistory) -> None:
    assert np.all(np.diff(h.t) >= 0)
    assert h.t.min() >= END - 90 * DAY and h.t.max() < END
    assert h.t.max() - h.t.min() > 89.9 * DAY
    per_day = len(h) / 90
    assert 250 <= per_day <= 400
    day, _, _ = _local(h)
    counts = np.bincount(day - day.min())[1:-1]  # whole local days only
    assert counts.min() > 150 and counts.max() < 550


def test_all_calls_inside_the_district(h: CallHistory) -> None:
    assert is_inside(h.lon, h.lat).all()


def test_daily_rhythm(h: CallHistory) -> None:
    _, hour, _ = _local(h)
    per_hour = np.bincount(hour, minlength=24)
    assert per_hour[3:6].max() < 0.5 * per_hour[17:22].max()
    assert per_hour.argmin() in (3, 4, 5)


def test_friday_and_saturday_nights_are_busier(h: CallHistory) -> None:
    day, hour, weekday = _local(h)
    late = hour >= 20
    early = hour < 2
    night_of = np.where(early, day - 1, day)
    night_wd = np.where(early, (weekday + 6) % 7, weekday)
    in_night = late | early
    nights = np.unique(night_of[in_night])
    per_night = {n: 0 for n in nights}
    for n in night_of[in_night]:
        per_night[n] += 1
    wd_of = {n: int(w) for n, w in zip(night_of[in_night], night_wd[in_night], strict=True)}
    fri_sat = [c for n, c in per_night.items() if wd_of[n] in (4, 5)]
    others = [c for n, c in per_night.items() if wd_of[n] not in (4, 5)]
    assert np.mean(fri_sat) > 1.15 * np.mean(others)


def test_type_mix(h: CallHistory) -> None:
    c = h.counts_by_type()
    ranked = sorted(c, key=c.__getitem__, reverse=True)
    assert set(ranked[:2]) == {"dispute", "theft"}
    assert c["hostage_taking"] <= 5
    assert 0 < c["knife_attack"] < c["fight"]
    _, hour, _ = _local(h)
    fight = h.type_idx == INCIDENT_TYPES.index("fight")
    night, day = (hour >= 22) | (hour < 3), (hour >= 10) & (hour < 16)
    assert fight[night].mean() > 2 * fight[day].mean()
    acc = h.type_idx == INCIDENT_TYPES.index("traffic_accident")
    rush, midnight = np.isin(hour, (7, 8, 17, 18)), np.isin(hour, (1, 2, 3, 4))
    assert acc[rush].mean() > 1.5 * acc[midnight].mean()


def test_weekend_crowds_and_thefts_at_tourist_spots(d: District, h: CallHistory) -> None:
    day, _, weekday = _local(h)
    spot = np.zeros(len(h), dtype=bool)
    for key in ("外滩", "南京路步行街", "豫园"):
        lon, lat = d.landmarks[key]
        spot |= np.hypot((h.lon - lon) * 95.3, (h.lat - lat) * 110.9) < 0.3  # km
    kinds = np.isin(h.type_idx, [INCIDENT_TYPES.index(k) for k in ("theft", "crowd_crush_risk")])
    weekend = np.isin(weekday, (5, 6))
    n_weekend_days = len(np.unique(day[weekend]))
    n_work_days = len(np.unique(day[~weekend]))
    assert (spot & kinds & weekend).sum() / n_weekend_days > 1.3 * (
        (spot & kinds & ~weekend).sum() / n_work_days
    )


def test_hotspot_denser_than_the_district(d: District, h: CallHistory) -> None:
    lo_lon, lo_lat, hi_lon, hi_lat = d.bbox
    frame = LocalFrame((lo_lon + hi_lon) / 2, (lo_lat + hi_lat) / 2)
    xy = frame.to_xy(np.column_stack((h.lon, h.lat)))
    district_km2 = polygon_area(frame.to_xy(d.outline)) / 1e6
    mean_density = len(h) / district_km2
    for key, factor in (("南京路步行街", 4.0), ("外滩", 2.0), ("豫园", 3.0), ("新天地", 2.0)):
        c = frame.to_xy([d.landmarks[key]])[0]
        near = (np.hypot(*(xy - c).T) < 200.0).sum()
        assert near / (np.pi * 0.2**2) > factor * mean_density, key


def test_window_and_to_calls(h: CallHistory) -> None:
    t0, t1 = END - 7 * DAY, END - 6 * DAY
    w = h.window(t0, t1)
    assert 0 < len(w) < len(h)
    assert (w.t >= t0).all() and (w.t < t1).all()
    assert len(w) == ((h.t >= t0) & (h.t < t1)).sum()
    thefts = h.window(t0, t1, types=["theft"])
    assert set(thefts.counts_by_type()) == set(h.types)
    assert thefts.counts_by_type()["theft"] == len(thefts) == w.counts_by_type()["theft"]
    calls = w.to_calls()
    assert len(calls) == len(w)
    assert calls[0] == HistoricCall(float(w.t[0]), w.types[w.type_idx[0]], w.lon[0], w.lat[0])
    with pytest.raises(ValueError, match="unknown incident types"):
        h.window(t0, t1, types=["jaywalking"])
    with pytest.raises(ValueError, match="t0 <= t1"):
        h.window(t1, t0)


def test_default_end_time_and_short_history(d: District) -> None:
    one = generate_call_history(d, days=1)
    assert one.t.max() < DEFAULT_END_TIME and one.t.min() >= DEFAULT_END_TIME - DAY
    assert 150 < len(one) < 550


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"days": 0}, "days"),
        ({"days": "90"}, "days"),
        ({"end_time": float("nan")}, "end_time"),
        ({"end_time": "now"}, "end_time"),
        ({"seed": -3}, "seed"),
    ],
)
def test_bad_arguments(d: District, kwargs: dict[str, object], match: str) -> None:
    with pytest.raises((TypeError, ValueError), match=match):
        generate_call_history(d, **kwargs)  # type: ignore[arg-type]


def test_not_a_district() -> None:
    with pytest.raises(TypeError, match="District"):
        generate_call_history(None, days=1)  # type: ignore[arg-type]


def test_bare_district_still_gets_calls() -> None:
    """A district without roads or landmarks gets calls spread inside its outline."""
    square = ((121.0, 31.0), (121.01, 31.0), (121.01, 31.01), (121.0, 31.01))
    bare = District("x", "x", True, square, [], [], [], [], [])
    got = generate_call_history(bare, days=2, end_time=END)
    assert len(got) > 200
    assert ((got.lon > 121.0) & (got.lon < 121.01) & (got.lat > 31.0) & (got.lat < 31.01)).all()


def test_bad_history_arrays_are_refused() -> None:
    with pytest.raises(ValueError, match="rows"):
        CallHistory(np.zeros(2), np.zeros(1, np.int16), np.zeros(2), np.zeros(2), ["a"])
    with pytest.raises(ValueError, match="type_idx"):
        CallHistory(np.zeros(1), np.array([3], np.int16), np.zeros(1), np.zeros(1), ["a"])
