"""Past calls from CSV and GeoJSON: rejections named, re-import adds nothing, cancel: nothing."""

from __future__ import annotations

import datetime as dt
import json
import threading
import zoneinfo
from pathlib import Path

import numpy as np
import pytest
from sqlalchemy import inspect

from console.audit import verify
from console.config import Config
from console.district import calls_import
from console.district.calls_import import (
    CallColumns,
    CallsImportError,
    CallsSpec,
    ImportCancelled,
    import_calls,
    read_type_map,
)
from console.district.importer import import_package
from console.geo.coords import wgs84_to_gcj02
from console.store import Store, repos
from console.store.repos import AuditRepo
from tests.district.builders import PORTLAND_CALLS, ROOT, ll, write_csv
from tests.district.conftest import run_inproc

SHANGHAI = zoneinfo.ZoneInfo("Asia/Shanghai")
INSIDE = ll(-200, 150)
HEADER = ("call_id", "reported", "wgs_lat", "wgs_lon", "kind")


def local(y: int, mo: int, d: int, h: int, mi: int = 0) -> float:
    return dt.datetime(y, mo, d, h, mi, tzinfo=SHANGHAI).timestamp()


@pytest.fixture
def district(grid_dir: Path, store: Store, config: Config) -> list[tuple[float, float]]:
    import_package(store, grid_dir, config)
    with store.session() as s:
        return list(repos.PackageRepo(s).load("grid", roads=False).district.outline)


def spec(**kw: object) -> CallsSpec:
    cols = CallColumns("reported", "wgs_lat", "wgs_lon", "kind", str(kw.pop("id_col", "call_id")))
    return CallsSpec(cols, tz="Asia/Shanghai", **kw)  # type: ignore[arg-type]


def calls_count(store: Store) -> int:
    with store.session() as s:
        return repos.CallHistoryRepo(s).count()


@pytest.mark.store  # the write path on PostgreSQL too (its driver's cursor)
def test_csv_rows_checked_named_and_written_once(
    tmp_path: Path, store: Store, config: Config, district: list[tuple[float, float]]
) -> None:
    lon, lat = INSIDE
    far = ll(5000, 0)
    rows = [
        ("c1", "2026-05-29 08:00", lat, lon, "theft"),  # line 2
        ("c2", "2026-05-29T09:30:00+08:00", lat, lon, "fight"),  # line 3: explicit offset
        ("c3", "yesterday", lat, lon, "theft"),  # line 4: bad time
        ("c4", "2026-05-29 10:00", "north", lon, "theft"),  # line 5: bad lat
        ("c5", "2026-05-29 11:00", far[1], far[0], "theft"),  # line 6: outside
        ("c6", "2026-05-29 12:00", lat, lon, "ufo"),  # line 7: unknown type
        ("c1", "2026-05-29 13:00", lat, lon, "theft"),  # line 8: id again
        ("c8", "1780030800", lat, lon, "dispute"),  # line 9: unix seconds
        ("", "2026-05-29 14:00", lat, lon, "theft"),  # line 10: no id
    ]
    f = tmp_path / "calls.csv"
    write_csv(f, HEADER, rows)
    res = import_calls(store, f, spec(), district, list(config.incident_types))
    assert (res.rows, res.added, res.already) == (9, 3, 0)
    got = {str(r) for r in res.rejected}
    assert got == {
        "line 4, field reported: cannot read 'yesterday' as a date/time",
        "line 5, field lat/lon: not a position: 'north', " + repr(str(lon)),
        f"line 6, field lat/lon: coordinates outside the district: ({far[1]}, {far[0]})",
        "line 7, field kind: type 'ufo' not a configured incident type",
        "line 8, field call_id: duplicate id 'c1' (first on line 2)",
        "line 10, field call_id: empty id",
    }
    with store.session() as s:
        calls = repos.CallHistoryRepo(s).query(0, 2e9)
    assert calls.t.tolist() == [local(2026, 5, 29, 8), local(2026, 5, 29, 9, 30), 1780030800.0]
    assert calls.incident_type.tolist() == ["theft", "fight", "dispute"]
    again = import_calls(store, f, spec(), district, list(config.incident_types))
    assert (again.added, again.already) == (0, 3)
    assert calls_count(store) == 3


