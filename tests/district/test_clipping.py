"""Clipping on import: roads are kept inside the outline plus ``[roads] margin_m`` and the
points left out are counted; calls must lie inside the outline itself (no margin).

The grid package gets three extra roads (one in the margin, one far outside, one
crossing the margin); the People's Square package is the real OSM extract with a
margin of 100 m, checked against shapely buffering the outline independently.
"""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from pathlib import Path

import numpy as np
import pytest
import shapely
from shapely.geometry import Polygon

from console.config import Config
from console.district.calls_import import CallColumns, CallsSpec, import_calls
from console.district.importer import import_package
from console.district.load import load_package
from console.geo.coords import LocalProjection
from console.store import Store, repos
from tests.district.builders import PS_OUTLINE, ll, read_json, write_csv, write_peoples_square
from tests.district.conftest import needs_osm, run_inproc

MARGIN_M = 100.0


def _add_roads(pkg: Path) -> None:
    """Margin 100 m; a road 50 m outside the east edge (in the margin), one 300 m outside
    (beyond it) and one from inside across the margin to 400 m outside."""
    toml = pkg / "district.toml"
    toml.write_text(
        toml.read_text(encoding="utf-8") + f"\n[roads]\nmargin_m = {MARGIN_M}\n", encoding="utf-8"
    )
    doc = read_json(pkg / "roads.geojson")
    extra = [
        ("边缘路", [ll(500, -300), ll(550, -300), ll(550, 300), ll(500, 300)]),  # 2 in, 2 margin
        ("远路", [ll(800, -300), ll(800, 0), ll(800, 300)]),  # all 3 beyond the margin
        ("穿越路", [ll(300, -100), ll(500, -100), ll(560, -100), ll(900, -100)]),  # 1 beyond
    ]
    for name, coords in extra:
        doc["features"].append(
            {
                "type": "Feature",
                "properties": {"name": name, "class": "local", "oneway": False},
                "geometry": {"type": "LineString", "coordinates": coords},
            }
        )
    (pkg / "roads.geojson").write_text(json.dumps(doc, ensure_ascii=False), encoding="utf-8")


def test_roads_in_the_margin_kept_beyond_it_dropped_and_counted(
    grid_dir: Path, db_url: str, store: Store, capsys: pytest.CaptureFixture[str]
) -> None:
    _add_roads(grid_dir)
    code, out, err = run_inproc(capsys, "district", "import", str(grid_dir), "--db", db_url)
    assert code == 0, err
    assert "4 road points outside the outline and its margin left out" in out
    with store.session() as s:
        pkg = repos.PackageRepo(s).load("grid")
    ways = {w.name: w.coords for w in pkg.district.ways}
    assert "远路" not in ways  # wholly beyond the margin
    assert len(ways["边缘路"]) == 4  # the two points in the margin are kept
    cut = ways["穿越路"]  # cut where it leaves the margin
    assert len(cut) == 3
    assert cut[-1] == pytest.approx(tuple(ll(560, -100)), abs=1e-7)
    assert len(ways) == 12 + 2  # the grid's 6 + 6 streets and two of the three added


def test_calls_must_lie_in_the_outline_itself(
    grid_dir: Path, store: Store, config: Config, tmp_path: Path
) -> None:
    _add_roads(grid_dir)
    import_package(store, grid_dir, config)
    with store.session() as s:
        outline = list(repos.PackageRepo(s).load("grid", roads=False).district.outline)
    places = {
        "inside": ll(-200, 150),
        "near the edge": ll(499, 0),
        "in the road margin": ll(550, 0),
        "far out": ll(900, 0),
    }
    f = tmp_path / "calls.csv"
    write_csv(
        f,
        ("id", "time", "lat", "lon", "type"),
        [(k, "2026-05-29 08:00", p[1], p[0], "theft") for k, p in places.items()],
    )
    spec = CallsSpec(CallColumns("time", "lat", "lon", "type", "id"), tz="Asia/Shanghai")
    res = import_calls(store, f, spec, outline, list(config.incident_types))
    assert res.added == 2
    assert res.by_reason["outside the district"] == 2
    assert [r.where for r in res.rejected] == ["line 4", "line 5"]
    assert all("coordinates outside the district" in r.reason for r in res.rejected)
    with store.session() as s:
        assert repos.CallHistoryRepo(s).count() == 2


def _osm_way_points(path: Path) -> int:
    """Points of the drivable ways in the OSM file (counted without the importer)."""
    root = ET.parse(path).getroot()
    n = 0
    for way in root.iter("way"):
        tags = {t.get("k"): t.get("v") for t in way.iter("tag")}
        if "highway" in tags:
            n += len(way.findall("nd"))
    return n


@needs_osm
def test_real_osm_clipped_to_outline_plus_margin(tmp_path: Path, config: Config) -> None:
    pkg_dir = write_peoples_square(tmp_path / "ps")
    toml = pkg_dir / "district.toml"
    toml.write_text(
        toml.read_text(encoding="utf-8").replace("margin_m = 3000", f"margin_m = {MARGIN_M}"),
        encoding="utf-8",
    )
    pkg, _warnings = load_package(pkg_dir, config)
    # the same margin around the outline, built here with shapely in a local metric plane
    proj = LocalProjection(*np.mean(np.asarray(PS_OUTLINE), axis=0))
    ox, oy = proj.to_xy(*np.asarray(PS_OUTLINE).T)
    ring = Polygon(np.column_stack([ox, oy]))
    kept = np.asarray([p for w in pkg.district.ways for p in w.coords])
    kx, ky = proj.to_xy(kept[:, 0], kept[:, 1])
    dist = shapely.distance(ring, shapely.points(kx, ky))
    assert dist.max() <= MARGIN_M + 1.0  # nothing beyond the margin (1 m: projection)
    assert (dist > 1.0).sum() > 0  # ... but points in the margin are kept
    assert pkg.road_points_left_out > 100  # the extract reaches beyond 100 m
    # what is left out and what is kept add up to (at most) the file's road points
    read = _osm_way_points(pkg_dir / "roads.osm")
    assert len(kept) + pkg.road_points_left_out <= read
