"""Hooks the workflow widgets into the main window: menu, docks, map right-click, plan pop-ups.

Kept out of ``main_window.py`` so that file only gains two lines: the
controller builds a "Dispatch" menu, docks the unit board and the alerts
board, opens the intake form on a right-click on the map, and opens the plan
review when a plan is proposed for an incident this workstation registered
(or, on a supervisor's workstation, for any incident awaiting approval).
"""

from __future__ import annotations

import contextlib
import logging
from pathlib import Path
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QEvent, QObject, Qt
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QDialog, QDockWidget, QInputDialog

from console.hub.messages import (
    CancelIncident,
    CloseIncident,
    Event,
    GetPlan,
    GetSnapshot,
    PlanChanged,
    Reply,
    Snapshot,
)
from widgets.workflow.admin import AdminDialog
from widgets.workflow.alerts import AlertsBoard
from widgets.workflow.chronology import ChronologyDialog
from widgets.workflow.common import DECIDING_ROLES, as_struct
from widgets.workflow.intake import IntakeDialog
from widgets.workflow.login import LoginDialog
from widgets.workflow.plan_review import PlanReviewDialog
from widgets.workflow.stats import StatsPanel
from widgets.workflow.unit_board import UnitBoard

if TYPE_CHECKING:
    from widgets.main_window import MainWindow

log = logging.getLogger(__name__)


