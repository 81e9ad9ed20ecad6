"""How a hub part tells every workstation what changed.

The hub owns the one ``emit`` (sequence numbers, subscribers' copies); its parts get a
:class:`Publisher` around it rather than the hub, so what they can do is exactly: send an
event, send a unit's current state, send an open incident's current state.
"""

from __future__ import annotations

from collections.abc import Callable

from console.hub.incidents import IncidentBook
from console.hub.messages import Event, IncidentChanged, UnitChanged, UnitState
from console.hub.situation import Situation

Emit = Callable[[Event], None]


def unit_state(situation: Situation, i: int) -> UnitState:
    """The workstation view of unit ``i``."""
    s = situation
    spec = s.specs[i]
    inc_id = int(s.incident[i])
    return UnitState(
        idx=i,
        call_sign=spec.call_sign,
        unit_type=spec.unit_type,
        station=spec.station_code,
        area=spec.area_code,
        status=s.status_of(i).value,
        status_since=float(s.status_since[i]),
        incident_id=None if inc_id < 0 else inc_id,
        lon=float(s.lon[i]),
        lat=float(s.lat[i]),
        fix_t=float(s.fix_t[i]),
        members=list(spec.members),
    )


class Publisher:
    """Events out, for the hub's parts: ``event``, ``unit``, ``incident``."""

    def __init__(self, emit: Emit, situation: Situation, incidents: IncidentBook) -> None:
        self.event: Emit = emit
        self.situation = situation
        self.incidents = incidents

    def unit(self, i: int) -> None:
        """Publish unit ``i``'s current state."""
        self.event(UnitChanged(unit=unit_state(self.situation, i)))

    def incident(self, incident_id: int) -> None:
        """Publish an open incident's current state (nothing if it is no longer open)."""
        st = self.incidents.state(incident_id)
        if st is not None:
            self.event(IncidentChanged(incident=st))
