"""The plan queue: every plan awaiting a decision in one docked panel, one map at a time.

It replaces a plan-review window per plan (30 windows over the map, each with its own
web briefing map, 1.5 GB on a busy night).  The queue lists the proposed plans by
priority and age; the selected one is shown with its map and units; a supervisor
approves, amends or rejects it here, and after a decision the next plan is selected
by itself.  Several low-level plans can be approved together: tick them (or "Tick
all low-level") and confirm once in the bar that appears; plans of force level 3 and
up are decided one by one, with their map.  Nothing opens over the map unless asked
("Open in window").  Plans the approval policy lets out without a supervisor
(``approvals_needed == 0``) never wait here; the supervisor is told of them in the
notice line above the list (how many, and the latest).

The queue observes the workstation's situation model (plans come with the snapshot
and as ``PlanChanged``); the hub decides, and its refusals show in its own words.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

import msgspec
from PySide6.QtCore import QEvent, Qt, QTimer, Signal
from PySide6.QtGui import QBrush, QColor, QFont, QShowEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QFrame,
    QHBoxLayout,
    QHeaderView,
    QInputDialog,
    QLabel,
    QPushButton,
    QSplitter,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from console.config import Config
from console.hub.messages import (
    AmendPlan,
    ApprovePlan,
    IncidentState,
    PlanChanged,
    RejectPlan,
    Reply,
    StaticDistrict,
    UnitState,
)
from console.workstation.situation import (
    Change,
    IncidentUpdated,
    PlanUpdated,
    Reset,
    SituationModel,
)
from widgets.bridge import HubBridge
from widgets.frame_pacer import LISTS_LANE, InTurn
from widgets.i18n import is_chinese
from widgets.panels.common import PRIORITY_COLOUR, format_age, incident_type_name, priority_text
from widgets.panels.common import status_background as tint
from widgets.ticks import start_spread
from widgets.workflow.common import DECIDING_ROLES, duration_text, refused_text, show_message, zh_en
from widgets.workflow.planmap import PlanMapView

BATCH_MAX_LEVEL = 2
POLICY_KEEP = 200
"""Plans dispatched under the policy the notice remembers (a shift's worth)."""
"""Highest force level a batch approval takes; level 3 and up are decided one by one."""
ID_ROLE = Qt.ItemDataRole.UserRole + 1
AGE_REFRESH_MS = 5000
MAP_DELAY_MS = 120
LEVEL3_BRUSH, DONE_BRUSH = QBrush(QColor("#b71c1c")), QBrush(QColor("#607d8b"))
BOLD = QFont()
BOLD.setBold(True)


def plan_priority(plan: PlanChanged, incident: IncidentState | None) -> int:
    """The plan's priority (its incident's when known)."""
    if incident is not None:
        return int(incident.priority)
    return int(plan.body.get("priority", 3) or 3)


class PlanQueue(QWidget):
    """Pending plans (table), the selected plan (map, units), decisions and batch approval."""

    incidentSelected = Signal(int)  # the selected plan's incident (0: none)
    openInWindowRequested = Signal(int)  # incident id: the full review window, on request
    chronologyRequested = Signal(int)
    decided = Signal(int, str)  # plan id, "approve" | "reject" | "amend": the hub accepted
    countChanged = Signal(int)  # plans listed

    CHECK, PRIORITY, ID, TYPE, LEVEL, APPROVALS, UNITS, AGE, PLACE = range(9)
    COLUMN_WIDTHS = (24, 38, 40, 76, 36, 76, 36, 52, 150)

    def __init__(
        self,
        bridge: HubBridge,
        config: Config,
        situation: SituationModel,
        *,
        clock: Callable[[], float],
        role: Callable[[], str],
        actor: Callable[[], str],
        district: Callable[[], StaticDistrict | None],
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("planQueue")
        self.turn = InTurn(LISTS_LANE)  # attached to the main window's frame pacer
        self.bridge = bridge
        self.config = config
        self.situation = situation
        self.clock = clock
        self.role_of = role
        self.actor_of = actor
        self.district_of = district
        self.plans: dict[int, PlanChanged] = {}  # incident id -> proposed plan
        self.by_policy: list[PlanChanged] = []  # dispatched without a supervisor, newest last
        self.checked: set[int] = set()  # incident ids ticked for a batch
        self.current: PlanChanged | None = None
        self.pending_sends = 0
        self.replies: list[Reply] = []
        self._filling = False
        self._drawn: tuple[int, int] | None = None  # (plan id, len(approvals)) on the map
        self._seat: tuple[str, str] = ("", "")  # (role, actor) the rows were built for

        # ---- the list
        self.count_label = QLabel(self)
        self.count_label.setObjectName("queueCount")
        self.policy_label = QLabel(self)  # the supervisor's notice of policy dispatches
        self.policy_label.setObjectName("policyNotice")
        self.policy_label.setStyleSheet("#policyNotice { color: #1b5e20; }")
        self.policy_label.setWordWrap(True)
        self.policy_label.hide()
        self.table = QTableWidget(0, len(self.COLUMN_WIDTHS), self)
        self.table.setObjectName("planQueueTable")
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setAlternatingRowColors(True)
        self.table.setWordWrap(False)
        self.table.verticalHeader().setVisible(False)
        self.table.verticalHeader().setDefaultSectionSize(22)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        header.setSectionResizeMode(self.PLACE, QHeaderView.ResizeMode.Stretch)
        for col, w in enumerate(self.COLUMN_WIDTHS):
            self.table.setColumnWidth(col, w)
        self.table.itemSelectionChanged.connect(self._selection_changed)
        self.table.itemChanged.connect(self._item_changed)
        self.table.doubleClicked.connect(
            lambda _i: self.current and self.openInWindowRequested.emit(self.current.incident_id)
        )
        self.tick_low_button = QPushButton(self)
        self.tick_low_button.setObjectName("tickLowLevel")
        self.batch_button = QPushButton(self)
        self.batch_button.setObjectName("approveChecked")
        self.tick_low_button.clicked.connect(self.tick_low_level)
        self.batch_button.clicked.connect(self.ask_batch)

        # ---- the batch confirmation bar (inline: nothing modal over the map)
        self.confirm_bar = QFrame(self)
        self.confirm_bar.setObjectName("batchConfirm")
        self.confirm_bar.setStyleSheet(
            "#batchConfirm { background: #fff3cd; border: 1px solid #e0c068; }"
        )
        self.confirm_label = QLabel(self.confirm_bar)
        self.confirm_label.setWordWrap(True)
        self.confirm_button = QPushButton(self.confirm_bar)
        self.confirm_button.setObjectName("confirmBatch")
        self.cancel_batch_button = QPushButton(self.confirm_bar)
        self.confirm_button.clicked.connect(self.confirm_batch)
        self.cancel_batch_button.clicked.connect(lambda: self.confirm_bar.hide())
        bar_lay = QHBoxLayout(self.confirm_bar)
        bar_lay.setContentsMargins(6, 4, 6, 4)
        bar_lay.addWidget(self.confirm_label, 1)
        bar_lay.addWidget(self.cancel_batch_button)
        bar_lay.addWidget(self.confirm_button)
        self.confirm_bar.hide()

        # ---- the selected plan
        self.header_label = QLabel(self)
        self.header_label.setObjectName("queuePlanHeader")
        self.header_label.setStyleSheet("#queuePlanHeader { font-weight: bold; font-size: 14px; }")
        self.header_label.setWordWrap(True)
        self.approval_label = QLabel(self)
        self.approval_label.setWordWrap(True)
        # styled once: a style sheet set with every plan shown polished the label again
        self.approval_label.setStyleSheet("color: #e65100; font-weight: bold;")
        self.shortfall_label = QLabel(self)
        self.shortfall_label.setWordWrap(True)
        self.shortfall_label.setStyleSheet("color: #b71c1c; font-weight: bold;")
        self.plan_map = PlanMapView(config, self)  # the one map: redrawn per selection
        self.plan_map.setMinimumHeight(120)
        self.slot_table = QTableWidget(0, 5, self)
        self.slot_table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.slot_table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.slot_table.verticalHeader().setVisible(False)
        self.slot_table.verticalHeader().setDefaultSectionSize(21)
        sh = self.slot_table.horizontalHeader()
        sh.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        sh.setSectionResizeMode(2, QHeaderView.ResizeMode.Stretch)
        self.message_label = QLabel(self)
        self.message_label.setWordWrap(True)
        self.message_label.hide()
        self.approve_button = QPushButton(self)
        self.approve_button.setObjectName("queueApprove")
        self.approve_button.setStyleSheet(
            "#queueApprove:enabled { background: #2e7d32; color: white; font-weight: bold;"
            " padding: 4px 14px; }"
        )
        self.amend_button = QPushButton(self)
        self.reject_button = QPushButton(self)
        self.window_button = QPushButton(self)
        self.chronology_button = QPushButton(self)
        self.approve_button.clicked.connect(self.approve_current)
        self.amend_button.clicked.connect(lambda: self.amend_current())
        self.reject_button.clicked.connect(lambda: self.reject_current())
        self.window_button.clicked.connect(
            lambda: self.current and self.openInWindowRequested.emit(self.current.incident_id)
        )
        self.chronology_button.clicked.connect(
            lambda: self.current and self.chronologyRequested.emit(self.current.incident_id)
        )

        top = QWidget(self)
        top_lay = QVBoxLayout(top)
        top_lay.setContentsMargins(0, 0, 0, 0)
        top_lay.setSpacing(3)
        self.count_label.setWordWrap(True)
        list_bar = QHBoxLayout()
        list_bar.addWidget(self.count_label, 1)
        list_bar.addWidget(self.tick_low_button)
        list_bar.addWidget(self.batch_button)
        top_lay.addLayout(list_bar)
        top_lay.addWidget(self.policy_label)
        top_lay.addWidget(self.confirm_bar)
        top_lay.addWidget(self.table, 1)
        detail = QWidget(self)
        d_lay = QVBoxLayout(detail)
        d_lay.setContentsMargins(0, 0, 0, 0)
        d_lay.setSpacing(3)
        d_lay.addWidget(self.header_label)
        d_lay.addWidget(self.approval_label)
        body = QSplitter(Qt.Orientation.Vertical, detail)  # a side column: map over units
        body.addWidget(self.plan_map)
        right = QWidget(body)
        r_lay = QVBoxLayout(right)
        r_lay.setContentsMargins(0, 0, 0, 0)
        r_lay.addWidget(self.slot_table, 1)
        r_lay.addWidget(self.shortfall_label)
        body.addWidget(right)
        body.setStretchFactor(0, 3)
        body.setStretchFactor(1, 2)
        self.body_splitter = body
        d_lay.addWidget(body, 1)
        d_lay.addWidget(self.message_label)
        buttons = QHBoxLayout()
        buttons.addWidget(self.chronology_button)
        buttons.addWidget(self.window_button)
        buttons.addStretch(1)
        for b in (self.reject_button, self.amend_button, self.approve_button):
            buttons.addWidget(b)
        d_lay.addLayout(buttons)
        self.splitter = QSplitter(Qt.Orientation.Vertical, self)
        self.splitter.addWidget(top)
        self.splitter.addWidget(detail)
        self.splitter.setStretchFactor(0, 2)
        self.splitter.setStretchFactor(1, 5)
        lay = QVBoxLayout(self)
        lay.setContentsMargins(4, 4, 4, 4)
        lay.addWidget(self.splitter)
        self.splitter.setSizes([210, 430])  # list of about six plans; the rest for the plan
        body.setSizes([250, 120])  # the map over the units

        self._map_timer = QTimer(self)
        self._map_timer.setSingleShot(True)
        self._map_timer.setInterval(MAP_DELAY_MS)
        self._map_timer.timeout.connect(self._draw_map)
        self._timer = QTimer(self)
        self._timer.setInterval(AGE_REFRESH_MS)
        self._timer.timeout.connect(self._refresh_ages)
        start_spread(self._timer)
        situation.subscribe(self._on_situation)
        self.retranslateUi()
        self._load_from_situation()

    # ------------------------------------------------------------------ texts

    def retranslateUi(self) -> None:
        """Every text (also on LanguageChange)."""
        self.table.setHorizontalHeaderLabels(
            [
                "",
                self.tr("P"),
                self.tr("No."),
                self.tr("Type"),
                self.tr("Level"),
                self.tr("Approvals"),
                self.tr("Units"),
                self.tr("Waiting"),
                self.tr("Place"),
            ]
        )
        self.slot_table.setHorizontalHeaderLabels(
            [
                self.tr("Call sign"),
                self.tr("Type"),
                self.tr("Role"),
                self.tr("ETA"),
                self.tr("Std."),
            ]
        )
        self.tick_low_button.setText(self.tr("Tick all low-level"))
        self.tick_low_button.setToolTip(
            self.tr("Tick every plan of force level 1–2 you may approve")
        )
        self.approve_button.setText(self.tr("Approve"))
        self.amend_button.setText(self.tr("Amend…"))
        self.reject_button.setText(self.tr("Reject…"))
        self.window_button.setText(self.tr("Open in window"))
        self.chronology_button.setText(self.tr("Chronology"))
        self.confirm_button.setText(self.tr("Approve all"))
        self.cancel_batch_button.setText(self.tr("Cancel"))
        self._fill()
        self._show_current()
        self._show_policy_notice()

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslateUi()
        super().changeEvent(event)

    # ------------------------------------------------------------------ roles

    @property
    def may_decide(self) -> bool:
        """Whether this workstation's role may decide plans (the hub checks again)."""
        return self.role_of() in DECIDING_ROLES

    def awaiting_me(self, plan: PlanChanged) -> bool:
        """A proposed plan this workstation's supervisor has not approved yet."""
        return (
            plan.status == "proposed" and self.may_decide and self.actor_of() not in plan.approvals
        )

    def batchable(self, plan: PlanChanged) -> bool:
        """Whether the plan may go in a batch approval (low level, with units, awaiting me)."""
        return (
            self.awaiting_me(plan)
            and int(plan.body.get("force_level", 9) or 9) <= BATCH_MAX_LEVEL
            and plan.approvals_needed <= 1  # a plan the policy gives two: one by one
            and bool(plan.body.get("slots"))
        )

    # ------------------------------------------------------------------ following

    def _on_situation(self, change: Change) -> None:
        if isinstance(change, Reset) and change.incidents:
            self._load_from_situation()
        elif isinstance(change, PlanUpdated):
            self.take(change.plan)
        elif (
            isinstance(change, IncidentUpdated)
            and change.closed
            and self.plans.pop(change.incident.id, None) is not None
        ):
            self.checked.discard(change.incident.id)
            self._fill()
            self._after_change()

    def _load_from_situation(self) -> None:
        self.plans = {
            iid: _copy(p)
            for iid, p in self.situation.plans.items()
            if p.status == "proposed" and iid in self.situation.incidents
        }
        self.checked &= set(self.plans)
        self._fill()
        self._after_change()

    def take(self, plan: PlanChanged) -> None:
        """A plan changed: list it while proposed, drop it once decided or superseded."""
        held = self.plans.get(plan.incident_id)
        if held is not None and held.plan_id > plan.plan_id:
            return
        if plan.status == "approved" and plan.approvals_needed == 0:
            self.by_policy = [*self.by_policy[-(POLICY_KEEP - 1) :], _copy(plan)]
            self._show_policy_notice()
        row = self._row_of(plan.incident_id)
        if plan.status == "proposed" and plan.incident_id in self.situation.incidents:
            p = self.plans[plan.incident_id] = _copy(plan)
            if row is None:  # a new row where its urgency puts it
                row = [q.incident_id for q in self.ordered()].index(plan.incident_id)
                self._filling = True
                self.table.insertRow(row)
                self._filling = False
            self._fill_row(row, p, self.clock())
        else:
            self.plans.pop(plan.incident_id, None)
            self.checked.discard(plan.incident_id)
            if row is not None:
                self.table.removeRow(row)
        # the count line, the batch buttons and the dock's title once per lists' turn in
        # the main window: a busy shift changes them with every plan, and a button
        # enabled or disabled again costs a style-sheet polish (frame_pacer.py)
        self.turn(self, self._update_counts)
        self._after_change()

    def _show_policy_notice(self) -> None:
        """How many plans went out under the policy, and the latest (no action needed)."""
        if not self.by_policy:
            self.policy_label.hide()
            return
        p = self.by_policy[-1]
        who = ", ".join(p.approvals) or "?"
        kind = incident_type_name(self.config, str(p.body.get("incident_type", "")))
        if is_chinese():
            text = (
                f"按审批规则直接派警 {len(self.by_policy)} 起 (无需审批, 仅通报);"
                f" 最新: #{p.incident_id} {kind}, {who} 派出"
            )
        else:
            text = (
                f"{len(self.by_policy)} plans dispatched under the approval policy"
                f" (no approval needed, for your notice); latest: #{p.incident_id} {kind},"
                f" sent by {who}"
            )
        self.policy_label.setText(text)
        self.policy_label.show()

    def ordered(self) -> list[PlanChanged]:
        """Pending plans, most urgent first, then longest waiting."""

        def key(p: PlanChanged) -> tuple[int, float, int]:
            inc = self.situation.incidents.get(p.incident_id)
            return (plan_priority(p, inc), inc.created_at if inc else math.inf, p.plan_id)

        return sorted(self.plans.values(), key=key)

    # ------------------------------------------------------------------ list

    def _fill(self) -> None:
        """Rebuild every row (a snapshot, a language or a sign-in), keeping the selection;
        a single plan's change touches only its row (:meth:`take`)."""
        keep = self.current.incident_id if self.current is not None else None
        self._seat = (self.role_of(), self.actor_of())
        plans = self.ordered()
        t = self.table
        t.blockSignals(True)
        t.setRowCount(len(plans))
        now = self.clock()
        for row, p in enumerate(plans):
            self._fill_row(row, p, now)
        t.blockSignals(False)
        keep_row = self._row_of(keep) if keep is not None else None
        if keep_row is not None:
            t.blockSignals(True)
            t.selectRow(keep_row)
            t.blockSignals(False)
        self._update_counts()

    def _fill_row(self, row: int, p: PlanChanged, now: float) -> None:
        t = self.table
        self._filling = True
        blocked = t.blockSignals(True)
        inc = self.situation.incidents.get(p.incident_id)
        prio = plan_priority(p, inc)
        level = int(p.body.get("force_level", 0) or 0)
        need = max(p.approvals_needed, 1)
        got = len(p.approvals)
        approvals = f"{got}/{need}" + (f" {', '.join(p.approvals)}" if p.approvals else "")
        check = QTableWidgetItem()
        check.setData(ID_ROLE, p.incident_id)
        if self.batchable(p):
            check.setFlags(Qt.ItemFlag.ItemIsUserCheckable | Qt.ItemFlag.ItemIsEnabled)
            check.setCheckState(
                Qt.CheckState.Checked if p.incident_id in self.checked else Qt.CheckState.Unchecked
            )
        else:
            check.setFlags(Qt.ItemFlag.ItemIsEnabled)
        t.setItem(row, self.CHECK, check)
        texts = [
            priority_text(prio),
            str(p.incident_id),
            incident_type_name(
                self.config, inc.incident_type if inc else str(p.body.get("incident_type", ""))
            ),
            str(level or "?"),
            approvals,
            str(len(p.body.get("slots", []))),
            format_age(now - inc.created_at) if inc else "—",
            inc.address if inc and inc.address else str(p.body.get("address", "")),
        ]
        for col, text in enumerate(texts, start=1):
            item = QTableWidgetItem(text)
            item.setData(ID_ROLE, p.incident_id)
            if col in (self.PRIORITY, self.ID, self.LEVEL, self.UNITS, self.AGE):
                item.setTextAlignment(Qt.AlignmentFlag.AlignCenter)
            if col == self.PRIORITY:
                item.setBackground(tint(PRIORITY_COLOUR.get(prio, "#9e9e9e")))
            if col == self.LEVEL and level >= 3:
                item.setFont(BOLD)
                item.setForeground(LEVEL3_BRUSH)
            if col == self.APPROVALS and not self.awaiting_me(p):
                item.setForeground(DONE_BRUSH)
            t.setItem(row, col, item)
        t.blockSignals(blocked)
        self._filling = False

    def _refresh_ages(self) -> None:
        if self._seat != (self.role_of(), self.actor_of()):  # someone else signed in
            self._fill()
            self._show_current()
            return
        now = self.clock()
        for row in range(self.table.rowCount()):
            item = self.table.item(row, self.ID)
            inc = self.situation.incidents.get(int(item.data(ID_ROLE))) if item else None
            age = self.table.item(row, self.AGE)
            if inc is not None and age is not None:
                age.setText(format_age(now - inc.created_at))

    def _row_of(self, incident_id: int) -> int | None:
        for row in range(self.table.rowCount()):
            item = self.table.item(row, self.ID)
            if item is not None and int(item.data(ID_ROLE)) == incident_id:
                return row
        return None

    def _item_changed(self, item: QTableWidgetItem) -> None:
        if self._filling or item.column() != self.CHECK:
            return
        iid = int(item.data(ID_ROLE))
        if item.checkState() == Qt.CheckState.Checked:
            self.checked.add(iid)
        else:
            self.checked.discard(iid)
        self._update_counts()

    def set_checked(self, incident_id: int, on: bool) -> bool:
        """Tick or untick a plan for a batch (False: not batchable or not listed)."""
        row = self._row_of(incident_id)
        plan = self.plans.get(incident_id)
        if row is None or plan is None or not self.batchable(plan):
            return False
        item = self.table.item(row, self.CHECK)
        if item is None:
            return False
        item.setCheckState(Qt.CheckState.Checked if on else Qt.CheckState.Unchecked)
        return True

    def tick_low_level(self) -> int:
        """Tick every plan a batch may take; returns how many are ticked."""
        for p in self.plans.values():
            if self.batchable(p):
                self.checked.add(p.incident_id)
        self._fill()
        return len(self.checked)

    def _update_counts(self) -> None:
        n = len(self.plans)
        mine = sum(1 for p in self.plans.values() if self.awaiting_me(p))
        self.count_label.setText(
            self.tr("%1 plans awaiting a decision · %2 await you")
            .replace("%1", str(n))
            .replace("%2", str(mine))
            if self.may_decide
            else self.tr("%1 plans awaiting a supervisor's decision").replace("%1", str(n))
        )
        ticked = [i for i in self.checked if i in self.plans and self.batchable(self.plans[i])]
        self.batch_button.setText(self.tr("Approve ticked (%1)…").replace("%1", str(len(ticked))))
        self.batch_button.setEnabled(bool(ticked) and self.pending_sends == 0)
        self.tick_low_button.setEnabled(any(self.batchable(p) for p in self.plans.values()))
        self.tick_low_button.setVisible(self.may_decide)
        self.batch_button.setVisible(self.may_decide)
        self.countChanged.emit(n)

    # ------------------------------------------------------------------ selection

    def _selection_changed(self) -> None:
        rows = self.table.selectionModel().selectedRows()
        if not rows:
            return
        item = self.table.item(rows[0].row(), self.ID)
        if item is None:
            return
        plan = self.plans.get(int(item.data(ID_ROLE)))
        if plan is not None:
            self._make_current(plan)

    def _make_current(self, plan: PlanChanged) -> None:
        if self.current is not None and plan.plan_id == self.current.plan_id:
            return
        self.current = plan
        show_message(self.message_label, "")
        self._show_current()
        self.incidentSelected.emit(plan.incident_id)

    def select_incident(self, incident_id: int) -> bool:
        """Show that incident's plan if it is in the queue (another list selected it)."""
        row = self._row_of(incident_id)
        plan = self.plans.get(incident_id)
        if row is None or plan is None:
            return False
        self.table.blockSignals(True)  # the row may be selected already: set the plan here
        self.table.selectRow(row)
        self.table.blockSignals(False)
        id_item = self.table.item(row, self.ID)
        if id_item is not None:
            self.table.scrollToItem(id_item)
        self._make_current(plan)
        return True

    def select_next(self) -> PlanChanged | None:
        """Select the most urgent plan awaiting this workstation (else the first listed)."""
        plans = self.ordered()
        mine = [p for p in plans if self.awaiting_me(p)] or plans
        if not mine:
            return None
        self.select_incident(mine[0].incident_id)
        return self.current

    def _after_change(self) -> None:
        """Keep the shown plan current: the newer version of it, or the next one."""
        if self.current is not None:
            newer = self.plans.get(self.current.incident_id)
            decided_here = self.awaiting_me(self.current) and (
                newer is None or not self.awaiting_me(newer)
            )
            if newer is not None and not decided_here:
                if newer is not self.current:  # another plan's change: nothing to redraw
                    self.current = newer
                    self._show_current()
                return
            self.current = None  # decided (here, or it left the queue): on to the next
        if self.plans:
            self.select_next()
        else:
            self._show_current()
            self.incidentSelected.emit(0)

    def _show_current(self) -> None:
        p = self.current
        enabled = p is not None and self.pending_sends == 0
        if p is None:
            self.header_label.setText(
                self.tr("No plan awaits a decision.") if not self.plans else ""
            )
            self.approval_label.setText("")
            self.slot_table.setRowCount(0)
            self.shortfall_label.hide()
            self.plan_map.scene().clear()
            self._drawn = None
            for b in (self.approve_button, self.amend_button, self.reject_button):
                b.setEnabled(False)
            self.window_button.setEnabled(False)
            self.chronology_button.setEnabled(False)
            return
        body = p.body
        inc = self.situation.incidents.get(p.incident_id)
        name = zh_en(body, "incident_name") or incident_type_name(
            self.config, str(body.get("incident_type", ""))
        )
        self.header_label.setText(
            self.tr("#%1 %2 · %3 · force level %4 · officers %5/%6")
            .replace("%1", str(p.incident_id))
            .replace("%2", name)
            .replace("%3", priority_text(plan_priority(p, inc)))
            .replace("%4", str(body.get("force_level", "?")))
            .replace("%5", str(body.get("manpower_assigned", "?")))
            .replace("%6", str(body.get("manpower", "?")))
            + (f"\n{inc.address}" if inc and inc.address else "")
        )
        self.approval_label.setText(self.approval_text(p))
        self._fill_slots(body.get("slots", []))
        shortfalls = [zh_en(s, "text") for s in body.get("shortfalls", [])]
        self.shortfall_label.setText(
            self.tr("Shortfall: %1").replace("%1", "; ".join(shortfalls)) if shortfalls else ""
        )
        self.shortfall_label.setVisible(bool(shortfalls))
        self._map_timer.start()  # drawn once the selection rests, and only when seen
        mine = self.awaiting_me(p)
        self.approve_button.setEnabled(enabled and mine and bool(body.get("slots")))
        self.reject_button.setEnabled(enabled and self.may_decide)
        self.amend_button.setEnabled(enabled and self.may_decide)
        self.window_button.setEnabled(True)
        self.chronology_button.setEnabled(True)
        tip = (
            self.tr("Only a duty supervisor may decide on a plan.")
            if not self.may_decide
            else self.tr("You have approved; a second, different supervisor must approve.")
            if self.actor_of() in p.approvals
            else ""
        )
        for b in (self.approve_button, self.reject_button, self.amend_button):
            b.setToolTip(tip)

    def _draw_map(self) -> None:
        """Draw the shown plan's map (the district's roads: tens of milliseconds), not for
        every plan that passes through a busy queue, and not while the queue is hidden."""
        p = self.current
        if p is None or not self.isVisible():
            return
        drawn = (p.plan_id, len(p.approvals))
        if self._drawn == drawn:
            return
        try:
            self.plan_map.set_plan(p.body, self.district_of())
        except ValueError as exc:
            show_message(self.message_label, str(exc))
        self._drawn = drawn

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        self._map_timer.start()  # a plan selected while the queue was hidden

    def approval_text(self, p: PlanChanged) -> str:
        """Where the approval stands, in words."""
        got, need = len(p.approvals), p.approvals_needed
        if need >= 2 and got >= 1:
            return (
                self.tr("Needs a second duty supervisor's approval (%1/%2); approved by %3")
                .replace("%1", str(got))
                .replace("%2", str(need))
                .replace("%3", ", ".join(p.approvals))
            )
        if need >= 2:
            return self.tr("Needs two duty supervisors' approval (0/2)")
        if need == 0:
            return self.tr("Dispatched under the approval policy; for the supervisor's notice")
        return self.tr("Needs a duty supervisor's approval")

    def _fill_slots(self, slots: list[dict[str, Any]]) -> None:
        t = self.slot_table
        t.setRowCount(len(slots))
        for row, s in enumerate(slots):
            met = bool(s.get("met"))
            values = [
                str(s.get("call_sign", "")),
                str(s.get("unit_type_zh") or s.get("unit_type", ""))
                if is_chinese()
                else self._unit_type(str(s.get("unit_type", ""))),
                zh_en(s, "role"),
                duration_text(float(s.get("eta_s", math.nan))),
                "✓" if met else "✗",
            ]
            for col, text in enumerate(values):
                item = QTableWidgetItem(text)
                if col == 4:
                    item.setTextAlignment(Qt.AlignmentFlag.AlignCenter)
                    item.setForeground(QBrush(QColor("#1b5e20" if met else "#b71c1c")))
                if col == 2:
                    item.setToolTip(zh_en(s, "why"))
                t.setItem(row, col, item)

    def _unit_type(self, key: str) -> str:
        ut = self.config.unit_types.get(key)
        return ut.name_en if ut is not None else key

    # ------------------------------------------------------------------ decisions

    def _on_ok(self, plan_id: int, verb: str) -> Callable[[Reply], None]:
        """A reply handler that reports a decision once the hub has taken it."""

        def done(reply: Reply) -> None:
            if reply.ok:
                self.decided.emit(plan_id, verb)

        return done

    def _send(self, command: Any, on_done: Callable[[Reply], None] | None = None) -> None:
        self.pending_sends += 1
        self._show_current()
        self._update_counts()

        def done(reply: Reply) -> None:
            self.pending_sends -= 1
            self.replies.append(reply)
            if not reply.ok:
                show_message(self.message_label, refused_text(reply.error))
            if on_done is not None:
                on_done(reply)
            self._show_current()
            self._update_counts()

        self.bridge.call(command, done)

    def approve_current(self) -> bool:
        """Approve the plan shown (the next one is selected when the hub has it)."""
        p = self.current
        if p is None or not self.awaiting_me(p) or self.pending_sends:
            return False
        self._send(
            ApprovePlan(plan_id=p.plan_id),
            self._on_ok(p.plan_id, "approve"),
        )
        return True

    def reject_current(self, reason: str | None = None) -> bool:
        """Reject the plan shown; asks for the reason when none is given."""
        p = self.current
        if p is None or not self.may_decide:
            return False
        if reason is None:
            text, ok = QInputDialog.getText(
                self, self.tr("Reject plan"), self.tr("Reason for rejecting the plan:")
            )
            if not ok:
                return False
            reason = text
        if not reason.strip():
            show_message(self.message_label, self.tr("A rejection needs a reason."))
            return False
        self._send(
            RejectPlan(plan_id=p.plan_id, reason=reason.strip()),
            self._on_ok(p.plan_id, "reject"),
        )
        return True

    def amend_current(
        self, remove: list[str] | None = None, add: list[str] | None = None, reason: str = ""
    ) -> bool:
        """Amend the plan shown; with no lists given, asks in the plan review's amend dialog."""
        p = self.current
        if p is None or not self.may_decide:
            return False
        if remove is None and add is None:
            from widgets.workflow.plan_review import AmendDialog

            signs = [str(s.get("call_sign", "")) for s in p.body.get("slots", [])]
            dlg = AmendDialog(self, signs, self.available_units(p))  # type: ignore[arg-type]
            if dlg.exec() != QDialog.DialogCode.Accepted:
                return False
            remove, add, reason = dlg.chosen()
        if not (remove or add):
            show_message(self.message_label, self.tr("Choose units to remove or to add."))
            return False
        self._send(
            AmendPlan(
                plan_id=p.plan_id, remove=list(remove or []), add=list(add or []), reason=reason
            ),
            self._on_ok(p.plan_id, "amend"),
        )
        return True

    def available_units(self, p: PlanChanged) -> list[tuple[UnitState, float]]:
        """Available units not in the plan, nearest first (the amend dialog's list)."""
        from console.geo.coords import haversine_m

        in_plan = {str(s.get("call_sign", "")) for s in p.body.get("slots", [])}
        in_plan |= set(self.situation.held_units(p.incident_id))  # the hub would refuse them
        lon, lat = float(p.body.get("lon", 0.0)), float(p.body.get("lat", 0.0))
        out = [
            (u, float(haversine_m(lon, lat, u.lon, u.lat)))
            for u in self.situation.current_units()
            if u.status == "available" and u.call_sign not in in_plan
        ]
        out.sort(key=lambda x: x[1])
        return out

    # ------------------------------------------------------------------ batch

    def ticked_plans(self) -> list[PlanChanged]:
        """The ticked plans a batch would approve, in queue order."""
        return [p for p in self.ordered() if p.incident_id in self.checked and self.batchable(p)]

    def ask_batch(self) -> bool:
        """Show the confirmation bar for the ticked plans (one confirmation for all)."""
        plans = self.ticked_plans()
        if not plans:
            return False
        numbers = ", ".join(f"#{p.incident_id}" for p in plans[:12])
        if len(plans) > 12:
            numbers += " …"
        self.confirm_label.setText(
            self.tr("Approve %1 plans of force level 1–2 and send their orders? %2")
            .replace("%1", str(len(plans)))
            .replace("%2", numbers)
        )
        self.confirm_bar.show()
        return True

    def confirm_batch(self) -> int:
        """Approve every ticked plan (one command each; the hub checks each); returns how
        many were sent."""
        self.confirm_bar.hide()
        plans = self.ticked_plans()
        for p in plans:
            self.checked.discard(p.incident_id)
            self._send(
                ApprovePlan(plan_id=p.plan_id),
                self._on_ok(p.plan_id, "approve"),
            )
        self._fill()
        return len(plans)


def _copy(plan: PlanChanged) -> PlanChanged:
    """Our own copy (in-process the hub hands out objects it changes later)."""
    return msgspec.structs.replace(plan, approvals=list(plan.approvals))
