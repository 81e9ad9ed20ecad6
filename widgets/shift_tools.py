"""What a whole shift needs around the map: the plan queue, the incident board's deadlines,
one selected incident everywhere, past incidents, reports, the shift log and handover.

``install_shift_tools(window)`` is the one call ``MainWindow`` needs (after the workflow
controller, before it restores its saved layout).  Everything goes through the window's
extension API (:mod:`widgets.window_api`):

- the **plan queue** dock (:class:`~widgets.workflow.plan_queue.PlanQueue`), tabbed with
  the incident board; the workflow controller routes plans to it instead of opening a
  review window per plan;
- the **incident board** (the main window's incident dock) gets its deadlines from the
  order events and the map pins their incident numbers;
- **one selected incident**: chosen in the board, the queue or on the map, it is selected
  in the others and ringed on the map;
- a **Shift** menu: past incidents (search, after-action reports), the shift report, the
  shift log and handover; each window opens only when asked, one of each.
"""

from __future__ import annotations

import contextlib
import logging
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, Qt, QTimer
from PySide6.QtWidgets import QDockWidget

from console.hub.messages import Event, OrderChanged
from widgets.workflow.handover import ShiftLogWindow, ShiftReportWindow
from widgets.workflow.history import HistoryWindow
from widgets.workflow.plan_queue import PlanQueue

if TYPE_CHECKING:
    from widgets.main_window import MainWindow

log = logging.getLogger(__name__)
OWNER = "shift tools"
BOARD_WIDTH = 570  # every board column readable (Chinese texts included)


