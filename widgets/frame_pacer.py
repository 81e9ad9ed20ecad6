"""The main window repaints at most every :data:`FRAME_GAP_MS`, in an event-loop pass of
its own.

Qt paints every dirty widget of a window in one go when the window's ``UpdateRequest``
arrives, and Qt posts that request right after whatever made a widget dirty.  On a busy
shift that is a hub event: the bridge's drain (up to 8 ms), then in the same pass the
whole window -- a new incident's row moving the board (12-25 ms with 500 rows), the map
(10-20 ms) -- and often a second drain and a second repaint before the event loop looked
at a timer or the operator's mouse: the longest freezes of ``bench/shift.py`` (issue 15),
with the window repainted 70 times a second for single board rows.

:class:`FramePacer` holds the window's update requests and lets one through from a
timer, at most every :data:`FRAME_GAP_MS` (25 frames a second; the map itself draws at
most ``redraw_hz``, 10 by default): hub events and repaints take turns, and everything
dirtied in between is painted in one frame.  Nothing is lost: a held request leaves the
window's dirty region as it is, and the timer's request paints all of it.
"""

from __future__ import annotations

import math
import time

from PySide6.QtCore import QCoreApplication, QEvent, QObject, Qt, QTimer
from PySide6.QtWidgets import QWidget

FRAME_GAP_MS = 40


class FramePacer(QObject):
    """An event filter on one top-level window: its repaints come from a paced timer."""

    def __init__(self, window: QWidget, gap_ms: int = FRAME_GAP_MS) -> None:
        super().__init__(window)
        self.window = window
        self.gap_s = gap_ms / 1000.0
        self.frames = 0  # repaints let through (for tests and figures)
        self.held = 0  # update requests held for a later frame
        self._last = 0.0  # when the last frame was painted (perf_counter)
        self._painting = False
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setTimerType(Qt.TimerType.PreciseTimer)
        self._timer.timeout.connect(self._frame)
        window.installEventFilter(self)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if watched is not self.window or event.type() != QEvent.Type.UpdateRequest:
            return False
        if self._painting:
            return False  # the frame's own request
        self.held += 1
        if not self._timer.isActive():
            wait = self._last + self.gap_s - time.perf_counter()
            self._timer.start(min(max(0, math.ceil(wait * 1000.0)), round(self.gap_s * 1000)))
        return True

    def flush(self) -> None:
        """Paint what is held now, without waiting for the next frame."""
        self._timer.stop()
        self._frame()

    def _frame(self) -> None:
        """Paint everything dirty now (synchronously, in this timer's pass)."""
        self._last = time.perf_counter()
        self.frames += 1
        self._painting = True
        try:
            QCoreApplication.sendEvent(self.window, QEvent(QEvent.Type.UpdateRequest))
        finally:
            self._painting = False
