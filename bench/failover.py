"""Benchmark of the hot standby hub against a restart of one hub; prints one JSON line.

Both on the same PostgreSQL (a fresh database made for the run, dropped after), the same
command hub (``main.py hub --demo``: plans, outbox, workstation server), the same real
CURVE terminals sending a fix a second, the same signed-in workstation:

- ``restart_s``: one hub, SIGKILLed and started again at once (what a supervisor such as
  systemd does on the same machine): from the kill to the first order delivered by the
  restarted hub (orders approved at the kill wait in the outbox);
- ``takeover_s``: a standby pair (``main.py hub --standby`` twice, terminals given both
  endpoints), the primary SIGKILLed: from the kill to the first order delivered by the
  other hub (lease lapse ``--lease-s`` + start on the standby + outbox resend);
- ``max_position_gap_s``: the longest gap between two position updates (``UnitsMoved``)
  seen by a workstation across the takeover: one :class:`RemoteClient` given both hubs,
  signed in once, which follows to the new hub by itself (a snapshot, then events);
- ``orders_lost`` / ``orders_twice``: orders of both phases no terminal executed, and
  executions of one order beyond the first (both must be 0);
- ``restart_position_gap_s`` for comparison, measured the same way on the restart;
- ``audit_chain_intact`` (``audit verify`` of the whole log after both phases) and
  ``audit_takeovers`` (``hub.primary`` entries: one per hub of the pair that took the lease).

Run: ``.venv/bin/python bench/failover.py [--db postgresql+psycopg://...]`` (about two
minutes; without ``--db``, ``$DISPATCH_TEST_DB_URL`` or the server
``.ci/start-postgres.sh`` starts).  Loopback only.
"""

from __future__ import annotations

import argparse
import collections
import json
import os
import shutil
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from sqlalchemy import create_engine, func, make_url, select  # noqa: E402

from console.audit.check import verify_store  # noqa: E402
from console.auth import Authenticator  # noqa: E402
from console.hub.messages import Event, Login, UnitsMoved  # noqa: E402
from console.link.keys import KeyPair, TerminalKey, load_or_create_hub_keys  # noqa: E402
from console.link.remote import RemoteClient  # noqa: E402
from console.link.trust import enroll_keys  # noqa: E402
from console.store import Store, open_store  # noqa: E402
from console.store.incident_repo import IncidentRepo  # noqa: E402
from console.store.models import AuditRow, UnitRow  # noqa: E402
from console.store.order_repo import NewOrder, OrderRepo  # noqa: E402
from console.terminal.fleet import Fleet, Member  # noqa: E402
from console.terminal.localstore import MemoryStore  # noqa: E402
from console.terminal.session import TerminalSession  # noqa: E402
from tests.link.helpers import HubProcess, wait_until  # noqa: E402
from tests.link.standby_helpers import StandbyHub  # noqa: E402

PASSWORD = "a long enough password"


def pg_base(arg: str | None) -> str:
    base = arg or os.environ.get("DISPATCH_TEST_DB_URL", "").strip()
    if base:
        return base
    out = subprocess.run(
        [str(ROOT / ".ci" / "start-postgres.sh")], check=True, capture_output=True, text=True
    )
    return out.stdout.strip().splitlines()[-1]


class FreshDb:
    """A database of its own on the server, dropped at the end."""

    def __init__(self, base: str) -> None:
        self.base = make_url(base)
        self.name = f"dispatch_failover_{uuid.uuid4().hex[:12]}"
        self.admin = create_engine(self.base, isolation_level="AUTOCOMMIT")
        with self.admin.connect() as conn:
            conn.exec_driver_sql(f'CREATE DATABASE "{self.name}"')
        self.url = self.base.set(database=self.name).render_as_string(hide_password=False)

    def drop(self) -> None:
        with self.admin.connect() as conn:
            conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{self.name}" WITH (FORCE)')
        self.admin.dispose()


class Seat:
    """A signed-in workstation counting the gaps between position updates."""

    def __init__(self, endpoint: str, hub_public: str) -> None:
        self.endpoint = endpoint
        self.hub_public = hub_public
        self.last_m = 0.0
        self.max_gap_s = 0.0
        self.moves = 0
        self.client: RemoteClient | None = None

    def connect(self, endpoint: str, timeout: float = 60.0) -> None:
        end = time.monotonic() + timeout
        while time.monotonic() < end:
            ws = RemoteClient(endpoint, self.hub_public, workstation="ws-bench")
            try:
                if ws.call(Login(username="bench", password=PASSWORD), timeout=2.0).ok:
                    ws.subscribe(self._event)
                    self.client = ws
                    return
            except Exception:  # not answering yet: the hub is still starting
                pass
            ws.close()
            time.sleep(0.05)
        raise RuntimeError(f"no workstation sign-in at {endpoint}")

    def _event(self, ev: Event) -> None:
        if isinstance(ev, UnitsMoved):
            now = time.monotonic()
            self.moves += 1
            if self.last_m:
                self.max_gap_s = max(self.max_gap_s, now - self.last_m)
            self.last_m = now

    def hub_changes(self) -> int:
        return self.client.hub_changes if self.client is not None else 0

    def close(self) -> None:
        if self.client is not None:
            self.client.close()
            self.client = None


