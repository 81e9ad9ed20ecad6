"""BD-09 and GCJ-02 input converted to WGS-84 at published test points."""

from __future__ import annotations

import numpy as np
import pytest

from console.geo.coords import (
    bd09_to_gcj02,
    bd09_to_wgs84,
    gcj02_to_bd09,
    gcj02_to_wgs84,
    wgs84_to_bd09,
    wgs84_to_gcj02,
)
from console.geo.crs import from_wgs84, parse_crs, to_wgs84

# Source: wandergis/coordtransform (README and test): gcj02tobd09(116.404, 39.915) and
# bd09togcj02(116.404, 39.915); the published bd09togcj02 is the one-step inverse.
GCJ_TO_BD = ((116.404, 39.915), (116.41036949371029, 39.92133699351022))
BD_TO_GCJ_ONE_STEP = ((116.404, 39.915), (116.39762729119315, 39.90865673957631))
# Beijing railway station as published with the R package "cst" (bd2gcj example):
# GCJ-02 (116.42703, 39.90245) is BD-09 (116.43351, 39.90851), given to 5 decimals.
BEIJING_STATION_GCJ = (116.42703, 39.90245)
BEIJING_STATION_BD = (116.43351, 39.90851)
# wandergis/coordtransform: wgs84togcj02(116.404, 39.915).
WGS_TO_GCJ = ((116.404, 39.915), (116.41024449916938, 39.91640428150164))


def test_gcj02_to_bd09_matches_the_published_pair() -> None:
    (lon, lat), (blon, blat) = GCJ_TO_BD
    got = gcj02_to_bd09(lon, lat)
    assert got[0] == pytest.approx(blon, abs=1e-12) and got[1] == pytest.approx(blat, abs=1e-12)
    b = gcj02_to_bd09(*BEIJING_STATION_GCJ)
    assert b == pytest.approx(BEIJING_STATION_BD, abs=1e-5)  # published to 5 decimals


def test_bd09_to_gcj02_is_the_exact_inverse_and_near_the_published_one_step() -> None:
    (blon, blat), (glon, glat) = BD_TO_GCJ_ONE_STEP
    lon, lat = bd09_to_gcj02(blon, blat)
    # the published one-step inverse is off by up to ~1e-6 degree; ours refines it
    assert abs(lon - glon) < 2e-6 and abs(lat - glat) < 2e-6
    back = gcj02_to_bd09(lon, lat)
    assert abs(back[0] - blon) < 1e-9 and abs(back[1] - blat) < 1e-9


def test_bd09_wgs84_round_trip_over_china_vectorised() -> None:
    lon, lat = np.meshgrid(np.linspace(75, 134, 40), np.linspace(5, 52, 30))
    blon, blat = wgs84_to_bd09(lon.ravel(), lat.ravel())
    wlon, wlat = bd09_to_wgs84(blon, blat)
    assert np.max(np.abs(wlon - lon.ravel())) < 1e-8
    assert np.max(np.abs(wlat - lat.ravel())) < 1e-8


def test_crs_switch_converts_package_coordinates() -> None:
    (wlon, wlat), (glon, glat) = WGS_TO_GCJ
    lo, la = to_wgs84([glon], [glat], "gcj02")
    assert abs(lo[0] - wlon) < 1e-8 and abs(la[0] - wlat) < 1e-8
    g = gcj02_to_wgs84(glon, glat)
    assert abs(g[0] - lo[0]) < 1e-12
    b = wgs84_to_gcj02(121.47, 31.23)
    blo, bla = from_wgs84([121.47], [31.23], "bd09")
    assert (blo[0], bla[0]) == pytest.approx(gcj02_to_bd09(*b), abs=1e-12)
    wlo, wla = to_wgs84(blo, bla, "BD-09")
    assert abs(wlo[0] - 121.47) < 1e-8 and abs(wla[0] - 31.23) < 1e-8
    assert parse_crs("GCJ-02") == "gcj02" and parse_crs("EPSG:4326") == "wgs84"
    with pytest.raises(ValueError, match="unknown coordinate system 'utm'"):
        parse_crs("utm")
