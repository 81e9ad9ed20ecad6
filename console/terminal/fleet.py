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
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field

import zmq

from console.link.keys import TerminalKey
from console.link.sockopts import tcp_keepalive
from console.link.wakeup import Wakeup
from console.terminal.session import TerminalSession

log = logging.getLogger(__name__)

TICK_S = 0.05


@dataclass
class Member:
    """One terminal of a fleet: its key, protocol state and current socket."""

    key: TerminalKey
    session: TerminalSession
    sock: zmq.Socket[bytes] | None = None
    online: bool = True
    connects: int = 0
    dropped: int = 0
    extra: dict[str, object] = field(default_factory=dict)


def dealer(
    ctx: zmq.Context[zmq.Socket[bytes]], key: TerminalKey, endpoint: str
) -> zmq.Socket[bytes]:
    """A terminal's DEALER: CURVE client, small send queue, only to live connections."""
    s = ctx.socket(zmq.DEALER)
    s.curve_secretkey = key.keys.secret.encode()
    s.curve_publickey = key.keys.public.encode()
    s.curve_serverkey = key.hub_public.encode()
    s.setsockopt(zmq.LINGER, 0)
    s.setsockopt(zmq.SNDHWM, 100)
    s.setsockopt(zmq.RCVHWM, 1000)
    s.setsockopt(zmq.IMMEDIATE, 1)
    s.setsockopt(zmq.RECONNECT_IVL, 200)
    s.setsockopt(zmq.RECONNECT_IVL_MAX, 2000)
    tcp_keepalive(s)  # not ZMTP heartbeats: see console.link.sockopts
    s.connect(endpoint)
    return s


class Fleet:
    """Many terminals, one thread; everything else talks to it through :meth:`call`."""

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
        self._calls: collections.deque[Callable[[], None]] = collections.deque()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._poller = zmq.Poller()
        self._by_sock: dict[zmq.Socket[bytes], Member] = {}
        self._wakeup = Wakeup()
        self._poller.register(self._wakeup.fd, zmq.POLLIN)

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
        self._by_sock[m.sock] = m
        self._poller.register(m.sock, zmq.POLLIN)
        m.session.start()

    def _close(self, m: Member) -> None:
        if m.sock is not None:
            self._poller.unregister(m.sock)
            del self._by_sock[m.sock]
            m.sock.close(0)
            m.sock = None

    def _flush(self, m: Member) -> None:
        frames = m.session.take()
        if m.sock is None:
            return
        for f in frames:
            try:
                m.sock.send(f, zmq.NOBLOCK)
            except zmq.Again:  # not connected or queue full: reliable frames are resent later
                m.dropped += 1

    # ---------------------------------------------------------------- loop

    def run(self) -> None:
        """Serve until :meth:`stop`."""
        for m in self.members:
            if m.online and m.sock is None:
                self._open(m)
        next_tick = 0.0
        try:
            while not self._stop.is_set():
                events = self._poller.poll(int(TICK_S * 1000))
                now_m = time.monotonic()
                for sock, _ev in events:
                    if sock == self._wakeup.fd:
                        self._wakeup.drain()
                        continue
                    found = self._by_sock.get(sock)
                    if found is None or found.sock is None:
                        continue
                    m = found
                    if m.sock is None:
                        continue
                    for _ in range(1000):
                        try:
                            data = m.sock.recv(zmq.NOBLOCK)
                        except zmq.Again:
                            break
                        m.session.on_frame(data, now_m)
                    self._flush(m)
                while self._calls:
                    try:
                        self._calls.popleft()()
                    except Exception:
                        log.exception("fleet call failed")
                if now_m >= next_tick:
                    next_tick = now_m + TICK_S
                    if self.on_step is not None:
                        try:
                            self.on_step(self, now_m)
                        except Exception:
                            log.exception("fleet step failed")
                    for m in self.members:
                        if not m.online:
                            continue
                        if m.sock is None:
                            self._open(m)
                        elif not m.session.tick(now_m):
                            self._close(m)  # hub silent: new socket, new handshake
                            self._open(m)
                        self._flush(m)
        finally:
            for m in self.members:
                self._close(m)
