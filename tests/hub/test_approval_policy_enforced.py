"""The hub enforces the approval policy (config/approval_policy.toml) on real commands.

None: the operator's plan goes out at once, in the operator's name, and the supervisors
see it decided; one: one supervisor; two: two different supervisors, the same one twice
refused.  A policy file that is wrong stops the hub with an error naming file and key.
"""

from __future__ import annotations

import shutil
import threading
from pathlib import Path
from typing import Any

import pytest

from console.config import CONFIG_DIR, Config, ConfigError, load_config
from console.hub.client import InprocClient
from console.hub.hub import CommandHub
from console.hub.messages import ApprovePlan, Command, CreateIncident, Event, PlanChanged
from console.hub.messages_shift import GetShiftReport
from console.store import repos
from tests.conftest import FrozenClock, HubFactory

NANJING_RD = (121.4800, 31.2360)
RENMIN_RD = (121.4700, 31.2150)
PEOPLES_SQ = (121.4890, 31.2330)


def _ok(client: InprocClient, cmd: Command) -> Any:
    reply = client.call(cmd, timeout=60.0)
    assert reply.ok, f"{type(cmd).__name__}: {reply.error}"
    return reply.result


def _refused(client: InprocClient, cmd: Command) -> str:
    reply = client.call(cmd, timeout=60.0)
    assert not reply.ok, f"{type(cmd).__name__} was accepted"
    return str(reply.error)


def _create(op: InprocClient, kind: str, at: tuple[float, float]) -> tuple[int, int]:
    r = _ok(op, CreateIncident(incident_type=kind, lon=at[0], lat=at[1], address="测试路1号"))
    return int(r["incident_id"]), int(r["plan_id"])


def _orders(hub: CommandHub, iid: int) -> int:
    with hub.store.session() as s:
        return len(repos.OrderRepo(s).for_incident(iid))


def _config_with_policy(directory: Path, policy: str) -> Config:
    shutil.copytree(CONFIG_DIR, directory)
    (directory / "approval_policy.toml").write_text(policy, encoding="utf-8")
    return load_config(directory)


class Seen:
    """Plan events a supervisor's workstation receives (its notification)."""

    def __init__(self) -> None:
        self.plans: list[PlanChanged] = []
        self.lock = threading.Lock()

    def __call__(self, ev: Event) -> None:
        if isinstance(ev, PlanChanged):
            with self.lock:
                self.plans.append(ev)


@pytest.fixture
def hub(hub_factory: HubFactory, frozen_clock: FrozenClock) -> CommandHub:
    """A hub on the shipped config/ (whatever policy the suite's own config carries)."""
    return hub_factory("policy", simulate=False, clock=frozen_clock, cfg=load_config(CONFIG_DIR))


def test_a_level_1_plan_goes_out_in_the_operators_name_and_the_supervisors_are_told(
    hub: CommandHub,
) -> None:
    op = InprocClient(hub, actor="op-zhao", role="operator", workstation="A1")
    sup = InprocClient(hub, actor="sup-qian", role="supervisor", workstation="S1")
    seen = Seen()
    sup.subscribe(seen)
    iid, plan_id = _create(op, "dispute", NANJING_RD)  # level 1: policy none

    plan = hub.workflow.current.of_incident(iid)
    assert plan is not None and plan.plan_id == plan_id
    assert plan.status == "approved" and plan.approvals_needed == 0
    assert plan.approvals == ["op-zhao"]  # dispatched by the operator, not "planner"
    assert hub.incidents.status_of(iid) == "dispatched"
    assert _orders(hub, iid) == len(plan.body["slots"]) > 0
    # the supervisor's workstation was told the plan went out without approval
    with seen.lock:
        decided = [p for p in seen.plans if p.plan_id == plan_id and p.status == "approved"]
    assert decided and decided[-1].approvals_needed == 0
    # nothing left to approve, and the record says why the orders went out
    assert "not awaiting approval" in _refused(sup, ApprovePlan(plan_id=plan_id))
    with hub.store.session() as s:
        chron = [(e.actor, e.kind) for e in repos.IncidentRepo(s).chronology(iid)]
        decisions = [(d.user, d.decision) for d in repos.PlanRepo(s).decisions(plan_id)]
    assert ("op-zhao", "plan_dispatched_by_policy") in chron
    assert decisions == [("op-zhao", "approve")]


def test_a_robbery_waits_for_one_supervisor(hub: CommandHub, frozen_clock: FrozenClock) -> None:
    op = InprocClient(hub, actor="op-zhao", role="operator", workstation="A1")
    sup = InprocClient(hub, actor="sup-qian", role="supervisor", workstation="S1")
    iid, plan_id = _create(op, "robbery", RENMIN_RD)  # level 2, but a rule asks for one
    plan = hub.workflow.current.get(plan_id)
    assert plan is not None and plan.status == "proposed" and plan.approvals_needed == 1
    assert _orders(hub, iid) == 0
    assert "may not ApprovePlan" in _refused(op, ApprovePlan(plan_id=plan_id))
    frozen_clock.advance(20)
    done = _ok(sup, ApprovePlan(plan_id=plan_id))
    assert done["status"] == "approved"
    assert _orders(hub, iid) > 0 and hub.incidents.status_of(iid) == "dispatched"


