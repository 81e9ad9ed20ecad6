"""Alerts board, unit board and statistics against a real hub (no simulation: nothing moves or
answers on its own, so the test plays the terminal and every state is caused here)."""

from __future__ import annotations

import csv
import os
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import numpy as np
import pytest

from console.config import Config
from console.hub.client import InprocClient
from console.hub.hub import CommandHub
from console.hub.messages import (
    Alert,
    ApprovePlan,
    CreateIncident,
    Event,
    GetDistrict,
    GetPlan,
    OrderChanged,
    OrderReceipt,
    SetUnitStatus,
    StaticDistrict,
    UnitsMoved,
)
from console.workstation.situation import SituationModel
from tests.conftest import HubFactory
from widgets.bridge import HubBridge
from widgets.panels.common import unit_status_text
from widgets.workflow import unit_board as ub
from widgets.workflow.alerts import AlertsBoard
from widgets.workflow.stats import CSV_COLUMNS, StatsPanel, write_stats_csv
from widgets.workflow.unit_board import UnitBoard

pytestmark = pytest.mark.qt_log_ignore("This plugin does not support")
WAIT_MS = 15_000


@pytest.fixture(scope="module")
def hub(module_hub_factory: HubFactory) -> CommandHub:
    return module_hub_factory()


@pytest.fixture(scope="module")
def district(hub: CommandHub) -> StaticDistrict:
    return InprocClient(hub).call(GetDistrict()).result


@pytest.fixture
def bridge(hub: CommandHub) -> Iterator[HubBridge]:
    b = HubBridge(InprocClient(hub, actor="op-sun", role="operator", workstation="pytest"))
    b.start()
    yield b
    b.close()


def _dispatch(hub: CommandHub, qtbot: Any, bridge: HubBridge, lon: float, lat: float) -> list[str]:
    """Register a theft, approve its plan (one supervisor suffices) and return the order ids."""
    orders: list[OrderChanged] = []

    def collect(e: Event) -> None:
        if isinstance(e, OrderChanged):
            orders.append(e)

    bridge.event.connect(collect)
    sup = InprocClient(hub, actor="sup-he", role="supervisor")
    r = sup.call(CreateIncident(incident_type="theft", lon=lon, lat=lat))
    assert r.ok, r.error
    plan = sup.call(GetPlan(incident_id=r.result["incident_id"])).result
    assert sup.call(ApprovePlan(plan_id=plan.plan_id)).ok
    n = len(plan.body["slots"])
    qtbot.waitUntil(lambda: len({o.order_id for o in orders}) >= n, timeout=WAIT_MS)
    bridge.event.disconnect(collect)
    return sorted({o.order_id for o in orders})


def test_alert_from_a_rejected_order_sounds_until_acknowledged(
    qtbot: Any, hub: CommandHub, bridge: HubBridge, languages: Any
) -> None:
    board = AlertsBoard(bridge)
    qtbot.addWidget(board)
    order_ids = _dispatch(hub, qtbot, bridge, 121.4800, 31.2362)
    terminal = InprocClient(hub, actor="terminal", role="terminal")
    assert terminal.call(
        OrderReceipt(order_id=order_ids[0], state="rejected", reason="车辆故障")
    ).ok
    qtbot.waitUntil(lambda: bool(board.unacknowledged()), timeout=WAIT_MS)
    alert = board.unacknowledged()[0]
    assert alert.kind == "order_rejected" and "车辆故障" in alert.text
    assert board.table.item(0, board.KIND).text() == "指令被拒绝"
    assert board.sounding and board.beeps >= 1  # rang on arrival
    assert "未确认 1" in board.count_label.text()

    board.table.selectRow(0)
    assert board.ack_selected() == 1
    assert board.ack(alert.alert_id) is False  # already on its way
    qtbot.waitUntil(lambda: bool(board.alerts[alert.alert_id].acked_by), timeout=WAIT_MS)
    assert board.alerts[alert.alert_id].acked_by == "op-sun"
    assert not board.unacknowledged() and not board.sounding
    assert board.table.item(0, board.ACKED).text() == "op-sun"
    assert board.table.item(0, board.TEXT).foreground().color().name() == "#9e9e9e"  # grey
    beeps = board.beeps
    board._sound()  # the repeat timer's slot: silent once acknowledged
    assert board.beeps == beeps

    # an alert the hub does not know: its refusal is shown, nothing changes
    board.add_alert(Alert(level="critical", kind="escalation", text="测试", alert_id=99_999))
    assert board.ack(99_999)
    qtbot.waitUntil(lambda: 99_999 not in board.pending, timeout=WAIT_MS)
    assert "99999" in board.message_label.text() and not board.alerts[99_999].acked_by
    board.sound_box.setChecked(False)
    assert not board.sounding  # muted, though still unacknowledged


