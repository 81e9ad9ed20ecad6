"""Commands of the shift: history search, incident records, shift reports, the shift log
and handovers (handled by :mod:`console.hub.shift`).

Writes (a note, a handover, its acknowledgement) are commands like every other change,
so the hub audits them; reads are commands too, so a remote workstation asks the same
way as an embedded one.  No events: a workstation asks again when it shows the log.
"""

from __future__ import annotations

import msgspec

from console.history.search import IncidentQuery
from console.hub.messages import Command

STAFF = frozenset({"operator", "supervisor", "admin"})


class SearchIncidents(Command):
    """Past incidents matching ``query`` (closed and cancelled by default), newest first.
    Reply: {"total", "offset", "rows": [incident rows]}."""

    query: IncidentQuery


class GetIncidentRecord(Command):
    """One incident's full record: chronology, plans and decisions, orders and receipts,
    photos (thumbnails unless ``thumbnails`` is False), messages, reports, response."""

    incident_id: int
    thumbnails: bool = True


class GetShiftReport(Command):
    """The figures of the shift [t0, t1): incidents, response against the standards,
    units, alerts, approvals, notes and handovers."""

    t0: float
    t1: float


class GetShiftLog(Command):
    """Shift log lines in [t0, t1) (None: open-ended) and the newest handover.
    Reply: {"entries", "latest_handover"}."""

    t0: float | None = None
    t1: float | None = None
    limit: int = 500


class AddShiftNote(Command):
    """An operator's note in the shift log, about an incident or the shift in general."""

    text: str
    incident_id: int | None = None


class StartHandover(Command):
    """The outgoing shift hands over: the hub records the open incidents, pending alerts,
    units on and off duty and the notes since ``shift_start`` (None: since the last
    handover, else the last 12 hours), with the outgoing shift's ``note``.
    Reply: the handover with its summary."""

    note: str = ""
    shift_start: float | None = None


class AcknowledgeHandover(Command):
    """The incoming shift signs in and takes over: ``incoming`` names who comes on with
    the sender.  Refused for the handover's own writer and when already acknowledged."""

    handover_id: int
    note: str = ""
    incoming: list[str] = msgspec.field(default_factory=list)


class DutyMove(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    """One unit moved by the roster: on (True) or off duty, and the roster line that
    decided it ("2026-05-29 day 08:00-20:00"; empty: the unit has no shift)."""

    call_sign: str
    on: bool
    line: str = ""


class LogDutyChange(Command):
    """The hub's duty clock (:mod:`console.district.duty`) moved units on or off duty: one
    shift log line, so the roster's changes are in the room's chronology.  Role
    ``system`` only (in-process; the workstation server refuses that role on the wire)."""

    moves: list[DutyMove]


SHIFT_COMMANDS: tuple[type[Command], ...] = (
    SearchIncidents,
    GetIncidentRecord,
    GetShiftReport,
    GetShiftLog,
    AddShiftNote,
    StartHandover,
    AcknowledgeHandover,
)
SHIFT_RIGHTS: dict[type[Command], frozenset[str]] = dict.fromkeys(SHIFT_COMMANDS, STAFF)
SHIFT_RIGHTS[LogDutyChange] = frozenset({"system"})
"""Every staff role may search, report, write notes and hand over; only the hub's own duty
clock logs a duty change (rights.py adds these)."""
READ_ONLY_SHIFT = ("SearchIncidents", "GetIncidentRecord", "GetShiftReport", "GetShiftLog")
"""Commands that change nothing (candidates for the audit trail's READ_ONLY list)."""
