"""Latest-position upsert and the bounded position history."""

from __future__ import annotations

import math

import pytest

from console.store import Store, StoreError
from console.store.repos import PositionFix, PositionRepo, UnitRepo

pytestmark = pytest.mark.store


def _unit_ids(store: Store) -> list[int]:
    with store.session() as s:
        return [u.id for u in UnitRepo(s).list_units()]


def test_latest_is_upserted_and_never_goes_back_in_time(district_store: Store) -> None:
    a, b = _unit_ids(district_store)[:2]
    with district_store.transaction() as s:
        repo = PositionRepo(s)
        assert repo.record([PositionFix(a, 100.0, 121.47, 31.23, accuracy=5.0)]) == 1
        # a batch holding two fixes of the same unit, plus another unit
        repo.record(
            [
                PositionFix(a, 110.0, 121.471, 31.231, speed=8.5, heading=90.0),
                PositionFix(a, 105.0, 121.4705, 31.2305),
                PositionFix(b, 100.0, 121.48, 31.24),
            ]
        )
    with district_store.transaction() as s:
        repo = PositionRepo(s)
        repo.record([PositionFix(a, 90.0, 121.0, 31.0)])  # late fix from a flaky link
        latest = {p.unit_id: p for p in repo.latest()}
        assert set(latest) == {a, b}
        assert (latest[a].t, latest[a].lon, latest[a].lat) == (110.0, 121.471, 31.231)
        assert (latest[a].speed, latest[a].heading, latest[a].accuracy) == (8.5, 90.0, None)
        track = repo.history(a)
        assert [p.t for p in track] == [90.0, 100.0, 105.0, 110.0]  # history keeps everything
        assert [p.t for p in repo.history(a, t0=100.0, t1=110.0)] == [100.0, 105.0]


def test_history_is_bounded_by_age_and_count(district_store: Store) -> None:
    ids = _unit_ids(district_store)
    with district_store.transaction() as s:
        repo = PositionRepo(s)
        for k in range(50):
            repo.record(
                PositionFix(uid, 1000.0 + 10 * k, 121.47 + 1e-5 * k, 31.23) for uid in ids[:3]
            )
        assert repo.history_count() == 150
        # older than 300 s before now=1490: t < 1190 -> 19 fixes per unit go
        deleted = repo.prune_history(keep_seconds=300, max_per_unit=20, now=1490.0)
    with district_store.session() as s:
        repo = PositionRepo(s)
        assert deleted == 3 * 19 + 3 * (31 - 20)
        for uid in ids[:3]:
            ts = [p.t for p in repo.history(uid)]
            assert len(ts) == 20
            assert ts == [1000.0 + 10 * k for k in range(30, 50)]  # the newest survive
            latest = repo.latest_for(uid)
            assert latest is not None and latest.t == 1490.0  # latest untouched by pruning
        assert repo.history_count(ids[3]) == 0


def test_prune_on_empty_history_is_harmless(district_store: Store) -> None:
    with district_store.transaction() as s:
        assert PositionRepo(s).prune_history(60, 10, now=0.0) == 0


def test_bad_fixes_are_refused(district_store: Store) -> None:
    uid = _unit_ids(district_store)[0]
    with district_store.transaction() as s:
        repo = PositionRepo(s)
        with pytest.raises(StoreError, match="unknown unit ids \\[424242\\]"):
            repo.record([PositionFix(424242, 1.0, 121.0, 31.0)])
        with pytest.raises(StoreError, match="must be finite"):
            repo.record([PositionFix(uid, 1.0, math.nan, 31.0)])
        with pytest.raises(StoreError, match="not a valid lon/lat"):
            repo.record([PositionFix(uid, 1.0, 31.0, 121.0)])
        assert repo.record([]) == 0
        # a NaN sensor reading just means "not reported"
        repo.record([PositionFix(uid, 2.0, 121.0, 31.0, speed=math.nan)])
        latest = repo.latest_for(uid)
        assert latest is not None and latest.speed is None
