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

**Turns.**  One frame used to carry the map, the incident board and the unit list at
once whenever all three had changed: about 45 ms of painting on this VM, and three
times that when the machine slowed (a 138.5 ms freeze in ``bench/shift.py``, issue 15).
The heavy painters therefore no longer dirty themselves whenever their data moves:
they hand the pacer the step that would (:meth:`FramePacer.in_turn`), in a *lane*
(:data:`MAP_LANE` for the map and its ring of the selected incident,
:data:`LISTS_LANE` for the board, the unit list and the plan queue's count line).
Halfway between two frames the pacer gives one lane its *turn* (the lane that waited
longest) and runs its steps, in an event-loop pass of their own; the next frame paints
what they dirtied, and the next turn comes only after that frame.  A turn does not run
just before a frame because Qt dirties the screen a pass late (the graphics scene
processes its dirty items, and an item view lays out new rows, in a queued call or a
zero timer): run then, the map's changes were painted in the lists' frame and the other
way round.  With both lanes busy they take alternate frames (each painted at most every
``2 * FRAME_GAP_MS``); a lane alone goes in the next turn.  Whoever reads the board's
rows meanwhile (``row_of``, ``visible_ids``, the selected incident) has it catch up at
once: that change may then share a frame with the map.
"""

from __future__ import annotations

import logging
import math
import time
import weakref
from collections.abc import Callable

from PySide6.QtCore import QCoreApplication, QEvent, QObject, Qt, QTimer
from PySide6.QtWidgets import QWidget

log = logging.getLogger(__name__)

FRAME_GAP_MS = 40
MAP_LANE = "map"
LISTS_LANE = "lists"
LANES = (MAP_LANE, LISTS_LANE)


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
        self._turn_timer = QTimer(self)
        self._turn_timer.setSingleShot(True)
        self._turn_timer.setTimerType(Qt.TimerType.PreciseTimer)
        self._turn_timer.timeout.connect(self.take_turn)
        self._turned = False  # a turn ran and no frame has painted its changes yet
        # per lane: the steps waiting for its turn, one per key (the first handed in
        # stays), and the frame of its last turn
        self._steps: dict[str, dict[object, Callable[[], None]]] = {k: {} for k in LANES}
        self._turn_at: dict[str, int] = dict.fromkeys(LANES, -1)
        self.turns: dict[str, int] = dict.fromkeys(LANES, 0)  # turns taken (tests, figures)
        window.installEventFilter(self)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if watched is not self.window or event.type() != QEvent.Type.UpdateRequest:
            return False
        if self._painting:
            return False  # the frame's own request
        self.held += 1
        self._arm()
        return True

    def _arm(self, at_least_s: float = 0.0) -> None:
        """Start the frame timer for the next frame slot (``at_least_s`` from now at the
        earliest: the timer is started again then), unless it runs already."""
        if at_least_s <= 0 and self._timer.isActive():
            return
        wait = max(self._last + self.gap_s - time.perf_counter(), at_least_s)
        self._timer.start(min(max(0, math.ceil(wait * 1000.0)), round(self.gap_s * 1000)))

    def in_turn(self, lane: str, key: object, step: Callable[[], None]) -> None:
        """Run ``step`` in ``lane``'s next turn (:meth:`take_turn`); the frame after it
        paints what it dirtied.  One step waits per ``key``: a panel hands in a step that
        applies whatever it has gathered by its turn, so a second one adds nothing."""
        steps = self._steps[lane]
        if key not in steps:
            steps[key] = step
        self._arm_turn()

    def _arm_turn(self) -> None:
        """Start the turn timer for halfway to the next frame, unless it runs already or
        the last turn's changes wait for their frame (that frame arms it)."""
        if self._turned or self._turn_timer.isActive():
            return
        wait = self._last + self.gap_s / 2 - time.perf_counter()
        self._turn_timer.start(max(0, math.ceil(wait * 1000.0)))

    def take_turn(self) -> str | None:
        """Run the waiting steps of the lane that waited longest; the next frame paints
        them, half a gap later at the earliest (Qt marks the screen dirty a pass or two
        after the steps), and is armed even if they dirtied nothing: it arms the next
        turn.  Returns the lane, or None when no step waited."""
        busy = [lane for lane in LANES if self._steps[lane]]
        if not busy:
            return None
        lane = min(busy, key=lambda k: self._turn_at[k])  # the longest without a turn
        self._turn_at[lane] = self.frames
        self.turns[lane] += 1
        self._turned = True
        self.run_lane(lane)
        self._arm(self.gap_s / 2)
        return lane

    def waiting(self, lane: str) -> int:
        """How many steps wait for ``lane``'s turn (tests, figures)."""
        return len(self._steps[lane])

    def run_lane(self, lane: str) -> None:
        """Run ``lane``'s waiting steps now, in the order they were handed in.  Steps
        handed in meanwhile wait for the next turn; a step that fails is logged and the
        others still run."""
        batch = list(self._steps[lane].values())
        self._steps[lane].clear()
        for step in batch:
            try:
                step()
            except Exception:  # one panel's fault must not cost the others their turn
                log.exception("a %s step failed in its turn", lane)

    def flush(self) -> None:
        """Paint what is held now, without waiting for the next frame."""
        self._timer.stop()
        self._frame()

    def _frame(self) -> None:
        """Paint everything dirty now (synchronously, in this timer's pass); then the
        next turn may come."""
        self._last = time.perf_counter()
        self.frames += 1
        self._painting = True
        try:
            QCoreApplication.sendEvent(self.window, QEvent(QEvent.Type.UpdateRequest))
        finally:
            self._painting = False
            self._turned = False
            if any(self._steps[k] for k in LANES):
                self._arm_turn()


class InTurn:
    """A painter's handle on its window's turns: a step runs in its lane's turn of the
    window's :class:`FramePacer` once :meth:`attach` ed to one, and at once before (a
    panel or map on its own, in tests and tools, behaves as it always did).

    The pacer is held weakly: the panel -> pacer -> panel cycle a strong reference would
    make is freed only by the collector, on whichever thread it runs."""

    def __init__(self, lane: str) -> None:
        self.lane = lane
        self._pacer: weakref.ref[FramePacer] | None = None

    def attach(self, pacer: FramePacer) -> None:
        """Take turns in ``pacer``'s frames from now on."""
        self._pacer = weakref.ref(pacer)

    @property
    def attached(self) -> bool:
        """Whether steps wait for a turn (a live pacer is attached)."""
        return self._pacer is not None and self._pacer() is not None

    def __call__(self, key: object, step: Callable[[], None]) -> None:
        """Run ``step`` in this lane's next turn (see :meth:`FramePacer.in_turn`)."""
        pacer = self._pacer() if self._pacer is not None else None
        if pacer is None:
            step()
        else:
            pacer.in_turn(self.lane, key, step)
