"""Incidents, their chronology, and the deployment plans proposed for them.

Every change made through these repositories also appends a line to the
incident's chronology (``incident_events``), so the log of who did what and
when cannot be forgotten by a caller.  Closed and cancelled incidents are
final: a new call about the same thing is a new incident.
"""

from __future__ import annotations

import operator
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from console.domain import IncidentStatus
from console.store.checks import (
    choice,
    enum_value,
    json_object,
    lonlat,
    now_or,
    text,
)
from console.store.errors import StoreError
from console.store.models import (
    CODE,
    KIND,
    NAME,
    IncidentEventRow,
    IncidentRow,
    PlanDecisionRow,
    PlanRow,
)

FINAL_STATUSES = (IncidentStatus.CLOSED.value, IncidentStatus.CANCELLED.value)
PLAN_STATUSES = ("proposed", "approved", "rejected", "superseded")
DECISIONS = ("approve", "reject", "amend")


def _int_in(name: str, value: Any, lo: int, hi: int) -> int:
    try:
        v = operator.index(value)  # ints incl. numpy ints, not floats
    except TypeError:
        v = None
    if v is None or isinstance(value, bool) or not lo <= v <= hi:
        raise StoreError(f"incident {name} must be an integer {lo}-{hi}, got {value!r}")
    return v


class IncidentRepo:
    """Create and follow incidents; each change is written to the chronology."""

    def __init__(self, session: Session) -> None:
        self.s = session

    def create(
        self,
        *,
        incident_type: str,
        priority: int,
        force_level: int,
        manpower: int,
        lon: float,
        lat: float,
        created_by: str,
        created_at: float | None = None,
        address: str = "",
        caller: str = "",
        description: str = "",
        source: str = "call",
    ) -> IncidentRow:
        """A new incident in status ``new`` with a ``created`` chronology entry."""
        priority, force_level, manpower = (
            _int_in(name, value, lo, hi)
            for name, value, lo, hi in (
                ("priority", priority, 1, 4),
                ("force_level", force_level, 1, 4),
                ("manpower", manpower, 1, 10_000),
            )
        )
        x, y = lonlat(lon, lat, "incident")
        t = now_or(created_at)
        row = IncidentRow(
            incident_type=text(incident_type, "incident type", CODE),
            status=IncidentStatus.NEW.value,
            priority=priority,
            force_level=force_level,
            manpower=manpower,
            lon=x,
            lat=y,
            address=text(address, "address", NAME, allow_empty=True),
            caller=text(caller, "caller", NAME, allow_empty=True),
            description=text(description, "description", 100_000, allow_empty=True),
            created_at=t,
            created_by=text(created_by, "created_by", CODE),
            source=text(source, "incident source", KIND),
        )
        self.s.add(row)
        self.s.flush()
        self.add_event(
            row.id,
            t=t,
            actor=created_by,
            kind="created",
            detail={"incident_type": incident_type, "source": source},
        )
        return row

    def get(self, incident_id: int) -> IncidentRow | None:
        return self.s.get(IncidentRow, incident_id)

    def _require(self, incident_id: int) -> IncidentRow:
        row = self.s.get(IncidentRow, incident_id)
        if row is None:
            raise StoreError(f"no incident with id {incident_id}")
        return row

    def list_open(self) -> list[IncidentRow]:
        """Incidents not closed or cancelled, most urgent (lowest priority number) first."""
        q = (
            select(IncidentRow)
            .where(IncidentRow.status.not_in(FINAL_STATUSES))
            .order_by(IncidentRow.priority, IncidentRow.created_at, IncidentRow.id)
        )
        return list(self.s.scalars(q))

    def set_status(
        self,
        incident_id: int,
        status: IncidentStatus | str,
        *,
        actor: str,
        t: float | None = None,
        note: str = "",
    ) -> bool:
        """Move to ``status``; False if unchanged or the incident is already final."""
        new = enum_value(IncidentStatus, status, "incident status")
        row = self._require(incident_id)
        if row.status == new.value or row.status in FINAL_STATUSES:
            return False
        t = now_or(t)
        old = row.status
        row.status = new.value
        if new.value in FINAL_STATUSES:
            row.closed_at = t
        self.add_event(
            incident_id,
            t=t,
            actor=actor,
            kind="status",
            detail={"from": old, "to": new.value, "note": note},
        )
        return True

    def merge(self, incident_id: int, into_id: int, *, actor: str, t: float | None = None) -> bool:
        """Fold a duplicate report into another open incident (duplicate becomes cancelled)."""
        if incident_id == into_id:
            raise StoreError(f"cannot merge incident {incident_id} into itself")
        dup, target = self._require(incident_id), self._require(into_id)
        if dup.status in FINAL_STATUSES or target.status in FINAL_STATUSES:
            return False
        t = now_or(t)
        dup.merged_into = into_id
        self.set_status(incident_id, IncidentStatus.CANCELLED, actor=actor, t=t, note="merged")
        self.add_event(into_id, t=t, actor=actor, kind="merged", detail={"from": incident_id})
        return True

    def add_event(
        self,
        incident_id: int,
        *,
        t: float | None = None,
        actor: str,
        kind: str,
        detail: dict[str, Any] | None = None,
    ) -> IncidentEventRow:
        """Append one chronology line (``detail`` is any JSON object)."""
        self._require(incident_id)
        ev = IncidentEventRow(
            incident_id=incident_id,
            t=now_or(t),
            actor=text(actor, "actor", CODE),
            kind=text(kind, "event kind", KIND),
            detail=json_object(detail, "event detail"),
        )
        self.s.add(ev)
        self.s.flush()
        return ev

    def chronology(self, incident_id: int) -> list[IncidentEventRow]:
        q = (
            select(IncidentEventRow)
            .where(IncidentEventRow.incident_id == incident_id)
            .order_by(IncidentEventRow.t, IncidentEventRow.id)
        )
        return list(self.s.scalars(q))


