"""Units whose position is old: where the map can no longer be trusted.

The map draws such units hollow and grey; this list names them with how old
their last fix is, oldest first, refreshed once a second.  Double-clicking a
row centres the map on the unit's last known position.  The rows are rebuilt
only when the set of stale units changes; otherwise only the ages are
rewritten.
"""

from __future__ import annotations

import math
import time

import numpy as np
from PySide6.QtCore import QEvent, QTimer, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHeaderView,
    QLabel,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from console.config import Config
from widgets.i18n import is_chinese
from widgets.map import MapView
from widgets.panels.common import format_age
from widgets.ticks import start_spread

REFRESH_MS = 1000
MAX_ROWS = 500  # the oldest; thousands of rows rewritten every second would cost the GUI


class StalePanel(QWidget):
    """Call sign, type and fix age of every unit without a recent fix."""

    unitActivated = Signal(str)

    def __init__(self, config: Config, map_view: MapView, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.config = config
        self.map = map_view
        self.call_signs: list[str] = []
        self.n_stale = 0
        self.summary = QLabel(self)
        self.summary.setWordWrap(True)
        self.table = QTableWidget(0, 3, self)
        self.table.setObjectName("staleUnits")
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.verticalHeader().hide()
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        self.table.horizontalHeader().setStretchLastSection(True)
        self.table.cellDoubleClicked.connect(self._on_double_click)
        lay = QVBoxLayout(self)
        lay.setContentsMargins(4, 4, 4, 4)
        lay.addWidget(self.summary)
        lay.addWidget(self.table, 1)
        self.timer = QTimer(self)
        self.timer.setInterval(REFRESH_MS)
        self.timer.timeout.connect(self.refresh)
        start_spread(self.timer)
        self.retranslateUi()

    def refresh(self) -> None:
        """Re-read the stale units from the map; rebuild rows only if the set changed."""
        t = self.map.table
        now = time.time()
        stale = self.map.stale_units()
        rows = [t.row_of[cs] for cs in stale if cs in t.row_of]
        ages = now - t.fix_t[rows] if rows else np.zeros(0)
        ages = np.where(t.fix_t[rows] > 0, ages, np.inf) if rows else ages
        order = np.argsort(-ages, kind="stable")[:MAX_ROWS]  # oldest (never fixed) first
        self.n_stale = len(rows)
        call_signs = [t.call_signs[rows[i]] for i in order]
        if call_signs != self.call_signs:
            self._rebuild(call_signs)
        for r, i in enumerate(order):
            self._set(r, 2, self._age_text(float(ages[i])))
        self._show_summary()

    def _rebuild(self, call_signs: list[str]) -> None:
        selected = self.selected_call_sign()
        self.call_signs = call_signs
        self.table.setRowCount(len(call_signs))
        zh = is_chinese()
        t = self.map.table
        for r, cs in enumerate(call_signs):
            self._set(r, 0, cs)
            u = t.states[t.row_of[cs]]
            ut = self.config.unit_types.get(u.unit_type)
            self._set(r, 1, (ut.name_zh if zh else ut.name_en) if ut else u.unit_type)
            if cs == selected:
                self.table.selectRow(r)

    def _set(self, row: int, col: int, text: str) -> None:
        item = self.table.item(row, col)
        if item is None:
            item = QTableWidgetItem(text)
            self.table.setItem(row, col, item)
        elif item.text() != text:
            item.setText(text)

    def _age_text(self, age: float) -> str:
        if not math.isfinite(age):
            return self.tr("no fix yet")
        return self.tr("%1 ago").replace("%1", format_age(age))

    def selected_call_sign(self) -> str | None:
        """The call sign of the selected row, if any."""
        rows = self.table.selectionModel().selectedRows() if self.table.selectionModel() else []
        if not rows:
            return None
        r = rows[0].row()
        return self.call_signs[r] if r < len(self.call_signs) else None

    def _on_double_click(self, row: int, _col: int) -> None:
        if 0 <= row < len(self.call_signs):
            cs = self.call_signs[row]
            self.map.zoom_to_unit(cs)
            self.unitActivated.emit(cs)

    def _show_summary(self) -> None:
        n = self.n_stale
        limit = self.map.settings.stale_fix_seconds
        if n:
            text = (
                self.tr("%1 units without a fix in the last %2 s")
                .replace("%1", str(n))
                .replace("%2", str(limit))
            )
            if n > len(self.call_signs):
                text += " " + self.tr("(the oldest %1 listed)").replace(
                    "%1", str(len(self.call_signs))
                )
        else:
            text = self.tr("Every unit has a fix from the last %1 s").replace("%1", str(limit))
        self.summary.setText(text)

    def retranslateUi(self) -> None:
        """Re-read every text (on LanguageChange)."""
        self.table.setHorizontalHeaderLabels(
            [self.tr("Call sign"), self.tr("Type"), self.tr("Last fix")]
        )
        cs, self.call_signs = self.call_signs, []
        self._rebuild(cs)
        self.refresh()

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslateUi()
        super().changeEvent(event)