class Field:
    """The terminals (one fleet thread) and what they executed, with times."""

    def __init__(self, store: Store, hub_public: str, n: int) -> None:
        with store.session() as s:
            units = list(
                s.execute(
                    select(UnitRow.id, UnitRow.call_sign, UnitRow.home_lon, UnitRow.home_lat)
                    .order_by(UnitRow.id)
                    .limit(n)
                )
            )
        self.units = units
        keys = [TerminalKey(cs, KeyPair.generate(), hub_public) for _, cs, _, _ in units]
        enroll_keys(store, [(k.unit, k.keys.public) for k in keys])
        self.home = {cs: (lon, lat) for _, cs, lon, lat in units}
        self.members = [Member(k, TerminalSession(MemoryStore())) for k in keys]
        self.fleet: Fleet | None = None

    def start(self, endpoints: str) -> None:
        def step(fleet: Fleet, now: float) -> None:
            for i, m in enumerate(fleet.members):
                if int(now * 10) % 10 == i % 10:  # one fix a second each, spread out
                    lon, lat = self.home[m.key.unit]
                    wiggle = 1e-5 * (int(now) % 7)
                    m.session.position(lat + wiggle, lon, 5.0, 3.0, 90.0)

        self.fleet = Fleet(endpoints, self.members, on_step=step).start()
        if not wait_until(lambda: all(m.session.epoch for m in self.members), timeout=120):
            raise RuntimeError("terminals did not all connect")

    def stop(self) -> None:
        if self.fleet is not None:
            self.fleet.stop()
            self.fleet = None

    def executed(self) -> collections.Counter[str]:
        return collections.Counter(oid for m in self.members for oid in m.session.executed)

    def first_of(self, ids: set[str], timeout: float) -> float:
        """Monotonic time at which the first of ``ids`` was executed by a terminal."""
        end = time.monotonic() + timeout
        while time.monotonic() < end:
            for m in self.members:
                if any(oid in ids for oid in m.session.executed[-3:]):
                    return time.monotonic()
            time.sleep(0.005)
        raise RuntimeError("no order delivered after the hub's death")


def orders(store: Store, field: Field) -> list[str]:
    """One order per terminal's unit (the outbox write of an approval), all pending."""
    with store.transaction() as s:
        lon, lat = next(iter(field.home.values()))
        inc = IncidentRepo(s).create(
            incident_type="theft",
            priority=2,
            force_level=1,
            manpower=2,
            lon=lon,
            lat=lat,
            created_by="bench",
        )
        return OrderRepo(s).add_many(
            [NewOrder(inc.id, uid, "respond", {"instructions": "go"}) for uid, *_ in field.units],
            ack_deadline_seconds=30.0,
            time_to_live_seconds=1800.0,
            now=time.time(),
        )


def _say(line: str) -> None:
    if os.environ.get("BENCH_VERBOSE"):
        print(line, file=sys.stderr, flush=True)


def measure(
    kill: Callable[[], None],
    back: Callable[[], str],
    store: Store,
    field: Field,
    seat: Seat,
    all_ids: list[str],
) -> tuple[float, float, float]:
    """Kill, approve a batch at once, wait for the first of it to be delivered by the hub
    that serves next; then the workstation's longest position gap across it.  Returns
    (seconds to the first order, longest position gap, monotonic time of the kill)."""
    warm = orders(store, field)
    all_ids += warm
    wait_until(lambda: set(warm) <= set(field.executed()), timeout=60)
    seen = seat.moves
    if not wait_until(lambda: seat.moves >= seen + 20, timeout=60):  # positions flowing
        raise RuntimeError("the workstation sees no position updates")
    seat.max_gap_s = 0.0
    t0 = time.monotonic()
    kill()
    batch = orders(store, field)
    all_ids += batch
    endpoint = back()
    first = field.first_of(set(batch), timeout=120)
    before = seat.last_m
    if not wait_until(lambda: seat.last_m > t0, timeout=60):  # no new sign-in: it follows
        raise RuntimeError(f"the workstation did not follow to {endpoint}")
    _say(
        f"killed at 0, first order {first - t0:.2f}, last fix seen {before - t0:.2f},"
        f" next fix {seat.last_m - t0:.2f} (hub changes seen: {seat.hub_changes()})"
    )
    wait_until(lambda: set(batch) <= set(field.executed()), timeout=120)
    return first - t0, seat.max_gap_s, t0


