"""The workstation's main window: the map in the middle, lists docked around it.

The window owns no state of its own beyond what it shows: the hub sends a
snapshot, then changes; the bridge feeds them into the one
:class:`~console.workstation.situation.SituationModel`, which the map, the
unit and incident lists and the unit board observe.  Events older than the
snapshot are dropped by sequence number, and a gap in the sequence triggers a
fresh snapshot, so a lost event never leaves the picture wrong for long.
"""

from __future__ import annotations

import functools
import logging
from pathlib import Path
from typing import Any

import msgspec
from PySide6.QtCore import QDateTime, QEvent, QSettings, QStandardPaths, Qt, QTimer, Signal
from PySide6.QtGui import QAction, QActionGroup, QCloseEvent, QKeySequence
from PySide6.QtWidgets import (
    QApplication,
    QDockWidget,
    QFileDialog,
    QLabel,
    QMessageBox,
    QVBoxLayout,
    QWidget,
)

from console.config import Config
from console.demo.district import DISTRICT_CODE as DEMO_CODE
from console.heat import HeatGrid, heat_grid_from_result
from console.hub.messages import Alert, GetDistrict, GetHeat, Reply, StaticDistrict
from console.workstation.hubchild import HubChild
from console.workstation.situation import Change, Moved, Reset, SituationModel
from widgets.bridge import HubBridge
from widgets.calls_import import CallsImport, install_calls_import
from widgets.comms_tools import CommsTools, install_comms_tools
from widgets.crowd_tools import CrowdTools, install_crowd_tools
from widgets.forecast_tools import ForecastTools, install_forecast_tools
from widgets.frame_pacer import FramePacer
from widgets.gui_heap import settle_after_load
from widgets.i18n import LANGUAGES, LanguageManager
from widgets.map import MapView
from widgets.map_tools import MapTools, install_map_tools
from widgets.panels import IncidentListPanel, LayerPanel, UnitListPanel
from widgets.panels.common import HubClock
from widgets.panels.status_bar import DispatchStatusBar
from widgets.shift_tools import ShiftTools, install_shift_tools
from widgets.video_tools import VideoTools, install_video_tools
from widgets.window_api import ExtensibleWindow, ExtensionError
from widgets.workflow.controller import WorkflowController  # workflow hook-up

log = logging.getLogger(__name__)

SETTINGS_ORG = "huangpu-dispatch"
SETTINGS_APP = "console"
DEFAULT_SIZE = (1600, 960)
OWNER = "main window"


