"""Messages from the command room to officers, and photos from the scene back, over real
sockets: delivered and read receipts through the message outbox, a hub restart in between,
and the incident's photos retrievable by the console."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import cv2
import msgspec
import numpy as np
import pytest

from console.hub.messaging import (
    WIRE_EVENT,
    GetAttachment,
    GetAttachments,
    GetMessages,
    SendMessage,
)
from console.link import protocol as p
from console.link.attachments import PhotoRefused
from console.link.clips import file_clip
from console.terminal.media import CLIP_MAX_S, transcode_clip
from tests.terminal.conftest import Loop, Terminal, wait_until


def _states(loop: Loop, incident_id: int) -> dict[str, str]:
    rows = loop.ok(GetMessages(incident_id=incident_id))
    return {r["call_sign"]: r["state"] for r in rows if r["direction"] == "out"}


def _unit_of_plan(loop: Loop) -> tuple[int, str, Terminal]:
    iid, plan = loop.knife_attack()
    cs = plan.body["slots"][0]["call_sign"]
    t = loop.terminal(cs)
    loop.approve(plan)
    assert wait_until(lambda: bool(t.of("order")))
    return iid, cs, t


def test_a_message_is_delivered_read_and_survives_a_hub_restart(loop: Loop) -> None:
    iid, cs, t = _unit_of_plan(loop)
    sent = loop.ok(SendMessage(text="嫌疑人身穿黑色外套，注意安全", to_unit=cs, incident_id=iid))
    assert sent["recipients"] == [cs] and sent["without_terminal"] == []
    assert wait_until(lambda: bool(t.of("message")))
    msg = t.of("message")[0]
    assert msg.text == "嫌疑人身穿黑色外套，注意安全" and msg.sender == "op"
    assert msg.incident_id == iid and msg.to == "unit"
    assert wait_until(lambda: _states(loop, iid) == {cs: "delivered"})
    t.client.read_message(msg.message_id).result(5)
    assert wait_until(lambda: _states(loop, iid) == {cs: "read"})

    # a second officer is off the air: the message waits in the outbox over a hub restart
    other = next(
        u.call_sign for u in loop.hub.district.units if u.call_sign != cs and u.station_code
    )
    key = loop.enroll(other)
    later = loop.ok(SendMessage(text="收到请回复", to_unit=other, incident_id=iid))
    assert later["recipients"] == [other]
    assert _states(loop, iid)[other] == "pending"
    loop.stop_hub()
    loop.start()
    late = loop.terminal(other, key)
    assert wait_until(lambda: bool(late.of("message")))
    assert [m.text for m in late.of("message")] == ["收到请回复"]
    assert wait_until(lambda: _states(loop, iid)[other] == "delivered")
    late.client.read_message(late.of("message")[0].message_id).result(5)
    assert wait_until(lambda: _states(loop, iid) == {cs: "read", other: "read"})
    # read once, shown once: the first terminal did not get anything twice
    assert len(t.of("message")) == 1


def test_a_station_message_names_the_units_without_a_terminal(loop: Loop) -> None:
    spec = next(u for u in loop.hub.district.units if u.station_code)
    mates = [u.call_sign for u in loop.hub.district.units if u.station_code == spec.station_code]
    assert len(mates) >= 2, "test setup: the demo station has several units"
    t = loop.terminal(spec.call_sign)
    res = loop.ok(SendMessage(text="全体注意：暴雨预警", to_station=str(spec.station_code)))
    assert res["recipients"] == [spec.call_sign]
    assert sorted(res["without_terminal"]) == sorted(set(mates) - {spec.call_sign})
    assert wait_until(lambda: [m.to for m in t.of("message")] == [f"station:{spec.station_code}"])
    for bad in (
        SendMessage(text="x"),
        SendMessage(text="x", to_unit="no-such-unit"),
        SendMessage(text="  ", to_unit=spec.call_sign),
        SendMessage(text="x", to_unit=spec.call_sign, to_station=str(spec.station_code)),
    ):
        r = loop.op.call(bad, timeout=30)
        assert not r.ok and r.error, bad


def _jpeg(w: int = 640, h: int = 480) -> bytes:
    img = np.zeros((h, w, 3), np.uint8)
    cv2.rectangle(img, (40, 40), (w - 40, h - 40), (0, 0, 255), 8)
    cv2.putText(img, "scene", (60, h // 2), cv2.FONT_HERSHEY_SIMPLEX, 3, (255, 255, 255), 5)
    ok, buf = cv2.imencode(".jpg", img, [cv2.IMWRITE_JPEG_QUALITY, 85])
    assert ok
    return buf.tobytes()


def test_a_photo_from_the_terminal_is_retrievable_by_incident(loop: Loop) -> None:
    iid, cs, t = _unit_of_plan(loop)
    oid = t.of("order")[0].order.order_id
    photo = _jpeg()
    mid = t.client.feedback("现场照片：伤者一名", oid, photo).result(5)
    assert wait_until(lambda: not t.client.is_unacked(mid)), "the hub never took the photo"
    items = loop.ok(GetAttachments(incident_id=iid))
    assert len(items) == 1
    a = items[0]
    assert (a["kind"], a["call_sign"], a["order_id"], a["width"], a["height"]) == (
        "photo",
        cs,
        oid,
        640,
        480,
    )
    thumb = cv2.imdecode(np.frombuffer(a["thumb"], np.uint8), cv2.IMREAD_COLOR)
    assert thumb is not None and max(thumb.shape[:2]) <= 160
    full = loop.ok(GetAttachment(attachment_id=a["attachment_id"]))
    assert full["data"] == photo and full["mime"] == "image/jpeg"
    inbound = [r for r in loop.ok(GetMessages(incident_id=iid)) if r["direction"] == "in"]
    assert [(r["call_sign"], r["text"], r["attachment_id"]) for r in inbound] == [
        (cs, "现场照片：伤者一名", a["attachment_id"])
    ]
    # the terminal lists its own report, no longer waiting for the network
    mine = [m for m in t.client.messages() if m.outgoing]
    assert [m.message.text for m in mine] == ["现场照片：伤者一名"] and mine[0].photo
    assert t.client.waiting_reports() == 0


def test_a_short_video_is_sent_small_with_its_still_and_filed_as_a_clip(
    loop: Loop, tmp_path: Path
) -> None:
    iid, cs, t = _unit_of_plan(loop)
    oid = t.of("order")[0].order.order_id
    src = tmp_path / "scene.mp4"
    w = cv2.VideoWriter(str(src), cv2.VideoWriter.fourcc(*"mp4v"), 30.0, (1280, 720))
    for k in range(12 * 30):  # 12 s of 720p: more than a clip may hold
        f = np.full((720, 1280, 3), 40, np.uint8)
        cv2.circle(f, (100 + 3 * k, 360), 80, (0, 0, 255), -1)
        w.write(f)
    w.release()
    clip, still = transcode_clip(src)
    assert len(clip.data) <= p.CLIP_LIMIT and clip.seconds <= CLIP_MAX_S
    assert len(still) <= p.POSTER_LIMIT
    mid = t.client.feedback("现场视频", oid, photo=still, clip=clip).result(5)
    assert wait_until(lambda: not t.client.is_unacked(mid))
    # the link files the still as a photo and the clip as a video of the same report
    assert wait_until(
        lambda: (
            sorted(a["kind"] for a in loop.ok(GetAttachments(incident_id=iid)))
            == ["photo", "video"]
        )
    )
    items = loop.ok(GetAttachments(incident_id=iid))
    video = next(a for a in items if a["kind"] == "video")
    assert (video["mime"], video["width"]) == ("video/mp4", 320)
    assert video["thumb"], "a clip's thumbnail is its still's"
    assert loop.ok(GetAttachment(attachment_id=video["attachment_id"]))["data"] == clip.data
    kinds = [r["attachment_kind"] for r in loop.ok(GetMessages(incident_id=iid))]
    assert kinds.count("video") == 1 and kinds.count("photo") == 1
    fb = p.Feedback(mid=mid, order_id=oid, text="现场视频", t=loop.clock(), photo=still, clip=clip)
    uid = loop.hub.incidents.unit_id_of(cs)
    assert uid is not None
    junk = msgspec.structs.replace(fb, clip=p.VideoClip(mime="video/mp4", data=b"junk", seconds=1))
    with pytest.raises(PhotoRefused, match="does not decode"):
        file_clip(loop.hub.store, uid, cs, junk, loop.clock())


@pytest.mark.skipif(
    not WIRE_EVENT, reason="MessageChanged is not one of the hub's wire events yet (messages.py)"
)
def test_delivery_and_reading_are_published_to_the_workstations(loop: Loop) -> None:
    iid, cs, t = _unit_of_plan(loop)
    seen: list[Any] = []
    loop.hub.subscribe(
        lambda ev: seen.append(ev) if type(ev).__name__ == "MessageChanged" else None
    )
    sent = loop.ok(SendMessage(text="收到请回复", to_unit=cs, incident_id=iid))
    assert wait_until(lambda: bool(t.of("message")))
    t.client.read_message(t.of("message")[0].message_id).result(5)
    assert wait_until(lambda: [e.state for e in seen] == ["pending", "delivered", "read"])
    assert {e.message_id for e in seen} == set(sent["message_ids"])
    assert all(e.call_sign == cs and e.incident_id == iid for e in seen)
