"""Live camera pictures for workstations of a stand-alone hub (``WatchCameras``).

One real hub process (``python -m console.link.cli hub --demo --cameras FILE``) runs a
camera on a generated tower-block video (looping) in its own worker; workstations talk
to it over tcp with CURVE (:class:`RemoteClient`) and read the preview socket.  Checked:
a watching operator gets previews whose JPEGs decode and the camera's state; a signed-in
workstation that connects without watching gets nothing; an admin may not watch; a watch
ended by the workstation or lapsed for want of renewal stops the stream; a workstation
that never reads holds at most the hub's window in flight, however many previews pass.
Every wait is on the hub's counters or on what arrived, never on elapsed time.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from typing import Any

import cv2
import numpy as np
import pytest
import zmq

from console.hub.messages_sensing import GetPreviewStats, WatchCameras
from console.link.keys import load_or_create_hub_keys
from console.link.remote import RemoteClient
from console.video.previews import WINDOW
from console.video.records import CameraState, Preview, decode
from console.video.watch import PreviewWatch, preview_endpoints
from tests.hubtrust.helpers import Desk, add_users
from tests.link.helpers import HubProcess, wait_until
from tests.video.test_hub_cameras import camera_file
from tests.video.written import WrittenScene

WAIT_S = 240.0  # a busy 2-core machine: generous, never asserted on


class Hub:
    def __init__(self, proc: HubProcess, public: str) -> None:
        self.proc = proc
        self.public = public
        self.stats_desk: Desk | None = None

    def desk(self, name: str, user: str) -> Desk:
        return Desk.to_process(self.proc, self.public, name, user)

    def stats(self) -> dict[str, Any]:
        if self.stats_desk is None:
            self.stats_desk = self.desk("stats", "sup")
        got: dict[str, Any] = self.stats_desk.call(GetPreviewStats())
        return got

    def previews_in(self) -> int:
        return int(self.stats()["cameras"].get("tower_a", {}).get("previews_in", 0))

    def watcher(self, client: RemoteClient) -> dict[str, Any] | None:
        key = client._keys.public
        return next((w for w in self.stats()["watchers"] if w["key"] == key), None)

    def after_previews(self, n: int) -> int:
        """Wait until ``n`` more previews reached the hub; returns the new total."""
        start = self.previews_in()
        assert wait_until(lambda: self.previews_in() >= start + n, timeout=WAIT_S, step=0.2)
        return self.previews_in()


@pytest.fixture(scope="module")
def hub(tmp_path_factory: pytest.TempPathFactory, throw_video: WrittenScene) -> Iterator[Hub]:
    tmp = tmp_path_factory.mktemp("previews")
    url = f"sqlite:///{tmp / 'hub.sqlite3'}"
    keys = load_or_create_hub_keys(tmp / "keys")
    add_users(url, ("op", "operator"), ("sup", "supervisor"), ("adm", "admin"))
    cams = camera_file(throw_video, tmp)
    proc = HubProcess(
        url, tmp / "keys", tmp / "hub.log", "--demo", "--cameras", str(cams), link_only=False
    )
    proc.start(timeout=180)
    h = Hub(proc, keys.public)
    try:
        assert wait_until(lambda: h.previews_in() > 0, timeout=WAIT_S, step=0.2), (
            proc.log.read_text()[-3000:]
        )
        yield h
    finally:
        if h.stats_desk is not None:
            h.stats_desk.close()
        if proc.proc is not None and proc.proc.poll() is None:
            assert proc.stop() == 0
        assert "live camera previews on tcp://" in proc.log.read_text(encoding="utf-8")


class RawPreviews:
    """A workstation's preview socket driven by hand: says hello, reads only when asked."""

    def __init__(self, client: RemoteClient, port: int) -> None:
        self.sock = client.ctx.socket(zmq.DEALER)
        self.sock.curve_secretkey = client._keys.secret.encode()
        self.sock.curve_publickey = client._keys.public.encode()
        self.sock.curve_serverkey = client.hub_public.encode()
        self.sock.setsockopt(zmq.LINGER, 0)
        for ep in preview_endpoints(client.command_endpoint, port):
            self.sock.connect(ep)
        self.sock.send(b"hello")
        self.records: list[Any] = []

    def read(self, ack: bool = True) -> int:
        n = 0
        while self.sock.poll(50, zmq.POLLIN):
            topic, data = self.sock.recv_multipart()
            assert topic == b"pv"
            self.records.append(decode(data))
            n += 1
        if n and ack:
            self.sock.send_multipart([b"ack", str(n).encode()])
        return n

    def close(self) -> None:
        self.sock.close(0)


def _port(hub: Hub) -> int:
    return int(hub.stats()["endpoint"].rpartition(":")[2])


