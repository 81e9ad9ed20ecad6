"""The unit board panel: filter box, status choice and the unit table.

Double-clicking a unit asks the map to zoom to it; a click on the map selects
the unit here.  The data and its update/sort policy live in
:mod:`widgets.panels.unit_model`.
"""

from __future__ import annotations

from PySide6.QtCore import QEvent, QModelIndex, Qt, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QVBoxLayout,
    QWidget,
)

from console.config import Config
from console.workstation.situation import SituationModel
from widgets.panels.common import UNIT_STATUS_TEXT, HubClock, unit_status_text
from widgets.panels.painted_table import PaintedTable
from widgets.panels.unit_model import UnitFilterProxy, UnitTableModel

__all__ = ["UnitFilterProxy", "UnitListPanel", "UnitTableModel"]


class UnitListPanel(QWidget):
    """Filter box, status choice and the unit table; double-click asks the map to zoom."""

    unitActivated = Signal(str)  # call sign

    def __init__(
        self,
        config: Config,
        clock: HubClock,
        parent: QWidget | None = None,
        *,
        situation: SituationModel | None = None,
    ) -> None:
        super().__init__(parent)
        self.model = UnitTableModel(config, clock, self, situation=situation)
        self.proxy = UnitFilterProxy(self)
        self.proxy.setSourceModel(self.model)

        self.filter_edit = QLineEdit(self)
        self.filter_edit.setClearButtonEnabled(True)
        self.filter_edit.textChanged.connect(self._filter_typed)
        self.status_box = QComboBox(self)
        self.status_box.currentIndexChanged.connect(self._status_chosen)
        self.count_label = QLabel(self)

        self.table = PaintedTable(self)
        self.table.setModel(self.proxy)
        self.table.setSortingEnabled(True)
        self.table.sortByColumn(UnitTableModel.STATION, Qt.SortOrder.AscendingOrder)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setAlternatingRowColors(True)
        self.table.setWordWrap(False)
        self.table.verticalHeader().setVisible(False)
        self.table.verticalHeader().setDefaultSectionSize(22)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        header.setStretchLastSection(True)
        for col, width in enumerate((110, 90, 110, 80, 70, 60, 60)):
            self.table.setColumnWidth(col, width)
        self.table.doubleClicked.connect(self._activated)

        top = QHBoxLayout()
        top.addWidget(self.filter_edit, 1)
        top.addWidget(self.status_box)
        top.addWidget(self.count_label)
        lay = QVBoxLayout(self)
        lay.setContentsMargins(4, 4, 4, 4)
        lay.addLayout(top)
        lay.addWidget(self.table)
        self.model.refreshed.connect(self._refreshed)
        self.model.modelReset.connect(self._update_count)
        self.model.rowsInserted.connect(self._update_count)
        self.proxy.layoutChanged.connect(self._update_count)
        self.proxy.rowsInserted.connect(self._update_count)
        self.proxy.rowsRemoved.connect(self._update_count)
        self.retranslateUi()

    def retranslateUi(self) -> None:
        """Re-read every text (on LanguageChange)."""
        self.filter_edit.setPlaceholderText(self.tr("Filter: station, call sign, type, status"))
        current = self.status_box.currentData()
        self.status_box.blockSignals(True)
        self.status_box.clear()
        self.status_box.addItem(self.tr("All statuses"), None)
        for key in UNIT_STATUS_TEXT:
            self.status_box.addItem(unit_status_text(key), key)
        self.status_box.setCurrentIndex(max(0, self.status_box.findData(current)))
        self.status_box.blockSignals(False)
        self.model.retranslate()
        self._update_count()

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslateUi()
        super().changeEvent(event)

    def select_call_sign(self, call_sign: str) -> bool:
        """Select and reveal a unit (after a click on the map); False if not shown."""
        row = self.model.row_of_call_sign(call_sign)
        if row is None:
            return False
        proxy_index = self.proxy.mapFromSource(self.model.index(row, UnitTableModel.CALL_SIGN))
        if not proxy_index.isValid():
            return False
        self.table.selectRow(proxy_index.row())
        self.table.scrollTo(proxy_index)
        return True

    def visible_call_signs(self) -> list[str]:
        """Call signs in display order (what the operator sees)."""
        col = UnitTableModel.CALL_SIGN
        return [str(self.proxy.index(r, col).data()) for r in range(self.proxy.rowCount())]

    def _refreshed(self, flags: int) -> None:
        """Re-filter only when a status change can change which rows pass."""
        filtered = self.proxy.status_filter is not None or bool(self.filter_edit.text())
        if filtered and flags:
            self.proxy.refilter()
        self._update_count()

    def _filter_typed(self, text: str) -> None:
        self.proxy.setFilterFixedString(text)
        self._update_count()

    def _status_chosen(self, _index: int) -> None:
        self.proxy.set_status_filter(self.status_box.currentData())
        self._update_count()

    def _update_count(self, *_args: object) -> None:
        self.count_label.setText(
            self.tr("%1 of %2")
            .replace("%1", str(self.proxy.rowCount()))
            .replace("%2", str(self.model.rowCount()))
        )

    def _activated(self, proxy_index: QModelIndex) -> None:
        src = self.proxy.mapToSource(proxy_index)
        if src.isValid():
            self.unitActivated.emit(self.model.unit_at(src.row()).call_sign)
