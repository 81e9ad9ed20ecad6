"""Issue 13, 1 (phantom acceptances): the real stand-alone hub (``python -m console.link.cli
hub``, real CURVE sockets) never records an order as delivered, read or accepted that no
terminal received.  An order for a unit without a trusted, connected terminal is shown at
once on every workstation ("无在线终端：请用电台或电话下达", with the unit to send instead);
an operator's record of delivering it by radio or phone advances it like a receipt.

The orders' acknowledgement deadline is shortened to 4 s: the demo's stand-in terminals
(which answered every order within 2.5 s before) would have marked the orders delivered
long before it; here the hub itself reports them unacknowledged instead.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from sqlalchemy import select

from console.hub.messages import (
    ApprovePlan,
    CreateIncident,
    GetChronology,
    GetPlan,
    GetSnapshot,
    RecordManualDelivery,
)
from console.link.keys import KeyPair, TerminalKey, load_or_create_hub_keys
from console.link.trust import enroll_keys
from console.store.db import Store, open_store
from console.store.models import AuditRow, OrderRow
from console.terminal.fleet import Fleet, Member
from console.terminal.localstore import MemoryStore
from console.terminal.session import TerminalSession
from tests.hubtrust.helpers import (
    AWAITS_APPROVAL,
    NANJING_ROAD,
    PEOPLES_SQUARE,
    Desk,
    add_users,
    chronology_kinds,
    config_dir,
    orders_of,
)
from tests.link.helpers import HubProcess, wait_until

ACK_S = 4


class Room:
    """The hub process, its database, its key and two workstations (operator, supervisor)."""

    def __init__(self, hub: HubProcess, store: Store, keys: KeyPair, op: Desk, sup: Desk) -> None:
        self.hub, self.store, self.keys, self.op, self.sup = hub, store, keys, op, sup

    def theft(self, scene: tuple[float, float]) -> tuple[int, int, list[str]]:
        """A theft registered by the operator: (incident id, plan id, the plan's units)."""
        r = self.op.call(CreateIncident(incident_type=AWAITS_APPROVAL, lon=scene[0], lat=scene[1]))
        iid = r["incident_id"]
        plan = self.op.call(GetPlan(incident_id=iid))
        signs = [str(s["call_sign"]) for s in plan["body"]["slots"]]
        assert signs, "test setup: the theft plan names units"
        return iid, int(plan["plan_id"]), signs


@pytest.fixture(scope="module")
def room(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Room]:
    tmp = tmp_path_factory.mktemp("no-terminal")
    url = f"sqlite:///{tmp / 'hub.sqlite3'}"
    keys = load_or_create_hub_keys(tmp / "keys")
    add_users(url, ("op", "operator"), ("sup", "supervisor"))
    cfg = config_dir(tmp, ack_deadline_seconds=ACK_S)
    hub = HubProcess(
        url, tmp / "keys", tmp / "hub.log", "--demo", "--config", str(cfg), link_only=False
    ).start()
    store = open_store(url)
    op = sup = None
    try:
        op = Desk.to_process(hub, keys.public, "desk-op", "op")
        sup = Desk.to_process(hub, keys.public, "desk-sup", "sup")
        yield Room(hub, store, keys, op, sup)
    finally:
        for d in (op, sup):
            if d is not None:
                d.close()
        hub.stop()
        store.close()


def test_orders_nobody_received_stay_undelivered_and_are_shown_at_once(room: Room) -> None:
    iid, plan_id, signs = room.theft(PEOPLES_SQUARE)
    room.sup.call(ApprovePlan(plan_id=plan_id))
    orders = orders_of(room.store, iid)
    assert sorted(cs for _, cs, _ in orders) == sorted(signs)

    # every workstation is told at once, Chinese first, with the unit to send instead
    def shown(desk: Desk) -> bool:
        return len(desk.alerts("no_terminal", iid)) == len(orders)

    assert wait_until(lambda: shown(room.op) and shown(room.sup), timeout=60)
    for a in room.op.alerts("no_terminal", iid):
        assert a.text.startswith("无在线终端：请用电台或电话下达")
        assert a.text_en.startswith("no terminal online: deliver by radio or phone")
        assert a.level == "critical"
        assert a.proposal is not None and a.proposal.call_sign not in signs
        assert f"建议改派 {a.proposal.call_sign}" in a.text
    assert {a.proposal.order_id for a in room.op.alerts("no_terminal", iid) if a.proposal} == {
        oid for oid, _, _ in orders
    }

    # past the deadline the hub itself finds them unacknowledged: nobody answered for them
    assert wait_until(
        lambda: len(room.sup.alerts("not_acknowledged", iid)) == len(orders), timeout=60
    )
    assert all(st == "pending" for _, _, st in orders_of(room.store, iid))
    kinds = chronology_kinds(room.store, iid)
    assert not {"order_delivered", "order_read", "order_accepted"} & set(kinds), kinds
    with room.store.session() as s:
        stamped = s.scalars(
            select(OrderRow.id).where(
                OrderRow.incident_id == iid, OrderRow.delivered_at.is_not(None)
            )
        ).all()
    assert stamped == []


def test_an_operator_records_a_delivery_by_radio_or_phone(room: Room) -> None:
    iid, plan_id, _ = room.theft(NANJING_ROAD)
    room.sup.call(ApprovePlan(plan_id=plan_id))
    orders = orders_of(room.store, iid)
    assert wait_until(lambda: len(room.op.alerts("no_terminal", iid)) == len(orders), timeout=60)
    first_id, first_cs, _ = orders[0]
    alert = next(a for a in room.op.alerts("no_terminal", iid) if first_cs in a.text_en)
    t_radio = alert.t + 1.0
    r = room.op.call(
        RecordManualDelivery(order_id=first_id, channel="radio", contact="张警官", at=t_radio)
    )
    assert r == {"order_id": first_id, "state": "delivered", "channel": "radio", "at": t_radio}
    with room.store.session() as s:
        row = s.get(OrderRow, first_id)
        assert row is not None and row.state == "delivered" and row.delivered_at == t_radio
        assert row.accepted_at is None
    # on the chronology like a receipt, with who was reached, how, when and by whom
    entry = next(
        c
        for c in room.op.call(GetChronology(incident_id=iid))
        if c["kind"] == "order_delivered" and c["detail"]["order_id"] == first_id
    )
    assert entry["actor"] == "op"
    assert entry["detail"]["manual"] == {
        "channel": "radio",
        "contact": "张警官",
        "recorded_by": "op",
        "at": t_radio,
    }
    # and in the audit log
    with room.store.session() as s:
        audited = s.scalars(
            select(AuditRow.payload).where(AuditRow.action == "RecordManualDelivery")
        ).all()
    assert any(p["command"]["order_id"] == first_id and p["ok"] for p in audited)
    # the alert is settled for every workstation: its proposal set aside, by the operator
    assert wait_until(
        lambda: any(
            a.decision is not None and a.decision.actor == "op"
            for a in room.sup.alerts("no_terminal", iid)
            if first_cs in a.text_en
        )
    )
    # a second record of the same step is refused with the reason, not recorded twice
    err = room.op.refused(RecordManualDelivery(order_id=first_id, channel="phone"))
    assert f"the order for {first_cs} is already delivered" in err
    assert room.op.refused(RecordManualDelivery(order_id=first_id, channel="pigeon"))
    # an officer who accepts over the phone goes en route, as with a terminal's acceptance
    if len(orders) > 1:
        second_id, second_cs, _ = orders[1]
        room.op.call(RecordManualDelivery(order_id=second_id, channel="phone", accepted=True))
        assert dict((oid, st) for oid, _, st in orders_of(room.store, iid))[second_id] == "accepted"
        units = room.op.call(GetSnapshot()).units
        assert next(u for u in units if u.call_sign == second_cs).status == "en_route"


def test_a_unit_with_a_connected_terminal_gets_its_order_without_the_alert(room: Room) -> None:
    iid, plan_id, signs = room.theft((121.4700, 31.2150))
    cs = signs[0]
    tk = TerminalKey(cs, KeyPair.generate(), room.keys.public)
    enroll_keys(room.store, [(tk.unit, tk.keys.public)])
    member = Member(tk, TerminalSession(MemoryStore()))
    fleet = Fleet(room.hub.endpoint, [member]).start()
    try:
        assert wait_until(lambda: bool(member.session.epoch), timeout=60)
        room.sup.call(ApprovePlan(plan_id=plan_id))
        assert wait_until(lambda: len(member.session.executed) == 1, timeout=60)
        assert wait_until(
            lambda: dict((c, st) for _, c, st in orders_of(room.store, iid))[cs] != "pending"
        )
        others = [c for c in signs if c != cs]
        assert wait_until(
            lambda: len(room.op.alerts("no_terminal", iid)) == len(others), timeout=60
        )
        assert not any(cs in a.text_en for a in room.op.alerts("no_terminal", iid))
    finally:
        fleet.stop()
