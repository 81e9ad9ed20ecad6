"""One incident's full record: what the after-action report and the history window show.

Everything comes from the store as it was written while the incident ran: the
chronology (who did what, when), each plan with the supervisors' decisions, the
orders with their receipts, the photos filed from the scene (thumbnails; the full
photo through the attachments command), the command room's messages to the units and
the officers' reports from the scene (chronology ``feedback`` lines).
Response figures are measured against each unit type's arrival standard.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sqlalchemy import inspect, select
from sqlalchemy.orm import Session

from console.config import Config
from console.history import HistoryError
from console.history.search import incident_row, outcomes
from console.store.models import (
    IncidentEventRow,
    IncidentRow,
    OrderRow,
    PlanDecisionRow,
    PlanRow,
    UnitRow,
)
from console.store.models_trust import PhotoBlobRow, PhotoRow

FIRST_APPROVAL = "plan_first_approval"  # the chronology kind console.hub.current_plans writes
POLICY_DISPATCH = "plan_dispatched_by_policy"  # ditto: a plan let out without a supervisor
RECEIPT_STATES = ("delivered", "read", "accepted", "rejected", "arrived", "finished")


def standards_by_unit_type(config: Config) -> dict[str, float]:
    """Seconds from dispatch to arrival each unit type must keep (its arrival standard)."""
    return {
        key: float(config.arrival_standards[ut.standard].seconds)
        for key, ut in config.unit_types.items()
        if ut.standard in config.arrival_standards
    }


def incident_record(
    s: Session,
    incident_id: int,
    standards: Mapping[str, float],
    *,
    thumbnails: bool = True,
) -> dict[str, Any]:
    """The incident's record (see the module text); HistoryError for an unknown number."""
    row = s.get(IncidentRow, incident_id)
    if row is None:
        raise HistoryError(f"no incident number {incident_id}")
    chronology: list[dict[str, Any]] = [
        {"t": e.t, "actor": e.actor, "kind": e.kind, "detail": dict(e.detail or {})}
        for e in s.scalars(
            select(IncidentEventRow)
            .where(IncidentEventRow.incident_id == incident_id)
            .order_by(IncidentEventRow.t, IncidentEventRow.id)
        )
    ]
    orders = order_rows(s, [incident_id], standards).get(incident_id, [])
    return {
        "incident": incident_row(
            row, outcomes(s, [incident_id]).get(incident_id, ""), _units(orders)
        ),
        "chronology": chronology,
        "plans": _plans(s, incident_id, chronology),
        "orders": orders,
        "receipts": [
            {
                "t": c["t"],
                "actor": c["actor"],
                "state": c["kind"][len("order_") :],
                "call_sign": str(c["detail"].get("unit") or c["actor"]),
                "order_id": str(c["detail"].get("order_id", "")),
                "reason": str(c["detail"].get("reason", "")),
                "channel": str(c["detail"].get("channel", "")),
            }
            for c in chronology
            if c["kind"].startswith("order_") and c["kind"][len("order_") :] in RECEIPT_STATES
        ],
        "photos": _photos(s, incident_id, thumbnails),
        "messages": _messages(s, incident_id),
        "reports": [
            {
                "t": c["t"],
                "call_sign": c["actor"].removeprefix("terminal:"),
                "text": str(c["detail"].get("text", "")),
                "photo_id": c["detail"].get("photo_id"),
            }
            for c in chronology
            if c["kind"] == "feedback"
        ],
        "response": response_of(row.created_at, orders),
    }


def order_rows(
    s: Session, incident_ids: list[int], standards: Mapping[str, float]
) -> dict[int, list[dict[str, Any]]]:
    """Orders by incident, oldest first, each with its response against its standard."""
    out: dict[int, list[dict[str, Any]]] = {}
    if not incident_ids:
        return out
    for chunk in [incident_ids[i : i + 500] for i in range(0, len(incident_ids), 500)]:
        rows = s.execute(
            select(OrderRow, UnitRow.call_sign, UnitRow.unit_type)
            .join(UnitRow, UnitRow.id == OrderRow.unit_id)
            .where(OrderRow.incident_id.in_(chunk))
            .order_by(OrderRow.created_at, OrderRow.id)
        ).all()
        for o, call_sign, unit_type in rows:
            std = standards.get(str(unit_type))
            resp = None if o.arrived_at is None else float(o.arrived_at - o.created_at)
            out.setdefault(int(o.incident_id), []).append(
                {
                    "order_id": str(o.id),
                    "incident_id": int(o.incident_id),
                    "call_sign": str((o.body or {}).get("call_sign") or call_sign),
                    "unit_type": str(unit_type),
                    "role": o.role,
                    "plan_id": o.plan_id,
                    "state": o.state,
                    "created_at": o.created_at,
                    "delivered_at": o.delivered_at,
                    "read_at": o.read_at,
                    "accepted_at": o.accepted_at,
                    "arrived_at": o.arrived_at,
                    "finished_at": o.finished_at,
                    "rejected_reason": o.rejected_reason or "",
                    "outcome": o.outcome or "",
                    "attempts": o.attempts,
                    "standard_s": std,
                    "response_s": resp,
                    "within_standard": None if resp is None or std is None else resp <= std,
                }
            )
    return out


