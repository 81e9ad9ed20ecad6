"""The approval policy: how many supervisors a plan needs, from config/approval_policy.toml."""

from __future__ import annotations

from pathlib import Path

import pytest

from console.config import Config, ConfigError
from console.hub.approval_policy import (
    ApprovalPolicy,
    load_approval_policy,
    parse_approval_policy,
)

LEVELS = "[levels]\n1 = 0\n2 = 1\n3 = 2\n4 = 2\n"


def test_the_shipped_policy_frees_levels_1_and_2_and_keeps_two_from_level_3(
    config: Config,
) -> None:
    policy = load_approval_policy(config=config)
    assert policy.needed(1, "dispute") == 0
    assert policy.needed(2, "fight") == 0
    assert policy.needed(3, "knife_attack") == 2  # the seed's rule for level 3 and up
    assert policy.needed(4, "knife_attack") == 2
    assert policy.needed(2, "robbery") == 1  # a type rule asks for a supervisor
    assert policy.needed(1, "hostage_taking") == 2  # lowered force, still two
    rule = policy.rule_for(1, "hostage_taking")
    assert rule is not None and "hostage" in rule.note


def test_the_first_matching_rule_decides_and_an_empty_list_matches_everything() -> None:
    policy = parse_approval_policy(
        LEVELS
        + "[[rules]]\nincident_types = ['theft']\nforce_levels = [1]\napprovals = 2\n"
        + "[[rules]]\nforce_levels = [1]\napprovals = 1\n"
    )
    assert policy.needed(1, "theft") == 2
    assert policy.needed(1, "dispute") == 1  # the second rule: any type at level 1
    assert policy.needed(2, "theft") == 1  # no rule: the level's default
    assert ApprovalPolicy.seed().needed(2, "x") == 1 and ApprovalPolicy.seed().needed(3, "x") == 2


def test_a_level_outside_1_to_4_is_refused_by_name() -> None:
    with pytest.raises(ValueError, match="force level must be 1-4, got 5"):
        ApprovalPolicy.seed().needed(5, "fight")


@pytest.mark.parametrize(
    ("text", "key", "reason"),
    [
        ("[levels]\n1 = 0\n2 = 0\n3 = 2\n", "levels", r"\[4\] have no approval rule"),
        ("[levels]\n1 = 0\n2 = 0\n3 = 2\n4 = 3\n", "levels.4", "0, 1 or 2, got 3"),
        ("[levels]\n1 = 0\n2 = 0\n3 = 2\n4 = 2\n9 = 1\n", "levels.9", "1-4, got 9"),
        ("[levels]\none = 0\n", "levels.one", "force level must be 1-4"),
        (LEVELS + "[[rules]]\napprovals = 1\n", "rules[0]", "names incident_types or"),
        (LEVELS + "[[rules]]\nforce_levels = [7]\napprovals = 1\n", "rules[0].force_levels", "7"),
        (
            LEVELS + "[[rules]]\nincident_types = ['ufo']\napprovals = 1\n",
            "rules[0].incident_types",
            "ufo",
        ),
        ("colour = 'red'\n" + LEVELS, "(top level)", "unknown field `colour`"),
        ("[levels]\n1 = 'none'\n2 = 0\n3 = 2\n4 = 2\n", "levels", "Expected `int`"),
        ("[levels\n", "(syntax)", "not valid TOML"),
    ],
)
def test_bad_files_raise_a_config_error_naming_file_key_and_reason(
    config: Config, text: str, key: str, reason: str
) -> None:
    with pytest.raises(ConfigError, match=reason) as info:
        parse_approval_policy(text, config)
    assert info.value.file == "approval_policy.toml"
    assert info.value.key == key


def test_a_missing_file_is_an_error_not_a_guess(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="file not found") as info:
        load_approval_policy(tmp_path)
    assert info.value.key == "(file)"
