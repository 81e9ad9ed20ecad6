"""What plans and orders say: the plan engine's request for an incident, an order's body,
and the slot of a unit a supervisor adds by hand.

Builders only (no store, no events), shared by the plan book, the order desk and the
reassignment so a plan's order and a replacement's order carry the same fields.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from console.config import Config
from console.geo.roadgraph import RoadGraph
from console.geo.tolerance import within
from console.hub.localtime import local_hour
from console.hub.messages import IncidentState
from console.hub.situation import Situation
from console.planning.plan import PlanRequest


def plan_request(incident_id: int, st: IncidentState) -> PlanRequest:
    """What the plan engine needs of an incident (a plan, or a replacement unit)."""
    return PlanRequest(
        incident_id=incident_id,
        incident_type=st.incident_type,
        lon=st.lon,
        lat=st.lat,
        priority=st.priority,
        force_level=st.force_level,
        manpower=st.manpower,
    )


def order_scene(st: IncidentState) -> dict[str, Any]:
    """The incident's part of an order body, as it stands now (type, level, place)."""
    return {
        "incident_type": st.incident_type,
        "priority": st.priority,
        "force_level": st.force_level,
        "lon": st.lon,
        "lat": st.lat,
        "address": st.address,
    }


def route_fields(slot: dict[str, Any]) -> dict[str, Any]:
    """A slot's road route for an order body: the polyline (6 decimals, about 0.1 m), its
    length and whose route it is (a body copied to another unit keeps ``route_for``, so the
    officer's card never draws someone else's way there)."""
    lon = slot.get("route_lon") or []
    lat = slot.get("route_lat") or []
    if len(lon) != len(lat):
        return {}
    return {
        "route_lon": [round(float(x), 6) for x in lon],
        "route_lat": [round(float(y), 6) for y in lat],
        "route_for": slot.get("call_sign", ""),
        "distance_m": slot.get("distance_m"),
    }


def slot_order_body(
    slot: dict[str, Any], plan_body: dict[str, Any], st: IncidentState
) -> dict[str, Any]:
    """The order for one slot of an approved plan: unit, scene, role, ETA, route, and what
    the officer's card needs of the plan (console/link/order_card.py).

    The plan's notes travel as ``plan_notes``; the briefing is left to the incident's
    own description (the caller's report), which a plan must never replace.
    """
    return {
        "call_sign": slot["call_sign"],
        **order_scene(st),
        "incident_name_zh": plan_body.get("incident_name_zh", ""),
        "incident_name_en": plan_body.get("incident_name_en", ""),
        "unit_type": slot.get("unit_type", ""),
        "unit_type_zh": slot.get("unit_type_zh", ""),
        "role_zh": slot.get("role_zh", ""),
        "role_en": slot.get("role_en", ""),
        "wave_zh": slot.get("wave_zh", ""),
        "eta_s": slot.get("eta_s"),
        **route_fields(slot),
        "instructions": slot.get("why_zh", ""),
        "plan_notes": " ".join(plan_body.get("notes_zh", [])),
    }


def slot_role(slot: dict[str, Any]) -> str:
    """The order row's role column for a plan slot (bounded like the column)."""
    return str(slot.get("role_en", "responder"))[:60]


class ManualSlots:
    """Plan slots for units a supervisor names by hand, with their real road route and ETA
    from where they are now (amending a plan, reassigning an order)."""

    def __init__(
        self,
        config: Config,
        graph: RoadGraph,
        situation: Situation,
        clock: Callable[[], float],
        hour: Callable[[], int] | None = None,
    ) -> None:
        """``hour()``: the district's local hour now (default: Asia/Shanghai's)."""
        self.config = config
        self.graph = graph
        self.situation = situation
        self.clock = clock
        self.hour = hour or (lambda: local_hour(self.clock()))

    def slot(self, i: int, lon: float, lat: float) -> dict[str, Any]:
        """A plan slot for unit ``i`` sent to (lon, lat)."""
        g = self.graph
        spec = self.situation.specs[i]
        ut = self.config.unit_types[spec.unit_type]
        src = int(g.snap(float(self.situation.lon[i]), float(self.situation.lat[i])))
        dst = int(g.snap(lon, lat))
        route = g.route(src, dst, hour=self.hour(), speed_factor=ut.speed_factor)
        std = self.config.arrival_standards[ut.standard]
        return {
            "slot_key": "manual",
            "call_sign": spec.call_sign,
            "unit_type": spec.unit_type,
            "unit_type_zh": ut.name_zh,
            "role_zh": "增援(人工指定)",
            "role_en": "Reinforcement (added by supervisor)",
            "wave": "reinforcement",
            "wave_zh": "增援",
            "crew": ut.crew,
            "route_lon": [float(x) for x in route.lon],
            "route_lat": [float(x) for x in route.lat],
            "distance_m": float(route.length_m),
            "eta_s": float(route.seconds),
            "standard": ut.standard,
            "standard_s": float(std.seconds),
            "met": within(float(route.seconds), float(std.seconds)),
            "alternative": None,
            "why_zh": "值班领导人工指定",
            "why_en": "added by the supervisor",
        }

    def eta(self, i: int, lon: float, lat: float) -> float | None:
        """Road ETA of unit ``i`` to a place; None if it cannot be routed."""
        try:
            return float(self.slot(i, lon, lat)["eta_s"])
        except (ValueError, KeyError, IndexError):
            return None
