"""Move hub events and replies from the hub's thread onto the GUI thread.

The hub calls subscribers on its own thread and resolves futures there too;
touching a widget from that thread crashes Qt sooner or later.  The bridge is
a QObject living on the GUI thread: the hub-side callback only emits an
internal signal, which Qt queues (the receiver lives on another thread), and
the slot that runs on the GUI thread re-emits the typed public signals.  The
same path carries command replies, so no GUI code ever blocks on
``Future.result()``.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from concurrent.futures import Future
from typing import Any

from PySide6.QtCore import QObject, Qt, QTimer, Signal, Slot

from console.hub.client import HubClient
from console.hub.messages import (
    Alert,
    Command,
    Event,
    IncidentChanged,
    Reply,
    Snapshot,
    UnitChanged,
    UnitsMoved,
)

log = logging.getLogger(__name__)

ReplyCallback = Callable[[Reply], None]


class _Pending:
    """One outstanding request; whichever of reply or timeout comes first wins."""

    __slots__ = ("callback", "command", "done")

    def __init__(self, command: Command, callback: ReplyCallback | None) -> None:
        self.command = command
        self.callback = callback
        self.done = False


class HubBridge(QObject):
    """Re-emits a :class:`HubClient`'s events as Qt signals on the GUI thread."""

    snapshot = Signal(object)  # Snapshot
    unitsMoved = Signal(object)  # UnitsMoved
    unitChanged = Signal(object)  # UnitChanged
    incidentChanged = Signal(object)  # IncidentChanged
    alert = Signal(object)  # Alert
    # every Event, after the typed signal; shadows QObject.event() by name only: Qt's
    # virtual dispatch ignores non-method attributes, so event delivery is unaffected
    event = Signal(object)  # type: ignore[assignment]
    connectionChanged = Signal(bool)  # True once the hub answers, False when a request fails
    gap = Signal(int, int)  # (last seq seen, seq received): events were lost, resync

    _incoming = Signal(object)
    _replied = Signal(object, object)  # (_Pending, Reply)

    def __init__(self, client: HubClient, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.client = client
        self._unsubscribe: Callable[[], None] | None = None
        self._alive = True
        self._lock = threading.Lock()
        self._connected: bool | None = None
        self.last_seq = 0
        self.events_received = 0
        # explicit QueuedConnection: even an emit from the GUI thread itself is
        # delivered later, so a reply never re-enters the code that sent the request
        self._incoming.connect(self._on_incoming, Qt.ConnectionType.QueuedConnection)
        self._replied.connect(self._on_replied, Qt.ConnectionType.QueuedConnection)

    # ------------------------------------------------------------ subscription

    def start(self) -> None:
        """Subscribe to the client's events (idempotent)."""
        if self._unsubscribe is None:
            self._unsubscribe = self.client.subscribe(self._from_hub)

    def stop(self) -> None:
        """Unsubscribe; events already queued are still delivered."""
        unsub, self._unsubscribe = self._unsubscribe, None
        if unsub is not None:
            unsub()

    @property
    def connected(self) -> bool:
        """Whether the last request reached the hub."""
        return bool(self._connected)

    def close(self) -> None:
        """Unsubscribe and drop anything the hub still sends (call before deleting)."""
        with self._lock:
            self._alive = False
        self.stop()

    def _emit_safely(self, signal: Any, *args: object) -> None:
        """Emit from a foreign thread; a bridge already deleted just drops the message."""
        with self._lock:
            if not self._alive:
                return
            try:
                signal.emit(*args)
            except RuntimeError:  # C++ object already deleted (window closing)
                self._alive = False

    def _from_hub(self, ev: Event) -> None:
        """Runs on the hub thread: hand the event to the GUI thread and return at once."""
        self._emit_safely(self._incoming, ev)

    @Slot(object)
    def _on_incoming(self, ev: Event) -> None:
        self.events_received += 1
        seq = getattr(ev, "seq", 0)
        if seq:
            if isinstance(ev, Snapshot):
                self.last_seq = seq  # a snapshot replaces everything, even after a hub restart
            else:
                if self.last_seq and seq > self.last_seq + 1:
                    self.gap.emit(self.last_seq, seq)
                self.last_seq = max(self.last_seq, seq)
        if isinstance(ev, UnitsMoved):
            self.unitsMoved.emit(ev)
        elif isinstance(ev, UnitChanged):
            self.unitChanged.emit(ev)
        elif isinstance(ev, IncidentChanged):
            self.incidentChanged.emit(ev)
        elif isinstance(ev, Alert):
            self.alert.emit(ev)
        elif isinstance(ev, Snapshot):
            self.snapshot.emit(ev)
        self.event.emit(ev)

    def note_snapshot_seq(self, seq: int) -> None:
        """A snapshot fetched by request resets gap detection to its sequence number."""
        self.last_seq = max(seq, 0)

    # ---------------------------------------------------------------- requests

    def call(
        self,
        command: Command,
        on_reply: ReplyCallback | None = None,
        *,
        timeout_s: float | None = 30.0,
    ) -> None:
        """Send ``command``; ``on_reply`` later gets the Reply on the GUI thread.

        A failed or timed-out request arrives as ``Reply(ok=False, error=...)``
        with ``request_id == -1``, so callers handle one shape only.
        """
        pending = _Pending(command, on_reply)
        try:
            fut = self.client.request(command)
        except Exception as exc:  # the client refused before queuing (closed, bad command)
            self._emit_safely(self._replied, pending, _failure(command, exc))
            return
        if timeout_s is not None:
            QTimer.singleShot(
                int(timeout_s * 1000),
                self,
                lambda: self._on_replied(
                    pending, Reply(request_id=-1, ok=False, error=_timeout_text(command, timeout_s))
                ),
            )
        fut.add_done_callback(lambda f: self._emit_safely(self._replied, pending, _resolve(f)))

    @Slot(object, object)
    def _on_replied(self, pending: _Pending, reply: Reply) -> None:
        if pending.done:
            return
        pending.done = True
        reached = reply.request_id != -1
        if reached != self._connected:
            self._connected = reached
            self.connectionChanged.emit(reached)
        if pending.callback is not None:
            try:
                pending.callback(reply)
            except Exception:  # one broken handler must not stop later replies
                log.exception("reply handler for %s failed", type(pending.command).__name__)


def _failure(command: Command, exc: BaseException) -> Reply:
    return Reply(
        request_id=-1,
        ok=False,
        error=f"{type(command).__name__} did not reach the hub: {type(exc).__name__}: {exc}",
    )


def _timeout_text(command: Command, timeout_s: float) -> str:
    return f"{type(command).__name__}: no reply from the hub within {timeout_s:g} s"


def _resolve(fut: Future[Reply]) -> Reply:
    """Turn a finished future into a Reply, whatever happened to it."""
    if fut.cancelled():
        return Reply(request_id=-1, ok=False, error="request cancelled")
    exc = fut.exception()
    if exc is not None:
        return Reply(request_id=-1, ok=False, error=f"{type(exc).__name__}: {exc}")
    reply = fut.result()
    if not isinstance(reply, Reply):
        return Reply(request_id=-1, ok=False, error=f"hub answered with {type(reply).__name__}")
    return reply
