"""Forecast models: the grid ETAS EM against the brute-force matrices, parameter recovery, the
blend's mixture fit, the rhythm on the local clock, and every model's basic promises."""

from __future__ import annotations

import math

import numpy as np
import pytest

from console.geo.coords import LocalProjection
from console.heat.calls import CallSet
from console.heat.forecast import MODEL_NAMES, Blend, GridSEPP, fit_rhythm, make_models
from console.heat.forecast.blend import COMPONENTS, components, fit_mixture
from console.heat.forecast.sepp import em_step, group_calls, linear_scan
from console.heat.grid import Grid
from console.heat.localtime import local_fields, local_midnight
from console.heat.synthetic import synthetic_city

SH = (121.4737, 31.2304)


def test_linear_scan_solves_the_recurrence() -> None:
    rng = np.random.default_rng(0)
    a, b = rng.random(777), rng.random(777)
    a[::50] = 0.0
    want, x = np.zeros(777), 0.0
    for i in range(777):
        x = a[i] * x + b[i]
        want[i] = x
    assert np.allclose(linear_scan(a, b), want, rtol=1e-12)


def brute_em_step(cells: list[np.ndarray], mu: np.ndarray, theta: float, omega: float, span: float):
    """open_cp's ``maximisation_corrected`` written out: one probability matrix per cell."""
    up, wup, count, new_mu = 0.0, 0.0, 0.0, np.zeros(mu.size)
    for c, times in enumerate(cells):
        n = times.size
        if n == 0:
            continue
        p = np.zeros((n, n))
        for j in range(n):
            d = times[j] - times[:j]
            p[:j, j] = theta * omega * np.exp(-omega * d)
            p[j, j] = mu[c]
        p /= p.sum(axis=0)[None, :]
        diag = np.trace(p)
        up += p.sum() - diag
        wup += (p * (times[None, :] - times[:, None])).sum()
        dt = span - times
        wup += theta * (dt * np.exp(-omega * dt)).sum()
        count += n - np.exp(-omega * dt).sum()
        new_mu[c] = diag / span
    return new_mu, up / count, up / wup


def test_em_step_equals_the_per_cell_matrices() -> None:
    rng = np.random.default_rng(4)
    span = 40.0
    cells = [np.sort(rng.random(rng.integers(0, 25)) * span) for _ in range(12)]
    cell = np.concatenate([np.full(t.size, c) for c, t in enumerate(cells)])
    td = np.concatenate(cells)
    mu = rng.random(12) * 0.3 + 0.05
    g = group_calls(cell, td)
    got_mu, got_theta, got_omega = em_step(g, span - td, span, mu, 0.4, 0.7)
    want_mu, want_theta, want_omega = brute_em_step(cells, mu, 0.4, 0.7, span)
    assert np.allclose(got_mu, want_mu, rtol=1e-10)
    assert got_theta == pytest.approx(want_theta, rel=1e-10)
    assert got_omega == pytest.approx(want_omega, rel=1e-10)


def _hawkes(rng: np.random.Generator, n_cells: int, days: float, theta: float, omega: float):
    ts, cs = [], []
    mu = rng.gamma(0.5, 0.2, n_cells)
    for c in range(n_cells):
        gen = list(rng.random(rng.poisson(mu[c] * days)) * days)
        ev = list(gen)
        while gen:
            parent = gen.pop()
            for _ in range(rng.poisson(theta)):
                kid = parent + rng.exponential(1 / omega)
                if kid < days:
                    ev.append(kid)
                    gen.append(kid)
        ts += ev
        cs += [c] * len(ev)
    return np.array(ts), np.array(cs), mu


