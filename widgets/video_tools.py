"""The video wall added to a main window from outside (issue 19).

``install_video_tools(window)`` is the one call ``MainWindow`` needs.  It docks the
wall (tiles of the cameras in ``config/cameras.toml``, one large on click, the hub's
camera detections with thumbnails) and adds Video > Start cameras.  Starting runs one
worker process per camera (:class:`~console.video.hubfeed.CameraFeed`) feeding the
window's in-process hub as each camera's own role; the wall listens to the same feed.
The detection list comes from the hub (``GetCameraIncidents``), refreshed when a camera
incident changes; clicking one shows its incident.  ``Confirm`` / ``False alarm`` send
``ConfirmCameraIncident`` / ``DismissCameraIncident`` for the selected detection.

On a workstation of a stand-alone hub the cameras run on the hub's machine: while the
wall is shown, :class:`~console.video.watch.PreviewWatch` leases their live previews
(``WatchCameras``, renewed) and feeds the same tiles, with the hub's own camera list;
hiding the wall ends the watch.  With the hub in the workstation's own child process
(``window.hub_process``), Start cameras asks that process to run them
(:meth:`~console.workstation.hubchild.HubChild.start_cameras`, on a worker thread: the
workers take seconds to start) and the wall then watches them the same way, over ``ipc://``.
"""

from __future__ import annotations

import contextlib
import logging
import threading
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QObject, Qt, Signal
from PySide6.QtWidgets import QHBoxLayout, QInputDialog, QPushButton, QVBoxLayout, QWidget

from console.hub.messages import Event, IncidentChanged, Reply, Snapshot
from console.hub.messages_sensing import (
    ConfirmCameraIncident,
    DismissCameraIncident,
    GetCameraIncidents,
)
from console.link.remote import RemoteClient
from console.video.config import Camera, CameraConfigError, CameraFile, load_cameras
from console.video.hubfeed import CameraFeed, feed_for_hub
from console.video.watch import PreviewWatch
from console.video.worker import WorkerOptions
from widgets.video.wall import INCIDENT_ROLE, VideoWall

if TYPE_CHECKING:
    from console.workstation.hubchild import HubChild
    from widgets.main_window import MainWindow

log = logging.getLogger(__name__)

OWNER = "video tools"
WATCH_LEASE_S = 30.0
"""A remote wall's lease on the live previews (renewed every half lease while shown)."""


