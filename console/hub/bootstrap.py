"""Assemble a running hub: config, store, the stored district, road graph, call history.

Kept apart from the hub itself so tests can build a hub from parts, and so
the embedded (``python main.py``) and stand-alone (``python main.py hub``)
modes start the same way.

A hub opens the district stored in its database (``main.py district import``
put it there).  Only :func:`open_hub` with ``demo=True`` (``--demo``, and
:func:`start_embedded_hub` for tests) loads the approximate demo district, by
importing the demo *package* through the same path as a real one, and only
then are 110 calls generated; a database holding a real district never
receives generated calls or demo units (:class:`MixedDistrictError`).
"""

from __future__ import annotations

import contextlib
import functools
import logging
import math
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import numpy.typing as npt
import platformdirs
from sqlalchemy import URL

from console.audit import AuditError, AuditTrail
from console.config import Config, load_config
from console.demo.extra_units import with_units
from console.demo.history import generate_call_history
from console.demo.package import DEMO_PACKAGE, write_demo_package
from console.district.diff import roads_digest
from console.district.duty import DutyDriver
from console.district.importer import MixedDistrictError, check_mixing, write_checked
from console.district.load import load_package
from console.district.model import DistrictPackage
from console.district.problems import Problem
from console.district.roster import DutyRoster
from console.district.stored import NoDistrictError, load_stored
from console.domain import District
from console.geo.roadgraph import RoadGraph
from console.geo.turns import TurnRestriction
from console.hub.guard import open_writable
from console.hub.hub import CommandHub
from console.hub.workflow import set_demand
from console.store import repos
from console.store.db import APP_NAME, Store, default_db_url
from console.store.errors import StoreError
from console.store.package_repo import pack_roads

log = logging.getLogger(__name__)

History = tuple[
    npt.NDArray[np.float64], npt.NDArray[np.float64], npt.NDArray[np.float64], list[str]
]
HISTORY_DAYS = 90
HISTORY_CHECK_S = 60.0
"""How often a running hub looks for calls imported into its database."""
DEMO_OWN_UNITS = 142
"""Units of the demo package itself (generated ones come on top: ``--demo-units``)."""
DEMO_DB_FILE = "dispatch-demo.sqlite3"

__all__ = [
    "HISTORY_DAYS",
    "DistrictHub",
    "MixedDistrictError",
    "NoDistrictError",
    "Prepared",
    "build_graph",
    "calls_mark",
    "demo_db_url",
    "ensure_demo",
    "ensure_history",
    "load_history",
    "open_hub",
    "prepare_demo",
    "prepare_hub",
    "start_embedded_hub",
]


PREPARED_FRESH_S = 3600.0
"""A hot standby's prepared history older than this is read again at the takeover."""


@dataclass(frozen=True)
class Prepared:
    """What a hot standby reads before it holds the primary lease, so a takeover does not:
    the configuration, the demo package's files (``--demo``) and the 110-call history
    (with the demand weights built from it, the bulk of a start after the imports).

    Read only, never written: a standby may not write.  :func:`open_hub` uses the history
    only if the database still holds exactly those calls (count and newest call) and it
    is younger than :data:`PREPARED_FRESH_S`; the district, units, incidents, plans and
    outbox are always read at the takeover (they change while the primary serves)."""

    config: Config
    history: History
    calls_mark: tuple[int, float]
    at: float
    """The clock's time when the history was read."""


def calls_mark(store: Store) -> tuple[int, float]:
    """(how many calls, the newest call's time) in the store: changes with an import."""
    with store.session() as s:
        r = repos.CallHistoryRepo(s)
        span = r.time_span()
        return r.count(), (span[1] if span else 0.0)


