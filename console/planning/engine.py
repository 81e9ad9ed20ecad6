"""The plan engine: incidents + live units -> deployment plans a commander can approve.

Per call: snap units and incidents to the road graph; one reversed Dijkstra
per incident gives every unit's ETA and route; candidates are pruned to the
fastest eligible units per slot; coverage costs (areas emptied, 1-minute
points uncovered, special-police district share lost) enter one joint MILP
over all incidents (:mod:`console.planning.assign`); the answer is written up
slot by slot (:mod:`console.planning.writeup`) with routes, standards met and
missed, the next-best alternative, a one-line reason, the coverage it costs
and move-ups that restore it.  Given a :class:`~console.planning.demand.Demand`
(past calls), district coverage is weighed by where calls needing each unit
type come from at that hour instead of by road length.
"""

from __future__ import annotations

import math
import time
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
import numpy.typing as npt

from console.config import Config
from console.domain import District
from console.geo.roadgraph import RoadGraph
from console.geo.tolerance import within_mask
from console.planning.assign import Group, Problem, Solution, solve
from console.planning.coverage import CoverageModel, CoverageReport, area_of_units
from console.planning.demand import Demand
from console.planning.fleet import Fleet, SituationView
from console.planning.moveups import propose_move_ups
from console.planning.plan import MoveUp, Plan, PlanRequest
from console.planning.runcards import Requirement, RunCards
from console.planning.traveltimes import ToTarget, TravelTimes
from console.planning.writeup import write_plans

F64 = npt.NDArray[np.float64]
I64 = npt.NDArray[np.int64]
B = npt.NDArray[np.bool_]


class PlanError(ValueError):
    """A plan request cannot be planned as given; the text names the problem."""


@dataclass
class Candidates:
    """Per incident: ETAs of all available units and the pruned candidates per slot."""

    request: PlanRequest
    req: Requirement
    priority: int
    node: int
    to: ToTarget
    eta: F64  # (n_units,), inf for unavailable / unreachable
    slot_cands: list[I64]  # per slot of req.slots, sorted by ETA
    topup_cands: I64
    slot_base: int = 0  # global index of this incident's first slot


@dataclass
class Context:
    """Everything one planning call computed, shared with the write-up."""

    hour: int | None
    fleet: Fleet
    nodes: I64  # snapped node per unit (-1 if unavailable)
    avail: B
    incidents: list[Candidates]
    problem: Problem
    solution: Solution
    col_std: F64  # standard seconds per column
    col_std_key: list[str]
    unit_area: I64
    area_groups: dict[int, int] = field(default_factory=dict)  # area index -> group index
    fp_groups: dict[int, int] = field(default_factory=dict)  # fixed point index -> group index
    district_loss: dict[int, float] = field(default_factory=dict)  # unit -> road share lost
    district_limit: dict[int, float] = field(default_factory=dict)


