"""Hot spots, forecasts and patrol focus added to a main window from outside.

``install_forecast_tools(window)`` is the one call ``MainWindow`` needs (after
the map tools, whose heat filter the hot-spot search reads, and before the
saved layout is restored).  It adds three docks (hot spots and forecast
behind the heat filter, patrol focus behind the incident list), an Analysis
menu, and fills the map's "hotspots" and "forecast" layers (registered in
:mod:`widgets.map.layers.registry`), all through the window's extension API.

A patrol point the operator posts becomes an incident of type ``patrol``
(source "forecast") at the point: the hub proposes a plan with the nearest
free patrol unit, the plan review opens as for a call the operator
registered, and approval sends the order through the outbox like any other.
"""

from __future__ import annotations

import logging
import math
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QObject, Qt

from console.heat.wire import HotSpotsReply
from console.hub.messages import CreateIncident, Reply
from widgets.map import MapView
from widgets.map.layers.forecast import ForecastBar, PatrolMark, forecast_items
from widgets.map.layers.hotspots import hotspots_item
from widgets.panels.forecast_panel import ForecastPanel
from widgets.panels.hotspot_panel import HotspotPanel
from widgets.panels.patrol_focus_panel import PATROL_TYPE, FocusPoint, PatrolFocusPanel

if TYPE_CHECKING:
    from widgets.main_window import MainWindow

log = logging.getLogger(__name__)

OWNER = "forecast tools"
MIN_ZOOM_M = 250.0


def zoom_to_box(view: MapView, bbox: list[float] | tuple[float, ...]) -> None:
    """Frame a WGS84 box (min lon, min lat, max lon, max lat) with a margin."""
    lon0, lat0, lon1, lat1 = (float(v) for v in bbox)
    lon, lat = (lon0 + lon1) / 2.0, (lat0 + lat1) / 2.0
    half_w = (lon1 - lon0) / 2.0 * 111_320.0 * math.cos(math.radians(lat))
    half_h = (lat1 - lat0) / 2.0 * 110_540.0
    view.zoom_to(lon, lat, max(MIN_ZOOM_M, 1.3 * max(half_w, half_h)))