@pytest.mark.store  # the write path on PostgreSQL too (its driver's cursor)
def test_without_ids_identical_calls_stay_apart_and_a_reimport_adds_nothing(
    tmp_path: Path, store: Store, config: Config, district: list[tuple[float, float]]
) -> None:
    lon, lat = INSIDE
    glon, glat = wgs84_to_gcj02(lon, lat)  # the file is GCJ-02, as Chinese map data usually is
    rows = [
        ("", "2026-05-29", glat, glon, "THEFT"),
        ("", "2026-05-29", glat, glon, "THEFT"),  # the same call twice: two calls
        ("", "2026-05-29", glat, glon, "BRAWL"),
        ("", "2026-05-30", glat, glon, "PARKING"),  # not in the map
    ]
    f = tmp_path / "nokey.csv"
    write_csv(f, HEADER, rows)
    tmap = tmp_path / "types.csv"
    write_csv(tmap, ("value", "type"), [("THEFT", "theft"), ("BRAWL", "fight")])
    s = spec(id_col="", crs="gcj02", type_map=read_type_map(tmap, list(config.incident_types)))
    res = import_calls(store, f, s, district, list(config.incident_types))
    assert (res.added, len(res.rejected)) == (3, 1)
    assert str(res.rejected[0]) == "line 5, field kind: type 'PARKING' not in the type map"
    with store.session() as ss:
        calls = repos.CallHistoryRepo(ss).query(0, 2e9)
    assert np.allclose(calls.lon, lon, atol=1e-8) and np.allclose(calls.lat, lat, atol=1e-8)
    assert calls.t[0] == local(2026, 5, 29, 0)
    assert import_calls(store, f, s, district, list(config.incident_types)).added == 0
    rows.append(("", "2026-05-29", glat, glon, "THEFT"))  # a third identical call: it is new
    write_csv(f, HEADER, rows)
    assert import_calls(store, f, s, district, list(config.incident_types)).added == 1


def test_geojson_calls(
    tmp_path: Path, store: Store, config: Config, district: list[tuple[float, float]]
) -> None:
    lon, lat = INSIDE

    def feat(geometry: object, i: int) -> dict[str, object]:
        props = {"at": "2026-05-29 10:00", "type": "theft", "id": f"g{i}"}
        return {"type": "Feature", "geometry": geometry, "properties": props}

    point = {"type": "Point", "coordinates": [lon, lat]}
    feats = [feat(point, i) for i in range(3)] + [feat(None, 9)]
    f = tmp_path / "calls.geojson"
    f.write_text(json.dumps({"type": "FeatureCollection", "features": feats}), encoding="utf-8")
    s = CallsSpec(CallColumns("at", type="type", id="id"), tz="Asia/Shanghai")
    res = import_calls(store, f, s, district, list(config.incident_types))
    assert res.added == 3 and [str(r) for r in res.rejected] == [
        "feature 4, field lat/lon: not a position: '', ''"
    ]


