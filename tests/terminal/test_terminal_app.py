"""The terminal app driven like an officer would, against a real hub over CURVE: a whole
order through its big buttons (acknowledge -> accept -> arrived -> photo -> finished),
with the banner and the alarm on the new order, and the photo and every step at the hub."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import cv2
import numpy as np
import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialogButtonBox, QFileDialog
from sqlalchemy import select

from console.hub.messages import GetChronology
from console.hub.messaging import GetAttachments, SendMessage
from console.store.models import OrderRow
from console.terminal.client import TerminalClient
from console.terminal.gps import FixedSource
from console.terminal.localstore import SqliteStore
from tests.terminal.conftest import REPORT, Loop
from widgets.terminal.alarm import Alarm
from widgets.terminal.bridge import TerminalBridge
from widgets.terminal.panels import ReasonDialog
from widgets.terminal.window import TerminalWindow

WAIT_MS = 30_000


def _state(loop: Loop, oid: str) -> str:
    with loop.hub.store.session() as s:
        return str(s.execute(select(OrderRow.state).where(OrderRow.id == oid)).scalar_one())


@pytest.fixture
def app_on_loop(loop: Loop, qtbot: Any, tmp_path: Path) -> Any:
    iid, plan = loop.knife_attack()
    slot = max(plan.body["slots"], key=lambda s: len(s["route_lon"]))
    key = loop.enroll(slot["call_sign"])
    store = SqliteStore(tmp_path / "officer.sqlite3")

    def make(on_event: Any) -> TerminalClient:
        return TerminalClient(key, loop.bind, store, on_event=on_event, clock=loop.clock)

    k = len(slot["route_lon"]) // 3
    source = FixedSource(slot["route_lon"][k], slot["route_lat"][k])
    bridge = TerminalBridge(make, source, poll_ms=200, position_ms=200).start()
    alarm = Alarm(muted=True)
    w = TerminalWindow(bridge, form="phone", alarm=alarm, camera=False)
    qtbot.addWidget(w)
    w.show()
    qtbot.waitUntil(lambda: bridge.client.connected, timeout=WAIT_MS)
    yield loop, iid, plan, w, alarm
    w.close()
    store.close()


def _visible(w: TerminalWindow) -> set[str]:
    return {a for a, b in w.action_bar.buttons.items() if b.isVisible()}


def test_an_officer_drives_a_whole_order_through_the_big_buttons(
    app_on_loop: Any, qtbot: Any, tmp_path: Path
) -> None:
    loop, iid, plan, w, alarm = app_on_loop
    click = lambda name: qtbot.mouseClick(w.action_bar.buttons[name], Qt.MouseButton.LeftButton)  # noqa: E731
    assert _visible(w) == set() and w.current is None
    loop.approve(plan)
    qtbot.waitUntil(lambda: w.current is not None, timeout=WAIT_MS)
    oid = w.order_id
    assert oid is not None
    # a new order: it rang, the red banner flashes, the card shows the caller's report
    assert alarm.rings == ["order"]
    assert w.banner.isVisible() and w.banner.kind == "alarm"
    text = w.card.label.text()
    assert "持刀伤人" in text and REPORT in text and "13800138000" in text
    assert w.steps.count() >= 2 and w.map.card is not None and len(w.map._route) >= 2
    assert _visible(w) == {"ack", "accept", "reject"}

    click("ack")
    qtbot.waitUntil(lambda: _state(loop, oid) == "read", timeout=WAIT_MS)
    qtbot.waitUntil(lambda: not w.banner.isVisible(), timeout=WAIT_MS)
    assert _visible(w) == {"accept", "reject"}

    click("accept")
    qtbot.waitUntil(lambda: _state(loop, oid) == "accepted", timeout=WAIT_MS)
    qtbot.waitUntil(lambda: _visible(w) == {"arrived", "photo", "reject"}, timeout=WAIT_MS)

    click("arrived")
    qtbot.waitUntil(lambda: _state(loop, oid) == "arrived", timeout=WAIT_MS)
    qtbot.waitUntil(lambda: _visible(w) == {"finish", "photo", "video"}, timeout=WAIT_MS)

    # a photo from a file: the officer picks it in the chooser
    img = np.full((900, 1200, 3), 90, np.uint8)
    cv2.putText(img, "PHOTO", (200, 450), cv2.FONT_HERSHEY_SIMPLEX, 6, (255, 255, 255), 12)
    photo = tmp_path / "scene.png"
    cv2.imwrite(str(photo), img)
    click("photo")
    chooser = w.dialog
    assert isinstance(chooser, QFileDialog) and chooser.isVisible()
    chooser.selectFile(str(photo))
    chooser.accept()
    qtbot.waitUntil(lambda: len(loop.ok(GetAttachments(incident_id=iid))) == 1, timeout=WAIT_MS)
    att = loop.ok(GetAttachments(incident_id=iid))[0]
    assert (att["kind"], att["order_id"], att["width"]) == ("photo", oid, 1200)

    # a message from the command room: shown, read when tapped
    loop.ok(SendMessage(text="救护车两分钟到", to_unit=w.bridge.unit, incident_id=iid))
    qtbot.waitUntil(lambda: w.messages.unread == 1, timeout=WAIT_MS)
    assert alarm.rings[-1] == "message"
    w.tabs.setCurrentWidget(w.messages)
    item = w.messages.list.item(w.messages.list.count() - 1)
    rect = w.messages.list.visualItemRect(item)
    qtbot.mouseClick(w.messages.list.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    qtbot.waitUntil(lambda: w.messages.unread == 0, timeout=WAIT_MS)

    click("finish")
    dialog = w.dialog
    assert isinstance(dialog, ReasonDialog) and dialog.isVisible()
    ok = dialog.buttons.button(QDialogButtonBox.StandardButton.Ok)
    assert not ok.isEnabled()  # an outcome is required
    qtbot.mouseClick(dialog.choices.buttons()[1], Qt.MouseButton.LeftButton)  # 嫌疑人已控制
    assert ok.isEnabled()
    qtbot.mouseClick(ok, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: _state(loop, oid) == "finished", timeout=WAIT_MS)
    qtbot.waitUntil(lambda: _visible(w) == set(), timeout=WAIT_MS)
    with loop.hub.store.session() as s:
        assert s.get(OrderRow, oid).outcome == "嫌疑人已控制"
    kinds = [e["kind"] for e in loop.ok(GetChronology(incident_id=iid))]
    for step in ("order_accepted", "order_arrived", "feedback", "order_finished"):
        assert step in kinds, step
    # every report reached the hub: the strip no longer says any is waiting for the network
    qtbot.waitUntil(lambda: w.strip.queue.text() == "", timeout=WAIT_MS)
    assert w.bridge.client.waiting_reports() == 0 and "在线" in w.strip.link.text()


def test_a_rejection_needs_a_reason_and_reaches_the_hub(app_on_loop: Any, qtbot: Any) -> None:
    loop, _iid, plan, w, _alarm = app_on_loop
    loop.approve(plan)
    qtbot.waitUntil(lambda: w.current is not None, timeout=WAIT_MS)
    oid = w.order_id
    assert oid is not None
    qtbot.mouseClick(w.action_bar.buttons["reject"], Qt.MouseButton.LeftButton)
    dialog = w.dialog
    assert isinstance(dialog, ReasonDialog)
    ok = dialog.buttons.button(QDialogButtonBox.StandardButton.Ok)
    assert not ok.isEnabled()
    qtbot.keyClicks(dialog.text, "   ")  # blanks are no reason
    assert not ok.isEnabled()
    dialog.text.clear()
    dialog.text.insert("车辆爆胎")  # what the input method commits (keyClicks is ASCII only)
    qtbot.mouseClick(ok, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: _state(loop, oid) == "rejected", timeout=WAIT_MS)
    with loop.hub.store.session() as s:
        assert s.get(OrderRow, oid).rejected_reason == "车辆爆胎"
    qtbot.waitUntil(lambda: not w.banner.isVisible() or w.banner.kind != "alarm", timeout=WAIT_MS)


def test_the_app_starts_from_its_command_line_and_reaches_the_hub(
    tmp_path: Path, config: Any
) -> None:
    """``python -m widgets.terminal --key ... --hub ...`` as an officer starts it: it connects,
    reports its fixed position, renders its window (phone form) and exits cleanly."""
    import subprocess
    import sys
    import time

    from console.link.keys import load_or_create_hub_keys, write_terminal_key

    keys = load_or_create_hub_keys(tmp_path / "hubkeys")
    lp = Loop(config, tmp_path, keys, time.time, f"sqlite:///{tmp_path / 'hub.sqlite3'}")
    try:
        spec = lp.hub.district.units[0]
        key = lp.enroll(spec.call_sign)
        key_file = tmp_path / "officer.key"
        write_terminal_key(key_file, key)
        shot = tmp_path / "app.png"
        env = {**os.environ, "QT_QPA_PLATFORM": "offscreen"}
        done = subprocess.run(
            [
                sys.executable,
                "-m",
                "widgets.terminal",
                "--key",
                str(key_file),
                "--hub",
                lp.bind,
                "--store",
                str(tmp_path / "app.sqlite3"),
                "--fixed",
                f"{spec.home_lon},{spec.home_lat}",
                "--form",
                "phone",
                "--mute",
                "--screenshot",
                str(shot),
            ],
            env=env,
            cwd=Path(__file__).resolve().parents[2],
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert done.returncode == 0, done.stderr[-2000:]
        assert shot.stat().st_size > 10_000
        i = lp.hub.situation.index[spec.call_sign]
        assert lp.hub.situation.fix_t[i] > 0, "the app's position never reached the hub"
    finally:
        lp.close()
