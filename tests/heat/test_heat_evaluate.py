"""Rolling evaluation: the scores, the windows, and that no call of a window reaches a model."""

from __future__ import annotations

import math

import numpy as np
import pytest

from console.heat.calls import CallSet
from console.heat.evaluate import evaluate, score, window_starts
from console.heat.forecast import make_models
from console.heat.forecast.base import F64
from console.heat.grid import Grid
from console.heat.localtime import local_fields, local_midnight
from console.heat.synthetic import synthetic_city

TZ = "Asia/Shanghai"


def test_scores_by_hand() -> None:
    truth = np.array([5.0, 0, 3, 0, 2, 0, 0, 0, 0, 10])  # 20 calls in 10 cells
    risk = np.array([9.0, 8, 1, 0, 0, 0, 0, 0, 0, 7])
    s = score(risk, truth, 2)  # flags cells 0 and 1: 5 of 20 calls on 20 % of the area
    assert s.hit_rate == pytest.approx(0.25) and s.pai == pytest.approx(1.25)
    assert s.pei == pytest.approx(5 / 15)  # the best two cells hold 15 calls
    perfect = score(truth, truth, 3)
    assert perfect.pei == pytest.approx(1.0) and perfect.pai == pytest.approx(0.9 / 0.3)
    # a flat forecast: every cell tied, credit pro rata = the area share
    flat = score(np.ones(10), truth, 4)
    assert flat.hit_rate == pytest.approx(0.4) and flat.pai == pytest.approx(1.0)
    assert math.isnan(score(risk, np.zeros(10), 2).pai)
    with pytest.raises(ValueError):
        score(risk, truth, 0)
    with pytest.raises(ValueError, match="non-finite"):
        score(np.full(10, np.nan), truth, 2)


def _city(days: int = 63, seed: int = 9) -> CallSet:
    s = synthetic_city(days=days, calls_per_day=60, seed=seed)
    return CallSet.build(s.t, s.lon, s.lat, s.types, tz=TZ)


def test_windows_start_at_local_midnight_and_fit_in_the_data() -> None:
    calls = _city(63)
    spans = window_starts(calls, 28, 7, 7)
    assert len(spans) == 5  # days 28..35, ..., 56..63
    lf = local_fields(np.array([a for a, _ in spans]), TZ)
    assert np.all(lf.seconds_of_day == 0)
    assert spans[0][0] == local_midnight(int(calls.day[0]) + 28, TZ)
    assert all(b - a == 7 * 86400 for a, b in spans)
    assert spans[-1][1] <= local_midnight(int(calls.day[-1]) + 1, TZ)
    with pytest.raises(ValueError, match="whole number"):
        window_starts(calls, 28, 0, 7)


class _Spy:
    """A model that records the latest call it was given for each window."""

    name = "spy"

    def __init__(self) -> None:
        self.seen: list[tuple[float, float]] = []

    def predict(self, past: CallSet, grid: Grid, t0: float, t1: float) -> F64:
        self.seen.append((float(past.t.max()), t0))
        return np.ones(grid.shape)


def test_no_call_of_a_window_reaches_any_model() -> None:
    calls = _city(63)
    grid = Grid.covering(calls.x, calls.y, 150.0, calls.proj)
    spans = window_starts(calls, 28, 7, 7)
    k = 2  # plant a cluster only inside window 2, at a quiet place
    t0, t1 = spans[k]
    rng = np.random.default_rng(1)
    x0 = grid.x0 + 3.5 * grid.cell_m
    y0 = grid.y0 + 3.5 * grid.cell_m
    assert np.count_nonzero(np.hypot(calls.x - x0, calls.y - y0) < 300) < 10
    n = 300
    px, py = x0 + rng.normal(0, 40, n), y0 + rng.normal(0, 40, n)
    plon, plat = calls.proj.to_lonlat(px, py)
    lon, lat = calls.proj.to_lonlat(calls.x, calls.y)
    planted = CallSet.build(
        np.concatenate([calls.t, t0 + rng.random(n) * (t1 - t0)]),
        np.concatenate([lon, plon]),
        np.concatenate([lat, plat]),
        [calls.types[i] for i in calls.type_idx] + ["theft"] * n,
        tz=TZ,
        proj=calls.proj,
    )
    spy_a, spy_b = _Spy(), _Spy()
    runs = []
    for data, spy in ((calls, spy_a), (planted, spy_b)):
        models = [*make_models(None, 28), spy]
        runs.append(evaluate(data, grid, models, keep_surfaces=True))
    base, plant = runs
    cluster_cell = grid.flat_index(np.array([x0]), np.array([y0]))[0]
    for i in range(len(spans)):
        for name in base.windows[i].surfaces:
            a = base.windows[i].surfaces[name]
            b = plant.windows[i].surfaces[name]
            if i <= k:  # the window itself and every earlier one: bit-for-bit the same forecast
                assert np.array_equal(a, b), (i, name)
            elif name != "spy":  # afterwards the cluster is history and every model sees it
                assert b.ravel()[cluster_cell] > a.ravel()[cluster_cell], (i, name)
    assert plant.windows[k].n_calls == base.windows[k].n_calls + n  # it was scored on them
    assert all(latest < start for latest, start in spy_a.seen + spy_b.seen)


def test_evaluate_refuses_too_short_data_and_duplicate_names() -> None:
    calls = _city(20)
    grid = Grid.covering(calls.x, calls.y, 300.0, calls.proj)
    with pytest.raises(ValueError, match="too short"):
        evaluate(calls, grid, make_models(["baseline"]))
    longer = _city(40)
    with pytest.raises(ValueError, match="differ"):
        evaluate(longer, grid, make_models(["baseline", "baseline"]))
    with pytest.raises(ValueError, match="area fraction"):
        evaluate(longer, grid, make_models(["baseline"]), area_frac=0.0)
