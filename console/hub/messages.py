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
    weekdays: list[int] | None = None  # local weekdays 0 (Monday)..6 to keep; None = all
    bandwidth_m: float = 120.0  # kernel bandwidth (smoothing) in metres


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


class UnlockUser(Command):
    """Administrator: unlock an account locked by failed sign-ins and forget its failures
    (audited as ``auth.unlock``, like ``main.py admin unlock``)."""

    username: str


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


class RecordManualDelivery(Command):
    """An operator delivered an order by hand to a unit no terminal could reach: by
    ``channel`` (radio | phone | in_person) to ``contact`` (who answered) at ``at`` (UNIX
    seconds; None: now).  With ``accepted`` the officer also accepted it over the same
    channel.  Advances the order like the terminal's receipt.  Reply: {"order_id",
    "state", "channel", "at"}."""

    order_id: str
    channel: str
    contact: str = ""
    at: float | None = None
    accepted: bool = False


# --------------------------------------------- hot spots and forecasts (heat engine)
# Answered from the hub's HeatEngine on a worker thread (console/hub/forecasting.py);
# local hours and weekdays are the district's time zone.  Replies are the engine's
# ``to_wire`` forms (read back with console.heat.wire) plus "tz".


class GetHotspots(Command):
    """Getis-Ord Gi* hot-spot areas of the calls in [t0, t1) matching the filter."""

    t0: float
    t1: float
    types: list[str] | None = None
    hours: list[int] | None = None
    weekdays: list[int] | None = None
    cell_m: float = 100.0
    neighbourhood_m: float = 300.0
    fdr: float = 0.05  # false-discovery rate of the significant cells


class GetForecast(Command):
    """Expected calls per cell for the next shift (``shift_hours`` from ``t0``), the next
    24 hours (hour by hour) or the next 7 days (day by day); ``t0`` None: now, at the
    start of its local hour."""

    horizon: str = "24h"  # "shift" | "24h" | "7d"
    t0: float | None = None
    shift_hours: float = 8.0
    types: list[str] | None = None
    cell_m: float = 100.0
    model: str = "blend"


class GetPatrolFocus(Command):
    """Patrol points per responsibility area for the shift [t0, t1) (None: from now, at the
    start of its local hour, for 8 hours): where a unit on patrol is nearest to the most
    expected calls.  Reply: {"t0", "t1", "tz", "radius_m", "areas": [AreaFocus wire]}."""

    t0: float | None = None
    t1: float | None = None
    area_codes: list[str] | None = None  # None: every area of the district
    per_area: int = 3
    radius_m: float = 300.0
    types: list[str] | None = None


# ------------------------------------------------------------------ crowd flow
# Handled by console/hub/crowding.py (issue 18): places of config/crowd.toml, counts in,
# forecasts out once a minute (computed on a worker thread), warnings on the alert board.


class GetCrowdPlaces(Command):
    """The crowd places: {"places": [{code, name, name_en, kind, polygon, point, capacity,
    warn_share, alarm_share, measure, tz}], "note", "note_en"} (``note``: where the counts
    come from when they are not the places' own, e.g. the demo's stand-in)."""


class GetCrowd(Command):
    """The latest forecast of one place (``place``) or of every place (""):
    {"forecasts": [CrowdForecast]}."""

    place: str = ""


class AddCrowdCount(Command):
    """One count of one counter of a place for the minute holding ``t`` (None: now): people
    present (an occupancy place) or counted in that minute (a flow place).  A later count
    of the same counter and minute replaces it.  Reply: {"place", "sensor", "minute"}."""

    place: str
    sensor: str
    people: float
    t: float | None = None


class RaiseCrowdIncident(Command):
    """Open the crowd-crush run card from a crowd warning: a ``crowd_crush_risk`` incident at
    the alert's place through the normal intake (plan proposed as for any call).
    Reply: CreateIncident's ({"incident_id", "plan_id", ...}) plus "alert_id"."""

    alert_id: int


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
    source: str = ""
    """Who the link saw send it (``key:`` and the connection's CURVE public key), set by the
    workstation server over whatever came on the wire; "" in process.  Sign-in limits count
    failures per source by it, never by the ``workstation`` name a client chooses."""
    peer: str = ""
    """The network address the connection came from (ZeroMQ's ``Peer-Address``), set by the
    workstation server like ``source``; sign-in limits also count failures per address, so
    a new key for every try does not make a new source."""


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


class CrowdAlertInfo(msgspec.Struct, frozen=True, forbid_unknown_fields=True, kw_only=True):
    """What a crowd warning is about (``console.hub.crowding``): the place, the crossing and
    its lead time, and where the crowd-crush run card sends units (``RaiseCrowdIncident``)."""

    key: str  # the warning episode: never raised twice under one key
    place: str  # place code (config/crowd.toml)
    place_name: str
    source: str  # hourly | nowcast | measured
    t_cross: float  # first bucket at or over the level (the measuring time for "measured")
    t_peak: float
    lead_s: float  # how far ahead of the alert the crossing is (0: now)
    share: float  # peak / capacity
    peak: float  # people (an occupancy) or people per hour (a flow)
    lon: float
    lat: float
    incident_type: str = "crowd_crush_risk"


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
    crowd: CrowdAlertInfo | None = None  # a crowd warning (its run card: RaiseCrowdIncident)


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


class CrowdForecast(Event):
    """A place's forecast, refreshed once a minute: the next ``hour_*`` hours with an 80 %
    band, the nowcast's next ``minute_*`` minutes with theirs (empty without live counts),
    the last ``observed`` hourly counts (gaps left out), the next peak.  Arrays are float64
    bytes (``numpy.frombuffer``); times are bucket starts in UTC seconds, ``tz`` the place's
    own clock for showing them."""

    place: str
    issued_at: float
    model: str
    measure: str  # occupancy (people present) | flow (people per hour)
    tz: str
    capacity: float
    warn_share: float
    alarm_share: float
    hour_times: bytes
    hour_point: bytes
    hour_lower: bytes
    hour_upper: bytes
    minute_times: bytes
    minute_point: bytes
    minute_lower: bytes
    minute_upper: bytes
    observed_times: bytes
    observed: bytes
    peak_t: float | None = None
    peak: float | None = None
    note: str = ""  # where the counts come from when not the place's own (demo stand-in)
    note_en: str = ""


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
    tz: str = "Asia/Shanghai"  # the district's IANA zone: the console shows local times in it


class MessageChanged(Event):
    """A message to a unit was delivered to its terminal or read by the officer."""

    message_id: str
    group_id: str
    call_sign: str
    incident_id: int | None
    state: str  # pending | delivered | read | expired
    t: float


ENCODER = msgspec.msgpack.Encoder()
EVENT_DECODER: msgspec.msgpack.Decoder[Event] = msgspec.msgpack.Decoder(
    Snapshot
    | UnitsMoved
    | UnitChanged
    | IncidentChanged
    | Alert
    | PlanChanged
    | OrderChanged
    | CrowdForecast
    | MessageChanged
)
