"""The situation map, real Qt widgets offscreen: layers, staleness, clicks, GCJ-02, speed."""

from __future__ import annotations

import dataclasses
import os
import re
import time
from typing import Any

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import msgspec
import numpy as np
import pytest
from PySide6.QtCore import QEvent, QObject, QPoint, QPointF, Qt
from PySide6.QtGui import QImage, QMouseEvent, QPixmapCache
from PySide6.QtWidgets import QApplication, QGraphicsItem, QWidget

from console.config import Config
from console.geo.coords import haversine_m, wgs84_to_gcj02
from console.heat import heat_grid
from console.hub.messages import IncidentState, StaticDistrict, UnitsMoved, UnitState
from widgets.i18n import is_chinese
from widgets.map import MapView
from widgets.map import strings as s
from widgets.map import style as st
from widgets.map.layers.heat import HeatBar

LON0, LAT0 = 121.48, 31.23
D = 0.01  # half side of the square district, degrees (about 1 km)


def make_district(approximate: bool = True) -> StaticDistrict:
    """A 2 km square with a road grid, two areas, two stations and one 1-minute point."""
    segs: list[tuple[float, float, float, float]] = []
    cls: list[int] = []
    for k, f in enumerate(np.linspace(-D, D, 9)):
        c = 0 if k == 4 else (1 if k % 4 == 0 else 2)
        segs += [(LON0 - D, LAT0 + f, LON0 + D, LAT0 + f), (LON0 + f, LAT0 - D, LON0 + f, LAT0 + D)]
        cls += [c, c]
    segs.append((LON0 - D, LAT0 - D, LON0 + D, LAT0 + D))
    cls.append(3)
    return StaticDistrict(
        code="T",
        name="测试区",
        approximate=approximate,
        outline=[
            (LON0 - D, LAT0 - D),
            (LON0 + D, LAT0 - D),
            (LON0 + D, LAT0 + D),
            (LON0 - D, LAT0 + D),
        ],
        stations=[
            {"code": "S1", "name": "外滩派出所", "lon": LON0 - 0.005, "lat": LAT0 + 0.005},
            {"code": "S2", "name": "南京东路派出所", "lon": LON0 + 0.005, "lat": LAT0 - 0.005},
        ],
        areas=[
            {
                "code": "A1",
                "name": "一",
                "station": "S1",
                "polygon": [(LON0 - D, LAT0), (LON0, LAT0), (LON0, LAT0 + D), (LON0 - D, LAT0 + D)],
            },
            {
                "code": "A2",
                "name": "二",
                "station": "S2",
                "polygon": [(LON0, LAT0 - D), (LON0 + D, LAT0 - D), (LON0 + D, LAT0), (LON0, LAT0)],
            },
        ],
        fixed_points=[
            {"code": "F1", "name": "人民广场点", "lon": LON0 + 0.002, "lat": LAT0 + 0.003}
        ],
        landmarks={},
        seg_lonlat=np.array(segs, dtype=np.float64).tobytes(),
        seg_class=np.array(cls, dtype=np.int8).tobytes(),
        road_labels=[("中山东一路", LON0, LAT0, 0), ("南京东路", LON0 + 0.005, LAT0, 1)],
    )


def unit(
    i: int,
    lon: float,
    lat: float,
    fix_age: float = 5.0,
    status: str = "available",
    unit_type: str = "patrol_group",
) -> UnitState:
    now = time.time()
    return UnitState(
        idx=i,
        call_sign=f"P{i:03d}",
        unit_type=unit_type,
        station="S1",
        area="A1",
        status=status,
        status_since=now,
        incident_id=None,
        lon=lon,
        lat=lat,
        fix_t=now - fix_age,
    )


def incident(i: int, lon: float, lat: float, priority: int = 1) -> IncidentState:
    return IncidentState(
        id=i,
        incident_type="theft",
        status="new",
        priority=priority,
        force_level=1,
        manpower=2,
        lon=lon,
        lat=lat,
        address="中山东一路1号",
        created_at=time.time(),
        source="call",
    )


@pytest.fixture(scope="module")
def cfg(config: Config) -> Config:
    return config  # the session's (tests/conftest.py)


