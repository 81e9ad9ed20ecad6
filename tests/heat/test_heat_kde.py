"""Local clock fields, the metric grid, the call set's filters and the binned KDE."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import numpy as np
import pytest

from console.geo.coords import LocalProjection
from console.heat.calls import CallSet
from console.heat.grid import Grid
from console.heat.kde import bin_counts, kde_counts, kde_density
from console.heat.localtime import local_fields, local_midnight, utc_offsets

SH = (121.4737, 31.2304)


def test_local_fields_follow_the_zone_not_the_machine_across_dst() -> None:
    # every 7 minutes through both 2026 New York transitions and a plain Shanghai year start
    t = np.concatenate(
        [
            np.arange(1_772_900_000.0, 1_773_200_000.0, 420.0),  # 2026-03-08 (spring forward)
            np.arange(1_793_400_000.0, 1_793_700_000.0, 420.0),  # 2026-11-01 (fall back)
        ]
    )
    for tz in ("America/New_York", "Asia/Shanghai", "Australia/Lord_Howe"):
        zi = ZoneInfo(tz)
        lf = local_fields(t, tz)
        want = [datetime.fromtimestamp(float(v), tz=UTC).astimezone(zi) for v in t]
        assert list(lf.hour) == [w.hour for w in want]
        assert list(lf.weekday) == [w.weekday() for w in want]
        offs = utc_offsets(t, tz)
        assert list(offs) == [w.utcoffset().total_seconds() for w in want]  # type: ignore[union-attr]


def test_local_midnight_is_the_zones_midnight() -> None:
    day = 1_773_000_000 // 86400  # 2026-03-08: New York springs forward at 02:00
    ny = ZoneInfo("America/New_York")
    t = local_midnight(day, "America/New_York")
    assert datetime.fromtimestamp(t, tz=ny).strftime("%Y-%m-%d %H:%M") == "2026-03-08 00:00"
    assert local_midnight(day + 1, "America/New_York") - t == 23 * 3600  # a 23-hour day


def test_callset_sorts_filters_and_slices_before() -> None:
    rng = np.random.default_rng(1)
    n = 500
    t = 1_780_000_000.0 + rng.random(n) * 14 * 86400
    lon = SH[0] + rng.normal(0, 0.01, n)
    lat = SH[1] + rng.normal(0, 0.01, n)
    kinds = list(rng.choice(["theft", "fight"], n))
    c = CallSet.build(t, lon, lat, kinds, tz="Asia/Shanghai")
    assert np.all(np.diff(c.t) >= 0) and len(c) == n
    cut = float(np.median(t))
    assert np.all(c.before(cut).t < cut) and len(c.before(cut)) == int((t < cut).sum())
    lf = local_fields(c.t, "Asia/Shanghai")
    m = c.mask(types=["fight"], hours=[22, 23, 0], weekdays=[4, 5])
    want = (
        (np.asarray(c.types)[c.type_idx] == "fight")
        & np.isin(lf.hour, [22, 23, 0])
        & np.isin(lf.weekday, [4, 5])
    )
    assert np.array_equal(m, want) and m.any()
    with pytest.raises(ValueError, match="ufo"):
        c.mask(types=["ufo"])
    with pytest.raises(ValueError, match="0-23"):
        c.mask(hours=[24])
    with pytest.raises(ValueError, match="finite"):
        CallSet.build([1.0, float("nan")], [121.0, 121.0], [31.0, 31.0])
    assert c.resolution_s == 1.0
    days = [local_midnight(20_000, "UTC"), local_midnight(20_003, "UTC")]
    dates = CallSet.build(days, [SH[0]] * 2, [SH[1]] * 2, tz="UTC")
    assert dates.resolution_s == 86400.0


def test_grid_places_points_in_cells_and_refuses_absurd_sizes() -> None:
    proj = LocalProjection(*SH)
    g = Grid(proj, 0.0, 0.0, 100.0, 5, 4)
    idx = g.flat_index(
        np.array([50.0, 150.0, 499.0, 500.0, -1.0]), np.array([50.0, 50.0, 399.0, 0, 0])
    )
    assert list(idx) == [0, 1, 19, -1, -1]
    with pytest.raises(ValueError, match=r"more than"):
        Grid.covering(np.array([0.0, 1e6]), np.array([0.0, 1e6]), 100.0, proj)
    lon, lat = g.centres_lonlat()
    x, y = proj.to_xy(lon, lat)
    assert np.allclose(x[0], [50, 150, 250, 350, 450]) and np.allclose(y[:, 0], [50, 150, 250, 350])


def test_kde_totals_conserve_the_number_of_calls() -> None:
    rng = np.random.default_rng(2)
    proj = LocalProjection(*SH)
    g = Grid(proj, 0.0, 0.0, 50.0, 80, 60)
    # many calls right at the edges and corners: reflection keeps their mass on the grid
    x = np.concatenate([rng.uniform(0, 4000, 3000), np.zeros(50), np.full(50, 3999.0)])
    y = np.concatenate([rng.uniform(0, 3000, 3000), np.zeros(50), np.full(50, 2999.0)])
    for bw in (0.0, 30.0, 120.0, 600.0):
        counts = kde_counts(g, x, y, bw)
        assert counts.sum() == pytest.approx(x.size, rel=1e-9)
        dens = kde_density(g, x, y, bw)  # calls per km^2
        assert (dens * g.cell_km2).sum() == pytest.approx(x.size, rel=1e-9)
    assert bin_counts(g, np.array([-5.0, 10.0]), np.array([10.0, 10.0])).sum() == 1


def test_binned_kde_matches_the_exact_kernel_estimate() -> None:
    rng = np.random.default_rng(3)
    proj = LocalProjection(*SH)
    g = Grid(proj, 0.0, 0.0, 40.0, 100, 100)
    pts = np.concatenate(
        [rng.normal([1500, 2000], 250, (1500, 2)), rng.normal([2600, 1200], 400, (1500, 2))]
    )
    h = 160.0
    binned = kde_counts(g, pts[:, 0], pts[:, 1], h, boundary="constant")
    # the exact estimate with an isotropic kernel of sd h, integrated over a cell ~ value x area
    gx, gy = g.centres_xy()
    d2 = (gx.ravel()[:, None] - pts[:, 0]) ** 2 + (gy.ravel()[:, None] - pts[:, 1]) ** 2
    exact = (np.exp(-d2 / (2 * h * h)).sum(axis=1) / (2 * np.pi * h * h) * g.cell_m**2).reshape(
        g.shape
    )
    assert np.abs(binned - exact).max() / exact.max() < 0.01
    assert exact.sum() == pytest.approx(pts.shape[0], rel=0.02)  # the reference is a density
