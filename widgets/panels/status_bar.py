"""The status line: hub connection, units on duty, open incidents, clock.

The counts are read from the models once a second rather than pushed on
every event, so a flood of position updates costs the status bar nothing.
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable

from PySide6.QtCore import QDateTime, QEvent, QTimer
from PySide6.QtWidgets import QLabel, QStatusBar, QWidget

from widgets.ticks import start_spread

Counter = Callable[[], int]
_SERVING = re.compile(r"^Hub (?:failover|handover): (\S+) ")
"""The hub named in a ``hub_failover`` alert (console/link/standby.py writes the text)."""


class DispatchStatusBar(QStatusBar):
    """Permanent fields on the right; alerts and messages on the left."""

    def __init__(
        self,
        units_on_duty: Counter,
        open_incidents: Counter,
        stale_units: Counter | None = None,
        now: Callable[[], float] = time.time,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self._units_on_duty = units_on_duty
        self._open_incidents = open_incidents
        self._stale_units = stale_units
        self._now = now
        self._connected: bool | None = None
        self.serving_hub = ""  # the hub that took over last (a standby pair), "" if none did
        self.failover_at: float | None = None
        self.connection_label = QLabel(self)
        self.units_label = QLabel(self)
        self.incidents_label = QLabel(self)
        self.clock_label = QLabel(self)
        for w in (self.connection_label, self.units_label, self.incidents_label, self.clock_label):
            w.setContentsMargins(8, 0, 8, 0)
            # a long count or a failover note is clipped on a narrow screen rather than
            # forcing the whole window wider than the screen (counts are repeated as tooltips)
            w.setMinimumWidth(48)
            self.addPermanentWidget(w)
        self._timer = QTimer(self)
        self._timer.setInterval(1000)
        self._timer.timeout.connect(self.refresh)
        start_spread(self._timer)
        self.refresh()

    def set_connected(self, connected: bool) -> None:
        """Show whether the hub answers requests."""
        self._connected = connected
        self.refresh()

    def note_failover(self, text_en: str, text: str, t: float) -> None:
        """A hub took over (``hub_failover`` alert of a standby pair): show which hub
        serves now and when it took over; the alert's own text is the tooltip."""
        m = _SERVING.match(text_en)
        self.serving_hub = m.group(1) if m else ""
        self.failover_at = t
        self.connection_label.setToolTip(text)
        self.refresh()

    def refresh(self) -> None:
        """Re-read the counts and the clock."""
        if self._connected is None:
            text, colour = self.tr("Hub: connecting…"), "#f9a825"
        elif self._connected:
            text, colour = self.tr("Hub: connected"), "#2e7d32"
        else:
            text, colour = self.tr("Hub: no answer"), "#c62828"
        if self.failover_at is not None:
            when = QDateTime.fromMSecsSinceEpoch(int(self.failover_at * 1000)).toString("HH:mm")
            text += " · " + (
                self.tr("%1 serves since %2").replace("%1", self.serving_hub).replace("%2", when)
                if self.serving_hub
                else self.tr("failover at %1").replace("%1", when)
            )
        self.connection_label.setText(f'<span style="color:{colour}">●</span> {text}')
        units = self.tr("Units on duty: %1").replace("%1", str(self._units_on_duty()))
        stale = self._stale_units() if self._stale_units is not None else 0
        if stale:
            units += " " + self.tr("(%1 without recent fix)").replace("%1", str(stale))
        self.units_label.setText(units)
        self.units_label.setToolTip(units)
        incidents = self.tr("Open incidents: %1").replace("%1", str(self._open_incidents()))
        self.incidents_label.setText(incidents)
        self.incidents_label.setToolTip(incidents)
        stamp = QDateTime.fromMSecsSinceEpoch(int(self._now() * 1000))
        self.clock_label.setText(stamp.toString("yyyy-MM-dd HH:mm:ss"))

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            self.refresh()
        super().changeEvent(event)
