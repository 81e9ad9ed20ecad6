"""Repaints paced by the main window's FramePacer; repeating timers spread over their
interval (widgets/frame_pacer.py, widgets/ticks.py; bench/shift.py measures the stalls)."""

from __future__ import annotations

import os
from typing import Any

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import itertools

import pytest
from PySide6.QtCore import QEvent, Qt, QTimer
from PySide6.QtGui import QPaintEvent
from PySide6.QtWidgets import QApplication, QVBoxLayout, QWidget

from widgets.frame_pacer import LISTS_LANE, MAP_LANE, FramePacer, InTurn
from widgets.ticks import PHASE_STEP_MS, phase_ms, start_spread

pytestmark = pytest.mark.qt_log_ignore("This plugin does not support")


class Counter(QWidget):
    """Counts its paint events."""

    def __init__(self, parent: QWidget) -> None:
        super().__init__(parent)
        self.paints = 0
        self.setMinimumSize(80, 60)

    def paintEvent(self, event: QPaintEvent) -> None:
        self.paints += 1


def _window(qtbot: Any, gap_ms: int) -> tuple[QWidget, Counter, FramePacer]:
    top = QWidget()
    qtbot.addWidget(top)
    child = Counter(top)
    QVBoxLayout(top).addWidget(child)
    pacer = FramePacer(top, gap_ms)
    top.show()
    qtbot.waitExposed(top)
    qtbot.waitUntil(lambda: child.paints > 0)
    return top, child, pacer


def test_an_update_is_painted_by_the_next_frame(qtbot: Any) -> None:
    _top, child, pacer = _window(qtbot, 20)
    before, frames = child.paints, pacer.frames
    child.update()
    qtbot.waitUntil(lambda: child.paints > before)
    assert pacer.frames > frames  # painted by a frame of the pacer, not by Qt's own request
    assert pacer.held > 0


def test_updates_between_frames_are_held_then_painted_in_one_frame(qtbot: Any) -> None:
    _top, child, pacer = _window(qtbot, 60_000)  # the next frame is a minute away
    pacer.flush()
    painted = child.paints
    for _ in range(10):
        child.update()
        QApplication.processEvents()
    assert child.paints == painted  # held: nothing painted between frames
    assert pacer.held >= 1
    pacer.flush()
    assert child.paints == painted + 1  # all ten updates in one repaint
    pacer.flush()
    assert child.paints == painted + 1  # nothing dirty: nothing painted


def test_other_events_and_other_windows_pass(qtbot: Any) -> None:
    top, child, pacer = _window(qtbot, 60_000)
    other = Counter(None)  # type: ignore[arg-type]
    qtbot.addWidget(other)
    other.show()
    qtbot.waitExposed(other)
    qtbot.waitUntil(lambda: other.paints > 0)
    n = other.paints
    other.update()
    qtbot.waitUntil(lambda: other.paints > n)  # another top-level window is not paced
    top.setWindowTitle("paced")  # non-paint events reach the window as ever
    assert top.windowTitle() == "paced"
    assert not pacer.eventFilter(child, QEvent(QEvent.Type.UpdateRequest))


def test_spread_timers_get_distinct_phases_and_run_at_once() -> None:
    for interval in (500, 1000):
        phases = [phase_ms(k, interval) for k in range(10)]
        assert len(set(phases)) == 10
        gaps = sorted(phases)
        assert min(b - a for a, b in itertools.pairwise(gaps)) >= 50
    assert phase_ms(1, 1000) == PHASE_STEP_MS


def test_a_spread_timer_is_active_at_once_and_stays_stopped_when_stopped(qtbot: Any) -> None:
    owner = QWidget()
    qtbot.addWidget(owner)
    ticks: list[int] = []
    timers = []
    for _ in range(3):
        t = QTimer(owner)
        t.setInterval(100)
        t.timeout.connect(lambda: ticks.append(1))
        start_spread(t)
        assert t.isActive() and t.timerType() == Qt.TimerType.PreciseTimer
        timers.append(t)
    timers[-1].stop()  # before its phase shift
    qtbot.wait(250)
    assert not timers[-1].isActive()  # the phase shift does not start a stopped timer
    assert timers[0].isActive() and timers[1].isActive()
    assert ticks  # the running ones ticked


# ------------------------------------------------------------------ turns


def _two_painters(qtbot: Any, gap_ms: int = 60_000) -> tuple[Counter, Counter, FramePacer]:
    """Two counting widgets in one paced window (by default frames come only when the
    test flushes)."""
    top = QWidget()
    qtbot.addWidget(top)
    a, b = Counter(top), Counter(top)
    lay = QVBoxLayout(top)
    lay.addWidget(a)
    lay.addWidget(b)
    pacer = FramePacer(top, gap_ms)
    top.show()
    qtbot.waitExposed(top)
    qtbot.waitUntil(lambda: a.paints > 0 and b.paints > 0)
    pacer.flush()
    return a, b, pacer


