"""Workstations over ZeroMQ against the real command hub: snapshot, sequence, gaps, same state."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from console.hub.hub import CommandHub
from console.hub.messages import (
    Alert,
    CreateIncident,
    Event,
    GetDistrict,
    GetSnapshot,
    IncidentChanged,
    Login,
    OrderChanged,
    Snapshot,
    StaticDistrict,
    UnitChanged,
)
from console.link.keys import KeyPair, TerminalKey, load_or_create_hub_keys
from console.link.node import HubNode
from console.link.remote import RemoteClient
from console.link.trust import enroll_keys
from console.store.district_repo import UnitRepo
from console.store.order_repo import NewOrder, OrderRepo
from console.terminal.fleet import Fleet, Member
from console.terminal.localstore import MemoryStore
from console.terminal.session import TerminalSession
from tests.conftest import HubFactory
from tests.link.helpers import wait_until

PEOPLES_SQUARE = (121.4737, 31.2304)
PASSWORD = "correct horse battery staple"


@pytest.fixture(scope="module")
def hub(module_hub_factory: HubFactory) -> CommandHub:
    h = module_hub_factory("ws")
    h.auth.create_user("op", "Operator", PASSWORD, "operator")
    h.auth.create_user("sup", "Supervisor", PASSWORD, "supervisor")
    return h


@pytest.fixture(scope="module")
def keys(tmp_path_factory: pytest.TempPathFactory) -> KeyPair:
    return load_or_create_hub_keys(tmp_path_factory.mktemp("keys"))


@pytest.fixture(scope="module")
def node(hub: CommandHub, keys: KeyPair) -> Iterator[HubNode]:
    n = HubNode(hub.store, keys, "tcp://127.0.0.1:0", hub=hub).start()
    yield n
    n.stop()


class Seen:
    """Collects a client's events."""

    def __init__(self, client: RemoteClient) -> None:
        self.events: list[Event] = []
        client.subscribe(self.events.append)

    def of(self, kind: type[Event]) -> list[Event]:
        return [e for e in list(self.events) if isinstance(e, kind)]


def _client(node: HubNode, keys: KeyPair, name: str, user: str = "op") -> RemoteClient:
    ep = node.endpoints
    c = RemoteClient.with_explicit(ep.commands, ep.events, keys.public, workstation=name)
    r = c.call(Login(username=user, password=PASSWORD))
    assert r.ok, r.error
    assert c.token and c.role in ("operator", "supervisor")
    return c


def test_late_joiner_gets_snapshot_then_sequence(node: HubNode, keys: KeyPair) -> None:
    a = _client(node, keys, "ws-a")
    seen_a = Seen(a)
    try:
        assert wait_until(lambda: a.last_seq >= 0)
        r = a.call(
            CreateIncident(incident_type="theft", lon=PEOPLES_SQUARE[0], lat=PEOPLES_SQUARE[1])
        )
        assert r.ok, r.error
        first = r.result["incident_id"]
        b = _client(node, keys, "ws-b")  # joins late
        seen_b = Seen(b)
        try:
            assert wait_until(lambda: bool(seen_b.of(Snapshot)))
            snap = seen_b.of(Snapshot)[0]
            assert isinstance(snap, Snapshot) and first in {i.id for i in snap.incidents}
            r2 = b.call(
                CreateIncident(incident_type="fight", lon=PEOPLES_SQUARE[0], lat=PEOPLES_SQUARE[1])
            )
            assert r2.ok
            second = r2.result["incident_id"]

            def has(seen: Seen) -> bool:
                return any(e.incident.id == second for e in seen.of(IncidentChanged))  # type: ignore[attr-defined]

            assert wait_until(lambda: has(seen_a) and has(seen_b))
            ev_a = next(e for e in seen_a.of(IncidentChanged) if e.incident.id == second)  # type: ignore[attr-defined]
            ev_b = next(e for e in seen_b.of(IncidentChanged) if e.incident.id == second)  # type: ignore[attr-defined]
            assert ev_a.seq == ev_b.seq and ev_a == ev_b
            # same state: both snapshots now agree
            sa, sb = a.call(GetSnapshot()).result, b.call(GetSnapshot()).result
            assert [i.id for i in sa.incidents] == [i.id for i in sb.incidents]
            assert [(u.call_sign, u.status) for u in sa.units] == [
                (u.call_sign, u.status) for u in sb.units
            ]
            # sequence numbers delivered without holes or repeats
            seqs = [e.seq for e in seen_b.events if not isinstance(e, Snapshot)]
            assert seqs == sorted(set(seqs)) and all(s > snap.seq for s in seqs)
        finally:
            b.close()
    finally:
        a.close()


def test_typed_results_and_refusals_cross_the_wire(node: HubNode, keys: KeyPair) -> None:
    c = _client(node, keys, "ws-c")
    try:
        d = c.call(GetDistrict()).result
        assert isinstance(d, StaticDistrict) and d.stations
        bad = c.call(CreateIncident(incident_type="ufo", lon=0.0, lat=0.0))
        assert not bad.ok and "ufo" in bad.error
    finally:
        c.close()