def test_unit_board_groups_by_station_and_follows_status(
    qtbot: Any,
    hub: CommandHub,
    bridge: HubBridge,
    config: Config,
    district: StaticDistrict,
    languages: Any,
) -> None:
    situation = SituationModel()
    bridge.feed(situation)  # the board observes the model the bridge keeps current
    board = UnitBoard(config, situation, clock=hub.clock)
    qtbot.addWidget(board)
    board.show()
    board.set_station_names({str(s["code"]): str(s["name"]) for s in district.stations})
    assert ub.REFRESH_MS >= 500 and board.timer.interval() == ub.REFRESH_MS  # at most 2 Hz
    bridge.request_snapshot()
    n_units = len(hub.situation)
    qtbot.waitUntil(lambda: len(board.items) == n_units, timeout=WAIT_MS)
    stations = {u.station or "" for u in board.units.values()}
    assert set(board.station_items) == stations
    first = next(iter(board.station_items.values()))
    assert "派出所" in first.text(0) and "空闲" in first.text(board.STATUS)

    unit = sorted(board.units)[0]
    client = InprocClient(hub, actor="op-sun", role="operator")
    assert client.call(SetUnitStatus(call_sign=unit, status="off_duty")).ok
    off = unit_status_text("off_duty")
    qtbot.waitUntil(lambda: board.row_texts(unit)[board.STATUS] == off, timeout=WAIT_MS)
    assert board.status_counts()["off_duty"] >= 1

    # positions go into the model only; the row shows the age at the next refresh
    u = board.units[unit]
    now = hub.clock()
    board.clock = lambda: now  # a fixed "now": the age shown is exact, whatever the machine
    situation.apply_moves(
        UnitsMoved(
            t=now,
            idx=np.array([u.idx], dtype=np.int32).tobytes(),
            lon=np.array([u.lon]).tobytes(),
            lat=np.array([u.lat]).tobytes(),
            fix_t=np.array([now - 125.0]).tobytes(),
        )
    )
    assert board.row_texts(unit)[board.FIX_AGE] != "2:05"  # not repainted per message
    board.refresh()
    assert board.row_texts(unit)[board.FIX_AGE] == "2:05"
    board.filter_edit.setText(unit)
    visible = [cs for cs, it in board.items.items() if not it.isHidden()]
    assert visible == [unit]
    client.call(SetUnitStatus(call_sign=unit, status="available"))


def test_a_hidden_unit_board_rewrites_nothing_until_shown_or_read(
    qtbot: Any, hub: CommandHub, bridge: HubBridge, config: Config
) -> None:
    """Behind the unit list's tab the board costs nothing (its 2 Hz rewrite of every row
    was a shift's longest freeze, bench/shift.py); shown or read, it is current."""
    situation = SituationModel()
    bridge.feed(situation)
    board = UnitBoard(config, situation, clock=hub.clock)
    qtbot.addWidget(board)
    bridge.request_snapshot()
    qtbot.waitUntil(lambda: len(board.items) == len(hub.situation), timeout=WAIT_MS)
    done = board.refreshes
    unit = sorted(board.units)[0]
    client = InprocClient(hub, actor="op-sun", role="operator")
    assert client.call(SetUnitStatus(call_sign=unit, status="off_duty")).ok
    qtbot.waitUntil(lambda: board.units[unit].status == "off_duty", timeout=WAIT_MS)
    qtbot.wait(3 * ub.REFRESH_MS)  # three ticks of the timer go by
    assert board.refreshes == done  # hidden: nothing rewritten
    assert board.items[unit].text(board.STATUS) != unit_status_text("off_duty")
    assert board.row_texts(unit)[board.STATUS] == unit_status_text("off_duty")  # read: current
    assert board.refreshes == done + 1

    assert client.call(SetUnitStatus(call_sign=unit, status="available")).ok
    qtbot.waitUntil(lambda: board.units[unit].status == "available", timeout=WAIT_MS)
    board.show()  # brought forward: current without being read
    qtbot.waitUntil(
        lambda: board.items[unit].text(board.STATUS) == unit_status_text("available"),
        timeout=WAIT_MS,
    )
    shown = board.refreshes
    qtbot.waitUntil(lambda: board.refreshes > shown, timeout=WAIT_MS)  # the 2 Hz rewrite runs


