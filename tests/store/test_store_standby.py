"""Hot standby on a real PostgreSQL: two hub processes on loopback, one lease.

The active hub is SIGKILLed twice and SIGSTOPped once while orders are in flight to real
CURVE terminals that were given both endpoints; after each loss the other hub takes the
lease, loads the outbox from the database and delivers what was not acknowledged.
Every order is executed exactly once, by its own unit; the paused hub, once resumed,
steps down (exit code 4) instead of acting as primary.  Needs PostgreSQL (the hubs share
it): skipped on the SQLite pass, run by ``.ci/test``'s PostgreSQL pass (``-m store``).
"""

from __future__ import annotations

import collections
import signal
import time
from pathlib import Path

import pytest
from sqlalchemy import func, make_url, select, text

from console.audit.check import verify_store
from console.auth import Authenticator
from console.hub.lease import session_name
from console.hub.messages import CreateIncident, Event, GetSnapshot, Login, Snapshot
from console.link.keys import KeyPair, TerminalKey, load_or_create_hub_keys
from console.link.remote import RemoteClient
from console.link.standby import EXIT_NOT_PRIMARY
from console.link.trust import enroll_keys
from console.store import Store, open_store
from console.store.district_repo import DistrictRepo
from console.store.models import AuditRow, OrderRow, PositionLatestRow, UnitRow
from console.store.models_lease import HubLeaseRow
from console.terminal.fleet import Fleet, Member
from console.terminal.localstore import MemoryStore
from console.terminal.session import TerminalSession
from tests.link.helpers import (
    LAT0,
    LON0,
    add_orders,
    make_incident,
    synthetic_district,
    wait_until,
)
from tests.link.standby_helpers import StandbyHub, TcpRelay

pytestmark = [pytest.mark.store, pytest.mark.slow]

N_TERMINALS = 300
ORDERS_EACH = 1  # per round and terminal; four rounds: 1,200 orders


def _pg(store_url: str) -> None:
    if not store_url.startswith("postgresql"):
        pytest.skip("a hot standby pair shares PostgreSQL (set DISPATCH_TEST_DB_URL)")


def _count(store: Store, state: str | None = None) -> int:
    with store.session() as s:
        q = select(func.count()).select_from(OrderRow)
        if state is not None:
            q = q.where(OrderRow.state == state)
        return int(s.scalar(q) or 0)


def _queued_at(port: int) -> int:
    """Bytes that arrived and wait unread in the connections of the process listening on
    ``port`` (a paused process's kernel keeps accepting them).  Connections holding only
    a ZeroMQ greeting (a terminal that tries it, finds no handshake) are left out."""
    total = 0
    for name in ("/proc/net/tcp", "/proc/net/tcp6"):
        try:
            lines = Path(name).read_text().splitlines()[1:]
        except OSError:
            continue
        for line in lines:
            f = line.split()
            state, local, queued = f[3], f[1], int(f[4].split(":")[1], 16)
            if state != "0A" and int(local.rsplit(":", 1)[1], 16) == port and queued > 64:
                total += queued
    return total


def _still_fed(port: int) -> bool:
    """Whether frames still pour into the connections of the (paused) hub on ``port``."""
    before = _queued_at(port)
    time.sleep(2.0)  # several heartbeats and fixes of every terminal
    return _queued_at(port) > before


def _fixes_since(store: Store, t: float) -> int:
    """Units whose newest stored fix was taken after ``t`` (the hub stores them every 10 s)."""
    with store.session() as s:
        q = select(func.count()).select_from(PositionLatestRow).where(PositionLatestRow.t > t)
        return int(s.scalar(q) or 0)


def _sessions_of(store: Store, holder: str) -> int:
    """Database sessions that carry hub ``holder``'s name (every one of a standby hub's)."""
    with store.engine.connect() as conn:
        return int(
            conn.execute(
                text("SELECT count(*) FROM pg_stat_activity WHERE application_name = :name"),
                {"name": session_name(holder)},
            ).scalar_one()
        )


def _token(store: Store) -> int:
    with store.session() as s:
        row = s.get(HubLeaseRow, "hub")
        assert row is not None
        return row.token