def with_crs(cfg: Config, crs: str) -> Config:
    return dataclasses.replace(cfg, map=msgspec.structs.replace(cfg.map, display_crs=crs))


@pytest.fixture
def view(qtbot, cfg: Config) -> MapView:  # type: ignore[no-untyped-def]
    v = MapView(cfg)
    qtbot.addWidget(v)
    v.resize(800, 600)
    v.show()
    qtbot.waitExposed(v)
    v.set_district(make_district())
    v.zoom_to_district()
    return v


def viewport_pos(v: MapView, lon: float, lat: float) -> QPoint:
    """Where a WGS-84 point is on the map's viewport, in viewport pixels."""
    assert v.proj is not None
    x, y = v.proj.point_xy(lon, lat)
    scene = v.viewbox.mapViewToScene(QPointF(x, y))
    return v.graphics.mapFromScene(scene)


def grab_rgb(v: MapView) -> np.ndarray:
    img = v.graphics.viewport().grab().toImage().convertToFormat(QImage.Format.Format_RGB888)
    w, h = img.width(), img.height()
    buf = np.frombuffer(img.constBits(), dtype=np.uint8, count=img.bytesPerLine() * h)
    return buf.reshape(h, img.bytesPerLine())[:, : w * 3].reshape(h, w, 3).copy()


def colour_mask(rgb: np.ndarray, hex_colour: str, tol: int = 12) -> np.ndarray:
    c = np.array([int(hex_colour[k : k + 2], 16) for k in (1, 3, 5)])
    return (np.abs(rgb.astype(int) - c) <= tol).all(axis=2)


# ------------------------------------------------------------------ layers


def test_layer_toggles_hide_and_show_items(view: MapView) -> None:
    assert set(view.layer_names()) == {
        "district",
        "areas",
        "roads",
        "stations",
        "fixed_points",
        "units",
        "incidents",
        "heat",
        "coverage",
        "hotspots",
        "forecast",
        "crowd",
        "labels",
    }
    off_by_default = {"coverage", "hotspots", "forecast"}  # analysis layers: asked for
    seen: list[tuple[str, bool]] = []
    view.layerVisibilityChanged.connect(lambda k, b: seen.append((k, b)))
    for key in view.layer_names():
        assert view.is_layer_visible(key) == (key not in off_by_default)
        view.set_layer_visible(key, False)
        assert not view.is_layer_visible(key)
        assert all(not item.isVisible() for item in view._layers[key])
        view.set_layer_visible(key, True)
        assert all(item.isVisible() for item in view._layers[key])
        assert view.layer_title(key)
    assert seen[:2] == [("district", False), ("district", True)]
    with pytest.raises(KeyError, match="unknown map layer 'traffic'"):
        view.set_layer_visible("traffic", True)


def test_hiding_units_layer_removes_their_pixels(view: MapView, cfg: Config) -> None:
    view.set_units([unit(i, LON0 - 0.008 + 0.002 * i, LAT0 - 0.006) for i in range(8)])
    view.flush()
    colour = cfg.unit_types["patrol_group"].colour
    assert colour_mask(grab_rgb(view), colour).sum() > 50
    view.set_layer_visible("units", False)
    assert colour_mask(grab_rgb(view), colour).sum() == 0


# --------------------------------------------------------------- staleness


def test_stale_units_listed_and_drawn_hollow(view: MapView, cfg: Config) -> None:
    old = cfg.map.stale_fix_seconds + 30
    view.set_units(
        [
            unit(0, LON0, LAT0, fix_age=5),
            unit(1, LON0 + 0.003, LAT0, fix_age=old),
            unit(2, LON0 - 0.003, LAT0, fix_age=old, status="en_route"),
        ]
    )
    assert view.stale_units() == ["P001", "P002"]
    view.flush()
    cells = view.table.atlas_index() % st.N_STYLES
    assert list(cells) == [st.STYLE_AVAILABLE, st.STYLE_STALE, st.STYLE_STALE]
    assert s.STALE in view.unit_tooltip("P001")
    # a fresh fix brings the unit back
    view.apply_moves(
        UnitsMoved(
            t=time.time(),
            idx=np.array([1], np.int32).tobytes(),
            lon=np.array([LON0]).tobytes(),
            lat=np.array([LAT0]).tobytes(),
            fix_t=np.array([time.time()]).tobytes(),
        )
    )
    assert view.stale_units() == ["P002"]
    view.flush()
    assert (view.table.atlas_index() % st.N_STYLES)[1] == st.STYLE_AVAILABLE