def response_of(call_at: float, orders: list[dict[str, Any]]) -> dict[str, Any]:
    """The incident's response: call to first order, to first arrival, against the
    standard of the unit that arrived first."""
    sent = [o["created_at"] for o in orders]
    arrived = [o for o in orders if o["arrived_at"] is not None]
    first = min(arrived, key=lambda o: o["arrived_at"]) if arrived else None
    return {
        "first_order_at": min(sent) if sent else None,
        "dispatch_delay_s": (min(sent) - call_at) if sent else None,
        "first_arrival_at": first["arrived_at"] if first else None,
        "first_unit": first["call_sign"] if first else "",
        "call_to_arrival_s": (first["arrived_at"] - call_at) if first else None,
        "response_s": first["response_s"] if first else None,
        "standard_s": first["standard_s"] if first else None,
        "within_standard": first["within_standard"] if first else None,
    }


def _units(orders: list[dict[str, Any]]) -> list[str]:
    seen: list[str] = []
    for o in orders:
        if o["call_sign"] not in seen:
            seen.append(o["call_sign"])
    return seen


def _plans(s: Session, incident_id: int, chronology: list[dict[str, Any]]) -> list[dict[str, Any]]:
    plans = list(
        s.scalars(select(PlanRow).where(PlanRow.incident_id == incident_id).order_by(PlanRow.id))
    )
    decisions: dict[int, list[dict[str, Any]]] = {}
    if plans:
        for d in s.scalars(
            select(PlanDecisionRow)
            .where(PlanDecisionRow.plan_id.in_([p.id for p in plans]))
            .order_by(PlanDecisionRow.t, PlanDecisionRow.id)
        ):
            decisions.setdefault(d.plan_id, []).append(
                {"t": d.t, "user": d.user, "decision": d.decision, "reason": d.reason}
            )
    first = [c for c in chronology if c["kind"] == FIRST_APPROVAL]
    out = []
    for p in plans:
        body = p.body or {}
        out.append(
            {
                "plan_id": p.id,
                "status": p.status,
                "created_at": p.created_at,
                "created_by": p.created_by,
                "force_level": body.get("force_level"),
                "manpower": body.get("manpower"),
                "manpower_assigned": body.get("manpower_assigned"),
                "slots": [
                    {
                        "call_sign": str(x.get("call_sign", "")),
                        "unit_type": str(x.get("unit_type", "")),
                        "role_zh": str(x.get("role_zh", "")),
                        "role_en": str(x.get("role_en", "")),
                        "eta_s": x.get("eta_s"),
                        "met": x.get("met"),
                    }
                    for x in body.get("slots", [])
                ],
                "notes_zh": list(body.get("notes_zh", [])),
                "notes_en": list(body.get("notes_en", [])),
                "first_approvals": [
                    {"t": c["t"], "user": c["actor"]}
                    for c in first
                    if c["detail"].get("plan_id") == p.id
                ],
                "decisions": decisions.get(p.id, []),
            }
        )
    return out


def _photos(s: Session, incident_id: int, thumbnails: bool) -> list[dict[str, Any]]:
    rows = s.execute(
        select(PhotoRow, UnitRow.call_sign, PhotoBlobRow.width, PhotoBlobRow.height)
        .outerjoin(UnitRow, UnitRow.id == PhotoRow.unit_id)  # a camera's evidence: no unit
        .join(PhotoBlobRow, PhotoBlobRow.sha256 == PhotoRow.sha256)
        .where(PhotoRow.incident_id == incident_id)
        .order_by(PhotoRow.created_at, PhotoRow.id)
    ).all()
    out = []
    for p, call_sign, width, height in rows:
        item: dict[str, Any] = {
            "photo_id": p.id,
            "t": p.created_at,
            "call_sign": str(call_sign or ""),
            "camera_id": p.camera_id or "",
            "order_id": p.order_id or "",
            "size": p.size,
            "width": width,
            "height": height,
        }
        if thumbnails:
            blob = s.get(PhotoBlobRow, p.sha256)
            item["thumb"] = bytes(blob.thumb) if blob is not None else b""
        out.append(item)
    return out


def _messages(s: Session, incident_id: int) -> list[dict[str, Any]] | None:
    """Messages about the incident (one row per group, with each unit's state); None when
    this store has no message table (a database older than migration 0005)."""
    try:
        from console.store.models_messages import MessageRow
    except ImportError:  # pragma: no cover - the module ships with this version
        return None
    bind = s.get_bind()
    if not inspect(bind).has_table(MessageRow.__tablename__):
        return None
    groups: dict[str, dict[str, Any]] = {}
    for m, call_sign in s.execute(
        select(MessageRow, UnitRow.call_sign)
        .join(UnitRow, UnitRow.id == MessageRow.unit_id)
        .where(MessageRow.incident_id == incident_id)
        .order_by(MessageRow.created_at, MessageRow.id)
    ).all():
        g = groups.setdefault(
            m.group_id,
            {
                "t": m.created_at,
                "sender": m.sender,
                "sender_name": m.sender_name,
                "to": m.to,
                "text": m.text,
                "recipients": [],
            },
        )
        g["recipients"].append(
            {
                "call_sign": str(call_sign),
                "state": m.state,
                "delivered_at": m.delivered_at,
                "read_at": m.read_at,
            }
        )
    return list(groups.values())
