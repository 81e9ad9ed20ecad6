"""Map redraw benchmark: 20,000 moving units + heat, offscreen; prints ONE JSON line.

    QT_QPA_PLATFORM=offscreen python bench/map.py [--units 20000] [--seconds 4]

- ``fps``: frames per second of the MapView, each frame = ``apply_moves`` of every
  unit + the redraw-timer flush (one ``update()``) + ``processEvents`` until the
  units item has actually been painted (roads, heat, stations, labels included).
- ``bare_scatter_fps``: the same number of points in a bare pyqtgraph
  ScatterPlotItem (``setData`` with per-point brush and symbol each frame, then
  ``processEvents`` until painted), same widget size, same run.
- ``position_to_pixel_ms``: median time from a fix entering the system to the
  changed pixel in the window's backing store (read with ``QScreen.grabWindow``,
  which does not re-render).  Measured through the real hub + bridge when they
  can be started (``position_to_pixel_path`` = "hub"), else from the
  ``apply_moves`` call ("map"); both include the map's frame-rate limiter.
"""

from __future__ import annotations

import argparse
import itertools
import json
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QPointF
from PySide6.QtGui import QColor, QGuiApplication
from PySide6.QtWidgets import QApplication

from console.config import Config, load_config
from console.heat import heat_grid
from console.hub.messages import StaticDistrict, UnitsMoved, UnitState
from widgets.map import MapView

LON0, LAT0 = 121.4840, 31.2270  # Huangpu
HALF = 0.024  # about 4.6 km x 5.3 km
W, H = 1280, 800
DEADLINE_S = 3.0  # a pixel not changed by then counts as a timeout


def synthetic_district(n_lines: int = 70) -> StaticDistrict:
    """A street grid about the size of Huangpu, ~9,800 segments in four classes."""
    segs: list[tuple[float, float, float, float]] = []
    cls: list[int] = []
    ticks = np.linspace(-HALF, HALF, n_lines)
    for k, f in enumerate(ticks):
        c = 0 if k % 12 == 0 else 1 if k % 4 == 0 else 2 if k % 2 == 0 else 3
        for a, b in itertools.pairwise(ticks):
            segs.append((LON0 + a, LAT0 + f, LON0 + b, LAT0 + f))
            segs.append((LON0 + f, LAT0 + a, LON0 + f, LAT0 + b))
            cls += [c, c]
    outline = [
        (LON0 - HALF, LAT0 - HALF),
        (LON0 + HALF, LAT0 - HALF),
        (LON0 + HALF, LAT0 + HALF),
        (LON0 - HALF, LAT0 + HALF),
    ]
    rng = np.random.default_rng(1)
    pts = rng.uniform(-HALF, HALF, (12, 2))
    return StaticDistrict(
        code="bench",
        name="黄浦区",
        approximate=True,
        outline=outline,
        stations=[
            {"code": f"S{i}", "name": f"派出所{i}", "lon": LON0 + p[0], "lat": LAT0 + p[1]}
            for i, p in enumerate(pts[:8])
        ],
        areas=[],
        landmarks={},
        fixed_points=[
            {"code": f"F{i}", "name": f"1分钟点{i}", "lon": LON0 + p[0], "lat": LAT0 + p[1]}
            for i, p in enumerate(pts[8:])
        ],
        seg_lonlat=np.asarray(segs, dtype=np.float64).tobytes(),
        seg_class=np.asarray(cls, dtype=np.int8).tobytes(),
        road_labels=[],
    )


def make_units(cfg: Config, n: int, rng: np.random.Generator) -> list[UnitState]:
    types = list(cfg.unit_types)
    statuses = ["available"] * 6 + ["en_route", "dispatched", "on_scene", "off_duty"]
    now = time.time()
    lon = LON0 + rng.uniform(-HALF, HALF, n)
    lat = LAT0 + rng.uniform(-HALF, HALF, n)
    return [
        UnitState(
            idx=i,
            call_sign=f"U{i:05d}",
            unit_type=types[i % len(types)],
            station=None,
            area=None,
            status=statuses[i % len(statuses)],
            status_since=now,
            incident_id=None,
            lon=float(lon[i]),
            lat=float(lat[i]),
            fix_t=now,
        )
        for i in range(n)
    ]


def pump(app: QApplication) -> None:
    app.processEvents()


def settle(app: QApplication, seconds: float) -> None:
    """Keep the event loop running for a while (previous frame fully painted)."""
    end = time.perf_counter() + seconds
    while time.perf_counter() < end:
        app.processEvents()
        time.sleep(0.002)