def test_tooltip_shows_call_sign_type_status_and_fix_age(view: MapView, cfg: Config, qtbot) -> None:  # type: ignore[no-untyped-def]
    view.set_units([unit(0, LON0 + 0.001, LAT0 + 0.001, fix_age=12, status="en_route")])
    tip = view.unit_tooltip("P000")
    assert "P000" in tip
    ut = cfg.unit_types["patrol_group"]
    assert (ut.name_zh if is_chinese() else ut.name_en) in tip
    assert "En route" in tip
    assert "外滩派出所" in tip  # the station by name, not by code
    assert re.search(r"Fix 1[2-4] s ago", tip), tip
    # hovering the symbol puts the same text on the map
    # (QTest.mouseMove does not reach an offscreen window: deliver the move event directly)
    vp = view.graphics.viewport()
    pos = QPointF(viewport_pos(view, LON0 + 0.001, LAT0 + 0.001))
    move = QMouseEvent(
        QEvent.Type.MouseMove,
        pos,
        QPointF(vp.mapToGlobal(pos)),
        Qt.MouseButton.NoButton,
        Qt.MouseButton.NoButton,
        Qt.KeyboardModifier.NoModifier,
    )
    QApplication.sendEvent(vp, move)
    assert "P000" in view.viewbox.toolTip()
    assert re.search(r"Fix 1[2-4] s ago", view.viewbox.toolTip())
    with pytest.raises(KeyError, match="P999"):
        view.unit_tooltip("P999")


# -------------------------------------------------------------- interaction


def test_clicking_a_unit_emits_its_call_sign(view: MapView, qtbot) -> None:  # type: ignore[no-untyped-def]
    view.set_units([unit(0, LON0 - 0.004, LAT0 + 0.002), unit(1, LON0 + 0.004, LAT0 - 0.002)])
    view.flush()
    vp = view.graphics.viewport()
    p = viewport_pos(view, LON0 + 0.004, LAT0 - 0.002)
    with qtbot.waitSignal(view.unitClicked, timeout=2000) as sig:
        qtbot.mouseClick(vp, Qt.MouseButton.LeftButton, pos=p + QPoint(4, -3))
    assert sig.args == ["P001"]
    # 40 px away from every unit: nothing
    with qtbot.assertNotEmitted(view.unitClicked, wait=100):
        qtbot.mouseClick(vp, Qt.MouseButton.LeftButton, pos=p + QPoint(40, 0))


def test_clicking_an_incident_emits_its_id(view: MapView, qtbot) -> None:  # type: ignore[no-untyped-def]
    view.set_units([unit(0, LON0 + 0.003, LAT0 + 0.003)])
    view.set_incidents(
        [incident(7, LON0 + 0.003, LAT0 + 0.003, priority=2), incident(8, LON0, LAT0)]
    )
    p = viewport_pos(view, LON0 + 0.003, LAT0 + 0.003)
    with qtbot.waitSignal(view.incidentClicked, timeout=2000) as sig:
        qtbot.mouseClick(
            view.graphics.viewport(), Qt.MouseButton.LeftButton, pos=p + QPoint(0, -12)
        )
    assert sig.args == [7]  # the incident is on top of the unit at the same place
    view.zoom_to_incident(8)
    with pytest.raises(KeyError, match="incident 99"):
        view.zoom_to_incident(99)


