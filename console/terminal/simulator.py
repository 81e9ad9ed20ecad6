"""``main.py simulate``: N simulated officers with terminals, against a running hub.

Each simulated terminal is a real protocol session over its own CURVE socket
(all driven by one :class:`~console.terminal.fleet.Fleet` thread).  Officers
patrol along the district's roads, report a fix every second, and answer
orders the way people do: read after a few seconds, usually accept (sometimes
reject with a reason), drive to the scene along the roads, report arrival and,
after a while on scene, the outcome.  Some drop off the air (tunnels, flat
batteries) and come back minutes later.
"""

from __future__ import annotations

import argparse
import heapq
import logging
import math
import random
import signal
import sys
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from types import FrameType
from typing import Any

import numpy as np
import platformdirs

from console.link.keys import (
    APP_NAME,
    KeyFileError,
    KeyPair,
    TerminalKey,
    hub_public_key,
    key_file_name,
    load_terminal_key,
)
from console.terminal.fleet import Fleet, Member
from console.terminal.localstore import LocalOrder, MemoryStore
from console.terminal.session import TerminalSession

log = logging.getLogger(__name__)

PATROL_RADIUS_M = 900.0
SPEED_MS = 8.0
REJECT_REASONS = ("vehicle fault", "already handling another incident", "officer injured")
OUTCOMES = ("handled on scene", "suspect detained", "mediated, parties left", "false alarm")


class Mover:
    """Moves one terminal: along road routes when a graph is given, else in straight lines."""

    def __init__(self, lon: float, lat: float, rng: random.Random, graph: Any = None) -> None:
        self.lon, self.lat = lon, lat
        self.home = (lon, lat)
        self.rng = rng
        self.graph = graph
        self.path_lon: np.ndarray[Any, np.dtype[np.float64]] = np.array([lon])
        self.path_lat: np.ndarray[Any, np.dtype[np.float64]] = np.array([lat])
        self.cum = np.array([0.0])
        self.pos_m = 0.0
        self.speed = SPEED_MS
        self.heading = 0.0
        self.hold = False

    @property
    def done(self) -> bool:
        return self.pos_m >= float(self.cum[-1])

    def go(self, lon: float, lat: float) -> None:
        """Head for a place (by road if possible)."""
        xs, ys = [self.lon, lon], [self.lat, lat]
        if self.graph is not None:
            try:
                a = int(self.graph.snap(self.lon, self.lat))
                b = int(self.graph.snap(lon, lat))
                r = self.graph.route(a, b, respect_oneway=False)
                xs = [self.lon, *r.lon.tolist(), lon]
                ys = [self.lat, *r.lat.tolist(), lat]
            except Exception:
                pass
        self.path_lon = np.asarray(xs, dtype=np.float64)
        self.path_lat = np.asarray(ys, dtype=np.float64)
        kx = 111_320.0 * math.cos(math.radians(self.lat))
        step = np.hypot(np.diff(self.path_lon) * kx, np.diff(self.path_lat) * 110_540.0)
        self.cum = np.concatenate([[0.0], np.cumsum(step)])
        self.pos_m = 0.0

    def patrol(self) -> None:
        """Somewhere near home."""
        ang = self.rng.uniform(0, 2 * math.pi)
        d = self.rng.uniform(200.0, PATROL_RADIUS_M)
        lon = self.home[0] + d * math.cos(ang) / (111_320.0 * math.cos(math.radians(self.home[1])))
        lat = self.home[1] + d * math.sin(ang) / 110_540.0
        self.go(lon, lat)

    def advance(self, dt: float) -> None:
        if self.hold:
            return
        if self.done:
            return
        self.pos_m = min(self.pos_m + self.speed * dt, float(self.cum[-1]))
        k = int(np.clip(np.searchsorted(self.cum, self.pos_m) - 1, 0, max(self.cum.size - 2, 0)))
        if self.cum.size < 2:
            return
        seg = self.cum[k + 1] - self.cum[k]
        f = 0.0 if seg <= 0 else (self.pos_m - self.cum[k]) / seg
        lon = float(self.path_lon[k] + f * (self.path_lon[k + 1] - self.path_lon[k]))
        lat = float(self.path_lat[k] + f * (self.path_lat[k + 1] - self.path_lat[k]))
        if (lon, lat) != (self.lon, self.lat):
            dx = (lon - self.lon) * math.cos(math.radians(lat))
            self.heading = math.degrees(math.atan2(dx, lat - self.lat)) % 360.0
        self.lon, self.lat = lon, lat


