"""The hub-thread side of the terminal link: internal commands registered on the hub.

Receipts are applied to the outbox in one transaction per batch (the hub's
per-receipt path costs a commit each, ~18 ms here, far too slow for a
1,000-unit fan-out) and then given the hub's own effects: an ``OrderChanged``
event per order that really moved, the unit's status, the incident's status
and any alert (through the hub's workflow when it has one).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from console.domain import UnitStatus
from console.hub.messages import Command, Envelope, OrderChanged
from console.link.receipts import Moved, apply_reports

if TYPE_CHECKING:
    from console.hub.hub import CommandHub

log = logging.getLogger(__name__)

LINK_ONLY = frozenset({"link"})


class TerminalReports(Command):
    """Internal: a batch of (unit id, receipt) pairs from the terminal link."""

    reports: list[Any]
    now: float


class TerminalEventCommand(Command):
    """Internal: a terminal's duty-status change or feedback."""

    kind: str
    call_sign: str
    order_id: str = ""
    incident_id: int | None = None
    text: str = ""
    status: str = ""


INTERNAL_COMMANDS: tuple[type[Command], ...] = (TerminalReports, TerminalEventCommand)


def register(hub: CommandHub) -> None:
    """Install the link's handlers on ``hub`` (role ``link`` only)."""
    hub.handlers[TerminalReports] = _reports_handler(hub)
    hub.handlers[TerminalEventCommand] = _event_handler(hub)
    for c in INTERNAL_COMMANDS:
        hub.rights[c] = LINK_ONLY


def _unit_effect(hub: CommandHub, mv: Moved) -> None:
    i = hub.situation.index.get(mv.call_sign)
    if i is None:
        return
    # the hub's own rules for a unit after a receipt (one place, also used in-process)
    hub.workflow.unit_effect(i, mv.incident_id, mv.state, mv.call_sign, mv.text)


def _reports_handler(hub: CommandHub) -> Callable[[TerminalReports, Envelope], Any]:
    def handle(cmd: TerminalReports, env: Envelope) -> tuple[list[Moved], set[str]]:
        moved, foreign = apply_reports(hub.store, cmd.reports, cmd.now)
        for mv in moved:
            hub.emit(
                OrderChanged(
                    order_id=mv.order_id,
                    incident_id=mv.incident_id,
                    call_sign=mv.call_sign,
                    state=mv.state.value,
                    t=cmd.now,
                )
            )
            try:
                _unit_effect(hub, mv)
            except Exception:  # the receipt is stored; a failed side effect must not undo it
                log.exception("effect of order %s %s failed", mv.order_id[:8], mv.state.value)
        return moved, foreign

    return handle


def _event_handler(hub: CommandHub) -> Callable[[TerminalEventCommand, Envelope], Any]:
    def handle(cmd: TerminalEventCommand, env: Envelope) -> None:
        i = hub.situation.index.get(cmd.call_sign)
        if cmd.kind == "status" and i is not None:
            status = UnitStatus(cmd.status)
            keep = int(hub.situation.incident[i])
            bound = (
                keep if keep >= 0 and status in (UnitStatus.EN_ROUTE, UnitStatus.ON_SCENE) else None
            )
            hub.incidents.set_unit_status(i, status, bound, env.actor)
            hub.emit_unit(i)
        elif cmd.kind == "feedback":
            wf = getattr(hub, "workflow", None)
            if wf is not None:
                wf.raise_alert(
                    f"feedback:{cmd.call_sign}:{env.request_id}",
                    "info",
                    "feedback",
                    f"{cmd.call_sign} 现场反馈: {cmd.text}",
                    f"feedback from {cmd.call_sign}: {cmd.text}",
                    cmd.incident_id,
                )

    return handle
