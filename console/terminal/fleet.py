"""Drive many terminal sessions over real CURVE sockets from one thread.

One :class:`Fleet` polls every member's DEALER socket, feeds frames to its
:class:`~console.terminal.session.TerminalSession`, sends what the session
queued and replaces the socket of any session whose hub went silent.  The
simulator, the chaos test and the benchmark run hundreds of terminals this
way; the shell program is a fleet of one (:class:`~console.terminal.client.TerminalClient`).
"""

from __future__ import annotations

import collections
import logging
import selectors
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field

import zmq

from console.link.keys import TerminalKey
from console.link.sockopts import reconnect, split_endpoints, tcp_keepalive
from console.link.wakeup import Wakeup
from console.terminal.session import TerminalSession

log = logging.getLogger(__name__)

TICK_S = 0.05
SWEEP_S = 0.5
"""Every socket is re-read this often even without an edge (the safety net); in
between, a tick only services sessions that queued something (heartbeats,
resends, positions): a fleet of 500 spent most of its time polling idle sockets."""
NOBLOCK = int(zmq.NOBLOCK)  # plain ints: pyzmq converts enum arguments on every call
EVENTS = int(zmq.EVENTS)
POLLIN = int(zmq.POLLIN)
POLLOUT = int(zmq.POLLOUT)


@dataclass
class Member:
    """One terminal of a fleet: its key, protocol state and current socket."""

    key: TerminalKey
    session: TerminalSession
    sock: zmq.Socket[bytes] | None = None
    online: bool = True
    connects: int = 0
    dropped: int = 0
    unlinked: bool = False
    """The socket had no connection to send on since the hub was last heard."""
    stale: bool = False
    """The socket may still hold a connection to an old primary (replaced next tick)."""
    extra: dict[str, object] = field(default_factory=dict)


def dealer(
    ctx: zmq.Context[zmq.Socket[bytes]], key: TerminalKey, endpoint: str
) -> zmq.Socket[bytes]:
    """A terminal's DEALER: CURVE client, small send queue, only to live connections.

    ``endpoint`` may list several hubs, comma-separated (a hot standby pair): the socket
    connects to each, and only the primary has bound its port (a standby binds nothing
    until it holds the lease), so frames go to whichever hub is active; ZeroMQ keeps
    retrying the others and moves over by itself when the standby takes over."""
    s = ctx.socket(zmq.DEALER)
    s.curve_secretkey = key.keys.secret.encode()
    s.curve_publickey = key.keys.public.encode()
    s.curve_serverkey = key.hub_public.encode()
    s.setsockopt(zmq.LINGER, 0)
    s.setsockopt(zmq.SNDHWM, 100)
    s.setsockopt(zmq.RCVHWM, 1000)
    s.setsockopt(zmq.IMMEDIATE, 1)
    hubs = split_endpoints(endpoint)
    reconnect(s, several=len(hubs) > 1)
    tcp_keepalive(s)  # not ZMTP heartbeats: see console.link.sockopts
    for one in hubs:
        s.connect(one)
    return s


def _fd(sock: zmq.Socket[bytes]) -> int:
    """The socket's edge-triggered notification fd (``ZMQ_FD``)."""
    return int(sock.getsockopt(zmq.FD))


