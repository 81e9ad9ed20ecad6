"""The command hub: one service that owns the store and the live situation.

Every workstation command is handled here, on the hub's own thread, one at a
time, so the situation never needs a lock on the command path.  Positions are
the exception: they arrive at high rate from terminals (or the in-process
simulator) and are applied to the situation arrays under a short lock, then
flushed to subscribers as one coalesced :class:`UnitsMoved` every 100 ms.
Rights are checked here, never only in the GUI.
"""

from __future__ import annotations

import logging
import queue
import threading
import time
from collections.abc import Callable
from concurrent.futures import Future
from typing import Any

import msgspec
import numpy as np
import numpy.typing as npt

from console.audit import record_command
from console.auth import FIRST_RUN_HINT, Authenticator, AuthError
from console.config import Config
from console.domain import District, IncidentStatus, UnitStatus
from console.geo.intersections import intersections
from console.geo.roadgraph import RoadGraph
from console.heat import heat_grid
from console.hub import incidents as inc
from console.hub.admin import Administration
from console.hub.errors import CommandError
from console.hub.messages import (
    AckAlert,
    AmendPlan,
    ApprovePlan,
    CancelIncident,
    CloseIncident,
    Command,
    CreateIncident,
    CreateUser,
    DismissProposal,
    EnrollTerminal,
    Envelope,
    Event,
    GetChronology,
    GetCoverage,
    GetDistrict,
    GetHeat,
    GetPlan,
    GetSnapshot,
    GetStats,
    IncidentChanged,
    ListUnits,
    ListUsers,
    Login,
    Logout,
    MergeIntoIncident,
    OrderReceipt,
    PlanChanged,
    ProposePlan,
    ReassignOrder,
    RejectPlan,
    Reply,
    ResetPassword,
    RevokeTerminal,
    SetUnitStatus,
    SetUserDisabled,
    Snapshot,
    StaticDistrict,
    UnitChanged,
    UnitsMoved,
    UnitState,
)
from console.hub.situation import Situation
from console.hub.stats import workload
from console.hub.virtual_terminals import VirtualTerminals
from console.hub.workflow import Workflow
from console.link.keys import hub_public_key
from console.sim import Simulator
from console.store.db import Store

log = logging.getLogger(__name__)

FLUSH_S = 0.1
PERSIST_S = 10.0

# which roles may send which command (checked in the hub, whatever the GUI shows)
ALL_STAFF = frozenset({"operator", "supervisor", "admin"})
SUPERVISORS = frozenset({"supervisor"})
ADMINS = frozenset({"admin"})
ANYONE = frozenset({"operator", "supervisor", "admin", "terminal", "anonymous"})
RIGHTS: dict[type[Command], frozenset[str]] = {
    Login: ANYONE,
    Logout: ANYONE,
    CreateUser: ADMINS,
    ListUsers: ADMINS,
    SetUserDisabled: ADMINS,
    ResetPassword: ADMINS,
    ListUnits: ADMINS,
    EnrollTerminal: ADMINS,
    RevokeTerminal: ADMINS,
    GetSnapshot: ALL_STAFF,
    GetDistrict: ALL_STAFF,
    GetHeat: ALL_STAFF,
    GetPlan: ALL_STAFF,
    GetChronology: ALL_STAFF,
    GetStats: ALL_STAFF,
    GetCoverage: ALL_STAFF,
    CreateIncident: ALL_STAFF,
    MergeIntoIncident: ALL_STAFF,
    SetUnitStatus: ALL_STAFF,
    CloseIncident: ALL_STAFF,
    CancelIncident: frozenset({"supervisor", "admin"}),
    ProposePlan: ALL_STAFF,
    ApprovePlan: SUPERVISORS,
    RejectPlan: SUPERVISORS,
    AmendPlan: SUPERVISORS,
    AckAlert: ALL_STAFF,
    ReassignOrder: SUPERVISORS,
    DismissProposal: SUPERVISORS,
    OrderReceipt: frozenset({"terminal", "system"}),
}


