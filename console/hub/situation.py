"""The live situation: where every unit is and what it is doing, as arrays.

Positions arrive at 1 Hz per unit, from thousands of units; they are applied
to numpy arrays in place (no per-unit objects on the hot path) and the set of
changed units is kept until the hub flushes it as one coalesced event.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import numpy.typing as npt

from console.domain import UnitSpec, UnitStatus

STATUS_CODES: tuple[UnitStatus, ...] = tuple(UnitStatus)
STATUS_INDEX = {s: i for i, s in enumerate(STATUS_CODES)}


@dataclass
class Situation:
    """Live state of all units; index ``i`` is stable for the hub's lifetime."""

    specs: list[UnitSpec]
    lon: npt.NDArray[np.float64] = field(init=False)
    lat: npt.NDArray[np.float64] = field(init=False)
    fix_t: npt.NDArray[np.float64] = field(init=False)
    status: npt.NDArray[np.int8] = field(init=False)
    status_since: npt.NDArray[np.float64] = field(init=False)
    incident: npt.NDArray[np.int64] = field(init=False)  # -1 = none
    _dirty: npt.NDArray[np.bool_] = field(init=False)

    def __post_init__(self) -> None:
        n = len(self.specs)
        self.index = {s.call_sign: i for i, s in enumerate(self.specs)}
        if len(self.index) != n:
            raise ValueError("duplicate call signs in unit list")
        self.lon = np.array([s.home_lon for s in self.specs], dtype=np.float64)
        self.lat = np.array([s.home_lat for s in self.specs], dtype=np.float64)
        self.fix_t = np.zeros(n, dtype=np.float64)
        self.status = np.full(n, STATUS_INDEX[UnitStatus.AVAILABLE], dtype=np.int8)
        self.status_since = np.zeros(n, dtype=np.float64)
        self.incident = np.full(n, -1, dtype=np.int64)
        self._dirty = np.zeros(n, dtype=np.bool_)

    def __len__(self) -> int:
        return len(self.specs)

    def apply_positions(
        self,
        idx: npt.NDArray[np.int64] | npt.NDArray[np.int32],
        lon: npt.NDArray[np.float64],
        lat: npt.NDArray[np.float64],
        t: npt.NDArray[np.float64],
    ) -> int:
        """Apply a batch of fixes; older fixes than the one held are ignored (latest wins)."""
        idx = np.asarray(idx, dtype=np.int64)
        ok = (idx >= 0) & (idx < len(self.specs)) & np.isfinite(lon) & np.isfinite(lat)
        idx, lon, lat, t = idx[ok], lon[ok], lat[ok], t[ok]
        newer = t >= self.fix_t[idx]
        idx, lon, lat, t = idx[newer], lon[newer], lat[newer], t[newer]
        self.lon[idx] = lon
        self.lat[idx] = lat
        self.fix_t[idx] = t
        self._dirty[idx] = True
        return int(idx.size)

    def take_dirty(self) -> npt.NDArray[np.int32]:
        """Indices changed since the last call, cleared on return."""
        d = np.flatnonzero(self._dirty).astype(np.int32)
        self._dirty[d] = False
        return d

    def set_status(self, i: int, status: UnitStatus, t: float, incident_id: int | None) -> None:
        """Record a status change and the incident the unit is bound to."""
        self.status[i] = STATUS_INDEX[status]
        self.status_since[i] = t
        self.incident[i] = -1 if incident_id is None else incident_id

    def status_of(self, i: int) -> UnitStatus:
        """The unit's status as the enum."""
        return STATUS_CODES[int(self.status[i])]

    def available_mask(self) -> npt.NDArray[np.bool_]:
        """Units free to be dispatched."""
        return self.status == STATUS_INDEX[UnitStatus.AVAILABLE]
