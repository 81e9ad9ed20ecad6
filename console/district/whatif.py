"""``main.py plan``: the plan the engine would propose now for an incident, without creating it.

A command room checks a newly imported district with it before going live:
the same engine as the hub (run cards, road graph with turn restrictions,
coverage weighted by the stored 110 history), on the units as the database
has them now: a unit plans only if it is available and on duty by the
roster; it stands where its newest position fix (under ten minutes old) puts
it, else at its home post.
"""

from __future__ import annotations

import datetime as dt
import time
import zoneinfo
from typing import Any

import msgspec
import numpy as np
from sqlalchemy import select

from console.config import Config
from console.district.model import DistrictPackage
from console.district.roads import DistrictShape
from console.district.roster import DutyRoster
from console.district.stored import load_stored
from console.domain import UnitStatus
from console.geo.coords import haversine_m
from console.geo.roadgraph import RoadGraph
from console.hub.bootstrap import build_graph
from console.planning.demand import Demand
from console.planning.engine import PlanEngine
from console.planning.fleet import SituationView
from console.planning.plan import Plan, PlanRequest
from console.planning.runcards import load_run_cards
from console.store import repos
from console.store.db import Store
from console.store.models import DistrictRow, PositionLatestRow, UnitRow

FIX_MAX_AGE_S = 600.0
HISTORY_DAYS = 90


class PlanQueryError(ValueError):
    """The question cannot be asked of this district (unknown type, place outside)."""


def _view(store: Store, pkg: DistrictPackage, now: float) -> SituationView:
    specs = pkg.district.units
    roster = DutyRoster(pkg.shifts)
    with store.session() as s:
        rows = s.execute(
            select(
                UnitRow.call_sign,
                UnitRow.status,
                PositionLatestRow.t,
                PositionLatestRow.lon,
                PositionLatestRow.lat,
            )
            .join(DistrictRow, DistrictRow.id == UnitRow.district_id)
            .outerjoin(PositionLatestRow, PositionLatestRow.unit_id == UnitRow.id)
            .where(DistrictRow.code == pkg.info.code, UnitRow.retired_at.is_(None))
        ).all()
    live = {cs: (st, t, x, y) for cs, st, t, x, y in rows}
    lon = np.array([u.home_lon for u in specs], dtype=np.float64)
    lat = np.array([u.home_lat for u in specs], dtype=np.float64)
    avail = np.zeros(len(specs), dtype=bool)
    for i, u in enumerate(specs):
        status, t, x, y = live.get(u.call_sign, (UnitStatus.AVAILABLE.value, None, None, None))
        avail[i] = status == UnitStatus.AVAILABLE.value and roster.on_duty(u.call_sign, now)
        if t is not None and x is not None and y is not None and now - t <= FIX_MAX_AGE_S:
            lon[i], lat[i] = x, y
    return SituationView(specs, lon, lat, avail)


def _engine(
    config: Config,
    graph: RoadGraph,
    pkg: DistrictPackage,
    store: Store,
    now: float,
    tz: zoneinfo.ZoneInfo,
) -> PlanEngine:
    cards = load_run_cards(config)
    engine = PlanEngine(config, cards, graph, pkg.district)
    with store.session() as s:
        calls = repos.CallHistoryRepo(s).query(now - HISTORY_DAYS * 86400.0, now + 1.0)
    if len(calls.t):
        hours = np.array([_hour_of_day(t, tz) for t in calls.t.tolist()], dtype=np.float64)
        try:
            engine.demand = Demand.from_calls(
                engine.tt, cards, hours, [str(x) for x in calls.incident_type], calls.lon, calls.lat
            )
        except ValueError:
            engine.demand = None
    return engine


def _hour_of_day(t: float, tz: zoneinfo.ZoneInfo) -> float:
    d = dt.datetime.fromtimestamp(t, tz)
    return d.hour + d.minute / 60.0 + d.second / 3600.0


def _route_m(lon: list[float], lat: list[float]) -> float:
    if len(lon) < 2:
        return 0.0
    a = np.asarray(lon)
    b = np.asarray(lat)
    return float(np.sum(haversine_m(a[:-1], b[:-1], a[1:], b[1:])))


def plan_now(
    store: Store,
    config: Config,
    incident_type: str,
    lon: float,
    lat: float,
    *,
    force_level: int | None = None,
    manpower: int | None = None,
    district: str | None = None,
    now: float | None = None,
) -> dict[str, Any]:
    """The engine's plan as one JSON-ready dict (see ``docs/district-package.md``)."""
    if incident_type not in config.incident_types:
        raise PlanQueryError(
            f"unknown incident type {incident_type!r} "
            f"(known: {', '.join(sorted(config.incident_types))})"
        )
    if force_level is not None and force_level not in config.force_levels:
        raise PlanQueryError(
            f"unknown force level {force_level} (known: {sorted(config.force_levels)})"
        )
    if manpower is not None and manpower < 1:
        raise PlanQueryError("manpower must be at least 1")
    t = time.time() if now is None else now
    pkg = load_stored(store, district)
    if not DistrictShape(pkg.district.outline, 0.0).inside(lon, lat):
        raise PlanQueryError(f"({lat}, {lon}) is outside district {pkg.info.code}")
    tz = zoneinfo.ZoneInfo(pkg.info.time_zone)
    graph = build_graph(pkg.district, config, pkg.restrictions)
    engine = _engine(config, graph, pkg, store, t, tz)
    view = _view(store, pkg, t)
    hour = dt.datetime.fromtimestamp(t, tz).hour
    req = PlanRequest(
        incident_id=0,
        incident_type=incident_type,
        lon=lon,
        lat=lat,
        force_level=force_level,
        manpower=manpower,
    )
    plan: Plan = engine.plan([req], view, hour=hour)[0]
    return {
        "district": pkg.info.code,
        "approximate": pkg.info.approximate,
        "at": {"lat": lat, "lon": lon},
        "time": dt.datetime.fromtimestamp(t, tz).isoformat(),
        "hour": hour,
        "incident_type": incident_type,
        "priority": plan.priority,
        "force_level": plan.force_level,
        "manpower": plan.manpower,
        "manpower_assigned": plan.manpower_assigned,
        "units_available": int(view.available.sum()),
        "units": [
            {
                "call_sign": s.call_sign,
                "unit_type": s.unit_type,
                "role": s.role_en,
                "role_zh": s.role_zh,
                "wave": s.wave,
                "eta_s": round(s.eta_s, 1),
                "road_distance_m": round(s.distance_m, 1),
                "route_length_m": round(_route_m(s.route_lon, s.route_lat), 1),
                "standard": s.standard,
                "standard_s": s.standard_s,
                "met": s.met,
            }
            for s in plan.slots
        ],
        "standards": [
            {"standard": c.standard, "seconds": c.seconds, "met": c.met, "text": c.text_en}
            for c in plan.standards
        ],
        "shortfalls": [
            {"slot": f.slot_key, "missing": f.missing, "text": f.text_en} for f in plan.shortfalls
        ],
        "plan_ms": round(plan.plan_ms, 1),
        "plan": msgspec.to_builtins(plan),
    }