def until_painted(app: QApplication, item: Any) -> None:
    """Run the event loop until ``item`` has been painted once more (Qt's normal update path)."""
    seen = item.paint_count
    deadline = time.perf_counter() + 2.0
    while item.paint_count == seen and time.perf_counter() < deadline:
        app.processEvents()


class CountingScatter(pg.ScatterPlotItem):
    """A stock ScatterPlotItem that counts its paints (to know a frame is on screen)."""

    paint_count = 0

    def paint(self, *args: Any) -> None:
        self.paint_count += 1
        super().paint(*args)


def bench_map(app: QApplication, cfg: Config, n: int, seconds: float) -> tuple[float, MapView]:
    rng = np.random.default_rng(7)
    view = MapView(cfg)
    view.resize(W, H)
    view.legend.hide()
    view.show()
    view.set_district(synthetic_district())
    view.set_units(make_units(cfg, n, rng))
    calls = 100_000
    view.set_heat(
        heat_grid(
            rng.normal(LON0, 0.01, calls),
            rng.normal(LAT0, 0.01, calls),
            (LON0 - HALF, LAT0 - HALF, LON0 + HALF, LAT0 + HALF),
            cell_m=50.0,
        )
    )
    for _ in range(5):
        pump(app)
    lon = view.table.lon.copy()
    lat = view.table.lat.copy()
    idx = np.arange(n, dtype=np.int32)
    idx_b = idx.tobytes()
    frames = 0
    t0 = time.perf_counter()
    while time.perf_counter() - t0 < seconds:
        lon += rng.normal(0, 2e-5, n)  # ~2 m steps
        lat += rng.normal(0, 2e-5, n)
        ev = UnitsMoved(
            t=time.time(),
            idx=idx_b,
            lon=lon.tobytes(),
            lat=lat.tobytes(),
            fix_t=np.full(n, time.time()).tobytes(),
        )
        view.apply_moves(ev)
        view.flush()  # what the frame timer does: one update() of the units item
        until_painted(app, view.units)
        frames += 1
    fps = frames / (time.perf_counter() - t0)
    return fps, view


def bench_bare_scatter(
    app: QApplication, cfg: Config, n: int, seconds: float, view_range: Any
) -> float:
    rng = np.random.default_rng(7)
    gv = pg.GraphicsView(background="w")
    vb = pg.ViewBox(lockAspect=True)
    gv.setCentralItem(vb)
    gv.resize(W, H)
    gv.show()
    types = list(cfg.unit_types.values())
    sym_map = {
        "circle": "o",
        "square": "s",
        "triangle": "t",
        "diamond": "d",
        "star": "star",
        "cross": "+",
    }
    brushes = [pg.mkBrush(types[i % len(types)].colour) for i in range(n)]
    symbols = [sym_map[types[i % len(types)].symbol] for i in range(n)]
    pen = pg.mkPen("w")
    sp = CountingScatter(pxMode=True, size=10)  # the map draws 10 px symbols at this zoom
    vb.addItem(sp)
    (x0, x1), (y0, y1) = view_range
    x = rng.uniform(x0, x1, n)
    y = rng.uniform(y0, y1, n)
    sp.setData(x=x, y=y, brush=brushes, symbol=symbols, pen=pen)
    vb.setRange(xRange=(x0, x1), yRange=(y0, y1), padding=0)
    for _ in range(5):
        pump(app)
    frames = 0
    t0 = time.perf_counter()
    while time.perf_counter() - t0 < seconds:
        x += rng.normal(0, 2.0, n)
        y += rng.normal(0, 2.0, n)
        sp.setData(x=x, y=y, brush=brushes, symbol=symbols, pen=pen)
        until_painted(app, sp)
        frames += 1
    fps = frames / (time.perf_counter() - t0)
    gv.close()
    return fps


def _pixel(view: MapView, pt: QPointF) -> QColor:
    """The colour at a viewport point as it is in the window's backing store (no re-render)."""
    gp = view.graphics.viewport().mapTo(view.window(), pt.toPoint())
    screen = QGuiApplication.primaryScreen()
    img = screen.grabWindow(view.window().winId(), gp.x(), gp.y(), 1, 1).toImage()
    return img.pixelColor(0, 0)


def _spots(view: MapView) -> list[tuple[float, float, QPointF]]:
    """Two points just outside the district's east edge (no other unit there), lon/lat + pixel."""
    assert view.proj is not None
    out = []
    for dlat in (-0.004, 0.004):
        lon, lat = LON0 + HALF * 1.025, LAT0 + dlat
        x, y = view.proj.point_xy(lon, lat)
        scene = view.viewbox.mapViewToScene(QPointF(x, y))
        out.append((lon, lat, QPointF(view.graphics.mapFromScene(scene))))
    return out