def test_a_watching_operator_gets_live_previews_and_nobody_else_does(hub: Hub) -> None:
    op = hub.desk("wall-op", "op")
    other = hub.desk("no-wall", "sup")
    got: list[Any] = []
    cams: list[Any] = []
    watch = PreviewWatch(op.client, got.append, ["tower_a"], on_cameras=cams.extend)
    raw = RawPreviews(other.client, _port(hub))  # connected and admitted, but not watching
    try:
        reply = watch.start().result(60)
        assert reply.ok, reply.error
        assert reply.result["lease_s"] == 30.0 and reply.result["window"] == WINDOW
        # the hub's camera as the wall draws it, without its source
        assert [c.id for c in cams] == ["tower_a"] and cams[0].spec.source == ""
        assert cams[0].spec.facade
        assert wait_until(
            lambda: sum(isinstance(r, Preview) for r in got) >= 6, timeout=WAIT_S, step=0.1
        )
        previews = [r for r in got if isinstance(r, Preview)]
        for p in previews[:3]:
            img = cv2.imdecode(np.frombuffer(p.jpeg, np.uint8), cv2.IMREAD_COLOR)
            assert img is not None and img.shape[:2] == (p.height, p.width) == (240, 320)
        # the camera's state came first (a wall says at once that a camera is down)
        states = [r for r in got if isinstance(r, CameraState)]
        assert states and states[0].camera_id == "tower_a" and got[0] is states[0]
        raw.read()
        assert raw.records == [], "a workstation that does not watch gets no pictures"
        w = hub.watcher(op.client)
        assert w is not None and w["who"] == "op" and w["cameras"] == ["tower_a"]
        assert w["sent"] >= 6 and w["in_flight"] <= WINDOW
        assert w["bytes_sent"] / w["sent"] < 64 * 1024
        assert hub.watcher(other.client) is None

        # who may watch: operators and supervisors; an admin, or nobody signed in, may not
        adm = hub.desk("admin-ws", "adm")
        try:
            assert "may not" in adm.refused(WatchCameras(camera_ids=["tower_a"]))
        finally:
            adm.close()
        anon = RemoteClient(hub.proc.endpoint, hub.public, workstation="anon")
        try:
            r = anon.call(WatchCameras(), timeout=60)
            assert not r.ok
        finally:
            anon.close()
        assert "no camera far" in op.refused(WatchCameras(camera_ids=["far"]))

        # the wall closes: the hub stops sending at once
        stopped = watch.stop()
        assert stopped is not None and stopped.result(60).ok
        assert hub.watcher(op.client) is None
        n = len(got)
        hub.after_previews(4)
        assert len(got) == n
        raw.read()
        assert raw.records == []
    finally:
        watch.stop()
        raw.close()
        op.close()
        other.close()


def test_a_lapsed_lease_stops_the_stream(hub: Hub) -> None:
    desk = hub.desk("lapsing", "op")
    raw: RawPreviews | None = None
    try:
        r = desk.call(WatchCameras(camera_ids=["tower_a"], lease_s=0.2))
        assert r["lease_s"] == 1.0  # clamped to the shortest lease
        raw = RawPreviews(desk.client, r["port"])
        # never renewed: the hub forgets the watch (its counter says so)
        expired = hub.stats()["expired"]
        assert wait_until(lambda: hub.watcher(desk.client) is None, timeout=WAIT_S, step=0.05)
        assert hub.stats()["expired"] == expired + 1
        raw.read()
        before = len(raw.records)
        hub.after_previews(4)
        raw.read()
        assert len(raw.records) == before, "nothing after the lease lapsed"
    finally:
        if raw is not None:
            raw.close()
        desk.close()


def test_a_workstation_that_never_reads_holds_at_most_the_window(hub: Hub) -> None:
    desk = hub.desk("stalled", "sup")
    raw: RawPreviews | None = None
    try:
        r = desk.call(WatchCameras(camera_ids=["tower_a"], lease_s=120))
        raw = RawPreviews(desk.client, r["port"])  # says hello, then never reads nor acks
        hub.after_previews(WINDOW + 6)
        w = hub.watcher(desk.client)
        assert w is not None
        assert w["in_flight"] == WINDOW and w["max_in_flight"] == WINDOW, (w, hub.stats())
        assert w["sent"] + w["states_sent"] == WINDOW
        assert w["dropped"] >= 4, w  # replaced while it did not read: dropped, not queued
        stats = hub.stats()
        assert stats["held_previews"] <= 1  # one slot per camera, whoever watches
        # it reads again: the stream resumes
        assert raw.read() == WINDOW
        assert wait_until(lambda: raw.read() > 0, timeout=WAIT_S)
    finally:
        if raw is not None:
            raw.close()
        desk.call(WatchCameras(camera_ids=[]))
        desk.close()


def test_measured_preview_bytes_per_camera(hub: Hub) -> None:
    """The figure for docs/cameras.md: bytes a watching wall receives per camera."""
    desk = hub.desk("measure", "op")
    got: list[Any] = []
    watch = PreviewWatch(desk.client, got.append, ["tower_a"])
    try:
        assert watch.start().result(60).ok
        assert wait_until(lambda: watch.received >= 20, timeout=WAIT_S, step=0.1)
        t0, b0, n0 = time.monotonic(), watch.bytes_received, watch.received
        assert wait_until(lambda: watch.received >= n0 + 20, timeout=WAIT_S, step=0.05)
        dt = time.monotonic() - t0
        per = (watch.bytes_received - b0) / (watch.received - n0)
        print(f"preview bytes: {per:.0f} per preview, {(watch.bytes_received - b0) / dt:.0f} B/s")
        assert per < 64 * 1024
    finally:
        watch.stop()
        desk.close()
