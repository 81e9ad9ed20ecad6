"""Count files: bad rows named by line and column, file-level problems named plainly,
``crowd import`` into a real store (nothing written while rows are bad)."""

from __future__ import annotations

import gzip
import json
from pathlib import Path

import numpy as np
import pytest

from console.crowd.cli import crowd_main
from console.crowd.csvread import read_counts
from console.crowd.errors import CrowdError
from console.crowd.repo import CrowdRepo
from console.store import open_store

TZ = "Asia/Shanghai"
GOOD = "time,sensor,count\n2024-10-01T10:00:00,east,120\n2024-10-01T10:30:00,east,80\n"


def _write(tmp_path: Path, text: str, name: str = "c.csv") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_bad_rows_are_named_by_line_and_column(tmp_path: Path) -> None:
    path = _write(
        tmp_path,
        "time,sensor,count\n"
        "2024-10-01T10:00:00,east,120\n"  # line 2: good
        "2024-10-01T11:00:00,east,many\n"  # line 3
        "yesterday,east,5\n"  # line 4
        "2024-10-01T12:00:00,east,-3\n"  # line 5
        "2024-10-01T13:00:00,,4\n"  # line 6
        "2024-10-01T10:00:00,east,7\n"  # line 7: same sensor and hour as line 2
        "2024-10-01T14:00:00\n"  # line 8
        "\n"
        "2024-10-01T15:00:00,east,nan\n",  # line 10
    )
    cf = read_counts(path, time_col="time", sensor_col="sensor", count_col="count", tz=TZ)
    got = {p.line: (p.column, p.reason) for p in cf.errors}
    assert got[3] == ("count", "'many' is not a number")
    assert got[4][0] == "time" and "not a time" in got[4][1]
    assert got[5][0] == "count" and "not a count" in got[5][1]
    assert got[6] == ("sensor", "empty sensor name")
    assert got[7] == ("time", "duplicate of line 2 (same sensor and time)")
    assert "fields" in got[8][1]
    assert got[10][0] == "count"
    assert sorted(got) == [3, 4, 5, 6, 7, 8, 10]
    assert cf.count.tolist() == [120.0] and cf.line.tolist() == [2]
    assert "line 3 column 'count': 'many' is not a number" in cf.summary()


def test_file_level_problems_are_clear_errors(tmp_path: Path) -> None:
    path = _write(tmp_path, GOOD)
    with pytest.raises(CrowdError, match=r"no column 'people'.*'time', 'sensor', 'count'"):
        read_counts(path, time_col="time", sensor_col="sensor", count_col="people", tz=TZ)
    with pytest.raises(CrowdError, match=r"carry no UTC offset.*--tz"):
        read_counts(path, time_col="time", sensor_col="sensor", count_col="count")
    with pytest.raises(CrowdError, match="unknown time zone"):
        read_counts(path, time_col="time", sensor_col="sensor", count_col="count", tz="Moon")
    with pytest.raises(CrowdError, match="cannot read"):
        read_counts(tmp_path / "missing.csv", time_col="t", sensor_col="s", count_col="c")
    with pytest.raises(CrowdError, match="empty file"):
        read_counts(_write(tmp_path, "", "e.csv"), time_col="t", sensor_col="s", count_col="c")
    bad = tmp_path / "bad.csv"
    bad.write_bytes(b"time,sensor,count\n2024-10-01T10:00:00,\xff\xfe,1\n")
    with pytest.raises(CrowdError, match="unreadable after line"):
        read_counts(bad, time_col="time", sensor_col="sensor", count_col="count", tz=TZ)


def test_gzip_and_explicit_offsets(tmp_path: Path) -> None:
    path = tmp_path / "c.csv.gz"
    with gzip.open(path, "wt", encoding="utf-8") as f:
        f.write(
            "when,n\n2024-10-01T02:00:00Z,5\n2024-10-01T11:00:00+08:00,6\n"
            "2024-10-01T10:00:00+08:00,7\n"  # line 4: the same instant as line 2
        )
    cf = read_counts(path, time_col="when", count_col="n", sensor="gate")
    assert cf.sensors == ["gate"] and cf.t[1] - cf.t[0] == 3600.0
    assert [str(p) for p in cf.errors] == [
        "line 4 column 'when': duplicate of line 2 (same sensor and time)"
    ]


