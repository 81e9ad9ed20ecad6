"""Diagnosis for ``bench/shift.py``: which Qt events filled the GUI thread's longest stalls.

    SHIFT_TRACE_EVENTS=/tmp/stalls.txt python bench/shift.py --mode process

A QApplication whose ``notify`` times every event delivered on the GUI thread (nested
ones too: a repaint inside a timer shows under it), keeps those over 2 ms, and after
the run writes, for the 15 longest stalls the bench's 5 ms ticker saw, the events
inside each: start (ms into the stall), duration, nesting, event type and receiver
(class and object name up the parents).  Event types: 1 timer, 12 paint, 43 queued
call (``HubBridge`` is a drain of hub events), 76 layout, 77 the window's update
request.  The timing costs a Python call per event, so figures of a traced run are not
comparable with untraced ones; the shape of the stalls is what it shows.
"""

from __future__ import annotations

import time
from pathlib import Path

from PySide6.QtCore import QEvent, QObject
from PySide6.QtWidgets import QApplication

KEEP_S = 0.002


def describe(obj: QObject | None) -> str:
    """``Class:objectName`` of the receiver and three parents, innermost first."""
    parts = []
    try:
        for _ in range(4):
            if obj is None:
                break
            name = obj.objectName()
            parts.append(type(obj).__name__ + (f":{name}" if name and name[:3] != "qt_" else ""))
            obj = obj.parent()
    except RuntimeError:  # deleted meanwhile
        return "?"
    return "<".join(parts)


class TracingApplication(QApplication):
    """Records (start, ms, depth, event type, receiver) of every event over 2 ms."""

    def __init__(self, argv: list[str]) -> None:
        super().__init__(argv)
        self.records: list[tuple[float, float, int, int, str]] = []
        self._depth = 0

    def notify(self, receiver: QObject, event: QEvent) -> bool:
        depth = self._depth
        self._depth = depth + 1
        t = time.perf_counter()
        try:
            return super().notify(receiver, event)
        finally:
            self._depth = depth
            dt = time.perf_counter() - t
            if dt > KEEP_S:
                kind = event.type()
                self.records.append(
                    (t, dt * 1000.0, depth, int(getattr(kind, "value", -1)), describe(receiver))
                )

    def write_stalls(self, path: Path, ticks: list[tuple[float, float, float]]) -> None:
        """``ticks``: (perf_counter at the tick, gap ms, GUI CPU ms) from the stall meter."""
        out = []
        for end, gap, cpu in sorted(ticks, key=lambda g: -g[1])[:15]:
            start = end - (gap + 5.0) / 1000.0
            out.append(f"=== stall {gap:.1f} ms (GUI CPU {cpu:.1f} ms)")
            for t, ms, depth, kind, who in self.records:
                if t + ms / 1000.0 >= start and t <= end:
                    indent = "  " * depth
                    out.append(f"  {indent}{(t - start) * 1000:7.1f} +{ms:6.1f} ms  ev{kind} {who}")
        path.write_text("\n".join(out) + "\n", encoding="utf-8")