class ForecastTools(QObject):
    """Owns the hot-spot, forecast and patrol-focus docks of one window and their layers."""

    def __init__(self, window: MainWindow) -> None:
        super().__init__(window)
        self.window = window
        self.map: MapView = window.map
        self.hotspots = hotspots_item(self.map)
        self.forecast_image, self.patrol_points = forecast_items(self.map)
        self.posted: list[int] = []  # incidents registered from patrol points here
        left, right = Qt.DockWidgetArea.LeftDockWidgetArea, Qt.DockWidgetArea.RightDockWidgetArea

        heat = window.map_tools.heat_panel  # the hot spots are searched among its calls
        self.hotspot_panel = HotspotPanel(window.config, window.bridge, heat, window)
        self.forecast_panel = ForecastPanel(window.bridge, window)
        self.patrol_panel = PatrolFocusPanel(
            window.config, window.bridge, window.situation, window.clock.now, window
        )
        self.hotspot_dock = window.add_dock(
            "hotspotDock",
            lambda: self.tr("Hot spots"),
            self.hotspot_panel,
            left,
            owner=OWNER,
            tab_with="heatDock",
        )
        self.forecast_dock = window.add_dock(
            "forecastDock",
            lambda: self.tr("Forecast"),
            self.forecast_panel,
            left,
            owner=OWNER,
            tab_with="heatDock",
        )
        self.patrol_dock = window.add_dock(
            "patrolDock",
            lambda: self.tr("Patrol focus"),
            self.patrol_panel,
            right,
            owner=OWNER,
            tab_with="incidentDock",
        )

        window.add_menu("analysis", lambda: self.tr("&Analysis"), owner=OWNER, before="language")
        self.hotspots_action = window.add_action(
            "analysis",
            "findHotspots",
            lambda: self.tr("Find &hot spots of the heatmap filter"),
            self.find_hotspots,
            owner=OWNER,
        )
        self.forecast_action = window.add_action(
            "analysis",
            "forecast24h",
            lambda: self.tr("&Forecast the next 24 hours"),
            lambda: self.show_forecast("24h"),
            owner=OWNER,
        )
        self.patrol_action = window.add_action(
            "analysis",
            "patrolFocus",
            lambda: self.tr("&Patrol focus for the next shift"),
            self.show_patrol_focus,
            owner=OWNER,
        )

        self.hotspot_panel.hotspotsLoaded.connect(self._on_hotspots)
        self.hotspot_panel.hotspotActivated.connect(self.zoom_to_hotspot)
        self.forecast_panel.periodChanged.connect(self._on_period)
        self.patrol_panel.focusLoaded.connect(self._on_focus)
        self.patrol_panel.listChanged.connect(self._update_marks)
        self.patrol_panel.pointActivated.connect(self.zoom_to_point)
        self.patrol_panel.postRequested.connect(self.post_patrol_point)

    # ------------------------------------------------------------------ menu

    def _front(self, dock_key: str) -> None:
        dock = self.window.dock(dock_key)
        dock.show()
        dock.raise_()

    def find_hotspots(self) -> None:
        """Analysis > Find hot spots: the dock in front, searching the heat filter's calls."""
        self._front("hotspotDock")
        self.hotspot_panel.request()

    def show_forecast(self, horizon: str) -> None:
        """Analysis > Forecast: the dock in front, forecasting ``horizon`` from now."""
        self._front("forecastDock")
        self.forecast_panel.set_horizon(horizon)
        self.forecast_panel.request()

    def show_patrol_focus(self) -> None:
        """Analysis > Patrol focus: the dock in front and the next shift's surface on the map."""
        self._front("patrolDock")
        self.patrol_panel.request()
        self.forecast_panel.set_horizon("shift")
        self.forecast_panel.request()

    # ------------------------------------------------------------------ hot spots

    def _on_hotspots(self, res: HotSpotsReply) -> None:
        self.hotspots.set_spots(res.hotspots)
        self.window.set_layer_visible("hotspots", True)
        self.map.refresh_legend("hotspots")

    def zoom_to_hotspot(self, rank: int) -> None:
        """Frame one hot spot on the map and highlight it."""
        h = self.hotspots.spot(rank)
        self.hotspots.select(rank)
        if not self.window.is_layer_visible("hotspots"):
            self.window.set_layer_visible("hotspots", True)
        zoom_to_box(self.map, h["bbox"])

    # ------------------------------------------------------------------ forecast

    def _on_period(self) -> None:
        fc = self.forecast_panel.forecast
        if fc is None:
            return
        surface, top = self.forecast_panel.period_surface()
        first = self.forecast_image.bbox is None
        self.forecast_image.set_surface(surface, fc.bbox, top)
        self.map.legend.widget_of("forecast", ForecastBar).set_max(top)
        if first:
            self.window.set_layer_visible("forecast", True)
        self.map.refresh_legend("forecast")

    # ------------------------------------------------------------------ patrol focus

    def _on_focus(self, _result: dict[str, Any]) -> None:
        self._update_marks()
        self.window.set_layer_visible("forecast", True)
        self.map.refresh_legend("forecast")

    def _update_marks(self) -> None:
        p = self.patrol_panel
        self.patrol_points.set_marks(
            [
                PatrolMark(x.lon, x.lat, x.rank, x.area_code, p.posted_incident(x) is not None)
                for x in p.points()
            ]
        )

    def zoom_to_point(self, point: FocusPoint) -> None:
        """Centre the map on a patrol point and mark it."""
        self.patrol_points.select(point.area_code, point.rank)
        self.map.zoom_to(point.lon, point.lat, 2.0 * float(self.patrol_radius()))

    def patrol_radius(self) -> float:
        res = self.patrol_panel.result or {}
        return float(res.get("radius_m", 300.0))

    def post_patrol_point(self, point: FocusPoint) -> None:
        """Register a patrol incident at the point: the plan, approval and order follow."""
        address = (
            self.tr("%1, patrol point %2")
            .replace("%1", point.area_name)
            .replace("%2", str(point.rank))
        )
        text = (
            self.tr("Forecast patrol focus: %1 calls expected within %2 m during the shift")
            .replace("%1", f"{point.expected:.1f}")
            .replace("%2", f"{self.patrol_radius():g}")
        )
        cmd = CreateIncident(
            incident_type=PATROL_TYPE,
            lon=point.lon,
            lat=point.lat,
            address=address,
            description=text,
            source="forecast",
        )
        self.window.bridge.call(cmd, lambda r: self._on_posted(r, point))

    def _on_posted(self, reply: Reply, point: FocusPoint) -> None:
        if not reply.ok or not isinstance(reply.result, dict):
            error = reply.error or "no incident id in the reply"
            self.patrol_panel.post_failed(error)
            self.window.statusBar().showMessage(
                self.tr("The patrol point was not posted: %1").replace("%1", error), 15000
            )
            return
        iid = int(reply.result["incident_id"])
        self.posted.append(iid)
        workflow = getattr(self.window, "workflow", None)
        if workflow is not None:  # open the plan review, as for a call registered here
            workflow.created_here.add(iid)
            workflow.request_plan(iid, quiet=True)
        self.window.statusBar().showMessage(
            self.tr("Patrol point %1 of %2 posted as incident #%3; the plan follows")
            .replace("%1", str(point.rank))
            .replace("%2", point.area_name)
            .replace("%3", str(iid)),
            15000,
        )


def install_forecast_tools(window: MainWindow) -> ForecastTools:
    """Add the hot-spot, forecast and patrol-focus docks, the Analysis menu and the two map
    layers' data to ``window``; returns the owner (a second call returns the same one)."""
    existing = getattr(window, "forecast_tools", None)
    if isinstance(existing, ForecastTools):
        return existing
    return ForecastTools(window)
