"""``evaluate-crowd``: one JSON line of WAPE and MAE per model on any count file."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import numpy as np
import pytest

from console.crowd.cli import evaluate_crowd_main
from console.crowd.daytypes import PlaceCalendar
from console.crowd.evaluate import evaluate
from tests.crowd.synth import synthetic_panel

TZ = "Asia/Shanghai"
AUCKLAND = (
    Path(__file__).resolve().parents[3]
    / "shared"
    / "data"
    / "crowd"
    / "auckland-pedestrians-2019-2023.csv.gz"
)


def _csv(tmp_path: Path) -> Path:
    panel = synthetic_panel(TZ, dt.date(2024, 6, 3), days=70, series=2)
    path = tmp_path / "counts.csv"
    lines = ["ts,where,people"]
    for s, name in enumerate(panel.names):
        for i in range(panel.grid.n):
            if i % 97 == 5:  # a few hours the counter was down
                continue
            local = dt.datetime.fromtimestamp(float(panel.grid.time(i)), dt.UTC)
            lines.append(f"{local.isoformat()},{name},{int(panel.y[s, i])}")
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def _args(path: Path, *extra: str) -> list[str]:
    return [
        "--csv", str(path), "--time-col", "ts", "--sensor-col", "where",
        "--count-col", "people", "--tz", TZ, "--jobs", "1", *extra,
    ]  # fmt: skip


def test_one_json_line_with_every_model(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = _csv(tmp_path)
    code = evaluate_crowd_main(_args(path, "--from", "2024-07-22", "--to", "2024-07-29"))
    out, err = capsys.readouterr()
    assert code == 0, err
    lines = out.strip().splitlines()
    assert len(lines) == 1
    result = json.loads(lines[0])
    assert result["forecasts"] == 14 and result["issues"] == 7
    assert set(result["models"]) == {"seasonal_naive_week", "weekly_profile", "gradient_boosting"}
    for m in result["models"].values():
        assert 0 < m["wape"] < 0.2 and m["mae"] > 0
        assert m["hours"] == result["models"]["seasonal_naive_week"]["hours"]
    assert 300 < result["models"]["weekly_profile"]["hours"] < 7 * 24 * 2  # gaps unscored
    assert result["best"] in result["models"]
    assert "block 1/1 done" in err  # progress goes to stderr


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        (["--from", "2024-07-29", "--to", "2024-07-22"], "must be after"),
        (["--from", "2020-01-01", "--to", "2020-01-08"], "outside the counts"),
        (["--from", "2024-07-22", "--to", "2024-07-29", "--models", "oracle"], "unknown model"),
        (["--from", "2024-07-22", "--to", "2024-07-29", "--horizon-h", "500"], "1 to 168"),
        (["--from", "2024-07-22", "--to", "2024-07-29", "--country", "XX"], "holiday calendar"),
    ],
)
def test_bad_requests_exit_2_with_a_reason(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], extra: list[str], message: str
) -> None:
    assert evaluate_crowd_main(_args(_csv(tmp_path), *extra)) == 2
    out, err = capsys.readouterr()
    assert out == "" and message in err


def test_a_missing_column_is_named(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    args = _args(_csv(tmp_path), "--from", "2024-07-22", "--to", "2024-07-29")
    args[args.index("people")] = "visitors"
    assert evaluate_crowd_main(args) == 2
    assert "no column 'visitors'" in capsys.readouterr().err


def test_parallel_blocks_give_the_same_figures() -> None:
    panel = synthetic_panel(TZ, dt.date(2024, 6, 3), days=70, series=2)
    cal = PlaceCalendar("CN")
    kw = dict(model_names=["seasonal_naive_week", "weekly_profile"], refit_days=3)
    one = evaluate(panel, cal, dt.date(2024, 7, 20), dt.date(2024, 7, 29), jobs=1, **kw)
    two = evaluate(panel, cal, dt.date(2024, 7, 20), dt.date(2024, 7, 29), jobs=2, **kw)
    for r in (one, two):
        r.pop("seconds")
        for m in r["models"].values():  # type: ignore[attr-defined]
            m.pop("fit_predict_s")
    assert one == two


@pytest.mark.skipif(not AUCKLAND.exists(), reason=f"reference data absent: {AUCKLAND}")
def test_auckland_counts_read_and_score(capsys: pytest.CaptureFixture[str]) -> None:
    """The real file: its daylight-saving gap rows are skipped, one week scores sanely."""
    code = evaluate_crowd_main(
        [
            "--csv",
            str(AUCKLAND),
            "--time-col",
            "time",
            "--sensor-col",
            "sensor",
            "--count-col",
            "count",
            "--tz",
            "Pacific/Auckland",
            "--subdiv",
            "AUK",
            "--from",
            "2023-09-18",
            "--to",
            "2023-09-25",
            "--jobs",
            "1",
            "--models",
            "seasonal_naive_week,weekly_profile",
        ]
    )
    out, err = capsys.readouterr()
    assert code == 0, err
    result = json.loads(out)
    assert result["series"] == 11 and result["skipped_rows"] == 52 and result["bad_rows"] == 0
    assert "calendar NZ-AUK" in err  # the country came from the zone
    # the week holds the spring-forward day (24 September): 23 local hours, still scored
    assert result["forecasts"] == 77
    for m in result["models"].values():
        assert 0.05 < m["wape"] < 0.5
    assert np.isfinite(result["models"]["weekly_profile"]["mae"])
