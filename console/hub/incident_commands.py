"""The workstation commands about incidents and units: register a call (with likely
duplicates and a first plan), merge a further call, set a unit's status by hand, close
or cancel an incident (its orders end, its plan goes, its units are free).

Built from the parts these commands touch, so the hub's command table only routes.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from console.config import Config
from console.domain import IncidentStatus, UnitStatus
from console.hub.current_plans import CurrentPlans
from console.hub.errors import CommandError
from console.hub.incidents import IncidentBook
from console.hub.messages import (
    CancelIncident,
    CloseIncident,
    CreateIncident,
    Envelope,
    MergeIntoIncident,
    SetUnitStatus,
)
from console.hub.orders import OrderDesk
from console.hub.plans import PlanBook
from console.hub.publisher import Publisher
from console.hub.situation import Situation
from console.sim import Simulator


class IncidentCommands:
    """CreateIncident, MergeIntoIncident, SetUnitStatus, CloseIncident, CancelIncident."""

    def __init__(
        self,
        config: Config,
        situation: Situation,
        incidents: IncidentBook,
        current: CurrentPlans,
        plans: PlanBook,
        orders: OrderDesk,
        sim: Simulator | None,
        publish: Publisher,
        release: Callable[[int], None],
    ) -> None:
        """``release(i)``: unit ``i`` is free again (see :class:`OrderDesk`)."""
        self.config = config
        self.situation = situation
        self.incidents = incidents
        self.current = current
        self.plans = plans
        self.orders = orders
        self.sim = sim
        self.publish = publish
        self.release = release

    def create(self, cmd: CreateIncident, env: Envelope) -> dict[str, Any]:
        """Register the call; name open incidents it may duplicate; propose a first plan."""
        w = self.config.workflow
        dups = self.incidents.duplicates_of(
            cmd.incident_type, cmd.lon, cmd.lat, w.duplicate_radius_m, w.duplicate_window_seconds
        )
        state = self.incidents.create(cmd, env, self.publish.event)
        result: dict[str, Any] = {"incident_id": state.id, "possible_duplicates": dups}
        try:
            plan = self.plans.propose(state.id, "planner")
            result["plan_id"] = plan.plan_id
        except CommandError as exc:
            result["plan_error"] = str(exc)
        return result

    def merge(self, cmd: MergeIntoIncident, env: Envelope) -> dict[str, Any]:
        """A further call about an open incident, on its record."""
        state = self.incidents.merge_call(cmd, env, self.publish.event)
        return {"incident_id": state.id, "calls": state.calls}

    def set_unit_status(self, cmd: SetUnitStatus, env: Envelope) -> None:
        """An operator sets a unit's status (off duty, available...)."""
        i = self.situation.index.get(cmd.call_sign)
        if i is None:
            raise CommandError(f"unknown unit {cmd.call_sign!r}")
        try:
            status = UnitStatus(cmd.status)
        except ValueError:
            raise CommandError(f"unknown unit status {cmd.status!r}") from None
        self.incidents.set_unit_status(i, status, None, env.actor)
        if self.sim is not None:
            self.sim.set_hold(i, status in (UnitStatus.OFF_DUTY, UnitStatus.ON_SCENE))
            if status is UnitStatus.AVAILABLE:
                self.sim.release(i)
        self.publish.unit(i)

    def close(self, cmd: CloseIncident, env: Envelope) -> None:
        """The incident is over; its orders are finished (the officers' to end)."""
        self._end(cmd.incident_id, IncidentStatus.CLOSED, cmd.outcome, env)

    def cancel(self, cmd: CancelIncident, env: Envelope) -> None:
        """The incident is withdrawn (a false or duplicate call); its orders are cancelled."""
        if not cmd.reason.strip():
            raise CommandError("a cancellation needs a reason")
        self._end(cmd.incident_id, IncidentStatus.CANCELLED, cmd.reason, env)

    def _end(self, incident_id: int, status: IncidentStatus, text: str, env: Envelope) -> None:
        if not self.incidents.is_open(incident_id):
            raise CommandError(f"incident {incident_id} is not open")
        cancel = status is IncidentStatus.CANCELLED
        outcome = "cancelled: " + text if cancel else text or "closed"
        self.orders.finish_incident(incident_id, outcome, env.actor, cancel)
        self.current.drop_incident(incident_id)
        for i in self.incidents.finish(incident_id, status, text, env, self.publish.event):
            self.release(i)
