"""Every bad input is named (file, row or feature, field, reason) and nothing is written."""

from __future__ import annotations

import csv
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select

from console.config import Config
from console.district.importer import import_package
from console.district.problems import PackageError, Problem
from console.store import Store
from console.store.models import (
    AreaRow,
    DistrictVersionRow,
    DutyShiftRow,
    OfficerRow,
    PlaceRow,
    StationRow,
    UnitRow,
)
from tests.district.builders import ll, read_json, write_grid_package
from tests.district.conftest import run_main

TABLES = (DistrictVersionRow, StationRow, AreaRow, UnitRow, OfficerRow, DutyShiftRow, PlaceRow)


def db_state(store: Store) -> dict[str, Any]:
    """Row counts of the district tables and every unit's call sign and home."""
    with store.session() as s:
        counts = {m.__tablename__: s.scalar(select(func.count()).select_from(m)) for m in TABLES}
        units = s.execute(
            select(UnitRow.call_sign, UnitRow.home_lon, UnitRow.home_lat, UnitRow.retired_at)
        ).all()
    return {"counts": counts, "units": sorted(units)}


def problems_of(directory: Path, store: Store, config: Config) -> list[Problem]:
    with pytest.raises(PackageError) as e:
        import_package(store, directory, config)
    return e.value.problems


def find(problems: list[Problem], file: str, where: str, field: str, reason: str) -> Problem:
    for p in problems:
        if p.file == file and p.where == where and p.field == field and reason in p.reason:
            assert p.severity == "error"
            return p
    listing = "\n".join(str(p) for p in problems)
    raise AssertionError(f"no problem {file} {where} {field} {reason!r} in:\n{listing}")


def edit_json(path: Path, change: Callable[[dict[str, Any]], None]) -> None:
    doc = read_json(path)
    change(doc)
    path.write_text(json.dumps(doc, ensure_ascii=False), encoding="utf-8")


def edit_csv(path: Path, line: int, column: str, value: str) -> None:
    """Set one cell; ``line`` is the line number in the file (header = line 1)."""
    with path.open(encoding="utf-8", newline="") as fh:
        rows = list(csv.reader(fh))
    rows[line - 1][rows[0].index(column)] = value
    with path.open("w", encoding="utf-8", newline="") as fh:
        csv.writer(fh, lineterminator="\n").writerows(rows)


@pytest.fixture
def imported(grid_dir: Path, store: Store, config: Config) -> dict[str, Any]:
    """The good package imported once; returns the database state to compare against."""
    import_package(store, grid_dir, config)
    return db_state(store)


def test_good_package_imports(grid_dir: Path, store: Store, config: Config) -> None:
    result = import_package(store, grid_dir, config)
    assert result.version == 1 and result.counts["units"] == 5
    assert result.counts["shifts"] == 9 and result.counts["turn_restrictions"] == 0
    assert not [w for w in result.warnings if "overlap" in w.reason or "gap" in w.reason]
    assert db_state(store)["counts"]["district_versions"] == 1


def test_polygon_not_closed(
    grid_dir: Path, store: Store, config: Config, imported: dict[str, Any]
) -> None:
    def open_ring(doc: dict[str, Any]) -> None:
        doc["features"][1]["geometry"]["coordinates"][0].pop()

    edit_json(grid_dir / "areas.geojson", open_ring)
    p = find(
        problems_of(grid_dir, store, config),
        "areas.geojson",
        "feature 2",
        "geometry",
        "polygon not closed",
    )
    assert "ring 1" in p.reason
    assert db_state(store) == imported


def test_self_intersecting_polygon(
    grid_dir: Path, store: Store, config: Config, imported: dict[str, Any]
) -> None:
    def bow_tie(doc: dict[str, Any]) -> None:
        a, b, c, d = ll(-500, 0), ll(0, 0), ll(0, 500), ll(-500, 500)
        doc["features"][0]["geometry"]["coordinates"] = [[a, c, b, d, a]]

    edit_json(grid_dir / "areas.geojson", bow_tie)
    find(
        problems_of(grid_dir, store, config),
        "areas.geojson",
        "feature 1",
        "geometry",
        "polygon is self-intersecting near",
    )
    assert db_state(store) == imported