class PlanRepo:
    """Deployment plans and the supervisor's decisions on them.

    Only a ``proposed`` plan can be decided.  A new proposal supersedes older
    proposals for the same incident.  ``amend`` keeps the original (as
    ``superseded``) and stores the edited body as a new, approved plan.
    """

    def __init__(self, session: Session) -> None:
        self.s = session
        self.incidents = IncidentRepo(session)

    def create(
        self, incident_id: int, body: dict[str, Any], *, created_by: str, t: float | None = None
    ) -> PlanRow:
        self.incidents._require(incident_id)
        t = now_or(t)
        self.s.execute(
            update(PlanRow)
            .where(PlanRow.incident_id == incident_id, PlanRow.status == "proposed")
            .values(status="superseded")
            .execution_options(synchronize_session="fetch")
        )
        plan = PlanRow(
            incident_id=incident_id,
            created_at=t,
            created_by=text(created_by, "created_by", CODE),
            status="proposed",
            body=json_object(body, "plan body"),
        )
        self.s.add(plan)
        self.s.flush()
        self.incidents.add_event(
            incident_id, t=t, actor=created_by, kind="plan_proposed", detail={"plan_id": plan.id}
        )
        return plan

    def get(self, plan_id: int) -> PlanRow | None:
        return self.s.get(PlanRow, plan_id)

    def for_incident(self, incident_id: int) -> list[PlanRow]:
        q = select(PlanRow).where(PlanRow.incident_id == incident_id).order_by(PlanRow.id)
        return list(self.s.scalars(q))

    def decide(
        self,
        plan_id: int,
        decision: str,
        *,
        user: str,
        t: float | None = None,
        reason: str = "",
        amended_body: dict[str, Any] | None = None,
    ) -> PlanRow | None:
        """Record a decision; returns the plan now in force (the new one for
        ``amend``) or None if the plan was not ``proposed`` any more."""
        choice(decision, DECISIONS, "plan decision")
        if decision == "amend" and amended_body is None:
            raise StoreError("an 'amend' decision needs the amended plan body")
        plan = self.s.get(PlanRow, plan_id)
        if plan is None:
            raise StoreError(f"no plan with id {plan_id}")
        if plan.status != "proposed":
            return None
        t = now_or(t)
        self.s.add(
            PlanDecisionRow(
                plan_id=plan_id,
                t=t,
                user=text(user, "user", CODE),
                decision=decision,
                reason=text(reason, "reason", 10_000, allow_empty=True),
            )
        )
        result = plan
        if decision == "approve":
            plan.status = "approved"
        elif decision == "reject":
            plan.status = "rejected"
        else:
            plan.status = "superseded"
            result = PlanRow(
                incident_id=plan.incident_id,
                created_at=t,
                created_by=user,
                status="approved",
                body=json_object(amended_body, "amended plan body"),
            )
            self.s.add(result)
        self.s.flush()
        self.incidents.add_event(
            plan.incident_id,
            t=t,
            actor=user,
            kind=f"plan_{decision}",
            detail={"plan_id": plan_id, "result_plan_id": result.id, "reason": reason},
        )
        return result

    def decisions(self, plan_id: int) -> list[PlanDecisionRow]:
        q = select(PlanDecisionRow).where(PlanDecisionRow.plan_id == plan_id)
        return list(self.s.scalars(q.order_by(PlanDecisionRow.t, PlanDecisionRow.id)))