def test_pins_are_cached_and_placed_again_only_when_they_change(view: MapView) -> None:
    placed: list[int] = []
    markers = view.incident_markers
    set_points = markers.set_points

    def counting(*args, **kwargs):  # type: ignore[no-untyped-def]
        placed.append(1)
        set_points(*args, **kwargs)

    markers.set_points = counting  # type: ignore[method-assign]
    for item in (view.stations, view.fixed_points, markers):
        assert item.cacheMode() == QGraphicsItem.CacheMode.DeviceCoordinateCache
    view.set_incidents([incident(7, LON0 + 0.003, LAT0 + 0.003, 2), incident(8, LON0, LAT0)])
    view.flush()
    assert len(placed) == 1
    before = grab_rgb(view)
    moved = msgspec.structs.replace(incident(8, LON0, LAT0), status="dispatched", units=["巡-1"])
    view.update_incident(moved)
    view.flush()
    assert len(placed) == 1  # a status change leaves the pins as they are
    assert (grab_rgb(view) == before).all()
    view.update_incident(msgspec.structs.replace(moved, priority=3))  # colour changes
    view.flush()
    assert len(placed) == 2
    assert (grab_rgb(view) != before).any()
    view.update_incident(msgspec.structs.replace(moved, priority=3, lon=LON0 + 0.001))
    view.flush()
    assert len(placed) == 3 and view.incident_markers.x.size == 2


def test_a_cached_pin_layer_redraws_on_update_alone(view: MapView) -> None:
    view.set_incidents([incident(7, LON0 + 0.003, LAT0 + 0.003, 2), incident(8, LON0, LAT0)])
    view.flush()
    selected = {"on": False}
    view.incident_markers.highlighted = lambda k: selected["on"] and k == 0
    before = grab_rgb(view)
    selected["on"] = True  # what a selection does: the ring is read at paint time
    view.incident_markers.update()
    assert (grab_rgb(view) != before).any()  # the cache was drawn again, with the ring


def test_a_new_selection_repaints_the_ringed_pin_not_the_cached_layer(view: MapView) -> None:
    view.set_incidents([incident(7, LON0 + 0.003, LAT0 + 0.003, 2), incident(8, LON0, LAT0)])
    view.flush()
    markers = view.incident_markers
    drawn: list[tuple[int, bool]] = []
    draw_pin = markers._draw_pin

    def counting(p: Any, i: int, x: float, y: float, selected: bool) -> None:
        drawn.append((i, selected))
        draw_pin(p, i, x, y, selected)

    markers._draw_pin = counting  # type: ignore[method-assign]
    selected = {"id": 0}
    markers.highlighted = lambda k: view.placed_incidents[k].id == selected["id"]
    plain = grab_rgb(view)
    drawn.clear()
    selected["id"] = 8
    markers.highlight_changed()
    ringed = grab_rgb(view)
    k8 = [k for k, inc in enumerate(view.placed_incidents) if inc.id == 8]
    assert markers.chosen() == k8
    assert drawn and set(drawn) == {(k8[0], True)}  # the pin ringed; the layer stays cached
    assert (ringed != plain).any()
    selected["id"] = 0
    markers.highlight_changed()
    assert (grab_rgb(view) == plain).all()  # the ring is gone again, nothing left behind
    assert {sel for _, sel in drawn} == {True}


def drag(v: MapView, by: QPointF) -> None:
    """Pan as a mouse does: press, move in steps, release (left button)."""
    vp = v.graphics.viewport()
    start = QPointF(vp.width() / 2, vp.height() / 2)
    left, none = Qt.MouseButton.LeftButton, Qt.MouseButton.NoButton

    def send(kind: QEvent.Type, pos: QPointF, button: Qt.MouseButton) -> None:
        held = none if kind == QEvent.Type.MouseButtonRelease else left
        ev = QMouseEvent(
            kind, pos, vp.mapToGlobal(pos), button, held, Qt.KeyboardModifier.NoModifier
        )
        QApplication.sendEvent(vp, ev)

    send(QEvent.Type.MouseButtonPress, start, left)
    for k in range(1, 6):
        send(QEvent.Type.MouseMove, start + by * (k / 5), none)
    send(QEvent.Type.MouseButtonRelease, start + by, left)


