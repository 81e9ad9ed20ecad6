"""Map layers added for the map tools: coverage gaps and raster tiles (folder, MBTiles, URL)."""

from __future__ import annotations

import dataclasses
import functools
import http.server
import os
import sqlite3
import tempfile
import threading
from collections.abc import Iterator
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import msgspec
import numpy as np
import pytest
from PySide6.QtCore import QPointF
from PySide6.QtGui import QColor, QImage

from console.config import Config
from console.geo.coords import wgs84_to_gcj02
from tests.widgets.test_map_view import LAT0, LON0, colour_mask, grab_rgb, make_district
from widgets.map import MapView
from widgets.map.layers.coverage import parse_coverage
from widgets.map.layers.tiles import (
    FolderTileSource,
    MBTilesSource,
    TileLoader,
    UrlTileSource,
    lonlat_to_tile,
    open_tile_source,
    tile_bounds,
    tiles_covering,
    zoom_for,
)
from widgets.map.projection import DisplayProjection

FOLDER_COLOUR = "#00c853"
MBTILES_COLOUR = "#2962ff"
ZOOMS = range(12, 18)


@pytest.fixture(scope="module")
def cfg(config: Config) -> Config:
    return config  # the session's (tests/conftest.py)


def with_map(cfg: Config, **kw: object) -> Config:
    return dataclasses.replace(cfg, map=msgspec.structs.replace(cfg.map, **kw))


def _view(qtbot, cfg: Config) -> MapView:  # type: ignore[no-untyped-def]
    v = MapView(cfg)
    qtbot.addWidget(v)
    v.resize(800, 600)
    v.show()
    qtbot.waitExposed(v)
    v.set_district(make_district())
    v.zoom_to_district()
    return v


def png(colour: str, size: int = 256) -> bytes:
    """A one-colour PNG tile."""
    img = QImage(size, size, QImage.Format.Format_RGB32)
    img.fill(QColor(colour))
    with tempfile.TemporaryDirectory() as tmp:
        path = os.path.join(tmp, "t.png")
        assert img.save(path)
        return Path(path).read_bytes()


def district_tiles(z: int) -> list[tuple[int, int, int]]:
    d = 0.02  # a margin around the 2 km test district
    return tiles_covering(LON0 - d, LAT0 - d, LON0 + d, LAT0 + d, z)


@pytest.fixture(scope="module")
def tile_folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("tiles")
    data = png(FOLDER_COLOUR)
    for z in ZOOMS:
        for _, x, y in district_tiles(z):
            f = root / str(z) / str(x) / f"{y}.png"
            f.parent.mkdir(parents=True, exist_ok=True)
            f.write_bytes(data)
    return root


