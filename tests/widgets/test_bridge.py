"""The bridge delivers hub events and replies on the GUI thread, never blocking it."""

from __future__ import annotations

import gc
import os
import threading
from collections.abc import Callable, Iterator
from concurrent.futures import Future

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import numpy as np
import pytest
from PySide6.QtCore import QThread, QTimer
from PySide6.QtWidgets import QApplication, QWidget

from console.hub.messages import (
    Alert,
    Command,
    Event,
    GetSnapshot,
    IncidentChanged,
    IncidentState,
    Reply,
    SetUnitStatus,
    UnitsMoved,
)
from widgets.bridge import HubBridge
from widgets.frame_pacer import FramePacer


class ThreadedClient:
    """A HubClient whose events and replies come from a plain Python thread, like the hub's."""

    actor = "tester"
    role = "operator"
    workstation = "test"

    def __init__(self) -> None:
        self.subscribers: list[Callable[[Event], None]] = []
        self.requests: list[Command] = []

    def request(self, command: Command) -> Future[Reply]:
        self.requests.append(command)
        fut: Future[Reply] = Future()
        if isinstance(command, GetSnapshot):
            threading.Timer(0.05, fut.set_result, [Reply(len(self.requests), True, "snap")]).start()
        elif isinstance(command, SetUnitStatus):
            threading.Timer(0.05, fut.set_exception, [ConnectionError("socket closed")]).start()
        # anything else never answers
        return fut

    def subscribe(self, callback: Callable[[Event], None]) -> Callable[[], None]:
        self.subscribers.append(callback)
        return lambda: self.subscribers.remove(callback)

    def close(self) -> None:
        self.subscribers.clear()

    def emit_from_thread(self, events: list[Event]) -> threading.Thread:
        def run() -> None:
            for ev in events:
                for cb in list(self.subscribers):
                    cb(ev)

        t = threading.Thread(target=run, name="fake-hub")
        t.start()
        return t


def _incident(i: int) -> IncidentState:
    return IncidentState(
        id=i,
        incident_type="fight",
        status="new",
        priority=2,
        force_level=2,
        manpower=4,
        lon=121.48,
        lat=31.23,
        address="南京东路",
        created_at=1.0,
        source="call",
    )


def _moves(n: int) -> UnitsMoved:
    return UnitsMoved(
        t=1.0,
        idx=np.arange(n, dtype=np.int32).tobytes(),
        lon=np.full(n, 121.48).tobytes(),
        lat=np.full(n, 31.23).tobytes(),
        fix_t=np.ones(n).tobytes(),
    )


def test_events_from_a_python_thread_arrive_on_the_gui_thread(qtbot, qapp: QApplication) -> None:
    client = ThreadedClient()
    bridge = HubBridge(client)
    bridge.start()
    gui_thread = qapp.thread()
    seen: list[tuple[str, object, bool]] = []

    def slot(name: str) -> Callable[[object], None]:
        return lambda ev: seen.append((name, ev, QThread.currentThread() is gui_thread))

    bridge.unitsMoved.connect(slot("moved"))
    bridge.incidentChanged.connect(slot("incident"))
    bridge.alert.connect(slot("alert"))
    events: list[Event] = [
        _moves(3),
        IncidentChanged(seq=2, incident=_incident(7)),
        Alert(seq=3, level="warning", kind="ack_timeout", text="超时"),
    ]
    events[0].seq = 1
    thread = client.emit_from_thread(events)
    thread.join(5)
    with qtbot.waitSignal(bridge.alert, timeout=5000):
        pass
    assert [name for name, _, _ in seen] == ["moved", "incident", "alert"]
    assert all(on_gui for _, _, on_gui in seen), "a slot ran off the GUI thread"
    assert seen[1][1].incident.address == "南京东路"  # type: ignore[attr-defined]
    assert bridge.events_received == 3
    bridge.close()


def test_generic_event_signal_follows_each_typed_one(qtbot) -> None:
    client = ThreadedClient()
    bridge = HubBridge(client)
    bridge.start()
    order: list[str] = []
    bridge.incidentChanged.connect(lambda ev: order.append("typed"))
    bridge.event.connect(lambda ev: order.append("generic"))
    client.emit_from_thread([IncidentChanged(seq=1, incident=_incident(1))]).join(5)
    qtbot.waitUntil(lambda: len(order) == 2, timeout=5000)
    assert order == ["typed", "generic"]
    bridge.close()


