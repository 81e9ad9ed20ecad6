"""Heat filter, coverage control, stale-unit list and search, against a real embedded hub."""

from __future__ import annotations

import os
import time
from collections.abc import Iterator

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import numpy as np
import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication

from console.config import Config
from console.heat import HeatGrid
from console.hub.client import InprocClient
from console.hub.hub import CommandHub
from console.hub.messages import GetDistrict, GetSnapshot, Reply, StaticDistrict, UnitState
from tests.conftest import HubFactory
from widgets.bridge import HubBridge
from widgets.map import MapView
from widgets.panels.coverage_panel import REFRESH_S, CoveragePanel
from widgets.panels.heat_panel import CUSTOM, DAY, HeatPanel
from widgets.panels.search_box import ENTRY_ROLE, SearchBox, SearchEntry
from widgets.panels.stale_panel import StalePanel

pytestmark = pytest.mark.qt_log_ignore("This plugin does not support")


@pytest.fixture(scope="module")
def hub(module_hub_factory: HubFactory) -> CommandHub:
    return module_hub_factory()


@pytest.fixture
def bridge(qapp: QApplication, hub: CommandHub) -> Iterator[HubBridge]:
    client = InprocClient(hub, actor="tester", role="supervisor", workstation="pytest")
    b = HubBridge(client)
    b.start()
    yield b
    b.close()
    client.close()


@pytest.fixture(scope="module")
def district(hub: CommandHub) -> StaticDistrict:
    return InprocClient(hub).call(GetDistrict()).result


@pytest.fixture(scope="module")
def units(hub: CommandHub) -> list[UnitState]:
    return list(InprocClient(hub).call(GetSnapshot()).result.units)


@pytest.fixture
def view(qtbot, config: Config, district: StaticDistrict, units: list[UnitState]) -> MapView:  # type: ignore[no-untyped-def]
    v = MapView(config)
    qtbot.addWidget(v)
    v.resize(900, 700)
    v.show()
    qtbot.waitExposed(v)
    v.set_district(district)
    now = time.time()
    # fresh fixes for all but one unit, which last reported ten minutes ago
    fresh = [
        UnitState(**{**{f: getattr(u, f) for f in u.__struct_fields__}, "fix_t": now - 3})
        for u in units
    ]
    fresh[5] = UnitState(
        **{**{f: getattr(units[5], f) for f in units[5].__struct_fields__}, "fix_t": now - 600}
    )
    v.set_units(fresh)
    return v


def centre_lonlat(v: MapView) -> tuple[float, float]:
    r = v.viewbox.viewRect()
    assert v.proj is not None
    return v.proj.to_lonlat(r.center().x(), r.center().y())


def metres_between(a: tuple[float, float], b: tuple[float, float]) -> float:
    dx = (a[0] - b[0]) * 111_320 * np.cos(np.radians(a[1]))
    dy = (a[1] - b[1]) * 110_540
    return float(np.hypot(dx, dy))


# ------------------------------------------------------------------ heat


