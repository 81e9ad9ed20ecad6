"""install_map_tools on a real main window: docks, menu, search bar, export, language switch."""

from __future__ import annotations

import os
import re
from collections.abc import Callable, Iterator
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ.setdefault("QTWEBENGINE_DISABLE_SANDBOX", "1")

import pytest
from PySide6.QtWidgets import QApplication, QDockWidget, QToolBar

from console.hub.hub import CommandHub
from tests.conftest import HubFactory
from widgets.i18n import LanguageManager
from widgets.main_window import MainWindow
from widgets.map_tools import MapTools, current_units, install_map_tools

WindowFactory = Callable[..., MainWindow]  # the fixture in tests/widgets/conftest.py
pytestmark = pytest.mark.qt_log_ignore("This plugin does not support")


@pytest.fixture(scope="module")
def hub(module_hub_factory: HubFactory) -> CommandHub:
    return module_hub_factory()


@pytest.fixture
def languages(qapp: QApplication) -> Iterator[LanguageManager]:
    lm = LanguageManager(qapp)
    lm.set_language("en")  # this file starts in English
    yield lm
    lm.set_language("en")


@pytest.fixture
def window(
    window_factory: WindowFactory, hub: CommandHub, languages: LanguageManager
) -> tuple[MainWindow, MapTools]:
    w = window_factory(hub, languages=languages)
    return w, install_map_tools(w)  # the window installed them itself: the same owner


def test_tools_are_installed_into_the_window(window, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    w, tools = window
    assert w.map_tools is tools
    names = {d.objectName() for d in w.findChildren(QDockWidget)}
    assert {"heatDock", "coverageDock", "staleDock"} <= names
    assert w.findChild(QToolBar, "mapToolsBar") is not None
    assert not w.layer_panel.heat_group.isVisibleTo(w.layer_panel)  # replaced by the heat dock
    actions = w.menu("file").actions()
    assert actions.index(tools.export_action) == actions.index(w.screenshot_action) + 1
    assert tools.export_action.shortcut().toString() == "Ctrl+Shift+E"
    docks_menu = {a.text() for a in w.menu("panels").actions()}
    assert tools.heat_dock.windowTitle() in docks_menu
    assert w.layer_panel.boxes["coverage"].text() == "Coverage gaps"
    # the window's start-up heat shows in the heat panel once everything is loaded
    assert tools.heat_panel.grid is w.heat

    out = tools.export_to(tmp_path / "now.html")
    text = out.read_text(encoding="utf-8")
    assert not re.search(r"https?://", text)
    units = current_units(w.map)
    assert len(units) == w.map.table.n and units[0].call_sign in text


def test_heat_panel_replaces_the_windows_heat(qtbot, window) -> None:  # type: ignore[no-untyped-def]
    w, tools = window
    tools.heat_panel.set_types(["theft"])
    with qtbot.waitSignal(tools.heat_panel.heatLoaded, timeout=20_000) as sig:
        tools.heat_panel.request()
    assert w.heat is sig.args[0] and w.map.heat.grid is sig.args[0]


def test_language_switch_retitles_the_tools(window, languages: LanguageManager, qtbot) -> None:  # type: ignore[no-untyped-def]
    w, tools = window
    languages.set_language("zh_CN")
    qtbot.waitUntil(lambda: tools.heat_dock.windowTitle() == "热力图筛选", timeout=3_000)
    assert tools.export_action.text().startswith("导出态势图")
    assert w.layer_panel.boxes["coverage"].text() == "覆盖盲区"
    assert tools.search.placeholderText().startswith("查找")
    languages.set_language("en")
    qtbot.waitUntil(lambda: tools.heat_dock.windowTitle() == "Heatmap filter", timeout=3_000)
