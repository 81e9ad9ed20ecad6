"""Open incidents and the units bound to them, kept in memory and in the store.

The hub thread is the only writer.  Every change is written to the store
(with a chronology row) before the event goes out, so a restart reloads the
same open incidents.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from sqlalchemy.orm import Session

from console.config import Config
from console.domain import District, IncidentStatus, UnitStatus
from console.geo.coords import haversine_m
from console.hub.errors import CommandError
from console.hub.messages import (
    CreateIncident,
    Envelope,
    Event,
    IncidentChanged,
    IncidentState,
    MergeIntoIncident,
)
from console.hub.situation import Situation
from console.polygon import contains
from console.store import repos
from console.store.db import Store

Emit = Callable[[Event], None]
HISTORY_KEEP_S = 24 * 3600.0  # position history kept per unit (bounded)
HISTORY_MAX_PER_UNIT = 2000
CALL_MERGED = "call_merged"  # chronology kind of a further call recorded on an incident
MAX_CALLER = 40
MAX_ADDRESS = 200
MAX_DESCRIPTION = 2000

OPEN_STATUSES = frozenset(
    {
        IncidentStatus.NEW,
        IncidentStatus.PLAN_PROPOSED,
        IncidentStatus.APPROVED,
        IncidentStatus.DISPATCHED,
        IncidentStatus.EN_ROUTE,
        IncidentStatus.ON_SCENE,
    }
)


class IncidentError(CommandError):
    """A request about an incident cannot be carried out; the text is for the user."""


@dataclass
class _Open:
    state: IncidentState
    units: list[int] = field(default_factory=list)


class IncidentBook:
    """The hub's view of open incidents."""

    def __init__(
        self,
        config: Config,
        store: Store,
        district: District,
        situation: Situation,
        clock: Callable[[], float],
    ) -> None:
        self.config = config
        self.store = store
        self.district = district
        self.situation = situation
        self.clock = clock
        self.open: dict[int, _Open] = {}
        self._unit_ids: dict[str, int] = {}
        self._call_signs: dict[int, str] = {}
        self._reload()

    def _reload(self) -> None:
        with self.store.session() as s:
            r = repos.IncidentRepo(s)
            for row in r.list_open():
                st = self._to_state(row)
                st.calls = 1 + sum(1 for e in r.chronology(row.id) if e.kind == CALL_MERGED)
                self.open[row.id] = _Open(state=st)
            self._unit_ids = repos.UnitRepo(s).ids_by_call_sign()
        self._call_signs = {uid: cs for cs, uid in reversed(self._unit_ids.items())}

    def restore_bindings(self) -> None:
        """After a restart: units with a live order on an open incident are bound to it again
        (dispatched since the order was written), as they were before the hub stopped."""
        with self.store.session() as s:
            orders = repos.OrderRepo(s)
            for o in self.open.values():
                for order in orders.for_incident(o.state.id):
                    if order.state in ("finished", "rejected", "expired", "cancelled"):
                        continue
                    cs = self.call_sign_of(order.unit_id)
                    i = self.situation.index.get(cs) if cs else None
                    if i is not None and i not in o.units:
                        o.units.append(i)
                        self.situation.set_status(
                            i, UnitStatus.DISPATCHED, order.created_at, o.state.id
                        )
                o.state.units = [self.situation.specs[i].call_sign for i in o.units]

    @staticmethod
    def _to_state(row: Any) -> IncidentState:
        return IncidentState(
            id=row.id,
            incident_type=row.incident_type,
            status=row.status,
            priority=row.priority,
            force_level=row.force_level,
            manpower=row.manpower,
            lon=row.lon,
            lat=row.lat,
            address=row.address,
            created_at=row.created_at,
            source=row.source,
        )

    def open_states(self) -> list[IncidentState]:
        """Open incidents, highest priority first, then oldest."""
        return sorted(
            (o.state for o in self.open.values()), key=lambda s: (s.priority, s.created_at)
        )

    def state(self, incident_id: int) -> IncidentState | None:
        """The current state of an open incident, if it is open."""
        o = self.open.get(incident_id)
        return o.state if o else None

    def open_ids(self) -> list[int]:
        """Ids of the open incidents, in the order they were opened (or reloaded)."""
        return list(self.open)

    def is_open(self, incident_id: int) -> bool:
        """Whether the incident is open (still being worked on)."""
        return incident_id in self.open

    def status_of(self, incident_id: int) -> str | None:
        """The incident's status, open or not (from the store); None if there is no such one."""
        o = self.open.get(incident_id)
        if o is not None:
            return o.state.status
        with self.store.session() as s:
            row = repos.IncidentRepo(s).get(incident_id)
            return None if row is None else str(row.status)

    def units_of(self, incident_id: int) -> list[int]:
        """Situation indices of the units bound to an open incident (a copy)."""
        o = self.open.get(incident_id)
        return list(o.units) if o else []

    def unit_id_of(self, call_sign: str) -> int | None:
        """The store id of a unit, by call sign (None: not a unit of this district)."""
        return self._unit_ids.get(call_sign)

    def call_sign_of(self, unit_id: int) -> str | None:
        """The call sign of a unit, by store id (None: unknown id)."""
        return self._call_signs.get(unit_id)

    def chronology(self, incident_id: int) -> list[dict[str, Any]]:
        """The incident's recorded steps, oldest first."""
        with self.store.session() as s:
            r = repos.IncidentRepo(s)
            if r.get(incident_id) is None:
                raise IncidentError(f"no incident {incident_id}")
            return [
                {"t": e.t, "actor": e.actor, "kind": e.kind, "detail": dict(e.detail or {})}
                for e in r.chronology(incident_id)
            ]

    def duplicates_of(
        self,
        incident_type: str,
        lon: float,
        lat: float,
        radius_m: float = 300.0,
        window_s: float = 1800.0,
    ) -> list[int]:
        """Open incidents of the same type nearby and recent (likely the same event)."""
        now = self.clock()
        out = []
        for o in self.open.values():
            st = o.state
            if st.incident_type != incident_type or now - st.created_at > window_s:
                continue
            if float(haversine_m(lon, lat, st.lon, st.lat)) <= radius_m:
                out.append(st.id)
        return out

    def create(self, cmd: CreateIncident, env: Envelope, emit: Emit) -> IncidentState:
        """Validate and register a new incident; refuse bad input with a clear reason."""
        it = self.config.incident_types.get(cmd.incident_type)
        if it is None:
            known = ", ".join(sorted(self.config.incident_types))
            raise IncidentError(f"unknown incident type {cmd.incident_type!r} (known: {known})")
        if not (np.isfinite(cmd.lon) and np.isfinite(cmd.lat)):
            raise IncidentError("incident location is not a number")
        if not bool(contains(self.district.outline, cmd.lon, cmd.lat)[0]):
            raise IncidentError(
                f"location ({cmd.lon:.5f}, {cmd.lat:.5f}) "
                f"is outside the district {self.district.name}"
            )
        priority = it.priority if cmd.priority is None else cmd.priority
        level = it.force_level if cmd.force_level is None else cmd.force_level
        manpower = it.manpower if cmd.manpower is None else cmd.manpower
        if not 1 <= priority <= 4:
            raise IncidentError(f"priority must be 1-4, got {priority}")
        if not 1 <= level <= 4:
            raise IncidentError(f"force level must be 1-4, got {level}")
        if not 1 <= manpower <= 500:
            raise IncidentError(f"manpower must be 1-500, got {manpower}")
        now = self.clock()
        with self.store.transaction() as s:
            row = repos.IncidentRepo(s).create(
                incident_type=cmd.incident_type,
                priority=priority,
                force_level=level,
                manpower=manpower,
                lon=cmd.lon,
                lat=cmd.lat,
                address=cmd.address,
                caller=cmd.caller,
                description=cmd.description,
                created_at=now,
                created_by=env.actor,
                source=cmd.source,
            )
            repos.IncidentRepo(s).add_event(
                row.id,
                t=now,
                actor=env.actor,
                kind="intake",
                detail={"workstation": env.workstation, "source": cmd.source},
            )
            state = self._to_state(row)
        self.open[state.id] = _Open(state=state)
        emit(IncidentChanged(incident=state))
        return state

    def merge_call(self, cmd: MergeIntoIncident, env: Envelope, emit: Emit) -> IncidentState:
        """Record a further call on an open incident (a likely duplicate the operator merged).

        Refused if the incident does not exist or is no longer open: a call
        about a closed event is a new incident, registered as such.
        """
        o = self.open.get(cmd.incident_id)
        if o is None:
            status = self.status_of(cmd.incident_id)
            if status is None:
                raise IncidentError(f"no incident {cmd.incident_id}")
            raise IncidentError(
                f"incident {cmd.incident_id} is {status}: register the call as a new incident"
            )
        for value, what, limit in (
            (cmd.caller, "caller number", MAX_CALLER),
            (cmd.address, "address", MAX_ADDRESS),
            (cmd.description, "description", MAX_DESCRIPTION),
        ):
            if len(value) > limit:
                raise IncidentError(f"{what} too long ({len(value)} characters, at most {limit})")
        if (cmd.lon is None) != (cmd.lat is None):
            raise IncidentError("a call location needs both longitude and latitude")
        if (
            cmd.lon is not None
            and cmd.lat is not None
            and not (np.isfinite(cmd.lon) and np.isfinite(cmd.lat))
        ):
            raise IncidentError("call location is not a number")
        calls = o.state.calls + 1
        detail: dict[str, Any] = {
            "call": calls,
            "caller": cmd.caller.strip(),
            "description": cmd.description.strip(),
            "address": cmd.address.strip(),
            "source": cmd.source,
            "workstation": env.workstation,
        }
        if cmd.lon is not None and cmd.lat is not None:
            detail["lon"], detail["lat"] = float(cmd.lon), float(cmd.lat)
        now = self.clock()
        with self.store.transaction() as s:
            repos.IncidentRepo(s).add_event(
                cmd.incident_id, t=now, actor=env.actor, kind=CALL_MERGED, detail=detail
            )
        o.state.calls = calls
        emit(IncidentChanged(incident=o.state))
        return o.state

    def set_status(
        self,
        incident_id: int,
        status: IncidentStatus,
        actor: str,
        detail: dict[str, Any],
        emit: Emit,
    ) -> None:
        """Move an incident along its lifecycle, with a chronology row."""
        if incident_id not in self.open:
            raise IncidentError(f"incident {incident_id} is not open")
        now = self.clock()
        with self.store.transaction() as s:
            self.write_status(s, incident_id, status, actor, detail, now)
        self.show_status(incident_id, status, emit)

    def write_status(
        self,
        s: Session,
        incident_id: int,
        status: IncidentStatus,
        actor: str,
        detail: dict[str, Any],
        t: float,
    ) -> None:
        """The status change and its chronology rows, inside the caller's transaction
        ``s`` (a plan's approval writes it with its orders); :meth:`show_status` once
        committed."""
        r = repos.IncidentRepo(s)
        r.set_status(incident_id, status, actor=actor, t=t, note=str(detail.get("text", "")))
        if detail:
            r.add_event(incident_id, t=t, actor=actor, kind="detail", detail=detail)

    def show_status(self, incident_id: int, status: IncidentStatus, emit: Emit) -> None:
        """A status the store already holds becomes the open record's, and everyone's."""
        o = self.open.get(incident_id)
        if o is None:
            return
        o.state.status = status.value
        if status not in OPEN_STATUSES:
            del self.open[incident_id]
        emit(IncidentChanged(incident=o.state))

    def finish(
        self, incident_id: int, status: IncidentStatus, text: str, env: Envelope, emit: Emit
    ) -> list[int]:
        """Close or cancel an incident; returns the units it frees."""
        o = self.open.get(incident_id)
        if o is None:
            raise IncidentError(f"incident {incident_id} is not open")
        freed = list(o.units)
        self.set_status(
            incident_id, status, env.actor, {"text": text, "workstation": env.workstation}, emit
        )
        for i in freed:
            self.set_unit_status(i, UnitStatus.AVAILABLE, None, env.actor)
        return freed

    def assign(self, incident_id: int, units: list[int], actor: str, emit: Emit) -> None:
        """Bind units to an incident (dispatched)."""
        o = self.open.get(incident_id)
        if o is None:
            raise IncidentError(f"incident {incident_id} is not open")
        for i in units:
            self.set_unit_status(i, UnitStatus.DISPATCHED, incident_id, actor)
            if i not in o.units:
                o.units.append(i)
        o.state.units = [self.situation.specs[i].call_sign for i in o.units]

    def adjust_force(
        self, incident_id: int, force_level: int | None, manpower: int | None
    ) -> IncidentState:
        """Set the force level and manpower a new plan is made for (the open record only)."""
        o = self.open.get(incident_id)
        if o is None:
            raise IncidentError(f"incident {incident_id} is not open")
        if force_level is not None:
            o.state.force_level = force_level
        if manpower is not None:
            o.state.manpower = manpower
        return o.state

    def unbind(self, incident_id: int, i: int) -> bool:
        """Take unit ``i`` off an open incident's list (freed, refused, replaced);
        False if it was not on it."""
        o = self.open.get(incident_id)
        if o is None or i not in o.units:
            return False
        o.units.remove(i)
        o.state.units = [self.situation.specs[k].call_sign for k in o.units]
        return True

    def set_unit_status(
        self, i: int, status: UnitStatus, incident_id: int | None, actor: str
    ) -> None:
        """Record a unit status change in the situation and the store."""
        now = self.clock()
        uid = self._unit_ids.get(self.situation.specs[i].call_sign)
        if uid is not None:  # the store first: a failed write leaves the live picture as it was
            with self.store.transaction() as s:
                repos.UnitRepo(s).set_status(uid, status, t=now, incident_id=incident_id)
        self.situation.set_status(i, status, now, incident_id)

    def persist_positions(self) -> None:
        """Write the latest fixes to the store (latest table + bounded history)."""
        sit = self.situation
        have = np.flatnonzero(sit.fix_t > 0)
        if not have.size:
            return
        rows = []
        for i in have:
            uid = self._unit_ids.get(sit.specs[i].call_sign)
            if uid is not None:
                rows.append(
                    repos.PositionFix(
                        uid, float(sit.fix_t[i]), float(sit.lon[i]), float(sit.lat[i])
                    )
                )
        with self.store.transaction() as s:
            r = repos.PositionRepo(s)
            r.record(rows)
            r.prune_history(keep_seconds=HISTORY_KEEP_S, max_per_unit=HISTORY_MAX_PER_UNIT)
