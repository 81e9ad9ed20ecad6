"""The unit list's data: every unit's status, incident and fix age, sortable and filterable.

The units are the workstation's :class:`SituationModel`'s; this Qt model only
shows them in its own order.  Positions arrive many times a second for
thousands of units; repainting a table for each would eat the GUI thread.  The
model only records what changed and a 2 Hz timer turns that into at most one
``dataChanged`` per column group,
so the cost is bounded by the timer, not by the position rate.  Sorting is
done here on precomputed keys (one per row) rather than by a sort proxy that
calls ``data()`` in Python for every comparison.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from functools import cmp_to_key
from typing import Any

import numpy as np
from PySide6.QtCore import (
    QAbstractTableModel,
    QCollator,
    QLocale,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    QSortFilterProxyModel,
    Qt,
    QTimer,
    Signal,
)
from PySide6.QtGui import QColor

from console.config import Config
from console.hub.messages import UnitsMoved, UnitState
from console.workstation.situation import Change, Reset, SituationModel, UnitUpdated
from widgets.frame_pacer import LISTS_LANE, InTurn
from widgets.panels.common import (
    UNIT_STATUS_COLOUR,
    UNIT_STATUS_TEXT,
    HubClock,
    format_age,
    status_background,
    unit_status_text,
    unit_type_name,
)
from widgets.panels.painted_table import LEFT, RIGHT, CellLook
from widgets.ticks import start_spread

SEARCH_ROLE = Qt.ItemDataRole.UserRole + 1
REFRESH_MS = 500  # at most 2 Hz, whatever the position rate
RESORT_TICKS = 10  # a table sorted by a clock column is re-sorted every 5 s, not every tick
STATUS_CHANGED = 1  # some unit's status, assignment or details changed
NAMES_CHANGED = 2  # display names changed (station names, language): any order may change
STALE_FG = QColor("#c62828")  # the fix age of a unit whose position is stale

ModelIndex = QModelIndex | QPersistentModelIndex
_STATUS_COLOURS: dict[str, tuple[QColor, QColor]] = {}


def _status_colours(status: str) -> tuple[QColor, QColor]:
    """The status cell's background and text colour (made once per status)."""
    hit = _STATUS_COLOURS.get(status)
    if hit is None:
        colour = UNIT_STATUS_COLOUR.get(status)
        hit = (
            status_background(colour or "#9e9e9e"),
            QColor(colour or "#424242").darker(170),
        )
        _STATUS_COLOURS[status] = hit
    return hit


_DIGITS = re.compile(r"(\d+)")


