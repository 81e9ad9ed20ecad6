"""Workstations over ZeroMQ: the hub side of the Clone pattern (zguide ch. 5).

Two sockets, both CURVE-encrypted with the hub key (ZAP domain ``workstation``):

- a ROUTER for commands: a msgpack :class:`~console.hub.messages.Envelope` in,
  a :class:`~console.hub.messages.Reply` out, answered when the hub's future resolves;
- a PUB for events: ``[b"ev", event]`` in the hub's ``seq`` order, plus a
  ``[b"hb", seq]`` heartbeat every second carrying the last published seq, so a
  subscriber that missed the tail of a burst still notices the gap.

A late joiner subscribes, asks for a ``GetSnapshot`` (which carries the seq it
reflects), drops buffered events up to that seq and applies the rest; any hole
in the sequence (PUB drops at its high-water mark) makes it fetch a new
snapshot (:class:`~console.link.remote.RemoteClient`).
"""

from __future__ import annotations

import collections
import contextlib
import logging
import threading
import time
import typing
from collections.abc import Callable
from concurrent.futures import Future
from typing import Any, Protocol

import msgspec
import zmq

from console.hub.messages import Command, Envelope, Event, Reply
from console.link.keys import KeyPair
from console.link.trust import EVENTS_DOMAIN, WORKSTATION_DOMAIN
from console.link.wakeup import Wakeup

log = logging.getLogger(__name__)

REQUEST_LIMIT = 1024 * 1024
PUB_HWM = 20_000
HEARTBEAT_S = 1.0
INTERNAL_ROLES = frozenset({"link", "system", "terminal"})
ANONYMOUS = "anonymous"


class HubService(Protocol):
    """The part of :class:`~console.hub.hub.CommandHub` the server needs."""

    def submit(self, env: Envelope) -> Future[Reply]: ...

    def subscribe(self, callback: Callable[[Event], None]) -> Callable[[], None]: ...


def derived_endpoints(endpoint: str) -> tuple[str, str, str]:
    """Terminal, workstation-command and event endpoints from one ``tcp://host:port``.

    Terminals use ``port``, workstation commands ``port + 1``, events ``port + 2``.
    """
    if not endpoint.startswith("tcp://") or ":" not in endpoint[6:]:
        raise ValueError(f"hub endpoint must look like tcp://host:port, got {endpoint!r}")
    host, _, port_s = endpoint[6:].rpartition(":")
    try:
        port = int(port_s)
    except ValueError:
        raise ValueError(f"hub endpoint {endpoint!r} has no numeric port") from None
    if port == 0:
        return endpoint, endpoint, endpoint
    if not 1 <= port <= 65533:
        raise ValueError(f"hub endpoint port must be 1-65533, got {port}")
    return (f"tcp://{host}:{port}", f"tcp://{host}:{port + 1}", f"tcp://{host}:{port + 2}")


def wire_envelope_type(commands: list[type[Command]]) -> type[msgspec.Struct]:
    """:class:`Envelope` with ``command`` narrowed to the union workstations may send.

    Built from Envelope's own fields, so a field the hub adds travels too.
    """
    union: Any = typing.Union[tuple(commands)]  # noqa: UP007 - built at run time
    fields: list[Any] = []
    for f in msgspec.structs.fields(Envelope):
        typ = union if f.name == "command" else f.type
        if f.required:
            fields.append((f.name, typ))
        else:
            fields.append((f.name, typ, f.default))
    return msgspec.defstruct("WireEnvelope", fields, forbid_unknown_fields=True)


