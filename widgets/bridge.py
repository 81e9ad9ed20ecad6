"""Move hub events and replies from the hub's thread onto the GUI thread.

The hub calls subscribers on its own thread and resolves futures there too;
touching a widget from that thread crashes Qt sooner or later.  The bridge is
a QObject living on the GUI thread: the hub-side callback only emits an
internal signal, which Qt queues (the receiver lives on another thread), and
the slot that runs on the GUI thread re-emits the typed public signals.  The
same path carries command replies, so no GUI code ever blocks on
``Future.result()``.

Events are handed over in batches, within a time budget: the hub thread appends to
an inbox and posts one wake-up; the GUI thread takes events in hub order until
:data:`DRAIN_BUDGET_S` has passed, then posts a continuation and returns to the
event loop (input, timers, repaints) before taking the rest.  One queued signal per
event used to deliver a whole burst (a call with its plan, ~10 orders and their
units' changes: 50-100 events) in one pass of the event loop: 200-350 ms with the
screen frozen (bench/shift.py, issue 15).  Under the main window's frame pacer
(:meth:`HubBridge.yield_after_frames`) the first drain after a repaint yields one pass
as well: the frame and a drain no longer run back to back before input and timers.

The bridge also *feeds* the workstation's situation model
(:class:`~console.workstation.situation.SituationModel`, :meth:`HubBridge.feed`):
every event goes into the model on the GUI thread before the signals go out,
:meth:`HubBridge.request_snapshot` loads it, and a gap in the event sequence
loads a fresh snapshot by itself.
"""

from __future__ import annotations

import logging
import threading
import time
import weakref
from collections import deque
from collections.abc import Callable
from concurrent.futures import Future
from typing import Any, Protocol

import msgspec
from PySide6.QtCore import QObject, Qt, QTimer, Signal, Slot

from console.hub.client import HubClient
from console.hub.messages import (
    Alert,
    Command,
    Event,
    GetSnapshot,
    IncidentChanged,
    Reply,
    Snapshot,
    UnitChanged,
    UnitsMoved,
)
from console.workstation.situation import SituationModel

log = logging.getLogger(__name__)

ReplyCallback = Callable[[Reply], None]


class _Frames(Protocol):
    """What :meth:`HubBridge.yield_after_frames` reads: a count of painted frames."""

    frames: int


