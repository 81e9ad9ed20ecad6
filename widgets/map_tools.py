"""Map tools added to a main window from outside: heat filters, coverage, stale units,
search, and the HTML situation export.

``install_map_tools(window)`` is the one call ``MainWindow`` needs (ideally
before it restores its saved layout, so these docks get their places back).
Everything is attached through the window's public parts (map, bridge, config,
menus, docks); the layer panel's own heat-window box is hidden because the
heat panel here replaces it with a finer filter.
"""

from __future__ import annotations

import logging
import time
from pathlib import Path
from typing import TYPE_CHECKING

import msgspec
from PySide6.QtCore import QDateTime, QEvent, QObject, QStandardPaths, Qt, QTimer
from PySide6.QtGui import QAction, QGuiApplication, QKeySequence
from PySide6.QtWidgets import QDockWidget, QFileDialog, QToolBar, QWidget

from console.heat import HeatGrid
from console.hub.messages import GetHeat, UnitState
from widgets.map import MapView
from widgets.map.export import export_situation_html
from widgets.map.export_view import WEBENGINE, ExportViewer
from widgets.panels.common import layer_text, scrollable
from widgets.panels.coverage_panel import CoveragePanel
from widgets.panels.heat_panel import HeatPanel
from widgets.panels.search_box import SearchBox
from widgets.panels.stale_panel import StalePanel

if TYPE_CHECKING:
    from widgets.main_window import MainWindow

log = logging.getLogger(__name__)


def current_units(view: MapView) -> list[UnitState]:
    """Every unit on the map with its latest position (the moves only update the arrays)."""
    t = view.table
    return [
        msgspec.structs.replace(
            u, lon=float(t.lon[i]), lat=float(t.lat[i]), fix_t=float(t.fix_t[i])
        )
        for i, u in enumerate(t.states)
    ]


def web_view_usable() -> bool:
    """Whether a QWebEngineView shows pixels here (not on the offscreen/minimal platforms)."""
    return WEBENGINE and QGuiApplication.platformName() not in ("offscreen", "minimal")


