"""The boards paint their own cells (widgets/panels/painted_table.py): each row's looks
say what ``data`` says, and the painted viewport shows what Qt's own item painting
shows -- the same colour in every cell, text in the same cells -- with and without a
filter, selected rows included.  A model without row looks is painted by Qt."""

from __future__ import annotations

import os
from typing import Any

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import msgspec
import numpy as np
import pytest
from PySide6.QtCore import QAbstractItemModel, QModelIndex, Qt
from PySide6.QtGui import QFont, QImage, QStandardItem, QStandardItemModel
from PySide6.QtWidgets import QHeaderView, QTableView

from console.config import Config
from console.hub.messages import Snapshot
from console.workstation.situation import SituationModel
from tests.widgets.test_shift_board import NOW, _board, _inc, _order, _unit
from widgets.panels.common import HubClock
from widgets.panels.incident_board import CENTRED, IncidentTableModel
from widgets.panels.painted_table import CENTRE, LEFT, RIGHT, PaintedTable
from widgets.panels.unit_list import UnitListPanel

pytestmark = pytest.mark.qt_log_ignore("This plugin does not support")
M = IncidentTableModel
D = Qt.ItemDataRole


@pytest.fixture
def clock() -> HubClock:
    c = HubClock()
    c.sync(NOW)
    return c


def _colour(value: Any) -> int | None:
    """A brush's or colour's ARGB, or None."""
    if value is None:
        return None
    colour = value.color() if hasattr(value, "color") else value
    return int(colour.rgba())


def _mixed_board(qtbot: Any, config: Config, clock: HubClock) -> Any:
    """Urgent, overdue, soon-due and quiet rows."""
    incs = [
        _inc(1, "knife_attack", 1, "dispatched", age=900),
        _inc(2, "theft", 3, "dispatched", age=60),
        _inc(3, "dispute", 2, "plan_proposed", age=30, address="外滩中山东一路" * 4),
        _inc(4, "theft", 4, "en_route", age=20),
        _inc(5, "theft", 3, "new", age=7200),
    ]
    board = _board(qtbot, config, clock, incs)
    ack = config.orders.ack_deadline_seconds
    board.model.on_order(_order(1, "o1", "特-1", "pending", NOW - ack - 60))  # overdue
    board.model.on_order(_order(2, "o2", "巡-1", "pending", NOW - ack + 30))  # due soon
    return board


def test_each_rows_looks_say_what_data_says(qtbot: Any, config: Config, clock: HubClock) -> None:
    board = _mixed_board(qtbot, config, clock)
    m = board.model
    bold_cells = overdue_cells = 0
    for row in range(m.rowCount()):
        looks = m.row_looks(row)
        assert len(looks) == m.columnCount()
        for col, look in enumerate(looks):
            at = m.index(row, col)
            assert look.text == m.data(at, D.DisplayRole)
            assert _colour(look.background) == _colour(m.data(at, D.BackgroundRole))
            assert _colour(look.foreground) == _colour(m.data(at, D.ForegroundRole))
            font = m.data(at, D.FontRole)
            assert look.bold == (isinstance(font, QFont) and font.bold())
            assert (look.align == CENTRE) == (m.data(at, D.TextAlignmentRole) == CENTRED)
            bold_cells += look.bold
            overdue_cells += look.foreground is not None
    assert bold_cells >= 8 and overdue_cells >= 1  # the urgent row, the overdue deadline


def test_unit_rows_looks_say_what_data_says(qtbot: Any, config: Config, clock: HubClock) -> None:
    panel = UnitListPanel(config, clock)
    qtbot.addWidget(panel)
    units = [_unit(0, "巡-1", "patrol_group"), _unit(1, "特-1", "special_police")]
    units[1] = msgspec.structs.replace(units[1], fix_t=NOW - 3600, status="on_scene")  # stale
    panel.model.set_units(units)
    panel.model.flush()
    m = panel.model
    right = int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
    for row in range(m.rowCount()):
        for col, look in enumerate(m.row_looks(row)):
            at = m.index(row, col)
            assert look.text == m.data(at, D.DisplayRole)
            assert _colour(look.background) == _colour(m.data(at, D.BackgroundRole))
            assert _colour(look.foreground) == _colour(m.data(at, D.ForegroundRole))
            assert (look.align == RIGHT) == (m.data(at, D.TextAlignmentRole) == right)
            assert look.align in (LEFT, RIGHT) and not look.bold


