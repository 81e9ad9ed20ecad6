"""The command hub: one service that owns the store and the live situation.

Every workstation command is handled here, on the hub's own thread, one at a
time, so the situation never needs a lock on the command path.  Positions are
the exception: they arrive at high rate from terminals (or the in-process
simulator) and are applied to the situation arrays under a short lock, then
flushed to subscribers as one coalesced :class:`UnitsMoved` every 100 ms.
Rights are checked here, never only in the GUI.

The hub is the thread, the rights check, the audit and the events; the work is done
by parts it builds with exactly what each needs (none is handed the hub): the incident
book, the command loop (:mod:`console.hub.workflow`), the incident commands, the
administration, the map data.  They read the time through the hub's ``clock``
attribute at call time, so a test may still swap it after construction.
"""

from __future__ import annotations

import logging
import queue
import threading
import time
from collections.abc import Callable
from concurrent.futures import Future

import msgspec
import numpy as np
import numpy.typing as npt

from console.audit import trail_for
from console.auth import FIRST_RUN_HINT, Authenticator, AuthSettings
from console.config import Config
from console.domain import District
from console.geo.roadgraph import RoadGraph
from console.hub import incidents as inc
from console.hub import messaging, sensing
from console.hub.admin import Administration
from console.hub.auditing import CommandAudit
from console.hub.boundary import CommandBoundary
from console.hub.command_table import Handler, command_table
from console.hub.coverage import coverage_now
from console.hub.crowding import Crowding
from console.hub.fixes import SharedGate
from console.hub.forecasting import Forecasting, deliver, package_time_zone
from console.hub.guard import StoreGuard
from console.hub.incident_commands import IncidentCommands
from console.hub.localtime import DEFAULT_ZONE, LocalTime
from console.hub.mapdata import static_district
from console.hub.messages import (
    Command,
    Envelope,
    Event,
    GetDistrict,
    GetSnapshot,
    IncidentChanged,
    Login,
    OrderReceipt,
    PlanChanged,
    Reply,
    Snapshot,
    StaticDistrict,
    UnitsMoved,
    UnitState,
)
from console.hub.publisher import Publisher, unit_state
from console.hub.repair import RepairReport, repair_half_done
from console.hub.rights import ADMINS, ALL_STAFF, ANYONE, RIGHTS, SUPERVISORS
from console.hub.shift import ShiftDesk
from console.hub.situation import Situation
from console.hub.stats import workload
from console.hub.terminals import CallSigns, TerminalRegister
from console.hub.virtual_terminals import VirtualTerminals
from console.hub.workflow import Workflow, build_engine, build_workflow
from console.link.keys import hub_public_key
from console.sim import Simulator
from console.store.db import Store

__all__ = ["ADMINS", "ALL_STAFF", "ANYONE", "RIGHTS", "SUPERVISORS", "CommandHub"]

log = logging.getLogger(__name__)