def test_the_base_map_keeps_its_pixels_through_frames_trims_and_pans(view: MapView) -> None:
    layers = (view.roads, view.district_fill, view.areas_item, view.district_outline)

    def renders() -> list[int]:
        return [item.pixels.renders for item in layers]

    view.flush()
    grab_rgb(view)  # the view range settles on the first paint
    grab_rgb(view)
    first = renders()
    assert all(n >= 1 for n in first)
    view.set_incidents([incident(7, LON0 + 0.003, LAT0 + 0.003, 2)])
    view.flush()
    grab_rgb(view)  # a frame with a new pin
    QPixmapCache.clear()  # what Qt's 30 s trim does to item caches
    grab_rgb(view)
    assert renders() == first  # neither a frame nor the trim strokes the roads again
    (x0, x1), _ = view.viewbox.viewRange()
    drag(view, QPointF(40, 0))  # the operator pans a little
    (p0, p1), _ = view.viewbox.viewRange()
    assert p0 < x0 and p1 - p0 == pytest.approx(x1 - x0)  # moved, same zoom
    panned = grab_rgb(view)
    assert renders() == first  # the kept pixels moved with the map
    for item in layers:
        item.pixels.invalidate()
    fresh = grab_rgb(view)
    assert renders() == [n + 1 for n in first]
    assert (np.abs(panned.astype(int) - fresh).max(axis=2) > 40).mean() < 0.005
    view.viewbox.scaleBy((0.5, 0.5))  # a zoom draws them again, at the new scale
    grab_rgb(view)
    assert renders() == [n + 2 for n in first]


class _PaintCount(QObject):
    def __init__(self, widgets: list[QWidget]) -> None:
        super().__init__()
        self.n = 0
        for w in widgets:
            w.installEventFilter(self)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        self.n += event.type() == QEvent.Type.Paint
        return False


def test_a_map_frame_does_not_repaint_the_opaque_legend(view: MapView, qtbot) -> None:  # type: ignore[no-untyped-def]
    legend = view.legend
    assert legend.autoFillBackground() and legend.palette().window().isOpaque()
    labels = _PaintCount([*legend.labels("units"), legend])
    frame = _PaintCount([view.graphics.viewport()])
    qtbot.wait(50)
    labels.n = frame.n = 0
    for _ in range(3):
        view.graphics.viewport().update()
        qtbot.waitUntil(lambda: frame.n > 0)
        frame.n = 0
    assert labels.n == 0  # the map under the legend repainted, the legend did not
    legend.update()
    qtbot.waitUntil(lambda: labels.n > 0)  # a legend change itself is painted


@pytest.mark.parametrize("crs", ["wgs84", "gcj02"])
def test_right_click_requests_incident_at_wgs84_point(qtbot, cfg: Config, crs: str) -> None:  # type: ignore[no-untyped-def]
    v = MapView(with_crs(cfg, crs))
    qtbot.addWidget(v)
    v.resize(800, 600)
    v.show()
    qtbot.waitExposed(v)
    v.set_district(make_district())
    v.zoom_to(LON0 + 0.002, LAT0 - 0.001, 400)
    lon, lat = LON0 + 0.0023, LAT0 - 0.0012
    with qtbot.waitSignal(v.newIncidentRequested, timeout=2000) as sig:
        qtbot.mouseClick(
            v.graphics.viewport(), Qt.MouseButton.RightButton, pos=viewport_pos(v, lon, lat)
        )
    got_lon, got_lat = sig.args
    m_per_px = v.viewbox.viewPixelSize()[0]
    assert haversine_m(got_lon, got_lat, lon, lat) < 2 * m_per_px + 0.5
    assert v.viewbox.menu is None or not v.viewbox.menuEnabled()


# ------------------------------------------------------------------- GCJ-02


def test_gcj02_display_shifts_positions_by_the_gcj_offset(qtbot, cfg: Config) -> None:  # type: ignore[no-untyped-def]
    views = {}
    for crs in ("wgs84", "gcj02"):
        v = MapView(with_crs(cfg, crs))
        qtbot.addWidget(v)
        v.set_district(make_district())
        v.set_units([unit(0, LON0 + 0.004, LAT0 - 0.003)])
        views[crs] = v
    xw, yw = views["wgs84"].table.x[0], views["wgs84"].table.y[0]
    xg, yg = views["gcj02"].table.x[0], views["gcj02"].table.y[0]
    shift = float(np.hypot(xg - xw, yg - yw))
    glon, glat = wgs84_to_gcj02(LON0 + 0.004, LAT0 - 0.003)
    expected = haversine_m(LON0 + 0.004, LAT0 - 0.003, glon, glat)
    assert 200 < expected < 1000  # "a few hundred metres" in Shanghai
    assert shift == pytest.approx(expected, abs=2.0)
    assert xg - xw > 0  # GCJ-02 moves Shanghai points east


# --------------------------------------------------------------- speed path


