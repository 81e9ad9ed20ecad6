"""Cameras that raise incidents, in a real hub on a real store: a throw opens a machine-raised
高空抛物 incident with its snapshot and clip, repeated detections merge, the operator
confirms or dismisses, dismissals give the camera's false-alarm rate, and the camera role
may report and nothing else."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import cv2
import numpy as np
import pytest

from console.hub.hub import CommandHub
from console.hub.messages import Command, Envelope, GetSnapshot, GetStats, Reply
from console.hub.messages_sensing import (
    CameraReport,
    ConfirmCameraIncident,
    DismissCameraIncident,
    GetCameraEvidence,
    GetCameraIncidents,
    GetCameraStats,
)
from console.video.config import parse_cameras
from tests.conftest import FrozenClock

CAMERAS = """
[incidents]
throw_merge_s = 120
count_every_s = 60

[cameras.tower]
name = "复兴东路 12号楼"
source = "tower.mp4"
lon = 121.4952
lat = 31.2189
facade = [[10, 10], [600, 10], [600, 400], [10, 400]]
metres_per_pixel = 0.1

[cameras.square]
name = "外滩 陈毅广场"
source = "square.mp4"
lon = 121.4903
lat = 31.2389
walkable = [[0, 100], [640, 100], [640, 480], [0, 480]]
capacity = 100
person_height_px = [20, 60]
crowd_place = "bund"
"""


def _jpeg(shade: int) -> bytes:
    img = np.full((240, 320, 3), shade, np.uint8)
    cv2.putText(img, "THROW", (20, 120), cv2.FONT_HERSHEY_SIMPLEX, 2, (0, 0, 255), 3)
    return cv2.imencode(".jpg", img)[1].tobytes()


def _mp4(tmp: Path) -> bytes:
    path = tmp / "clip.mp4"
    out = cv2.VideoWriter(str(path), cv2.VideoWriter.fourcc(*"mp4v"), 10.0, (64, 48))
    for i in range(10):
        out.write(np.full((48, 64, 3), 20 * i, np.uint8))
    out.release()
    return path.read_bytes()


def _send(hub: CommandHub, cmd: Command, role: str = "operator", actor: str = "op1") -> Reply:
    return hub.handle(Envelope(request_id=1, command=cmd, actor=actor, role=role))


def _ok(reply: Reply) -> Any:
    assert reply.ok, reply.error
    return reply.result


def _throw(event: str, shade: int = 90, **kw: Any) -> CameraReport:
    return CameraReport(
        camera_id="tower", kind="throw", event_id=event, t=1.0, floor=5, height_m=14.0,
        release=[300.0, 120.0], photo=_jpeg(shade), **kw,
    )  # fmt: skip


def _camera(hub: CommandHub, cmd: Command, camera: str = "tower") -> Reply:
    return _send(hub, cmd, role="camera", actor=f"camera:{camera}")


@pytest.fixture
def hub(hub_factory: Any, frozen_clock: FrozenClock) -> CommandHub:
    h: CommandHub = hub_factory(clock=frozen_clock)
    h.sensing.set_cameras(parse_cameras(CAMERAS))
    return h


def test_a_throw_opens_a_machine_raised_incident_with_snapshot_and_clip(
    hub: CommandHub, tmp_path: Path
) -> None:
    res = _ok(_camera(hub, _throw("tower-throw-1")))
    iid = res["incident_id"]
    assert res["merged"] is False and res["detections"] == 1
    state = next(s for s in _ok(_send(hub, GetSnapshot())).incidents if s.id == iid)
    assert (state.incident_type, state.source) == ("thrown_object", "camera")
    assert (state.lon, state.lat) == (121.4952, 31.2189)
    snap = _ok(_send(hub, GetCameraEvidence(incident_id=iid)))
    img = cv2.imdecode(np.frombuffer(snap["data"], np.uint8), cv2.IMREAD_COLOR)
    assert snap["mime"] == "image/jpeg" and img is not None and img.shape[:2] == (240, 320)
    # no clip yet; it comes after the post-roll and is attached to the same incident
    assert not _send(hub, GetCameraEvidence(incident_id=iid, what="clip")).ok
    clip = _mp4(tmp_path)
    cr = CameraReport(camera_id="tower", kind="clip", event_id="tower-throw-1", photo=clip)
    assert _ok(_camera(hub, cr))["incident_id"] == iid
    got = _ok(_send(hub, GetCameraEvidence(incident_id=iid, what="clip")))
    assert got["data"] == clip and got["mime"] == "video/mp4"
    (row,) = _ok(_send(hub, GetCameraIncidents()))
    assert row["incident_id"] == iid and row["camera_id"] == "tower" and row["kind"] == "throw"
    thumb = cv2.imdecode(np.frombuffer(row["thumb"], np.uint8), cv2.IMREAD_COLOR)
    assert thumb is not None and max(thumb.shape[:2]) == 160
    kinds = [e["kind"] for e in hub.incidents.chronology(iid)]
    assert "intake" in kinds and "camera_detection" in kinds and "camera_clip" in kinds


def test_repeated_detections_merge_within_the_window_and_not_after(
    hub: CommandHub, frozen_clock: FrozenClock
) -> None:
    first = _ok(_camera(hub, _throw("e1")))["incident_id"]
    frozen_clock.advance(30)
    again = _ok(_camera(hub, _throw("e2", shade=120)))
    assert again == {"incident_id": first, "merged": True, "detections": 2}
    assert hub.incidents.state(first).calls == 2  # type: ignore[union-attr]
    # a resend of an event already on record changes nothing
    assert _ok(_camera(hub, _throw("e2")))["resent"] is True
    assert hub.incidents.state(first).calls == 2  # type: ignore[union-attr]
    second_snap = _ok(_send(hub, GetCameraEvidence(incident_id=first, index=1)))["data"]
    assert second_snap == _throw("e2", shade=120).photo
    frozen_clock.advance(121)  # past the window since the last detection: a new incident
    later = _ok(_camera(hub, _throw("e3")))
    assert later["incident_id"] != first and later["merged"] is False


def test_confirm_and_dismiss_give_the_false_alarm_rate(
    hub: CommandHub, frozen_clock: FrozenClock
) -> None:
    t0 = frozen_clock()
    ids = []
    for k in range(3):
        ids.append(_ok(_camera(hub, _throw(f"d{k}")))["incident_id"])
        frozen_clock.advance(200)
    assert len(set(ids)) == 3
    _ok(_send(hub, ConfirmCameraIncident(incident_id=ids[0], note="seen on the wall")))
    res = _ok(_send(hub, DismissCameraIncident(incident_id=ids[1], reason="a bird")))
    assert res["decision"] == "dismissed"
    assert not hub.incidents.is_open(ids[1]) and hub.incidents.is_open(ids[0])
    assert hub.incidents.status_of(ids[1]) == "cancelled"
    # decided once: neither can be decided again
    again = _send(hub, DismissCameraIncident(incident_id=ids[0], reason="x"))
    assert not again.ok and "already confirmed" in again.error
    (row,) = _ok(_send(hub, GetCameraStats(t0=t0, t1=frozen_clock() + 1)))
    assert row == {
        "camera": "tower", "name": "复兴东路 12号楼", "incidents": 3, "detections": 3,
        "confirmed": 1, "dismissed": 1,
        "undecided": 1, "false_alarm_rate": 0.5,
    }  # fmt: skip
    stats = _ok(_send(hub, GetStats(t0=t0, t1=frozen_clock() + 1)))
    assert stats["cameras"] == [row]
    listed = {r["incident_id"]: r["decision"] for r in _ok(_send(hub, GetCameraIncidents()))}
    assert listed == {ids[0]: "confirmed", ids[1]: "dismissed", ids[2]: ""}


def test_a_call_taker_incident_cannot_be_dismissed_as_a_camera_alarm(hub: CommandHub) -> None:
    from console.hub.messages import CreateIncident

    iid = _ok(_send(hub, CreateIncident(incident_type="fight", lon=121.4952, lat=31.2189)))[
        "incident_id"
    ]
    reply = _send(hub, DismissCameraIncident(incident_id=iid, reason="no"))
    assert not reply.ok and "not raised by a camera" in reply.error


def test_the_camera_role_may_report_and_nothing_else(hub: CommandHub) -> None:
    refused = _camera(hub, GetSnapshot())
    assert not refused.ok and "may not GetSnapshot" in refused.error
    for cmd in (
        ConfirmCameraIncident(incident_id=1),
        GetCameraIncidents(),
        GetStats(t0=0, t1=1),
    ):
        assert not _camera(hub, cmd).ok
    # operators may not pose as a camera
    posing = _send(hub, _throw("p1"))
    assert not posing.ok and "may not CameraReport" in posing.error
    # a camera reports for itself only, and only what it watches
    other = _camera(hub, _throw("p2"), camera="square")
    assert not other.ok and "may not report for camera 'tower'" in other.error
    crowd = CameraReport(camera_id="tower", kind="count", count=5)
    assert "counts no crowd" in _camera(hub, crowd).error
    unknown = CameraReport(camera_id="nowhere", kind="count", count=5)
    assert "unknown camera 'nowhere'" in _send(hub, unknown, "camera", "camera:nowhere").error
    bad = _camera(hub, CameraReport(camera_id="tower", kind="throw", event_id="b", photo=b"no"))
    assert not bad.ok and "not a readable JPEG" in bad.error
    assert _ok(_send(hub, GetCameraIncidents())) == []


def test_a_crowd_alarm_opens_a_crush_risk_incident_and_counts_feed_the_forecast(
    hub: CommandHub,
) -> None:
    alarm = CameraReport(
        camera_id="square", kind="crowd", event_id="sq-1", level="alarm", count=95,
        capacity=100, photo=_jpeg(60),
    )  # fmt: skip
    iid = _ok(_camera(hub, alarm, camera="square"))["incident_id"]
    state = hub.incidents.state(iid)
    assert state is not None and state.incident_type == "crowd_crush_risk"
    back = CameraReport(camera_id="square", kind="crowd", level="normal", count=40, capacity=100)
    assert _ok(_camera(hub, back, camera="square"))["incident_id"] == iid
    count = CameraReport(camera_id="square", kind="count", count=42.0)
    res = _ok(_camera(hub, count, camera="square"))
    assert res["place"] == "bund"
    place = hub.crowd.service.places["bund"]
    assert "camera:square" in place.minutes
