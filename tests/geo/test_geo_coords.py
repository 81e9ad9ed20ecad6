"""GCJ-02 against published test vectors, haversine, and the local metric projection."""

from __future__ import annotations

import math

import numpy as np
import pytest

from console.geo.coords import (
    LocalProjection,
    gcj02_to_wgs84,
    haversine_m,
    out_of_china,
    wgs84_to_gcj02,
)

# (wgs_lon, wgs_lat, gcj_lon, gcj_lat). Source: googollee/eviltransform, python/test.py
# (TESTS, given there as wgsLat, wgsLng, gcjLat, gcjLng), same vectors in php/ and c/.
EVILTRANSFORM = [
    (121.5272106, 31.1774276, 121.531541859215, 31.17530398364597),  # Shanghai
    (113.912316, 22.543847, 113.9171764808363, 22.540796131694766),  # Shenzhen
    (116.377817, 39.911954, 116.38404722455657, 39.91334545536069),  # Beijing
]
# Source: wandergis/coordtransform, test/app.js: wgs84togcj02(116.404, 39.915).
COORDTRANSFORM = (116.404, 39.915, 116.41024449916938, 39.91640428150164)

PEOPLES_SQUARE = (121.4737, 31.2304)


@pytest.mark.parametrize("wlon,wlat,glon,glat", [*EVILTRANSFORM, COORDTRANSFORM])
def test_wgs84_to_gcj02_matches_published_vectors(
    wlon: float, wlat: float, glon: float, glat: float
) -> None:
    lon, lat = wgs84_to_gcj02(wlon, wlat)
    assert isinstance(lon, float) and isinstance(lat, float)
    assert lon == pytest.approx(glon, abs=1e-9)
    assert lat == pytest.approx(glat, abs=1e-9)


@pytest.mark.parametrize("wlon,wlat,glon,glat", EVILTRANSFORM)
def test_gcj02_to_wgs84_inverts_published_vectors(
    wlon: float, wlat: float, glon: float, glat: float
) -> None:
    lon, lat = gcj02_to_wgs84(glon, glat)
    assert abs(lon - wlon) < 1e-8 and abs(lat - wlat) < 1e-8


def test_vectorised_round_trip_over_china_is_below_1e6_degree() -> None:
    lon, lat = np.meshgrid(np.linspace(74, 135, 60), np.linspace(4, 53, 50))
    glon, glat = wgs84_to_gcj02(lon, lat)
    assert glon.shape == lon.shape
    assert np.all(np.hypot(glon - lon, glat - lat) > 1e-5)  # offset applied everywhere inside
    wlon, wlat = gcj02_to_wgs84(glon, glat)
    assert np.max(np.abs(wlon - lon)) < 1e-6
    assert np.max(np.abs(wlat - lat)) < 1e-6


def test_offset_in_shanghai_is_a_few_hundred_metres() -> None:
    glon, glat = wgs84_to_gcj02(*PEOPLES_SQUARE)
    d = haversine_m(PEOPLES_SQUARE[0], PEOPLES_SQUARE[1], glon, glat)
    assert 300 < d < 700


def test_outside_china_is_identity() -> None:
    assert out_of_china(-0.1276, 51.5072)  # London
    assert not out_of_china(*PEOPLES_SQUARE)
    np.testing.assert_array_equal(
        out_of_china([-0.1276, 121.47, 139.69], [51.5072, 31.23, 35.68]), [True, False, True]
    )
    assert wgs84_to_gcj02(-0.1276, 51.5072) == (-0.1276, 51.5072)
    assert gcj02_to_wgs84(2.35, 48.85) == (2.35, 48.85)


def test_nan_passes_through_and_garbage_is_a_clear_error() -> None:
    lon, lat = wgs84_to_gcj02(np.array([np.nan, 121.47]), np.array([31.2, 31.2]))
    assert abs(lat[1] - 31.2) > 1e-4
    assert np.isnan(lon[0]) and np.isfinite(lon[1])
    with pytest.raises(ValueError, match="numbers"):
        wgs84_to_gcj02("east", 31.0)  # type: ignore[call-overload]


def test_haversine_known_distances() -> None:
    one_degree = 6_371_008.8 * math.pi / 180
    assert haversine_m(0.0, 0.0, 1.0, 0.0) == pytest.approx(one_degree, rel=1e-12)
    assert haversine_m(121.0, 31.0, 121.0, 32.0) == pytest.approx(one_degree, rel=1e-12)
    d = haversine_m(np.array([0.0, 10.0]), np.array([0.0, 0.0]), 0.0, 0.0)
    np.testing.assert_allclose(d, [0.0, 10 * one_degree])


