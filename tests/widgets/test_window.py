"""The main window against a real embedded hub (SQLite in a temp dir, simulated units)."""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import pytest
from PySide6.QtCore import QSettings, Qt

from console.hub.client import InprocClient
from console.hub.hub import CommandHub
from console.hub.messages import CreateIncident
from tests.conftest import HubFactory
from widgets.i18n import LanguageManager
from widgets.main_window import MainWindow
from widgets.panels.incident_list import IncidentTableModel

LOAD_TIMEOUT_MS = 20_000

# the offscreen platform warns about window-manager hints it cannot honour
WindowFactory = Callable[..., MainWindow]  # the fixture in tests/widgets/conftest.py
pytestmark = pytest.mark.qt_log_ignore("This plugin does not support")


@pytest.fixture(scope="module")
def hub(module_hub_factory: HubFactory) -> CommandHub:
    return module_hub_factory(simulate=True)


def _settings(tmp_path: Path) -> QSettings:
    return QSettings(str(tmp_path / "console.ini"), QSettings.Format.IniFormat)


@pytest.fixture
def window(
    window_factory: WindowFactory, hub: CommandHub, languages: LanguageManager, tmp_path: Path
) -> MainWindow:
    return window_factory(hub, languages=languages, settings=_settings(tmp_path))


def test_window_shows_every_unit_and_open_incident(window: MainWindow, hub: CommandHub) -> None:
    units = window.unit_panel.model
    assert units.rowCount() == len(hub.situation) > 0
    open_ids = {s.id for s in hub.incidents.open_states()}
    assert {i.id for i in window.incident_panel.model.incidents()} == open_ids
    on_duty = units.on_duty_count()
    window.status.refresh()
    assert str(on_duty) in window.status.units_label.text()
    assert window.status.units_label.text().startswith("在岗警力")
    assert str(len(open_ids)) in window.status.incidents_label.text()
    assert window.district is not None and window.heat is not None
    assert window.heat.n_calls > 0


def test_positions_flow_into_the_unit_list(qtbot, window: MainWindow) -> None:
    model = window.unit_panel.model
    start = model.fix_times()
    qtbot.waitUntil(lambda: bool((model.fix_times() > start).any()), timeout=LOAD_TIMEOUT_MS)
    assert window.moves_received >= 1
    refreshed = model.refreshes
    qtbot.waitUntil(lambda: model.refreshes > refreshed, timeout=LOAD_TIMEOUT_MS)
    newest = int(model.fix_times().argmax())
    age_text = model.index(newest, model.FIX_AGE).data()
    assert age_text != "—" and ":" in age_text


def test_created_incident_appears_in_the_list(qtbot, window: MainWindow, hub: CommandHub) -> None:
    lon, lat = hub.district.landmarks.get("people_square", _inside(hub))
    reply = InprocClient(hub, actor="op", role="operator").call(
        CreateIncident(incident_type="fight", lon=lon, lat=lat, address="测试地址 南京东路100号")
    )
    assert reply.ok, reply.error
    new_id = reply.result["incident_id"]
    panel = window.incident_panel
    qtbot.waitUntil(lambda: new_id in panel.visible_ids(), timeout=LOAD_TIMEOUT_MS)
    row = panel.model.row_of(new_id)
    assert row is not None
    model = panel.model
    assert model.index(row, IncidentTableModel.TYPE).data() == "斗殴"
    assert model.index(row, IncidentTableModel.ADDRESS).data() == "测试地址 南京东路100号"
    assert model.index(row, IncidentTableModel.PRIORITY).data() == "2级"
    activated: list[int] = []
    panel.incidentActivated.connect(activated.append)
    proxy_row = panel.visible_ids().index(new_id)
    panel.table.doubleClicked.emit(panel.proxy.index(proxy_row, 0))
    assert activated == [new_id]


def test_language_switch_changes_menu_titles(window: MainWindow) -> None:
    assert window.menu("file").title() == "文件(&F)"
    assert window.menuBar().actions()[0].text() == "文件(&F)"
    window.set_language("en")
    assert window.menu("file").title() == "&File"
    assert window.menuBar().actions()[0].text() == "&File"
    assert window.unit_dock.windowTitle() == "Units"
    header = window.unit_panel.model.headerData
    assert header(1, Qt.Orientation.Horizontal) == "Call sign"
    assert window.language_actions["en"].isChecked()
    window.set_language("zh_CN")
    assert window.menu("file").title() == "文件(&F)"
    assert window.unit_dock.windowTitle() == "警力"
    assert header(1, Qt.Orientation.Horizontal) == "呼号"
    assert "示意数据" in window.windowTitle()


def test_geometry_and_docks_are_restored(
    window_factory: WindowFactory, hub: CommandHub, languages: LanguageManager, tmp_path: Path
) -> None:
    settings = _settings(tmp_path)
    first = window_factory(hub, languages=languages, settings=settings)
    first.resize(795, 555)  # inside the 800 x 800 offscreen screen, above the window minimum
    assert (first.width(), first.height()) == (795, 555)
    first.layer_dock.hide()
    first.set_layer_visible("labels", False)
    first.bridge.close()
    first.close()
    assert Path(settings.fileName()).exists()

    second = window_factory(hub, languages=languages, settings=_settings(tmp_path), start=False)
    assert (second.width(), second.height()) == (795, 555)
    assert not second.layer_dock.isVisible()
    assert second.unit_dock.isVisible()
    assert not second.map.is_layer_visible("labels")
    assert not second.layer_panel.boxes["labels"].isChecked()
    assert not second.action("layer.labels").isChecked()


def test_heat_window_change_requests_new_heat(qtbot, window: MainWindow) -> None:
    month = window.heat
    assert month is not None
    box = window.layer_panel.window_box
    box.setCurrentIndex(box.findData(86400))
    qtbot.waitUntil(lambda: window.heat is not month, timeout=LOAD_TIMEOUT_MS)
    day = window.heat
    assert day is not None
    assert day.n_calls < month.n_calls
    assert str(day.n_calls) in window.layer_panel.heat_info.text().replace(",", "")


def test_layer_checkbox_hides_map_layer(window: MainWindow) -> None:
    window.layer_panel.boxes["roads"].setChecked(False)
    assert not window.map.is_layer_visible("roads")
    assert not window.action("layer.roads").isChecked()
    window.action("layer.roads").setChecked(True)
    assert window.map.is_layer_visible("roads")
    assert window.layer_panel.boxes["roads"].isChecked()


def test_about_says_the_district_is_approximate(window: MainWindow) -> None:
    assert "示意" in window.about_text()
    assert window.banner.isVisible()


def _inside(hub: CommandHub) -> tuple[float, float]:
    outline = hub.district.outline
    lon = sum(p[0] for p in outline) / len(outline)
    lat = sum(p[1] for p in outline) / len(outline)
    return lon, lat
