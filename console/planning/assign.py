"""The unit-to-slot assignment as one mixed-integer programme (HiGHS via ``scipy.optimize.milp``).

Why a MILP and not a loop that takes the closest unit slot by slot: the slots
of one incident and of several simultaneous incidents compete for the same
units, and "do not strip an area of its last patrol group" couples units that
are never candidates for the same slot.  A greedy pass gets both wrong in
ways a commander sees at once (the only nearby armed team sent to the lesser
incident; two areas emptied to save ten seconds).  The model is small (tens
to a few hundred binary columns after pruning), so HiGHS proves optimality
in milliseconds.

Model (all costs in weighted seconds)::

    min  sum_c cost_c x_c + sum_s P_s short_s + sum_i P_i lack_i + sum_g P_g z_g
    s.t. sum_{c in slot s} x_c + short_s = count_s          every slot filled or short
         sum_{c of unit u} x_c <= 1                          a unit goes to one place
         sum_{c of incident i} crew_c x_c + lack_i >= M_i    manpower
         sum_{c with unit in g} x_c - z_g <= |g| - 1         z_g = 1 when group g is emptied
         x binary, short integer >= 0, lack >= 0, 0 <= z <= 1

A column is (unit, incident, slot) with slot -1 meaning a manpower top-up.
"""

from __future__ import annotations

import itertools
import math
import time
from dataclasses import dataclass, field

import numpy as np
import numpy.typing as npt
from scipy.optimize import Bounds, LinearConstraint, milp
from scipy.sparse import coo_matrix, vstack

F64 = npt.NDArray[np.float64]
I64 = npt.NDArray[np.int64]


@dataclass(frozen=True)
class Group:
    """Units of which at least one should stay free (an area's patrol groups, a point's cover)."""

    members: I64
    penalty: float
    key: str = ""


@dataclass
class Problem:
    """Columns, slots, incidents and groups as flat arrays; see the module docstring."""

    col_unit: I64
    col_inc: I64
    col_slot: I64  # global slot index, -1 = manpower top-up
    col_cost: F64
    col_crew: F64
    slot_count: I64
    slot_inc: I64
    slot_penalty: F64  # per missing unit
    inc_manpower: F64
    inc_penalty: F64  # per missing officer
    groups: list[Group] = field(default_factory=list)

    def __post_init__(self) -> None:
        n = len(self.col_unit)
        for name in ("col_inc", "col_slot", "col_cost", "col_crew"):
            if len(getattr(self, name)) != n:
                raise ValueError(f"{name} has {len(getattr(self, name))} entries, expected {n}")
        if not np.all(np.isfinite(self.col_cost)):
            raise ValueError("column costs must be finite")
        if len(self.slot_inc) != len(self.slot_count) or len(self.slot_penalty) != len(
            self.slot_count
        ):
            raise ValueError("slot arrays differ in length")
        if np.any(self.col_slot >= len(self.slot_count)):
            raise ValueError("column refers to an unknown slot")
        if np.any(self.col_inc >= len(self.inc_manpower)) or np.any(
            self.slot_inc >= len(self.inc_manpower)
        ):
            raise ValueError("column or slot refers to an unknown incident")
        if np.any(self.slot_count < 0):
            raise ValueError("slot counts must be >= 0")


@dataclass(frozen=True)
class Solution:
    """Chosen columns and what is missing; ``objective`` is the model's value."""

    chosen: I64
    slot_short: I64
    inc_lack: F64
    groups_emptied: list[int]
    objective: float
    status: str
    solve_ms: float
    optimal: bool


def _live_groups(p: Problem) -> list[int]:
    """Groups that the columns can actually empty (every member has a column)."""
    have = set(np.unique(p.col_unit).tolist())
    return [
        g
        for g, grp in enumerate(p.groups)
        if len(grp.members) and set(grp.members.tolist()) <= have
    ]


