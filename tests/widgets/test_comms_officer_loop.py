"""Issue 16 on the console: the command room and an officer's terminal, both ways.

Real parts throughout: an embedded hub with its terminal link (CURVE on loopback), an
enrolled terminal (the library the officers' apps use) and the main window with the comms
tools installed.  A report from the scene shows up in the incident's message thread, its
photo as a thumbnail in the photos-and-clips dock; the operator's reply reaches the
terminal, and the terminal's "read" comes back onto the thread."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import cv2
import numpy as np
import pytest
from PySide6.QtCore import Qt

from console.hub.client import InprocClient
from console.hub.hub import CommandHub
from console.hub.messages import ApprovePlan, CreateIncident, GetPlan, PlanChanged
from console.link.keys import KeyPair, TerminalKey, load_or_create_hub_keys
from console.link.node import HubNode
from console.link.officer_loop import attach
from console.link.trust import enroll_keys
from console.terminal.client import TerminalClient
from console.terminal.localstore import SqliteStore
from tests.conftest import FrozenClock, HubFactory
from tests.widgets.conftest import LOAD_TIMEOUT_MS, WindowFactory
from widgets.comms_tools import CommsTools, install_comms_tools
from widgets.main_window import MainWindow
from widgets.workflow.messages_panel import TARGET_UNIT

pytestmark = pytest.mark.qt_log_ignore("This plugin does not support")
WAIT_MS = 30_000
SCENE = (121.4737, 31.2304)  # 南京东路步行街
REPORT = "现场：嫌疑人已被控制，伤者一名"
REPLY = "收到，120已出发，请保护现场"


class Rig:
    """The hub, its link node and the officers' terminals started on it."""

    def __init__(self, hub: CommandHub, node: HubNode, keys: KeyPair, tmp: Path) -> None:
        self.hub, self.node, self.keys, self.tmp = hub, node, keys, tmp
        self.terminals: list[tuple[TerminalClient, SqliteStore]] = []

    def terminal(
        self, call_sign: str, clock: Callable[[], float]
    ) -> tuple[TerminalClient, list[tuple[str, Any]]]:
        key = TerminalKey(call_sign, KeyPair.generate(), self.keys.public)
        enroll_keys(self.hub.store, [(call_sign, key.keys.public)])
        store = SqliteStore(self.tmp / f"terminal-{call_sign}.sqlite3")
        events: list[tuple[str, Any]] = []
        client = TerminalClient(
            key,
            self.node.link.endpoint,
            store,
            on_event=lambda k, p: events.append((k, p)),
            clock=clock,
        )
        self.terminals.append((client, store))
        client.start()
        return client, events


@pytest.fixture
def rig(hub_factory: HubFactory, frozen_clock: FrozenClock, tmp_path: Path) -> Iterator[Rig]:
    hub = hub_factory(clock=frozen_clock)
    keys = load_or_create_hub_keys(tmp_path / "hubkeys")
    node = HubNode(hub.store, keys, "tcp://127.0.0.1:0", hub=hub, clock=frozen_clock)
    attach(hub, node.link)
    node.start()
    r = Rig(hub, node, keys, tmp_path)
    yield r
    for client, store in r.terminals:
        client.stop()
        store.close()
    node.stop()


def _of(events: list[tuple[str, Any]], kind: str) -> list[Any]:
    return [p for k, p in list(events) if k == kind]


def _jpeg() -> bytes:
    """A 640×480 scene photo: a red frame on black (the thumbnail keeps the red)."""
    img = np.zeros((480, 640, 3), np.uint8)
    cv2.rectangle(img, (0, 0), (639, 479), (0, 0, 255), 60)
    ok, buf = cv2.imencode(".jpg", img, [cv2.IMWRITE_JPEG_QUALITY, 90])
    assert ok
    return buf.tobytes()


def _window(window_factory: WindowFactory, hub: CommandHub, qtbot: Any) -> MainWindow:
    w = window_factory(hub, actor="op", role="operator", start=False)
    w.comms = install_comms_tools(w)  # type: ignore[attr-defined]
    w.start()
    qtbot.waitUntil(lambda: w.is_loaded, timeout=LOAD_TIMEOUT_MS)
    return w


