"""Repeating refreshes spread over their interval instead of all in one event-loop pass.

The window has about ten repeating timers (the board's ages, the status bar's clock,
the stale-unit list, the map's staleness check, the unit lists, the plan queue's ages,
...).  Created in one constructor pass with Qt's default *coarse* timer type, the
1-second ones fire in the same pass -- Qt even moves coarse timers by up to 5 % so that
they wake together -- and under load that pass plus the repaint it caused was the
longest freeze of the operator's screen: 8 timers, 150 ms (``bench/shift.py``, issue 15).

:func:`start_spread` starts such a timer as a *precise* timer (it keeps its own phase)
and moves its phase by a step no other spread timer shares, so two refreshes of the
same interval never run back to back.
"""

from __future__ import annotations

import itertools

from PySide6.QtCore import Qt, QTimer

PHASE_STEP_MS = 50
"""Phase step between successive timers: the window's nine (and a tenth) land 50 ms
apart whether their interval is 500 ms or 1 s (an eleventh shares the first's phase)."""

_order = itertools.count()


def phase_ms(k: int, interval_ms: int) -> int:
    """The phase of the ``k``-th spread timer within ``interval_ms``."""
    return (k * PHASE_STEP_MS) % max(interval_ms, 1)


def start_spread(timer: QTimer) -> None:
    """Start a repeating ``timer`` now, then move it to its own phase of its interval.

    It is active at once (``stop()`` works as before); ``phase`` ms later it is started
    again, which moves its ticks by ``phase`` -- skipped if it was stopped or deleted
    meanwhile."""
    timer.setTimerType(Qt.TimerType.PreciseTimer)
    timer.start()
    phase = phase_ms(next(_order), timer.interval())
    if phase:
        QTimer.singleShot(phase, timer, lambda: timer.start() if timer.isActive() else None)