class ShiftTools(QObject):
    """Owns the plan queue, the selection across lists and map, and the shift windows."""

    def __init__(self, window: MainWindow) -> None:
        super().__init__(window)
        self.window = window
        self.bridge = window.bridge
        self.board = window.incident_panel
        self.map = window.map
        self.selected: int = 0  # the incident selected everywhere (0: none)
        self.history: HistoryWindow | None = None
        self.log_window: ShiftLogWindow | None = None
        self.report_window: ShiftReportWindow | None = None
        wf = window.workflow

        # ---- the plan queue, tabbed with the incident board
        self.plan_queue = PlanQueue(
            self.bridge,
            window.config,
            window.situation,
            clock=window.clock.now,
            role=lambda: wf.role,
            actor=lambda: wf.actor,
            district=lambda: window.district,
            parent=window,
        )
        self.plan_queue.turn.attach(window.pacer)
        self.queue_dock: QDockWidget = window.add_dock(
            "planQueueDock",
            self._queue_title,
            self.plan_queue,
            Qt.DockWidgetArea.RightDockWidgetArea,
            owner=OWNER,
            tab_with="incidentDock",
        )
        # the board's width once the window has laid itself out (not over a saved layout)
        self._fresh_layout = window.settings.value("window/state") is None
        QTimer.singleShot(0, self._first_layout)
        wf.plan_router = self.route_plan
        self.plan_queue.countChanged.connect(lambda _n: self._retitle_queue())
        self.plan_queue.openInWindowRequested.connect(self._open_in_window)
        self.plan_queue.chronologyRequested.connect(wf.open_chronology)

        # ---- the Shift menu
        window.add_menu("shift", lambda: self.tr("S&hift"), owner=OWNER, before="language")
        self.history_action = window.add_action(
            "shift",
            "searchHistory",
            lambda: self.tr("&Past incidents: search and reports…"),
            self.open_history,
            owner=OWNER,
            shortcut="Ctrl+Shift+P",
        )
        self.report_action = window.add_action(
            "shift",
            "shiftReport",
            lambda: self.tr("Shift &report…"),
            self.open_report,
            owner=OWNER,
        )
        self.log_action = window.add_action(
            "shift",
            "shiftLog",
            lambda: self.tr("Shift &log and handover…"),
            self.open_log,
            owner=OWNER,
            shortcut="Ctrl+Shift+L",
        )
        window.add_separator("shift")
        self.queue_action = window.add_action(
            "shift",
            "showPlanQueue",
            lambda: self.tr("Plan &queue"),
            lambda: self.route_plan(None, True),
            owner=OWNER,
            shortcut="Ctrl+Shift+Q",
        )

        # ---- incident numbers on the pins, the selected one ringed
        markers = self.map.incident_markers
        markers.label_of = self._pin_label
        markers.highlighted = self._pin_selected

        # ---- one selection across board, queue and map; deadlines from order events
        self.board.incidentSelected.connect(lambda iid: self.select_incident(iid, "board"))
        self.plan_queue.incidentSelected.connect(lambda iid: self.select_incident(iid, "queue"))
        self.map.incidentClicked.connect(lambda iid: self.select_incident(iid, "map"))
        self.bridge.event.connect(self._on_event)
        window.loaded.connect(self._on_loaded)

    def _first_layout(self) -> None:
        """A first start: the right column as wide as the board's columns, the board tall."""
        if not self._fresh_layout:
            return
        with contextlib.suppress(RuntimeError, KeyError):  # closed before the first turn
            w = self.window
            w.resize_docks(["incidentDock"], [BOARD_WIDTH], Qt.Orientation.Horizontal)
            w.resize_docks(["incidentDock", "unitDock"], [640, 260], Qt.Orientation.Vertical)

    # ------------------------------------------------------------------ queue

    def _queue_title(self) -> str:
        n = len(self.plan_queue.plans)
        return self.tr("Plan queue (%1)").replace("%1", str(n)) if n else self.tr("Plan queue")

    def _retitle_queue(self) -> None:
        self.queue_dock.setWindowTitle(self._queue_title())

    def route_plan(self, incident_id: int | None, asked: bool) -> bool:
        """Show a plan in the queue (None: the next awaiting us); bring the queue forward
        when the user asked.  False when the plan is not in the queue."""
        if incident_id is None:
            found = self.plan_queue.select_next() is not None
        else:
            found = self.plan_queue.select_incident(incident_id)
        if asked:
            self.queue_dock.show()
            self.queue_dock.raise_()
        return found

    def _open_in_window(self, incident_id: int) -> None:
        """The full review window, on request only (one per incident, as before)."""
        plan = self.window.situation.plans.get(incident_id)
        if plan is not None:
            self.window.workflow.open_review(plan)

    # ------------------------------------------------------------------ selection

    def select_incident(self, incident_id: int, source: str = "") -> None:
        """Select an incident in every list and ring it on the map (0: clear the ring)."""
        if incident_id == self.selected and source != "map":
            return
        self.selected = incident_id
        if source != "board":
            self.board.follow(incident_id)  # in the lists' turn (frame_pacer.py); 0: clear
        if incident_id and source != "queue":
            self.plan_queue.select_incident(incident_id)
        # the ring in the map's turn: the pins' layer spans the map, so its repaint is a
        # whole map frame (frame_pacer.py), which the map's own turn draws anyway
        markers = self.map.incident_markers
        self.map.turn(markers, markers.highlight_changed)

    def _pin_label(self, k: int) -> str:
        incs = self.map.placed_incidents  # paint time: as placed
        return str(incs[k].id) if 0 <= k < len(incs) else ""

    def _pin_selected(self, k: int) -> bool:
        incs = self.map.placed_incidents  # paint time: as placed
        return bool(self.selected) and 0 <= k < len(incs) and incs[k].id == self.selected

    def _on_event(self, ev: Event) -> None:
        if isinstance(ev, OrderChanged):
            self.board.model.on_order(ev)

    def _on_loaded(self) -> None:
        if self.history is not None:
            self.history.district_loaded()

    # ------------------------------------------------------------------ windows

    def _map_centre(self) -> tuple[float, float] | None:
        proj = self.map.proj
        if proj is None:
            return None
        (x0, x1), (y0, y1) = self.map.viewbox.viewRange()
        return proj.to_lonlat((x0 + x1) / 2, (y0 + y1) / 2)

    def open_history(self) -> HistoryWindow:
        """The past-incidents window (one; brought forward when open)."""
        if self.history is None:
            self.history = HistoryWindow(
                self.bridge,
                self.window.config,
                district=lambda: self.window.district,
                map_centre=self._map_centre,
                clock=self.window.clock.now,
                parent=self.window,
            )
        self.history.show()
        self.history.raise_()
        return self.history

    def open_report(self) -> ShiftReportWindow:
        """The shift report window (one), showing the last 12 hours at first."""
        if self.report_window is None:
            self.report_window = ShiftReportWindow(
                self.bridge, self.window.config, clock=self.window.clock.now, parent=self.window
            )
            self.report_window.load()
        self.report_window.show()
        self.report_window.raise_()
        return self.report_window

    def open_log(self) -> ShiftLogWindow:
        """The shift log and handover window (one), freshly loaded."""
        if self.log_window is None:
            wf = self.window.workflow
            self.log_window = ShiftLogWindow(
                self.bridge,
                self.window.config,
                actor=lambda: wf.actor,
                clock=self.window.clock.now,
                parent=self.window,
            )
        self.log_window.load()
        self.log_window.show()
        self.log_window.raise_()
        return self.log_window

    def close_all(self) -> None:
        """Close the shift windows (the main window is closing)."""
        for w in (self.history, self.log_window, self.report_window):
            if w is not None:
                with contextlib.suppress(RuntimeError):
                    w.close()


def install_shift_tools(window: MainWindow) -> ShiftTools:
    """Add the shift tools to ``window`` (see the module text)."""
    return ShiftTools(window)
