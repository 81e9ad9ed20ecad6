"""Intake, plan review, sign-in and chronology against a real embedded hub (SQLite, simulation)."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import pytest
from PySide6.QtCore import QSettings, Qt
from PySide6.QtTest import QTest

from console.config import Config
from console.hub.client import InprocClient
from console.hub.hub import CommandHub
from console.hub.messages import (
    CreateIncident,
    CreateUser,
    Event,
    GetChronology,
    GetDistrict,
    GetPlan,
    GetSnapshot,
    IncidentState,
    OrderChanged,
    PlanChanged,
    StaticDistrict,
)
from console.workstation.situation import held_units
from tests.conftest import HubFactory
from widgets.bridge import HubBridge
from widgets.main_window import MainWindow
from widgets.workflow.chronology import ChronologyDialog
from widgets.workflow.intake import IntakeDialog, find_duplicates, is_valid_phone
from widgets.workflow.login import LoginDialog
from widgets.workflow.plan_review import PlanReviewDialog

pytestmark = pytest.mark.qt_log_ignore("This plugin does not support")
WAIT_MS = 15_000
# inside the demo district, away from each other (metres apart, not a duplicate)
SPOTS = [(121.4800, 31.2362), (121.4740, 31.2300), (121.4860, 31.2250), (121.4780, 31.2200)]


@pytest.fixture(scope="module")
def hub(module_hub_factory: HubFactory) -> CommandHub:
    return module_hub_factory(simulate=True)


@pytest.fixture(scope="module")
def district(hub: CommandHub) -> StaticDistrict:
    return InprocClient(hub).call(GetDistrict()).result


def _bridge(hub: CommandHub, actor: str, role: str) -> HubBridge:
    b = HubBridge(InprocClient(hub, actor=actor, role=role, workstation="pytest"))
    b.start()
    return b


@pytest.fixture
def bridge(hub: CommandHub) -> Iterator[HubBridge]:
    b = _bridge(hub, "op-wang", "operator")
    yield b
    b.close()


def _new_incident(hub: CommandHub, kind: str, spot: tuple[float, float]) -> PlanChanged:
    c = InprocClient(hub, actor="op-test", role="operator")
    r = c.call(CreateIncident(incident_type=kind, lon=spot[0], lat=spot[1], address="测试"))
    assert r.ok, r.error
    plan = c.call(GetPlan(incident_id=r.result["incident_id"]))
    assert plan.ok, plan.error
    return plan.result


# ------------------------------------------------------------------ intake


def test_phone_numbers_are_checked_by_shape() -> None:
    for good in ("13812345678", "+86 138 1234 5678", "021-63211234", "63211234", "(021)6321 1234"):
        assert is_valid_phone(good), good
    for bad in ("1381234567", "12345678901", "110", "021-1234", "abc", "0086 1381234567"):
        assert not is_valid_phone(bad), bad


def test_intake_validation_names_every_problem(
    qtbot: Any, bridge: HubBridge, config: Config, district: StaticDistrict, languages: Any
) -> None:
    dlg = IntakeDialog(bridge, config, district=district)
    qtbot.addWidget(dlg)
    assert dlg.submit() is False
    text = dlg.message_label.text()
    assert "请选择警情类型" in text and "请设置位置" in text
    dlg.set_type("theft")
    assert dlg.priority_box.currentData() == config.incident_types["theft"].priority
    assert dlg.force_box.currentData() == config.incident_types["theft"].force_level
    assert dlg.manpower_spin.value() == config.incident_types["theft"].manpower
    dlg.set_location(121.30, 31.10)  # far outside Huangpu
    dlg.caller_edit.setText("1381234567")
    dlg.description_edit.setPlainText("x" * 2001)
    errors = dlg.validate()
    assert len(errors) == 3
    assert any("不在" in e and district.name in e for e in errors)
    assert any("1381234567" in e and "格式不正确" in e for e in errors)
    assert any("2001" in e for e in errors)
    assert dlg.submit() is False and not dlg.pending
    assert dlg.message_label.isVisibleTo(dlg)


def test_place_search_sets_the_location(
    qtbot: Any, bridge: HubBridge, config: Config, district: StaticDistrict
) -> None:
    dlg = IntakeDialog(bridge, config, district=district)
    qtbot.addWidget(dlg)
    name, (lon, lat) = next(iter(district.landmarks.items()))
    assert dlg.choose_place(name)
    assert (dlg.lon, dlg.lat) == (lon, lat) and dlg.address_edit.text() == name
    station = district.stations[0]
    labels = [dlg._place_model.index(i).data() for i in range(dlg._place_model.rowCount())]
    assert any(str(station["name"]) in lb for lb in labels)
    assert not dlg.choose_place("没有这个地方")
    assert "没有这个地方" in dlg.message_label.text()
    # Enter in a field never sends the call (no default button); the form stays open
    dlg.show()
    QTest.keyClick(dlg.caller_edit, Qt.Key.Key_Return)
    assert dlg.isVisible() and not dlg.pending and not dlg.submit_button.isDefault()
    # a right-click without a name offers the nearest place as the address
    dlg.address_edit.clear()
    dlg.set_location(lon + 0.0003, lat)
    assert name in dlg.address_edit.text() and dlg.near is not None


def test_likely_duplicate_is_offered_to_open_instead(
    qtbot: Any, hub: CommandHub, bridge: HubBridge, config: Config, district: StaticDistrict
) -> None:
    snap = InprocClient(hub).call(GetSnapshot()).result
    known: list[IncidentState] = list(snap.incidents)
    lon, lat = SPOTS[3]
    r = InprocClient(hub).call(CreateIncident(incident_type="dispute", lon=lon, lat=lat))
    assert r.ok
    known = InprocClient(hub).call(GetSnapshot()).result.incidents
    assert find_duplicates(known, "dispute", lon + 0.001, lat, hub.clock())  # ~95 m away
    assert not find_duplicates(known, "fight", lon + 0.001, lat, hub.clock())  # other type

    dlg = IntakeDialog(bridge, config, district=district, incidents=lambda: known, clock=hub.clock)
    qtbot.addWidget(dlg)
    opened: list[int] = []
    dlg.openIncidentRequested.connect(opened.append)
    dlg.set_type("dispute")
    dlg.set_location(lon + 0.001, lat)
    assert dlg.submit() is False  # held back: shows the warning, sends nothing
    assert dlg.duplicate_frame.isVisibleTo(dlg)
    assert f"#{r.result['incident_id']}" in dlg.duplicate_label.text()
    assert f"#{r.result['incident_id']}" in dlg.merge_button.text()
    dlg.open_existing_button.click()
    assert opened == [r.result["incident_id"]]


def test_likely_duplicate_can_be_merged_into_the_open_incident(
    qtbot: Any, hub: CommandHub, bridge: HubBridge, config: Config, district: StaticDistrict
) -> None:
    lon, lat = 121.4880, 31.2210
    r = InprocClient(hub).call(CreateIncident(incident_type="traffic_accident", lon=lon, lat=lat))
    assert r.ok, r.error
    iid = r.result["incident_id"]
    known = InprocClient(hub).call(GetSnapshot()).result.incidents
    dlg = IntakeDialog(bridge, config, district=district, incidents=lambda: known, clock=hub.clock)
    qtbot.addWidget(dlg)
    dlg.set_type("traffic_accident")
    dlg.set_location(lon + 0.0008, lat)
    dlg.caller_edit.setText("139 8765 4321")
    dlg.description_edit.setPlainText("路口两车相撞，第二个报警人")
    assert dlg.submit() is False and dlg.duplicate_frame.isVisibleTo(dlg)
    open_before = set(hub.incidents.open)
    with qtbot.waitSignal(dlg.incidentMerged, timeout=WAIT_MS) as sig:
        dlg.merge_button.click()
    assert sig.args == [iid, 2] and dlg.merged_into == iid
    assert set(hub.incidents.open) == open_before  # no new incident
    steps = InprocClient(hub).call(GetChronology(incident_id=iid)).result
    merged = [s for s in steps if s["kind"] == "call_merged"]
    assert merged and merged[0]["detail"]["caller"] == "13987654321"
    assert merged[0]["actor"] == "op-wang"
    # the chronology says so in words
    chron = ChronologyDialog(bridge, iid, config=config)
    qtbot.addWidget(chron)
    chron.load()
    qtbot.waitUntil(lambda: chron.loads == 1, timeout=WAIT_MS)
    assert any("13987654321" in t and "第二个报警人" in t for t in chron.step_texts())


def test_intersections_are_searchable_in_both_name_orders(
    qtbot: Any, bridge: HubBridge, config: Config, district: StaticDistrict, languages: Any
) -> None:
    dlg = IntakeDialog(bridge, config, district=district)
    qtbot.addWidget(dlg)
    ix = {(a, b): (lon, lat) for a, b, lon, lat in district.intersections}
    lon, lat = ix[("南京东路", "河南中路")]
    labels = [dlg._place_model.index(i).data() for i in range(dlg._place_model.rowCount())]
    assert "南京东路 / 河南中路 (路口)" in labels and "河南中路 / 南京东路 (路口)" in labels
    for typed in ("河南中路 / 南京东路 (路口)", "南京东路与河南中路交叉口", "河南中路 南京东路"):
        dlg.set_location(121.48, 31.23)
        assert dlg.choose_place(typed), typed
        assert (dlg.lon, dlg.lat) == (lon, lat), typed
    assert "南京东路" in dlg.address_edit.text() and "河南中路" in dlg.address_edit.text()
    assert dlg.choose_place("西藏中路与延安东路交叉口")
    assert (dlg.lon, dlg.lat) == ix[("延安东路", "西藏中路")]
    from widgets.workflow.places import search_places

    hits = search_places(dlg.places, "延安东路与西藏中路", limit=50)
    assert hits and all(p.kind == "intersection" for p in hits)
    assert not dlg.choose_place("南京东路与不存在路交叉口")


def test_intake_creates_the_incident_and_hub_refusals_are_shown(
    qtbot: Any, bridge: HubBridge, config: Config, district: StaticDistrict, languages: Any
) -> None:
    dlg = IntakeDialog(bridge, config, district=None)  # no district: the hub must refuse
    qtbot.addWidget(dlg)
    dlg.set_type("theft")
    dlg.set_location(121.30, 31.10)
    assert dlg.submit()
    qtbot.waitUntil(lambda: not dlg.pending, timeout=WAIT_MS)
    assert "指挥中心拒绝" in dlg.message_label.text() and "outside" in dlg.message_label.text()

    ok = IntakeDialog(bridge, config, district=district)
    qtbot.addWidget(ok)
    ok.set_type("theft")
    ok.set_location(*SPOTS[2])
    ok.caller_edit.setText("138 1234 5678")
    ok.description_edit.setPlainText("电动车被盗")
    cmd = ok.command()
    assert cmd.caller == "13812345678" and cmd.manpower == config.incident_types["theft"].manpower
    with qtbot.waitSignal(ok.incidentCreated, timeout=WAIT_MS) as sig:
        assert ok.submit()
    assert sig.args[0] == ok.created_id and ok.created_id is not None


# ------------------------------------------------------------- plan review


def test_plan_review_shows_slots_standards_and_the_operator_cannot_decide(
    qtbot: Any,
    hub: CommandHub,
    bridge: HubBridge,
    config: Config,
    district: StaticDistrict,
    languages: Any,
    tmp_path: Path,
) -> None:
    ev = _new_incident(hub, "fight", SPOTS[1])
    dlg = PlanReviewDialog(bridge, config, ev, district=district, briefing_dir=tmp_path)
    qtbot.addWidget(dlg)
    slots = ev.body["slots"]
    assert slots and dlg.slot_table.rowCount() == len(slots)
    assert dlg.slot_table.item(0, dlg.CALL_SIGN).text() == slots[0]["call_sign"]
    assert dlg.slot_table.item(0, dlg.MET).text() in ("✓", "✗")
    assert dlg.standards_list.count() == len(ev.body["standards"])
    assert dlg.plan_map.markers and dlg.web_view is None  # offscreen: the static map
    assert dlg.briefing_path is not None and dlg.briefing_path.exists()
    assert "需值班领导审批" in dlg.approval_label.text()
    assert not dlg.approve_button.isEnabled() and not dlg.amend_button.isEnabled()
    # the hub refuses whatever the GUI shows
    dlg.approve_plan()
    qtbot.waitUntil(lambda: bool(dlg.replies), timeout=WAIT_MS)
    assert not dlg.replies[-1].ok
    assert "operator" in dlg.message_label.text() and "ApprovePlan" in dlg.message_label.text()


def test_force_level_3_needs_two_different_supervisors_then_orders_flow(
    qtbot: Any,
    hub: CommandHub,
    config: Config,
    district: StaticDistrict,
    languages: Any,
    tmp_path: Path,
) -> None:
    ev = _new_incident(hub, "knife_attack", SPOTS[0])
    assert ev.approvals_needed == 2
    first, second = _bridge(hub, "sup-li", "supervisor"), _bridge(hub, "sup-zhao", "supervisor")
    orders: list[OrderChanged] = []

    def collect(e: Event) -> None:
        if isinstance(e, OrderChanged) and e.incident_id == ev.incident_id:
            orders.append(e)

    second.event.connect(collect)
    try:
        a = PlanReviewDialog(first, config, ev, district=district, briefing_dir=tmp_path)
        b = PlanReviewDialog(second, config, ev, district=district, briefing_dir=tmp_path)
        qtbot.addWidget(a)
        qtbot.addWidget(b)
        assert "需两名值班领导审批 (0/2)" in a.approval_label.text()
        assert a.approve_button.isEnabled()
        a.approve_button.click()
        qtbot.waitUntil(lambda: a.plan_event.approvals == ["sup-li"], timeout=WAIT_MS)
        assert "需第二名值班领导审批 (1/2)" in a.approval_label.text()
        assert not a.approve_button.isEnabled()  # the same supervisor cannot approve twice
        qtbot.waitUntil(lambda: b.plan_event.approvals == ["sup-li"], timeout=WAIT_MS)
        assert b.plan_event.status == "proposed" and b.approve_button.isEnabled()
        b.approve_button.click()
        qtbot.waitUntil(
            lambda: "已由 sup-li, sup-zhao 批准" in b.approval_label.text(), timeout=WAIT_MS
        )
        assert b.plan_event.status == "approved"
        assert not b.approve_button.isEnabled() and not b.reject_button.isEnabled()
        qtbot.waitUntil(lambda: a.plan_event.status == "approved", timeout=WAIT_MS)
        called = {s["call_sign"] for s in ev.body["slots"]}
        qtbot.waitUntil(lambda: {o.call_sign for o in orders} == called, timeout=WAIT_MS)
    finally:
        first.close()
        second.close()


def test_reject_needs_a_reason_and_amend_makes_a_new_proposal(
    qtbot: Any, hub: CommandHub, config: Config, district: StaticDistrict, tmp_path: Path
) -> None:
    ev = _new_incident(hub, "traffic_accident", SPOTS[3])
    sup = _bridge(hub, "sup-chen", "supervisor")
    try:
        snap = InprocClient(hub).call(GetSnapshot()).result
        units, plans = snap.units, snap.plans
        dlg = PlanReviewDialog(
            sup,
            config,
            ev,
            district=district,
            units=lambda: units,
            held=lambda incident: held_units(plans, incident),
            briefing_dir=tmp_path,
        )
        qtbot.addWidget(dlg)
        assert dlg.reject_plan("   ") is False and dlg.message_label.text()
        first = dlg.slot_call_signs()[0]
        spare = dlg.available_units()[0][0].call_sign
        assert spare not in dlg.slot_call_signs()
        assert spare not in held_units(plans, ev.incident_id)  # other plans' units: not offered
        assert dlg.amend_plan(remove=[first], add=[spare], reason="就近调整")
        qtbot.waitUntil(lambda: dlg.plan_event.plan_id > ev.plan_id, timeout=WAIT_MS)
        signs = dlg.slot_call_signs()
        assert first not in signs and spare in signs
        assert dlg.plan_event.status == "proposed"
        assert dlg.slot_table.rowCount() == len(signs)
        assert dlg.reject_plan("现场已处置完毕")
        qtbot.waitUntil(lambda: dlg.plan_event.status == "rejected", timeout=WAIT_MS)
        assert not dlg.approve_button.isEnabled()
    finally:
        sup.close()


# ------------------------------------------------------------ login, chronology


def test_login_shows_the_hub_refusal_and_keeps_the_session(
    qtbot: Any, hub: CommandHub, bridge: HubBridge
) -> None:
    admin = InprocClient(hub, actor="admin", role="admin")
    made = admin.call(
        CreateUser(
            username="zhangwei", display_name="张伟", password="s3cret-pw!", role="supervisor"
        )
    )
    assert made.ok, made.error
    dlg = LoginDialog(bridge)
    qtbot.addWidget(dlg)
    assert dlg.submit() is False and dlg.message_label.text()  # empty fields
    dlg.user_edit.setText("zhangwei")
    dlg.password_edit.setText("wrong-password")
    assert dlg.submit()
    qtbot.waitUntil(lambda: not dlg.pending, timeout=WAIT_MS)
    refusal = dlg.message_label.text()
    dlg.user_edit.setText("nobody")
    dlg.password_edit.setText("wrong-password")
    dlg.submit()
    qtbot.waitUntil(lambda: not dlg.pending, timeout=WAIT_MS)
    assert dlg.message_label.text() == refusal != ""  # unknown user reads like a wrong password
    dlg.user_edit.setText("zhangwei")
    dlg.password_edit.setText("s3cret-pw!")
    with qtbot.waitSignal(dlg.signedIn, timeout=WAIT_MS):
        dlg.submit()
    assert dlg.session is not None
    assert dlg.session["role"] == "supervisor" and dlg.session["display_name"] == "张伟"
    assert dlg.session["token"] and dlg.password_edit.text() == ""


def test_chronology_lists_the_steps_in_local_time(
    qtbot: Any, hub: CommandHub, bridge: HubBridge, config: Config, languages: Any
) -> None:
    ev = _new_incident(hub, "theft", SPOTS[1])
    dlg = ChronologyDialog(bridge, ev.incident_id, config=config)
    qtbot.addWidget(dlg)
    dlg.load()
    qtbot.waitUntil(lambda: dlg.loads == 1, timeout=WAIT_MS)
    steps = dlg.step_texts()
    assert steps[0] == "警情登记：盗窃"
    assert f"生成处置方案 #{ev.plan_id}" in steps
    assert any(s.startswith("状态：新警情") for s in steps)
    assert "方案引擎" in [dlg.table.item(i, dlg.ACTOR).text() for i in range(dlg.table.rowCount())]
    assert dlg.table.item(0, dlg.TIME).text().count(":") == 2
    missing = ChronologyDialog(bridge, 999_999, config=config)
    qtbot.addWidget(missing)
    missing.load()
    qtbot.waitUntil(lambda: missing.loads == 1, timeout=WAIT_MS)
    assert "999999" in missing.message_label.text()


# ------------------------------------------------------------ main window loop


def test_right_click_intake_opens_the_plan_review_in_the_main_window(
    qtbot: Any, hub: CommandHub, config: Config, languages: Any, tmp_path: Path
) -> None:
    bridge = _bridge(hub, "op-liu", "operator")
    window = MainWindow(
        bridge, config, settings=QSettings(str(tmp_path / "c.ini"), QSettings.Format.IniFormat)
    )
    qtbot.addWidget(window)
    try:
        window.workflow.briefing_dir = tmp_path / "briefings"
        with qtbot.waitSignal(window.loaded, timeout=30_000):
            window.start()
        lon, lat = 121.4835, 31.2330
        window.map.newIncidentRequested.emit(lon, lat)  # what a right-click on the map sends
        intake = window.workflow.intake
        assert intake is not None and (intake.lon, intake.lat) == (lon, lat)
        intake.set_type("robbery")
        intake.caller_edit.setText("13912345678")
        with qtbot.waitSignal(intake.incidentCreated, timeout=WAIT_MS) as sig:
            intake.submit_button.click()
        iid = sig.args[0]
        # the plan goes to the plan queue, selected there; no window opens over the map
        queue = window.shift_tools.plan_queue
        qtbot.waitUntil(
            lambda: queue.current is not None and queue.current.incident_id == iid,
            timeout=WAIT_MS,
        )
        assert iid not in window.workflow.reviews
        review = window.workflow.open_review(window.situation.plans[iid])  # on request
        assert review.slot_table.rowCount() >= 1
        assert review.isVisible() and not review.approve_button.isEnabled()  # an operator
        qtbot.waitUntil(
            lambda: window.incident_panel.model.row_of(iid) is not None, timeout=WAIT_MS
        )
        assert window.workflow.intake is None  # closed after success
        assert window.workflow.menu.title() == "调度(&D)"
    finally:
        window.close()
        bridge.close()


def test_supervisor_sees_plans_awaiting_approval_without_pop_ups(
    qtbot: Any, hub: CommandHub, config: Config, languages: Any, tmp_path: Path
) -> None:
    bridge = _bridge(hub, "sup-qian", "supervisor")
    window = MainWindow(
        bridge, config, settings=QSettings(str(tmp_path / "c.ini"), QSettings.Format.IniFormat)
    )
    qtbot.addWidget(window)
    wf = window.workflow
    try:
        wf.briefing_dir = tmp_path / "briefings"
        with qtbot.waitSignal(window.loaded, timeout=30_000):
            window.start()
        # plans other tests left awaiting approval come with the snapshot, at once
        before = dict(wf.pending_plans)
        assert all(p.status == "proposed" for p in before.values())
        assert wf.pending_action.isEnabled() == bool(before)
        ev = _new_incident(hub, "fight", (121.4890, 31.2330))  # another workstation's call
        assert ev.incident_id not in before
        qtbot.waitUntil(lambda: ev.incident_id in wf.pending_plans, timeout=WAIT_MS)
        assert not wf.reviews  # nothing popped up
        assert wf.pending_action.isEnabled()
        assert f"({len(wf.pending_plans)})" in wf.pending_action.text()
        # "next" shows the most urgent plan awaiting us in the plan queue, not a window
        assert wf.review_next_pending() is None and not wf.reviews
        queue = window.shift_tools.plan_queue
        urgent = next(p for p in queue.ordered() if queue.awaiting_me(p))
        assert queue.current is not None and queue.current.incident_id == urgent.incident_id
        assert urgent.incident_id in wf.pending_plans
        dlg = wf.open_review(wf.pending_plans[ev.incident_id])
        assert dlg.approve_button.isEnabled()
        dlg.approve_button.click()
        qtbot.waitUntil(lambda: ev.incident_id not in wf.pending_plans, timeout=WAIT_MS)
        assert dlg.plan_event.status == "approved"
    finally:
        window.close()
        bridge.close()
