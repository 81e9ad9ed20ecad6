"""Issue 16: the terminal app off the network.  An officer holding an order keeps working
while the hub is down: acknowledge, accept, arrived and a photo are queued on the terminal,
the status strip says how many reports wait for the network and the messages list marks
the photo's report as waiting; when the hub is back the queue drains, the strip clears,
and the hub's store has every report exactly once.

Real parts: a command hub and its terminal link over CURVE on loopback (stopped and
started again on the same database and port), the officer app's window on a
:class:`TerminalBridge`, a photo file picked in the app's own file chooser."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import cv2
import numpy as np
import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QFileDialog
from sqlalchemy import func, select

from console.hub.messages import GetChronology
from console.hub.messaging import GetAttachments, GetMessages
from console.store.models import OrderRow
from console.store.models_trust import PhotoRow
from console.terminal.client import TerminalClient
from console.terminal.gps import FixedSource
from console.terminal.localstore import SqliteStore
from tests.terminal.conftest import Loop, wait_until
from widgets.terminal.alarm import Alarm
from widgets.terminal.bridge import TerminalBridge
from widgets.terminal.texts import say
from widgets.terminal.window import TerminalWindow

WAIT_MS = 30_000


def _order(loop: Loop, oid: str) -> OrderRow:
    with loop.hub.store.session() as s:
        row = s.get(OrderRow, oid)
        assert row is not None
        s.expunge(row)
        return row


def _visible(w: TerminalWindow) -> set[str]:
    return {a for a, b in w.action_bar.buttons.items() if b.isVisible()}


@pytest.fixture
def app_with_order(loop: Loop, qtbot: Any, tmp_path: Path) -> Iterator[tuple[int, TerminalWindow]]:
    """The knife attack's first unit runs the app and has received (and confirmed) its order."""
    iid, plan = loop.knife_attack()
    slot = plan.body["slots"][0]
    key = loop.enroll(slot["call_sign"])
    store = SqliteStore(tmp_path / "officer.sqlite3")

    def make(on_event: Any) -> TerminalClient:
        return TerminalClient(key, loop.bind, store, on_event=on_event, clock=loop.clock)

    source = FixedSource(slot["route_lon"][0], slot["route_lat"][0])
    bridge = TerminalBridge(make, source, poll_ms=200, position_ms=200).start()
    w = TerminalWindow(bridge, form="phone", alarm=Alarm(muted=True), camera=False)
    qtbot.addWidget(w)
    w.show()
    qtbot.waitUntil(lambda: bridge.client.connected, timeout=WAIT_MS)
    loop.approve(plan)
    qtbot.waitUntil(lambda: w.order_id is not None, timeout=WAIT_MS)
    oid = w.order_id
    assert oid is not None
    # the delivery receipt reached the hub: nothing waits before the network goes
    qtbot.waitUntil(lambda: _order(loop, oid).state == "delivered", timeout=WAIT_MS)
    qtbot.waitUntil(lambda: bridge.client.waiting_reports() == 0, timeout=WAIT_MS)
    yield iid, w
    w.close()
    store.close()


