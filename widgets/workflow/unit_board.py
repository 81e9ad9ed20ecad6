"""The unit board: every unit under its police station, with status, time in status,
incident and the age of its last position fix.

Positions arrive many times a second; the board only writes fix times into a
dict and a 2 Hz timer rewrites the clock columns, so the cost is bounded by
the timer, not by the position rate.  A station row sums up its units
("空闲 8 / 12") so the room sees at a glance where cover is thin.
"""

from __future__ import annotations

import time
from collections.abc import Callable

import numpy as np
from PySide6.QtCore import QCollator, QEvent, QLocale, Qt, QTimer, Signal
from PySide6.QtGui import QBrush, QColor, QFont
from PySide6.QtWidgets import (
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from console.config import Config
from console.hub.messages import (
    Event,
    GetSnapshot,
    Reply,
    Snapshot,
    UnitChanged,
    UnitsMoved,
    UnitState,
)
from widgets.bridge import HubBridge
from widgets.panels.common import (
    OFF_DUTY,
    UNIT_STATUS_COLOUR,
    format_age,
    status_background,
    unit_status_text,
    unit_type_name,
)
from widgets.workflow.common import as_struct

REFRESH_MS = 500  # at most 2 Hz
NO_STATION = ""


class UnitBoard(QWidget):
    """Units grouped by station in a tree; every attribute a test needs is public."""

    unitActivated = Signal(str)  # call sign

    CALL_SIGN, TYPE, STATUS, IN_STATUS, INCIDENT, FIX_AGE = range(6)

    def __init__(
        self,
        config: Config,
        bridge: HubBridge | None = None,
        *,
        clock: Callable[[], float] = time.time,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.config = config
        self.bridge = bridge
        self.clock = clock
        self.stale_after = float(config.map.stale_fix_seconds)
        self.units: dict[str, UnitState] = {}
        self.fix_t: dict[int, float] = {}
        self.by_idx: dict[int, str] = {}
        self.station_names: dict[str, str] = {}
        self.snapshot_seq: int | None = None
        self.items: dict[str, QTreeWidgetItem] = {}
        self.station_items: dict[str, QTreeWidgetItem] = {}
        self.station_units: dict[str, list[str]] = {}  # station code -> call signs shown
        self.refreshes = 0
        self._structure_dirty = False

        self.filter_edit = QLineEdit(self)
        self.filter_edit.setClearButtonEnabled(True)
        self.filter_edit.textChanged.connect(self._apply_filter)
        self.summary_label = QLabel(self)
        self.tree = QTreeWidget(self)
        self.tree.setColumnCount(6)
        self.tree.setUniformRowHeights(True)
        self.tree.setAlternatingRowColors(True)
        self.tree.setRootIsDecorated(True)
        header = self.tree.header()
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        header.setStretchLastSection(True)
        for col, width in enumerate((180, 150, 80, 70, 60, 70)):
            self.tree.setColumnWidth(col, width)
        self.tree.itemDoubleClicked.connect(self._activated)
        top = QHBoxLayout()
        top.addWidget(self.filter_edit, 1)
        top.addWidget(self.summary_label)
        lay = QVBoxLayout(self)
        lay.setContentsMargins(4, 4, 4, 4)
        lay.addLayout(top)
        lay.addWidget(self.tree, 1)

        self.timer = QTimer(self)
        self.timer.setInterval(REFRESH_MS)
        self.timer.timeout.connect(self.refresh)
        self.timer.start()
        if bridge is not None:
            bridge.unitChanged.connect(self._on_unit_changed)
            bridge.unitsMoved.connect(self._on_moved)
            bridge.event.connect(self._on_event)
        self.retranslateUi()

    # ------------------------------------------------------------------ texts

    def retranslateUi(self) -> None:
        """Every text (also on LanguageChange)."""
        self.tree.setHeaderLabels(
            [
                self.tr("Station / call sign"),
                self.tr("Type"),
                self.tr("Status"),
                self.tr("In status"),
                self.tr("Incident"),
                self.tr("Last fix"),
            ]
        )
        self.filter_edit.setPlaceholderText(self.tr("Filter: call sign, station, status"))
        self._structure_dirty = True
        self.refresh()

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslateUi()
        super().changeEvent(event)

    # ----------------------------------------------------------------- inputs

    def start(self) -> None:
        """Fetch the situation from the hub (events keep it current afterwards)."""
        if self.bridge is not None:
            self.bridge.call(GetSnapshot(), self._on_snapshot_reply)

    def _on_snapshot_reply(self, reply: Reply) -> None:
        if reply.ok:
            snap = as_struct(reply.result, Snapshot)
            self.set_units(snap.units, snap.seq)

    def _on_event(self, ev: Event) -> None:
        if isinstance(ev, Snapshot):
            self.set_units(ev.units, ev.seq)

    def _current(self, ev: Event) -> bool:
        return self.snapshot_seq is None or ev.seq == 0 or ev.seq > self.snapshot_seq

    def _on_unit_changed(self, ev: UnitChanged) -> None:
        if self._current(ev):
            self.update_unit(ev.unit)

    def _on_moved(self, ev: UnitsMoved) -> None:
        if self._current(ev):
            self.apply_moves(ev)

    def set_station_names(self, names: dict[str, str]) -> None:
        """Station code -> display name (from the static district)."""
        self.station_names = dict(names)
        self._structure_dirty = True

    def set_units(self, units: list[UnitState], seq: int | None = None) -> None:
        """Replace every unit (a snapshot)."""
        self.units = {u.call_sign: u for u in units}
        self.by_idx = {u.idx: u.call_sign for u in units}
        self.fix_t = {u.idx: u.fix_t for u in units}
        if seq is not None:
            self.snapshot_seq = seq
        self._structure_dirty = True
        self.refresh()

    def update_unit(self, unit: UnitState) -> None:
        """A unit's status, assignment or station changed (shown at the next refresh)."""
        old = self.units.get(unit.call_sign)
        self.units[unit.call_sign] = unit
        self.by_idx[unit.idx] = unit.call_sign
        self.fix_t[unit.idx] = max(self.fix_t.get(unit.idx, 0.0), unit.fix_t)
        if old is None or old.station != unit.station:
            self._structure_dirty = True
        elif unit.call_sign in self.items:
            self._fill_unit(self.items[unit.call_sign], unit, self.clock())

    def apply_moves(self, ev: UnitsMoved) -> None:
        """Take the fix times of a coalesced position event."""
        idx = np.frombuffer(ev.idx, dtype=np.int32)
        fix = np.frombuffer(ev.fix_t, dtype=np.float64)
        if idx.size != fix.size:
            raise ValueError(f"UnitsMoved: {idx.size} indices but {fix.size} fix times")
        for i, t in zip(idx.tolist(), fix.tolist(), strict=True):
            if i in self.by_idx:
                self.fix_t[i] = t

    # ---------------------------------------------------------------- drawing

    def station_name(self, code: str | None) -> str:
        """Display name of a station code ("no station" for None)."""
        if not code:
            return self.tr("No station")
        return self.station_names.get(code, code)

    def _rebuild(self) -> None:
        expanded = {
            code for code, it in self.station_items.items() if it.isExpanded()
        } or None  # first build: everything expanded
        self.tree.clear()
        self.items, self.station_items, self.station_units = {}, {}, {}
        groups: dict[str, list[UnitState]] = {}
        for u in self.units.values():
            groups.setdefault(u.station or NO_STATION, []).append(u)
        bold = QFont(self.tree.font())
        bold.setBold(True)
        collator = QCollator(QLocale(QLocale.Language.Chinese, QLocale.Country.China))
        for code in sorted(
            groups, key=lambda c: (c == NO_STATION, collator.sortKey(self.station_name(c)))
        ):
            st_item = QTreeWidgetItem(self.tree)
            st_item.setFirstColumnSpanned(False)
            for col in range(6):
                st_item.setFont(col, bold)
                st_item.setBackground(col, QBrush(QColor("#e8edf2")))
            self.station_items[code] = st_item
            self.station_units[code] = []
            for u in sorted(groups[code], key=lambda x: _natural(x.call_sign)):
                item = QTreeWidgetItem(st_item)
                item.setData(0, Qt.ItemDataRole.UserRole, u.call_sign)
                self.items[u.call_sign] = item
                self.station_units[code].append(u.call_sign)
            st_item.setExpanded(expanded is None or code in expanded)
        self._structure_dirty = False
        self._apply_filter(self.filter_edit.text())

    def refresh(self) -> None:
        """Timer slot (2 Hz): rebuild if units or stations changed, then rewrite every row."""
        if self._structure_dirty:
            self._rebuild()
        now = self.clock()
        for cs, item in self.items.items():
            u = self.units.get(cs)
            if u is not None:
                self._fill_unit(item, u, now)
        on_duty_total = available_total = 0
        for code, st_item in self.station_items.items():
            kids = [self.units[cs] for cs in self.station_units[code] if cs in self.units]
            on_duty = sum(u.status != OFF_DUTY for u in kids)
            available = sum(u.status == "available" for u in kids)
            on_duty_total += on_duty
            available_total += available
            st_item.setText(0, f"{self.station_name(code)} ({len(kids)})")
            st_item.setText(
                self.STATUS,
                self.tr("%1 of %2 free").replace("%1", str(available)).replace("%2", str(on_duty)),
            )
            st_item.setForeground(
                self.STATUS, QBrush(QColor("#b71c1c" if available == 0 else "#1b5e20"))
            )
        self.summary_label.setText(
            self.tr("Available %1 / on duty %2")
            .replace("%1", str(available_total))
            .replace("%2", str(on_duty_total))
        )
        self.refreshes += 1

    def _fill_unit(self, item: QTreeWidgetItem, u: UnitState, now: float) -> None:
        fix = self.fix_t.get(u.idx, u.fix_t)
        fix_age = now - fix if fix > 0 else None
        colour = UNIT_STATUS_COLOUR.get(u.status, "#455a64")
        texts = (
            u.call_sign,
            unit_type_name(self.config, u.unit_type),
            unit_status_text(u.status),
            format_age(now - u.status_since if u.status_since > 0 else None),
            "" if u.incident_id is None else f"#{u.incident_id}",
            format_age(fix_age),
        )
        for col, text in enumerate(texts):
            if item.text(col) != text:
                item.setText(col, text)
        if item.data(self.STATUS, Qt.ItemDataRole.UserRole) != u.status:  # brushes only on change
            item.setData(self.STATUS, Qt.ItemDataRole.UserRole, u.status)
            item.setBackground(self.STATUS, QBrush(status_background(colour)))
            item.setForeground(self.STATUS, QBrush(QColor(colour).darker(130)))
        stale = fix_age is not None and fix_age > self.stale_after
        if item.data(self.FIX_AGE, Qt.ItemDataRole.UserRole) != stale:
            item.setData(self.FIX_AGE, Qt.ItemDataRole.UserRole, stale)
            item.setForeground(self.FIX_AGE, QBrush(QColor("#c62828" if stale else "#212121")))

    def status_counts(self) -> dict[str, int]:
        """How many units are in each status (what the summary is made of)."""
        out: dict[str, int] = {}
        for u in self.units.values():
            out[u.status] = out.get(u.status, 0) + 1
        return out

    def row_texts(self, call_sign: str) -> list[str]:
        """The texts of a unit's row as shown."""
        item = self.items[call_sign]
        return [item.text(c) for c in range(6)]

    def _apply_filter(self, text: str) -> None:
        q = text.strip().lower()
        for code, st_item in self.station_items.items():
            station_hit = bool(q) and q in self.station_name(code).lower()
            shown = 0
            for cs in self.station_units[code]:
                child = self.items[cs]
                hit = not q or station_hit or any(q in child.text(c).lower() for c in (0, 1, 2, 4))
                child.setHidden(not hit)
                shown += hit
            st_item.setHidden(shown == 0)

    def _activated(self, item: QTreeWidgetItem, _col: int) -> None:
        cs = item.data(0, Qt.ItemDataRole.UserRole)
        if cs:
            self.unitActivated.emit(str(cs))


def _natural(text: str) -> list[object]:
    """Sort key that puts 巡-2 before 巡-10."""
    out: list[object] = []
    num = ""
    for ch in text:
        if ch.isdigit():
            num += ch
            continue
        if num:
            out.append(int(num))
            num = ""
        out.append(ch)
    if num:
        out.append(int(num))
    return [(0, x) if isinstance(x, int) else (1, x) for x in out]
