"""The terminal wire protocol: every message round-trips, every bad frame is refused by name."""

from __future__ import annotations

import math

import msgspec
import pytest

from console.link import protocol as p

OID = "0123456789abcdef0123456789abcdef"
NOW = 1_800_000_000.0
JPEG = b"\xff\xd8\xff\xe0" + b"\x00" * 100

TERMINAL_MSGS: list[p.TerminalMsg] = [
    p.Hello(app="t/1", t=NOW, holding=[OID]),
    p.Position(lat=31.23, lon=121.48, accuracy=5.0, speed=3.2, heading=359.9, t=NOW),
    p.Position(lat=-90, lon=180, accuracy=None, speed=None, heading=None, t=NOW),
    p.StatusChange(mid=1, status="off_duty", t=NOW),
    p.Receipt(mid=2, order_id=OID, kind="delivered", t=NOW, rev=3),
    p.Receipt(mid=3, order_id=OID, kind="rejected", t=NOW, reason="vehicle fault"),
    p.Arrived(mid=4, order_id=OID, t=NOW),
    p.Finished(mid=5, order_id=OID, outcome="suspect detained", t=NOW),
    p.Feedback(mid=6, order_id=None, text="crowd dispersing", t=NOW, photo=JPEG),
    p.Heartbeat(seq=7, t=NOW),
    p.Seen(mid=8, t=NOW),
    p.MessageReceipt(mid=9, order_id=OID, kind="read", t=NOW),
]

ORDER = p.Order(
    order_id=OID,
    incident_id=12,
    incident_type="theft",
    priority=2,
    lon=121.48,
    lat=31.23,
    address="南京东路 100号",
    role="first responder",
    instructions="secure the scene",
    briefing="caller reports a bag snatch",
    created_at=NOW,
    expires_at=NOW + 1800,
)
HUB_MSGS: list[p.HubMsg] = [
    p.Welcome(hub_epoch="abc", unit="外滩-1-1", heartbeat_s=1.0, t=NOW),
    ORDER,
    p.OrderUpdate(**{f: getattr(ORDER, f) for f in ORDER.__struct_fields__ if f != "rev"}, rev=2),
    p.OrderCancel(order_id=OID, reason="duplicate incident"),
    p.Message(message_id=OID, text="return to station", sender="supervisor", t=NOW),
    p.Ack(mid=9),
    p.Pong(seq=1, hub_epoch="abc", t=NOW),
    p.Refused(code="version", reason="no"),
]


@pytest.mark.parametrize("msg", TERMINAL_MSGS, ids=lambda m: type(m).__name__)
def test_terminal_messages_round_trip(msg: p.TerminalMsg) -> None:
    data = p.encode_terminal(msg)
    assert p.decode_terminal(data) == msg
    p.check_terminal(msg, NOW)


@pytest.mark.parametrize("msg", HUB_MSGS, ids=lambda m: type(m).__name__)
def test_hub_messages_round_trip(msg: p.HubMsg) -> None:
    back = p.decode_hub(p.encode_hub(msg))
    assert back == msg and type(back) is type(msg)


def test_position_frame_is_small() -> None:
    data = p.encode_terminal(TERMINAL_MSGS[1])
    assert len(data) < 64


def test_unknown_version_is_refused_by_name() -> None:
    data = p.encode_terminal(p.Heartbeat(seq=1, t=NOW), version=p.PROTOCOL_VERSION + 1)
    with pytest.raises(p.ProtocolError) as e:
        p.decode_terminal(data)
    assert e.value.code == "version"
    assert f"version {p.PROTOCOL_VERSION + 1}" in e.value.reason
    assert f"speaks {p.PROTOCOL_VERSION}" in e.value.reason
    # a future version whose body this side cannot even parse is still named as a version problem
    odd = msgspec.msgpack.encode([7, ["warp", 1, 2, 3]])
    with pytest.raises(p.ProtocolError) as e:
        p.decode_terminal(odd)
    assert e.value.code == "version"


