"""The workstation's one picture of the live situation, without Qt.

The hub sends a :class:`~console.hub.messages.Snapshot`, then changes
(``UnitsMoved``, ``UnitChanged``, ``IncidentChanged``, ``PlanChanged``,
``Alert``).  A workstation used to keep three copies of the units (the map's
table, the unit list's model, the unit board's own snapshot); now one
:class:`SituationModel` holds them, and the map, the lists and the boards
*observe* it.

- Units live in rows (first seen, first row) with their positions and fix times
  in numpy arrays; a ``UnitsMoved`` of 5,000 units is written with a few array
  operations and reaches observers as **one** :class:`Moved` notice carrying the
  rows, never as 5,000 calls.
- Events not newer than the snapshot shown are dropped (the snapshot already
  holds them); a snapshot replaces everything.
- Observers get typed change notices (:data:`Change`) in subscription order; one
  observer failing is logged and does not keep the others from hearing.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from dataclasses import dataclass

import msgspec
import numpy as np
import numpy.typing as npt

from console.hub.messages import (
    Alert,
    Event,
    IncidentChanged,
    IncidentState,
    PlanChanged,
    Snapshot,
    UnitChanged,
    UnitsMoved,
    UnitState,
)

log = logging.getLogger(__name__)

F64 = npt.NDArray[np.float64]
I64 = npt.NDArray[np.int64]
I32 = npt.NDArray[np.int32]
CLOSED_INCIDENT = frozenset({"closed", "cancelled"})
OFF_DUTY = "off_duty"


# ------------------------------------------------------------------ change notices


@dataclass(frozen=True, slots=True)
class Reset:
    """A part of the situation was replaced wholesale: observers re-read it.

    A snapshot replaces both parts; a map or list used on its own may replace one.
    """

    units: bool
    incidents: bool
    seq: int | None  # the snapshot's sequence number (None: not from a snapshot)
    t: float  # hub time of the snapshot (0 when unknown)


@dataclass(frozen=True, slots=True)
class Moved:
    """Positions of many units at once (one ``UnitsMoved``), already in the model's arrays."""

    rows: I64  # model rows whose position changed
    lon: F64  # their new positions and fix times, aligned with ``rows``
    lat: F64
    fix_t: F64
    t: float  # hub time the batch was sent (0 when unknown)


@dataclass(frozen=True, slots=True)
class UnitUpdated:
    """One unit's status, assignment or details changed, or a new unit joined."""

    row: int
    unit: UnitState  # as held now (its position may lag the arrays: read them for that)
    previous: UnitState | None  # None: a new unit, appended at ``row``


@dataclass(frozen=True, slots=True)
class IncidentUpdated:
    """One incident was created, changed, or closed (then it has left the model)."""

    incident: IncidentState
    previous: IncidentState | None  # None: new to this workstation

    @property
    def closed(self) -> bool:
        """Whether the incident has ended (closed or cancelled) and left the open list."""
        return self.incident.status in CLOSED_INCIDENT


@dataclass(frozen=True, slots=True)
class PlanUpdated:
    """An incident's plan was proposed, approved, rejected, amended or superseded."""

    plan: PlanChanged


@dataclass(frozen=True, slots=True)
class AlertUpdated:
    """An alert was raised, acknowledged or decided."""

    alert: Alert
    previous: Alert | None


Change = Reset | Moved | UnitUpdated | IncidentUpdated | PlanUpdated | AlertUpdated
Observer = Callable[[Change], None]


# ------------------------------------------------------------------ the model


def held_units(plans: Iterable[PlanChanged], exclude_incident: int | None = None) -> dict[str, int]:
    """Call sign -> incident for units in proposed plans of incidents other than
    ``exclude_incident``: the hub refuses to send them elsewhere until that plan is decided
    (``console.hub.current_plans.CurrentPlans.held``), so no list offers them."""
    out: dict[str, int] = {}
    for p in plans:
        if p.status != "proposed" or p.incident_id == exclude_incident:
            continue
        for slot in p.body.get("slots", []):
            out.setdefault(str(slot.get("call_sign", "")), p.incident_id)
    return out


