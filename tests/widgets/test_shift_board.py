"""The incident board for a busy shift: columns, filters, deadlines, overdue colours,
selection, and 500 open incidents on the situation model (no hub needed)."""

from __future__ import annotations

import os
from typing import Any, cast

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import pytest
from PySide6.QtCore import QEvent, QObject, QPoint, QRect, Qt
from PySide6.QtGui import QBrush, QPaintEvent, QRegion
from PySide6.QtWidgets import QHeaderView

from console.config import Config
from console.hub.messages import IncidentState, OrderChanged, Snapshot, UnitState
from console.workstation.situation import SituationModel
from widgets.panels.common import HubClock
from widgets.panels.incident_board import OVERDUE_BG, IncidentBoard, IncidentTableModel

pytestmark = pytest.mark.qt_log_ignore("This plugin does not support")
NOW = 1_700_000_000.0
M = IncidentTableModel


@pytest.fixture
def clock() -> HubClock:
    c = HubClock()
    c.sync(NOW)
    return c


def _inc(
    i: int,
    kind: str = "theft",
    prio: int = 3,
    status: str = "new",
    age: float = 30.0,
    address: str = "",
) -> IncidentState:
    return IncidentState(
        id=i,
        incident_type=kind,
        status=status,
        priority=prio,
        force_level=1,
        manpower=2,
        lon=121.48,
        lat=31.23,
        address=address or f"南京东路{i}号",
        created_at=NOW - age,
        source="call",
    )


def _unit(i: int, cs: str, unit_type: str) -> UnitState:
    return UnitState(
        idx=i,
        call_sign=cs,
        unit_type=unit_type,
        station="S1",
        area=None,
        status="available",
        status_since=NOW,
        incident_id=None,
        lon=121.48,
        lat=31.23,
        fix_t=NOW,
    )


def _board(qtbot: Any, config: Config, clock: HubClock, incs: list[IncidentState]) -> IncidentBoard:
    situation = SituationModel()
    board = IncidentBoard(config, clock, situation=situation)
    qtbot.addWidget(board)
    situation.apply(
        Snapshot(
            seq=1,
            t=NOW,
            units=[_unit(0, "巡-1", "patrol_group"), _unit(1, "特-1", "special_police")],
            incidents=incs,
        )
    )
    return board


def _order(iid: int, oid: str, cs: str, state: str, t: float) -> OrderChanged:
    return OrderChanged(order_id=oid, incident_id=iid, call_sign=cs, state=state, t=t)


def test_eight_columns_in_chinese_that_fit_and_sorting_by_urgency(
    qtbot: Any, config: Config, clock: HubClock, languages: Any
) -> None:
    board = _board(
        qtbot,
        config,
        clock,
        [_inc(1, prio=3), _inc(2, "knife_attack", 1, age=60), _inc(3, prio=3, age=900)],
    )
    m = board.model
    heads = [m.headerData(c, Qt.Orientation.Horizontal) for c in range(m.columnCount())]
    assert heads == ["等级", "编号", "类型", "地点", "状态", "历时", "警力", "下一时限"]
    assert board.visible_ids() == [2, 3, 1]  # P1 first, then the oldest
    board.table.sortByColumn(M.AGE, Qt.SortOrder.AscendingOrder)
    assert board.visible_ids()[0] == 1  # youngest first
    widths = sum(board.table.columnWidth(c) for c in range(m.columnCount()))
    assert widths <= 560  # the board fits a side column of the default window
    row = m.row_of(2)
    assert row is not None
    assert m.index(row, M.TYPE).data() == "持刀伤人"
    assert m.index(row, M.DEADLINE).data().startswith("响应 ")  # respond within the standard