def test_standby_refuses_sqlite(tmp_path: Path) -> None:
    hub = StandbyHub(f"sqlite:///{tmp_path / 'x.sqlite3'}", tmp_path / "keys", tmp_path / "h.log")
    with pytest.raises(RuntimeError):
        hub.start(timeout=30)
    assert hub.proc is not None and hub.proc.returncode == 2
    assert "needs PostgreSQL" in (tmp_path / "h.log").read_text()


def test_standby_refuses_a_url_that_names_its_sessions(tmp_path: Path) -> None:
    """The hub names its database sessions itself (its successor ends them by that name);
    a URL that sets ``application_name`` is refused before anything connects."""
    url = "postgresql+psycopg://dispatch:SECRET@127.0.0.1:9/dispatch?application_name=mine"
    hub = StandbyHub(url, tmp_path / "keys", tmp_path / "h.log")
    with pytest.raises(RuntimeError):
        hub.start(timeout=30)
    assert hub.proc is not None and hub.proc.returncode == 2
    said = (tmp_path / "h.log").read_text()
    assert "remove application_name" in said and "SECRET" not in said


@pytest.mark.parametrize("kind", ["link", "command"])
def test_failover_pair_delivers_every_order_once(store_url: str, tmp_path: Path, kind: str) -> None:
    """``link``: the terminal link alone (``--link-only``) on a synthetic district;
    ``command``: the full command hub (``--demo --demo-units 300``: hub thread, receipts'
    effects on units and incidents, workstation server, audit)."""
    _pg(store_url)
    key_dir = tmp_path / "hubkeys"  # both machines hold the same hub key
    hub_public = load_or_create_hub_keys(key_dir).public
    extra = [] if kind == "link" else ["--demo", "--demo-units", str(N_TERMINALS)]

    def spawn(name: str, port: int | None = None) -> StandbyHub:
        log = tmp_path / f"{name}.log"
        return StandbyHub(store_url, key_dir, log, *extra, link_only=kind == "link", port=port)

    store = open_store(store_url)
    if kind == "link":
        with store.transaction() as s:
            DistrictRepo(s).save_district(synthetic_district(N_TERMINALS))
    a = spawn("a").start()
    assert a.wait_ready(240)  # the command hub's first start imports the demo district
    with store.session() as s:
        units = list(s.scalars(select(UnitRow.call_sign).order_by(UnitRow.id)))[:N_TERMINALS]
    assert len(units) == N_TERMINALS
    keys = [TerminalKey(cs, KeyPair.generate(), hub_public) for cs in units]
    enroll_keys(store, [(k.unit, k.keys.public) for k in keys])
    b = spawn("b").start()
    assert b.wait_for(("hub standby",), 5) and not b.wait_ready(0.5)  # a holds the lease
    members = [Member(k, TerminalSession(MemoryStore())) for k in keys]

    def step(fleet: Fleet, now: float) -> None:
        for i, m in enumerate(fleet.members):
            if m.online and int(now * 10) % 10 == i % 10:
                m.session.position(LAT0 + i * 1e-5, LON0, 5.0, 3.0, 90.0)

    fleet = Fleet(f"{a.endpoint},{b.endpoint}", members, on_step=step).start()
    inc = make_incident(store)
    ids: list[str] = []
    hubs = [a, b]
    try:
        assert wait_until(lambda: all(m.session.epoch for m in members), timeout=60)
        signs = [k.unit for k in keys]

        def round_of_orders() -> None:
            ids.extend(add_orders(store, inc, signs * ORDERS_EACH))

        # 1. SIGKILL the primary mid-delivery: b takes over
        round_of_orders()
        assert wait_until(lambda: _count(store, "delivered") > 0, step=0.005)
        token = _token(store)
        a.kill()
        assert b.wait_ready(60), "the standby did not take over"
        assert _token(store) == token + 1
        assert wait_until(lambda: _count(store, "delivered") == len(ids), timeout=60)

        # 2. SIGSTOP the primary (b) mid-delivery; a new standby (a2) takes over
        a2 = spawn("a2", port=a.port).start()
        hubs.append(a2)
        round_of_orders()
        assert wait_until(lambda: _count(store, "delivered") > len(ids) - len(signs), step=0.005)
        b.signal(signal.SIGSTOP)
        assert a2.wait_ready(60), "the standby did not take over from a paused primary"
        taken = time.time()
        assert wait_until(lambda: _count(store, "delivered") == len(ids), timeout=60)
        # Positions are latest-wins and not resent: the few a terminal sent into the
        # paused hub's open connection before the takeover are gone, but from then on
        # nothing more may go there (docs/deployment.md): the bytes waiting unread in the
        # paused hub's connections stop growing while it is still paused ...
        assert wait_until(lambda: not _still_fed(b.port), timeout=60), (
            "terminals keep sending frames (positions among them) to the paused hub"
        )
        if kind == "command":  # ... and every unit's newest fix is at the serving hub
            assert wait_until(lambda: _fixes_since(store, taken) == N_TERMINALS, timeout=60)
        stopped_token = _token(store)
        b.signal(signal.SIGCONT)  # it wakes up believing nothing happened
        assert b.wait_for(("hub not primary",), 30), "the resumed hub did not step down"
        assert b.reap(30) == EXIT_NOT_PRIMARY
        assert _token(store) == stopped_token  # it took nothing back

        # 3. SIGKILL the primary (a2) again: the restarted b (b2) takes over
        b2 = spawn("b2", port=b.port).start()
        hubs.append(b2)
        round_of_orders()
        assert wait_until(lambda: _count(store, "delivered") > len(ids) - len(signs), step=0.005)
        a2.kill()
        assert b2.wait_ready(60)
        round_of_orders()  # approved while the new primary is in charge
        assert wait_until(lambda: _count(store, "delivered") == len(ids), timeout=90)
        assert wait_until(lambda: all(not m.session.store.unacked() for m in members))
    finally:
        fleet.stop()
        for h in hubs:
            h.stop()

    executed = collections.Counter(oid for m in members for oid in m.session.executed)
    assert set(executed) == set(ids)  # none lost
    assert max(executed.values()) == 1  # none executed twice
    with store.session() as s:
        owner = dict(s.execute(select(OrderRow.id, UnitRow.call_sign).join(UnitRow)).all())
    for m in members:
        assert all(owner[oid] == m.key.unit for oid in m.session.executed)  # by its own unit
    assert _count(store) == len(ids) == 4 * N_TERMINALS * ORDERS_EACH
    store.close()


