"""The shipped configuration loads, and broken files are refused with file, key and reason."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from console.config import CONFIG_DIR, ConfigError, load_config

REQUIRED_TYPES = {
    "fight": "斗殴",
    "knife_attack": "持刀伤人",
    "robbery": "抢劫",
    "theft": "盗窃",
    "dispute": "纠纷",
    "traffic_accident": "交通事故",
    "fire": "火灾",
    "crowd_crush_risk": "大客流/踩踏风险",
    "thrown_object": "高空抛物",
    "mental_disturbance": "精神障碍肇事",
    "suspicious_object": "可疑爆炸物",
    "hostage_taking": "劫持人质",
}


@pytest.fixture
def cfg_dir(tmp_path: Path) -> Path:
    d = tmp_path / "config"
    shutil.copytree(CONFIG_DIR, d)
    return d


def _edit(d: Path, name: str, old: str, new: str) -> None:
    p = d / name
    text = p.read_text(encoding="utf-8")
    assert old in text, f"test setup: {old!r} not in {name}"
    p.write_text(text.replace(old, new, 1), encoding="utf-8")


def test_shipped_config_is_complete() -> None:
    c = load_config()
    for key, zh in REQUIRED_TYPES.items():
        assert c.incident_types[key].name_zh == zh
        assert c.incident_types[key].name_en
    assert sorted(c.force_levels) == [1, 2, 3, 4]
    assert set(c.unit_types) >= {
        "patrol_group",
        "foot_patrol",
        "traffic_police",
        "special_police",
        "armed_police",
        "community_police",
        "auxiliary",
    }
    assert c.unit_types["patrol_group"].crew == 2
    assert c.arrival_standards["urban_110"].seconds == 300
    assert c.arrival_standards["special_police"].seconds == 180
    assert c.arrival_standards["one_minute_point"].seconds == 60
    # level 4 is answered by armed teams only
    assert set(c.eligible_types(4)) == {"special_police", "armed_police"}
    assert "auxiliary" not in c.eligible_types(3)


def test_unknown_unit_type_named(cfg_dir: Path) -> None:
    _edit(cfg_dir, "incident_types.toml", 'unit_types = ["patrol_group"]', 'unit_types = ["tank"]')
    with pytest.raises(ConfigError) as e:
        load_config(cfg_dir)
    assert e.value.file == "incident_types.toml"
    assert e.value.key == "incident_types.fight.unit_types"
    assert "tank" in e.value.reason


def test_missing_key_named(cfg_dir: Path) -> None:
    _edit(cfg_dir, "incident_types.toml", 'name_en = "Theft"\n', "")
    with pytest.raises(ConfigError) as e:
        load_config(cfg_dir)
    assert e.value.file == "incident_types.toml"
    assert e.value.key == "incident_types.theft.name_en"
    assert "missing" in e.value.reason.lower()


def test_wrong_type_named(cfg_dir: Path) -> None:
    _edit(cfg_dir, "arrival_standards.toml", "seconds = 300", 'seconds = "five minutes"')
    with pytest.raises(ConfigError) as e:
        load_config(cfg_dir)
    assert e.value.file == "arrival_standards.toml"
    assert e.value.key == "arrival_standards.urban_110.seconds"
    assert "int" in e.value.reason


def test_force_level_7_refused(cfg_dir: Path) -> None:
    _edit(cfg_dir, "incident_types.toml", "force_level = 4", "force_level = 7")
    with pytest.raises(ConfigError) as e:
        load_config(cfg_dir)
    assert e.value.file == "incident_types.toml"
    assert e.value.key == "incident_types.hostage_taking.force_level"
    assert "7" in e.value.reason


def test_force_level_7_in_levels_file(cfg_dir: Path) -> None:
    _edit(cfg_dir, "force_levels.toml", "level = 4", "level = 7")
    with pytest.raises(ConfigError) as e:
        load_config(cfg_dir)
    assert e.value.file == "force_levels.toml"
    assert e.value.key == "force_levels[3].level"


def test_unknown_key_refused(cfg_dir: Path) -> None:
    _edit(cfg_dir, "console.toml", "redraw_hz = 10", "redraw_hz = 10\nredraw_hertz = 5")
    with pytest.raises(ConfigError) as e:
        load_config(cfg_dir)
    assert e.value.file == "console.toml"
    assert "redraw_hertz" in e.value.reason


def test_syntax_error_and_missing_file(cfg_dir: Path) -> None:
    (cfg_dir / "roads.toml").write_text("[speeds_kmh\narterial = ", encoding="utf-8")
    with pytest.raises(ConfigError) as e:
        load_config(cfg_dir)
    assert e.value.file == "roads.toml" and "TOML" in e.value.reason
    (cfg_dir / "roads.toml").unlink()
    with pytest.raises(ConfigError) as e:
        load_config(cfg_dir)
    assert e.value.file == "roads.toml" and "not found" in e.value.reason


def test_main_refuses_to_start_on_bad_config(
    cfg_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from console.cli import main

    _edit(cfg_dir, "unit_types.toml", "crew = 2", "crew = 0")
    assert main(["--config", str(cfg_dir), "--screenshot", "/dev/null"]) == 2
    err = capsys.readouterr().err
    assert "unit_types.toml" in err and "unit_types.patrol_group.crew" in err