def test_import_refuses_bad_rows_then_imports_good_ones(tmp_path: Path) -> None:
    db = f"sqlite:///{tmp_path / 'crowd.sqlite3'}"
    path = _write(tmp_path, GOOD + "2024-10-01T11:00:00,east,lots\n2024-10-01T11:00:00,west,40\n")
    args = [
        "import",
        str(path),
        "--time-col",
        "time",
        "--sensor-col",
        "sensor",
        "--count-col",
        "count",
        "--place",
        "bund",
        "--db",
        db,
    ]
    assert crowd_main(args) == 2
    with (
        open_store(db) as store,
        store.session() as s,
        pytest.raises(CrowdError, match="no crowd place"),
    ):
        CrowdRepo(s).place_id("bund")
    assert crowd_main([*args, "--skip-bad"]) == 0
    with open_store(db) as store, store.session() as s:
        repo = CrowdRepo(s)
        pid = repo.place_id("bund")
        t, v = repo.series(pid, 3600, 0, 4e9)
    # the Bund is an occupancy place: rows in one hour average (120, 80 -> 100), sensors add
    assert v.tolist() == [100.0, 40.0]
    assert t[1] - t[0] == 3600.0


def test_import_prints_one_json_line_and_reimport_replaces(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    db = f"sqlite:///{tmp_path / 'crowd.sqlite3'}"
    path = _write(tmp_path, GOOD)
    args = [
        "import",
        str(path),
        "--time-col",
        "time",
        "--sensor-col",
        "sensor",
        "--count-col",
        "count",
        "--place",
        "yuyuan",
        "--db",
        db,
    ]
    assert crowd_main(args) == 0
    assert crowd_main(args) == 0
    lines = capsys.readouterr().out.strip().splitlines()
    done = json.loads(lines[-1])
    assert done["place"] == "yuyuan" and done["buckets"] == 1 and done["bad_rows"] == 0
    with open_store(db) as store, store.session() as s:
        repo = CrowdRepo(s)
        _t, v = repo.series(repo.place_id("yuyuan"), 3600, 0, 4e9)
    assert v.tolist() == [100.0]  # not doubled


def test_import_usage_and_unknown_place(tmp_path: Path) -> None:
    assert crowd_main([]) == 2
    path = _write(tmp_path, GOOD)
    assert (
        crowd_main(
            [
                "import",
                str(path),
                "--time-col",
                "time",
                "--count-col",
                "count",
                "--place",
                "mars",
                "--db",
                f"sqlite:///{tmp_path / 'x.sqlite3'}",
            ]
        )
        == 2
    )


def test_series_keeps_gaps_and_combines_counters(tmp_path: Path) -> None:
    from console.crowd.settings import load_crowd_settings

    with open_store(f"sqlite:///{tmp_path / 'c.sqlite3'}") as store:
        place = load_crowd_settings().place("bund")
        with store.transaction() as s:
            repo = CrowdRepo(s)
            pid = repo.ensure_place(place, now=1.0)
            ids = repo.ensure_sensors(pid, ["a", "b"], source="camera")
            sid = np.array([ids["a"], ids["b"], ids["a"]], dtype=np.int64)
            repo.put_counts(pid, sid, 60, np.array([0.0, 0.0, 120.0]), np.array([5.0, 7.0, 9.0]))
        with store.session() as s:
            repo = CrowdRepo(s)
            t, v = repo.series(pid, 60, 0, 1000)
            _t, v_max = repo.series(pid, 60, 0, 1000, combine="max")
            with pytest.raises(CrowdError, match="not negative"):
                repo.put_counts(pid, sid[:1], 60, np.array([0.0]), np.array([-1.0]))
    assert t.tolist() == [0.0, 120.0] and v.tolist() == [12.0, 9.0]  # minute 60: a gap
    assert v_max.tolist() == [7.0, 9.0]


def test_minutes_roll_up_into_hours_only_when_counted_enough(tmp_path: Path) -> None:
    from console.crowd.settings import load_crowd_settings

    hour = 1_727_740_800.0  # a clock hour in Shanghai (whole-hour zone)
    with open_store(f"sqlite:///{tmp_path / 'r.sqlite3'}") as store:
        with store.transaction() as s:
            repo = CrowdRepo(s)
            pid = repo.ensure_place(load_crowd_settings().place("bund"), now=1.0)
            ids = repo.ensure_sensors(pid, ["full", "patchy"], source="camera")
            minutes = hour + 60.0 * np.arange(60)
            repo.put_counts(pid, np.full(60, ids["full"]), 60, minutes, np.full(60, 900.0))
            repo.put_counts(pid, np.full(30, ids["patchy"]), 60, minutes[:30], np.full(30, 50.0))
            assert repo.roll_up_hour(pid, hour, "occupancy", now=2.0) == 1
        with store.session() as s:
            t, v = CrowdRepo(s).series(pid, 3600, 0, 4e9)
    assert t.tolist() == [hour] and v.tolist() == [900.0]  # the patchy counter is a gap