def test_deadlines_follow_the_orders_and_overdue_rows_turn_red(
    qtbot: Any, config: Config, clock: HubClock, languages: Any
) -> None:
    board = _board(qtbot, config, clock, [_inc(7, "knife_attack", 1, "dispatched", age=600)])
    m = board.model
    row = m.row_of(7)
    assert row is not None
    ack = config.orders.ack_deadline_seconds
    m.on_order(_order(7, "o1", "特-1", "pending", NOW - ack - 60))  # a minute past its deadline
    d = m.deadline(7)
    assert d is not None and d.kind == "ack" and d.call_sign == "特-1"
    assert m.index(row, M.DEADLINE).data().startswith("确认 −")
    bg = m.index(row, M.ADDRESS).data(Qt.ItemDataRole.BackgroundRole)
    assert isinstance(bg, QBrush) and bg.color() == OVERDUE_BG
    assert board.counts()["overdue"] == 1 and "超时 1" in board.count_label.text()
    m.on_order(_order(7, "o1", "特-1", "accepted", NOW - 5))
    d = m.deadline(7)
    std = config.arrival_standards["special_police"].seconds
    assert d is not None and d.kind == "arrive" and d.at == NOW - ack - 60 + std
    m.on_order(_order(7, "o1", "特-1", "arrived", NOW - 1))
    assert m.deadline(7).kind == "on_scene"  # type: ignore[union-attr]
    assert m.index(row, M.ADDRESS).data(Qt.ItemDataRole.BackgroundRole) is None  # time left


def test_filters_by_text_priority_state_and_overdue(
    qtbot: Any, config: Config, clock: HubClock, languages: Any
) -> None:
    incs = [
        _inc(1, "theft", 3, "new", address="人民路8号"),
        _inc(2, "fight", 2, "en_route"),
        _inc(3, "knife_attack", 1, "on_scene"),
        _inc(4, "dispute", 3, "plan_proposed", age=3600),  # waited an hour: overdue
    ]
    board = _board(qtbot, config, clock, incs)
    board.filter_edit.setText("人民路")
    assert board.visible_ids() == [1]
    board.filter_edit.setText("斗殴")  # the type's name
    assert board.visible_ids() == [2]
    board.filter_edit.clear()
    board.priority_box.setCurrentIndex(board.priority_box.findData(2))
    assert board.visible_ids() == [3, 2]
    board.priority_box.setCurrentIndex(0)
    board.set_state_filter("awaiting")
    assert sorted(board.visible_ids()) == [1, 4]
    board.set_state_filter("on_scene")
    assert board.visible_ids() == [3]
    board.set_state_filter("overdue")
    assert board.visible_ids() == [4]
    assert "显示 1" in board.count_label.text()
    assert not board.select_incident(2)  # filtered out: not selectable
    board.set_state_filter("")
    got: list[int] = []
    board.incidentSelected.connect(got.append)
    assert board.select_incident(2) and board.selected_incident() == 2 and got == [2]


def test_the_table_shows_the_model_unless_a_filter_is_set_and_keeps_its_choices(
    qtbot: Any, config: Config, clock: HubClock
) -> None:
    incs = [_inc(1, "theft", 3, address="人民路8号"), _inc(2, "fight", 2), _inc(3, prio=3, age=900)]
    board = _board(qtbot, config, clock, incs)
    header = board.table.horizontalHeader()
    assert board.table.model() is board.model and not board.filtered  # no proxy per cell
    board.table.setColumnWidth(M.TYPE, 111)  # the operator widened a column
    board.table.sortByColumn(M.AGE, Qt.SortOrder.DescendingOrder)
    got: list[int] = []
    board.incidentSelected.connect(got.append)
    assert board.select_incident(3) and got == [3]
    board.filter_edit.setText("号")  # in every address: the selection stays listed
    assert board.filtered and board.table.model() is board.proxy
    assert board.selected_incident() == 3 and got == [3]
    assert board.table.columnWidth(M.TYPE) == 111
    assert header.sectionResizeMode(M.ADDRESS) == QHeaderView.ResizeMode.Stretch
    assert (header.sortIndicatorSection(), header.sortIndicatorOrder()) == (
        M.AGE,
        Qt.SortOrder.DescendingOrder,
    )
    board.filter_edit.setText("人民路")  # hides the selected one: the other lists hear it
    assert board.visible_ids() == [1] and board.selected_incident() != 3
    assert got[-1] == (board.selected_incident() or 0)
    board.table.selectRow(0)
    assert board.selected_incident() == 1 and got[-1] == 1
    activated: list[int] = []
    board.incidentActivated.connect(activated.append)
    board.table.doubleClicked.emit(board.view_index(board.model.row_of(1) or 0, M.TYPE))
    assert activated == [1]
    board.filter_edit.clear()  # back to the model itself, the selection kept
    assert not board.filtered and board.selected_incident() == 1 and got[-1] == 1
    assert board.visible_ids() == [3, 2, 1]  # still by age, oldest first (ties: by number)
    board.table.doubleClicked.emit(board.view_index(board.model.row_of(2) or 0, M.TYPE))
    assert activated == [1, 2]
    assert board.table.columnWidth(M.TYPE) == 111
    assert "显示" not in board.count_label.text() and "shown" not in board.count_label.text()


