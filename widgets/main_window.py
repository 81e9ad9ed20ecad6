"""The workstation's main window: the map in the middle, lists docked around it.

The window owns no state of its own beyond what it shows: the hub sends a
snapshot, then changes; the window hands each to the map and the models.
Events older than the snapshot are dropped by sequence number, and a gap in
the sequence triggers a fresh snapshot, so a lost event never leaves the
picture wrong for long.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

import msgspec
from PySide6.QtCore import QDateTime, QEvent, QSettings, QStandardPaths, Qt, Signal
from PySide6.QtGui import QAction, QActionGroup, QCloseEvent, QKeySequence
from PySide6.QtWidgets import (
    QApplication,
    QDockWidget,
    QFileDialog,
    QLabel,
    QMainWindow,
    QMenu,
    QMessageBox,
    QVBoxLayout,
    QWidget,
)

from console.config import Config
from console.heat import HeatGrid, heat_grid_from_result
from console.hub.messages import (
    Alert,
    Event,
    GetDistrict,
    GetHeat,
    GetSnapshot,
    IncidentChanged,
    Reply,
    Snapshot,
    StaticDistrict,
    UnitChanged,
    UnitsMoved,
)
from widgets.bridge import HubBridge
from widgets.i18n import LANGUAGES, LanguageManager
from widgets.map import MapView
from widgets.map_tools import MapTools, install_map_tools
from widgets.panels import IncidentListPanel, LayerPanel, UnitListPanel
from widgets.panels.common import HubClock, layer_text, scrollable
from widgets.panels.status_bar import DispatchStatusBar
from widgets.workflow.controller import WorkflowController  # workflow hook-up

log = logging.getLogger(__name__)

SETTINGS_ORG = "huangpu-dispatch"
SETTINGS_APP = "console"
DEFAULT_SIZE = (1600, 960)


class MainWindow(QMainWindow):
    """Map, incident list, unit list, layer panel, status bar and menus."""

    loaded = Signal()  # once: district, snapshot and heat have all arrived
    newIncidentRequested = Signal(float, float)  # lon, lat picked on the map

    def __init__(
        self,
        bridge: HubBridge,
        config: Config,
        *,
        languages: LanguageManager | None = None,
        settings: QSettings | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.bridge = bridge
        self.config = config
        app = QApplication.instance()
        if languages is None and app is not None:
            languages = LanguageManager(app)
        self.languages = languages
        self.settings = settings or QSettings(SETTINGS_ORG, SETTINGS_APP)
        self.clock = HubClock()
        self.district: StaticDistrict | None = None
        self.snapshot_seq: int | None = None
        self.heat: HeatGrid | None = None
        self.moves_received = 0
        self._snapshot_pending = False
        self._heat_token = 0
        self._loaded_emitted = False
        self.setObjectName("MainWindow")

        # central: banner over the map
        self.map = MapView(config, self)
        self.banner = QLabel(self)
        self.banner.setObjectName("approximateBanner")
        self.banner.setWordWrap(True)
        self.banner.setStyleSheet(
            "#approximateBanner { background: #fff3cd; color: #6d4c00;"
            " border-bottom: 1px solid #e0c068; padding: 4px 8px; }"
        )
        self.banner.hide()
        central = QWidget(self)
        lay = QVBoxLayout(central)
        lay.setContentsMargins(0, 0, 0, 0)
        lay.setSpacing(0)
        lay.addWidget(self.banner)
        lay.addWidget(self.map, 1)
        self.setCentralWidget(central)

        # docks
        self.incident_panel = IncidentListPanel(config, self.clock, self)
        self.unit_panel = UnitListPanel(config, self.clock, self)
        layers = list(self.map.layer_names())
        self.layer_panel = LayerPanel(
            layers, {k: self.map.is_layer_visible(k) for k in layers}, self
        )
        self.incident_dock = self._dock("incidentDock", self.incident_panel)
        self.unit_dock = self._dock("unitDock", self.unit_panel)
        self.layer_dock = self._dock("layerDock", self.layer_panel)
        self.addDockWidget(Qt.DockWidgetArea.RightDockWidgetArea, self.incident_dock)
        self.addDockWidget(Qt.DockWidgetArea.RightDockWidgetArea, self.unit_dock)
        self.addDockWidget(Qt.DockWidgetArea.LeftDockWidgetArea, self.layer_dock)
        self.resizeDocks([self.incident_dock, self.unit_dock], [300, 500], Qt.Orientation.Vertical)

        self.status = DispatchStatusBar(
            self.unit_panel.model.on_duty_count,
            self.incident_panel.model.rowCount,
            self._stale_count,
            self.clock.now,
            self,
        )
        self.setStatusBar(self.status)
        self._build_menus(layers)

        # wiring
        bridge.snapshot.connect(self._apply_snapshot)
        bridge.unitsMoved.connect(self._on_units_moved)
        bridge.unitChanged.connect(self._on_unit_changed)
        bridge.incidentChanged.connect(self._on_incident_changed)
        bridge.alert.connect(self._on_alert)
        bridge.gap.connect(self._on_gap)
        bridge.connectionChanged.connect(self.status.set_connected)
        self.incident_panel.incidentActivated.connect(self.map.zoom_to_incident)
        self.unit_panel.unitActivated.connect(self.map.zoom_to_unit)
        self.map.unitClicked.connect(self.unit_panel.select_call_sign)
        self.map.incidentClicked.connect(self.incident_panel.select_incident)
        self.map.newIncidentRequested.connect(self._on_new_incident_requested)
        self.layer_panel.layerToggled.connect(self.set_layer_visible)
        map_toggled = getattr(self.map, "layerVisibilityChanged", None)  # legend clicks, if any
        if map_toggled is not None:
            map_toggled.connect(self._sync_layer_controls)
        self.layer_panel.heatWindowChanged.connect(self.request_heat)

        # ---- workflow hook-up (widgets/workflow): Dispatch menu, unit board and alerts
        # docks, intake on right-click (via newIncidentRequested), plan review pop-ups
        self.workflow = WorkflowController(self)
        # map tools (widgets/map_tools): heat filter, coverage, stale units, search, export
        self.map_tools: MapTools = install_map_tools(self)

        self.resize(*DEFAULT_SIZE)
        self._default_dock_widths()
        self.restore_settings()
        self.retranslateUi()

    # ------------------------------------------------------------------ build

    def _default_dock_widths(self) -> None:
        """Open each side column as wide as its widest panel wants (docks scroll, so
        nothing forces these widths; a saved layout overrides them)."""
        for area in (Qt.DockWidgetArea.LeftDockWidgetArea, Qt.DockWidgetArea.RightDockWidgetArea):
            docks = [d for d in self.findChildren(QDockWidget) if self.dockWidgetArea(d) == area]
            if docks:
                width = max(d.sizeHint().width() for d in docks)
                self.resizeDocks(docks, [min(width, 420)] * len(docks), Qt.Orientation.Horizontal)

    def _dock(self, name: str, widget: QWidget) -> QDockWidget:
        dock = QDockWidget(self)
        dock.setObjectName(name)  # saveState needs stable names
        dock.setWidget(scrollable(widget))
        dock.setFeatures(
            QDockWidget.DockWidgetFeature.DockWidgetMovable
            | QDockWidget.DockWidgetFeature.DockWidgetClosable
            | QDockWidget.DockWidgetFeature.DockWidgetFloatable
        )
        return dock

    def _build_menus(self, layers: list[str]) -> None:
        bar = self.menuBar()
        self.file_menu = bar.addMenu("")
        self.screenshot_action = QAction(self)
        self.screenshot_action.setShortcut(QKeySequence("Ctrl+Shift+S"))
        self.screenshot_action.triggered.connect(self._ask_screenshot)
        self.quit_action = QAction(self)
        self.quit_action.setShortcut(QKeySequence.StandardKey.Quit)
        self.quit_action.setMenuRole(QAction.MenuRole.QuitRole)
        self.quit_action.triggered.connect(self.close)
        self.file_menu.addAction(self.screenshot_action)
        self.file_menu.addSeparator()
        self.file_menu.addAction(self.quit_action)

        self.view_menu = bar.addMenu("")
        self.zoom_district_action = QAction(self)
        self.zoom_district_action.setShortcut(QKeySequence("Ctrl+0"))
        self.zoom_district_action.triggered.connect(self.map.zoom_to_district)
        self.view_menu.addAction(self.zoom_district_action)
        self.layers_menu = QMenu(self.view_menu)
        self.layer_actions: dict[str, QAction] = {}
        for key in layers:
            act = QAction(self.layers_menu)
            act.setCheckable(True)
            act.setChecked(self.map.is_layer_visible(key))
            act.toggled.connect(lambda on, k=key: self.set_layer_visible(k, on))
            self.layers_menu.addAction(act)
            self.layer_actions[key] = act
        self.view_menu.addMenu(self.layers_menu)
        self.docks_menu = QMenu(self.view_menu)
        for dock in (self.incident_dock, self.unit_dock, self.layer_dock):
            self.docks_menu.addAction(dock.toggleViewAction())
        self.view_menu.addMenu(self.docks_menu)

        self.language_menu = bar.addMenu("")
        group = QActionGroup(self)
        group.setExclusive(True)
        self.language_actions: dict[str, QAction] = {}
        current = self.languages.language if self.languages else None
        for code, name in LANGUAGES.items():  # each language named in itself: never translated
            act = QAction(name, group)
            act.setCheckable(True)
            act.setChecked(code == current)
            act.setData(code)
            act.triggered.connect(lambda _on=False, c=code: self.set_language(c))
            self.language_menu.addAction(act)
            self.language_actions[code] = act

        self.help_menu = bar.addMenu("")
        self.about_action = QAction(self)
        self.about_action.setMenuRole(QAction.MenuRole.AboutRole)
        self.about_action.triggered.connect(self.show_about)
        self.help_menu.addAction(self.about_action)

    def retranslateUi(self) -> None:
        """Every text the window itself shows; the panels retranslate themselves."""
        self.file_menu.setTitle(self.tr("&File"))
        self.screenshot_action.setText(self.tr("Save &screenshot…"))
        self.quit_action.setText(self.tr("&Quit"))
        self.view_menu.setTitle(self.tr("&View"))
        self.zoom_district_action.setText(self.tr("Zoom to &district"))
        self.layers_menu.setTitle(self.tr("&Layers"))
        for key, act in self.layer_actions.items():
            act.setText(layer_text(key))
        self.docks_menu.setTitle(self.tr("&Panels"))
        self.language_menu.setTitle(self.tr("&Language"))
        self.help_menu.setTitle(self.tr("&Help"))
        self.about_action.setText(self.tr("&About"))
        self.incident_dock.setWindowTitle(self.tr("Open incidents"))
        self.unit_dock.setWindowTitle(self.tr("Units"))
        self.layer_dock.setWindowTitle(self.tr("Layers"))
        self.banner.setText(
            self.tr(
                "Demo district: the outline, roads, stations and units are approximate "
                "illustrations, not official data."
            )
        )
        self._update_title()

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslateUi()
        super().changeEvent(event)

    def _update_title(self) -> None:
        title = self.tr("Command and Dispatch Console")
        d = self.district
        if d is not None:
            if d.approximate:
                title += " — " + self.tr("Huangpu (demo) — approximate data")
            else:
                title += f" — {d.name}"
        self.setWindowTitle(title)

    # ------------------------------------------------------------------ loading

    def start(self) -> None:
        """Ask the hub for the district, the situation and the default heatmap."""
        self.bridge.start()
        self.bridge.call(GetDistrict(), self._on_district)
        self.request_snapshot()
        self.request_heat(self.layer_panel.heat_window_s())

    @property
    def is_loaded(self) -> bool:
        """District, snapshot and heat have all arrived."""
        return self.district is not None and self.snapshot_seq is not None and self.heat is not None

    def request_snapshot(self) -> None:
        """Fetch the whole situation (on start and after a sequence gap)."""
        if not self._snapshot_pending:
            self._snapshot_pending = True
            self.bridge.call(GetSnapshot(), self._on_snapshot)

    def request_heat(self, window_s: int) -> None:
        """Fetch the 110 density for the last ``window_s`` seconds; older replies are ignored."""
        self._heat_token += 1
        token = self._heat_token
        t1 = self.clock.now()
        self.layer_panel.set_heat_loading()
        self.bridge.call(
            GetHeat(t0=t1 - window_s, t1=t1), lambda r: self._on_heat(r, token), timeout_s=60.0
        )

    def _on_district(self, reply: Reply) -> None:
        if not reply.ok:
            self._report(self.tr("Could not load the district: %1"), reply.error)
            return
        try:
            d = _as(reply.result, StaticDistrict)
        except (msgspec.ValidationError, TypeError) as exc:
            self._report(self.tr("Could not load the district: %1"), str(exc))
            return
        self.district = d
        self.map.set_district(d)
        self.unit_panel.model.set_station_names(
            {str(s["code"]): str(s.get("name", s["code"])) for s in d.stations}
        )
        self.banner.setVisible(d.approximate)
        self._update_title()
        self._check_loaded()

    def _on_snapshot(self, reply: Reply) -> None:
        self._snapshot_pending = False
        if not reply.ok:
            self._report(self.tr("Could not load the situation: %1"), reply.error)
            return
        try:
            snap = _as(reply.result, Snapshot)
        except (msgspec.ValidationError, TypeError) as exc:
            self._report(self.tr("Could not load the situation: %1"), str(exc))
            return
        self.bridge.note_snapshot_seq(snap.seq)
        self._apply_snapshot(snap)

    def _apply_snapshot(self, snap: Snapshot) -> None:
        self.snapshot_seq = snap.seq
        self.clock.sync(snap.t)
        self.unit_panel.model.set_units(snap.units)
        self.incident_panel.model.set_incidents(snap.incidents)
        self.map.set_units(snap.units)
        self.map.set_incidents(self.incident_panel.model.incidents())
        self.status.refresh()
        self._check_loaded()

    def _on_heat(self, reply: Reply, token: int) -> None:
        if token != self._heat_token:
            return  # the operator chose another window meanwhile
        if not reply.ok:
            self.layer_panel.set_heat_error(reply.error)
            return
        try:
            grid = heat_grid_from_result(reply.result)
        except ValueError as exc:
            self.layer_panel.set_heat_error(str(exc))
            return
        self.heat = grid
        self.map.set_heat(grid)
        self.layer_panel.set_heat_info(grid.n_calls, grid.max)
        self._check_loaded()

    def _check_loaded(self) -> None:
        if self.is_loaded and not self._loaded_emitted:
            self._loaded_emitted = True
            self.loaded.emit()

    # ------------------------------------------------------------------ events

    def _is_current(self, ev: Event) -> bool:
        """Whether an event is newer than the snapshot shown (older ones are in it)."""
        return self.snapshot_seq is not None and (ev.seq == 0 or ev.seq > self.snapshot_seq)

    def _on_units_moved(self, ev: UnitsMoved) -> None:
        if not self._is_current(ev):
            return
        self.moves_received += 1
        self.clock.sync(ev.t)
        try:
            self.unit_panel.model.apply_moves(ev)
        except ValueError as exc:
            log.warning("dropped a malformed position update: %s", exc)
            return
        self.map.apply_moves(ev)

    def _on_unit_changed(self, ev: UnitChanged) -> None:
        if self._is_current(ev):
            self.unit_panel.model.update_unit(ev.unit)
            self.map.update_unit(ev.unit)

    def _on_incident_changed(self, ev: IncidentChanged) -> None:
        if self._is_current(ev):
            self.incident_panel.model.update_incident(ev.incident)
            self.map.set_incidents(self.incident_panel.model.incidents())

    def _on_alert(self, ev: Alert) -> None:
        prefix = {"critical": "⚠ ", "warning": "! "}.get(ev.level, "")
        self.status.showMessage(prefix + ev.text, 15000)

    def _on_gap(self, last: int, got: int) -> None:
        log.warning("hub events %d..%d lost; fetching a fresh snapshot", last + 1, got - 1)
        self.request_snapshot()

    def _on_new_incident_requested(self, lon: float, lat: float) -> None:
        self.newIncidentRequested.emit(lon, lat)

    def _report(self, template: str, detail: str) -> None:
        text = template.replace("%1", detail)
        log.warning("%s", text)
        self.status.showMessage(text, 30000)

    def _stale_count(self) -> int:
        return len(self.map.stale_units())  # an empty map has none

    # ------------------------------------------------------------------ actions

    def set_layer_visible(self, key: str, on: bool) -> None:
        """Show or hide a map layer and keep the panel and the menu in step."""
        if self.map.is_layer_visible(key) != on:
            self.map.set_layer_visible(key, on)
        self._sync_layer_controls(key, on)

    def _sync_layer_controls(self, key: str, on: bool) -> None:
        self.layer_panel.set_layer_checked(key, on)
        act = self.layer_actions.get(key)
        if act is not None and act.isChecked() != on:
            act.blockSignals(True)
            act.setChecked(on)
            act.blockSignals(False)

    def set_language(self, lang: str) -> None:
        """Switch the interface language now (menus, panels, map texts)."""
        if self.languages is None:
            raise RuntimeError("no LanguageManager: create the window after the QApplication")
        self.languages.set_language(lang)
        for code, act in self.language_actions.items():
            act.setChecked(code == lang)

    def save_screenshot(self, path: Path | str) -> bool:
        """Render the whole window to an image file (PNG by extension)."""
        return bool(self.grab().save(str(path)))

    def _ask_screenshot(self) -> None:
        pictures = QStandardPaths.writableLocation(QStandardPaths.StandardLocation.PicturesLocation)
        stamp = QDateTime.currentDateTime().toString("yyyyMMdd-HHmmss")
        default = str(Path(pictures or ".") / f"dispatch-{stamp}.png")
        path, _ = QFileDialog.getSaveFileName(
            self, self.tr("Save screenshot"), default, self.tr("PNG images (*.png)")
        )
        if path and not self.save_screenshot(path):
            self._report(self.tr("Could not save the screenshot to %1"), path)

    def show_about(self) -> None:
        """Version and the demo-data warning."""
        QMessageBox.about(self, self.tr("About"), self.about_text())

    def about_text(self) -> str:
        """The About box text (kept separate so tests can read it without a modal dialog)."""
        return self.tr(
            "<h3>Command and Dispatch Console</h3>"
            "<p>Live forces map, 110 call heatmap and incident dispatch.</p>"
            "<p>The demo district (Huangpu, Shanghai) is approximate: its outline, roads, "
            "stations, units and call history are generated illustrations, not official data.</p>"
        )

    # ------------------------------------------------------------------ settings

    def restore_settings(self) -> None:
        """Window geometry, dock layout and layer visibility from the last session."""
        geometry = self.settings.value("window/geometry")
        if geometry is not None:
            self.restoreGeometry(geometry)
        state = self.settings.value("window/state")
        if state is not None:
            self.restoreState(state)
        for key in self.layer_actions:
            value = self.settings.value(f"layers/{key}")
            if value is not None:
                self.set_layer_visible(key, str(value).lower() in ("true", "1"))

    def save_settings(self) -> None:
        """Remember geometry, dock layout and layer visibility."""
        self.settings.setValue("window/geometry", self.saveGeometry())
        self.settings.setValue("window/state", self.saveState())
        for key in self.layer_actions:
            self.settings.setValue(f"layers/{key}", self.map.is_layer_visible(key))
        self.settings.sync()

    def closeEvent(self, event: QCloseEvent) -> None:
        self.save_settings()
        super().closeEvent(event)


def _as(value: Any, kind: type[Any]) -> Any:
    """The value as ``kind``: as is when the hub is in-process, converted when it was decoded."""
    return value if isinstance(value, kind) else msgspec.convert(value, kind)
