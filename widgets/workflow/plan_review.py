"""Plan review: the proposed deployment on a map and in a table, and the supervisor's decision.

One dialog per incident follows that incident's PlanChanged events: an
amendment supersedes the plan and a new proposal arrives, a first approval of
a force-level-3+ plan leaves it waiting for a second, different supervisor.
Buttons the current role may not use are disabled, but the hub decides: a
refusal is shown in the hub's own words.
"""

from __future__ import annotations

import contextlib
import logging
import math
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any, cast

import msgspec
from PySide6.QtCore import QT_TRANSLATE_NOOP, QCoreApplication, QEvent, Qt, QUrl, Signal
from PySide6.QtGui import QBrush, QColor, QDesktopServices
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QHBoxLayout,
    QHeaderView,
    QInputDialog,
    QLabel,
    QLineEdit,
    QListWidget,
    QPushButton,
    QSplitter,
    QStackedWidget,
    QTableWidget,
    QTableWidgetItem,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from console.config import Config
from console.geo.coords import haversine_m
from console.hub.messages import (
    AmendPlan,
    ApprovePlan,
    Event,
    PlanChanged,
    RejectPlan,
    Reply,
    StaticDistrict,
    UnitState,
)
from widgets.bridge import HubBridge
from widgets.i18n import is_chinese
from widgets.panels.common import priority_text, unit_type_name
from widgets.workflow.briefing import BriefingView, web_view_usable, write_briefing
from widgets.workflow.common import (
    DECIDING_ROLES,
    distance_text,
    duration_text,
    refused_text,
    show_message,
    zh_en,
)
from widgets.workflow.planmap import PlanMapView

log = logging.getLogger(__name__)

PLAN_STATUS_TEXT = cast(
    dict[str, str],
    {
        "proposed": QT_TRANSLATE_NOOP("PlanStatus", "awaiting approval"),
        "approved": QT_TRANSLATE_NOOP("PlanStatus", "approved"),
        "rejected": QT_TRANSLATE_NOOP("PlanStatus", "rejected"),
        "superseded": QT_TRANSLATE_NOOP("PlanStatus", "superseded by an amended plan"),
    },
)
MET_BG, LATE_BG = QColor(46, 125, 50, 45), QColor(198, 40, 40, 55)


def plan_status_text(status: str) -> str:
    """Display text of a plan status (the key itself when unknown)."""
    src = PLAN_STATUS_TEXT.get(status)
    return QCoreApplication.translate("PlanStatus", src) if src else status