def test_five_hundred_open_incidents_are_rows_found_by_number(
    qtbot: Any, config: Config, clock: HubClock
) -> None:
    kinds = list(config.incident_types)
    incs = [_inc(i, kinds[i % len(kinds)], 1 + i % 4, age=float(i)) for i in range(1, 501)]
    board = _board(qtbot, config, clock, incs)
    m = board.model
    assert m.rowCount() == 500 and board.proxy.rowCount() == 500
    for i in range(1, 501, 7):  # updates find their row through the index
        m.on_order(_order(i, f"o{i}", "巡-1", "pending", NOW))
        board.model.situation.update_incident(
            _inc(i, kinds[i % len(kinds)], 1 + i % 4, "dispatched", float(i))
        )
    row8 = m.row_of(8)
    assert row8 is not None and m.incident_at(row8).status == "dispatched"
    assert m.deadline(8) is not None and m.deadline(8).kind == "ack"  # type: ignore[union-attr]
    for i in (250, 1, 500):  # closing removes the row and renumbers the rest
        board.model.situation.update_incident(_inc(i, status="closed"))
    assert m.rowCount() == 497 and m.row_of(250) is None
    assert all(m.incident_at(m.row_of(i) or 0).id == i for i in (2, 251, 499))
    ids = board.visible_ids()
    prios = [m.incident_at(m.row_of(i) or 0).priority for i in ids]
    assert prios == sorted(prios)


class _Painted(QObject):
    """Records the regions painted on a widget."""

    def __init__(self, widget: Any) -> None:
        super().__init__()
        self.region = QRegion()
        widget.installEventFilter(self)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.Paint:
            self.region += cast(QPaintEvent, event).region()
        return False


def test_the_clock_repaints_ages_deadlines_and_rows_turning_overdue_only(
    qtbot: Any, config: Config, clock: HubClock, languages: Any
) -> None:
    # long overdue against the response standard, except the two with orders below
    incs = [_inc(i, prio=3, status="dispatched", age=7200.0 + i) for i in range(1, 21)]
    board = _board(qtbot, config, clock, incs)
    board.resize(560, 600)
    board.show()
    qtbot.waitExposed(board)
    m = board.model
    ack = config.orders.ack_deadline_seconds
    m.on_order(_order(5, "o5", "巡-1", "pending", NOW - ack + 30))  # due in 30 s: amber
    m.on_order(_order(9, "o9", "巡-1", "pending", NOW - ack + 600))  # due in 10 min
    first = m.colour_changes()  # the amber row and the red ones; not 9, with time left
    assert 5 in first and 9 not in first and len(first) == 19
    assert m.colour_changes() == []  # nothing moved since
    clock.sync(NOW + 60)  # a minute on: 5 is overdue, 9 still has time
    assert m.colour_changes() == [5]

    port = board.table.viewport()
    seen = _Painted(port)
    qtbot.wait(50)
    seen.region = QRegion()
    clock.sync(NOW + 600)  # 9 turns amber
    board._on_tick()
    qtbot.waitUntil(lambda: not seen.region.isEmpty())
    qtbot.wait(50)
    clock_cols = QRegion()
    for col in (M.AGE, M.DEADLINE):
        x = board.table.columnViewportPosition(col)
        clock_cols += QRegion(QRect(x, 0, board.table.columnWidth(col), port.height()))
    row9 = board.view_index(m.row_of(9) or 0).row()
    y9 = board.table.rowViewportPosition(row9)
    row_rect = QRegion(QRect(0, y9, port.width(), board.table.rowHeight(row9)))
    assert (seen.region - clock_cols - row_rect).isEmpty()  # not the whole board
    assert not (seen.region & row_rect).isEmpty()  # the row that changed colour
    type_x = board.table.columnViewportPosition(M.TYPE)
    assert not seen.region.contains(QPoint(type_x + 2, board.table.rowViewportPosition(0) + 2))
