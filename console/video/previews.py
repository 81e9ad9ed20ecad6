"""Live camera pictures for remote video walls: the hub's preview forwarder (issue 19).

The camera workers already send the hub a small JPEG preview about twice a second
(:class:`~console.video.records.Preview`, 320 px wide).  A workstation on a stand-alone
hub that opens its wall sends ``WatchCameras`` (:mod:`console.hub.camera_watch` checks
role and session, and leases the cameras to the connection's CURVE key); this forwarder
then sends that connection the previews and the state changes (up, down, reconnecting)
of its cameras, and nobody else anything.

- **Own socket.** A ROUTER on the port after the event port (``tcp://HOST:PORT+3`` for a
  hub on ``PORT``), CURVE with the hub key, admitted like the event stream (ZAP domain
  ``workstation-events``: only connections that signed in).  Pictures never share the
  event stream: a slow wall must not push ordinary events past the PUB's high-water mark.
- **Dropped, never queued.** The hub keeps one slot per camera (the newest preview
  replaces the one before), and each workstation has at most :data:`WINDOW` messages
  in flight: it acknowledges what it read (``ack``), and a workstation that does not
  read gets nothing more; what it missed is counted as dropped.  So the hub's memory
  for previews is bounded by cameras x :data:`MAX_PREVIEW_BYTES` plus, per watching
  workstation, :data:`WINDOW` messages in its socket's queue, however slow or dead the
  workstation is.
- **Bounded rate and size.** At most one preview per camera each
  :data:`MIN_INTERVAL_S` per workstation (a newer one waiting replaces the older), and a
  preview larger than :data:`MAX_PREVIEW_BYTES` is not forwarded: at most about 2 x
  64 KiB per camera a second; a 640x480 camera's 320x240 previews measure about
  12-20 KB each (``docs/cameras.md``).
- **Leases.** A watch lapses ``lease_s`` after its last renewal; ``[]`` ends it at once.

Wire (multipart): workstation -> hub ``[b"hello"]`` (after connecting and with each
renewal: the hub learns where to send) and ``[b"ack", b"<n>"]``; hub -> workstation
``[b"pv", record]`` with a msgpack :class:`Preview` or :class:`CameraState`
(:func:`console.video.records.decode`).
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import zmq

from console.link.keys import KeyPair
from console.link.trust import EVENTS_DOMAIN
from console.link.wakeup import Wakeup
from console.video.records import AnyRecord, CameraState, Preview, encode

if TYPE_CHECKING:
    from console.hub.hub import CommandHub
    from console.video.hubfeed import CameraFeed

log = logging.getLogger(__name__)

MAX_PREVIEW_BYTES = 64 * 1024
"""A preview JPEG larger than this is not forwarded (a 320-px JPEG is far smaller)."""
MIN_INTERVAL_S = 0.45
"""At most one preview per camera this often per workstation (the workers send 2 a second)."""
WINDOW = 8
"""Messages in flight to one workstation before it must acknowledge."""
LEASE_MIN_S = 1.0
LEASE_MAX_S = 120.0
MAX_ROUTES = 1024
"""Connections remembered (say ``hello``) without a watch; the oldest are forgotten."""
POLL_MS = 100


@dataclass
class Watcher:
    """One watching workstation (its connection's key) and what it was sent."""

    key: str
    who: str
    cameras: frozenset[str]
    expires: float
    since: float
    in_flight: int = 0
    max_in_flight: int = 0
    sent: int = 0
    states_sent: int = 0
    acked: int = 0
    dropped: int = 0
    """Previews of its cameras it never got (replaced by a newer one while it was slow,
    or over the rate)."""
    held: int = 0
    """Times a waiting preview was held because the window was full."""
    bytes_sent: int = 0
    unreachable: int = 0
    last_sent: dict[str, float] = field(default_factory=dict)
    seen: dict[str, int] = field(default_factory=dict)  # camera -> version sent/skipped
    states_due: set[str] = field(default_factory=set)

    def as_dict(self, now: float, latest: dict[str, int]) -> dict[str, Any]:
        # previews replaced while waiting for this workstation count as dropped already
        waiting = sum(
            max(0, latest[c] - self.seen.get(c, latest[c] - 1) - 1)
            for c in self.cameras
            if c in latest
        )
        return {
            "key": self.key,
            "who": self.who,
            "cameras": sorted(self.cameras),
            "lease_left_s": round(self.expires - now, 3),
            "watching_s": round(now - self.since, 3),
            "in_flight": self.in_flight,
            "max_in_flight": self.max_in_flight,
            "sent": self.sent,
            "states_sent": self.states_sent,
            "acked": self.acked,
            "dropped": self.dropped + waiting,
            "held": self.held,
            "bytes_sent": self.bytes_sent,
            "unreachable": self.unreachable,
        }


def preview_endpoint(command_endpoint: str) -> str:
    """Where the forwarder binds: the port after the event port (command port + 2); beside
    an ``ipc://`` command socket (the workstation's hub process), ``previews`` in its folder."""
    if command_endpoint.startswith("ipc://"):
        return command_endpoint.rpartition("/")[0] + "/previews"
    host, _, port = command_endpoint.rpartition(":")
    n = int(port)
    return f"{host}:{n + 2 if n else 0}"


class PreviewForwarder:
    """Previews from a camera feed to the workstations that watch (see the module)."""

    def __init__(
        self,
        ctx: zmq.Context[zmq.Socket[bytes]],
        keys: KeyPair,
        bind: str,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.ctx = ctx
        self.keys = keys
        self.bind = bind
        self.clock = clock
        self.endpoint = ""
        self._lock = threading.Lock()
        self._latest: dict[str, tuple[int, bytes]] = {}  # camera -> (version, record bytes)
        self._states: dict[str, bytes] = {}
        self._watchers: dict[str, Watcher] = {}
        self._routes: dict[str, bytes] = {}  # key -> routing id of its preview socket
        self.previews_in: dict[str, int] = {}
        self.bytes_in: dict[str, int] = {}
        self.too_big: dict[str, int] = {}
        self.expired = 0
        self.ended = 0
        self.bad_messages = 0
        self._wakeup = Wakeup()
        self._running = threading.Event()
        self._ready = threading.Event()
        self._error: BaseException | None = None
        self._thread: threading.Thread | None = None

    # ----------------------------------------------------------------- lifecycle

    @property
    def port(self) -> int:
        if not self.endpoint or self.endpoint.startswith("ipc://"):
            return 0  # no port: the watcher finds ipc previews beside the command socket
        return int(self.endpoint.rpartition(":")[2])

    def start(self) -> PreviewForwarder:
        self._running.set()
        self._thread = threading.Thread(target=self._main, name="camera-previews", daemon=True)
        self._thread.start()
        self._ready.wait(10.0)
        if self._error is not None:
            self.stop()
            raise self._error
        return self

    def stop(self) -> None:
        self._running.clear()
        self._wakeup.wake()
        if self._thread is not None:
            self._thread.join(10.0)
            self._thread = None
        self._wakeup.close()

    # ------------------------------------------------------ feed (any thread)

    def take_record(self, rec: AnyRecord) -> None:
        """A camera feed's listener: keep the newest preview and state of each camera."""
        if isinstance(rec, Preview):
            cid = rec.camera_id
            with self._lock:
                self.previews_in[cid] = self.previews_in.get(cid, 0) + 1
                if len(rec.jpeg) > MAX_PREVIEW_BYTES:
                    self.too_big[cid] = self.too_big.get(cid, 0) + 1
                    return
                data = encode(rec)
                self.bytes_in[cid] = self.bytes_in.get(cid, 0) + len(data)
                version = self._latest.get(cid, (0, b""))[0] + 1
                self._latest[cid] = (version, data)
        elif isinstance(rec, CameraState):
            with self._lock:
                self._states[rec.camera_id] = encode(rec)
                for w in self._watchers.values():
                    if rec.camera_id in w.cameras:
                        w.states_due.add(rec.camera_id)
        else:
            return
        self._wakeup.wake()

    # --------------------------------------------------------- hub (hub thread)

    def limits(self) -> dict[str, Any]:
        return {
            "max_preview_bytes": MAX_PREVIEW_BYTES,
            "min_interval_s": MIN_INTERVAL_S,
            "window": WINDOW,
        }

    def watch(self, key: str, cameras: list[str], lease_s: float, who: str) -> float:
        """Lease ``cameras`` to the connection ``key`` (``[]``: end its watch now)."""
        lease = min(LEASE_MAX_S, max(LEASE_MIN_S, float(lease_s)))
        now = self.clock()
        with self._lock:
            if not cameras:
                if self._watchers.pop(key, None) is not None:
                    self.ended += 1
                return 0.0
            w = self._watchers.get(key)
            if w is None:
                w = self._watchers[key] = Watcher(key, who, frozenset(), now + lease, now)
                log.info("live previews of %s to %s", ", ".join(cameras), who)
            added = set(cameras) - w.cameras
            w.cameras = frozenset(cameras)
            w.expires = now + lease
            w.who = who
            # a new camera's current state goes first, so a wall shows a camera down at once
            w.states_due |= {c for c in added if c in self._states}
        self._wakeup.wake()
        return lease

    def stats(self) -> dict[str, Any]:
        now = self.clock()
        with self._lock:
            latest = {c: v for c, (v, _) in self._latest.items()}
            return {
                "endpoint": self.endpoint,
                "cameras": {
                    c: {
                        "previews_in": n,
                        "bytes_in": self.bytes_in.get(c, 0),
                        "too_big": self.too_big.get(c, 0),
                    }
                    for c, n in self.previews_in.items()
                },
                "held_previews": len(self._latest),
                "held_bytes": sum(len(d) for _, d in self._latest.values()),
                "watchers": [w.as_dict(now, latest) for w in self._watchers.values()],
                "expired": self.expired,
                "ended": self.ended,
                "bad_messages": self.bad_messages,
                "connections": len(self._routes),
                **self.limits(),
            }

    # ------------------------------------------------------------ socket thread

    def _main(self) -> None:
        router = self.ctx.socket(zmq.ROUTER)
        try:
            router.setsockopt(zmq.ZAP_DOMAIN, EVENTS_DOMAIN.encode())
            router.setsockopt(zmq.ZAP_ENFORCE_DOMAIN, 1)
            router.curve_server = True
            router.curve_secretkey = self.keys.secret.encode()
            router.curve_publickey = self.keys.public.encode()
            router.setsockopt(zmq.LINGER, 0)
            router.setsockopt(zmq.ROUTER_MANDATORY, 1)
            router.setsockopt(zmq.SNDHWM, WINDOW + 4)  # a second fence behind the window
            router.setsockopt(zmq.MAXMSGSIZE, 4096)  # hello and ack only (and the handshake)
            router.bind(self.bind)
            self.endpoint = router.getsockopt_string(zmq.LAST_ENDPOINT)
        except BaseException as exc:
            self._error = exc
            router.close(0)
            self._ready.set()
            return
        self._ready.set()
        log.info("live camera previews on %s", self.endpoint)
        poller = zmq.Poller()
        poller.register(router, zmq.POLLIN)
        poller.register(self._wakeup.fd, zmq.POLLIN)
        try:
            while self._running.is_set():
                events = dict(poller.poll(POLL_MS))
                if self._wakeup.fd in events:
                    self._wakeup.drain()
                if router in events:
                    for _ in range(1000):
                        try:
                            parts = router.recv_multipart(zmq.NOBLOCK, copy=False)
                        except zmq.Again:
                            break
                        self._incoming(parts)
                self._pump(router)
        finally:
            router.close(0)

    def _incoming(self, parts: list[zmq.Frame]) -> None:
        rid = parts[0].bytes
        try:
            key = str(parts[min(1, len(parts) - 1)].get("User-Id")).removeprefix("workstation:")
        except zmq.ZMQError:
            key = ""
        what = parts[1].bytes if len(parts) >= 2 else b""
        with self._lock:
            if not key or what not in (b"hello", b"ack"):
                self.bad_messages += 1
                return
            if what == b"hello":
                if self._routes.get(key) != rid:
                    self._routes.pop(key, None)
                    self._routes[key] = rid
                    while len(self._routes) > MAX_ROUTES:
                        self._routes.pop(next(iter(self._routes)))
                    w = self._watchers.get(key)
                    if w is not None:  # a new connection: what was in flight on the old is gone
                        w.in_flight = 0
                        w.states_due |= {c for c in w.cameras if c in self._states}
                return
            w = self._watchers.get(key)
            try:
                n = int(parts[2].bytes) if len(parts) >= 3 else 1
            except ValueError:
                self.bad_messages += 1
                return
            if w is not None and n > 0:
                done = min(n, w.in_flight)
                w.in_flight -= done
                w.acked += done

    def _pump(self, router: zmq.Socket[bytes]) -> None:
        """Send each watcher what is due and fits its window; expire lapsed leases."""
        now = self.clock()
        with self._lock:
            for key in [k for k, w in self._watchers.items() if w.expires < now]:
                w = self._watchers.pop(key)
                self.expired += 1
                log.info("live previews to %s: lease lapsed", w.who)
            for w in self._watchers.values():
                rid = self._routes.get(w.key)
                if rid is None:
                    continue
                for cid in sorted(w.states_due):
                    if w.in_flight >= WINDOW:
                        break
                    if self._send(router, w, rid, self._states[cid]):
                        w.states_due.discard(cid)
                        w.states_sent += 1
                for cid in sorted(w.cameras):
                    got = self._latest.get(cid)
                    if got is None:
                        continue
                    version, data = got
                    seen = w.seen.get(cid, version - 1)
                    if version <= seen:
                        continue
                    if now - w.last_sent.get(cid, -1e18) < MIN_INTERVAL_S:
                        continue  # the newest waits; a newer one replaces it
                    if w.in_flight >= WINDOW:
                        w.held += 1
                        continue
                    if self._send(router, w, rid, data):
                        w.dropped += version - seen - 1
                        w.seen[cid] = version
                        w.last_sent[cid] = now
                        w.sent += 1
                        w.bytes_sent += len(data)

    def _send(self, router: zmq.Socket[bytes], w: Watcher, rid: bytes, data: bytes) -> bool:
        try:
            router.send_multipart([rid, b"pv", data], zmq.NOBLOCK)
        except zmq.Again:  # its queue is full despite the window: drop
            w.held += 1
            return False
        except zmq.ZMQError:  # the connection is gone: wait for its next hello
            w.unreachable += 1
            if self._routes.get(w.key) == rid:
                del self._routes[w.key]
            return False
        w.in_flight += 1
        w.max_in_flight = max(w.max_in_flight, w.in_flight)
        return True


def serve_previews(
    hub: CommandHub,
    feed: CameraFeed,
    ctx: zmq.Context[zmq.Socket[bytes]],
    keys: KeyPair,
    command_endpoint: str,
) -> PreviewForwarder | None:
    """Forward ``feed``'s previews to the workstations that watch (``WatchCameras``),
    on the port after ``command_endpoint``'s event port; stopped with the feed.  A port
    that cannot be bound is logged and leaves the hub without live pictures (the cameras
    still raise incidents; ``WatchCameras`` says the hub sends none)."""
    bind = preview_endpoint(command_endpoint)
    try:
        fwd = PreviewForwarder(ctx, keys, bind).start()
    except zmq.ZMQError as exc:
        log.error("live camera previews not served (cannot bind %s: %s)", bind, exc)
        return None
    remove = feed.add_listener(fwd.take_record)
    watch = hub.sensing.watch
    if watch is not None:
        watch.port = fwd

    def stop() -> None:
        remove()
        if watch is not None and watch.port is fwd:
            watch.port = None
        fwd.stop()

    feed.stoppers.append(stop)
    for state in list(feed.supervisor.states.values()):
        fwd.take_record(state)  # the states before the forwarder listened
    return fwd


__all__ = ["PreviewForwarder", "Watcher", "preview_endpoint", "serve_previews"]
