"""In-process movement of on-duty units along the road graph (demo district).

Until real terminals report (the terminal link), this is the source of
positions: each unit patrols near its home, following real shortest routes on
the road graph at its type's speed, and drives to an incident when told.  Its
fixes enter the hub through the same ``ingest_positions`` path as terminals.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import numpy.typing as npt

from console.domain import UnitSpec
from console.geo.roadgraph import NoRouteError, RoadGraph

PATROL_RADIUS_M = 900.0
PATROL_PACE = 0.5  # patrolling units move at half the road's travel speed


@dataclass
class _Track:
    """Where one unit is along its current route."""

    xs: npt.NDArray[np.float64]  # polyline lon
    ys: npt.NDArray[np.float64]  # polyline lat
    cum: npt.NDArray[np.float64]  # cumulative travel seconds at each vertex
    pos_s: float = 0.0
    target_node: int = -1
    to_incident: bool = False


@dataclass
class Simulator:
    """Moves units along roads; ``step`` returns the units that moved and where."""

    graph: RoadGraph
    specs: list[UnitSpec]
    speed_factor: dict[str, float]
    seed: int = 7
    tracks: dict[int, _Track] = field(default_factory=dict)
    stationary: set[int] = field(default_factory=set)

    def __post_init__(self) -> None:
        self.rng = np.random.default_rng(self.seed)
        self.home_node = np.asarray(
            self.graph.snap(
                np.array([s.home_lon for s in self.specs]),
                np.array([s.home_lat for s in self.specs]),
                scc_only=True,
            ),
            dtype=np.int64,
        )
        self.lon = self.graph.node_lon[self.home_node].copy()
        self.lat = self.graph.node_lat[self.home_node].copy()
        self.node = self.home_node.copy()
        self.hold = np.zeros(len(self.specs), dtype=bool)  # on scene / off duty: do not move
        for i, s in enumerate(self.specs):
            if s.fixed_point_code is not None:
                self.stationary.add(i)
        self._near_home: dict[int, npt.NDArray[np.int64]] = {}

    def _candidates(self, i: int) -> npt.NDArray[np.int64]:
        if i not in self._near_home:
            h = self.home_node[i]
            dx = self.graph.node_x - self.graph.node_x[h]
            dy = self.graph.node_y - self.graph.node_y[h]
            near = np.flatnonzero(dx * dx + dy * dy < PATROL_RADIUS_M**2)
            self._near_home[i] = near if near.size else np.array([h])
        return self._near_home[i]

    def _plan(self, i: int, target: int, to_incident: bool) -> bool:
        src = int(self.node[i])
        if src == target:
            return False
        spec = self.specs[i]
        factor = self.speed_factor.get(spec.unit_type, 1.0)
        try:
            r = self.graph.route(src, target, speed_factor=factor, respect_oneway=factor >= 0.9)
        except NoRouteError:
            return False
        if len(r.lon) < 2:
            return False
        self.tracks[i] = _Track(
            xs=np.asarray(r.lon),
            ys=np.asarray(r.lat),
            cum=np.asarray(r.cum_s),
            target_node=target,
            to_incident=to_incident,
        )
        return True

    def send_to(self, i: int, lon: float, lat: float) -> None:
        """Drive unit ``i`` to a point (an incident); it stops there."""
        self.hold[i] = False
        self.stationary.discard(i)
        self._plan(i, int(self.graph.snap(lon, lat)), to_incident=True)

    def release(self, i: int) -> None:
        """Unit ``i`` is free again: resume patrol (or return to its fixed point)."""
        self.hold[i] = False
        self.tracks.pop(i, None)
        if self.specs[i].fixed_point_code is not None:
            self._plan(i, int(self.home_node[i]), to_incident=False)

    def set_hold(self, i: int, hold: bool) -> None:
        """Freeze a unit where it is (on scene, off duty)."""
        self.hold[i] = hold
        if hold:
            self.tracks.pop(i, None)

    def step(self, dt: float) -> tuple[npt.NDArray[np.int64], list[int]]:
        """Advance every moving unit by ``dt`` seconds.

        Returns the indices that moved and the units that reached an incident.
        """
        moved: list[int] = []
        arrived: list[int] = []
        for i in range(len(self.specs)):
            if self.hold[i]:
                continue
            tr = self.tracks.get(i)
            if tr is None:
                if i in self.stationary:
                    continue
                if self.rng.random() < 0.3:  # patrols pause now and then
                    continue
                cand = self._candidates(i)
                if not self._plan(i, int(cand[self.rng.integers(cand.size)]), to_incident=False):
                    continue
                tr = self.tracks[i]
            tr.pos_s += dt if tr.to_incident else dt * PATROL_PACE
            if tr.pos_s >= tr.cum[-1]:
                self.lon[i], self.lat[i] = tr.xs[-1], tr.ys[-1]
                self.node[i] = tr.target_node
                del self.tracks[i]
                if tr.to_incident:
                    self.hold[i] = True
                    arrived.append(i)
            else:
                k = int(np.searchsorted(tr.cum, tr.pos_s, side="right")) - 1
                f = (tr.pos_s - tr.cum[k]) / max(tr.cum[k + 1] - tr.cum[k], 1e-9)
                self.lon[i] = tr.xs[k] + f * (tr.xs[k + 1] - tr.xs[k])
                self.lat[i] = tr.ys[k] + f * (tr.ys[k + 1] - tr.ys[k])
            moved.append(i)
        return np.asarray(moved, dtype=np.int64), arrived
