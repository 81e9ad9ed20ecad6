"""Gi* as a convolution equals the textbook formula; hot spots found where planted, none in a
uniform field at the stated false-discovery rate."""

from __future__ import annotations

import math

import numpy as np
import pytest
from scipy import ndimage, stats

from console.geo.coords import LocalProjection
from console.heat.calls import CallSet
from console.heat.gistar import disk, disk_sum, fdr_cut, gi_star
from console.heat.grid import Grid
from console.heat.hotspots import find_hotspots

SH = (121.4737, 31.2304)
T0 = 1_780_012_800.0  # a UTC midnight


def textbook_gi_star(x: np.ndarray, radius: float, mask: np.ndarray) -> np.ndarray:
    """Getis and Ord (1995) Gi*, cell by cell, binary weights within ``radius`` cells."""
    ny, nx = x.shape
    cells = [(i, j) for i in range(ny) for j in range(nx) if mask[i, j]]
    vals = np.array([x[c] for c in cells], dtype=float)
    n = len(cells)
    xbar = vals.sum() / n
    s = math.sqrt((vals**2).sum() / n - xbar**2)
    z = np.zeros(x.shape)
    for i, j in cells:
        w = np.array([1.0 if (i - a) ** 2 + (j - b) ** 2 <= radius**2 else 0.0 for a, b in cells])
        sw, sw2 = w.sum(), (w**2).sum()
        z[i, j] = ((w * vals).sum() - xbar * sw) / (s * math.sqrt((n * sw2 - sw**2) / (n - 1)))
    return z


@pytest.mark.parametrize("radius", [1.0, 1.5, 2.3])
def test_gi_star_equals_the_textbook_formula(radius: float) -> None:
    rng = np.random.default_rng(int(radius * 10))
    x = rng.poisson(2.0, (7, 9)).astype(float)
    x[2, 3] += 12
    full = np.ones(x.shape, dtype=bool)
    gi = gi_star(x, radius, pvalues="normal")
    assert np.allclose(gi.z, textbook_gi_star(x, radius, full), atol=1e-12)
    assert np.allclose(gi.p, stats.norm.sf(gi.z))
    # a study area that is not the whole rectangle (an irregular district)
    mask = full.copy()
    mask[:, :2] = False
    mask[5:, 6:] = False
    gm = gi_star(x, radius, mask=mask, pvalues="normal")
    assert np.allclose(gm.z, textbook_gi_star(x, radius, mask), atol=1e-12)
    assert np.all(gm.z[~mask] == 0) and np.all(gm.p[~mask] == 1) and gm.n == int(mask.sum())


def test_disk_weights_and_count_p_values() -> None:
    assert disk(1.0).sum() == 5 and disk(1.5).sum() == 9 and disk(2.0).sum() == 13
    with pytest.raises(ValueError):
        disk(-1)
    rng0 = np.random.default_rng(0)
    grid = rng0.poisson(3.0, (23, 31)).astype(float)
    for r in (0.0, 1.0, 2.5, 4.0, 12.0):  # the prefix-sum form is the plain correlation
        want = ndimage.correlate(grid, disk(r), mode="constant", cval=0.0)
        assert np.array_equal(disk_sum(grid, r), want)
    # many calls per cell: the count tail agrees with the normal one
    rng = np.random.default_rng(5)
    x = rng.poisson(200.0, (30, 30)).astype(float)
    x[10:12, 10:12] += 60
    a, b = gi_star(x, 2.0, pvalues="count"), gi_star(x, 2.0, pvalues="normal")
    hot = a.z > 2
    assert np.allclose(np.log(a.p[hot]), np.log(b.p[hot]), rtol=0.25)
    # a quiet field: three calls in one cell are not a 1e-6 event, as the normal tail claims
    q = np.zeros((40, 40))
    q[5, 5] = 3
    q.ravel()[rng.choice(1600, 20, replace=False)] += 1
    c, nrm = gi_star(q, 1.0, pvalues="count"), gi_star(q, 1.0, pvalues="normal")
    assert nrm.p[5, 5] < 1e-6 < c.p[5, 5]
    with pytest.raises(ValueError, match="count"):
        gi_star(q, 1.0, pvalues="exact")  # type: ignore[arg-type]