class UnitTableModel(QAbstractTableModel):
    """The situation model's units as table rows, in this table's own sort order.

    The units themselves (states, fix times) are the :class:`SituationModel`'s;
    this model keeps only the row order (a permutation of the situation's rows)
    and what changed since the last refresh.
    """

    refreshed = Signal(int)  # after each coalesced refresh: STATUS_CHANGED | NAMES_CHANGED, or 0

    STATION, CALL_SIGN, TYPE, STATUS, IN_STATUS, INCIDENT, FIX_AGE = range(7)
    COLUMN_COUNT = 7
    TIME_COLUMNS = (IN_STATUS, FIX_AGE)
    STATUS_DEPENDENT_COLUMNS = (STATUS, IN_STATUS, INCIDENT)

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
        self.stale_after = float(config.map.stale_fix_seconds)
        self._perm: list[int] = []  # display row -> situation row
        self._display_of = np.full(0, -1, dtype=np.int64)  # situation row -> display row
        self._station_names: dict[str, str] = {}
        self._dirty_rows = False
        self._dirty_names = False
        self.sort_column = self.STATION
        self.sort_order = Qt.SortOrder.AscendingOrder
        self._ticks_since_sort = 0
        self.refreshes = 0  # how many coalesced refreshes ran (for tests and figures)
        self._timer = QTimer(self)
        self._timer.setInterval(REFRESH_MS)
        # in the main window the refresh runs in the lists' turn of the window's frames
        # (never in the same frame as the map: widgets/frame_pacer.py)
        self.turn = InTurn(LISTS_LANE)
        self._timer.timeout.connect(self._refresh_due)
        start_spread(self._timer)
        self.situation.subscribe(self._on_situation)
        if self.situation.n:
            self._reset()

    # ---------------------------------------------------------------- updates

    def _on_situation(self, change: Change) -> None:
        """Follow the model: a reset rebuilds, a new unit is appended, a change waits for
        the next refresh; positions need nothing (the clock columns repaint every tick)."""
        if isinstance(change, Reset) and change.units:
            self._reset()
        elif isinstance(change, UnitUpdated):
            if change.previous is None and change.row >= len(self._perm):
                self._append(change.row)
            else:
                self._dirty_rows = True

    def _reset(self) -> None:
        self.beginResetModel()
        self._set_perm(self._order(self.sort_column, self.sort_order))
        self.endResetModel()
        self._dirty_rows = self._dirty_names = False

    def _append(self, srow: int) -> None:
        n = len(self._perm)
        self.beginInsertRows(QModelIndex(), n, n)
        self._set_perm([*self._perm, srow])
        self.endInsertRows()
        self._dirty_names = True  # place it in the sorted order at the next refresh

    def set_units(self, units: list[UnitState]) -> None:
        """Replace every unit (into the situation model: everything observing it follows)."""
        self.situation.set_units(units)

    def update_unit(self, unit: UnitState) -> None:
        """A status or assignment change, or a new unit (into the situation model)."""
        self.situation.update_unit(unit)

    def apply_moves(self, ev: UnitsMoved) -> None:
        """A coalesced position event (into the situation model); shown at the next refresh."""
        self.situation.apply_moves(ev)

    def set_station_names(self, names: dict[str, str]) -> None:
        """Station code -> display name (from the static district)."""
        self._station_names = dict(names)
        self._dirty_names = True

    def _refresh_due(self) -> None:
        self.turn(self, self.flush)

    def flush(self) -> None:
        """Emit the changes gathered since the last refresh (the 2 Hz timer's step)."""
        n = len(self._perm)
        if not n:
            return
        self.refreshes += 1
        last = self.index(n - 1, self.COLUMN_COUNT - 1)
        flags = (STATUS_CHANGED if self._dirty_rows else 0) | (
            NAMES_CHANGED if self._dirty_names else 0
        )
        if flags:
            self.dataChanged.emit(self.index(0, 0), last)
        else:  # the clocks move even when nothing else does
            for col in self.TIME_COLUMNS:
                self.dataChanged.emit(self.index(0, col), self.index(n - 1, col))
        self._dirty_rows = self._dirty_names = False
        self._ticks_since_sort += 1
        by_status = self.sort_column in self.STATUS_DEPENDENT_COLUMNS
        by_clock = self.sort_column in self.TIME_COLUMNS
        if (
            flags & NAMES_CHANGED
            or (flags & STATUS_CHANGED and by_status)
            or (by_clock and self._ticks_since_sort >= RESORT_TICKS)
        ):
            self.sort(self.sort_column, self.sort_order)
        self.refreshed.emit(flags)

    def retranslate(self) -> None:
        """Language changed: every header and cell text."""
        self.headerDataChanged.emit(Qt.Orientation.Horizontal, 0, self.COLUMN_COUNT - 1)
        self._dirty_names = True
        self.flush()

    # ---------------------------------------------------------------- queries

    def row_of_idx(self, idx: int) -> int | None:
        """Row of the unit with hub index ``idx``, if known."""
        srow = self.situation.row_of_hub_index(idx)
        return None if srow is None else self._row_of_srow(srow)

    def row_of_call_sign(self, call_sign: str) -> int | None:
        """Row of the unit with this call sign, if known."""
        srow = self.situation.row_of.get(call_sign)
        return None if srow is None else self._row_of_srow(srow)

    def _row_of_srow(self, srow: int) -> int | None:
        if 0 <= srow < self._display_of.size and self._display_of[srow] >= 0:
            return int(self._display_of[srow])
        return None

    def unit_at(self, row: int) -> UnitState:
        """The unit shown in ``row``."""
        return self.situation.units[self._perm[row]]

    def units(self) -> list[UnitState]:
        """All units in display order (status as last reported; positions: the model's arrays)."""
        return [self.situation.units[k] for k in self._perm]

    def on_duty_count(self) -> int:
        """Units not off duty."""
        return self.situation.on_duty_count()

    def fix_times(self) -> np.ndarray:
        """Last fix time of every row, in display order (a copy)."""
        return self.situation.fix_t[np.asarray(self._perm, dtype=np.int64)]

    def fix_age(self, row: int) -> float | None:
        """Seconds since the unit's last position fix; None if it never reported."""
        t = float(self.situation.fix_t[self._perm[row]])
        return None if t <= 0 else self.clock.now() - t

    # ------------------------------------------------------------ Qt model API

    def rowCount(self, parent: ModelIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._perm)

    def columnCount(self, parent: ModelIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else self.COLUMN_COUNT

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> object:
        if orientation != Qt.Orientation.Horizontal or role != Qt.ItemDataRole.DisplayRole:
            return None
        return (
            self.tr("Station"),
            self.tr("Call sign"),
            self.tr("Type"),
            self.tr("Status"),
            self.tr("In status"),
            self.tr("Incident"),
            self.tr("Fix age"),
        )[section]

    def data(self, index: ModelIndex, role: int = Qt.ItemDataRole.DisplayRole) -> object:
        if not index.isValid():
            return None
        row, col = index.row(), index.column()
        u = self.unit_at(row)
        if role == Qt.ItemDataRole.DisplayRole:
            return self._display(u, row, col)
        if role == SEARCH_ROLE:
            return " ".join(
                (
                    self._station(u),
                    u.call_sign,
                    unit_type_name(self.config, u.unit_type),
                    unit_status_text(u.status),
                    u.status,
                )
            )
        if role == Qt.ItemDataRole.BackgroundRole and col == self.STATUS:
            return _status_colours(u.status)[0]
        if role == Qt.ItemDataRole.ForegroundRole:
            if col == self.STATUS:
                return _status_colours(u.status)[1]
            if col == self.FIX_AGE:
                age = self.fix_age(row)
                if age is None or age > self.stale_after:
                    return STALE_FG
        if role == Qt.ItemDataRole.ToolTipRole and u.members:
            return "\n".join(u.members)
        if role == Qt.ItemDataRole.TextAlignmentRole and col in (*self.TIME_COLUMNS, self.INCIDENT):
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        return None

    def row_looks(self, row: int) -> tuple[CellLook, ...]:
        """Every cell of ``row`` as :meth:`data` answers for its display roles, in one
        call (the unit list's :class:`PaintedTable` paints a row from it)."""
        u = self.unit_at(row)
        status_bg, status_fg = _status_colours(u.status)
        age = self.fix_age(row)
        fix_fg = STALE_FG if age is None or age > self.stale_after else None
        right = (*self.TIME_COLUMNS, self.INCIDENT)
        return tuple(
            CellLook(
                self._display(u, row, col),
                status_bg if col == self.STATUS else None,
                False,
                status_fg if col == self.STATUS else fix_fg if col == self.FIX_AGE else None,
                RIGHT if col in right else LEFT,
            )
            for col in range(self.COLUMN_COUNT)
        )

    def _station(self, u: UnitState) -> str:
        if u.station is None:
            return "—"
        return self._station_names.get(u.station, u.station)

    def _display(self, u: UnitState, row: int, col: int) -> str:
        if col == self.STATION:
            return self._station(u)
        if col == self.CALL_SIGN:
            return u.call_sign
        if col == self.TYPE:
            return unit_type_name(self.config, u.unit_type)
        if col == self.STATUS:
            return unit_status_text(u.status)
        if col == self.IN_STATUS:
            return format_age(self.clock.now() - u.status_since if u.status_since > 0 else None)
        if col == self.INCIDENT:
            return "" if u.incident_id is None else f"#{u.incident_id}"
        return format_age(self.fix_age(row))

    # ------------------------------------------------------------------ sorting

    def sort(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        """Reorder the rows themselves (keys computed once per row, not per comparison).

        A sort proxy would call ``data()`` in Python for every comparison
        (over 100,000 calls for 5,000 units); this costs one key per row.
        """
        if not 0 <= column < self.COLUMN_COUNT:
            return
        self.sort_column, self.sort_order = column, order
        self._ticks_since_sort = 0
        if not self._perm:
            return
        perm = self._order(column, order)
        if perm == self._perm:
            return
        # no-argument form: emitting ([], VerticalSortHint) segfaults in PySide6 6.11
        self.layoutAboutToBeChanged.emit()
        new_row = np.empty(len(perm), dtype=np.int64)
        new_row[np.asarray(perm, dtype=np.int64)] = np.arange(len(perm))  # situation row -> row
        old_perm = self._perm
        persistent = self.persistentIndexList()
        moved = [self.index(int(new_row[old_perm[p.row()]]), p.column()) for p in persistent]
        self._set_perm(perm)
        self.changePersistentIndexList(persistent, moved)
        self.layoutChanged.emit()

    def _set_perm(self, perm: list[int]) -> None:
        """Show situation row ``perm[k]`` at row ``k``."""
        self._perm = perm
        display = np.full(self.situation.n, -1, dtype=np.int64)
        if perm:
            display[np.asarray(perm, dtype=np.int64)] = np.arange(len(perm))
        self._display_of = display

    def _order(self, column: int, order: Qt.SortOrder) -> list[int]:
        """Situation rows sorted by ``column``; ties by call sign (its numbers numeric)."""
        units = self.situation.units
        signs = [_natural(u.call_sign) for u in units]
        keys: list[Any]
        if column == self.STATION:
            rank = _collated_ranks(self._station(u) for u in units)
            keys = [(rank[self._station(u)], c) for u, c in zip(units, signs, strict=True)]
        elif column == self.TYPE:
            names = [unit_type_name(self.config, u.unit_type) for u in units]
            rank = _collated_ranks(names)
            keys = [(rank[n], c) for n, c in zip(names, signs, strict=True)]
        elif column == self.STATUS:
            known = list(UNIT_STATUS_TEXT)
            keys = [
                (known.index(u.status) if u.status in known else len(known), c)
                for u, c in zip(units, signs, strict=True)
            ]
        elif column == self.IN_STATUS:  # longest in status first
            keys = [(u.status_since, c) for u, c in zip(units, signs, strict=True)]
        elif column == self.INCIDENT:
            keys = [
                (-1 if u.incident_id is None else u.incident_id, c)
                for u, c in zip(units, signs, strict=True)
            ]
        elif column == self.FIX_AGE:  # freshest fix first
            fix = self.situation.fix_t
            keys = [(-float(t), c) for t, c in zip(fix, signs, strict=True)]
        else:
            keys = signs
        reverse = order == Qt.SortOrder.DescendingOrder
        return sorted(range(len(units)), key=keys.__getitem__, reverse=reverse)


def _natural(text: str) -> tuple[tuple[int, int | str], ...]:
    """Sort key that orders "五里-1-10" after "五里-1-2"."""
    return tuple((1, int(p)) if p.isdigit() else (0, p) for p in _DIGITS.split(text) if p)


def _collated_ranks(names: Iterable[str]) -> dict[str, int]:
    """Rank of each distinct name in the interface locale (pinyin order for Chinese)."""
    collator = QCollator(QLocale())
    distinct = sorted(set(names), key=cmp_to_key(collator.compare))
    return {n: i for i, n in enumerate(distinct)}


class UnitFilterProxy(QSortFilterProxyModel):
    """Free-text filter over station, call sign, type and status, plus a status choice.

    Sorting is the source model's (see :meth:`UnitTableModel.sort`); the
    proxy keeps its order.  Dynamic filtering is off: with it Qt re-filters
    every row named in a ``dataChanged`` (thousands of Python calls per clock
    tick); the panel re-filters when a status change can matter.
    """

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.status_filter: str | None = None
        self.setFilterRole(SEARCH_ROLE)
        self.setFilterKeyColumn(UnitTableModel.CALL_SIGN)
        self.setFilterCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
        self.setDynamicSortFilter(False)

    def set_status_filter(self, status: str | None) -> None:
        """Show only units in ``status`` (None: all)."""
        self.beginFilterChange()
        self.status_filter = status
        self.endFilterChange(QSortFilterProxyModel.Direction.Rows)

    def refilter(self) -> None:
        """Evaluate the filter again (statuses changed)."""
        self.beginFilterChange()
        self.endFilterChange(QSortFilterProxyModel.Direction.Rows)

    def sort(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        model = self.sourceModel()
        if isinstance(model, UnitTableModel):
            model.sort(column, order)

    def filterAcceptsRow(self, source_row: int, source_parent: ModelIndex) -> bool:
        model = self.sourceModel()
        if (
            self.status_filter is not None
            and isinstance(model, UnitTableModel)
            and model.unit_at(source_row).status != self.status_filter
        ):
            return False
        return super().filterAcceptsRow(source_row, source_parent)
