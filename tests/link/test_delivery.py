"""Orders at least once, executed once: the outbox against real terminals on real sockets."""

from __future__ import annotations

import time
from pathlib import Path

import pytest
from sqlalchemy import select, update

from console.domain import OrderState
from console.link import protocol as p
from console.link.hubport import SituationPort, TerminalEvent
from console.link.keys import KeyPair
from console.link.node import HubNode
from console.link.receipts import Moved
from console.store.db import Store
from console.store.models import IncidentEventRow, OrderRow
from console.store.models_trust import PhotoBlobRow, PhotoRow
from console.terminal.fleet import Fleet, Member
from console.terminal.localstore import SqliteStore
from console.terminal.session import TerminalSession
from tests.link.conftest import FleetFactory
from tests.link.helpers import (
    add_orders,
    enroll_fleet,
    jpeg,
    make_incident,
    on_fleet,
    wait_until,
)

JPEG = jpeg()


def _states(store: Store, ids: list[str]) -> dict[str, str]:
    with store.session() as s:
        return dict(
            s.execute(select(OrderRow.id, OrderRow.state).where(OrderRow.id.in_(ids))).all()
        )


def _row(store: Store, oid: str) -> OrderRow:
    with store.session() as s:
        row = s.get(OrderRow, oid)
        assert row is not None
        return row


def _delivered(store: Store, ids: list[str]) -> bool:
    return all(st != OrderState.PENDING.value for st in _states(store, ids).values())


def test_orders_reach_their_units_and_receipts_advance_them(
    node: HubNode, store: Store, port: SituationPort, fleet_of: FleetFactory
) -> None:
    fleet, members = fleet_of(5)
    inc = make_incident(store)
    ids = add_orders(store, inc, [m.key.unit for m in members])
    node.link.kick()
    assert wait_until(lambda: _delivered(store, ids))
    by_unit = dict(zip([m.key.unit for m in members], ids, strict=True))
    for m in members:
        assert m.session.executed == [by_unit[m.key.unit]]  # its own order, once
    first, second = members[0], members[1]
    oid1, oid2 = by_unit[first.key.unit], by_unit[second.key.unit]

    def act() -> None:
        first.session.read(oid1)
        first.session.accept(oid1)
        first.session.arrived(oid1)
        first.session.finish(oid1, "suspect detained")
        second.session.reject(oid2, "vehicle fault")

    on_fleet(fleet, act)
    assert wait_until(lambda: _states(store, [oid1, oid2]) == {oid1: "finished", oid2: "rejected"})
    row = _row(store, oid1)
    assert row.outcome == "suspect detained"
    assert (
        row.delivered_at and row.read_at and row.accepted_at and row.arrived_at and row.finished_at
    )
    assert row.delivered_at <= row.accepted_at <= row.finished_at
    assert _row(store, oid2).rejected_reason == "vehicle fault"
    assert wait_until(
        lambda: not first.session.store.unacked() and not second.session.store.unacked()
    )

    def moves(oid: str) -> list[tuple[str, str]]:
        return [
            (e.state.value, e.call_sign)
            for e in port.events
            if isinstance(e, Moved) and e.order_id == oid
        ]

    a, b = first.key.unit, second.key.unit
    assert moves(oid1) == [(s, a) for s in ("delivered", "read", "accepted", "arrived", "finished")]
    assert moves(oid2) == [("delivered", b), ("rejected", b)]
    with store.session() as s:
        chron = list(
            s.scalars(select(IncidentEventRow.kind).where(IncidentEventRow.kind.like("order_%")))
        )
    assert chron.count("order_finished") == 1 and chron.count("order_rejected") == 1


def test_offline_terminal_gets_its_orders_on_reconnect(
    node: HubNode, store: Store, fleet_of: FleetFactory
) -> None:
    fleet, members = fleet_of(2)
    away, here = members
    assert wait_until(lambda: bool(away.session.epoch and here.session.epoch))
    on_fleet(fleet, lambda: fleet.set_online(away, False))
    inc = make_incident(store)
    ids = add_orders(store, inc, [away.key.unit, here.key.unit])
    node.link.kick()
    assert wait_until(lambda: _states(store, ids)[ids[1]] == "delivered")
    assert _states(store, ids)[ids[0]] == "pending"
    assert away.session.executed == []
    on_fleet(fleet, lambda: fleet.set_online(away, True))
    assert wait_until(lambda: _states(store, ids)[ids[0]] == "delivered")
    assert away.session.executed == [ids[0]]


def test_a_resent_order_is_not_executed_twice(
    node: HubNode, store: Store, fleet_of: FleetFactory
) -> None:
    _fleet, members = fleet_of(1)
    m = members[0]
    ids = add_orders(store, make_incident(store), [m.key.unit])
    node.link.kick()
    assert wait_until(lambda: _delivered(store, ids))
    # the hub forgets the receipt (as after a crash before its commit) and sends again
    with store.transaction() as s:
        s.execute(update(OrderRow).values(state="pending", delivered_at=None, next_attempt_at=0.0))
    node.link.kick()
    assert wait_until(lambda: _row(store, ids[0]).attempts >= 2 and _delivered(store, ids))
    assert m.session.executed == ids