@dataclass
class Officer:
    """One simulated terminal and the person holding it."""

    member: Member
    mover: Mover
    agenda: list[tuple[float, int, Callable[[], None]]] = field(default_factory=list)
    next_fix: float = 0.0
    order: str | None = None
    back_online_at: float = 0.0


@dataclass
class SimStats:
    orders: int = 0
    accepted: int = 0
    rejected: int = 0
    finished: int = 0
    offline_episodes: int = 0


class Simulation:
    """Behaviour of a fleet of officers; its :meth:`step` runs on the fleet thread."""

    def __init__(
        self,
        officers: list[Officer],
        *,
        seed: int = 1,
        delay_s: tuple[float, float] = (2.0, 12.0),
        reject_p: float = 0.05,
        on_scene_s: tuple[float, float] = (60.0, 300.0),
        offline_per_min: float = 0.02,
        offline_s: tuple[float, float] = (20.0, 180.0),
    ) -> None:
        self.officers = officers
        self.rng = random.Random(seed)
        self.delay_s = delay_s
        self.reject_p = reject_p
        self.on_scene_s = on_scene_s
        self.offline_per_min = offline_per_min
        self.offline_s = offline_s
        self.stats = SimStats()
        self._seq = 0
        self._last = time.monotonic()
        self.by_session: dict[int, Officer] = {id(o.member.session): o for o in officers}
        for o in officers:
            o.mover.patrol()
            o.next_fix = time.monotonic() + self.rng.uniform(0.0, 1.0)

    def event_handler(self, o: Officer) -> Callable[[str, Any], None]:
        """The session callback for one officer (runs on the fleet thread)."""

        def on_event(kind: str, payload: Any) -> None:
            if kind == "order":
                self._new_order(o, payload)
            elif kind == "order_cancel" and o.order == payload[0].order.order_id:
                o.order = None
                o.mover.hold = False
                o.mover.patrol()

        return on_event

    def _later(self, o: Officer, delay: float, fn: Callable[[], None]) -> None:
        self._seq += 1
        heapq.heappush(o.agenda, (time.monotonic() + delay, self._seq, fn))

    def _new_order(self, o: Officer, lo: LocalOrder) -> None:
        self.stats.orders += 1
        oid = lo.order.order_id
        s = o.member.session
        t_read = self.rng.uniform(*self.delay_s)
        self._later(o, t_read, lambda: self._read(s, oid))
        if o.order is not None or self.rng.random() < self.reject_p:
            reason = (
                "already handling another incident" if o.order else self.rng.choice(REJECT_REASONS)
            )
            self._later(
                o, t_read + self.rng.uniform(*self.delay_s), lambda: self._reject(s, oid, reason)
            )
            return
        o.order = oid

        def accept() -> None:
            if _try(s.accept, oid):
                self.stats.accepted += 1
                o.mover.hold = False
                o.mover.go(lo.order.lon, lo.order.lat)

        self._later(o, t_read + self.rng.uniform(*self.delay_s), accept)

    @staticmethod
    def _read(s: TerminalSession, oid: str) -> None:
        _try(s.read, oid)

    def _reject(self, s: TerminalSession, oid: str, reason: str) -> None:
        if _try(s.reject, oid, reason):
            self.stats.rejected += 1

    def step(self, fleet: Fleet, now_m: float) -> None:
        dt, self._last = now_m - self._last, now_m
        p_off = self.offline_per_min * dt / 60.0
        for o in self.officers:
            m = o.member
            if not m.online:
                if now_m >= o.back_online_at:
                    fleet.set_online(m, True)
                continue
            if p_off > 0 and self.rng.random() < p_off:
                self.stats.offline_episodes += 1
                o.back_online_at = now_m + self.rng.uniform(*self.offline_s)
                fleet.set_online(m, False)
                continue
            while o.agenda and o.agenda[0][0] <= now_m:
                heapq.heappop(o.agenda)[2]()
            o.mover.advance(dt)
            if o.mover.done and not o.mover.hold:
                if o.order is not None:
                    self._arrive(o)
                else:
                    o.mover.patrol()
            if now_m >= o.next_fix:
                o.next_fix = now_m + 1.0
                mv = o.mover
                m.session.position(
                    mv.lat,
                    mv.lon,
                    accuracy=5.0,
                    speed=0.0 if mv.done else mv.speed,
                    heading=mv.heading,
                )

    def _arrive(self, o: Officer) -> None:
        oid = o.order
        if oid is None:
            return
        s = o.member.session
        o.mover.hold = True
        _try(s.arrived, oid)

        def finish() -> None:
            if _try(s.finish, oid, self.rng.choice(OUTCOMES)):
                self.stats.finished += 1
            o.order = None
            o.mover.hold = False
            o.mover.patrol()

        self._later(o, self.rng.uniform(*self.on_scene_s), finish)


