"""The incident board for a busy shift: every open incident on one screen.

Columns that fit a side column (priority, number, type, place, status, age, units,
next deadline), sorting by any of them, a filter (text, priority, state, overdue
only) and rows coloured by how overdue the incident's next deadline is.  The board
observes the workstation's :class:`SituationModel` (rows inserted, changed and removed
one by one, so the operator's selection survives a new call); the deadlines come from
the orders the workstation sees (:class:`~console.history.deadlines.DeadlineBook`,
fed with ``OrderChanged`` events by :mod:`widgets.shift_tools`).

Built for 500 open incidents: rows are found through a dict, the once-a-second age
refresh touches two columns, and the proxy only refilters on a tick when the
"overdue only" filter depends on the time.  While no filter is set the table shows the
model itself, not the proxy: every cell painted through ``QSortFilterProxyModel`` also
asked the model for its row and column counts (two more Python calls per role), and a
full repaint of 28 rows took 13 ms instead of 9 (``bench/shift.py``, issue 15).  In
the main window the rows follow the situation in the lists' turn of the window's
frames, never in a frame that draws the map (:mod:`widgets.frame_pacer`).
"""

from __future__ import annotations

import bisect
import logging
from collections import deque
from typing import Any, cast

from PySide6.QtCore import (
    QT_TRANSLATE_NOOP,
    QAbstractItemModel,
    QAbstractTableModel,
    QCoreApplication,
    QEvent,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    QRect,
    QSortFilterProxyModel,
    Qt,
    QTimer,
    Signal,
)
from PySide6.QtGui import QBrush, QColor, QFont
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
from console.history.deadlines import Deadline, DeadlineBook
from console.hub.messages import IncidentState, OrderChanged
from console.workstation.situation import Change, IncidentUpdated, Reset, SituationModel
from widgets.frame_pacer import LISTS_LANE, InTurn
from widgets.panels.common import (
    CLOSED_INCIDENT,
    PRIORITY_COLOUR,
    HubClock,
    format_age,
    incident_status_text,
    incident_type_name,
    priority_text,
    restyle,
    status_background,
)
from widgets.panels.painted_table import CENTRE, LEFT, CellLook, PaintedTable
from widgets.ticks import start_spread

SORT_ROLE = Qt.ItemDataRole.UserRole + 1
DISPLAY = Qt.ItemDataRole.DisplayRole
BACKGROUND = Qt.ItemDataRole.BackgroundRole
FOREGROUND = Qt.ItemDataRole.ForegroundRole
FONT = Qt.ItemDataRole.FontRole
ALIGN = Qt.ItemDataRole.TextAlignmentRole
TOOLTIP = Qt.ItemDataRole.ToolTipRole
CENTRED = int(Qt.AlignmentFlag.AlignCenter)
ID_ROLE = Qt.ItemDataRole.UserRole + 2
AGE_REFRESH_MS = 1000
SOON_S = 60.0  # a deadline this close shows amber
OVERDUE_BG = QColor(229, 57, 53, 60)
SOON_BG = QColor(255, 179, 0, 60)
OVERDUE_FG = QColor("#b71c1c")
AWAITING = frozenset({"new", "plan_proposed"})
MOVING = frozenset({"approved", "dispatched", "en_route"})

DEADLINE_TEXT = cast(
    dict[str, str],
    {
        "ack": QT_TRANSLATE_NOOP("Deadline", "ack"),
        "arrive": QT_TRANSLATE_NOOP("Deadline", "arrive"),
        "on_scene": QT_TRANSLATE_NOOP("Deadline", "on scene"),
        "respond": QT_TRANSLATE_NOOP("Deadline", "respond"),
    },
)

ModelIndex = QModelIndex | QPersistentModelIndex
OVERDUE_BRUSH, SOON_BRUSH, OVERDUE_FG_BRUSH = (
    QBrush(OVERDUE_BG),
    QBrush(SOON_BG),
    QBrush(OVERDUE_FG),
)
PRIORITY_BRUSH = {
    p: QBrush(status_background(PRIORITY_COLOUR.get(p, "#9e9e9e"))) for p in (0, 1, 2, 3, 4)
}
BOLD = QFont()
BOLD.setBold(True)
CENTRED_COLUMNS = frozenset({0, 1, 5, 6})  # priority, number, age, units
STATUS_ORDER = {
    s: k
    for k, s in enumerate(
        ("new", "plan_proposed", "approved", "dispatched", "en_route", "on_scene")
    )
}