def test_terminal_restart_still_ignores_known_orders(
    tmp_path: Path, node: HubNode, store: Store, hub_keys: KeyPair
) -> None:
    key = enroll_fleet(store, 1, hub_keys.public)[0]
    ids = add_orders(store, make_incident(store), [key.unit])
    # the same terminal as a process with its SQLite memory: runs, restarts, gets the order again
    local = tmp_path / "terminal.sqlite3"
    for run in range(2):
        db = SqliteStore(local)
        m = Member(key, TerminalSession(db))
        f = Fleet(node.link.endpoint, [m]).start()
        assert wait_until(lambda m=m: bool(m.session.epoch))
        with store.transaction() as s:  # force a resend each run
            s.execute(update(OrderRow).values(state="pending", next_attempt_at=0.0))
        node.link.kick()
        assert wait_until(lambda: _delivered(store, ids))
        assert wait_until(lambda m=m: not m.session.store.unacked())
        f.stop()
        assert m.session.executed == (ids if run == 0 else [])
        db.close()


def test_receipt_for_another_units_order_is_refused(
    node: HubNode, store: Store, fleet_of: FleetFactory
) -> None:
    fleet, members = fleet_of(2)
    a, b = members
    ids = add_orders(store, make_incident(store), [b.key.unit])
    refused: list[p.Refused] = []
    a.session.on_event = lambda kind, msg: refused.append(msg) if kind == "refused" else None
    node.link.kick()
    assert wait_until(lambda: _delivered(store, ids))

    def forge() -> None:
        a.session._reliable(
            lambda mid: p.Receipt(mid=mid, order_id=ids[0], kind="accepted", t=a.session.clock())
        )

    fleet.call(forge)
    assert wait_until(lambda: any(r.code == "unknown_order" for r in refused))
    assert _states(store, ids)[ids[0]] == "delivered"


def test_unacknowledged_order_escalates_then_expires(
    node: HubNode, store: Store, port: SituationPort, fleet_of: FleetFactory
) -> None:
    fleet, members = fleet_of(1)
    m = members[0]
    on_fleet(fleet, lambda: fleet.set_online(m, False))
    ids = add_orders(store, make_incident(store), [m.key.unit], ack_s=0.3, ttl_s=2.0)
    assert wait_until(lambda: any(e.kind == "overdue" for e in port.events))
    ev = next(e for e in port.events if e.kind == "overdue")
    assert (ev.call_sign, ev.order_id) == (m.key.unit, ids[0])
    assert wait_until(lambda: _states(store, ids)[ids[0]] == "expired")
    # the event follows the commit on the link thread: wait for it too
    assert wait_until(
        lambda: any(e.kind == "expired" and e.order_id == ids[0] for e in port.events)
    )
    assert sum(e.kind == "overdue" for e in port.events) == 1  # raised once, not every second


def test_cancel_and_update_reach_the_terminal(
    node: HubNode, store: Store, fleet_of: FleetFactory
) -> None:
    fleet, members = fleet_of(2)
    live, away = members
    seen: list[tuple[str, object]] = []
    live.session.on_event = lambda kind, payload: seen.append((kind, payload))
    ids = add_orders(store, make_incident(store), [live.key.unit, away.key.unit])
    node.link.kick()
    assert wait_until(lambda: _delivered(store, ids))
    assert node.link.update_order(ids[0], instructions="go to the north gate").result(5)
    assert wait_until(lambda: any(k == "order_update" for k, _ in seen))
    held = live.session.store.get(ids[0])
    assert (
        held is not None
        and held.order.instructions == "go to the north gate"
        and held.order.rev == 1
    )
    assert node.link.cancel_order(ids[0], "duplicate call").result(5)
    assert wait_until(lambda: any(k == "order_cancel" for k, _ in seen))
    assert live.session.open_orders() == []
    assert _states(store, ids)[ids[0]] == "cancelled"
    assert not node.link.cancel_order(ids[0], "again").result(5)  # already final
    # cancelled while the terminal was off the air: its hello brings the cancellation
    on_fleet(fleet, lambda: fleet.set_online(away, False))
    assert node.link.cancel_order(ids[1], "resolved by phone").result(5)
    on_fleet(fleet, lambda: fleet.set_online(away, True))
    assert wait_until(lambda: away.session.open_orders() == [])
    held_away = away.session.store.get(ids[1])
    assert held_away is not None and held_away.state == "cancelled"


