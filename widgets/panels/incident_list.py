"""Open incidents, most urgent first: priority colour, type, status, age, address.

Closed and cancelled incidents leave the list when the hub says so.  Rows
are inserted and removed individually (not a model reset) so the operator's
selection survives a new call arriving.
"""

from __future__ import annotations

from PySide6.QtCore import (
    QAbstractTableModel,
    QEvent,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    QSortFilterProxyModel,
    Qt,
    QTimer,
    Signal,
)
from PySide6.QtGui import QColor, QFont
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHeaderView,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from console.config import Config
from console.hub.messages import IncidentState
from widgets.panels.common import (
    CLOSED_INCIDENT,
    PRIORITY_COLOUR,
    HubClock,
    format_age,
    incident_status_text,
    incident_type_name,
    priority_text,
    status_background,
)

SORT_ROLE = Qt.ItemDataRole.UserRole + 1
AGE_REFRESH_MS = 1000

ModelIndex = QModelIndex | QPersistentModelIndex


class IncidentTableModel(QAbstractTableModel):
    """Open incidents as rows, in arrival order; the view sorts."""

    PRIORITY, ID, TYPE, STATUS, AGE, ADDRESS, UNITS = range(7)
    COLUMN_COUNT = 7

    def __init__(self, config: Config, clock: HubClock, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.config = config
        self.clock = clock
        self._rows: list[IncidentState] = []
        self._timer = QTimer(self)
        self._timer.setInterval(AGE_REFRESH_MS)
        self._timer.timeout.connect(self._tick)
        self._timer.start()

    def set_incidents(self, incidents: list[IncidentState]) -> None:
        """Replace the list (a snapshot); closed ones are dropped."""
        self.beginResetModel()
        self._rows = sorted(
            (i for i in incidents if i.status not in CLOSED_INCIDENT), key=lambda i: i.id
        )
        self.endResetModel()

    def update_incident(self, incident: IncidentState) -> None:
        """Insert, update or remove one incident after an IncidentChanged."""
        row = self.row_of(incident.id)
        closed = incident.status in CLOSED_INCIDENT
        if row is None:
            if closed:
                return
            self.beginInsertRows(QModelIndex(), len(self._rows), len(self._rows))
            self._rows.append(incident)
            self.endInsertRows()
        elif closed:
            self.beginRemoveRows(QModelIndex(), row, row)
            del self._rows[row]
            self.endRemoveRows()
        else:
            self._rows[row] = incident
            self.dataChanged.emit(self.index(row, 0), self.index(row, self.COLUMN_COUNT - 1))

    def row_of(self, incident_id: int) -> int | None:
        """Row of an open incident, if listed."""
        for row, inc in enumerate(self._rows):
            if inc.id == incident_id:
                return row
        return None

    def incident_at(self, row: int) -> IncidentState:
        """The incident in ``row``."""
        return self._rows[row]

    def incidents(self) -> list[IncidentState]:
        """Every open incident (what the map draws)."""
        return list(self._rows)

    def retranslate(self) -> None:
        """Language changed: headers, types and statuses."""
        self.headerDataChanged.emit(Qt.Orientation.Horizontal, 0, self.COLUMN_COUNT - 1)
        if self._rows:
            last = self.index(len(self._rows) - 1, self.COLUMN_COUNT - 1)
            self.dataChanged.emit(self.index(0, 0), last)

    def _tick(self) -> None:
        if self._rows:
            n = len(self._rows) - 1
            self.dataChanged.emit(self.index(0, self.AGE), self.index(n, self.AGE))

    # ------------------------------------------------------------ Qt model API

    def rowCount(self, parent: ModelIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: ModelIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else self.COLUMN_COUNT

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> object:
        if orientation != Qt.Orientation.Horizontal or role != Qt.ItemDataRole.DisplayRole:
            return None
        return (
            self.tr("Priority"),
            self.tr("No."),
            self.tr("Type"),
            self.tr("Status"),
            self.tr("Age"),
            self.tr("Address"),
            self.tr("Units"),
        )[section]

    def data(self, index: ModelIndex, role: int = Qt.ItemDataRole.DisplayRole) -> object:
        if not index.isValid():
            return None
        inc = self._rows[index.row()]
        col = index.column()
        if role == Qt.ItemDataRole.DisplayRole:
            return self._display(inc, col)
        if role == SORT_ROLE:
            if col == self.PRIORITY:  # most urgent, then oldest first
                return f"{inc.priority} {inc.created_at:020.3f}"
            if col == self.ID:
                return inc.id
            if col == self.AGE:
                return -inc.created_at
            return self._display(inc, col)
        colour = PRIORITY_COLOUR.get(inc.priority, "#9e9e9e")
        if role == Qt.ItemDataRole.BackgroundRole and col == self.PRIORITY:
            return status_background(colour)
        if role == Qt.ItemDataRole.FontRole and inc.priority == 1:
            bold = QFont()
            bold.setBold(True)
            return bold
        if role == Qt.ItemDataRole.DecorationRole and col == self.PRIORITY:
            return QColor(colour)
        if role == Qt.ItemDataRole.ToolTipRole:
            return f"#{inc.id} {inc.address}\n{', '.join(inc.units)}".strip()
        if role == Qt.ItemDataRole.TextAlignmentRole and col in (self.ID, self.AGE):
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        return None

    def _display(self, inc: IncidentState, col: int) -> str:
        if col == self.PRIORITY:
            return priority_text(inc.priority)
        if col == self.ID:
            return str(inc.id)
        if col == self.TYPE:
            return incident_type_name(self.config, inc.incident_type)
        if col == self.STATUS:
            return incident_status_text(inc.status)
        if col == self.AGE:
            return format_age(self.clock.now() - inc.created_at)
        if col == self.ADDRESS:
            return inc.address
        return str(len(inc.units)) if inc.units else ""


class IncidentListPanel(QWidget):
    """The open-incident table; double-click asks the map to zoom to the incident."""

    incidentActivated = Signal(int)

    def __init__(self, config: Config, clock: HubClock, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.model = IncidentTableModel(config, clock, self)
        self.proxy = QSortFilterProxyModel(self)
        self.proxy.setSourceModel(self.model)
        self.proxy.setSortRole(SORT_ROLE)
        self.proxy.setSortLocaleAware(True)
        self.proxy.setDynamicSortFilter(True)

        self.table = QTableView(self)
        self.table.setModel(self.proxy)
        self.table.setSortingEnabled(True)
        self.table.sortByColumn(IncidentTableModel.PRIORITY, Qt.SortOrder.AscendingOrder)
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
        for col, width in enumerate((72, 44, 110, 80, 62, 190, 50)):
            self.table.setColumnWidth(col, width)
        self.table.doubleClicked.connect(self._activated)

        lay = QVBoxLayout(self)
        lay.setContentsMargins(4, 4, 4, 4)
        lay.addWidget(self.table)

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            self.model.retranslate()
        super().changeEvent(event)

    def select_incident(self, incident_id: int) -> bool:
        """Select and reveal an incident (after a click on the map)."""
        row = self.model.row_of(incident_id)
        if row is None:
            return False
        proxy_index = self.proxy.mapFromSource(self.model.index(row, IncidentTableModel.TYPE))
        self.table.selectRow(proxy_index.row())
        self.table.scrollTo(proxy_index)
        return True

    def visible_ids(self) -> list[int]:
        """Incident ids in display order."""
        col = IncidentTableModel.ID
        return [int(self.proxy.index(r, col).data()) for r in range(self.proxy.rowCount())]

    def _activated(self, proxy_index: QModelIndex) -> None:
        src = self.proxy.mapToSource(proxy_index)
        if src.isValid():
            self.incidentActivated.emit(self.model.incident_at(src.row()).id)
