"""Escalation proposals and reassignment: which unit to send instead, and sending it.

When a unit stays silent or refuses, the alert names a replacement (``next_unit``,
``escalation``); a supervisor then sends it or another unit (``reassign``), declines it
(``dismiss_proposal``), and the old order is withdrawn (``cancel_order``).

Shape: a class holding the :class:`~console.hub.workflow.Workflow` (``self.wf``) rather
than a mixin, so what this part uses of the workflow (plans, alerts, proposals, the
outbox path) is spelled out at each use and mypy checks it without restating the
workflow's attributes; ``Workflow`` keeps thin delegates for the names the hub's
command table and tests call.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any

from console.domain import OrderState, UnitStatus
from console.hub.errors import CommandError
from console.hub.messages import Alert, AlertDecision, OrderChanged
from console.planning.reassign import NO_UNIT_EN, NO_UNIT_ZH, Proposal, next_unit
from console.store import repos

if TYPE_CHECKING:
    from console.hub.hub import CommandHub
    from console.hub.workflow import Workflow

log = logging.getLogger(__name__)


class Reassignment:
    """Proposes a replacement unit for an escalation and carries out the supervisor's choice.

    The state stays on the workflow: ``proposals`` and ``alert_orders`` are filled by
    ``Workflow.raise_alert``, which the timers and receipts call, and read here.
    """

    def __init__(self, wf: Workflow) -> None:
        self.wf = wf
        self.hub: CommandHub = wf.hub

    # --------------------------------------------------------------- proposal

    def next_unit(self, incident_id: int, call_sign: str) -> Proposal | None:
        """The unit to send in place of ``call_sign`` (:func:`console.planning.reassign.next_unit`):
        the plan's alternative while it is free, else the nearest free eligible unit by road;
        None when no unit qualifies."""
        o = self.hub.incidents.open.get(incident_id)
        if o is None:
            raise CommandError(f"incident {incident_id} is not open")
        try:
            return next_unit(
                self.wf.engine,
                self.wf._view(exclude_incident=incident_id),
                self.wf.plan_request(incident_id, o.state),
                call_sign,
                slot=self._slot_of(incident_id, call_sign),
                exclude=self._not_to_propose(incident_id),
                hour=self.wf._hour(),
            )
        except ValueError as exc:
            raise CommandError(f"no proposal: {exc}") from None

    def _slot_of(self, incident_id: int, call_sign: str) -> dict[str, Any] | None:
        """The plan slot ``call_sign`` holds on this incident (None: sent without a plan)."""
        for p in self.wf.plans.values():
            if p.incident_id != incident_id:
                continue
            for slot in p.body.get("slots", []):
                if slot.get("call_sign") == call_sign:
                    return dict(slot)
        return None

    def _not_to_propose(self, incident_id: int) -> set[str]:
        """Units on or once sent to this incident (a refusal frees its unit), and units that
        escalations still open already propose, so two alerts never name the same unit."""
        specs = self.hub.situation.specs
        out = {specs[i].call_sign for i in self.wf.units_of(incident_id)}
        with self.hub.store.session() as s:
            for order in repos.OrderRepo(s).for_incident(incident_id):
                cs = (order.body or {}).get("call_sign") or self.wf._call_sign_of(order.unit_id)
                if cs:
                    out.add(str(cs))
        alerts = self.wf.alerts
        out |= {p.call_sign for aid, p in self.wf.proposals.items() if not alerts[aid].acked_by}
        return out

    def escalation(self, incident_id: int, call_sign: str) -> tuple[str, str, Proposal | None]:
        """The proposal part of an escalation: Chinese line, English line, the proposal.

        Never raises: the alert it belongs to must still go out."""
        try:
            p = self.next_unit(incident_id, call_sign)
        except CommandError as exc:
            log.warning("no proposal for %s on incident %s: %s", call_sign, incident_id, exc)
            return "请人工改派", "reassign by hand", None
        except Exception:  # the alert itself must still go out
            log.exception("proposal for %s on incident %s failed", call_sign, incident_id)
            return "请人工改派", "reassign by hand", None
        if p is None:
            return NO_UNIT_ZH, NO_UNIT_EN, None
        return p.text("zh"), p.text("en"), p

    # ----------------------------------------------------------------- acting

    def reassign(self, alert_id: int, call_sign: str, actor: str) -> dict[str, Any]:
        """A supervisor takes an escalation's proposal (or names another unit) in one step.

        The silent or refused order is cancelled if still open (its unit freed), the
        chosen unit gets an order with the same role, instructions and briefing through
        the same outbox path as a plan approval, the step is on the chronology, and the
        alert counts as acknowledged and decided, so a repeat creates nothing.
        """
        a = self.wf.alerts.get(alert_id)
        if a is None:
            raise CommandError(f"no alert {alert_id}")
        if a.decision is not None:
            raise CommandError(self._decided_text(a))
        order_id = self.wf.alert_orders.get(alert_id)
        if not order_id or a.incident_id is None:
            raise CommandError(f"alert {alert_id} is not about an order; nothing to reassign")
        for other_id, other_order in self.wf.alert_orders.items():
            # an order both overdue and then refused has two alerts: it is replaced once
            other = self.wf.alerts.get(other_id)
            d = other.decision if other is not None and other_order == order_id else None
            if d is not None and d.action == "reassigned":
                raise CommandError(
                    f"order {order_id[:8]} was already replaced by {d.call_sign}"
                    f" ({d.actor}, alert {other_id})"
                )
        p = a.proposal
        cs = call_sign.strip() or (p.call_sign if p is not None else "")
        if not cs:
            raise CommandError(f"alert {alert_id} proposes no unit; name the unit to send")
        iid = a.incident_id
        book = self._open_book(iid)
        with self.hub.store.session() as s:
            row = repos.OrderRepo(s).get(order_id)
            if row is None:
                raise CommandError(f"order {order_id} of alert {alert_id} is not on record")
            old_body = dict(row.body or {})
            role, plan_id = row.role, row.plan_id
            old_cs = str(old_body.get("call_sign") or self.wf._call_sign_of(row.unit_id) or "")
        i, uid = self._sendable(cs, iid, old_cs)
        st = book.state
        eta = p.eta_s if p is not None and p.call_sign == cs else self._eta_to(i, st.lon, st.lat)
        body = {k: v for k, v in old_body.items() if k != "rev"}
        body.update(self.wf.order_scene(st), call_sign=cs, eta_s=eta, replaces=old_cs)
        cancelled = self.cancel_order(order_id, f"改派 {cs} / reassigned to {cs}", actor)
        now = self.hub.clock()
        new = repos.NewOrder(incident_id=iid, unit_id=uid, role=role, plan_id=plan_id, body=body)
        (new_id,) = self.wf._write_orders(iid, [new], [i], actor, now)
        a.decision = AlertDecision(
            action="reassigned",
            actor=actor,
            t=now,
            call_sign=cs,
            order_id=new_id,
            cancelled_order_id=order_id if cancelled else "",
        )
        a.acked_by = a.acked_by or actor
        # the order is written: announce it before anything else can fail
        self.wf._announce_orders(iid, [new_id], [new], [i], now)
        try:
            with self.hub.store.transaction() as s:
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
                        "cancelled": cancelled,
                        "proposed": p.call_sign if p is not None else None,
                    },
                )
        except Exception:  # the audit log still has the command; the order stands
            log.exception("chronology entry of reassignment %s -> %s failed", old_cs, cs)
        self.hub.emit(a)
        self.hub.emit_incident(iid)
        return {
            "alert_id": alert_id,
            "order_id": new_id,
            "call_sign": cs,
            "replaces": old_cs,
            "cancelled_order_id": order_id if cancelled else "",
        }

    def dismiss_proposal(self, alert_id: int, reason: str, actor: str) -> int:
        """A supervisor declines an escalation's proposed unit; recorded, and final."""
        a = self.wf.alerts.get(alert_id)
        if a is None:
            raise CommandError(f"no alert {alert_id}")
        if a.decision is not None:
            raise CommandError(self._decided_text(a))
        p = a.proposal
        if p is None:
            raise CommandError(f"alert {alert_id} proposes no unit; nothing to dismiss")
        now = self.hub.clock()
        a.decision = AlertDecision(action="dismissed", actor=actor, t=now, reason=reason.strip())
        a.acked_by = a.acked_by or actor
        if a.incident_id is not None and a.incident_id in self.hub.incidents.open:
            with self.hub.store.transaction() as s:
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
        self.hub.emit(a)
        return alert_id

    def cancel_order(self, order_id: str, reason: str, actor: str) -> bool:
        """Cancel one open order while its incident goes on; False if it was already final.

        The order is marked cancelled in the outbox (``cancel_listeners`` push it to the
        terminal at once; the link's hello sync also tells it), its unit is freed the way a
        closed incident frees its units, and the step is on the chronology.
        """
        now = self.hub.clock()
        with self.hub.store.transaction() as s:
            r = repos.OrderRepo(s)
            row = r.get(order_id)
            if row is None:
                raise CommandError(f"unknown order {order_id!r}")
            incident_id, unit_id, body = row.incident_id, row.unit_id, dict(row.body or {})
            if not r.mark_state(order_id, OrderState.CANCELLED, now):
                return False
            cs = str(body.get("call_sign") or self.wf._call_sign_of(unit_id) or "")
            repos.IncidentRepo(s).add_event(
                incident_id,
                t=now,
                actor=actor,
                kind="order_cancelled",
                detail={"order_id": order_id, "unit": cs, "reason": reason},
            )
        self.hub.emit(
            OrderChanged(
                order_id=order_id,
                incident_id=incident_id,
                call_sign=cs,
                state=OrderState.CANCELLED.value,
                t=now,
            )
        )
        i = self.hub.situation.index.get(cs)
        if i is not None:
            book = self.hub.incidents.open.get(incident_id)
            if book is not None and i in book.units:  # off the incident, even if a status
                book.units.remove(i)  # report from its terminal already unbound it
                book.state.units = [self.hub.situation.specs[k].call_sign for k in book.units]
            if int(self.hub.situation.incident[i]) == incident_id:
                self.hub.incidents.set_unit_status(i, UnitStatus.AVAILABLE, None, actor)
                self.hub._release_units([i])  # virtual terminal forgets it, simulation frees it
        for listener in self.wf.cancel_listeners:
            listener(order_id, unit_id, reason)
        self.hub.emit_incident(incident_id)
        return True

    def _open_book(self, incident_id: int) -> Any:
        """The open incident's record; a clear refusal when it is closed or unknown."""
        book = self.hub.incidents.open.get(incident_id)
        if book is not None:
            return book
        with self.hub.store.session() as s:
            row = repos.IncidentRepo(s).get(incident_id)
            status = row.status if row is not None else None
        if status is None:
            raise CommandError(f"no incident {incident_id}")
        raise CommandError(f"incident {incident_id} is {status}; nothing to reassign")

    def _sendable(self, cs: str, incident_id: int, replaced: str) -> tuple[int, int]:
        """Situation index and unit id of a unit that may be sent to the incident now."""
        i = self.hub.situation.index.get(cs)
        uid = self.hub.incidents._unit_ids.get(cs)
        if i is None or uid is None:
            raise CommandError(f"unknown unit {cs!r}")
        if cs == replaced:
            raise CommandError(f"unit {cs} is the unit being replaced; name another")
        if i in self.wf.units_of(incident_id):
            raise CommandError(f"unit {cs} is already on incident {incident_id}")
        held = next(
            (
                pl.incident_id
                for pl in self.wf.plans.values()
                if pl.status == "proposed"
                and pl.incident_id != incident_id
                and any(sl.get("call_sign") == cs for sl in pl.body.get("slots", []))
            ),
            None,
        )
        if held is not None:
            raise CommandError(f"unit {cs} is held by the plan proposed for incident {held}")
        status = self.hub.situation.status_of(i)
        if status is not UnitStatus.AVAILABLE:
            bound = int(self.hub.situation.incident[i])
            where = f" on incident {bound}" if bound >= 0 else ""
            raise CommandError(f"unit {cs} is not available ({status.value}{where})")
        return i, uid

    def _eta_to(self, i: int, lon: float, lat: float) -> float | None:
        """Road ETA of unit ``i`` to a place (a unit the supervisor named); None if unroutable."""
        try:
            return float(self.wf._manual_slot(i, lon, lat)["eta_s"])
        except (ValueError, KeyError, IndexError):
            return None

    @staticmethod
    def _decided_text(a: Alert) -> str:
        """Why a second decision on the alert is refused: who already acted, and how."""
        d = a.decision
        if d is None:
            return ""
        if d.action == "reassigned":
            return f"alert {a.alert_id} was already acted on: {d.actor} sent {d.call_sign}"
        return f"alert {a.alert_id} was already acted on: {d.actor} dismissed its proposal"
