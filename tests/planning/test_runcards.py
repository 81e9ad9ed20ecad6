"""Run cards: the shipped file is complete, overrides are followed, broken files are refused."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from console.config import CONFIG_DIR, Config, ConfigError, load_config
from console.planning.runcards import RunCards, load_run_cards


def test_every_incident_type_has_a_complete_default_card(config: Config, cards: RunCards) -> None:
    for key, it in config.incident_types.items():
        req = cards.requirement(key)
        assert req.force_level == it.force_level and req.manpower == it.manpower
        assert req.slots and any(s.wave == "first" for s in req.slots)
        # the shipped cards bring at least the configured manpower
        assert req.slot_crew(config) >= req.manpower, key
        allowed = set(config.eligible_types(req.force_level))
        for s in req.slots:
            assert s.support or set(s.types) <= allowed, (key, s)
            assert s.role_zh and s.role_en
        # the incident type's own required unit types all appear
        present = {t for s in req.slots for t in s.types}
        assert set(it.unit_types) & allowed <= present, key


def test_special_rules(config: Config, cards: RunCards) -> None:
    # force level 3 and above: a special-police armed team in the first wave
    for key in config.incident_types:
        for level in (3, 4):
            req = cards.requirement(key, force_level=level)
            first = [s for s in req.slots if s.wave == "first"]
            assert any(s.types == ("special_police",) for s in first), (key, level)
            assert all(
                s.support or set(s.types) <= set(config.eligible_types(level)) for s in req.slots
            )
    # a traffic accident needs traffic police, also when the operator raises it to level 2
    for level in (1, 2):
        req = cards.requirement("traffic_accident", force_level=level)
        assert any(s.types == ("traffic_police",) for s in req.slots if s.wave == "first")
    # a crowd-crush risk draws auxiliary forces whatever the level
    for level in (1, 2, 3, 4):
        req = cards.requirement("crowd_crush_risk", force_level=level)
        assert any("auxiliary" in s.types and s.support for s in req.slots)
    # and a plain fight at level 1 gets no armed team
    assert not any(
        "special_police" in s.types for s in cards.requirement("fight", force_level=1).slots
    )


def test_overrides_are_followed(config: Config, cards: RunCards) -> None:
    req = cards.requirement("fight", force_level=4)
    assert req.force_level == 4
    assert all("patrol_group" not in s.types for s in req.slots)
    assert any("level 4" in n for n in req.notes_en)
    assert any("4级" in n for n in req.notes_zh)
    # less manpower: the reinforcement is dropped (the first wave stays)
    small = cards.requirement("knife_attack", manpower=6)
    assert [s.wave for s in small.slots] == ["first", "first"]
    assert any("dropped" in n for n in small.notes_en)
    # more manpower: everything is kept and the planner must top up
    big = cards.requirement("knife_attack", manpower=20)
    assert big.manpower == 20 and big.slot_crew(config) < 20
    assert set(big.topup_types) <= set(config.eligible_types(3))
    with pytest.raises(ValueError, match="unknown incident type"):
        cards.requirement("alien")
    with pytest.raises(ValueError, match="force level must be 1-4"):
        cards.requirement("fight", force_level=0)
    with pytest.raises(ValueError, match="manpower must be 1-500"):
        cards.requirement("fight", manpower=0)


@pytest.fixture
def cfg_dir(tmp_path: Path) -> Path:
    d = tmp_path / "config"
    shutil.copytree(CONFIG_DIR, d)
    return d


def _edit(d: Path, old: str, new: str) -> None:
    p = d / "run_cards.toml"
    text = p.read_text(encoding="utf-8")
    assert old in text, f"test setup: {old!r} not in run_cards.toml"
    p.write_text(text.replace(old, new, 1), encoding="utf-8")


@pytest.mark.parametrize(
    ("old", "new", "key", "reason"),
    [
        (
            'types = ["patrol_group"], count = 2, role_zh = "现场制止"',
            'types = ["tank"], count = 2, role_zh = "现场制止"',
            "cards[0].first_wave[0].types",
            "unknown unit type 'tank'",
        ),
        (
            'types = ["patrol_group"], count = 2, role_zh = "现场制止"',
            'types = ["auxiliary"], count = 2, role_zh = "现场制止"',
            "cards[0].first_wave[0].types",
            "not allowed at force level 2",
        ),
        ('incident_type = "theft"', 'incident_type = "fight"', "cards", "'theft'"),
        ('standard = "urban_110"', 'standard = "urban_120"', "cards[0].standard", "urban_120"),
        (
            "candidates_per_slot = 20",
            "candidates_per_slot = 0",
            "engine.candidates_per_slot",
            "1-500",
        ),
        ("[engine]", "[engine]\ncolour = 1", "engine", "unknown field `colour`"),
        ("count = 2, role_zh", "count = 0, role_zh", "cards[0].first_wave[0].count", "1-50"),
        ("min_force_level = 3", "min_force_level = 5", "rules[0]", "min_force_level"),
    ],
)
def test_broken_run_cards_are_refused_with_file_key_reason(
    cfg_dir: Path, old: str, new: str, key: str, reason: str
) -> None:
    _edit(cfg_dir, old, new)
    config = load_config(cfg_dir)
    with pytest.raises(ConfigError) as err:
        load_run_cards(config)
    assert err.value.file == "run_cards.toml"
    assert err.value.key == key
    assert reason in err.value.reason


def test_missing_file_is_refused(cfg_dir: Path) -> None:
    (cfg_dir / "run_cards.toml").unlink()
    with pytest.raises(ConfigError, match="file not found"):
        load_run_cards(load_config(cfg_dir))