def test_apply_moves_20000_units_updates_arrays_and_pixels(view: MapView, cfg: Config) -> None:
    n = 20_000
    rng = np.random.default_rng(3)
    now = time.time()
    east = [
        UnitState(
            idx=i,
            call_sign=f"U{i:05d}",
            unit_type="patrol_group",
            station=None,
            area=None,
            status="available",
            status_since=now,
            incident_id=None,
            lon=LON0 + rng.uniform(0.001, D),
            lat=LAT0 + rng.uniform(-D, D),
            fix_t=now,
        )
        for i in range(n)
    ]
    view.set_units(east)
    view.flush()
    colour = cfg.unit_types["patrol_group"].colour
    before = colour_mask(grab_rgb(view), colour)
    mid = viewport_pos(view, LON0, LAT0).x()
    assert before[:, mid + 5 :].sum() > 1000 and before[:, : mid - 5].sum() == 0
    # every unit jumps to the western half
    idx = rng.permutation(n).astype(np.int32)
    lon = LON0 - rng.uniform(0.001, D, n)
    lat = LAT0 + rng.uniform(-D, D, n)
    frames = view.frames
    view.apply_moves(
        UnitsMoved(
            t=now,
            idx=idx.tobytes(),
            lon=lon.tobytes(),
            lat=lat.tobytes(),
            fix_t=np.full(n, now + 1.0).tobytes(),
        )
    )
    assert view.frames == frames  # nothing drawn per message
    rows = view.table.row_of_idx[idx]
    np.testing.assert_array_equal(view.table.lon[rows], lon)
    np.testing.assert_array_equal(view.table.lat[rows], lat)
    view.flush()
    assert view.frames == frames + 1
    after = colour_mask(grab_rgb(view), colour)
    assert after[:, : mid - 5].sum() > 1000 and after[:, mid + 5 :].sum() == 0


def test_position_floods_coalesce_into_one_repaint_per_tick(view: MapView, qtbot) -> None:  # type: ignore[no-untyped-def]
    view.set_units([unit(i, LON0, LAT0) for i in range(50)])
    view.flush()
    frames = view.frames
    for k in range(100):
        view.apply_moves(
            UnitsMoved(
                t=0.0,
                idx=np.arange(50, dtype=np.int32).tobytes(),
                lon=np.full(50, LON0 + k * 1e-5).tobytes(),
                lat=np.full(50, LAT0).tobytes(),
                fix_t=np.full(50, time.time()).tobytes(),
            )
        )
    assert view.frames == frames
    view.flush()
    view.flush()  # nothing new: no second repaint
    assert view.frames == frames + 1
    assert view.table.lon[0] == pytest.approx(LON0 + 99e-5)
    # left to the event loop, the frame timer draws the next change by itself
    view.apply_moves(
        UnitsMoved(
            t=0.0,
            idx=np.array([0], np.int32).tobytes(),
            lon=np.array([LON0]).tobytes(),
            lat=np.array([LAT0]).tobytes(),
            fix_t=np.array([time.time()]).tobytes(),
        )
    )
    qtbot.waitUntil(lambda: view.frames == frames + 2)
    assert view.units.paint_count > 0


# ---------------------------------------------------------------- bad input


def test_bad_input_raises_clear_errors_and_odd_values_do_not_crash(view: MapView) -> None:
    with pytest.raises(ValueError, match="differ in length"):
        view.apply_moves(
            UnitsMoved(
                t=0.0,
                idx=np.arange(3, dtype=np.int32).tobytes(),
                lon=np.zeros(2).tobytes(),
                lat=np.zeros(3).tobytes(),
                fix_t=np.zeros(3).tobytes(),
            )
        )
    with pytest.raises(ValueError, match="malformed"):
        view.apply_moves(UnitsMoved(t=0.0, idx=b"\x00" * 5, lon=b"", lat=b"", fix_t=b""))
    bad = msgspec.structs.replace(make_district(), seg_lonlat=b"\x00" * 33)
    with pytest.raises(ValueError, match="seg_lonlat"):
        view.set_district(bad)
    with pytest.raises(ValueError, match="radius"):
        view.zoom_to(LON0, LAT0, -5)
    with pytest.raises(KeyError, match="unknown unit call sign"):
        view.zoom_to_unit("nobody")
    view.set_units([unit(0, LON0, LAT0), unit(1, LON0, LAT0)])
    with pytest.raises(ValueError, match="duplicate call sign 'P001'"):
        view.set_units([unit(0, LON0, LAT0), unit(1, LON0, LAT0), unit(1, LON0, LAT0)])
    assert view.table.n == 2  # the previous units are still shown
    # unknown type and status, unknown hub index, NaN position: drawn or skipped, never a crash
    view.set_units([unit(0, LON0, LAT0, status="teleporting", unit_type="dragon")])
    n = view.table.apply_moves(
        np.array([0, 5, -1], np.int32),
        np.array([np.nan, 1.0, 1.0]),
        np.array([LAT0, 1.0, 1.0]),
        np.zeros(3),
        view.proj,
    )
    assert n == 0
    view.flush()
    view.graphics.viewport().grab()
    assert "dragon" in view.unit_tooltip("P000")