class PlanReviewDialog(QDialog):
    """One incident's plan: map, slot table, standards, coverage, and approve/reject/amend."""

    chronologyRequested = Signal(int)  # incident id

    SLOT_COLUMNS = 9
    CALL_SIGN, TYPE, ROLE, WAVE, DISTANCE, ETA, MET, ALTERNATIVE, WHY = range(9)

    def __init__(
        self,
        bridge: HubBridge,
        config: Config,
        event: PlanChanged,
        *,
        district: StaticDistrict | None = None,
        units: Callable[[], list[UnitState]] | None = None,
        held: Callable[[int], Mapping[str, int]] | None = None,
        role: str | None = None,
        actor: str | None = None,
        use_web: bool | None = None,
        briefing_dir: Path | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("PlanReviewDialog")
        self.bridge = bridge
        self.config = config
        self.district = district
        self.units = units or (lambda: [])
        self.held = held or (lambda _incident: {})
        """Units held by other incidents' proposed plans (the hub would refuse them)."""
        self.role = role if role is not None else str(getattr(bridge.client, "role", "operator"))
        self.actor = actor if actor is not None else str(getattr(bridge.client, "actor", ""))
        self.incident_id = event.incident_id
        self.plan_event = msgspec.structs.replace(event, approvals=list(event.approvals))
        self.pending = False
        self.briefing_dir = briefing_dir
        self.briefing_path: Path | None = None
        self.replies: list[Reply] = []

        self.header_label = QLabel(self)
        self.header_label.setObjectName("planHeader")
        self.header_label.setStyleSheet("#planHeader { font-size: 15px; font-weight: bold; }")
        self.approval_label = QLabel(self)
        self.approval_label.setObjectName("approvalLabel")
        self.shortfall_label = QLabel(self)
        self.shortfall_label.setWordWrap(True)
        self.shortfall_label.setStyleSheet("color: #b71c1c; font-weight: bold;")

        # map: the briefing page where Chromium can paint, the static drawing elsewhere
        self.map_stack = QStackedWidget(self)
        self.plan_map = PlanMapView(config, self)
        self.map_stack.addWidget(self.plan_map)
        self.web_view: BriefingView | None = None
        if use_web if use_web is not None else web_view_usable():
            self.web_view = BriefingView(self)
            self.map_stack.addWidget(self.web_view)
            self.map_stack.setCurrentWidget(self.web_view)
        self.map_note = QLabel(self)
        self.map_note.setWordWrap(True)
        self.map_note.setStyleSheet("color: #607d8b; font-size: 11px;")

        self.slot_table = QTableWidget(0, self.SLOT_COLUMNS, self)
        self.slot_table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.slot_table.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self.slot_table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.slot_table.verticalHeader().setVisible(False)
        self.slot_table.setWordWrap(True)
        self.slot_table.setAlternatingRowColors(True)
        header = self.slot_table.horizontalHeader()
        for col in range(self.WHY):
            header.setSectionResizeMode(col, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(self.WHY, QHeaderView.ResizeMode.Stretch)
        self.slot_table.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)

        self.details = QTabWidget(self)
        self.standards_list = QListWidget(self)
        self.coverage_list = QListWidget(self)
        self.move_up_list = QListWidget(self)
        self.notes_list = QListWidget(self)
        for w in (self.standards_list, self.coverage_list, self.move_up_list, self.notes_list):
            w.setWordWrap(True)
            self.details.addTab(w, "")

        self.message_label = QLabel(self)
        self.message_label.setWordWrap(True)
        self.message_label.hide()
        self.approve_button = QPushButton(self)
        self.approve_button.setObjectName("approveButton")
        self.approve_button.setStyleSheet(
            "#approveButton:enabled { background: #2e7d32; color: white; font-weight: bold;"
            " padding: 4px 16px; }"
        )
        self.reject_button = QPushButton(self)
        self.amend_button = QPushButton(self)
        self.chronology_button = QPushButton(self)
        self.open_briefing_button = QPushButton(self)
        self.close_button = QPushButton(self)
        self.approve_button.clicked.connect(self.approve_plan)
        self.reject_button.clicked.connect(lambda: self.reject_plan())
        self.amend_button.clicked.connect(lambda: self.amend_plan())
        self.chronology_button.clicked.connect(
            lambda: self.chronologyRequested.emit(self.incident_id)
        )
        self.open_briefing_button.clicked.connect(self.open_briefing)
        self.close_button.clicked.connect(self.close)

        left = QWidget(self)
        left_lay = QVBoxLayout(left)
        left_lay.setContentsMargins(0, 0, 0, 0)
        left_lay.addWidget(self.map_stack, 1)
        left_lay.addWidget(self.map_note)
        right = QWidget(self)
        right_lay = QVBoxLayout(right)
        right_lay.setContentsMargins(0, 0, 0, 0)
        right_lay.addWidget(self.slot_table, 3)
        right_lay.addWidget(self.shortfall_label)
        right_lay.addWidget(self.details, 2)
        self.splitter = QSplitter(Qt.Orientation.Horizontal, self)
        self.splitter.addWidget(left)
        self.splitter.addWidget(right)
        self.splitter.setStretchFactor(0, 5)
        self.splitter.setStretchFactor(1, 6)
        buttons = QHBoxLayout()
        buttons.addWidget(self.chronology_button)
        buttons.addWidget(self.open_briefing_button)
        buttons.addStretch(1)
        for b in (self.amend_button, self.reject_button, self.approve_button, self.close_button):
            buttons.addWidget(b)
        lay = QVBoxLayout(self)
        lay.addWidget(self.header_label)
        lay.addWidget(self.approval_label)
        lay.addWidget(self.splitter, 1)
        lay.addWidget(self.message_label)
        lay.addLayout(buttons)
        self.resize(1280, 700)
        self.splitter.setSizes([560, 740])

        bridge.event.connect(self._on_event)
        self.retranslateUi()
        self.set_plan(event)

    # ------------------------------------------------------------------ texts

    def retranslateUi(self) -> None:
        """Every text (also on LanguageChange); the plan's own words follow the language too."""
        self.slot_table.setHorizontalHeaderLabels(
            [
                self.tr("Call sign"),
                self.tr("Type"),
                self.tr("Role"),
                self.tr("Wave"),
                self.tr("Distance"),
                self.tr("ETA"),
                self.tr("Std."),
                self.tr("Alternative"),
                self.tr("Why"),
            ]
        )
        for i, text in enumerate(
            (
                self.tr("Arrival standards"),
                self.tr("Coverage cost"),
                self.tr("Move-ups"),
                self.tr("Notes"),
            )
        ):
            self.details.setTabText(i, text)
        self.approve_button.setText(self.tr("Approve"))
        self.reject_button.setText(self.tr("Reject…"))
        self.amend_button.setText(self.tr("Amend…"))
        self.chronology_button.setText(self.tr("Chronology"))
        self.open_briefing_button.setText(self.tr("Open briefing map"))
        self.close_button.setText(self.tr("Close"))
        self.map_note.setText(
            self.tr("Briefing map (offline Leaflet); routes green = within standard, red = late.")
            if self.web_view is not None
            else self.tr(
                "Static plan map (the web briefing map cannot be shown here; it is saved as a "
                "file: Open briefing map). Green = within standard, red = late."
            )
        )
        self._show()

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslateUi()
        super().changeEvent(event)

    # ------------------------------------------------------------------ plan

    @property
    def plan(self) -> dict[str, Any]:
        """The plan body shown."""
        return self.plan_event.body

    def set_plan(self, ev: PlanChanged) -> bool:
        """Show ``ev`` if it is this incident's current plan (or newer); False when ignored."""
        if ev.incident_id != self.incident_id or ev.plan_id < self.plan_event.plan_id:
            return False
        new_plan = ev.plan_id != self.plan_event.plan_id or not self.plan_map.markers
        # a copy: in-process the hub hands out its own event object and updates it later
        self.plan_event = msgspec.structs.replace(ev, approvals=list(ev.approvals))
        if new_plan or ev.status in ("approved", "rejected"):
            self.plan_map.set_plan(ev.body, self.district)
            self._write_briefing()
        self._show()
        return True

    def _write_briefing(self) -> None:
        try:
            self.briefing_path = write_briefing(
                self.plan_event, self.district, self.config, self.briefing_dir
            )
        except (OSError, ValueError) as exc:
            log.warning("could not write the briefing map: %s", exc)
            self.briefing_path = None
            return
        if self.web_view is not None:
            self.web_view.show_file(self.briefing_path)

    def open_briefing(self) -> bool:
        """Open the saved briefing page in the system browser (offline, a local file)."""
        if self.briefing_path is None:
            return False
        return bool(QDesktopServices.openUrl(QUrl.fromLocalFile(str(self.briefing_path))))

    def _show(self) -> None:
        ev, p = self.plan_event, self.plan_event.body
        name = zh_en(p, "incident_name") or str(p.get("incident_type", ""))
        self.setWindowTitle(
            self.tr("Plan review — incident #%1 %2")
            .replace("%1", str(ev.incident_id))
            .replace("%2", name)
        )
        self.header_label.setText(
            self.tr("#%1 %2 · %3 · force level %4 · officers %5/%6 · plan %7: %8")
            .replace("%1", str(ev.incident_id))
            .replace("%2", name)
            .replace("%3", priority_text(int(p.get("priority", 3))))
            .replace("%4", str(p.get("force_level", "?")))
            .replace("%5", str(p.get("manpower_assigned", "?")))
            .replace("%6", str(p.get("manpower", "?")))
            .replace("%7", str(ev.plan_id))
            .replace("%8", plan_status_text(ev.status))
        )
        self.approval_label.setText(self.approval_text())
        colour = {"approved": "#1b5e20", "rejected": "#b71c1c"}.get(ev.status, "#e65100")
        self.approval_label.setStyleSheet(f"color: {colour}; font-weight: bold;")
        self._fill_slots(p.get("slots", []))
        shortfalls = [zh_en(s, "text") for s in p.get("shortfalls", [])]
        self.shortfall_label.setText(
            self.tr("Shortfall: %1").replace("%1", "; ".join(shortfalls)) if shortfalls else ""
        )
        self.shortfall_label.setVisible(bool(shortfalls))
        self._fill_list(
            self.standards_list,
            [
                (("✓ " if s.get("met") else "✗ ") + zh_en(s, "text"), bool(s.get("met")))
                for s in p.get("standards", [])
            ],
        )
        self._fill_list(
            self.coverage_list, [(zh_en(c, "text"), None) for c in p.get("coverage_costs", [])]
        )
        self._fill_list(
            self.move_up_list, [(zh_en(m, "text"), None) for m in p.get("move_ups", [])]
        )
        notes = p.get("notes_zh" if is_chinese() else "notes_en", []) or []
        self._fill_list(self.notes_list, [(str(n), None) for n in notes])
        self._update_actions()

    def approval_text(self) -> str:
        """The approval state in words, e.g. 需第二名值班领导审批 (1/2)."""
        ev = self.plan_event
        got, need = len(ev.approvals), ev.approvals_needed
        who = ", ".join(ev.approvals)
        if ev.status == "approved":
            return self.tr("Approved by %1; orders sent").replace("%1", who)
        if ev.status == "rejected":
            return self.tr("Rejected")
        if ev.status == "superseded":
            return self.tr("Superseded: an amended plan follows")
        if need >= 2 and got >= 1:
            return (
                self.tr("Needs a second duty supervisor's approval (%1/%2); approved by %3")
                .replace("%1", str(got))
                .replace("%2", str(need))
                .replace("%3", who)
            )
        if need >= 2:
            return (
                self.tr("Needs two duty supervisors' approval (%1/%2)")
                .replace("%1", str(got))
                .replace("%2", str(need))
            )
        return self.tr("Needs a duty supervisor's approval")

    def _fill_slots(self, slots: list[dict[str, Any]]) -> None:
        t = self.slot_table
        t.setRowCount(len(slots))
        for row, s in enumerate(slots):
            alt = s.get("alternative") or {}
            eta = float(s.get("eta_s", math.nan))
            met = bool(s.get("met"))
            values = [
                str(s.get("call_sign", "")),
                unit_type_name(self.config, str(s.get("unit_type", "")))
                if not is_chinese()
                else str(s.get("unit_type_zh") or s.get("unit_type", "")),
                zh_en(s, "role"),
                str(s.get("wave_zh", ""))
                if is_chinese()
                else self._wave_en(str(s.get("wave", ""))),
                distance_text(float(s.get("distance_m", math.nan))),
                duration_text(eta),
                "✓" if met else "✗",
                f"{alt.get('call_sign', '')} ({duration_text(float(alt.get('eta_s', math.nan)))})"
                if alt
                else "—",
                zh_en(s, "why"),
            ]
            for col, text in enumerate(values):
                item = QTableWidgetItem(text)
                if col in (self.DISTANCE, self.ETA, self.MET):
                    item.setTextAlignment(Qt.AlignmentFlag.AlignCenter)
                if col == self.MET:
                    item.setForeground(QBrush(QColor("#1b5e20" if met else "#b71c1c")))
                    item.setBackground(MET_BG if met else LATE_BG)
                if col == self.WHY or col == self.ALTERNATIVE:
                    item.setToolTip(
                        text
                        + (f"\n{zh_en(alt, 'note')}" if alt and col == self.ALTERNATIVE else "")
                    )
                t.setItem(row, col, item)
        t.resizeRowsToContents()

    def _wave_en(self, wave: str) -> str:
        return self.tr("first") if wave == "first" else self.tr("reinforcement")

    @staticmethod
    def _fill_list(widget: QListWidget, rows: list[tuple[str, bool | None]]) -> None:
        widget.clear()
        for text, ok in rows:
            widget.addItem(text)
            if ok is not None:
                item = widget.item(widget.count() - 1)
                item.setForeground(QBrush(QColor("#1b5e20" if ok else "#b71c1c")))

    def slot_call_signs(self) -> list[str]:
        """Call signs in the plan, in table order."""
        return [str(s.get("call_sign", "")) for s in self.plan.get("slots", [])]

    def selected_call_signs(self) -> list[str]:
        """Call signs of the selected table rows."""
        rows = sorted({i.row() for i in self.slot_table.selectedIndexes()})
        signs = self.slot_call_signs()
        return [signs[r] for r in rows if r < len(signs)]

    # --------------------------------------------------------------- actions

    @property
    def may_decide(self) -> bool:
        """Whether this workstation's role may approve, reject or amend (the hub checks again)."""
        return self.role in DECIDING_ROLES

    def _update_actions(self) -> None:
        ev = self.plan_event
        open_ = ev.status == "proposed" and not self.pending and self.may_decide
        already = self.actor in ev.approvals
        self.approve_button.setEnabled(open_ and not already and bool(self.plan.get("slots")))
        self.reject_button.setEnabled(open_)
        self.amend_button.setEnabled(open_)
        if not self.may_decide:
            tip = self.tr("Only a duty supervisor may decide on a plan.")
        elif already:
            tip = self.tr("You have approved; a second, different supervisor must approve.")
        else:
            tip = ""
        for b in (self.approve_button, self.reject_button, self.amend_button):
            b.setToolTip(tip)
        self.open_briefing_button.setEnabled(self.briefing_path is not None)

    def _send(self, command: Any) -> None:
        self.pending = True
        show_message(self.message_label, "")
        self._update_actions()
        self.bridge.call(command, self._on_reply)

    def approve_plan(self) -> None:
        """Send ApprovePlan for the plan shown."""
        self._send(ApprovePlan(plan_id=self.plan_event.plan_id))

    def reject_plan(self, reason: str | None = None) -> bool:
        """Send RejectPlan; asks for the reason when none is given. False if nothing was sent."""
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
        self._send(RejectPlan(plan_id=self.plan_event.plan_id, reason=reason.strip()))
        return True

    def amend_plan(
        self, remove: list[str] | None = None, add: list[str] | None = None, reason: str = ""
    ) -> bool:
        """Send AmendPlan; with no lists given, asks in :class:`AmendDialog`."""
        if remove is None and add is None:
            dlg = AmendDialog(self, self.slot_call_signs(), self.available_units())
            dlg.check_remove(self.selected_call_signs())
            if dlg.exec() != QDialog.DialogCode.Accepted:
                return False
            remove, add, reason = dlg.chosen()
        remove, add = list(remove or []), list(add or [])
        if not remove and not add:
            show_message(self.message_label, self.tr("Choose units to remove or to add."))
            return False
        self._send(
            AmendPlan(plan_id=self.plan_event.plan_id, remove=remove, add=add, reason=reason)
        )
        return True

    def available_units(self) -> list[tuple[UnitState, float]]:
        """Available units not in the plan nor held by another incident's proposed plan,
        nearest to the incident first (straight line)."""
        in_plan = set(self.slot_call_signs()) | set(self.held(self.incident_id))
        lon, lat = float(self.plan.get("lon", 0.0)), float(self.plan.get("lat", 0.0))
        out = [
            (u, float(haversine_m(lon, lat, u.lon, u.lat)))
            for u in self.units()
            if u.status == "available" and u.call_sign not in in_plan
        ]
        out.sort(key=lambda x: x[1])
        return out

    def _on_reply(self, reply: Reply) -> None:
        self.pending = False
        self.replies.append(reply)
        if not reply.ok:
            show_message(self.message_label, refused_text(reply.error))
        else:
            show_message(self.message_label, self.tr("Sent; the command centre accepted."), False)
        self._update_actions()

    def _on_event(self, ev: Event) -> None:
        if isinstance(ev, PlanChanged):
            self.set_plan(ev)

    def done(self, result: int) -> None:
        with contextlib.suppress(RuntimeError, TypeError):
            self.bridge.event.disconnect(self._on_event)
        super().done(result)


class AmendDialog(QDialog):
    """Tick units to remove from the plan and available units to add, with a reason."""

    def __init__(
        self,
        parent: PlanReviewDialog,
        in_plan: list[str],
        available: list[tuple[UnitState, float]],
    ) -> None:
        super().__init__(parent)
        self.config = parent.config
        self.remove_list = QListWidget(self)
        for cs in in_plan:
            self.remove_list.addItem(cs)
            item = self.remove_list.item(self.remove_list.count() - 1)
            item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
            item.setCheckState(Qt.CheckState.Unchecked)
        self.add_list = QListWidget(self)
        for u, d in available:
            self.add_list.addItem(
                f"{u.call_sign} · {unit_type_name(self.config, u.unit_type)} · {distance_text(d)}"
            )
            item = self.add_list.item(self.add_list.count() - 1)
            item.setData(Qt.ItemDataRole.UserRole, u.call_sign)
            item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
            item.setCheckState(Qt.CheckState.Unchecked)
        self.reason_edit = QLineEdit(self)
        self.ok_button = QPushButton(self.tr("Send amendment"), self)
        self.cancel_button = QPushButton(self.tr("Cancel"), self)
        self.ok_button.clicked.connect(self.accept)
        self.cancel_button.clicked.connect(self.reject)
        lists = QHBoxLayout()
        for title, w in (
            (self.tr("Remove from the plan"), self.remove_list),
            (self.tr("Add (available, nearest first)"), self.add_list),
        ):
            col = QVBoxLayout()
            col.addWidget(QLabel(title, self))
            col.addWidget(w)
            lists.addLayout(col)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        buttons.addWidget(self.cancel_button)
        buttons.addWidget(self.ok_button)
        lay = QVBoxLayout(self)
        lay.addLayout(lists)
        lay.addWidget(QLabel(self.tr("Reason"), self))
        lay.addWidget(self.reason_edit)
        lay.addLayout(buttons)
        self.setWindowTitle(self.tr("Amend plan"))
        self.resize(620, 420)

    def check_remove(self, call_signs: list[str]) -> None:
        """Pre-tick units for removal (the rows selected in the plan table)."""
        for i in range(self.remove_list.count()):
            item = self.remove_list.item(i)
            if item.text() in call_signs:
                item.setCheckState(Qt.CheckState.Checked)

    def check_add(self, call_signs: list[str]) -> None:
        """Tick available units to add."""
        for i in range(self.add_list.count()):
            item = self.add_list.item(i)
            if item.data(Qt.ItemDataRole.UserRole) in call_signs:
                item.setCheckState(Qt.CheckState.Checked)

    def chosen(self) -> tuple[list[str], list[str], str]:
        """(remove, add, reason) as ticked."""
        remove = [
            self.remove_list.item(i).text()
            for i in range(self.remove_list.count())
            if self.remove_list.item(i).checkState() == Qt.CheckState.Checked
        ]
        add = [
            str(self.add_list.item(i).data(Qt.ItemDataRole.UserRole))
            for i in range(self.add_list.count())
            if self.add_list.item(i).checkState() == Qt.CheckState.Checked
        ]
        return remove, add, self.reason_edit.text().strip()
