"""End to end without the hub: camera worker processes turn a video with a throw into a
Detection with its snapshot and clip on disk, counts for a square, previews for the wall,
and a clear state for a camera that cannot work."""

from __future__ import annotations

import os
import signal
import threading
import time
from collections.abc import Callable
from pathlib import Path

import cv2
import numpy as np

from console.video.config import EvidencePolicy, parse_cameras
from console.video.records import (
    AnyRecord,
    CameraState,
    CrowdCount,
    Detection,
    EvidenceReady,
    Preview,
    WorkerStats,
)
from console.video.supervisor import CameraSupervisor
from console.video.worker import WorkerOptions
from tests.video.written import MjpegServer, WrittenScene


def _camera_file(throw: WrittenScene, square: WrittenScene, missing: Path) -> str:
    text = throw.camera.read_text().replace("[cameras.cam]", "[cameras.tower]")
    text += "\n" + square.camera.read_text().replace("[cameras.cam]", "[cameras.square]")
    broken = throw.camera.read_text().replace("[cameras.cam]", "[cameras.broken]")
    text += "\n" + broken.replace(str(throw.video), str(missing))
    return text


def test_workers_deliver_detections_evidence_counts_and_states(
    throw_video: WrittenScene, square_video: WrittenScene, tmp_path: Path
) -> None:
    cams = parse_cameras(_camera_file(throw_video, square_video, tmp_path / "gone.mp4"))
    got: list[AnyRecord] = []
    lock = threading.Lock()

    def on_record(r: AnyRecord) -> None:
        with lock:
            got.append(r)

    sup = CameraSupervisor(
        cams.cameras,
        EvidencePolicy(pre_s=2.0, post_s=2.0),
        tmp_path / "evidence",
        on_record,
        WorkerOptions(realtime_files=False, preview_hz=1.0, stats_every_s=0.5),
    ).start()
    try:
        end = time.monotonic() + 240
        while not sup.all_done() and time.monotonic() < end:
            time.sleep(0.1)
        assert sup.all_done()
    finally:
        sup.stop()
    with lock:
        recs = list(got)

    (det,) = [r for r in recs if isinstance(r, Detection)]
    (truth,) = throw_video.scene.labels.throws
    assert det.camera_id == "tower" and abs(det.t - truth.t) < 0.5 and det.floor == truth.floor
    assert (det.lon, det.lat) == (cams.get("tower").spec.lon, cams.get("tower").spec.lat)
    snap = cv2.imread(det.snapshot)
    assert snap is not None and snap.shape[:2] == (480, 640)
    (ready,) = [r for r in recs if isinstance(r, EvidenceReady)]
    assert ready.event_id == det.event_id and Path(ready.clip).stat().st_size > 1000
    assert ready.t0 <= det.t - 1.9 and ready.t1 >= det.t + 1.9
    event_json = Path(det.snapshot).with_suffix(".json")
    assert det.event_id in event_json.read_text()

    counts = [r for r in recs if isinstance(r, CrowdCount) and r.camera_id == "square"]
    assert len(counts) >= 8 and all(c.capacity > 0 and c.level for c in counts)

    previews = [r for r in recs if isinstance(r, Preview)]
    assert {p.camera_id for p in previews} >= {"tower", "square"}
    p = previews[-1]
    img = cv2.imdecode(np.frombuffer(p.jpeg, np.uint8), cv2.IMREAD_COLOR)
    assert img is not None and img.shape[1] == p.width == 320

    assert any(isinstance(r, WorkerStats) and r.frames_processed > 0 for r in recs)
    states = {cid: [r.state for r in recs if isinstance(r, CameraState) and r.camera_id == cid]
              for cid in ("tower", "broken")}  # fmt: skip
    assert states["tower"] == ["connecting", "live", "ended"]
    assert states["broken"][-1] == "failed"
    assert sup.states["broken"].reason.startswith("video file not found")
    assert sup.restarts("broken") == 0  # a missing file is not retried


def test_a_killed_worker_is_restarted_and_the_wall_hears_of_it(tmp_path: Path) -> None:
    server = MjpegServer()
    server.start()
    text = (
        f'[cameras.gate]\nname = "gate"\nsource = "http://127.0.0.1:{server.port}/v.mjpg"\n'
        "lon = 121.49\nlat = 31.23\nframe_size = [128, 96]\n"
        "walkable = [[0, 20], [128, 20], [128, 96], [0, 96]]\ncapacity = 10\n"
        "person_height_px = [10, 30]\n"
    )
    cams = parse_cameras(text)
    got: list[AnyRecord] = []
    lock = threading.Lock()

    def on_record(r: AnyRecord) -> None:
        with lock:
            got.append(r)

    def states() -> list[str]:
        with lock:
            return [r.state for r in got if isinstance(r, CameraState)]

    def wait(cond: Callable[[], bool]) -> bool:
        end = time.monotonic() + 120
        while time.monotonic() < end and not cond():
            time.sleep(0.05)
        return cond()

    sup = CameraSupervisor(cams.cameras, EvidencePolicy(), None, on_record).start()
    try:
        assert wait(lambda: "live" in states())
        pid = sup._slots["gate"].process.pid
        os.kill(pid, signal.SIGKILL)
        assert wait(lambda: "down" in states())
        assert "worker exited" in sup.states["gate"].reason
        assert wait(lambda: states().count("live") >= 2)
        assert sup.restarts("gate") == 1
        assert sup.alive() == ["gate"]
    finally:
        sup.stop()
        server.stop()
    assert sup.alive() == []
