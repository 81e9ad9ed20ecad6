"""The crowd dock, the map's crowd layer and its slider, and the run-card button on a crowd
warning, on a real main window and a real hub (frozen clock, weekly-profile forecasts from
eight weeks of stored counts: the Bund reaches 90 % of capacity every evening)."""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Callable, Iterator
from zoneinfo import ZoneInfo

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import msgspec
import numpy as np
import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QDockWidget

from console.crowd.repo import CrowdRepo
from console.crowd.settings import load_crowd_settings
from console.hub.hub import CommandHub
from tests.conftest import FrozenClock, HubFactory
from widgets.crowd_tools import CrowdTools, install_crowd_tools
from widgets.i18n import LanguageManager
from widgets.main_window import MainWindow
from widgets.map.layers import registry
from widgets.map.layers.crowd import CrowdLabels, CrowdPlacesItem

WindowFactory = Callable[..., MainWindow]
WAIT_MS = 60_000
TZ = ZoneInfo("Asia/Shanghai")
pytestmark = pytest.mark.qt_log_ignore("This plugin does not support")


def with_history(hub: CommandHub) -> CommandHub:
    """Weekly-profile forecasts (no model fit in a test) from eight weeks of the Bund's
    counts: 10 % of capacity, 90 % from 19:00 to 22:00 local."""
    s = load_crowd_settings()
    s = msgspec.structs.replace(
        s, forecast=msgspec.structs.replace(s.forecast, model="weekly_profile")
    )
    hub.crowd.set_settings(s)
    now = hub.clock()
    bund = s.place("bund")
    end = float(np.floor(now / 3600) * 3600)
    t = np.arange(end - 56 * 86400, end, 3600.0)
    hours = np.array([dt.datetime.fromtimestamp(x, TZ).hour for x in t])
    v = np.where((hours >= 19) & (hours < 22), 0.9, 0.1) * bund.capacity
    with hub.store.transaction() as ses:
        repo = CrowdRepo(ses)
        pid = repo.ensure_place(bund, now)
        sid = repo.ensure_sensors(pid, ["gate"], "import")["gate"]
        repo.put_counts(pid, np.full(t.size, sid, dtype=np.int64), 3600, t, v, now=now)
    hub.crowd.reload().result(60)
    return hub


@pytest.fixture(scope="module")
def hub(module_hub_factory: HubFactory) -> CommandHub:
    return with_history(module_hub_factory("crowd-tools", clock=FrozenClock()))


@pytest.fixture
def languages(qapp: QApplication) -> Iterator[LanguageManager]:
    lm = LanguageManager(qapp)
    lm.set_language("en")
    yield lm
    lm.set_language("en")


def loaded(qtbot, w: MainWindow) -> CrowdTools:  # type: ignore[no-untyped-def]
    tools = w.crowd_tools
    qtbot.waitUntil(
        lambda: len(tools.panel.series) == 5 and len(tools.item.places) == 5, timeout=WAIT_MS
    )
    return tools


def test_the_dock_layer_and_menu_are_installed(qtbot, window_factory, hub, languages) -> None:  # type: ignore[no-untyped-def]
    w = window_factory(hub, languages=languages)
    tools = loaded(qtbot, w)
    assert install_crowd_tools(w) is tools  # one owner per window
    assert "crowdDock" in {d.objectName() for d in w.findChildren(QDockWidget)}
    assert w.dockWidgetArea(tools.dock) == Qt.DockWidgetArea.BottomDockWidgetArea
    assert tools.dock in w.tabifiedDockWidgets(w.dock("alertsDock"))  # a tab behind the alerts
    w.action("crowdForecast").trigger()  # Analysis > Crowd forecast: the chart in front
    assert not tools.dock.visibleRegion().isEmpty()
    assert "crowdForecast" in [a.objectName() for a in w.menu("analysis").actions()]
    assert "crowd" in registry.keys()  # noqa: SIM118 (a list)
    assert "crowd" in w.map.layer_names()
    places, labels = w.map.layer_items("crowd")
    assert isinstance(places, CrowdPlacesItem) and isinstance(labels, CrowdLabels)
    assert labels.zValue() > places.zValue()  # names over station labels and units
    assert w.is_layer_visible("crowd") and w.layer_panel.boxes["crowd"].text() == "Crowd forecast"
    panel = tools.panel
    assert [panel.place_box.itemData(i) for i in range(panel.place_box.count())] == [
        "bund",
        "nanjing_road",
        "yuyuan",
        "peoples_square",
        "xintiandi",
    ]
    assert panel.place_box.itemText(0) == "The Bund" and not panel.note_label.isVisible()


