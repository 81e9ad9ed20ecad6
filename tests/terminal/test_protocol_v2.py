"""Protocol version 2 on the wire: the card round-trips within its limits, message receipts
ride the receipt path, and a terminal of another version gets a refusal it can read."""

from __future__ import annotations

import time

import msgspec
import pytest
import zmq

from console.link import protocol as p
from console.link.keys import KeyPair, TerminalKey
from console.link.node import HubNode
from console.link.trust import enroll_keys
from console.terminal.fleet import dealer
from console.terminal.localstore import MemoryStore
from console.terminal.session import TerminalSession
from tests.terminal.conftest import Loop, wait_until

OID = "0123456789abcdef0123456789abcdef"
MID = "fedcba9876543210fedcba9876543210"
NOW = 1_800_000_000.0


def _card(**kw: object) -> p.OrderCard:
    base: dict[str, object] = dict(
        incident_no="20270115-00012",
        type_zh="持刀伤人",
        type_en="Knife attack",
        role_zh="现场控制",
        role_en="Scene control",
        priority=1,
        force_level=3,
        force_zh="武装处置",
        force_en="Armed response",
        place="南京东路步行街",
        street="南京东路",
        lon=121.4737,
        lat=31.2304,
        lon_gcj=121.4782,
        lat_gcj=31.2285,
        report="一名男子持刀追砍路人",
        callback="13800138000",
        more_calls=[p.CallReport(t=NOW, number="139", text="往河南中路跑了")],
        team=[p.TeamMate("特警-03", "特警", "SWAT", "武装处置", "Armed response", 20.0)],
        team_total=3,
        eta_s=85.0,
        distance_m=757.0,
        route_lon=[121.47, 121.4737],
        route_lat=[31.23, 31.2304],
        steps=[p.RouteStep("depart", "福州路", 97.0), p.RouteStep("arrive", "车站南路", 0.0)],
        streets=p.StreetMap(seg=b"\x01\x00" * 4, road_class=b"\x02", labels=[("福州路", 1.0, 2.0)]),
        approved_by=["张队 (sup1)"],
        approved_at=NOW,
    )
    base.update(kw)
    return p.OrderCard(**base)  # type: ignore[arg-type]


def _order(card: p.OrderCard | None) -> p.Order:
    return p.Order(
        order_id=OID,
        incident_id=12,
        incident_type="knife_attack",
        priority=1,
        lon=121.4737,
        lat=31.2304,
        address="南京东路步行街",
        role="Scene control",
        instructions="最快可达",
        briefing="一名男子持刀追砍路人",
        created_at=NOW,
        expires_at=NOW + 1800,
        rev=2,
        card=card,
    )


def test_an_order_with_its_card_round_trips_and_stays_small() -> None:
    o = _order(_card())
    data = p.encode_hub(o)
    assert p.decode_hub(data) == o
    assert len(data) < 2048
    # a card too big for its limits is refused on decode, not half-read
    big = _card(route_lon=[121.0] * (p.ROUTE_POINTS + 1), route_lat=[31.0] * (p.ROUTE_POINTS + 1))
    with pytest.raises(p.ProtocolError) as e:
        p.decode_hub(p.encode_hub(_order(big)))
    assert e.value.code == "malformed"
    bad = _card(steps=[p.RouteStep("teleport", "x", 1.0)])  # type: ignore[arg-type]
    with pytest.raises(p.ProtocolError):
        p.decode_hub(p.encode_hub(_order(bad)))


def test_message_receipts_are_receipts_of_messages_only() -> None:
    r = p.MessageReceipt(mid=3, order_id=MID, kind="read", t=NOW)
    back = p.decode_terminal(p.encode_terminal(r))
    assert back == r and type(back) is p.MessageReceipt and back.message_id == MID
    assert isinstance(
        back, p.Receipt
    )  # rides the link's receipt path (batched, acked after commit)
    p.check_terminal(back, NOW)
    with pytest.raises(p.ProtocolError, match="delivered or read"):
        p.check_terminal(p.MessageReceipt(mid=3, order_id=MID, kind="accepted", t=NOW), NOW)
    m = p.Message(
        message_id=MID, text="注意安全", sender="值班长", t=NOW, incident_id=12, to="unit"
    )
    assert p.decode_hub(p.encode_hub(m)) == m


