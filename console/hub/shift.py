"""The shift desk: history search, incident records, shift reports, the shift log, handovers.

The hub's handlers for :mod:`console.hub.messages_shift`.  Reads go to
:mod:`console.history`; a handover also reads the live situation (open incidents,
alerts not yet acknowledged, units on and off duty) and stores it as it stood, so the
record does not change when the incidents do.  Refusals are :class:`CommandError` in
words for the user.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from typing import Any

from sqlalchemy import select

from console.config import Config
from console.history import HistoryError
from console.history import shiftlog as log
from console.history.record import incident_record, standards_by_unit_type
from console.history.report import shift_report
from console.history.search import search_incidents
from console.hub.alerts import AlertBoard
from console.hub.current_plans import CurrentPlans
from console.hub.errors import CommandError
from console.hub.incidents import IncidentBook
from console.hub.messages import Command, Envelope
from console.hub.messages_shift import (
    AcknowledgeHandover,
    AddShiftNote,
    GetIncidentRecord,
    GetShiftLog,
    GetShiftReport,
    LogDutyChange,
    SearchIncidents,
    StartHandover,
)
from console.hub.situation import Situation
from console.store.db import Store
from console.store.models_shift import ShiftHandoverRow

DEFAULT_SHIFT_S = 12 * 3600.0
Handler = Callable[[Any, Envelope], Any]


class ShiftDesk:
    """Carries out the shift commands on the hub thread."""

    def __init__(
        self,
        config: Config,
        store: Store,
        incidents: IncidentBook,
        current: CurrentPlans,
        alerts: AlertBoard,
        situation: Situation,
        clock: Callable[[], float],
    ) -> None:
        self.config = config
        self.store = store
        self.incidents = incidents
        self.current = current
        self.alerts = alerts
        self.situation = situation
        self.clock = clock
        self.standards = standards_by_unit_type(config)
        self.standard_of_type = {k: ut.standard for k, ut in config.unit_types.items()}

    def handlers(self) -> dict[type[Command], Handler]:
        """The command table entries (the hub adds them to its own)."""
        table: dict[type[Command], Handler] = {
            SearchIncidents: self.search,
            GetIncidentRecord: self.record,
            GetShiftReport: self.report,
            GetShiftLog: self.shift_log,
            AddShiftNote: self.add_note,
            StartHandover: self.start_handover,
            AcknowledgeHandover: self.acknowledge,
            LogDutyChange: self.log_duty_change,
        }
        return {kind: _refusing(fn) for kind, fn in table.items()}

    # ------------------------------------------------------------------ reads

    def search(self, cmd: SearchIncidents, env: Envelope) -> dict[str, Any]:
        with self.store.session() as s:
            return search_incidents(s, cmd.query)

    def record(self, cmd: GetIncidentRecord, env: Envelope) -> dict[str, Any]:
        with self.store.session() as s:
            return incident_record(s, cmd.incident_id, self.standards, thumbnails=cmd.thumbnails)

    def report(self, cmd: GetShiftReport, env: Envelope) -> dict[str, Any]:
        with self.store.session() as s:
            out = shift_report(s, cmd.t0, cmd.t1, self.standards, self.standard_of_type)
        out["generated_at"] = self.clock()
        out["generated_by"] = env.actor
        return out

    def shift_log(self, cmd: GetShiftLog, env: Envelope) -> dict[str, Any]:
        with self.store.session() as s:
            return {
                "entries": log.log_entries(s, cmd.t0, cmd.t1, cmd.limit),
                "latest_handover": log.latest_handover(s),
            }

    # ----------------------------------------------------------------- writes

    def add_note(self, cmd: AddShiftNote, env: Envelope) -> dict[str, Any]:
        with self.store.transaction() as s:
            row = log.add_line(
                s,
                t=self.clock(),
                actor=env.actor,
                kind="note",
                text=cmd.text,
                incident_id=cmd.incident_id,
            )
            return {"id": row.id, "t": row.t}

    def log_duty_change(self, cmd: LogDutyChange, env: Envelope) -> dict[str, Any]:
        """The roster's moves as one shift log line at the hub's time (the units' own status
        changes went through ``SetUnitStatus`` and are audited there)."""
        if not cmd.moves:
            raise CommandError("a duty change names at least one unit")
        unknown = sorted({m.call_sign for m in cmd.moves} - set(self.situation.index))
        if unknown:
            raise CommandError(f"unknown unit {', '.join(unknown)}")
        texts = log.duty_change_texts((m.call_sign, m.on, m.line) for m in cmd.moves)
        now = self.clock()
        with self.store.transaction() as s:
            rows = [
                log.add_line(s, t=now, actor=env.actor, kind="duty_change", text=text)
                for text in texts
            ]
            return {"ids": [r.id for r in rows], "t": now}

    def start_handover(self, cmd: StartHandover, env: Envelope) -> dict[str, Any]:
        now = self.clock()
        with self.store.transaction() as s:
            start = cmd.shift_start
            if start is None:
                last = s.scalars(
                    select(ShiftHandoverRow.created_at)
                    .order_by(ShiftHandoverRow.id.desc())
                    .limit(1)
                ).first()
                start = float(last) if last is not None else now - DEFAULT_SHIFT_S
            summary = self.summary(start, now, notes=log.log_entries(s, start))
            row = log.create_handover(
                s, t=now, actor=env.actor, shift_start=start, note=cmd.note, summary=summary
            )
            return log.handover_dict(row)

    def acknowledge(self, cmd: AcknowledgeHandover, env: Envelope) -> dict[str, Any]:
        with self.store.transaction() as s:
            row = log.acknowledge(
                s,
                cmd.handover_id,
                t=self.clock(),
                actor=env.actor,
                note=cmd.note,
                incoming=cmd.incoming,
            )
            return log.handover_dict(row, summary=False)

    # ------------------------------------------------------------------ summary

    def summary(self, start: float, now: float, notes: list[dict[str, Any]]) -> dict[str, Any]:
        """What the outgoing shift hands over, as it stands now."""
        open_incidents = []
        for st in self.incidents.open_states():
            plan = self.current.of_incident(st.id)
            open_incidents.append(
                {
                    "id": st.id,
                    "incident_type": st.incident_type,
                    "status": st.status,
                    "priority": st.priority,
                    "force_level": st.force_level,
                    "address": st.address,
                    "created_at": st.created_at,
                    "units": list(st.units),
                    "plan_status": plan.status if plan is not None else "",
                    "approvals": list(plan.approvals) if plan is not None else [],
                    "approvals_needed": plan.approvals_needed if plan is not None else 0,
                }
            )
        pending = [
            {
                "alert_id": a.alert_id,
                "t": a.t,
                "level": a.level,
                "kind": a.kind,
                "text": a.text,
                "text_en": a.text_en,
                "incident_id": a.incident_id,
            }
            for a in self.alerts.open_alerts()
            if not a.acked_by
        ]
        sit = self.situation
        statuses = [sit.status_of(i).value for i in range(len(sit))]
        off = [sit.specs[i].call_sign for i, st in enumerate(statuses) if st == "off_duty"]
        return {
            "shift_start": start,
            "t": now,
            "open_incidents": open_incidents,
            "pending_alerts": pending,
            "units": {
                "total": len(statuses),
                "on_duty": len(statuses) - len(off),
                "off_duty": len(off),
                "by_status": dict(Counter(statuses)),
                "off_duty_call_signs": sorted(off),
            },
            "notes": [n for n in notes if n["kind"] == "note"],
        }


def _refusing(fn: Handler) -> Handler:
    """Turn a history error into the hub's refusal (the text goes to the user as is)."""

    def run(cmd: Any, env: Envelope) -> Any:
        try:
            return fn(cmd, env)
        except HistoryError as exc:
            raise CommandError(str(exc)) from None

    return run
