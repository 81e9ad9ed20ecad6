"""Side panels on their own: coalesced unit updates, filtering, grouping, incident rows, heat."""

from __future__ import annotations

import os
from collections.abc import Iterator

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import numpy as np
import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication

from console.hub.messages import (
    IncidentChanged,
    IncidentState,
    Snapshot,
    UnitChanged,
    UnitsMoved,
    UnitState,
)
from console.workstation.situation import SituationModel
from widgets.i18n import LanguageManager
from widgets.main_window import heat_grid_from_result
from widgets.panels import IncidentListPanel, LayerPanel, UnitListPanel, UnitTableModel
from widgets.panels.common import HubClock, format_age
from widgets.panels.incident_list import IncidentTableModel

NOW = 1_700_000_000.0

# the offscreen platform warns about window-manager hints it cannot honour
pytestmark = pytest.mark.qt_log_ignore("This plugin does not support")


@pytest.fixture(autouse=True)
def chinese(qapp: QApplication) -> Iterator[None]:
    lm = LanguageManager(qapp)
    lm.set_language("zh_CN")
    yield
    lm.set_language("en")  # as found: no translator installed


@pytest.fixture
def clock() -> HubClock:
    c = HubClock()
    c.sync(NOW)
    return c


def _unit(i: int, station: str, status: str = "available", fix_t: float = NOW) -> UnitState:
    return UnitState(
        idx=i,
        call_sign=f"沪黄{i:03d}",
        unit_type="patrol_group",
        station=station,
        area=None,
        status=status,
        status_since=NOW - 65,
        incident_id=None,
        lon=121.48,
        lat=31.23,
        fix_t=fix_t,
    )


def _incident(
    i: int, priority: int, status: str = "new", created: float = NOW - 30
) -> IncidentState:
    return IncidentState(
        id=i,
        incident_type="theft",
        status=status,
        priority=priority,
        force_level=1,
        manpower=2,
        lon=121.48,
        lat=31.23,
        address=f"地址{i}",
        created_at=created,
        source="call",
    )


def _moves(idx: list[int], fix_t: float) -> UnitsMoved:
    n = len(idx)
    return UnitsMoved(
        t=fix_t,
        idx=np.asarray(idx, dtype=np.int32).tobytes(),
        lon=np.zeros(n).tobytes(),
        lat=np.zeros(n).tobytes(),
        fix_t=np.full(n, fix_t).tobytes(),
    )


def test_position_floods_are_coalesced_into_one_refresh(qtbot, config, clock) -> None:
    model = UnitTableModel(config, clock)
    model.set_units([_unit(i, "S1", fix_t=NOW - 100) for i in range(500)])
    changes: list[tuple[int, int, int, int]] = []
    model.dataChanged.connect(
        lambda a, b, _r: changes.append((a.row(), a.column(), b.row(), b.column()))
    )
    for k in range(200):  # 200 position messages before the timer fires
        model.apply_moves(_moves(list(range(0, 500, 3)), NOW + k * 0.1))
    assert changes == []  # nothing repainted per message
    model.flush()
    time_cols = [(0, c, 499, c) for c in UnitTableModel.TIME_COLUMNS]
    assert changes == time_cols  # one signal per clock column, all rows
    assert model.fix_age(3) is not None and model.fix_age(3) < model.fix_age(1)


def test_status_change_repaints_the_whole_table_once(config, clock) -> None:
    model = UnitTableModel(config, clock)
    model.set_units([_unit(i, "S1") for i in range(10)])
    changes: list[int] = []
    model.dataChanged.connect(lambda a, b, _r: changes.append(b.column() - a.column() + 1))
    model.update_unit(_unit(4, "S1", status="en_route"))
    model.update_unit(_unit(5, "S1", status="on_scene"))
    assert changes == []
    model.flush()
    assert changes == [UnitTableModel.COLUMN_COUNT]
    assert model.index(4, UnitTableModel.STATUS).data() == "赶赴途中"
    assert model.on_duty_count() == 10


def test_unknown_unit_in_update_is_appended(config, clock) -> None:
    model = UnitTableModel(config, clock)
    model.set_units([_unit(0, "S1")])
    model.update_unit(_unit(7, "S2"))
    assert model.rowCount() == 2
    assert model.row_of_idx(7) == 1
    model.apply_moves(_moves([7, 99], NOW + 5))  # 99 is unknown: ignored, no crash
    assert model.fix_age(1) is not None


