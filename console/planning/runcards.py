"""Run cards (响应预案): which units an incident needs, from ``config/run_cards.toml``.

The file is decoded strictly (msgspec, unknown keys refused) and cross-checked
against the main config, so a card naming an unknown unit type or a type not
allowed at its force level stops the console at start-up with one
:class:`~console.config.ConfigError` naming file, key and reason, instead of a
plan silently missing a unit in the middle of an incident.

:meth:`RunCards.requirement` turns (incident type, force level, manpower) into
the concrete slots the planner must fill; operator overrides of force level
and manpower go through the same path, so the plan always follows them.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Literal

import msgspec

from console.config import CONFIG_DIR, Config, ConfigError, _decode

FILE = "run_cards.toml"

Wave = Literal["first", "reinforcement"]
WAVE_ZH = {"first": "首批", "reinforcement": "增援"}
WAVE_EN = {"first": "first wave", "reinforcement": "reinforcement"}


class _Strict(msgspec.Struct, forbid_unknown_fields=True, frozen=True):
    pass


class SlotSpec(_Strict, frozen=True):
    types: list[str]
    role_zh: str
    role_en: str
    count: int = 1
    standard: str | None = None
    support: bool = False  # non-coercive role: not bound by the force level's unit types


class EnsureSpec(_Strict, frozen=True):
    types: list[str]
    role_zh: str
    role_en: str
    count: int = 1
    wave: Wave = "first"
    standard: str | None = None
    support: bool = False


class Rule(_Strict, frozen=True):
    key: str
    text_zh: str
    text_en: str
    ensure: EnsureSpec
    min_force_level: int = 1
    max_force_level: int = 4
    incident_types: list[str] = []


class Card(_Strict, frozen=True):
    incident_type: str
    force_level: int
    standard: str
    first_wave: list[SlotSpec]
    reinforcement: list[SlotSpec] = []


class Defaults(_Strict, frozen=True):
    topup_types: list[str] = msgspec.field(default_factory=lambda: ["patrol_group"])
    topup_role_zh: str = "警力补充"
    topup_role_en: str = "Manpower reinforcement"


class CoverageSettings(_Strict, frozen=True):
    """What "keeping coverage" means for the planner and the coverage map."""

    area_types: list[str] = msgspec.field(default_factory=lambda: ["patrol_group"])
    fixed_point_types: list[str] = msgspec.field(default_factory=lambda: ["special_police"])
    fixed_point_standard: str = "one_minute_point"
    # types whose idle units are moved up to the posts of busy ones when that gains coverage
    move_up_types: list[str] = msgspec.field(default_factory=lambda: ["traffic_police"])
    move_up_min_gain: float = 0.01  # share of district road length
    # types whose idle units are staged ahead of the calls (pre-positioning): moved to where
    # the coming hour's past calls needed more units of the type than stand within its
    # standard (needs a call history; never takes away a place's only cover)
    stage_types: list[str] = msgspec.field(default_factory=list)
    stage_min_gain: float = 0.03  # share of the type's demand, times the hour's call intensity
    stage_move_limit_s: float = 1800.0  # a staging walk or drive longer than this is not asked
    stage_lookahead_h: int = 1  # hours ahead whose calls count (a walker needs time to get there)
    # type -> penalty (seconds) per whole district of that type's standard coverage lost
    district_penalty_s: dict[str, float] = msgspec.field(
        default_factory=lambda: {"special_police": 900.0, "traffic_police": 1500.0}
    )


class EngineSettings(_Strict, frozen=True):
    """Weights of the assignment objective, in seconds of arrival time."""

    candidates_per_slot: int = 20
    search_limit_s: float = 3600.0
    late_penalty_s: float = 600.0
    late_slope: float = 2.0
    reinforcement_weight: float = 0.5
    priority_weights: list[float] = msgspec.field(default_factory=lambda: [2.0, 1.5, 1.0, 0.7])
    area_penalty_s: float = 40.0
    fixed_point_penalty_s: float = 60.0
    shortfall_penalty_s: float = 10000.0
    manpower_penalty_s: float = 2000.0
    unit_cost_s: float = 20.0
    time_limit_s: float = 2.0


class _File(_Strict, frozen=True):
    cards: list[Card]
    defaults: Defaults = Defaults()
    rules: list[Rule] = []
    coverage: CoverageSettings = CoverageSettings()
    engine: EngineSettings = EngineSettings()


@dataclass(frozen=True)
class Slot:
    """``count`` units of one of ``types`` (preferred first) in one role and wave."""

    key: str
    types: tuple[str, ...]
    count: int
    wave: Wave
    role_zh: str
    role_en: str
    standard: str | None  # None: each unit's own type standard
    rule: str | None = None  # the rule that added this slot, if any
    support: bool = False  # support role, allowed whatever the force level


@dataclass(frozen=True)
class Requirement:
    """What one incident needs, after overrides and rules: the planner's input."""

    incident_type: str
    force_level: int
    manpower: int
    standard: str  # arrival standard of the incident (first unit on scene)
    standard_s: int
    slots: tuple[Slot, ...]
    eligible_types: tuple[str, ...]
    topup_types: tuple[str, ...]  # eligible types that may top up missing manpower
    topup_role_zh: str
    topup_role_en: str
    notes_zh: tuple[str, ...]
    notes_en: tuple[str, ...]

    def slot_crew(self, config: Config) -> int:
        """Crew the slots bring if each is filled with its preferred type."""
        return sum(s.count * config.unit_types[s.types[0]].crew for s in self.slots)


