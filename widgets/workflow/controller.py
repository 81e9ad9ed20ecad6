"""Hooks the workflow widgets into the main window: menu, docks, map right-click, plan pop-ups.

Kept out of ``main_window.py`` so that file only gains two lines: the
controller builds a "Dispatch" menu, docks the unit board and the alerts
board (all through the window's extension API, :mod:`widgets.window_api`),
opens the intake form on a right-click on the map, and opens the plan
review when a plan is proposed for an incident this workstation registered
(or, on a supervisor's workstation, for any incident awaiting approval).
"""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QObject, Qt
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QDialog, QInputDialog

from console.hub.messages import CancelIncident, CloseIncident, GetPlan, PlanChanged, Reply
from console.workstation.situation import Change, PlanUpdated, Reset
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
OWNER = "workflow"


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
        self.plan_router: Callable[[int | None, bool], bool] | None = None
        """``(incident or None for the next awaiting us, asked)``: shows the plan in the plan
        queue (bringing the queue forward when the user ``asked``) and returns whether it
        could (set by widgets.shift_tools); while set, no review window opens by itself,
        only on request ("Open in window")."""
        self.pending_plans: dict[int, PlanChanged] = {}  # incident id -> plan awaiting us
        self.briefing_dir: Path | None = None  # None: the user data dir (briefings_dir())

        self.situation = window.situation
        self.unit_board = UnitBoard(
            self.config, self.situation, clock=window.clock.now, parent=window
        )
        self.unit_board.turn.attach(window.pacer)  # rewrites in the lists' turn of the frames
        self.alerts_board = AlertsBoard(self.bridge, window)
        self.unit_board_dock = window.add_dock(
            "unitBoardDock",
            lambda: self.tr("Unit board"),
            self.unit_board,
            Qt.DockWidgetArea.RightDockWidgetArea,
            owner=OWNER,
            tab_with="unitDock",
            scroll=False,
        )
        # alerts under the map only: the side columns keep their full height
        window.setCorner(Qt.Corner.BottomLeftCorner, Qt.DockWidgetArea.LeftDockWidgetArea)
        window.setCorner(Qt.Corner.BottomRightCorner, Qt.DockWidgetArea.RightDockWidgetArea)
        self.alerts_dock = window.add_dock(
            "alertsDock",
            lambda: self.tr("Alerts"),
            self.alerts_board,
            Qt.DockWidgetArea.BottomDockWidgetArea,
            owner=OWNER,
            scroll=False,
            size=140,
        )

        self.menu = window.add_menu(
            "dispatch", lambda: self.tr("&Dispatch"), owner=OWNER, before="language"
        )
        self.new_incident_action = self._action(
            "newIncident",
            lambda: self.tr("&New incident (110 call)…"),
            lambda: self.open_intake(),
            "Ctrl+N",
        )
        self.review_action = self._action(
            "reviewPlan",
            lambda: self.tr("&Review plan of selected incident"),
            self.review_selected,
            "Ctrl+R",
        )
        self.pending_action = self._action(
            "pendingPlans", self._pending_text, self.review_next_pending, "Ctrl+Shift+R"
        )
        self.chronology_action = self._action(
            "chronology",
            lambda: self.tr("&Chronology of selected incident"),
            self.chronology_selected,
            "Ctrl+H",
        )
        self.close_action = self._action(
            "closeIncident",
            lambda: self.tr("Cl&ose selected incident…"),
            self.close_selected,
            "Ctrl+E",
        )
        self.cancel_action = self._action(
            "cancelIncident",
            lambda: self.tr("Cancel selected incident (supervisor)…"),
            self.cancel_selected,
        )
        self.stats_action = self._action(
            "stats", lambda: self.tr("Workload and &statistics"), self.open_stats
        )
        window.add_separator("dispatch")
        self.admin_action = self._action(
            "administration",
            lambda: self.tr("&Administration: users and terminals…"),
            self.open_admin,
        )
        self.sign_in_action = self._action("signIn", lambda: self.tr("Sign &in…"), self.open_login)
        self._update_admin()
        self._update_pending()

        window.newIncidentRequested.connect(self.open_intake)
        window.loaded.connect(self._on_loaded)
        self.situation.subscribe(self._on_situation)
        self.alerts_board.incidentActivated.connect(self.show_incident)
        self.unit_board.unitActivated.connect(self._zoom_unit)

    # ----------------------------------------------------------------- build

    def _action(
        self, key: str, text: Callable[[], str], slot: Callable[[], object], shortcut: str = ""
    ) -> QAction:
        return self.window.add_action(
            "dispatch", key, text, slot, owner=OWNER, shortcut=shortcut or None
        )

    def _on_loaded(self) -> None:
        d = self.window.district
        if d is not None:
            self.unit_board.set_station_names(
                {str(s["code"]): str(s.get("name", s["code"])) for s in d.stations}
            )

    def _on_situation(self, change: Change) -> None:
        """Plans and alerts as the situation model has them (snapshot, then changes)."""
        if isinstance(change, Reset) and change.seq is not None:
            self.alerts_board.set_alerts(list(self.situation.alerts.values()))
            for plan in self.situation.plans.values():
                self._on_plan(plan)
        elif isinstance(change, PlanUpdated):
            self._on_plan(change.plan)

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
                incidents=self.situation.open_incidents,
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
        return self.window.incident_panel.selected_incident()

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
            if quiet and self.plan_router is not None:
                self.plan_router(ev.incident_id, False)  # automatic: the queue, never a window
            else:
                self.show_plan(ev)

        self.bridge.call(GetPlan(incident_id=incident_id), done)

    def show_plan(self, ev: PlanChanged) -> None:
        """Show a plan the user asked for: in the queue while it awaits a decision, else
        (decided, or no queue) in its review window."""
        router = self.plan_router
        if router is None or ev.status != "proposed" or not router(ev.incident_id, True):
            self.open_review(ev)

    def open_review(self, ev: PlanChanged) -> PlanReviewDialog:
        """Show (or bring forward) the review of ``ev``'s incident."""
        dlg = self.reviews.get(ev.incident_id)
        if dlg is None:
            dlg = PlanReviewDialog(
                self.bridge,
                self.config,
                ev,
                district=self.window.district,
                units=self.situation.current_units,
                held=self.situation.held_units,
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

    def _on_plan(self, ev: PlanChanged) -> None:
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
        if self.plan_router is not None:  # the plan queue lists it: no window over the map
            if ev.incident_id in self.created_here:
                self.plan_router(ev.incident_id, False)
            elif awaiting_us:
                self.window.status.showMessage(
                    self.tr("Plan for incident #%1 awaits your approval in the plan queue").replace(
                        "%1", str(ev.incident_id)
                    ),
                    15000,
                )
            return
        if ev.incident_id in self.created_here or (awaiting_us and self.auto_open_for_supervisor):
            self.open_review(ev)
        elif awaiting_us:
            self.window.status.showMessage(
                self.tr("Plan for incident #%1 awaits your approval (Ctrl+Shift+R)").replace(
                    "%1", str(ev.incident_id)
                ),
                15000,
            )

    def _pending_text(self) -> str:
        n = len(self.pending_plans)
        return self.tr("Plans awaiting &approval (%1)").replace("%1", str(n))

    def _update_pending(self) -> None:
        self.pending_action.setText(self._pending_text())
        self.pending_action.setEnabled(bool(self.pending_plans))

    def review_next_pending(self) -> PlanReviewDialog | None:
        """Show the most urgent plan awaiting this supervisor in the plan queue (None), or,
        without a queue, open the oldest in its review window."""
        if self.plan_router is not None:
            self.plan_router(None, True)
            return None
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
            dlg.mediaRequested.connect(self._open_media)
            self.chronologies[incident_id] = dlg
        dlg.load()
        dlg.show()
        dlg.raise_()
        return dlg

    def _open_media(self, incident_id: int, attachment_id: int) -> None:
        """A photo or clip double-clicked in a chronology: shown by the comms tools."""
        tools = getattr(self.window, "comms_tools", None)
        if tools is not None:
            tools.open_media(incident_id, attachment_id)

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
