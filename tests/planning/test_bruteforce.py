"""The whole engine against brute force on small random districts: no gap.

Everything the engine computes is recomputed here independently: travel
times by Floyd-Warshall instead of one reversed Dijkstra per incident,
coverage losses by set logic on the all-pairs matrix, and the best plan by
enumerating every way of sending every unit.  The engine's plan must reach
the brute-force optimum exactly.
"""

from __future__ import annotations

import copy
import itertools
import math

import msgspec
import numpy as np
import pytest
from scipy.sparse.csgraph import floyd_warshall

from console.config import Config
from console.domain import RoadClass, Way
from console.planning.plan import PlanRequest
from console.planning.runcards import RunCards
from tests.planning.handbuilt import area, build, district, ll, unit

TYPES = ["patrol_group", "patrol_group", "special_police", "traffic_police", "foot_patrol",
         "community_police", "armed_police"]  # fmt: skip
INCIDENTS = ["theft", "fight", "traffic_accident", "knife_attack", "robbery", "dispute", "fire"]
STEP = 150.0


def random_district(rng: np.random.Generator, cards: RunCards, config: Config):  # type: ignore[no-untyped-def]
    nx, ny = 4, 3
    for _ in range(50):
        ways = []
        for x in range(nx):
            for y in range(ny):
                for dx, dy in ((1, 0), (0, 1)):
                    if x + dx >= nx or y + dy >= ny:
                        continue
                    a, b = (x * STEP, y * STEP), ((x + dx) * STEP, (y + dy) * STEP)
                    oneway = rng.random() < 0.35
                    if oneway and rng.random() < 0.5:
                        a, b = b, a
                    ways.append(Way("", RoadClass.LOCAL, oneway, (ll(*a), ll(*b)), 36.0))
        corners = [(x * STEP, y * STEP) for x in range(nx) for y in range(ny)]
        picks = rng.choice(len(corners), 5)
        units = [
            unit(f"u{k}", TYPES[int(rng.integers(len(TYPES)))], *corners[p], None)
            for k, p in enumerate(picks)
        ]
        areas = [area("W", -50, -50, 1.5 * STEP, 2.5 * STEP), area("E", 1.5 * STEP, -50, 500, 400)]
        fp = corners[int(rng.integers(len(corners)))]
        d = district(ways, units, areas, fixed_points=[("FP", *fp)])
        engine, g, view = build(config, cards, d)
        if len(g.largest_strongly_connected_component()) == g.n_nodes:
            return engine, g, view, corners
    raise AssertionError("no strongly connected random grid found")


