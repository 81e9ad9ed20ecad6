"""A workstation's client for a hub in another process: the subscriber side of Clone.

:class:`RemoteClient` implements :class:`~console.hub.client.HubClient`, so the GUI
cannot tell it from the in-process client.  Its thread owns a DEALER (commands)
and a SUB (events).  It keeps the sequence: events it has already seen are
dropped, and a gap (an event or heartbeat ahead of what it has) makes it fetch
a fresh snapshot, which subscribers receive as a :class:`Snapshot` event
meaning "replace everything you show".

Over the wire a role is never taken on trust: until a :class:`Login` succeeds
the hub treats requests as anonymous, and only then admits this client's
(ephemeral) CURVE key to the event stream.  The token from the login reply is
kept and sent with every later request.

A hot standby pair (``tcp://a:5555,tcp://b:5555``): both sockets connect to every hub,
and only the primary has bound its ports.  Sessions live in the database, so the
token is good at whichever hub serves; a hub admits a connection to its events once a
request with a live token went through it.  When the events fall silent for
:data:`SILENT_S` or their sequence goes backwards (another hub, or the same one
restarted), the client asks for a fresh snapshot, which also gets its key admitted at
the new hub, and carries on without signing in again.
"""

from __future__ import annotations

import collections
import itertools
import logging
import threading
import time
from collections.abc import Callable
from concurrent.futures import Future
from typing import Any

import msgspec
import zmq

from console.hub.messages import (
    EVENT_DECODER,
    Command,
    Envelope,
    Event,
    GetDistrict,
    GetSnapshot,
    Login,
    Logout,
    Reply,
    Snapshot,
    StaticDistrict,
)
from console.link.keys import KeyPair
from console.link.sockopts import reconnect, split_endpoints
from console.link.wakeup import Wakeup
from console.link.workstation import derived_endpoints

log = logging.getLogger(__name__)

EventCallback = Callable[[Event], None]
RESULT_TYPES: dict[type[Command], type[Any]] = {GetSnapshot: Snapshot, GetDistrict: StaticDistrict}
"""Commands whose reply carries a struct the GUI expects typed (msgpack loses the class)."""
SILENT_S = 3.5
"""No heartbeat from the hub's event stream for this long (it sends one a second): ask
for a snapshot again (the hub died, or another one took over)."""
SYNC_PATIENCE_S = 5.0
"""A snapshot request unanswered this long is taken as lost (sent to a hub that died)."""
_REPLY_DEC = msgspec.msgpack.Decoder(Reply)
_ENC = msgspec.msgpack.Encoder()