def test_the_dock_charts_a_place(qtbot, window_factory, hub, languages) -> None:  # type: ignore[no-untyped-def]
    w = window_factory(hub, languages=languages)
    tools = loaded(qtbot, w)
    panel = tools.panel
    panel.select_place("bund")
    s = panel.series["bund"]
    x, y = panel.forecast.getData()
    assert x is not None and y is not None
    assert x.size == 168 and np.array_equal(x, s.hour_times)  # the week ahead, hour by hour
    assert y.max() == pytest.approx(0.9 * 180_000, rel=0.02)
    ox, _oy = panel.observed.getData()
    assert ox is not None and 47 <= ox.size <= 48  # the last two days
    assert np.all(ox < s.event.issued_at)
    assert panel.warn_line.value() == 0.8 * 180_000 and panel.alarm_line.value() == 0.95 * 180_000
    assert panel.now_line.value() == s.event.issued_at
    assert (
        panel.summary.text().startswith("Next peak") and "90 % of capacity" in panel.summary.text()
    )
    assert panel.peak_text.toPlainText() == "90%"
    # the axis counts in the place's zone: the midnight ticks are Shanghai midnights
    ticks = panel.axis.tickValues(x[0], x[-1], 800)[0][1]
    assert ticks and all(dt.datetime.fromtimestamp(t, TZ).hour == 0 for t in ticks)
    # a place without counts: no forecast line, said so
    panel.select_place("xintiandi")
    fx, _ = panel.forecast.getData()
    assert fx is None or fx.size == 0
    assert panel.summary.text() == "No forecast yet"
    # the next minute's forecast redraws the chart
    panel.select_place("bund")
    draws = panel.draws
    hub.clock.advance(60)
    hub.crowd.request_refresh().result(60)
    qtbot.waitUntil(lambda: panel.draws > draws, timeout=WAIT_MS)
    assert panel.series["bund"].event.issued_at == hub.clock()


def test_the_slider_recolours_the_map(qtbot, window_factory, hub, languages) -> None:  # type: ignore[no-untyped-def]
    w = window_factory(hub, languages=languages)
    tools = loaded(qtbot, w)
    item, panel = tools.item, tools.panel
    w.map.zoom_to_district()
    w.map.grab()
    assert item.painted == 5
    assert item.levels()["bund"][0] == "normal"  # 04:xx in Shanghai: a quiet hour
    assert item.levels()["xintiandi"] == ("none", None)  # no counts there: grey
    now = panel.now()
    seven = dt.datetime.fromtimestamp(now, TZ).replace(hour=19, minute=0, second=0)
    steps = round((seven.timestamp() - panel.slider_time()) / 3600)  # slider at step 0
    assert panel.slider.value() == 0 and steps > 0
    panel.set_step(steps)
    assert panel.slider_time() == seven.timestamp()
    level, share = item.levels()["bund"]
    assert level == "warning" and share == pytest.approx(0.9, abs=0.02)
    assert panel.slider_label.text().endswith(
        f"19:00 (+{round((seven.timestamp() - now) / 3600)} h)"
    )
    assert w.map.legend.texts("crowd")[0].startswith("Crowd forecast at ")
    assert "19:00" in w.map.legend.texts("crowd")[0]
    assert panel.slider_line.value() == seven.timestamp()
    w.map.grab()
    assert item.painted == 5 and tools.item.levels()["bund"][0] == "warning"
    panel.set_step(steps + 3)  # 22:00: the evening is over
    assert item.levels()["bund"][0] == "normal"


def test_the_alert_button_raises_the_crowd_incident(
    qtbot,
    window_factory,
    hub_factory: HubFactory,
    languages,  # type: ignore[no-untyped-def]
) -> None:
    hub = with_history(hub_factory("crowd-run-card", clock=FrozenClock()))
    w = window_factory(hub, languages=languages, role="operator")
    tools = loaded(qtbot, w)
    board = w.workflow.alerts_board
    qtbot.waitUntil(
        lambda: any(a.crowd is not None for a in board.alerts.values()), timeout=WAIT_MS
    )
    warn = next(a for a in board.alerts.values() if a.crowd is not None)
    assert warn.crowd is not None and warn.crowd.place == "bund" and warn.crowd.lead_s > 0
    assert board.crowd_button.isVisible() and board.crowd_alert() == warn
    assert board.crowd_button.text() == "Open the crowd-crush run card"
    qtbot.mouseClick(board.crowd_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: bool(tools.raised), timeout=WAIT_MS)
    (iid,) = tools.raised
    inc = next(i for i in hub.incidents.open_states() if i.id == iid)
    assert inc.incident_type == "crowd_crush_risk" and inc.address == "外滩"
    assert hub.crowd.incident_of[warn.alert_id] == iid
    qtbot.waitUntil(lambda: board.alerts[warn.alert_id].incident_id == iid, timeout=WAIT_MS)
    assert board.alerts[warn.alert_id].acked_by  # raising it counts as seen
    assert not board.crowd_button.isVisible()  # nothing left to raise
    assert iid in w.workflow.created_here  # its plan review opens as for a call made here
    qtbot.waitUntil(lambda: iid in w.situation.plans, timeout=WAIT_MS)
    assert w.situation.plans[iid].body["incident_type"] == "crowd_crush_risk"


def test_language_switch_translates_the_crowd_tools(qtbot, window_factory, hub, languages) -> None:  # type: ignore[no-untyped-def]
    w = window_factory(hub, languages=languages)
    tools = loaded(qtbot, w)
    languages.set_language("zh_CN")
    assert tools.dock.windowTitle() == "客流预测"
    assert w.layer_panel.boxes["crowd"].text() == "客流预测"
    assert tools.panel.place_box.itemText(0) == "外滩"
    assert tools.panel.slider_caption.text() == "地图时刻"
    languages.set_language("en")
    assert tools.dock.windowTitle() == "Crowd forecast"