def test_a_clip_comes_with_its_still_as_the_photo() -> None:
    jpeg = b"\xff\xd8\xff\xe0" + bytes(64)
    clip = p.VideoClip(mime="video/mp4", data=b"\x00\x00\x00\x18ftypmp42", seconds=4.0)
    ok = p.Feedback(mid=1, order_id=OID, text="视频", t=NOW, photo=jpeg, clip=clip)
    assert p.decode_terminal(p.encode_terminal(ok)) == ok
    p.check_terminal(ok, NOW)
    for bad in (None, b"\xff\xd8\xff" + bytes(p.POSTER_LIMIT)):
        with pytest.raises(p.ProtocolError, match="still"):
            p.check_terminal(msgspec.structs.replace(ok, photo=bad), NOW)
    # the biggest clip with the biggest still still fits one frame
    most = msgspec.structs.replace(
        ok,
        photo=b"\xff\xd8\xff" + bytes(p.POSTER_LIMIT - 3),
        clip=msgspec.structs.replace(clip, data=bytes(p.CLIP_LIMIT)),
        text="x" * 4000,
    )
    assert len(p.encode_terminal(most)) <= p.FRAME_LIMIT


def test_a_version_refusal_goes_out_in_the_version_the_peer_spoke() -> None:
    v1_hello = msgspec.msgpack.encode([1, ["hello", "dispatch-terminal/1.0", NOW, []]])
    with pytest.raises(p.ProtocolError) as e:
        p.decode_terminal(v1_hello)
    assert e.value.code == "version" and e.value.peer_version == 1
    frame = p.encode_hub(p.Refused(code="version", reason=e.value.reason))
    v, (tag, code, reason) = msgspec.msgpack.decode(frame)
    assert (v, tag, code) == (1, "refused", "version")  # what a version 1 terminal decodes
    assert "speaks 2" in reason
    assert p.peek_refusal(frame) == p.Refused(code="version", reason=reason)
    assert p.peek_refusal(p.encode_hub(p.Ack(mid=1))) is None


def test_a_terminal_of_version_2_says_plainly_that_an_old_hub_speaks_version_1() -> None:
    events: list[tuple[str, object]] = []
    s = TerminalSession(MemoryStore(), on_event=lambda k, x: events.append((k, x)))
    old_order = msgspec.msgpack.encode([1, ["order", OID, 1, "theft", 2, 121.0, 31.0, "", "r"]])
    s.on_frame(old_order)
    s.on_frame(old_order)
    refused = [x for k, x in events if k == "refused"]
    assert len(refused) == 1 and isinstance(refused[0], p.Refused)
    assert refused[0].code == "version" and "protocol version 1" in refused[0].reason
    assert s.store.orders() == [] and s.executed == []  # nothing half-read was shown


def test_an_old_terminal_on_the_hub_reads_why_it_is_turned_away(loop: Loop) -> None:
    """A version 1 terminal says hello: the hub answers in version 1 framing with the reason."""
    cs = loop.hub.district.units[0].call_sign
    key = TerminalKey(cs, KeyPair.generate(), loop.keys.public)
    enroll_keys(loop.hub.store, [(cs, key.keys.public)])
    node: HubNode = loop.node
    ctx: zmq.Context[zmq.Socket[bytes]] = zmq.Context()
    sock = dealer(ctx, key, node.link.endpoint)
    try:
        assert wait_until(lambda: sock.poll(10, zmq.POLLOUT) != 0)
        sock.send(msgspec.msgpack.encode([1, ["hello", "dispatch-terminal/1.0", time.time(), []]]))
        got = None
        end = time.monotonic() + 20
        while got is None and time.monotonic() < end:
            if sock.poll(200):
                v, msg = msgspec.msgpack.decode(sock.recv())
                if v == 1 and msg[0] == "refused":
                    got = msg
        assert got is not None, "the old terminal heard nothing it could read"
        assert got[1] == "version" and "protocol version 1 is not supported" in got[2]
    finally:
        sock.close(0)
        ctx.term()