def run(
    base: str, n_terminals: int, lease_s: float, keep: bool, demo_units: int | None = None
) -> dict[str, Any]:
    db = FreshDb(base)
    tmp = Path(tempfile.mkdtemp(prefix="failover-bench-"))
    key_dir = tmp / "keys"
    hub_key = load_or_create_hub_keys(key_dir)
    procs: list[Any] = []
    demo = ["--demo", *(["--demo-units", str(demo_units)] if demo_units else [])]
    field: Field | None = None
    seat: Seat | None = None
    try:
        # ---------------------------------------------------------- restart of one hub
        one = HubProcess(db.url, key_dir, tmp / "one.log", *demo, link_only=False)
        procs.append(one)
        one.start(timeout=300)  # the first start imports the demo district
        store = open_store(db.url)
        Authenticator(store).create_user("bench", "Bench", PASSWORD, "supervisor")
        field = Field(store, hub_key.public, n_terminals)
        seat = Seat(one.endpoint, hub_key.public)
        ids: list[str] = []
        field.start(one.endpoint)
        seat.connect(one.endpoint)

        def restart() -> str:
            one.start()
            return one.endpoint

        restart_s, restart_gap, _ = measure(one.kill, restart, store, field, seat, ids)
        seat.close()
        field.stop()
        one.stop()

        # ------------------------------------------------------------- standby pair
        a = StandbyHub(db.url, key_dir, tmp / "a.log", *demo, link_only=False, lease_s=lease_s)
        b = StandbyHub(db.url, key_dir, tmp / "b.log", *demo, link_only=False, lease_s=lease_s)
        procs += [a, b]
        a.start()
        if not a.wait_ready(120):
            raise RuntimeError(f"the first hub of the pair did not start; see {a.log}")
        b.start()
        field.start(f"{a.endpoint},{b.endpoint}")
        seat.connect(f"{a.endpoint},{b.endpoint}")  # like main.py --hub tcp://a,tcp://b

        def takeover() -> str:
            if not b.wait_ready(120):
                raise RuntimeError(f"the standby did not take over; see {b.log}")
            return b.endpoint

        takeover_s, gap, killed = measure(a.kill, takeover, store, field, seat, ids)
        # where the takeover's time went: the lease's lapse (kill -> "hub primary"), the
        # new primary's start (-> "hub ready"), the terminals reaching it (-> first order)
        lease_m = b.said_at.get("hub primary", killed) - killed
        ready_m = b.said_at.get("hub ready", killed) - killed
        parts = {
            "lease": round(lease_m, 3),
            "start": round(ready_m - lease_m, 3),
            "reach": round(takeover_s - ready_m, 3),
        }
        _say(f"takeover parts: {parts}; the new primary's log: {b.log}")
        if os.environ.get("BENCH_VERBOSE"):
            for line in b.log.read_text(errors="replace").splitlines():
                if any(w in line for w in ("takeover", "primary", "standby read", "prepare")):
                    _say(f"  b.log: {line}")
        wait_until(lambda: all(not m.session.store.unacked() for m in field.members), timeout=30)
        executed = field.executed()
        audit = verify_store(store, key_dir)
        with store.session() as s:
            takeovers = s.scalar(
                select(func.count()).select_from(AuditRow).where(AuditRow.action == "hub.primary")
            )
        store.close()
        return {
            "takeover_s": round(takeover_s, 3),
            "takeover_parts_s": parts,
            "max_position_gap_s": round(gap, 3),
            "restart_s": round(restart_s, 3),
            "restart_position_gap_s": round(restart_gap, 3),
            "orders_lost": len(set(ids) - set(executed)),
            "orders_twice": sum(c - 1 for c in executed.values() if c > 1),
            "audit_chain_intact": audit.intact,
            "audit_takeovers": int(takeovers or 0),
            "orders": len(ids),
            "terminals": len(field.members),
            "lease_s": lease_s,
        }
    finally:
        if seat is not None:
            seat.close()
        if field is not None:
            field.stop()
        for p in procs:
            p.stop()
        if not keep:
            db.drop()
            shutil.rmtree(tmp, ignore_errors=True)  # it holds the run's hub and audit keys


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--db", help="PostgreSQL server URL (a fresh database is made on it)")
    ap.add_argument("--terminals", type=int, default=100)
    ap.add_argument("--lease-s", type=float, default=3.0)
    ap.add_argument(
        "--demo-units", type=int, help="the demo district at N units (more terminals than 142)"
    )
    ap.add_argument("--keep", action="store_true", help="keep the database (for a look after)")
    args = ap.parse_args()
    if os.environ.get("BENCH_VERBOSE"):
        import logging

        logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s: %(message)s")
    result = run(pg_base(args.db), args.terminals, args.lease_s, args.keep, args.demo_units)
    print(json.dumps(result), flush=True)
    good = result["orders_lost"] == 0 and result["orders_twice"] == 0
    return 0 if good and result["audit_chain_intact"] else 1


if __name__ == "__main__":
    threading.current_thread().name = "bench"
    sys.exit(main())
