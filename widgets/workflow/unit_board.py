"""The unit board: every unit under its police station, with status, time in status,
incident and the age of its last position fix.

The units are the workstation's :class:`SituationModel`'s, which the board
observes.  Positions arrive many times a second; the board does nothing for
them and a 2 Hz timer rewrites the clock columns from the model's fix times,
so the cost is bounded by the timer, not by the position rate.  A station row sums up its units
("空闲 8 / 12") so the room sees at a glance where cover is thin.

Rewriting every row costs a QTreeWidget signal per changed cell: 30-70 ms for the demo
district's units on a busy machine, the longest freeze of a shift (``bench/shift.py``,
issue 15).  So the board does nothing while it cannot be seen (a tab behind the unit
list, a closed dock) and catches up when shown or read; in the main window its rewrites
run in the lists' turn of the window's frames (``widgets/frame_pacer.py``), never in the
map's.
"""

from __future__ import annotations

import time
from collections.abc import Callable

from PySide6.QtCore import QCollator, QEvent, QLocale, Qt, QTimer, Signal
from PySide6.QtGui import QBrush, QColor, QFont, QShowEvent
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
from console.hub.messages import UnitState
from console.workstation.situation import Change, Reset, SituationModel, UnitUpdated
from widgets.frame_pacer import LISTS_LANE, InTurn
from widgets.panels.common import (
    OFF_DUTY,
    UNIT_STATUS_COLOUR,
    format_age,
    status_background,
    unit_status_text,
    unit_type_name,
)
from widgets.ticks import start_spread

REFRESH_MS = 500  # at most 2 Hz
NO_STATION = ""


