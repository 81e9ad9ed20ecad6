"""Who to send instead: the next unit for an order that went unanswered or was refused.

An escalation only helps the operator if it names someone.  The plan's own
alternative for the slot comes first (the planner already weighed it against
coverage), as long as it is still free and can get there; otherwise the
nearest free unit by road of a type the slot's role takes, else of any type
the incident's force level allows.  ETAs come from the plan engine's reversed
Dijkstra at the units' current positions and speed factors, so they are the
same numbers a plan would show, not straight-line guesses.
"""

from __future__ import annotations

import math
from collections.abc import Collection, Mapping
from typing import Any, Literal

import msgspec
import numpy as np

from console.geo.tolerance import within_mask
from console.planning.engine import PlanEngine
from console.planning.fleet import SituationView
from console.planning.plan import PlanRequest, fmt_s_en, fmt_s_zh
from console.planning.runcards import Requirement

Source = Literal["plan_alternative", "same_role", "force_level"]


class ReassignError(ValueError):
    """The incident cannot be matched to units as given; the text names the problem."""


class Proposal(msgspec.Struct, frozen=True, kw_only=True):
    """The unit to send in place of ``replaces``, and why it was picked."""

    call_sign: str
    unit_type: str
    eta_s: float  # by road from where the unit is now
    source: Source  # the plan's alternative, nearest of the slot's types, nearest eligible
    replaces: str

    def text(self, lang: str = "zh") -> str:
        """One line for the alert (Chinese first, English for the English console)."""
        if lang == "zh":
            return f"建议改派 {self.call_sign} (预计 {fmt_s_zh(self.eta_s)})"
        return f"suggest {self.call_sign} instead (ETA {fmt_s_en(self.eta_s)})"


NO_UNIT_ZH = "无可用警力，请人工改派"
NO_UNIT_EN = "no unit available, reassign by hand"


def _slot_types(
    req: Requirement, slot: Mapping[str, Any] | None, silent_type: str | None
) -> tuple[str, ...]:
    """Types the silent unit's role takes: its run-card slot's, else its own type."""
    key = str(slot.get("slot_key", "")) if slot else ""
    if key == "topup":
        return req.topup_types
    for s in req.slots:
        if s.key == key:
            return s.types
    return (silent_type,) if silent_type else ()


def next_unit(
    engine: PlanEngine,
    view: SituationView,
    request: PlanRequest,
    silent: str,
    *,
    slot: Mapping[str, Any] | None = None,
    exclude: Collection[str] = (),
    hour: int | None = None,
) -> Proposal | None:
    """The unit to propose in place of ``silent`` for ``request``'s incident, or None.

    ``slot`` is the plan slot ``silent`` held (a ``PlanSlot`` as a dict), if any;
    ``exclude`` are call signs never to propose (already on or once sent to this
    incident, proposed elsewhere).  Only units ``view`` marks available count.
    """
    if not (math.isfinite(request.lon) and math.isfinite(request.lat)):
        raise ReassignError(f"incident {request.incident_id}: location is not a number")
    try:
        req = engine.cards.requirement(request.incident_type, request.force_level, request.manpower)
    except (ValueError, KeyError) as exc:
        raise ReassignError(f"incident {request.incident_id}: {exc}") from None
    fleet = engine.fleet(view)
    index = {cs: i for i, cs in enumerate(fleet.call_sign)}
    nodes, free = engine.snap_units(view)
    for cs in {silent, *exclude}:
        if cs in index:
            free[index[cs]] = False
    if not free.any():
        return None
    limit_s = engine.cards.engine.search_limit_s
    target = int(engine.graph.snap(request.lon, request.lat, scc_only=True))
    to = engine.tt.to_target(target, hour, limit_s * float(fleet.type_speed.max()))
    eta = np.full(fleet.n, np.inf)
    idx = np.flatnonzero(free)
    eta[idx] = to.seconds[nodes[idx]] / fleet.speed[idx]
    eta[~within_mask(eta, limit_s)] = np.inf

    def proposal(i: int, source: Source) -> Proposal:
        return Proposal(
            call_sign=fleet.call_sign[i],
            unit_type=fleet.type_keys[fleet.type_idx[i]],
            eta_s=float(eta[i]),
            source=source,
            replaces=silent,
        )

    # the force level may have been raised since the plan: every proposal obeys today's
    allowed = set(req.eligible_types) | {t for s in req.slots if s.support for t in s.types}
    usable = np.isfinite(eta) & fleet.type_mask(sorted(allowed))
    alt = slot.get("alternative") if slot else None
    if isinstance(alt, Mapping):
        i = index.get(str(alt.get("call_sign", "")))
        if i is not None and usable[i]:
            return proposal(i, "plan_alternative")
    silent_i = index.get(silent)
    silent_type = fleet.type_keys[fleet.type_idx[silent_i]] if silent_i is not None else None
    tiers: list[tuple[Source, tuple[str, ...]]] = [
        ("same_role", _slot_types(req, slot, silent_type)),
        ("force_level", req.eligible_types),
    ]
    for source, types in tiers:
        cand = np.flatnonzero(usable & fleet.type_mask(types))
        if cand.size:
            return proposal(int(cand[np.argmin(eta[cand])]), source)
    return None