def test_feedback_photo_and_status_reach_the_hub(
    node: HubNode, store: Store, port: SituationPort, fleet_of: FleetFactory
) -> None:
    fleet, members = fleet_of(1)
    m = members[0]
    ids = add_orders(store, make_incident(store), [m.key.unit])
    node.link.kick()
    assert wait_until(lambda: _delivered(store, ids))

    def report() -> None:
        m.session.feedback("two suspects fled east", ids[0], JPEG)
        m.session.set_status("off_duty")

    on_fleet(fleet, report)  # queued for sure before we wait for the acks
    assert wait_until(lambda: not m.session.store.unacked())
    with store.session() as s:
        photo = s.scalars(select(PhotoRow)).one()
        blob = s.get(PhotoBlobRow, photo.sha256)
        assert photo.order_id == ids[0] and photo.size == len(JPEG)
        assert blob is not None and blob.data == JPEG and blob.mime == "image/jpeg"
        ev = s.scalars(select(IncidentEventRow).where(IncidentEventRow.kind == "feedback")).one()
        assert ev.detail["text"] == "two suspects fled east"
    kinds = {(e.kind, e.status) for e in port.events if isinstance(e, TerminalEvent)}
    assert ("status", "off_duty") in kinds and ("feedback", "") in kinds


def test_terminal_refuses_bad_photos_locally(fleet_of: FleetFactory) -> None:
    import pytest

    _, members = fleet_of(1)
    s = members[0].session
    with pytest.raises(ValueError, match="not a JPEG"):
        s.feedback("x", None, b"GIF89a")
    with pytest.raises(ValueError, match="limit"):
        s.feedback("x", None, b"\xff\xd8\xff" + bytes(p.PHOTO_LIMIT))
    with pytest.raises(ValueError, match="reason"):
        s.reject("0" * 32, " ")


def test_two_connections_of_one_key_do_not_fight(
    node: HubNode, store: Store, hub_keys: KeyPair
) -> None:
    """A reconnect overlapping the old connection (or a cloned key) serves the newest hello."""
    from console.terminal.localstore import MemoryStore

    key = enroll_fleet(store, 1, hub_keys.public)[0]
    old = Member(key, TerminalSession(MemoryStore()))
    new = Member(key, TerminalSession(MemoryStore()))
    f_old = Fleet(node.link.endpoint, [old]).start()
    try:
        assert wait_until(lambda: bool(old.session.epoch))
        f_new = Fleet(node.link.endpoint, [new]).start()
        assert wait_until(lambda: bool(new.session.epoch))
        since = time.monotonic()  # both keep talking: each gets a pong after the newer hello
        assert wait_until(lambda: min(old.session.last_rx, new.session.last_rx) > since)
        first = add_orders(store, make_incident(store), [key.unit])
        node.link.kick()
        assert wait_until(lambda: _delivered(store, first))
        assert new.session.executed == first and old.session.executed == []
        f_new.stop()  # the newest goes away: the older live connection takes over
        second = add_orders(store, make_incident(store), [key.unit])
        node.link.kick()
        assert wait_until(lambda: _delivered(store, second), timeout=30)
        assert old.session.executed == second
    finally:
        f_old.stop()


def test_fast_approval_path_sends_without_reading_back(
    node: HubNode, store: Store, fleet_of: FleetFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    """``Outbox.enqueue`` + ``send_now``: written first, sent at once, attempt counted once.
    The first resend is put a minute out: on a loaded machine an ack slower than the real
    half-second backoff would be resent, and this test is about the first send only."""
    from console.link import outbox as outbox_mod
    from console.store.district_repo import UnitRepo
    from console.store.order_repo import NewOrder

    monkeypatch.setattr(outbox_mod, "BACKOFF_S", (60.0,) * len(outbox_mod.BACKOFF_S))

    _, members = fleet_of(3)
    assert wait_until(lambda: all(m.session.epoch for m in members))
    inc = make_incident(store)
    with store.session() as s:
        ids = UnitRepo(s).ids_by_call_sign()
    dues = node.link.outbox.enqueue(
        [
            NewOrder(inc, ids[m.key.unit], "respond", {"instructions": "north gate"})
            for m in members
        ],
        ack_deadline_seconds=30,
        time_to_live_seconds=600,
        now=time.time(),
        sending=True,
    )
    oids = [d.order_id for d in dues]
    assert all(_row(store, o).state == "pending" for o in oids)  # in the outbox before any send
    node.link.send_now(dues)
    assert wait_until(lambda: _delivered(store, oids))
    assert all(_row(store, o).attempts == 1 for o in oids)
    assert [m.session.executed for m in members] == [[o] for o in oids]
    held = members[0].session.store.get(oids[0])
    assert held is not None and held.order.instructions == "north gate"
    with pytest.raises(ValueError, match="unknown unit"):
        node.link.outbox.enqueue(
            [NewOrder(inc, 999_999, "r")], ack_deadline_seconds=1, time_to_live_seconds=1, now=0.0
        )