def test_area_outside_the_outline(
    grid_dir: Path, store: Store, config: Config, imported: dict[str, Any]
) -> None:
    def shift(doc: dict[str, Any]) -> None:
        ring = [ll(400, 0), ll(900, 0), ll(900, 500), ll(400, 500), ll(400, 0)]
        doc["features"][1]["geometry"]["coordinates"] = [ring]

    edit_json(grid_dir / "areas.geojson", shift)
    p = find(
        problems_of(grid_dir, store, config),
        "areas.geojson",
        "feature 2",
        "geometry",
        "area outside the outline",
    )
    assert "'A2'" in p.reason and "80 %" in p.reason
    assert db_state(store) == imported


def test_station_code_unknown(
    grid_dir: Path, store: Store, config: Config, imported: dict[str, Any]
) -> None:
    def rename(doc: dict[str, Any]) -> None:
        doc["features"][2]["properties"]["station"] = "S9"

    edit_json(grid_dir / "areas.geojson", rename)
    edit_csv(grid_dir / "units.csv", 3, "station", "S7")
    problems = problems_of(grid_dir, store, config)
    find(problems, "areas.geojson", "feature 3", "station", "station code unknown: 'S9'")
    find(problems, "units.csv", "line 3", "station", "station code unknown: 'S7'")
    assert db_state(store) == imported


def test_unknown_unit_type(
    grid_dir: Path, store: Store, config: Config, imported: dict[str, Any]
) -> None:
    edit_csv(grid_dir / "units.csv", 4, "unit_type", "swat_team")
    p = find(
        problems_of(grid_dir, store, config),
        "units.csv",
        "line 4",
        "unit_type",
        "unknown unit type 'swat_team'",
    )
    assert "patrol_group" in p.reason  # the known ones are listed
    assert db_state(store) == imported


def test_coordinates_outside_the_district(
    grid_dir: Path, store: Store, config: Config, imported: dict[str, Any]
) -> None:
    lon, lat = ll(2000, 0)
    edit_csv(grid_dir / "units.csv", 2, "lon", str(lon))
    edit_csv(grid_dir / "units.csv", 2, "lat", str(lat))

    def move(doc: dict[str, Any]) -> None:
        doc["features"][0]["geometry"]["coordinates"] = ll(0, -3000)

    edit_json(grid_dir / "stations.geojson", move)
    problems = problems_of(grid_dir, store, config)
    find(problems, "units.csv", "line 2", "lon/lat", "coordinates outside the district")
    find(problems, "stations.geojson", "feature 1", "geometry", "coordinates outside the district")
    assert db_state(store) == imported


def test_duplicate_call_sign(
    grid_dir: Path, store: Store, config: Config, imported: dict[str, Any]
) -> None:
    edit_csv(grid_dir / "units.csv", 5, "call_sign", "G-1")
    find(
        problems_of(grid_dir, store, config),
        "units.csv",
        "line 5",
        "call_sign",
        "duplicate call sign 'G-1' (first on line 2)",
    )
    assert db_state(store) == imported


def test_road_graph_split_so_a_station_cannot_be_reached(
    tmp_path: Path, store: Store, config: Config
) -> None:
    d = write_grid_package(tmp_path / "island", island=True)
    p = find(
        problems_of(d, store, config),
        "stations.geojson",
        "feature 2",
        "geometry",
        "road graph split into pieces that stations cannot reach",
    )
    assert "'S2'" in p.reason
    assert db_state(store)["counts"]["district_versions"] == 0  # nothing written


def test_many_problems_in_one_report_and_the_cli_writes_nothing(
    grid_dir: Path, db_url: str, store: Store, config: Config, imported: dict[str, Any]
) -> None:
    edit_csv(grid_dir / "units.csv", 3, "unit_type", "tank")
    edit_csv(grid_dir / "units.csv", 6, "call_sign", "G-2")
    edit_csv(grid_dir / "roster.csv", 4, "start", "25:00")
    edit_csv(grid_dir / "officers.csv", 3, "unit", "G-99")
    done = run_main("district", "import", str(grid_dir), "--db", db_url)
    assert done.returncode == 1, done.stdout + done.stderr
    err = done.stderr
    assert "nothing was written" in err
    assert "units.csv line 3, field unit_type: unknown unit type 'tank'" in err
    assert "units.csv line 6, field call_sign: duplicate call sign 'G-2'" in err
    assert "roster.csv line 4, field start: not a time (HH:MM): '25:00'" in err
    assert "officers.csv line 3, field unit: unit call sign unknown: 'G-99'" in err
    assert db_state(store) == imported