def _try(fn: Callable[..., None], *args: Any) -> bool:
    """Officer actions on an order the hub cancelled meanwhile simply fail."""
    try:
        fn(*args)
        return True
    except (KeyError, ValueError):
        return False


# ------------------------------------------------------------------ keys


def sim_keys(store_url: str | None, n: int, hub_public: str, key_dir: Path) -> list[TerminalKey]:
    """Key files for the first ``n`` units, made and enrolled once, reused afterwards."""
    from sqlalchemy import select

    from console.link.keys import write_terminal_key
    from console.link.trust import enroll_keys
    from console.store.db import default_db_url, open_store
    from console.store.models import TerminalRow, UnitRow

    store = open_store(store_url or default_db_url())
    try:
        with store.session() as s:
            units = list(
                s.execute(select(UnitRow.call_sign).order_by(UnitRow.id).limit(n)).scalars()
            )
            live = set(
                s.scalars(select(TerminalRow.public_key).where(TerminalRow.revoked_at.is_(None)))
            )
        if len(units) < n:
            raise ValueError(f"the database has {len(units)} units; cannot simulate {n} terminals")
        keys: list[TerminalKey] = []
        new: list[TerminalKey] = []
        for u in units:
            path = key_dir / key_file_name(u)
            k: TerminalKey | None = None
            if path.exists():
                try:
                    k = load_terminal_key(path)
                except KeyFileError:
                    k = None
                if k is not None and (k.keys.public not in live or k.hub_public != hub_public):
                    path.unlink()
                    k = None
            if k is None:
                k = TerminalKey(u, KeyPair.generate(), hub_public)
                new.append(k)
                write_terminal_key(path, k)
            keys.append(k)
        if new:
            enroll_keys(store, [(k.unit, k.keys.public) for k in new], enrolled_by="simulator")
        return keys
    finally:
        store.close()


def road_graph(db: str | None, call_signs: list[str]) -> Any:
    """The roads the simulated officers drive on, or None (straight lines).

    The database keeps no roads; the hub routes on the built-in demo
    district's, so the simulator uses those too, but only when every simulated
    unit belongs to that district (a fleet with units of any other district gets
    straight lines: its officers would be driving on the wrong map).
    """
    try:
        from sqlalchemy import select

        from console.config import load_config
        from console.demo.district import build_demo_district
        from console.geo.roadgraph import RoadGraph
        from console.store.db import default_db_url, open_store
        from console.store.models import DistrictRow, UnitRow

        store = open_store(db or default_db_url())
        try:
            with store.session() as s:
                codes = set(
                    s.scalars(
                        select(DistrictRow.code)
                        .join(UnitRow, UnitRow.district_id == DistrictRow.id)
                        .where(UnitRow.call_sign.in_(call_signs))
                    )
                )
        finally:
            store.close()
        demo = build_demo_district()
        if codes != {demo.code}:
            log.warning(
                "no roads known for district(s) %s: officers move in straight lines",
                ", ".join(sorted(codes)) or "?",
            )
            return None
        return RoadGraph.from_ways(demo.ways, load_config().road_speeds)
    except Exception as exc:
        log.warning("no road graph (%s): officers move in straight lines", exc)
        return None


