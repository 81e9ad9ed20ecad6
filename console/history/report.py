"""The figures of a shift: incidents, response against the standards, units, alerts, approvals.

A shift report covers every incident *active* in the window (created before its end
and not ended before its start), so the incidents handed over from the previous shift
count too.  Response is measured per order (dispatch to arrival, against the unit
type's standard, as :mod:`console.hub.stats` does) and per incident (call to first
arrival).  Alerts and first approvals come from the chronology, decisions from the
plan decisions table, notes and handovers from the shift log.  A plan the approval
policy let out without a supervisor is listed as ``dispatched_by_policy`` (in the name of
the operator who dispatched it), never counted as anyone's approval.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Mapping
from typing import Any

import numpy as np
from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from console.history import HistoryError
from console.history.record import FIRST_APPROVAL, POLICY_DISPATCH, order_rows, response_of
from console.history.search import incident_rows
from console.history.shiftlog import handovers, log_entries
from console.store.models import IncidentEventRow, IncidentRow, PlanDecisionRow, PlanRow

MAX_WINDOW_S = 7 * 24 * 3600.0
POLICY_DECISION = "dispatched_by_policy"
"""The decision shown for a plan the approval policy let out without a supervisor."""


def shift_report(
    s: Session,
    t0: float,
    t1: float,
    standards: Mapping[str, float],
    standard_of_type: Mapping[str, str] | None = None,
) -> dict[str, Any]:
    """The report data for [t0, t1) (see the module text).

    ``standards``: unit type -> seconds; ``standard_of_type``: unit type -> the key of
    its arrival standard, to group the response figures by standard (else by unit type).
    """
    if not t0 < t1:
        raise HistoryError("a shift report needs a window that ends after it starts")
    if t1 - t0 > MAX_WINDOW_S:
        raise HistoryError("a shift report covers at most seven days")
    ids = list(
        s.scalars(
            select(IncidentRow.id)
            .where(
                IncidentRow.created_at < t1,
                or_(IncidentRow.closed_at.is_(None), IncidentRow.closed_at >= t0),
            )
            .order_by(IncidentRow.created_at, IncidentRow.id)
        )
    )
    incidents = incident_rows(s, ids)
    orders = order_rows(s, ids, standards)
    approvals = _approvals(s, t0, t1)
    approved_by: dict[int, list[str]] = defaultdict(list)
    by_policy: dict[int, str] = {}
    for a in approvals:
        if a["decision"] in ("approve", "first_approval"):
            approved_by[a["incident_id"]].append(a["user"])
        elif a["decision"] == POLICY_DECISION:
            by_policy[a["incident_id"]] = a["user"]
    for inc in incidents:
        inc["response"] = response_of(inc["created_at"], orders.get(inc["id"], []))
        inc["approved_by"] = approved_by.get(inc["id"], [])
        inc["dispatched_by_policy"] = by_policy.get(inc["id"], "")
        inc["new_in_shift"] = inc["created_at"] >= t0
    all_orders = [o for lst in orders.values() for o in lst]
    return {
        "t0": t0,
        "t1": t1,
        "incidents": incidents,
        "totals": _totals(incidents, t0, t1),
        "response": _response(all_orders, standard_of_type or {}),
        "units": _units(all_orders, t1),
        "alerts": _alerts(s, t0, t1),
        "approvals": approvals,
        "approvals_by_user": dict(
            Counter(a["user"] for a in approvals if a["decision"] in ("approve", "first_approval"))
        ),
        "dispatched_by_policy": sum(1 for a in approvals if a["decision"] == POLICY_DECISION),
        "log": log_entries(s, t0, t1),
        "handovers": handovers(s, t0, t1),
    }


def _totals(incidents: list[dict[str, Any]], t0: float, t1: float) -> dict[str, Any]:
    ended = [i for i in incidents if i["closed_at"] is not None and i["closed_at"] < t1]
    return {
        "active": len(incidents),
        "new": sum(1 for i in incidents if i["created_at"] >= t0),
        "carried_over": sum(1 for i in incidents if i["created_at"] < t0),
        "closed": sum(1 for i in ended if i["status"] == "closed"),
        "cancelled": sum(1 for i in ended if i["status"] == "cancelled"),
        "open_at_end": len(incidents) - len(ended),
        "by_type": dict(Counter(i["incident_type"] for i in incidents)),
        "by_priority": {
            str(k): v for k, v in sorted(Counter(i["priority"] for i in incidents).items())
        },
    }


def _response(
    orders: list[dict[str, Any]], standard_of_type: Mapping[str, str]
) -> list[dict[str, Any]]:
    """Per standard: arrivals, how many within, mean, 90th percentile and worst."""
    groups: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for o in orders:
        if o["response_s"] is not None and o["standard_s"] is not None:
            groups[standard_of_type.get(o["unit_type"], o["unit_type"])].append(o)
    out = []
    for key in sorted(groups):
        g = groups[key]
        r = np.array([o["response_s"] for o in g], dtype=np.float64)
        within = sum(1 for o in g if o["within_standard"])
        out.append(
            {
                "standard": key,
                "standard_s": float(g[0]["standard_s"]),
                "arrivals": len(g),
                "within": within,
                "within_share": within / len(g),
                "mean_s": float(r.mean()),
                "p90_s": float(np.percentile(r, 90)),
                "max_s": float(r.max()),
            }
        )
    return out


def _units(orders: list[dict[str, Any]], t1: float) -> list[dict[str, Any]]:
    by: dict[str, dict[str, Any]] = {}
    for o in orders:
        u = by.setdefault(
            o["call_sign"],
            {
                "call_sign": o["call_sign"],
                "unit_type": o["unit_type"],
                "orders": 0,
                "incidents": set(),
                "arrivals": 0,
                "within": 0,
                "refused": 0,
                "responses": [],
                "time_on_task_s": 0.0,
            },
        )
        u["orders"] += 1
        u["incidents"].add(o["incident_id"])
        if o["state"] == "rejected":
            u["refused"] += 1
        if o["accepted_at"] is not None:
            end = o["finished_at"] if o["finished_at"] is not None else t1
            u["time_on_task_s"] += max(0.0, min(end, t1) - o["accepted_at"])
        if o["response_s"] is not None:
            u["arrivals"] += 1
            u["responses"].append(o["response_s"])
            u["within"] += int(bool(o["within_standard"]))
    out = []
    for cs in sorted(by):
        u = by[cs]
        n = len(u["responses"])
        out.append(
            {
                "call_sign": cs,
                "unit_type": u["unit_type"],
                "orders": u["orders"],
                "incidents": len(u["incidents"]),
                "arrivals": u["arrivals"],
                "refused": u["refused"],
                "mean_response_s": (sum(u["responses"]) / n) if n else None,
                "within_share": (u["within"] / n) if n else None,
                "time_on_task_s": u["time_on_task_s"],
            }
        )
    return out


def _alerts(s: Session, t0: float, t1: float) -> list[dict[str, Any]]:
    """Alerts raised in the window (from the chronology), with who acknowledged them."""
    rows = s.scalars(
        select(IncidentEventRow)
        .where(
            IncidentEventRow.t >= t0,
            IncidentEventRow.t < t1,
            IncidentEventRow.kind.like("alert\\_%", escape="\\"),
        )
        .order_by(IncidentEventRow.t, IncidentEventRow.id)
    ).all()
    out: list[dict[str, Any]] = []
    for e in rows:
        d = dict(e.detail or {})
        if e.kind == "alert_acknowledged":
            kind = str(d.get("kind", ""))
            for a in out:  # the oldest unacknowledged alert of that kind on that incident
                if a["incident_id"] == e.incident_id and a["kind"] == kind and not a["acked_by"]:
                    a["acked_by"], a["acked_at"] = e.actor, e.t
                    break
            continue
        out.append(
            {
                "t": e.t,
                "incident_id": e.incident_id,
                "kind": e.kind[len("alert_") :],
                "text": str(d.get("text", "")),
                "acked_by": "",
                "acked_at": None,
            }
        )
    return out


def _approvals(s: Session, t0: float, t1: float) -> list[dict[str, Any]]:
    """Who decided which plan in the window: decisions, and first approvals of two-supervisor
    plans (their second approval is the decision)."""
    freed = {
        (e.detail or {}).get("plan_id")
        for e in s.scalars(
            select(IncidentEventRow).where(
                IncidentEventRow.kind == POLICY_DISPATCH,
                IncidentEventRow.t >= t0,
                IncidentEventRow.t < t1,
            )
        )
    }
    out: list[dict[str, Any]] = []
    for d, incident_id in s.execute(
        select(PlanDecisionRow, PlanRow.incident_id)
        .join(PlanRow, PlanRow.id == PlanDecisionRow.plan_id)
        .where(PlanDecisionRow.t >= t0, PlanDecisionRow.t < t1)
        .order_by(PlanDecisionRow.t, PlanDecisionRow.id)
    ).all():
        out.append(
            {
                "t": d.t,
                "user": d.user,
                "decision": (
                    POLICY_DECISION
                    if d.decision == "approve" and d.plan_id in freed
                    else d.decision
                ),
                "plan_id": d.plan_id,
                "incident_id": int(incident_id),
                "reason": d.reason,
            }
        )
    for e in s.scalars(
        select(IncidentEventRow).where(
            IncidentEventRow.kind == FIRST_APPROVAL,
            IncidentEventRow.t >= t0,
            IncidentEventRow.t < t1,
        )
    ):
        out.append(
            {
                "t": e.t,
                "user": e.actor,
                "decision": "first_approval",
                "plan_id": (e.detail or {}).get("plan_id"),
                "incident_id": e.incident_id,
                "reason": "",
            }
        )
    out.sort(key=lambda a: (a["t"], a["plan_id"] or 0))
    return out