def solve(p: Problem, time_limit_s: float = 2.0, mip_rel_gap: float = 1e-9) -> Solution:
    """Solve the assignment exactly (within the gap) with HiGHS."""
    t0 = time.perf_counter()
    nc, ns, ni = len(p.col_unit), len(p.slot_count), len(p.inc_manpower)
    live = _live_groups(p)
    ng = len(live)
    nv = nc + ns + ni + ng
    c = np.concatenate(
        [p.col_cost, p.slot_penalty, p.inc_penalty, [p.groups[g].penalty for g in live]]
    ).astype(np.float64)
    cols = np.arange(nc)
    blocks: list[coo_matrix] = []
    lbs: list[F64] = []
    ubs: list[F64] = []
    # slots: sum x + short = count
    if ns:
        sl = p.col_slot >= 0
        rows = np.concatenate([p.col_slot[sl], np.arange(ns)])
        cc = np.concatenate([cols[sl], nc + np.arange(ns)])
        blocks.append(coo_matrix((np.ones(len(rows)), (rows, cc)), shape=(ns, nv)))
        lbs.append(p.slot_count.astype(np.float64))
        ubs.append(p.slot_count.astype(np.float64))
    # units: at most once
    units, urow = np.unique(p.col_unit, return_inverse=True)
    if nc:
        blocks.append(coo_matrix((np.ones(nc), (urow, cols)), shape=(len(units), nv)))
        lbs.append(np.full(len(units), -np.inf))
        ubs.append(np.ones(len(units)))
    # manpower: sum crew x + lack >= M
    if ni:
        rows = np.concatenate([p.col_inc, np.arange(ni)])
        cc = np.concatenate([cols, nc + ns + np.arange(ni)])
        vals = np.concatenate([p.col_crew, np.ones(ni)])
        blocks.append(coo_matrix((vals, (rows, cc)), shape=(ni, nv)))
        lbs.append(p.inc_manpower.astype(np.float64))
        ubs.append(np.full(ni, np.inf))
    # groups: sum x over members - z <= |g| - 1
    if ng:
        r_list: list[I64] = []
        c_list: list[I64] = []
        v_list: list[F64] = []
        ub = np.empty(ng)
        for k, g in enumerate(live):
            members = p.groups[g].members
            mc = np.flatnonzero(np.isin(p.col_unit, members))
            r_list += [np.full(len(mc) + 1, k)]
            c_list += [np.concatenate([mc, [nc + ns + ni + k]])]
            v_list += [np.concatenate([np.ones(len(mc)), [-1.0]])]
            ub[k] = len(members) - 1
        blocks.append(
            coo_matrix(
                (np.concatenate(v_list), (np.concatenate(r_list), np.concatenate(c_list))),
                shape=(ng, nv),
            )
        )
        lbs.append(np.full(ng, -np.inf))
        ubs.append(ub)
    integrality = np.concatenate([np.ones(nc + ns), np.zeros(ni + ng)])
    lb = np.zeros(nv)
    ub_v = np.concatenate(
        [np.ones(nc), p.slot_count.astype(np.float64), np.full(ni, np.inf), np.ones(ng)]
    )
    if not blocks:
        return Solution(
            np.empty(0, dtype=np.int64),
            p.slot_count.copy(),
            p.inc_manpower.copy(),
            [],
            0.0,
            "empty",
            0.0,
            True,
        )
    a = vstack(blocks).tocsr()
    res = milp(
        c,
        integrality=integrality,
        bounds=Bounds(lb, ub_v),
        constraints=LinearConstraint(a, np.concatenate(lbs), np.concatenate(ubs)),
        options={"time_limit": float(time_limit_s), "mip_rel_gap": mip_rel_gap, "disp": False},
    )
    ms = (time.perf_counter() - t0) * 1000.0
    if res.x is None:
        # no incumbent (time limit hit before any): report everything as short, never crash
        return Solution(
            np.empty(0, dtype=np.int64),
            p.slot_count.copy(),
            p.inc_manpower.astype(np.float64),
            [],
            math.inf,
            f"no solution: {res.message}",
            ms,
            False,
        )
    x = res.x
    chosen = np.flatnonzero(x[:nc] > 0.5).astype(np.int64)
    return Solution(
        chosen=chosen,
        slot_short=np.rint(x[nc : nc + ns]).astype(np.int64),
        inc_lack=np.maximum(x[nc + ns : nc + ns + ni], 0.0),
        groups_emptied=[live[k] for k in range(ng) if x[nc + ns + ni + k] > 0.5],
        objective=float(res.fun),
        status=str(res.message),
        solve_ms=ms,
        optimal=res.status == 0,
    )


def objective_of(p: Problem, chosen: I64 | list[int]) -> float:
    """The model's value of a set of columns (inf if it breaks a hard constraint)."""
    ch = np.asarray(chosen, dtype=np.int64)
    if len(np.unique(p.col_unit[ch])) != len(ch):
        return math.inf
    filled = np.bincount(p.col_slot[ch][p.col_slot[ch] >= 0], minlength=len(p.slot_count))
    if np.any(filled > p.slot_count):
        return math.inf
    total = float(p.col_cost[ch].sum())
    total += float(((p.slot_count - filled) * p.slot_penalty).sum())
    crew = np.bincount(p.col_inc[ch], weights=p.col_crew[ch], minlength=len(p.inc_manpower))
    total += float((np.maximum(p.inc_manpower - crew, 0.0) * p.inc_penalty).sum())
    used = set(p.col_unit[ch].tolist())
    for g in p.groups:
        if len(g.members) and set(g.members.tolist()) <= used:
            total += g.penalty
    return total


def brute_force(p: Problem) -> tuple[float, list[int]]:
    """Best objective by enumerating every unit's choice; for tests on tiny problems only."""
    units = np.unique(p.col_unit)
    options = [[-1, *np.flatnonzero(p.col_unit == u).tolist()] for u in units]
    if math.prod(len(o) for o in options) > 2_000_000:
        raise ValueError("problem too large to enumerate")
    best, best_cols = math.inf, []
    for combo in itertools.product(*options):
        cols = [c for c in combo if c >= 0]
        v = objective_of(p, cols)
        if v < best - 1e-9:
            best, best_cols = v, cols
    return best, best_cols
