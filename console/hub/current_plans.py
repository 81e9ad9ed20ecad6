"""The current plan of each incident, in memory: what a snapshot shows, what a decision
acts on, and which units a proposed plan holds for its incident.

A register only (no decisions, no events): the plan book writes it, the availability
check and the reassignment read it.  Rebuilt from the store at start, with the first
approvals of two-supervisor plans taken from the chronology.  How many approvals a plan
needs is the approval policy's answer (``config/approval_policy.toml``), kept here so
every plan event carries the number the hub enforces.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from typing import Any

from console.hub.approval_policy import ApprovalPolicy
from console.hub.messages import PlanChanged
from console.store import repos
from console.store.db import Store

FIRST_APPROVAL = "plan_first_approval"  # chronology kind of an approval that is not the last
POLICY_DISPATCH = "plan_dispatched_by_policy"
"""Chronology kind of a plan the policy let out without a supervisor (the supervisors are
told); its actor is the operator in whose name the orders went."""


def needed_approvals(force_level: int) -> int:
    """The seed rule: two different supervisors from force level 3 up, one below."""
    return 2 if force_level >= 3 else 1


def policy_needs(policy: ApprovalPolicy, body: dict[str, Any]) -> int:
    """Approvals the policy asks of a plan body (its force level and incident type)."""
    level = min(max(int(body.get("force_level", 1)), 1), 4)
    return policy.needed(level, str(body.get("incident_type", "")))


def plan_event(
    plan_id: int,
    incident_id: int,
    status: str,
    approvals: list[str],
    body: dict[str, Any],
    needed: int | None = None,
) -> PlanChanged:
    """The plan as workstations see it (and as this register keeps it); ``needed``
    defaults to the seed rule (callers with a policy pass its answer)."""
    return PlanChanged(
        plan_id=plan_id,
        incident_id=incident_id,
        status=status,
        approvals=approvals,
        approvals_needed=(
            needed_approvals(int(body.get("force_level", 1))) if needed is None else needed
        ),
        body=body,
    )


class CurrentPlans:
    """The newest plan per incident, by plan id; ``policy`` (default: the seed rule)
    says how many approvals each needs."""

    def __init__(self, policy: ApprovalPolicy | None = None) -> None:
        self._plans: dict[int, PlanChanged] = {}
        self.policy = policy if policy is not None else ApprovalPolicy.seed()

    def event(
        self,
        plan_id: int,
        incident_id: int,
        status: str,
        approvals: list[str],
        body: dict[str, Any],
    ) -> PlanChanged:
        """A plan event with the approvals the policy asks of it."""
        needed = policy_needs(self.policy, body)
        return plan_event(plan_id, incident_id, status, approvals, body, needed)

    def load(self, store: Store, incident_ids: Iterable[int]) -> None:
        """Read the newest plan of each incident (a restart), with its recorded approvals."""
        with store.session() as s:
            pr = repos.PlanRepo(s)
            ir = repos.IncidentRepo(s)
            for iid in incident_ids:
                rows = pr.for_incident(iid)
                if not rows:
                    continue
                row = rows[-1]
                approvals = [
                    e.actor
                    for e in ir.chronology(iid)
                    if e.kind in (FIRST_APPROVAL, POLICY_DISPATCH)
                    and e.detail.get("plan_id") == row.id
                ]
                self.put(self.event(row.id, iid, row.status, approvals, row.body))

    def __iter__(self) -> Iterator[PlanChanged]:
        return iter(list(self._plans.values()))

    def __len__(self) -> int:
        return len(self._plans)

    def get(self, plan_id: int) -> PlanChanged | None:
        """The plan if it is the current plan of its incident."""
        return self._plans.get(plan_id)

    def of_incident(self, incident_id: int) -> PlanChanged | None:
        """The incident's current plan, if it has one."""
        return next((p for p in self._plans.values() if p.incident_id == incident_id), None)

    def put(self, plan: PlanChanged) -> None:
        """Make ``plan`` its incident's current plan (any older one is dropped)."""
        self.drop_incident(plan.incident_id)
        self._plans[plan.plan_id] = plan

    def drop_incident(self, incident_id: int) -> None:
        """Forget the incident's plan (closed, cancelled, superseded)."""
        for pid in [p for p, ev in self._plans.items() if ev.incident_id == incident_id]:
            del self._plans[pid]

    def of_open(self, is_open: Callable[[int], bool]) -> list[PlanChanged]:
        """Plans of incidents that are still open (for the snapshot)."""
        return [p for p in self._plans.values() if is_open(p.incident_id)]

    def held(self, exclude_incident: int | None = None) -> dict[str, int]:
        """Call sign -> incident, for units in proposed (not yet decided) plans of other
        incidents than ``exclude_incident``: spoken for, not to be planned twice."""
        out: dict[str, int] = {}
        for p in self._plans.values():
            if p.status != "proposed" or p.incident_id == exclude_incident:
                continue
            for slot in p.body.get("slots", []):
                out.setdefault(str(slot["call_sign"]), p.incident_id)
        return out

    def slot_of(self, incident_id: int, call_sign: str) -> dict[str, Any] | None:
        """The slot ``call_sign`` holds in the incident's plan (None: sent without a plan)."""
        for p in self._plans.values():
            if p.incident_id != incident_id:
                continue
            for slot in p.body.get("slots", []):
                if slot.get("call_sign") == call_sign:
                    return dict(slot)
        return None
