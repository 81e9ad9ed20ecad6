"""One terminal on its own thread: the library behind the shell program.

Officer actions may be called from any thread; they run on the fleet thread
(which owns the socket and the session) and return a future that carries any
refusal (unknown order, missing reason, photo too large) back to the caller.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from concurrent.futures import Future
from typing import Any, TypeVar

import zmq

from console.link import protocol as p
from console.link.keys import TerminalKey
from console.terminal.fleet import Fleet, Member
from console.terminal.localstore import LocalMessage, LocalOrder, LocalStore
from console.terminal.mapsync import MapCache
from console.terminal.session import EventCallback, TerminalSession

T = TypeVar("T")


class TerminalClient:
    """A terminal connected to ``endpoint`` with ``key``; events go to ``on_event``."""

    def __init__(
        self,
        key: TerminalKey,
        endpoint: str,
        store: LocalStore,
        *,
        on_event: EventCallback | None = None,
        heartbeat_s: float = 1.0,
        ctx: zmq.Context[zmq.Socket[bytes]] | None = None,
        clock: Callable[[], float] = time.time,
        maps: MapCache | None = None,
    ) -> None:
        """``maps``: where to keep the district's street map (only a terminal that draws one
        fetches it; the app passes its SqliteStore)."""
        self.session = TerminalSession(
            store, heartbeat_s=heartbeat_s, on_event=on_event, clock=clock, maps=maps
        )
        self.member = Member(key, self.session)
        self.fleet = Fleet(endpoint, [self.member], ctx=ctx)

    def start(self) -> TerminalClient:
        self.fleet.start()
        return self

    def stop(self) -> None:
        self.fleet.stop()

    def _run(self, fn: Callable[[TerminalSession], T]) -> Future[T]:
        fut: Future[T] = Future()

        def call() -> None:
            try:
                fut.set_result(fn(self.session))
            except Exception as exc:
                fut.set_exception(exc)

        self.fleet.call(call)
        return fut

    @property
    def connected(self) -> bool:
        """True while the hub answers (welcome or pong within the dead-after window)."""
        return bool(self.session.epoch) and self.session.heard(time.monotonic())

    def orders(self) -> list[LocalOrder]:
        """Open orders, oldest first."""
        return self._run(lambda s: s.open_orders()).result(5.0)

    def read(self, order_id: str) -> Future[None]:
        return self._run(lambda s: s.read(order_id))

    def accept(self, order_id: str) -> Future[None]:
        return self._run(lambda s: s.accept(order_id))

    def reject(self, order_id: str, reason: str) -> Future[None]:
        return self._run(lambda s: s.reject(order_id, reason))

    def arrived(self, order_id: str) -> Future[None]:
        return self._run(lambda s: s.arrived(order_id))

    def finish(self, order_id: str, outcome: str) -> Future[None]:
        return self._run(lambda s: s.finish(order_id, outcome))

    def feedback(
        self,
        text: str,
        order_id: str | None = None,
        photo: bytes | None = None,
        clip: p.VideoClip | None = None,
    ) -> Future[int]:
        """A report from the scene; the future carries its mid (or the refusal)."""
        return self._run(lambda s: s.feedback(text, order_id, photo, clip))

    def count(self, place: str, sensor: str, people: float, t: float | None = None) -> Future[int]:
        """A crowd counter's minute; the future carries its mid."""
        return self._run(lambda s: s.count(place, sensor, people, t))

    def read_message(self, message_id: str) -> Future[None]:
        return self._run(lambda s: s.read_message(message_id))

    def messages(self) -> list[LocalMessage]:
        """Messages both ways, oldest first."""
        return self._run(lambda s: s.messages()).result(5.0)

    def waiting_reports(self) -> int:
        """Reports queued for the hub (the officer's "waiting for the network" count)."""
        return self._run(lambda s: s.waiting_reports()).result(5.0)

    def is_unacked(self, mid: int) -> bool:
        return self._run(lambda s: s.store.has_unacked(mid)).result(5.0)

    def set_status(self, status: p.TerminalStatus) -> Future[None]:
        return self._run(lambda s: s.set_status(status))

    def position(self, lat: float, lon: float, **kw: Any) -> Future[None]:
        return self._run(lambda s: s.position(lat, lon, **kw))