class UnitBoard(QWidget):
    """Units grouped by station in a tree; every attribute a test needs is public."""

    unitActivated = Signal(str)  # call sign

    CALL_SIGN, TYPE, STATUS, IN_STATUS, INCIDENT, FIX_AGE = range(6)

    def __init__(
        self,
        config: Config,
        situation: SituationModel | None = None,
        *,
        clock: Callable[[], float] = time.time,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.config = config
        self.situation = situation if situation is not None else SituationModel()
        self.clock = clock
        self.stale_after = float(config.map.stale_fix_seconds)
        self.station_names: dict[str, str] = {}
        self.items: dict[str, QTreeWidgetItem] = {}
        self.station_items: dict[str, QTreeWidgetItem] = {}
        self.station_units: dict[str, list[str]] = {}  # station code -> call signs shown
        self.refreshes = 0
        self._structure_dirty = False
        self._stale = False  # rows not rewritten while the board was hidden
        self._changed: set[str] = set()  # call signs whose rows wait for the board's turn
        self._behind: set[str] = set()  # rows out of view at the last rewrite (clocks behind)
        self.turn = InTurn(LISTS_LANE)  # attached to the main window's frame pacer

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
        self.tree.verticalScrollBar().valueChanged.connect(self._view_moved)
        self.tree.itemExpanded.connect(self._view_moved)
        self.tree.itemCollapsed.connect(self._view_moved)
        top = QHBoxLayout()
        top.addWidget(self.filter_edit, 1)
        top.addWidget(self.summary_label)
        lay = QVBoxLayout(self)
        lay.setContentsMargins(4, 4, 4, 4)
        lay.addLayout(top)
        lay.addWidget(self.tree, 1)

        self.timer = QTimer(self)
        self.timer.setInterval(REFRESH_MS)
        self.timer.timeout.connect(self._refresh_due)
        start_spread(self.timer)
        self.situation.subscribe(self._on_situation)
        self._structure_dirty = True
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

    @property
    def units(self) -> dict[str, UnitState]:
        """Every unit by call sign, as the situation model holds it."""
        return dict(zip(self.situation.call_signs, self.situation.units, strict=True))

    def _on_situation(self, change: Change) -> None:
        """Follow the model: a reset or a unit joining or changing station rebuilds the tree
        at the next refresh; other changes rewrite their row now; positions need nothing."""
        if isinstance(change, Reset) and change.units:
            self._structure_dirty = True
            self.refresh()
        elif isinstance(change, UnitUpdated):
            old, unit = change.previous, change.unit
            if old is None or old.station != unit.station or old.call_sign != unit.call_sign:
                self._structure_dirty = True
            elif unit.call_sign in self.items:
                self._changed.add(unit.call_sign)
                if self._shown():
                    self.turn(("rows", self), self._fill_changed)
                else:
                    self._stale = True

    def _shown(self) -> bool:
        """Whether the tree can be seen (not a tab behind another, nor a closed dock)."""
        return self.tree.isVisible()

    def _refresh_due(self) -> None:
        """The 2 Hz timer: rewrite the rows in the board's turn, or later when hidden."""
        if self._shown():
            self.turn(self, self._refresh_view)
        else:
            self._stale = True

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        if self._stale or self._changed:
            self.turn(self, self._refresh_view)

    def catch_up(self) -> None:
        """Rewrite what waits (hidden meanwhile, or changed before the board's turn): for
        whoever reads the rows now."""
        if self._stale or self._structure_dirty:
            self.refresh()
        elif self._changed:
            self._fill_changed()

    def _fill_changed(self) -> None:
        """The rows of the units that changed since the board's last turn."""
        changed, self._changed = self._changed, set()
        self._fill(changed)

    def _fill(self, call_signs: set[str], units: dict[str, UnitState] | None = None) -> None:
        """Rewrite these units' rows now (their clocks are then current too); ``units``:
        :attr:`units` when the caller has it already."""
        if not call_signs:
            return
        self._behind -= call_signs
        now = self.clock()
        units = self.units if units is None else units
        for cs in call_signs:
            item, u = self.items.get(cs), units.get(cs)
            if item is not None and u is not None:
                self._fill_unit(item, u, now)

    def set_station_names(self, names: dict[str, str]) -> None:
        """Station code -> display name (from the static district)."""
        self.station_names = dict(names)
        self._structure_dirty = True

    def fix_time(self, call_sign: str) -> float:
        """Last fix time of a unit (0 if it never reported)."""
        row = self.situation.row_of.get(call_sign)
        return 0.0 if row is None else float(self.situation.fix_t[row])

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
        for u in self.situation.units:
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
        """Rebuild if units or stations changed, then rewrite every row."""
        self._rewrite(None)

    def _refresh_view(self) -> None:
        """The 2 Hz step: rewrite the rows in view and the station rows; the clocks of the
        rows out of view wait until they scroll in or are read (the whole tree was 142
        rows of six cells in the demo district, of which about 25 can be seen)."""
        self._rewrite(None if self._stale else self._in_view())  # a rebuild rewrites all

    def _in_view(self) -> set[str]:
        """Call signs of the unit rows the tree's viewport shows now."""
        shown: set[str] = set()
        height = self.tree.viewport().height()
        item = self.tree.itemAt(0, 0)
        while item is not None and self.tree.visualItemRect(item).top() < height:
            cs = item.data(0, Qt.ItemDataRole.UserRole)
            if cs:
                shown.add(str(cs))
            item = self.tree.itemBelow(item)
        return shown

    def _view_moved(self, *_args: object) -> None:
        """Scrolled, expanded or collapsed: rows come into view with their clocks behind."""
        if self._behind and self._shown():
            self.turn(("view", self), self._fill_view)

    def _fill_view(self) -> None:
        """The rows come into view since the last rewrite."""
        self._fill(self._behind & self._in_view())

    def _rewrite(self, only: set[str] | None) -> None:
        """Rewrite the unit rows of ``only`` (None: all), the station rows and the summary."""
        self._stale = False
        if self._structure_dirty:
            self._rebuild()
            only = None
        changed, self._changed = self._changed, set()
        units = self.units
        self._fill(set(self.items) if only is None else only | changed, units)
        self._behind = set() if only is None else set(self.items) - only - changed
        on_duty_total = available_total = 0
        for code, st_item in self.station_items.items():
            kids = [units[cs] for cs in self.station_units[code] if cs in units]
            on_duty = sum(u.status != OFF_DUTY for u in kids)
            available = sum(u.status == "available" for u in kids)
            on_duty_total += on_duty
            available_total += available
            _set_text(st_item, 0, f"{self.station_name(code)} ({len(kids)})")
            _set_text(
                st_item,
                self.STATUS,
                self.tr("%1 of %2 free").replace("%1", str(available)).replace("%2", str(on_duty)),
            )
            if st_item.data(self.STATUS, Qt.ItemDataRole.UserRole) != (available == 0):
                st_item.setData(self.STATUS, Qt.ItemDataRole.UserRole, available == 0)
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
        fix = self.fix_time(u.call_sign)
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
            _set_text(item, col, text)
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
        return self.situation.status_counts()

    def row_texts(self, call_sign: str) -> list[str]:
        """The texts of a unit's row as shown (after :meth:`catch_up`)."""
        self.catch_up()
        item = self.items[call_sign]
        if call_sign in self._behind:  # out of view: its clocks were not rewritten
            self._fill({call_sign})
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


def _set_text(item: QTreeWidgetItem, col: int, text: str) -> None:
    """Set a cell's text only when it changed: each set is a model signal and a repaint."""
    if item.text(col) != text:
        item.setText(col, text)
