"""A simulated day of incidents, to compare dispatch policies on the same calls.

Honest by construction: both policies see the same incidents, the same road
graph and time-of-day speeds and the same run cards; units are busy from
dispatch until they leave the scene, then drive back to their post and may be
re-dispatched from wherever they are on the way; a slot no unit can fill
waits for the first eligible unit to come free, and that wait counts in its
response time.  The only differences are how units are chosen and, for the
engine, whether its proposed move-ups are carried out.
"""

from __future__ import annotations

import heapq
import math
import time
from collections.abc import Sequence
from dataclasses import dataclass, field

import msgspec
import numpy as np
import numpy.typing as npt

from console.geo.tolerance import within
from console.planning.engine import PlanEngine
from console.planning.fleet import SituationView
from console.planning.plan import PlanRequest

F64 = npt.NDArray[np.float64]
I64 = npt.NDArray[np.int64]

# calls per hour of day, relative (Shanghai-like: quiet before dawn, busy evening)
HOURLY = (0.6, 0.45, 0.35, 0.3, 0.25, 0.3, 0.5, 0.8, 1.0, 1.1, 1.2, 1.25,
          1.2, 1.15, 1.15, 1.2, 1.3, 1.4, 1.45, 1.5, 1.5, 1.4, 1.2, 0.9)  # fmt: skip
TYPE_MIX = {
    "dispute": 0.25, "theft": 0.22, "traffic_accident": 0.14, "fight": 0.10,
    "thrown_object": 0.05, "mental_disturbance": 0.05, "robbery": 0.04, "fire": 0.03,
    "knife_attack": 0.03, "suspicious_object": 0.02, "crowd_crush_risk": 0.02,
    "hostage_taking": 0.005,
}  # fmt: skip
ON_SCENE_MIN = {
    "dispute": 35, "theft": 30, "traffic_accident": 40, "fight": 40, "thrown_object": 30,
    "mental_disturbance": 60, "robbery": 60, "fire": 60, "knife_attack": 90,
    "suspicious_object": 90, "crowd_crush_risk": 120, "hostage_taking": 180,
}  # fmt: skip
MIN_STAY_S = 600.0  # a unit arriving after the scene is cleared still stays this long
MAX_WAIT_S = 2 * 3600.0  # a slot still unfilled after this is given up (counted late)


@dataclass(frozen=True)
class SimIncident:
    t: float  # seconds after midnight
    incident_type: str
    lon: float
    lat: float
    duration_s: float  # on-scene work from the first arrival


def generate_day(engine: PlanEngine, n: int, seed: int) -> list[SimIncident]:
    """``n`` incidents over 24 h: hour profile, type mix, half near landmarks, half on any road."""
    if n < 1:
        raise ValueError(f"need at least one incident, got {n}")
    rng = np.random.default_rng(seed)
    g, tt = engine.graph, engine.tt
    rate = np.asarray(HOURLY) / sum(HOURLY)
    hours = rng.choice(24, size=n, p=rate)
    t = np.sort(hours * 3600.0 + rng.uniform(0, 3600.0, n))
    types = [k for k in TYPE_MIX if k in engine.config.incident_types]
    w = np.array([TYPE_MIX[k] for k in types])
    kinds = rng.choice(len(types), size=n, p=w / w.sum())
    scc = g.largest_strongly_connected_component()
    pw = tt.node_weight_m[scc] / tt.node_weight_m[scc].sum()
    marks = list(engine.district.landmarks.values())
    out: list[SimIncident] = []
    for i in range(n):
        if marks and rng.random() < 0.5:
            lon0, lat0 = marks[int(rng.integers(len(marks)))]
            x0, y0 = g.projection.to_xy(lon0, lat0)
            x, y = x0 + rng.normal(0, 300.0), y0 + rng.normal(0, 300.0)
            node = int(scc[np.argmin((g.node_x[scc] - x) ** 2 + (g.node_y[scc] - y) ** 2)])
        else:
            node = int(rng.choice(scc, p=pw))
        key = types[int(kinds[i])]
        dur = float(rng.gamma(2.0, ON_SCENE_MIN[key] * 60.0 / 2.0))
        out.append(
            SimIncident(float(t[i]), key, float(g.node_lon[node]), float(g.node_lat[node]), dur)
        )
    return out


