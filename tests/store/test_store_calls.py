"""Call history: bulk insert of a realistic volume and time-window queries."""

from __future__ import annotations

import numpy as np
import pytest

from console.domain import HistoricCall
from console.store import Store, StoreError
from console.store.repos import CallHistoryRepo

pytestmark = pytest.mark.store

N = 30_000
TYPES = np.array(["theft", "fight", "traffic", "noise", "fraud"])


def _arrays(rng: np.random.Generator) -> tuple[np.ndarray, ...]:
    t = 1.7e9 + rng.uniform(0, 90 * 86400, N)
    lon = rng.uniform(121.45, 121.51, N)
    lat = rng.uniform(31.20, 31.25, N)
    kinds = TYPES[rng.integers(0, len(TYPES), N)]
    return t, lon, lat, kinds


def test_bulk_insert_30000_and_query_windows(store: Store) -> None:
    t, lon, lat, kinds = _arrays(np.random.default_rng(7))
    with store.transaction() as s:
        assert CallHistoryRepo(s).insert_arrays(t, lon, lat, kinds) == N
    t0, t1 = 1.7e9 + 10 * 86400, 1.7e9 + 40 * 86400
    with store.session() as s:
        repo = CallHistoryRepo(s)
        assert repo.count() == N
        span = repo.time_span()
        assert span == (float(t.min()), float(t.max()))
        got = repo.query(t0, t1)
        mask = (t >= t0) & (t < t1)
        assert len(got.t) == int(mask.sum()) > 5000
        order = np.argsort(t[mask], kind="stable")
        np.testing.assert_array_equal(got.t, t[mask][order])  # exact floats, sorted
        np.testing.assert_array_equal(got.lon, lon[mask][order])
        np.testing.assert_array_equal(got.lat, lat[mask][order])
        np.testing.assert_array_equal(got.incident_type, kinds[mask][order])
        assert got.t.dtype == np.float64 and got.incident_type.dtype.kind == "U"

        some = repo.query(t0, t1, types=["fight", "fraud"])
        fmask = mask & np.isin(kinds, ["fight", "fraud"])
        assert len(some.t) == int(fmask.sum())
        assert set(some.incident_type.tolist()) == {"fight", "fraud"}

        assert len(repo.query(t0, t1, types=[]).t) == 0
        empty = repo.query(0.0, 1.0)
        assert len(empty.t) == len(empty.lon) == len(empty.incident_type) == 0


def test_insert_domain_calls(store: Store) -> None:
    calls = [
        HistoricCall(100.0, "theft", 121.47, 31.23),
        HistoricCall(50.0, "fight", 121.48, 31.22),
        HistoricCall(200.0, "theft", 121.49, 31.21),
    ]
    with store.transaction() as s:
        repo = CallHistoryRepo(s)
        assert repo.insert_calls(calls) == 3
        assert repo.insert_calls([]) == 0
        got = repo.query(0.0, 200.0)
        assert got.t.tolist() == [50.0, 100.0]  # half-open window, sorted
        assert got.incident_type.tolist() == ["fight", "theft"]


def test_bad_arrays_are_refused(store: Store) -> None:
    with store.transaction() as s:
        repo = CallHistoryRepo(s)
        with pytest.raises(StoreError, match="differ in length"):
            repo.insert_arrays([1.0, 2.0], [121.0], [31.0], ["a"])
        with pytest.raises(StoreError, match="row 1 is not a valid"):
            repo.insert_arrays([1.0, np.nan], [121.0, 121.0], [31.0, 31.0], ["a", "b"])
        with pytest.raises(StoreError, match="must be numeric"):
            repo.insert_arrays(["x"], [121.0], [31.0], ["a"])
        with pytest.raises(StoreError, match="must not be empty"):
            repo.insert_arrays([1.0], [121.0], [31.0], [""])
        assert repo.count() == 0