def test_sequence_gap_is_reported(qtbot) -> None:
    client = ThreadedClient()
    bridge = HubBridge(client)
    bridge.start()
    gaps: list[tuple[int, int]] = []
    bridge.gap.connect(lambda a, b: gaps.append((a, b)))
    client.emit_from_thread(
        [IncidentChanged(seq=s, incident=_incident(s)) for s in (5, 6, 9)]
    ).join(5)
    qtbot.waitUntil(lambda: bridge.last_seq == 9, timeout=5000)
    assert gaps == [(6, 9)]
    bridge.close()


def test_reply_arrives_on_gui_thread_without_blocking(qtbot, qapp: QApplication) -> None:
    bridge = HubBridge(ThreadedClient())
    got: list[tuple[Reply, bool]] = []
    bridge.call(GetSnapshot(), lambda r: got.append((r, QThread.currentThread() is qapp.thread())))
    assert got == []  # call() returned before the reply exists: nothing blocked
    with qtbot.waitSignal(bridge.connectionChanged, timeout=5000) as blocker:
        pass
    assert blocker.args == [True]
    assert len(got) == 1
    reply, on_gui = got[0]
    assert reply.ok and reply.result == "snap"
    assert on_gui
    assert bridge.connected


def test_failed_request_becomes_an_error_reply(qtbot) -> None:
    bridge = HubBridge(ThreadedClient())
    got: list[Reply] = []
    bridge.call(SetUnitStatus(call_sign="黄浦101", status="available"), got.append)
    qtbot.waitUntil(lambda: bool(got), timeout=5000)
    assert not got[0].ok
    assert got[0].request_id == -1
    assert "ConnectionError" in got[0].error and "socket closed" in got[0].error
    assert not bridge.connected


def test_request_without_answer_times_out_once(qtbot) -> None:
    bridge = HubBridge(ThreadedClient())
    got: list[Reply] = []
    bridge.call(NeverAnswered(), got.append, timeout_s=0.2)
    qtbot.waitUntil(lambda: bool(got), timeout=5000)
    qtbot.wait(300)
    assert len(got) == 1
    assert "no reply" in got[0].error


def test_closed_bridge_drops_late_events(qtbot) -> None:
    client = ThreadedClient()
    bridge = HubBridge(client)
    bridge.start()
    callback = client.subscribers[0]
    bridge.close()
    assert client.subscribers == []
    seen: list[object] = []
    bridge.event.connect(seen.append)
    threading.Thread(target=callback, args=(_moves(1),)).start()  # a callback already in flight
    qtbot.wait(100)
    assert seen == []


class NeverAnswered(Command):
    """A command the fake client never answers."""


@pytest.fixture(autouse=True)
def _no_leftover_threads() -> Iterator[None]:
    yield
    for t in threading.enumerate():
        if isinstance(t, threading.Timer):
            t.join(2)


def test_the_first_drain_after_a_frame_lets_the_event_loop_go_round(qtbot) -> None:
    top = QWidget()
    qtbot.addWidget(top)
    pacer = FramePacer(top, 60_000)  # frames only when flushed
    top.show()
    qtbot.waitExposed(top)
    client = ThreadedClient()
    bridge = HubBridge(client)
    bridge.start()
    bridge.yield_after_frames(pacer)
    # held weakly: window -> bridge -> pacer -> window would be a cycle only the collector
    # frees, on whichever thread it happens to run (a Qt object deleted there crashes)
    assert not any(r is pacer for r in gc.get_referents(*vars(bridge).values()))
    order: list[str] = []
    bridge.event.connect(lambda ev: order.append("event"))
    client.emit_from_thread([IncidentChanged(seq=1, incident=_incident(1))]).join(5)
    assert bridge.pending_events() == 1  # its drain is queued
    top.update()
    pacer.flush()  # a frame is painted before the queued drain runs
    QTimer.singleShot(0, lambda: order.append("after the frame"))  # queued after the drain
    qtbot.waitUntil(lambda: "event" in order, timeout=5000)
    assert order == ["after the frame", "event"]  # the drain yielded once, then delivered
    client.emit_from_thread([IncidentChanged(seq=2, incident=_incident(2))]).join(5)
    QTimer.singleShot(0, lambda: order.append("no frame"))
    qtbot.waitUntil(lambda: order.count("event") == 2, timeout=5000)
    assert order[2:] == ["event", "no frame"]  # without a frame between, no yield
    bridge.close()