def prepare_hub(
    store: Store,
    config: Config | None = None,
    *,
    demo: bool = False,
    clock: Callable[[], float] = time.time,
) -> Prepared:
    """Read what :func:`open_hub` will need, writing nothing (a standby's warm-up).

    The demo's history is taken only when no days are missing from it (else the
    takeover generates them and reads it all again)."""
    cfg = config or load_config()
    if demo:
        _demo_package(str(_demo_source()), str(cfg.source_dir))  # the files, cached
    mark = calls_mark(store)
    now = clock()
    history: History | None = None
    if not demo:
        history = load_history(store, now)
    elif mark[0] and now - mark[1] < 6 * 3600.0 - PREPARED_FRESH_S:
        with store.session() as s:
            calls = repos.CallHistoryRepo(s).query(now - HISTORY_DAYS * 86400.0, now + 1.0)
        history = calls.t, calls.lon, calls.lat, [str(x) for x in calls.incident_type]
    if history is None:
        return Prepared(cfg, _no_history(), (-1, 0.0), now)
    return Prepared(cfg, history, mark, now)


def _no_history() -> History:
    e = np.empty(0, dtype=np.float64)
    return e, e.copy(), e.copy(), []


def demo_db_url() -> str:
    """The demo's own SQLite file in the user data dir: ``--demo`` never touches the real one."""
    directory = Path(platformdirs.user_data_dir(APP_NAME))
    try:
        directory.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise StoreError(f"cannot create data directory {directory}: {exc.strerror}") from None
    return URL.create("sqlite", database=str(directory / DEMO_DB_FILE)).render_as_string()


def build_graph(
    district: District, config: Config, restrictions: Sequence[TurnRestriction] = ()
) -> RoadGraph:
    """The district's road graph with the configured speeds, time-of-day factors and turns."""
    return RoadGraph.from_ways(
        district.ways, config.road_speeds, tod_factors=config.time_of_day, restrictions=restrictions
    )


