"""The terminal wire protocol, version 2 (described for humans in ``docs/protocol.md``).

One ZeroMQ frame carries one message: a msgpack array ``[version, [tag, field, ...]]``.
Messages are msgspec structs encoded as arrays (compact, and decoded at millions
per second), so every frame is fully type- and range-checked on decode; a
frame that fails is refused with a reason and never reaches the hub.  Checks
that need context (the hub's clock, JPEG magic) live in :func:`check_terminal`.

Version 2 added the order card (:class:`OrderCard`: everything an officer reads on
the way, in Chinese and English), hub messages with their own ids and
delivery/read receipts (:class:`MessageReceipt`), short video clips with
feedback, and the photo refusal codes.  A version refusal is framed in the
version the peer spoke (``refused`` has the same shape in every version), so an
old terminal reads why it was turned away.
"""

from __future__ import annotations

import math
import re
import typing
from typing import Annotated, Literal

import msgspec

PROTOCOL_VERSION = 2
FRAME_LIMIT = 640 * 1024
"""Largest frame either side accepts (bytes); bigger frames are refused unread."""
PHOTO_LIMIT = 512 * 1024
"""Largest JPEG a terminal may attach to feedback (bytes)."""
CLIP_LIMIT = 560 * 1024
"""Largest video clip a terminal may attach to feedback (bytes; the frame limit still holds)."""
POSTER_LIMIT = 64 * 1024
"""Largest still (JPEG, as the feedback's photo) sent with a clip."""
HOLDING_LIMIT = 256
"""Most order ids a terminal may list in its hello."""
FUTURE_SLACK_S = 300.0
"""How far ahead of the hub's clock a terminal's timestamp may be."""
PAST_LIMIT_S = 86400.0
"""How old a reported fix or event may be."""

OrderId = Annotated[str, msgspec.Meta(pattern="^[0-9a-f]{32}$")]
MessageId = Annotated[str, msgspec.Meta(pattern="^[0-9a-f]{32}$")]
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
Seconds = Annotated[float, msgspec.Meta(ge=0.0, le=86400.0)]
Metres = Annotated[float, msgspec.Meta(ge=0.0, le=1.0e6)]
Level = Annotated[int, msgspec.Meta(ge=0, le=9)]
Clip = Annotated[bytes, msgspec.Meta(max_length=CLIP_LIMIT)]
TerminalStatus = Literal["available", "en_route", "on_scene", "off_duty"]
ReceiptKind = Literal["delivered", "read", "accepted", "rejected", "cancel_seen"]
ClipType = Literal["video/mp4", "video/x-msvideo"]
Turn = Literal[
    "depart",
    "straight",
    "slight_left",
    "left",
    "sharp_left",
    "slight_right",
    "right",
    "sharp_right",
    "uturn",
    "arrive",
]
ROUTE_POINTS = 2000
"""Most points of a card's route (the hub thins longer ones)."""
MAP_CHUNK = 256 * 1024
"""Largest piece of the district map in one ``map_part`` frame (bytes)."""
MAP_PARTS_MAX = 64
"""Most pieces of a district map: 16 MB compressed; a terminal refuses a bigger one."""


class _Msg(msgspec.Struct, tag=True, array_like=True, forbid_unknown_fields=True):
    """Base of every wire message: tagged, encoded as an array."""


# ------------------------------------------------------------ terminal -> hub


class Hello(_Msg, tag="hello"):
    """First message after (re)connecting; ``holding`` lists open orders the terminal keeps."""

    app: Short
    t: Time
    holding: Annotated[list[OrderId], msgspec.Meta(max_length=HOLDING_LIMIT)] = []
    revs: Annotated[list[Seq], msgspec.Meta(max_length=HOLDING_LIMIT)] = []
    """The ``rev`` held of each order in ``holding`` (same order): the hub resends newer."""


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


class MessageReceipt(Receipt, tag="msg_receipt"):
    """A hub :class:`Message` reached the terminal (``delivered``) or the officer read it.

    Fields as :class:`Receipt` with the message's id in ``order_id``: it rides the
    receipt path (batched, stored, acknowledged after the commit).  Only
    ``delivered`` and ``read`` are valid kinds.
    """

    @property
    def message_id(self) -> str:
        return self.order_id


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