def incidents_from_calls(
    engine: PlanEngine,
    t: Sequence[float],
    incident_type: Sequence[str],
    lon: Sequence[float],
    lat: Sequence[float],
    seed: int,
) -> list[SimIncident]:
    """Turn recorded or generated 110 calls (seconds after midnight) into simulated incidents.

    Calls of types the config does not know are skipped; on-scene times are
    drawn per type (gamma, shape 2) around :data:`ON_SCENE_MIN`.
    """
    rng = np.random.default_rng(seed)
    out: list[SimIncident] = []
    order = np.argsort(np.asarray(t, dtype=np.float64), kind="stable")
    for i in order:
        key = incident_type[i]
        if key not in engine.config.incident_types:
            continue
        mean_s = ON_SCENE_MIN.get(key, 45) * 60.0
        dur = float(rng.gamma(2.0, mean_s / 2.0))
        out.append(SimIncident(float(t[i]), key, float(lon[i]), float(lat[i]), dur))
    return out


class DayResult(msgspec.Struct, forbid_unknown_fields=True):
    """What a policy achieved over the day."""

    policy: str
    incidents: int
    arrivals: int
    late: int
    late_share: float
    mean_response_s: float
    first_late_share: float  # incidents whose first unit missed the incident standard
    mean_first_response_s: float
    min_coverage: float  # lowest patrol-group 110 coverage (road share) after a dispatch
    mean_coverage: float
    min_sp_coverage: float  # lowest special-police 3-min coverage
    queued_slots: int
    unserved_slots: int
    move_ups: int
    plan_ms_mean: float
    plan_ms_max: float
    # late arrivals broken down (measurement only): by unit type, incident type and cause,
    # cause one of "wait" (the slot queued for a unit to come free), "chosen_far" (at
    # dispatch enough free units of the type could have been on time) and "none_near"
    late_by_unit_type: dict[str, int] = msgspec.field(default_factory=dict)
    late_by_incident_type: dict[str, int] = msgspec.field(default_factory=dict)
    late_by_cause: dict[str, int] = msgspec.field(default_factory=dict)


@dataclass
class _Pending:
    inc: int
    types: tuple[str, ...]
    std_s: float


@dataclass
class _State:
    node: I64
    post: I64
    home: I64
    busy: npt.NDArray[np.bool_]
    motion: dict[int, tuple[float, I64, F64]] = field(default_factory=dict)


