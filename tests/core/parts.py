"""Helpers for the tests of the hub's parts (their fixtures are in ``conftest.py``)."""

from __future__ import annotations

from console.hub.incidents import IncidentBook
from console.hub.messages import CreateIncident, Envelope, Event

# scenes on roads of the demo district, away from the stations
SCENE_A = (121.4737, 31.2304)
SCENE_B = (121.4800, 31.2360)


def open_incident(
    incidents: IncidentBook,
    events: list[Event],
    incident_type: str = "theft",
    scene: tuple[float, float] = SCENE_A,
    **kw: object,
) -> int:
    """Register an incident the way the intake does; its id."""
    cmd = CreateIncident(incident_type=incident_type, lon=scene[0], lat=scene[1], **kw)  # type: ignore[arg-type]
    env = Envelope(request_id=1, command=cmd, actor="op1", role="operator", workstation="ws-1")
    return incidents.create(cmd, env, events.append).id
