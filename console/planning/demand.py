"""Expected demand per unit type, road node and hour, from past 110 calls.

Why: a unit's coverage is worth what it covers *for the calls that need it*.
Road length treats a quiet lane like the Bund; a traffic police car covering
the arterials where accidents happen matters more than one covering alleys.
Past calls (a history, never the calls being planned) give per-node rates;
each call counts for every unit type its run card asks for.  Weights are
blended with road length (calls are sparse, roads are not) and scaled so
each type's weights sum to the district's road length: shares and penalties
keep their meaning ("share of demand" instead of "share of road").

Calls that need several units of one type (a crowd-crush risk needs two
auxiliary teams) also give *depth* weights: where a second, third... unit of
the type is needed.  Together with each type's hourly call intensity they let
the move-up planner stage idle units where the coming hour's calls need more
of them than stand nearby (pre-positioning, :mod:`console.planning.moveups`).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import numpy.typing as npt

from console.planning.runcards import RunCards
from console.planning.traveltimes import TravelTimes

F64 = npt.NDArray[np.float64]

HOURS = 24


class Demand:
    """Per (unit type, hour) node weights in road-metre units; see the module docstring.

    ``deep[t]`` (shape ``(k - 1, HOURS, n_nodes)``) weighs where the 2nd..k-th
    unit of type ``t`` is needed; ``hour_rate[t]`` (24 values, mean 1) is how
    busy each hour is for the type relative to its average hour.
    """

    def __init__(
        self,
        weights: dict[str, F64],
        n_nodes: int,
        deep: dict[str, F64] | None = None,
        hour_rate: dict[str, F64] | None = None,
    ) -> None:
        for t, w in weights.items():
            if w.shape != (HOURS, n_nodes):
                raise ValueError(f"demand for {t!r} has shape {w.shape}, need {(HOURS, n_nodes)}")
            if not np.all(np.isfinite(w)) or np.any(w < 0):
                raise ValueError(f"demand for {t!r} must be finite and >= 0")
        deep = dict(deep or {})
        for t, w in deep.items():
            if w.ndim != 3 or w.shape[1:] != (HOURS, n_nodes):
                raise ValueError(
                    f"depth demand for {t!r} has shape {w.shape}, need (k-1, {HOURS}, {n_nodes})"
                )
            if not np.all(np.isfinite(w)) or np.any(w < 0):
                raise ValueError(f"depth demand for {t!r} must be finite and >= 0")
        rate = dict(hour_rate or {})
        for t, r in rate.items():
            if r.shape != (HOURS,) or not np.all(np.isfinite(r)) or np.any(r < 0):
                raise ValueError(f"hour rate for {t!r} must be {HOURS} finite values >= 0")
        self._w = weights
        self._deep = deep
        self._rate = rate
        self.n_nodes = n_nodes

    @property
    def unit_types(self) -> list[str]:
        return sorted(self._w)

    def depth(self, unit_type: str) -> int:
        """How many units of the type one past call needed at most (1 without depth data)."""
        d = self._deep.get(unit_type)
        return 1 + (0 if d is None else int(d.shape[0]))

    def weight(self, unit_type: str, hour: int | None, default: F64, depth: int = 1) -> F64:
        """Node weights for one type and hour (``default`` for a type without demand).

        ``depth`` k > 1 weighs where a k-th unit of the type is needed (zeros
        beyond what any past call needed).
        """
        if depth < 1:
            raise ValueError(f"depth must be >= 1, got {depth}")
        if depth == 1:
            w = self._w.get(unit_type)
            if w is None:
                return default
        else:
            if depth > self.depth(unit_type):
                return np.zeros(self.n_nodes)
            w = self._deep[unit_type][depth - 2]
        if hour is None:
            return np.asarray(w.mean(axis=0), dtype=np.float64)
        return w[int(hour) % HOURS]

    def hour_factor(self, unit_type: str, hour: int | None) -> float:
        """Calls needing the type in this hour relative to its average hour (1 if unknown)."""
        r = self._rate.get(unit_type)
        if r is None or hour is None:
            return 1.0
        return float(r[int(hour) % HOURS])

    @classmethod
    def from_calls(
        cls,
        tt: TravelTimes,
        cards: RunCards,
        hour_of_day: Sequence[float] | F64,
        incident_type: Sequence[str],
        lon: Sequence[float] | F64,
        lat: Sequence[float] | F64,
        road_share: float = 0.3,
        hour_smoothing: float = 0.5,
    ) -> Demand:
        """Weights from past calls: ``hour_of_day`` in [0, 24), types as in the run cards.

        ``road_share`` of each type's weight follows road length (the floor a
        never-called street keeps); ``hour_smoothing`` of each hour's call
        weight is the whole day's pattern (a handful of calls per hour is noise).
        Calls of types the cards do not know are skipped.
        """
        if not 0.0 <= road_share <= 1.0 or not 0.0 <= hour_smoothing <= 1.0:
            raise ValueError("road_share and hour_smoothing must be in [0, 1]")
        n = len(hour_of_day)
        if not (len(incident_type) == len(lon) == len(lat) == n):
            raise ValueError("hour_of_day, incident_type, lon and lat differ in length")
        g = tt.graph
        n_nodes = g.n_nodes
        road = tt.node_weight_m
        total = max(float(road.sum()), 1e-9)
        known = sorted({k for k, _ in cards.cards})
        needs: dict[str, set[str]] = {}
        many: dict[str, dict[str, int]] = {}  # incident type -> unit type -> units it can use
        for it in known:
            req = cards.requirement(it)
            needs[it] = {t for s in req.slots for t in s.types}
            many[it] = {t: sum(s.count for s in req.slots if t in s.types) for t in needs[it]}
        types = sorted(set().union(*needs.values())) if needs else []
        hours = np.asarray(hour_of_day, dtype=np.float64)
        keep = np.array(
            [k in needs and np.isfinite(h) for k, h in zip(incident_type, hours, strict=True)],
            dtype=bool,
        )
        k_max = {t: max((m.get(t, 0) for m in many.values()), default=1) for t in types}
        # counts[t][k - 1]: calls needing at least k units of type t, per hour and node
        counts = {t: np.zeros((k_max[t], HOURS, n_nodes)) for t in types}
        idx = np.flatnonzero(keep)
        if idx.size:
            nodes = np.asarray(
                g.snap(np.asarray(lon)[idx], np.asarray(lat)[idx], scc_only=True), dtype=np.int64
            )
            hh = np.floor(hours[idx]).astype(np.int64) % HOURS
            for j, i in enumerate(idx.tolist()):
                for t, k in many[incident_type[i]].items():
                    counts[t][:k, hh[j], nodes[j]] += 1.0

        def blend(c: F64) -> F64:
            day = c.sum(axis=0)
            day = day / day.sum()
            per_h = c.sum(axis=1, keepdims=True)
            hourly = np.where(per_h > 0, c / np.maximum(per_h, 1e-12), day[None, :])
            calls = hour_smoothing * day[None, :] + (1.0 - hour_smoothing) * hourly
            return total * (road_share * road[None, :] / total + (1.0 - road_share) * calls)

        out: dict[str, F64] = {}
        deep: dict[str, F64] = {}
        rate: dict[str, F64] = {}
        for t in types:
            c = counts[t]
            n1 = c[0].sum()
            if n1 <= 0:
                continue
            out[t] = blend(c[0])
            per_hour = c[0].sum(axis=1)
            rate[t] = per_hour / per_hour.mean()
            levels = [blend(ck) * (ck.sum() / n1) for ck in c[1:] if ck.sum() > 0]
            if levels:
                deep[t] = np.stack(levels)
        return cls(out, n_nodes, deep, rate)
