"""Stand-ins for officers' terminals in the labelled embedded demo (no real devices).

Only a demo hub (``open_hub(demo=True)`` / ``start_embedded_hub``) answers with these, and
never for a unit that has an enrolled terminal of its own (``answers``); a real hub has
none, so an order nobody received is never recorded as delivered.  Each order one of
these answers:
it reports delivery, reading and acceptance after human-like delays, drives
the unit to the scene through the simulation, and reports arrival when the
unit gets there.  Receipts enter the hub as ``OrderReceipt`` commands with
role ``terminal``, the same path a real terminal's receipts take.
"""

from __future__ import annotations

import heapq
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from console.sim import Simulator


@dataclass(order=True)
class _Due:
    t: float
    order_id: str = field(compare=False)
    state: str = field(compare=False)
    unit: int = field(compare=False)


class VirtualTerminals:
    """Answers orders for units that have no real terminal."""

    def __init__(
        self,
        sim: Simulator | None,
        send_receipt: Callable[[str, str, int], None],
        seed: int = 11,
        answers: Callable[[int], bool] | None = None,
    ) -> None:
        """``answers(unit)``: whether a stand-in answers for that unit now (default: all)."""
        self.sim = sim
        self.send_receipt = send_receipt
        self.answers = answers
        self.rng = np.random.default_rng(seed)
        self._queue: list[_Due] = []
        self._orders_by_unit: dict[int, str] = {}
        self._targets: dict[str, tuple[float, float]] = {}

    def on_order(self, order_id: str, unit: int, body: dict[str, Any], now: float) -> None:
        """A new order for ``unit``: schedule the officer's reactions (if a stand-in
        answers for it)."""
        if self.answers is not None and not self.answers(unit):
            return
        d = float(self.rng.uniform(1.0, 2.5))
        r = d + float(self.rng.uniform(0.5, 2.0))
        a = r + float(self.rng.uniform(1.0, 4.0))
        for t, st in ((d, "delivered"), (r, "read"), (a, "accepted")):
            heapq.heappush(self._queue, _Due(now + t, order_id, st, unit))
        self._orders_by_unit[unit] = order_id
        self._targets[order_id] = (float(body["lon"]), float(body["lat"]))

    def tick(self, now: float) -> None:
        """Send the receipts that are due; accepted orders start the drive."""
        while self._queue and self._queue[0].t <= now:
            due = heapq.heappop(self._queue)
            target = self._targets.get(due.order_id)
            if target is None:  # forgotten (cancelled, reassigned): the officer stops
                continue
            self.send_receipt(due.order_id, due.state, due.unit)
            if due.state == "accepted" and self.sim is not None:
                self.sim.send_to(due.unit, *target)

    def on_arrival(self, unit: int) -> None:
        """The simulation brought ``unit`` to its scene: report arrival."""
        oid = self._orders_by_unit.get(unit)
        if oid is not None:
            self.send_receipt(oid, "arrived", unit)

    def forget(self, unit: int) -> None:
        """The unit's order is over (finished, cancelled)."""
        oid = self._orders_by_unit.pop(unit, None)
        if oid is not None:
            self._targets.pop(oid, None)