def test_terminals_stop_feeding_a_paused_primary(store_url: str, tmp_path: Path) -> None:
    """A paused primary's kernel keeps its TCP connections: a terminal socket that reaches
    the new primary while it still holds one would hand the paused hub every other frame
    (positions among them) for as long as the pause lasts.  The terminals here give a
    silent hub 30 s (``dead_after_s``), so only the takeover can move them: once the new
    primary answers, nothing more goes to the paused one; when it resumes it steps down."""
    _pg(store_url)
    n = 100
    store = open_store(store_url)
    with store.transaction() as s:
        DistrictRepo(s).save_district(synthetic_district(n))
    key_dir = tmp_path / "hubkeys"
    hub_public = load_or_create_hub_keys(key_dir).public
    a = StandbyHub(store_url, key_dir, tmp_path / "a.log").start()
    b = StandbyHub(store_url, key_dir, tmp_path / "b.log")
    fleet: Fleet | None = None
    try:
        assert a.wait_ready()
        b.start()
        with store.session() as s:
            units = list(s.scalars(select(UnitRow.call_sign).order_by(UnitRow.id)))[:n]
        keys = [TerminalKey(cs, KeyPair.generate(), hub_public) for cs in units]
        enroll_keys(store, [(k.unit, k.keys.public) for k in keys])
        members = [Member(k, TerminalSession(MemoryStore(), dead_after_s=30.0)) for k in keys]

        def step(fleet: Fleet, now: float) -> None:
            for i, m in enumerate(fleet.members):
                if int(now * 10) % 10 == i % 10:
                    m.session.position(LAT0 + i * 1e-5, LON0, 5.0, 3.0, 90.0)

        fleet = Fleet(f"{a.endpoint},{b.endpoint}", members, on_step=step).start()
        assert wait_until(lambda: all(m.session.epoch for m in members), timeout=60)
        first = {m.session.epoch for m in members}
        a.signal(signal.SIGSTOP)
        assert b.wait_ready(60)
        assert wait_until(lambda: not _still_fed(a.port), timeout=60), (
            "terminals keep sending frames (positions among them) to the paused hub"
        )
        assert wait_until(lambda: all(m.session.epoch not in first for m in members), timeout=30)
        a.signal(signal.SIGCONT)
        assert a.wait_for(("hub not primary",), 30)
        assert a.reap(30) == EXIT_NOT_PRIMARY
    finally:
        if fleet is not None:
            fleet.stop()
        a.stop()
        b.stop()
        store.close()


