"""What the terminal link needs from the hub, and two ways to provide it.

The link thread never touches hub state directly.  It calls a :class:`HubPort`:

- ``ingest_positions``: a batch of fixes (thread-safe in the hub);
- ``apply_reports``: a batch of order receipts, applied to the outbox in one
  transaction (fast enough for a 1,000-unit fan-out) and then turned into the
  hub's own effects (``OrderChanged`` events, unit status, alerts);
- ``terminal_event``: anything else a terminal says (duty status, feedback).

:class:`CommandHubPort` adapts the real :class:`~console.hub.hub.CommandHub`
(work runs on the hub thread as internal commands); :class:`SituationPort` is a
hub-less stand-in over the same :class:`~console.hub.situation.Situation`
arrays, for the link-only hub process, benchmarks and tests.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Literal, Protocol

import numpy as np
import numpy.typing as npt
from sqlalchemy import select

from console.domain import UnitSpec
from console.hub.errors import CommandError
from console.hub.situation import Situation
from console.link.receipts import Moved, TerminalReport, apply_reports
from console.store.db import Store
from console.store.models import UnitRow

if TYPE_CHECKING:
    from console.hub.hub import CommandHub

log = logging.getLogger(__name__)

EventKind = Literal["status", "feedback", "overdue", "expired"]
ReportResult = tuple[list[Moved], set[str]]
"""Orders that really moved, and order ids refused as not the sender's."""


@dataclass(frozen=True)
class TerminalEvent:
    """Something a terminal tells the hub besides receipts (or its silence: overdue, expired)."""

    kind: EventKind
    call_sign: str
    order_id: str = ""
    incident_id: int | None = None
    text: str = ""
    status: str = ""


class HubPort(Protocol):
    """The hub as the link sees it; every method is safe to call from the link thread."""

    def unit_index(self, call_sign: str) -> int | None:
        """The situation index of a unit, or None if the hub does not track it."""
        ...

    def ingest_positions(
        self,
        idx: npt.NDArray[np.int64],
        lon: npt.NDArray[np.float64],
        lat: npt.NDArray[np.float64],
        t: npt.NDArray[np.float64],
    ) -> int:
        """Apply a batch of fixes (latest wins); returns how many were applied."""
        ...

    def apply_reports(
        self, reports: Sequence[tuple[int, TerminalReport]], now: float
    ) -> Future[ReportResult]:
        """Apply (unit id, receipt) pairs durably; resolves once committed."""
        ...

    def terminal_event(self, ev: TerminalEvent) -> Future[Any]:
        """Queue an event for the hub; the future resolves once it is handled."""
        ...

    def add_count(
        self, call_sign: str, place: str, sensor: str, t: float, people: float
    ) -> Future[Any]:
        """Store one counter-minute from a terminal; fails with CommandError (final: the
        count is refused) or another error (not stored: the terminal resends)."""
        ...


def _done(value: Any = None) -> Future[Any]:
    f: Future[Any] = Future()
    f.set_result(value)
    return f


