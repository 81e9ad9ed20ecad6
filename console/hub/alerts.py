"""The alert board: what an operator must see and acknowledge, raised once per condition.

An alert may carry a proposed unit (an escalation names whom to send instead) and the
order it is about; a supervisor's decision on it (reassigned, dismissed) is kept on the
alert so every workstation sees who acted.  Alerts about an open incident are also on
its chronology.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

import msgspec

from console.hub.errors import CommandError
from console.hub.incidents import IncidentBook
from console.hub.messages import Alert, AlertDecision, AlertProposal, CrowdAlertInfo, Event
from console.planning.reassign import Proposal
from console.store import repos
from console.store.db import Store
from console.store.errors import StoreError

log = logging.getLogger(__name__)


class AlertBoard:
    """Alerts by id, the condition keys already raised, proposals and decisions."""

    def __init__(
        self,
        store: Store,
        incidents: IncidentBook,
        clock: Callable[[], float],
        emit: Callable[[Event], None],
    ) -> None:
        self.store = store
        self.incidents = incidents
        self.clock = clock
        self.emit = emit
        self._alerts: dict[int, Alert] = {}
        self._proposals: dict[int, Proposal] = {}  # unit proposed by an escalation
        self._orders: dict[int, str] = {}  # the silent or refused order an alert is about
        self._raised: set[str] = set()
        self._next_id = 1

    # ------------------------------------------------------------------ reads

    def get(self, alert_id: int) -> Alert | None:
        """The alert, or None."""
        return self._alerts.get(alert_id)

    def require(self, alert_id: int) -> Alert:
        """The alert; a refusal naming it when there is none."""
        a = self._alerts.get(alert_id)
        if a is None:
            raise CommandError(f"no alert {alert_id}")
        return a

    def has_raised(self, key: str) -> bool:
        """Whether the condition ``key`` has already had its alert."""
        return key in self._raised

    def proposal(self, alert_id: int) -> Proposal | None:
        """The unit the alert proposes (the planner's full answer), if any."""
        return self._proposals.get(alert_id)

    def order_of(self, alert_id: int) -> str:
        """The order the alert is about ("" if none)."""
        return self._orders.get(alert_id, "")

    def proposed_call_signs(self) -> set[str]:
        """Units named by escalations nobody has acknowledged yet (not to be named twice)."""
        return {p.call_sign for aid, p in self._proposals.items() if not self._alerts[aid].acked_by}

    def open_proposal_for(self, order_id: str) -> Proposal | None:
        """The unit an alert about ``order_id`` already proposes and nobody has decided on
        (a later escalation of the same order names the same unit, not a third one)."""
        for aid, oid in self._orders.items():
            a = self._alerts.get(aid)
            p = self._proposals.get(aid)
            if oid == order_id and a is not None and p is not None and a.decision is None:
                return p
        return None

    def about_order(self, order_id: str, kind: str | None = None) -> list[Alert]:
        """Alerts about ``order_id`` (of ``kind`` if given), oldest first."""
        return [
            self._alerts[aid]
            for aid, oid in self._orders.items()
            if oid == order_id
            and aid in self._alerts
            and (kind is None or self._alerts[aid].kind == kind)
        ]

    def replacement_of(self, order_id: str) -> tuple[int, AlertDecision] | None:
        """(alert id, decision) if an alert about ``order_id`` already had it replaced."""
        for aid, oid in self._orders.items():
            a = self._alerts.get(aid)
            d = a.decision if a is not None and oid == order_id else None
            if d is not None and d.action == "reassigned":
                return aid, d
        return None

    def open_alerts(self) -> list[Alert]:
        """Alerts for the snapshot: not yet acknowledged, or acknowledged with a proposed
        unit nobody has decided on yet (a workstation joining later must still offer it)."""
        return [
            a
            for a in self._alerts.values()
            if not a.acked_by
            or (
                a.proposal is not None
                and a.decision is None
                and a.incident_id is not None
                and self.incidents.is_open(a.incident_id)
            )
        ]

    # ---------------------------------------------------------------- changes

    def raise_alert(
        self,
        key: str,
        level: str,
        kind: str,
        text: str,
        text_en: str,
        incident_id: int | None,
        proposal: Proposal | None = None,
        order_id: str = "",
        crowd: CrowdAlertInfo | None = None,
    ) -> Alert | None:
        """Raise an alert once per condition key; every workstation sees it.  A proposed
        unit is kept by alert id, recorded in the chronology (``detail["proposal"]``) and
        travels with the alert (``Alert.proposal``) so a supervisor can act on it;
        ``order_id`` is the order the alert is about (the one a reassignment replaces)."""
        if key in self._raised:
            return None
        self._raised.add(key)
        a = Alert(
            level=level,
            kind=kind,
            text=text,
            text_en=text_en,
            incident_id=incident_id,
            alert_id=self._next_id,
            t=self.clock(),
            crowd=crowd,  # a crowd warning: its place, lead time and run card
        )
        self._next_id += 1
        self._alerts[a.alert_id] = a
        detail: dict[str, Any] = {"text": text}
        if order_id:
            self._orders[a.alert_id] = order_id
            detail["order_id"] = order_id
        if proposal is not None:
            self._proposals[a.alert_id] = proposal
            detail["proposal"] = msgspec.to_builtins(proposal)
            a.proposal = AlertProposal(
                call_sign=proposal.call_sign,
                unit_type=proposal.unit_type,
                eta_s=proposal.eta_s,
                replaces=proposal.replaces,
                order_id=order_id,
                source=proposal.source,
            )
        if incident_id is not None and self.incidents.is_open(incident_id):
            try:
                with self.store.transaction() as s:
                    repos.IncidentRepo(s).add_event(
                        incident_id, t=a.t, actor="system", kind=f"alert_{kind}", detail=detail
                    )
            except StoreError:
                log.exception("could not record alert")
        self.emit(a)
        return a

    def ack(self, alert_id: int, actor: str) -> Alert:
        """An operator acknowledges an alert."""
        a = self.require(alert_id)
        if a.acked_by:
            raise CommandError(f"alert {alert_id} was already acknowledged by {a.acked_by}")
        a.acked_by = actor
        if a.incident_id is not None and self.incidents.is_open(a.incident_id):
            with self.store.transaction() as s:
                repos.IncidentRepo(s).add_event(
                    a.incident_id,
                    t=self.clock(),
                    actor=actor,
                    kind="alert_acknowledged",
                    detail={"alert_id": alert_id, "kind": a.kind},
                )
        self.emit(a)
        return a

    def decide(self, alert_id: int, decision: AlertDecision) -> Alert:
        """Record a supervisor's decision on the alert's proposal (it counts as acknowledged
        too); the caller publishes the alert once the decision's other steps are done."""
        a = self.require(alert_id)
        a.decision = decision
        a.acked_by = a.acked_by or decision.actor
        return a
