"""Issue 16: the terminal app's status menu.  The officer picks available, busy or off duty
on the status strip; each choice reaches the hub (its live situation and the unit's row in
the store) and the app shows the choice, also after switching language.

Real parts: a command hub and its terminal link over CURVE on loopback, the officer app's
window on a :class:`TerminalBridge` for a unit with no order."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import pytest

from console.domain import UnitStatus
from console.store.models import UnitRow
from console.terminal.client import TerminalClient
from console.terminal.gps import FixedSource
from console.terminal.localstore import SqliteStore
from tests.terminal.conftest import Loop
from widgets.terminal.alarm import Alarm
from widgets.terminal.bridge import TerminalBridge
from widgets.terminal.texts import say
from widgets.terminal.window import TerminalWindow

WAIT_MS = 30_000


@pytest.fixture
def app(loop: Loop, qtbot: Any, tmp_path: Path) -> Iterator[TerminalWindow]:
    """The app of a station unit that holds no order, connected to the hub."""
    spec = next(u for u in loop.hub.district.units if u.station_code)
    key = loop.enroll(spec.call_sign)
    store = SqliteStore(tmp_path / "officer.sqlite3")

    def make(on_event: Any) -> TerminalClient:
        return TerminalClient(key, loop.bind, store, on_event=on_event, clock=loop.clock)

    bridge = TerminalBridge(
        make, FixedSource(spec.home_lon, spec.home_lat), poll_ms=200, position_ms=200
    ).start()
    w = TerminalWindow(bridge, form="phone", alarm=Alarm(muted=True), camera=False)
    qtbot.addWidget(w)
    w.show()
    qtbot.waitUntil(lambda: bridge.client.connected, timeout=WAIT_MS)
    qtbot.waitUntil(lambda: w.strip.unit.text() == spec.call_sign, timeout=WAIT_MS)
    yield w
    w.close()
    store.close()


def _hub_status(loop: Loop, call_sign: str) -> tuple[UnitStatus, str]:
    """(the live situation's status, the store's) of a unit."""
    i = loop.hub.situation.index[call_sign]
    uid = loop.hub.incidents.unit_id_of(call_sign)
    with loop.hub.store.session() as s:
        row = s.get(UnitRow, uid)
        assert row is not None
        return loop.hub.situation.status_of(i), str(row.status)


def _choose(w: TerminalWindow, key: str) -> None:
    """Pick ``key``'s entry in the status button's menu, as the officer's tap does."""
    menu = w.strip.status.menu()
    assert menu is not None
    (act,) = [a for a in menu.actions() if a.text() == say(key, w.lang)]
    act.trigger()


@pytest.mark.parametrize("lang_switch", [False, True], ids=["zh", "then_en"])
def test_each_status_choice_reaches_the_hub_and_shows_in_the_app(
    loop: Loop, app: TerminalWindow, qtbot: Any, lang_switch: bool
) -> None:
    w = app
    cs = w.bridge.unit
    assert _hub_status(loop, cs) == (UnitStatus.AVAILABLE, "available")
    assert w.strip.status.text() == say("status")  # nothing chosen yet
    for key, wire in (("off_duty", "off_duty"), ("busy", "on_scene"), ("available", "available")):
        _choose(w, key)
        # the store's row and the live situation are two writes on the hub thread: the
        # test thread may read one before the other, so it waits for both
        want = (UnitStatus(wire), wire)
        qtbot.waitUntil(lambda want=want: _hub_status(loop, cs) == want, timeout=WAIT_MS)
        # the app shows the choice: on the button, ticked in the menu
        assert w.strip.status.text() == say(key, w.lang)
        assert w.duty_status == wire
        ticked = [a.text() for a in w.strip.status_actions.values() if a.isChecked()]
        assert ticked == [say(key, w.lang)]
        # and the report reached the hub: nothing waits for the network
        qtbot.waitUntil(lambda: w.bridge.client.waiting_reports() == 0, timeout=WAIT_MS)
        qtbot.waitUntil(lambda: w.strip.queue.text() == "", timeout=WAIT_MS)
        if lang_switch and key == "off_duty":
            # the officer switches to English: the choice is still shown, in English, and
            # the rebuilt strip still hears the link (online, in English)
            w.toggle_language()
            assert w.lang == "en"
            assert w.strip.status.text() == "Off duty"
            qtbot.waitUntil(lambda: "online" in w.strip.link.text(), timeout=WAIT_MS)
    assert w.strip.status.text() == say("available", w.lang)
