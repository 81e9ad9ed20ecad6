"""Outbox.enqueue: a fan-out's messages built once per distinct order, each with its own id,
and the same message as the one read back from the store for a resend."""

from __future__ import annotations

import msgspec
from sqlalchemy import select

from console.link.outbox import Outbox
from console.store.db import Store
from console.store.district_repo import UnitRepo
from console.store.models import OrderRow
from console.store.order_repo import NewOrder
from tests.link.helpers import make_incident


def test_fanout_messages_match_what_a_resend_reads_back(store: Store) -> None:
    inc = make_incident(store)
    with store.session() as s:
        units = sorted(UnitRepo(s).ids_by_call_sign().values())
    bodies = [{"instructions": "go"}, {"instructions": "go"}, {"instructions": "hold"}]
    bodies += [{"instructions": "go", "priority": 1}, {"instructions": "go", "priority": "1"}]
    orders = [NewOrder(inc, u, "respond", bodies[k % len(bodies)]) for k, u in enumerate(units)]
    ob = Outbox(store)
    dues = ob.enqueue(orders, ack_deadline_seconds=30, time_to_live_seconds=600, now=1000.0)
    ids = [d.order_id for d in dues]
    assert len(set(ids)) == len(units) and all(len(i) == 32 for i in ids)
    assert [d.message.order_id for d in dues] == ids
    with store.session() as s:
        rows = {r.id: r for r in s.scalars(select(OrderRow).where(OrderRow.id.in_(ids)))}
        read_back = {d.order_id: d.message for d in ob._messages(s, list(rows.values()))}
    for d in dues:
        assert msgspec.structs.asdict(d.message) == msgspec.structs.asdict(read_back[d.order_id])
    by_body = {k: dues[k].message for k in range(len(bodies))}
    assert by_body[0].instructions == by_body[1].instructions == "go"
    assert by_body[2].instructions == "hold"
    assert by_body[3].priority == 1


def test_an_approval_naming_an_unknown_unit_or_incident_writes_nothing(store: Store) -> None:
    import pytest
    from sqlalchemy import func

    inc = make_incident(store)
    with store.session() as s:
        units = sorted(UnitRepo(s).ids_by_call_sign().values())[:3]
    ob = Outbox(store)
    kw = {"ack_deadline_seconds": 30, "time_to_live_seconds": 600, "now": 1000.0}
    bad_unit = [NewOrder(inc, u, "respond", {}) for u in [*units, 424242]]
    with pytest.raises(ValueError, match=r"unknown unit ids \[424242\]"):
        ob.enqueue(bad_unit, **kw)  # type: ignore[arg-type]
    bad_incident = [NewOrder(inc + 1000, u, "respond", {}) for u in units]
    with pytest.raises(ValueError, match=rf"unknown incident ids \[{inc + 1000}\]"):
        ob.enqueue(bad_incident, **kw)  # type: ignore[arg-type]
    with store.session() as s:
        assert s.scalar(select(func.count()).select_from(OrderRow)) == 0  # all or nothing
