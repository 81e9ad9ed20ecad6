"""Issue 16: the terminal's map draws the district's streets, not only the card's patch.

Real parts: the demo hub's terminal link over CURVE on loopback serves the district map
(``map_req`` / ``map_part``); an enrolled terminal fetches it into its SQLite store once,
and a second start only asks whether it is current.  Bad answers come from a small hub
of our own on a real CURVE socket (an old hub that does not know the request, a blob
that does not match its version, an oversized offer): each is refused with a reason and
the map held before is kept.  The officer app's :class:`RouteMap` is rendered to an
image to see streets drawn around the officer 2 km from the scene.
"""

from __future__ import annotations

import os
import threading
import zlib
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import msgspec
import numpy as np
import pytest
import zmq
from PySide6.QtGui import QColor, QImage

from console.link import district_map as dm
from console.link import protocol as p
from console.link.card_geo import street_map, to_metres
from console.link.keys import KeyPair, TerminalKey, load_or_create_hub_keys
from console.terminal import mapsync
from console.terminal.client import TerminalClient
from console.terminal.gps import Fix
from console.terminal.localstore import SqliteStore
from tests.conftest import DemoParts
from tests.terminal.conftest import SCENE, Loop, wait_until
from widgets.terminal.map_view import ROAD_CASING, ROAD_FILL, RouteMap


def _client(
    key: TerminalKey, endpoint: str, store: SqliteStore, clock: Callable[[], float] | None = None
) -> tuple[TerminalClient, list[tuple[str, Any]]]:
    events: list[tuple[str, Any]] = []
    kw: dict[str, Any] = {} if clock is None else {"clock": clock}
    c = TerminalClient(
        key, endpoint, store, on_event=lambda k, v: events.append((k, v)), maps=store, **kw
    )
    return c.start(), events


def _kinds(events: list[tuple[str, Any]], kind: str) -> list[Any]:
    return [v for k, v in list(events) if k == kind]


# ------------------------------------------------------------- the real hub


def test_a_terminal_fetches_the_district_map_once_and_keeps_it(loop: Loop, tmp_path: Path) -> None:
    key = loop.enroll("外滩-1-1")
    store = SqliteStore(tmp_path / "officer.sqlite3")
    client, events = _client(key, loop.bind, store, loop.clock)
    try:
        assert wait_until(lambda: bool(_kinds(events, "district_map")), 60.0), events
    finally:
        client.stop()
    link = loop.node.link
    assert link.maps is not None and link.maps.served == 1
    packed = dm.packed_for(loop.hub.graph)
    held = store.get_map()
    assert held is not None and held[0] == packed.version and len(held[1]) == packed.size
    got = _kinds(events, "district_map")[0]
    assert len(got.road_class) == len(loop.hub.graph.segments_lonlat().road_class)
    assert len(got.labels) > 100  # the named streets, for labels anywhere in the district
    assert packed.size < 200_000  # the demo 黄浦: one piece, far below the frame limit
    assert not _kinds(events, "map_failed")

    # a second start on the same store: the hub says "current", nothing is downloaded
    client2, events2 = _client(key, loop.bind, store, loop.clock)
    try:
        assert wait_until(lambda: bool(_kinds(events2, "map_current")), 60.0), events2
    finally:
        client2.stop()
    assert link.maps.served == 1
    assert not _kinds(events2, "district_map")
    assert client2.session.maps is not None and client2.session.maps.downloads == 0
    assert store.get_map() == held
    assert mapsync.load_cached(store) is not None  # usable offline, before any connection
    store.close()


def test_a_terminal_without_a_map_cache_never_asks(loop: Loop) -> None:
    t = loop.terminal("外滩-1-2")  # the shell's and the simulator's terminals
    assert wait_until(lambda: bool(t.of("welcome")))
    assert loop.node.link.maps is None
    assert t.client.session.maps is None


def test_the_hub_refuses_a_map_part_that_does_not_exist(loop: Loop) -> None:
    t = loop.terminal("外滩-1-1")
    t.client._run(
        lambda s: s.out.append(p.encode_terminal(p.MapRequest(version="", part=7, t=loop.clock())))
    )
    assert wait_until(lambda: any("map part 7" in r.reason for r in t.of("refused")), 30.0)
    assert t.client.connected  # one bad request costs nothing else


# ------------------------------------------------------- a hub of our own


