"""Issue 16 on the console: one message to every unit of an incident.  The operator picks
"every unit of the incident" in the messages dock and sends; both units with an open order
get it on their terminals, and their delivered and read receipts come back onto the
thread, one row per unit under the message, with the "read n/2 · delivered n/2" summary.

Real parts: an embedded hub with its terminal link (CURVE on loopback), two enrolled
terminals (the library the officers' apps use) and the main window with its comms tools."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import Qt

from console.hub.client import InprocClient
from console.hub.hub import CommandHub
from console.hub.messages import ApprovePlan, CreateIncident, GetPlan, PlanChanged
from console.hub.messaging import GetMessages
from console.link.keys import KeyPair, TerminalKey, load_or_create_hub_keys
from console.link.node import HubNode
from console.link.officer_loop import attach
from console.link.trust import enroll_keys
from console.terminal.client import TerminalClient
from console.terminal.localstore import SqliteStore
from tests.conftest import FrozenClock, HubFactory
from tests.widgets.conftest import LOAD_TIMEOUT_MS, WindowFactory
from widgets.comms_tools import CommsTools, install_comms_tools
from widgets.workflow.messages_panel import TARGET_INCIDENT

pytestmark = pytest.mark.qt_log_ignore("This plugin does not support")
WAIT_MS = 30_000
SCENE = (121.4737, 31.2304)  # 南京东路步行街
TEXT = "嫌疑人向西逃窜，各组注意堵截"


class Officer:
    """One unit's terminal and the events it raised."""

    def __init__(self, call_sign: str, client: TerminalClient, store: SqliteStore) -> None:
        self.call_sign, self.client, self.store = call_sign, client, store
        self.events: list[tuple[str, Any]] = []

    def of(self, kind: str) -> list[Any]:
        return [p for k, p in list(self.events) if k == kind]


@pytest.fixture
def linked(
    hub_factory: HubFactory, frozen_clock: FrozenClock, tmp_path: Path
) -> Iterator[tuple[CommandHub, HubNode, KeyPair, list[Officer]]]:
    hub = hub_factory(clock=frozen_clock)
    keys = load_or_create_hub_keys(tmp_path / "hubkeys")
    node = HubNode(hub.store, keys, "tcp://127.0.0.1:0", hub=hub, clock=frozen_clock)
    attach(hub, node.link)
    node.start()
    officers: list[Officer] = []
    yield hub, node, keys, officers
    for o in officers:
        o.client.stop()
        o.store.close()
    node.stop()


def _officer(
    node: HubNode, keys: KeyPair, hub: CommandHub, cs: str, tmp: Path, clock: FrozenClock
) -> Officer:
    key = TerminalKey(cs, KeyPair.generate(), keys.public)
    enroll_keys(hub.store, [(cs, key.keys.public)])
    store = SqliteStore(tmp / f"terminal-{cs}.sqlite3")
    o = Officer(cs, TerminalClient(key, node.link.endpoint, store, clock=clock), store)
    o.client.session.on_event = lambda k, p: o.events.append((k, p))
    o.client.start()
    return o


