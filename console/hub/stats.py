"""Workload and performance per officer, unit and station, from the orders on record.

Command rooms quantify each officer's hours and results so that doing more
and doing less no longer count the same.  Figures come from the orders table
(the outbox doubles as the record of who was sent, when they accepted,
arrived and finished), so they match what the terminals reported.
"""

from __future__ import annotations

from collections import defaultdict
from typing import TYPE_CHECKING, Any

from sqlalchemy import select

from console.store.models import OrderRow

if TYPE_CHECKING:
    from console.hub.hub import CommandHub


def workload(hub: CommandHub, t0: float, t1: float) -> dict[str, list[dict[str, Any]]]:
    """Rows per unit, officer and station for orders created in [t0, t1)."""
    now = hub.clock()
    by_unit: dict[str, dict[str, Any]] = {}
    with hub.store.session() as s:
        rows = s.execute(
            select(
                OrderRow.incident_id,
                OrderRow.body,
                OrderRow.created_at,
                OrderRow.accepted_at,
                OrderRow.arrived_at,
                OrderRow.finished_at,
                OrderRow.state,
            ).where(OrderRow.created_at >= t0, OrderRow.created_at < t1)
        ).all()
    specs = {u.call_sign: u for u in hub.district.units}
    for incident_id, body, created, accepted, arrived, finished, _state in rows:
        cs = str((body or {}).get("call_sign", ""))
        spec = specs.get(cs)
        if spec is None:
            continue
        ut = hub.config.unit_types[spec.unit_type]
        std = hub.config.arrival_standards[ut.standard].seconds
        u = by_unit.setdefault(
            cs,
            {
                "name": cs,
                "unit_type": spec.unit_type,
                "station": spec.station_code or "",
                "members": list(spec.members),
                "incidents": set(),
                "orders": 0,
                "time_on_task_s": 0.0,
                "responses": [],
                "within": 0,
            },
        )
        u["orders"] += 1
        if accepted is not None:
            u["incidents"].add(incident_id)
            u["time_on_task_s"] += max(0.0, (finished or now) - accepted)
        if arrived is not None:
            resp = arrived - created
            u["responses"].append(resp)
            u["within"] += int(resp <= std)
    units_out = []
    for u in sorted(by_unit.values(), key=lambda x: x["name"]):
        n = len(u["responses"])
        units_out.append(
            {
                "name": u["name"],
                "unit_type": u["unit_type"],
                "station": u["station"],
                "members": u["members"],
                "orders": u["orders"],
                "incidents": len(u["incidents"]),
                "time_on_task_s": round(u["time_on_task_s"], 1),
                "arrivals": n,
                "mean_response_s": round(sum(u["responses"]) / n, 1) if n else None,
                "within_standard_share": round(u["within"] / n, 3) if n else None,
            }
        )
    officers = []
    for u in units_out:
        for m in u["members"]:
            officers.append(
                {**{k: v for k, v in u.items() if k != "members"}, "name": m, "unit": u["name"]}
            )
    stations: dict[str, dict[str, Any]] = defaultdict(
        lambda: {
            "incidents": 0,
            "orders": 0,
            "time_on_task_s": 0.0,
            "arrivals": 0,
            "_resp": 0.0,
            "_within": 0.0,
        }
    )
    for u in units_out:
        st = stations[u["station"] or "-"]
        st["incidents"] += u["incidents"]
        st["orders"] += u["orders"]
        st["time_on_task_s"] += u["time_on_task_s"]
        if u["arrivals"]:
            st["arrivals"] += u["arrivals"]
            st["_resp"] += u["mean_response_s"] * u["arrivals"]
            st["_within"] += u["within_standard_share"] * u["arrivals"]
    stations_out = [
        {
            "name": name,
            "incidents": v["incidents"],
            "orders": v["orders"],
            "time_on_task_s": round(v["time_on_task_s"], 1),
            "arrivals": v["arrivals"],
            "mean_response_s": round(v["_resp"] / v["arrivals"], 1) if v["arrivals"] else None,
            "within_standard_share": round(v["_within"] / v["arrivals"], 3)
            if v["arrivals"]
            else None,
        }
        for name, v in sorted(stations.items())
    ]
    return {"units": units_out, "officers": officers, "stations": stations_out}