def test_a_knife_attack_needs_two_different_supervisors(
    hub: CommandHub, frozen_clock: FrozenClock
) -> None:
    op = InprocClient(hub, actor="op-zhao", role="operator", workstation="A1")
    sup1 = InprocClient(hub, actor="sup-qian", role="supervisor", workstation="S1")
    sup2 = InprocClient(hub, actor="sup-sun", role="supervisor", workstation="S2")
    iid, plan_id = _create(op, "knife_attack", PEOPLES_SQ)
    plan = hub.workflow.current.get(plan_id)
    assert plan is not None and plan.approvals_needed == 2

    frozen_clock.advance(10)
    _ok(sup1, ApprovePlan(plan_id=plan_id))
    assert plan.status == "proposed" and plan.approvals == ["sup-qian"]
    assert _orders(hub, iid) == 0  # one of two: nothing goes out
    # the same supervisor again (another workstation, the same person) is refused
    again = InprocClient(hub, actor="sup-qian", role="supervisor", workstation="S3")
    why = _refused(again, ApprovePlan(plan_id=plan_id))
    assert "sup-qian has already approved" in why and "second supervisor" in why
    assert _orders(hub, iid) == 0 and plan.approvals == ["sup-qian"]

    frozen_clock.advance(10)
    _ok(sup2, ApprovePlan(plan_id=plan_id))
    assert plan.status == "approved" and plan.approvals == ["sup-qian", "sup-sun"]
    assert _orders(hub, iid) == len(plan.body["slots"]) > 0


def test_the_shift_report_tells_policy_dispatches_from_approvals(
    hub: CommandHub, frozen_clock: FrozenClock
) -> None:
    t0 = frozen_clock()
    op = InprocClient(hub, actor="op-zhao", role="operator", workstation="A1")
    sup = InprocClient(hub, actor="sup-qian", role="supervisor", workstation="S1")
    free, _ = _create(op, "dispute", NANJING_RD)
    frozen_clock.advance(30)
    robbery, plan_id = _create(op, "robbery", RENMIN_RD)
    frozen_clock.advance(30)
    _ok(sup, ApprovePlan(plan_id=plan_id))
    frozen_clock.advance(30)
    rep = _ok(sup, GetShiftReport(t0=t0, t1=frozen_clock() + 1))
    assert rep["approvals_by_user"] == {"sup-qian": 1}  # the operator approved nothing
    assert rep["dispatched_by_policy"] == 1
    rows = {i["id"]: i for i in rep["incidents"]}
    assert rows[free]["dispatched_by_policy"] == "op-zhao" and rows[free]["approved_by"] == []
    assert rows[robbery]["approved_by"] == ["sup-qian"]


def test_the_hub_reads_the_policy_from_its_config_directory(
    hub_factory: HubFactory, frozen_clock: FrozenClock, tmp_path: Path
) -> None:
    strict = "[levels]\n1 = 2\n2 = 1\n3 = 2\n4 = 2\n"
    cfg = _config_with_policy(tmp_path / "cfg", strict)
    hub = hub_factory("strict", simulate=False, clock=frozen_clock, cfg=cfg)
    op = InprocClient(hub, actor="op-zhao", role="operator", workstation="A1")
    iid, plan_id = _create(op, "dispute", NANJING_RD)
    plan = hub.workflow.current.get(plan_id)
    assert plan is not None and plan.status == "proposed" and plan.approvals_needed == 2
    assert _orders(hub, iid) == 0


def test_a_config_directory_without_a_policy_keeps_the_seed_rule(
    hub_factory: HubFactory, frozen_clock: FrozenClock, tmp_path: Path
) -> None:
    d = tmp_path / "old"
    shutil.copytree(CONFIG_DIR, d)
    (d / "approval_policy.toml").unlink()
    hub = hub_factory("old", simulate=False, clock=frozen_clock, cfg=load_config(d))
    op = InprocClient(hub, actor="op-zhao", role="operator", workstation="A1")
    _, plan_id = _create(op, "dispute", NANJING_RD)
    plan = hub.workflow.current.get(plan_id)
    assert plan is not None and plan.status == "proposed" and plan.approvals_needed == 1


@pytest.mark.parametrize(
    ("policy", "key", "reason"),
    [
        ("[levels]\n1 = 0\n2 = 0\n3 = 2\n", "levels", "force levels [4] have no approval rule"),
        ("[levels]\n1 = 0\n2 = 3\n3 = 2\n4 = 2\n", "levels.2", "approvals must be 0, 1 or 2"),
        (
            "[levels]\n1 = 0\n2 = 0\n3 = 2\n4 = 2\n"
            "[[rules]]\nincident_types = ['knife_atack']\napprovals = 2\n",
            "rules[0].incident_types",
            "unknown incident types ['knife_atack']",
        ),
        ("[levels\n1 = 0\n", "(syntax)", "not valid TOML"),
    ],
)
def test_a_bad_policy_file_stops_the_hub_naming_the_problem(
    hub_factory: HubFactory,
    frozen_clock: FrozenClock,
    tmp_path: Path,
    policy: str,
    key: str,
    reason: str,
) -> None:
    cfg = _config_with_policy(tmp_path / "bad", policy)
    with pytest.raises(ConfigError) as info:
        hub_factory("bad", simulate=False, clock=frozen_clock, cfg=cfg)
    assert info.value.file == "approval_policy.toml"
    assert info.value.key == key and reason in info.value.reason
    assert str(info.value).startswith(f"approval_policy.toml: {key}: ")