def test_a_message_to_the_incident_reaches_both_units_and_their_receipts_show(
    qtbot: Any,
    window_factory: WindowFactory,
    linked: tuple[CommandHub, HubNode, KeyPair, list[Officer]],
    frozen_clock: FrozenClock,
    tmp_path: Path,
) -> None:
    hub, node, keys, officers = linked
    window = window_factory(hub, actor="op", role="operator", start=False)
    tools: CommsTools = install_comms_tools(window)
    window.start()
    qtbot.waitUntil(lambda: window.is_loaded, timeout=LOAD_TIMEOUT_MS)

    # a fight: two patrol groups, one supervisor approves; both units run a terminal
    op = InprocClient(hub, actor="op2", role="operator", workstation="desk-op")
    sup = InprocClient(hub, actor="sup", role="supervisor", workstation="desk-sup")
    try:
        r = op.call(CreateIncident(incident_type="fight", lon=SCENE[0], lat=SCENE[1]))
        assert r.ok, r.error
        iid = int(r.result["incident_id"])
        plan = op.call(GetPlan(incident_id=iid)).result
        assert isinstance(plan, PlanChanged)
        signs = sorted(str(s["call_sign"]) for s in plan.body["slots"])
        assert len(signs) == 2, f"test setup: a fight sends two units, not {signs}"
        for cs in signs:
            officers.append(_officer(node, keys, hub, cs, tmp_path, frozen_clock))
        for o in officers:
            qtbot.waitUntil(lambda o=o: o.client.connected, timeout=WAIT_MS)
        for _ in range(plan.approvals_needed):
            assert sup.call(ApprovePlan(plan_id=plan.plan_id)).ok
        for o in officers:
            qtbot.waitUntil(lambda o=o: bool(o.of("order")), timeout=WAIT_MS)
    finally:
        op.close()
        sup.close()

    # the operator selects the incident on the board and writes to all its units
    qtbot.waitUntil(lambda: window.incident_panel.select_incident(iid), timeout=WAIT_MS)
    panel = tools.messages
    assert panel.incident_id == iid
    box = panel.target_box
    box.setCurrentIndex(box.findData(TARGET_INCIDENT))
    assert panel.target() == TARGET_INCIDENT
    assert not panel.unit_box.isVisible() and not panel.station_box.isVisible()
    panel.text_edit.setPlainText(TEXT)
    with qtbot.waitSignal(panel.sent, timeout=WAIT_MS) as sent:
        qtbot.mouseClick(panel.send_button, Qt.MouseButton.LeftButton)
    reply = sent.args[0]
    assert sorted(reply["recipients"]) == signs and reply["without_terminal"] == []
    assert len(reply["message_ids"]) == 2
    assert panel.text_edit.toPlainText() == ""
    assert all(cs in panel.result_label.text() for cs in signs)

    # both terminals get it, addressed to the incident, once each
    for o in officers:
        qtbot.waitUntil(lambda o=o: bool(o.of("message")), timeout=WAIT_MS)
        (msg,) = o.of("message")
        assert (msg.text, msg.sender, msg.incident_id, msg.to) == (
            TEXT,
            "op",
            iid,
            f"incident:{iid}",
        )

    # the thread: one message, a row per unit; both delivered, then both read
    thread = panel.thread_view

    def top_and_units() -> tuple[list[str], dict[str, str]]:
        tree = thread.tree
        tops = [tree.topLevelItem(k) for k in range(tree.topLevelItemCount())]
        ours = [t for t in tops if t is not None and t.text(thread.TEXT) == TEXT]
        if len(ours) != 1:
            return [], {}
        top = ours[0]
        units: dict[str, str] = {}
        for k in range(top.childCount()):
            child = top.child(k)
            assert child is not None
            units[child.text(thread.WHO)] = child.text(thread.STATE)
        return [top.text(thread.WHO), top.text(thread.STATE)], units

    qtbot.waitUntil(lambda: thread.states() == {cs: "delivered" for cs in signs}, timeout=WAIT_MS)
    qtbot.waitUntil(lambda: top_and_units()[0][1:] == ["read 0/2 · delivered 2/2"], timeout=WAIT_MS)
    who, units = top_and_units()
    assert who[0] == f"op → every unit of incident #{iid}"
    assert sorted(units) == signs and all(v.startswith("delivered") for v in units.values())

    officers[0].client.read_message(officers[0].of("message")[0].message_id).result(10)
    qtbot.waitUntil(lambda: thread.states()[signs[0]] == "read", timeout=WAIT_MS)
    qtbot.waitUntil(lambda: top_and_units()[0][1:] == ["read 1/2 · delivered 2/2"], timeout=WAIT_MS)
    officers[1].client.read_message(officers[1].of("message")[0].message_id).result(10)
    qtbot.waitUntil(lambda: thread.states() == {cs: "read" for cs in signs}, timeout=WAIT_MS)
    qtbot.waitUntil(lambda: top_and_units()[0][1:] == ["read 2/2 · delivered 2/2"], timeout=WAIT_MS)
    assert all(v.startswith("read") for v in top_and_units()[1].values())

    # the hub's own record agrees: one row per unit, both read, addressed to the incident
    op = InprocClient(hub, actor="op2", role="operator", workstation="desk-op")
    try:
        rows = [r for r in op.call(GetMessages(incident_id=iid)).result if r["direction"] == "out"]
    finally:
        op.close()
    assert sorted((r["call_sign"], r["state"], r["to"]) for r in rows) == [
        (cs, "read", f"incident:{iid}") for cs in signs
    ]
