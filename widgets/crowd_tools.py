"""Crowd places added to a main window from outside: the chart dock, the map's crowd layer
and its time slider, and the crowd-crush run card from a crowd warning.

``install_crowd_tools(window)`` is the one call ``MainWindow`` needs (after the
forecast tools, whose Analysis menu it adds to, and before the saved layout is
restored).  It docks the crowd chart behind the alerts at the bottom (its own tab),
fills the map's
"crowd" layer (registered in :mod:`widgets.map.layers.registry`) and keeps both
current from the hub's ``CrowdForecast`` events: the places once
(``GetCrowdPlaces``), the newest forecasts on load and after every resync
(``GetCrowd``), then each event as it comes.  The dock's slider picks the hour the map
colours the places for.  A crowd warning's button in the alerts dock sends
``RaiseCrowdIncident``; the incident's plan review then opens as for a call
registered here.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any

import msgspec
from PySide6.QtCore import QObject, Qt

from console.hub.messages import CrowdForecast, Event, GetCrowd, GetCrowdPlaces, Reply, Snapshot
from widgets.map.layers.crowd import CrowdPlacesItem, CrowdSeries, crowd_item
from widgets.panels.crowd_panel import CrowdPanel

if TYPE_CHECKING:
    from widgets.main_window import MainWindow

log = logging.getLogger(__name__)

OWNER = "crowd tools"
ZOOM_M = 700.0


class CrowdTools(QObject):
    """Owns the crowd dock of one window and feeds the map's crowd layer."""

    def __init__(self, window: MainWindow) -> None:
        super().__init__(window)
        self.window = window
        self.item: CrowdPlacesItem = crowd_item(window.map)
        self.panel = CrowdPanel(window)
        self.places: list[dict[str, Any]] = []
        self.raised: list[int] = []  # incidents opened here from crowd warnings
        bottom = Qt.DockWidgetArea.BottomDockWidgetArea
        try:
            self.dock = window.add_dock(
                "crowdDock",
                lambda: self.tr("Crowd forecast"),
                self.panel,
                bottom,
                owner=OWNER,
                tab_with="alertsDock",  # the alerts stay in front; a side by side split
                scroll=False,  # would make a small window too wide for both
            )
        except KeyError:  # a window without the workflow's alerts dock
            self.dock = window.add_dock(
                "crowdDock", lambda: self.tr("Crowd forecast"), self.panel, bottom, owner=OWNER
            )
        try:
            window.menu("analysis")
        except KeyError:
            window.add_menu("analysis", lambda: self.tr("&Analysis"), owner=OWNER)
        self.action = window.add_action(
            "analysis",
            "crowdForecast",
            lambda: self.tr("&Crowd forecast of the busy places"),
            self.show_crowd,
            owner=OWNER,
        )
        window.bridge.event.connect(self._on_event)
        self.panel.timeChanged.connect(self._on_time)
        board = getattr(getattr(window, "workflow", None), "alerts_board", None)
        if board is not None:
            board.crowdIncidentRaised.connect(self._on_raised)
        window.loaded.connect(self.request)

    # ------------------------------------------------------------------ hub

    def request(self) -> None:
        """Ask the hub for the places and their newest forecasts."""
        self.window.bridge.call(GetCrowdPlaces(), self._on_places)
        self.window.bridge.call(GetCrowd(), self._on_crowd)

    def _on_places(self, reply: Reply) -> None:
        if not reply.ok or not isinstance(reply.result, dict):
            log.warning("crowd places not loaded: %s", reply.error)
            return
        res = reply.result
        self.places = [dict(p) for p in res.get("places", [])]
        self.panel.set_places(self.places, str(res.get("note", "")), str(res.get("note_en", "")))
        self.item.set_places(self.places)
        self.window.map.refresh_legend("crowd")

    def _on_crowd(self, reply: Reply) -> None:
        if not reply.ok or not isinstance(reply.result, dict):
            log.warning("crowd forecasts not loaded: %s", reply.error)
            return
        for f in reply.result.get("forecasts", []):
            try:
                self.take(f if isinstance(f, CrowdForecast) else msgspec.convert(f, CrowdForecast))
            except (msgspec.ValidationError, TypeError) as exc:
                log.warning("a crowd forecast could not be read: %s", exc)

    def _on_event(self, ev: Event) -> None:
        if isinstance(ev, CrowdForecast):
            self.take(ev)
        elif isinstance(ev, Snapshot) and self.places:  # a resync: the forecasts again
            self.window.bridge.call(GetCrowd(), self._on_crowd)

    def take(self, ev: CrowdForecast) -> None:
        """Show a place's newest forecast in the chart and on the map."""
        try:
            s = CrowdSeries.of(ev)
        except ValueError as exc:
            log.warning("%s", exc)
            return
        self.panel.set_series(s)
        self.item.set_series(s)
        self.item.set_time(self.panel.slider_time(), self.panel.now())
        self.window.map.refresh_legend("crowd")

    # ------------------------------------------------------------------ window

    def show_crowd(self) -> None:
        """Analysis > Crowd forecast: the dock in front and the layer on."""
        self.dock.show()
        self.dock.raise_()
        self.window.set_layer_visible("crowd", True)
        if not self.places:
            self.request()

    def zoom_to_place(self, code: str) -> None:
        """Centre the map on a place and show it in the chart."""
        for p in self.places:
            if p["code"] == code:
                self.panel.select_place(code)
                lon, lat = p["centre"]
                self.window.map.zoom_to(float(lon), float(lat), ZOOM_M)
                return
        raise KeyError(f"no crowd place {code!r}")

    def _on_time(self, t: float) -> None:
        self.item.set_time(t, self.panel.now())
        self.window.map.refresh_legend("crowd")

    def _on_raised(self, _alert_id: int, incident_id: int) -> None:
        self.raised.append(incident_id)
        workflow = getattr(self.window, "workflow", None)
        if workflow is not None:  # open the plan review, as for a call registered here
            workflow.created_here.add(incident_id)
            workflow.request_plan(incident_id, quiet=True)
        self.window.statusBar().showMessage(
            self.tr("Crowd-crush incident #%1 opened; the plan follows").replace(
                "%1", str(incident_id)
            ),
            15000,
        )


def install_crowd_tools(window: MainWindow) -> CrowdTools:
    """Add the crowd dock and the map layer's data to ``window``; returns the owner (a
    second call returns the same one)."""
    existing = getattr(window, "crowd_tools", None)
    if isinstance(existing, CrowdTools):
        return existing
    return CrowdTools(window)
