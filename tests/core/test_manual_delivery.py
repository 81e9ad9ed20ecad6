"""Terminal presence and the delivery desk on their own (no hub, no thread): who a terminal
reaches, the no-terminal alert when an order is written or a terminal drops off the air,
and an operator's record of a delivery by hand."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pytest

from console.config import Config
from console.hub.alerts import AlertBoard
from console.hub.availability import Availability
from console.hub.bodies import ManualSlots
from console.hub.current_plans import CurrentPlans
from console.hub.delivery import NO_TERMINAL_ZH, DeliveryDesk
from console.hub.errors import CommandError
from console.hub.incidents import IncidentBook
from console.hub.messages import Alert, Event, OrderChanged
from console.hub.orders import OrderDesk
from console.hub.publisher import Publisher
from console.hub.reassignment import Reassignment
from console.hub.situation import Situation
from console.hub.terminals import TerminalRegister
from console.planning.engine import PlanEngine
from console.store import repos
from console.store.db import Store
from tests.conftest import DemoParts, FrozenClock
from tests.core.parts import SCENE_A, open_incident


def test_terminal_presence_link_demo_and_none() -> None:
    none = TerminalRegister()
    assert not none.linked and none.reachable(["A", "B"]) == set() and not none.connected("A")
    assert none.changes() == (set(), set())
    demo = TerminalRegister(stand_ins=True)  # no link: stand-ins answer everyone
    assert demo.reachable(["A", "B"]) == {"A", "B"}
    online = {"A"}
    demo.attach(lambda: set(online), lambda: {"A", "B"})  # B has a terminal, switched off
    assert demo.reachable(["A", "B", "C"]) == {"A", "C"} and not demo.stand_in_answers("B")
    real = TerminalRegister()
    real.attach(lambda: set(online), lambda: {"A", "B"})
    assert real.reachable(["A", "B", "C"]) == {"A"}
    online.add("B")
    assert real.changes() == ({"B"}, set())
    online.clear()
    assert real.changes() == (set(), {"A", "B"})
    assert real.changes() == (set(), set())

    def broken() -> set[str]:
        raise RuntimeError("link gone")

    real.attach(broken, broken)  # a link that fails to answer reaches nobody, raises nothing
    assert real.reachable(["A"]) == set() and real.changes() == (set(), set())


@dataclass
class Desk:
    orders: OrderDesk
    alerts: AlertBoard
    delivery: DeliveryDesk
    terminals: TerminalRegister
    online: set[str]


@pytest.fixture
def desk(
    config: Config,
    store: Store,
    demo_parts: DemoParts,
    incidents: IncidentBook,
    situation: Situation,
    engine: PlanEngine,
    frozen_clock: FrozenClock,
    publisher: Publisher,
    events: list[Event],
    released: list[int],
) -> Desk:
    current = CurrentPlans()
    availability = Availability(situation, incidents, current, frozen_clock)
    slots = ManualSlots(config, demo_parts.graph, situation, frozen_clock)
    orders = OrderDesk(
        config, store, incidents, situation, frozen_clock, publisher, released.append
    )
    alerts = AlertBoard(store, incidents, frozen_clock, events.append)
    reassignment = Reassignment(
        store,
        incidents,
        situation,
        engine,
        current,
        availability,
        slots,
        alerts,
        orders,
        frozen_clock,
        publisher,
    )
    online: set[str] = set()
    terminals = TerminalRegister()
    terminals.attach(lambda: set(online), lambda: set(online))
    delivery = DeliveryDesk(
        store,
        incidents,
        situation,
        terminals,
        alerts,
        orders,
        reassignment.escalation,
        frozen_clock,
    )
    orders.sent_listeners.append(delivery.on_sent)
    return Desk(orders, alerts, delivery, terminals, online)


def _send(desk: Desk, incidents: IncidentBook, events: list[Event], signs: list[str]) -> list[str]:
    iid = open_incident(incidents, events, "theft", SCENE_A)
    st = incidents.state(iid)
    assert st is not None
    new, idx = [], []
    for cs in signs:
        uid = incidents.unit_id_of(cs)
        assert uid is not None
        body = {"call_sign": cs, "lon": st.lon, "lat": st.lat}
        new.append(repos.NewOrder(incident_id=iid, unit_id=uid, role="respond", body=body))
        idx.append(incidents.situation.index[cs])
    return desk.orders.send(iid, new, idx, "sup1", incidents.clock())


def _no_terminal(events: list[Event]) -> list[Alert]:
    return [e for e in events if isinstance(e, Alert) and e.kind == "no_terminal"]


def test_orders_without_a_terminal_alert_at_once_and_when_one_drops_off(
    desk: Desk, incidents: IncidentBook, situation: Situation, events: list[Event]
) -> None:
    a, b = situation.specs[0].call_sign, situation.specs[1].call_sign
    desk.online.add(b)
    assert desk.terminals.changes() == ({b}, set())  # the hub's tick notices it came on
    oid_a, oid_b = _send(desk, incidents, events, [a, b])
    (alert,) = _no_terminal(events)
    assert alert.text.startswith(NO_TERMINAL_ZH) and a in alert.text and b not in alert.text
    assert desk.alerts.order_of(alert.alert_id) == oid_a
    assert alert.proposal is not None and alert.proposal.call_sign not in (a, b)
    # the same order escalated later keeps that proposal rather than naming a third unit
    zh, _en, p = desk.delivery.escalation(alert.incident_id or 0, a, oid_a)
    assert p == desk.alerts.proposal(alert.alert_id) and zh.startswith("建议改派")
    # b's terminal drops off the air with the order undelivered: now it needs the radio too
    desk.online.discard(b)
    _came, went = desk.terminals.changes()
    desk.delivery.on_offline(went)
    assert went == {b} and b in _no_terminal(events)[1].text_en
    desk.delivery.on_offline(went)  # raised once per order
    desk.delivery.check_pending()
    assert len(_no_terminal(events)) == 2
    assert oid_b in {desk.alerts.order_of(x.alert_id) for x in _no_terminal(events)}


def test_a_delivery_by_hand_advances_the_order_and_settles_its_alert(
    desk: Desk,
    incidents: IncidentBook,
    situation: Situation,
    events: list[Event],
    frozen_clock: FrozenClock,
) -> None:
    a = situation.specs[2].call_sign
    (oid,) = _send(desk, incidents, events, [a])
    (alert,) = _no_terminal(events)
    written = frozen_clock()
    frozen_clock.advance(30)
    with pytest.raises(CommandError, match="radio, phone or in_person"):
        desk.delivery.record(oid, "fax", "", None, False, "op1")
    with pytest.raises(CommandError, match="in the future"):
        desk.delivery.record(oid, "radio", "", frozen_clock() + 600, False, "op1")
    with pytest.raises(CommandError, match="before the order was written"):
        desk.delivery.record(oid, "radio", "", written - 60, False, "op1")
    with pytest.raises(CommandError, match="unknown order"):
        desk.delivery.record("nope", "radio", "", None, False, "op1")
    r = desk.delivery.record(oid, "phone", "李队长", written + 10, True, "op1")
    assert r == {"order_id": oid, "state": "accepted", "channel": "phone", "at": written + 10}
    rec = desk.orders.record(oid)
    assert rec is not None and rec.state == "accepted"
    assert (oid, "accepted") in [
        (e.order_id, e.state) for e in events if isinstance(e, OrderChanged)
    ]
    i = situation.index[a]
    assert situation.status_of(i).value == "en_route"
    step = next(c for c in incidents.chronology(rec.incident_id) if c["kind"] == "order_accepted")
    assert step["actor"] == "op1" and step["detail"]["manual"]["contact"] == "李队长"
    decided = desk.alerts.get(alert.alert_id)
    assert decided is not None and decided.decision is not None
    assert decided.decision.action == "dismissed" and "电话" in decided.decision.reason
    with pytest.raises(CommandError, match="already accepted"):
        desk.delivery.record(oid, "radio", "", None, False, "op1")


def test_a_hub_without_a_link_has_no_terminals(tmp_path: Path, frozen_clock: FrozenClock) -> None:
    """Not the embedded demo: no stand-ins, no link, so no order is ever answered for; each
    is shown at once as needing the radio."""
    from console.hub.bootstrap import open_hub
    from console.hub.client import InprocClient
    from console.hub.messages import ApprovePlan, CreateIncident

    hub = open_hub(
        f"sqlite:///{tmp_path / 'hub.sqlite3'}",
        demo=True,
        stand_ins=False,
        simulate=False,
        clock=frozen_clock,
    )
    try:
        seen: list[Event] = []
        hub.subscribe(seen.append)
        assert not hub.terminals.linked and not hub.terminals.stand_ins
        op = InprocClient(hub, actor="op", role="operator")
        sup = InprocClient(hub, actor="sup", role="supervisor")
        r = op.call(CreateIncident(incident_type="theft", lon=SCENE_A[0], lat=SCENE_A[1]))
        assert r.ok, r.error
        assert sup.call(ApprovePlan(plan_id=r.result["plan_id"])).ok
        sent = hub.workflow.orders.call_signs_sent(r.result["incident_id"])
        alerts = _no_terminal(list(seen))
        assert sent and len(alerts) == len(sent)
        assert hub.virtual._queue == []  # nobody stands in for anyone
    finally:
        hub.stop()
        hub.store.close()
