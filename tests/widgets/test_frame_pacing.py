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

from widgets.frame_pacer import FramePacer
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