def _knife_attack_with_terminal(
    rig: Rig, qtbot: Any, clock: FrozenClock
) -> tuple[int, str, TerminalClient, list[tuple[str, Any]]]:
    """A knife attack (two approvals) whose first unit has a connected terminal that has
    received its order: (incident, call sign, terminal, its events)."""
    hub = rig.hub
    op = InprocClient(hub, actor="op", role="operator", workstation="desk-op")
    sups = [InprocClient(hub, actor=f"sup{k}", role="supervisor") for k in (1, 2)]
    try:
        r = op.call(CreateIncident(incident_type="knife_attack", lon=SCENE[0], lat=SCENE[1]))
        assert r.ok, r.error
        iid = int(r.result["incident_id"])
        plan = op.call(GetPlan(incident_id=iid)).result
        assert isinstance(plan, PlanChanged) and plan.status == "proposed"
        cs = str(plan.body["slots"][0]["call_sign"])
        client, events = rig.terminal(cs, clock)
        qtbot.waitUntil(lambda: client.connected, timeout=WAIT_MS)
        for k in range(plan.approvals_needed):
            assert sups[k].call(ApprovePlan(plan_id=plan.plan_id)).ok
        qtbot.waitUntil(lambda: bool(_of(events, "order")), timeout=WAIT_MS)
        return iid, cs, client, events
    finally:
        for c in (op, *sups):
            c.close()


def _wait_future(qtbot: Any, fut: Any) -> Any:
    qtbot.waitUntil(fut.done, timeout=WAIT_MS)
    return fut.result(0)


