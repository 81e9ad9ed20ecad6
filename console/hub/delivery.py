"""Orders no terminal can receive: shown at once, and delivered by hand.

An order for a unit without a trusted, connected terminal would otherwise sit in the
outbox until its acknowledgement deadline.  The hub says so the moment the order is
written (or the moment the unit's terminal drops off the air with the order still
undelivered): one alert per order on every workstation, Chinese first
("无在线终端：请用电台或电话下达"), naming the unit the plan or the reassignment logic
would send instead.  An operator who then reaches the unit by radio, phone or in person
records it (:meth:`DeliveryDesk.record`): who was reached, how, and when.  The record
advances the order exactly as a terminal's delivery receipt would (or its acceptance,
if the officer accepted over the same channel), is on the incident's chronology and in
the audit log, and settles the alert.
"""

from __future__ import annotations

import logging
import math
from collections.abc import Callable, Iterable
from typing import Any

from console.domain import OrderState
from console.hub.alerts import AlertBoard
from console.hub.errors import CommandError
from console.hub.incidents import IncidentBook
from console.hub.messages import AlertDecision
from console.hub.orders import OrderDesk
from console.hub.situation import Situation
from console.hub.terminals import TerminalRegister
from console.planning.reassign import Proposal
from console.store import repos
from console.store.db import Store

log = logging.getLogger(__name__)

NO_TERMINAL_ZH = "无在线终端：请用电台或电话下达"
NO_TERMINAL_EN = "no terminal online: deliver by radio or phone"
NO_TERMINAL = "no_terminal"
"""The alert kind."""
CHANNELS = {
    "radio": ("电台", "radio"),
    "phone": ("电话", "phone"),
    "in_person": ("当面", "in person"),
}
"""How an operator may deliver an order by hand: (Chinese, English) names."""
MAX_PROPOSALS = 20
"""Orders per batch whose alert works out a replacement (a road search each); a larger
fan-out's other alerts say "reassign by hand" instead of stalling the hub."""
FUTURE_SLACK_S = 60.0
"""How far ahead of the hub clock a recorded delivery time may lie (clocks disagree)."""
MAX_CONTACT = 100

Escalation = Callable[[int, str, str], tuple[str, str, Proposal | None]]