# ----------------------------------------------------------- heat, labels, legend


def test_heat_layer_placed_on_its_box_and_transparent_at_zero(view: MapView) -> None:
    rng = np.random.default_rng(5)
    grid = heat_grid(
        rng.normal(LON0, 0.003, 2000),
        rng.normal(LAT0, 0.003, 2000),
        (LON0 - D, LAT0 - D, LON0 + D, LAT0 + D),
        cell_m=50.0,
    )
    view.set_heat(grid)
    shown = view.heat.item.image
    # the top of the scale is the 99th percentile of the non-empty cells, not the peak
    assert view.heat.vmax == pytest.approx(np.percentile(shown[shown > 0], 99), rel=1e-5)
    assert view.heat.vmax < view.heat.peak == pytest.approx(grid.max)
    bar = view.legend.widget_of("heat", HeatBar)
    assert (bar.vmax, bar.peak) == (view.heat.vmax, view.heat.peak)
    assert bar.top_label().startswith("≥")
    assert bar.isVisibleTo(view.legend)
    r = view.heat.item.mapRectToParent(view.heat.item.boundingRect())
    assert r.width() == pytest.approx(view.placed.rect.width(), rel=0.01)  # type: ignore[union-attr]
    lut = view.heat.item.lut
    assert lut[0][3] == 0 and lut[-1][3] > 100
    view.set_layer_visible("heat", False)
    assert not bar.isVisibleTo(view.legend)
    # a grid wider than the district: the smoothing's bleed outside the outline is blanked
    wide = heat_grid(
        rng.normal(LON0 + D, 0.003, 2000),
        rng.normal(LAT0, 0.003, 2000),
        (LON0 - 2 * D, LAT0 - D, LON0 + 2 * D, LAT0 + D),
        cell_m=50.0,
    )
    view.set_heat(wide)
    shown = view.heat.item.image
    nx = shown.shape[1]
    assert wide.density[:, 3 * nx // 4 + 2 :].max() > 0  # calls east of the district...
    assert shown[:, 3 * nx // 4 + 2 :].max() == 0  # ...are not painted there
    assert shown[:, nx // 2 : 3 * nx // 4 - 2].max() > 0


def test_call_signs_and_road_names_only_at_close_zoom(view: MapView) -> None:
    view.set_units([unit(i, LON0 + 0.0004 * i, LAT0 + 0.0003) for i in range(5)])
    view.graphics.viewport().grab()
    assert view.labels.drawn.get("call_signs", 0) == 0
    assert view.labels.drawn.get("roads", 0) == 0
    # S2 (south-east) is under the legend at this size: labels are not drawn under it
    assert view.labels.drawn["stations"] == 1
    view.legend.toggle.setChecked(False)  # folded legend: both station names show
    view.graphics.viewport().grab()
    assert view.labels.drawn["stations"] == 2
    view.zoom_to(LON0 + 0.0008, LAT0, 200)
    view.graphics.viewport().grab()
    assert view.labels.drawn["call_signs"] >= 3
    assert view.labels.drawn["roads"] >= 1
    view.set_layer_visible("labels", False)
    assert not view.labels.isVisible()


def test_title_marks_approximate_district_and_legend_lists_types(
    view: MapView, cfg: Config
) -> None:
    assert view.title.text() == "测试区 (approximate)"
    view.set_district(make_district(approximate=False))
    assert view.title.text() == "测试区"
    texts = view.legend.texts("units")
    names = [ut.name_zh if is_chinese() else ut.name_en for ut in cfg.unit_types.values()]
    assert texts[1 : 1 + len(names)] == names  # after the "Unit types" heading
    legend_texts = set(view.legend.texts())
    assert {
        "Available",
        "En route",
        "On scene",
        "Off duty",
        "No recent fix",
        "Priority 1",
    } <= legend_texts


def test_zoom_to_unit_centres_it(view: MapView) -> None:
    view.set_units([unit(0, LON0 + 0.006, LAT0 - 0.004)])
    view.zoom_to_unit("P000", radius_m=250)
    (x0, x1), (y0, y1) = view.viewbox.viewRange()
    x, y = view.table.x[0], view.table.y[0]
    assert (x0 + x1) / 2 == pytest.approx(x, abs=1.0)
    assert (y0 + y1) / 2 == pytest.approx(y, abs=1.0)
    assert min(x1 - x0, y1 - y0) == pytest.approx(500, rel=0.05)


def test_every_source_string_is_listed_for_translation() -> None:
    src = s.all_sources()
    assert "Fix {age} s ago" in src and "{name} (approximate)" in src
    assert len(src) == len(set(src)) > 30


def test_update_unit_changes_style_but_never_rewinds_position(view: MapView) -> None:
    view.set_units([unit(0, LON0, LAT0), unit(1, LON0 + 0.001, LAT0)])
    t = time.time()
    view.apply_moves(
        UnitsMoved(
            t=t,
            idx=np.array([0], np.int32).tobytes(),
            lon=np.array([LON0 + 0.002]).tobytes(),
            lat=np.array([LAT0]).tobytes(),
            fix_t=np.array([t]).tobytes(),
        )
    )
    late = msgspec.structs.replace(unit(0, LON0, LAT0, fix_age=3.0), status="on_scene")
    view.update_unit(late)  # status event carrying an older position
    assert view.table.lon[0] == LON0 + 0.002
    assert view.table.atlas_index()[0] % st.N_STYLES == st.STYLE_ON_SCENE
    view.update_unit(unit(2, LON0 - 0.001, LAT0, status="off_duty"))  # a unit joins
    assert view.table.n == 3
    view.zoom_to_unit("P002")


def test_tooltip_is_chinese_with_a_translator(view: MapView, tmp_path) -> None:  # type: ignore[no-untyped-def]
    import shutil
    import subprocess
    import sys
    from pathlib import Path

    from PySide6.QtCore import QCoreApplication, QTranslator

    lrelease = Path(sys.executable).parent / "pyside6-lrelease"
    if not lrelease.exists() and shutil.which("pyside6-lrelease") is None:
        pytest.skip("pyside6-lrelease not available")
    ts = tmp_path / "map_zh.ts"
    pairs = [
        ("Fix {age} s ago", "定位 {age} 秒前"),
        ("On scene", "到场处置"),
        ("{name} (approximate)", "{name}(示意)"),
    ]
    msgs = "".join(
        f"<message><source>{a}</source><translation>{b}</translation></message>" for a, b in pairs
    )
    ts.write_text(
        '<?xml version="1.0" encoding="utf-8"?><!DOCTYPE TS><TS version="2.1" language="zh_CN">'
        f"<context><name>MapView</name>{msgs}</context></TS>",
        encoding="utf-8",
    )
    qm = tmp_path / "map_zh.qm"
    tool = str(lrelease) if lrelease.exists() else "pyside6-lrelease"
    subprocess.run([tool, str(ts), "-qm", str(qm)], check=True, capture_output=True)
    tr = QTranslator()
    assert tr.load(str(qm))
    QCoreApplication.installTranslator(tr)
    try:
        view.set_units([unit(0, LON0, LAT0, fix_age=12, status="on_scene")])
        tip = view.unit_tooltip("P000")
        assert re.search(r"定位 1[2-4] 秒前", tip), tip
        assert "到场处置" in tip
        QCoreApplication.processEvents()  # LanguageChange reaches the title
        assert view.title.text() == "测试区(示意)"
    finally:
        QCoreApplication.removeTranslator(tr)
