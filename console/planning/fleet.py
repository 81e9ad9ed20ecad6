"""The planner's view of the units: static facts per unit as arrays, plus a live snapshot.

The hub holds live state in its ``Situation`` arrays (any :class:`LiveUnits`: planning
sits below the hub and never imports it); the planner takes a :class:`SituationView`
(a copy, so planning can run off the hub thread while positions keep arriving) and turns
the per-unit configuration (type, crew, speed, standard) into arrays once per unit list,
so a plan over 5,000 units does no per-unit Python work on the hot path.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol

import numpy as np
import numpy.typing as npt

from console.config import Config
from console.domain import UnitSpec

F64 = npt.NDArray[np.float64]
I64 = npt.NDArray[np.int64]
B = npt.NDArray[np.bool_]


class LiveUnits(Protocol):
    """The live unit arrays a snapshot is taken from (the hub's ``Situation``)."""

    @property
    def specs(self) -> Sequence[UnitSpec]: ...

    @property
    def lon(self) -> F64: ...

    @property
    def lat(self) -> F64: ...

    def available_mask(self) -> B: ...


@dataclass(frozen=True)
class SituationView:
    """What the planner needs to know about every unit right now."""

    specs: Sequence[UnitSpec]
    lon: F64
    lat: F64
    available: B

    def __post_init__(self) -> None:
        n = len(self.specs)
        for name in ("lon", "lat", "available"):
            if len(getattr(self, name)) != n:
                raise ValueError(
                    f"SituationView.{name} has {len(getattr(self, name))} entries, expected {n}"
                )

    @classmethod
    def from_situation(cls, sit: LiveUnits) -> SituationView:
        """Snapshot the hub's live arrays (copied: the hub keeps writing to its own)."""
        avail = np.asarray(sit.available_mask(), dtype=bool)
        return cls(sit.specs, sit.lon.copy(), sit.lat.copy(), avail.copy())

    @classmethod
    def at_home(cls, specs: Sequence[UnitSpec], available: B | None = None) -> SituationView:
        """Every unit at its home position (tests, what-if planning)."""
        lon = np.array([s.home_lon for s in specs], dtype=np.float64)
        lat = np.array([s.home_lat for s in specs], dtype=np.float64)
        av = np.ones(len(specs), dtype=bool) if available is None else np.asarray(available, bool)
        return cls(specs, lon, lat, av)


class Fleet:
    """Per-unit configuration as arrays, built once per unit list."""

    def __init__(
        self, specs: Sequence[UnitSpec], config: Config, area_codes: Sequence[str]
    ) -> None:
        self.specs = specs
        self.n = len(specs)
        self.type_keys: list[str] = list(config.unit_types)
        tix = {k: i for i, k in enumerate(self.type_keys)}
        unknown = sorted({s.unit_type for s in specs} - set(tix))
        if unknown:
            raise ValueError(f"units of unknown type(s): {', '.join(unknown)}")
        self.call_sign: list[str] = [s.call_sign for s in specs]
        self.type_idx: I64 = np.array([tix[s.unit_type] for s in specs], dtype=np.int64)
        ut = [config.unit_types[k] for k in self.type_keys]
        self.type_crew: F64 = np.array([u.crew for u in ut], dtype=np.float64)
        self.type_speed: F64 = np.array([u.speed_factor for u in ut], dtype=np.float64)
        self.type_std_key: list[str] = [u.standard for u in ut]
        self.type_std_s: F64 = np.array(
            [config.arrival_standards[u.standard].seconds for u in ut], dtype=np.float64
        )
        self.crew: F64 = self.type_crew[self.type_idx]
        self.speed: F64 = self.type_speed[self.type_idx]
        aix = {c: i for i, c in enumerate(area_codes)}
        self.home_area: I64 = np.array(
            [aix.get(s.area_code or "", -1) for s in specs], dtype=np.int64
        )
        self.fixed_point: list[str | None] = [s.fixed_point_code for s in specs]
        self.has_post: B = np.array([s.fixed_point_code is not None for s in specs], dtype=bool)
        self.home_lon: F64 = np.array([s.home_lon for s in specs], dtype=np.float64)
        self.home_lat: F64 = np.array([s.home_lat for s in specs], dtype=np.float64)
        self.home_node: I64 = np.zeros(self.n, dtype=np.int64)  # set by the engine (needs a graph)

    def type_mask(self, types: Sequence[str]) -> B:
        """Units whose type is one of ``types``."""
        want = [i for i, k in enumerate(self.type_keys) if k in set(types)]
        return np.isin(self.type_idx, want)

    def matches(self, specs: Sequence[UnitSpec]) -> bool:
        """Whether this fleet was built for exactly this unit list."""
        return specs is self.specs and len(specs) == self.n