@pytest.mark.parametrize(
    "raw, why",
    [
        (b"", "empty"),
        (b"\xc1", "not msgpack"),
        (msgspec.msgpack.encode({"v": 1}), "a map, not a frame"),
        (
            msgspec.msgpack.encode(
                [p.PROTOCOL_VERSION, ["pos", 91.0, 121.0, None, None, None, NOW]]
            ),
            "latitude > 90",
        ),
        (
            msgspec.msgpack.encode(
                [p.PROTOCOL_VERSION, ["pos", 31.0, 121.0, None, None, 360.0, NOW]]
            ),
            "heading 360",
        ),
        (
            msgspec.msgpack.encode(
                [p.PROTOCOL_VERSION, ["pos", math.nan, 121.0, None, None, None, NOW]]
            ),
            "NaN",
        ),
        (
            msgspec.msgpack.encode(
                [p.PROTOCOL_VERSION, ["pos", "31", 121.0, None, None, None, NOW]]
            ),
            "string for float",
        ),
        (msgspec.msgpack.encode([p.PROTOCOL_VERSION, ["pos", 31.0, 121.0]]), "truncated fields"),
        (
            msgspec.msgpack.encode(
                [p.PROTOCOL_VERSION, ["receipt", 1, "not-an-id", "delivered", NOW]]
            ),
            "bad order id",
        ),
        (
            msgspec.msgpack.encode([p.PROTOCOL_VERSION, ["receipt", 1, OID, "eaten", NOW]]),
            "unknown receipt kind",
        ),
        (msgspec.msgpack.encode([p.PROTOCOL_VERSION, ["receipt", 0, OID, "read", NOW]]), "mid 0"),
        (msgspec.msgpack.encode([p.PROTOCOL_VERSION, ["selfdestruct"]]), "unknown tag"),
        (msgspec.msgpack.encode([p.PROTOCOL_VERSION, ["hb", 1, NOW, "extra"]]), "extra field"),
        (
            msgspec.msgpack.encode([p.PROTOCOL_VERSION, ["hello", "x" * 65, NOW]]),
            "app name too long",
        ),
        (
            msgspec.msgpack.encode([p.PROTOCOL_VERSION, ["hello", "x", NOW, [OID] * 257]]),
            "holding list too long",
        ),
        (p.encode_terminal(p.Heartbeat(seq=1, t=NOW))[:-3], "truncated bytes"),
        (b"\x92\x01\x93\xa2\xb2\xff\x01\x01", "invalid UTF-8 in the tag"),
    ],
)
def test_malformed_frames_are_refused(raw: bytes, why: str) -> None:
    with pytest.raises(p.ProtocolError) as e:
        p.decode_terminal(raw)
    assert e.value.code in ("malformed", "version"), why
    assert e.value.reason


def test_oversize_frame_is_refused_unread() -> None:
    with pytest.raises(p.ProtocolError) as e:
        p.decode_terminal(b"\x00" * (p.FRAME_LIMIT + 1))
    assert e.value.code == "oversize"


def test_photo_limit_and_jpeg_check() -> None:
    big = msgspec.msgpack.encode(
        [1, ["feedback", 1, None, "x", NOW, b"\xff\xd8\xff" + b"\0" * p.PHOTO_LIMIT]]
    )
    with pytest.raises(p.ProtocolError):
        p.decode_terminal(big)
    png = p.Feedback(mid=1, order_id=None, text="x", t=NOW, photo=b"\x89PNG\r\n")
    with pytest.raises(p.ProtocolError, match="not a JPEG"):
        p.check_terminal(png, NOW)


def test_context_checks_time_and_rejection_reason() -> None:
    with pytest.raises(p.ProtocolError, match="too far"):
        p.check_terminal(p.Heartbeat(seq=1, t=NOW + 3600), NOW)
    with pytest.raises(p.ProtocolError, match="too far"):
        p.check_terminal(p.Heartbeat(seq=1, t=NOW - 3 * 86400), NOW)
    with pytest.raises(p.ProtocolError, match="needs a reason"):
        p.check_terminal(p.Receipt(mid=1, order_id=OID, kind="rejected", t=NOW, reason="  "), NOW)


def test_hub_side_refuses_terminal_messages_and_vice_versa() -> None:
    with pytest.raises(p.ProtocolError):
        p.decode_hub(p.encode_terminal(p.Heartbeat(seq=1, t=NOW)))
    with pytest.raises(p.ProtocolError):
        p.decode_terminal(p.encode_hub(p.Ack(mid=1)))
    with pytest.raises(TypeError):
        p.encode_hub(TERMINAL_MSGS[0])  # type: ignore[arg-type]
