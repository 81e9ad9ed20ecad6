"""The orders outbox: queueing, due query, retries and the delivery state machine."""

from __future__ import annotations

import pytest

from console.domain import OrderState
from console.store import Store, StoreError
from console.store.order_repo import ALLOWED_FROM, CHAIN, FINAL_STATES
from console.store.repos import IncidentRepo, NewOrder, OrderRepo, PlanRepo, UnitRepo

pytestmark = pytest.mark.store

S = OrderState


@pytest.fixture
def ctx(district_store: Store) -> tuple[Store, int, list[int], int]:
    """(store, incident id, unit ids, approved plan id)."""
    with district_store.transaction() as s:
        inc = IncidentRepo(s).create(
            incident_type="fight",
            priority=1,
            force_level=2,
            manpower=4,
            lon=121.47,
            lat=31.23,
            created_by="op1",
            created_at=900.0,
        )
        plan = PlanRepo(s).create(inc.id, {"units": ["HP-P0"]}, created_by="planner", t=901.0)
        units = [u.id for u in UnitRepo(s).list_units()]
        return district_store, inc.id, units, plan.id


def _add(store: Store, inc: int, units: list[int], plan: int | None, now: float) -> list[str]:
    with store.transaction() as s:
        return OrderRepo(s).add_many(
            [NewOrder(inc, u, "first_responder", {"go": u}, plan) for u in units],
            ack_deadline_seconds=30,
            time_to_live_seconds=1800,
            now=now,
        )


def test_add_many_and_due_for_send(ctx: tuple[Store, int, list[int], int]) -> None:
    store, inc, units, plan = ctx
    ids = _add(store, inc, units[:3], plan, now=1000.0)
    assert len(set(ids)) == 3 and all(len(i) == 32 for i in ids)
    with store.transaction() as s:
        repo = OrderRepo(s)
        assert repo.due_for_send(999.0) == []
        due = repo.due_for_send(1000.0)
        assert {o.id for o in due} == set(ids)
        o = due[0]
        assert (o.state, o.attempts, o.deadline_at, o.expires_at) == ("pending", 0, 1030.0, 2800.0)
        assert o.body == {"go": o.unit_id}
        assert repo.mark_attempt(ids[0], next_at=1005.0)
        assert {x.id for x in repo.due_for_send(1001.0)} == set(ids[1:])
        first = repo.due_for_send(1005.0, limit=1)
        assert len(first) == 1 and first[0].id in ids[1:]  # the retried one waits its turn
        assert repo.mark_state(ids[1], S.DELIVERED, 1002.0)
        assert {x.id for x in repo.due_for_send(1005.0)} == {ids[0], ids[2]}
        assert repo.due_for_send(2800.0) == []  # lapsed orders are not sent
        again = repo.get(ids[0])
        assert again is not None and again.attempts == 1
        assert repo.overdue_acks(1029.0) == []
        assert {x.id for x in repo.overdue_acks(1031.0)} == {ids[0], ids[2]}


def test_state_machine_moves_forward_only(ctx: tuple[Store, int, list[int], int]) -> None:
    store, inc, units, plan = ctx
    (oid,) = _add(store, inc, units[:1], plan, now=1000.0)
    with store.transaction() as s:
        repo = OrderRepo(s)
        assert repo.mark_state(oid, "read", 1010.0)  # 'delivered' receipt was lost
        assert not repo.mark_state(oid, "delivered", 1011.0)  # late receipt: refused
        assert not repo.mark_state(oid, "read", 1012.0)  # duplicate: no change
        assert repo.mark_state(oid, S.ACCEPTED, 1020.0)
        assert not repo.mark_state(oid, S.EXPIRED, 5000.0)  # accepted orders do not lapse
        assert repo.mark_state(oid, S.ARRIVED, 1100.0)
        assert repo.mark_state(oid, S.FINISHED, 1200.0, outcome="suspect detained")
        assert not repo.mark_state(oid, S.DELIVERED, 1300.0)  # finished -> delivered
        assert not repo.mark_state(oid, S.CANCELLED, 1300.0)
        assert not repo.mark_state("0" * 32, S.DELIVERED, 1.0)  # unknown id
        o = repo.get(oid)
        assert o is not None
        assert o.state == "finished" and o.outcome == "suspect detained"
        assert (o.delivered_at, o.read_at, o.accepted_at) == (1010.0, 1010.0, 1020.0)
        assert (o.arrived_at, o.finished_at) == (1100.0, 1200.0)
        with pytest.raises(StoreError, match="unknown fields \\['colour'\\]"):
            repo.mark_state(oid, S.FINISHED, 1.0, colour="red")
        with pytest.raises(StoreError, match="invalid order state 'lost'"):
            repo.mark_state(oid, "lost", 1.0)