class MainWindow(ExtensibleWindow):
    """Map, incident list, unit list, layer panel, status bar and menus.

    Other parts add their docks, menus and actions through the
    :class:`~widgets.window_api.ExtensibleWindow` API (the workflow controller,
    the map tools), read the heat with :attr:`heat`/:attr:`heatChanged` and layer
    visibility with :meth:`is_layer_visible`/:attr:`layerVisibilityChanged`.
    """

    loaded = Signal()  # once: district, snapshot and heat have all arrived
    newIncidentRequested = Signal(float, float)  # lon, lat picked on the map
    heatChanged = Signal(object)  # HeatGrid now shown (from the window or a heat filter)
    layerVisibilityChanged = Signal(str, bool)  # a map layer shown or hidden (any control)

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
        self.hub_process: HubChild | None = None
        """The workstation's own hub process (``--hub-process``), set by whoever started it:
        File > Import past calls writes into its database and asks it to reload."""
        self.heat: HeatGrid | None = None
        self.moves_received = 0  # position batches shown (screenshots wait for a few)
        # the one picture of units, incidents, plans and alerts; the bridge keeps it current
        self.situation = SituationModel()
        self.situation.subscribe(self._on_situation)  # first: the clock is synced for the rest
        bridge.feed(self.situation)
        self._heat_token = 0
        self._heat_source: str | None = None
        self._loaded_emitted = False
        self.setObjectName("MainWindow")
        self.pacer = FramePacer(self)  # repaints take turns with hub events (frame_pacer.py)
        bridge.yield_after_frames(self.pacer)

        # central: banner over the map
        self.map = MapView(config, self, situation=self.situation)
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

        # menus first: every dock added below lists its switch under View > Panels
        layers = list(self.map.layer_names())
        self._build_menus(layers)

        # docks
        right, left = Qt.DockWidgetArea.RightDockWidgetArea, Qt.DockWidgetArea.LeftDockWidgetArea
        self.incident_panel = IncidentListPanel(config, self.clock, self, situation=self.situation)
        self.unit_panel = UnitListPanel(config, self.clock, self, situation=self.situation)
        # the map, and the board with the unit list, draw in alternate frames (frame_pacer.py)
        for painter in (self.map, self.incident_panel.model, self.unit_panel.model):
            painter.turn.attach(self.pacer)
        self.layer_panel = LayerPanel(
            layers, {k: self.map.is_layer_visible(k) for k in layers}, self, title=self.layer_title
        )
        self.incident_dock = self.add_dock(
            "incidentDock",
            lambda: self.tr("Open incidents"),
            self.incident_panel,
            right,
            owner=OWNER,
        )
        self.unit_dock = self.add_dock(
            "unitDock", lambda: self.tr("Units"), self.unit_panel, right, owner=OWNER
        )
        self.layer_dock = self.add_dock(
            "layerDock", lambda: self.tr("Layers"), self.layer_panel, left, owner=OWNER
        )
        self.resizeDocks([self.incident_dock, self.unit_dock], [300, 500], Qt.Orientation.Vertical)

        self.status = DispatchStatusBar(
            self.situation.on_duty_count,
            lambda: len(self.situation.incidents),
            self._stale_count,
            self.clock.now,
            self,
        )
        self.setStatusBar(self.status)

        # wiring
        bridge.snapshotFailed.connect(
            lambda error: self._report(self.tr("Could not load the situation: %1"), error)
        )
        bridge.alert.connect(self._on_alert)
        bridge.connectionChanged.connect(self.status.set_connected)
        self.incident_panel.incidentActivated.connect(self.map.zoom_to_incident)
        self.unit_panel.unitActivated.connect(self.map.zoom_to_unit)
        self.map.unitClicked.connect(self.unit_panel.select_call_sign)
        self.map.incidentClicked.connect(self.incident_panel.select_incident)
        self.map.newIncidentRequested.connect(self._on_new_incident_requested)
        self.layer_panel.layerToggled.connect(self.set_layer_visible)
        self.map.layerVisibilityChanged.connect(self._sync_layer_controls)
        self.layer_panel.heatWindowChanged.connect(self.request_heat)

        # ---- workflow hook-up (widgets/workflow): Dispatch menu, unit board and alerts
        # docks, intake on right-click (via newIncidentRequested), plan review pop-ups
        self.workflow = WorkflowController(self)
        # map tools (widgets/map_tools): heat filter, coverage, stale units, search, export
        self.map_tools: MapTools = install_map_tools(self)
        # hot spots, forecast, patrol focus (widgets/forecast_tools): docks, Analysis menu, layers
        self.forecast_tools: ForecastTools = install_forecast_tools(self)
        # crowd places (widgets/crowd_tools): chart dock, the map's crowd layer and its slider
        self.crowd_tools: CrowdTools = install_crowd_tools(self)
        # plan queue, board deadlines, history, reports, handover (widgets/shift_tools)
        self.shift_tools: ShiftTools = install_shift_tools(self)
        # messages, photos and clips, orders delivered by hand (widgets/comms_tools)
        self.comms_tools: CommsTools = install_comms_tools(self)
        # the video wall and the cameras' detections (widgets/video_tools)
        self.video_tools: VideoTools = install_video_tools(self)
        self.calls_import: CallsImport = install_calls_import(self)  # File > Import past calls

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

    def _build_menus(self, layers: list[str]) -> None:
        add = self.add_action
        self.add_menu("file", lambda: self.tr("&File"), owner=OWNER)
        self.screenshot_action = add(
            "file",
            "screenshot",
            lambda: self.tr("Save &screenshot…"),
            self._ask_screenshot,
            owner=OWNER,
            shortcut="Ctrl+Shift+S",
        )
        self.add_separator("file")
        self.quit_action = add(
            "file",
            "quit",
            lambda: self.tr("&Quit"),
            self.close,
            owner=OWNER,
            shortcut=QKeySequence.StandardKey.Quit,
        )
        self.quit_action.setMenuRole(QAction.MenuRole.QuitRole)

        self.add_menu("view", lambda: self.tr("&View"), owner=OWNER)
        add(
            "view",
            "zoomDistrict",
            lambda: self.tr("Zoom to &district"),
            self.map.zoom_to_district,
            owner=OWNER,
            shortcut="Ctrl+0",
        )
        self.add_menu("layers", lambda: self.tr("&Layers"), owner=OWNER, parent="view")
        for key in layers:
            act = add(
                "layers", f"layer.{key}", functools.partial(self.layer_title, key), owner=OWNER
            )
            act.setCheckable(True)
            act.setChecked(self.map.is_layer_visible(key))
            act.toggled.connect(lambda on, k=key: self.set_layer_visible(k, on))
        self.add_menu("panels", lambda: self.tr("&Panels"), owner=OWNER, parent="view")
        self.panels_menu_key = "panels"

        self.add_menu("language", lambda: self.tr("&Language"), owner=OWNER)
        group = QActionGroup(self)
        group.setExclusive(True)
        self.language_actions: dict[str, QAction] = {}
        current = self.languages.language if self.languages else None
        for code, name in LANGUAGES.items():  # each language named in itself: never translated
            act = add(
                "language",
                f"language.{code}",
                functools.partial(str, name),
                functools.partial(self.set_language, code),
                owner=OWNER,
            )
            act.setActionGroup(group)
            act.setCheckable(True)
            act.setChecked(code == current)
            act.setData(code)
            self.language_actions[code] = act

        self.add_menu("help", lambda: self.tr("&Help"), owner=OWNER)
        self.about_action = add(
            "help", "about", lambda: self.tr("&About"), self.show_about, owner=OWNER
        )
        self.about_action.setMenuRole(QAction.MenuRole.AboutRole)

    def layer_title(self, key: str) -> str:
        """A map layer's name as the layer panel and the Layers menu show it."""
        return self.map.layer_title(key)

    def retranslateUi(self) -> None:
        """The texts the window shows beyond its registered menus, actions and docks."""
        d = self.district
        self.banner.setText(
            self.tr(
                "Demo district: the outline, roads, stations and units are approximate "
                "illustrations, not official data."
            )
            if d is None or d.code == DEMO_CODE
            else self.tr(
                "%1: the district package is marked approximate: its outline, areas or roads "
                "are illustrations, not official data."
            ).replace("%1", d.name)
        )
        self._update_title()

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslateUi()
        super().changeEvent(event)  # the registered texts (ExtensibleWindow)

    def _update_title(self) -> None:
        title = self.tr("Command and Dispatch Console")
        d = self.district
        if d is not None:
            if d.approximate and d.code == DEMO_CODE:
                title += " — " + self.tr("Huangpu (demo) — approximate data")
            elif d.approximate:
                title += f" — {d.name} — " + self.tr("approximate data")
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
    def snapshot_seq(self) -> int | None:
        """Sequence number of the snapshot shown (None before the first)."""
        return self.situation.seq

    @property
    def is_loaded(self) -> bool:
        """District, snapshot and heat have all arrived."""
        return self.district is not None and self.snapshot_seq is not None and self.heat is not None

    def request_snapshot(self) -> None:
        """Fetch the whole situation into the model (on start; the bridge does it after a
        sequence gap by itself)."""
        self.bridge.request_snapshot()

    def request_heat(self, window_s: int) -> None:
        """Fetch the 110 density for the last ``window_s`` seconds; older replies are ignored."""
        self.drop_pending_heat()
        token = self._heat_token
        t1 = self.clock.now()
        self.layer_panel.set_heat_loading()
        self.bridge.call(
            GetHeat(t0=t1 - window_s, t1=t1), lambda r: self._on_heat(r, token), timeout_s=60.0
        )

    def drop_pending_heat(self) -> None:
        """Ignore the replies of heat requests the window has sent and not yet received
        (another filter is about to show its own grid)."""
        self._heat_token += 1

    def set_heat(self, grid: HeatGrid) -> None:
        """Show ``grid`` (from another heat filter) as the 110 heat, on the map and in the
        figures, and tell :attr:`heatChanged`.  To keep an older window request from
        overwriting it, call :meth:`drop_pending_heat` when that filter *sends* its own."""
        self._show_heat(grid)

    def set_heat_source(self, owner: str) -> None:
        """Hand the heat's filter to ``owner`` (a finer filter panel): the layer panel's
        own window box is hidden.  A second owner is refused."""
        if self._heat_source is not None and self._heat_source != owner:
            raise ExtensionError(
                f"heat filter of {owner} refused: {self._heat_source} already filters the heat"
            )
        self._heat_source = owner
        self.layer_panel.show_heat_window(False)

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
        self.retranslateUi()  # the banner and the title name this district
        self._check_loaded()

    def _on_situation(self, change: Change) -> None:
        """The window's own reading of the model: the hub's clock, the status bar, loading."""
        if isinstance(change, Moved):
            self.moves_received += 1
            self.clock.sync(change.t)
        elif isinstance(change, Reset) and change.seq is not None:
            self.clock.sync(change.t)
            # a snapshot after a takeover carries the hub_failover alert (no live event)
            failovers = [a for a in self.situation.alerts.values() if a.kind == "hub_failover"]
            if failovers:
                last = max(failovers, key=lambda a: (a.t, a.alert_id))
                if last.t != self.status.failover_at:
                    self.status.note_failover(last.text_en, last.text, last.t)
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
        self._show_heat(grid)

    def _show_heat(self, grid: HeatGrid) -> None:
        self.heat = grid
        if self.map.heat.grid is not grid:
            self.map.set_heat(grid)
        self.layer_panel.set_heat_info(grid.n_calls, grid.max)
        self.heatChanged.emit(grid)
        self._check_loaded()

    def _check_loaded(self) -> None:
        if self.is_loaded and not self._loaded_emitted:
            self._loaded_emitted = True
            self.loaded.emit()
            # start-up state out of the collector's sight (a no-op unless the process
            # was prepared by widgets.app; see widgets/gui_heap.py)
            QTimer.singleShot(0, settle_after_load)

    # ------------------------------------------------------------------ events

    def _on_alert(self, ev: Alert) -> None:
        prefix = {"critical": "⚠ ", "warning": "! "}.get(ev.level, "")
        self.status.showMessage(prefix + ev.text, 15000)
        if ev.kind == "hub_failover":  # a standby hub took over: which one, since when
            self.status.note_failover(ev.text_en, ev.text, ev.t)

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
            self.map.set_layer_visible(key, on)  # the map's signal syncs the controls
        else:
            self._sync_layer_controls(key, on)

    def is_layer_visible(self, key: str) -> bool:
        """Whether a map layer is shown."""
        return self.map.is_layer_visible(key)

    def _sync_layer_controls(self, key: str, on: bool) -> None:
        self.layer_panel.set_layer_checked(key, on)
        act = self._actions.get(f"layer.{key}")
        if act is not None and act.isChecked() != on:
            act.blockSignals(True)
            act.setChecked(on)
            act.blockSignals(False)
        self.layerVisibilityChanged.emit(key, on)

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
        for key in self.map.layer_names():
            value = self.settings.value(f"layers/{key}")
            if value is not None:
                self.set_layer_visible(key, str(value).lower() in ("true", "1"))

    def save_settings(self) -> None:
        """Remember geometry, dock layout and layer visibility."""
        self.settings.setValue("window/geometry", self.saveGeometry())
        self.settings.setValue("window/state", self.saveState())
        for key in self.map.layer_names():
            self.settings.setValue(f"layers/{key}", self.map.is_layer_visible(key))
        self.settings.sync()

    def closeEvent(self, event: QCloseEvent) -> None:
        self.save_settings()
        self.comms_tools.close_all()
        self.video_tools.stop()
        super().closeEvent(event)


def _as(value: Any, kind: type[Any]) -> Any:
    """The value as ``kind``: as is when the hub is in-process, converted when it was decoded."""
    return value if isinstance(value, kind) else msgspec.convert(value, kind)