def test_grid_sepp_recovers_planted_parameters() -> None:
    rng = np.random.default_rng(12)
    days, side = 300.0, 15
    td, cs, mu = _hawkes(rng, side * side, days, theta=0.4, omega=0.5)
    proj = LocalProjection(*SH)
    grid = Grid(proj, 0.0, 0.0, 100.0, side, side)
    lon, lat = proj.to_lonlat((cs % side + 0.5) * 100, (cs // side + 0.5) * 100)
    t0 = 1_780_000_000.0
    calls = CallSet.build(t0 + td * 86400, lon, lat, tz="UTC", proj=proj)
    fit = GridSEPP(max_iter=200, tol=1e-5).fit(calls, grid, t0 + days * 86400)
    assert fit.theta == pytest.approx(0.4, abs=0.06)
    assert fit.omega == pytest.approx(0.5, rel=0.25)
    assert np.corrcoef(fit.mu, mu)[0, 1] > 0.95


def test_same_day_calls_do_not_excite_each_other() -> None:
    # a file of dates: 5 calls in one cell on each of 30 days and nothing else
    proj = LocalProjection(*SH)
    grid = Grid(proj, 0.0, 0.0, 100.0, 3, 3)
    days = np.repeat(np.arange(30), 5)
    t = np.array([local_midnight(20_000 + int(d), "UTC") for d in days])
    lon, lat = proj.to_lonlat(np.full(t.size, 150.0), np.full(t.size, 150.0))
    calls = CallSet.build(t, lon, lat, tz="UTC", proj=proj)
    fit = GridSEPP().fit(calls, grid, local_midnight(20_030, "UTC"))
    assert fit.theta < 0.05  # steady daily counts are background, not contagion
    assert fit.mu[4] == pytest.approx(5.0, rel=0.1)


def test_mixture_fit_finds_the_planted_weights() -> None:
    rng = np.random.default_rng(3)
    k, shape = 3, (20, 20)
    comps = []
    for _ in range(4):
        f = rng.random((k, *shape)) ** 4
        comps.append(f / f.sum(axis=(1, 2), keepdims=True))
    w_true = np.array([3000.0, 0.0, 1000.0])
    targets = [rng.poisson(np.tensordot(w_true, f, axes=1)).astype(float) for f in comps]
    w = fit_mixture(comps, targets, iters=3000)
    assert w == pytest.approx(w_true, rel=0.08, abs=60)


def test_blend_components_are_distributions_built_from_the_past() -> None:
    s = synthetic_city(days=60, calls_per_day=80, seed=3)
    calls = CallSet.build(s.t, s.lon, s.lat, s.types, tz="Asia/Shanghai")
    grid = Grid.covering(calls.x, calls.y, 200.0, calls.proj)
    t0 = local_midnight(int(calls.day[0]) + 45, "Asia/Shanghai")
    comps = components(calls.before(t0), grid, t0)
    assert comps.shape == (len(COMPONENTS), *grid.shape)
    assert np.allclose(comps.reshape(len(COMPONENTS), -1).sum(axis=1), 1.0)
    m = Blend()
    surface = m.predict(calls.before(t0), grid, t0, t0 + 7 * 86400)
    week = len(calls.between(t0 - 7 * 86400, t0))
    assert surface.sum() == pytest.approx(week, rel=0.35)  # expected calls near last weeks' level
    assert m.weights is not None and np.all(m.weights >= 0)


def test_rhythm_counts_local_hours_of_week() -> None:
    tz = "America/New_York"
    monday = local_midnight(20_458, tz)  # 2026-01-05 is a Monday
    assert local_fields(np.array([monday]), tz).weekday[0] == 0
    # every week for 8 weeks: 3 calls Monday 09:xx, 1 call Saturday 23:xx (local)
    t = []
    for w in range(8):
        base = monday + w * 7 * 86400
        t += [base + 9 * 3600 + 60 * i for i in range(3)] + [base + 5 * 86400 + 23 * 3600]
    calls = CallSet.build(t, [SH[0]] * len(t), [SH[1]] * len(t), tz=tz)
    t0 = monday + 8 * 7 * 86400
    r = fit_rhythm(calls, t0, weeks=8)
    _, rate = r.hourly(t0, 24 * 7)
    assert rate[9] == pytest.approx(3.0) and rate[5 * 24 + 23] == pytest.approx(1.0)
    assert rate.sum() == pytest.approx(4.0)
    assert r.expected(t0 + 9 * 3600, t0 + 9.5 * 3600) == pytest.approx(1.5)


@pytest.mark.parametrize("name", MODEL_NAMES)
def test_every_model_gives_expected_calls_and_refuses_future_data(name: str) -> None:
    s = synthetic_city(days=50, calls_per_day=60, seed=5)
    calls = CallSet.build(s.t, s.lon, s.lat, s.types, tz="Asia/Shanghai")
    grid = Grid.covering(calls.x, calls.y, 250.0, calls.proj)
    t0 = local_midnight(int(calls.day[0]) + 35, "Asia/Shanghai")
    (model,) = make_models([name])
    surface = model.predict(calls.before(t0), grid, t0, t0 + 7 * 86400)
    assert surface.shape == grid.shape and np.all(np.isfinite(surface)) and surface.min() >= 0
    week = len(calls.between(t0, t0 + 7 * 86400))
    assert 0.5 * week < surface.sum() < 1.5 * week
    with pytest.raises(ValueError, match="before the forecast window"):
        model.predict(calls.before(t0 + 3600), grid, t0, t0 + 86400)
    with pytest.raises(ValueError, match="end after"):
        model.predict(calls.before(t0), grid, t0, t0)
    with pytest.raises(ValueError, match="unknown model"):
        make_models(["oracle"])
    assert math.isfinite(float(surface.max()))
