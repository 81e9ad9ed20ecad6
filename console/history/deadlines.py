"""What each open incident must do next, and by when: the incident board's deadline column.

A workstation learns of orders from ``OrderChanged`` events (order id, incident, unit,
state, time); this book keeps, per incident, the orders it has seen and derives the
next deadline:

- an order not yet acknowledged: its acknowledgement deadline (``orders.ack_deadline_seconds``
  after it was written);
- a unit acknowledged but not arrived: its arrival standard after the order;
- a unit on scene: ``workflow.on_scene_alert_seconds`` after it arrived;
- an incident without any order seen (awaiting its plan or approval): the arrival
  standard of its required unit types, counted from the call, because every minute spent
  waiting for a decision is a minute of the response.

Qt-free so it can be tested on its own and reused by reports.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from console.config import Config

ACK, ARRIVE, ON_SCENE, RESPOND = "ack", "arrive", "on_scene", "respond"
OPEN_ORDER = frozenset({"pending", "delivered", "read", "accepted", "arrived"})
UNACKED = frozenset({"pending", "delivered", "read"})


@dataclass(frozen=True, slots=True)
class Deadline:
    """The next thing due on an incident: what (``kind``), for whom and when."""

    kind: str  # ack | arrive | on_scene | respond
    at: float
    call_sign: str = ""


@dataclass(slots=True)
class _Order:
    call_sign: str
    state: str
    created_at: float
    arrived_at: float | None = None


class DeadlineBook:
    """Orders seen per incident and the deadline each incident runs against next."""

    def __init__(self, config: Config, unit_type_of: Callable[[str], str | None]) -> None:
        """``unit_type_of(call_sign)``: the unit's type (None: unknown unit)."""
        self.config = config
        self.unit_type_of = unit_type_of
        self._orders: dict[int, dict[str, _Order]] = {}
        self._std: dict[str, float] = {
            key: float(config.arrival_standards[ut.standard].seconds)
            for key, ut in config.unit_types.items()
        }

    def clear(self) -> None:
        """Forget every order (a fresh snapshot)."""
        self._orders.clear()

    def forget(self, incident_id: int) -> None:
        """The incident ended."""
        self._orders.pop(incident_id, None)

    def order(self, incident_id: int, order_id: str, call_sign: str, state: str, t: float) -> bool:
        """An order event; True when it may change the incident's deadline."""
        book = self._orders.setdefault(incident_id, {})
        o = book.get(order_id)
        if o is None:
            if state not in OPEN_ORDER:
                return False
            book[order_id] = _Order(call_sign, state, t, t if state == "arrived" else None)
            return True
        o.state = state
        if state == "arrived" and o.arrived_at is None:
            o.arrived_at = t
        if state not in OPEN_ORDER:
            del book[order_id]
        return True

    def standard_s(self, unit_type: str | None) -> float | None:
        """The arrival standard of a unit type, seconds."""
        return None if unit_type is None else self._std.get(unit_type)

    def respond_standard_s(self, incident_type: str) -> float | None:
        """The tightest arrival standard among the types an incident type requires."""
        it = self.config.incident_types.get(incident_type)
        if it is None:
            return None
        found = [self._std[u] for u in it.unit_types if u in self._std]
        return min(found) if found else None

    def next_deadline(
        self, incident_id: int, incident_type: str, created_at: float
    ) -> Deadline | None:
        """The earliest deadline the incident runs against now (None: nothing due)."""
        book = self._orders.get(incident_id)
        if not book:
            std = self.respond_standard_s(incident_type)
            return None if std is None else Deadline(RESPOND, created_at + std)
        ack = float(self.config.orders.ack_deadline_seconds)
        on_scene = float(self.config.workflow.on_scene_alert_seconds)
        best: Deadline | None = None
        for o in book.values():
            d: Deadline | None
            if o.state in UNACKED:
                d = Deadline(ACK, o.created_at + ack, o.call_sign)
            elif o.state == "accepted":
                std = self.standard_s(self.unit_type_of(o.call_sign))
                d = None if std is None else Deadline(ARRIVE, o.created_at + std, o.call_sign)
            elif o.state == "arrived" and o.arrived_at is not None:
                d = Deadline(ON_SCENE, o.arrived_at + on_scene, o.call_sign)
            else:
                d = None
            if d is not None and (best is None or d.at < best.at):
                best = d
        return best

    def order_count(self, incident_id: int) -> int:
        """Open orders seen on the incident."""
        return len(self._orders.get(incident_id, {}))
