"""Move-ups: which idle units to shift so emptied areas and 1-minute points are covered again.

Solved with the same assignment model as the plan (one "slot" per gap, the
donor's own area / point as a group that must not be emptied in turn), so a
move-up never opens a new gap to close another.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import numpy.typing as npt
from scipy.sparse.csgraph import dijkstra

from console.planning.assign import Group, Problem, solve
from console.planning.coverage import area_of_units
from console.planning.fleet import Fleet
from console.planning.plan import MoveUp, fmt_s_en, fmt_s_zh

if TYPE_CHECKING:
    from console.planning.engine import PlanEngine

I64 = npt.NDArray[np.int64]
B = npt.NDArray[np.bool_]

DONORS_PER_GAP = 12
MOVE_LIMIT_S = 1800.0


def propose_move_ups(
    engine: PlanEngine, hour: int | None, fleet: Fleet, nodes: I64, avail: B, sent: B
) -> list[MoveUp]:
    """Move-ups restoring areas without an area-type unit and uncovered fixed points.

    ``avail`` is who is free before the plan, ``sent`` who the plan dispatches.
    """
    tt, cov, cfg = engine.tt, engine.cov, engine.config
    settings = engine.cards.coverage
    after = avail & ~sent
    safe_nodes = np.maximum(nodes, 0)
    unit_area = area_of_units(tt, fleet, safe_nodes)
    patrol = after & fleet.type_mask(settings.area_types)
    n_areas = len(tt.area_codes)
    count = np.bincount(unit_area[patrol & (unit_area >= 0)], minlength=n_areas)
    # gaps: (kind, index, target node)
    gaps: list[tuple[str, int, int]] = [
        ("area", a, int(tt.area_centre[a]))
        for a in range(n_areas)
        if count[a] == 0 and tt.area_centre[a] >= 0
    ]
    fp_u, _ = cov.fp_coverers(hour, fleet, safe_nodes, after)
    gaps += [("fp", k, int(cov.fp_nodes[k])) for k, m in enumerate(fp_u) if m.size == 0]
    if not gaps:
        return []
    area_donor = np.flatnonzero(patrol & ((unit_area < 0) | (count[np.maximum(unit_area, 0)] >= 2)))
    fp_donor = np.flatnonzero(after & fleet.type_mask(settings.fixed_point_types))
    targets = np.array([g[2] for g in gaps], dtype=np.int64)
    times = np.asarray(
        dijkstra(
            tt.reversed_csr(hour), indices=targets, limit=MOVE_LIMIT_S * float(fleet.speed.max())
        ),
        dtype=np.float64,
    ).reshape(len(gaps), -1)
    cu: list[int] = []
    ci: list[int] = []
    cc: list[float] = []
    for k, (kind, _idx, _node) in enumerate(gaps):
        donors = area_donor if kind == "area" else fp_donor
        if donors.size == 0:
            continue
        t = times[k, safe_nodes[donors]] / fleet.speed[donors]
        ok = np.isfinite(t) & (t <= MOVE_LIMIT_S)
        d, t = donors[ok], t[ok]
        order = np.argsort(t)[:DONORS_PER_GAP]
        cu += d[order].tolist()
        ci += [k] * len(order)
        cc += t[order].tolist()
    if not cu:
        return []
    big = 4.0 * engine.cards.engine.shortfall_penalty_s
    groups = [
        Group(np.flatnonzero(patrol & (unit_area == a)), big)
        for a in np.unique(unit_area[np.asarray(cu)])
        if a >= 0
    ]
    groups += [Group(m, big) for m in fp_u if m.size]
    col_u = np.asarray(cu, dtype=np.int64)
    col_i = np.asarray(ci, dtype=np.int64)
    p = Problem(
        col_unit=col_u,
        col_inc=col_i,
        col_slot=col_i,
        col_cost=np.asarray(cc, dtype=np.float64),
        col_crew=np.zeros(len(cu)),
        slot_count=np.ones(len(gaps), dtype=np.int64),
        slot_inc=np.arange(len(gaps), dtype=np.int64),
        slot_penalty=np.full(len(gaps), engine.cards.engine.shortfall_penalty_s),
        inc_manpower=np.zeros(len(gaps)),
        inc_penalty=np.zeros(len(gaps)),
        groups=groups,
    )
    sol = solve(p, engine.cards.engine.time_limit_s)
    out: list[MoveUp] = []
    g = tt.graph
    for c in sol.chosen:
        u, k = int(col_u[c]), int(col_i[c])
        kind, idx, node = gaps[k]
        cs = fleet.call_sign[u]
        ut = cfg.unit_types[fleet.type_keys[fleet.type_idx[u]]]
        eta = float(p.col_cost[c])
        if kind == "area":
            name = tt.area_codes[idx]
            code = tt.area_codes[idx]
            zh = f"{name} 责任区将无{ut.name_zh}; 建议 {cs} 前移补位 (约{fmt_s_zh(eta)})"
            en = (
                f"area {name} left without a {ut.name_en.lower()}; "
                f"suggest moving {cs} there ({fmt_s_en(eta)})"
            )
        else:
            fp = cov.fixed_points[idx]
            name, code = fp.name, fp.code
            zh = f"{name} 1分钟处置点将失去覆盖; 建议 {cs} 前往驻守 (约{fmt_s_zh(eta)})"
            en = (
                f"1-minute point {name} left uncovered; suggest moving {cs} there ({fmt_s_en(eta)})"
            )
        out.append(
            MoveUp(
                call_sign=cs,
                unit_type=fleet.type_keys[fleet.type_idx[u]],
                to_kind="area" if kind == "area" else "fixed_point",
                to_code=code,
                to_name=name,
                lon=float(g.node_lon[node]),
                lat=float(g.node_lat[node]),
                eta_s=eta,
                text_zh=zh,
                text_en=en,
            )
        )
    return out
