"""Escalation proposals and reassignment: which unit to send instead, and sending it.

When a unit stays silent or refuses, the alert names a replacement (``next_unit``,
``escalation``, ``on_refused``); a supervisor then sends it or another unit
(``reassign``) or declines it (``dismiss_proposal``).  The old order is withdrawn and
the new one written through the order desk, the same path a plan approval takes.

Built from the parts it uses, each through its public methods: the current plans (the
slot a unit held), availability (who may go), the alert board (proposals, decisions),
the order desk (orders on record, cancel, send) and the incident book.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from console.domain import OrderState
from console.hub.alerts import AlertBoard
from console.hub.availability import Availability
from console.hub.bodies import ManualSlots, order_scene, plan_request
from console.hub.current_plans import CurrentPlans
from console.hub.errors import CommandError
from console.hub.incidents import IncidentBook
from console.hub.messages import Alert, AlertDecision, IncidentState
from console.hub.orders import OrderDesk
from console.hub.publisher import Publisher
from console.hub.situation import Situation
from console.planning.engine import PlanEngine
from console.planning.reassign import NO_UNIT_EN, NO_UNIT_ZH, Proposal, next_unit
from console.store import repos
from console.store.db import Store

log = logging.getLogger(__name__)

BY_HAND_ZH, BY_HAND_EN = "请人工改派", "reassign by hand"


class Reassignment:
    """Proposes a replacement unit for an escalation and carries out the supervisor's choice."""

    def __init__(
        self,
        store: Store,
        incidents: IncidentBook,
        situation: Situation,
        engine: PlanEngine,
        plans: CurrentPlans,
        availability: Availability,
        slots: ManualSlots,
        alerts: AlertBoard,
        orders: OrderDesk,
        clock: Callable[[], float],
        publish: Publisher,
    ) -> None:
        self.store = store
        self.incidents = incidents
        self.situation = situation
        self.engine = engine
        self.plans = plans
        self.availability = availability
        self.slots = slots
        self.alerts = alerts
        self.orders = orders
        self.clock = clock
        self.publish = publish

    # --------------------------------------------------------------- proposal

    def next_unit(self, incident_id: int, call_sign: str) -> Proposal | None:
        """The unit to send in place of ``call_sign`` (:func:`console.planning.reassign.next_unit`):
        the plan's alternative while it is free, else the nearest free eligible unit by road;
        None when no unit qualifies."""
        st = self.incidents.state(incident_id)
        if st is None:
            raise CommandError(f"incident {incident_id} is not open")
        try:
            return next_unit(
                self.engine,
                self.availability.view(exclude_incident=incident_id),
                plan_request(incident_id, st),
                call_sign,
                slot=self.plans.slot_of(incident_id, call_sign),
                exclude=self._not_to_propose(incident_id),
                hour=self.availability.hour(),
            )
        except ValueError as exc:
            raise CommandError(f"no proposal: {exc}") from None

    def _not_to_propose(self, incident_id: int) -> set[str]:
        """Units on or once sent to this incident (a refusal frees its unit), and units that
        escalations still open already propose, so two alerts never name the same unit."""
        specs = self.situation.specs
        out = {specs[i].call_sign for i in self.incidents.units_of(incident_id)}
        out |= self.orders.call_signs_sent(incident_id)
        out |= self.alerts.proposed_call_signs()
        return out

    def escalation(
        self, incident_id: int, call_sign: str, order_id: str = ""
    ) -> tuple[str, str, Proposal | None]:
        """The proposal part of an escalation: Chinese line, English line, the proposal.

        An order that already has an undecided proposal (its unit had no terminal, then
        stayed silent) keeps it while that unit may still be sent, so one order never
        names two different replacements.  Never raises: the alert it belongs to must
        still go out."""
        held = self._still_sendable(incident_id, self.alerts.open_proposal_for(order_id))
        if held is not None:
            return held.text("zh"), held.text("en"), held
        try:
            p = self.next_unit(incident_id, call_sign)
        except CommandError as exc:
            log.warning("no proposal for %s on incident %s: %s", call_sign, incident_id, exc)
            return BY_HAND_ZH, BY_HAND_EN, None
        except Exception:  # the alert itself must still go out
            log.exception("proposal for %s on incident %s failed", call_sign, incident_id)
            return BY_HAND_ZH, BY_HAND_EN, None
        if p is None:
            return NO_UNIT_ZH, NO_UNIT_EN, None
        return p.text("zh"), p.text("en"), p

    def _still_sendable(self, incident_id: int, p: Proposal | None) -> Proposal | None:
        """``p`` if its unit may still be sent to the incident now, else None."""
        if p is None:
            return None
        i = self.situation.index.get(p.call_sign)
        if i is None or self.availability.refusal(i, incident_id) is not None:
            return None
        return p

    def on_refused(self, incident_id: int, call_sign: str, reason: str, order_id: str) -> None:
        """A unit refused its order on an open incident: one alert naming a replacement
        (an order desk refusal listener)."""
        key = f"rejected:{incident_id}:{call_sign}"
        if self.alerts.has_raised(key):
            return
        order_id = order_id or self.orders.order_of(incident_id, call_sign, OrderState.REJECTED)
        zh, en, proposal = self.escalation(incident_id, call_sign, order_id)
        self.alerts.raise_alert(
            key,
            "warning",
            "order_rejected",
            f"{call_sign} 拒绝指令: {reason}; {zh}",
            f"{call_sign} rejected the order: {reason}; {en}",
            incident_id,
            proposal=proposal,
            order_id=order_id,
        )

    # ----------------------------------------------------------------- acting

    def reassign(self, alert_id: int, call_sign: str, actor: str) -> dict[str, Any]:
        """A supervisor takes an escalation's proposal (or names another unit) in one step.

        The silent or refused order is cancelled if still open (its unit freed), the
        chosen unit gets an order with the same role, instructions and briefing through
        the same outbox path as a plan approval, the step is on the chronology, and the
        alert counts as acknowledged and decided, so a repeat creates nothing.
        """
        a = self.alerts.require(alert_id)
        if a.decision is not None:
            raise CommandError(self._decided_text(a))
        order_id = self.alerts.order_of(alert_id)
        if not order_id or a.incident_id is None:
            raise CommandError(f"alert {alert_id} is not about an order; nothing to reassign")
        done = self.alerts.replacement_of(order_id)
        if done is not None:  # an order both overdue and then refused has two alerts
            other_id, d = done
            raise CommandError(
                f"order {order_id[:8]} was already replaced by {d.call_sign}"
                f" ({d.actor}, alert {other_id})"
            )
        p = a.proposal
        cs = call_sign.strip() or (p.call_sign if p is not None else "")
        if not cs:
            raise CommandError(f"alert {alert_id} proposes no unit; name the unit to send")
        iid = a.incident_id
        st = self._open_state(iid)
        old = self.orders.record(order_id)
        if old is None:
            raise CommandError(f"order {order_id} of alert {alert_id} is not on record")
        old_cs = old.call_sign
        i, uid = self._sendable(cs, iid, old_cs)
        eta = p.eta_s if p is not None and p.call_sign == cs else self.slots.eta(i, st.lon, st.lat)
        body = {k: v for k, v in old.body.items() if k != "rev"}
        body.update(order_scene(st), call_sign=cs, eta_s=eta, replaces=old_cs)
        why = f"改派 {cs} / reassigned to {cs}"
        now = self.clock()
        new = repos.NewOrder(
            incident_id=iid, unit_id=uid, role=old.role, plan_id=old.plan_id, body=body
        )
        # the old order withdrawn and the new one written together, or neither
        with self.store.transaction() as s:
            gone = self.orders.cancel_in(s, order_id, why, actor, now)
            (new_id,) = self.orders.add(s, [new], now)
            repos.IncidentRepo(s).add_event(
                iid,
                t=now,
                actor=actor,
                kind="reassigned",
                detail={
                    "alert_id": alert_id,
                    "from": old_cs,
                    "to": cs,
                    "order_id": new_id,
                    "replaced_order_id": order_id,
                    "cancelled": gone is not None,
                    "proposed": p.call_sign if p is not None else None,
                },
            )
        cancelled = gone is not None
        if gone is not None:
            self.orders.cancelled(gone, why, actor, now)
        self.orders.bind(iid, [i], actor)
        self.alerts.decide(  # decided as soon as the order exists: a repeat creates nothing
            alert_id,
            AlertDecision(
                action="reassigned",
                actor=actor,
                t=now,
                call_sign=cs,
                order_id=new_id,
                cancelled_order_id=order_id if cancelled else "",
            ),
        )
        self.orders.announce(iid, [new_id], [new], [i], now)
        self.publish.event(a)
        self.publish.incident(iid)
        return {
            "alert_id": alert_id,
            "order_id": new_id,
            "call_sign": cs,
            "replaces": old_cs,
            "cancelled_order_id": order_id if cancelled else "",
        }

    def dismiss_proposal(self, alert_id: int, reason: str, actor: str) -> int:
        """A supervisor declines an escalation's proposed unit; recorded, and final."""
        a = self.alerts.require(alert_id)
        if a.decision is not None:
            raise CommandError(self._decided_text(a))
        p = a.proposal
        if p is None:
            raise CommandError(f"alert {alert_id} proposes no unit; nothing to dismiss")
        now = self.clock()
        self.alerts.decide(
            alert_id, AlertDecision(action="dismissed", actor=actor, t=now, reason=reason.strip())
        )
        if a.incident_id is not None and self.incidents.is_open(a.incident_id):
            with self.store.transaction() as s:
                repos.IncidentRepo(s).add_event(
                    a.incident_id,
                    t=now,
                    actor=actor,
                    kind="proposal_dismissed",
                    detail={
                        "alert_id": alert_id,
                        "proposed": p.call_sign,
                        "replaces": p.replaces,
                        "reason": reason.strip(),
                    },
                )
        self.publish.event(a)
        return alert_id

    def _open_state(self, incident_id: int) -> IncidentState:
        """The open incident's state; a clear refusal when it is closed or unknown."""
        st = self.incidents.state(incident_id)
        if st is not None:
            return st
        status = self.incidents.status_of(incident_id)
        if status is None:
            raise CommandError(f"no incident {incident_id}")
        raise CommandError(f"incident {incident_id} is {status}; nothing to reassign")

    def _sendable(self, cs: str, incident_id: int, replaced: str) -> tuple[int, int]:
        """Situation index and unit id of a unit that may be sent to the incident now."""
        i = self.situation.index.get(cs)
        uid = self.incidents.unit_id_of(cs)
        if i is None or uid is None:
            raise CommandError(f"unknown unit {cs!r}")
        if cs == replaced:
            raise CommandError(f"unit {cs} is the unit being replaced; name another")
        why = self.availability.refusal(i, incident_id)
        if why is not None:
            raise CommandError(why)
        return i, uid

    @staticmethod
    def _decided_text(a: Alert) -> str:
        """Why a second decision on the alert is refused: who already acted, and how."""
        d = a.decision
        if d is None:
            return ""
        if d.action == "reassigned":
            return f"alert {a.alert_id} was already acted on: {d.actor} sent {d.call_sign}"
        return f"alert {a.alert_id} was already acted on: {d.actor} dismissed its proposal"
