"""A remote workstation's side of the live camera pictures (issue 19).

:class:`PreviewWatch` asks the hub for its cameras' previews (``WatchCameras``), renews
the lease every half lease while it runs, and reads the preview socket
(:mod:`console.video.previews`) on its own thread: each :class:`Preview` or
:class:`CameraState` goes to ``on_record`` -- the video wall's ``take_record``, which
decodes only the newest JPEG per camera -- and is acknowledged, so the hub sends more.
:meth:`PreviewWatch.stop` ends the watch at once (``WatchCameras([])``); a workstation that
dies simply stops renewing and its lease lapses.

It uses the CURVE key of the workstation's own :class:`~console.link.remote.RemoteClient`
connection: the hub sends previews only to the connection that signed in and watches.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from concurrent.futures import Future
from typing import Any

import msgspec
import zmq

from console.hub.messages import Reply
from console.hub.messages_sensing import WatchCameras
from console.link.remote import RemoteClient
from console.link.sockopts import split_endpoints
from console.video.config import Camera, CameraSpec
from console.video.previews import preview_endpoint
from console.video.records import AnyRecord, decode

log = logging.getLogger(__name__)

RENEW_SHARE = 0.5
"""Renew when this share of the lease has passed."""


def cameras_of(reply: dict[str, Any]) -> list[Camera]:
    """The cameras a ``WatchCameras`` reply describes (without their sources)."""
    return [
        Camera(id=str(d["id"]), kind=d["kind"], spec=msgspec.convert(d["spec"], CameraSpec))
        for d in reply.get("cameras", [])
    ]


def preview_endpoints(command_endpoint: str, port: int) -> list[str]:
    """The preview socket on each hub host the client talks to (a standby pair: both);
    beside an ``ipc://`` command socket (the workstation's hub process), its ``previews``."""
    return [
        preview_endpoint(e) if e.startswith("ipc://") else f"{e.rpartition(':')[0]}:{port}"
        for e in split_endpoints(command_endpoint)
    ]


class PreviewWatch:
    """Live previews of ``camera_ids`` (None: all the hub's) to ``on_record``."""

    def __init__(
        self,
        client: RemoteClient,
        on_record: Callable[[AnyRecord], None],
        camera_ids: list[str] | None = None,
        *,
        lease_s: float = 30.0,
        on_cameras: Callable[[list[Camera]], None] | None = None,
        on_refused: Callable[[str], None] | None = None,
    ) -> None:
        self.client = client
        self.on_record = on_record
        self.camera_ids = camera_ids
        self.lease_s = lease_s
        self.on_cameras = on_cameras
        self.on_refused = on_refused
        self.port = 0
        self.granted_s = 0.0
        self.received = 0
        self.bytes_received = 0
        self.renewals = 0
        self.error = ""
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._reopen = threading.Event()
        self._renew_at = 0.0
        self._heard_since_renew = False

    def start(self) -> Future[Reply]:
        """Ask for the previews; the socket opens when the hub agrees."""
        self._stop.clear()
        fut = self._ask()
        fut.add_done_callback(self._first_reply)
        return fut

    def stop(self) -> Future[Reply] | None:
        """End the watch (the hub stops sending at once) and close the socket."""
        running = self._thread is not None or not self._stop.is_set()
        self._stop.set()
        if self._thread is not None and threading.current_thread() is not self._thread:
            self._thread.join(5.0)
        self._thread = None
        if not running:
            return None
        return self.client.request(WatchCameras(camera_ids=[], lease_s=self.lease_s))

    # ------------------------------------------------------------------ inner

    def _ask(self) -> Future[Reply]:
        cmd = WatchCameras(
            camera_ids=None if self.camera_ids is None else list(self.camera_ids),
            lease_s=self.lease_s,
        )
        return self.client.request(cmd)

    def _accepted(self, fut: Future[Reply]) -> dict[str, Any] | None:
        try:
            reply = fut.result()
        except Exception as exc:
            reply = Reply(0, False, error=str(exc))
        if not reply.ok or not isinstance(reply.result, dict):
            self.error = reply.error
            log.warning("live camera pictures refused: %s", reply.error)
            if self.on_refused is not None:
                self.on_refused(reply.error)
            return None
        result: dict[str, Any] = reply.result
        self.port = int(result.get("port", 0))
        self.granted_s = float(result.get("lease_s", self.lease_s))
        self._renew_at = time.monotonic() + RENEW_SHARE * self.granted_s
        return result

    def _first_reply(self, fut: Future[Reply]) -> None:
        result = self._accepted(fut)
        if result is None or self._stop.is_set():
            return
        if self.on_cameras is not None:
            self.on_cameras(cameras_of(result))
        self._thread = threading.Thread(target=self._main, name="camera-watch", daemon=True)
        self._thread.start()

    def _renewed(self, fut: Future[Reply]) -> None:
        if self._accepted(fut) is None:
            return
        self.renewals += 1
        if not self._heard_since_renew:
            # nothing came for half a lease (another hub took over and refused the old
            # connection before it knew our session): connect afresh
            self._reopen.set()
        self._heard_since_renew = False

    def _socket(self) -> zmq.Socket[bytes]:
        keys = self.client.keys  # the signed-in connection's key: the hub sends to it only
        s = self.client.ctx.socket(zmq.DEALER)
        s.curve_secretkey = keys.secret.encode()
        s.curve_publickey = keys.public.encode()
        s.curve_serverkey = self.client.hub_public.encode()
        s.setsockopt(zmq.LINGER, 0)
        s.setsockopt(zmq.RECONNECT_IVL, 200)
        s.setsockopt(zmq.RECONNECT_IVL_MAX, 2000)
        for ep in preview_endpoints(self.client.command_endpoint, self.port):
            s.connect(ep)
        s.send(b"hello")
        return s

    def _main(self) -> None:
        sock = self._socket()
        try:
            while not self._stop.is_set():
                if self._reopen.is_set():
                    self._reopen.clear()
                    sock.close(0)
                    sock = self._socket()
                if sock.poll(200, zmq.POLLIN):
                    got = 0
                    while got < 100:
                        try:
                            parts = sock.recv_multipart(zmq.NOBLOCK)
                        except zmq.Again:
                            break
                        got += 1
                        self._take(parts)
                    if got:
                        self._heard_since_renew = True
                        sock.send_multipart([b"ack", str(got).encode()])
                if time.monotonic() >= self._renew_at:
                    self._renew_at = time.monotonic() + RENEW_SHARE * max(self.granted_s, 1.0)
                    self._ask().add_done_callback(self._renewed)
                    sock.send(b"hello")  # a restarted hub learns where we are
        finally:
            sock.close(0)

    def _take(self, parts: list[bytes]) -> None:
        if len(parts) != 2 or parts[0] != b"pv":
            return
        try:
            rec = decode(parts[1])
        except (msgspec.DecodeError, msgspec.ValidationError):
            log.warning("dropped a malformed camera preview")
            return
        self.received += 1
        self.bytes_received += len(parts[1])
        try:
            self.on_record(rec)
        except Exception:
            log.exception("camera preview listener failed")


__all__ = ["PreviewWatch", "cameras_of", "preview_endpoints"]