def test_the_map_and_the_lists_take_alternate_frames(qtbot: Any) -> None:
    """Both lanes busy every frame: each frame paints one of them, never both."""
    a, b, pacer = _two_painters(qtbot)
    painted: list[tuple[str | None, int, int]] = []
    for _ in range(6):
        pacer.in_turn(MAP_LANE, a, a.update)
        pacer.in_turn(LISTS_LANE, b, b.update)
        before = (a.paints, b.paints)
        lane = pacer.take_turn()
        pacer.flush()
        painted.append((lane, a.paints - before[0], b.paints - before[1]))
    assert painted == [(MAP_LANE, 1, 0), (LISTS_LANE, 0, 1)] * 3  # alternate, none starved
    assert pacer.turns == {MAP_LANE: 3, LISTS_LANE: 3}
    assert pacer.take_turn() == MAP_LANE  # the map's last step, handed in meanwhile
    assert pacer.take_turn() is None  # nothing waits


def test_turns_come_between_frames_by_themselves(qtbot: Any) -> None:
    """Left to its timers, the pacer paints each turn's changes in a frame of their own:
    a turn runs only after the previous turn's frame."""
    a, b, pacer = _two_painters(qtbot, 20)
    seen: list[tuple[int, int, int]] = []  # (frame, a painted, b painted)

    def frames_of(w: Counter) -> None:
        base = type(w).paintEvent

        def paint(event: QPaintEvent, w: Counter = w) -> None:
            seen.append((pacer.frames, int(w is a), int(w is b)))
            base(w, event)

        w.paintEvent = paint  # type: ignore[method-assign]

    frames_of(a)
    frames_of(b)
    for _ in range(5):
        pacer.in_turn(MAP_LANE, a, a.update)
        pacer.in_turn(LISTS_LANE, b, b.update)
        qtbot.wait(15)
    qtbot.waitUntil(lambda: pacer.waiting(MAP_LANE) + pacer.waiting(LISTS_LANE) == 0)
    qtbot.wait(60)
    by_frame: dict[int, set[int]] = {}
    for frame, pa, _pb in seen:
        by_frame.setdefault(frame, set()).add(0 if pa else 1)
    assert by_frame and all(len(v) == 1 for v in by_frame.values()), by_frame
    assert pacer.turns[MAP_LANE] >= 2 and pacer.turns[LISTS_LANE] >= 2


def test_a_lane_alone_goes_in_the_next_frame_once_per_key(qtbot: Any) -> None:
    a, b, pacer = _two_painters(qtbot)
    ran: list[str] = []
    for _ in range(3):  # the same key three times: one step
        pacer.in_turn(LISTS_LANE, b, lambda: ran.append("b"))
    pacer.in_turn(LISTS_LANE, a, lambda: ran.append("a"))
    assert pacer.waiting(LISTS_LANE) == 2 and ran == []
    pacer.flush()
    assert ran == []  # a frame paints; steps run in turns
    assert pacer.take_turn() == LISTS_LANE
    assert ran == ["b", "a"]  # in the order handed in
    assert pacer.waiting(LISTS_LANE) == 0
    pacer.in_turn(LISTS_LANE, b, lambda: ran.append("b"))  # lists again, map idle
    assert pacer.take_turn() == LISTS_LANE
    assert ran == ["b", "a", "b"]


def test_without_a_flush_the_timer_brings_the_turn(qtbot: Any) -> None:
    """A step handed in with nothing dirty still gets its frame (the pacer arms itself)."""
    top = QWidget()
    qtbot.addWidget(top)
    pacer = FramePacer(top, 20)
    top.show()
    qtbot.waitExposed(top)
    ran: list[int] = []
    pacer.in_turn(MAP_LANE, "k", lambda: ran.append(1))
    qtbot.waitUntil(lambda: ran == [1])


def test_a_failing_step_is_logged_and_the_others_still_run(qtbot: Any, caplog: Any) -> None:
    _a, _b, pacer = _two_painters(qtbot)
    ran: list[str] = []

    def broken() -> None:
        raise ValueError("a panel's bug")

    pacer.in_turn(LISTS_LANE, "broken", broken)
    pacer.in_turn(LISTS_LANE, "fine", lambda: ran.append("fine"))
    pacer.take_turn()
    assert ran == ["fine"]
    assert "a lists step failed" in caplog.text and "a panel's bug" in caplog.text


def test_a_step_handed_in_during_its_turn_waits_for_the_next(qtbot: Any) -> None:
    _a, _b, pacer = _two_painters(qtbot)
    ran: list[int] = []

    def again() -> None:
        ran.append(len(ran))
        pacer.in_turn(LISTS_LANE, "again", again)  # never loops within one frame

    pacer.in_turn(LISTS_LANE, "again", again)
    pacer.take_turn()
    assert ran == [0]
    pacer.take_turn()
    assert ran == [0, 1]


def test_in_turn_runs_at_once_without_a_live_pacer(qtbot: Any) -> None:
    _a, _b, pacer = _two_painters(qtbot)
    turn = InTurn(LISTS_LANE)
    ran: list[int] = []
    turn("k", lambda: ran.append(1))
    assert ran == [1] and not turn.attached  # on its own: at once, as ever
    turn.attach(pacer)
    assert turn.attached
    turn("k", lambda: ran.append(2))
    assert ran == [1] and pacer.waiting(LISTS_LANE) == 1
    pacer.take_turn()
    assert ran == [1, 2]
    lone = FramePacer(QWidget())
    turn.attach(lone)
    del lone  # the pacer is held weakly: gone, the steps run at once again
    import gc

    gc.collect()
    turn("k", lambda: ran.append(3))
    assert ran == [1, 2, 3] and not turn.attached
