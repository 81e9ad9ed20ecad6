"""Who may be sent now: the live units, less those already bound to an incident and
those a proposed plan of another incident holds, and the local hour plans are made for.

One place for the question a plan, an amendment and a reassignment all ask, so the
answer (and the refusal text) is the same wherever it is asked.
"""

from __future__ import annotations

from collections.abc import Callable

from console.domain import UnitStatus
from console.hub.current_plans import CurrentPlans
from console.hub.incidents import IncidentBook
from console.hub.localtime import SHANGHAI, LocalTime
from console.hub.situation import Situation
from console.planning.fleet import SituationView


class Availability:
    """Live units minus reserved ones, as the plan engine sees them, and why not a unit."""

    def __init__(
        self,
        situation: Situation,
        incidents: IncidentBook,
        plans: CurrentPlans,
        clock: Callable[[], float],
        local: LocalTime = SHANGHAI,
    ) -> None:
        self.situation = situation
        self.incidents = incidents
        self.plans = plans
        self.clock = clock
        self.local = local
        self.sent_at: Callable[[int, str], float | None] = lambda _iid, _cs: None
        """When the unit's open order on an incident was written (the order desk's
        :meth:`~console.hub.orders.OrderDesk.sent_at`, set when the workflow is built)."""

    def hour(self) -> int:
        """The local hour now (travel times and demand depend on it)."""
        return self.local.hour(self.clock())

    def view(self, exclude_incident: int | None = None) -> SituationView:
        """Live units, with units held by other incidents' proposed plans left out
        (``exclude_incident``: the incident being planned, whose own plan does not count)."""
        view = SituationView.from_situation(self.situation)
        held = self.plans.held(exclude_incident)
        if held:
            avail = view.available.copy()
            for cs in held:
                i = self.situation.index.get(cs)
                if i is not None:
                    avail[i] = False
            view = SituationView(view.specs, view.lon, view.lat, avail)
        return view

    def held_by(self, call_sign: str, other_than: int | None = None) -> int | None:
        """The incident whose proposed plan holds the unit (None: not held)."""
        return self.plans.held(other_than).get(call_sign)

    def refusal(self, i: int, incident_id: int) -> str | None:
        """Why unit ``i`` may not be sent to the incident now (None: it may)."""
        cs = self.situation.specs[i].call_sign
        if i in self.incidents.units_of(incident_id):
            return f"unit {cs} is already on incident {incident_id}"
        held = self.held_by(cs, other_than=incident_id)
        if held is not None:
            return f"unit {cs} is held by the plan proposed for incident {held}"
        status = self.situation.status_of(i)
        if status is UnitStatus.AVAILABLE:
            return None
        bound = int(self.situation.incident[i])
        if bound >= 0:
            sent = self.sent_at(bound, cs)
            when = f", order sent {self.local.clock_text(sent)}" if sent is not None else ""
            return f"unit {cs} is committed to incident {bound} ({status.value}{when})"
        return f"unit {cs} is not available ({status.value})"
