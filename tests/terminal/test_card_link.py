"""The order card over real sockets: what reaches an officer's terminal, and its updates."""

from __future__ import annotations

from typing import Any

from console.geo.coords import haversine_m
from console.hub.messages import (
    GetChronology,
    GetSnapshot,
    MergeIntoIncident,
    PlanChanged,
    ReassignOrder,
)
from console.link import protocol as p
from tests.terminal.conftest import CALLER, REPORT, Loop, Terminal, wait_until


def _routed_slot(plan: PlanChanged) -> dict:
    """The plan's slot with the longest road route (a unit that has to drive there)."""
    return max(plan.body["slots"], key=lambda s: len(s["route_lon"]))


def _card(t: Terminal) -> p.OrderCard:
    assert wait_until(lambda: bool(t.of("order"))), "no order reached the terminal"
    card = t.of("order")[0].order.card
    assert card is not None, "a version 2 order always carries its card"
    return card


def test_the_full_card_arrives_in_chinese_with_the_callers_report(loop: Loop) -> None:
    iid, plan = loop.knife_attack()
    slot = _routed_slot(plan)
    t = loop.terminal(slot["call_sign"])
    loop.approve(plan)
    card = _card(t)
    order = t.of("order")[0].order
    cfg = loop.config
    assert card.type_zh == cfg.incident_types["knife_attack"].name_zh
    assert card.role_zh == slot["role_zh"] and card.role_en == slot["role_en"]
    assert card.force_level == 3 and card.force_zh == cfg.force_levels[3].name_zh
    assert card.priority == plan.body["priority"]
    # the caller's report and number, not the plan's notes
    assert card.report == REPORT and card.callback == CALLER and order.briefing == REPORT
    assert card.place == "南京东路步行街" and card.street
    assert card.incident_no.endswith(f"-{iid:05d}")
    # GCJ-02 for Chinese navigation apps: some hundreds of metres from the WGS84 point
    assert 200.0 < float(haversine_m(card.lon, card.lat, card.lon_gcj, card.lat_gcj)) < 800.0
    # who else is sent, with their ETAs, and who approved
    slots = {s["call_sign"]: s for s in plan.body["slots"]}
    assert {m.call_sign for m in card.team} == set(slots) and card.team_total == len(slots)
    for m in card.team:
        assert m.eta_s is not None and abs(m.eta_s - slots[m.call_sign]["eta_s"]) < 1e-6
    assert card.approved_by == ["sup1", "sup2"]
    # the route the plan computed, read as streets and turns
    assert len(card.route_lon) == len(slot["route_lon"]) >= 2
    assert abs(card.route_lon[0] - slot["route_lon"][0]) < 1e-6
    assert card.eta_s is not None and abs(card.eta_s - slot["eta_s"]) < 1e-6
    assert card.steps[0].turn == "depart" and card.steps[-1].turn == "arrive"
    assert sum(s.distance_m for s in card.steps) > 0.5 * (card.distance_m or 0.0)
    assert card.streets is not None and len(card.streets.seg) >= 8 and card.streets.labels


def test_a_merged_second_call_reaches_the_terminal_as_an_update(loop: Loop) -> None:
    iid, plan = loop.knife_attack()
    slot = _routed_slot(plan)
    t = loop.terminal(slot["call_sign"])
    loop.approve(plan)
    first = _card(t)
    assert first.more_calls == []
    loop.ok(
        MergeIntoIncident(
            incident_id=iid, caller="13900139000", description="嫌疑人往河南中路方向逃跑"
        )
    )
    assert wait_until(lambda: bool(t.of("order_update"))), "the merged call never reached it"
    upd = t.of("order_update")[-1].order
    card = upd.card
    assert card is not None and upd.rev > t.of("order")[0].order.rev
    assert [(c.number, c.text) for c in card.more_calls] == [
        ("13900139000", "嫌疑人往河南中路方向逃跑")
    ]
    assert "第2个报警电话 13900139000" in card.changes_zh
    assert card.report == REPORT  # the first caller's report stays
    # the terminal keeps the new revision, and confirms it (the hub stops resending)
    held = t.client.orders()[0].order
    assert held.rev == upd.rev and held.card == card
    assert wait_until(lambda: ("update", upd.order_id) not in loop.node.link._pushes)


def test_a_unit_sent_instead_shows_on_the_other_officers_cards(loop: Loop) -> None:
    """One officer refuses; the supervisor sends the proposed unit instead: the officer who
    stays on the incident sees the change on the card (the refused unit gone, the new one
    added with its ETA), and the new unit's card has a road route from where it is."""
    iid, plan = loop.knife_attack()
    slots = plan.body["slots"]
    stay, refuse = slots[0]["call_sign"], slots[1]["call_sign"]
    t_stay, t_refuse = loop.terminal(stay), loop.terminal(refuse)
    loop.approve(plan)
    for t in (t_stay, t_refuse):
        _card(t)
    oid = t_refuse.of("order")[0].order.order_id
    t_refuse.client.reject(oid, "车辆故障").result(5)

    def proposal() -> Any:
        snap = loop.ok(GetSnapshot())
        return next((a for a in snap.alerts if a.kind == "order_rejected" and a.proposal), None)

    assert wait_until(lambda: proposal() is not None), "no escalation proposed a unit"
    alert = proposal()
    new_cs = alert.proposal.call_sign
    t_new = loop.terminal(new_cs)
    loop.ok(ReassignOrder(alert_id=alert.alert_id), loop.sup[0])

    def latest() -> p.OrderCard | None:
        ups = t_stay.of("order_update")
        return ups[-1].order.card if ups else None

    assert wait_until(
        lambda: (
            (c := latest()) is not None
            and new_cs in {m.call_sign for m in c.team}
            and refuse not in {m.call_sign for m in c.team}
        )
    ), "the staying officer never saw the change"
    card = latest()
    assert card is not None
    words = " ".join(" ".join(u.order.card.changes_zh) for u in t_stay.of("order_update"))
    assert f"增派 {new_cs}" in words and f"撤回 {refuse}" in words
    # the replacement's own card: approved by the supervisor who reassigned it, with a road
    # route from where the unit is (not the refused unit's way there)
    rows = loop.ok(GetChronology(incident_id=iid))
    assert any(r["kind"] == "reassigned" and r["detail"].get("to") == new_cs for r in rows)
    _card(t_new)

    def newest() -> p.OrderCard:
        held = t_new.client.orders()[-1].order.card
        assert held is not None
        return held

    assert wait_until(lambda: newest().approved_by == ["sup1"])
    mine = newest()
    home = next(u for u in loop.hub.district.units if u.call_sign == new_cs)
    refused_route = t_refuse.of("order")[0].order.card.route_lon
    assert len(mine.route_lon) >= 2 and mine.route_lon[:1] != refused_route[:1]
    assert (
        float(haversine_m(mine.route_lon[0], mine.route_lat[0], home.home_lon, home.home_lat)) < 300
    )
    assert mine.steps and mine.steps[-1].turn == "arrive"