class MapTools(QObject):
    """Owns the map-tool docks, the search field and the export action of one window."""

    def __init__(self, window: MainWindow) -> None:
        super().__init__(window)
        self.window = window
        self.map: MapView = window.map
        self.viewers: list[ExportViewer] = []
        self.last_export: Path | None = None
        clock = window.clock.now

        self.heat_panel = HeatPanel(window.config, window.bridge, self.map, clock, window)
        self.coverage_panel = CoveragePanel(window.config, window.bridge, self.map, window)
        self.stale_panel = StalePanel(window.config, self.map, window)
        self.heat_dock = self._dock("heatDock", self.heat_panel)
        self.coverage_dock = self._dock("coverageDock", self.coverage_panel)
        self.stale_dock = self._dock("staleDock", self.stale_panel)
        # the heat panel replaces the layer panel's window box (and its figures)
        window.layer_panel.heat_group.hide()
        window.splitDockWidget(window.layer_dock, self.heat_dock, Qt.Orientation.Vertical)
        window.tabifyDockWidget(self.heat_dock, self.coverage_dock)
        self.heat_dock.raise_()
        window.resizeDocks([window.layer_dock, self.heat_dock], [300, 610], Qt.Orientation.Vertical)
        window.tabifyDockWidget(window.unit_dock, self.stale_dock)
        window.unit_dock.raise_()
        for dock in (self.heat_dock, self.coverage_dock, self.stale_dock):
            window.docks_menu.addAction(dock.toggleViewAction())

        # search field in a tool bar over the map
        self.toolbar = QToolBar(window)
        self.toolbar.setObjectName("mapToolsBar")
        self.search = SearchBox(self.map, self.toolbar)
        self.search.setObjectName("mapSearch")
        self.search.setMaximumWidth(360)
        self.toolbar.addWidget(self.search)
        window.addToolBar(Qt.ToolBarArea.TopToolBarArea, self.toolbar)
        self.find_action = QAction(window)
        self.find_action.setShortcut(QKeySequence.StandardKey.Find)
        self.find_action.triggered.connect(self.focus_search)
        window.addAction(self.find_action)

        # File > Export situation map (HTML), after "Save screenshot"
        self.export_action = QAction(window)
        self.export_action.setObjectName("exportSituationAction")
        self.export_action.setShortcut(QKeySequence("Ctrl+E"))
        self.export_action.triggered.connect(self.ask_export)
        actions = window.file_menu.actions()
        shot = window.screenshot_action
        after = actions.index(shot) + 1 if shot in actions else 0
        if after < len(actions):
            window.file_menu.insertAction(actions[after], self.export_action)
        else:
            window.file_menu.addAction(self.export_action)
        self.toolbar.addAction(self.export_action)

        # wiring
        self.heat_panel.requested.connect(self._on_heat_requested)
        self.heat_panel.heatLoaded.connect(self._on_heat_loaded)
        window.loaded.connect(self._on_window_loaded)
        self.stale_panel.unitActivated.connect(window.unit_panel.select_call_sign)
        window.installEventFilter(self)
        self.retranslate()

    def _dock(self, name: str, widget: QWidget) -> QDockWidget:
        dock = QDockWidget(self.window)
        dock.setObjectName(name)  # saveState needs stable names
        dock.setWidget(scrollable(widget))
        dock.setFeatures(
            QDockWidget.DockWidgetFeature.DockWidgetMovable
            | QDockWidget.DockWidgetFeature.DockWidgetClosable
            | QDockWidget.DockWidgetFeature.DockWidgetFloatable
        )
        self.window.addDockWidget(Qt.DockWidgetArea.LeftDockWidgetArea, dock)
        return dock

    # ------------------------------------------------------------------ heat

    def _on_heat_requested(self, _cmd: GetHeat) -> None:
        # a start-up request of the window still in flight must not overwrite this filter
        if hasattr(self.window, "_heat_token"):
            self.window._heat_token += 1

    def _on_heat_loaded(self, grid: HeatGrid) -> None:
        self.window.heat = grid

    def _on_window_loaded(self) -> None:
        if self.window.heat is not None and self.heat_panel.grid is None:
            self.heat_panel.show_grid(self.window.heat)

    # ------------------------------------------------------------------ search

    def focus_search(self) -> None:
        """Put the cursor in the search field (Ctrl+F)."""
        self.search.setFocus(Qt.FocusReason.ShortcutFocusReason)
        self.search.selectAll()

    # ------------------------------------------------------------------ export

    def export_to(self, path: Path | str) -> Path:
        """Write the situation as it is on the map now to ``path`` (.html)."""
        spec = self.window.config.map.tile_source.strip()
        tile_url = spec if spec.lower().startswith(("http://", "https://")) else ""
        out = export_situation_html(
            path,
            self.window.district or self.map.district,
            current_units(self.map),
            self.map.incidents,
            self.map.heat.grid if self.map.is_layer_visible("heat") else None,
            tile_url,
            config=self.window.config,
            now=self.window.clock.now(),
        )
        self.last_export = out
        return out

    def open_viewer(self, path: Path | str) -> ExportViewer:
        """Show an exported page in a QtWebEngine window."""
        remote = bool(self.window.config.map.tile_source.strip().lower().startswith("http"))
        viewer = ExportViewer(None, allow_remote=remote)
        viewer.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose, True)
        viewer.destroyed.connect(lambda _o=None, v=viewer: self._forget(v))
        self.viewers.append(viewer)
        viewer.show_file(path)
        viewer.show()
        return viewer

    def _forget(self, viewer: ExportViewer) -> None:
        if viewer in self.viewers:
            self.viewers.remove(viewer)

    def ask_export(self) -> None:
        """File > Export situation map: choose a file, write it, show it."""
        docs = QStandardPaths.writableLocation(QStandardPaths.StandardLocation.DocumentsLocation)
        stamp = QDateTime.currentDateTime().toString("yyyyMMdd-HHmm")
        default = str(Path(docs or ".") / f"situation-{stamp}.html")
        path, _ = QFileDialog.getSaveFileName(
            self.window, self.tr("Export situation map"), default, self.tr("HTML pages (*.html)")
        )
        if not path:
            return
        if not path.lower().endswith((".html", ".htm")):
            path += ".html"
        t0 = time.perf_counter()
        try:
            out = self.export_to(path)
        except (OSError, ValueError, RuntimeError) as exc:
            self.window.statusBar().showMessage(
                self.tr("Could not export the situation map: %1").replace("%1", str(exc)), 30000
            )
            return
        log.info("situation map exported to %s in %.2f s", out, time.perf_counter() - t0)
        self.window.statusBar().showMessage(
            self.tr("Situation map saved to %1").replace("%1", str(out)), 15000
        )
        if web_view_usable():
            self.open_viewer(out)

    # ------------------------------------------------------------------ texts

    def retranslate(self) -> None:
        """Dock titles, actions and the layer names the window does not know yet."""
        self.heat_dock.setWindowTitle(self.tr("Heatmap filter"))
        self.coverage_dock.setWindowTitle(self.tr("Coverage"))
        self.stale_dock.setWindowTitle(self.tr("Units without a recent fix"))
        self.toolbar.setWindowTitle(self.tr("Map tools"))
        self.export_action.setText(self.tr("&Export situation map (HTML)…"))
        self.export_action.setToolTip(self.tr("Export situation map (HTML)"))
        self.find_action.setText(self.tr("Find on map"))
        for key in self.map.layer_names():
            if layer_text(key) != key:
                continue  # the window names it itself
            title = self.map.layer_title(key)
            box = self.window.layer_panel.boxes.get(key)
            if box is not None:
                box.setText(title)
            act = self.window.layer_actions.get(key)
            if act is not None:
                act.setText(title)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if watched is self.window and event.type() == QEvent.Type.LanguageChange:
            QTimer.singleShot(0, self, self.retranslate)  # after the window's own retranslateUi
        return False


def install_map_tools(window: MainWindow) -> MapTools:
    """Add the heat filter, coverage and stale-unit docks, the search field and the
    HTML export to ``window``; returns the owner (also kept as ``window.map_tools``)."""
    existing = getattr(window, "map_tools", None)
    if isinstance(existing, MapTools):
        return existing  # the window installs them itself; a second call changes nothing
    tools = MapTools(window)
    window.map_tools = tools
    return tools