def test_malformed_moves_raise_a_clear_error(config, clock) -> None:
    model = UnitTableModel(config, clock)
    model.set_units([_unit(0, "S1")])
    bad = UnitsMoved(
        t=NOW, idx=np.zeros(2, np.int32).tobytes(), lon=b"", lat=b"", fix_t=np.zeros(1).tobytes()
    )
    with pytest.raises(ValueError, match="differ in length: idx 2, lon 0"):
        model.apply_moves(bad)


def test_lists_show_the_one_situation_model_they_share(qtbot, config, clock) -> None:
    situation = SituationModel()
    units = UnitListPanel(config, clock, situation=situation)
    incidents = IncidentListPanel(config, clock, situation=situation)
    qtbot.addWidget(units)
    qtbot.addWidget(incidents)
    situation.apply(
        Snapshot(
            seq=5,
            t=NOW,
            units=[_unit(0, "S1"), _unit(1, "S2", "on_scene")],
            incidents=[_incident(1, 3), _incident(2, 1)],
        )
    )
    units.model.flush()
    assert sorted(units.visible_call_signs()) == ["沪黄000", "沪黄001"]
    assert incidents.visible_ids() == [2, 1]
    situation.apply(UnitChanged(seq=6, unit=_unit(2, "S1")))  # a new unit: appended
    situation.apply(IncidentChanged(seq=7, incident=_incident(2, 1, "closed")))
    assert units.model.rowCount() == 3 and incidents.visible_ids() == [1]
    assert units.model.unit_at(units.model.row_of_call_sign("沪黄002") or 0).idx == 2
    # positions: nothing copied, the list reads the model's fix times
    situation.apply(_moves([1], NOW + 9))
    row = units.model.row_of_idx(1)
    assert row is not None and units.model.fix_times()[row] == NOW + 9


def test_units_grouped_by_station_then_filtered(qtbot, config, clock) -> None:
    panel = UnitListPanel(config, clock)
    qtbot.addWidget(panel)
    panel.model.set_station_names({"S1": "南京东路派出所", "S2": "外滩派出所"})
    panel.model.set_units(
        [_unit(0, "S2"), _unit(1, "S1"), _unit(2, "S2", "off_duty"), _unit(3, "S1", "on_scene")]
    )
    panel.model.flush()
    assert panel.visible_call_signs() == ["沪黄001", "沪黄003", "沪黄000", "沪黄002"]
    panel.filter_edit.setText("外滩")
    assert panel.visible_call_signs() == ["沪黄000", "沪黄002"]
    assert panel.count_label.text() == "2 / 4"
    panel.filter_edit.setText("")
    panel.status_box.setCurrentIndex(panel.status_box.findData("on_scene"))
    assert panel.visible_call_signs() == ["沪黄003"]
    assert panel.select_call_sign("沪黄003")
    assert not panel.select_call_sign("沪黄000")  # filtered out
    got: list[str] = []
    panel.unitActivated.connect(got.append)
    panel.table.doubleClicked.emit(panel.proxy.index(0, 2))
    assert got == ["沪黄003"]


def test_sorting_is_natural_and_keeps_the_selection(qtbot, config, clock) -> None:
    panel = UnitListPanel(config, clock)
    qtbot.addWidget(panel)
    panel.show()
    units = [_unit(i, "S1", fix_t=NOW - 10 * i) for i in range(4)]
    for u, sign in zip(units, ("五里-1-2", "五里-1-10", "五里-1-1", "五里-2-1"), strict=True):
        u.call_sign = sign
    panel.model.set_units(units)
    assert panel.visible_call_signs() == ["五里-1-1", "五里-1-2", "五里-1-10", "五里-2-1"]
    assert panel.select_call_sign("五里-1-10")
    panel.table.sortByColumn(UnitTableModel.FIX_AGE, Qt.SortOrder.DescendingOrder)
    assert panel.visible_call_signs() == ["五里-2-1", "五里-1-1", "五里-1-10", "五里-1-2"]
    selected = panel.table.selectionModel().selectedRows(UnitTableModel.CALL_SIGN)
    assert [i.data() for i in selected] == ["五里-1-10"]  # the selection followed its unit