class TinyHub:
    """Welcome, pong and a scripted answer to ``map_req``, on a real CURVE ROUTER socket."""

    def __init__(self, keys: KeyPair, answer: Callable[[p.MapRequest], bytes | None]) -> None:
        self.answer = answer
        self.asked: list[p.MapRequest] = []
        self.ctx: zmq.Context[zmq.Socket[bytes]] = zmq.Context()
        self.sock = self.ctx.socket(zmq.ROUTER)
        self.sock.curve_server = True
        self.sock.curve_secretkey = keys.secret.encode()
        self.sock.curve_publickey = keys.public.encode()
        self.sock.linger = 0
        self.sock.bind("tcp://127.0.0.1:0")
        self.endpoint = self.sock.getsockopt_string(zmq.LAST_ENDPOINT)
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()

    def _run(self) -> None:
        while not self._stop.is_set():
            if not self.sock.poll(50):
                continue
            rid, data = self.sock.recv_multipart()
            msg = p.decode_terminal(data)
            out: bytes | None = None
            if isinstance(msg, p.Hello):
                out = p.encode_hub(
                    p.Welcome(hub_epoch="tiny", unit="P-0009", heartbeat_s=1.0, t=1e9)
                )
            elif isinstance(msg, p.Heartbeat):
                out = p.encode_hub(p.Pong(seq=msg.seq, hub_epoch="tiny", t=1e9))
            elif isinstance(msg, p.MapRequest):
                self.asked.append(msg)
                out = self.answer(msg)
            if out is not None:
                self.sock.send_multipart([rid, out])
        self.sock.close(0)

    def close(self) -> None:
        self._stop.set()
        self._thread.join(5.0)
        self.ctx.term()


@pytest.fixture
def good_blob(demo_parts: DemoParts) -> tuple[str, bytes]:
    blob = dm.pack_map(demo_parts.graph)
    return dm.version_of(blob), blob


@pytest.fixture
def tiny(tmp_path: Path) -> Iterator[Callable[..., tuple[TinyHub, TerminalClient, list[Any]]]]:
    keys = load_or_create_hub_keys(tmp_path / "tinykeys")
    made: list[tuple[TinyHub, TerminalClient, SqliteStore]] = []

    def start(
        answer: Callable[[p.MapRequest], bytes | None], store: SqliteStore
    ) -> tuple[TinyHub, TerminalClient, list[Any]]:
        hub = TinyHub(keys, answer)
        key = TerminalKey("P-0009", KeyPair.generate(), keys.public)
        client, events = _client(key, hub.endpoint, store, clock=lambda: 1e9)
        made.append((hub, client, store))
        return hub, client, events

    yield start
    for hub, client, store in made:
        client.stop()
        hub.close()
        store.close()


def _frame(**fields: Any) -> bytes:
    """A ``map_part`` frame with any field values (also ones the protocol forbids)."""
    f = {"version": "", "part": 0, "parts": 1, "size": 0, "data": b""} | fields
    return msgspec.msgpack.encode(
        [
            p.PROTOCOL_VERSION,
            ["map_part", f["version"], f["part"], f["parts"], f["size"], f["data"]],
        ]
    )


def test_an_old_hub_that_does_not_know_the_request_ends_the_fetch(
    tiny: Any, tmp_path: Path
) -> None:
    old = p.encode_hub(
        p.Refused(
            code="malformed", reason="invalid message: Invalid value 'map_req' - at `$[1][0]`"
        )
    )
    _hub, client, events = tiny(lambda req: old, SqliteStore(tmp_path / "t.sqlite3"))
    assert wait_until(lambda: bool(_kinds(events, "map_failed")), 30.0), events
    assert "older hub" in _kinds(events, "map_failed")[0]
    assert client.connected and client.session.maps is not None
    assert not client.session.maps.active
    assert client.session.maps.cache.get_map() is None


@pytest.mark.parametrize(
    ("case", "why"),
    [
        ("wrong_version", "does not match its version"),
        ("garbage", "unreadable"),
        ("oversized", "bytes in 1 pieces"),
        ("short", "were announced"),
    ],
)
def test_a_bad_map_is_refused_and_the_held_one_kept(
    tiny: Any, tmp_path: Path, good_blob: tuple[str, bytes], case: str, why: str
) -> None:
    store = SqliteStore(tmp_path / "t.sqlite3")
    store.put_map(*good_blob)
    junk = b"\x00not a map" * 100
    reply = {
        "wrong_version": _frame(version="0123456789abcdef", size=len(junk), data=junk),
        "garbage": _frame(version=dm.version_of(junk), size=len(junk), data=junk),
        "oversized": _frame(version="0123456789abcdef", size=dm.MAP_LIMIT, data=junk),
        "short": _frame(version=dm.version_of(junk), size=len(junk) + 5, data=junk),
    }[case]
    hub, client, events = tiny(lambda req: reply, store)
    assert wait_until(lambda: bool(_kinds(events, "map_failed")), 30.0), events
    assert why in _kinds(events, "map_failed")[0]
    assert hub.asked[0].version == good_blob[0]  # it said which map it holds
    assert store.get_map() == good_blob
    assert not _kinds(events, "district_map")
    assert client.connected


