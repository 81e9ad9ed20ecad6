"""Escalation over the real link: an order nobody acknowledges (or a refusal) alerts every
workstation and names the unit to send instead, with its road ETA.

Real parts throughout: the demo district in a SQLite file, the command hub, the terminal
link and two workstations over tcp.  The acknowledgement deadline is configured to 1 s the
way an operator would, in ``console.toml``; the silent unit has an enrolled terminal that
never comes on the air, so the hub's virtual terminals leave it alone.
"""

from __future__ import annotations

import shutil
import time
from collections.abc import Iterator
from typing import Any

import pytest

from console.config import Config, default_config_dir, load_config
from console.domain import UnitStatus
from console.hub.errors import CommandError
from console.hub.hub import CommandHub
from console.hub.messages import (
    Alert,
    ApprovePlan,
    CancelIncident,
    CreateIncident,
    Event,
    GetChronology,
    GetPlan,
    GetSnapshot,
    Login,
    SetUnitStatus,
)
from console.hub.situation import STATUS_INDEX
from console.link.keys import KeyPair, TerminalKey, load_or_create_hub_keys
from console.link.node import HubNode
from console.link.remote import RemoteClient
from console.link.trust import enroll_keys
from console.planning.reassign import NO_UNIT_EN, NO_UNIT_ZH
from console.store.district_repo import UnitRepo
from console.store.order_repo import NewOrder, OrderRepo
from console.terminal.fleet import Fleet, Member
from console.terminal.localstore import MemoryStore
from console.terminal.session import TerminalSession
from tests.conftest import HubFactory
from tests.link.helpers import wait_until

PASSWORD = "correct horse battery staple"
ACK_S = 1
# theft scenes on roads of the demo district, away from any station
SCENES = [(121.4737, 31.2304), (121.4800, 31.2360), (121.4700, 31.2150), (121.4650, 31.2250)]


@pytest.fixture(scope="module")
def config(tmp_path_factory: pytest.TempPathFactory) -> Config:
    d = tmp_path_factory.mktemp("escalation") / "config"
    shutil.copytree(default_config_dir(), d)  # the session's config (seed-rule approvals)
    p = d / "console.toml"
    text = p.read_text(encoding="utf-8")
    assert "ack_deadline_seconds = 30" in text, "test setup: shipped deadline changed"
    p.write_text(text.replace("ack_deadline_seconds = 30", f"ack_deadline_seconds = {ACK_S}"))
    return load_config(d)


@pytest.fixture(scope="module")
def hub(module_hub_factory: HubFactory, config: Config) -> CommandHub:
    h = module_hub_factory("escalation", cfg=config)
    assert h.config.orders.ack_deadline_seconds == ACK_S
    h.auth.create_user("op", "Operator", PASSWORD, "operator")
    h.auth.create_user("sup", "Supervisor", PASSWORD, "supervisor")
    return h


@pytest.fixture(scope="module")
def keys(tmp_path_factory: pytest.TempPathFactory) -> KeyPair:
    return load_or_create_hub_keys(tmp_path_factory.mktemp("escalation-keys"))


@pytest.fixture(scope="module")
def node(hub: CommandHub, keys: KeyPair) -> Iterator[HubNode]:
    n = HubNode(hub.store, keys, "tcp://127.0.0.1:0", hub=hub).start()
    yield n
    n.stop()


class Desk:
    """One workstation over tcp and the events it has received."""

    def __init__(self, node: HubNode, keys: KeyPair, name: str, user: str) -> None:
        ep = node.endpoints
        self.client = RemoteClient.with_explicit(
            ep.commands, ep.events, keys.public, workstation=name
        )
        r = self.client.call(Login(username=user, password=PASSWORD))
        assert r.ok, r.error
        self.events: list[Event] = []
        self.client.subscribe(self.events.append)

    def call(self, cmd: Any) -> Any:
        r = self.client.call(cmd)
        assert r.ok, r.error
        return r.result

    def alerts(self, kind: str, incident_id: int, call_sign: str) -> list[Alert]:
        return [
            e
            for e in list(self.events)
            if isinstance(e, Alert)
            and e.kind == kind
            and e.incident_id == incident_id
            and e.text_en.startswith(call_sign + " ")
        ]


@pytest.fixture(scope="module")
def desks(node: HubNode, keys: KeyPair) -> Iterator[tuple[Desk, Desk]]:
    a, b = Desk(node, keys, "ws-a", "op"), Desk(node, keys, "ws-b", "sup")
    assert wait_until(lambda: a.client.last_seq >= 0 and b.client.last_seq >= 0)
    yield a, b
    a.client.close()
    b.client.close()


def _silent(hub: CommandHub, node: HubNode, call_sign: str) -> None:
    """Give the unit a terminal that never comes on the air (switched off)."""
    enroll_keys(hub.store, [(call_sign, KeyPair.generate().public)])
    assert wait_until(lambda: any(k.call_sign == call_sign for k in node.trust.trusted.values()))


