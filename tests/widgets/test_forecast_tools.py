"""Hot spots, forecast and patrol focus on a real main window and a real hub (frozen clock)."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import numpy as np
import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QDockWidget, QTreeWidget, QTreeWidgetItem

from console.hub.hub import CommandHub
from tests.conftest import FrozenClock, HubFactory
from widgets.forecast_tools import ForecastTools, install_forecast_tools
from widgets.i18n import LanguageManager
from widgets.main_window import MainWindow
from widgets.map import MapView
from widgets.map.layers import registry
from widgets.map.layers.forecast import ForecastBar, ForecastImage, PatrolPointsItem
from widgets.map.layers.hotspots import HotspotBadges, HotspotsItem

WindowFactory = Callable[..., MainWindow]
WAIT_MS = 30_000
pytestmark = pytest.mark.qt_log_ignore("This plugin does not support")


@pytest.fixture(scope="module")
def hub(module_hub_factory: HubFactory) -> CommandHub:
    return module_hub_factory("forecast-tools", clock=FrozenClock())


@pytest.fixture
def languages(qapp: QApplication) -> Iterator[LanguageManager]:
    lm = LanguageManager(qapp)
    lm.set_language("en")
    yield lm
    lm.set_language("en")


@pytest.fixture
def window(
    window_factory: WindowFactory, hub: CommandHub, languages: LanguageManager
) -> tuple[MainWindow, ForecastTools]:
    w = window_factory(hub, languages=languages)
    return w, install_forecast_tools(w)  # installed by the window itself: the same owner


def metres_between(a: tuple[float, float], b: tuple[float, float]) -> float:
    dx = (a[0] - b[0]) * 111_320 * np.cos(np.radians(a[1]))
    dy = (a[1] - b[1]) * 110_540
    return float(np.hypot(dx, dy))


def view_centre(v: MapView) -> tuple[float, float]:
    r = v.viewbox.viewRect()
    assert v.proj is not None
    return v.proj.to_lonlat(r.center().x(), r.center().y())


def click(qtbot, tree: QTreeWidget, item: QTreeWidgetItem) -> None:  # type: ignore[no-untyped-def]
    tree.scrollToItem(item)
    rect = tree.visualItemRect(item)
    qtbot.mouseClick(tree.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())


# ------------------------------------------------------------------ installed


def test_docks_menu_and_layers_are_installed(window) -> None:  # type: ignore[no-untyped-def]
    w, tools = window
    assert w.forecast_tools is tools
    docks = {d.objectName() for d in w.findChildren(QDockWidget)}
    assert {"hotspotDock", "forecastDock", "patrolDock"} <= docks
    keys = [a.objectName() for a in w.menu("analysis").actions()]
    assert keys[:3] == ["findHotspots", "forecast24h", "patrolFocus"]  # then the crowd's
    menus = [m.objectName() for m in (a.menu() for a in w.menuBar().actions()) if m is not None]
    assert menus.index("analysisMenu") < menus.index("languageMenu")
    assert {"hotspots", "forecast"} <= set(registry.keys())
    assert {"hotspots", "forecast"} <= set(w.map.layer_names())
    outlines, badges = w.map.layer_items("hotspots")
    assert isinstance(outlines, HotspotsItem) and isinstance(badges, HotspotBadges)
    assert badges.zValue() > outlines.zValue()  # rank numbers over station names and units
    image, points = w.map.layer_items("forecast")
    assert isinstance(image, ForecastImage) and isinstance(points, PatrolPointsItem)
    for key in ("hotspots", "forecast"):  # analysis layers: off until asked for
        assert not w.is_layer_visible(key)
        assert key in w.layer_panel.boxes
    assert w.layer_panel.boxes["hotspots"].text() == "Hot spots"


# ------------------------------------------------------------------ hot spots


def test_hot_spots_are_listed_outlined_and_a_click_zooms(qtbot, window) -> None:  # type: ignore[no-untyped-def]
    w, tools = window
    panel = tools.hotspot_panel
    with qtbot.waitSignal(panel.hotspotsLoaded, timeout=WAIT_MS) as sig:
        w.action("findHotspots").trigger()
    res = sig.args[0]
    assert w.dock("hotspotDock").isVisible()
    spots = res.hotspots
    assert len(spots) >= 3 and res.n_calls > 1000
    assert panel.tree.topLevelItemCount() == len(spots)
    assert [panel.tree.topLevelItem(i).text(0) for i in range(len(spots))] == [
        str(h["rank"]) for h in spots
    ]
    assert w.is_layer_visible("hotspots") and tools.hotspots.spots == spots
    assert w.map.legend.texts("hotspots")[0] == "Hot spots (Gi*), by rank"
    w.map.zoom_to_district()
    w.map.grab()  # paint: every outline is drawn
    assert tools.hotspots.painted == len(spots)

    second = spots[1]
    click(qtbot, panel.tree, panel.tree.topLevelItem(1))
    assert tools.hotspots.selected == 2
    b = second["bbox"]
    centre = ((b[0] + b[2]) / 2, (b[1] + b[3]) / 2)
    assert metres_between(view_centre(w.map), centre) < 30.0
    span_m = w.map.viewbox.viewRect().width()
    assert span_m < 5_000  # zoomed in from the whole district onto the hot spot
    assert panel.details.isVisibleTo(panel) and "Hot spot 2" in panel.details.text()


def test_hot_spots_follow_the_heat_filter(qtbot, window) -> None:  # type: ignore[no-untyped-def]
    w, tools = window
    panel, heat = tools.hotspot_panel, w.map_tools.heat_panel
    w.dock("hotspotDock").raise_()
    with qtbot.waitSignal(panel.hotspotsLoaded, timeout=WAIT_MS) as first:
        panel.request()
    heat.set_types(["theft"])
    heat.set_weekdays([0, 1, 2, 3, 4])
    with qtbot.waitSignal(panel.hotspotsLoaded, timeout=WAIT_MS) as second:
        heat.request()  # the heat filter's request re-runs the search
    cmd = panel.last_command
    assert cmd is not None and cmd.types == ["theft"] and cmd.weekdays == [0, 1, 2, 3, 4]
    assert 0 < second.args[0].n_calls < first.args[0].n_calls
    assert "Theft" in panel.filter_label.text()


def test_heat_filter_sends_weekdays_and_smoothing(qtbot, window, hub: CommandHub) -> None:  # type: ignore[no-untyped-def]
    w, _tools = window
    heat = w.map_tools.heat_panel
    heat.set_weekdays([5, 6])
    heat.set_bandwidth(300)
    with qtbot.waitSignal(heat.heatLoaded, timeout=WAIT_MS) as sig:
        heat.request()
    cmd = heat.last_command
    assert cmd is not None and cmd.weekdays == [5, 6] and cmd.bandwidth_m == 300.0
    z = ZoneInfo("Asia/Shanghai")  # the demo district's zone, whatever the machine's
    t = hub.hist_t[(hub.hist_t >= cmd.t0) & (hub.hist_t < cmd.t1)]
    weekend = [datetime.fromtimestamp(float(v), tz=UTC).astimezone(z).weekday() >= 5 for v in t]
    assert sig.args[0].n_calls == int(np.sum(weekend)) > 0
    heat.set_weekdays([])
    assert heat.command() is None and "day of the week" in heat.info.text()


# ------------------------------------------------------------------ forecast


def test_forecast_layer_follows_the_hour_slider(qtbot, window) -> None:  # type: ignore[no-untyped-def]
    w, tools = window
    panel = tools.forecast_panel
    with qtbot.waitSignal(panel.forecastLoaded, timeout=WAIT_MS) as sig:
        w.action("forecast24h").trigger()
    fc = sig.args[0]
    assert panel.slider.maximum() == len(fc.step_totals) == 24
    assert w.is_layer_visible("forecast")
    image = tools.forecast_image
    cell_km2 = (fc.cell_m / 1000.0) ** 2
    assert float(image.surface.sum()) * cell_km2 == pytest.approx(fc.total, rel=1e-3)
    panel.set_step(5)
    assert float(image.surface.sum()) * cell_km2 == pytest.approx(fc.step_totals[5], rel=1e-3)
    top = image.vmax
    panel.set_step(0)
    assert image.vmax == top  # one colour scale for all the hours of a forecast
    assert w.map.legend.widget_of("forecast", ForecastBar).vmax == top
    assert f"{fc.step_totals[0]:,.1f}" in panel.period.text()
    panel.set_step(None)
    assert float(image.surface.sum()) * cell_km2 == pytest.approx(fc.total, rel=1e-3)
    with pytest.raises(IndexError):
        panel.set_step(24)


# ------------------------------------------------------------------ patrol focus


def test_a_patrol_point_becomes_an_incident_with_a_plan(  # type: ignore[no-untyped-def]
    qtbot, window_factory: WindowFactory, hub_factory: HubFactory, languages: LanguageManager
) -> None:
    hub = hub_factory("patrol-post", clock=FrozenClock())
    w = window_factory(hub, languages=languages)  # a supervisor's workstation
    tools = w.forecast_tools
    panel = tools.patrol_panel
    with qtbot.waitSignal(panel.focusLoaded, timeout=WAIT_MS) as sig:
        w.action("patrolFocus").trigger()
    areas = sig.args[0]["areas"]
    assert len(areas) == len(hub.district.areas)
    # the list: busiest area first, with its points and its free patrol units
    top = panel.tree.topLevelItem(0)
    assert top.text(0) == max(areas, key=lambda a: a["expected_total"])["area_code"]
    assert top.childCount() >= 1 and top.text(2).endswith("free")
    assert len(tools.patrol_points.marks) == len(panel.points())

    point = panel.select_point(top.text(0), 1)
    click(qtbot, panel.tree, panel.tree.currentItem())
    assert metres_between(view_centre(w.map), (point.lon, point.lat)) < 30.0
    assert panel.post.isEnabled()
    qtbot.mouseClick(panel.post, Qt.MouseButton.LeftButton)

    def posted() -> int | None:
        return panel.posted_incident(point)

    qtbot.waitUntil(lambda: posted() is not None, timeout=WAIT_MS)
    iid = posted()
    inc = next(i for i in w.situation.open_incidents() if i.id == iid)
    assert (inc.incident_type, inc.source, inc.priority) == ("patrol", "forecast", 4)
    qtbot.waitUntil(lambda: iid in tools.posted, timeout=WAIT_MS)  # the hub's reply
    # the plan, through the same path as a call: proposed by the hub, shown here for review
    # like a call this workstation registered (review window or plan queue)
    assert iid in w.workflow.created_here
    qtbot.waitUntil(lambda: iid in w.situation.plans, timeout=WAIT_MS)
    plan = w.situation.plans[iid]
    assert plan.status == "proposed" and plan.approvals_needed == 1
    (slot,) = plan.body["slots"]
    unit = next(u for u in hub.district.units if u.call_sign == slot["call_sign"])
    assert unit.area_code == point.area_code  # the area's own unit
    assert slot["unit_type"] in ("patrol_group", "foot_patrol")
    # the list and the map mark the point as posted; it cannot be posted twice
    qtbot.waitUntil(lambda: panel.tree.currentItem().text(2) == f"posted #{iid}", timeout=WAIT_MS)
    assert not panel.post.isEnabled()
    marks = tools.patrol_points.marks
    assert next(m for m in marks if (m.area_code, m.rank) == (point.area_code, 1)).posted


# ------------------------------------------------------------------ export and language


def test_exported_map_has_the_hot_spot_outlines(qtbot, window, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    w, tools = window
    with qtbot.waitSignal(tools.hotspot_panel.hotspotsLoaded, timeout=WAIT_MS):
        tools.find_hotspots()
    text = w.map_tools.export_to(tmp_path / "hot.html").read_text(encoding="utf-8")
    n = len(tools.hotspots.spots)
    assert n >= 1 and f"Hot spot {n}:" in text


def test_language_switch_retitles_the_analysis_tools(window, languages: LanguageManager) -> None:  # type: ignore[no-untyped-def]
    w, tools = window
    languages.set_language("zh_CN")
    assert w.menu("analysis").title() == "分析研判(&A)"
    assert tools.patrol_dock.windowTitle() == "巡逻防控重点"
    assert tools.hotspot_panel.find_button.text() == "查找热点"
    assert w.layer_panel.boxes["forecast"].text() == "警情预测与巡逻点"
    languages.set_language("en")
    assert tools.patrol_dock.windowTitle() == "Patrol focus"