def test_heat_panel_sends_the_chosen_types_and_hours(  # type: ignore[no-untyped-def]
    qtbot, config: Config, bridge: HubBridge, view: MapView, hub: CommandHub
) -> None:
    panel = HeatPanel(config, bridge, view, clock=time.time)
    qtbot.addWidget(panel)
    assert panel.window_s() == 30 * DAY and panel.command() is not None
    panel.set_window(7 * DAY)
    panel.set_types(["theft", "fight"])
    panel.set_hours([0, 1, 2, 3, 22, 23])
    with qtbot.waitSignal(panel.heatLoaded, timeout=20_000) as sig:
        panel.request()
    cmd = panel.last_command
    assert cmd is not None
    assert sorted(cmd.types or []) == ["fight", "theft"]
    assert cmd.hours == [0, 1, 2, 3, 22, 23]
    assert cmd.t1 - cmd.t0 == pytest.approx(7 * DAY)
    # the same count, computed here from the hub's own call history
    hours = ((hub.hist_t + 8 * 3600) // 3600 % 24).astype(int)
    keep = (
        (hub.hist_t >= cmd.t0)
        & (hub.hist_t < cmd.t1)
        & np.isin(np.asarray(hub.hist_type), ["theft", "fight"])
        & np.isin(hours, cmd.hours)
    )
    grid: HeatGrid = sig.args[0]
    assert grid.n_calls == int(keep.sum()) > 0
    assert view.heat.grid is grid  # the map shows it
    assert f"{grid.n_calls:,}" in panel.info.text()

    # custom window, all types, all hours: no filter is sent for types and hours
    now = time.time()
    panel.set_types(None)
    panel.set_hours(None)
    panel.set_custom_range(now - 3 * DAY, now - DAY)
    assert panel.window_s() == CUSTOM and panel.from_edit.isEnabled()
    with qtbot.waitSignal(panel.heatLoaded, timeout=20_000):
        panel.request()
    cmd = panel.last_command
    assert cmd is not None and cmd.types is None and cmd.hours is None
    assert cmd.t0 == pytest.approx(now - 3 * DAY, abs=1)
    assert cmd.t1 == pytest.approx(now - DAY, abs=1)


def test_heat_panel_refuses_empty_filters_without_asking_the_hub(  # type: ignore[no-untyped-def]
    qtbot, config: Config, bridge: HubBridge, view: MapView
) -> None:
    panel = HeatPanel(config, bridge, view)
    qtbot.addWidget(panel)
    assert not panel.debounce.isActive()  # the window asks for the start-up heat itself
    panel.retranslateUi()  # naming the types again (language switch) changes no filter
    assert not panel.debounce.isActive()
    panel.set_types([])
    panel.request()
    assert panel.requests == 0 and panel.info.text()
    panel.set_types(None)
    panel.set_hours([])
    panel.request()
    assert panel.requests == 0
    with pytest.raises(ValueError, match="0-23"):
        panel.set_hours([24])
    with pytest.raises(ValueError, match="unknown incident type"):
        panel.set_types(["alien_landing"])
    with pytest.raises(ValueError, match="after start"):
        panel.set_custom_range(10.0, 5.0)
    # a change is debounced into one request
    panel.set_hours(None)
    for h in (1, 2, 3):
        panel.hour_buttons[h].setChecked(False)
    assert panel.debounce.isActive() and panel.requests == 0
    qtbot.waitUntil(lambda: panel.requests == 1, timeout=5_000)
    assert panel.last_command is not None and 2 not in (panel.last_command.hours or [])


# ------------------------------------------------------------------ coverage


def test_coverage_panel_requests_while_the_layer_is_shown(  # type: ignore[no-untyped-def]
    qtbot, config: Config, bridge: HubBridge, view: MapView
) -> None:
    panel = CoveragePanel(config, bridge, view)
    qtbot.addWidget(panel)
    assert panel.unit_type() == "special_police" and panel.requests == 0
    assert not panel.timer.isActive()
    with qtbot.waitSignal(panel.coverageLoaded, timeout=20_000):
        panel.show_box.setChecked(True)
    assert view.is_layer_visible("coverage")
    assert panel.timer.isActive() and panel.timer.interval() == REFRESH_S * 1000
    fc = panel.forces["special_police"]
    text = panel.type_box.currentText()
    assert f"{fc.length_share * 100:.0f}%" in text and "3" in text
    assert view.coverage_type == "special_police"
    assert view.coverage_item.x.size == fc.uncovered_nodes
    panel.set_unit_type("patrol_group")  # no new request: the figures are all there
    assert view.coverage_type == "patrol_group" and panel.requests == 1
    # the engine's suggestions are listed (or "none"), and a double click shows the place
    assert panel.moves.count() == max(1, len(panel.move_ups))
    stage = {
        "call_sign": "HP-AUX-03", "unit_type": "auxiliary", "to_kind": "stage",
        "to_code": "bund", "to_name": "外滩", "lon": 121.4905, "lat": 31.2400, "eta_s": 240.0,
        "text_zh": "建议 HP-AUX-03 前置到 外滩", "text_en": "Stage HP-AUX-03 at the Bund",
    }  # fmt: skip
    broken = {"text_zh": "坏的", "text_en": "broken", "lon": "east"}
    assert panel.result is not None
    panel._on_reply(Reply(0, True, {**panel.result, "move_ups": [stage, broken]}))
    assert panel.moves.count() == 1 and panel.move_ups[0]["call_sign"] == "HP-AUX-03"
    item = panel.moves.item(0)
    assert item is not None and item.text() in (stage["text_zh"], stage["text_en"])
    panel.moves.itemDoubleClicked.emit(item)
    assert metres_between(centre_lonlat(view), (stage["lon"], stage["lat"])) < 5
    view.set_layer_visible("coverage", False)  # e.g. from the layer panel
    assert not panel.show_box.isChecked() and not panel.timer.isActive()


# ------------------------------------------------------------------ stale units


def test_stale_list_names_the_unit_with_an_old_fix_and_zooms_to_it(  # type: ignore[no-untyped-def]
    qtbot, config: Config, view: MapView, units: list[UnitState]
) -> None:
    panel = StalePanel(config, view)
    qtbot.addWidget(panel)
    panel.refresh()
    old = units[5].call_sign
    assert panel.call_signs == [old]
    cs_item, age_item = panel.table.item(0, 0), panel.table.item(0, 2)
    assert cs_item is not None and cs_item.text() == old
    assert age_item is not None and "10:0" in age_item.text()  # ten minutes, as m:ss
    assert panel.timer.interval() == 1000 and panel.timer.isActive()
    view.zoom_to_district()
    with qtbot.waitSignal(panel.unitActivated) as sig:
        panel.table.cellDoubleClicked.emit(0, 0)
    assert sig.args == [old]
    assert metres_between(centre_lonlat(view), (units[5].lon, units[5].lat)) < 5
    # a fresh fix takes it off the list at the next refresh
    u = units[5]
    view.update_unit(
        UnitState(**{**{f: getattr(u, f) for f in u.__struct_fields__}, "fix_t": time.time()})
    )
    qtbot.waitUntil(lambda: panel.call_signs == [], timeout=3_000)


# ------------------------------------------------------------------ search


def test_search_finds_a_call_sign_and_a_road_and_zooms(  # type: ignore[no-untyped-def]
    qtbot, view: MapView, district: StaticDistrict, units: list[UnitState]
) -> None:
    box = SearchBox(view)
    qtbot.addWidget(box)
    box.show()
    u = units[0]
    hits = box.search(u.call_sign)
    assert hits[0] == SearchEntry(u.call_sign, "unit")
    box.go(hits[0])
    assert metres_between(centre_lonlat(view), (u.lon, u.lat)) < 5

    road = district.road_labels[0][0]
    hits = box.search(road)
    assert hits[0].kind == "road" and hits[0].name == road
    with qtbot.waitSignal(box.chosen):
        box.go(hits[0])
    assert metres_between(centre_lonlat(view), (hits[0].lon, hits[0].lat)) < 5
    r = view.viewbox.viewRect()
    assert min(r.width(), r.height()) == pytest.approx(900, rel=0.05)  # street zoom

    # stations, 1-minute points and landmarks are there too; matching is by any part
    kinds = {e.kind for e in box.entries}
    assert {"unit", "station", "point", "area", "landmark", "road"} <= kinds
    assert any(e.name == "南京路步行街" for e in box.search("步行街"))

    # the completer offers the same entries; choosing one in its popup goes there
    # (QTest cannot type Chinese: the text is set, then the popup driven by keys)
    box.setFocus()
    box.setText("外滩派出")
    comp = box.completer()
    popup = comp.popup()
    assert popup is not None
    comp.setCompletionPrefix(box.text())
    comp.complete()
    qtbot.waitUntil(popup.isVisible, timeout=3_000)
    idx = comp.completionModel().index(0, 0)
    entry = idx.data(ENTRY_ROLE)
    assert isinstance(entry, SearchEntry) and entry.kind == "station"
    with qtbot.waitSignal(box.chosen, timeout=3_000) as sig:
        qtbot.keyClick(popup, Qt.Key.Key_Down)
        qtbot.keyClick(popup, Qt.Key.Key_Return)
    assert sig.args[0] == entry
    assert box.text() == "外滩派出所"
    assert metres_between(centre_lonlat(view), (entry.lon, entry.lat)) < 5
    # Enter on typed text takes the best match
    box.setText(units[3].call_sign)
    qtbot.keyClick(box, Qt.Key.Key_Return)
    assert metres_between(centre_lonlat(view), (units[3].lon, units[3].lat)) < 5


def test_search_follows_a_moving_unit(qtbot, view: MapView, units: list[UnitState]) -> None:  # type: ignore[no-untyped-def]
    box = SearchBox(view)
    qtbot.addWidget(box)
    u = units[1]
    moved = UnitState(
        **{
            **{f: getattr(u, f) for f in u.__struct_fields__},
            "lon": u.lon + 0.004,
            "lat": u.lat - 0.003,
            "fix_t": time.time(),
        }
    )
    view.update_unit(moved)
    box.go(box.search(u.call_sign)[0])
    assert metres_between(centre_lonlat(view), (moved.lon, moved.lat)) < 5
