"""The terminal client seen from the GUI thread: its events as Qt signals, its actions as calls
whose outcome comes back as a signal, and a once-a-second look at the connection.

:class:`~console.terminal.client.TerminalClient` runs the protocol on its own
thread and calls back from there; Qt delivers the signals of this object
(which lives on the GUI thread) queued, so widgets only ever run on their own
thread.  The position source is read on a timer and reported (latest wins).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from concurrent.futures import Future
from typing import Any

from PySide6.QtCore import QObject, QTimer, Signal

from console.link.district_map import DistrictMap
from console.terminal.client import TerminalClient
from console.terminal.gps import Fix, PositionSource
from console.terminal.localstore import LocalMessage, LocalOrder
from console.terminal.mapsync import load_cached

log = logging.getLogger(__name__)


class TerminalBridge(QObject):
    """Events, actions and liveness of one terminal client for the window."""

    hub_event = Signal(str, object)
    """(kind, payload) from the hub: order, order_update, order_cancel, message, refused, ..."""
    done = Signal(str, object)
    """(action, result) of an officer's action that the terminal took."""
    failed = Signal(str, str)
    """(action, reason) of an action refused on the terminal (bad input, unknown order)."""
    link = Signal(bool, int)
    """(connected, reports waiting for the hub), once a second."""
    moved = Signal(object)
    """The latest fix (:class:`~console.terminal.gps.Fix`)."""

    def __init__(
        self,
        client_factory: Callable[[Callable[[str, Any], None]], TerminalClient],
        source: PositionSource | None = None,
        *,
        poll_ms: int = 1000,
        position_ms: int = 1000,
    ) -> None:
        super().__init__()
        self.client = client_factory(self._from_client)
        self.source = source
        self.fix: Fix | None = None
        self._timer = QTimer(self)
        self._timer.timeout.connect(self._poll)
        self._timer.start(poll_ms)
        self._pos_timer = QTimer(self)
        self._pos_timer.timeout.connect(self._position)
        if source is not None:
            self._pos_timer.start(position_ms)

    def _from_client(self, kind: str, payload: Any) -> None:
        self.hub_event.emit(kind, payload)  # from the client's thread: queued to the GUI

    def start(self) -> TerminalBridge:
        self.client.start()
        return self

    def close(self) -> None:
        self._timer.stop()
        self._pos_timer.stop()
        self.client.stop()
        stop = getattr(self.source, "stop", None)
        if callable(stop):
            stop()

    # --------------------------------------------------------------- state

    @property
    def unit(self) -> str:
        return self.client.session.unit or self.client.member.key.unit

    def orders(self) -> list[LocalOrder]:
        return self.client.orders()

    def district_map(self) -> DistrictMap | None:
        """The district's street map kept from an earlier fetch (None if none is held)."""
        sync = self.client.session.maps
        return None if sync is None else load_cached(sync.cache)

    def messages(self) -> list[LocalMessage]:
        return self.client.messages()

    def _poll(self) -> None:
        try:
            self.link.emit(self.client.connected, self.client.waiting_reports())
        except Exception:  # the client thread is busy or stopping: try again next second
            log.debug("terminal poll skipped", exc_info=True)

    def _position(self) -> None:
        if self.source is None:
            return
        f = self.source.fix()
        if f is None:
            return
        self.fix = f
        self.client.position(f.lat, f.lon, accuracy=f.accuracy, speed=f.speed, heading=f.heading)
        self.moved.emit(f)

    # ------------------------------------------------------------- actions

    def _watch(self, action: str, fut: Future[Any]) -> None:
        def finished(f: Future[Any]) -> None:
            exc = f.exception()
            if exc is None:
                self.done.emit(action, f.result())
            else:
                self.failed.emit(action, str(exc))

        fut.add_done_callback(finished)

    def read(self, order_id: str) -> None:
        self._watch("read", self.client.read(order_id))

    def accept(self, order_id: str) -> None:
        self._watch("accept", self.client.accept(order_id))

    def reject(self, order_id: str, reason: str) -> None:
        self._watch("reject", self.client.reject(order_id, reason))

    def arrived(self, order_id: str) -> None:
        self._watch("arrived", self.client.arrived(order_id))

    def finish(self, order_id: str, outcome: str) -> None:
        self._watch("finish", self.client.finish(order_id, outcome))

    def feedback(self, action: str, text: str, order_id: str | None, **media: Any) -> None:
        self._watch(action, self.client.feedback(text, order_id, **media))

    def read_message(self, message_id: str) -> None:
        self._watch("read_message", self.client.read_message(message_id))

    def set_status(self, status: str) -> None:
        self._watch("status", self.client.set_status(status))  # type: ignore[arg-type]