def test_cancel_rolls_back_the_whole_import(
    tmp_path: Path,
    store: Store,
    config: Config,
    district: list[tuple[float, float]],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(calls_import, "BATCH", 10)  # many small batches
    lon, lat = INSIDE
    rows = [(f"k{i}", "2026-05-29 08:00", lat, lon, "theft") for i in range(100)]
    f = tmp_path / "many.csv"
    write_csv(f, HEADER, rows)
    cancel = threading.Event()
    seen: list[tuple[str, int, int]] = []

    def progress(phase: str, done: int, total: int) -> None:
        seen.append((phase, done, total))
        if phase == "writing" and done >= 50:
            cancel.set()  # what the dialog's Cancel button does

    with pytest.raises(ImportCancelled, match="nothing was written"):
        import_calls(
            store,
            f,
            spec(),
            district,
            list(config.incident_types),
            progress=progress,
            cancel=cancel,
        )
    assert ("writing", 50, 100) in seen
    assert calls_count(store) == 0  # the batches already sent were rolled back

    def indexes() -> set[str]:
        return {str(i["name"]) for i in inspect(store.engine).get_indexes("call_history")}

    assert indexes() == {"ix_call_history_t", "ix_call_history_call_key"}  # dropped: back
    res = import_calls(store, f, spec(), district, list(config.incident_types))
    assert res.added == 100
    assert indexes() == {"ix_call_history_t", "ix_call_history_call_key"}  # rebuilt


def test_bad_requests_are_refused_before_reading(
    tmp_path: Path, store: Store, config: Config, district: list[tuple[float, float]]
) -> None:
    f = tmp_path / "calls.csv"
    write_csv(f, HEADER, [("a", "2026-05-29", 31.23, 121.47, "theft")])
    with pytest.raises(CallsImportError, match="has no column 'when' for the time"):
        s = CallsSpec(CallColumns("when", "wgs_lat", "wgs_lon", "kind"))
        import_calls(store, f, s, district, list(config.incident_types))
    bad_map = tmp_path / "map.csv"
    write_csv(bad_map, ("value", "type"), [("X", "theft"), ("Y", "looting")])
    with pytest.raises(
        CallsImportError, match=r"map\.csv line 3, field type: unknown incident type 'looting'"
    ):
        read_type_map(bad_map, list(config.incident_types))


def test_cli_prints_every_rejected_row(
    tmp_path: Path,
    db_url: str,
    store: Store,
    district: list[tuple[float, float]],
    capsys: pytest.CaptureFixture[str],
) -> None:
    lon, lat = INSIDE
    f = tmp_path / "calls.csv"
    write_csv(f, HEADER, [("a", "2026-05-29", lat, lon, "theft"), ("b", "", lat, lon, "theft")])
    code, out, err = run_inproc(
        capsys,
        "calls",
        "import",
        str(f),
        "--db",
        db_url,
        "--time-col",
        "reported",
        "--lat-col",
        "wgs_lat",
        "--lon-col",
        "wgs_lon",
        "--type-col",
        "kind",
        "--id-col",
        "call_id",
        "--quiet",
        "--rejects",
        str(tmp_path / "rejects.csv"),
    )
    assert code == 0, err
    assert "2 rows read, 1 calls added, 0 already stored, 1 rejected" in out
    assert "line 3, field reported: empty" in out
    assert (tmp_path / "rejects.csv").read_text(encoding="utf-8").splitlines()[1] == (
        "line 3,reported,empty"
    )
    # an administration command: on record before it wrote, then what it did
    with store.session() as s:
        rows = [(r.action, r.payload) for r in AuditRepo(s).tail(20)]
    actions = [a for a, _ in rows]
    assert actions.index("calls.import") < actions.index("calls.import.done")
    done = dict(rows)["calls.import.done"]
    assert (done["rows"], done["added"], done["rejected"]) == (2, 1, 1)
    assert verify(store) is None


@pytest.mark.skipif(
    not PORTLAND_CALLS.is_file(), reason=f"{PORTLAND_CALLS} is absent (../shared/data)"
)
def test_portland_real_calls(db_url: str, capsys: pytest.CaptureFixture[str]) -> None:
    pkg = ROOT / "resources" / "districts" / "portland"
    code, _, err = run_inproc(capsys, "district", "import", str(pkg), "--db", db_url)
    assert code == 0, err
    args = (
        "calls",
        "import",
        str(PORTLAND_CALLS),
        "--db",
        db_url,
        "--time-col",
        "occurred_on",
        "--lat-col",
        "lat",
        "--lon-col",
        "lon",
        "--type-col",
        "description",
        "--type-map",
        str(pkg / "calls-type-map.csv"),
        "--tz",
        "America/Los_Angeles",
        "--quiet",
    )
    code, out, err = run_inproc(capsys, *args)
    assert code == 0, err
    head = out.splitlines()[0]
    print(head)  # the figures (pytest -s shows them)
    assert "37819 rows read, 31086 calls added, 0 already stored, 6733 rejected" in head
    assert "rejected 6732: type not in the type map" in out
    assert "rejected 1: time unreadable or empty" in out
    assert "line 19377, field occurred_on: empty" in out
    code, out, _ = run_inproc(capsys, *args)
    assert "31086 already stored" in out.splitlines()[0]


def test_times_fast_and_slow_paths_agree_across_daylight_saving() -> None:
    from console.district.calls_parse import times

    tz = zoneinfo.ZoneInfo("America/Los_Angeles")
    values = [
        "2016-03-13 01:30",  # the night the clocks go forward
        "2016-03-13 03:30",
        "2016-11-06 01:30:00",  # ambiguous: the first (daylight) 01:30, as zoneinfo's fold=0
        "2016-08-10",
        "2016-08-10T12:00:00-04:00",  # an explicit offset wins over the zone
        "1470855600",
    ]
    expected = [dt.datetime.fromisoformat(v).replace(tzinfo=tz).timestamp() for v in values[:4]] + [
        dt.datetime.fromisoformat(values[4]).timestamp(),
        1470855600.0,
    ]
    for batch in (values, values[:4]):  # all on the fast path, and mixed with the slow one
        got, bad = times(batch, "America/Los_Angeles")
        assert not bad.any() and got.tolist() == expected[: len(batch)]
    got, bad = times(["2016/08/10", "2016-02-30", ""], "America/Los_Angeles")
    assert bad.tolist() == [True, True, True]