def test_clean_stop_hands_the_lease_on_at_once(store_url: str, tmp_path: Path) -> None:
    """SIGTERM on the primary releases the lease: the standby does not wait for it to
    lapse (a lease of ten minutes here, so only a release explains a takeover)."""
    _pg(store_url)
    store = open_store(store_url)
    with store.transaction() as s:
        DistrictRepo(s).save_district(synthetic_district(4))
    key_dir = tmp_path / "hubkeys"
    load_or_create_hub_keys(key_dir)
    a = StandbyHub(store_url, key_dir, tmp_path / "a.log", lease_s=600.0).start()
    b = StandbyHub(store_url, key_dir, tmp_path / "b.log", lease_s=600.0)
    try:
        assert a.wait_ready()
        b.start()
        assert a.stop() == 0
        assert b.wait_ready(60)
        assert b.wait_for(("hub primary token=2",), 1)
    finally:
        a.stop()
        b.stop()
        store.close()


@pytest.mark.parametrize("how", ["killed", "paused"])
def test_workstation_follows_the_takeover_without_signing_in_again(
    store_url: str, tmp_path: Path, how: str
) -> None:
    """The full command hub (``--demo``) as a pair; a workstation given both endpoints
    signs in once at the primary, the primary dies (or is paused: its kernel keeps the
    connections), and the same session works at the standby: a fresh snapshot arrives by
    itself, the failover is an alert on the board, and commands go through, every one of
    them (none is handed to a paused primary, where it would wait for ever)."""
    _pg(store_url)
    key_dir = tmp_path / "hubkeys"
    hub_public = load_or_create_hub_keys(key_dir).public
    a = StandbyHub(store_url, key_dir, tmp_path / "a.log", "--demo", link_only=False).start()
    b = StandbyHub(store_url, key_dir, tmp_path / "b.log", "--demo", link_only=False)
    ws: RemoteClient | None = None
    store: Store | None = None
    try:
        assert a.wait_ready(240)  # the first start imports the demo district
        holder_a = a.wait_for(("hub primary",), 1).split("holder=")[1]
        store = open_store(store_url)
        assert _sessions_of(store, holder_a) > 0  # its sessions carry its name
        Authenticator(store).create_user(
            "sup", "Supervisor", "a long enough password", "supervisor"
        )
        b.start()
        ws = RemoteClient(f"{a.endpoint},{b.endpoint}", hub_public, workstation="ws-pair")
        snapshots: list[Event] = []
        ws.subscribe(lambda ev: snapshots.append(ev) if isinstance(ev, Snapshot) else None)
        assert ws.call(Login(username="sup", password="a long enough password")).ok
        token = ws.token
        assert wait_until(lambda: bool(snapshots), timeout=30)
        before = len(snapshots)
        if how == "killed":
            a.kill()
        else:
            a.signal(signal.SIGSTOP)
        assert b.wait_ready(120)
        if how == "paused":  # b ended the sessions a left open (and with them any lock)
            assert f"of the previous primary {holder_a}" in b.log.read_text()
            assert wait_until(lambda: _sessions_of(store, holder_a) == 0, timeout=10)
        assert wait_until(lambda: len(snapshots) > before, timeout=60), "it did not follow"
        assert ws.hub_changes >= 1
        for _ in range(6):  # a request handed to a paused hub would never be answered
            assert ws.call(GetSnapshot(), timeout=20.0).ok

        def failover_alerts() -> list[str]:
            snap = ws.call(GetSnapshot()).result  # type: ignore[union-attr]
            return [a.text_en for a in snap.alerts if a.kind == "hub_failover"]

        assert wait_until(lambda: bool(failover_alerts()), timeout=30)  # on every board
        assert "took over from" in failover_alerts()[0]
        seen = ws.last_seq
        r = ws.call(CreateIncident(incident_type="theft", lon=121.4737, lat=31.2304))
        assert r.ok, r.error  # a supervisor's command at the new hub, same sign-in
        assert ws.token == token
        assert wait_until(lambda: ws.last_seq > seen, timeout=30)  # the new hub's events
        if how == "paused":
            a.signal(signal.SIGCONT)  # it wakes up without the lease: it steps down
            assert a.wait_for(("hub not primary",), 30)
    finally:
        if ws is not None:
            ws.close()
        a.stop()
        b.stop()
        if store is not None:
            store.close()