class Fleet:
    """Many terminals, one thread; everything else talks to it through :meth:`call`.

    Waiting uses epoll on each socket's ``ZMQ_FD`` (O(ready sockets) per wake-up;
    ``zmq.Poller`` costs ~1.4 ms per call at 1,000 sockets here).  That fd is
    edge-triggered, so a socket is always drained until ``ZMQ_EVENTS`` shows no
    input, including after every send (sending can consume the edge), and every
    ``SWEEP_S`` all sockets are re-checked as a safety net.
    """

    def __init__(
        self,
        endpoint: str,
        members: list[Member],
        *,
        ctx: zmq.Context[zmq.Socket[bytes]] | None = None,
        on_step: Callable[[Fleet, float], None] | None = None,
    ) -> None:
        self.endpoint = endpoint
        self.members = members
        self.ctx = ctx or zmq.Context.instance()
        if len(members) * 2 + 64 > self.ctx.get(zmq.MAX_SOCKETS):
            self.ctx.set(zmq.MAX_SOCKETS, len(members) * 2 + 256)
        self.on_step = on_step
        self.several = len(split_endpoints(endpoint)) > 1
        """A hot standby pair or more (``tcp://a,tcp://b``): see :meth:`_service`."""
        self._calls: collections.deque[Callable[[], None]] = collections.deque()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._sel = selectors.DefaultSelector()
        self._wakeup = Wakeup()
        self._next_sweep = 0.0
        self._sel.register(self._wakeup.fd, selectors.EVENT_READ, None)

    # ------------------------------------------------------------ control

    def start(self) -> Fleet:
        """Run on a background thread."""
        self._thread = threading.Thread(target=self.run, name="terminal-fleet", daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stop.set()
        self._wake()
        if self._thread is not None:
            self._thread.join(10.0)
        self._wakeup.close()
        self._sel.close()

    def call(self, fn: Callable[[], None]) -> None:
        """Run ``fn`` on the fleet thread (sessions and sockets are not thread-safe)."""
        self._calls.append(fn)
        self._wake()

    def _wake(self) -> None:
        self._wakeup.wake()

    def set_online(self, m: Member, online: bool) -> None:
        """Take a terminal off the air (socket closed) or bring it back (fleet thread only)."""
        m.online = online
        if not online:
            self._close(m)
        elif m.sock is None:
            self._open(m)

    # ------------------------------------------------------------- sockets

    def _open(self, m: Member) -> None:
        m.sock = dealer(self.ctx, m.key, self.endpoint)
        m.connects += 1
        m.unlinked = m.stale = False
        self._sel.register(_fd(m.sock), selectors.EVENT_READ, m)
        m.session.start()

    def _close(self, m: Member) -> None:
        if m.sock is not None:
            self._sel.unregister(_fd(m.sock))
            m.sock.close(0)
            m.sock = None

    def _service(self, m: Member, now_m: float) -> None:
        """Send what the session queued (once connected), then read while ``EVENTS`` shows input.

        One ``EVENTS`` read per frame instead of reading until ``zmq.Again``:
        raising that exception cost more than the frame's own handling.

        With several hubs, a new hub answering a socket that never lost its connection
        in between means the old primary was paused, not killed: its kernel keeps the
        TCP connection open, and ZeroMQ would hand it every other frame (the newest
        position among them) until it wakes up.  The socket is replaced; a fresh one
        reaches only hubs that complete a handshake.  A socket whose connections all
        dropped (the old primary died) is kept: no second handshake at the takeover.
        """
        sock = m.sock
        if sock is None:
            return
        session = m.session
        get, recv, send = sock.get, sock.recv, sock.send
        for _ in range(100_000):  # bounded: one chatty socket must not starve the rest
            # until the connection is up (IMMEDIATE), frames stay queued in the session:
            # sending them would only drop them, the hello of a reconnect among them
            if session.has_output():
                if int(get(EVENTS)) & POLLOUT:
                    for f in session.take():
                        try:
                            send(f, NOBLOCK)
                        except zmq.Again:  # queue full: reliable frames resent later
                            m.dropped += 1
                else:
                    m.unlinked = True
            if not int(get(EVENTS)) & POLLIN:
                return
            try:
                data = recv(NOBLOCK)
            except zmq.Again:  # EVENTS said input; never trust it blindly
                return
            session.on_frame(data, now_m)
            if session.hub_changed:
                session.hub_changed = False
                m.stale = self.several and not m.unlinked
            m.unlinked = False

    # ---------------------------------------------------------------- loop

    def run(self) -> None:
        """Serve until :meth:`stop`."""
        for m in self.members:
            if m.online and m.sock is None:
                self._open(m)
        next_tick = 0.0
        try:
            while not self._stop.is_set():
                events = self._sel.select(max(0.0, next_tick - time.monotonic()))
                now_m = time.monotonic()
                for key, _mask in events:
                    if key.data is None:
                        self._wakeup.drain()
                    else:
                        self._service(key.data, now_m)
                while self._calls:
                    try:
                        self._calls.popleft()()
                    except Exception:
                        log.exception("fleet call failed")
                if now_m >= next_tick:
                    next_tick = now_m + TICK_S
                    self._tick(now_m)
        finally:
            for m in self.members:
                self._close(m)

    def _tick(self, now_m: float) -> None:
        if self.on_step is not None:
            try:
                self.on_step(self, now_m)
            except Exception:
                log.exception("fleet step failed")
        sweep = now_m >= self._next_sweep
        if sweep:
            self._next_sweep = now_m + SWEEP_S
        for m in self.members:
            if not m.online:
                continue
            if m.sock is None:
                self._open(m)
            elif not m.session.tick(now_m) or m.stale:
                # hub silent, or a paused old primary may still hold a connection: new
                # socket, new handshake, only with the hub that answers
                self._close(m)
                self._open(m)
            if sweep or m.session.has_output():
                self._service(m, now_m)