@pytest.fixture(scope="module")
def mbtiles(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("mb") / "district.mbtiles"
    con = sqlite3.connect(path)
    con.execute("CREATE TABLE metadata (name TEXT, value TEXT)")
    con.execute(
        "CREATE TABLE tiles (zoom_level INTEGER, tile_column INTEGER, tile_row INTEGER,"
        " tile_data BLOB)"
    )
    con.executemany(
        "INSERT INTO metadata VALUES (?, ?)",
        [("name", "test"), ("format", "png"), ("minzoom", "12"), ("maxzoom", "17")],
    )
    data = png(MBTILES_COLOUR)
    rows = [
        (z, x, 2**z - 1 - y, data)  # TMS: rows counted from the south
        for z in ZOOMS
        for _, x, y in district_tiles(z)
    ]
    con.executemany("INSERT INTO tiles VALUES (?, ?, ?, ?)", rows)
    con.commit()
    con.close()
    return path


# ------------------------------------------------------------------ coverage


def coverage_result() -> dict[str, object]:
    """A GetCoverage-shaped result: special police miss the district's south-west quarter."""
    lon = np.linspace(LON0 - 0.009, LON0 - 0.001, 12)
    lat = np.linspace(LAT0 - 0.009, LAT0 - 0.001, 12)
    glon, glat = (a.ravel() for a in np.meshgrid(lon, lat))
    force = {
        "unit_type": "special_police",
        "name_zh": "特警武装处置队",
        "name_en": "Special-police armed team",
        "standard_s": 180.0,
        "units_available": 3,
        "node_share": 0.7,
        "length_share": 0.54,
        "uncovered_nodes": int(glon.size),
        "areas": [],
        "gaps": [
            {
                "nodes": int(glon.size),
                "length_m": 4200.0,
                "lon": LON0 - 0.005,
                "lat": LAT0 - 0.005,
                "area_codes": ["A1"],
            }
        ],
    }
    patrol = {**force, "unit_type": "patrol_group", "length_share": 1.0, "gaps": []}
    return {
        "report": {"hour": 10, "forces": [force, patrol], "fixed_points": []},
        "uncovered": {
            "special_police": {"lon": glon.tobytes(), "lat": glat.tobytes()},
            "patrol_group": {"lon": b"", "lat": b""},
        },
    }


def test_coverage_layer_is_off_by_default_and_draws_the_gaps_when_shown(qtbot, cfg) -> None:  # type: ignore[no-untyped-def]
    view = _view(qtbot, cfg)
    assert "coverage" in view.layer_names() and not view.is_layer_visible("coverage")
    view.set_coverage(coverage_result(), "special_police")
    assert view.coverage_item.x.size == 144
    assert len(view.gap_texts) == 1 and "4.2" in view.gap_texts[0]
    assert view.proj is not None

    def viewport_px(lon: float, lat: float) -> tuple[int, int]:
        assert view.proj is not None
        scene = view.viewbox.mapViewToScene(QPointF(*view.proj.point_xy(lon, lat)))
        pt = view.graphics.mapFromScene(scene)
        return pt.x(), pt.y()

    def tinted_near(rgb: np.ndarray, lon: float, lat: float) -> bool:
        x, y = viewport_px(lon, lat)
        patch = rgb[y - 6 : y + 6, x - 6 : x + 6].astype(int)
        return bool(((patch[:, :, 0] - patch[:, :, 1]) > 25).any())  # magenta over grey roads

    assert not tinted_near(grab_rgb(view), LON0 - 0.007, LAT0 - 0.003)  # layer still hidden
    assert not view.legend.labels("coverage")[0].isVisibleTo(view.legend)

    view.set_layer_visible("coverage", True)
    rgb = grab_rgb(view)
    assert view.coverage_item.painted_points == 144
    assert view.labels.drawn.get("coverage_gaps") == 1
    # the patch is where the nodes are (south-west), not in the north-east
    assert tinted_near(rgb, LON0 - 0.007, LAT0 - 0.003)
    assert not tinted_near(rgb, LON0 + 0.005, LAT0 + 0.005)
    assert view.legend.labels("coverage")[0].isVisibleTo(view.legend)
    assert "3 min" in view.legend.labels("coverage")[0].text()

    # a type with full coverage clears the patch; hiding the layer hides legend row
    view.set_coverage(coverage_result(), "patrol_group")
    assert view.coverage_item.x.size == 0 and view.gap_texts == []
    view.set_layer_visible("coverage", False)
    assert not view.legend.labels("coverage")[0].isVisibleTo(view.legend)


def test_coverage_input_errors_are_named(qtbot, cfg) -> None:  # type: ignore[no-untyped-def]
    view = _view(qtbot, cfg)
    with pytest.raises(KeyError, match="no force type 'armed_police'"):
        view.set_coverage(coverage_result(), "armed_police")
    with pytest.raises(ValueError, match="'report' and 'uncovered'"):
        parse_coverage({"report": {}})
    bad = coverage_result()
    bad["uncovered"] = {"special_police": {"lon": b"\0" * 16, "lat": b"\0" * 8}}
    with pytest.raises(ValueError, match="2 longitudes but 1 latitudes"):
        parse_coverage(bad)


# ------------------------------------------------------------------ tile math and sources


def test_tile_math_round_trips_and_picks_a_sensible_zoom() -> None:
    w, s, e, n = tile_bounds(0, 0, 0)
    assert (w, e) == (-180.0, 180.0) and n == pytest.approx(85.0511, abs=1e-3) and s == -n
    x, y = lonlat_to_tile(LON0, LAT0, 16)
    w, s, e, n = tile_bounds(16, int(x), int(y))
    assert w <= LON0 < e and s < LAT0 <= n
    # zoom 17 has 1.02 m pixels at this latitude, zoom 16 2.04 m: the nearer one wins
    assert zoom_for(1.2, LAT0, 0, 19) == 17
    assert zoom_for(1.8, LAT0, 0, 19) == 16
    assert zoom_for(1.2, LAT0, 0, 15) == 15  # clamped to what the source has
    assert zoom_for(0.0, LAT0, 3, 19) == 3


def test_tile_sources_refuse_bad_specs_by_name(tmp_path: Path) -> None:
    assert open_tile_source("") is None
    with pytest.raises(ValueError, match="does not exist"):
        open_tile_source(str(tmp_path / "nowhere"))
    with pytest.raises(ValueError, match=r"needs \{z\}, \{x\} and \{y\}"):
        open_tile_source("https://tiles.example/{z}/{x}.png")
    (tmp_path / "empty").mkdir()
    with pytest.raises(ValueError, match="holds no"):
        open_tile_source(str(tmp_path / "empty"))
    junk = tmp_path / "junk.mbtiles"
    junk.write_bytes(b"not a database at all" * 10)
    with pytest.raises(ValueError, match="not readable"):
        open_tile_source(str(junk))
    with pytest.raises(ValueError, match="only http"):
        open_tile_source("ftp://tiles/{z}/{x}/{y}.png")


def test_mbtiles_rows_are_flipped_and_folder_zooms_detected(
    tile_folder: Path, mbtiles: Path
) -> None:
    mb = open_tile_source(str(mbtiles))
    assert isinstance(mb, MBTilesSource) and (mb.min_zoom, mb.max_zoom) == (12, 17)
    z, x, y = district_tiles(15)[0]
    data = mb.fetch(z, x, y)
    assert data is not None and QImage.fromData(data).pixelColor(5, 5).name() == MBTILES_COLOUR
    assert mb.fetch(z, x, 2**z - 1 - y) is None  # the unflipped row is another place
    mb.close()
    fo = open_tile_source(str(tile_folder))
    assert isinstance(fo, FolderTileSource) and (fo.min_zoom, fo.max_zoom) == (12, 17)
    assert fo.fetch(z, x, y) is not None and fo.fetch(z, x + 500, y) is None


def test_gcj02_tiles_line_up_with_gcj02_display() -> None:
    """A GCJ-02 tile corner lands exactly where the WGS-84 point it shows is drawn."""
    proj = DisplayProjection(LON0, LAT0, "gcj02")
    glon, glat = wgs84_to_gcj02(np.array([LON0 + 0.003]), np.array([LAT0 - 0.002]))
    tx, ty = proj.display_to_xy(glon, glat)
    ux, uy = proj.to_xy(LON0 + 0.003, LAT0 - 0.002)
    assert abs(tx[0] - ux[0]) < 1e-6 and abs(ty[0] - uy[0]) < 1e-6
    # drawn in WGS-84, the same GCJ-02 tile would sit hundreds of metres off
    wgs = DisplayProjection(LON0, LAT0, "wgs84")
    wx, _ = wgs.to_xy(LON0 + 0.003, LAT0 - 0.002)
    assert abs(wgs.display_to_xy(glon, glat)[0][0] - wx[0]) > 100


# ------------------------------------------------------------------ tiles on the map


@pytest.mark.parametrize("kind", ["folder", "mbtiles"])
def test_tiles_load_off_the_gui_thread_and_are_drawn_under_the_map(  # type: ignore[no-untyped-def]
    qtbot,
    cfg: Config,
    tile_folder: Path,
    mbtiles: Path,
    kind: str,
) -> None:
    spec, colour = (
        (str(tile_folder), FOLDER_COLOUR) if kind == "folder" else (str(mbtiles), MBTILES_COLOUR)
    )
    view = _view(qtbot, with_map(cfg, tile_source=spec))
    assert view.tile_error == ""
    assert view.layer_names()[0] == "tiles" and view.is_layer_visible("tiles")
    loader = view.tiles.loader
    assert isinstance(loader, TileLoader)
    qtbot.waitUntil(lambda: not loader.pending and len(loader.cache) > 0, timeout=10_000)
    assert threading.get_ident() not in loader.worker_threads and loader.worker_threads
    assert loader.errors == 0
    view.tiles.update()
    rgb = grab_rgb(view)
    assert view.tiles.drawn == len(view.tiles.tiles) > 0
    # the district fill goes transparent over a raster map: the tile colour shows through
    assert colour_mask(rgb, colour, tol=20).sum() > 0.25 * rgb.shape[0] * rgb.shape[1]
    # zooming in asks for a finer zoom level, again from the workers
    z0 = view.tiles.zoom
    view.zoom_to(LON0, LAT0, 150)
    assert view.tiles.zoom > z0
    qtbot.waitUntil(lambda: not loader.pending, timeout=10_000)
    assert any(k[0] == view.tiles.zoom for k in loader.cache)
    view.set_layer_visible("tiles", False)
    assert colour_mask(grab_rgb(view), colour, tol=20).sum() == 0
    view.set_tile_source("")
    assert "tiles" not in view.layer_names() and view.tiles.loader is None


def test_a_bad_tile_source_leaves_the_vector_map(qtbot, cfg: Config, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    view = _view(qtbot, with_map(cfg, tile_source=str(tmp_path / "missing")))
    assert "does not exist" in view.tile_error
    assert "tiles" not in view.layer_names()
    assert view.placed is not None  # the district is drawn as usual


class _Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args: object) -> None:  # keep pytest output clean
        pass


@pytest.fixture
def tile_server(tile_folder: Path) -> Iterator[str]:
    handler = functools.partial(_Quiet, directory=str(tile_folder))
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    t = threading.Thread(target=httpd.serve_forever, daemon=True)
    t.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}/{{z}}/{{x}}/{{y}}.png"
    httpd.shutdown()
    httpd.server_close()


def test_url_tiles_are_kept_on_disk(tile_server: str, tmp_path: Path) -> None:
    """A local HTTP server (loopback only) stands in for an intranet tile server."""
    z, x, y = district_tiles(14)[0]
    src = UrlTileSource(tile_server, tmp_path / "cache")
    data = src.fetch(z, x, y)
    assert data is not None and src.downloads == 1
    assert src.cache_path(z, x, y) is not None and src.cache_path(z, x, y).read_bytes() == data  # type: ignore[union-attr]
    assert src.fetch(z, x + 900, y) is None  # 404: outside the server's coverage
    again = UrlTileSource("http://127.0.0.1:9/{z}/{x}/{y}.png", tmp_path / "cache")
    assert again.fetch(z, x, y) == data and again.downloads == 0  # from disk, no server
