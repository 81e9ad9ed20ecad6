"""The order desk on its own: built from a real store, the situation and the incident book
on the demo district (no hub), with a publisher that records what it would send."""

from __future__ import annotations

import pytest

from console.config import Config
from console.domain import IncidentStatus, OrderState, UnitStatus
from console.hub.errors import CommandError
from console.hub.incidents import IncidentBook
from console.hub.messages import Event, OrderChanged
from console.hub.orders import OrderDesk
from console.hub.publisher import Publisher
from console.hub.situation import Situation
from console.store import repos
from console.store.db import Store
from tests.conftest import FrozenClock
from tests.core.parts import open_incident


@pytest.fixture
def desk(
    config: Config,
    store: Store,
    incidents: IncidentBook,
    situation: Situation,
    frozen_clock: FrozenClock,
    publisher: Publisher,
    released: list[int],
) -> OrderDesk:
    return OrderDesk(config, store, incidents, situation, frozen_clock, publisher, released.append)


def _orders(
    incidents: IncidentBook, situation: Situation, incident_id: int, units: list[int]
) -> list[repos.NewOrder]:
    st = incidents.state(incident_id)
    assert st is not None
    out = []
    for i in units:
        cs = situation.specs[i].call_sign
        uid = incidents.unit_id_of(cs)
        assert uid is not None and incidents.call_sign_of(uid) == cs
        body = {"call_sign": cs, "lon": st.lon, "lat": st.lat}
        out.append(repos.NewOrder(incident_id=incident_id, unit_id=uid, role="respond", body=body))
    return out


def _changes(events: list[Event]) -> list[tuple[str, str]]:
    return [(e.order_id, e.state) for e in events if isinstance(e, OrderChanged)]


def _send(
    desk: OrderDesk,
    incidents: IncidentBook,
    situation: Situation,
    events: list[Event],
    clock: FrozenClock,
    units: list[int],
) -> tuple[int, list[str]]:
    """An incident, dispatched, with one order per unit; (incident id, order ids)."""
    iid = open_incident(incidents, events)
    ids = desk.send(iid, _orders(incidents, situation, iid, units), units, "sup1", clock())
    incidents.set_status(iid, IncidentStatus.DISPATCHED, "sup1", {}, events.append)
    return iid, ids


def test_sent_orders_are_stored_bound_announced_and_listened_to(
    desk: OrderDesk,
    incidents: IncidentBook,
    situation: Situation,
    events: list[Event],
    frozen_clock: FrozenClock,
) -> None:
    told: list[tuple[str, int, str]] = []
    desk.order_listeners.append(lambda oid, i, body: told.append((oid, i, body["call_sign"])))
    iid, ids = _send(desk, incidents, situation, events, frozen_clock, [0, 1])
    signs = [situation.specs[0].call_sign, situation.specs[1].call_sign]
    assert told == [(ids[0], 0, signs[0]), (ids[1], 1, signs[1])]
    assert _changes(events) == [(ids[0], "pending"), (ids[1], "pending")]
    assert incidents.units_of(iid) == [0, 1]
    assert situation.status_of(0) is UnitStatus.DISPATCHED and int(situation.incident[0]) == iid
    rec = desk.record(ids[0])
    assert rec is not None and (rec.call_sign, rec.state, rec.incident_id) == (
        signs[0],
        "pending",
        iid,
    )
    assert desk.record("f" * 32) is None
    assert desk.call_signs_sent(iid) == set(signs)
    assert desk.order_of(iid, signs[1], OrderState.PENDING) == ids[1]
    assert desk.order_of(iid, signs[1], OrderState.ACCEPTED) == ""


def test_receipts_move_unit_and_incident_once(
    desk: OrderDesk,
    incidents: IncidentBook,
    situation: Situation,
    events: list[Event],
    frozen_clock: FrozenClock,
) -> None:
    iid, (oid,) = _send(desk, incidents, situation, events, frozen_clock, [3])
    assert desk.receipt(oid, "delivered", "", "", "t") is True
    assert desk.receipt(oid, "delivered", "", "", "t") is False  # a repeat changes nothing
    assert desk.receipt(oid, "accepted", "", "", "t") is True
    assert situation.status_of(3) is UnitStatus.EN_ROUTE
    assert incidents.status_of(iid) == IncidentStatus.EN_ROUTE.value
    assert desk.receipt(oid, "arrived", "", "", "t") is True
    assert situation.status_of(3) is UnitStatus.ON_SCENE
    assert incidents.status_of(iid) == IncidentStatus.ON_SCENE.value
    for bad, words in (("pending", "cannot report"), ("lost", "unknown order state")):
        with pytest.raises(CommandError, match=words):
            desk.receipt(oid, bad, "", "", "t")
    with pytest.raises(CommandError, match="unknown order"):
        desk.receipt("0" * 32, "accepted", "", "", "t")
    kinds = [c["kind"] for c in incidents.chronology(iid)]
    assert kinds.count("order_delivered") == 1 and "order_arrived" in kinds


