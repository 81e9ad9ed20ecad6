"""The terminal wire protocol, version 1 (described for humans in ``docs/protocol.md``).

One ZeroMQ frame carries one message: a msgpack array ``[version, [tag, field, ...]]``.
Messages are msgspec structs encoded as arrays (compact, and decoded at millions
per second), so every frame is fully type- and range-checked on decode; a
frame that fails is refused with a reason and never reaches the hub.  Checks
that need context (the hub's clock, JPEG magic) live in :func:`check_terminal`.
"""

from __future__ import annotations

import math
from typing import Annotated, Literal

import msgspec

PROTOCOL_VERSION = 1
FRAME_LIMIT = 640 * 1024
"""Largest frame either side accepts (bytes); bigger frames are refused unread."""
PHOTO_LIMIT = 512 * 1024
"""Largest JPEG a terminal may attach to feedback (bytes)."""
HOLDING_LIMIT = 256
"""Most order ids a terminal may list in its hello."""
FUTURE_SLACK_S = 300.0
"""How far ahead of the hub's clock a terminal's timestamp may be."""
PAST_LIMIT_S = 86400.0
"""How old a reported fix or event may be."""

OrderId = Annotated[str, msgspec.Meta(pattern="^[0-9a-f]{32}$")]
Mid = Annotated[int, msgspec.Meta(ge=1, le=2**53)]
Seq = Annotated[int, msgspec.Meta(ge=0, le=2**53)]
Time = Annotated[float, msgspec.Meta(ge=0.0, le=4.0e9)]
Lat = Annotated[float, msgspec.Meta(ge=-90.0, le=90.0)]
Lon = Annotated[float, msgspec.Meta(ge=-180.0, le=180.0)]
Short = Annotated[str, msgspec.Meta(max_length=64)]
Text = Annotated[str, msgspec.Meta(max_length=4000)]
Accuracy = Annotated[float, msgspec.Meta(ge=0.0, le=100_000.0)]
Speed = Annotated[float, msgspec.Meta(ge=0.0, le=150.0)]
Heading = Annotated[float, msgspec.Meta(ge=0.0, lt=360.0)]
Photo = Annotated[bytes, msgspec.Meta(max_length=PHOTO_LIMIT)]
TerminalStatus = Literal["available", "en_route", "on_scene", "off_duty"]
ReceiptKind = Literal["delivered", "read", "accepted", "rejected", "cancel_seen"]


class _Msg(msgspec.Struct, tag=True, array_like=True, forbid_unknown_fields=True):
    """Base of every wire message: tagged, encoded as an array."""


# ------------------------------------------------------------ terminal -> hub


class Hello(_Msg, tag="hello"):
    """First message after (re)connecting; ``holding`` lists open orders the terminal keeps."""

    app: Short
    t: Time
    holding: Annotated[list[OrderId], msgspec.Meta(max_length=HOLDING_LIMIT)] = []


class Position(_Msg, tag="pos"):
    """A GNSS fix. Not acknowledged: a lost fix is replaced by the next (latest wins)."""

    lat: Lat
    lon: Lon
    accuracy: Accuracy | None
    speed: Speed | None
    heading: Heading | None
    t: Time


class StatusChange(_Msg, tag="status"):
    """The officer changed the unit's duty status on the terminal."""

    mid: Mid
    status: TerminalStatus
    t: Time


class Receipt(_Msg, tag="receipt"):
    """An order was delivered, read, accepted or rejected (``reason`` required then)."""

    mid: Mid
    order_id: OrderId
    kind: ReceiptKind
    t: Time
    rev: Seq = 0
    reason: Text = ""


class Arrived(_Msg, tag="arrived"):
    """The unit reached the order's location."""

    mid: Mid
    order_id: OrderId
    t: Time


class Finished(_Msg, tag="finished"):
    """The order is done; ``outcome`` says how."""

    mid: Mid
    order_id: OrderId
    outcome: Text
    t: Time


class Feedback(_Msg, tag="feedback"):
    """Free text from the scene with an optional JPEG photo."""

    mid: Mid
    order_id: OrderId | None
    text: Text
    t: Time
    photo: Photo | None = None


class Heartbeat(_Msg, tag="hb"):
    """Keeps the session alive; answered by :class:`Pong`."""

    seq: Seq
    t: Time


class Seen(_Msg, tag="seen"):
    """The officer's terminal has shown the hub's :class:`Message` ``mid``."""

    mid: Mid
    t: Time


TerminalMsg = (
    Hello | Position | StatusChange | Receipt | Arrived | Finished | Feedback | Heartbeat | Seen
)
Reliable = StatusChange | Receipt | Arrived | Finished | Feedback
"""Terminal messages that carry a ``mid`` and are resent until the hub answers :class:`Ack`."""

# ------------------------------------------------------------ hub -> terminal


class Welcome(_Msg, tag="welcome"):
    """Answer to hello: who the hub thinks the terminal is, and its heartbeat period."""

    hub_epoch: Short
    unit: Short
    heartbeat_s: float
    t: Time


class OrderBody(_Msg):
    """What an officer needs to act on an order."""

    order_id: OrderId
    incident_id: int
    incident_type: Short
    priority: int
    lon: Lon
    lat: Lat
    address: Text
    role: Short
    instructions: Text
    briefing: Text
    created_at: Time
    expires_at: Time
    rev: Seq = 0