def test_gap_in_the_sequence_triggers_a_fresh_snapshot(
    hub_factory: HubFactory, keys: KeyPair
) -> None:
    # A hub and node of its own: the heartbeat below announces a seq 50 ahead, and the
    # server keeps announcing the highest seq it has seen.  On the module's node every later
    # client would then ask for a snapshot at each heartbeat, and the events the module's
    # other tests wait for (an alert, an incident) could reach them inside a snapshot only.
    hub = hub_factory("gap")
    hub.auth.create_user("op", "Operator", PASSWORD, "operator")
    node = HubNode(hub.store, keys, "tcp://127.0.0.1:0", hub=hub).start()
    c = _client(node, keys, "ws-gap")
    seen = Seen(c)
    try:
        assert wait_until(lambda: c.last_seq >= 0)
        resyncs = c.resyncs
        server = node.server
        assert server is not None
        # an event published with a hole before it: as if the PUB had dropped one at its HWM
        server._on_event(Alert(seq=c.last_seq + 5, level="info", kind="test", text="after a hole"))
        assert wait_until(lambda: c.resyncs > resyncs)
        assert wait_until(lambda: len(seen.of(Snapshot)) >= 2)
        # a heartbeat announcing a seq the client never saw does the same
        resyncs = c.resyncs
        server._last_seq = c.last_seq + 50
        assert wait_until(lambda: c.resyncs > resyncs, timeout=5)
    finally:
        c.close()
        node.stop()


def test_terminal_reports_reach_workstations_and_escalate(
    hub: CommandHub, node: HubNode, keys: KeyPair
) -> None:
    ws = _client(node, keys, "ws-term")
    seen = Seen(ws)
    units = [u.call_sign for u in hub.district.units[:2]]
    tk = [TerminalKey(u, KeyPair.generate(), keys.public) for u in units]
    enroll_keys(hub.store, [(k.unit, k.keys.public) for k in tk])
    m = Member(tk[0], TerminalSession(MemoryStore()))
    fleet = Fleet(node.link.endpoint, [m]).start()
    try:
        assert wait_until(lambda: ws.last_seq >= 0 and bool(m.session.epoch))
        inc = ws.call(
            CreateIncident(incident_type="theft", lon=PEOPLES_SQUARE[0], lat=PEOPLES_SQUARE[1])
        )
        incident_id = inc.result["incident_id"]
        with hub.store.transaction() as s:
            ids = UnitRepo(s).ids_by_call_sign()
            oids = OrderRepo(s).add_many(
                [NewOrder(incident_id, ids[u], "respond", {"call_sign": u}) for u in units],
                ack_deadline_seconds=0.5,
                time_to_live_seconds=600,
                now=time.time(),
            )
        node.link.kick()
        assert wait_until(lambda: m.session.executed == [oids[0]])
        fleet.call(lambda: (m.session.accept(oids[0]), m.session.arrived(oids[0])))

        def status_seen(status: str) -> bool:
            return any(
                e.unit.call_sign == units[0] and e.unit.status == status  # type: ignore[attr-defined]
                for e in seen.of(UnitChanged)
            )

        assert wait_until(lambda: status_seen("en_route") and status_seen("on_scene"))
        # each receipt that moved an order is on every workstation's order board
        changes = [(e.order_id, e.state) for e in seen.of(OrderChanged)]  # type: ignore[attr-defined]
        assert (oids[0], "delivered") in changes and (oids[0], "arrived") in changes

        # the second unit has no terminal on the air: the hub's workflow escalates
        def overdue() -> list[Alert]:
            return [
                a
                for a in seen.of(Alert)
                if a.kind == "not_acknowledged" and units[1] in a.text_en  # type: ignore[attr-defined]
            ]

        assert wait_until(lambda: bool(overdue()))
        alert = overdue()[0]
        assert alert.level == "critical" and alert.incident_id == incident_id
    finally:
        fleet.stop()
        ws.close()


def test_claimed_roles_count_for_nothing_on_the_wire(node: HubNode, keys: KeyPair) -> None:
    ep = node.endpoints
    c = RemoteClient.with_explicit(ep.commands, ep.events, keys.public, role="link")
    anon = RemoteClient.with_explicit(ep.commands, ep.events, keys.public, role="admin")
    try:
        r = c.call(GetSnapshot())
        assert not r.ok and "internal" in r.error
        r = anon.call(GetSnapshot())  # claims admin, has no token: anonymous
        assert not r.ok and "anonymous" in r.error
        bad = anon.call(Login(username="op", password="wrong"))
        assert not bad.ok and not anon.token
        # never signed in: the event stream refuses its key
        denied = node.zap.denied
        seen = Seen(anon)
        anon.token = "forged"
        anon._wakeup.wake()
        assert wait_until(lambda: node.zap.denied > denied, timeout=5)
        time.sleep(0.5)
        assert seen.events == []
    finally:
        c.close()
        anon.close()


def test_derived_endpoints() -> None:
    from console.link.workstation import derived_endpoints

    assert derived_endpoints("tcp://10.0.0.5:5555") == (
        "tcp://10.0.0.5:5555",
        "tcp://10.0.0.5:5556",
        "tcp://10.0.0.5:5557",
    )
    with pytest.raises(ValueError, match="tcp://host:port"):
        derived_endpoints("ipc:///tmp/hub")
    assert Path  # keep the import used for type checkers


def test_virtual_terminals_leave_units_with_real_ones_alone(hub: CommandHub, node: HubNode) -> None:
    real, simulated = hub.district.units[5].call_sign, hub.district.units[6].call_sign
    enroll_keys(hub.store, [(real, KeyPair.generate().public)])
    assert wait_until(lambda: any(k.call_sign == real for k in node.trust.trusted.values()))
    queued = len(hub.virtual._queue)
    body = {"lon": PEOPLES_SQUARE[0], "lat": PEOPLES_SQUARE[1]}
    hub.virtual.on_order("a" * 32, hub.situation.index[real], body, time.time())
    assert len(hub.virtual._queue) == queued  # a real terminal answers for itself
    hub.virtual.on_order("b" * 32, hub.situation.index[simulated], body, time.time())
    assert len(hub.virtual._queue) == queued + 3  # delivered, read, accepted to come
