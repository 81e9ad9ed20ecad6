"""A table view that does not repaint what a row added or taken away out of sight leaves as
it was.

Qt's item views answer every row inserted or removed with a layout that repaints the whole
viewport.  On the incident board in a busy shift that was most of its paints: sorted by
priority, a new call lands below the rows in view nearly every time, and a whole board
repaint costs 12-14 ms of the GUI thread with 500 rows (20 rows of 8 cells in view; Qt's
item painting and the layout of Chinese text, not the model), 24-29 ms on a loaded
2-core machine (``bench/shift.py``, issue 15).  Rows that change *below* the last row in
view move nothing on screen but the scroll bar, so :class:`BoardTable` lays out the
geometry (scroll bars, headers) and leaves the pixels alone; any other change (a row above
or in view, a move, a sort, a reset) repaints as Qt always does.
"""

from __future__ import annotations

from PySide6.QtCore import QAbstractItemModel, QModelIndex, QPersistentModelIndex, SignalInstance
from PySide6.QtWidgets import QTableView, QWidget

ModelIndex = QModelIndex | QPersistentModelIndex


class BoardTable(QTableView):
    """:class:`QTableView` whose rows inserted or removed out of sight below repaint nothing."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._below: bool | None = None
        """Whether every row change since the last layout was below the rows in view
        (None: none since; False: at least one other change)."""
        self.quiet_layouts = 0
        """Layouts that repainted nothing (tests, diagnosis)."""
        self._watched: QAbstractItemModel | None = None

    def setModel(self, model: QAbstractItemModel | None) -> None:
        """Watch the model's other structural changes: after any of them, repaint."""
        old = self._watched
        if old is not None:
            for sig in self._others(old):
                sig.disconnect(self._changed_otherwise)
        super().setModel(model)
        new = self.model()
        self._watched = new
        if new is not None:
            for sig in self._others(new):
                sig.connect(self._changed_otherwise)
        self._below = False

    @staticmethod
    def _others(model: QAbstractItemModel) -> list[SignalInstance]:
        return [
            model.layoutChanged,
            model.modelReset,
            model.rowsMoved,
            model.columnsInserted,
            model.columnsRemoved,
        ]

    def _changed_otherwise(self, *_args: object) -> None:
        self._below = False

    def _row_change(self, parent: ModelIndex, first: int) -> None:
        last_in_view = self.rowAt(self.viewport().height() - 1)
        below = not parent.isValid() and last_in_view >= 0 and first > last_in_view
        self._below = below if self._below is None else self._below and below

    def rowsInserted(self, parent: ModelIndex, start: int, end: int) -> None:
        self._row_change(parent, start)
        super().rowsInserted(parent, start, end)

    def rowsAboutToBeRemoved(self, parent: ModelIndex, start: int, end: int) -> None:
        self._row_change(parent, start)
        super().rowsAboutToBeRemoved(parent, start, end)

    def doItemsLayout(self) -> None:
        below, self._below = self._below, None
        if below:
            self.updateGeometries()  # the scroll bar; the rows in view did not move
            self.verticalHeader().setUpdatesEnabled(True)  # as QTableView does after a removal
            self.quiet_layouts += 1
            return
        super().doItemsLayout()
