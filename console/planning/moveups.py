"""Move-ups: which idle units to shift so coverage given away by dispatches comes back.

Three kinds of gap: an area without an area-type unit (patrol group), a
1-minute point without cover, and district coverage of a sparse type
(traffic police) lost because its units are busy.  Areas and points are
solved with the same assignment model as the plan (one "slot" per gap, the
donor's own area / point as a group that must not be emptied in turn), so a
move-up never opens a new gap to close another.  A unit moving into an
emptied area goes to the post of the area's own (busy) unit when there is
one: the posts were chosen for the area, its centroid was not.  District
move-ups shift at most one unit per type per call, and only for a real gain.

Staging (pre-positioning, standing move-ups only): for the ``stage_types``
and with a call history, idle units are moved ahead of the calls to where the
coming hour's past calls needed more units of the type than stand within its
standard -- a crowd-crush risk needs two auxiliary teams, and a second team
walking from another landmark is late whatever the dispatcher does.  Value is
depth coverage (demand for the k-th unit counts where k units reach), scaled
by how busy the hour is for the type, so nothing is staged in quiet hours;
a unit never leaves when that would uncover a post of its type or a hotspot.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import numpy.typing as npt
from scipy.sparse.csgraph import dijkstra

from console.geo.tolerance import cutoff, within
from console.planning.assign import Group, Problem, solve
from console.planning.coverage import area_of_units
from console.planning.fleet import Fleet
from console.planning.plan import MoveUp, fmt_s_en, fmt_s_zh

if TYPE_CHECKING:
    from console.planning.engine import PlanEngine

F64 = npt.NDArray[np.float64]
I64 = npt.NDArray[np.int64]
B = npt.NDArray[np.bool_]

DONORS_PER_GAP = 12
MOVE_LIMIT_S = 900.0  # a move-up longer than 15 minutes restores nothing in time
POSTS_PER_TYPE = 8  # vacated posts considered per type and call
MOVERS_PER_POST = 6  # nearest idle units considered for each vacated post


STAGE_HOTSPOTS = 12  # highest-demand nodes considered as staging places, besides the posts
LANDMARK_NAME_M = 400.0  # a staging place this close to a landmark is named after it


def _times_to(engine: PlanEngine, hour: int | None, targets: I64, fleet: Fleet) -> F64:
    """(targets, nodes) seconds to each target node (speed factor 1), bounded."""
    lim = MOVE_LIMIT_S * float(fleet.speed.max())
    d = dijkstra(engine.tt.reversed_csr(hour), indices=targets, limit=cutoff(lim))
    return np.asarray(d, dtype=np.float64).reshape(len(targets), -1)


def propose_move_ups(
    engine: PlanEngine,
    hour: int | None,
    fleet: Fleet,
    nodes: I64,
    avail: B,
    sent: B,
    caused_only: bool = False,
) -> list[MoveUp]:
    """Move-ups for emptied areas, uncovered 1-minute points and district coverage.

    ``avail`` is who is free before the plan, ``sent`` who the plan dispatches.
    With ``caused_only`` only gaps the dispatch opens are considered (a plan
    answers for its own costs; standing gaps are :meth:`PlanEngine.move_ups`'s).
    """
    out = _area_and_point_moves(engine, hour, fleet, nodes, avail, sent, caused_only)
    moved = {m.call_sign for m in out}
    out += _district_moves(engine, hour, fleet, nodes, avail, sent, moved, caused_only)
    if not caused_only:
        moved = {m.call_sign for m in out}
        out += _staging_moves(engine, hour, fleet, nodes, avail & ~sent, moved)
    return out


def _area_and_point_moves(
    engine: PlanEngine,
    hour: int | None,
    fleet: Fleet,
    nodes: I64,
    avail: B,
    sent: B,
    caused_only: bool,
) -> list[MoveUp]:
    tt, cov, cfg = engine.tt, engine.cov, engine.config
    settings = engine.cards.coverage
    after = avail & ~sent
    safe_nodes = np.maximum(nodes, 0)
    unit_area = area_of_units(tt, fleet, safe_nodes)
    area_type = fleet.type_mask(settings.area_types)
    patrol = after & area_type
    n_areas = len(tt.area_codes)
    count = np.bincount(unit_area[patrol & (unit_area >= 0)], minlength=n_areas)
    before = np.bincount(unit_area[avail & area_type & (unit_area >= 0)], minlength=n_areas)
    gaps: list[tuple[str, int, int]] = []  # (kind, index, target node)
    for a in range(n_areas):
        if count[a] > 0 or tt.area_centre[a] < 0 or (caused_only and before[a] == 0):
            continue
        own = np.flatnonzero(area_type & ~after & (fleet.home_area == a))
        gaps.append(
            ("area", a, int(fleet.home_node[own[0]]) if own.size else int(tt.area_centre[a]))
        )
    fp_u, _ = cov.fp_coverers(hour, fleet, safe_nodes, after)
    fp_b = cov.fp_coverers(hour, fleet, safe_nodes, avail)[0] if caused_only else fp_u
    gaps += [
        ("fp", k, int(cov.fp_nodes[k]))
        for k, m in enumerate(fp_u)
        if m.size == 0 and (not caused_only or fp_b[k].size > 0)
    ]
    if not gaps:
        return []
    area_donor = np.flatnonzero(patrol & ((unit_area < 0) | (count[np.maximum(unit_area, 0)] >= 2)))
    fp_donor = np.flatnonzero(after & fleet.type_mask(settings.fixed_point_types))
    times = _times_to(engine, hour, np.array([g[2] for g in gaps], dtype=np.int64), fleet)
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
            name = code = tt.area_codes[idx]
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


def _move_gain(count: npt.NDArray[np.int32], ru: I64, rp: I64, weight: F64) -> float:
    """Weight gained by moving a unit with reach ``ru`` to a post with reach ``rp``.

    ``count`` is how many holders reach each node now; the unit's own reach
    is taken off before the post's newly covered nodes are counted.
    """
    without = count.copy()
    without[ru] -= 1
    return float(weight[rp[without[rp] == 0]].sum() - weight[ru[count[ru] == 1]].sum())


def _district_moves(
    engine: PlanEngine,
    hour: int | None,
    fleet: Fleet,
    nodes: I64,
    avail: B,
    sent: B,
    moved: set[str],
    caused_only: bool,
) -> list[MoveUp]:
    """Per move-up type: the one idle unit whose move to a vacated post gains most coverage.

    Only units and posts that can interact are looked at: the idle units
    nearest each vacated post, and the holders whose reach can overlap theirs.
    """
    tt, cfg = engine.tt, engine.config
    g = tt.graph
    settings = engine.cards.coverage
    after = avail & ~sent
    total = max(tt.total_weight_m, 1e-9)
    tod = 1.0 if (hour is None or g.tod_factors is None) else float(g.tod_factors[hour])
    out: list[MoveUp] = []
    for t in settings.move_up_types:
        w = engine.node_weight(t, hour)
        tm = fleet.type_mask([t])
        vacated = np.flatnonzero(tm & (sent if caused_only else ~after))[:POSTS_PER_TYPE]
        idle_all = np.array(
            [
                int(u)
                for u in np.flatnonzero(after & tm & ~fleet.has_post)
                if fleet.call_sign[int(u)] not in moved
            ],
            dtype=np.int64,
        )
        if idle_all.size == 0 or vacated.size == 0:
            continue
        ut = cfg.unit_types[t]
        lim = float(cfg.arrival_standards[ut.standard].seconds) * ut.speed_factor
        radius = lim * tt.max_speed_ms * tod  # nobody reaches further than this
        posts = np.unique(fleet.home_node[vacated])
        ix, iy = g.node_x[nodes[idle_all]], g.node_y[nodes[idle_all]]
        near: set[int] = set()
        for p in posts:
            d2 = (ix - g.node_x[p]) ** 2 + (iy - g.node_y[p]) ** 2
            near.update(idle_all[np.argsort(d2)[:MOVERS_PER_POST]].tolist())
        idle = sorted(near)
        # holders whose reach can overlap a candidate's or a post's
        hot = np.concatenate([posts, nodes[np.asarray(idle, dtype=np.int64)]])
        holders = np.flatnonzero(after & tm)
        hx, hy = g.node_x[nodes[holders]], g.node_y[nodes[holders]]
        d2min = np.full(holders.size, np.inf)
        for q in hot:
            d2min = np.minimum(d2min, (hx - g.node_x[q]) ** 2 + (hy - g.node_y[q]) ** 2)
        holders = np.union1d(holders[d2min <= (2 * radius) ** 2], np.asarray(idle, dtype=np.int64))
        count = np.zeros(g.n_nodes, dtype=np.int32)
        reach_of: dict[int, I64] = {}
        for h in holders.tolist():
            reach_of[h] = tt.reach(int(nodes[h]), hour, lim)
            count[reach_of[h]] += 1
        post_reach = [tt.reach(int(p), hour, lim) for p in posts]
        best: tuple[float, int, int] = (0.0, -1, -1)
        for v in idle:
            for j, rp in enumerate(post_reach):
                gain = _move_gain(count, reach_of[v], rp, w)
                if gain > best[0]:
                    best = (gain, v, j)
        gain, u, j = best
        if u < 0 or gain / total < settings.move_up_min_gain:
            continue
        road_gain = _move_gain(count, reach_of[u], post_reach[j], tt.node_weight_m)  # for the text
        node = int(posts[j])
        eta = float(_times_to(engine, hour, np.array([node]), fleet)[0, nodes[u]] / fleet.speed[u])
        if not np.isfinite(eta) or eta > MOVE_LIMIT_S:
            continue
        _, s0 = engine.cov.share(hour, nodes[after & tm], ut.speed_factor, lim / ut.speed_factor)
        s1 = s0 + road_gain / total
        owner = fleet.call_sign[int(vacated[fleet.home_node[vacated] == node][0])]
        cs = fleet.call_sign[u]
        lim_s = lim / ut.speed_factor
        out.append(
            MoveUp(
                call_sign=cs,
                unit_type=t,
                to_kind="post",
                to_code=owner,
                to_name=owner,
                lon=float(g.node_lon[node]),
                lat=float(g.node_lat[node]),
                eta_s=eta,
                text_zh=(
                    f"建议 {cs} 前往 {owner} 岗位补位 (约{fmt_s_zh(eta)}), "
                    f"{ut.name_zh}{fmt_s_zh(lim_s)}覆盖 {s0:.0%} → {s1:.0%}"
                ),
                text_en=(
                    f"suggest moving {cs} to {owner}'s post ({fmt_s_en(eta)}): "
                    f"{ut.name_en.lower()} {fmt_s_en(lim_s)} coverage {s0:.0%} -> {s1:.0%}"
                ),
            )
        )
    return out


def _stage_weights(engine: PlanEngine, unit_type: str, hour: int) -> tuple[F64, float]:
    """(depth, nodes) demand over the hours ahead, each hour by its call intensity; and
    the mean intensity of those hours (1 = the type's average hour)."""
    demand = engine.demand
    assert demand is not None
    ahead = engine.cards.coverage.stage_lookahead_h
    hours = [(hour + k) % 24 for k in range(ahead + 1)]
    f = np.array([demand.hour_factor(unit_type, h) for h in hours])
    share = f / f.sum() if f.sum() > 0 else np.full(len(hours), 1.0 / len(hours))
    road = engine.tt.node_weight_m
    per_h = [
        [demand.weight(unit_type, h, road, depth=k) for h in hours]
        for k in range(1, demand.depth(unit_type) + 1)
    ]
    w = np.stack([np.tensordot(share, np.stack(ws), axes=1) for ws in per_h])
    return np.asarray(w, dtype=np.float64), float(f.mean())


def _place(engine: PlanEngine, node: int) -> tuple[str, str]:
    """(code, name) of a staging place: the nearest landmark, else its area, else the node."""
    g, tt = engine.graph, engine.tt
    best, best_d = "", LANDMARK_NAME_M
    for name, (lon, lat) in engine.district.landmarks.items():
        x, y = g.projection.to_xy(lon, lat)
        d = float(np.hypot(g.node_x[node] - x, g.node_y[node] - y))
        if d < best_d:
            best, best_d = name, d
    if best:
        return best, best
    a = int(tt.node_area[node])
    if a >= 0:
        return tt.area_codes[a], tt.area_names[a]
    return f"node-{node}", f"node {node}"


def _staging_moves(
    engine: PlanEngine, hour: int | None, fleet: Fleet, nodes: I64, free: B, moved: set[str]
) -> list[MoveUp]:
    """Per staging type: the one idle unit whose move gains most depth coverage ahead.

    ``free`` are the units available now (at their node, or at the post they
    are heading for).  Candidate places are the type's posts and its
    highest-demand nodes; a move that would leave any of them without the
    cover it has now is never proposed.
    """
    settings = engine.cards.coverage
    if engine.demand is None or hour is None or not settings.stage_types:
        return []
    tt, cfg, g = engine.tt, engine.config, engine.graph
    total = max(tt.total_weight_m, 1e-9)
    out: list[MoveUp] = []
    for t in settings.stage_types:
        w, factor = _stage_weights(engine, t, hour)
        if factor <= 0:
            continue
        tm = fleet.type_mask([t])
        holders = np.flatnonzero(free & tm)
        movers = [
            int(u)
            for u in holders
            if not fleet.has_post[u] and fleet.call_sign[int(u)] not in moved
        ]
        if not movers:
            continue
        ut = cfg.unit_types[t]
        std_s = float(cfg.arrival_standards[ut.standard].seconds)
        lim = std_s * ut.speed_factor
        depth = w.shape[0]
        reach_of = {int(u): tt.reach(int(nodes[u]), hour, lim) for u in holders}
        count = np.zeros(g.n_nodes, dtype=np.int32)
        for r in reach_of.values():
            count[r] += 1
        # hotspots: the nodes past calls weigh most above what their road length alone gives
        excess = w.sum(axis=0) - depth * tt.node_weight_m
        hot = np.argsort(-excess, kind="stable")[:STAGE_HOTSPOTS]
        hot = hot[excess[hot] > 0]
        places = np.unique(np.concatenate([fleet.home_node[tm], hot])).astype(np.int64)
        move_lim = settings.stage_move_limit_s * ut.speed_factor  # at speed factor 1
        times = np.asarray(
            dijkstra(tt.reversed_csr(hour), indices=places, limit=cutoff(move_lim)),
            dtype=np.float64,
        ).reshape(len(places), -1)
        place_reach = [tt.reach(int(p), hour, lim) for p in places]
        # what one more / one fewer unit reaching each node is worth (count already met: 0)
        padded = np.vstack([w, np.zeros((1, g.n_nodes))])
        cols = np.arange(g.n_nodes)
        more = padded[np.minimum(count, depth), cols]
        fewer = np.where(count > 0, padded[np.clip(count - 1, 0, depth), cols], 0.0)
        alone = places[count[places] == 1]  # places only one unit covers now
        best: tuple[float, int, int, float] = (0.0, -1, -1, 0.0)
        for v in movers:
            rv = reach_of[v]
            in_v = np.zeros(g.n_nodes, dtype=bool)
            in_v[rv] = True
            lose = float(fewer[rv].sum())
            needs = alone[in_v[alone]]  # places v alone covers: the target must cover them
            for j, rp in enumerate(place_reach):
                eta = float(times[j, nodes[v]] / ut.speed_factor)
                if int(places[j]) == int(nodes[v]) or not within(eta, settings.stage_move_limit_s):
                    continue
                if needs.size and not np.isin(needs, rp).all():
                    continue  # would take away a post's or a hotspot's only cover
                both = rp[in_v[rp]]
                gain = float(more[rp].sum()) - lose - float((more[both] - fewer[both]).sum())
                if gain > best[0]:
                    best = (gain, v, j, eta)
        gain, u, j, eta = best
        if u < 0 or gain / total * factor < settings.stage_min_gain:
            continue
        node = int(places[j])
        code, name = _place(engine, node)
        cs = fleet.call_sign[u]
        out.append(
            MoveUp(
                call_sign=cs,
                unit_type=t,
                to_kind="stage",
                to_code=code,
                to_name=name,
                lon=float(g.node_lon[node]),
                lat=float(g.node_lat[node]),
                eta_s=eta,
                text_zh=(
                    f"建议 {cs} 预置到 {name} (约{fmt_s_zh(eta)}): 往常此时段该处警情"
                    f"需要的{ut.name_zh}多于{fmt_s_zh(std_s)}内可到的数量"
                ),
                text_en=(
                    f"suggest staging {cs} at {name} ({fmt_s_en(eta)}): calls there at this "
                    f"time of day usually need more {ut.name_en.lower()} than can arrive "
                    f"within {fmt_s_en(std_s)}"
                ),
            )
        )
    return out