def test_fdr_cut_is_benjamini_hochberg() -> None:
    p = np.array([0.001, 0.008, 0.039, 0.041, 0.042, 0.06, 0.074, 0.205, 0.212, 0.216])
    rej, cut = fdr_cut(p, 0.05)
    # BH by hand: largest k with p_(k) <= k q / m is k = 2 (0.008 <= 0.01; 0.039 > 0.015)
    assert list(np.flatnonzero(rej)) == [0, 1] and cut == 0.008
    rej2, cut2 = fdr_cut(p, 0.2)  # k = 7: 0.074 <= 0.14, 0.205 > 0.16
    assert rej2.sum() == 7 and cut2 == 0.074
    none, c0 = fdr_cut(np.full(10, 0.5), 0.05)
    assert not none.any() and c0 == 0.0
    with pytest.raises(ValueError):
        fdr_cut(p, 1.5)


def _calls(
    x: np.ndarray, y: np.ndarray, proj: LocalProjection, hours: np.ndarray | None = None
) -> CallSet:
    t = T0 + (np.arange(x.size) % 30) * 86400.0 + (0 if hours is None else hours * 3600.0)
    lon, lat = proj.to_lonlat(x, y)
    kinds = ["theft" if i % 3 else "fight" for i in range(x.size)]
    return CallSet.build(t, lon, lat, kinds, tz="UTC", proj=proj)


def test_planted_clusters_are_found_as_hot_spots() -> None:
    rng = np.random.default_rng(11)
    proj = LocalProjection(*SH)
    grid = Grid(proj, 0.0, 0.0, 100.0, 60, 50)  # 6 km x 5 km
    bx, by = rng.uniform(0, 6000, 4000), rng.uniform(0, 5000, 4000)
    centres = [(1200.0, 1100.0), (4300.0, 3600.0), (4800.0, 900.0)]
    xs, ys = [bx], [by]
    for cx, cy in centres:
        xs.append(rng.normal(cx, 80, 120))
        ys.append(rng.normal(cy, 80, 120))
    x, y = np.concatenate(xs), np.concatenate(ys)
    hours = np.where(np.arange(x.size) >= 4000, 22, rng.integers(0, 24, x.size))  # clusters at 22h
    res = find_hotspots(_calls(x, y, proj, hours), grid, neighbourhood_m=250, fdr=0.05)
    assert len(res.hotspots) == 3
    for h in res.hotspots:
        hx, hy = proj.to_xy(*h.centre)
        d = min(math.hypot(hx - cx, hy - cy) for cx, cy in centres)
        assert d < 150, (h.centre, d)
        assert h.calls >= 120 and h.peak_hours[0][0] == 22
        assert h.top_types[0][0] == "theft" and sum(n for _, n in h.top_types) <= h.calls
        assert h.rings and all(r[0] == r[-1] for r in h.rings)  # closed outlines
        lon0, lat0, lon1, lat1 = h.bbox
        assert lon0 <= h.centre[0] <= lon1 and lat0 <= h.centre[1] <= lat1
    assert [h.rank for h in res.hotspots] == [1, 2, 3]
    assert res.hotspots[0].calls >= res.hotspots[-1].calls
    wire = res.to_wire()
    assert len(wire["hotspots"]) == 3 and len(wire["z"]) == grid.size * 4


def test_a_uniform_field_yields_no_hot_spots_at_the_stated_fdr() -> None:
    proj = LocalProjection(*SH)
    grid = Grid(proj, 0.0, 0.0, 100.0, 50, 50)
    found = []
    for seed in range(20):
        rng = np.random.default_rng(1000 + seed)
        n = [300, 2500, 20000][seed % 3]  # sparse to dense
        x, y = rng.uniform(0, 5000, n), rng.uniform(0, 5000, n)
        found.append(len(find_hotspots(_calls(x, y, proj), grid, 300, fdr=0.05).hotspots))
    # under a true null BH at q = 0.05 errs in at most 5 % of fields: at most 1 of 20 here
    assert sum(1 for f in found if f) <= 1, found


def test_hot_spot_inputs_are_checked() -> None:
    proj = LocalProjection(*SH)
    grid = Grid(proj, 0.0, 0.0, 100.0, 10, 10)
    calls = _calls(np.array([50.0]), np.array([50.0]), proj)
    with pytest.raises(ValueError, match="neighbourhood"):
        find_hotspots(calls, grid, 0.0)
    with pytest.raises(ValueError, match="false-discovery"):
        find_hotspots(calls, grid, 200.0, fdr=0.0)
    assert find_hotspots(calls, grid, 200.0).hotspots == []