DRAIN_BUDGET_S = 0.008
"""How long one pass of the event loop may spend on hub events before it yields."""


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
    snapshotFailed = Signal(str)  # a snapshot request for the fed situation failed: why

    _wake = Signal()  # the inbox has events (at most one wake-up queued at a time)
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
        self.situation: SituationModel | None = None
        self._snapshot_pending = False
        self._inbox: deque[Event] = deque()  # hub events not yet taken (under _lock)
        self._wake_pending = False  # a _wake is queued (under _lock)
        self._pacer: weakref.ref[_Frames] | None = None  # the window's frame pacer
        self._frames_seen = 0
        # explicit QueuedConnection: even an emit from the GUI thread itself is
        # delivered later, so a reply never re-enters the code that sent the request
        self._wake.connect(self._drain, Qt.ConnectionType.QueuedConnection)
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

    # ---------------------------------------------------------------- situation

    def feed(self, situation: SituationModel) -> None:
        """Keep ``situation`` current from now on: every event goes into it before the
        signals go out, and a sequence gap fetches a fresh snapshot."""
        self.situation = situation

    def request_snapshot(self) -> None:
        """Load the whole situation into the fed model (on start, after a gap); a request
        already on its way is not repeated.  Failures go to :attr:`snapshotFailed`."""
        if self.situation is None:
            raise RuntimeError("request_snapshot needs a situation model: call feed() first")
        if not self._snapshot_pending:
            self._snapshot_pending = True
            self.call(GetSnapshot(), self._on_snapshot)

    def _on_snapshot(self, reply: Reply) -> None:
        self._snapshot_pending = False
        if not reply.ok:
            self.snapshotFailed.emit(reply.error)
            return
        try:
            snap = _as_snapshot(reply.result)
        except (msgspec.ValidationError, TypeError) as exc:
            self.snapshotFailed.emit(str(exc))
            return
        self.note_snapshot_seq(snap.seq)
        if self.situation is not None:
            self.situation.apply_snapshot(snap)

    def _into_situation(self, ev: Event) -> None:
        if self.situation is None:
            return
        try:
            self.situation.apply(ev)
        except ValueError as exc:  # a malformed message must not stop the stream
            log.warning("dropped a malformed %s: %s", type(ev).__name__, exc)

    def _from_hub(self, ev: Event) -> None:
        """Runs on the hub thread: hand the event to the GUI thread and return at once
        (one wake-up per batch, not one queued signal per event)."""
        with self._lock:
            if not self._alive:
                return
            self._inbox.append(ev)
            self._post_wake()

    def _post_wake(self) -> None:
        """Queue one ``_drain`` unless one is queued already (caller holds ``_lock``)."""
        if self._wake_pending:
            return
        self._wake_pending = True
        try:
            self._wake.emit()
        except RuntimeError:  # C++ object already deleted (window closing)
            self._alive = False

    def yield_after_frames(self, pacer: _Frames) -> None:
        """Let one pass of the event loop go by after each of ``pacer``'s frames before
        taking events (:class:`~widgets.frame_pacer.FramePacer`, held weakly).

        A paced frame and a drain queued meanwhile used to run back to back (up to 60 ms
        on a busy shift, ``bench/shift.py``); now input and timers come between them.  The
        pacer is held by a weak reference: a strong one made window -> bridge -> pacer ->
        window a cycle that only the collector frees, on whichever thread it runs, and a
        Qt object deleted off the GUI thread crashes."""
        self._pacer = weakref.ref(pacer)
        self._frames_seen = pacer.frames

    @Slot()
    def _drain(self) -> None:
        """Take hub events in order for at most :data:`DRAIN_BUDGET_S`, then yield.

        The continuation is queued before each event is handled, so the rest is
        delivered even when a handler runs a nested event loop (a modal dialog); the
        event loop runs the queued continuation only after timers and repaints.
        """
        with self._lock:
            self._wake_pending = False
        pacer = self._pacer() if self._pacer is not None else None
        if pacer is not None:
            frames = pacer.frames
            if frames != self._frames_seen:  # a frame was painted since the last drain
                self._frames_seen = frames
                with self._lock:
                    if self._inbox:
                        self._post_wake()
                return
        deadline = time.perf_counter() + DRAIN_BUDGET_S
        while True:
            with self._lock:
                if not self._inbox:
                    return
                ev = self._inbox.popleft()
                if self._inbox:
                    self._post_wake()
            self._on_incoming(ev)
            if time.perf_counter() >= deadline:
                return

    def pending_events(self) -> int:
        """Hub events received and not yet delivered (for tests and figures)."""
        with self._lock:
            return len(self._inbox)

    def _on_incoming(self, ev: Event) -> None:
        self.events_received += 1
        seq = getattr(ev, "seq", 0)
        if seq:
            if isinstance(ev, Snapshot):
                self.last_seq = seq  # a snapshot replaces everything, even after a hub restart
            else:
                if self.last_seq and seq > self.last_seq + 1:
                    self.gap.emit(self.last_seq, seq)
                    if self.situation is not None:
                        log.warning(
                            "hub events %d..%d lost; fetching a fresh snapshot",
                            self.last_seq + 1,
                            seq - 1,
                        )
                        self.request_snapshot()
                self.last_seq = max(self.last_seq, seq)
        self._into_situation(ev)
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


def _as_snapshot(value: Any) -> Snapshot:
    """A snapshot as is when the hub is in-process, converted when it was decoded."""
    return value if isinstance(value, Snapshot) else msgspec.convert(value, Snapshot)


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