def _vincenty_m(lon1: float, lat1: float, lon2: float, lat2: float) -> float:
    """Reference geodesic distance on WGS-84 (Vincenty 1975 inverse), test-only."""
    a, f = 6378137.0, 1 / 298.257223563
    b = a * (1 - f)
    u1 = math.atan((1 - f) * math.tan(math.radians(lat1)))
    u2 = math.atan((1 - f) * math.tan(math.radians(lat2)))
    big_l = math.radians(lon2 - lon1)
    lam = big_l
    for _ in range(200):
        sl, cl = math.sin(lam), math.cos(lam)
        ss = math.hypot(
            math.cos(u2) * sl, math.cos(u1) * math.sin(u2) - math.sin(u1) * math.cos(u2) * cl
        )
        if ss == 0:
            return 0.0
        cs = math.sin(u1) * math.sin(u2) + math.cos(u1) * math.cos(u2) * cl
        sigma = math.atan2(ss, cs)
        sa = math.cos(u1) * math.cos(u2) * sl / ss
        c2a = 1 - sa * sa
        c2sm = cs - 2 * math.sin(u1) * math.sin(u2) / c2a if c2a else 0.0
        c = f / 16 * c2a * (4 + f * (4 - 3 * c2a))
        prev = lam
        lam = big_l + (1 - c) * f * sa * (sigma + c * ss * (c2sm + c * cs * (-1 + 2 * c2sm**2)))
        if abs(lam - prev) < 1e-13:
            break
    u_sq = c2a * (a * a - b * b) / (b * b)
    aa = 1 + u_sq / 16384 * (4096 + u_sq * (-768 + u_sq * (320 - 175 * u_sq)))
    bb = u_sq / 1024 * (256 + u_sq * (-128 + u_sq * (74 - 47 * u_sq)))
    ds = (
        bb
        * ss
        * (
            c2sm
            + bb
            / 4
            * (cs * (-1 + 2 * c2sm**2) - bb / 6 * c2sm * (-3 + 4 * ss**2) * (-3 + 4 * c2sm**2))
        )
    )
    return b * aa * (sigma - ds)


def test_reference_geodesic_reproduces_vincentys_published_example() -> None:
    # Flinders Peak -> Buninyong, 54 972.271 m (Vincenty 1975; Geoscience Australia worked example).
    def dms(d: int, m: int, s: float) -> float:
        return math.copysign(abs(d) + m / 60 + s / 3600, d)

    d = _vincenty_m(
        dms(144, 25, 29.52440),
        dms(-37, 57, 3.72030),
        dms(143, 55, 35.38390),
        dms(-37, 39, 10.15610),
    )
    assert d == pytest.approx(54972.271, abs=0.002)


def test_local_projection_distances_within_1m_over_10km() -> None:
    proj = LocalProjection(*PEOPLES_SQUARE)
    rng = np.random.default_rng(7)
    # points up to ~7 km from the centre, pairs up to ~14 km apart
    lon = PEOPLES_SQUARE[0] + rng.uniform(-0.07, 0.07, 60)
    lat = PEOPLES_SQUARE[1] + rng.uniform(-0.06, 0.06, 60)
    x, y = proj.to_xy(lon, lat)
    worst = 0.0
    for i in range(0, 60, 2):
        true = _vincenty_m(lon[i], lat[i], lon[i + 1], lat[i + 1])
        plane = math.hypot(x[i] - x[i + 1], y[i] - y[i + 1])
        worst = max(worst, abs(plane - true) / max(true, 1.0) * 10_000)
    assert worst < 1.0  # metres of error per 10 km


def test_local_projection_axes_and_round_trip() -> None:
    proj = LocalProjection(*PEOPLES_SQUARE)
    assert proj.to_xy(*PEOPLES_SQUARE) == pytest.approx((0.0, 0.0), abs=1e-6)
    x, y = proj.to_xy(PEOPLES_SQUARE[0] + 0.01, PEOPLES_SQUARE[1])
    assert x > 900 and abs(y) < 1.0  # east is +x
    x, y = proj.to_xy(PEOPLES_SQUARE[0], PEOPLES_SQUARE[1] + 0.01)
    assert y == pytest.approx(1109, abs=2) and abs(x) < 1e-6  # north is +y, ~110.9 km/deg
    gx, gy = np.meshgrid(np.linspace(-15_000, 15_000, 31), np.linspace(-15_000, 15_000, 31))
    lon, lat = proj.to_lonlat(gx, gy)
    bx, by = proj.to_xy(lon, lat)
    assert np.max(np.hypot(bx - gx, by - gy)) < 1e-6
    assert isinstance(proj.to_lonlat(10.0, 20.0)[0], float)


def test_local_projection_rejects_bad_centre() -> None:
    with pytest.raises(ValueError, match="finite"):
        LocalProjection(float("nan"), 31.0)
    with pytest.raises(ValueError, match="out of range"):
        LocalProjection(31.2, 121.5)  # lat/lon swapped