def test_a_map_in_several_pieces_is_put_together(
    tiny: Any, tmp_path: Path, good_blob: tuple[str, bytes]
) -> None:
    version, blob = good_blob
    size = 20_000  # pieces smaller than the protocol's, to have several of them
    pieces = [blob[i : i + size] for i in range(0, len(blob), size)]

    def answer(req: p.MapRequest) -> bytes:
        return p.encode_hub(
            p.MapPart(
                version=version,
                part=req.part,
                parts=len(pieces),
                size=len(blob),
                data=pieces[req.part],
            )
        )

    store = SqliteStore(tmp_path / "t.sqlite3")
    hub, _client, events = tiny(answer, store)
    assert wait_until(lambda: bool(_kinds(events, "district_map")), 30.0), events
    assert [r.part for r in hub.asked] == list(range(len(pieces)))
    assert hub.asked[1].version == version
    assert store.get_map() == good_blob


def test_a_zip_bomb_is_refused_without_unpacking_it(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(dm, "UNPACKED_LIMIT", 1 << 20)
    bomb = zlib.compress(b"\x00" * (4 << 20), 9)
    with pytest.raises(dm.MapError, match="unpacks to more than"):
        dm.decode_map(bomb, dm.version_of(bomb))


# ------------------------------------------------------------------ drawing


def _road_pixels(img: QImage, cx: float, cy: float, r0: float, r1: float) -> int:
    """Pixels of road fill or casing colour in the ring r0..r1 around (cx, cy)."""
    colours = {ROAD_FILL.rgb() & 0xFFFFFF, ROAD_CASING.rgb() & 0xFFFFFF}
    n = 0
    for y in range(max(0, int(cy - r1)), min(img.height(), int(cy + r1) + 1)):
        for x in range(max(0, int(cx - r1)), min(img.width(), int(cx + r1) + 1)):
            if r0 <= np.hypot(x - cx, y - cy) <= r1 and img.pixel(x, y) & 0xFFFFFF in colours:
                n += 1
    return n


def _render(view: RouteMap) -> QImage:
    img = QImage(view.size(), QImage.Format.Format_RGB32)
    view.render(img)
    return img


def test_the_map_draws_the_district_streets_around_the_officer_far_from_the_scene(
    qtbot: Any, demo_parts: DemoParts
) -> None:
    g = demo_parts.graph
    blob = dm.pack_map(g)
    district = dm.decode_map(blob, dm.version_of(blob))
    nx, ny = to_metres(
        np.asarray(g.node_lon, dtype=np.float64),
        np.asarray(g.node_lat, dtype=np.float64),
        SCENE[0],
        SCENE[1],
    )
    k = int(np.argmin(np.abs(np.hypot(nx, ny) - 2000.0)))  # a crossing 2 km from the scene
    me = Fix(lon=float(g.node_lon[k]), lat=float(g.node_lat[k]))
    card = p.OrderCard(
        incident_no="20270115-00012",
        type_zh="持刀伤人",
        type_en="Knife attack",
        role_zh="现场控制",
        role_en="Scene control",
        priority=1,
        force_level=2,
        force_zh="二级",
        force_en="Level 2",
        place="南京东路步行街",
        street="",
        lon=SCENE[0],
        lat=SCENE[1],
        lon_gcj=SCENE[0],
        lat_gcj=SCENE[1],
        report="",
        callback="",
        route_lon=[SCENE[0] - 0.003, SCENE[0]],
        route_lat=[SCENE[1], SCENE[1]],
        streets=street_map(g, SCENE[0], SCENE[1]),
    )
    view = RouteMap("zh")
    qtbot.addWidget(view)
    view.resize(800, 600)
    view.show_card(card)
    view.set_fix(me)

    patch_only = _render(view)
    at = view.world.map(view._me_point())  # the officer, in pixels
    assert 0 < at.x() < 800 and 0 < at.y() < 600
    assert view.drawn_paths == 0
    assert _road_pixels(patch_only, at.x(), at.y(), 26, 90) == 0  # blank: no patch out here

    view.set_district(district)
    full = _render(view)
    assert view.drawn_paths > 0
    assert _road_pixels(full, at.x(), at.y(), 26, 90) > 200
    scene = view.world.map(view._scene_point())
    assert _road_pixels(full, scene.x(), scene.y(), 40, 90) > 0  # the scene's streets too

    # a new fix moves the officer, not the streets: the layer is not built again, and
    # while the view stays (the scene's neighbourhood here) the streets are not redrawn
    layer = view._layer
    view.set_fix(Fix(lon=me.lon + 0.0005, lat=me.lat))
    _render(view)
    assert view._layer is layer
    view.set_whole_route(False)
    _render(view)
    drawn = view.street_renders
    view.set_fix(Fix(lon=me.lon + 0.001, lat=me.lat))
    near = _render(view)
    assert view.street_renders == drawn and view._layer is layer
    scene = view.world.map(view._scene_point())
    assert _road_pixels(near, scene.x(), scene.y(), 40, 90) > 0

    # no order: the streets around the officer, with the district map alone
    view.show_card(None)
    alone = _render(view)
    at = view.world.map(view._me_point())
    assert _road_pixels(alone, at.x(), at.y(), 26, 120) > 200
    assert QColor(alone.pixel(5, 5)) != QColor("white")