class RemoteClient:
    """Talks to a stand-alone hub over tcp; same API as the in-process client."""

    def __init__(
        self,
        endpoint: str,
        hub_public: str,
        *,
        actor: str = "operator",
        role: str = "operator",
        workstation: str = "remote",
        ctx: zmq.Context[zmq.Socket[bytes]] | None = None,
        command_endpoint: str | None = None,
        event_endpoint: str | None = None,
    ) -> None:
        self.actor = actor
        self.role = role
        self.workstation = workstation
        self.token = ""
        """Session token from a successful :class:`Login`; sent with every request."""
        if command_endpoint is None or event_endpoint is None:
            hubs = [derived_endpoints(e) for e in split_endpoints(endpoint)]
            command_endpoint = ",".join(c for _, c, _ in hubs)
            event_endpoint = ",".join(e for _, _, e in hubs)
        self.command_endpoint = command_endpoint
        self.event_endpoint = event_endpoint
        self.hub_public = hub_public
        self.ctx = ctx or zmq.Context.instance()
        self._keys = KeyPair.generate()  # workstations are anonymous to CURVE; login says who
        self._ids = itertools.count(1)
        self._pending: dict[int, tuple[Future[Reply], type[Command]]] = {}
        self._outbox: collections.deque[bytes] = collections.deque()
        self._subs: dict[int, EventCallback] = {}
        self._sub_ids = itertools.count(1)
        self._lock = threading.Lock()
        self.last_seq = -1
        """Seq of the last event applied; -1 until the first snapshot."""
        self.resyncs = 0
        self._buffer: list[Event] = []
        self._syncing = False
        self._sync_since = 0.0
        self._heard_m = time.monotonic()
        """When the event stream last said anything (an event or a heartbeat)."""
        self.hub_changes = 0
        self._behind = 0
        self._hub_changed = False
        self._reopen_sub = False
        """How often the events went silent or their sequence went backwards."""
        self._reopen_dealer = False
        """A new hub answered (several hubs): requests go out on a fresh socket, which only
        a hub that completes its handshake takes, never a paused old primary that still
        holds the old socket's connection (it would get every other request)."""
        self._wakeup = Wakeup()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._main, name="remote-hub-client", daemon=True)
        self._thread.start()

    # ------------------------------------------------------------------ API

    @classmethod
    def with_explicit(
        cls, command_endpoint: str, event_endpoint: str, hub_public: str, **kw: Any
    ) -> RemoteClient:
        """For hubs bound on random ports (tests): give both endpoints."""
        return cls(
            "", hub_public, command_endpoint=command_endpoint, event_endpoint=event_endpoint, **kw
        )

    def request(self, command: Command) -> Future[Reply]:
        """Send a command; the future resolves with the hub's reply."""
        rid = next(self._ids)
        env = Envelope(
            request_id=rid,
            command=command,
            actor=self.actor,
            role=self.role,
            workstation=self.workstation,
            token=self.token,
        )
        fut: Future[Reply] = Future()
        with self._lock:
            self._pending[rid] = (fut, type(command))
            self._outbox.append(_ENC.encode(env))
        self._wake()
        return fut

    def call(self, command: Command, timeout: float = 10.0) -> Reply:
        """Blocking convenience for scripts and tests."""
        return self.request(command).result(timeout)

    def subscribe(self, callback: EventCallback) -> Callable[[], None]:
        """Receive every event from now on (on the client thread); returns the unsubscribe."""
        sid = next(self._sub_ids)
        with self._lock:
            self._subs[sid] = callback

        def unsubscribe() -> None:
            with self._lock:
                self._subs.pop(sid, None)

        return unsubscribe

    def close(self) -> None:
        """Stop the thread; pending requests fail."""
        self._stop.set()
        self._wake()
        if threading.current_thread() is not self._thread:
            self._thread.join(10.0)
        with self._lock:
            pending, self._pending = self._pending, {}
        for fut, _ in pending.values():
            if not fut.done():
                fut.set_exception(ConnectionError("hub client closed"))
        self._wakeup.close()

    @property
    def keys(self) -> KeyPair:
        """This connection's CURVE key pair: a side socket (camera previews) uses it so the
        hub knows it as the signed-in connection; the hub child admits its public key."""
        return self._keys

    def adopt_session(self, token: str, actor: str, role: str) -> None:
        """Use a session opened for this connection's key elsewhere (the hub child's demo
        seat); as a Login reply does, it opens the event subscription."""
        self.actor, self.role, self.token = actor, role, token
        self._wake()

    # --------------------------------------------------------------- thread

    def _wake(self) -> None:
        self._wakeup.wake()

    def _socket(self, kind: int, endpoint: str) -> zmq.Socket[bytes]:
        s = self.ctx.socket(kind)
        s.curve_secretkey = self._keys.secret.encode()
        s.curve_publickey = self._keys.public.encode()
        s.curve_serverkey = self.hub_public.encode()
        s.setsockopt(zmq.LINGER, 0)
        if kind == zmq.SUB:
            s.setsockopt(zmq.RCVHWM, 100_000)
            s.setsockopt(zmq.SUBSCRIBE, b"")
        several = split_endpoints(endpoint) if "," in endpoint else [endpoint]
        reconnect(s, several=len(several) > 1)  # several hubs: find the new primary fast
        if kind == zmq.DEALER and len(several) > 1:
            s.setsockopt(zmq.IMMEDIATE, 1)  # requests only to the hub that has bound
        for one in several:
            s.connect(one)
        return s

    def _main(self) -> None:
        sub: zmq.Socket[bytes] | None = None
        dealer = self._socket(zmq.DEALER, self.command_endpoint)
        poller = zmq.Poller()
        poller.register(dealer, zmq.POLLIN)
        poller.register(self._wakeup.fd, zmq.POLLIN)
        try:
            while not self._stop.is_set():
                events = dict(poller.poll(500))
                if self._wakeup.fd in events:
                    self._wakeup.drain()
                if self._reopen_sub and sub is not None:
                    # a hub that refused our key before it knew our session never lets
                    # that connection try again (ZAP failure): subscribe afresh, now admitted
                    self._reopen_sub = False
                    log.info("admitted by the hub that serves now: subscribing to its events")
                    poller.unregister(sub)
                    sub.close(0)
                    sub = None
                if self._reopen_dealer:
                    self._reopen_dealer = False
                    log.info("another hub serves: requests on a fresh socket from now on")
                    poller.unregister(dealer)
                    dealer.close(0)
                    dealer = self._socket(zmq.DEALER, self.command_endpoint)
                    poller.register(dealer, zmq.POLLIN)
                if self.token and sub is None:  # signed in: the hub now admits our key to events
                    sub = self._socket(zmq.SUB, self.event_endpoint)
                    poller.register(sub, zmq.POLLIN)
                    self._heard_m = time.monotonic()
                    self._resync()
                elif not self.token and sub is not None:
                    poller.unregister(sub)
                    sub.close(0)
                    sub = None
                    self.last_seq = -1
                with self._lock:
                    out, self._outbox = list(self._outbox), collections.deque()
                self._send_all(dealer, out)
                if sub is not None and self.token:
                    self._watch_hub()
                if dealer in events:
                    while True:
                        try:
                            self._reply(dealer.recv(zmq.NOBLOCK))
                        except zmq.Again:
                            break
                if sub is not None and sub in events:
                    while True:
                        try:
                            topic, data = sub.recv_multipart(zmq.NOBLOCK)
                        except zmq.Again:
                            break
                        except ValueError:
                            continue
                        self._published(topic, data)
        finally:
            if sub is not None:
                sub.close(0)
            dealer.close(0)

    def _send_all(self, dealer: zmq.Socket[bytes], out: list[bytes]) -> None:
        """Send the queued requests; with several hubs and none bound yet (a takeover under
        way) keep the rest queued and try again on the next turn of the loop."""
        for i, data in enumerate(out):
            try:
                dealer.send(data, zmq.NOBLOCK if "," in self.command_endpoint else 0)
            except zmq.Again:
                with self._lock:
                    self._outbox.extendleft(reversed(out[i:]))
                time.sleep(0.05)
                self._wake()
                return

    def _watch_hub(self) -> None:
        """Silent events for :data:`SILENT_S`: the hub died or another took over: resync
        (the snapshot request also gets this client admitted at the hub that serves)."""
        now = time.monotonic()
        if now - self._heard_m > SILENT_S:
            self._heard_m = now
            self._hub_changed = True
            self.hub_changes += 1
            log.warning("no events from the hub for %.1f s: asking for a snapshot", SILENT_S)
            self._resync()

    def _resync(self) -> None:
        """Ask for a snapshot; events are buffered until it arrives."""
        if self._syncing and time.monotonic() - self._sync_since < SYNC_PATIENCE_S:
            return
        self._syncing = True
        self._sync_since = time.monotonic()
        self._buffer = []
        self.resyncs += 1
        fut = self.request(GetSnapshot())
        fut.add_done_callback(self._snapshot_arrived)

    def _snapshot_arrived(self, fut: Future[Reply]) -> None:
        # runs on the client thread (replies are resolved there)
        self._syncing = False
        try:
            reply = fut.result()
        except Exception:
            return
        if not reply.ok or not isinstance(reply.result, Snapshot):
            log.warning("hub refused the snapshot: %s", reply.error)
            return
        if self._hub_changed:  # this hub answered with our token: it now admits our key
            self._hub_changed = False
            self._reopen_sub = True
            self._reopen_dealer = "," in self.command_endpoint
            self._wakeup.wake()
        snap = reply.result
        self.last_seq = snap.seq
        self._deliver(snap)
        buffered, self._buffer = self._buffer, []
        for ev in buffered:
            self._event(ev)

    def _reply(self, data: bytes) -> None:
        try:
            reply = _REPLY_DEC.decode(data)
        except (msgspec.DecodeError, msgspec.ValidationError):
            log.warning("dropped a malformed reply from the hub")
            return
        with self._lock:
            entry = self._pending.pop(reply.request_id, None)
        if entry is None:
            return
        fut, cmd_type = entry
        if cmd_type is Login and reply.ok and isinstance(reply.result, dict):
            self.token = str(reply.result.get("token", ""))
            self.actor = str(reply.result.get("actor", self.actor))
            self.role = str(reply.result.get("role", self.role))
        elif cmd_type is Logout:
            self.token = ""
        if cmd_type in (Login, Logout):
            self._wakeup.wake()  # open or close the event subscription
        want = RESULT_TYPES.get(cmd_type)
        if reply.ok and want is not None and reply.result is not None:
            try:
                reply.result = msgspec.convert(reply.result, want)
            except msgspec.ValidationError as exc:
                reply = Reply(reply.request_id, False, error=f"unexpected reply: {exc}")
        fut.set_result(reply)

    def _published(self, topic: bytes, data: bytes) -> None:
        self._heard_m = time.monotonic()
        if topic == b"hb":
            try:
                seq = int(data)
            except ValueError:
                return
            # behind on two heartbeats in a row (one may race a snapshot): another hub
            self._behind = self._behind + 1 if 0 <= seq < self.last_seq else 0
            if not self._syncing and self._behind >= 2:
                self._behind = 0
                self._hub_changed = True
                self.hub_changes += 1
                log.warning(
                    "event sequence went back to %d (had %d): another hub", seq, self.last_seq
                )
                self._resync()
            elif not self._syncing and seq > self.last_seq >= 0:
                log.info("missed events up to %d (have %d): resyncing", seq, self.last_seq)
                self._resync()
            return
        try:
            ev = EVENT_DECODER.decode(data)
        except (msgspec.DecodeError, msgspec.ValidationError):
            log.warning("dropped a malformed event from the hub")
            return
        if self._syncing:
            self._buffer.append(ev)
        elif self.last_seq >= 0:
            self._event(ev)

    def _event(self, ev: Event) -> None:
        if ev.seq <= self.last_seq:
            return  # already in the snapshot or seen
        if ev.seq != self.last_seq + 1:
            log.info("event gap: got %d after %d; resyncing", ev.seq, self.last_seq)
            self._resync()
            self._buffer.append(ev)
            return
        self.last_seq = ev.seq
        self._deliver(ev)

    def _deliver(self, ev: Event) -> None:
        with self._lock:
            subs = list(self._subs.values())
        for cb in subs:
            try:
                cb(ev)
            except Exception:
                log.exception("event subscriber failed")
