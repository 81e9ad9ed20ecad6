"""An incident's full record and the shift report, from the past shift's store."""

from __future__ import annotations

import pytest

from console.hub.client import InprocClient
from console.hub.messages_shift import GetIncidentRecord, GetShiftReport
from tests.history.shift_data import PastShift, ok


@pytest.fixture(scope="module")
def client(past_shift: PastShift) -> InprocClient:
    return InprocClient(past_shift.hub, actor="sup-zhou", role="supervisor", workstation="ws-9")


def test_the_record_holds_chronology_plan_orders_receipts_photos_and_messages(
    past_shift: PastShift, client: InprocClient
) -> None:
    a = past_shift.ids["A"]
    rec = ok(client, GetIncidentRecord(incident_id=a))
    inc = rec["incident"]
    assert inc["status"] == "closed" and inc["outcome"] == "双方已调解 mediated"
    assert inc["description"] == "两名商户争执" and inc["caller"] == "13916248801"
    kinds = [(c["actor"], c["kind"]) for c in rec["chronology"]]
    assert ("op-zhao", "created") in kinds and ("sup-qian", "plan_approve") in kinds
    (plan,) = rec["plans"]
    assert plan["status"] == "approved" and plan["slots"]
    assert [d["user"] for d in plan["decisions"]] == ["sup-qian"]
    assert [o["order_id"] for o in rec["orders"]] == past_shift.orders["A"]
    for o in rec["orders"]:
        assert o["response_s"] == pytest.approx(200.0)  # the frozen clock: exact
        assert o["state"] in ("arrived", "finished")
        assert o["within_standard"] is (o["standard_s"] >= 200.0)
    states = {(r["call_sign"], r["state"]) for r in rec["receipts"]}
    for cs in past_shift.units["A"]:
        assert {(cs, "delivered"), (cs, "accepted"), (cs, "arrived")} <= states
    (photo,) = rec["photos"]
    assert photo["photo_id"] == past_shift.photo_id and photo["thumb"][:2] == b"\xff\xd8"
    (msg,) = rec["messages"]
    assert msg["text"] == "注意保护现场" and msg["recipients"][0]["state"] == "read"
    resp = rec["response"]
    assert resp["dispatch_delay_s"] == pytest.approx(30.0)  # the supervisor took 30 s
    assert resp["call_to_arrival_s"] == pytest.approx(230.0)
    assert resp["first_unit"] in past_shift.units["A"]


def test_two_supervisors_and_a_late_arrival_are_on_the_record(
    past_shift: PastShift, client: InprocClient
) -> None:
    rec = ok(client, GetIncidentRecord(incident_id=past_shift.ids["C"], thumbnails=False))
    (plan,) = rec["plans"]
    assert [f["user"] for f in plan["first_approvals"]] == ["sup-qian"]
    assert [d["user"] for d in plan["decisions"]] == ["sup-sun"]
    special = [o for o in rec["orders"] if o["unit_type"] == "special_police"]
    assert special and all(o["within_standard"] is False for o in special)  # 400 s > 180 s
    assert rec["photos"] == [] and rec["messages"] == []


def test_an_unknown_number_is_refused(client: InprocClient) -> None:
    reply = client.call(GetIncidentRecord(incident_id=987_654))
    assert not reply.ok and "no incident number 987654" in reply.error


def test_the_shift_report_counts_incidents_responses_units_alerts_and_approvals(
    past_shift: PastShift, client: InprocClient
) -> None:
    rep = ok(client, GetShiftReport(t0=past_shift.t0, t1=past_shift.t1))
    ids = past_shift.ids
    assert [i["id"] for i in rep["incidents"]] == [ids[k] for k in "ABCD"]
    t = rep["totals"]
    assert (t["active"], t["new"], t["closed"], t["cancelled"], t["open_at_end"]) == (4, 4, 2, 1, 1)
    assert t["by_type"] == {"dispute": 1, "theft": 1, "knife_attack": 1, "fight": 1}
    by_std = {r["standard"]: r for r in rep["response"]}
    sp = by_std["special_police"]
    assert sp["within"] == 0 and sp["max_s"] == pytest.approx(400.0)
    assert sum(r["arrivals"] for r in rep["response"]) == len(past_shift.orders["A"]) + len(
        past_shift.orders["C"]
    )
    units = {u["call_sign"]: u for u in rep["units"]}
    assert set(units) == {cs for k in "ACD" for cs in past_shift.units[k]}
    assert all(units[cs]["arrivals"] == 1 for cs in past_shift.units["A"])
    assert any(a["incident_id"] == ids["D"] and a["kind"] for a in rep["alerts"])
    who = {(a["user"], a["decision"], a["incident_id"]) for a in rep["approvals"]}
    assert ("sup-qian", "approve", ids["A"]) in who
    assert ("sup-qian", "first_approval", ids["C"]) in who
    assert ("sup-sun", "approve", ids["C"]) in who
    assert rep["approvals_by_user"] == {"sup-qian": 2, "sup-sun": 2}
    a_row = next(i for i in rep["incidents"] if i["id"] == ids["A"])
    assert a_row["approved_by"] == ["sup-qian"]
    assert a_row["response"]["call_to_arrival_s"] == pytest.approx(230.0)
    assert rep["generated_by"] == "sup-zhou"


def test_a_later_shift_sees_only_what_was_still_active(
    past_shift: PastShift, client: InprocClient
) -> None:
    rep = ok(client, GetShiftReport(t0=past_shift.t1, t1=past_shift.t1 + 3600))
    assert [i["id"] for i in rep["incidents"]] == [past_shift.ids["D"]]  # carried over
    assert rep["totals"]["carried_over"] == 1 and rep["totals"]["new"] == 0


@pytest.mark.parametrize(
    ("t0", "t1", "reason"),
    [(100.0, 50.0, "ends after it starts"), (0.0, 30 * 86400.0, "at most seven days")],
)
def test_a_bad_window_is_refused(client: InprocClient, t0: float, t1: float, reason: str) -> None:
    reply = client.call(GetShiftReport(t0=t0, t1=t1))
    assert not reply.ok and reason in reply.error