def ensure_history(store: Store, district: District, now: float) -> History:
    """Demo only: load the 110-call history, generating the demo's 90 days (or the gap) once."""
    with store.transaction() as s:
        r = repos.CallHistoryRepo(s)
        span = r.time_span()
        start = (
            now - HISTORY_DAYS * 86400.0
            if span is None
            else max(span[1], now - HISTORY_DAYS * 86400.0)
        )
        if now - start > 6 * 3600.0:
            days = max(1, math.ceil((now - start) / 86400.0))
            h = generate_call_history(district, days=days, end_time=now, seed=int(now // 86400))
            keep = h.t > start
            types = np.asarray(h.types)[h.type_idx[keep]]
            r.insert_arrays(h.t[keep], h.lon[keep], h.lat[keep], types)
            log.info("added %d demo 110 calls to the history", int(keep.sum()))
        calls = r.query(now - HISTORY_DAYS * 86400.0, now + 1.0)
    return calls.t, calls.lon, calls.lat, [str(x) for x in calls.incident_type]


def load_history(store: Store, now: float) -> History:
    """A real district's history: the stored calls of the last 90 days, nothing generated.

    When no call is that recent (an archive imported for analysis) the 90 days
    up to the newest stored call are used, so the heat map and demand have data."""
    with store.session() as s:
        r = repos.CallHistoryRepo(s)
        span = r.time_span()
        end = now
        if span is not None and span[1] < now - HISTORY_DAYS * 86400.0:
            end = span[1]
            log.info("no recent 110 call: using the %d days up to the newest call", HISTORY_DAYS)
        calls = r.query(end - HISTORY_DAYS * 86400.0, end + 1.0)
    return calls.t, calls.lon, calls.lat, [str(x) for x in calls.incident_type]


@functools.lru_cache(maxsize=2)
def _demo_package(path: str, config_dir: str) -> tuple[DistrictPackage, tuple[Problem, ...]]:
    pkg, warnings = load_package(path, load_config(Path(config_dir)))
    return pkg, tuple(warnings)


def _demo_source() -> Path:
    """The committed demo package, or a freshly generated one where it is missing."""
    if (DEMO_PACKAGE / "district.toml").is_file():
        return DEMO_PACKAGE
    target = Path(tempfile.gettempdir()) / "dispatch-demo-package"
    if not (target / "district.toml").is_file():
        write_demo_package(target)
    return target


def ensure_demo(store: Store, config: Config, units: int | None = None) -> str:
    """Import the demo package into ``store`` unless the same version is already there.

    ``units``: the demo's size (its own 142 units, plus generated patrol groups up to
    this many: :mod:`console.demo.extra_units`); None: the package as it is.  Returns the
    demo district's code; MixedDistrictError if the database holds a real district."""
    pkg, warnings = _demo_package(str(_demo_source()), str(config.source_dir))
    if units is not None:
        pkg = with_units(pkg, units)
    check_mixing(store, pkg)
    with store.session() as s:
        ver = repos.PackageRepo(s).newest_version(pkg.info.code)
    if (
        ver is not None
        and ver.summary.get("roads_digest")
        == roads_digest(pack_roads(pkg.district.ways, pkg.restrictions))
        and (ver.summary.get("counts") or {}).get("units") == len(pkg.district.units)
    ):
        return pkg.info.code
    write_checked(store, pkg, list(warnings), "demo", actor="demo")
    if units is not None:
        log.info("demo district with %d units (%d generated)", units, units - DEMO_OWN_UNITS)
    return pkg.info.code


def prepare_demo(db_url: str | None, units: int | None, config: Config | None = None) -> int:
    """Put the demo (at ``units`` units) into ``db_url`` without starting a hub, for the
    simulator and load tests; returns how many units the demo now has."""
    cfg = config or load_config()
    store = open_writable(db_url or demo_db_url())
    try:
        code = ensure_demo(store, cfg, units)
        return len(load_stored(store, code).district.units)
    finally:
        store.close()


class DistrictHub(CommandHub):
    """A hub on a stored district: adds the duty roster, the district's package facts, and
    the calls imported while it runs (:meth:`reload_history`)."""

    package: DistrictPackage
    duty: DutyDriver | None = None
    audit_trail: AuditTrail | None = None
    _duty_running = False
    _calls_seen: tuple[int, float] | None = None
    _calls_checked = 0.0
    history_check_s = HISTORY_CHECK_S
    """How often the running hub looks for imported calls (tests shorten it)."""

    def start(self) -> CommandHub:
        self._calls_seen = self._calls_mark()
        self.tick_hooks.append(self._watch_history)
        super().start()
        if self.duty is not None and not self._duty_running:
            self._duty_running = True
            self.duty.start()
        return self

    def stop(self, timeout: float = 5.0) -> None:
        if self.duty is not None and self._duty_running:
            self._duty_running = False
            self.duty.stop()
        super().stop(timeout)
        if self.audit_trail is not None:
            self.audit_trail.close()  # the final checkpoint of the chain's head

    def _calls_mark(self) -> tuple[int, float]:
        """(how many calls, the newest call's time) in the store: changes with an import."""
        return calls_mark(self.store)

    def _watch_history(self) -> None:
        """Every minute, a look at the call history; a change is taken in (hub thread)."""
        now = time.monotonic()
        if now - self._calls_checked < self.history_check_s:
            return
        self._calls_checked = now
        if self._calls_mark() != self._calls_seen:
            self.reload_history()

    def reload_history_soon(
        self, done: Callable[[int], None], failed: Callable[[Exception], None]
    ) -> None:
        """:meth:`reload_history` on the hub thread at its next tick (its arrays are only
        ever touched there); then ``done(new calls)`` or ``failed(error)``, on that thread.
        File > Import past calls asks for it, in the window's process or the hub child's."""

        def once() -> None:
            with contextlib.suppress(ValueError):
                self.tick_hooks.remove(once)
            try:
                n = self.reload_history()
            except Exception as exc:
                log.exception("call history not reloaded")
                failed(exc)
                return
            done(n)

        self.tick_hooks.append(once)  # list.append is atomic: the hub iterates a copy

    def reload_history(self) -> int:
        """Take in the 110 calls stored since the hub started (``main.py calls import``
        while it runs): heat, hot spots, forecasts and the coverage weights see them.
        Returns how many calls are new to the hub (hub thread)."""
        self._calls_seen = self._calls_mark()
        t, lon, lat, types = load_history(self.store, self.clock())
        known = set(zip(self.hist_t.tolist(), self.hist_type, strict=True))
        new = np.array(
            [k for k, key in enumerate(zip(t.tolist(), types, strict=True)) if key not in known],
            dtype=np.int64,
        )
        self.hist_t, self.hist_lon, self.hist_lat, self.hist_type = t, lon, lat, types
        set_demand(self.workflow.engine, (t, lon, lat, types), self.local)
        if new.size:
            self.forecasting.add_calls(t[new], lon[new], lat[new], [types[k] for k in new])
        log.info("call history reloaded: %d calls, %d new", len(t), int(new.size))
        return int(new.size)


def open_hub(
    db_url: str | None = None,
    config: Config | None = None,
    *,
    demo: bool = False,
    clock: Callable[[], float] = time.time,
    simulate: bool = True,
    district: str | None = None,
    stand_ins: bool | None = None,
    demo_units: int | None = None,
    prepared: Prepared | None = None,
) -> DistrictHub:
    """Open the store and start a hub on the district it holds.

    ``demo``: load the approximate demo district first (into ``db_url``, or the
    demo's own database when None) and generate its call history; only the demo
    is simulated.  Without ``demo`` the database must hold an imported
    district: :class:`NoDistrictError` says how to import one.  ``district``
    picks one code when the database holds several.  ``stand_ins``: stand-in
    terminals answer units without a terminal of their own; only ever in the demo
    (default: the demo has them; ``main.py hub --demo`` serves real terminals and
    turns them off).  ``demo_units``: the demo's size (generated patrol groups added to
    its own units; load tests), demo only.  ``prepared``: what a hot standby read while
    it waited (:func:`prepare_hub`), used where the database still matches it.
    """
    if demo_units is not None and not demo:
        raise ValueError("--demo-units sizes the demo district: use it with --demo")
    if stand_ins and not demo:
        raise ValueError("stand-in terminals exist only in the labelled demo (--demo)")
    cfg = config or (prepared.config if prepared is not None else load_config())
    # a database the hub cannot write stops it here, with a plain message (never SQL)
    store = open_writable(db_url or (demo_db_url() if demo else default_db_url()))
    try:
        code = ensure_demo(store, cfg, demo_units) if demo else district
        pkg = load_stored(store, code)
    except Exception:
        store.close()
        raise
    try:  # every hub keys its audit log and anchors it outside the database (docs/protocol.md)
        trail = AuditTrail.open(store, create=True, clock=clock)
    except AuditError as exc:
        store.close()
        raise StoreError(f"the audit log cannot be opened: {exc}") from None
    d = pkg.district
    d.landmarks = {**{p.name: (p.lon, p.lat) for p in pkg.places}, **d.landmarks}
    graph = build_graph(d, cfg, pkg.restrictions)
    now = clock()
    history: History | None = None
    if (
        prepared is not None
        and now - prepared.at < PREPARED_FRESH_S
        and calls_mark(store) == prepared.calls_mark
    ):
        history = prepared.history  # the same calls as when the standby read them
        log.info("call history as the standby read it: %d calls", len(history[0]))
    if history is None:
        history = ensure_history(store, d, now) if demo else load_history(store, now)
    hub = DistrictHub(
        cfg,
        store,
        d,
        graph,
        history,
        simulate=demo and simulate and cfg.simulation.enabled,
        clock=clock,
        stand_ins=demo if stand_ins is None else stand_ins,
        time_zone=pkg.info.time_zone,
    )
    hub.package = pkg
    hub.audit_trail = trail
    roster = DutyRoster(pkg.shifts)
    if roster.active:
        hub.duty = DutyDriver(hub, roster, clock)
    hub.start()
    trail.start()  # a signed checkpoint of the chain's head every 30 s, and one at stop
    return hub


def start_embedded_hub(
    db_url: str | None = None,
    config: Config | None = None,
    simulate: bool = True,
    clock: Callable[[], float] = time.time,
    demo_units: int | None = None,
) -> CommandHub:
    """Open the store, load the demo district and start a hub thread (the tests' and demo's hub).

    ``clock`` is the hub's time source (tests pass a frozen one, so the generated
    history and every timer depend on the test, not on today's date); ``demo_units``
    the demo's size.  The labelled demo: stand-in terminals answer its orders."""
    return open_hub(
        db_url, config, demo=True, clock=clock, simulate=simulate, demo_units=demo_units
    )
