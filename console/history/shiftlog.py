"""The shift log and handovers, in the caller's session (the caller commits).

Notes are short lines by the operators ("南京东路 road works until 06:00").  A handover
stores the summary the outgoing shift hands over exactly as it stood (the open
incidents and pending alerts change right after); the incoming shift acknowledges it
once, by someone other than who wrote it, naming who is coming on.  Every change also
writes a log line, so the log alone reads as the shift's story.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from console.history import HistoryError
from console.store.models import IncidentRow
from console.store.models_shift import ShiftHandoverRow, ShiftLogRow

MAX_NOTE = 2000
MAX_NAMES = 50
MAX_LINES = 2000
KINDS = ("note", "sign_in", "handover", "handover_ack", "duty_change")
_DUTY_GROUP = re.compile(r"^(on|off) duty: (.+?)(?: \((.*)\))?$")


def _text(value: str, what: str, *, allow_empty: bool) -> str:
    v = value.strip()
    if not v and not allow_empty:
        raise HistoryError(f"{what} must not be empty")
    if len(v) > MAX_NOTE:
        raise HistoryError(f"{what} is longer than {MAX_NOTE} characters")
    return v


def _time(t: float, what: str = "time") -> float:
    if not math.isfinite(t):
        raise HistoryError(f"{what} must be a finite number, got {t!r}")
    return float(t)


def add_line(
    s: Session,
    *,
    t: float,
    actor: str,
    kind: str,
    text: str = "",
    incident_id: int | None = None,
    handover_id: int | None = None,
) -> ShiftLogRow:
    """One log line (a note needs text; an incident it names must exist)."""
    if kind not in KINDS:
        raise HistoryError(f"unknown shift log kind {kind!r} (known: {', '.join(KINDS)})")
    body = _text(text, "a note" if kind == "note" else "the text", allow_empty=kind != "note")
    if incident_id is not None and s.get(IncidentRow, incident_id) is None:
        raise HistoryError(f"no incident number {incident_id}")
    row = ShiftLogRow(
        t=_time(t),
        actor=actor,
        kind=kind,
        text=body,
        incident_id=incident_id,
        handover_id=handover_id,
    )
    s.add(row)
    s.flush()
    return row


def duty_change_text(moves: Iterable[tuple[str, bool, str]]) -> str:
    """The text of a ``duty_change`` line from (call sign, on duty, roster line) moves:
    "on duty: G-1, G-2 (2026-05-29 day 08:00-20:00); off duty: G-3".  Plain English
    so exports and logs read as they are; :func:`parse_duty_change` gives the parts back
    for a workstation to show in its own language."""
    groups: dict[tuple[bool, str], list[str]] = {}
    for call_sign, on, line in moves:
        groups.setdefault((on, line), []).append(call_sign)
    parts = []
    for (on, line), units in sorted(groups.items(), key=lambda kv: (not kv[0][0], kv[0][1])):
        text = f"{'on' if on else 'off'} duty: {', '.join(units)}"
        parts.append(f"{text} ({line})" if line else text)
    return "; ".join(parts)


def duty_change_texts(moves: Iterable[tuple[str, bool, str]]) -> list[str]:
    """:func:`duty_change_text` split into lines of at most ``MAX_NOTE`` characters (a
    whole district changing shift at 08:00 is hundreds of units)."""
    out: list[str] = []
    chunk: list[tuple[str, bool, str]] = []
    for move in moves:
        if chunk and len(duty_change_text([*chunk, move])) > MAX_NOTE:
            out.append(duty_change_text(chunk))
            chunk = []
        chunk.append(move)
    if chunk:
        out.append(duty_change_text(chunk))
    return out


def parse_duty_change(text: str) -> list[tuple[bool, list[str], str]] | None:
    """(on duty, call signs, roster line) per group of a ``duty_change`` text, or None if
    the text is not one (then show it as it is)."""
    out: list[tuple[bool, list[str], str]] = []
    for part in text.split("; "):
        m = _DUTY_GROUP.match(part)
        if m is None:
            return None
        out.append((m.group(1) == "on", m.group(2).split(", "), m.group(3) or ""))
    return out or None


def log_entries(
    s: Session, t0: float | None = None, t1: float | None = None, limit: int = MAX_LINES
) -> list[dict[str, Any]]:
    """Log lines in [t0, t1), oldest first (the newest ``limit`` of them)."""
    if not 1 <= limit <= MAX_LINES:
        raise HistoryError(f"limit must be 1-{MAX_LINES}, got {limit}")
    q = select(ShiftLogRow)
    if t0 is not None:
        q = q.where(ShiftLogRow.t >= _time(t0, "t0"))
    if t1 is not None:
        q = q.where(ShiftLogRow.t < _time(t1, "t1"))
    rows = list(s.scalars(q.order_by(ShiftLogRow.t.desc(), ShiftLogRow.id.desc()).limit(limit)))
    return [
        {
            "id": r.id,
            "t": r.t,
            "actor": r.actor,
            "kind": r.kind,
            "text": r.text,
            "incident_id": r.incident_id,
            "handover_id": r.handover_id,
        }
        for r in reversed(rows)
    ]


def create_handover(
    s: Session, *, t: float, actor: str, shift_start: float, note: str, summary: dict[str, Any]
) -> ShiftHandoverRow:
    """Record the outgoing shift's handover (and its log line)."""
    t, shift_start = _time(t), _time(shift_start, "shift start")
    if shift_start > t:
        raise HistoryError("the shift cannot start after its handover")
    row = ShiftHandoverRow(
        created_at=t,
        created_by=actor,
        shift_start=shift_start,
        note=_text(note, "the handover note", allow_empty=True),
        summary=summary,
        incoming=[],
        ack_note="",
    )
    s.add(row)
    s.flush()
    add_line(s, t=t, actor=actor, kind="handover", text=row.note, handover_id=row.id)
    return row