def test_the_unit_board_rewrites_the_clocks_of_the_rows_in_view(
    qtbot: Any, hub: CommandHub, bridge: HubBridge, config: Config
) -> None:
    """The 2 Hz rewrite covers the rows on screen; a row scrolled into view, or read, is
    current at once (the whole tree's rewrite froze a busy console: bench/shift.py)."""
    situation = SituationModel()
    bridge.feed(situation)
    board = UnitBoard(config, situation, clock=hub.clock)
    qtbot.addWidget(board)
    board.resize(700, 220)  # a few rows in view
    board.show()
    bridge.request_snapshot()
    qtbot.waitUntil(lambda: len(board.items) == len(hub.situation), timeout=WAIT_MS)
    first = next(iter(board.items))
    middle = list(board.items)[len(board.items) // 2]
    last = list(board.items)[-1]
    assert len(board.items) > 20  # the demo district's units do not fit in 220 px
    now = hub.clock()
    board.clock = lambda: now
    units = board.units
    situation.apply_moves(
        UnitsMoved(
            t=now,
            idx=np.array([units[k].idx for k in (first, middle, last)], dtype=np.int32).tobytes(),
            lon=np.array([units[k].lon for k in (first, middle, last)]).tobytes(),
            lat=np.array([units[k].lat for k in (first, middle, last)]).tobytes(),
            fix_t=np.full(3, now - 125.0).tobytes(),
        )
    )
    done = board.refreshes
    qtbot.waitUntil(lambda: board.refreshes > done, timeout=WAIT_MS)  # a 2 Hz step ran
    assert board.items[first].text(board.FIX_AGE) == "2:05"  # in view: rewritten
    assert board.items[last].text(board.FIX_AGE) != "2:05"  # out of view: waits
    board.tree.scrollToItem(board.items[last])
    assert board.items[last].text(board.FIX_AGE) == "2:05"  # scrolled in: current at once
    assert board.items[middle].text(board.FIX_AGE) != "2:05"  # still out of view
    assert board.row_texts(middle)[board.FIX_AGE] == "2:05"  # read: current


def test_stats_from_the_hub_export_to_csv(
    qtbot: Any,
    hub: CommandHub,
    bridge: HubBridge,
    config: Config,
    district: StaticDistrict,
    tmp_path: Path,
) -> None:
    _dispatch(hub, qtbot, bridge, 121.4740, 31.2300)
    names = {str(s["code"]): str(s["name"]) for s in district.stations}
    panel = StatsPanel(bridge, config, clock=hub.clock, station_names=names)
    qtbot.addWidget(panel)
    panel.load()
    qtbot.waitUntil(lambda: panel.loads == 1, timeout=WAIT_MS)
    assert panel.stats["units"], "approved plans leave orders, so units have rows"
    assert panel.tables["units"].rowCount() == len(panel.stats["units"])
    station_cells = [
        panel.tables["stations"].item(r, 0).text()
        for r in range(panel.tables["stations"].rowCount())
    ]
    assert any(c in names.values() for c in station_cells)  # codes shown as station names

    path = tmp_path / "workload.csv"
    n = panel.export_csv(path)
    assert n == sum(len(panel.stats[k]) for k in ("officers", "units", "stations"))
    with path.open(encoding="utf-8-sig", newline="") as f:
        rows = list(csv.reader(f))
    assert tuple(rows[0]) == CSV_COLUMNS and len(rows) == n + 1
    levels = {r[0] for r in rows[1:]}
    assert {"units", "stations"} <= levels
    unit_row = next(r for r in rows[1:] if r[0] == "units")
    assert unit_row[1] in {u.call_sign for u in hub.district.units}


def test_chart_shows_the_busiest_rows_and_csv_keeps_chinese(
    qtbot: Any, bridge: HubBridge, config: Config, tmp_path: Path
) -> None:
    panel = StatsPanel(bridge, config, clock=time.time)
    qtbot.addWidget(panel)
    rows = [
        {"name": f"巡-{i}", "incidents": i, "time_on_task_s": 600.0 * i, "mean_response_s": None}
        for i in range(1, 21)
    ]
    panel.set_stats({"units": rows, "officers": [], "stations": []})
    panel.tabs.setCurrentIndex(1)
    names, values = panel.chart_data()
    assert len(names) == 15 and names[-1] == "巡-20" and values == sorted(values)
    panel.measure_box.setCurrentIndex(panel.measure_box.findData("time_on_task_s"))
    assert panel.chart_data()[1][-1] == pytest.approx(20 * 600 / 3600)
    panel.measure_box.setCurrentIndex(panel.measure_box.findData("mean_response_s"))
    assert panel.chart_data() == ([], [])  # no arrivals: nothing to draw, nothing invented
    assert write_stats_csv(tmp_path / "s.csv", panel.stats) == 20
    assert "巡-20" in (tmp_path / "s.csv").read_text(encoding="utf-8-sig")