log = logging.getLogger(__name__)


class _Desc:
    """A sort key in reverse (descending order with bisect and sorted)."""

    __slots__ = ("k",)

    def __init__(self, k: Any) -> None:
        self.k = k

    def __lt__(self, other: _Desc) -> bool:
        return bool(other.k < self.k)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, _Desc) and self.k == other.k

    __hash__ = None  # type: ignore[assignment]


def _band(late: float | None) -> QBrush | None:
    """A row's overdue colour from the seconds past its deadline (negative: left)."""
    if late is None:
        return None
    return OVERDUE_BRUSH if late > 0 else SOON_BRUSH if late > -SOON_S else None


def deadline_text(d: Deadline | None, now: float) -> str:
    """ "arrive 2:10" (time left) or "arrive −0:35" (overdue by); "" when nothing is due."""
    if d is None:
        return ""
    what = QCoreApplication.translate("Deadline", DEADLINE_TEXT.get(d.kind, d.kind))
    left = d.at - now
    return f"{what} {format_age(left)}" if left >= 0 else f"{what} −{format_age(-left)}"


class IncidentTableModel(QAbstractTableModel):
    """The situation model's open incidents as rows, in arrival order; the view sorts."""

    PRIORITY, ID, TYPE, ADDRESS, STATUS, AGE, UNITS, DEADLINE = range(8)
    COLUMN_COUNT = 8

    def __init__(
        self,
        config: Config,
        clock: HubClock,
        parent: QObject | None = None,
        *,
        situation: SituationModel | None = None,
    ) -> None:
        super().__init__(parent)
        self.config = config
        self.clock = clock
        self.situation = situation if situation is not None else SituationModel()
        self.deadlines = DeadlineBook(config, self._unit_type)
        self._rows: list[IncidentState] = []  # in display order (the model sorts itself)
        self._keys: list[Any] = []  # each row's sort key, aligned with _rows
        self._row_of: dict[int, int] = {}
        self._due: dict[int, Deadline | None] = {}
        self._text_cache: dict[int, tuple[IncidentState, tuple[str, ...]]] = {}
        self._late_cache: dict[int, float | None] = {}
        self._late_t = 0.0
        self._band: dict[int, int] = {}  # each row's overdue colour at the last tick
        self.sort_column = self.PRIORITY
        self.sort_order = Qt.SortOrder.AscendingOrder
        # the clock moves ages and deadlines: the views repaint (no dataChanged: the rows'
        # order and filter do not depend on the time, and 500 rows x 8 cells a second
        # through a proxy cost 70 ms)
        self._timer = QTimer(self)
        self._timer.setInterval(AGE_REFRESH_MS)
        start_spread(self._timer)
        # In the main window the rows follow the situation in the lists' turn of the
        # window's frames (never in the same frame as the map: widgets/frame_pacer.py):
        # changes wait in _held until then, and whoever asks for a row catches up first.
        self.turn = InTurn(LISTS_LANE)
        self._held: deque[Change | OrderChanged] = deque()
        self._applying = False
        self.situation.subscribe(self._on_situation)
        self._reset()

    # ------------------------------------------------------------ following

    def _unit_type(self, call_sign: str) -> str | None:
        u = self.situation.unit_by_call_sign(call_sign)
        return None if u is None else u.unit_type

    def _on_situation(self, change: Change) -> None:
        if isinstance(change, Reset | IncidentUpdated):
            self._hold(change)

    def _hold(self, change: Change | OrderChanged) -> None:
        """Apply a change now, or in the lists' next turn once the board takes turns."""
        if not self.turn.attached:
            self._apply(change)
            return
        self._held.append(change)
        self.turn(self, self.catch_up)  # one step waits per key: asking again is free

    def catch_up(self) -> None:
        """Apply the changes held for the lists' turn, in order (at once when asked by
        anyone who needs the rows current: ``row_of``, ``incidents``, ``visible_ids``)."""
        if self._applying or not self._held:
            return
        self._applying = True
        try:
            while self._held:
                change = self._held.popleft()
                try:
                    self._apply(change)
                except Exception:  # one bad change must not hold back the rest
                    log.exception("incident board: a change could not be shown: %r", change)
        finally:
            self._applying = False

    def _apply(self, change: Change | OrderChanged) -> None:
        if isinstance(change, OrderChanged):
            self._order(change)
        elif isinstance(change, Reset) and change.incidents:
            if change.seq is not None:
                self.deadlines.clear()  # a fresh snapshot: orders are learned again
            self._reset()
        elif isinstance(change, IncidentUpdated):
            self._follow(change.incident)

    def set_incidents(self, incidents: list[IncidentState]) -> None:
        """Replace the incidents (into the situation model); closed ones are dropped."""
        self.situation.set_incidents(incidents)

    def update_incident(self, incident: IncidentState) -> None:
        """One incident created, changed or ended (into the situation model)."""
        self.situation.update_incident(incident)

    def on_order(self, ev: OrderChanged) -> None:
        """An order event: the incident's next deadline may move."""
        self._hold(ev)

    def _order(self, ev: OrderChanged) -> None:
        if self.deadlines.order(ev.incident_id, ev.order_id, ev.call_sign, ev.state, ev.t):
            row = self._row_of.get(ev.incident_id)
            if row is not None:
                self._due[ev.incident_id] = self._deadline_of(self._rows[row])
                self._changed(row)

    def _deadline_of(self, inc: IncidentState) -> Deadline | None:
        self._late_cache.pop(inc.id, None)
        return self.deadlines.next_deadline(inc.id, inc.incident_type, inc.created_at)

    def _reset(self) -> None:
        self.beginResetModel()
        rows = [i for i in self.situation.open_incidents() if i.status not in CLOSED_INCIDENT]
        self._due = {inc.id: self._deadline_of(inc) for inc in rows}
        pairs = sorted(((self._key(inc), inc) for inc in rows), key=lambda kv: kv[0])
        self._keys = [k for k, _ in pairs]
        self._rows = [inc for _, inc in pairs]
        self._reindex(0)
        self.endResetModel()

    def _reindex(self, start: int, end: int | None = None) -> None:
        for k in range(start, len(self._rows) if end is None else end):
            self._row_of[self._rows[k].id] = k
        if start == 0 and end is None:
            self._row_of = {inc.id: k for k, inc in enumerate(self._rows)}

    def _key(self, inc: IncidentState) -> Any:
        """The row's sort key in the current column and order (ties: by number)."""
        key = (self._sort_key(inc, self.sort_column), inc.id)
        return key if self.sort_order == Qt.SortOrder.AscendingOrder else _Desc(key)

    def _follow(self, incident: IncidentState) -> None:
        """Insert, update or remove one row (the operator's selection survives)."""
        row = self._row_of.get(incident.id)
        closed = incident.status in CLOSED_INCIDENT
        if row is None:
            if closed:
                return
            self._due[incident.id] = self._deadline_of(incident)
            key = self._key(incident)
            pos = bisect.bisect_right(self._keys, key)
            self.beginInsertRows(QModelIndex(), pos, pos)
            self._rows.insert(pos, incident)
            self._keys.insert(pos, key)
            self._reindex(pos)
            self.endInsertRows()
        elif closed:
            self.beginRemoveRows(QModelIndex(), row, row)
            del self._rows[row]
            del self._keys[row]
            del self._row_of[incident.id]
            self._due.pop(incident.id, None)
            self.deadlines.forget(incident.id)
            self._reindex(row)
            self.endRemoveRows()
        else:
            self._rows[row] = incident
            self._due[incident.id] = self._deadline_of(incident)
            self._changed(row)

    def _changed(self, row: int) -> None:
        """A row's data changed: move it where its new key belongs, then repaint it."""
        inc = self._rows[row]
        key = self._key(inc)
        self._keys[row] = key
        others = self._keys[:row] + self._keys[row + 1 :]
        pos = bisect.bisect_right(others, key)
        if pos != row:
            dest = pos if pos < row else pos + 1  # Qt counts before the move
            self.beginMoveRows(QModelIndex(), row, row, QModelIndex(), dest)
            del self._rows[row]
            del self._keys[row]
            self._rows.insert(pos, inc)
            self._keys.insert(pos, key)
            self._reindex(min(row, pos), max(row, pos) + 1)
            self.endMoveRows()
            row = pos
        self.dataChanged.emit(self.index(row, 0), self.index(row, self.COLUMN_COUNT - 1))

    def sort(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        """Reorder the rows themselves (one key per row; a sorting proxy would call
        ``data()`` in Python for every comparison, and again for every new row)."""
        if not 0 <= column < self.COLUMN_COUNT:
            return
        self.sort_column, self.sort_order = column, order
        pairs = sorted(((self._key(inc), inc) for inc in self._rows), key=lambda kv: kv[0])
        if [inc.id for _, inc in pairs] == [inc.id for inc in self._rows]:
            self._keys = [k for k, _ in pairs]
            return
        # no-argument form: emitting ([], VerticalSortHint) segfaults in PySide6 6.11
        self.layoutAboutToBeChanged.emit()
        persistent = self.persistentIndexList()
        ids = [self._rows[p.row()].id if p.row() < len(self._rows) else -1 for p in persistent]
        self._keys = [k for k, _ in pairs]
        self._rows = [inc for _, inc in pairs]
        self._reindex(0)
        moved = [
            self.index(self._row_of[i], p.column()) if i in self._row_of else QModelIndex()
            for p, i in zip(persistent, ids, strict=True)
        ]
        self.changePersistentIndexList(persistent, moved)
        self.layoutChanged.emit()

    def row_of(self, incident_id: int) -> int | None:
        """Row of an open incident, if listed."""
        self.catch_up()
        return self._row_of.get(incident_id)

    def incident_at(self, row: int) -> IncidentState:
        """The incident in ``row``."""
        return self._rows[row]

    def incidents(self) -> list[IncidentState]:
        """Every open incident (what the map draws)."""
        self.catch_up()
        return list(self._rows)

    def deadline(self, incident_id: int) -> Deadline | None:
        """The incident's next deadline (None: nothing due, or not listed)."""
        self.catch_up()
        return self._due.get(incident_id)

    def colour_changes(self) -> list[int]:
        """Incidents whose overdue colour (none, amber, red) changed since the last call:
        the clock alone moves a row across a deadline, and only those rows repaint."""
        now = self.clock.now()
        changed = []
        for inc_id, d in self._due.items():
            band = 0 if d is None else 2 if now > d.at else 1 if now - d.at > -SOON_S else 0
            if self._band.get(inc_id, 0) != band:
                self._band[inc_id] = band
                changed.append(inc_id)
        for inc_id in [i for i in self._band if i not in self._due]:
            del self._band[inc_id]
        return changed

    def overdue_seconds(self, incident_id: int) -> float | None:
        """How far past its deadline the incident is (negative: time left; None: none)."""
        d = self._due.get(incident_id)
        return None if d is None else self.clock.now() - d.at

    def retranslate(self) -> None:
        """Language changed: headers, types and statuses."""
        self._text_cache.clear()
        self.headerDataChanged.emit(Qt.Orientation.Horizontal, 0, self.COLUMN_COUNT - 1)
        if self._rows:
            last = self.index(len(self._rows) - 1, self.COLUMN_COUNT - 1)
            self.dataChanged.emit(self.index(0, 0), last)

    # ------------------------------------------------------------ Qt model API

    def rowCount(self, parent: ModelIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: ModelIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else self.COLUMN_COUNT

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> object:
        if orientation != Qt.Orientation.Horizontal:
            return None
        if role == Qt.ItemDataRole.DisplayRole:
            return (
                self.tr("P"),
                self.tr("No."),
                self.tr("Type"),
                self.tr("Place"),
                self.tr("Status"),
                self.tr("Age"),
                self.tr("Units"),
                self.tr("Next deadline"),
            )[section]
        if role == Qt.ItemDataRole.ToolTipRole:
            return (
                self.tr("Priority"),
                self.tr("Incident number"),
                self.tr("Incident type"),
                self.tr("Address or place"),
                self.tr("Status"),
                self.tr("Time since the call"),
                self.tr("Units sent"),
                self.tr(
                    "What is due next and the time left (negative: overdue): acknowledgement "
                    "of an order, arrival within the standard, time on scene, or the response "
                    "standard while the incident waits for its plan"
                ),
            )[section]
        return None

    def data(self, index: ModelIndex, role: int = Qt.ItemDataRole.DisplayRole) -> object:
        # a repaint asks every visible cell for about eight roles: the cheap answers first,
        # texts from a per-row cache, brushes and fonts made once
        row, col = index.row(), index.column()
        if not 0 <= row < len(self._rows):
            return None
        inc = self._rows[row]
        if role == DISPLAY:
            if col == self.AGE:
                return format_age(self.clock.now() - inc.created_at)
            if col == self.DEADLINE:
                return deadline_text(self._due.get(inc.id), self.clock.now())
            return self._texts(inc)[col]
        if role == BACKGROUND:
            if col == self.PRIORITY:
                return PRIORITY_BRUSH.get(inc.priority, PRIORITY_BRUSH[0])
            return _band(self._late(inc.id))
        if role == FONT:
            if inc.priority == 1 or (col == self.DEADLINE and (self._late(inc.id) or -1) > 0):
                return BOLD
            return None
        if role == ALIGN:
            return CENTRED if col in CENTRED_COLUMNS else None
        if role == FOREGROUND:
            if col == self.DEADLINE and (self._late(inc.id) or -1) > 0:
                return OVERDUE_FG_BRUSH
            return None
        if role == ID_ROLE:
            return inc.id
        if role == SORT_ROLE:
            return self._sort_key(inc, col)
        if role == TOOLTIP:
            return self._tooltip(inc)
        return None

    def row_looks(self, row: int) -> tuple[CellLook, ...]:
        """Every cell of ``row`` as :meth:`data` answers for its display roles, in one
        call (the board's :class:`PaintedTable` paints a row from it)."""
        inc = self._rows[row]
        now = self.clock.now()
        texts = self._texts(inc)
        late = self._late(inc.id)
        band = _band(late)
        overdue = late is not None and late > 0
        urgent = inc.priority == 1
        due = deadline_text(self._due.get(inc.id), now)
        age = format_age(now - inc.created_at)
        return tuple(
            CellLook(
                age if col == self.AGE else due if col == self.DEADLINE else texts[col],
                PRIORITY_BRUSH.get(inc.priority, PRIORITY_BRUSH[0])
                if col == self.PRIORITY
                else band,
                urgent or (col == self.DEADLINE and overdue),
                OVERDUE_FG if col == self.DEADLINE and overdue else None,
                CENTRE if col in CENTRED_COLUMNS else LEFT,
            )
            for col in range(self.COLUMN_COUNT)
        )

    def _texts(self, inc: IncidentState) -> tuple[str, ...]:
        """The row's texts that do not move with the clock (cached until it changes)."""
        cached = self._text_cache.get(inc.id)
        if cached is None or cached[0] is not inc:
            texts = tuple(self._display(inc, c) for c in range(self.COLUMN_COUNT))
            cached = (inc, texts)
            self._text_cache[inc.id] = cached
        return cached[1]

    def _late(self, incident_id: int) -> float | None:
        """Seconds past the incident's deadline (negative: left), read once per second."""
        now = self.clock.now()
        if now - self._late_t > 0.5:
            self._late_t = now
            self._late_cache.clear()
        if incident_id not in self._late_cache:
            d = self._due.get(incident_id)
            self._late_cache[incident_id] = None if d is None else now - d.at
        return self._late_cache[incident_id]

    def _sort_key(self, inc: IncidentState, col: int) -> object:
        if col == self.PRIORITY:  # most urgent, then oldest first
            return f"{inc.priority} {inc.created_at:020.3f}"
        if col == self.ID:
            return inc.id
        if col == self.AGE:
            return -inc.created_at
        if col == self.UNITS:
            return len(inc.units)
        if col == self.DEADLINE:
            d = self._due.get(inc.id)
            return float("inf") if d is None else d.at
        if col == self.STATUS:
            return STATUS_ORDER.get(inc.status, 99)
        return self._display(inc, col)

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
            return inc.address or f"{inc.lon:.4f}, {inc.lat:.4f}"
        if col == self.UNITS:
            return str(len(inc.units)) if inc.units else ""
        return deadline_text(self._due.get(inc.id), self.clock.now())

    def _tooltip(self, inc: IncidentState) -> str:
        lines = [
            f"#{inc.id} {incident_type_name(self.config, inc.incident_type)} · "
            f"{priority_text(inc.priority)} · {incident_status_text(inc.status)}",
            inc.address,
        ]
        if inc.units:
            lines.append(", ".join(inc.units))
        d = self._due.get(inc.id)
        if d is not None:
            lines.append(
                deadline_text(d, self.clock.now()) + (f" ({d.call_sign})" if d.call_sign else "")
            )
        return "\n".join(x for x in lines if x)

    # ------------------------------------------------------------ filter facts

    def matches_text(self, row: int, text: str) -> bool:
        """Whether ``text`` (lower case) is in the number, type, place, status or units."""
        inc = self._rows[row]
        hay = " ".join(
            (
                str(inc.id),
                incident_type_name(self.config, inc.incident_type),
                inc.incident_type,
                inc.address,
                incident_status_text(inc.status),
                " ".join(inc.units),
            )
        ).lower()
        return text in hay


class IncidentFilter(QSortFilterProxyModel):
    """Sorts by the model's sort role and keeps the rows the filter bar asks for."""

    def __init__(self, model: IncidentTableModel, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.board = model
        self.setSourceModel(model)
        self.setDynamicSortFilter(False)  # the model keeps its rows sorted itself
        self.text = ""
        self.max_priority = 4
        self.state = ""  # "" | awaiting | moving | on_scene | overdue

    def set_filter(self, text: str, max_priority: int, state: str) -> None:
        """Apply the filter bar's choice."""
        self.beginFilterChange()
        self.text, self.max_priority, self.state = text.strip().lower(), max_priority, state
        self.endFilterChange(QSortFilterProxyModel.Direction.Rows)

    def refilter(self) -> None:
        """Evaluate the filter again (the clock moved an "overdue only" filter)."""
        self.beginFilterChange()
        self.endFilterChange(QSortFilterProxyModel.Direction.Rows)

    def sort(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        self.board.sort(column, order)

    @property
    def active(self) -> bool:
        """Whether any filter is set (then changed rows are filtered again)."""
        return bool(self.text) or self.max_priority < 4 or bool(self.state)

    @property
    def time_dependent(self) -> bool:
        """Whether the rows kept change with the clock alone (refilter on every tick)."""
        return self.state == "overdue"

    def filterAcceptsRow(self, source_row: int, source_parent: ModelIndex) -> bool:
        inc = self.board.incident_at(source_row)
        if inc.priority > self.max_priority:
            return False
        if self.state == "awaiting" and inc.status not in AWAITING:
            return False
        if self.state == "moving" and inc.status not in MOVING:
            return False
        if self.state == "on_scene" and inc.status != "on_scene":
            return False
        if self.state == "overdue":
            late = self.board.overdue_seconds(inc.id)
            if late is None or late <= 0:
                return False
        return not self.text or self.board.matches_text(source_row, self.text)


class IncidentListPanel(QWidget):
    """The board: filter bar, count line and the table; double-click asks the map to zoom."""

    incidentActivated = Signal(int)  # double-click: show it on the map
    incidentSelected = Signal(int)  # the operator selected it (0: selection cleared)

    COLUMN_WIDTHS = (38, 40, 76, 120, 84, 52, 40, 92)

    def __init__(
        self,
        config: Config,
        clock: HubClock,
        parent: QWidget | None = None,
        *,
        situation: SituationModel | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("incidentBoard")
        self.model = IncidentTableModel(config, clock, self, situation=situation)
        self.proxy = IncidentFilter(self.model, self)

        self.filter_edit = QLineEdit(self)
        self.filter_edit.setClearButtonEnabled(True)
        self.priority_box = QComboBox(self)
        self.state_box = QComboBox(self)
        self.count_label = QLabel(self)
        self.count_label.setObjectName("incidentCount")

        self._switching = False
        self._to_follow: int | None = None  # chosen elsewhere, selected in the lists' turn
        self._announced = 0  # the incident last announced as selected (incidentSelected)
        self.table = PaintedTable(self)
        self.table.setModel(self.model)  # the proxy only while a filter is set
        self.table.setSortingEnabled(True)
        self.table.sortByColumn(IncidentTableModel.PRIORITY, Qt.SortOrder.AscendingOrder)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setAlternatingRowColors(True)
        self.table.setWordWrap(False)
        self.table.setTextElideMode(Qt.TextElideMode.ElideRight)
        self.table.verticalHeader().setVisible(False)
        self.table.verticalHeader().setDefaultSectionSize(22)
        self.table.verticalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        header.setSectionResizeMode(IncidentTableModel.ADDRESS, QHeaderView.ResizeMode.Stretch)
        header.setStretchLastSection(False)
        header.setMinimumSectionSize(30)
        for col, width in enumerate(self.COLUMN_WIDTHS):
            self.table.setColumnWidth(col, width)
        self.table.doubleClicked.connect(self._activated)
        self._follow_selection()

        self.filter_edit.textChanged.connect(lambda _t: self._apply_filter())
        self.priority_box.currentIndexChanged.connect(lambda _i: self._apply_filter())
        self.state_box.currentIndexChanged.connect(lambda _i: self._apply_filter())
        # the count line follows whichever the table shows (the proxy follows the model
        # even while unseen: counting on both would count every new row twice)
        for shown in (self.model, self.proxy):
            for signal in (
                shown.rowsInserted,
                shown.rowsRemoved,
                shown.modelReset,
                shown.layoutChanged,
            ):
                signal.connect(lambda *_, m=shown: self._count_if_shown(m))
        self.model._timer.timeout.connect(self._tick_due)
        self.model.dataChanged.connect(lambda *_: self._refilter_if_active())

        bar = QHBoxLayout()
        bar.setContentsMargins(0, 0, 0, 0)
        bar.addWidget(self.filter_edit, 1)
        bar.addWidget(self.priority_box)
        bar.addWidget(self.state_box)
        lay = QVBoxLayout(self)
        lay.setContentsMargins(4, 4, 4, 4)
        lay.setSpacing(3)
        lay.addLayout(bar)
        lay.addWidget(self.count_label)
        lay.addWidget(self.table, 1)
        self.retranslateUi()

    # ------------------------------------------------------------ texts

    def retranslateUi(self) -> None:
        """Every text of the filter bar (also on LanguageChange)."""
        self.filter_edit.setPlaceholderText(self.tr("Filter: number, type, place, unit…"))
        self._fill_box(
            self.priority_box,
            [
                (self.tr("All priorities"), 4),
                (self.tr("P1 only"), 1),
                (self.tr("P1–P2"), 2),
                (self.tr("P1–P3"), 3),
            ],
        )
        self._fill_box(
            self.state_box,
            [
                (self.tr("All states"), ""),
                (self.tr("Awaiting plan or approval"), "awaiting"),
                (self.tr("Dispatched, en route"), "moving"),
                (self.tr("On scene"), "on_scene"),
                (self.tr("Overdue only"), "overdue"),
            ],
        )
        self._update_count()

    @staticmethod
    def _fill_box(box: QComboBox, items: list[tuple[str, object]]) -> None:
        current = box.currentData()
        box.blockSignals(True)
        box.clear()
        for text, data in items:
            box.addItem(text, data)
        k = box.findData(current)
        box.setCurrentIndex(max(k, 0))
        box.blockSignals(False)

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            self.model.retranslate()
            self.retranslateUi()
        super().changeEvent(event)

    # ------------------------------------------------------------ filter

    def _apply_filter(self) -> None:
        self.proxy.set_filter(
            self.filter_edit.text(),
            int(self.priority_box.currentData() or 4),
            str(self.state_box.currentData() or ""),
        )
        self._show(self.proxy if self.proxy.active else self.model)
        self._update_count()

    def _count_if_shown(self, shown: QAbstractItemModel) -> None:
        if self.table.model() is shown:
            self._update_count()

    @property
    def filtered(self) -> bool:
        """Whether the table shows the filter (the proxy) rather than the model itself."""
        return self.table.model() is self.proxy

    def _show(self, shown: QAbstractItemModel) -> None:
        """Let the table show ``shown`` (the model, or the proxy while a filter is set),
        keeping the column widths, the sort and the selected incident if it stays listed
        (a selection the filter hides is cleared, as the proxy alone would do)."""
        if self.table.model() is shown:
            return
        chosen = self.selected_incident()
        header = self.table.horizontalHeader()
        state = header.saveState()
        self.table.setModel(shown)
        header.restoreState(state)
        self._follow_selection()
        self._switching = True  # the same selection again is no news to the other lists
        try:
            kept = chosen is not None and self.select_incident(chosen)
        finally:
            self._switching = False
        if chosen is not None and not kept:
            self._selection_changed()

    def _follow_selection(self) -> None:
        """Listen to the table's selection model (a new one with every model shown)."""
        self.table.selectionModel().selectionChanged.connect(lambda *_: self._selection_changed())

    def view_index(self, row: int, column: int = 0) -> QModelIndex:
        """The table's index of the model's ``row`` (invalid when the filter hides it)."""
        src = self.model.index(row, column)
        return self.proxy.mapFromSource(src) if self.filtered else src

    def _source_index(self, index: QModelIndex) -> QModelIndex:
        """The model's index of a table (or proxy) index."""
        return self.proxy.mapToSource(index) if index.model() is self.proxy else index

    def set_state_filter(self, state: str) -> None:
        """Choose the state filter by key ("", awaiting, moving, on_scene, overdue)."""
        self.state_box.setCurrentIndex(max(self.state_box.findData(state), 0))

    def _refilter_if_active(self) -> None:
        if self.proxy.active:
            self.proxy.refilter()

    def _tick_due(self) -> None:
        self.model.turn(self, self._on_tick)  # with the rows, in the lists' turn

    def _on_tick(self) -> None:
        if self.proxy.time_dependent:
            self.proxy.refilter()
        self._repaint_clock_cells()
        self._update_count()

    def _repaint_clock_cells(self) -> None:
        """Repaint what the clock alone moves: the age and deadline columns, and the rows
        whose overdue colour changed (a whole-board repaint every second cost 12-25 ms of
        the GUI thread with 500 rows, in the same pass as the other once-a-second work)."""
        port = self.table.viewport()
        for col in (IncidentTableModel.AGE, IncidentTableModel.DEADLINE):
            x = self.table.columnViewportPosition(col)  # off screen: clipped away
            port.update(QRect(x, 0, self.table.columnWidth(col), port.height()))
        for inc_id in self.model.colour_changes():
            row = self.model.row_of(inc_id)
            at = None if row is None else self.view_index(row)
            if at is not None and at.isValid():
                y = self.table.rowViewportPosition(at.row())
                port.update(QRect(0, y, port.width(), self.table.rowHeight(at.row())))

    def counts(self) -> dict[str, int]:
        """Open, shown, overdue and awaiting-decision incidents (the count line)."""
        m = self.model
        incs = m.incidents()
        return {
            "open": len(incs),
            "shown": self.table.model().rowCount(),
            "overdue": sum(1 for i in incs if (m.overdue_seconds(i.id) or -1.0) > 0),
            "awaiting": sum(1 for i in incs if i.status in AWAITING),
        }

    def _update_count(self) -> None:
        c = self.counts()
        text = (
            self.tr("%1 open · %2 overdue · %3 awaiting a decision")
            .replace("%1", str(c["open"]))
            .replace("%2", str(c["overdue"]))
            .replace("%3", str(c["awaiting"]))
        )
        if c["shown"] != c["open"]:
            text += " · " + self.tr("%1 shown").replace("%1", str(c["shown"]))
        if self.count_label.text() != text:
            self.count_label.setText(text)
        sheet = "#incidentCount { color: #b71c1c; font-weight: bold; }" if c["overdue"] else ""
        restyle(self.count_label, sheet)

    # ------------------------------------------------------------ selection

    def select_incident(self, incident_id: int) -> bool:
        """Select and reveal an incident (after a click on the map or another list)."""
        row = self.model.row_of(incident_id)
        if row is None:
            return False
        at = self.view_index(row, IncidentTableModel.TYPE)
        if not at.isValid():
            return False  # filtered out
        if self.selected_incident() != incident_id:
            self.table.selectRow(at.row())
        self.table.scrollTo(at)
        return True

    def follow(self, incident_id: int) -> None:
        """Select an incident chosen elsewhere (the plan queue, the map; 0: the selection
        was cleared there) in the lists' turn: the queue moving to the next plan while
        calls stream in no longer repaints the board in a frame that draws the map.  Only
        the latest choice is followed: one superseded meanwhile is never selected."""
        self._to_follow = incident_id
        self.model.turn(("follow", self), self._follow_now)

    def _follow_now(self) -> None:
        chosen, self._to_follow = self._to_follow, None
        if chosen is None:
            return
        if chosen:
            self.select_incident(chosen)
        else:
            self.table.clearSelection()

    def selected_incident(self) -> int | None:
        """Id of the incident selected in the table (None: no selection)."""
        self._follow_now()  # a selection chosen elsewhere and not yet followed counts
        rows = self.table.selectionModel().selectedRows()
        if not rows:
            return None
        src = self._source_index(rows[0])
        return self.model.incident_at(src.row()).id if src.isValid() else None

    def _selection_changed(self) -> None:
        """Announce a new selection, once: Qt's selection model also reports the same
        selection again when rows are inserted or moved around it, and announcing that
        made a selection the rest of the window had moved on from current again."""
        if self._switching:
            return
        chosen = self.selected_incident() or 0
        if chosen != self._announced:
            self._announced = chosen
            self.incidentSelected.emit(chosen)

    def visible_ids(self) -> list[int]:
        """Incident ids in display order."""
        self.model.catch_up()
        shown = self.table.model()
        return [int(shown.index(r, 0).data(ID_ROLE)) for r in range(shown.rowCount())]

    def _activated(self, index: QModelIndex) -> None:
        src = self._source_index(index)
        if src.isValid():
            self.incidentActivated.emit(self.model.incident_at(src.row()).id)


IncidentBoard = IncidentListPanel
"""The board under its own name (the main window knows it as the incident list)."""