def latency_map(app: QApplication, view: MapView, trials: int = 15) -> list[float]:
    """apply_moves -> changed pixel, through the frame limiter and a normal (queued) repaint."""
    spots = _spots(view)
    rng = np.random.default_rng(11)
    res = []
    for k in range(trials):
        lon, lat, pt = spots[k % 2]
        settle(app, 0.06 + rng.uniform(0, 0.1))  # random phase against the redraw timer
        before = _pixel(view, pt)
        ev = UnitsMoved(
            t=time.time(),
            idx=np.array([0], np.int32).tobytes(),
            lon=np.array([lon]).tobytes(),
            lat=np.array([lat]).tobytes(),
            fix_t=np.array([time.time()]).tobytes(),
        )
        t0 = time.perf_counter()
        view.apply_moves(ev)
        while _pixel(view, pt) == before and time.perf_counter() - t0 < DEADLINE_S:
            pump(app)
        res.append((time.perf_counter() - t0) * 1000)
    return res


def latency_hub(app: QApplication, cfg: Config, trials: int = 15) -> list[float] | None:
    """Fix into the real hub -> flush -> bridge -> map -> pixel; None if the hub cannot start."""
    with tempfile.TemporaryDirectory() as tmp:
        try:
            from console.hub.bootstrap import start_embedded_hub
            from console.hub.client import InprocClient
            from console.hub.messages import GetDistrict, GetSnapshot
            from widgets.bridge import HubBridge

            hub = start_embedded_hub(f"sqlite:///{Path(tmp) / 'bench.sqlite'}", cfg, simulate=False)
        except Exception as exc:  # any failure: the hub is not usable yet
            print(f"hub path unavailable: {type(exc).__name__}: {exc}", file=sys.stderr)
            return None
        try:
            client = InprocClient(hub)
            view = MapView(cfg)
            view.resize(W, H)
            view.legend.hide()
            view.show()
            view.set_district(client.call(GetDistrict()).result)
            view.set_units(client.call(GetSnapshot()).result.units)
            bridge = HubBridge(client)
            bridge.unitsMoved.connect(view.apply_moves)
            bridge.start()
            assert view.placed is not None and view.proj is not None
            r = view.placed.rect
            rng = np.random.default_rng(11)
            res = []
            for k in range(trials):
                x = r.right() + 120.0  # just outside the district: nothing else is drawn there
                y = r.center().y() + (-300.0 if k % 2 else 300.0)
                lon, lat = view.proj.to_lonlat(x, y)
                scene = view.viewbox.mapViewToScene(QPointF(x, y))
                pt = QPointF(view.graphics.mapFromScene(scene))
                settle(app, 0.06 + rng.uniform(0, 0.1))
                before = _pixel(view, pt)
                t0 = time.perf_counter()
                # checked: the jumps are synthetic (the link gates real terminals' fixes)
                hub.ingest_positions(
                    np.array([0]),
                    np.array([lon]),
                    np.array([lat]),
                    np.array([time.time()]),
                    checked=True,
                )
                while _pixel(view, pt) == before and time.perf_counter() - t0 < DEADLINE_S:
                    pump(app)
                    time.sleep(0.001)
                res.append((time.perf_counter() - t0) * 1000)
            bridge.stop()
            return res
        finally:
            hub.stop()


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--units", type=int, default=20_000)
    ap.add_argument("--seconds", type=float, default=4.0)
    args = ap.parse_args()
    existing = QApplication.instance()
    app = existing if isinstance(existing, QApplication) else QApplication([])
    cfg = load_config()
    fps, view = bench_map(app, cfg, args.units, args.seconds)
    bare = bench_bare_scatter(app, cfg, args.units, args.seconds, view.viewbox.viewRange())
    lat_map = latency_map(app, view)
    lat_hub = latency_hub(app, cfg)
    lat = lat_hub if lat_hub else lat_map
    out = {
        "fps": round(fps, 1),
        "bare_scatter_fps": round(bare, 1),
        "fps_ratio": round(fps / bare, 2) if bare else None,
        "position_to_pixel_ms": round(statistics.median(lat), 1),
        "position_to_pixel_max_ms": round(max(lat), 1),
        "position_to_pixel_path": "hub" if lat_hub else "map",
        "position_to_pixel_timeouts": sum(v >= DEADLINE_S * 1000 for v in lat),
        "apply_moves_to_pixel_ms": round(statistics.median(lat_map), 1),
        "units": args.units,
        "widget": f"{W}x{H}",
    }
    print(json.dumps(out))


if __name__ == "__main__":
    main()