@pytest.mark.parametrize("how", ["cut", "stall"])
def test_primary_that_loses_its_database_steps_down_at_once(
    store_url: str, tmp_path: Path, how: str
) -> None:
    """The database goes away under the primary: refused at once (``cut``) or silent with
    the connections still open (``stall``: renewals hang).  Either way the hub stops
    acting as primary by itself, says so, and exits with code 4."""
    _pg(store_url)
    url = make_url(store_url)
    relay = TcpRelay(url.host or "127.0.0.1", url.port or 5432)
    via_relay = url.set(host="127.0.0.1", port=relay.port).render_as_string(hide_password=False)
    store = open_store(store_url)
    with store.transaction() as s:
        DistrictRepo(s).save_district(synthetic_district(4))
    key_dir = tmp_path / "hubkeys"
    load_or_create_hub_keys(key_dir)
    hub = StandbyHub(via_relay, key_dir, tmp_path / "hub.log").start()
    try:
        assert hub.wait_ready()
        getattr(relay, how)()
        said = hub.wait_for(("hub not primary",), 60)
        assert said, f"the hub did not step down; see {hub.log}"
        expected = "database unreachable" if how == "cut" else "lapsed before it was renewed"
        assert expected in said, said
        assert hub.reap(30) == EXIT_NOT_PRIMARY
    finally:
        relay.cut()
        hub.stop()
        store.close()


def _end_connections(store: Store) -> int:
    """PostgreSQL ends every other connection to this database, as an administrator's
    ``pg_terminate_backend`` or a database switchover does; the server stays up."""
    with store.engine.connect() as conn:
        ended = conn.execute(
            text(
                "SELECT count(*) FILTER (WHERE pg_terminate_backend(pid)) FROM pg_stat_activity "
                "WHERE datname = current_database() AND pid <> pg_backend_pid()"
            )
        ).scalar_one()
    return int(ended)


def test_primary_whose_database_connections_are_ended_steps_down_and_the_standby_serves(
    store_url: str, tmp_path: Path
) -> None:
    """The real PostgreSQL ends the primary's connections (its pool would quietly open new
    ones): the primary stops acting as primary at once, says why, exits with code 4 and
    writes nothing more; the standby takes the lease with the next token and puts the
    takeover on record, naming the hub it replaced; the audit chain is whole."""
    _pg(store_url)
    key_dir = tmp_path / "hubkeys"
    load_or_create_hub_keys(key_dir)
    a = StandbyHub(store_url, key_dir, tmp_path / "a.log", "--demo", link_only=False).start()
    b = StandbyHub(store_url, key_dir, tmp_path / "b.log", "--demo", link_only=False)
    store: Store | None = None
    try:
        assert a.wait_ready(240)  # the first start imports the demo district
        holder_a = a.wait_for(("hub primary",), 1).split("holder=")[1]
        b.start()
        assert not b.wait_ready(0.5)  # a holds the lease
        store = open_store(store_url)
        assert _end_connections(store) > 0
        said = a.wait_for(("hub not primary",), 30)
        assert said, f"the hub went on as primary on fresh connections; see {a.log}"
        assert "database unreachable" in said, said
        assert a.reap(30) == EXIT_NOT_PRIMARY
        assert "hub not primary" in a.log.read_text()  # in its log too, not only on stdout
        assert b.wait_ready(120), "the standby did not take over"
        assert b.wait_for(("hub primary token=2",), 1)
        with store.session() as s:
            takeovers = list(
                s.scalars(
                    select(AuditRow.payload)
                    .where(AuditRow.action == "hub.primary")
                    .order_by(AuditRow.seq)
                )
            )
        assert [t["token"] for t in takeovers] == [1, 2]
        assert takeovers[1]["taken_from"] == holder_a
        b.stop()
        assert verify_store(store, key_dir).intact
    finally:
        a.stop()
        b.stop()
        if store is not None:
            store.close()
