"""config/crowd.toml: the shipped file loads; mistakes name the key and the reason."""

from __future__ import annotations

from pathlib import Path

import pytest

from console.crowd.errors import CrowdError
from console.crowd.settings import load_crowd_settings

PLACE = """
[[places]]
code = "bund"
name = "外滩"
kind = "point"
point = [121.49, 31.24]
capacity = 1000
"""


def test_the_shipped_file_loads() -> None:
    s = load_crowd_settings()
    assert {p.code for p in s.places} >= {"bund", "nanjing_road"}
    bund = s.place("bund")
    assert bund.tz == "Asia/Shanghai" and bund.country == "CN" and bund.kind == "area"
    lon, lat = bund.centre
    assert 121.48 < lon < 121.50 and 31.23 < lat < 31.25
    assert bund.limits().threshold("warning") == pytest.approx(0.8 * bund.capacity)
    with pytest.raises(CrowdError, match="no crowd place 'mars'"):
        s.place("mars")


def test_no_file_means_no_places(tmp_path: Path) -> None:
    assert load_crowd_settings(tmp_path).places == []


@pytest.mark.parametrize(
    ("extra", "expected"),
    [
        ('tz = "Mars/Base"', r"places\[0\] \(bund\).*unknown time zone"),
        ('country = "XX"', "no holiday calendar"),
        ("capacity = -1", "capacity must be positive"),
        ('measure = "vibes"', r"measure: 'vibes': use occupancy or flow"),
        ("warn_share = 0.99", "warning share < alarm share"),
        ("colour = 3", "colour"),
    ],
)
def test_mistakes_name_key_and_reason(tmp_path: Path, extra: str, expected: str) -> None:
    text = PLACE.replace("capacity = 1000", "capacity = 1000\n" + extra)
    if "capacity = -1" in extra:
        text = PLACE.replace("capacity = 1000", extra)
    (tmp_path / "crowd.toml").write_text(text, encoding="utf-8")
    with pytest.raises(CrowdError, match=expected) as err:
        load_crowd_settings(tmp_path)
    assert str(err.value).startswith("crowd.toml")


def test_bad_forecast_settings_and_broken_toml(tmp_path: Path) -> None:
    (tmp_path / "crowd.toml").write_text('[forecast]\nmodel = "oracle"\n', encoding="utf-8")
    with pytest.raises(CrowdError, match=r"forecast\.model: 'oracle'"):
        load_crowd_settings(tmp_path)
    (tmp_path / "crowd.toml").write_text("[forecast\n", encoding="utf-8")
    with pytest.raises(CrowdError, match="not valid TOML"):
        load_crowd_settings(tmp_path)
