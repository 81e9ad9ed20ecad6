"""One position gate for every source of fixes the hub takes in.

:class:`~console.link.posbatch.PositionGate` decides which fixes are believed (not ahead
of the hub's clock, inside the district plus a margin, no impossible jump).  The hub owns
one, for its district, and every fix passes it before it reaches the live situation: the
terminal link checks its batches with this same gate (so it can tell each sender why a
fix was refused, :mod:`console.link.node` hands it over), and any other caller of
:meth:`~console.hub.hub.CommandHub.ingest_positions` is checked by the hub itself.  One
gate means one "last believed fix" per unit, whichever way the fixes came.  The demo's
own simulation is the only source that bypasses it (the hub moves those units itself).
"""

from __future__ import annotations

import threading
from typing import Any

import numpy as np
import numpy.typing as npt

from console.domain import District
from console.link.posbatch import DistrictArea, GateResult, PositionGate


class SharedGate(PositionGate):
    """A :class:`PositionGate` that several threads may call (one check at a time)."""

    def __init__(self, area: DistrictArea | None = None, **kw: Any) -> None:
        super().__init__(area, **kw)
        self._lock = threading.Lock()

    @classmethod
    def for_district(cls, district: District) -> SharedGate:
        """The gate of one district's outline (no outline: no area check)."""
        outline = [(float(x), float(y)) for x, y in district.outline]
        return cls(DistrictArea([outline]) if len(outline) >= 3 else None)

    def check(
        self,
        idx: npt.NDArray[np.int64],
        lon: npt.NDArray[np.float64],
        lat: npt.NDArray[np.float64],
        t: npt.NDArray[np.float64],
        now: float,
    ) -> GateResult:
        with self._lock:
            return super().check(idx, lon, lat, t, now)