def test_a_refusal_frees_the_unit_and_goes_to_the_refusal_listeners(
    desk: OrderDesk,
    incidents: IncidentBook,
    situation: Situation,
    events: list[Event],
    frozen_clock: FrozenClock,
) -> None:
    refused: list[tuple[int, str, str, str]] = []
    desk.refusal_listeners.append(lambda *a: refused.append(a))
    iid, (oid, _) = _send(desk, incidents, situation, events, frozen_clock, [4, 5])
    assert desk.receipt(oid, "rejected", "车辆故障", "", "t")
    cs = situation.specs[4].call_sign
    assert refused == [(iid, cs, "车辆故障", oid)]
    assert situation.status_of(4) is UnitStatus.AVAILABLE and incidents.units_of(iid) == [5]
    st = incidents.state(iid)
    assert st is not None and st.units == [situation.specs[5].call_sign]


def test_cancelling_one_order_frees_its_unit_and_tells_the_terminal(
    desk: OrderDesk,
    incidents: IncidentBook,
    situation: Situation,
    events: list[Event],
    frozen_clock: FrozenClock,
    released: list[int],
) -> None:
    withdrawn: list[tuple[str, int, str]] = []
    desk.cancel_listeners.append(lambda oid, uid, why: withdrawn.append((oid, uid, why)))
    iid, (oid, other) = _send(desk, incidents, situation, events, frozen_clock, [6, 7])
    assert desk.cancel(oid, "改派", "sup1") is True
    assert desk.cancel(oid, "again", "sup1") is False  # already final
    uid = incidents.unit_id_of(situation.specs[6].call_sign)
    assert withdrawn == [(oid, uid, "改派")]
    assert released == [6] and situation.status_of(6) is UnitStatus.AVAILABLE
    assert incidents.units_of(iid) == [7]
    assert (oid, "cancelled") in _changes(events)
    (step,) = [c for c in incidents.chronology(iid) if c["kind"] == "order_cancelled"]
    assert (step["actor"], step["detail"]["order_id"]) == ("sup1", oid)
    with pytest.raises(CommandError, match="unknown order"):
        desk.cancel("0" * 32, "x", "sup1")
    # the incident is cancelled: its other order is withdrawn from the terminal too
    desk.finish_incident(iid, "cancelled: 误报", "sup1", cancel=True)
    assert [w[0] for w in withdrawn] == [oid, other]
    assert "incident cancelled" in withdrawn[-1][2]


def test_a_closed_incidents_orders_are_finished_not_withdrawn(
    desk: OrderDesk,
    incidents: IncidentBook,
    situation: Situation,
    events: list[Event],
    frozen_clock: FrozenClock,
) -> None:
    withdrawn: list[str] = []
    desk.cancel_listeners.append(lambda oid, uid, why: withdrawn.append(oid))
    iid, (oid,) = _send(desk, incidents, situation, events, frozen_clock, [8])
    desk.finish_incident(iid, "resolved", "op1")
    rec = desk.record(oid)
    assert rec is not None and rec.state == "finished" and withdrawn == []


def test_an_expired_order_frees_its_unit(
    desk: OrderDesk,
    store: Store,
    incidents: IncidentBook,
    situation: Situation,
    events: list[Event],
    frozen_clock: FrozenClock,
    config: Config,
) -> None:
    iid, (oid,) = _send(desk, incidents, situation, events, frozen_clock, [9])
    now = frozen_clock.advance(config.orders.time_to_live_seconds + 1)
    with store.transaction() as s:
        assert repos.OrderRepo(s).expire_due(now) == [oid]
    desk.expire(oid)
    assert (oid, "expired") in _changes(events)
    assert situation.status_of(9) is UnitStatus.AVAILABLE and incidents.units_of(iid) == []


def test_orders_added_in_the_callers_transaction_share_its_fate(
    desk: OrderDesk,
    store: Store,
    incidents: IncidentBook,
    situation: Situation,
    events: list[Event],
    frozen_clock: FrozenClock,
) -> None:
    """A decision and the orders it makes can commit (or fail) as one."""
    iid = open_incident(incidents, events)
    new = _orders(incidents, situation, iid, [10])
    with pytest.raises(RuntimeError), store.transaction() as s:
        desk.add(s, new, frozen_clock())
        raise RuntimeError("the decision could not be stored")
    assert desk.call_signs_sent(iid) == set()
    with store.transaction() as s:
        (oid,) = desk.add(s, new, frozen_clock())
    rec = desk.record(oid)
    assert rec is not None and rec.state == "pending"
    assert situation.status_of(10) is UnitStatus.AVAILABLE  # bound only by ``bind``
    desk.bind(iid, [10], "sup1")
    assert situation.status_of(10) is UnitStatus.DISPATCHED