class HubServer:
    """Serves workstation commands and events for one hub, on its own thread."""

    def __init__(
        self,
        ctx: zmq.Context[zmq.Socket[bytes]],
        hub: HubService,
        commands: list[type[Command]],
        hub_keys: KeyPair,
        command_endpoint: str,
        event_endpoint: str,
        event_keys: set[str] | None = None,
    ) -> None:
        self.ctx = ctx
        self.hub = hub
        self.event_keys = event_keys if event_keys is not None else set()
        """Keys admitted to the event stream (shared with the ZAP handler)."""
        self.hub_keys = hub_keys
        self._bind = (command_endpoint, event_endpoint)
        self.command_endpoint = ""
        self.event_endpoint = ""
        self._decoder = msgspec.msgpack.Decoder(wire_envelope_type(commands))
        self._enc = msgspec.msgpack.Encoder()
        self._pub: zmq.Socket[bytes] | None = None
        self._pub_lock = threading.Lock()
        self._last_seq = 0
        self._replies: collections.deque[tuple[bytes, bytes]] = collections.deque()
        self._wakeup = Wakeup()
        self._running = threading.Event()
        self._ready = threading.Event()
        self._error: BaseException | None = None
        self._thread: threading.Thread | None = None
        self._unsub: Callable[[], None] | None = None
        self.bad_requests = 0

    def _curve(self, s: zmq.Socket[bytes], domain: str = WORKSTATION_DOMAIN) -> None:
        s.setsockopt(zmq.ZAP_DOMAIN, domain.encode())
        s.setsockopt(zmq.ZAP_ENFORCE_DOMAIN, 1)
        s.curve_server = True
        s.curve_secretkey = self.hub_keys.secret.encode()
        s.curve_publickey = self.hub_keys.public.encode()
        s.setsockopt(zmq.LINGER, 0)

    def start(self) -> HubServer:
        """Bind both sockets and start serving."""
        pub = self.ctx.socket(zmq.PUB)
        self._curve(pub, EVENTS_DOMAIN)
        pub.setsockopt(zmq.SNDHWM, PUB_HWM)
        try:
            pub.bind(self._bind[1])
        except zmq.ZMQError:
            pub.close(0)
            raise
        self.event_endpoint = pub.getsockopt_string(zmq.LAST_ENDPOINT)
        self._pub = pub
        self._unsub = self.hub.subscribe(self._on_event)
        self._running.set()
        self._thread = threading.Thread(target=self._main, name="workstation-server", daemon=True)
        self._thread.start()
        self._ready.wait(10.0)
        if self._error is not None:
            self.stop()
            raise self._error
        return self

    def stop(self) -> None:
        if self._unsub is not None:
            self._unsub()
            self._unsub = None
        self._running.clear()
        self._wake()
        if self._thread is not None:
            self._thread.join(10.0)
        with self._pub_lock:
            if self._pub is not None:
                self._pub.close(0)
                self._pub = None
        self._wakeup.close()

    def _wake(self) -> None:
        self._wakeup.wake()

    # ---------------------------------------------------------------- events

    def _on_event(self, ev: Event) -> None:
        """Hub-thread callback: publish in seq order (the lock hands the PUB between threads)."""
        data = self._enc.encode(ev)
        with self._pub_lock:
            if self._pub is None:
                return
            # at the high-water mark the event is dropped: subscribers see the gap and resync
            with contextlib.suppress(zmq.Again):
                self._pub.send_multipart([b"ev", data], zmq.NOBLOCK)
            self._last_seq = max(self._last_seq, ev.seq)

    def _heartbeat(self) -> None:
        with self._pub_lock:
            if self._pub is not None:
                with contextlib.suppress(zmq.Again):
                    self._pub.send_multipart([b"hb", str(self._last_seq).encode()], zmq.NOBLOCK)

    # -------------------------------------------------------------- commands

    def _main(self) -> None:
        router = self.ctx.socket(zmq.ROUTER)
        try:
            self._curve(router)
            router.setsockopt(zmq.ROUTER_MANDATORY, 1)
            router.setsockopt(zmq.MAXMSGSIZE, REQUEST_LIMIT)
            router.setsockopt(zmq.SNDHWM, 10_000)
            router.bind(self._bind[0])
            self.command_endpoint = router.getsockopt_string(zmq.LAST_ENDPOINT)
        except BaseException as exc:
            self._error = exc
            router.close(0)
            self._ready.set()
            return
        self._ready.set()
        log.info(
            "workstations: commands on %s, events on %s", self.command_endpoint, self.event_endpoint
        )
        poller = zmq.Poller()
        poller.register(router, zmq.POLLIN)
        poller.register(self._wakeup.fd, zmq.POLLIN)
        next_hb = 0.0
        try:
            while self._running.is_set():
                events = dict(poller.poll(int(HEARTBEAT_S * 1000)))
                if self._wakeup.fd in events:
                    self._wakeup.drain()
                if router in events:
                    for _ in range(1000):
                        try:
                            parts = router.recv_multipart(zmq.NOBLOCK, copy=False)
                        except zmq.Again:
                            break
                        self._request(parts)
                while self._replies:
                    rid, data = self._replies.popleft()
                    # a workstation that went away asks again when it comes back
                    with contextlib.suppress(zmq.ZMQError):
                        router.send_multipart([rid, data], zmq.NOBLOCK)
                now = time.monotonic()
                if now >= next_hb:
                    next_hb = now + HEARTBEAT_S
                    self._heartbeat()
        finally:
            router.close(0)

    def _request(self, parts: list[zmq.Frame]) -> None:
        rid = parts[0].bytes
        if len(parts) != 2:
            self.bad_requests += 1
            self._reply(rid, Reply(0, False, error="a request is exactly one frame"))
            return
        try:
            user = str(parts[1].get("User-Id"))
        except zmq.ZMQError:
            user = ""
        key = user.removeprefix("workstation:")
        try:
            peer = str(parts[1].get("Peer-Address"))
        except zmq.ZMQError:  # not over tcp (inproc, ipc): no address
            peer = ""
        try:
            wire = self._decoder.decode(parts[1].bytes)
        except Exception as exc:  # msgspec errors, invalid UTF-8
            self.bad_requests += 1
            self._reply(rid, Reply(0, False, error=f"malformed request: {exc}"))
            return
        w: Any = wire
        if w.role in INTERNAL_ROLES:
            self._reply(rid, Reply(w.request_id, False, error=f"role {w.role!r} is internal"))
            return
        values = {f: getattr(w, f) for f in w.__struct_fields__}
        # the sign-in limits' source is the connection, never a name the client picks: a
        # flooder changing its workstation name on every try stays one source
        values["source"] = f"key:{key}" if key else ""
        # and the address it came from: a new key for every try is still one address
        values["peer"] = peer
        if not values.get("token"):
            # only in-process callers may claim a role; over the wire, sign in first
            values["actor"] = values["role"] = ANONYMOUS
        env = Envelope(**values)
        fut = self.hub.submit(env)
        signed = bool(env.token)
        fut.add_done_callback(
            lambda f: self._done(rid, w.request_id, type(w.command), key, f, signed)
        )

    def _done(
        self,
        rid: bytes,
        request_id: int,
        cmd: type[Command],
        key: str,
        fut: Future[Reply],
        signed: bool = False,
    ) -> None:
        try:
            reply = fut.result()
        except Exception as exc:
            reply = Reply(request_id, False, error=f"internal error: {exc}")
        if cmd.__name__ == "Logout" and key:
            self.event_keys.discard(key)
        elif (cmd.__name__ == "Login" or signed) and reply.ok and key:
            # this connection signed in (here, or at another hub of a standby pair: the
            # session is in the database and its token just went through): it may subscribe
            self.event_keys.add(key)
        self._reply(rid, reply)

    def _reply(self, rid: bytes, reply: Reply) -> None:
        try:
            data = self._enc.encode(reply)
        except (TypeError, msgspec.EncodeError) as exc:
            data = self._enc.encode(
                Reply(reply.request_id, False, error=f"unencodable result: {exc}")
            )
        self._replies.append((rid, data))
        self._wake()