def test_rejection_expiry_and_pending_for_unit(ctx: tuple[Store, int, list[int], int]) -> None:
    store, inc, units, plan = ctx
    a, b, c = _add(store, inc, units[:1] * 3, plan, now=1000.0)
    d = _add(store, inc, units[1:2], None, now=1000.0)[0]
    with store.transaction() as s:
        repo = OrderRepo(s)
        assert {o.id for o in repo.pending_for_unit(units[0])} == {a, b, c}
        assert repo.mark_state(a, S.REJECTED, 1005.0, rejected_reason="vehicle breakdown")
        assert not repo.mark_state(a, S.ACCEPTED, 1006.0)
        assert repo.mark_state(b, S.DELIVERED, 1005.0)
        assert {o.id for o in repo.pending_for_unit(units[0])} == {c}
        assert repo.pending_for_unit(units[0], now=2800.0) == []
        assert {o.id for o in repo.open_for_unit(units[0])} == {b, c}
        assert [o.id for o in repo.pending_for_unit(units[1])] == [d]
        assert repo.expire_due(2799.0) == []
        assert sorted(repo.expire_due(2800.0)) == sorted([b, c, d])
        assert repo.expire_due(2800.0) == []
        assert repo.pending_for_unit(units[1]) == []
        rejected = repo.get(a)
        assert rejected is not None and rejected.rejected_reason == "vehicle breakdown"
        assert rejected.delivered_at == 1005.0
        assert {o.id for o in repo.for_incident(inc)} == {a, b, c, d}


def test_add_many_is_all_or_nothing(ctx: tuple[Store, int, list[int], int]) -> None:
    store, inc, units, _plan = ctx
    with pytest.raises(StoreError, match="unknown unit ids \\[9999\\]"), store.transaction() as s:
        OrderRepo(s).add_many(
            [NewOrder(inc, units[0], "r"), NewOrder(inc, 9999, "r")],
            ack_deadline_seconds=30,
            time_to_live_seconds=60,
            now=1.0,
        )
    with store.session() as s:
        assert OrderRepo(s).for_incident(inc) == []
    with pytest.raises(StoreError, match="not JSON-serialisable"), store.transaction() as s:
        OrderRepo(s).add_many(
            [NewOrder(inc, units[0], "r", {"x": object()})],
            ack_deadline_seconds=30,
            time_to_live_seconds=60,
            now=1.0,
        )


def test_transition_table_is_consistent() -> None:
    for final in FINAL_STATES:
        assert all(final not in sources for sources in ALLOWED_FROM.values())
    for i, later in enumerate(CHAIN):
        for earlier in CHAIN[:i]:
            assert earlier not in ALLOWED_FROM[earlier]
            assert later not in ALLOWED_FROM[earlier]  # never backwards
    assert ALLOWED_FROM[S.PENDING] == frozenset()


def test_replayable_transaction_commits_and_leaves_the_flush_setting_alone(
    ctx: tuple[Store, int, list[int], int],
) -> None:
    from console.store.models import OrderRow

    store, inc, units, plan = ctx
    oid = _add(store, inc, units[:1], plan, 1000.0)[0]
    if store.dialect == "sqlite":
        with store.engine.connect() as conn:
            before = conn.exec_driver_sql("PRAGMA synchronous").scalar()
    with store.replayable_transaction() as s:
        s.execute(OrderRow.__table__.update().where(OrderRow.id == oid).values(attempts=7))
    with store.session() as s:
        assert s.get(OrderRow, oid).attempts == 7  # committed, visible to other sessions
    with pytest.raises(RuntimeError), store.replayable_transaction() as s:
        s.execute(OrderRow.__table__.update().where(OrderRow.id == oid).values(attempts=9))
        raise RuntimeError("fail inside")
    with store.session() as s:
        assert s.get(OrderRow, oid).attempts == 7  # rolled back whole
    if store.dialect == "sqlite":
        with store.engine.connect() as conn:  # every pooled connection flushes as before
            assert conn.exec_driver_sql("PRAGMA synchronous").scalar() == before
