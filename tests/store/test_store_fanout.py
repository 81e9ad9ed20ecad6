"""The fan-out write path below the ORM, on every database the hub supports.

``Outbox.enqueue`` writes through the driver's ``executemany`` and receipts
update "these ids, if still in this state" with the state index kept out of
the plan; both must give exactly what the ORM path gives, on SQLite and on
PostgreSQL (the CI runs this file again against a real server).
"""

from __future__ import annotations

import pytest
from sqlalchemy import Table, select, update
from sqlalchemy.dialects import postgresql, sqlite

from console.domain import OrderState
from console.link.outbox import Outbox
from console.link.protocol import Receipt
from console.link.receipts import apply_reports
from console.store import Store
from console.store.bulk import insert_many, no_index
from console.store.models import AuditRow, OrderRow
from console.store.repos import IncidentRepo, NewOrder, UnitRepo

pytestmark = pytest.mark.store

S = OrderState


@pytest.fixture
def ctx(district_store: Store) -> tuple[Store, int, list[int]]:
    with district_store.transaction() as s:
        inc = IncidentRepo(s).create(
            incident_type="crowd_crush_risk",
            priority=1,
            force_level=3,
            manpower=6,
            lon=121.49,
            lat=31.24,
            created_by="op1",
            created_at=900.0,
        )
        return district_store, inc.id, [u.id for u in UnitRepo(s).list_units()]


def test_enqueue_writes_every_column_and_body(ctx: tuple[Store, int, list[int]]) -> None:
    store, inc, units = ctx
    shared = {"instructions": "外滩观景平台 疏导人流", "briefing": {"route": [[121.49, 31.24]]}}
    orders = [NewOrder(inc, u, "first_responder", shared) for u in units[:-1]]
    orders.append(NewOrder(inc, units[-1], "commander", {"instructions": "现场指挥", "n": 3}))
    dues = Outbox(store).enqueue(
        orders, ack_deadline_seconds=30, time_to_live_seconds=600, now=1000.0, sending=True
    )
    assert len({d.order_id for d in dues}) == len(orders)
    with store.session() as s:
        rows = {r.id: r for r in s.scalars(select(OrderRow))}
    assert set(rows) == {d.order_id for d in dues}
    for d, o in zip(dues, orders, strict=True):
        r = rows[d.order_id]
        assert (r.unit_id, r.incident_id, r.role, r.body) == (o.unit_id, inc, o.role, o.body)
        assert (r.state, r.attempts, r.created_at) == (S.PENDING.value, 1, 1000.0)
        assert (r.deadline_at, r.expires_at) == (1030.0, 1600.0)
        assert 1000.45 <= r.next_attempt_at <= 1000.55  # first backoff, 0.5 s with 10 % jitter
        assert r.plan_id is None and r.delivered_at is None
        assert d.message.order_id == d.order_id and d.message.role == o.role


def test_receipts_move_only_forward_and_only_own_orders(
    ctx: tuple[Store, int, list[int]],
) -> None:
    store, inc, units = ctx
    box = Outbox(store)
    dues = box.enqueue(
        [NewOrder(inc, u, "first_responder", {"go": 1}) for u in units[:4]],
        ack_deadline_seconds=30,
        time_to_live_seconds=600,
        now=1000.0,
    )
    a, b, c, d = dues
    with store.transaction() as s:  # c was cancelled meanwhile: a late receipt must not revive it
        s.execute(update(OrderRow).where(OrderRow.id == c.order_id).values(state="cancelled"))
    reports = [
        (a.unit_id, Receipt(mid=1, order_id=a.order_id, kind="delivered", t=1001.0)),
        (a.unit_id, Receipt(mid=2, order_id=a.order_id, kind="delivered", t=1001.0)),
        (b.unit_id, Receipt(mid=3, order_id=b.order_id, kind="accepted", t=1002.0)),
        (c.unit_id, Receipt(mid=4, order_id=c.order_id, kind="delivered", t=1003.0)),
        (a.unit_id, Receipt(mid=5, order_id=d.order_id, kind="delivered", t=1004.0)),  # not a's
    ]
    moved, foreign = apply_reports(store, reports, now=1010.0)
    assert foreign == {d.order_id}
    assert sorted((m.order_id, m.state) for m in moved) == sorted(
        [(a.order_id, S.DELIVERED), (b.order_id, S.ACCEPTED)]
    )
    with store.session() as s:
        state = dict(s.execute(select(OrderRow.id, OrderRow.state)).all())
        b_row = s.get(OrderRow, b.order_id)
        assert b_row is not None and b_row.delivered_at == b_row.accepted_at == 1010.0
    assert state == {
        a.order_id: "delivered",
        b.order_id: "accepted",
        c.order_id: "cancelled",
        d.order_id: "pending",
    }
    # record_attempts counts only orders still pending (its filter keeps the state index out)
    box.record_attempts(dues, now=1020.0)
    with store.session() as s:
        att = dict(s.execute(select(OrderRow.id, OrderRow.attempts)).all())
    assert att == {a.order_id: 0, b.order_id: 0, c.order_id: 0, d.order_id: 1}


def test_insert_many_refuses_unknown_columns(store: Store) -> None:
    table = AuditRow.__table__
    assert isinstance(table, Table)
    with store.transaction() as s, pytest.raises(ValueError, match="no columns"):
        insert_many(s, table, [{"t": 1.0, "nonsense": 1}])
    with store.transaction() as s:
        insert_many(s, table, [])  # nothing to do is not an error
    with store.session() as s:
        assert s.scalars(select(AuditRow)).all() == []


def test_no_index_keeps_the_column_and_only_sqlite_sees_the_plus() -> None:
    q = update(OrderRow).where(OrderRow.id == "x", no_index(OrderRow.state) == "pending")
    lite = str(q.compile(dialect=sqlite.dialect()))
    pg = str(q.compile(dialect=postgresql.dialect()))
    assert "+orders.state = " in lite
    assert "+orders" not in pg and "orders.state = " in pg