FLUSH_S = 0.1
PERSIST_S = 10.0
PRESENCE_GRACE_S = 15.0
"""After start (or a link attached), how long terminals get to come back on the air before
undelivered orders of units without one are shown as needing the radio."""


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
        stand_ins: bool = False,
        time_zone: str = DEFAULT_ZONE,
    ) -> None:
        """``stand_ins``: the labelled demo only: stand-in terminals answer the orders of
        units without an enrolled terminal (:mod:`console.hub.virtual_terminals`); a real
        hub has none, and learns which units have a terminal from its link
        (:meth:`attach_terminals`).  ``time_zone``: the district's (local hours of plans,
        coverage, demand and the heat filter; local times in texts)."""
        self.config = config
        self.local = LocalTime(time_zone)
        self.store = store
        self.district = district
        self.graph = graph
        self.clock = clock
        self.situation = Situation(district.units)
        self.position_gate = SharedGate.for_district(district)
        """Which fixes are believed, for every source (the link checks with this one too)."""
        self.positions_refused = 0
        self.hist_t, self.hist_lon, self.hist_lat, self.hist_type = history
        self._queue: queue.Queue[tuple[Envelope, Future[Reply]] | None] = queue.Queue()
        self._subs: dict[int, Callable[[Event], None]] = {}
        self._sub_id = 0
        self._subs_lock = threading.Lock()
        self._pos_lock = threading.Lock()
        self._seq = 0
        self._thread: threading.Thread | None = None
        self._running = threading.Event()
        self.sim = (
            Simulator(
                graph,
                district.units,
                {k: v.speed_factor for k, v in config.unit_types.items()},
            )
            if simulate
            else None
        )
        now = self._now  # the parts read the hub's clock at call time (tests may swap it)
        self.incidents = inc.IncidentBook(config, store, district, self.situation, now)
        self.incidents.restore_bindings()
        self.auth = Authenticator(store, settings=AuthSettings.from_config(config))
        self.link_public_key = ""
        """The terminal link's public CURVE key, set by whoever runs the link; empty:
        enrolment uses the hub key in this machine's key directory."""
        self.admin = Administration(
            store, self.auth, now, lambda: self.link_public_key or hub_public_key()
        )
        self.publisher = Publisher(self._emit, self.situation, self.incidents)
        self.terminals = TerminalRegister(stand_ins=stand_ins)
        self.workflow: Workflow = build_workflow(
            config,
            store,
            graph,
            self.situation,
            self.incidents,
            build_engine(config, graph, district, history, self.local),
            now,
            self.publisher,
            self._release_unit,
            self.terminals,
            self.local,
        )
        self.virtual = VirtualTerminals(
            self.sim,
            self._virtual_receipt,
            answers=lambda i: self.terminals.stand_in_answers(self.situation.specs[i].call_sign),
        )
        self.workflow.order_listeners.append(
            lambda oid, i, body: self.virtual.on_order(oid, i, body, self.clock())
        )
        # heat, hot spots, forecasts: on a worker thread, in the district's time zone
        self.forecasting = Forecasting(
            config, district, history, tz=lambda: package_time_zone(self), clock=now
        )
        wf = self.workflow
        self.incident_commands = IncidentCommands(
            config,
            self.situation,
            self.incidents,
            wf.current,
            wf.plans,
            wf.orders,
            self.sim,
            self.publisher,
            self._release_unit,
        )
        self.handlers: dict[type[Command], Handler] = command_table(
            workflow=wf,
            admin=self.admin,
            incidents=self.incidents,
            incident_commands=self.incident_commands,
            forecasting=self.forecasting,
            snapshot=self._get_snapshot,
            district=self._get_district,
            stats=lambda t0, t1: workload(store, district, config, self.clock(), t0, t1),
            coverage=lambda: coverage_now(
                wf.engine, self.situation, graph, config, self.local.hour(self.clock())
            ),
        )
        self.shift = ShiftDesk(
            config, store, self.incidents, wf.current, wf.alerts, self.situation, now
        )
        self.handlers.update(self.shift.handlers())  # history, reports, shift log, handover
        self.rights = dict(RIGHTS)
        messaging.register(self)  # messages to units, officers' reports and attachments
        self.audit = CommandAudit(store, now)
        self.guard = StoreGuard(store, self._store_alert, probe=self._write_probe)
        self.boundary = CommandBoundary(
            self.auth, lambda: self.rights, lambda: self.handlers, self.audit, self.guard
        )
        self._static: StaticDistrict | None = None
        self._last_sim_t: float | None = None
        self._presence_check_at: float | None = None
        self.tick_hooks: list[Callable[[], None]] = []
        """Run on the hub thread once per tick while the database can be written (a
        district hub watches its call history here)."""
        # crowd places (config/crowd.toml): counts in, forecasts on a worker, warnings
        self.crowd = Crowding(
            config.source_dir,
            store,
            wf.alerts,
            self.incident_commands.create,
            self._emit,
            now,
            district=district,
        )
        self.handlers.update(self.crowd.handlers())
        self.tick_hooks.append(self.crowd.tick)
        self.sensing = sensing.register(self)  # cameras that raise incidents (issue 19)

    def _now(self) -> float:
        return self.clock()

    # ------------------------------------------------------------- lifecycle

    def start(self) -> CommandHub:
        """Start the hub thread; returns self for chaining."""
        if self._thread is not None:
            return self
        if not self.terminals.stand_ins:  # the labelled demo's seats open without a password
            self.first_run_notice()
        self.repair_half_done()
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
        self._last_sim_t = now
        if self._presence_check_at is None:
            self._presence_check_at = time.monotonic() + PRESENCE_GRACE_S
        self.crowd.start(demo=self.sim is not None and self.district.approximate)
        self._running.set()
        self._thread = threading.Thread(target=self._run, name="command-hub", daemon=True)
        self._thread.start()
        return self

    def repair_half_done(self) -> RepairReport:
        """Flag or repair what a hub killed mid-approval left (see :mod:`console.hub.repair`)."""
        wf = self.workflow
        try:
            return repair_half_done(self.incidents, wf.plans, wf.orders, wf.alerts, self._emit)
        except Exception:  # the hub must still start; the log says what was not checked
            log.exception("start-up check of half-done approvals failed")
            return RepairReport()

    def _store_alert(self, key: str, kind: str, zh: str, en: str) -> None:
        level = "critical" if kind == "store_unwritable" else "info"
        self.workflow.alerts.raise_alert(key, level, kind, zh, en, None)

    def _write_probe(self) -> None:
        """The write a hub in the safe state tries: an audit row saying writing works."""
        trail_for(self.store).record(
            actor="hub", action="hub.store_writable", payload={"after": self.guard.trips}
        )

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
        self.forecasting.close()
        self.crowd.stop()
        self.auth.close()  # sign-ins still waiting are refused
        if not self.guard.safe:
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

    def attach_terminals(self, online: CallSigns, enrolled: CallSigns) -> None:
        """The terminal link tells the hub which units have a terminal: ``online()`` the
        call signs with a live session of a trusted key now, ``enrolled()`` those with an
        enrolled key (see :class:`~console.hub.terminals.TerminalRegister`)."""
        self.terminals.attach(online, enrolled)
        self._presence_check_at = time.monotonic() + PRESENCE_GRACE_S

    def ingest_positions(
        self,
        idx: npt.NDArray[np.int64] | npt.NDArray[np.int32],
        lon: npt.NDArray[np.float64],
        lat: npt.NDArray[np.float64],
        t: npt.NDArray[np.float64],
        *,
        checked: bool = False,
    ) -> int:
        """Apply a batch of fixes from any thread; returns how many were applied (newer than
        the one held).  Fixes pass the hub's position gate first (``position_gate``: not
        ahead of the hub clock, inside the district, no impossible jump); ``checked``: the
        caller already ran this same gate (the terminal link, which answers each sender)."""
        idx = np.asarray(idx, dtype=np.int64)
        lon = np.asarray(lon, dtype=np.float64)
        lat = np.asarray(lat, dtype=np.float64)
        t = np.asarray(t, dtype=np.float64)
        if not checked and idx.size:
            known = (idx >= 0) & (idx < len(self.situation)) & np.isfinite(t)
            idx, lon, lat, t = idx[known], lon[known], lat[known], t[known]
            res = self.position_gate.check(idx, lon, lat, t, self.clock())
            keep = res.ok
            self.positions_refused += int(keep.size - np.count_nonzero(keep))
            idx, lon, lat, t = idx[keep], lon[keep], lat[keep], res.t[keep]
        with self._pos_lock:
            return self.situation.apply_positions(idx, lon, lat, t)

    def handle(self, env: Envelope) -> Reply:
        """Run one command now (on the calling thread); used by the loop and by tests.
        See :class:`~console.hub.boundary.CommandBoundary` for what happens in order."""
        return self.boundary.handle(env)

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
                if not fut.set_running_or_notify_cancel():
                    pass
                elif isinstance(env.command, Login):  # argon2 off this thread
                    self.boundary.login_async(env, fut)
                else:
                    deliver(self.handle(env), fut)  # heat work replies from its worker
            now_m = time.monotonic()
            if now_m >= next_tick:
                next_tick = now_m + tick
                self._sim_step()
                self.virtual.tick(self.clock())
                if self.guard.safe:  # nothing is written until a write works again
                    self.guard.retry()
                else:
                    self._check_timers()
                    self._terminal_changes()
                    self._tick_hooks()
            if now_m >= next_flush:
                next_flush = now_m + FLUSH_S
                self.flush_positions()
            if now_m >= next_persist and not self.guard.safe:
                next_persist = now_m + PERSIST_S
                self._persist_positions()

    def _sim_step(self) -> None:
        """Move the simulated units by the hub-clock time since the last step: the demo
        world keeps the hub's time, like every timer (a frozen clock holds it still,
        advancing it drives the units that far)."""
        if self.sim is None:
            return
        now = self.clock()
        last = now if self._last_sim_t is None else self._last_sim_t
        self._last_sim_t = now
        moved, arrived = self.sim.step(max(0.0, now - last))
        if moved.size:
            self.ingest_positions(  # the hub moves these itself: nothing to check
                moved,
                self.sim.lon[moved],
                self.sim.lat[moved],
                np.full(moved.size, now),
                checked=True,
            )
        for i in arrived:
            self.virtual.on_arrival(i)

    def _tick_hooks(self) -> None:
        for hook in list(self.tick_hooks):
            try:
                hook()
            except Exception as exc:
                if not self.guard.watch(exc):
                    log.exception("tick hook %s failed", getattr(hook, "__name__", hook))

    def _check_timers(self) -> None:
        try:
            self.workflow.timers.check()
        except Exception as exc:
            if not self.guard.watch(exc):
                log.exception("timer check failed")

    def _terminal_changes(self) -> None:
        """Terminals that went off the air leave their undelivered orders to the radio (and,
        once after start, so do units that never came back on the air)."""
        try:
            _came, went = self.terminals.changes()
            if went:
                self.workflow.delivery.on_offline(went)
            due = self._presence_check_at
            if due is not None and time.monotonic() >= due:
                self._presence_check_at = None
                self.workflow.delivery.check_pending()
        except Exception:
            log.exception("terminal presence check failed")

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
        self.publisher.unit(i)

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
        except Exception as exc:
            if not self.guard.watch(exc):
                log.exception("persisting positions failed")

    # ------------------------------------------------------------- handlers

    def unit_state(self, i: int) -> UnitState:
        """The workstation view of unit ``i``."""
        return unit_state(self.situation, i)

    def emit_incident(self, incident_id: int) -> None:
        """Publish the current state of one incident (used by other hub parts)."""
        self.publisher.incident(incident_id)

    def _get_snapshot(self, cmd: GetSnapshot, env: Envelope) -> Snapshot:
        with self._pos_lock:
            units = [self.unit_state(i) for i in range(len(self.situation))]
        return Snapshot(
            seq=self._seq,
            t=self.clock(),
            units=units,
            incidents=self.incidents.open_states(),
            plans=self.workflow.plans.open_plans(),
            alerts=self.workflow.alerts.open_alerts(),
        )

    def _get_district(self, cmd: GetDistrict, env: Envelope) -> StaticDistrict:
        if self._static is None:
            self._static = static_district(self.district, self.graph, self.local.name)
        return self._static

    def _release_unit(self, i: int) -> None:
        """Unit ``i`` is free: its stand-in terminal forgets it, the simulation lets it
        patrol again, and everyone sees its state."""
        self.virtual.forget(i)
        if self.sim is not None:
            self.sim.release(i)
        self.emit_unit(i)


def start_embedded_hub(
    db_url: str | None = None, config: Config | None = None, simulate: bool = True
) -> CommandHub:
    """Start a hub on the demo district (see :mod:`console.hub.bootstrap`)."""
    from console.hub.bootstrap import start_embedded_hub as start

    return start(db_url, config, simulate)