class SituationPort:
    """A hub-less port: positions into a :class:`Situation`, receipts into the outbox."""

    def __init__(
        self,
        specs: list[UnitSpec],
        store: Store | None = None,
        on_event: Callable[[TerminalEvent | Moved], None] | None = None,
    ) -> None:
        self.situation = Situation(specs)
        self.store = store
        self.on_event = on_event
        self.events: list[TerminalEvent | Moved] = []
        self.applied = 0
        self._lock = threading.Lock()

    @classmethod
    def from_store(
        cls, store: Store, on_event: Callable[[TerminalEvent | Moved], None] | None = None
    ) -> SituationPort:
        """Every unit in the store, in id order."""
        with store.session() as s:
            rows = s.scalars(select(UnitRow).order_by(UnitRow.id)).all()
            specs = [
                UnitSpec(r.call_sign, r.unit_type, None, None, r.home_lon, r.home_lat) for r in rows
            ]
        return cls(specs, store, on_event)

    def unit_index(self, call_sign: str) -> int | None:
        return self.situation.index.get(call_sign)

    def ingest_positions(
        self,
        idx: npt.NDArray[np.int64],
        lon: npt.NDArray[np.float64],
        lat: npt.NDArray[np.float64],
        t: npt.NDArray[np.float64],
    ) -> int:
        with self._lock:
            n = self.situation.apply_positions(idx, lon, lat, t)
            self.applied += n
            return n

    def apply_reports(
        self, reports: Sequence[tuple[int, TerminalReport]], now: float
    ) -> Future[ReportResult]:
        if self.store is None:
            raise RuntimeError("this port has no store to apply receipts to")
        fut: Future[ReportResult] = Future()
        try:
            moved, foreign = apply_reports(self.store, reports, now)
        except Exception as exc:
            fut.set_exception(exc)
            return fut
        for mv in moved:
            self._record(mv)
        fut.set_result((moved, foreign))
        return fut

    def terminal_event(self, ev: TerminalEvent) -> Future[Any]:
        self._record(ev)
        return _done()

    def add_count(
        self, call_sign: str, place: str, sensor: str, t: float, people: float
    ) -> Future[Any]:
        fut: Future[Any] = Future()
        fut.set_exception(CommandError("this hub keeps no crowd counts"))
        return fut

    def _record(self, ev: TerminalEvent | Moved) -> None:
        with self._lock:
            self.events.append(ev)
        if self.on_event is not None:
            try:
                self.on_event(ev)
            except Exception:
                log.exception("terminal event callback failed")


class CommandHubPort:
    """Adapts the real command hub: work becomes internal commands on the hub thread.

    Registers the internal commands of :mod:`console.link.hubcmd` in
    ``hub.handlers`` for role ``link`` only (the workstation server refuses that
    role from the wire, and the commands are not in its wire schema).
    """

    def __init__(self, hub: CommandHub) -> None:
        from console.hub.messages import Envelope
        from console.link import hubcmd

        self.hub = hub
        self._envelope = Envelope
        self._hubcmd = hubcmd
        self._ids = iter(range(1, 2**62))
        self._counts = ThreadPoolExecutor(1, thread_name_prefix="link-crowd")
        hubcmd.register(hub)

    def unit_index(self, call_sign: str) -> int | None:
        return self.hub.situation.index.get(call_sign)

    def ingest_positions(
        self,
        idx: npt.NDArray[np.int64],
        lon: npt.NDArray[np.float64],
        lat: npt.NDArray[np.float64],
        t: npt.NDArray[np.float64],
    ) -> int:
        # the link judged these with the hub's own gate (HubNode shares it)
        return self.hub.ingest_positions(idx, lon, lat, t, checked=True)

    def _submit(self, cmd: Any, actor: str) -> Future[Any]:
        env = self._envelope(request_id=next(self._ids), command=cmd, actor=actor[:64], role="link")
        out: Future[Any] = Future()

        def done(f: Future[Any]) -> None:
            try:
                reply = f.result()
            except Exception as exc:
                out.set_exception(exc)
                return
            if reply.ok:
                out.set_result(reply.result)
            else:
                out.set_exception(RuntimeError(reply.error))

        self.hub.submit(env).add_done_callback(done)
        return out

    def apply_reports(
        self, reports: Sequence[tuple[int, TerminalReport]], now: float
    ) -> Future[ReportResult]:
        return self._submit(self._hubcmd.TerminalReports(reports=list(reports), now=now), "link")

    def terminal_event(self, ev: TerminalEvent) -> Future[Any]:
        cmd = self._hubcmd.TerminalEventCommand(
            kind=ev.kind,
            call_sign=ev.call_sign,
            order_id=ev.order_id,
            incident_id=ev.incident_id,
            text=ev.text,
            status=ev.status,
        )
        return self._submit(cmd, f"terminal:{ev.call_sign}")

    def add_count(
        self, call_sign: str, place: str, sensor: str, t: float, people: float
    ) -> Future[Any]:
        """Counts go straight to the hub's crowd part (thread-safe, its own transaction) on
        a worker of their own, so a burst of counters never waits on the command thread."""
        return self._counts.submit(
            self.hub.crowd.add_count, place, sensor, t, people, source="terminal", device=call_sign
        )
