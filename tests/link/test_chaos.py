"""Chaos on loopback: 300 terminals, 30 % flapping, the hub SIGKILLed twice, 1,000 orders.

Every order must be delivered and executed exactly once, by the unit it was for.
The terminals are real CURVE DEALER sockets driven by two fleet threads; the
hub is a real child process.  Bounded: the test gives up after two minutes.
"""

from __future__ import annotations

import collections
import random
import threading
import time
from pathlib import Path

import pytest
from sqlalchemy import func, select

from console.link.keys import load_or_create_hub_keys
from console.store.models import OrderRow, UnitRow
from console.terminal.fleet import Fleet, Member
from console.terminal.localstore import MemoryStore
from console.terminal.session import TerminalSession
from tests.link.helpers import (
    LAT0,
    LON0,
    HubProcess,
    add_orders,
    enroll_fleet,
    make_incident,
    make_store,
    wait_until,
)

pytestmark = pytest.mark.slow  # 300 terminals, two hub kills, 1,000 orders

N_TERMINALS = 300
FLAPPING = 90
N_ORDERS = 1000
BATCHES = 10


def test_chaos_every_order_once(tmp_path: Path) -> None:
    rng = random.Random(2024)
    url = f"sqlite:///{tmp_path / 'hub.sqlite3'}"
    store = make_store(tmp_path / "hub.sqlite3", N_TERMINALS)
    keys = enroll_fleet(store, N_TERMINALS, load_or_create_hub_keys(tmp_path / "hubkeys").public)
    hub = HubProcess(url, tmp_path / "hubkeys", tmp_path / "hub.log").start()
    members = [Member(k, TerminalSession(MemoryStore())) for k in keys]
    flappers = set(rng.sample(range(N_TERMINALS), FLAPPING))
    calm = threading.Event()
    next_flip = {i: time.monotonic() + rng.uniform(0.5, 3.0) for i in flappers}

    def step_for(offset: int) -> object:
        def step(fleet: Fleet, now: float) -> None:
            for j, m in enumerate(fleet.members):
                i = offset + j
                if i in flappers and not calm.is_set() and now >= next_flip[i]:
                    next_flip[i] = now + rng.uniform(0.5, 3.0)
                    fleet.set_online(m, not m.online)
                elif calm.is_set() and not m.online:
                    fleet.set_online(m, True)
                if m.online and int(now * 10) % 10 == i % 10:
                    m.session.position(LAT0 + i * 1e-5, LON0, 5.0, 3.0, 90.0)

        return step

    half = N_TERMINALS // 2
    fleets = [
        Fleet(hub.endpoint, members[:half], on_step=step_for(0)),  # type: ignore[arg-type]
        Fleet(hub.endpoint, members[half:], on_step=step_for(half)),  # type: ignore[arg-type]
    ]
    for f in fleets:
        f.start()
    ids: list[str] = []
    try:
        assert wait_until(
            lambda: sum(bool(m.session.epoch) for m in members) > N_TERMINALS // 2, timeout=60
        )
        inc = make_incident(store)
        kills = {3, 7}
        for b in range(BATCHES):
            units = [keys[rng.randrange(N_TERMINALS)].unit for _ in range(N_ORDERS // BATCHES)]
            ids += add_orders(store, inc, units)
            time.sleep(0.6)
            if b in kills:
                hub.kill()
                time.sleep(rng.uniform(0.3, 1.0))
                hub.start()
        calm.set()  # chaos over: everyone comes back on the air

        def all_delivered() -> bool:
            with store.session() as s:
                pending = s.scalar(
                    select(func.count()).select_from(OrderRow).where(OrderRow.state == "pending")
                )
            return pending == 0

        assert wait_until(all_delivered, timeout=120, step=0.2)
        assert wait_until(lambda: all(not m.session.store.unacked() for m in members), timeout=60)
    finally:
        for f in fleets:
            f.stop()
        hub.stop()

    assert hub.starts == 3
    executed = collections.Counter(oid for m in members for oid in m.session.executed)
    assert len(ids) == N_ORDERS
    assert set(executed) == set(ids), "orders lost"
    assert max(executed.values()) == 1, "an order was executed twice"
    with store.session() as s:
        owner = dict(s.execute(select(OrderRow.id, UnitRow.call_sign).join(UnitRow)).all())
        states = collections.Counter(s.scalars(select(OrderRow.state)))
        assert s.scalar(select(func.count()).where(OrderRow.delivered_at.is_(None))) == 0
    assert states == {"delivered": N_ORDERS}
    by_unit = {m.key.unit: set(m.session.executed) for m in members}
    assert all(oid in by_unit[owner[oid]] for oid in ids)
    store.close()