def test_a_report_from_the_scene_shows_with_its_photo_and_a_reply_goes_back(
    qtbot: Any, window_factory: WindowFactory, rig: Rig, frozen_clock: FrozenClock
) -> None:
    window = _window(window_factory, rig.hub, qtbot)
    tools: CommsTools = window.comms  # type: ignore[attr-defined]
    iid, cs, client, events = _knife_attack_with_terminal(rig, qtbot, frozen_clock)
    qtbot.waitUntil(lambda: window.incident_panel.select_incident(iid), timeout=WAIT_MS)
    assert tools.incident_id == iid  # both docks follow the board's selection
    thread = tools.messages.thread_view

    # the officer reports from the scene with a photo
    oid = _of(events, "order")[0].order.order_id
    photo = _jpeg()
    mid = _wait_future(qtbot, client.feedback(REPORT, oid, photo))
    qtbot.waitUntil(lambda: not client.is_unacked(mid), timeout=WAIT_MS)

    def report_rows() -> list[Any]:
        return [r for r in thread.rows if r.direction == "in"]

    qtbot.waitUntil(lambda: len(report_rows()) == 1, timeout=WAIT_MS)
    row = report_rows()[0]
    assert (row.call_sign, row.text, row.attachment_kind) == (cs, REPORT, "photo")
    top = thread.tree.topLevelItem(thread.tree.topLevelItemCount() - 1)
    assert top is not None and REPORT in top.text(thread.TEXT)
    assert cs in top.text(thread.WHO)

    # its photo as a thumbnail in the incident's photos and clips, red like the scene
    media = tools.media
    qtbot.waitUntil(lambda: media.list.count() == 1, timeout=WAIT_MS)
    (att,) = media.attachments
    assert (att.attachment_id, att.call_sign, att.kind) == (row.attachment_id, cs, "photo")
    assert (att.width, att.height) == (640, 480)
    icon = media.list.item(0).icon()
    img = icon.pixmap(media.list.iconSize()).toImage()
    assert not img.isNull()
    edge = img.pixelColor(img.width() // 2, img.height() // 2 - 50)  # inside the red frame
    assert edge.red() > 150 and edge.green() < 80 and edge.blue() < 80, edge.name()
    assert cs in media.list.item(0).text()
    assert "1" in media.summary_label.text()
    # opened large: the photo as filed; saved with the incident: the file and its list
    assert media.open_attachment(att.attachment_id)
    qtbot.waitUntil(lambda: att.attachment_id in media.viewers, timeout=WAIT_MS)
    viewer = media.viewers[att.attachment_id]
    assert viewer.data == photo and viewer.shown_size.width() > 0
    job = media.export_to(rig.tmp / "export")
    assert job is not None
    with qtbot.waitSignal(job.done, timeout=WAIT_MS) as done:
        pass
    folder, written, failed = done.args
    assert (written, failed) == (1, "")
    manifest = json.loads((Path(folder) / "attachments.json").read_text(encoding="utf-8"))
    (entry,) = manifest["files"]
    assert (Path(folder) / entry["file"]).read_bytes() == photo
    assert entry["unit"] == cs and entry["sha256"] == hashlib.sha256(photo).hexdigest()
    # the incident's chronology lists the report with its photo; a double-click shows it
    viewer.hide()
    chron = window.workflow.open_chronology(iid)
    qtbot.waitUntil(lambda: any(REPORT in t for t in chron.step_texts()), timeout=WAIT_MS)
    k = next(i for i, t in enumerate(chron.step_texts()) if REPORT in t)
    step = chron.table.item(k, chron.STEP)
    assert step is not None and not step.icon().isNull()
    with qtbot.waitSignal(chron.mediaRequested, timeout=WAIT_MS) as asked:
        chron.table.cellDoubleClicked.emit(k, chron.STEP)
    assert asked.args == [iid, att.attachment_id]
    assert viewer.isVisible() and tools.incident_id == iid
    chron.close()
    # the same thumbnail marks the report in the thread
    qtbot.waitUntil(lambda: row.attachment_id in tools._thumbs, timeout=WAIT_MS)
    top = thread.tree.topLevelItem(thread.tree.topLevelItemCount() - 1)
    assert top is not None and not top.icon(thread.TEXT).isNull()

    # the operator replies to that unit; the terminal gets the text
    panel = tools.messages
    panel.set_target(TARGET_UNIT, cs)
    panel.text_edit.setPlainText(REPLY)
    with qtbot.waitSignal(panel.sent, timeout=WAIT_MS) as sent:
        qtbot.mouseClick(panel.send_button, Qt.MouseButton.LeftButton)
    assert sent.args[0]["recipients"] == [cs] and sent.args[0]["without_terminal"] == []
    assert panel.text_edit.toPlainText() == ""
    qtbot.waitUntil(lambda: bool(_of(events, "message")), timeout=WAIT_MS)
    got = _of(events, "message")[0]
    assert got.text == REPLY and got.sender == "op" and got.incident_id == iid

    # delivered, then read by the officer: the thread follows the terminal's receipts
    qtbot.waitUntil(lambda: thread.states().get(cs) in ("delivered", "read"), timeout=WAIT_MS)
    _wait_future(qtbot, client.read_message(got.message_id))
    qtbot.waitUntil(lambda: thread.states() == {cs: "read"}, timeout=WAIT_MS)
    out = next(r for r in thread.rows if r.direction == "out")
    assert out.text == REPLY and out.read_at is not None


def test_the_tools_take_their_own_keys_and_follow_the_language(
    qtbot: Any, window_factory: WindowFactory, hub_factory: HubFactory, languages: Any
) -> None:
    window = window_factory(hub_factory(), languages=languages, start=False)
    tools = install_comms_tools(window)
    assert tools is window.comms_tools  # the main window installs them; a second call: same
    for key in ("messagesDock", "incidentMediaDock"):
        assert key in window.dock_keys()
    owners = window.shortcut_owners()
    assert all("comms tools" in owners[k] for k in ("Ctrl+Shift+I", "Ctrl+Shift+M"))
    # nothing to record while no order lacks a terminal: said so, nothing opens
    assert not tools.record_delivery()
    assert tools.deliveries == {}
    assert window.statusBar().currentMessage()
    # texts are re-read on a language switch (the dock titles through the window's API)
    languages.set_language("en")
    assert window.dock("messagesDock").windowTitle() == "Messages"
    assert window.dock("incidentMediaDock").windowTitle() == "Photos and clips"
    header = tools.messages.thread_view.tree.headerItem()
    assert header is not None and header.text(0) == "Time"