def brute_force_objective(engine, g, view, reqs):  # type: ignore[no-untyped-def]
    cfg, rc = engine.config, engine.cards
    eng, cov = rc.engine, rc.coverage
    fleet = engine.fleet(view)
    nodes, _ = engine.snap_units(view)
    fw = floyd_warshall(g.time_csr(None), directed=True)  # fw[a, b]: seconds a -> b
    n = len(view.specs)
    speed = fleet.speed
    tkey = [fleet.type_keys[t] for t in fleet.type_idx]
    std = {k: float(v.seconds) for k, v in cfg.arrival_standards.items()}
    w_node = engine.tt.node_weight_m
    # unit penalties: district coverage only this unit gives
    unit_pen = np.zeros(n)
    for t, pen in cov.district_penalty_s.items():
        members = [u for u in range(n) if tkey[u] == t]
        lim = std[cfg.unit_types[t].standard]
        reach = {u: set(np.flatnonzero(fw[nodes[u]] / speed[u] <= lim).tolist()) for u in members}
        for u in members:
            others = set().union(*(reach[v] for v in members if v != u))
            unit_pen[u] = pen * sum(w_node[x] for x in reach[u] - others) / engine.tt.total_weight_m
    # groups: areas (patrol groups by the area of their road node), the 1-minute point
    area_of = engine.tt.node_area[nodes]
    groups = []
    for a in range(len(engine.tt.area_codes)):
        m = {u for u in range(n) if tkey[u] in cov.area_types and area_of[u] == a}
        if m:
            groups.append((m, eng.area_penalty_s))
    fp_node = engine.cov.fp_nodes[0]
    fp_std = std[cov.fixed_point_standard]
    m = {
        u
        for u in range(n)
        if tkey[u] in cov.fixed_point_types and fw[nodes[u], fp_node] / speed[u] <= fp_std
    }
    if m:
        groups.append((m, eng.fixed_point_penalty_s))
    # columns: (unit, incident, slot or -1, cost)
    cols = []
    needs = []
    for i, r in enumerate(reqs):
        req = rc.requirement(r.incident_type)
        wi = eng.priority_weights[cfg.incident_types[r.incident_type].priority - 1]
        inc = int(g.snap(r.lon, r.lat, scc_only=True))
        needs.append((req, wi))

        def cost(u: int, s_std: float, ww: float, wi: float = wi, inc: int = inc) -> float:
            eta = fw[nodes[u], inc] / speed[u]
            late = max(eta - s_std, 0.0)
            base = eta + eng.late_penalty_s * (late > 0) + eng.late_slope * late
            return wi * ww * base + unit_pen[u] + eng.unit_cost_s

        for j, s in enumerate(req.slots):
            ww = 1.0 if s.wave == "first" else eng.reinforcement_weight
            for u in range(n):
                if tkey[u] in s.types:
                    ss = std[s.standard] if s.standard else std[cfg.unit_types[tkey[u]].standard]
                    cols.append((u, i, j, cost(u, ss, ww)))
        for u in range(n):
            if tkey[u] in req.topup_types:
                cols.append(
                    (
                        u,
                        i,
                        -1,
                        cost(u, std[cfg.unit_types[tkey[u]].standard], eng.reinforcement_weight),
                    )
                )
    options = [[None] + [c for c in cols if c[0] == u] for u in range(n)]
    best = math.inf
    for combo in itertools.product(*options):
        chosen = [c for c in combo if c is not None]
        total = sum(c[3] for c in chosen)
        for i, (req, wi) in enumerate(needs):
            crew = 0.0
            for j, s in enumerate(req.slots):
                k = sum(1 for c in chosen if c[1] == i and c[2] == j)
                if k > s.count:
                    total = math.inf
                total += (s.count - k) * eng.shortfall_penalty_s * wi
            crew = sum(fleet.crew[c[0]] for c in chosen if c[1] == i)
            total += max(req.manpower - crew, 0.0) * eng.manpower_penalty_s * wi
        used = {c[0] for c in chosen}
        total += sum(p for members, p in groups if members <= used)
        best = min(best, total)
    return best


@pytest.mark.parametrize("seed", range(12))
def test_engine_reaches_the_brute_force_optimum(config: Config, cards: RunCards, seed: int) -> None:
    rng = np.random.default_rng(100 + seed)
    rc = copy.copy(cards)
    rc.engine = msgspec.structs.replace(cards.engine, candidates_per_slot=50)  # no pruning
    rc.coverage = msgspec.structs.replace(
        cards.coverage, district_penalty_s={"special_police": 900.0, "traffic_police": 1500.0}
    )
    engine, g, view, corners = random_district(rng, rc, config)
    reqs = []
    for i in range(int(rng.integers(1, 3))):
        x, y = corners[int(rng.integers(len(corners)))]
        lon, lat = ll(x, y)
        kind = INCIDENTS[int(rng.integers(len(INCIDENTS)))]
        reqs.append(PlanRequest(incident_id=i + 1, incident_type=kind, lon=lon, lat=lat))
    plans = engine.plan(reqs, view)
    want = brute_force_objective(engine, g, view, reqs)
    assert plans[0].optimal
    assert plans[0].objective == pytest.approx(want, rel=1e-9, abs=1e-6)
    sent = [s.call_sign for p in plans for s in p.slots]
    assert len(sent) == len(set(sent))
