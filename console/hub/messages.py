"""Commands in, events out: the typed messages of the command hub.

Every interaction with the hub is one of these msgspec structs, whether the
hub runs in the same process (inproc) or behind ZeroMQ.  They are tagged, so
one msgpack decoder turns a frame back into the right class, and they carry
no behaviour.  Bulk arrays (positions of thousands of units) travel as raw
little-endian bytes, which both sides view with ``numpy.frombuffer``.
"""

from __future__ import annotations

from typing import Any

import msgspec


class Msg(msgspec.Struct, tag=True, forbid_unknown_fields=True, kw_only=True):
    """Base of every hub message; the tag is the class name."""


# --------------------------------------------------------------------- commands


class Command(Msg):
    """Base of commands (requests); answered by :class:`Reply`."""


class GetSnapshot(Command):
    """Ask for the whole live situation (sent by a workstation on join)."""


class GetDistrict(Command):
    """Ask for the static district: outline, roads, stations, areas, points."""


class GetHeat(Command):
    """Ask for a 110-call density grid (calls per km^2) for a window and filter."""

    t0: float
    t1: float
    types: list[str] | None = None
    hours: list[int] | None = None  # hours of day 0..23 to keep; None = all
    cell_m: float = 50.0


class CreateIncident(Command):
    """Register a new incident (110 call intake, camera alarm, forecast)."""

    incident_type: str
    lon: float
    lat: float
    address: str = ""
    caller: str = ""
    description: str = ""
    priority: int | None = None
    force_level: int | None = None
    manpower: int | None = None
    source: str = "call"


class SetUnitStatus(Command):
    """Change a unit's duty status by hand (e.g. off duty, back available)."""

    call_sign: str
    status: str


class CloseIncident(Command):
    """Close an incident with its outcome; frees its units."""

    incident_id: int
    outcome: str = ""


class CancelIncident(Command):
    """Cancel an incident (false alarm, duplicate) with a reason."""

    incident_id: int
    reason: str


class Login(Command):
    """Sign in; the reply carries a session token that later envelopes present."""

    username: str
    password: str


class Logout(Command):
    """End the session of the presenting token."""


class CreateUser(Command):
    """Administrator: add a user with a role (operator, supervisor, admin)."""

    username: str
    display_name: str
    password: str
    role: str


class MergeIntoIncident(Command):
    """Record another call about an open incident on it instead of opening a new one.

    The intake sends this when the operator judges the call a duplicate (same
    type, nearby, recent): the caller and what they report go to the
    incident's chronology and its call count rises.  Reply: {"incident_id", "calls"}.
    """

    incident_id: int
    caller: str = ""
    description: str = ""
    address: str = ""
    lon: float | None = None
    lat: float | None = None
    source: str = "call"


class ListUsers(Command):
    """Administrator: every console account (never a password hash)."""


class SetUserDisabled(Command):
    """Administrator: lock (``disabled=True``) or unlock an account; locking ends its sessions."""

    username: str
    disabled: bool


class ResetPassword(Command):
    """Administrator: set a new password (argon2id); the user's live sessions end."""

    username: str
    new_password: str


class ListUnits(Command):
    """Administrator: every unit with its enrolled (and revoked) terminal keys."""


class EnrollTerminal(Command):
    """Administrator: make a key pair for a unit's terminal and trust its public key.

    The reply carries the key file text once ({"unit", "public_key", "file_name",
    "key_text"}); the hub keeps only the public key.
    """

    call_sign: str
    endpoint: str = ""


class RevokeTerminal(Command):
    """Administrator: withdraw trust from one key, or from every live key of a unit."""

    public_key: str = ""
    call_sign: str = ""


class ProposePlan(Command):
    """(Re)generate the deployment plan for an incident, with optional overrides."""

    incident_id: int
    force_level: int | None = None
    manpower: int | None = None


class ApprovePlan(Command):
    """Supervisor approves a proposed plan (force level 3+ needs two supervisors)."""

    plan_id: int


class RejectPlan(Command):
    """Supervisor rejects a proposed plan, with a reason."""

    plan_id: int
    reason: str


class AmendPlan(Command):
    """Supervisor edits a proposed plan: remove units, add units (by call sign)."""

    plan_id: int
    remove: list[str] = []
    add: list[str] = []
    reason: str = ""


class GetPlan(Command):
    """The newest plan of an incident with its approval state."""

    incident_id: int


class GetChronology(Command):
    """Every recorded step of an incident, oldest first."""

    incident_id: int


class GetStats(Command):
    """Workload and response statistics per officer, unit and station over a window."""

    t0: float
    t1: float


class GetCoverage(Command):
    """Coverage of each force type from the units available now, and where the gaps are.

    Reply: {"report": CoverageReport as a dict (shares per type and area, gaps,
    1-minute points), "uncovered": {unit_type: {"lon": f64 bytes, "lat": f64 bytes}}}
    with the road nodes no available unit of the type reaches within its standard.
    """


class AckAlert(Command):
    """An operator acknowledges an alert (it stops sounding)."""

    alert_id: int


class ReassignOrder(Command):
    """Supervisor: act on an escalation in one step: cancel the silent or refused order
    (if still open) and send the proposed unit, or the one named in ``call_sign``, with
    the same role and briefing.  Reply: {"alert_id", "order_id", "call_sign",
    "replaces", "cancelled_order_id"}."""

    alert_id: int
    call_sign: str = ""  # empty: the unit the alert proposes


class DismissProposal(Command):
    """Supervisor: decline an escalation's proposed unit (recorded with the reason);
    the alert counts as acknowledged and can no longer be acted on."""

    alert_id: int
    reason: str = ""


