"""The demo generator's planar geometry: point-in-polygon, clipping, noding."""

from __future__ import annotations

import numpy as np
import pytest

from console.demo.geometry import (
    LocalFrame,
    clip_halfplane,
    densify,
    merge_close,
    node_lines,
    points_in_polygon,
    polygon_area,
)

# a "U": concave, so a ray from the notch crosses the outline several times
U_SHAPE = [(0, 0), (3, 0), (3, 3), (2, 3), (2, 1), (1, 1), (1, 3), (0, 3)]


def test_points_in_polygon_concave() -> None:
    x = np.array([0.5, 1.5, 1.5, 2.5, 4.0, np.nan])
    y = np.array([2.5, 2.5, 0.5, 2.5, 1.0, 1.0])
    assert points_in_polygon(x, y, U_SHAPE).tolist() == [True, False, True, True, False, False]
    assert points_in_polygon(0.5, 0.5, U_SHAPE).shape == ()
    with pytest.raises(ValueError, match="at least 3"):
        points_in_polygon(0.0, 0.0, [(0, 0), (1, 1)])


def test_clip_halfplane_and_area() -> None:
    square = np.array([(0, 0), (2, 0), (2, 2), (0, 2)], dtype=float)
    left = clip_halfplane(square, 1.0, 0.0, 0.5)  # x <= 0.5
    assert polygon_area(left) == pytest.approx(1.0)
    assert polygon_area(clip_halfplane(square, 1.0, 0.0, -1.0)) == 0.0
    assert polygon_area(np.array(U_SHAPE, dtype=float)) == pytest.approx(7.0)


def test_frame_round_trip() -> None:
    f = LocalFrame(121.48, 31.22)
    ll = np.array([(121.4905, 31.2400), (121.46, 31.19)])
    np.testing.assert_allclose(f.to_lonlat(f.to_xy(ll)), ll, atol=1e-12)
    # 0.01 degree of latitude is about 1.11 km, of longitude here about 0.95 km
    d = f.to_xy([(121.49, 31.23)])[0]
    assert d == pytest.approx([952.9, 1108.7], abs=2.0)


def test_node_lines_inserts_crossings_and_t_junctions() -> None:
    horizontal = np.array([(0.0, 0.0), (100.0, 0.0)])
    vertical = np.array([(50.0, -50.0), (50.0, 50.0)])
    stub = np.array([(80.0, 40.0), (80.0, 0.2)])  # ends 0.2 m short of the horizontal
    apart = np.array([(0.0, 10.0), (30.0, 10.0)])  # crosses nothing
    h, v, s, a = node_lines([horizontal, vertical, stub, apart], merge_tol=0.5)
    assert h.tolist() == [[0.0, 0.0], [50.0, 0.0], [80.0, 0.0], [100.0, 0.0]]
    assert [50.0, 0.0] in v.tolist() and len(v) == 3
    assert s[-1].tolist() == [80.0, 0.0]  # the stub now ends on the horizontal's vertex
    assert a.tolist() == apart.tolist()


def test_merge_close_and_densify() -> None:
    pts = np.array([(0.0, 0.0), (0.3, 0.0), (0.6, 0.0), (5.0, 0.0)])
    merged = merge_close(pts, 0.5)
    assert (merged[:3] == merged[0]).all() and merged[3].tolist() == [5.0, 0.0]
    line = densify(np.array([(0.0, 0.0), (100.0, 0.0)]), 30.0)
    assert len(line) == 5 and np.diff(line[:, 0]).max() <= 30.0