def test_time_columns_show_elapsed_and_stale_fix(config, clock) -> None:
    model = UnitTableModel(config, clock)
    model.set_units([_unit(0, "S1", fix_t=NOW - 3600 * 2), _unit(1, "S1", fix_t=0.0)])
    clock.sync(NOW)
    assert model.index(0, UnitTableModel.IN_STATUS).data() in ("1:05", "1:06")
    assert model.index(0, UnitTableModel.FIX_AGE).data().startswith("2:00:")
    assert model.index(1, UnitTableModel.FIX_AGE).data() == "—"
    red = model.index(1, UnitTableModel.FIX_AGE).data(Qt.ItemDataRole.ForegroundRole)
    assert red is not None and red.name() == "#c62828"


def test_incident_rows_insert_update_and_leave(qtbot, config, clock) -> None:
    panel = IncidentListPanel(config, clock)
    qtbot.addWidget(panel)
    panel.model.set_incidents([_incident(1, 3), _incident(2, 1), _incident(3, 2, "closed")])
    assert panel.visible_ids() == [2, 1]  # closed dropped; most urgent first
    panel.model.update_incident(_incident(4, 1, created=NOW - 5))
    assert panel.visible_ids() == [2, 4, 1]
    panel.model.update_incident(_incident(2, 1, status="on_scene"))
    row = panel.model.row_of(2)
    assert row is not None
    assert panel.model.index(row, IncidentTableModel.STATUS).data() == "到场处置"
    assert panel.model.index(row, IncidentTableModel.TYPE).data() == "盗窃"
    panel.model.update_incident(_incident(2, 1, status="cancelled"))
    assert panel.visible_ids() == [4, 1]
    panel.model.update_incident(_incident(9, 1, status="closed"))  # closed, never seen: ignored
    assert panel.visible_ids() == [4, 1]


def test_layer_panel_emits_choices(qtbot) -> None:
    panel = LayerPanel(["roads", "heat", "custom"], {"heat": False})
    qtbot.addWidget(panel)
    assert panel.boxes["roads"].text() == "道路"
    assert panel.boxes["custom"].text() == "custom"  # unknown keys still get a switch
    assert not panel.boxes["heat"].isChecked()
    toggled: list[tuple[str, bool]] = []
    panel.layerToggled.connect(lambda k, on: toggled.append((k, on)))
    panel.boxes["roads"].setChecked(False)
    panel.set_layer_checked("heat", True)  # reflecting the menu does not echo back
    assert toggled == [("roads", False)]
    with qtbot.waitSignal(panel.heatWindowChanged) as sig:
        panel.window_box.setCurrentIndex(panel.window_box.findData(7 * 86400))
    assert sig.args == [7 * 86400]
    assert panel.window_box.currentText() == "最近7天"
    panel.set_heat_info(12345, 321.4)
    assert panel.heat_info.text() == "时段内警情 12,345 起\n峰值 321 起/平方公里"


def test_heat_reply_becomes_a_grid() -> None:
    density = np.arange(6, dtype=np.float32).reshape(2, 3)
    grid = heat_grid_from_result(
        {
            "density": density.tobytes(),
            "shape": [2, 3],
            "bbox": [121.4, 31.2, 121.5, 31.3],
            "n_calls": 40,
            "max": 5.0,
        }
    )
    assert grid.density.shape == (2, 3) and grid.max == 5.0
    assert (grid.lon0, grid.lat1, grid.n_calls) == (121.4, 31.3, 40)
    with pytest.raises(ValueError, match="do not fit shape"):
        heat_grid_from_result(
            {"density": b"\0" * 8, "shape": [2, 3], "bbox": [0, 0, 1, 1], "n_calls": 0}
        )
    with pytest.raises(ValueError, match="lacks density"):
        heat_grid_from_result({"shape": [1, 1], "bbox": [0, 0, 1, 1], "n_calls": 0})


def test_ages_read_well() -> None:
    assert format_age(5) == "0:05"
    assert format_age(3725) == "1:02:05"
    assert format_age(None) == "—"
    assert format_age(float("nan")) == "—"
    assert format_age(-3) == "0:00"
    assert format_age(2 * 86400 + 5 * 3600) == "2天5小时"