class DeliveryDesk:
    """The no-terminal alert and the operator's record of a delivery by hand."""

    def __init__(
        self,
        store: Store,
        incidents: IncidentBook,
        situation: Situation,
        terminals: TerminalRegister,
        alerts: AlertBoard,
        orders: OrderDesk,
        escalation: Escalation,
        clock: Callable[[], float],
    ) -> None:
        self.store = store
        self.incidents = incidents
        self.situation = situation
        self.terminals = terminals
        self.alerts = alerts
        self.orders = orders
        self.escalation = escalation
        self.clock = clock

    # ---------------------------------------------------------------- alerts

    def on_sent(self, incident_id: int, order_ids: list[str], idx: list[int]) -> None:
        """Orders were written (an order desk sent listener): alert for each one whose unit
        no terminal can receive it now."""
        specs = self.situation.specs
        signs = [specs[i].call_sign for i in idx]
        reach = self.terminals.reachable(signs)
        missing = [(oid, cs) for oid, cs in zip(order_ids, signs, strict=True) if cs not in reach]
        self._alert(incident_id, missing)

    def on_offline(self, call_signs: Iterable[str]) -> None:
        """Terminals went off the air: their units' orders not yet delivered get the alert."""
        now = self.clock()
        by_incident: dict[int, list[tuple[str, str]]] = {}
        with self.store.session() as s:
            r = repos.OrderRepo(s)
            for cs in sorted(call_signs):
                uid = self.incidents.unit_id_of(cs)
                if uid is None:
                    continue
                for o in r.pending_for_unit(uid, now):
                    if self.incidents.is_open(o.incident_id):
                        by_incident.setdefault(o.incident_id, []).append((str(o.id), cs))
        for iid, missing in by_incident.items():
            self._alert(iid, missing)

    def check_pending(self) -> None:
        """Every undelivered order of an open incident whose unit no terminal reaches gets
        the alert (once, a while after start: alerts are not kept across a restart, and
        terminals need a moment to come back on the air)."""
        units: set[str] = set()
        with self.store.session() as s:
            r = repos.OrderRepo(s)
            for iid in self.incidents.open_ids():
                for o in r.for_incident(iid):
                    cs = self.incidents.call_sign_of(o.unit_id)
                    if o.state == OrderState.PENDING.value and cs:
                        units.add(cs)
        self.on_offline(units - self.terminals.reachable(units))

    def _alert(self, incident_id: int, missing: list[tuple[str, str]]) -> None:
        for k, (oid, cs) in enumerate(missing):
            key = f"noterm:{oid}"
            if self.alerts.has_raised(key):
                continue
            if k < MAX_PROPOSALS:
                zh, en, proposal = self.escalation(incident_id, cs, oid)
            else:
                zh, en, proposal = "请人工改派", "reassign by hand", None
            self.alerts.raise_alert(
                key,
                "critical",
                NO_TERMINAL,
                f"{NO_TERMINAL_ZH} — {cs} 的指令 (警情 {incident_id}); {zh}",
                f"{NO_TERMINAL_EN} — the order for {cs} (incident {incident_id}); {en}",
                incident_id,
                proposal=proposal,
                order_id=oid,
            )

    # ---------------------------------------------------------------- by hand

    def record(
        self,
        order_id: str,
        channel: str,
        contact: str,
        at: float | None,
        accepted: bool,
        actor: str,
    ) -> dict[str, Any]:
        """An operator delivered the order by ``channel`` to ``contact`` at ``at`` (None:
        now); with ``accepted`` the officer also accepted it.  Advances the order like the
        terminal's receipt would; a refusal says why when there is nothing to record."""
        if channel not in CHANNELS:
            raise CommandError(
                f"how was the order delivered? radio, phone or in_person, not {channel!r}"
            )
        contact = contact.strip()
        if len(contact) > MAX_CONTACT:
            raise CommandError(f"who was reached: at most {MAX_CONTACT} characters")
        rec = self.orders.record(order_id)
        if rec is None:
            raise CommandError(f"unknown order {order_id!r}")
        now = self.clock()
        when = now if at is None else float(at)
        if not math.isfinite(when):
            raise CommandError("the delivery time is not a number")
        if when > now + FUTURE_SLACK_S:
            raise CommandError("the delivery time lies in the future")
        if when < rec.created_at - 1.0:
            raise CommandError("the delivery time is before the order was written")
        state = OrderState.ACCEPTED if accepted else OrderState.DELIVERED
        zh, en = CHANNELS[channel]
        manual = {
            "channel": channel,
            "contact": contact,
            "recorded_by": actor,
            "at": when,
        }
        changed = self.orders.receipt(
            order_id, state.value, "", "", actor, detail={"manual": manual}, at=when
        )
        if not changed:
            now_state = self.orders.record(order_id)
            already = now_state.state if now_state is not None else rec.state
            raise CommandError(
                f"the order for {rec.call_sign} is already {already}: nothing to record"
            )
        self._settle(order_id, actor, f"已由{zh}下达 / delivered by {en}", when)
        return {"order_id": order_id, "state": state.value, "channel": channel, "at": when}

    def _settle(self, order_id: str, actor: str, reason: str, t: float) -> None:
        """The order reached its unit: its no-terminal alerts are acknowledged and their
        replacement proposals set aside (recorded as the decision)."""
        for a in self.alerts.about_order(order_id, NO_TERMINAL):
            if a.decision is None and a.proposal is not None:
                self.alerts.decide(
                    a.alert_id, AlertDecision(action="dismissed", actor=actor, t=t, reason=reason)
                )
                self.alerts.emit(a)
            elif not a.acked_by:
                self.alerts.ack(a.alert_id, actor)
