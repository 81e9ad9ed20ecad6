"""The one interface a workstation uses to talk to the hub.

Whether the hub runs in this process or behind ZeroMQ, the GUI sees the same
two things: ``request(command) -> Future[Reply]`` and ``subscribe(callback)``
for events.  Callbacks run on a hub-side thread; the Qt bridge moves them
onto the GUI thread.
"""

from __future__ import annotations

import itertools
import threading
from collections.abc import Callable
from concurrent.futures import Future
from typing import TYPE_CHECKING, Protocol

from console.hub.messages import Command, Envelope, Event, Login, Logout, Reply

if TYPE_CHECKING:
    from console.hub.hub import CommandHub

EventCallback = Callable[[Event], None]


class HubClient(Protocol):
    """What a workstation may do with the hub."""

    actor: str
    role: str
    workstation: str

    def request(self, command: Command) -> Future[Reply]:
        """Send a command; the future resolves with the hub's reply."""
        ...

    def subscribe(self, callback: EventCallback) -> Callable[[], None]:
        """Receive every event from now on; returns the unsubscribe function."""
        ...

    def close(self) -> None:
        """Stop receiving events and release resources."""
        ...


class InprocClient:
    """A client bound to a hub in the same process (the embedded default)."""

    _ids = itertools.count(1)

    def __init__(
        self,
        hub: CommandHub,
        actor: str = "operator",
        role: str = "operator",
        workstation: str = "local",
    ) -> None:
        self.hub = hub
        self.actor = actor
        self.role = role
        self.workstation = workstation
        self.token = ""
        """Session token from a successful :class:`Login` through this client; sent with
        every request, so the hub acts as the signed-in user (as over ZeroMQ)."""
        self._unsubs: list[Callable[[], None]] = []
        self._lock = threading.Lock()

    def request(self, command: Command) -> Future[Reply]:
        """Queue the command on the hub thread."""
        env = Envelope(
            request_id=next(self._ids),
            command=command,
            actor=self.actor,
            role=self.role,
            workstation=self.workstation,
            token=self.token,
        )
        fut = self.hub.submit(env)
        if isinstance(command, Login):
            fut.add_done_callback(self._signed_in)
        elif isinstance(command, Logout):
            self.token = ""
        return fut

    def _signed_in(self, fut: Future[Reply]) -> None:
        reply = fut.result()
        if reply.ok and isinstance(reply.result, dict):
            self.token = str(reply.result.get("token", ""))

    def call(self, command: Command, timeout: float = 10.0) -> Reply:
        """Blocking convenience for scripts and tests."""
        return self.request(command).result(timeout)

    def subscribe(self, callback: EventCallback) -> Callable[[], None]:
        """Register for hub events."""
        unsub = self.hub.subscribe(callback)
        with self._lock:
            self._unsubs.append(unsub)
        return unsub

    def close(self) -> None:
        """Drop every subscription made through this client."""
        with self._lock:
            unsubs, self._unsubs = self._unsubs, []
        for u in unsubs:
            u()