class OrderReceipt(Command):
    """A terminal (or the in-process simulation) reports on an order."""

    order_id: str
    state: str  # delivered | read | accepted | rejected | arrived | finished
    reason: str = ""
    outcome: str = ""


class Envelope(msgspec.Struct, forbid_unknown_fields=True):
    """A command with who sent it.

    With a ``token`` the hub takes actor and role from the signed-in session
    and ignores what the envelope claims; without one it uses ``actor``/``role``,
    which only in-process (trusted) callers may do.
    """

    request_id: int
    command: Command
    actor: str = "system"
    role: str = "operator"
    workstation: str = "local"
    token: str = ""


class Reply(msgspec.Struct, forbid_unknown_fields=True):
    """The answer to one envelope: ``ok`` with a result, or a reason it was refused."""

    request_id: int
    ok: bool
    result: Any = None
    error: str = ""


# ----------------------------------------------------------------------- events


class Event(Msg, kw_only=True):
    """Base of events; ``seq`` orders them so a late joiner can detect a gap."""

    seq: int = 0


class UnitState(msgspec.Struct, forbid_unknown_fields=True):
    """One unit as the workstation shows it."""

    idx: int
    call_sign: str
    unit_type: str
    station: str | None
    area: str | None
    status: str
    status_since: float
    incident_id: int | None
    lon: float
    lat: float
    fix_t: float
    members: list[str] = []


class IncidentState(msgspec.Struct, forbid_unknown_fields=True):
    """One incident as the workstation shows it."""

    id: int
    incident_type: str
    status: str
    priority: int
    force_level: int
    manpower: int
    lon: float
    lat: float
    address: str
    created_at: float
    source: str
    units: list[str] = []
    calls: int = 1  # calls recorded on this incident (1 + merged duplicate calls)


class UnitsMoved(Event):
    """Coalesced position updates: int32 ``idx`` and float64 ``lon``/``lat``/``fix_t`` bytes."""

    t: float
    idx: bytes
    lon: bytes
    lat: bytes
    fix_t: bytes


class UnitChanged(Event):
    """A unit's status or assignment changed."""

    unit: UnitState


class IncidentChanged(Event):
    """An incident was created or its status, units or details changed."""

    incident: IncidentState


class AlertProposal(msgspec.Struct, frozen=True, forbid_unknown_fields=True, kw_only=True):
    """The unit an escalation proposes in place of a silent or refusing one (frozen: the
    hub replaces it, so a copy already handed to a subscriber never changes)."""

    call_sign: str
    unit_type: str
    eta_s: float  # by road from where the unit was when the alert was raised
    replaces: str  # the silent or refusing unit
    order_id: str  # that unit's order, cancelled if still open when the proposal is taken
    source: str = ""  # plan_alternative | same_role | force_level


class AlertDecision(msgspec.Struct, frozen=True, forbid_unknown_fields=True, kw_only=True):
    """What a supervisor did with an alert's proposal, by whom and when."""

    action: str  # "reassigned" | "dismissed"
    actor: str
    t: float
    call_sign: str = ""  # the unit sent (the proposed one or another); "" when dismissed
    order_id: str = ""  # the new order
    cancelled_order_id: str = ""  # the replaced order, if it was still open
    reason: str = ""


class Alert(Event):
    """Something an operator must see and acknowledge (timer, escalation, sensor)."""

    level: str  # "info" | "warning" | "critical"
    kind: str
    text: str
    incident_id: int | None = None
    alert_id: int = 0
    t: float = 0.0
    text_en: str = ""
    acked_by: str = ""
    proposal: AlertProposal | None = None  # escalations that name a unit to send instead
    decision: AlertDecision | None = None  # set once a supervisor took or declined it


class PlanChanged(Event):
    """A plan was proposed, approved (once or fully), rejected or amended."""

    plan_id: int
    incident_id: int
    status: str  # proposed | approved | rejected | superseded
    approvals: list[str]
    approvals_needed: int
    body: dict[str, Any]


class OrderChanged(Event):
    """An order's delivery state moved (the board follows the receipts)."""

    order_id: str
    incident_id: int
    call_sign: str
    state: str
    t: float


class Snapshot(Event):
    """The whole live situation at ``seq``; updates with a higher seq follow."""

    t: float
    units: list[UnitState]
    incidents: list[IncidentState]
    plans: list[PlanChanged] = []
    alerts: list[Alert] = []


class StaticDistrict(msgspec.Struct, forbid_unknown_fields=True):
    """The static district geometry a workstation draws (answer to GetDistrict)."""

    code: str
    name: str
    approximate: bool
    outline: list[tuple[float, float]]
    stations: list[dict[str, Any]]
    areas: list[dict[str, Any]]
    fixed_points: list[dict[str, Any]]
    landmarks: dict[str, tuple[float, float]]
    # road segments for drawing: float64 bytes (x0,y0,x1,y1 in lon/lat) + int8 class bytes
    seg_lonlat: bytes
    seg_class: bytes
    road_labels: list[tuple[str, float, float, int]]  # name, lon, lat, road class
    intersections: list[tuple[str, str, float, float]] = []  # road a, road b (sorted), lon, lat


ENCODER = msgspec.msgpack.Encoder()
EVENT_DECODER: msgspec.msgpack.Decoder[Event] = msgspec.msgpack.Decoder(
    Snapshot | UnitsMoved | UnitChanged | IncidentChanged | Alert | PlanChanged | OrderChanged
)