class WorkflowController(QObject):
    """Owns the workflow windows of one main window."""

    def __init__(self, window: MainWindow) -> None:
        super().__init__(window)
        self.window = window
        self.bridge = window.bridge
        self.config = window.config
        self.intake: IntakeDialog | None = None
        self.reviews: dict[int, PlanReviewDialog] = {}
        self.chronologies: dict[int, ChronologyDialog] = {}
        self.stats_window: StatsPanel | None = None
        self.login: LoginDialog | None = None
        self.admin_dialog: AdminDialog | None = None
        self.session: dict[str, Any] | None = None
        self.created_here: set[int] = set()
        self.auto_open_for_supervisor = False  # True: pop up every plan awaiting approval
        self.pending_plans: dict[int, PlanChanged] = {}  # incident id -> plan awaiting us
        self.briefing_dir: Path | None = None  # None: the user data dir (briefings_dir())

        self.unit_board = UnitBoard(self.config, self.bridge, clock=window.clock.now, parent=window)
        self.alerts_board = AlertsBoard(self.bridge, window)
        self.unit_board_dock = self._dock("unitBoardDock", self.unit_board)
        self.alerts_dock = self._dock("alertsDock", self.alerts_board)
        window.addDockWidget(Qt.DockWidgetArea.RightDockWidgetArea, self.unit_board_dock)
        window.tabifyDockWidget(window.unit_dock, self.unit_board_dock)
        window.unit_dock.raise_()
        # alerts under the map only: the side columns keep their full height
        window.setCorner(Qt.Corner.BottomLeftCorner, Qt.DockWidgetArea.LeftDockWidgetArea)
        window.setCorner(Qt.Corner.BottomRightCorner, Qt.DockWidgetArea.RightDockWidgetArea)
        window.addDockWidget(Qt.DockWidgetArea.BottomDockWidgetArea, self.alerts_dock)
        window.resizeDocks([self.alerts_dock], [140], Qt.Orientation.Vertical)
        window.docks_menu.addAction(self.unit_board_dock.toggleViewAction())
        window.docks_menu.addAction(self.alerts_dock.toggleViewAction())

        self.menu = window.menuBar().addMenu("")
        window.menuBar().insertMenu(window.language_menu.menuAction(), self.menu)
        self.new_incident_action = self._action("Ctrl+N", lambda: self.open_intake())
        self.review_action = self._action("Ctrl+R", self.review_selected)
        self.pending_action = self._action("Ctrl+Shift+R", self.review_next_pending)
        self.chronology_action = self._action("Ctrl+H", self.chronology_selected)
        self.close_action = self._action("Ctrl+E", self.close_selected)
        self.cancel_action = self._action("", self.cancel_selected)
        self.stats_action = self._action("", self.open_stats)
        self.menu.addSeparator()
        self.admin_action = self._action("", self.open_admin)
        self.sign_in_action = self._action("", self.open_login)
        self._update_admin()

        window.newIncidentRequested.connect(self.open_intake)
        window.loaded.connect(self._on_loaded)
        self.bridge.event.connect(self._on_event)
        self.alerts_board.incidentActivated.connect(self.show_incident)
        self.unit_board.unitActivated.connect(self._zoom_unit)
        window.installEventFilter(self)
        self.retranslate()

    # ----------------------------------------------------------------- build

    def _dock(self, name: str, widget: Any) -> QDockWidget:
        dock = QDockWidget(self.window)
        dock.setObjectName(name)  # saveState needs stable names
        dock.setWidget(widget)
        return dock

    def _action(self, shortcut: str, slot: Any) -> QAction:
        act = QAction(self.window)
        if shortcut:
            act.setShortcut(QKeySequence(shortcut))
        act.triggered.connect(lambda _checked=False: slot())
        self.menu.addAction(act)
        return act

    def retranslate(self) -> None:
        """Menu and dock titles (the widgets retranslate themselves)."""
        self.menu.setTitle(self.tr("&Dispatch"))
        self.new_incident_action.setText(self.tr("&New incident (110 call)…"))
        self.review_action.setText(self.tr("&Review plan of selected incident"))
        self._update_pending()
        self.chronology_action.setText(self.tr("&Chronology of selected incident"))
        self.close_action.setText(self.tr("Cl&ose selected incident…"))
        self.cancel_action.setText(self.tr("Cancel selected incident (supervisor)…"))
        self.stats_action.setText(self.tr("Workload and &statistics"))
        self.sign_in_action.setText(self.tr("Sign &in…"))
        self.admin_action.setText(self.tr("&Administration: users and terminals…"))
        self.unit_board_dock.setWindowTitle(self.tr("Unit board"))
        self.alerts_dock.setWindowTitle(self.tr("Alerts"))

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if watched is self.window and event.type() == QEvent.Type.LanguageChange:
            self.retranslate()
        return False

    def _on_loaded(self) -> None:
        d = self.window.district
        if d is not None:
            self.unit_board.set_station_names(
                {str(s["code"]): str(s.get("name", s["code"])) for s in d.stations}
            )
        self.bridge.call(GetSnapshot(), self._on_snapshot)

    def _on_snapshot(self, reply: Reply) -> None:
        """One snapshot for the boards: units, open alerts, plans awaiting approval."""
        if not reply.ok:
            log.warning("workflow boards: no snapshot: %s", reply.error)
            return
        try:
            snap = as_struct(reply.result, Snapshot)
        except Exception as exc:  # a malformed answer must not break the window
            log.warning("workflow boards: bad snapshot: %s", exc)
            return
        self.unit_board.set_units(snap.units, snap.seq)
        self.alerts_board.set_alerts(list(snap.alerts))
        for plan in snap.plans:
            self._on_event(plan)

    # ----------------------------------------------------------------- roles

    @property
    def role(self) -> str:
        """The role this workstation acts in (signed-in session, else the client's)."""
        if self.session:
            return str(self.session.get("role", ""))
        return str(getattr(self.bridge.client, "role", "operator"))

    @property
    def actor(self) -> str:
        """Who acts here."""
        if self.session:
            return str(self.session.get("actor", ""))
        return str(getattr(self.bridge.client, "actor", ""))

    # ---------------------------------------------------------------- intake

    def open_intake(self, lon: float | None = None, lat: float | None = None) -> IntakeDialog:
        """Open the intake form (or move the point of the one already open)."""
        if self.intake is None:
            dlg = IntakeDialog(
                self.bridge,
                self.config,
                district=self.window.district,
                incidents=self.window.incident_panel.model.incidents,
                clock=self.window.clock.now,
                parent=self.window,
            )
            dlg.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
            dlg.incidentCreated.connect(self._on_created)
            dlg.openIncidentRequested.connect(self.open_existing)
            dlg.incidentMerged.connect(self._on_merged)
            dlg.finished.connect(lambda _r: setattr(self, "intake", None))
            self.intake = dlg
        if lon is not None and lat is not None:
            self.intake.set_location(lon, lat)
        self.intake.show()
        self.intake.raise_()
        self.intake.activateWindow()
        return self.intake

    def _on_created(self, incident_id: int) -> None:
        self.created_here.add(incident_id)
        self.window.status.showMessage(
            self.tr("Incident #%1 registered; waiting for the plan").replace(
                "%1", str(incident_id)
            ),
            10000,
        )
        self.request_plan(incident_id, quiet=True)  # the proposal may have been emitted already

    def _on_merged(self, incident_id: int, calls: int) -> None:
        self.window.status.showMessage(
            self.tr("Call merged into incident #%1 (%2 calls)")
            .replace("%1", str(incident_id))
            .replace("%2", str(calls)),
            10000,
        )
        self.show_incident(incident_id)

    def open_existing(self, incident_id: int) -> None:
        """The operator chose an existing incident over a duplicate: show it and its plan."""
        self.show_incident(incident_id)
        self.request_plan(incident_id, quiet=True)

    def show_incident(self, incident_id: int) -> None:
        """Select an incident in the list and centre the map on it."""
        self.window.incident_panel.select_incident(incident_id)
        with contextlib.suppress(KeyError):  # not on the map (yet)
            self.window.map.zoom_to_incident(incident_id)

    def _zoom_unit(self, call_sign: str) -> None:
        with contextlib.suppress(KeyError):
            self.window.map.zoom_to_unit(call_sign)

    # ------------------------------------------------------------------ plans

    def selected_incident(self) -> int | None:
        """Id of the incident selected in the incident list."""
        panel = self.window.incident_panel
        rows = panel.table.selectionModel().selectedRows()
        if not rows:
            return None
        src = panel.proxy.mapToSource(rows[0])
        return panel.model.incident_at(src.row()).id if src.isValid() else None

    def close_selected(self, outcome: str | None = None) -> None:
        """Close the selected incident with its outcome (asked for when not given)."""
        iid = self.selected_incident()
        if iid is None:
            self.window.status.showMessage(self.tr("Select an incident first."), 5000)
            return
        if outcome is None:
            text, ok = QInputDialog.getText(
                self.window,
                self.tr("Close incident"),
                self.tr("Outcome of incident #%1:").replace("%1", str(iid)),
            )
            if not ok:
                return
            outcome = text
        self.close_incident(iid, outcome)

    def close_incident(self, incident_id: int, outcome: str) -> None:
        """Send CloseIncident; the hub's refusal shows in the status bar."""
        self.bridge.call(
            CloseIncident(incident_id=incident_id, outcome=outcome), self._show_refusal
        )

    def cancel_selected(self, reason: str | None = None) -> None:
        """Cancel the selected incident (false alarm, duplicate) with a reason."""
        iid = self.selected_incident()
        if iid is None:
            self.window.status.showMessage(self.tr("Select an incident first."), 5000)
            return
        if reason is None:
            text, ok = QInputDialog.getText(
                self.window,
                self.tr("Cancel incident"),
                self.tr("Reason for cancelling #%1:").replace("%1", str(iid)),
            )
            if not ok:
                return
            reason = text
        self.bridge.call(CancelIncident(incident_id=iid, reason=reason), self._show_refusal)

    def _show_refusal(self, reply: Reply) -> None:
        if not reply.ok:
            self.window.status.showMessage(
                self.tr("The command centre refused: %1").replace("%1", reply.error), 10000
            )

    def review_selected(self) -> None:
        """Open the plan review of the selected incident."""
        iid = self.selected_incident()
        if iid is None:
            self.window.status.showMessage(self.tr("Select an incident first."), 5000)
            return
        self.request_plan(iid)

    def request_plan(self, incident_id: int, quiet: bool = False) -> None:
        """Ask the hub for an incident's current plan and open its review."""

        def done(reply: Reply) -> None:
            if not reply.ok:
                if not quiet:
                    self.window.status.showMessage(reply.error, 10000)
                return
            try:
                ev = as_struct(reply.result, PlanChanged)
            except Exception as exc:  # a malformed answer must not break the window
                log.warning("bad GetPlan reply: %s", exc)
                return
            self.open_review(ev)

        self.bridge.call(GetPlan(incident_id=incident_id), done)

    def open_review(self, ev: PlanChanged) -> PlanReviewDialog:
        """Show (or bring forward) the review of ``ev``'s incident."""
        dlg = self.reviews.get(ev.incident_id)
        if dlg is None:
            dlg = PlanReviewDialog(
                self.bridge,
                self.config,
                ev,
                district=self.window.district,
                units=self.window.unit_panel.model.units,
                role=self.role,
                actor=self.actor,
                briefing_dir=self.briefing_dir,
                parent=self.window,
            )
            dlg.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
            dlg.chronologyRequested.connect(self.open_chronology)
            dlg.finished.connect(lambda _r, i=ev.incident_id: self.reviews.pop(i, None))
            self.reviews[ev.incident_id] = dlg
        else:
            dlg.set_plan(ev)
        dlg.show()
        dlg.raise_()
        return dlg

    def _on_event(self, ev: Event) -> None:
        if not isinstance(ev, PlanChanged):
            return
        awaiting_us = (
            ev.status == "proposed"
            and self.role in DECIDING_ROLES
            and self.actor not in ev.approvals
        )
        if awaiting_us:
            self.pending_plans[ev.incident_id] = ev
        elif self.pending_plans.get(ev.incident_id, ev).plan_id <= ev.plan_id:
            self.pending_plans.pop(ev.incident_id, None)
        self._update_pending()
        if ev.status != "proposed" or ev.incident_id in self.reviews:
            return  # an open dialog follows its incident itself
        if ev.incident_id in self.created_here or (awaiting_us and self.auto_open_for_supervisor):
            self.open_review(ev)
        elif awaiting_us:
            self.window.status.showMessage(
                self.tr("Plan for incident #%1 awaits your approval (Ctrl+Shift+R)").replace(
                    "%1", str(ev.incident_id)
                ),
                15000,
            )

    def _update_pending(self) -> None:
        n = len(self.pending_plans)
        self.pending_action.setText(self.tr("Plans awaiting &approval (%1)").replace("%1", str(n)))
        self.pending_action.setEnabled(n > 0)

    def review_next_pending(self) -> PlanReviewDialog | None:
        """Open the oldest plan awaiting this supervisor's approval."""
        if not self.pending_plans:
            return None
        ev = min(self.pending_plans.values(), key=lambda p: p.plan_id)
        return self.open_review(ev)

    # ------------------------------------------------------------ other views

    def chronology_selected(self) -> None:
        """Open the chronology of the selected incident."""
        iid = self.selected_incident()
        if iid is None:
            self.window.status.showMessage(self.tr("Select an incident first."), 5000)
            return
        self.open_chronology(iid)

    def open_chronology(self, incident_id: int) -> ChronologyDialog:
        """Show an incident's chronology (fetched afresh)."""
        dlg = self.chronologies.get(incident_id)
        if dlg is None:
            dlg = ChronologyDialog(self.bridge, incident_id, config=self.config, parent=self.window)
            dlg.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
            dlg.finished.connect(lambda _r, i=incident_id: self.chronologies.pop(i, None))
            self.chronologies[incident_id] = dlg
        dlg.load()
        dlg.show()
        dlg.raise_()
        return dlg

    def open_stats(self) -> StatsPanel:
        """Show the workload and statistics window."""
        if self.stats_window is None:
            d = self.window.district
            names = {str(s["code"]): str(s.get("name", s["code"])) for s in d.stations} if d else {}
            self.stats_window = StatsPanel(
                self.bridge, self.config, clock=self.window.clock.now, station_names=names
            )
            self.stats_window.setParent(self.window, Qt.WindowType.Window)
            self.stats_window.setWindowTitle(self.tr("Workload and statistics"))
            self.stats_window.resize(1100, 620)
        self.stats_window.load()
        self.stats_window.show()
        self.stats_window.raise_()
        return self.stats_window

    def open_login(self) -> LoginDialog:
        """Show the sign-in dialog."""
        if self.login is None:
            self.login = LoginDialog(self.bridge, self.window)
            self.login.signedIn.connect(self.apply_session)
        self.login.show()
        self.login.raise_()
        return self.login

    def _update_admin(self) -> None:
        """Only an administrator's seat offers administration (the hub refuses others anyway)."""
        self.admin_action.setEnabled(self.role == "admin")

    def open_admin(self) -> AdminDialog | None:
        """Show the administration dialog (users, units and terminals)."""
        if self.role != "admin":
            self.window.status.showMessage(
                self.tr("Administration needs an administrator's sign-in."), 8000
            )
            return None
        if self.admin_dialog is None:
            self.admin_dialog = AdminDialog(
                self.bridge, parent=self.window, config=self.window.config
            )
            self.admin_dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
            self.admin_dialog.finished.connect(lambda _r: setattr(self, "admin_dialog", None))
        self.admin_dialog.load()
        self.admin_dialog.show()
        self.admin_dialog.raise_()
        return self.admin_dialog

    def apply_session(self, session: dict[str, Any]) -> None:
        """Act as the signed-in user from now on (seat, review dialogs, status bar)."""
        self.session = dict(session)
        client = self.bridge.client
        # in-process the hub trusts the envelope's actor/role (there is no token on that
        # path); a remote client keeps the token from the Login reply by itself
        for attr in ("actor", "role"):
            if hasattr(client, attr):
                setattr(client, attr, str(session[attr]))
        for dlg in self.reviews.values():
            dlg.role, dlg.actor = self.role, self.actor
            dlg.set_plan(dlg.plan_event)
        self._update_admin()
        self.alerts_board.set_role(None)  # the new user's role: show or hide reassign buttons
        if self.role != "admin" and self.admin_dialog is not None:
            self.admin_dialog.done(QDialog.DialogCode.Rejected)
        self.window.status.showMessage(
            self.tr("Signed in as %1 (%2)")
            .replace("%1", str(session.get("display_name") or session.get("actor")))
            .replace("%2", str(session.get("role"))),
            10000,
        )

    def close_all(self) -> None:
        """Close every workflow window (the main window is closing)."""
        for dlg in [*self.reviews.values(), *self.chronologies.values()]:
            dlg.done(QDialog.DialogCode.Rejected)
        if self.intake is not None:
            self.intake.done(QDialog.DialogCode.Rejected)
        if self.stats_window is not None:
            self.stats_window.close()
        if self.admin_dialog is not None:
            self.admin_dialog.done(QDialog.DialogCode.Rejected)
