"""A camera's evidence is among the incident's photos: ``GetAttachments`` lists the snapshot
and the clip of the incident a camera raised (no unit, its camera named), ``GetAttachment``
hands them over in full, the incident record lists them, and they sit next to an
officer's photo of the same incident.  A hub takes only the cameras of its own district."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import cv2
import numpy as np
import pytest

from console.demo.district import DISTRICT_CODE
from console.hub.hub import CommandHub
from console.hub.messages_sensing import CameraReport
from console.hub.messages_shift import GetIncidentRecord
from console.hub.messaging import GetAttachment, GetAttachments
from console.store.district_repo import UnitRepo
from console.store.models_trust import PhotoBlobRow, PhotoRow
from console.video.config import parse_cameras
from tests.conftest import FrozenClock
from tests.hub.test_sensing import CAMERAS, _camera, _mp4, _ok, _send, _throw


@pytest.fixture
def hub(hub_factory: Any, frozen_clock: FrozenClock) -> CommandHub:
    h: CommandHub = hub_factory(clock=frozen_clock)
    h.sensing.set_cameras(parse_cameras(CAMERAS))
    return h


def _officer_photo(hub: CommandHub, iid: int, at: float) -> None:
    """A photo filed as a terminal files one (its own row with a unit)."""
    data = _throw("x", shade=40).photo
    import hashlib

    sha = hashlib.sha256(data).hexdigest()
    with hub.store.transaction() as s:
        unit_id = next(iter(UnitRepo(s).ids_by_call_sign().values()))
        s.add(
            PhotoBlobRow(sha256=sha, mime="image/jpeg", size=len(data), width=320, height=240,
                         data=data, thumb=data, created_at=at)
        )  # fmt: skip
        s.add(
            PhotoRow(sha256=sha, incident_id=iid, unit_id=unit_id, terminal_key="k" * 40,
                     size=len(data), created_at=at)
        )  # fmt: skip


def test_a_camera_incident_s_snapshot_and_clip_are_its_attachments(
    hub: CommandHub, frozen_clock: FrozenClock, tmp_path: Path
) -> None:
    iid = _ok(_camera(hub, _throw("tower-throw-1")))["incident_id"]
    frozen_clock.advance(4)
    clip = _mp4(tmp_path)
    cr = CameraReport(camera_id="tower", kind="clip", event_id="tower-throw-1", photo=clip)
    _ok(_camera(hub, cr))
    frozen_clock.advance(60)
    _officer_photo(hub, iid, frozen_clock())

    items = _ok(_send(hub, GetAttachments(incident_id=iid)))
    assert [(a["kind"], a["camera_id"]) for a in items] == [
        ("photo", "tower"),
        ("video", "tower"),
        ("photo", ""),
    ]  # oldest first: the detection, its clip, then the officer's photo
    snap, video, officer = items
    assert snap["call_sign"] == video["call_sign"] == "" and officer["call_sign"]
    assert snap["order_id"] is None and (snap["width"], snap["height"]) == (320, 240)
    thumb = cv2.imdecode(np.frombuffer(snap["thumb"], np.uint8), cv2.IMREAD_COLOR)
    assert thumb is not None and max(thumb.shape[:2]) == 160
    full = _ok(_send(hub, GetAttachment(attachment_id=snap["attachment_id"])))
    assert full["data"] == _throw("tower-throw-1").photo and full["camera_id"] == "tower"
    got = _ok(_send(hub, GetAttachment(attachment_id=video["attachment_id"])))
    assert got["data"] == clip and got["mime"] == "video/mp4"

    # a merged detection brings its own snapshot; a resend files nothing twice
    frozen_clock.advance(10)
    _ok(_camera(hub, _throw("tower-throw-2", shade=150)))
    _ok(_camera(hub, _throw("tower-throw-2", shade=150)))
    assert len(_ok(_send(hub, GetAttachments(incident_id=iid)))) == 4

    record = _ok(_send(hub, GetIncidentRecord(incident_id=iid)))
    cams = [p["camera_id"] for p in record["photos"]]
    assert cams.count("tower") == 3 and cams.count("") == 1


def test_a_hub_takes_only_the_cameras_of_its_district(
    hub_factory: Any, caplog: pytest.LogCaptureFixture
) -> None:
    hub: CommandHub = hub_factory()
    far = CAMERAS + (
        '\n[cameras.far]\nname = "Portland"\nsource = "far.mp4"\nlon = -122.679\nlat = 45.519\n'
        "walkable = [[0, 100], [640, 100], [640, 480], [0, 480]]\ncapacity = 100\n"
        "person_height_px = [20, 60]\n"
    )
    taken = hub.sensing.set_cameras(parse_cameras(far))
    assert [c.id for c in taken.cameras] == ["tower", "square"]
    assert "camera 'far' (Portland) stands outside district" in caplog.text
    alarm = CameraReport(camera_id="far", kind="crowd", event_id="far-1", level="alarm",
                         count=150.0, capacity=100)  # fmt: skip
    refused = _camera(hub, alarm, camera="far")
    assert not refused.ok and "unknown camera 'far'" in refused.error

    other = hub.sensing.set_cameras(parse_cameras('district = "portland_nij"\n' + CAMERAS))
    assert other.cameras == [] and hub.sensing.cameras == {}
    assert f"not of '{DISTRICT_CODE}': all left out (tower, square)" in caplog.text