class SituationModel:
    """Units, open incidents, plans and alerts as the hub last told this workstation."""

    def __init__(self) -> None:
        self._observers: list[tuple[object, Observer]] = []
        self.seq: int | None = None  # snapshot shown; None until the first one
        self.t = 0.0  # newest hub time seen (snapshot or position batch)
        self.moves_applied = 0  # position batches taken (for figures and tests)
        self.incidents: dict[int, IncidentState] = {}  # open ones, in arrival order
        self.plans: dict[int, PlanChanged] = {}  # incident id -> its newest plan
        self.alerts: dict[int, Alert] = {}  # alert id -> alert
        self._clear_units()

    def _clear_units(self) -> None:
        self.units: list[UnitState] = []  # by row
        self.call_signs: list[str] = []
        self.row_of: dict[str, int] = {}  # call sign -> row
        self.row_of_idx: I64 = np.full(0, -1, dtype=np.int64)  # hub index -> row (-1: none)
        self.lon: F64 = np.zeros(0)
        self.lat: F64 = np.zeros(0)
        self.fix_t: F64 = np.zeros(0)

    @property
    def n(self) -> int:
        """Number of units."""
        return len(self.units)

    # ------------------------------------------------------------------ observers

    def subscribe(self, observer: Observer) -> Callable[[], None]:
        """Call ``observer`` with every change from now on; returns the unsubscribe."""
        entry = (object(), observer)  # its own token: the same callable may subscribe twice
        self._observers.append(entry)

        def unsubscribe() -> None:
            if entry in self._observers:
                self._observers.remove(entry)

        return unsubscribe

    def _notify(self, change: Change) -> None:
        for _, observer in list(self._observers):
            try:
                observer(change)
            except Exception:  # one broken view must not starve the others
                log.exception("situation observer %r failed on %s", observer, type(change).__name__)

    # ------------------------------------------------------------------ events

    def apply(self, ev: Event) -> bool:
        """Take one hub event; False when it changed nothing (older than the snapshot
        shown, before any snapshot, or of a kind the model does not hold).

        Malformed position arrays raise ValueError naming the event.
        """
        if isinstance(ev, Snapshot):
            self.apply_snapshot(ev)
            return True
        if self.seq is None or (ev.seq and ev.seq <= self.seq):
            return False
        if isinstance(ev, UnitsMoved):
            return self.apply_moves(ev) > 0
        if isinstance(ev, UnitChanged):
            self.update_unit(ev.unit)
        elif isinstance(ev, IncidentChanged):
            self.update_incident(ev.incident)
        elif isinstance(ev, PlanChanged):
            return self.update_plan(ev)
        elif isinstance(ev, Alert):
            self.update_alert(ev)
        else:
            return False
        return True

    def apply_snapshot(self, snap: Snapshot) -> None:
        """Replace everything with a snapshot (join, resync after a gap, hub restart)."""
        self._replace_units(snap.units)  # validates before anything changes
        self.seq = snap.seq
        self.t = max(self.t, snap.t) if snap.t > 0 else self.t
        self.incidents = {
            i.id: i
            for i in sorted(snap.incidents, key=lambda i: i.id)
            if i.status not in CLOSED_INCIDENT
        }
        self.plans = {}
        for plan in snap.plans:
            self._keep_plan(plan)
        self.alerts = {a.alert_id: a for a in snap.alerts if a.alert_id}
        self._notify(Reset(units=True, incidents=True, seq=snap.seq, t=snap.t))

    # ------------------------------------------------------------------ units

    def set_units(self, units: Iterable[UnitState]) -> None:
        """Replace every unit (a map or list used on its own; a snapshot does this too)."""
        self._replace_units(list(units))
        self._notify(Reset(units=True, incidents=False, seq=None, t=0.0))

    def _replace_units(self, units: list[UnitState]) -> None:
        row_of = {u.call_sign: i for i, u in enumerate(units)}
        if len(row_of) != len(units):
            seen: set[str] = set()
            for u in units:
                if u.call_sign in seen:
                    raise ValueError(f"duplicate call sign {u.call_sign!r} in unit list")
                seen.add(u.call_sign)
        self._clear_units()
        self.units = list(units)
        self.call_signs = [u.call_sign for u in units]
        self.row_of = row_of
        self.lon = np.array([u.lon for u in units], dtype=np.float64)
        self.lat = np.array([u.lat for u in units], dtype=np.float64)
        self.fix_t = np.array([u.fix_t for u in units], dtype=np.float64)
        self._rebuild_idx()

    def update_unit(self, unit: UnitState) -> int:
        """A unit's status, assignment or details changed (or a new unit); returns its row.

        Its position is taken only if its fix is not older than the one held: a
        status event may carry a position the coalesced moves have already overtaken.
        """
        row = self.row_of.get(unit.call_sign)
        previous = None if row is None else self.units[row]
        if row is None:
            row = self.n
            self.units.append(unit)
            self.call_signs.append(unit.call_sign)
            self.row_of[unit.call_sign] = row
            self.lon = np.append(self.lon, unit.lon)
            self.lat = np.append(self.lat, unit.lat)
            self.fix_t = np.append(self.fix_t, unit.fix_t)
            self._rebuild_idx()
        else:
            self.units[row] = unit
            if unit.fix_t >= self.fix_t[row]:
                self.lon[row], self.lat[row], self.fix_t[row] = unit.lon, unit.lat, unit.fix_t
            if previous is not None and unit.idx != previous.idx:
                self._rebuild_idx()
        self._notify(UnitUpdated(row, unit, previous))
        return row

    def apply_moves(self, ev: UnitsMoved) -> int:
        """Take a coalesced position batch; returns how many units moved."""
        try:
            idx = np.frombuffer(ev.idx, dtype=np.int32)
            lon = np.frombuffer(ev.lon, dtype=np.float64)
            lat = np.frombuffer(ev.lat, dtype=np.float64)
            fix_t = np.frombuffer(ev.fix_t, dtype=np.float64)
        except ValueError as exc:
            raise ValueError(f"UnitsMoved seq {ev.seq}: malformed array bytes ({exc})") from None
        return self.move(idx, lon, lat, fix_t, t=ev.t)

    def move(self, idx: I32, lon: F64, lat: F64, fix_t: F64, *, t: float = 0.0) -> int:
        """Write a batch of fixes keyed by hub index; unknown indices and positions that
        are not finite are skipped.  One :class:`Moved` notice; returns the count."""
        if not (idx.shape == lon.shape == lat.shape == fix_t.shape):
            raise ValueError(
                f"UnitsMoved arrays differ in length: idx {idx.size}, lon {lon.size}, "
                f"lat {lat.size}, fix_t {fix_t.size}"
            )
        if t > 0:
            self.t = max(self.t, t)
        m = self.row_of_idx
        ok = (idx >= 0) & (idx < m.size)
        rows = np.full(idx.shape, -1, dtype=np.int64)
        rows[ok] = m[idx[ok]]
        ok &= rows >= 0
        ok &= np.isfinite(lon) & np.isfinite(lat)
        if not ok.all():
            rows, lon, lat, fix_t = rows[ok], lon[ok], lat[ok], fix_t[ok]
        if rows.size == 0:
            return 0
        self.lon[rows] = lon
        self.lat[rows] = lat
        self.fix_t[rows] = fix_t
        self.moves_applied += 1
        self._notify(Moved(rows, lon, lat, fix_t, t))
        return int(rows.size)

    def _rebuild_idx(self) -> None:
        idx = np.array([u.idx for u in self.units], dtype=np.int64)
        size = int(idx.max()) + 1 if idx.size else 0
        m = np.full(max(size, 0), -1, dtype=np.int64)
        good = idx >= 0
        m[idx[good]] = np.flatnonzero(good)
        self.row_of_idx = m

    # ------------------------------------------------------------------ incidents, plans, alerts

    def set_incidents(self, incidents: Iterable[IncidentState]) -> None:
        """Replace the incidents (a map or list used on its own); closed ones are dropped."""
        self.incidents = {
            i.id: i
            for i in sorted(incidents, key=lambda i: i.id)
            if i.status not in CLOSED_INCIDENT
        }
        self._notify(Reset(units=False, incidents=True, seq=None, t=0.0))

    def update_incident(self, incident: IncidentState) -> None:
        """An incident was created or changed; a closed or cancelled one leaves the model."""
        previous = self.incidents.get(incident.id)
        if incident.status in CLOSED_INCIDENT:
            if previous is None:
                return  # ended before this workstation ever saw it open
            del self.incidents[incident.id]
        else:
            self.incidents[incident.id] = incident
        self._notify(IncidentUpdated(incident, previous))

    def update_plan(self, plan: PlanChanged) -> bool:
        """An incident's plan changed; an older plan than the one held changes nothing."""
        if not self._keep_plan(plan):
            return False
        self._notify(PlanUpdated(plan))
        return True

    def held_units(self, exclude_incident: int | None = None) -> dict[str, int]:
        """Units held by other incidents' proposed plans (see :func:`held_units`)."""
        return held_units(self.plans.values(), exclude_incident)

    def _keep_plan(self, plan: PlanChanged) -> bool:
        held = self.plans.get(plan.incident_id)
        if held is not None and held.plan_id > plan.plan_id:
            return False
        self.plans[plan.incident_id] = plan
        return True

    def update_alert(self, alert: Alert) -> None:
        """An alert was raised or changed (acknowledged, decided)."""
        previous = self.alerts.get(alert.alert_id)
        if alert.alert_id:
            self.alerts[alert.alert_id] = alert
        self._notify(AlertUpdated(alert, previous))

    # ------------------------------------------------------------------ reading

    def unit(self, row: int) -> UnitState:
        """The unit in ``row`` as last reported (positions: read :meth:`current_unit`)."""
        return self.units[row]

    def unit_by_call_sign(self, call_sign: str) -> UnitState | None:
        """The unit with this call sign, if known."""
        row = self.row_of.get(call_sign)
        return None if row is None else self.units[row]

    def row_of_hub_index(self, idx: int) -> int | None:
        """Row of the unit with hub index ``idx``, if known."""
        if 0 <= idx < self.row_of_idx.size and self.row_of_idx[idx] >= 0:
            return int(self.row_of_idx[idx])
        return None

    def current_unit(self, row: int) -> UnitState:
        """The unit in ``row`` with its newest position and fix time."""
        return msgspec.structs.replace(
            self.units[row],
            lon=float(self.lon[row]),
            lat=float(self.lat[row]),
            fix_t=float(self.fix_t[row]),
        )

    def current_units(self) -> list[UnitState]:
        """Every unit with its newest position and fix time (a copy per unit)."""
        return [self.current_unit(row) for row in range(self.n)]

    def unit_list(self) -> list[UnitState]:
        """Every unit as last reported, in row order (the list is a copy)."""
        return list(self.units)

    def open_incidents(self) -> list[IncidentState]:
        """The open incidents, in arrival order."""
        return list(self.incidents.values())

    def on_duty_count(self) -> int:
        """Units not off duty."""
        return sum(1 for u in self.units if u.status != OFF_DUTY)

    def status_counts(self) -> dict[str, int]:
        """How many units are in each status."""
        out: dict[str, int] = {}
        for u in self.units:
            out[u.status] = out.get(u.status, 0) + 1
        return out
