"""The hub as a real process, killed with SIGKILL mid-delivery: no order is lost or run twice."""

from __future__ import annotations

import collections
from pathlib import Path

import pytest
from sqlalchemy import func, select

from console.link.keys import load_or_create_hub_keys
from console.store.models import OrderRow
from console.terminal.fleet import Fleet, Member
from console.terminal.localstore import MemoryStore
from console.terminal.session import TerminalSession
from tests.link.helpers import (
    HubProcess,
    add_orders,
    enroll_fleet,
    make_incident,
    make_store,
    on_fleet,
    wait_until,
)

pytestmark = pytest.mark.slow  # a hub process killed and started again

N_TERMINALS = 20
ORDERS_EACH = 10


def _count(store: object, state: str | None = None) -> int:
    with store.session() as s:  # type: ignore[attr-defined]
        q = select(func.count()).select_from(OrderRow)
        if state is not None:
            q = q.where(OrderRow.state == state)
        return int(s.scalar(q) or 0)


def test_hub_killed_mid_delivery_loses_no_order(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'hub.sqlite3'}"
    store = make_store(tmp_path / "hub.sqlite3", N_TERMINALS)
    keys = enroll_fleet(store, N_TERMINALS, load_or_create_hub_keys(tmp_path / "hubkeys").public)
    hub = HubProcess(url, tmp_path / "hubkeys", tmp_path / "hub.log").start()
    members = [Member(k, TerminalSession(MemoryStore())) for k in keys]
    fleet = Fleet(hub.endpoint, members).start()
    try:
        assert wait_until(lambda: all(m.session.epoch for m in members))
        away = members[-4:]  # these go off the air before the crash and return after it
        on_fleet(fleet, lambda: [fleet.set_online(m, False) for m in away])

        inc = make_incident(store)
        ids = add_orders(store, inc, [k.unit for k in keys for _ in range(ORDERS_EACH)])
        assert wait_until(lambda: _count(store, "delivered") > 0, step=0.005)
        hub.kill()  # mid-delivery: some delivered, some sent, some not yet sent
        delivered_at_kill = _count(store, "delivered")
        assert delivered_at_kill < len(ids)

        # orders approved while the hub is down wait in the outbox
        late = add_orders(store, inc, [k.unit for k in keys])
        hub.start()
        fleet.call(lambda: [fleet.set_online(m, True) for m in away])
        total = len(ids) + len(late)
        assert wait_until(lambda: _count(store, "delivered") == total, timeout=60)
        assert wait_until(lambda: all(not m.session.store.unacked() for m in members))
    finally:
        fleet.stop()
        hub.stop()

    executed = collections.Counter(oid for m in members for oid in m.session.executed)
    assert set(executed) == set(ids) | set(late)  # none lost
    assert max(executed.values()) == 1  # none executed twice
    with store.session() as s:
        owner = dict(s.execute(select(OrderRow.id, OrderRow.unit_id)).all())
    unit_of = {m.key.unit: m for m in members}
    from console.store.models import UnitRow

    with store.session() as s:
        sign = dict(s.execute(select(UnitRow.id, UnitRow.call_sign)).all())
    for oid in executed:
        assert oid in unit_of[sign[owner[oid]]].session.executed  # by the unit it was meant for
    assert hub.starts == 2
    store.close()