def build(
    keys: list[TerminalKey],
    endpoint: str,
    homes: list[tuple[float, float]],
    *,
    graph: Any = None,
    **kw: Any,
) -> tuple[Fleet, Simulation]:
    """A fleet of simulated officers (not started)."""
    rng = random.Random(kw.get("seed", 1))
    officers = [
        Officer(Member(k, TerminalSession(MemoryStore())), Mover(h[0], h[1], rng, graph))
        for k, h in zip(keys, homes, strict=True)
    ]
    sim = Simulation(officers, **kw)
    for o in officers:
        o.member.session.on_event = sim.event_handler(o)
    fleet = Fleet(endpoint, [o.member for o in officers], on_step=sim.step)
    return fleet, sim


def main(argv: list[str]) -> int:
    ap = argparse.ArgumentParser(
        prog="main.py simulate", description="simulated terminals against a hub"
    )
    ap.add_argument(
        "--hub",
        metavar="ENDPOINT",
        required=True,
        help="the hub's terminal endpoint (several, comma-separated: a hot standby pair)",
    )
    ap.add_argument("--terminals", type=int, default=50, metavar="N")
    ap.add_argument(
        "--db", metavar="URL", help="the hub's database (to enrol the simulated terminals)"
    )
    ap.add_argument(
        "--key-dir", type=Path, help="directory of the hub key (default: user config dir)"
    )
    ap.add_argument("--sim-keys", type=Path, help="where simulated terminal keys are kept")
    ap.add_argument(
        "--offline-per-min",
        type=float,
        default=0.02,
        help="chance a terminal drops off, per minute",
    )
    ap.add_argument("--duration", type=float, default=0.0, help="seconds to run (0: until Ctrl-C)")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--no-roads", action="store_true", help="move in straight lines (faster start)")
    ap.add_argument("-v", "--verbose", action="store_true")
    args = ap.parse_args(argv)
    logging.basicConfig(
        level=logging.DEBUG if args.verbose else logging.INFO,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
    )
    logging.getLogger("alembic").setLevel(logging.WARNING)
    if args.terminals < 1:
        print("error: --terminals must be at least 1", file=sys.stderr)
        return 2
    key_dir = args.sim_keys or Path(platformdirs.user_data_dir(APP_NAME)) / "sim-keys"
    try:
        keys = sim_keys(args.db, args.terminals, hub_public_key(args.key_dir), key_dir)
        homes = unit_homes(args.db, [k.unit for k in keys])
    except Exception as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    graph = None if args.no_roads else road_graph(args.db, [k.unit for k in keys])
    fleet, sim = build(
        keys, args.hub, homes, graph=graph, seed=args.seed, offline_per_min=args.offline_per_min
    )
    stop = threading.Event()

    def on_signal(_s: int, _f: FrameType | None) -> None:
        stop.set()

    signal.signal(signal.SIGINT, on_signal)
    signal.signal(signal.SIGTERM, on_signal)
    fleet.start()
    print(f"simulating {len(keys)} terminals against {args.hub}", flush=True)
    end = time.monotonic() + args.duration if args.duration > 0 else math.inf
    while not stop.wait(min(10.0, max(0.0, end - time.monotonic()))):
        online = sum(1 for o in sim.officers if o.member.online and o.member.session.epoch)
        st = sim.stats
        print(
            f"online {online}/{len(keys)}  orders {st.orders}  accepted {st.accepted}  "
            f"rejected {st.rejected}  finished {st.finished}  offline {st.offline_episodes}",
            flush=True,
        )
        if time.monotonic() >= end:
            break
    fleet.stop()
    return 0


def unit_homes(db: str | None, call_signs: list[str]) -> list[tuple[float, float]]:
    from sqlalchemy import select

    from console.store.db import default_db_url, open_store
    from console.store.models import UnitRow

    store = open_store(db or default_db_url())
    try:
        with store.session() as s:
            rows = dict(
                (c, (x, y))
                for c, x, y in s.execute(
                    select(UnitRow.call_sign, UnitRow.home_lon, UnitRow.home_lat).where(
                        UnitRow.call_sign.in_(call_signs)
                    )
                ).all()
            )
    finally:
        store.close()
    return [rows[c] for c in call_signs]