class VideoClip(msgspec.Struct, array_like=True, forbid_unknown_fields=True):
    """A short video from the scene, transcoded small on the terminal.

    Its still (a JPEG of the first frame, at most ``POSTER_LIMIT`` bytes) travels as the
    feedback's ``photo``: a hub that files photos but not clips still shows the scene.
    """

    mime: ClipType
    data: Clip
    seconds: Seconds


class Feedback(_Msg, tag="feedback"):
    """Free text from the scene with an optional JPEG photo or short video clip."""

    mid: Mid
    order_id: OrderId | None
    text: Text
    t: Time
    photo: Photo | None = None
    clip: VideoClip | None = None


class Count(_Msg, tag="count"):
    """One minute of one counter at a crowd place (a counting device, or an officer's
    count): acknowledged once stored; a resend changes nothing (one row per counter and
    minute).  ``people``: mean present (occupancy places) or counted (flow places)."""

    mid: Mid
    place: Short
    sensor: Short
    t: Time
    people: Annotated[float, msgspec.Meta(ge=0.0, le=100_000_000.0)]


class Heartbeat(_Msg, tag="hb"):
    """Keeps the session alive; answered by :class:`Pong`."""

    seq: Seq
    t: Time


class Seen(_Msg, tag="seen"):
    """Version 1's "message shown" (kept so a stray one is harmless; version 2 terminals
    send :class:`MessageReceipt`)."""

    mid: Mid
    t: Time


class MapRequest(_Msg, tag="map_req"):
    """Asks for piece ``part`` of the district's street map (docs/protocol.md §5.3).

    ``version``: for part 0 the version the terminal holds ("" for none: the hub then
    answers "unchanged" without data when it is current); for a later part the version
    being fetched.  A hub that does not know this request refuses it as ``malformed``
    naming ``map_req``; the terminal then keeps drawing the card's streets.
    """

    version: Short
    part: Annotated[int, msgspec.Meta(ge=0, lt=MAP_PARTS_MAX)]
    t: Time


TerminalMsg = (
    Hello
    | Position
    | StatusChange
    | Receipt
    | MessageReceipt
    | Arrived
    | Finished
    | Feedback
    | Count
    | Heartbeat
    | Seen
    | MapRequest
)
Reliable = StatusChange | Receipt | MessageReceipt | Arrived | Finished | Feedback | Count
"""Terminal messages that carry a ``mid`` and are resent until the hub answers :class:`Ack`."""

# ------------------------------------------------------------ hub -> terminal


class Welcome(_Msg, tag="welcome"):
    """Answer to hello: who the hub thinks the terminal is, and its heartbeat period."""

    hub_epoch: Short
    unit: Short
    heartbeat_s: float
    t: Time


class _Part(msgspec.Struct, array_like=True, forbid_unknown_fields=True):
    """Base of the parts of an order card: untagged, encoded as arrays."""


class CallReport(_Part):
    """One call about the incident: when, the callback number, what the caller said."""

    t: Time
    number: Short
    text: Text
    address: Text = ""


class TeamMate(_Part):
    """Another unit sent to the same incident (or this one: the terminal knows its call sign)."""

    call_sign: Short
    unit_type_zh: Short
    unit_type_en: Short
    role_zh: Short
    role_en: Short
    eta_s: Seconds | None


class RouteStep(_Part):
    """One leg of the route: the turn onto ``street``, then ``distance_m`` along it."""

    turn: Turn
    street: Short
    distance_m: Metres


class StreetMap(_Part):
    """The streets around the scene, for the terminal's map (no map data on the device).

    ``seg``: little-endian int16 quadruples (x0, y0, x1, y1), metres east and north of
    the scene; ``road_class``: one byte per segment (console.domain.RoadClass);
    ``labels``: (name, x, y) of the named streets.
    """

    seg: Annotated[bytes, msgspec.Meta(max_length=8 * 4096)]
    road_class: Annotated[bytes, msgspec.Meta(max_length=4096)]
    labels: Annotated[list[tuple[Short, float, float]], msgspec.Meta(max_length=64)] = []


