"""The full command hub (``main.py hub``) SIGKILLed mid-delivery of approved plans.

test_restart.py kills the link-only hub under a heavier order load; this one
kills the real thing: plans approved by a supervisor over the workstation
link, orders in the outbox, receipts going through the hub thread.  After the
restart every order reaches its own unit's terminal exactly once.
"""

from __future__ import annotations

import collections
from pathlib import Path

import pytest
from sqlalchemy import func, select

from console.auth import Authenticator
from console.hub.messages import ApprovePlan, CreateIncident, GetPlan, GetSnapshot, Login
from console.link.keys import KeyPair, TerminalKey, load_or_create_hub_keys
from console.link.remote import RemoteClient
from console.link.trust import enroll_keys
from console.store.db import Store, open_store
from console.store.models import OrderRow, UnitRow
from console.terminal.fleet import Fleet, Member
from console.terminal.localstore import MemoryStore
from console.terminal.session import TerminalSession
from tests.link.helpers import HubProcess, on_fleet, wait_until

pytestmark = pytest.mark.slow  # the full hub process killed and started again

PLACES = [  # Nanjing Road, People's Square, the Bund, Yuyuan, Xintiandi
    (121.4800, 31.2360),
    (121.4737, 31.2304),
    (121.4900, 31.2400),
    (121.4920, 31.2270),
    (121.4750, 31.2200),
]
PASSWORD = "a long enough password"


def _orders(store: Store) -> dict[str, tuple[str, str]]:
    """order id -> (call sign, state)."""
    with store.session() as s:
        rows = s.execute(
            select(OrderRow.id, UnitRow.call_sign, OrderRow.state).join(
                UnitRow, UnitRow.id == OrderRow.unit_id
            )
        ).all()
    return {oid: (cs, st) for oid, cs, st in rows}


def _count(store: Store, state: str) -> int:
    with store.session() as s:
        q = select(func.count()).select_from(OrderRow).where(OrderRow.state == state)
        return int(s.scalar(q) or 0)


def _supervisor(endpoint: str, hub_public: str) -> RemoteClient:
    ws = RemoteClient(endpoint, hub_public, workstation="ws-sup")
    assert ws.call(Login(username="sup", password=PASSWORD)).ok
    return ws


def test_command_hub_killed_mid_delivery_loses_no_order(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'hub.sqlite3'}"
    keys_dir = tmp_path / "hubkeys"
    hub_key = load_or_create_hub_keys(keys_dir)
    hub = HubProcess(url, keys_dir, tmp_path / "hub.log", "--demo", link_only=False).start()
    store = open_store(url)  # the hub seeded the demo district into it
    fleet: Fleet | None = None
    ws: RemoteClient | None = None
    try:
        Authenticator(store).create_user("sup", "Supervisor", PASSWORD, "supervisor")
        with store.session() as s:
            signs = list(s.scalars(select(UnitRow.call_sign).order_by(UnitRow.id)))
        keys = [TerminalKey(cs, KeyPair.generate(), hub_key.public) for cs in signs]
        enroll_keys(store, [(k.unit, k.keys.public) for k in keys])  # every unit has a terminal
        members = {k.unit: Member(k, TerminalSession(MemoryStore())) for k in keys}
        fleet = Fleet(hub.endpoint, list(members.values())).start()
        assert wait_until(lambda: all(m.session.epoch for m in members.values()), timeout=60)

        ws = _supervisor(hub.endpoint, hub_key.public)
        plans: list[int] = []
        chosen: list[str] = []
        for lon, lat in PLACES:
            r = ws.call(CreateIncident(incident_type="theft", lon=lon, lat=lat))
            assert r.ok, r.error
            plans.append(r.result["plan_id"])
            plan = ws.call(GetPlan(incident_id=r.result["incident_id"])).result
            chosen += [slot["call_sign"] for slot in plan["body"]["slots"]]
        assert len(chosen) >= len(PLACES)
        # the first plan's units are off the air: their orders are still pending at the crash
        away = [members[cs] for cs in dict.fromkeys(chosen[:2])]
        on_fleet(fleet, lambda: [fleet.set_online(m, False) for m in away])  # type: ignore[union-attr]
        for pid in plans:
            approved = ws.call(ApprovePlan(plan_id=pid))
            assert approved.ok and approved.result["status"] == "approved", approved.error
        total = len(_orders(store))
        assert total >= len(chosen)
        assert wait_until(lambda: _count(store, "delivered") > 0, step=0.005)
        ws.close()
        ws = None
        hub.kill()  # mid-delivery: the away units' orders are still in the outbox
        at_kill = _orders(store)
        assert any(st == "pending" for _, st in at_kill.values())

        hub.start()
        on_fleet(fleet, lambda: [fleet.set_online(m, True) for m in away])  # type: ignore[union-attr]
        assert wait_until(
            lambda: all(st != "pending" for _, st in _orders(store).values()), timeout=60
        )
        assert wait_until(lambda: all(not m.session.store.unacked() for m in members.values()))
        ws = _supervisor(hub.endpoint, hub_key.public)
        snap = ws.call(GetSnapshot())
        assert snap.ok  # the restarted hub serves workstations again
    finally:
        if ws is not None:
            ws.close()
        if fleet is not None:
            fleet.stop()
        hub.stop()

    orders = _orders(store)
    assert len(orders) == total  # nothing lost, nothing made up by the restart
    executed = collections.Counter(
        (oid, cs) for cs, m in members.items() for oid in m.session.executed
    )
    assert {oid for oid, _ in executed} == set(orders)  # every order reached a terminal
    assert max(executed.values()) == 1  # none executed twice
    for oid, cs in executed:
        assert orders[oid][0] == cs  # by the unit it was meant for
    assert all(st == "delivered" for _, st in orders.values())
    assert hub.starts == 2
    store.close()
