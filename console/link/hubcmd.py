"""The hub-thread side of terminal events: unit status, alerts, next-unit proposals.

Runs as an internal command on the command hub's own thread (so the
situation and incident book need no locks).  Escalations go to every
workstation as a critical :class:`Alert` naming the proposed next unit.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from console.domain import UnitStatus
from console.hub.messages import Alert, Command, Envelope, Event, UnitChanged
from console.link.hubport import TerminalEvent, nearest_available, status_after

if TYPE_CHECKING:
    from console.hub.hub import CommandHub

log = logging.getLogger(__name__)


class TerminalEventCommand(Command):
    """Internal: a terminal event for the hub thread (role ``link`` only)."""

    kind: str
    call_sign: str
    order_id: str = ""
    incident_id: int | None = None
    text: str = ""
    status: str = ""


def _emitter(hub: CommandHub) -> Callable[[Event], None]:
    emit: Callable[[Event], None] = getattr(hub, "emit", None) or hub._emit
    return emit  # CommandHub has no public emit yet: see the link report


def _proposal(hub: CommandHub, i: int | None, incident_id: int | None) -> str:
    if incident_id is None:
        return ""
    st = hub.incidents.state(incident_id)
    if st is None:
        return ""
    unit_type = hub.situation.specs[i].unit_type if i is not None else None
    best = nearest_available(hub.situation, st.lon, st.lat, -1 if i is None else i, unit_type)
    if best is None:
        return "; no available unit to propose"
    j, d = best
    return f"; proposed next unit: {hub.situation.specs[j].call_sign} ({d / 1000:.1f} km)"


def make_handler(hub: CommandHub) -> Callable[[TerminalEventCommand, Envelope], Any]:
    """The handler registered in ``hub.handlers`` for :class:`TerminalEventCommand`."""
    emit = _emitter(hub)

    def handle(cmd: TerminalEventCommand, env: Envelope) -> None:
        ev = TerminalEvent(
            kind=cmd.kind,  # type: ignore[arg-type]
            call_sign=cmd.call_sign,
            order_id=cmd.order_id,
            incident_id=cmd.incident_id,
            text=cmd.text,
            status=cmd.status,
        )
        i = hub.situation.index.get(ev.call_sign)
        who = ev.call_sign
        if ev.kind == "status" and i is not None:
            status = UnitStatus(ev.status)
            keep = int(hub.situation.incident[i])
            inc = (
                keep if keep >= 0 and status in (UnitStatus.EN_ROUTE, UnitStatus.ON_SCENE) else None
            )
            hub.incidents.set_unit_status(i, status, inc, env.actor)
            emit(UnitChanged(unit=hub.unit_state(i)))
            return
        new = status_after(ev)
        if i is not None and new is not None:
            if ev.kind == "arrived" and ev.incident_id is not None:
                hub.situation.incident[i] = ev.incident_id
                hub.incidents.unit_arrived(i, emit)
            else:
                inc = ev.incident_id if new is not UnitStatus.AVAILABLE else None
                hub.incidents.set_unit_status(i, new, inc, env.actor)
            emit(UnitChanged(unit=hub.unit_state(i)))
        short = ev.order_id[:8]
        if ev.kind == "overdue":
            proposal = _proposal(hub, i, ev.incident_id)
            text = f"order {short} to {who} not acknowledged in time{proposal}"
            emit(
                Alert(level="critical", kind="order_overdue", text=text, incident_id=ev.incident_id)
            )
        elif ev.kind == "expired":
            text = f"order {short} to {who} expired undelivered{_proposal(hub, i, ev.incident_id)}"
            emit(
                Alert(level="critical", kind="order_expired", text=text, incident_id=ev.incident_id)
            )
        elif ev.kind == "rejected":
            text = f"{who} rejected order {short}: {ev.text}{_proposal(hub, i, ev.incident_id)}"
            emit(
                Alert(level="warning", kind="order_rejected", text=text, incident_id=ev.incident_id)
            )
        elif ev.kind == "finished":
            text = f"{who} finished order {short}: {ev.text}"
            emit(Alert(level="info", kind="order_finished", text=text, incident_id=ev.incident_id))
        elif ev.kind == "feedback":
            text = f"feedback from {who}: {ev.text}"
            emit(Alert(level="info", kind="feedback", text=text, incident_id=ev.incident_id))

    return handle