def _grab(view: QTableView) -> np.ndarray:
    """The viewport's pixels, (height, width, 3)."""
    img = view.viewport().grab().toImage().convertToFormat(QImage.Format.Format_RGB32)
    w, h, stride = img.width(), img.height(), img.bytesPerLine()
    raw = np.frombuffer(img.constBits(), np.uint8, stride * h).reshape(h, stride // 4, 4)
    return raw[:, :w, :3].copy()


def _twin(board_table: QTableView, shown: QAbstractItemModel) -> QTableView:
    """A plain QTableView set up like ``board_table``, showing the same model."""
    twin = QTableView()
    twin.setModel(shown)
    twin.setSelectionModel(board_table.selectionModel())
    twin.setAlternatingRowColors(board_table.alternatingRowColors())
    twin.setWordWrap(False)
    twin.verticalHeader().setVisible(False)
    twin.verticalHeader().setDefaultSectionSize(board_table.verticalHeader().defaultSectionSize())
    twin.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
    for col in range(shown.columnCount()):
        twin.setColumnWidth(col, board_table.columnWidth(col))
    twin.resize(board_table.size())
    return twin


def _cells_alike(qtbot: Any, painted: PaintedTable, shown: QAbstractItemModel) -> int:
    """Compare every visible cell of ``painted`` with Qt's painting of the same model:
    its background (the median colour) and whether it holds text.  Returns the cells."""
    panel = painted.window()
    panel.show()
    qtbot.waitExposed(panel)
    twin = _twin(painted, shown)
    qtbot.addWidget(twin)
    twin.show()
    qtbot.waitExposed(twin)
    assert twin.viewport().size() == painted.viewport().size()
    before = painted.painted_rows
    ours, qts = _grab(painted), _grab(twin)
    assert painted.painted_rows > before  # our painting, not Qt's
    cells = 0
    for row in range(shown.rowCount()):
        y, h = painted.rowViewportPosition(row), painted.rowHeight(row)
        assert (y, h) == (twin.rowViewportPosition(row), twin.rowHeight(row))
        if y < 0 or y + h > ours.shape[0]:
            continue
        for col in range(shown.columnCount()):
            x, w = painted.columnViewportPosition(col), painted.columnWidth(col)
            if x + w > ours.shape[1]:
                continue
            a = ours[y + 1 : y + h - 2, x + 1 : x + w - 2].reshape(-1, 3)
            b = qts[y + 1 : y + h - 2, x + 1 : x + w - 2].reshape(-1, 3)
            where = f"row {row} col {col}"
            assert np.abs(np.median(a, 0) - np.median(b, 0)).max() <= 3, where
            ink_a = (np.abs(a.astype(int) - np.median(a, 0)).sum(1) > 120).sum()
            ink_b = (np.abs(b.astype(int) - np.median(b, 0)).sum(1) > 120).sum()
            assert (ink_a > 0) == (ink_b > 0), where
            if ink_b:
                assert 0.6 < ink_a / ink_b < 1.6, where  # the same text, not another
            cells += 1
    return cells


def test_the_board_paints_what_qt_paints(qtbot: Any, config: Config, clock: HubClock) -> None:
    board = _mixed_board(qtbot, config, clock)
    table = board.table
    assert isinstance(table, PaintedTable)
    board.resize(900, 300)  # every column in view
    table.selectRow(2)
    assert _cells_alike(qtbot, table, table.model()) == 5 * 8
    # filtered: the table shows the proxy, rows mapped to the model's
    board.set_state_filter("moving")
    assert table.model() is board.proxy and board.proxy.rowCount() == 3
    assert _cells_alike(qtbot, table, board.proxy) == 3 * 8


def test_the_unit_list_paints_what_qt_paints(qtbot: Any, config: Config, clock: HubClock) -> None:
    situation = SituationModel()
    panel = UnitListPanel(config, clock, situation=situation)
    qtbot.addWidget(panel)
    units = [_unit(i, f"巡-{i}", "patrol_group") for i in range(6)]
    situation.apply(Snapshot(seq=1, t=NOW, units=units, incidents=[]))
    panel.model.flush()
    panel.resize(900, 300)
    panel.table.selectRow(1)
    assert _cells_alike(qtbot, panel.table, panel.proxy) == 6 * 7


def test_a_model_without_row_looks_is_painted_by_qt(qtbot: Any) -> None:
    model = QStandardItemModel(3, 2)
    for r in range(3):
        for c in range(2):
            model.setItem(r, c, QStandardItem(f"格{r}{c}"))
    view = PaintedTable()
    qtbot.addWidget(view)
    view.setModel(model)
    view.resize(300, 120)
    view.show()
    qtbot.waitExposed(view)
    img = _grab(view)
    assert view.painted_rows == 0
    assert (img < 100).any()  # Qt drew the texts
    assert model.index(0, 0).data() == "格00" and view.indexAt(
        view.visualRect(model.index(1, 1)).center()
    ) == model.index(1, 1)
    assert QModelIndex() == view.indexAt(view.viewport().rect().bottomRight())
