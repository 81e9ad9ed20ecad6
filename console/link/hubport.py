"""What the terminal link needs from the hub, and two ways to provide it.

The link thread never touches hub state directly.  It calls a :class:`HubPort`:
positions go in batches to ``ingest_positions`` (thread-safe in the hub), and
everything else a terminal reports (status changes, accepted / arrived /
finished orders, missed deadlines) becomes a :class:`TerminalEvent` handed to
the hub's own thread.  :class:`CommandHubPort` adapts the real
:class:`~console.hub.hub.CommandHub`; :class:`SituationPort` is a hub-less
stand-in over the same :class:`~console.hub.situation.Situation` arrays, for
the link-only hub process, benchmarks and tests.
"""

from __future__ import annotations

import logging
import math
import threading
from collections.abc import Callable
from concurrent.futures import Future
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Literal, Protocol

import numpy as np
import numpy.typing as npt

from console.domain import UnitSpec, UnitStatus
from console.hub.situation import Situation
from console.store.db import Store
from console.store.models import UnitRow

if TYPE_CHECKING:
    from console.hub.hub import CommandHub

log = logging.getLogger(__name__)

EventKind = Literal[
    "status", "accepted", "rejected", "arrived", "finished", "overdue", "expired", "feedback"
]


@dataclass(frozen=True)
class TerminalEvent:
    """Something a terminal (or its silence) tells the hub."""

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

    def terminal_event(self, ev: TerminalEvent) -> Future[Any]:
        """Queue an event for the hub thread; the future resolves once it is handled."""
        ...


def _done(value: Any = None) -> Future[Any]:
    f: Future[Any] = Future()
    f.set_result(value)
    return f


class SituationPort:
    """A hub-less port: live positions in a :class:`Situation`, events to a callback."""

    def __init__(
        self, specs: list[UnitSpec], on_event: Callable[[TerminalEvent], None] | None = None
    ) -> None:
        self.situation = Situation(specs)
        self.on_event = on_event
        self.events: list[TerminalEvent] = []
        self.applied = 0
        self._lock = threading.Lock()

    @classmethod
    def from_store(
        cls, store: Store, on_event: Callable[[TerminalEvent], None] | None = None
    ) -> SituationPort:
        """Every unit in the store, in id order."""
        from sqlalchemy import select

        with store.session() as s:
            rows = s.scalars(select(UnitRow).order_by(UnitRow.id)).all()
            specs = [
                UnitSpec(r.call_sign, r.unit_type, None, None, r.home_lon, r.home_lat) for r in rows
            ]
        return cls(specs, on_event)

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

    def terminal_event(self, ev: TerminalEvent) -> Future[Any]:
        with self._lock:
            self.events.append(ev)
        if self.on_event is not None:
            try:
                self.on_event(ev)
            except Exception:
                log.exception("terminal event callback failed")
        return _done()


def nearest_available(
    situation: Situation, lon: float, lat: float, exclude: int, unit_type: str | None = None
) -> tuple[int, float] | None:
    """The closest available unit to a place (same type preferred), with its distance in m."""
    free = situation.available_mask().copy()
    if 0 <= exclude < free.size:
        free[exclude] = False
    if unit_type is not None:
        same = free & np.array([s.unit_type == unit_type for s in situation.specs], dtype=bool)
        if same.any():
            free = same
    cand = np.flatnonzero(free)
    if not cand.size:
        return None
    kx = 111_320.0 * math.cos(math.radians(lat))
    d = np.hypot((situation.lon[cand] - lon) * kx, (situation.lat[cand] - lat) * 110_540.0)
    k = int(np.argmin(d))
    return int(cand[k]), float(d[k])


class CommandHubPort:
    """Adapts the real command hub: events become an internal command on the hub thread.

    Registers a ``TerminalEvents`` handler in ``hub.handlers`` for role
    ``link`` only (workstations cannot send it: it is not in their wire schema).
    """

    def __init__(self, hub: CommandHub) -> None:
        from console.hub.messages import Envelope
        from console.link.hubcmd import TerminalEventCommand, make_handler

        self.hub = hub
        self._envelope = Envelope
        self._cmd = TerminalEventCommand
        self._ids = iter(range(1, 2**62))
        hub.handlers[TerminalEventCommand] = make_handler(hub)
        hub.rights[TerminalEventCommand] = frozenset({"link"})

    def unit_index(self, call_sign: str) -> int | None:
        return self.hub.situation.index.get(call_sign)

    def ingest_positions(
        self,
        idx: npt.NDArray[np.int64],
        lon: npt.NDArray[np.float64],
        lat: npt.NDArray[np.float64],
        t: npt.NDArray[np.float64],
    ) -> int:
        return self.hub.ingest_positions(idx, lon, lat, t)

    def terminal_event(self, ev: TerminalEvent) -> Future[Any]:
        cmd = self._cmd(
            kind=ev.kind,
            call_sign=ev.call_sign,
            order_id=ev.order_id,
            incident_id=ev.incident_id,
            text=ev.text,
            status=ev.status,
        )
        env = self._envelope(
            request_id=next(self._ids),
            command=cmd,
            actor=f"terminal:{ev.call_sign}"[:64],
            role="link",
        )
        return self.hub.submit(env)


def status_after(ev: TerminalEvent) -> UnitStatus | None:
    """The unit status a terminal event implies, if any."""
    return {
        "accepted": UnitStatus.EN_ROUTE,
        "arrived": UnitStatus.ON_SCENE,
        "finished": UnitStatus.AVAILABLE,
        "rejected": UnitStatus.AVAILABLE,
    }.get(ev.kind)