def _escalated(desks: tuple[Desk, Desk], kind: str, incident_id: int, call_sign: str) -> Alert:
    """The alert as both workstations got it: the same event on each."""
    a, b = desks
    assert wait_until(
        lambda: bool(
            a.alerts(kind, incident_id, call_sign) and b.alerts(kind, incident_id, call_sign)
        )
    ), f"no {kind} alert for {call_sign} on both workstations"
    (on_a,) = a.alerts(kind, incident_id, call_sign)
    (on_b,) = b.alerts(kind, incident_id, call_sign)
    assert on_a == on_b and on_a.seq == on_b.seq
    return on_a


def _proposal_on_record(desk: Desk, incident_id: int, kind: str) -> dict[str, Any]:
    """The structured proposal a workstation can read from the incident's chronology."""
    chron = desk.call(GetChronology(incident_id=incident_id))
    (entry,) = [c for c in chron if c["kind"] == f"alert_{kind}"]
    proposal = entry["detail"]["proposal"]
    assert isinstance(proposal, dict)
    return proposal


def _check_proposed(
    desk: Desk, hub: CommandHub, alert: Alert, proposal: dict[str, Any], silent: str
) -> None:
    """The proposed unit is named in both languages, free, not the silent one, and the
    ETA is a real road time."""
    cs = proposal["call_sign"]
    assert cs != silent and proposal["replaces"] == silent
    assert f"建议改派 {cs}" in alert.text and f"suggest {cs} instead" in alert.text_en
    assert proposal["eta_s"] > 0 and proposal["eta_s"] < 3600
    snap = desk.call(GetSnapshot())
    assert next(u for u in snap.units if u.call_sign == cs).status == "available"
    assert cs not in next(i for i in snap.incidents if i.id == alert.incident_id).units
    held = hub.workflow.alerts.proposal(alert.alert_id)
    assert held is not None and held.call_sign == cs


def _theft(desk: Desk, scene: tuple[float, float]) -> tuple[int, int, dict[str, Any]]:
    r = desk.call(CreateIncident(incident_type="theft", lon=scene[0], lat=scene[1]))
    plan = desk.call(GetPlan(incident_id=r["incident_id"]))
    (slot,) = [s for s in plan["body"]["slots"] if s["slot_key"] == "first.0"]
    return r["incident_id"], r["plan_id"], slot


def test_unacknowledged_plan_order_proposes_the_plans_alternative(
    hub: CommandHub, node: HubNode, desks: tuple[Desk, Desk]
) -> None:
    op, sup = desks
    iid, pid, slot = _theft(op, SCENES[0])
    silent, alt = slot["call_sign"], slot["alternative"]
    assert alt is not None, "test setup: the demo plan has an alternative"
    _silent(hub, node, silent)
    sup.call(ApprovePlan(plan_id=pid))
    alert = _escalated(desks, "not_acknowledged", iid, silent)
    assert alert.level == "critical"
    assert f"未在 {ACK_S} 秒内确认指令" in alert.text
    proposal = _proposal_on_record(op, iid, "not_acknowledged")
    assert proposal["call_sign"] == alt["call_sign"] and proposal["source"] == "plan_alternative"
    _check_proposed(sup, hub, alert, proposal, silent)


def test_busy_alternative_gives_the_planners_nearest_unit(
    hub: CommandHub, node: HubNode, desks: tuple[Desk, Desk]
) -> None:
    op, sup = desks
    iid, pid, slot = _theft(op, SCENES[1])
    silent, alt = slot["call_sign"], slot["alternative"]
    assert alt is not None
    op.call(SetUnitStatus(call_sign=alt["call_sign"], status="off_duty"))  # the alternative left
    _silent(hub, node, silent)
    sup.call(ApprovePlan(plan_id=pid))
    alert = _escalated(desks, "not_acknowledged", iid, silent)
    proposal = _proposal_on_record(sup, iid, "not_acknowledged")
    assert proposal["call_sign"] != alt["call_sign"] and proposal["source"] == "same_role"
    assert proposal["unit_type"] in ("patrol_group", "foot_patrol")  # the theft card's slot
    _check_proposed(op, hub, alert, proposal, silent)


