"""The assignment MILP against brute force: on small random instances there is no gap."""

from __future__ import annotations

import numpy as np
import pytest

from console.planning.assign import Group, Problem, brute_force, objective_of, solve


def random_problem(rng: np.random.Generator) -> Problem:
    nu, ni = int(rng.integers(2, 7)), int(rng.integers(1, 3))
    ns = int(rng.integers(1, 4))
    slot_inc = rng.integers(0, ni, ns)
    crew = rng.integers(1, 6, nu)
    cu: list[int] = []
    ci: list[int] = []
    cs: list[int] = []
    cost: list[float] = []
    for u in range(nu):
        for s in range(ns):
            if rng.random() < 0.6:
                cu.append(u)
                ci.append(int(slot_inc[s]))
                cs.append(s)
                cost.append(float(rng.uniform(5, 900)))
        for i in range(ni):
            if rng.random() < 0.3:  # manpower top-up column
                cu.append(u)
                ci.append(i)
                cs.append(-1)
                cost.append(float(rng.uniform(5, 900)))
    groups = [
        Group(
            np.sort(rng.choice(nu, int(rng.integers(1, min(nu, 3) + 1)), replace=False)),
            float(rng.uniform(0, 400)),
        )
        for _ in range(int(rng.integers(0, 4)))
    ]
    return Problem(
        col_unit=np.array(cu, dtype=np.int64),
        col_inc=np.array(ci, dtype=np.int64),
        col_slot=np.array(cs, dtype=np.int64),
        col_cost=np.array(cost),
        col_crew=crew[np.array(cu, dtype=np.int64)].astype(float),
        slot_count=rng.integers(1, 3, ns).astype(np.int64),
        slot_inc=slot_inc.astype(np.int64),
        slot_penalty=rng.uniform(500, 3000, ns),
        inc_manpower=rng.integers(1, 12, ni).astype(float),
        inc_penalty=rng.uniform(50, 400, ni),
        groups=groups,
    )


@pytest.mark.parametrize("seed", range(6))
def test_milp_matches_brute_force(seed: int) -> None:
    rng = np.random.default_rng(seed)
    for _ in range(40):
        p = random_problem(rng)
        sol = solve(p)
        best, _ = brute_force(p)
        assert sol.optimal
        assert sol.objective == pytest.approx(best, abs=1e-6)
        # the reported value is the value of the reported assignment
        assert objective_of(p, sol.chosen) == pytest.approx(best, abs=1e-6)
        units = p.col_unit[sol.chosen]
        assert len(set(units.tolist())) == len(units)


def test_shortfall_and_emptied_group_are_reported() -> None:
    # one slot needing two units, only one candidate; that unit is its group's only member
    p = Problem(
        col_unit=np.array([0]),
        col_inc=np.array([0]),
        col_slot=np.array([0]),
        col_cost=np.array([30.0]),
        col_crew=np.array([2.0]),
        slot_count=np.array([2]),
        slot_inc=np.array([0]),
        slot_penalty=np.array([1000.0]),
        inc_manpower=np.array([4.0]),
        inc_penalty=np.array([10.0]),
        groups=[Group(np.array([0]), 150.0, "area:A"), Group(np.array([0, 5]), 99.0)],
    )
    sol = solve(p)
    assert sol.chosen.tolist() == [0]
    assert sol.slot_short.tolist() == [1]
    assert sol.inc_lack.tolist() == pytest.approx([2.0])
    assert sol.groups_emptied == [0]  # group 1 has a member without columns: cannot be emptied
    assert sol.objective == pytest.approx(30 + 1000 + 20 + 150)


def test_bad_problems_are_refused() -> None:
    ok = dict(
        col_unit=np.array([0]),
        col_inc=np.array([0]),
        col_slot=np.array([0]),
        col_cost=np.array([1.0]),
        col_crew=np.array([1.0]),
        slot_count=np.array([1]),
        slot_inc=np.array([0]),
        slot_penalty=np.array([1.0]),
        inc_manpower=np.array([1.0]),
        inc_penalty=np.array([1.0]),
    )
    Problem(**ok)  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="finite"):
        Problem(**{**ok, "col_cost": np.array([np.inf])})  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="unknown slot"):
        Problem(**{**ok, "col_slot": np.array([3])})  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="col_inc"):
        Problem(**{**ok, "col_inc": np.array([0, 0])})  # type: ignore[arg-type]