def acknowledge(
    s: Session, handover_id: int, *, t: float, actor: str, note: str, incoming: list[str]
) -> ShiftHandoverRow:
    """The incoming shift takes over: once, by someone other than the writer."""
    row = s.get(ShiftHandoverRow, handover_id)
    if row is None:
        raise HistoryError(f"no handover number {handover_id}")
    if row.acknowledged_by:
        raise HistoryError(
            f"handover {handover_id} was already acknowledged by {row.acknowledged_by}"
        )
    if actor == row.created_by:
        raise HistoryError(
            "the incoming shift acknowledges a handover: someone other than who wrote it"
        )
    names = [n.strip() for n in incoming if n.strip()]
    if len(names) > MAX_NAMES:
        raise HistoryError(f"name at most {MAX_NAMES} people coming on")
    if any(len(n) > 100 for n in names):
        raise HistoryError("a name coming on is longer than 100 characters")
    team = list(dict.fromkeys([actor, *names]))
    row.acknowledged_at = _time(t)
    row.acknowledged_by = actor
    row.incoming = team
    row.ack_note = _text(note, "the acknowledgement note", allow_empty=True)
    add_line(s, t=t, actor=actor, kind="handover_ack", text=row.ack_note, handover_id=row.id)
    add_line(s, t=t, actor=actor, kind="sign_in", text=", ".join(team), handover_id=row.id)
    s.flush()
    return row


def handover_dict(row: ShiftHandoverRow, *, summary: bool = True) -> dict[str, Any]:
    """A handover as workstations and reports see it."""
    out: dict[str, Any] = {
        "id": row.id,
        "created_at": row.created_at,
        "created_by": row.created_by,
        "shift_start": row.shift_start,
        "note": row.note,
        "acknowledged_at": row.acknowledged_at,
        "acknowledged_by": row.acknowledged_by or "",
        "incoming": list(row.incoming or []),
        "ack_note": row.ack_note,
    }
    if summary:
        out["summary"] = dict(row.summary or {})
    return out


def handovers(s: Session, t0: float | None = None, t1: float | None = None) -> list[dict[str, Any]]:
    """Handovers written in [t0, t1), oldest first, with their summaries."""
    q = select(ShiftHandoverRow)
    if t0 is not None:
        q = q.where(ShiftHandoverRow.created_at >= t0)
    if t1 is not None:
        q = q.where(ShiftHandoverRow.created_at < t1)
    return [handover_dict(r) for r in s.scalars(q.order_by(ShiftHandoverRow.id))]


def latest_handover(s: Session) -> dict[str, Any] | None:
    """The newest handover (acknowledged or not), or None before the first."""
    row = s.scalars(select(ShiftHandoverRow).order_by(ShiftHandoverRow.id.desc()).limit(1)).first()
    return None if row is None else handover_dict(row)
