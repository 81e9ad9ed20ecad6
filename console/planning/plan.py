"""Plan messages: what the engine proposes and the commander reviews.

msgspec Structs, so a plan crosses the hub (msgpack) and lands in the store
(JSON) unchanged.  Every human-facing line comes in Chinese (``*_zh``, shown
first) and English (``*_en``).
"""

from __future__ import annotations

import msgspec

from console.planning.coverage import CoverageReport

__all__ = [
    "Alternative",
    "CoverageCost",
    "CoverageReport",
    "MoveUp",
    "Plan",
    "PlanRequest",
    "PlanSlot",
    "Shortfall",
    "StandardCheck",
    "fmt_s_en",
    "fmt_s_zh",
]


class _Msg(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    pass


class PlanRequest(_Msg):
    """One incident to plan; ``force_level`` / ``manpower`` are operator overrides."""

    incident_id: int
    incident_type: str
    lon: float
    lat: float
    priority: int | None = None
    force_level: int | None = None
    manpower: int | None = None


class Alternative(_Msg):
    """The next-best unit for a slot, if the commander rejects the proposed one."""

    call_sign: str
    unit_type: str
    eta_s: float
    note_zh: str = ""
    note_en: str = ""


class PlanSlot(_Msg):
    """One unit in the plan: who, as what, by which road, how soon, and why."""

    slot_key: str
    call_sign: str
    unit_type: str
    unit_type_zh: str
    role_zh: str
    role_en: str
    wave: str  # "first" | "reinforcement"
    wave_zh: str
    crew: int
    route_lon: list[float]
    route_lat: list[float]
    distance_m: float
    eta_s: float
    standard: str
    standard_s: float
    met: bool
    alternative: Alternative | None
    why_zh: str
    why_en: str


class Shortfall(_Msg):
    """A slot (or manpower) the engine could not fill from available units."""

    slot_key: str
    missing: int
    text_zh: str
    text_en: str


class StandardCheck(_Msg):
    """Whether the plan meets one arrival standard."""

    standard: str
    name_zh: str
    name_en: str
    seconds: float
    met: bool
    text_zh: str
    text_en: str


class CoverageCost(_Msg):
    """Coverage the plan gives away, in words for the commander."""

    kind: str  # "area" | "fixed_point" | "district"
    code: str
    before: float
    after: float
    text_zh: str
    text_en: str


class MoveUp(_Msg):
    """A proposed relocation of an idle unit to restore coverage."""

    call_sign: str
    unit_type: str
    to_kind: str  # "area" | "fixed_point" | "post" | "stage" (pre-positioning ahead of calls)
    to_code: str
    to_name: str
    lon: float
    lat: float
    eta_s: float
    text_zh: str
    text_en: str


class Plan(_Msg):
    """A deployment plan for one incident."""

    incident_id: int
    incident_type: str
    incident_name_zh: str
    incident_name_en: str
    priority: int
    force_level: int
    manpower: int
    manpower_assigned: int
    lon: float
    lat: float
    hour: int | None
    slots: list[PlanSlot]
    shortfalls: list[Shortfall]
    standards: list[StandardCheck]
    coverage_costs: list[CoverageCost]
    move_ups: list[MoveUp]
    notes_zh: list[str]
    notes_en: list[str]
    objective: float  # of the joint model (shared by plans solved together)
    solve_ms: float  # MILP alone
    optimal: bool
    plan_ms: float = 0.0  # the whole planning call


def fmt_s_zh(s: float) -> str:
    """Seconds as 分/秒 for Chinese text."""
    s = round(s)
    return f"{s // 60}分{s % 60:02d}秒" if s >= 60 else f"{s}秒"


def fmt_s_en(s: float) -> str:
    """Seconds as m:ss for English text."""
    s = round(s)
    return f"{s // 60}:{s % 60:02d}"
