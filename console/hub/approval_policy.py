"""Who must approve a deployment plan: none, one or two duty supervisors.

A busy shift cannot have a supervisor approve every level-1 dispute one by one, while a
knife attack must still have two.  ``config/approval_policy.toml`` says how many
approvals a plan needs by force level, with overrides by incident type;
:meth:`ApprovalPolicy.needed` answers for one plan.  0 means the operator's plan is
dispatched at once and the supervisor is told; the hub enforces the number (the plan
book asks the policy instead of the fixed "two from level 3" rule).

Loaded with its own msgspec schema (unknown keys refused) and checked against the
incident types of the main config when one is given; every problem raises
:class:`~console.config.ConfigError` naming the file, the key and why.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import msgspec

from console.config import CONFIG_DIR, Config, ConfigError

FILE = "approval_policy.toml"
LEVELS = (1, 2, 3, 4)
APPROVALS = (0, 1, 2)
SEED_RULE = {1: 1, 2: 1, 3: 2, 4: 2}
"""The rule the console was built with (two supervisors from level 3, one below): the
policy when no file is given."""


class _Strict(msgspec.Struct, forbid_unknown_fields=True, frozen=True):
    pass


class _Rule(_Strict, frozen=True):
    approvals: int
    incident_types: list[str] = []
    force_levels: list[int] = []
    note: str = ""


class _File(_Strict, frozen=True):
    levels: dict[str, int]
    rules: list[_Rule] = []


@dataclass(frozen=True)
class ApprovalRule:
    """An override: plans of these types (and levels) need ``approvals``; empty = any."""

    approvals: int
    incident_types: frozenset[str] = frozenset()
    force_levels: frozenset[int] = frozenset()
    note: str = ""

    def matches(self, force_level: int, incident_type: str) -> bool:
        """Whether the rule covers a plan of this level and type."""
        return (not self.incident_types or incident_type in self.incident_types) and (
            not self.force_levels or force_level in self.force_levels
        )


@dataclass(frozen=True)
class ApprovalPolicy:
    """Approvals a plan needs, by force level with overrides by incident type."""

    levels: dict[int, int]
    rules: tuple[ApprovalRule, ...] = ()

    @classmethod
    def seed(cls) -> ApprovalPolicy:
        """The console's original rule: one supervisor below level 3, two from level 3."""
        return cls(dict(SEED_RULE))

    def needed(self, force_level: int, incident_type: str) -> int:
        """0, 1 or 2: supervisors who must approve a plan of this level and type.

        A level outside 1-4 raises ValueError (the hub never plans one)."""
        if force_level not in LEVELS:
            raise ValueError(f"force level must be 1-4, got {force_level!r}")
        for rule in self.rules:
            if rule.matches(force_level, incident_type):
                return rule.approvals
        return self.levels[force_level]

    def rule_for(self, force_level: int, incident_type: str) -> ApprovalRule | None:
        """The override that decides for this plan (None: the level's default)."""
        return next((r for r in self.rules if r.matches(force_level, incident_type)), None)


def load_approval_policy(
    directory: Path | str | None = None, config: Config | None = None
) -> ApprovalPolicy:
    """Read ``approval_policy.toml`` from ``directory`` (default: ``config/``).

    With ``config`` the incident types named in rules must exist there.  A missing file
    raises ConfigError like any other config file: the hub must not guess a policy.
    """
    d = Path(directory) if directory is not None else CONFIG_DIR
    path = d / FILE
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        raise ConfigError(FILE, "(file)", f"file not found in {d}") from None
    except OSError as exc:
        raise ConfigError(FILE, "(file)", f"cannot read: {exc.strerror}") from None
    return parse_approval_policy(raw, config)


def parse_approval_policy(raw: bytes | str, config: Config | None = None) -> ApprovalPolicy:
    """The policy from TOML text (see :func:`load_approval_policy`)."""
    try:
        f = msgspec.toml.decode(raw, type=_File)
    except msgspec.ValidationError as exc:
        text = str(exc)
        key = text.rsplit("`$", 1)[-1].rstrip("`").lstrip(".") if "`$" in text else ""
        key = key.replace("[...]", "")
        raise ConfigError(FILE, key or "(top level)", text.split(" - at ")[0]) from None
    except msgspec.DecodeError as exc:
        raise ConfigError(FILE, "(syntax)", f"not valid TOML: {exc}") from None

    levels: dict[int, int] = {}
    for key, approvals in f.levels.items():
        try:
            level = int(key)
        except ValueError:
            raise ConfigError(FILE, f"levels.{key}", "a force level must be 1-4") from None
        if level not in LEVELS:
            raise ConfigError(FILE, f"levels.{key}", f"force level must be 1-4, got {level}")
        _approvals(approvals, f"levels.{key}")
        levels[level] = approvals
    missing = [lv for lv in LEVELS if lv not in levels]
    if missing:
        raise ConfigError(FILE, "levels", f"force levels {missing} have no approval rule")

    rules: list[ApprovalRule] = []
    known = set(config.incident_types) if config is not None else None
    for i, r in enumerate(f.rules):
        key = f"rules[{i}]"
        _approvals(r.approvals, f"{key}.approvals")
        if not r.incident_types and not r.force_levels:
            raise ConfigError(
                FILE, key, "a rule names incident_types or force_levels (else use [levels])"
            )
        for lv in r.force_levels:
            if lv not in LEVELS:
                raise ConfigError(FILE, f"{key}.force_levels", f"force level must be 1-4, got {lv}")
        if known is not None:
            unknown = sorted(set(r.incident_types) - known)
            if unknown:
                raise ConfigError(
                    FILE,
                    f"{key}.incident_types",
                    f"unknown incident types {unknown} (known: {', '.join(sorted(known))})",
                )
        rules.append(
            ApprovalRule(
                approvals=r.approvals,
                incident_types=frozenset(r.incident_types),
                force_levels=frozenset(r.force_levels),
                note=r.note,
            )
        )
    return ApprovalPolicy(dict(sorted(levels.items())), tuple(rules))


def _approvals(value: int, key: str) -> None:
    if value not in APPROVALS:
        raise ConfigError(FILE, key, f"approvals must be 0, 1 or 2, got {value!r}")
