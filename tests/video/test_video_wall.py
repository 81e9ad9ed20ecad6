"""The video wall and the hub feed with real records, a real hub and a real window: a camera
that is down says so on its tile, previews are decoded off the GUI thread, the feed sends a
throw, its clip and a minute's mean count as camera reports, and the wall's buttons confirm
or dismiss the selected camera incident."""

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
from console.hub.messages_sensing import CameraReport, GetCameraIncidents
from console.video.config import parse_cameras
from console.video.hubfeed import HubFeed, hub_sender
from console.video.records import CameraState, CrowdCount, Detection, EvidenceReady, Preview
from widgets.bridge import HubBridge
from widgets.main_window import MainWindow
from widgets.video_tools import install_video_tools

CAMERAS = """
[cameras.tower]
name = "12号楼"
source = "tower.mp4"
lon = 121.4952
lat = 31.2189
frame_size = [640, 480]
facade = [[10, 10], [600, 10], [600, 400], [10, 400]]
metres_per_pixel = 0.1

[cameras.gate]
name = "小南门"
source = "rtsp://192.0.2.1/x"
lon = 121.4903
lat = 31.2389
walkable = [[0, 100], [640, 100], [640, 480], [0, 480]]
capacity = 100
person_height_px = [20, 60]
crowd_place = "bund"
"""


def _jpeg(w: int = 320, h: int = 240) -> bytes:
    return cv2.imencode(".jpg", np.full((h, w, 3), 120, np.uint8))[1].tobytes()


def _detection(snapshot: str) -> Detection:
    return Detection(
        camera_id="tower", event_id="tower-throw-1000-1", t=3.4, frame=34, wall_t=1.0,
        release=(300.0, 120.0), floor=6, height_m=16.0, accel_m_s2=9.7, fall_m=15.0,
        track=[(3.5, 300.0, 125.0), (3.6, 301.0, 140.0)], lon=121.4952, lat=31.2189,
        snapshot=snapshot,
    )  # fmt: skip


def test_the_feed_turns_records_into_camera_reports(tmp_path: Path) -> None:
    sent: list[CameraReport] = []
    now = [0.0]
    feed = HubFeed(sent.append, inline=True, count_every_s=60.0, clock=lambda: now[0])
    snap = tmp_path / "s.jpg"
    snap.write_bytes(_jpeg())
    feed(_detection(str(snap)))
    feed(EvidenceReady(camera_id="tower", event_id="tower-throw-1000-1", snapshot=str(snap),
                       clip=str(snap), t0=0.0, t1=6.0))  # fmt: skip
    for k, c in enumerate((10.0, 20.0, 30.0, 40.0)):
        now[0] = 25.0 * k
        feed(CrowdCount(camera_id="gate", t=float(k), wall_t=float(k), count=c, raw=c,
                        capacity=100, share=c / 100, level="normal"))  # fmt: skip
    feed(Preview(camera_id="tower", t=1.0, jpeg=b"", width=1, height=1, scale=1.0))
    assert [r.kind for r in sent] == ["throw", "clip", "count"]
    throw, clip, count = sent
    assert throw.floor == 6 and throw.photo == snap.read_bytes() and not throw.path
    assert clip.event_id == throw.event_id
    assert count.count == 25.0  # the mean of every count, sent with the first one after 60 s


def test_the_wall_shows_a_camera_down_and_decides_camera_incidents(
    qtbot: Any, hub_factory: Callable[..., CommandHub], tmp_path: Path
) -> None:
    cams = parse_cameras(CAMERAS)
    hub = hub_factory()
    hub.sensing.set_cameras(cams, (tmp_path,))
    client = InprocClient(hub, actor="tester", role="operator", workstation="pytest")
    bridge = HubBridge(client)
    settings = QSettings(str(tmp_path / "w.ini"), QSettings.Format.IniFormat)
    window = MainWindow(bridge, hub.config, settings=settings)
    bridge.setParent(window)
    qtbot.addWidget(window)
    try:
        tools = install_video_tools(window, cams)
        window.show()
        window.start()
        qtbot.waitUntil(lambda: window.is_loaded, timeout=60_000)
        wall = tools.wall
        gate = wall.tiles["gate"]
        assert gate.state_text() == "not started"
        why = "cannot open rtsp://192.0.2.1/x"
        down = CameraState(camera_id="gate", t=1.0, state="down", reason=why, retry_in_s=4.0)
        wall.take_record(down)
        qtbot.waitUntil(lambda: gate.state is not None, timeout=10_000)
        assert "CAMERA DOWN" in gate.state_text() and "retry in 4 s" in gate.state_text()
        tracks = [[(10.0, 10.0), (12.0, 30.0)]]
        preview = Preview(camera_id="tower", t=1.0, jpeg=_jpeg(), width=320, height=240,
                          scale=0.5, tracks=tracks)  # fmt: skip
        wall.take_record(preview)
        tower = wall.tiles["tower"]
        qtbot.waitUntil(lambda: tower.image is not None, timeout=10_000)
        assert tower.frame_size() == (640.0, 480.0)
        assert wall.decoder.decoded_on == {"video-decoder"}
        img = tower.grab().toImage()
        assert not img.isNull()

        # a throw raised through the camera's own role, dismissed from the wall
        send = hub_sender(hub)
        snap = tmp_path / "a.jpg"
        snap.write_bytes(_jpeg())
        feed = HubFeed(send)
        feed(_detection(str(snap)))
        qtbot.waitUntil(lambda: wall.detections.count() == 1, timeout=20_000)
        wall.detections.setCurrentRow(0)
        tools.decide(False, reason="a pigeon")
        qtbot.waitUntil(lambda: "false alarm" in wall.detections.item(0).text(), timeout=20_000)
        env = Envelope(request_id=1, command=GetCameraIncidents(), actor="op", role="operator")
        (row,) = hub.handle(env).result
        assert row["decision"] == "dismissed" and row["status"] == "cancelled"
        assert any("tower" in (r["camera_id"]) for r in wall.rows)
    finally:
        bridge.close()
        window.close()
        client.close()
