"""``main.py evaluate-forecast``: one JSON line on real and synthetic files, clear errors on bad
ones."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from console.heat.cli import evaluate_forecast_main
from console.heat.synthetic import synthetic_city, write_csv

PORTLAND = (
    Path(__file__).resolve().parents[2].parent
    / "shared"
    / "data"
    / "incidents"
    / "portland-nij-2016-aug-sep.csv"
)
BASE = ["--time-col", "time", "--lat-col", "lat", "--lon-col", "lon"]


def _run(capsys: pytest.CaptureFixture[str], argv: list[str]) -> tuple[int, str, str]:
    rc = evaluate_forecast_main(argv)
    out = capsys.readouterr()
    return rc, out.out, out.err


@pytest.fixture(scope="module")
def city_csv(tmp_path_factory: pytest.TempPathFactory) -> Path:
    s = synthetic_city(days=56, calls_per_day=50, seed=21)
    return write_csv(s, tmp_path_factory.mktemp("heat") / "city.csv")


@pytest.mark.skipif(not PORTLAND.exists(), reason=f"real data not here: {PORTLAND}")
def test_portland_best_model_beats_the_baseline(capsys: pytest.CaptureFixture[str]) -> None:
    argv = ["--csv", str(PORTLAND), "--time-col", "occurred_on", "--lat-col", "lat"]
    argv += ["--lon-col", "lon", "--cell-m", "150", "--area-frac", "0.01"]
    argv += ["--train-days", "28", "--horizon-days", "7"]
    rc, out, err = _run(capsys, argv)
    assert rc == 0, err
    lines = out.strip().splitlines()
    assert len(lines) == 1
    res = json.loads(lines[0])
    assert res["windows"] == 4
    assert set(res["models"]) == {"baseline", "prospective", "sepp", "blend"}
    for m in res["models"].values():
        assert set(m) == {"pai", "pei", "hit_rate"}
        assert 0 < m["pei"] <= 1 and 0 < m["hit_rate"] <= 1
    best = res["models"][res["best"]]["pai"]
    assert best >= 1.2 * res["models"]["baseline"]["pai"]
    assert "skipped 1 row(s) with no time in 'occurred_on'" in err  # the one undated row
    assert "window 4/4" in err


def test_synthetic_file_with_types(capsys: pytest.CaptureFixture[str], city_csv: Path) -> None:
    argv = ["--csv", str(city_csv), *BASE, "--type-col", "type", "--types", "theft,fight"]
    argv += ["--tz", "Asia/Shanghai", "--models", "baseline,blend", "--cell-m", "200"]
    rc, out, err = _run(capsys, argv)
    assert rc == 0, err
    res = json.loads(out)
    assert res["windows"] == 4 and set(res["models"]) == {"baseline", "blend"}
    assert res["best"] in res["models"] and "whole hours" not in err and "(minutes)" in err


@pytest.mark.parametrize(
    ("extra", "content", "message"),
    [
        (["--lat-col", "latitude"], None, "no column 'latitude'"),
        ([], "time,type,lat,lon\n2026-01-01 10:00,theft,31.2,121.4\nyesterday,x,31.2,121.4\n",
         "line 3, column 'time': cannot read time 'yesterday'"),
        ([], "time,type,lat,lon\n2026-01-01 10:00,theft,131.2,121.4\n",
         "line 2, column 'lat': bad coordinate '131.2'"),
        (["--bbox", "0,0,1,1"], None, "no rows with a time and a position in range"),
        (["--types", "theft"], None, "--types needs --type-col"),
        (["--type-col", "type", "--types", "ufo"], None, "no rows of type 'ufo'"),
        (["--train-days", "60"], None, "too short for --train-days 60"),
        (["--tz", "Mars/Olympus"], None, "unknown time zone 'Mars/Olympus'"),
        (["--models", "oracle"], None, "unknown model(s) oracle"),
        ([], "", "the file is empty"),
    ],
)  # fmt: skip
def test_bad_input_is_named(
    capsys: pytest.CaptureFixture[str],
    tmp_path: Path,
    city_csv: Path,
    extra: list[str],
    content: str | None,
    message: str,
) -> None:
    path = city_csv
    if content is not None:
        path = tmp_path / "bad.csv"
        path.write_text(content, encoding="utf-8")
    argv = ["--csv", str(path), *BASE]
    # later options win in argparse: the case's own column names replace the defaults
    rc, out, err = _run(capsys, argv + extra)
    assert rc == 2 and out == ""
    assert message in err


def test_missing_file_is_named(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    rc, _, err = _run(capsys, ["--csv", str(tmp_path / "nope.csv"), *BASE])
    assert rc == 2 and "nope.csv: cannot open" in err
