"""Map tools added to a main window from outside: heat filters, coverage, stale units,
search, and the HTML situation export.

``install_map_tools(window)`` is the one call ``MainWindow`` needs (before it
restores its saved layout, so these docks get their places back).  Everything
is attached through the window's extension API (``add_dock``, ``add_action``,
``add_toolbar``, ``set_heat_source``/``set_heat``); the layer panel's own
heat-window box is hidden because the heat panel here replaces it with a finer
filter.
"""

from __future__ import annotations

import logging
import time
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QDateTime, QObject, QStandardPaths, Qt
from PySide6.QtGui import QGuiApplication, QKeySequence
from PySide6.QtWidgets import QFileDialog

from console.heat import HeatGrid
from console.hub.messages import GetHeat, UnitState
from widgets.map import MapView
from widgets.map.export import export_situation_html
from widgets.map.export_view import WEBENGINE, ExportViewer
from widgets.panels.coverage_panel import CoveragePanel
from widgets.panels.heat_panel import HeatPanel
from widgets.panels.search_box import SearchBox
from widgets.panels.stale_panel import StalePanel

if TYPE_CHECKING:
    from widgets.main_window import MainWindow

log = logging.getLogger(__name__)


def current_units(view: MapView) -> list[UnitState]:
    """Every unit on the map with its latest position (the situation model's arrays)."""
    return view.situation.current_units()


def web_view_usable() -> bool:
    """Whether a QWebEngineView shows pixels here (not on the offscreen/minimal platforms)."""
    return WEBENGINE and QGuiApplication.platformName() not in ("offscreen", "minimal")


OWNER = "map tools"


class MapTools(QObject):
    """Owns the map-tool docks, the search field and the export action of one window.

    Everything is added through the window's extension API
    (:class:`~widgets.window_api.ExtensibleWindow`); nothing here touches its
    private state.
    """

    def __init__(self, window: MainWindow) -> None:
        super().__init__(window)
        self.window = window
        self.map: MapView = window.map
        self.viewers: list[ExportViewer] = []
        self.last_export: Path | None = None
        clock = window.clock.now
        left = Qt.DockWidgetArea.LeftDockWidgetArea

        self.heat_panel = HeatPanel(window.config, window.bridge, self.map, clock, window)
        self.coverage_panel = CoveragePanel(window.config, window.bridge, self.map, window)
        self.stale_panel = StalePanel(window.config, self.map, window)
        # the heat panel replaces the layer panel's window box (and its figures)
        window.set_heat_source(OWNER)
        self.heat_dock = window.add_dock(
            "heatDock",
            lambda: self.tr("Heatmap filter"),
            self.heat_panel,
            left,
            owner=OWNER,
            split_from="layerDock",
        )
        self.coverage_dock = window.add_dock(
            "coverageDock",
            lambda: self.tr("Coverage"),
            self.coverage_panel,
            left,
            owner=OWNER,
            tab_with="heatDock",
        )
        window.resize_docks(["layerDock", "heatDock"], [300, 610], Qt.Orientation.Vertical)
        self.stale_dock = window.add_dock(
            "staleDock",
            lambda: self.tr("Units without a recent fix"),
            self.stale_panel,
            left,
            owner=OWNER,
            tab_with="unitDock",
        )

        # search field in a tool bar over the map
        self.toolbar = window.add_toolbar("mapToolsBar", lambda: self.tr("Map tools"), owner=OWNER)
        self.search = SearchBox(self.map, self.toolbar)
        self.search.setObjectName("mapSearch")
        self.search.setMaximumWidth(360)
        self.toolbar.addWidget(self.search)
        self.find_action = window.add_action(
            None,
            "findOnMap",
            lambda: self.tr("Find on map"),
            self.focus_search,
            owner=OWNER,
            shortcut=QKeySequence.StandardKey.Find,
        )

        # File > Export situation map (HTML), after "Save screenshot"; Ctrl+E is the
        # Dispatch menu's "close incident", so the export takes Ctrl+Shift+E
        self.export_action = window.add_action(
            "file",
            "exportSituationAction",
            lambda: self.tr("&Export situation map (HTML)…"),
            self.ask_export,
            owner=OWNER,
            shortcut="Ctrl+Shift+E",
            after="screenshot",
            tooltip=lambda: self.tr("Export situation map (HTML)"),
        )
        self.toolbar.addAction(self.export_action)

        # wiring
        self.heat_panel.requested.connect(self._on_heat_requested)
        self.heat_panel.heatLoaded.connect(self._on_heat_loaded)
        window.loaded.connect(self._on_window_loaded)
        self.stale_panel.unitActivated.connect(window.unit_panel.select_call_sign)

    # ------------------------------------------------------------------ heat

    def _on_heat_requested(self, _cmd: GetHeat) -> None:
        # a start-up request of the window still in flight must not overwrite this filter
        self.window.drop_pending_heat()

    def _on_heat_loaded(self, grid: HeatGrid) -> None:
        self.window.set_heat(grid)

    def _on_window_loaded(self) -> None:
        if self.window.district is not None:
            self.heat_panel.set_time_zone(self.window.district.tz)
        if self.window.heat is not None and self.heat_panel.grid is None:
            self.heat_panel.show_grid(self.window.heat)

    # ------------------------------------------------------------------ search

    def focus_search(self) -> None:
        """Put the cursor in the search field (Ctrl+F)."""
        self.search.setFocus(Qt.FocusReason.ShortcutFocusReason)
        self.search.selectAll()

    # ------------------------------------------------------------------ export

    def export_to(self, path: Path | str) -> Path:
        """Write the situation as it is on the map now to ``path`` (.html): the layers
        shown, as the layer registry has them export themselves."""
        spec = self.window.config.map.tile_source.strip()
        tile_url = spec if spec.lower().startswith(("http://", "https://")) else ""
        shown = [k for k in self.map.layer_names() if self.map.is_layer_visible(k)]
        out = export_situation_html(
            path,
            self.window.district or self.map.district,
            current_units(self.map),
            self.map.incidents,
            self.map.heat.grid if "heat" in shown else None,
            tile_url,
            config=self.window.config,
            now=self.window.clock.now(),
            layers=shown,
            items={k: self.map.layer_items(k) for k in shown},
            specs=self.map.layer_specs(),
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


def install_map_tools(window: MainWindow) -> MapTools:
    """Add the heat filter, coverage and stale-unit docks, the search field and the
    HTML export to ``window``; returns the owner (also kept as ``window.map_tools``)."""
    existing = getattr(window, "map_tools", None)
    if isinstance(existing, MapTools):
        return existing  # the window installs them itself; a second call changes nothing
    tools = MapTools(window)
    window.map_tools = tools
    return tools