def test_order_without_a_plan_gets_a_unit_of_the_silent_units_type(
    hub: CommandHub, node: HubNode, desks: tuple[Desk, Desk]
) -> None:
    op, _ = desks
    r = op.call(CreateIncident(incident_type="theft", lon=SCENES[2][0], lat=SCENES[2][1]))
    iid = r["incident_id"]
    planned = {s["call_sign"] for s in op.call(GetPlan(incident_id=iid))["body"]["slots"]}
    units = op.call(GetSnapshot()).units
    silent = next(
        u.call_sign
        for u in units
        if u.unit_type == "patrol_group" and u.status == "available" and u.call_sign not in planned
    )
    _silent(hub, node, silent)
    with hub.store.transaction() as s:  # an order written straight to the outbox, no plan
        ids = UnitRepo(s).ids_by_call_sign()
        OrderRepo(s).add_many(
            [NewOrder(iid, ids[silent], "respond", {"call_sign": silent})],
            ack_deadline_seconds=ACK_S,
            time_to_live_seconds=600,
            now=time.time(),
        )
    node.link.kick()
    alert = _escalated(desks, "not_acknowledged", iid, silent)
    proposal = _proposal_on_record(op, iid, "not_acknowledged")
    assert proposal["source"] == "same_role" and proposal["unit_type"] == "patrol_group"
    _check_proposed(op, hub, alert, proposal, silent)


def test_refused_order_proposes_someone_else_than_the_refusing_unit(
    hub: CommandHub, node: HubNode, keys: KeyPair, desks: tuple[Desk, Desk]
) -> None:
    op, sup = desks
    iid, pid, slot = _theft(op, SCENES[3])
    refuser = slot["call_sign"]
    tk = TerminalKey(refuser, KeyPair.generate(), keys.public)
    enroll_keys(hub.store, [(tk.unit, tk.keys.public)])
    m = Member(tk, TerminalSession(MemoryStore()))
    fleet = Fleet(node.link.endpoint, [m]).start()
    try:
        assert wait_until(lambda: bool(m.session.epoch))
        sup.call(ApprovePlan(plan_id=pid))
        assert wait_until(lambda: len(m.session.executed) == 1)
        order_id = m.session.executed[0]
        fleet.call(lambda: m.session.reject(order_id, "车辆故障"))
        alert = _escalated(desks, "order_rejected", iid, refuser)
    finally:
        fleet.stop()
    assert "车辆故障" in alert.text
    proposal = _proposal_on_record(op, iid, "order_rejected")
    # the refusal freed the unit, yet it is not proposed back to the same incident
    _check_proposed(op, hub, alert, proposal, refuser)


def test_proposal_for_an_unknown_incident_or_with_nobody_free(
    hub: CommandHub, desks: tuple[Desk, Desk]
) -> None:
    op, _ = desks
    iid, _, slot = _theft(op, SCENES[0])
    # a second hub on the same store and district, never started: its arrays are the
    # test's alone, so nothing races with the running hub's thread
    quiet = CommandHub(
        hub.config,
        hub.store,
        hub.district,
        hub.graph,
        (hub.hist_t, hub.hist_lon, hub.hist_lat, hub.hist_type),
        simulate=False,
    )
    wf = quiet.workflow.reassignment
    with pytest.raises(CommandError, match="incident 987654 is not open"):
        wf.next_unit(987654, "anyone")
    assert wf.escalation(987654, "anyone")[:2] == ("请人工改派", "reassign by hand")
    p = wf.next_unit(iid, slot["call_sign"])
    assert p is not None and p.call_sign != slot["call_sign"] and p.eta_s > 0
    # every unit busy: the escalation says so instead of naming someone
    quiet.situation.status[:] = STATUS_INDEX[UnitStatus.DISPATCHED]
    assert wf.next_unit(iid, slot["call_sign"]) is None
    assert wf.escalation(iid, slot["call_sign"]) == (NO_UNIT_ZH, NO_UNIT_EN, None)


def test_a_cancelled_incident_withdraws_the_order_from_the_terminal_at_once(
    hub: CommandHub, node: HubNode, keys: KeyPair, desks: tuple[Desk, Desk]
) -> None:
    op, sup = desks
    iid, pid, slot = _theft(op, (121.4760, 31.2330))
    tk = TerminalKey(slot["call_sign"], KeyPair.generate(), keys.public)
    enroll_keys(hub.store, [(tk.unit, tk.keys.public)])
    withdrawn: list[str] = []
    session = TerminalSession(
        MemoryStore(),
        on_event=lambda kind, v: withdrawn.append(v[1]) if kind == "order_cancel" else None,
    )
    m = Member(tk, session)
    fleet = Fleet(node.link.endpoint, [m]).start()
    try:
        assert wait_until(lambda: bool(session.epoch))
        sup.call(ApprovePlan(plan_id=pid))
        assert wait_until(lambda: len(session.executed) == 1)
        order_id = session.executed[0]
        connects = m.connects
        sup.call(CancelIncident(incident_id=iid, reason="重复报警"))
        # pushed over the live connection, not left for the terminal's next hello
        assert wait_until(lambda: bool(withdrawn))
        held = session.store.get(order_id)
        assert held is not None and held.state == "cancelled"
        assert m.connects == connects
        assert "cancelled" in withdrawn[0]
        # the terminal's cancel_seen ends the pushing
        assert wait_until(lambda: not session.store.unacked())
        assert wait_until(lambda: ("cancel", order_id) not in node.link._pushes)
    finally:
        fleet.stop()
