"""``main.py detect``: JSON lines for throws and counts; bad input gives one clear error."""

from __future__ import annotations

import json
import math
from pathlib import Path

import pytest

from console.video.cli import detect_main
from tests.video.written import WrittenScene


def _lines(capsys: pytest.CaptureFixture[str]) -> list[dict[str, object]]:
    return [json.loads(x) for x in capsys.readouterr().out.splitlines() if x.strip()]


def test_a_throw_is_printed_with_release_time_point_and_floor(
    throw_video: WrittenScene, capsys: pytest.CaptureFixture[str]
) -> None:
    code = detect_main(
        ["--video", str(throw_video.video), "--camera", str(throw_video.camera), "--json"]
    )
    assert code == 0
    lines = _lines(capsys)
    throws = [d for d in lines if d["kind"] == "throw"]
    (truth,) = throw_video.scene.labels.throws
    assert len(throws) == 1
    d = throws[0]
    assert set(d) == {"kind", "t", "frame", "release", "floor"}
    assert abs(float(d["t"]) - truth.t) < 0.5  # type: ignore[arg-type]
    assert abs(int(d["frame"]) - truth.frame) <= 5  # type: ignore[call-overload]
    rel = d["release"]
    assert isinstance(rel, list)
    assert math.dist(rel, truth.release) < 30
    assert d["floor"] == truth.floor
    assert not [x for x in lines if x["kind"] == "count"]  # a facade camera counts nobody


def test_a_quiet_facade_raises_nothing(
    quiet_video: WrittenScene, capsys: pytest.CaptureFixture[str]
) -> None:
    assert not quiet_video.scene.labels.throws
    assert (
        detect_main(
            ["--video", str(quiet_video.video), "--camera", str(quiet_video.camera), "--json"]
        )
        == 0
    )
    assert _lines(capsys) == []


def test_counts_come_once_a_second(
    square_video: WrittenScene, capsys: pytest.CaptureFixture[str]
) -> None:
    assert (
        detect_main(
            ["--video", str(square_video.video), "--camera", str(square_video.camera), "--json"]
        )
        == 0
    )
    counts = [d for d in _lines(capsys) if d["kind"] == "count"]
    ts = [float(d["t"]) for d in counts]  # type: ignore[arg-type]
    assert ts == [float(s) for s in range(3, 12)] or ts[:-1] == [float(s) for s in range(3, 12)]
    assert all(isinstance(d["count"], int) and d["count"] >= 0 for d in counts)


def test_evidence_is_written_only_when_asked(
    throw_video: WrittenScene, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    ev = tmp_path / "ev"
    args = ["--video", str(throw_video.video), "--camera", str(throw_video.camera), "--json"]
    assert detect_main([*args, "--evidence", str(ev)]) == 0
    lines = _lines(capsys)
    (throw,) = [d for d in lines if d["kind"] == "throw"]
    (evidence,) = [d for d in lines if d["kind"] == "evidence"]
    assert evidence["event"] == throw["event"]
    assert Path(str(evidence["snapshot"])).stat().st_size > 1000
    assert Path(str(evidence["clip"])).stat().st_size > 1000
    names = sorted(p.suffix for p in (ev / "cam").iterdir())
    assert names == [".jpg", ".json", ".mp4"]


def test_bad_input_gives_one_clear_error(
    throw_video: WrittenScene, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    cam = str(throw_video.camera)
    assert detect_main(["--video", str(tmp_path / "none.mp4"), "--camera", cam]) == 2
    assert "error: video file not found" in capsys.readouterr().err
    junk = tmp_path / "junk.mp4"
    junk.write_text("not a video")
    assert detect_main(["--video", str(junk), "--camera", cam]) == 2
    err = capsys.readouterr().err
    assert err.startswith("error: cannot decode") and "junk.mp4" in err
    bad = tmp_path / "bad.toml"
    bad.write_text(throw_video.camera.read_text().replace("metres_per_pixel", "metres_per_px"))
    assert detect_main(["--video", str(throw_video.video), "--camera", str(bad)]) == 2
    err = capsys.readouterr().err
    assert "bad.toml" in err and "metres_per_px" in err
    two = tmp_path / "two.toml"
    text = throw_video.camera.read_text()
    two.write_text(text + "\n" + text.replace("[cameras.cam]", "[cameras.cam2]"))
    assert detect_main(["--video", str(throw_video.video), "--camera", str(two)]) == 2
    assert "--camera-id" in capsys.readouterr().err
    assert (
        detect_main(["--video", str(throw_video.video), "--camera", str(two), "--camera-id", "x"])
        == 2
    )
    assert "no such camera" in capsys.readouterr().err