class VideoTools(QObject):
    """Owns the video wall dock of one window and, once started, the camera feed."""

    _remote_cameras = Signal(object)  # the hub's cameras (from the watch's thread)
    _remote_refused = Signal(str)
    _child_started = Signal(object)  # the camera ids the hub process started
    _child_failed = Signal(str)

    def __init__(self, window: MainWindow, cameras: CameraFile | None = None) -> None:
        super().__init__(window)
        self.window = window
        if cameras is None:
            try:
                cameras = load_cameras()
            except CameraConfigError as exc:
                log.error("video wall without cameras: %s", exc)
                cameras = CameraFile(path="", cameras=[], evidence=_default_policy())
        self.cameras = cameras
        self.feed: CameraFeed | None = None
        self.watch: PreviewWatch | None = None
        self._remove_listener: Any = None
        host = QWidget(window)
        lay = QVBoxLayout(host)
        lay.setContentsMargins(0, 0, 0, 0)
        self.wall = VideoWall(cameras.cameras, host)
        lay.addWidget(self.wall, 1)
        buttons = QHBoxLayout()
        self.confirm_button = QPushButton(self.tr("Confirm"), host)
        self.dismiss_button = QPushButton(self.tr("False alarm"), host)
        self.confirm_button.clicked.connect(lambda: self.decide(True))
        self.dismiss_button.clicked.connect(lambda: self.decide(False))
        buttons.addStretch(1)
        buttons.addWidget(self.confirm_button)
        buttons.addWidget(self.dismiss_button)
        lay.addLayout(buttons)
        self.dock = window.add_dock(
            "videoWallDock",
            lambda: self.tr("Video wall"),
            host,
            Qt.DockWidgetArea.RightDockWidgetArea,
            owner=OWNER,
            scroll=False,
        )
        # closed at first: the wall wants room (about 700 px) that the map needs more on
        # a workstation without cameras; Video > Video wall or a started camera opens it,
        # and a layout saved with it open brings it back
        self.dock.hide()
        try:
            window.menu("video")
        except KeyError:
            window.add_menu("video", lambda: self.tr("&Video"), owner=OWNER)
        self.start_action = window.add_action(
            "video", "startCameras", lambda: self.tr("&Start cameras"), self.start, owner=OWNER
        )
        window.add_action(
            "video", "showVideoWall", lambda: self.tr("Video &wall"), self.show_wall, owner=OWNER
        )
        self.wall.incidentActivated.connect(self.open_incident)
        window.bridge.event.connect(self._on_event)
        window.loaded.connect(self.refresh)
        self._remote_cameras.connect(self._on_remote_cameras)
        self._remote_refused.connect(self._on_remote_refused)
        self._child_started.connect(self._on_child_started)
        self._child_failed.connect(self._on_child_failed)
        self.child_cameras: list[str] | None = None
        """The cameras the workstation's hub process runs (None: not asked to)."""
        self.dock.visibilityChanged.connect(self._wall_visible)
        window.loaded.connect(lambda: self._wall_visible(self.dock.isVisible()))
        decoder = self.wall.decoder
        window.destroyed.connect(lambda *_: decoder.close())
        window.destroyed.connect(lambda *_: self.unwatch())

    # ------------------------------------------------------------------ cameras

    def start(self, options: WorkerOptions | None = None) -> CameraFeed | None:
        """Start the cameras into the window's in-process hub (None: a remote hub, whose
        own machine runs its cameras, or no cameras)."""
        if self.feed is not None:
            return self.feed
        hub = getattr(self.window.bridge.client, "hub", None)
        child = self.window.hub_process
        if hub is None and child is not None and self.cameras.cameras:
            self._start_in_child(child)
            return None
        if hub is None or not self.cameras.cameras:
            self.window.statusBar().showMessage(
                self.tr("Cameras run on the hub's machine; this wall shows their detections"),
                10000,
            )
            return None
        self.attach(feed_for_hub(hub, self.cameras, options=options).start())
        return self.feed

    def _start_in_child(self, child: HubChild) -> None:
        """Ask the workstation's hub process to run the cameras (answer on a worker)."""
        if self.child_cameras is not None:
            self.show_wall()
            return
        self.start_action.setEnabled(False)
        self.window.statusBar().showMessage(self.tr("Starting the cameras…"), 10000)
        path = self.cameras.path

        def ask() -> None:
            try:
                ids = child.start_cameras(path)
            except Exception as exc:  # HubChildError names why
                self._emit(self._child_failed, str(exc))
            else:
                self._emit(self._child_started, ids)

        threading.Thread(target=ask, name="cameras-start", daemon=True).start()

    def _emit(self, signal: Any, *args: object) -> None:
        with contextlib.suppress(RuntimeError):  # the window closed meanwhile
            signal.emit(*args)

    def _on_child_started(self, ids: list[str]) -> None:
        if not ids:
            self.start_action.setEnabled(True)
            self.window.statusBar().showMessage(
                self.tr("No camera of this camera file belongs to the district"), 10000
            )
            return
        self.child_cameras = list(ids)
        self.unwatch()  # a watch from before the start was refused: watch afresh
        self.show_wall()
        self._wall_visible(self.dock.isVisible())

    def _on_child_failed(self, error: str) -> None:
        self.start_action.setEnabled(True)
        self.window.statusBar().showMessage(
            self.tr("The cameras did not start: %1").replace("%1", error), 15000
        )

    def set_cameras(self, cameras: CameraFile) -> bool:
        """Another camera file for the wall (and for Start cameras); False while cameras
        run (stop them first)."""
        if self.feed is not None:
            return False
        self.cameras = cameras
        self.wall.set_cameras(cameras.cameras)
        return True

    def attach(self, feed: CameraFeed) -> None:
        """Show ``feed``'s cameras on the wall (the feed is stopped with the window): only
        those the hub took, so a camera of another district shows no idle tile."""
        if list(self.wall.tiles) != [c.id for c in feed.cameras.cameras]:
            self.set_cameras(feed.cameras)
        self.feed = feed
        self._remove_listener = feed.add_listener(self.wall.take_record)
        self.show_wall()
        self.start_action.setEnabled(False)
        self.window.destroyed.connect(lambda *_: self.stop())

    def stop(self) -> None:
        feed, self.feed = self.feed, None
        if self._remove_listener is not None:
            self._remove_listener()
            self._remove_listener = None
        if feed is not None:
            feed.stop()

    def show_wall(self) -> None:
        self.dock.show()
        self.dock.raise_()

    # ------------------------------------------------------------------ remote hub

    def _wall_visible(self, visible: bool) -> None:
        """A remote seat watches its hub's cameras while the wall is shown, and only then."""
        client = self.window.bridge.client
        if not visible:
            self.unwatch()
        elif self.watch is None and isinstance(client, RemoteClient) and client.token:
            self.watch = PreviewWatch(
                client,
                self.wall.take_record,
                lease_s=WATCH_LEASE_S,
                on_cameras=self._remote_cameras.emit,
                on_refused=self._remote_refused.emit,
            )
            self.watch.start()

    def unwatch(self) -> None:
        """End the live previews from a remote hub (the hub stops sending at once)."""
        watch, self.watch = self.watch, None
        if watch is not None:
            watch.stop()

    def _on_remote_cameras(self, cameras: list[Camera]) -> None:
        if list(self.wall.tiles) != [c.id for c in cameras]:
            self.wall.set_cameras(cameras)

    def _on_remote_refused(self, error: str) -> None:
        self.window.statusBar().showMessage(
            self.tr("No live camera pictures from the hub: %1").replace("%1", error), 10000
        )

    # ------------------------------------------------------------------ hub

    def refresh(self) -> None:
        """Ask the hub for the newest camera incidents."""
        self.window.bridge.call(GetCameraIncidents(limit=30), self._on_incidents)

    def _on_incidents(self, reply: Reply) -> None:
        if not reply.ok or not isinstance(reply.result, list):
            log.warning("camera detections not loaded: %s", reply.error)
            return
        self.wall.set_detections([dict(r) for r in reply.result])

    def _on_event(self, ev: Event) -> None:
        camera = isinstance(ev, IncidentChanged) and ev.incident.source == "camera"
        if camera or isinstance(ev, Snapshot):
            self.refresh()

    def open_incident(self, incident_id: int) -> None:
        """Show a detection's incident: selected in the list, the map on it."""
        workflow = getattr(self.window, "workflow", None)
        if workflow is not None:
            workflow.show_incident(incident_id)
        else:
            self.window.incident_panel.select_incident(incident_id)

    def selected_incident(self) -> int | None:
        item = self.wall.detections.currentItem()
        return None if item is None else int(item.data(INCIDENT_ROLE))

    def decide(self, confirm: bool, reason: str | None = None) -> None:
        """Confirm or dismiss the selected camera incident."""
        iid = self.selected_incident()
        if iid is None:
            return
        if confirm:
            self.window.bridge.call(ConfirmCameraIncident(incident_id=iid), self._decided)
            return
        if reason is None:
            reason, ok = QInputDialog.getText(
                self.window, self.tr("False alarm"), self.tr("What did the camera see?")
            )
            if not ok:
                return
        cmd = DismissCameraIncident(incident_id=iid, reason=reason)
        self.window.bridge.call(cmd, self._decided)

    def _decided(self, reply: Reply) -> None:
        if not reply.ok:
            self.window.statusBar().showMessage(reply.error, 10000)
        self.refresh()


def _default_policy() -> Any:
    from console.video.config import EvidencePolicy

    return EvidencePolicy()


def install_video_tools(window: MainWindow, cameras: CameraFile | None = None) -> VideoTools:
    """Add the video wall to ``window``; returns the owner (a second call returns the
    same one, showing ``cameras`` if given and none run yet).  ``cameras``: another
    camera file than ``config/cameras.toml``."""
    existing = getattr(window, "video_tools", None)
    if isinstance(existing, VideoTools):
        if cameras is not None:
            existing.set_cameras(cameras)
        return existing
    return VideoTools(window, cameras)


__all__ = ["VideoTools", "install_video_tools"]