class OrderCard(_Part):
    """Everything an officer reads about an order, in Chinese and English.

    Built by the hub from the incident, the plan's slot, the other orders and the
    approving supervisors (console/link/order_card.py); a later ``order_update``
    carries it whole again, with ``changes_*`` naming what changed.
    """

    incident_no: Short
    type_zh: Short
    type_en: Short
    role_zh: Short
    role_en: Short
    priority: Level
    force_level: Level
    force_zh: Short
    force_en: Short
    place: Text
    street: Short
    lon: Lon
    lat: Lat
    lon_gcj: Lon
    lat_gcj: Lat
    report: Text
    callback: Short
    more_calls: Annotated[list[CallReport], msgspec.Meta(max_length=20)] = []
    team: Annotated[list[TeamMate], msgspec.Meta(max_length=40)] = []
    team_total: Annotated[int, msgspec.Meta(ge=0, le=100_000)] = 0
    eta_s: Seconds | None = None
    distance_m: Metres | None = None
    route_lon: Annotated[list[Lon], msgspec.Meta(max_length=ROUTE_POINTS)] = []
    route_lat: Annotated[list[Lat], msgspec.Meta(max_length=ROUTE_POINTS)] = []
    steps: Annotated[list[RouteStep], msgspec.Meta(max_length=120)] = []
    streets: StreetMap | None = None
    approved_by: Annotated[list[Short], msgspec.Meta(max_length=8)] = []
    approved_at: Time | None = None
    notes: Text = ""
    changes_zh: Annotated[list[Short], msgspec.Meta(max_length=12)] = []
    changes_en: Annotated[list[Short], msgspec.Meta(max_length=12)] = []
    updated_at: Time = 0.0


class OrderBody(_Msg):
    """What an officer needs to act on an order; ``card`` is the readable whole (version 2)."""

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
    card: OrderCard | None = None


class Order(OrderBody, tag="order"):
    """A new order (resent until the terminal answers ``delivered``)."""


class OrderUpdate(OrderBody, tag="order_update"):
    """The whole order again, with a higher ``rev``: replaces what the terminal shows."""


class OrderCancel(_Msg, tag="order_cancel"):
    """The order is withdrawn; the terminal answers ``cancel_seen``."""

    order_id: OrderId
    reason: Text


class Message(_Msg, tag="message"):
    """A text message from the command room; confirmed by :class:`MessageReceipt`.

    ``to`` says how it was addressed (``unit``, ``station:CODE``, ``incident:N``), so the
    officer knows whether it was meant for the unit alone.
    """

    message_id: MessageId
    text: Text
    sender: Short
    t: Time
    incident_id: int | None = None
    to: Short = ""


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

    code: Literal[
        "version",
        "malformed",
        "oversize",
        "invalid",
        "unknown_order",
        "photo_invalid",
        "photo_quota",
        "order_closed",
    ]
    reason: Text


class MapPart(_Msg, tag="map_part"):
    """One piece of the district's street map, the answer to :class:`MapRequest`.

    ``version``: the hub's current map ("" = it has none); ``parts`` = 0 means nothing
    follows (the terminal's copy is current, or there is no map); otherwise ``data`` is
    piece ``part`` of ``parts`` of a blob of ``size`` bytes whose SHA-256 starts with
    ``version`` (console/link/district_map.py).
    """

    version: Short
    part: Annotated[int, msgspec.Meta(ge=0, lt=MAP_PARTS_MAX)]
    parts: Annotated[int, msgspec.Meta(ge=0, le=MAP_PARTS_MAX)]
    size: Annotated[int, msgspec.Meta(ge=0, le=MAP_PARTS_MAX * MAP_CHUNK)]
    data: Annotated[bytes, msgspec.Meta(max_length=MAP_CHUNK)]


