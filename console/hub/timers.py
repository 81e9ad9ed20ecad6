"""The hub's timers, checked once per tick: orders not acknowledged in time (an escalation
naming a replacement), orders expired unanswered, units past their arrival standard,
incidents on scene too long.

Each condition raises its alert once (the alert board keeps the keys), so a check
every second costs a few queries and never repeats an alert or its proposal.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from console.config import Config
from console.domain import IncidentStatus
from console.hub.alerts import AlertBoard
from console.hub.incidents import IncidentBook
from console.hub.orders import OrderDesk
from console.hub.situation import Situation
from console.planning.reassign import Proposal
from console.store import repos
from console.store.db import Store

Escalation = Callable[[int, str, str], tuple[str, str, Proposal | None]]
"""(incident id, call sign, order id) -> the escalation's Chinese line, English line,
proposal."""

NOT_ARRIVED = ("delivered", "read", "accepted", "pending")


class Timers:
    """Raises the time-based alerts; ``check`` runs on the hub thread each tick."""

    def __init__(
        self,
        config: Config,
        store: Store,
        incidents: IncidentBook,
        situation: Situation,
        alerts: AlertBoard,
        orders: OrderDesk,
        escalation: Escalation,
        clock: Callable[[], float],
    ) -> None:
        self.config = config
        self.store = store
        self.incidents = incidents
        self.situation = situation
        self.alerts = alerts
        self.orders = orders
        self.escalation = escalation
        self.clock = clock

    def check(self) -> None:
        """Not acknowledged in time, expired, arrival standard exceeded, on scene too long."""
        now = self.clock()
        with self.store.transaction() as s:
            r = repos.OrderRepo(s)
            overdue = [
                (o.id, o.incident_id, o.unit_id, dict(o.body or {})) for o in r.overdue_acks(now)
            ]
            expired = r.expire_due(now)
            late: list[tuple[str, int, dict[str, Any], float]] = []
            for iid in self.incidents.open_ids():
                for o in r.for_incident(iid):
                    if o.state in NOT_ARRIVED and o.arrived_at is None:
                        late.append((o.id, iid, dict(o.body), o.created_at))
        self._overdue(overdue)
        for oid in expired:
            self.orders.expire(oid)
        self._late(late, now)
        self._on_scene(now)

    def _overdue(self, overdue: list[tuple[str, int, int, dict[str, Any]]]) -> None:
        deadline = self.config.orders.ack_deadline_seconds
        for oid, iid, unit_id, body in overdue:
            if self.alerts.has_raised(f"ack:{oid}"):
                continue  # raised once; the proposal is not worked out again every tick
            cs = str(body.get("call_sign") or self.incidents.call_sign_of(unit_id) or "?")
            zh, en, proposal = self.escalation(iid, cs, oid)
            self.alerts.raise_alert(
                f"ack:{oid}",
                "critical",
                "not_acknowledged",
                f"{cs} 未在 {deadline} 秒内确认指令; {zh}",
                f"{cs} did not acknowledge within {deadline} s; {en}",
                iid,
                proposal=proposal,
                order_id=oid,
            )

    def _late(self, late: list[tuple[str, int, dict[str, Any], float]], now: float) -> None:
        for oid, iid, body, created in late:
            cs = body.get("call_sign", "?")
            i = self.situation.index.get(cs)
            if i is None:
                continue
            ut = self.config.unit_types[self.situation.specs[i].unit_type]
            std = self.config.arrival_standards[ut.standard]
            if now - created > std.seconds:
                self.alerts.raise_alert(
                    f"late:{oid}",
                    "warning",
                    "arrival_standard_exceeded",
                    f"{cs} 超过到场标准 {std.name_zh} ({std.seconds} 秒) 仍未到场",
                    f"{cs} has not arrived within the {std.name_en} standard ({std.seconds} s)",
                    iid,
                )

    def _on_scene(self, now: float) -> None:
        limit = self.config.workflow.on_scene_alert_seconds
        for iid in self.incidents.open_ids():
            st = self.incidents.state(iid)
            if st is None or st.status != IncidentStatus.ON_SCENE.value:
                continue
            since = min(
                (float(self.situation.status_since[i]) for i in self.incidents.units_of(st.id)),
                default=now,
            )
            if now - since > limit:
                self.alerts.raise_alert(
                    f"onscene:{st.id}",
                    "warning",
                    "on_scene_too_long",
                    f"警情 {st.id} 现场处置已超过 {limit // 60} 分钟",
                    f"incident {st.id} on scene for more than {limit // 60} min",
                    st.id,
                )
