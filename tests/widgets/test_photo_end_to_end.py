"""Issue 16, both halves in one: a photo the officer picks in the terminal app (its photo
button and file chooser, a real image file) travels over the terminal link to the hub and
shows as a thumbnail in the console's photos-and-clips dock of that incident.

Real parts: an embedded hub with its terminal link (CURVE on loopback), the officer app's
window on a :class:`TerminalBridge`, the console's main window with its comms tools."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import cv2
import numpy as np
import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QFileDialog

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
from widgets.terminal.alarm import Alarm
from widgets.terminal.bridge import TerminalBridge
from widgets.terminal.window import TerminalWindow

pytestmark = pytest.mark.qt_log_ignore("This plugin does not support")
WAIT_MS = 30_000
SCENE = (121.4737, 31.2304)  # 南京东路步行街


@pytest.fixture
def linked_hub(
    hub_factory: HubFactory, frozen_clock: FrozenClock, tmp_path: Path
) -> Iterator[tuple[CommandHub, HubNode, KeyPair]]:
    hub = hub_factory(clock=frozen_clock)
    keys = load_or_create_hub_keys(tmp_path / "hubkeys")
    node = HubNode(hub.store, keys, "tcp://127.0.0.1:0", hub=hub, clock=frozen_clock)
    attach(hub, node.link)
    node.start()
    yield hub, node, keys
    node.stop()


def _visible(w: TerminalWindow) -> set[str]:
    return {a for a, b in w.action_bar.buttons.items() if b.isVisible()}


def test_a_photo_picked_in_the_app_shows_as_a_thumbnail_on_the_console(
    qtbot: Any,
    window_factory: WindowFactory,
    linked_hub: tuple[CommandHub, HubNode, KeyPair],
    frozen_clock: FrozenClock,
    tmp_path: Path,
) -> None:
    hub, node, keys = linked_hub
    window = window_factory(hub, actor="op", role="operator", start=False)
    tools: CommsTools = install_comms_tools(window)
    window.start()
    qtbot.waitUntil(lambda: window.is_loaded, timeout=LOAD_TIMEOUT_MS)

    # a fight; its first unit runs the officer app
    op = InprocClient(hub, actor="op2", role="operator", workstation="desk-op")
    sup = InprocClient(hub, actor="sup", role="supervisor", workstation="desk-sup")
    try:
        r = op.call(CreateIncident(incident_type="fight", lon=SCENE[0], lat=SCENE[1]))
        assert r.ok, r.error
        iid = int(r.result["incident_id"])
        plan = op.call(GetPlan(incident_id=iid)).result
        assert isinstance(plan, PlanChanged)
        cs = str(plan.body["slots"][0]["call_sign"])
        key = TerminalKey(cs, KeyPair.generate(), keys.public)
        enroll_keys(hub.store, [(cs, key.keys.public)])
        store = SqliteStore(tmp_path / "officer.sqlite3")

        def make(on_event: Any) -> TerminalClient:
            return TerminalClient(
                key, node.link.endpoint, store, on_event=on_event, clock=frozen_clock
            )

        bridge = TerminalBridge(make, poll_ms=200).start()
        app = TerminalWindow(bridge, form="phone", alarm=Alarm(muted=True), camera=False)
        qtbot.addWidget(app)
        app.show()
        qtbot.waitUntil(lambda: bridge.client.connected, timeout=WAIT_MS)
        for _ in range(plan.approvals_needed):
            assert sup.call(ApprovePlan(plan_id=plan.plan_id)).ok
    finally:
        op.close()
        sup.close()
    try:
        qtbot.waitUntil(lambda: app.order_id is not None, timeout=WAIT_MS)
        oid = app.order_id

        # the console follows the incident: no photos yet
        qtbot.waitUntil(lambda: window.incident_panel.select_incident(iid), timeout=WAIT_MS)
        media = tools.media
        assert tools.incident_id == iid and media.list.count() == 0

        # the officer accepts, then sends a photo from a file through the app's chooser
        qtbot.mouseClick(app.action_bar.buttons["accept"], Qt.MouseButton.LeftButton)
        qtbot.waitUntil(lambda: "photo" in _visible(app), timeout=WAIT_MS)
        img = np.zeros((900, 1200, 3), np.uint8)
        cv2.rectangle(img, (0, 0), (1199, 899), (0, 0, 255), 120)  # a red frame on black
        photo = tmp_path / "scene.png"
        assert cv2.imwrite(str(photo), img)
        qtbot.mouseClick(app.action_bar.buttons["photo"], Qt.MouseButton.LeftButton)
        chooser = app.dialog
        assert isinstance(chooser, QFileDialog) and chooser.isVisible()
        chooser.selectFile(str(photo))
        chooser.accept()
        qtbot.waitUntil(lambda: bridge.client.waiting_reports() == 0, timeout=WAIT_MS)
        assert app.messages.list.count() == 1  # the officer's own line: the photo report

        # the console: one thumbnail, of this unit and order, red where the frame is
        qtbot.waitUntil(lambda: media.list.count() == 1, timeout=WAIT_MS)
        (att,) = media.attachments
        assert (att.call_sign, att.kind, att.width, att.height) == (cs, "photo", 1200, 900)
        assert att.order_id == oid
        item = media.list.item(0)
        assert cs in item.text()
        img_shown = item.icon().pixmap(media.list.iconSize()).toImage()
        assert not img_shown.isNull()
        px = img_shown.pixelColor(img_shown.width() // 2, 3)  # on the top of the red frame
        assert px.red() > 150 and px.green() < 80 and px.blue() < 80, px.name()
        assert "1" in media.summary_label.text()
    finally:
        app.close()
        store.close()