class PlanEngine:
    """Generates plans; one instance per graph and district, reused across calls."""

    def __init__(
        self,
        config: Config,
        run_cards: RunCards,
        graph: RoadGraph,
        district: District,
        demand: Demand | None = None,
    ) -> None:
        self.config = config
        self.cards = run_cards
        self.graph = graph
        self.district = district
        self.tt = TravelTimes(graph, district.areas)
        self.cov = CoverageModel(self.tt, config, run_cards.coverage, district.fixed_points)
        if demand is not None and demand.n_nodes != graph.n_nodes:
            raise ValueError(f"demand has {demand.n_nodes} nodes, the graph {graph.n_nodes}")
        # where calls needing each unit type come from; None = every road metre alike
        self.demand = demand
        self._fleet: Fleet | None = None

    def fleet(self, view: SituationView) -> Fleet:
        """Static unit arrays for this unit list (rebuilt only when the list changes)."""
        if self._fleet is None or not self._fleet.matches(view.specs):
            fleet = Fleet(view.specs, self.config, self.tt.area_codes)
            if fleet.n:
                fleet.home_node = np.asarray(
                    self.graph.snap(fleet.home_lon, fleet.home_lat, scc_only=True), dtype=np.int64
                )
            self._fleet = fleet
        return self._fleet

    def snap_units(self, view: SituationView) -> tuple[I64, B]:
        """Road node of every available unit with a usable position, and that mask."""
        avail = (
            np.asarray(view.available, dtype=bool) & np.isfinite(view.lon) & np.isfinite(view.lat)
        )
        nodes = np.full(len(view.specs), -1, dtype=np.int64)
        idx = np.flatnonzero(avail)
        if idx.size:
            nodes[idx] = self.graph.snap(view.lon[idx], view.lat[idx], scc_only=True)
        return nodes, avail

    # ---- candidates -----------------------------------------------------------------------

    def _requirement(self, r: PlanRequest) -> tuple[Requirement, int]:
        try:
            req = self.cards.requirement(r.incident_type, r.force_level, r.manpower)
        except (ValueError, KeyError) as exc:
            raise PlanError(f"incident {r.incident_id}: {exc}") from None
        it = self.config.incident_types[r.incident_type]
        prio = it.priority if r.priority is None else int(r.priority)
        if not 1 <= prio <= 4:
            raise PlanError(f"incident {r.incident_id}: priority must be 1-4, got {r.priority!r}")
        if not (math.isfinite(r.lon) and math.isfinite(r.lat)):
            raise PlanError(f"incident {r.incident_id}: location is not a number")
        return req, prio

    def _candidates(
        self, r: PlanRequest, hour: int | None, fleet: Fleet, nodes: I64, avail: B
    ) -> Candidates:
        req, prio = self._requirement(r)
        eng = self.cards.engine
        node = int(self.graph.snap(r.lon, r.lat, scc_only=True))
        limit = eng.search_limit_s * float(fleet.type_speed.max())
        to = self.tt.to_target(node, hour, limit)
        eta = np.full(fleet.n, np.inf)
        idx = np.flatnonzero(avail)
        eta[idx] = to.seconds[nodes[idx]] / fleet.speed[idx]
        eta[~within_mask(eta, eng.search_limit_s)] = np.inf
        usable = np.isfinite(eta)

        def top(types: Sequence[str], count: int) -> I64:
            cand = np.flatnonzero(usable & fleet.type_mask(types))
            k = max(eng.candidates_per_slot, count + 2)
            if cand.size > k:
                cand = cand[np.argpartition(eta[cand], k - 1)[:k]]
            return cand[np.argsort(eta[cand], kind="stable")]

        slot_cands = [top(s.types, s.count) for s in req.slots]
        topup = top(req.topup_types, 4) if req.topup_types else np.empty(0, dtype=np.int64)
        return Candidates(r, req, prio, node, to, eta, slot_cands, topup)

    # ---- the model ------------------------------------------------------------------------

    def _build(
        self, hour: int | None, fleet: Fleet, nodes: I64, avail: B, incs: list[Candidates]
    ) -> Context:
        eng = self.cards.engine
        cols_u: list[I64] = []
        cols_i: list[I64] = []
        cols_s: list[I64] = []
        cols_eta: list[F64] = []
        cols_std: list[F64] = []
        cols_w: list[F64] = []
        std_keys: list[str] = []
        slot_count: list[int] = []
        slot_inc: list[int] = []
        slot_pen: list[float] = []
        for i, c in enumerate(incs):
            w_i = eng.priority_weights[c.priority - 1]
            c.slot_base = len(slot_count)
            for j, slot in enumerate(c.req.slots):
                cand = c.slot_cands[j]
                g = c.slot_base + j
                slot_count.append(slot.count)
                slot_inc.append(i)
                slot_pen.append(eng.shortfall_penalty_s * w_i)
                if slot.standard is not None:
                    std = np.full(
                        len(cand), float(self.config.arrival_standards[slot.standard].seconds)
                    )
                    std_keys += [slot.standard] * len(cand)
                else:
                    std = fleet.type_std_s[fleet.type_idx[cand]]
                    std_keys += [fleet.type_std_key[t] for t in fleet.type_idx[cand]]
                ww = 1.0 if slot.wave == "first" else eng.reinforcement_weight
                cols_u.append(cand)
                cols_i.append(np.full(len(cand), i))
                cols_s.append(np.full(len(cand), g))
                cols_eta.append(c.eta[cand])
                cols_std.append(std)
                cols_w.append(np.full(len(cand), w_i * ww))
            cand = c.topup_cands
            cols_u.append(cand)
            cols_i.append(np.full(len(cand), i))
            cols_s.append(np.full(len(cand), -1))
            cols_eta.append(c.eta[cand])
            cols_std.append(fleet.type_std_s[fleet.type_idx[cand]])
            std_keys += [fleet.type_std_key[t] for t in fleet.type_idx[cand]]
            cols_w.append(np.full(len(cand), w_i * eng.reinforcement_weight))
        col_u = np.concatenate(cols_u).astype(np.int64) if cols_u else np.empty(0, np.int64)
        eta = np.concatenate(cols_eta) if cols_eta else np.empty(0)
        std = np.concatenate(cols_std) if cols_std else np.empty(0)
        w = np.concatenate(cols_w) if cols_w else np.empty(0)
        late = np.maximum(eta - std, 0.0)
        cost = w * (eta + eng.late_penalty_s * (late > 0) + eng.late_slope * late)

        ctx_unit_area = area_of_units(self.tt, fleet, np.maximum(nodes, 0))
        groups: list[Group] = []
        cand_units = np.unique(col_u)
        in_cand = np.zeros(fleet.n, dtype=bool)
        in_cand[cand_units] = True
        area_groups: dict[int, int] = {}
        fp_groups: dict[int, int] = {}
        # areas: keep one area-type unit in every area
        patrol = avail & fleet.type_mask(self.cards.coverage.area_types)
        for a in np.unique(ctx_unit_area[patrol & in_cand]):
            if a < 0:
                continue
            members = np.flatnonzero(patrol & (ctx_unit_area == a))
            area_groups[int(a)] = len(groups)
            groups.append(Group(members, eng.area_penalty_s, f"area:{self.tt.area_codes[a]}"))
        # fixed points: keep one unit within the 1-minute standard of every point
        fp_u, _ = self.cov.fp_coverers(hour, fleet, np.maximum(nodes, 0), avail)
        for k, members in enumerate(fp_u):
            if members.size and in_cand[members].any():
                fp_groups[k] = len(groups)
                groups.append(
                    Group(members, eng.fixed_point_penalty_s, f"fp:{self.cov.fixed_points[k].code}")
                )
        # district share of the district-wide types: penalty per unit on its columns
        district_loss: dict[int, float] = {}
        district_limit: dict[int, float] = {}
        pen = self.cards.coverage.district_penalty_s
        unit_pen = np.zeros(fleet.n)
        for t in pen:
            tmask = avail & fleet.type_mask([t])
            members = np.flatnonzero(tmask)
            cands = np.flatnonzero(tmask & in_cand)
            if cands.size == 0:
                continue
            ut = self.config.unit_types[t]
            lim = float(self.config.arrival_standards[ut.standard].seconds)
            loss = self.cov.unique_loss_m(
                hour, nodes, fleet.speed, lim, members, cands.tolist(), self.node_weight(t, hour)
            )
            for u, m in loss.items():
                district_loss[u] = m / max(self.tt.total_weight_m, 1e-9)
                district_limit[u] = lim
                unit_pen[u] = pen[t] * district_loss[u]
        cost = cost + unit_pen[col_u] + eng.unit_cost_s
        problem = Problem(
            col_unit=col_u,
            col_inc=np.concatenate(cols_i).astype(np.int64) if cols_i else np.empty(0, np.int64),
            col_slot=np.concatenate(cols_s).astype(np.int64) if cols_s else np.empty(0, np.int64),
            col_cost=cost,
            col_crew=fleet.crew[col_u],
            slot_count=np.asarray(slot_count, dtype=np.int64),
            slot_inc=np.asarray(slot_inc, dtype=np.int64),
            slot_penalty=np.asarray(slot_pen, dtype=np.float64),
            inc_manpower=np.array([c.req.manpower for c in incs], dtype=np.float64),
            inc_penalty=np.array(
                [eng.manpower_penalty_s * eng.priority_weights[c.priority - 1] for c in incs]
            ),
            groups=groups,
        )
        sol = solve(problem, eng.time_limit_s)
        return Context(
            hour,
            fleet,
            nodes,
            avail,
            incs,
            problem,
            sol,
            std,
            std_keys,
            ctx_unit_area,
            area_groups,
            fp_groups,
            district_loss,
            district_limit,
        )

    # ---- public API -----------------------------------------------------------------------

    def plan(
        self,
        requests: Sequence[PlanRequest],
        view: SituationView,
        hour: int | None = None,
        with_move_ups: bool = True,
    ) -> list[Plan]:
        """Plans for simultaneous incidents, solved jointly (no unit in two plans)."""
        t0 = time.perf_counter()
        if not requests:
            return []
        ids = [r.incident_id for r in requests]
        if len(set(ids)) != len(ids):
            raise PlanError("the same incident id appears twice in one planning call")
        fleet = self.fleet(view)
        nodes, avail = self.snap_units(view)
        incs = [self._candidates(r, hour, fleet, nodes, avail) for r in requests]
        ctx = self._build(hour, fleet, nodes, avail, incs)
        plans = write_plans(self, ctx, with_move_ups)
        ms = (time.perf_counter() - t0) * 1000.0
        for p in plans:
            p.plan_ms = ms
        return plans

    def node_weight(self, unit_type: str, hour: int | None) -> F64:
        """What covering each node is worth for this type: its demand, else its road length."""
        if self.demand is None:
            return self.tt.node_weight_m
        return self.demand.weight(unit_type, hour, self.tt.node_weight_m)

    def chosen_units(self, ctx: Context) -> I64:
        """Units the solution sends anywhere."""
        return np.unique(ctx.problem.col_unit[ctx.solution.chosen])

    def coverage(self, view: SituationView, hour: int | None = None) -> CoverageReport:
        """Coverage of every force type from the units available now, for the map."""
        fleet = self.fleet(view)
        nodes, avail = self.snap_units(view)
        return self.cov.report(hour, fleet, np.maximum(nodes, 0), avail)

    def move_ups(self, view: SituationView, hour: int | None = None) -> list[MoveUp]:
        """Relocations that restore area and 1-minute-point coverage right now."""
        fleet = self.fleet(view)
        nodes, avail = self.snap_units(view)
        return propose_move_ups(self, hour, fleet, nodes, avail, np.zeros(fleet.n, dtype=bool))
