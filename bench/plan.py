"""Plan engine benchmark: prints one JSON line.

1. Speed: plan generation for one incident (knife attack: armed team + patrol
   groups + reinforcement, all coverage costs on) with 5,000 units on a
   synthetic 16 km x 16 km street grid of more than 50,000 directed edges
   (arterials every 1 km, alternate one-way local streets), beside one
   single-source Dijkstra on the same graph in the same run.  Unit positions
   are re-jittered before every plan, so reach-set caches start cold for the
   units that moved (as on a live hub where every patrol car moves).
2. Quality: simulated days on the demo district (Huangpu), incidents from the
   demo's own 110 call model, closest-available-unit dispatch versus the
   engine (with its move-ups carried out).  Units are busy from dispatch until
   they leave the scene, then drive back to their post (and may be
   re-dispatched on the way); a slot nobody can fill waits for the first
   eligible unit to come free and the wait counts.  Two loads: an ordinary day
   (one day of calls, >= 300) and a busy day (two days of calls in one).
   The main keys are the busy days; ``nominal_*`` keys are the ordinary days.
   The engine weighs coverage by demand learnt from a *separate* history:
   the 60 days before the simulated ones, drawn with another seed (what a
   dispatch centre knows from last months' calls, never the calls it plans).

Late arrivals are also broken down by unit type, incident type and cause
(``*late_by_*`` keys; causes: ``wait`` = queued for a unit to come free,
``chosen_far`` = enough free units of the type could have been on time,
``none_near`` = none could, ``unserved`` = never filled).

Run: ``.venv/bin/python bench/plan.py`` (about 5-10 minutes on 2 cores);
``--quick`` for a smaller smoke run; ``--quality-only`` skips the speed part
and ``--nominal-only`` the busy days (while iterating).
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from pathlib import Path
from typing import Any

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from console.config import Config, load_config
from console.demo.district import build_demo_district
from console.demo.history import DEFAULT_END_TIME, generate_call_history
from console.domain import Area, District, FixedPoint, RoadClass, UnitSpec, Way
from console.geo.coords import LocalProjection
from console.geo.roadgraph import RoadGraph
from console.planning.demand import Demand
from console.planning.engine import PlanEngine
from console.planning.fleet import SituationView
from console.planning.plan import PlanRequest
from console.planning.runcards import RunCards, load_run_cards
from console.planning.simday import DayResult, DaySimulator, incidents_from_calls

ORIGIN = (121.47, 31.23)
HISTORY_DAYS = 60
HISTORY_SEED_OFFSET = 1_000_003  # the demand history never shares a seed with the workload
MIX = {  # 5,000 units
    "patrol_group": 3000, "special_police": 300, "traffic_police": 500,
    "community_police": 700, "foot_patrol": 300, "auxiliary": 150, "armed_police": 50,
}  # fmt: skip


def synthetic_city(n: int, spacing: float, seed: int) -> District:
    """An n x n street grid with 10 x 10 areas, 40 fixed points and 5,000 units."""
    rng = np.random.default_rng(seed)
    proj = LocalProjection(*ORIGIN)
    xs = (np.arange(n) - n / 2) * spacing
    ways: list[Way] = []
    for k, c in enumerate(xs):
        arterial = k % 10 == 0
        oneway = (not arterial) and k % 2 == 1
        cls = RoadClass.ARTERIAL if arterial else RoadClass.LOCAL
        for horizontal in (True, False):
            line = xs if (k // 2) % 2 == 0 else xs[::-1]  # alternate one-way directions
            px, py = (line, np.full(n, c)) if horizontal else (np.full(n, c), line)
            lon, lat = proj.to_lonlat(px, py)
            coords = tuple(zip(lon.tolist(), lat.tolist(), strict=True))
            ways.append(Way(f"{'EW' if horizontal else 'NS'}{k}", cls, oneway, coords))
    lo, hi = xs[0], xs[-1]
    step = (hi - lo) / 10
    areas = []
    for i in range(10):
        for j in range(10):
            x0, y0 = lo + i * step, lo + j * step
            ring = [(x0, y0), (x0 + step, y0), (x0 + step, y0 + step), (x0, y0 + step)]
            poly = tuple(
                (float(a), float(b))
                for a, b in zip(*proj.to_lonlat(*np.array(ring).T), strict=True)
            )
            areas.append(Area(f"A{i}{j}", f"A{i}{j}", f"S{i}", poly))

    def at(k: int) -> tuple[float, float]:
        x, y = rng.uniform(lo, hi, 2)
        x, y = round(x / spacing) * spacing, round(y / spacing) * spacing
        lon, lat = proj.to_lonlat(x, y)
        return float(lon), float(lat)

    fps = [FixedPoint(f"FP{k:02d}", f"FP{k:02d}", *at(k)) for k in range(40)]
    units: list[UnitSpec] = []
    for t, count in MIX.items():
        for k in range(count):
            if t == "patrol_group":  # 30 per area, inside their area
                a = areas[k % 100]
                i, j = int(a.code[1]), int(a.code[2])
                x = lo + (i + rng.uniform(0, 1)) * step
                y = lo + (j + rng.uniform(0, 1)) * step
                lon, lat = (float(v) for v in proj.to_lonlat(x, y))
                units.append(UnitSpec(f"PG{k}", t, f"S{i}", a.code, lon, lat))
            elif t == "special_police" and k < len(fps):
                fp = fps[k]
                units.append(UnitSpec(f"SP{k}", t, None, None, fp.lon, fp.lat, (), fp.code))
            else:
                units.append(UnitSpec(f"{t[:2].upper()}{k}", t, None, None, *at(k)))
    outline = tuple(
        (float(a), float(b))
        for a, b in zip(
            *proj.to_lonlat(np.array([lo, hi, hi, lo]), np.array([lo, lo, hi, hi])), strict=True
        )
    )
    return District("SYN", "synthetic", True, outline, ways, [], areas, fps, units)


def bench_plan(config: Config, cards: RunCards, trials: int, seed: int) -> dict[str, Any]:
    """Median plan time for one incident with 5,000 units, and one Dijkstra on the same graph."""
    d = synthetic_city(160, 100.0, seed)
    g = RoadGraph.from_ways(
        d.ways, config.road_speeds, tod_factors=config.time_of_day, origin=ORIGIN
    )
    engine = PlanEngine(config, cards, g, d)
    rng = np.random.default_rng(seed)
    home = SituationView.at_home(d.units)
    proj = g.projection
    hx, hy = proj.to_xy(home.lon, home.lat)
    hour = 17
    plan_ms: list[float] = []
    dij_ms: list[float] = []
    slots = 0
    for k in range(trials + 3):
        jx = hx + rng.normal(0, 150.0, len(hx))
        jy = hy + rng.normal(0, 150.0, len(hy))
        fixed = np.array([u.fixed_point_code is not None for u in d.units])
        jx[fixed], jy[fixed] = hx[fixed], hy[fixed]
        lon, lat = proj.to_lonlat(jx, jy)
        view = SituationView(d.units, lon, lat, rng.random(len(d.units)) > 0.2)  # 20 % busy
        node = int(rng.integers(g.n_nodes))
        req = PlanRequest(
            incident_id=k, incident_type="knife_attack",
            lon=float(g.node_lon[node]), lat=float(g.node_lat[node]),
        )  # fmt: skip
        t0 = time.perf_counter()
        (plan,) = engine.plan([req], view, hour)
        t1 = time.perf_counter()
        g.travel_times_from(int(rng.integers(g.n_nodes)), hour)
        t2 = time.perf_counter()
        if k >= 3:  # the first plans build the per-hour matrices once
            plan_ms.append((t1 - t0) * 1000.0)
            dij_ms.append((t2 - t1) * 1000.0)
            slots += len(plan.slots)
    return {
        "plan_ms": round(statistics.median(plan_ms), 2),
        "plan_ms_p90": round(float(np.percentile(plan_ms, 90)), 2),
        "dijkstra_ms": round(statistics.median(dij_ms), 2),
        "graph_nodes": g.n_nodes,
        "graph_edges": g.n_edges,
        "units": len(d.units),
        "plan_trials": trials,
        "mean_units_per_plan": round(slots / trials, 2),
    }


def _days(district: District, seed: int, days: int, overlay: int) -> list[tuple[list[float], ...]]:
    """Calls per simulated day (seconds after local midnight); ``overlay`` days stacked in one."""
    h = generate_call_history(district, days=days * overlay, seed=seed)
    local = h.t + 8 * 3600.0
    day = np.floor(local / 86400.0).astype(np.int64)
    day -= day.min()
    out = []
    for k in range(days):
        m = (day // overlay) == k
        out.append(
            (
                (local[m] % 86400.0).tolist(),
                [h.types[int(i)] for i in h.type_idx[m]],
                h.lon[m].tolist(),
                h.lat[m].tolist(),
            )
        )
    return out


def history_demand(engine: PlanEngine, district: District, before_days: int, seed: int) -> Demand:
    """Demand from the ``HISTORY_DAYS`` days before the simulated ones, with another seed."""
    h = generate_call_history(
        district,
        days=HISTORY_DAYS,
        end_time=DEFAULT_END_TIME - before_days * 86400.0,
        seed=seed + HISTORY_SEED_OFFSET,
    )
    hour = ((h.t + 8 * 3600.0) % 86400.0) / 3600.0
    types = [h.types[int(i)] for i in h.type_idx]
    return Demand.from_calls(engine.tt, engine.cards, hour, types, h.lon, h.lat)


def _sum(dicts: list[dict[str, int]]) -> dict[str, int]:
    out: dict[str, int] = {}
    for d in dicts:
        for k, v in d.items():
            out[k] = out.get(k, 0) + v
    return dict(sorted(out.items(), key=lambda kv: (-kv[1], kv[0])))


def _pool(results: list[DayResult]) -> dict[str, Any]:
    late = sum(r.late for r in results)
    arr = sum(r.arrivals for r in results)
    return {
        "late": late,
        "late_by_unit_type": _sum([r.late_by_unit_type for r in results]),
        "late_by_incident_type": _sum([r.late_by_incident_type for r in results]),
        "late_by_cause": _sum([r.late_by_cause for r in results]),
        "late_share": late / max(arr, 1),
        "mean_response_s": sum(r.mean_response_s * r.arrivals for r in results) / max(arr, 1),
        "min_coverage": min(r.min_coverage for r in results),
        "min_sp_coverage": min(r.min_sp_coverage for r in results),
        "arrivals": arr,
        "incidents": sum(r.incidents for r in results),
    }


def bench_day(
    config: Config, cards: RunCards, days: int, overlay: int, seed: int
) -> tuple[dict[str, Any], dict[str, Any], list[dict[str, float]]]:
    d = build_demo_district()
    g = RoadGraph.from_ways(d.ways, config.road_speeds, tod_factors=config.time_of_day)
    engine = PlanEngine(config, cards, g, d)
    engine.demand = history_demand(engine, d, days * overlay, seed)
    closest: list[DayResult] = []
    eng: list[DayResult] = []
    per_day = []
    for k, (t, types, lon, lat) in enumerate(_days(d, seed, days, overlay)):
        inc = incidents_from_calls(engine, t, types, lon, lat, seed=seed + k)
        c = DaySimulator(engine, "closest").run(inc)
        e = DaySimulator(engine, "engine", move_ups=True).run(inc)
        closest.append(c)
        eng.append(e)
        per_day.append(
            {
                "incidents": len(inc),
                "late_closest": round(c.late_share, 4),
                "late_engine": round(e.late_share, 4),
                "mean_closest_s": round(c.mean_response_s, 1),
                "mean_engine_s": round(e.mean_response_s, 1),
                "move_ups": e.move_ups,
                "engine_plan_ms_mean": round(e.plan_ms_mean, 1),
            }
        )
    return _pool(closest), _pool(eng), per_day


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true", help="fewer trials and days (smoke run)")
    ap.add_argument("--seed", type=int, default=20261123)
    ap.add_argument("--days", type=int, default=3, help="simulated days per load")
    ap.add_argument("--quality-only", action="store_true", help="skip the plan-speed part")
    ap.add_argument("--nominal-only", action="store_true", help="skip the busy days")
    args = ap.parse_args()
    config = load_config()
    cards = load_run_cards(config)
    out: dict[str, Any] = {"seed": args.seed}
    if not args.quality_only:
        out.update(bench_plan(config, cards, 5 if args.quick else 30, args.seed))
    days = 1 if args.quick else args.days
    loads = (("nominal_", 1),) if args.nominal_only else (("", 2), ("nominal_", 1))
    for prefix, overlay in loads:
        c, e, per_day = bench_day(config, cards, days, overlay, args.seed)
        out[f"{prefix}late_share_closest"] = round(c["late_share"], 4)
        out[f"{prefix}late_share_engine"] = round(e["late_share"], 4)
        out[f"{prefix}mean_response_closest_s"] = round(c["mean_response_s"], 1)
        out[f"{prefix}mean_response_engine_s"] = round(e["mean_response_s"], 1)
        out[f"{prefix}min_coverage_closest"] = round(c["min_coverage"], 4)
        out[f"{prefix}min_coverage_engine"] = round(e["min_coverage"], 4)
        out[f"{prefix}min_sp_coverage_closest"] = round(c["min_sp_coverage"], 4)
        out[f"{prefix}min_sp_coverage_engine"] = round(e["min_sp_coverage"], 4)
        out[f"{prefix}late_reduction"] = round(1 - e["late_share"] / max(c["late_share"], 1e-9), 4)
        out[f"{prefix}mean_response_change"] = round(
            e["mean_response_s"] / max(c["mean_response_s"], 1e-9) - 1, 4
        )
        for key in ("late", "late_by_unit_type", "late_by_incident_type", "late_by_cause"):
            out[f"{prefix}{key}_closest"] = c[key]
            out[f"{prefix}{key}_engine"] = e[key]
        out[f"{prefix}days"] = per_day
    out["coverage_metric"] = (
        "patrol-group share of road length within 5 min, lowest after a dispatch"
    )
    print(json.dumps(out, ensure_ascii=False))


if __name__ == "__main__":
    main()
