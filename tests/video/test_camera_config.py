"""config/cameras.toml: the shipped file loads; every mistake names file, key and reason."""

from __future__ import annotations

from pathlib import Path

import pytest

from console.config import ConfigError
from console.video.config import CameraConfigError, guess_kind, load_cameras, parse_cameras
from console.video.records import AnyRecord, CameraState, CrowdCount, Detection, decode, encode

GOOD = """
[evidence]
retention_days = 7

[cameras.tower]
name = "tower"
source = "rtsp://192.0.2.1/s"
lon = 121.49
lat = 31.23
facade = [[10, 10], [300, 10], [300, 200], [10, 200]]
metres_per_pixel = 0.1

[cameras.square]
name = "square"
source = "0"
lon = 121.49
lat = 31.23
walkable = [[0, 50], [320, 50], [320, 240], [0, 240]]
capacity = 100
person_height_px = [20, 60]
"""


def test_shipped_file_loads_with_a_facade_and_crowd_cameras() -> None:
    f = load_cameras()
    assert any(c.throws for c in f.cameras)
    assert any(c.crowd for c in f.cameras)
    assert f.evidence.retention_days > 0
    for c in f.cameras:
        assert 121.0 < c.spec.lon < 122.0 and 31.0 < c.spec.lat < 31.5


def test_good_text_parses_and_kinds_are_guessed() -> None:
    f = parse_cameras(GOOD)
    assert [c.id for c in f.cameras] == ["tower", "square"]
    assert f.get("tower").kind == "stream"
    assert f.get("square").kind == "device"
    assert f.evidence.retention_days == 7
    assert guess_kind("/data/video.mp4") == "file"
    assert guess_kind("https://cam/video.mjpg") == "stream"


@pytest.mark.parametrize(
    ("edit", "key", "words"),
    [
        (("capacity = 100\n", ""), "cameras.square.capacity", "required"),
        (("metres_per_pixel = 0.1\n", ""), "cameras.tower.metres_per_pixel", "required"),
        (
            ("[[10, 10], [300, 10], [300, 200], [10, 200]]", "[[10, 10], [300, 10]]"),
            "facade",
            "3 corners",
        ),
        (
            ("[[10, 10], [300, 10], [300, 200], [10, 200]]", "[[0, 0], [5, 5], [9, 9]]"),
            "facade",
            "no area",
        ),
        (
            ("capacity = 100\n", "capacity = 100\nwarning_share = 0.95\n"),
            "warning_share",
            "warning < alarm",
        ),
        (("capacity = 100\n", "capacity = -3\n"), "capacity", "> 0"),
        (("person_height_px = [20, 60]\n", ""), "person_height_px", "required"),
        (("lon = 121.49\nlat = 31.23\nfacade", "lon = 500\nlat = 31.23\nfacade"), "lon", "WGS84"),
        (("capacity = 100\n", 'capacity = "many"\n'), "cameras.square.capacity", "got `str`"),
        (("capacity = 100\n", "capacity = 100\ncolour = 3\n"), "cameras.square", "colour"),
        (('source = "0"', 'source = "0"\nkind = "satellite"'), "cameras.square.kind", "satellite"),
    ],
)
def test_mistakes_are_named(edit: tuple[str, str], key: str, words: str) -> None:
    old, new = edit
    assert old in GOOD
    text = GOOD.replace(old, new, 1)
    with pytest.raises(CameraConfigError) as info:
        parse_cameras(text, name="cams.toml")
    msg = str(info.value)
    assert msg.startswith("cams.toml: ")
    assert key in msg and words in msg, msg
    assert isinstance(info.value, ConfigError)  # the console's start-up handler catches it


def test_a_camera_needs_a_region() -> None:
    text = '[cameras.x]\nname = "x"\nsource = "a.mp4"\nlon = 121.0\nlat = 31.0\n'
    with pytest.raises(CameraConfigError, match=r"facade .* or a walkable region"):
        parse_cameras(text)


def test_syntax_errors_missing_files_and_unknown_ids(tmp_path: Path) -> None:
    with pytest.raises(CameraConfigError, match=r"\(syntax\): not valid TOML"):
        parse_cameras("[cameras.x\nname=")
    with pytest.raises(CameraConfigError, match="file not found"):
        load_cameras(tmp_path / "nope.toml")
    with pytest.raises(CameraConfigError, match="is a directory"):
        load_cameras(tmp_path)
    bad = tmp_path / "bad.toml"
    bad.write_bytes(b"\xff\xfe\x00garbage")
    with pytest.raises(CameraConfigError, match=r"bad\.toml"):
        load_cameras(bad)
    with pytest.raises(CameraConfigError, match=r"no such camera \(have: tower, square\)"):
        parse_cameras(GOOD).get("gate")


def test_records_cross_the_process_boundary_intact() -> None:
    recs: list[AnyRecord] = [
        CameraState(camera_id="c", t=1.5, state="down", reason="stream lost", retry_in_s=2.0),
        CrowdCount(
            camera_id="c", t=3.0, wall_t=9.0, count=12.5, raw=13.0, capacity=100, share=0.125,
            level="normal",
        ),
        Detection(
            camera_id="c", event_id="e1", t=2.0, frame=20, wall_t=9.0, release=(1.0, 2.0),
            floor=3, height_m=7.5, accel_m_s2=9.6, fall_m=6.0, track=[(2.0, 1.0, 2.0)],
            lon=121.0, lat=31.0,
        ),
    ]  # fmt: skip
    for r in recs:
        assert decode(encode(r)) == r