def test_reports_made_off_the_network_wait_and_reach_the_hub_exactly_once(
    loop: Loop, app_with_order: tuple[int, TerminalWindow], qtbot: Any, tmp_path: Path
) -> None:
    iid, w = app_with_order
    oid = w.order_id
    assert oid is not None
    client = w.bridge.client
    click = lambda name: qtbot.mouseClick(w.action_bar.buttons[name], Qt.MouseButton.LeftButton)  # noqa: E731
    qtbot.waitUntil(lambda: w.strip.queue.text() == "", timeout=WAIT_MS)

    # the hub goes away: the terminal hears nothing, drops its socket and tries afresh
    connects = client.member.connects
    loop.stop_hub()
    qtbot.waitUntil(lambda: client.member.connects > connects, timeout=WAIT_MS)

    # the officer carries on: every step is taken on the terminal and queued
    click("ack")
    qtbot.waitUntil(lambda: _visible(w) == {"accept", "reject"}, timeout=WAIT_MS)
    click("accept")
    qtbot.waitUntil(lambda: _visible(w) == {"arrived", "photo", "reject"}, timeout=WAIT_MS)
    click("arrived")
    qtbot.waitUntil(lambda: _visible(w) == {"finish", "photo", "video"}, timeout=WAIT_MS)
    img = np.full((600, 800, 3), 60, np.uint8)
    cv2.circle(img, (400, 300), 150, (0, 0, 255), -1)
    photo = tmp_path / "scene.png"
    cv2.imwrite(str(photo), img)
    click("photo")
    chooser = w.dialog
    assert isinstance(chooser, QFileDialog) and chooser.isVisible()
    chooser.selectFile(str(photo))
    chooser.accept()

    # four reports wait (read, accepted, arrived, the photo): said on the strip, in words
    qtbot.waitUntil(lambda: client.waiting_reports() == 4, timeout=WAIT_MS)
    qtbot.waitUntil(lambda: say("waiting", n=4) in w.strip.queue.text(), timeout=WAIT_MS)
    assert "4 条报告等待网络" in w.strip.queue.text()  # the words the officer reads (zh)
    assert w.strip.queue.toolTip() == say("waiting", n=4)
    assert w.current is not None and w.current.state == "arrived"
    # the photo's own line in the messages list is marked as waiting for the network
    qtbot.waitUntil(lambda: w.messages.list.count() == 1, timeout=WAIT_MS)
    assert say("pending_net") in w.messages.list.item(0).text()

    # the hub is back (same database, same port): the queue drains, the strip clears
    loop.start()
    qtbot.waitUntil(lambda: client.waiting_reports() == 0, timeout=WAIT_MS)
    qtbot.waitUntil(lambda: w.strip.queue.text() == "", timeout=WAIT_MS)
    qtbot.waitUntil(lambda: say("online") in w.strip.link.text(), timeout=WAIT_MS)
    assert w.strip.queue.toolTip() == ""
    qtbot.waitUntil(
        lambda: say("pending_net") not in w.messages.list.item(0).text(), timeout=WAIT_MS
    )
    assert "✓" in w.messages.list.item(0).text()

    # at the hub: the order moved through every step, each report taken exactly once
    row = _order(loop, oid)
    assert row.state == "arrived"
    assert row.read_at is not None and row.accepted_at is not None and row.arrived_at is not None
    kinds = [e["kind"] for e in loop.ok(GetChronology(incident_id=iid))]
    # (the read receipt has no chronology line: its time is the order's read_at above)
    for step in ("order_accepted", "order_arrived", "feedback"):
        assert kinds.count(step) == 1, (step, " ".join(kinds))
    atts = loop.ok(GetAttachments(incident_id=iid))
    assert [(a["kind"], a["order_id"], a["width"]) for a in atts] == [("photo", oid, 800)]
    inbound = [r for r in loop.ok(GetMessages(incident_id=iid)) if r["direction"] == "in"]
    assert [(r["text"], r["attachment_id"]) for r in inbound] == [
        (say("photo"), atts[0]["attachment_id"])
    ]
    with loop.hub.store.session() as s:
        assert s.scalar(select(func.count()).select_from(PhotoRow)) == 1


def test_the_strip_says_offline_while_the_hub_is_down(
    loop: Loop, app_with_order: tuple[int, TerminalWindow], qtbot: Any
) -> None:
    _iid, w = app_with_order
    client = w.bridge.client
    qtbot.waitUntil(lambda: say("online") in w.strip.link.text(), timeout=WAIT_MS)
    connects = client.member.connects
    loop.stop_hub()
    try:
        # the terminal noticed the silence and tried a new connection: nobody answered it
        qtbot.waitUntil(lambda: client.member.connects > connects, timeout=WAIT_MS)
        for _ in range(2):  # the strip has been told the state since that attempt
            with qtbot.waitSignal(w.bridge.link, timeout=WAIT_MS):
                pass
        assert say("offline") in w.strip.link.text()
        assert not client.connected
    finally:
        loop.start()


def test_a_resent_report_raises_its_alert_once(loop: Loop) -> None:
    iid, plan = loop.knife_attack()
    t = loop.terminal(plan.body["slots"][0]["call_sign"])
    loop.approve(plan)
    assert wait_until(lambda: bool(t.of("order")))
    oid = t.of("order")[0].order.order_id

    def report(s: Any) -> tuple[int, bytes]:
        mid = s.feedback("现场已控制", oid)
        return mid, dict(s.store.unacked())[mid]

    mid, frame = t.client._run(report).result(5)
    assert wait_until(lambda: not t.client.is_unacked(mid))
    # the very same frame again, as a terminal resends a report whose ack it never got
    t.client._run(lambda s: s.out.append(frame)).result(5)
    assert wait_until(lambda: t.of("ack").count(mid) == 2), "the hub never acked the resend"
    kinds = [e["kind"] for e in loop.ok(GetChronology(incident_id=iid))]
    assert kinds.count("feedback") == 1  # filed once (this holds)
    assert kinds.count("alert_feedback") == 1, " ".join(kinds)
