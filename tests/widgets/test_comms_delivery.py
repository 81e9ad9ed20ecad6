"""Issue 13 on the console: an order no terminal can receive shows "no terminal online" on
the alert board; the operator opens the manual delivery dialog from it, records who was
reached by radio and when, and the hub advances the order, writes it to the chronology and
the audit log, and settles the alert on the board.

Real parts: an embedded hub with its terminal link (CURVE on loopback) and units whose
terminals are enrolled but off the air, the main window with the comms tools installed."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import msgspec
import pytest
from sqlalchemy import select

from console.hub.client import InprocClient
from console.hub.hub import CommandHub
from console.hub.messages import (
    Alert,
    ApprovePlan,
    CreateIncident,
    GetChronology,
    GetPlan,
    PlanChanged,
)
from console.link.keys import KeyPair, load_or_create_hub_keys
from console.link.node import HubNode
from console.link.officer_loop import attach
from console.link.trust import enroll_keys
from console.store.models import AuditRow, OrderRow
from tests.conftest import FrozenClock, HubFactory
from tests.widgets.conftest import LOAD_TIMEOUT_MS, WindowFactory
from widgets.comms_tools import CommsTools, install_comms_tools
from widgets.main_window import MainWindow
from widgets.workflow.manual_delivery import ManualDeliveryDialog, order_of_alert

pytestmark = pytest.mark.qt_log_ignore("This plugin does not support")
WAIT_MS = 30_000
SCENE = (121.4737, 31.2304)  # 南京东路步行街


@pytest.fixture
def linked_hub(
    hub_factory: HubFactory, frozen_clock: FrozenClock, tmp_path: Path
) -> Iterator[CommandHub]:
    """A hub with its terminal link: units with an enrolled terminal that is not connected
    get the "no terminal" alert (the demo's stand-ins answer only for the others)."""
    hub = hub_factory(clock=frozen_clock)
    keys = load_or_create_hub_keys(tmp_path / "hubkeys")
    node = HubNode(hub.store, keys, "tcp://127.0.0.1:0", hub=hub, clock=frozen_clock)
    attach(hub, node.link)
    node.start()
    yield hub
    node.stop()


def _window(window_factory: WindowFactory, hub: CommandHub, qtbot: Any) -> MainWindow:
    w = window_factory(hub, actor="op", role="operator", start=False)
    w.comms = install_comms_tools(w)  # type: ignore[attr-defined]
    w.start()
    qtbot.waitUntil(lambda: w.is_loaded, timeout=LOAD_TIMEOUT_MS)
    return w


def _dispatch_to_silent_units(hub: CommandHub) -> tuple[int, list[str]]:
    """A theft dispatched while every unit's enrolled terminal is off the air."""
    signs_all = [u.call_sign for u in hub.situation.specs]
    enroll_keys(hub.store, [(cs, KeyPair.generate().public) for cs in signs_all])
    sup = InprocClient(hub, actor="sup", role="supervisor", workstation="desk-sup")
    op = InprocClient(hub, actor="op2", role="operator", workstation="desk-op")
    try:
        r = op.call(CreateIncident(incident_type="theft", lon=SCENE[0], lat=SCENE[1]))
        assert r.ok, r.error
        iid = int(r.result["incident_id"])
        plan = sup.call(GetPlan(incident_id=iid)).result
        assert isinstance(plan, PlanChanged)
        signs = [str(s["call_sign"]) for s in plan.body["slots"]]
        assert signs, "test setup: the theft plan names units"
        if plan.status == "proposed":  # the approval policy may ask a supervisor
            assert sup.call(ApprovePlan(plan_id=plan.plan_id)).ok
        return iid, signs
    finally:
        sup.close()
        op.close()


def _orders(hub: CommandHub, incident_id: int) -> dict[str, OrderRow]:
    with hub.store.session() as s:
        rows = s.scalars(select(OrderRow).where(OrderRow.incident_id == incident_id)).all()
        s.expunge_all()
    return {str(o.id): o for o in rows}


def test_no_terminal_alert_opens_the_dialog_and_the_delivery_is_recorded(
    qtbot: Any, window_factory: WindowFactory, linked_hub: CommandHub, frozen_clock: FrozenClock
) -> None:
    hub = linked_hub
    window = _window(window_factory, hub, qtbot)
    tools: CommsTools = window.comms  # type: ignore[attr-defined]
    board = window.workflow.alerts_board
    iid, signs = _dispatch_to_silent_units(hub)

    def no_terminal() -> list[Alert]:
        return [a for a in board.alerts.values() if a.kind == "no_terminal"]

    qtbot.waitUntil(lambda: len(no_terminal()) == len(signs), timeout=WAIT_MS)
    assert all(a.text.startswith("无在线终端") and a.incident_id == iid for a in no_terminal())
    assert board.delivery_button.isVisible()
    alert = board.delivery_alert()
    assert alert is not None and alert.kind == "no_terminal"

    # the board's button opens the dialog for that alert's order
    board.delivery_button.click()
    qtbot.waitUntil(lambda: alert.alert_id in tools.deliveries, timeout=WAIT_MS)
    dlg = tools.deliveries[alert.alert_id]
    assert isinstance(dlg, ManualDeliveryDialog) and dlg.isVisible()
    orders = _orders(hub, iid)
    assert dlg.order_id in orders
    unit = str(orders[dlg.order_id].body["call_sign"])
    assert dlg.call_sign == unit and unit in dlg.intro_label.text()
    # asking again brings the same dialog forward, never a second one
    board.request_delivery(alert.alert_id)
    assert list(tools.deliveries) == [alert.alert_id]

    at = frozen_clock.advance(90.0) - 30.0  # the radio call was half a minute ago
    dlg.set_values("radio", "张警官 警号 012345", at=at)
    with qtbot.waitSignal(dlg.recorded, timeout=WAIT_MS) as got:
        dlg.record_button.click()
    assert got.args[0] == {
        "order_id": dlg.order_id,
        "state": "delivered",
        "channel": "radio",
        "at": at,
    }
    qtbot.waitUntil(lambda: alert.alert_id not in tools.deliveries, timeout=WAIT_MS)

    # in the store: the order moved on as if the terminal had confirmed it, at that time
    row = _orders(hub, iid)[str(got.args[0]["order_id"])]
    assert row.state == "delivered" and row.delivered_at == at and row.accepted_at is None
    # on the chronology with who was reached, how and by whom
    chron = InprocClient(hub, actor="op", role="operator").call(GetChronology(incident_id=iid))
    entry = next(
        c
        for c in chron.result
        if c["kind"] == "order_delivered" and c["detail"].get("order_id") == row.id
    )
    assert entry["actor"] == "op"
    assert entry["detail"]["manual"] == {
        "channel": "radio",
        "contact": "张警官 警号 012345",
        "recorded_by": "op",
        "at": at,
    }
    # and in the audit log, by the operator
    with hub.store.session() as s:
        audited = s.scalars(
            select(AuditRow.payload).where(AuditRow.action == "RecordManualDelivery")
        ).all()
    assert any(p["ok"] and p["command"]["order_id"] == row.id for p in audited)

    # the alert is settled on the board; a second record is refused with the reason
    qtbot.waitUntil(
        lambda: bool(
            board.alerts[alert.alert_id].acked_by or board.alerts[alert.alert_id].decision
        ),
        timeout=WAIT_MS,
    )
    assert not board.request_delivery(alert.alert_id)
    again = ManualDeliveryDialog(window.bridge, row.id, call_sign=unit, incident_id=iid)
    qtbot.addWidget(again)
    again.set_values("phone")
    again.submit()
    qtbot.waitUntil(lambda: again.last_reply is not None, timeout=WAIT_MS)
    assert again.last_reply is not None and not again.last_reply.ok
    assert "already delivered" in again.message_label.text()
    assert _orders(hub, iid)[row.id].state == "delivered"


def test_the_order_of_an_alert_without_a_proposal_is_found_on_the_chronology(
    qtbot: Any, window_factory: WindowFactory, linked_hub: CommandHub
) -> None:
    hub = linked_hub
    window = _window(window_factory, hub, qtbot)
    board = window.workflow.alerts_board
    _iid, signs = _dispatch_to_silent_units(hub)
    qtbot.waitUntil(
        lambda: sum(a.kind == "no_terminal" for a in board.alerts.values()) == len(signs),
        timeout=WAIT_MS,
    )
    alert = next(a for a in board.alerts.values() if a.kind == "no_terminal")
    assert alert.proposal is not None, "test setup: the demo proposes a replacement"
    bare = msgspec.structs.replace(alert, proposal=None)  # a large fan-out's alert
    found: list[tuple[str, str, str]] = []
    order_of_alert(window.bridge, bare, lambda *a: found.append(a))
    qtbot.waitUntil(lambda: bool(found), timeout=WAIT_MS)
    assert found == [(alert.proposal.order_id, alert.proposal.replaces, "")]
    # an alert of another kind is refused with the reason
    other = msgspec.structs.replace(alert, kind="not_acknowledged")
    order_of_alert(window.bridge, other, lambda *a: found.append(a))
    assert found[-1][0] == "" and "not about an order" in found[-1][2]