HubMsg = Welcome | Order | OrderUpdate | OrderCancel | Message | Ack | Pong | Refused | MapPart
_REFUSED_CODES = frozenset(typing.get_args(typing.get_type_hints(Refused)["code"]))


class _TerminalFrame(msgspec.Struct, array_like=True, frozen=True):
    v: int
    m: TerminalMsg


class _HubFrame(msgspec.Struct, array_like=True, frozen=True):
    v: int
    m: HubMsg


class ProtocolError(ValueError):
    """A frame was refused; ``code`` names the kind of problem for counters and replies."""

    def __init__(self, code: str, reason: str, peer_version: int | None = None) -> None:
        super().__init__(reason)
        self.code = code
        self.reason = reason
        self.peer_version = peer_version
        """For ``version``: the version the peer spoke."""


_ENC = msgspec.msgpack.Encoder()
_TERMINAL_DEC = msgspec.msgpack.Decoder(_TerminalFrame)
_HUB_DEC = msgspec.msgpack.Decoder(_HubFrame)
_PEEK_DEC = msgspec.msgpack.Decoder(tuple[int, msgspec.Raw])


def encode_terminal(msg: TerminalMsg, version: int = PROTOCOL_VERSION) -> bytes:
    """One terminal -> hub frame."""
    return _ENC.encode(_TerminalFrame(version, msg))


_REFUSED_VERSION = re.compile(r"^protocol version (\d{1,6}) is not supported")


def encode_hub(msg: HubMsg | OrderBody, version: int = PROTOCOL_VERSION) -> bytes:
    """One hub -> terminal frame.

    A ``refused(version)`` built from :func:`decode_terminal`'s error goes out in
    the version the peer spoke (named in its reason): ``refused`` has the same
    fields in every version, so an old terminal can show why it is turned away.
    """
    if not isinstance(msg, HubMsg):
        raise TypeError(f"{type(msg).__name__} is not a hub message")
    if isinstance(msg, Refused) and msg.code == "version" and version == PROTOCOL_VERSION:
        m = _REFUSED_VERSION.match(msg.reason)
        if m is not None and 1 <= int(m.group(1)) < PROTOCOL_VERSION:
            version = int(m.group(1))
    return _ENC.encode(_HubFrame(version, msg))


_LOOSE_REFUSED = msgspec.msgpack.Decoder(tuple[int, tuple[str, str, str]])


def peek_refusal(data: bytes) -> Refused | None:
    """A ``refused`` frame of *any* version, read loosely (None if it is not one).

    A terminal uses it on a frame of another version: an older or newer hub's
    refusal still says why in words the officer can be shown.
    """
    try:
        _v, (tag, code, reason) = _LOOSE_REFUSED.decode(data[:FRAME_LIMIT])
    except Exception:
        return None
    if tag != "refused":
        return None
    known = code if code in _REFUSED_CODES else "invalid"
    return Refused(code=known, reason=reason[:4000])  # type: ignore[arg-type]


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
        peer_version=version,
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
    """Checks that need context: timestamps near the hub's clock, photos really JPEG,
    message receipts of a kind that fits a message."""
    t = msg.t
    if not (now - PAST_LIMIT_S <= t <= now + FUTURE_SLACK_S) or not math.isfinite(t):
        raise ProtocolError("invalid", f"timestamp {t:.0f} is too far from the hub clock {now:.0f}")
    if isinstance(msg, MessageReceipt):
        if msg.kind not in ("delivered", "read"):
            why = f"a message receipt is delivered or read, not {msg.kind}"
            raise ProtocolError("invalid", why)
    elif isinstance(msg, Receipt) and msg.kind == "rejected" and not msg.reason.strip():
        raise ProtocolError("invalid", "a rejection needs a reason")
    if isinstance(msg, Feedback):
        if msg.photo is not None and not msg.photo.startswith(b"\xff\xd8\xff"):
            raise ProtocolError("invalid", "feedback photo is not a JPEG")
        if msg.clip is not None and (msg.photo is None or len(msg.photo) > POSTER_LIMIT):
            raise ProtocolError("invalid", "a clip comes with its still (a small JPEG) as photo")