class DaySimulator:
    """Runs one policy over a list of incidents; see the module docstring."""

    def __init__(self, engine: PlanEngine, policy: str, move_ups: bool = False) -> None:
        if policy not in ("closest", "engine"):
            raise ValueError(f"policy must be 'closest' or 'engine', got {policy!r}")
        self.e = engine
        self.policy = policy
        self.do_move_ups = move_ups and policy == "engine"
        self.specs = list(engine.district.units)
        self.index = {s.call_sign: i for i, s in enumerate(self.specs)}
        self.fleet = engine.fleet(SituationView.at_home(self.specs))
        g = engine.graph
        home = np.asarray(
            g.snap(
                np.array([s.home_lon for s in self.specs]),
                np.array([s.home_lat for s in self.specs]),
                scc_only=True,
            ),
            dtype=np.int64,
        )
        self.s = _State(home.copy(), home.copy(), home, np.zeros(len(self.specs), dtype=bool))
        # one row per arrival: unit type, incident type, response s, standard s, incident, cause
        self.log: list[tuple[str, str, float, float, int, str]] = []

    # ---- unit motion ----------------------------------------------------------------------

    def _where(self, u: int, t: float) -> int:
        m = self.s.motion.get(u)
        if m is None:
            return int(self.s.node[u])
        t0, nodes, cum = m
        k = int(np.searchsorted(cum, t - t0, side="right")) - 1
        if k >= len(nodes) - 1:
            del self.s.motion[u]
            self.s.node[u] = nodes[-1]
            return int(nodes[-1])
        return int(nodes[max(k, 0)])

    def _drive(self, u: int, frm: int, to: int, t: float, hour: int) -> None:
        self.s.node[u] = frm
        self.s.motion.pop(u, None)
        if frm == to:
            return
        r = self.e.graph.route(frm, to, hour, self.fleet.speed[u])
        self.s.motion[u] = (t, r.nodes, r.cum_s)

    def _view(self, t: float, at_post: bool = False) -> SituationView:
        g = self.e.graph
        nodes = np.array([self._where(u, t) for u in range(len(self.specs))], dtype=np.int64)
        if at_post:  # units on their way to a post count where they are going
            for u in self.s.motion:
                nodes[u] = self.s.post[u]
        return SituationView(self.specs, g.node_lon[nodes], g.node_lat[nodes], ~self.s.busy)

    # ---- policies -------------------------------------------------------------------------

    def _closest(
        self, inc: SimIncident, node: int, hour: int, view: SituationView
    ) -> tuple[list[tuple[int, float, float]], list[_Pending]]:
        e, f = self.e, self.fleet
        req = e.cards.requirement(inc.incident_type)
        to = e.tt.to_target(node, hour)
        nodes, avail = e.snap_units(view)
        eta = np.full(f.n, np.inf)
        eta[avail] = to.seconds[nodes[avail]] / f.speed[avail]
        taken = np.zeros(f.n, dtype=bool)
        out: list[tuple[int, float, float]] = []
        pend: list[_Pending] = []

        def std_of(u: int, std_key: str | None) -> float:
            key = std_key if std_key is not None else f.type_std_key[f.type_idx[u]]
            return float(e.config.arrival_standards[key].seconds)

        def std_of_types(types: tuple[str, ...], std_key: str | None) -> float:
            key = std_key or e.config.unit_types[types[0]].standard
            return float(e.config.arrival_standards[key].seconds)

        crew = 0.0
        for slot in req.slots:
            ok = f.type_mask(slot.types) & np.isfinite(eta)
            for _ in range(slot.count):
                cand = np.flatnonzero(ok & ~taken)
                if cand.size == 0:
                    pend.append(_Pending(-1, slot.types, std_of_types(slot.types, slot.standard)))
                    continue
                u = int(cand[np.argmin(eta[cand])])
                taken[u] = True
                crew += f.crew[u]
                out.append((u, float(eta[u]), std_of(u, slot.standard)))
        ok = f.type_mask(req.topup_types) & np.isfinite(eta)
        while crew < req.manpower:
            cand = np.flatnonzero(ok & ~taken)
            if cand.size == 0:
                break
            u = int(cand[np.argmin(eta[cand])])
            taken[u] = True
            crew += f.crew[u]
            out.append((u, float(eta[u]), std_of(u, None)))
        return out, pend

    def _engine(
        self, inc: SimIncident, inc_id: int, hour: int, view: SituationView
    ) -> tuple[list[tuple[int, float, float]], list[_Pending]]:
        e = self.e
        plan = e.plan(
            [
                PlanRequest(
                    incident_id=inc_id, incident_type=inc.incident_type, lon=inc.lon, lat=inc.lat
                )
            ],
            view,
            hour,
            with_move_ups=False,
        )[0]
        out = [(self.index[s.call_sign], s.eta_s, s.standard_s) for s in plan.slots]
        req = e.cards.requirement(inc.incident_type)
        slots = {s.key: s for s in req.slots}
        pend: list[_Pending] = []
        for sf in plan.shortfalls:
            slot = slots.get(sf.slot_key)
            if slot is None:
                continue
            key = slot.standard or e.config.unit_types[slot.types[0]].standard
            std = float(e.config.arrival_standards[key].seconds)
            pend += [_Pending(-1, slot.types, std) for _ in range(sf.missing)]
        return out, pend

    # ---- the day --------------------------------------------------------------------------

    def run(self, incidents: Sequence[SimIncident]) -> DayResult:
        e, f, s = self.e, self.fleet, self.s
        events: list[tuple[float, int, str, int]] = []
        for i, inc in enumerate(incidents):
            heapq.heappush(events, (inc.t, len(events), "incident", i))
        seq = len(events)
        inc_node = [int(e.graph.snap(x.lon, x.lat, scc_only=True)) for x in incidents]
        clear = [math.inf] * len(incidents)
        busy_until = np.zeros(f.n)
        responses: list[float] = []
        late = 0
        first_resp: list[float] = []
        first_late = 0
        pending: list[_Pending] = []
        queued = unserved = moves = 0
        covs: list[float] = []
        sp_covs: list[float] = []
        plan_ms: list[float] = []
        pg = f.type_mask(["patrol_group"])
        sp = f.type_mask(["special_police"])
        pg_std = float(
            e.config.arrival_standards[e.config.unit_types["patrol_group"].standard].seconds
        )
        sp_ut = e.config.unit_types["special_police"]
        sp_std = float(e.config.arrival_standards[sp_ut.standard].seconds)

        def send(
            u: int, i: int, t: float, eta: float, std: float, hour: int, cause: str = "wait"
        ) -> None:
            nonlocal late, seq
            resp = t - incidents[i].t + eta
            responses.append(resp)
            late += not within(resp, std)
            ut = f.type_keys[f.type_idx[u]]
            self.log.append((ut, incidents[i].incident_type, resp, std, i, cause))
            s.busy[u] = True
            s.post[u] = s.home[u]
            s.node[u] = self._where(u, t)
            s.motion.pop(u, None)
            s.node[u] = inc_node[i]  # it drives there; it is unavailable meanwhile
            if not math.isfinite(clear[i]):
                clear[i] = t + eta + incidents[i].duration_s
            busy_until[u] = max(clear[i], t + eta + MIN_STAY_S)
            heapq.heappush(events, (busy_until[u], seq, "free", u))
            seq += 1

        def move_up(t: float, hour: int) -> None:
            nonlocal moves
            if not self.do_move_ups:
                return
            for m in e.move_ups(self._view(t, at_post=True), hour):
                u = self.index[m.call_sign]
                target = int(e.graph.snap(m.lon, m.lat, scc_only=True))
                s.post[u] = target
                self._drive(u, self._where(u, t), target, t, hour)
                moves += 1

        while events:
            t, _, kind, x = heapq.heappop(events)
            hour = int(t // 3600) % 24
            if kind == "incident":
                inc = incidents[x]
                view = self._view(t)
                t0 = time.perf_counter()
                if self.policy == "closest":
                    sent, pend = self._closest(inc, inc_node[x], hour, view)
                else:
                    sent, pend = self._engine(inc, x, hour, view)
                plan_ms.append((time.perf_counter() - t0) * 1000.0)
                causes = self._causes(sent, inc_node[x], hour, view)
                for (u, eta, std), cause in zip(sent, causes, strict=True):
                    send(u, x, t, eta, std, hour, cause)
                if sent:
                    first = min(eta for _, eta, _ in sent)
                    std_i = e.config.arrival_standards[
                        e.cards.requirement(inc.incident_type).standard
                    ]
                    first_resp.append(first)
                    first_late += first > std_i.seconds
                for p in pend:
                    p.inc = x
                    pending.append(p)
                    queued += 1
                view = self._view(t)
                nodes, avail = e.snap_units(view)
                covs.append(e.cov.share(hour, nodes[avail & pg], 1.0, pg_std)[1])
                sp_covs.append(e.cov.share(hour, nodes[avail & sp], sp_ut.speed_factor, sp_std)[1])
                move_up(t, hour)
            else:  # a unit leaves the scene
                u = x
                if not s.busy[u] or busy_until[u] > t:
                    continue
                s.busy[u] = False
                here = int(s.node[u])
                served = False
                while pending and not served:
                    # drop slots that waited too long
                    if t - incidents[pending[0].inc].t > MAX_WAIT_S:
                        p = pending.pop(0)
                        unserved += 1
                        responses.append(MAX_WAIT_S)
                        late += 1
                        continue
                    for k, p in enumerate(pending):
                        if f.type_keys[f.type_idx[u]] in p.types:
                            to = e.tt.to_target(inc_node[p.inc], hour)
                            eta = float(to.seconds[here] / f.speed[u])
                            pending.pop(k)
                            send(u, p.inc, t, eta, p.std_s, hour)
                            served = True
                            break
                    else:
                        break
                if not served:
                    self._drive(u, here, int(s.post[u]), t, hour)
                    move_up(t, hour)
        for _p in pending:
            unserved += 1
            responses.append(MAX_WAIT_S)
            late += 1
        by_ut: dict[str, int] = {}
        by_it: dict[str, int] = {}
        by_cause: dict[str, int] = {}
        for ut, it, resp, std, _i, cause in self.log:
            if not within(resp, std):
                by_ut[ut] = by_ut.get(ut, 0) + 1
                by_it[it] = by_it.get(it, 0) + 1
                by_cause[cause] = by_cause.get(cause, 0) + 1
        if unserved:
            by_cause["unserved"] = unserved
        r = np.asarray(responses)
        return DayResult(
            policy=self.policy + ("+moveups" if self.do_move_ups else ""),
            incidents=len(incidents),
            arrivals=len(responses),
            late=int(late),
            late_share=float(late / max(len(responses), 1)),
            mean_response_s=float(r.mean()) if r.size else 0.0,
            first_late_share=float(first_late / max(len(first_resp), 1)),
            mean_first_response_s=float(np.mean(first_resp)) if first_resp else 0.0,
            min_coverage=float(min(covs)) if covs else 0.0,
            mean_coverage=float(np.mean(covs)) if covs else 0.0,
            min_sp_coverage=float(min(sp_covs)) if sp_covs else 0.0,
            queued_slots=queued,
            unserved_slots=unserved,
            move_ups=moves,
            plan_ms_mean=float(np.mean(plan_ms)) if plan_ms else 0.0,
            plan_ms_max=float(np.max(plan_ms)) if plan_ms else 0.0,
            late_by_unit_type=by_ut,
            late_by_incident_type=by_it,
            late_by_cause=by_cause,
        )

    def _causes(
        self, sent: list[tuple[int, float, float]], node: int, hour: int, view: SituationView
    ) -> list[str]:
        """Why each dispatched unit is (or would be) late: the k-th unit of a type sent is
        compared with the k-th fastest free unit of that type at dispatch (measurement only)."""
        e, f = self.e, self.fleet
        to = e.tt.to_target(node, hour)
        nodes, avail = e.snap_units(view)
        eta_all = np.full(f.n, np.inf)
        eta_all[avail] = to.seconds[nodes[avail]] / f.speed[avail]
        res = [""] * len(sent)
        rank: dict[int, int] = {}
        for j in sorted(range(len(sent)), key=lambda j: sent[j][1]):
            u, _eta, std = sent[j]
            ti = int(f.type_idx[u])
            k = rank.get(ti, 0)
            rank[ti] = k + 1
            best = np.sort(eta_all[f.type_idx == ti])
            res[j] = "chosen_far" if k < best.size and within(float(best[k]), std) else "none_near"
        return res