class CommandHub:
    """Owns store, situation and simulation; commands in, events out."""

    def __init__(
        self,
        config: Config,
        store: Store,
        district: District,
        graph: RoadGraph,
        history: tuple[
            npt.NDArray[np.float64], npt.NDArray[np.float64], npt.NDArray[np.float64], list[str]
        ],
        *,
        simulate: bool = True,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.config = config
        self.store = store
        self.district = district
        self.graph = graph
        self.clock = clock
        self.situation = Situation(district.units)
        self.hist_t, self.hist_lon, self.hist_lat, self.hist_type = history
        self._hist_type_arr = np.asarray(self.hist_type)
        self._queue: queue.Queue[tuple[Envelope, Future[Reply]] | None] = queue.Queue()
        self._subs: dict[int, Callable[[Event], None]] = {}
        self._sub_id = 0
        self._subs_lock = threading.Lock()
        self._pos_lock = threading.Lock()
        self._seq = 0
        self._thread: threading.Thread | None = None
        self._running = threading.Event()
        self._pending_positions: list[int] = []
        self.sim = (
            Simulator(
                graph,
                district.units,
                {k: v.speed_factor for k, v in config.unit_types.items()},
            )
            if simulate
            else None
        )
        self.incidents = inc.IncidentBook(config, store, district, self.situation, self.clock)
        self.auth = Authenticator(store)
        self.link_public_key = ""
        """The terminal link's public CURVE key, set by whoever runs the link; empty:
        enrolment uses the hub key in this machine's key directory."""
        self.admin = Administration(
            store, self.auth, self.clock, lambda: self.link_public_key or hub_public_key()
        )
        self.workflow = Workflow(self)
        self.virtual = VirtualTerminals(self.sim, self._virtual_receipt)
        self.workflow.order_listeners.append(
            lambda oid, i, body: self.virtual.on_order(oid, i, body, self.clock())
        )
        self.handlers: dict[type[Command], Callable[[Any, Envelope], Any]] = {
            GetSnapshot: self._get_snapshot,
            GetDistrict: self._get_district,
            GetHeat: self._get_heat,
            CreateIncident: self._create_incident,
            MergeIntoIncident: self._merge_into_incident,
            ListUsers: lambda c, e: self.admin.list_users(),
            SetUserDisabled: lambda c, e: self.admin.set_disabled(c.username, c.disabled, e.actor),
            ResetPassword: lambda c, e: self.admin.reset_password(c.username, c.new_password),
            ListUnits: lambda c, e: self.admin.list_units(),
            EnrollTerminal: lambda c, e: self.admin.enroll(c.call_sign, c.endpoint, e.actor),
            RevokeTerminal: lambda c, e: self.admin.revoke(c.public_key, c.call_sign),
            SetUnitStatus: self._set_unit_status,
            CloseIncident: self._close_incident,
            CancelIncident: self._cancel_incident,
            Login: self._login,
            Logout: self._logout,
            CreateUser: self._create_user,
            ProposePlan: lambda c, e: self._plan_result(
                self.workflow.propose(c.incident_id, e.actor, c.force_level, c.manpower)
            ),
            ApprovePlan: lambda c, e: self._plan_result(self.workflow.approve(c.plan_id, e.actor)),
            RejectPlan: lambda c, e: self._plan_result(
                self.workflow.reject(c.plan_id, c.reason, e.actor)
            ),
            AmendPlan: lambda c, e: self._plan_result(
                self.workflow.amend(c.plan_id, c.remove, c.add, c.reason, e.actor)
            ),
            GetPlan: self._get_plan,
            GetChronology: lambda c, e: self.workflow.chronology(c.incident_id),
            GetStats: lambda c, e: workload(self, c.t0, c.t1),
            GetCoverage: lambda c, e: self.workflow.coverage(),
            AckAlert: lambda c, e: self.workflow.ack_alert(c.alert_id, e.actor).alert_id,
            ReassignOrder: lambda c, e: self.workflow.reassign(c.alert_id, c.call_sign, e.actor),
            DismissProposal: lambda c, e: self.workflow.dismiss_proposal(
                c.alert_id, c.reason, e.actor
            ),
            OrderReceipt: lambda c, e: self.workflow.receipt(
                c.order_id, c.state, c.reason, c.outcome, e.actor
            ),
        }
        self.rights = dict(RIGHTS)
        self._static: StaticDistrict | None = None

    # ------------------------------------------------------------- lifecycle

    def start(self) -> CommandHub:
        """Start the hub thread; returns self for chaining."""
        if self._thread is not None:
            return self
        self.first_run_notice()
        now = self.clock()
        self.situation.status_since[:] = np.where(
            self.situation.status_since > 0, self.situation.status_since, now
        )
        if self.sim is not None:
            self.situation.apply_positions(
                np.arange(len(self.situation)),
                self.sim.lon.copy(),
                self.sim.lat.copy(),
                np.full(len(self.situation), now),
            )
        self._running.set()
        self._thread = threading.Thread(target=self._run, name="command-hub", daemon=True)
        self._thread.start()
        return self

    def first_run_notice(self) -> str:
        """Warn (log) when the store has no active administrator; returns the text, or ""."""
        try:
            if self.auth.has_admin():
                return ""
        except Exception:
            log.exception("cannot check for an administrator account")
            return ""
        log.warning("FIRST RUN: %s", FIRST_RUN_HINT)
        return FIRST_RUN_HINT

    def stop(self, timeout: float = 5.0) -> None:
        """Stop the hub thread and persist the latest positions."""
        if self._thread is None:
            return
        self._running.clear()
        self._queue.put(None)
        self._thread.join(timeout)
        self._thread = None
        self._persist_positions()

    # ----------------------------------------------------------------- API

    def submit(self, env: Envelope) -> Future[Reply]:
        """Queue a command envelope for the hub thread."""
        fut: Future[Reply] = Future()
        self._queue.put((env, fut))
        return fut

    def subscribe(self, callback: Callable[[Event], None]) -> Callable[[], None]:
        """Receive every event; the callback runs on the hub thread and must be quick."""
        with self._subs_lock:
            self._sub_id += 1
            sid = self._sub_id
            self._subs[sid] = callback

        def unsubscribe() -> None:
            with self._subs_lock:
                self._subs.pop(sid, None)

        return unsubscribe

    def ingest_positions(
        self,
        idx: npt.NDArray[np.int64] | npt.NDArray[np.int32],
        lon: npt.NDArray[np.float64],
        lat: npt.NDArray[np.float64],
        t: npt.NDArray[np.float64],
    ) -> int:
        """Apply a batch of fixes from any thread; returns how many were newer."""
        with self._pos_lock:
            return self.situation.apply_positions(idx, lon, lat, t)

    def handle(self, env: Envelope) -> Reply:
        """Run one command now (on the calling thread); used by the loop and by tests."""
        if env.token:
            session = self.auth.resolve(env.token)
            if session is None:
                reply = Reply(env.request_id, False, error="session expired: sign in again")
                self._audit(env, reply)
                return reply
            env = Envelope(
                request_id=env.request_id,
                command=env.command,
                actor=session.username,
                role=session.role,
                workstation=env.workstation,
                token=env.token,
            )
        cmd = env.command
        allowed = self.rights.get(type(cmd))
        if allowed is None:
            return Reply(env.request_id, False, error=f"unknown command {type(cmd).__name__}")
        if env.role not in allowed:
            reply = Reply(
                env.request_id,
                False,
                error=f"role {env.role!r} may not {type(cmd).__name__}",
            )
            self._audit(env, reply)
            return reply
        try:
            result = self.handlers[type(cmd)](cmd, env)
        except CommandError as exc:
            reply = Reply(env.request_id, False, error=str(exc))
        except Exception as exc:  # a bug must not take the hub down
            log.exception("command %s failed", type(cmd).__name__)
            reply = Reply(env.request_id, False, error=f"internal error: {exc}")
        else:
            reply = Reply(env.request_id, True, result=result)
        self._audit(env, reply)
        return reply

    def _audit(self, env: Envelope, reply: Reply) -> None:
        record_command(
            self.store,
            actor=env.actor,
            workstation=env.workstation,
            command=env.command,
            ok=reply.ok,
            error=reply.error,
            t=self.clock(),
        )

    # ---------------------------------------------------------------- loop

    def _run(self) -> None:
        next_flush = time.monotonic() + FLUSH_S
        tick = self.config.simulation.tick_seconds
        next_tick = time.monotonic() + tick
        next_persist = time.monotonic() + PERSIST_S
        while self._running.is_set():
            timeout = max(0.0, min(next_flush, next_tick) - time.monotonic())
            try:
                item = self._queue.get(timeout=timeout)
            except queue.Empty:
                item = None
            if item is not None:
                env, fut = item
                if fut.set_running_or_notify_cancel():
                    fut.set_result(self.handle(env))
            now_m = time.monotonic()
            if now_m >= next_tick:
                next_tick = now_m + tick
                self._sim_step(tick)
                self.virtual.tick(self.clock())
                try:
                    self.workflow.check_timers()
                except Exception:
                    log.exception("timer check failed")
            if now_m >= next_flush:
                next_flush = now_m + FLUSH_S
                self.flush_positions()
            if now_m >= next_persist:
                next_persist = now_m + PERSIST_S
                self._persist_positions()

    def _sim_step(self, dt: float) -> None:
        if self.sim is None:
            return
        moved, arrived = self.sim.step(dt)
        if moved.size:
            now = self.clock()
            self.ingest_positions(
                moved, self.sim.lon[moved], self.sim.lat[moved], np.full(moved.size, now)
            )
        for i in arrived:
            self.virtual.on_arrival(i)

    def flush_positions(self) -> None:
        """Emit one coalesced UnitsMoved for everything that moved since the last flush."""
        with self._pos_lock:
            d = self.situation.take_dirty()
            if not d.size:
                return
            lon = self.situation.lon[d].copy()
            lat = self.situation.lat[d].copy()
            fix = self.situation.fix_t[d].copy()
        self._emit(
            UnitsMoved(
                t=self.clock(),
                idx=d.tobytes(),
                lon=lon.tobytes(),
                lat=lat.tobytes(),
                fix_t=fix.tobytes(),
            )
        )

    def _virtual_receipt(self, order_id: str, state: str, unit: int) -> None:
        env = Envelope(
            request_id=0,
            command=OrderReceipt(order_id=order_id, state=state),
            actor=self.situation.specs[unit].call_sign,
            role="terminal",
            workstation="virtual-terminal",
        )
        self.handle(env)

    def emit(self, ev: Event) -> None:
        """Publish an event to every subscriber (hub thread)."""
        self._emit(ev)

    def emit_unit(self, i: int) -> None:
        """Publish one unit's current state."""
        self._emit(UnitChanged(unit=self.unit_state(i)))

    def _emit(self, ev: Event) -> None:
        # subscribers get their own copy: the hub keeps changing its live records
        ev = msgspec.structs.replace(ev)
        if isinstance(ev, IncidentChanged):
            ev.incident = msgspec.structs.replace(ev.incident, units=list(ev.incident.units))
        elif isinstance(ev, PlanChanged):
            ev.approvals = list(ev.approvals)
        self._seq += 1
        ev.seq = self._seq
        with self._subs_lock:
            subs = list(self._subs.values())
        for cb in subs:
            try:
                cb(ev)
            except Exception:
                log.exception("event subscriber failed")

    def _persist_positions(self) -> None:
        try:
            self.incidents.persist_positions()
        except Exception:
            log.exception("persisting positions failed")

    # ------------------------------------------------------------- handlers

    def unit_state(self, i: int) -> UnitState:
        """The workstation view of unit ``i``."""
        s = self.situation
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

    def _get_snapshot(self, cmd: GetSnapshot, env: Envelope) -> Snapshot:
        with self._pos_lock:
            units = [self.unit_state(i) for i in range(len(self.situation))]
        return Snapshot(
            seq=self._seq,
            t=self.clock(),
            units=units,
            incidents=self.incidents.open_states(),
            plans=self.workflow.open_plans(),
            alerts=self.workflow.open_alerts(),
        )

    def _get_district(self, cmd: GetDistrict, env: Envelope) -> StaticDistrict:
        if self._static is None:
            d = self.district
            segs = self.graph.segments_lonlat()
            labels = [
                (w.name, float(w.lon), float(w.lat), int(w.road_class))
                for w in self.graph.names_at()[:400]
                if w.name
            ]
            self._static = StaticDistrict(
                code=d.code,
                name=d.name,
                approximate=d.approximate,
                outline=list(d.outline),
                stations=[
                    {"code": s.code, "name": s.name, "lon": s.lon, "lat": s.lat} for s in d.stations
                ],
                areas=[
                    {
                        "code": a.code,
                        "name": a.name,
                        "station": a.station_code,
                        "polygon": list(a.polygon),
                    }
                    for a in d.areas
                ],
                fixed_points=[
                    {"code": p.code, "name": p.name, "lon": p.lon, "lat": p.lat}
                    for p in d.fixed_points
                ],
                landmarks=dict(d.landmarks),
                seg_lonlat=np.ascontiguousarray(segs.coords, dtype=np.float64).tobytes(),
                seg_class=np.ascontiguousarray(segs.road_class, dtype=np.int8).tobytes(),
                road_labels=labels,
                intersections=[
                    (x.roads[0], x.roads[1], x.lon, x.lat) for x in intersections(self.graph)
                ],
            )
        return self._static

    def _get_heat(self, cmd: GetHeat, env: Envelope) -> dict[str, Any]:
        if cmd.t1 <= cmd.t0:
            raise CommandError("heat window: end must be after start")
        if not 5.0 <= cmd.cell_m <= 1000.0:
            raise CommandError("heat cell size must be 5-1000 m")
        m = (self.hist_t >= cmd.t0) & (self.hist_t < cmd.t1)
        if cmd.types:
            unknown = sorted(set(cmd.types) - set(self.config.incident_types))
            if unknown:
                raise CommandError(f"unknown incident type(s): {', '.join(unknown)}")
            m &= np.isin(self._hist_type_arr, cmd.types)
        if cmd.hours is not None:
            hours = ((self.hist_t + 8 * 3600) // 3600 % 24).astype(int)  # Shanghai local time
            m &= np.isin(hours, cmd.hours)
        g = heat_grid(self.hist_lon[m], self.hist_lat[m], self.district.bbox, cell_m=cmd.cell_m)
        return {
            "density": g.density.tobytes(),
            "shape": list(g.density.shape),
            "bbox": [g.lon0, g.lat0, g.lon1, g.lat1],
            "n_calls": g.n_calls,
            "max": g.max,
        }

    def _create_incident(self, cmd: CreateIncident, env: Envelope) -> dict[str, Any]:
        w = self.config.workflow
        dups = self.workflow.duplicates_of(
            cmd.incident_type, cmd.lon, cmd.lat, w.duplicate_radius_m, w.duplicate_window_seconds
        )
        state = self.incidents.create(cmd, env, self._emit)
        result: dict[str, Any] = {"incident_id": state.id, "possible_duplicates": dups}
        try:
            plan = self.workflow.propose(state.id, "planner")
            result["plan_id"] = plan.plan_id
        except CommandError as exc:
            result["plan_error"] = str(exc)
        return result

    def _merge_into_incident(self, cmd: MergeIntoIncident, env: Envelope) -> dict[str, Any]:
        state = self.incidents.merge_call(cmd, env, self._emit)
        return {"incident_id": state.id, "calls": state.calls}

    def _plan_result(self, ev: Any) -> dict[str, Any]:
        return {
            "plan_id": ev.plan_id,
            "status": ev.status,
            "approvals": list(ev.approvals),
            "approvals_needed": ev.approvals_needed,
        }

    def _get_plan(self, cmd: GetPlan, env: Envelope) -> Any:
        for p in self.workflow.plans.values():
            if p.incident_id == cmd.incident_id:
                return p
        raise CommandError(f"incident {cmd.incident_id} has no current plan")

    def _login(self, cmd: Login, env: Envelope) -> dict[str, str]:
        try:
            s = self.auth.login(cmd.username, cmd.password)
        except AuthError as exc:
            raise CommandError(str(exc)) from None
        return {
            "token": s.token,
            "actor": s.username,
            "role": s.role,
            "display_name": s.display_name,
        }

    def _logout(self, cmd: Logout, env: Envelope) -> None:
        self.auth.logout(env.token)

    def _create_user(self, cmd: CreateUser, env: Envelope) -> None:
        try:
            self.auth.create_user(cmd.username, cmd.display_name, cmd.password, cmd.role)
        except AuthError as exc:
            raise CommandError(str(exc)) from None

    def _set_unit_status(self, cmd: SetUnitStatus, env: Envelope) -> None:
        i = self.situation.index.get(cmd.call_sign)
        if i is None:
            raise CommandError(f"unknown unit {cmd.call_sign!r}")
        try:
            status = UnitStatus(cmd.status)
        except ValueError:
            raise CommandError(f"unknown unit status {cmd.status!r}") from None
        self.incidents.set_unit_status(i, status, None, env.actor)
        if self.sim is not None:
            self.sim.set_hold(i, status in (UnitStatus.OFF_DUTY, UnitStatus.ON_SCENE))
            if status is UnitStatus.AVAILABLE:
                self.sim.release(i)
        self._emit(UnitChanged(unit=self.unit_state(i)))

    def _close_incident(self, cmd: CloseIncident, env: Envelope) -> None:
        if cmd.incident_id not in self.incidents.open:
            raise CommandError(f"incident {cmd.incident_id} is not open")
        self.workflow.finish_orders(cmd.incident_id, cmd.outcome or "closed", env.actor)
        freed = self.incidents.finish(
            cmd.incident_id, IncidentStatus.CLOSED, cmd.outcome, env, self._emit
        )
        self._release_units(freed)

    def _cancel_incident(self, cmd: CancelIncident, env: Envelope) -> None:
        if not cmd.reason.strip():
            raise CommandError("a cancellation needs a reason")
        if cmd.incident_id not in self.incidents.open:
            raise CommandError(f"incident {cmd.incident_id} is not open")
        self.workflow.finish_orders(cmd.incident_id, "cancelled: " + cmd.reason, env.actor, True)
        freed = self.incidents.finish(
            cmd.incident_id, IncidentStatus.CANCELLED, cmd.reason, env, self._emit
        )
        self._release_units(freed)

    def _release_units(self, idx: list[int]) -> None:
        for i in idx:
            self.virtual.forget(i)
            if self.sim is not None:
                self.sim.release(i)
            self._emit(UnitChanged(unit=self.unit_state(i)))

    def emit_incident(self, incident_id: int) -> None:
        """Publish the current state of one incident (used by other hub parts)."""
        st = self.incidents.state(incident_id)
        if st is not None:
            self._emit(IncidentChanged(incident=st))


def start_embedded_hub(
    db_url: str | None = None, config: Config | None = None, simulate: bool = True
) -> CommandHub:
    """Start a hub on the demo district (see :mod:`console.hub.bootstrap`)."""
    from console.hub.bootstrap import start_embedded_hub as start

    return start(db_url, config, simulate)