class Order(OrderBody, tag="order"):
    """A new order (resent until the terminal answers ``delivered``)."""


class OrderUpdate(OrderBody, tag="order_update"):
    """The whole order again, with a higher ``rev``: replaces what the terminal shows."""


class OrderCancel(_Msg, tag="order_cancel"):
    """The order is withdrawn; the terminal answers ``cancel_seen``."""

    order_id: OrderId
    reason: Text


class Message(_Msg, tag="message"):
    """A text message from the command room."""

    mid: Mid
    text: Text
    sender: Short
    t: Time


class Ack(_Msg, tag="ack"):
    """The hub has durably handled the terminal's reliable message ``mid``."""

    mid: Mid


class Pong(_Msg, tag="pong"):
    """Answer to a heartbeat; a new ``hub_epoch`` means the hub restarted."""

    seq: Seq
    hub_epoch: Short
    t: Time


class Refused(_Msg, tag="refused"):
    """A frame was not accepted; ``code`` is machine-readable, ``reason`` human-readable."""

    code: Literal["version", "malformed", "oversize", "invalid", "unknown_order"]
    reason: Text


HubMsg = Welcome | Order | OrderUpdate | OrderCancel | Message | Ack | Pong | Refused


class _TerminalFrame(msgspec.Struct, array_like=True, frozen=True):
    v: int
    m: TerminalMsg


class _HubFrame(msgspec.Struct, array_like=True, frozen=True):
    v: int
    m: HubMsg


class ProtocolError(ValueError):
    """A frame was refused; ``code`` names the kind of problem for counters and replies."""

    def __init__(self, code: str, reason: str) -> None:
        super().__init__(reason)
        self.code = code
        self.reason = reason


_ENC = msgspec.msgpack.Encoder()
_TERMINAL_DEC = msgspec.msgpack.Decoder(_TerminalFrame)
_HUB_DEC = msgspec.msgpack.Decoder(_HubFrame)
_PEEK_DEC = msgspec.msgpack.Decoder(tuple[int, msgspec.Raw])


def encode_terminal(msg: TerminalMsg, version: int = PROTOCOL_VERSION) -> bytes:
    """One terminal -> hub frame."""
    return _ENC.encode(_TerminalFrame(version, msg))


def encode_hub(msg: HubMsg | OrderBody, version: int = PROTOCOL_VERSION) -> bytes:
    """One hub -> terminal frame."""
    if not isinstance(msg, HubMsg):
        raise TypeError(f"{type(msg).__name__} is not a hub message")
    return _ENC.encode(_HubFrame(version, msg))


def _refuse_undecodable(data: bytes, exc: Exception) -> ProtocolError:
    try:
        version, _ = _PEEK_DEC.decode(data)
    except Exception:
        return ProtocolError("malformed", f"not a protocol frame: {exc}")
    if version != PROTOCOL_VERSION:
        return _version_error(version)
    return ProtocolError("malformed", f"invalid message: {exc}")


def _version_error(version: int) -> ProtocolError:
    return ProtocolError(
        "version",
        f"protocol version {version} is not supported (this side speaks {PROTOCOL_VERSION})",
    )


def decode_terminal(data: bytes) -> TerminalMsg:
    """Decode and type-check a terminal frame; raises :class:`ProtocolError`."""
    if len(data) > FRAME_LIMIT:
        raise ProtocolError("oversize", f"frame of {len(data)} bytes exceeds {FRAME_LIMIT}")
    try:
        frame = _TERMINAL_DEC.decode(data)
    except Exception as exc:  # msgspec errors, and UnicodeDecodeError for invalid UTF-8
        raise _refuse_undecodable(data, exc) from None
    if frame.v != PROTOCOL_VERSION:
        raise _version_error(frame.v)
    return frame.m


def decode_hub(data: bytes) -> HubMsg:
    """Decode and type-check a hub frame (terminal side); raises :class:`ProtocolError`."""
    if len(data) > FRAME_LIMIT:
        raise ProtocolError("oversize", f"frame of {len(data)} bytes exceeds {FRAME_LIMIT}")
    try:
        frame = _HUB_DEC.decode(data)
    except Exception as exc:  # msgspec errors, and UnicodeDecodeError for invalid UTF-8
        raise _refuse_undecodable(data, exc) from None
    if frame.v != PROTOCOL_VERSION:
        raise _version_error(frame.v)
    return frame.m


def check_terminal(msg: TerminalMsg, now: float) -> None:
    """Checks that need context: timestamps near the hub's clock, photos really JPEG."""
    t = msg.t
    if not (now - PAST_LIMIT_S <= t <= now + FUTURE_SLACK_S) or not math.isfinite(t):
        raise ProtocolError("invalid", f"timestamp {t:.0f} is too far from the hub clock {now:.0f}")
    if isinstance(msg, Receipt) and msg.kind == "rejected" and not msg.reason.strip():
        raise ProtocolError("invalid", "a rejection needs a reason")
    if (
        isinstance(msg, Feedback)
        and msg.photo is not None
        and not msg.photo.startswith(b"\xff\xd8\xff")
    ):
        raise ProtocolError("invalid", "feedback photo is not a JPEG")