def _check(ok: bool, key: str, reason: str) -> None:
    if not ok:
        raise ConfigError(FILE, key, reason)


class RunCards:
    """Validated run cards; build with :func:`load_run_cards`."""

    def __init__(self, config: Config, data: _File) -> None:
        self.config = config
        self.defaults = data.defaults
        self.rules = list(data.rules)
        self.coverage = data.coverage
        self.engine = data.engine
        self.cards: dict[tuple[str, int], Card] = {}
        self._validate(data)

    # ---- validation ------------------------------------------------------------------------

    def _check_types(self, key: str, types: list[str], level: int | None) -> None:
        c = self.config
        _check(bool(types), key, "at least one unit type is required")
        for t in types:
            _check(
                t in c.unit_types,
                key,
                f"unknown unit type {t!r} (known: {', '.join(sorted(c.unit_types))})",
            )
            if level is not None:
                _check(
                    t in c.force_levels[level].unit_types,
                    key,
                    f"unit type {t!r} is not allowed at force level {level}",
                )

    def _check_standard(self, key: str, std: str | None) -> None:
        known = self.config.arrival_standards
        _check(
            std is None or std in known,
            key,
            f"unknown arrival standard {std!r} (known: {', '.join(sorted(known))})",
        )

    def _validate(self, data: _File) -> None:
        c = self.config
        for i, card in enumerate(data.cards):
            k = f"cards[{i}]"
            _check(
                card.incident_type in c.incident_types,
                f"{k}.incident_type",
                f"unknown incident type {card.incident_type!r}",
            )
            _check(
                card.force_level in c.force_levels,
                f"{k}.force_level",
                f"force level must be 1-4, got {card.force_level}",
            )
            ident = (card.incident_type, card.force_level)
            _check(
                ident not in self.cards,
                k,
                f"second card for {card.incident_type} at force level {card.force_level}",
            )
            self._check_standard(f"{k}.standard", card.standard)
            _check(bool(card.first_wave), f"{k}.first_wave", "at least one slot is required")
            for wave, slots in (
                ("first_wave", card.first_wave),
                ("reinforcement", card.reinforcement),
            ):
                for j, s in enumerate(slots):
                    sk = f"{k}.{wave}[{j}]"
                    lv = None if s.support else card.force_level
                    self._check_types(f"{sk}.types", s.types, lv)
                    _check(1 <= s.count <= 50, f"{sk}.count", f"must be 1-50, got {s.count}")
                    _check(bool(s.role_zh and s.role_en), sk, "role_zh and role_en are required")
                    self._check_standard(f"{sk}.standard", s.standard)
            self.cards[ident] = card
        for key, it in c.incident_types.items():
            _check(
                (key, it.force_level) in self.cards,
                "cards",
                f"no card for incident type {key!r} at its default force level {it.force_level}",
            )
        seen: set[str] = set()
        for i, r in enumerate(self.rules):
            k = f"rules[{i}]"
            _check(r.key not in seen, f"{k}.key", f"rule {r.key!r} defined twice")
            seen.add(r.key)
            _check(
                1 <= r.min_force_level <= r.max_force_level <= 4,
                k,
                "need 1 <= min_force_level <= max_force_level <= 4",
            )
            for t in r.incident_types:
                _check(t in c.incident_types, f"{k}.incident_types", f"unknown incident type {t!r}")
            self._check_types(f"{k}.ensure.types", r.ensure.types, None)
            _check(1 <= r.ensure.count <= 50, f"{k}.ensure.count", "must be 1-50")
            self._check_standard(f"{k}.ensure.standard", r.ensure.standard)
        self._check_types("defaults.topup_types", self.defaults.topup_types, None)
        cov = data.coverage
        self._check_types("coverage.area_types", cov.area_types, None)
        self._check_types("coverage.fixed_point_types", cov.fixed_point_types, None)
        self._check_types("coverage.district_penalty_s", list(cov.district_penalty_s), None)
        self._check_types("coverage.move_up_types", cov.move_up_types, None)
        _check(0 < cov.move_up_min_gain <= 1, "coverage.move_up_min_gain", "must be in (0, 1]")
        if cov.stage_types:
            self._check_types("coverage.stage_types", cov.stage_types, None)
        _check(0 < cov.stage_min_gain <= 10, "coverage.stage_min_gain", "must be in (0, 10]")
        _check(cov.stage_move_limit_s > 0, "coverage.stage_move_limit_s", "must be positive")
        _check(0 <= cov.stage_lookahead_h <= 6, "coverage.stage_lookahead_h", "must be 0-6")
        for t, v in cov.district_penalty_s.items():
            _check(0 <= v < float("inf"), f"coverage.district_penalty_s.{t}", "must be >= 0")
        _check(
            cov.fixed_point_standard in c.arrival_standards,
            "coverage.fixed_point_standard",
            f"unknown arrival standard {cov.fixed_point_standard!r}",
        )
        e = data.engine
        _check(1 <= e.candidates_per_slot <= 500, "engine.candidates_per_slot", "must be 1-500")
        _check(e.search_limit_s > 0, "engine.search_limit_s", "must be positive")
        _check(len(e.priority_weights) == 4, "engine.priority_weights", "need 4 weights (1-4)")
        for name in (
            "late_penalty_s",
            "late_slope",
            "reinforcement_weight",
            "area_penalty_s",
            "fixed_point_penalty_s",
            "shortfall_penalty_s",
            "manpower_penalty_s",
            "unit_cost_s",
            "time_limit_s",
        ):
            v = getattr(e, name)
            _check(
                v >= 0 and v == v and v != float("inf"), f"engine.{name}", f"must be >= 0, got {v}"
            )
        _check(all(w > 0 for w in e.priority_weights), "engine.priority_weights", "must be > 0")

    # ---- resolution ------------------------------------------------------------------------

    def card_for(self, incident_type: str, force_level: int) -> Card:
        """The exact card, else the nearest lower level's, else the nearest higher level's."""
        levels = sorted(lv for (t, lv) in self.cards if t == incident_type)
        if not levels:
            raise KeyError(f"unknown incident type {incident_type!r}")
        lower = [lv for lv in levels if lv <= force_level]
        lv = lower[-1] if lower else levels[0]
        return self.cards[(incident_type, lv)]

    def requirement(
        self, incident_type: str, force_level: int | None = None, manpower: int | None = None
    ) -> Requirement:
        """Slots to fill for one incident; ``force_level``/``manpower`` are operator overrides."""
        c = self.config
        if incident_type not in c.incident_types:
            known = ", ".join(sorted(c.incident_types))
            raise ValueError(f"unknown incident type {incident_type!r} (known: {known})")
        it = c.incident_types[incident_type]
        level = it.force_level if force_level is None else int(force_level)
        if level not in c.force_levels:
            raise ValueError(f"force level must be 1-4, got {force_level!r}")
        need = it.manpower if manpower is None else int(manpower)
        if not 1 <= need <= 500:
            raise ValueError(f"manpower must be 1-500, got {manpower!r}")
        eligible = tuple(c.force_levels[level].unit_types)
        card = self.card_for(incident_type, level)
        notes_zh: list[str] = []
        notes_en: list[str] = []
        if card.force_level != level:
            notes_zh.append(f"无{level}级预案, 以{card.force_level}级预案为基础调整")
            notes_en.append(
                f"no card at level {level}; adapted from the level-{card.force_level} card"
            )

        def adapt(types: list[str], support: bool) -> tuple[str, ...]:
            if support:
                return tuple(types)
            kept = tuple(t for t in types if t in eligible)
            if kept:
                return kept
            names = "/".join(c.unit_types[t].name_zh for t in types)
            notes_zh.append(f"{names}不适用{level}级处置, 改由该级可用警种")
            notes_en.append(f"{'/'.join(types)} not allowed at level {level}; any eligible type")
            return eligible

        slots: list[Slot] = [
            Slot(
                f"first.{j}",
                adapt(s.types, s.support),
                s.count,
                "first",
                s.role_zh,
                s.role_en,
                s.standard,
                None,
                s.support,
            )
            for j, s in enumerate(card.first_wave)
        ]
        reinf = [
            Slot(
                f"reinf.{j}",
                adapt(s.types, s.support),
                s.count,
                "reinforcement",
                s.role_zh,
                s.role_en,
                s.standard,
                None,
                s.support,
            )
            for j, s in enumerate(card.reinforcement)
        ]
        for rule in self.rules:
            if not (rule.min_force_level <= level <= rule.max_force_level):
                continue
            if rule.incident_types and incident_type not in rule.incident_types:
                continue
            e = rule.ensure
            types = tuple(t for t in e.types if e.support or t in eligible)
            if not types:
                continue
            pool = slots if e.wave == "first" else slots + reinf
            have = sum(s.count for s in pool if set(s.types) <= set(types))
            if have >= e.count:
                continue
            new = Slot(
                f"rule.{rule.key}",
                types,
                e.count - have,
                e.wave,
                e.role_zh,
                e.role_en,
                e.standard,
                rule.key,
                e.support,
            )
            (slots if e.wave == "first" else reinf).append(new)
            notes_zh.append(rule.text_zh)
            notes_en.append(rule.text_en)
        # reinforcement slots are kept while the crew so far is below the manpower
        crew = sum(s.count * c.unit_types[s.types[0]].crew for s in slots)
        for s in reinf:
            if crew >= need and s.rule is None:
                notes_zh.append(f"人力已满足{need}人, 省略增援: {s.role_zh}")
                notes_en.append(f"manpower {need} already met; reinforcement dropped: {s.role_en}")
                continue
            slots.append(s)
            crew += s.count * c.unit_types[s.types[0]].crew
        std = card.standard
        return Requirement(
            incident_type=incident_type,
            force_level=level,
            manpower=need,
            standard=std,
            standard_s=c.arrival_standards[std].seconds,
            slots=tuple(slots),
            eligible_types=eligible,
            topup_types=tuple(t for t in self.defaults.topup_types if t in eligible),
            topup_role_zh=self.defaults.topup_role_zh,
            topup_role_en=self.defaults.topup_role_en,
            notes_zh=tuple(notes_zh),
            notes_en=tuple(notes_en),
        )


def load_run_cards(config: Config, directory: Path | str | None = None) -> RunCards:
    """Read ``run_cards.toml`` from ``directory`` (default: the config's own directory)."""
    d = Path(directory) if directory is not None else (config.source_dir or CONFIG_DIR)
    return RunCards(config, _decode(d, FILE, _File))
