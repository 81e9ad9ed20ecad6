"""End to end: a generated video with a throw, watched by a configured camera in its own
worker process, opens a machine-raised 高空抛物 incident in the hub's store with its
snapshot and clip, and the console shows it: the wall's tile, the detection with its
thumbnail, and a click on it selects the incident in the incident list."""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import cv2
import numpy as np
from PySide6.QtCore import QSettings

from console.hub.client import InprocClient
from console.hub.hub import CommandHub
from console.hub.messages import Envelope
from console.hub.messages_sensing import GetCameraEvidence
from console.video.config import parse_cameras
from console.video.hubfeed import feed_for_hub
from console.video.worker import WorkerOptions
from tests.video.written import WrittenScene
from widgets.bridge import HubBridge
from widgets.main_window import MainWindow
from widgets.video_tools import install_video_tools

WAIT_MS = 180_000


def _evidence(hub: CommandHub, iid: int, what: str) -> Any:
    env = Envelope(request_id=1, command=GetCameraEvidence(incident_id=iid, what=what),  # type: ignore[arg-type]
                   actor="op", role="operator")  # fmt: skip
    return hub.handle(env)


def test_a_throw_on_video_becomes_an_incident_with_evidence_shown_in_the_console(
    qtbot: Any,
    hub_factory: Callable[..., CommandHub],
    throw_video: WrittenScene,
    tmp_path: Path,
) -> None:
    text = throw_video.camera.read_text().replace("[cameras.cam]", "[cameras.tower_a]")
    cams = parse_cameras(text)
    hub = hub_factory()
    client = InprocClient(hub, actor="tester", role="operator", workstation="pytest")
    bridge = HubBridge(client)
    settings = QSettings(str(tmp_path / "w.ini"), QSettings.Format.IniFormat)
    window = MainWindow(bridge, hub.config, settings=settings)
    bridge.setParent(window)
    qtbot.addWidget(window)
    tools = install_video_tools(window, cams)
    window.show()
    window.start()
    qtbot.waitUntil(lambda: window.is_loaded, timeout=60_000)
    feed = feed_for_hub(
        hub,
        cams,
        tmp_path / "evidence",
        WorkerOptions(realtime_files=False, preview_hz=2.0, stats_every_s=1.0),
    )
    tools.attach(feed.start())
    try:

        def camera_incidents() -> list[Any]:
            return [s for s in hub.incidents.open_states() if s.source == "camera"]

        qtbot.waitUntil(lambda: len(camera_incidents()) == 1, timeout=WAIT_MS)
        (state,) = camera_incidents()
        assert state.incident_type == "thrown_object"
        assert (state.lon, state.lat) == (cams.cameras[0].spec.lon, cams.cameras[0].spec.lat)
        # the detection's line with its snapshot follows the intake on the hub thread
        qtbot.waitUntil(lambda: _evidence(hub, state.id, "snapshot").ok, timeout=30_000)
        snap = _evidence(hub, state.id, "snapshot")
        img = cv2.imdecode(np.frombuffer(snap.result["data"], np.uint8), cv2.IMREAD_COLOR)
        assert img is not None and img.shape[:2] == (480, 640)
        (truth,) = throw_video.scene.labels.throws
        assert f"floor {truth.floor}" in state_description(hub, state.id)
        # the clip follows once the worker has the post-roll (the file ends before that:
        # the worker writes what it has when the video ends)
        qtbot.waitUntil(lambda: feed.supervisor.all_done(), timeout=WAIT_MS)
        qtbot.waitUntil(lambda: _evidence(hub, state.id, "clip").ok, timeout=30_000)
        clip = _evidence(hub, state.id, "clip").result["data"]
        assert clip[4:8] == b"ftyp"

        # the console: the incident in its list, the detection on the wall with its thumbnail
        wall = tools.wall
        qtbot.waitUntil(lambda: wall.detections.count() == 1, timeout=30_000)
        item = wall.detections.item(0)
        qtbot.waitUntil(lambda: not item.icon().isNull(), timeout=30_000)
        assert f"#{state.id}" in item.text()
        tile = wall.tiles["tower_a"]
        assert tile.image is not None and tile.flash  # a preview and the throw on the tile
        assert wall.decoder.decoded_on == {"video-decoder"}  # never the GUI thread
        qtbot.waitUntil(
            lambda: state.id in {s.id for s in window.incident_panel.model.incidents()},
            timeout=30_000,
        )
        wall.detections.itemClicked.emit(item)
        assert window.incident_panel.selected_incident() == state.id
        wall.show_large("tower_a")
        assert wall.large_camera() == "tower_a"
    finally:
        tools.stop()
        bridge.close()
        window.close()
        client.close()


def state_description(hub: CommandHub, iid: int) -> str:
    """The incident's intake description, from its chronology's detection line."""
    lines = hub.incidents.chronology(iid)
    det = next(e for e in lines if e["kind"] == "camera_detection")
    return f"floor {det['detail']['floor']}"