def test_manifest_problems_name_the_key(grid_dir: Path, store: Store, config: Config) -> None:
    text = (grid_dir / "district.toml").read_text(encoding="utf-8")
    text = text.replace('crs = "wgs84"', 'crs = "utm50"').replace(
        'time_zone = "Asia/Shanghai"', 'time_zone = "Mars/Olympus"'
    )
    (grid_dir / "district.toml").write_text(text + 'colour = "red"\n', encoding="utf-8")
    (grid_dir / "gazetteer.csv").unlink()
    problems = problems_of(grid_dir, store, config)
    find(problems, "district.toml", "[district]", "crs", "unknown coordinate system 'utm50'")
    find(problems, "district.toml", "[district]", "time_zone", "unknown time zone 'Mars/Olympus'")
    find(problems, "district.toml", "[files]", "colour", "unknown file key")
    find(problems, "gazetteer.csv", "", "", "missing")


def test_gaps_and_overlaps_are_reported_as_warnings(
    grid_dir: Path, store: Store, config: Config
) -> None:
    def reshape(doc: dict[str, Any]) -> None:
        # A1 grows 100 m into A2 (overlap); A4 shrinks 100 m from the east edge (gap)
        doc["features"][0]["geometry"]["coordinates"] = [
            [ll(-500, 0), ll(100, 0), ll(100, 500), ll(-500, 500), ll(-500, 0)]
        ]
        doc["features"][3]["geometry"]["coordinates"] = [
            [ll(0, -500), ll(400, -500), ll(400, 0), ll(0, 0), ll(0, -500)]
        ]

    edit_json(grid_dir / "areas.geojson", reshape)
    result = import_package(store, grid_dir, config)
    texts = [str(w) for w in result.warnings]
    overlap = [t for t in texts if "areas 'A1' and 'A2' overlap by" in t]
    gap = [t for t in texts if "gap between areas:" in t]
    assert len(overlap) == 1 and len(gap) == 1, texts
    for text, marker in ((overlap[0], "overlap by "), (gap[0], "gap between areas: ")):
        m2 = float(text.split(marker)[1].split(" m²")[0])
        assert 49_500 < m2 < 50_500  # 100 m x 500 m


def test_gcj02_and_bd09_packages_are_stored_in_wgs84(tmp_path: Path, config: Config) -> None:
    from console.store import open_store, repos

    stored = {}
    for crs in ("wgs84", "gcj02", "bd09"):
        d = write_grid_package(tmp_path / crs, crs=crs, code=f"grid_{crs}")
        s = open_store(f"sqlite:///{tmp_path / crs}.sqlite3")
        try:
            import_package(s, d, config)
            with s.session() as ss:
                stored[crs] = repos.PackageRepo(ss).load(f"grid_{crs}")
        finally:
            s.close()
    ref = stored["wgs84"].district
    for crs in ("gcj02", "bd09"):
        got = stored[crs].district
        for a, b in zip(ref.stations, got.stations, strict=True):
            assert abs(a.lon - b.lon) < 1e-8 and abs(a.lat - b.lat) < 1e-8
        for a, b in zip(ref.units, got.units, strict=True):
            assert abs(a.home_lon - b.home_lon) < 1e-8 and abs(a.home_lat - b.home_lat) < 1e-8
        for wa, wb in zip(ref.ways, got.ways, strict=True):
            assert (
                max(
                    abs(p - q)
                    for u, v in zip(wa.coords, wb.coords, strict=True)
                    for p, q in zip(u, v, strict=True)
                )
                < 1e-8
            )
        pa = {p.name: p for p in stored["wgs84"].places}
        for p in stored[crs].places:
            assert abs(p.lon - pa[p.name].lon) < 1e-8
