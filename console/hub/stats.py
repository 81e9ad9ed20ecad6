"""Workload and performance per officer, unit and station, from the orders on record.

Command rooms quantify each officer's hours and results so that doing more
and doing less no longer count the same.  Figures come from the orders table
(the outbox doubles as the record of who was sent, when they accepted,
arrived and finished), so they match what the terminals reported.
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from sqlalchemy import select

from console.config import Config
from console.domain import District
from console.store.db import Store
from console.store.models import IncidentEventRow, IncidentRow, OrderRow

CAMERA_SOURCE = "camera"


def workload(
    store: Store, district: District, config: Config, now: float, t0: float, t1: float
) -> dict[str, list[dict[str, Any]]]:
    """Rows per unit, officer and station for orders created in [t0, t1); ``now`` closes
    the hours of orders still running."""
    by_unit: dict[str, dict[str, Any]] = {}
    with store.session() as s:
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
    specs = {u.call_sign: u for u in district.units}
    for incident_id, body, created, accepted, arrived, finished, _state in rows:
        cs = str((body or {}).get("call_sign", ""))
        spec = specs.get(cs)
        if spec is None:
            continue
        ut = config.unit_types[spec.unit_type]
        std = config.arrival_standards[ut.standard].seconds
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
    return {
        "units": units_out,
        "officers": officers,
        "stations": stations_out,
        "cameras": camera_alarms(store, t0, t1),
    }


def camera_alarms(store: Store, t0: float, t1: float) -> list[dict[str, Any]]:
    """Per camera, the incidents it raised in [t0, t1) and what the operators decided:
    ``false_alarm_rate`` is dismissed / decided (None while nothing was decided), so a
    camera that keeps seeing birds as throws shows up here (console/hub/sensing.py)."""
    with store.session() as s:
        rows = s.execute(
            select(IncidentEventRow.incident_id, IncidentEventRow.kind, IncidentEventRow.detail)
            .join(IncidentRow, IncidentRow.id == IncidentEventRow.incident_id)
            .where(
                IncidentRow.source == CAMERA_SOURCE,
                IncidentRow.created_at >= t0,
                IncidentRow.created_at < t1,
                IncidentEventRow.kind.in_(
                    ("camera_detection", "camera_confirmed", "camera_dismissed")
                ),
            )
            .order_by(IncidentEventRow.t, IncidentEventRow.id)
        ).all()
    camera_of: dict[int, str] = {}
    names: dict[str, str] = {}
    detections: dict[int, int] = defaultdict(int)
    decision: dict[int, str] = {}
    for iid, kind, detail in rows:
        if kind == "camera_detection":
            cam = camera_of.setdefault(iid, str((detail or {}).get("camera_id", "")))
            names.setdefault(cam, str((detail or {}).get("camera_name", "")))
            detections[iid] += 1
        else:
            decision.setdefault(iid, kind.removeprefix("camera_"))
    per: dict[str, dict[str, Any]] = {}
    for iid, cam in camera_of.items():
        c = per.setdefault(
            cam,
            {
                "camera": cam,
                "name": names.get(cam) or cam,
                "incidents": 0,
                "detections": 0,
                "confirmed": 0,
                "dismissed": 0,
            },
        )
        c["incidents"] += 1
        c["detections"] += detections[iid]
        said = decision.get(iid)
        if said in ("confirmed", "dismissed"):
            c[said] += 1
    out = []
    for cam in sorted(per):
        c = per[cam]
        decided = c["confirmed"] + c["dismissed"]
        c["undecided"] = c["incidents"] - decided
        c["false_alarm_rate"] = round(c["dismissed"] / decided, 3) if decided else None
        out.append(c)
    return out
