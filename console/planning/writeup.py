"""Turn a solved assignment into plans a commander reads: routes, standards, reasons, costs.

Kept apart from the engine so the model code stays about the model; this is
where every Chinese/English sentence of a plan is written.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import numpy.typing as npt

from console.geo.tolerance import within
from console.planning.coverage import area_of_units
from console.planning.moveups import propose_move_ups
from console.planning.plan import (
    Alternative,
    CoverageCost,
    MoveUp,
    Plan,
    PlanSlot,
    Shortfall,
    StandardCheck,
    fmt_s_en,
    fmt_s_zh,
)
from console.planning.runcards import WAVE_ZH

if TYPE_CHECKING:
    from console.planning.engine import Candidates, Context, PlanEngine

I64 = npt.NDArray[np.int64]
B = npt.NDArray[np.bool_]


def _std_text(eta: float, std: float) -> tuple[str, str]:
    if within(eta, std):
        return f"达标(≤{fmt_s_zh(std)})", f"within the {fmt_s_en(std)} standard"
    return f"超标{fmt_s_zh(eta - std)}", f"{fmt_s_en(eta - std)} over the standard"


class _Why:
    """Why a faster unit was not taken: used elsewhere, or protected coverage."""

    def __init__(self, engine: PlanEngine, ctx: Context) -> None:
        self.e, self.ctx = engine, ctx
        p, sol = ctx.problem, ctx.solution
        self.used_by: dict[int, tuple[int, int]] = {}  # unit -> (incident, slot or -1)
        for c in sol.chosen:
            self.used_by[int(p.col_unit[c])] = (int(p.col_inc[c]), int(p.col_slot[c]))
        self.group_of: dict[int, list[int]] = {}
        for g, grp in enumerate(p.groups):
            for u in grp.members.tolist():
                self.group_of.setdefault(u, []).append(g)

    def protected(self, u: int) -> tuple[str, str] | None:
        """Coverage that sending ``u`` would have given away, if any."""
        ctx, e = self.ctx, self.e
        for g in self.group_of.get(u, []):
            grp = ctx.problem.groups[g]
            others = [m for m in grp.members.tolist() if m != u and m not in self.used_by]
            if others:
                continue
            kind, _, code = grp.key.partition(":")
            if kind == "area":
                name = code
                return (
                    f"{name} 责任区最后一个可用巡逻组",
                    f"the last free patrol group of area {name}",
                )
            if kind == "fp":
                fp = next(p for p in e.cov.fixed_points if p.code == code)
                return (
                    f"{fp.name} 1分钟处置点唯一覆盖",
                    f"the only cover of 1-minute point {fp.name}",
                )
        share = ctx.district_loss.get(u, 0.0)
        if share >= 0.005:
            f = ctx.fleet
            ut = e.config.unit_types[f.type_keys[f.type_idx[u]]]
            lim = ctx.district_limit[u]
            return (
                f"调离将使{ut.name_zh}{fmt_s_zh(lim)}覆盖减少{share:.1%}",
                f"sending it would cut {ut.name_en.lower()} {fmt_s_en(lim)} coverage "
                f"by {share:.1%}",
            )
        return None

    def line(
        self, inc_ix: int, u: int, cands: I64, eta: npt.NDArray[np.float64], std: float
    ) -> tuple[str, str]:
        """One-line reason for choosing ``u`` among ``cands`` (sorted by ETA)."""
        f = self.ctx.fleet
        me = float(eta[u])
        zs, es = _std_text(me, std)
        faster = [int(c) for c in cands if eta[c] < me - 1e-6 and c != u]
        if not faster:
            return (
                f"该岗位最快可达, 预计{fmt_s_zh(me)}, {zs}",
                f"fastest for this role: {fmt_s_en(me)}, {es}",
            )
        x = faster[0]
        gap = me - float(eta[x])
        xs = f.call_sign[x]
        head_zh = f"预计{fmt_s_zh(me)}, {zs}; 比 {xs} 慢{fmt_s_zh(gap)}: "
        head_en = f"{fmt_s_en(me)}, {es}; {gap:.0f} s slower than {xs}: "
        if x in self.used_by:
            ji, _slot = self.used_by[x]
            if ji == inc_ix:
                return (
                    head_zh + f"{xs} 已担任本警情其他岗位",
                    head_en + f"{xs} fills another role here",
                )
            other = self.ctx.incidents[ji].request.incident_id
            return (
                head_zh + f"{xs} 已派往警情 #{other}",
                head_en + f"{xs} is sent to incident #{other}",
            )
        prot = self.protected(x)
        if prot is not None:
            return head_zh + f"{xs} 为{prot[0]}, 保留", head_en + f"{xs} is {prot[1]}; kept"
        return head_zh + "综合到达时间与各岗位需求最优", head_en + "best overall for all roles"


def _coverage_costs(
    engine: PlanEngine, ctx: Context, sent: B
) -> tuple[list[list[CoverageCost]], dict[tuple[str, str], int]]:
    """Coverage each plan gives away; and which incident caused each area/point gap."""
    tt, cov, cfg = engine.tt, engine.cov, engine.config
    fleet, avail = ctx.fleet, ctx.avail
    nodes = np.maximum(ctx.nodes, 0)
    p, sol = ctx.problem, ctx.solution
    out: list[list[CoverageCost]] = [[] for _ in ctx.incidents]
    cause: dict[tuple[str, str], int] = {}
    unit_inc = {int(p.col_unit[c]): int(p.col_inc[c]) for c in sol.chosen}
    after = avail & ~sent
    area = area_of_units(tt, fleet, nodes)
    patrol = fleet.type_mask(engine.cards.coverage.area_types)
    n_a = len(tt.area_codes)
    before_n = np.bincount(area[avail & patrol & (area >= 0)], minlength=n_a)
    after_n = np.bincount(area[after & patrol & (area >= 0)], minlength=n_a)
    for a in np.flatnonzero((before_n > 0) & (after_n == 0)):
        takers = [u for u in np.flatnonzero(sent & patrol & (area == a)) if int(u) in unit_inc]
        i = unit_inc[int(takers[0])]
        cause[("area", tt.area_codes[a])] = i
        name = tt.area_codes[a]
        out[i].append(
            CoverageCost(
                kind="area",
                code=tt.area_codes[a],
                before=float(before_n[a]),
                after=0.0,
                text_zh=f"{name} 责任区将无巡逻组",
                text_en=f"area {name} left without a patrol group",
            )
        )
    fp_b, _ = cov.fp_coverers(ctx.hour, fleet, nodes, avail)
    fp_a, _ = cov.fp_coverers(ctx.hour, fleet, nodes, after)
    for k, (b, a_) in enumerate(zip(fp_b, fp_a, strict=True)):
        if b.size and not a_.size:
            i = unit_inc[int(next(u for u in b if int(u) in unit_inc))]
            fp = cov.fixed_points[k]
            cause[("fp", fp.code)] = i
            out[i].append(
                CoverageCost(
                    kind="fixed_point",
                    code=fp.code,
                    before=float(b.size),
                    after=0.0,
                    text_zh=f"{fp.name} 1分钟处置点将失去覆盖",
                    text_en=f"1-minute point {fp.name} left uncovered",
                )
            )
    for t in engine.cards.coverage.district_penalty_s:
        tm = fleet.type_mask([t])
        if not (sent & tm).any():
            continue
        ut = cfg.unit_types[t]
        lim = float(cfg.arrival_standards[ut.standard].seconds)
        _, s0 = cov.share(ctx.hour, nodes[avail & tm], ut.speed_factor, lim)
        _, s1 = cov.share(ctx.hour, nodes[after & tm], ut.speed_factor, lim)
        if s0 - s1 < 0.001:
            continue
        for i in sorted(
            {unit_inc[int(u)] for u in np.flatnonzero(sent & tm) if int(u) in unit_inc}
        ):
            out[i].append(
                CoverageCost(
                    kind="district",
                    code=t,
                    before=s0,
                    after=s1,
                    text_zh=f"{ut.name_zh}{fmt_s_zh(lim)}全域覆盖 {s0:.0%} → {s1:.0%}",
                    text_en=f"{ut.name_en} {fmt_s_en(lim)} district coverage {s0:.0%} -> {s1:.0%}",
                )
            )
    return out, cause


def _standards(engine: PlanEngine, c: Candidates, slots: list[PlanSlot]) -> list[StandardCheck]:
    cfg = engine.config
    out: list[StandardCheck] = []
    first = [s for s in slots if s.wave == "first"]
    st = cfg.arrival_standards[c.req.standard]
    if first:
        e = min(s.eta_s for s in first)
        ok = e <= st.seconds
        out.append(
            StandardCheck(
                standard=c.req.standard,
                name_zh=st.name_zh,
                name_en=st.name_en,
                seconds=float(st.seconds),
                met=ok,
                text_zh=f"{st.name_zh}: 首到 {fmt_s_zh(e)}, " + ("达标" if ok else "未达标"),
                text_en=f"{st.name_en}: first unit in {fmt_s_en(e)}, "
                + ("met" if ok else "missed"),
            )
        )
    for wave in ("first", "reinforcement"):
        keys = sorted({s.standard for s in slots if s.wave == wave})
        for k in keys:
            group = [s for s in slots if s.wave == wave and s.standard == k]
            late = [s for s in group if not s.met]
            sd = cfg.arrival_standards[k]
            wz, we = WAVE_ZH[wave], ("first wave" if wave == "first" else "reinforcement")
            out.append(
                StandardCheck(
                    standard=k,
                    name_zh=sd.name_zh,
                    name_en=sd.name_en,
                    seconds=float(sd.seconds),
                    met=not late,
                    text_zh=f"{wz}{sd.name_zh}: {len(group) - len(late)}/{len(group)} 达标"
                    + (f" (超标: {', '.join(s.call_sign for s in late)})" if late else ""),
                    text_en=f"{we} {sd.name_en}: {len(group) - len(late)}/{len(group)} within"
                    + (f" (late: {', '.join(s.call_sign for s in late)})" if late else ""),
                )
            )
    return out


def write_plans(engine: PlanEngine, ctx: Context, with_move_ups: bool) -> list[Plan]:
    """One :class:`Plan` per incident, in request order."""
    cfg, tt = engine.config, engine.tt
    fleet, p, sol = ctx.fleet, ctx.problem, ctx.solution
    why = _Why(engine, ctx)
    used = set(why.used_by)
    sent = np.zeros(fleet.n, dtype=bool)
    sent[list(used)] = True
    costs, cause = _coverage_costs(engine, ctx, sent)
    moves: list[MoveUp] = []
    if with_move_ups:
        moves = propose_move_ups(
            engine, ctx.hour, fleet, ctx.nodes, ctx.avail, sent, caused_only=True
        )
    for m in moves:  # a move to a vacated post belongs to the plan that sends its owner
        if m.to_kind == "post" and m.to_code in fleet.call_sign:
            owner = fleet.call_sign.index(m.to_code)
            if owner in why.used_by:
                cause[("post", m.to_code)] = why.used_by[owner][0]
    by_gap = {("area" if m.to_kind == "area" else "fixed_point", m.to_code): m for m in moves}
    for lst in costs:
        for j, cc in enumerate(lst):
            mv = by_gap.get((cc.kind, cc.code))
            if mv is not None:
                verb_zh = "前移补位" if mv.to_kind == "area" else "前往驻守"
                lst[j] = CoverageCost(
                    kind=cc.kind,
                    code=cc.code,
                    before=cc.before,
                    after=cc.after,
                    text_zh=f"{cc.text_zh}; 建议 {mv.call_sign} {verb_zh}",
                    text_en=f"{cc.text_en}; suggest moving {mv.call_sign} there",
                )
    plans: list[Plan] = []
    for i, c in enumerate(ctx.incidents):
        slots: list[PlanSlot] = []
        mine = [int(k) for k in sol.chosen if p.col_inc[k] == i]
        mine.sort(key=lambda k: (p.col_slot[k] < 0, p.col_slot[k], c.eta[p.col_unit[k]]))
        for k in mine:
            u, g = int(p.col_unit[k]), int(p.col_slot[k])
            tkey = fleet.type_keys[fleet.type_idx[u]]
            ut = cfg.unit_types[tkey]
            if g >= 0:
                slot = c.req.slots[g - c.slot_base]
                cands = c.slot_cands[g - c.slot_base]
                role_zh, role_en, wave, skey = slot.role_zh, slot.role_en, slot.wave, slot.key
            else:
                cands = c.topup_cands
                role_zh, role_en, wave, skey = (
                    c.req.topup_role_zh,
                    c.req.topup_role_en,
                    "reinforcement",
                    "topup",
                )
            path = tt.path(c.to, int(ctx.nodes[u]))
            eta = float(c.eta[u])
            std = float(ctx.col_std[k])
            alt_u = next((int(x) for x in cands if int(x) not in used), None)
            alt = None
            if alt_u is not None:
                prot = why.protected(alt_u)
                alt = Alternative(
                    call_sign=fleet.call_sign[alt_u],
                    unit_type=fleet.type_keys[fleet.type_idx[alt_u]],
                    eta_s=float(c.eta[alt_u]),
                    note_zh=prot[0] if prot else "",
                    note_en=prot[1] if prot else "",
                )
            wz, we = why.line(i, u, cands, c.eta, std)
            slots.append(
                PlanSlot(
                    slot_key=skey,
                    call_sign=fleet.call_sign[u],
                    unit_type=tkey,
                    unit_type_zh=ut.name_zh,
                    role_zh=role_zh,
                    role_en=role_en,
                    wave=wave,
                    wave_zh=WAVE_ZH[wave],
                    crew=ut.crew,
                    route_lon=path.lon,
                    route_lat=path.lat,
                    distance_m=path.length_m,
                    eta_s=eta,
                    standard=ctx.col_std_key[k],
                    standard_s=std,
                    met=within(eta, std),
                    alternative=alt,
                    why_zh=wz,
                    why_en=we,
                )
            )
        shortfalls: list[Shortfall] = []
        for j, slot in enumerate(c.req.slots):
            miss = int(sol.slot_short[c.slot_base + j])
            if miss > 0:
                names_zh = "/".join(cfg.unit_types[t].name_zh for t in slot.types)
                names_en = "/".join(slot.types)
                shortfalls.append(
                    Shortfall(
                        slot_key=slot.key,
                        missing=miss,
                        text_zh=f"{slot.role_zh}: 缺{miss}个{names_zh}, 无可用单位",
                        text_en=f"{slot.role_en}: {miss} x {names_en} missing, none available",
                    )
                )
        lack = float(sol.inc_lack[i])
        if lack > 0.5:
            shortfalls.append(
                Shortfall(
                    slot_key="manpower",
                    missing=round(lack),
                    text_zh=f"警力缺{round(lack)}人 (需{c.req.manpower}人)",
                    text_en=f"{round(lack)} officers short of the {c.req.manpower} needed",
                )
            )
        my_moves = [
            m for m in moves if cause.get(("area" if m.to_kind == "area" else "fp", m.to_code)) == i
        ]
        it = cfg.incident_types[c.req.incident_type]
        plans.append(
            Plan(
                incident_id=c.request.incident_id,
                incident_type=c.req.incident_type,
                incident_name_zh=it.name_zh,
                incident_name_en=it.name_en,
                priority=c.priority,
                force_level=c.req.force_level,
                manpower=c.req.manpower,
                manpower_assigned=sum(s.crew for s in slots),
                lon=c.request.lon,
                lat=c.request.lat,
                hour=ctx.hour,
                slots=slots,
                shortfalls=shortfalls,
                standards=_standards(engine, c, slots),
                coverage_costs=costs[i],
                move_ups=my_moves,
                notes_zh=list(c.req.notes_zh),
                notes_en=list(c.req.notes_en),
                objective=sol.objective,
                solve_ms=sol.solve_ms,
                optimal=sol.optimal,
            )
        )
    return plans
