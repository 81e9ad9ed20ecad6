"""The shift log and the handover: notes, the outgoing summary, the incoming acknowledgement,
all audited like every other command."""

from __future__ import annotations

from console.audit import verify
from console.hub.client import InprocClient
from console.hub.messages_shift import (
    AcknowledgeHandover,
    AddShiftNote,
    GetShiftLog,
    GetShiftReport,
    StartHandover,
)
from console.store import repos
from tests.history.shift_data import PastShift, ok


def test_a_shift_is_handed_over_and_taken_over(past_shift: PastShift) -> None:
    hub, ids = past_shift.hub, past_shift.ids
    out = InprocClient(hub, actor="op-zhao", role="operator", workstation="ws-1")
    incoming = InprocClient(hub, actor="op-wang", role="operator", workstation="ws-1")
    sup = InprocClient(hub, actor="sup-sun", role="supervisor", workstation="ws-3")

    # notes during the shift
    ok(out, AddShiftNote(text="南京东路施工至06:00, 绕行九江路"))
    ok(sup, AddShiftNote(text="D 警情现场人多, 注意增援", incident_id=ids["D"]))
    for bad, reason in (
        (AddShiftNote(text="   "), "must not be empty"),
        (AddShiftNote(text="x", incident_id=999_999), "no incident number 999999"),
        (AddShiftNote(text="长" * 2001), "longer than 2000"),
    ):
        reply = out.call(bad)
        assert not reply.ok and reason in reply.error

    # the outgoing shift hands over: the summary as it stands
    past_shift.clock.advance(60)
    h = ok(out, StartHandover(note="D 仍在处置; 特警-03 车辆待修", shift_start=past_shift.t0))
    summary = h["summary"]
    assert [i["id"] for i in summary["open_incidents"]] == [ids["D"]]
    d = summary["open_incidents"][0]
    assert d["status"] == "en_route" and set(d["units"]) == set(past_shift.units["D"])
    assert any(a["incident_id"] == ids["D"] for a in summary["pending_alerts"])
    units = summary["units"]
    assert units["total"] == units["on_duty"] + units["off_duty"] > 0
    assert [n["text"] for n in summary["notes"]] == [
        "南京东路施工至06:00, 绕行九江路",
        "D 警情现场人多, 注意增援",
    ]
    assert h["acknowledged_by"] == "" and h["created_by"] == "op-zhao"

    # the incoming shift takes over: not the writer, and only once
    reply = out.call(AcknowledgeHandover(handover_id=h["id"]))
    assert not reply.ok and "someone other than who wrote it" in reply.error
    assert not incoming.call(AcknowledgeHandover(handover_id=h["id"] + 100)).ok
    past_shift.clock.advance(30)
    ack = ok(incoming, AcknowledgeHandover(handover_id=h["id"], note="已接班", incoming=["李四 "]))
    assert ack["acknowledged_by"] == "op-wang" and ack["incoming"] == ["op-wang", "李四"]
    again = sup.call(AcknowledgeHandover(handover_id=h["id"]))
    assert not again.ok and "already acknowledged by op-wang" in again.error

    # the log reads as the shift's story; the next handover starts where this one ended
    log = ok(incoming, GetShiftLog(t0=past_shift.t0))
    assert [(e["actor"], e["kind"]) for e in log["entries"]] == [
        ("op-zhao", "note"),
        ("sup-sun", "note"),
        ("op-zhao", "handover"),
        ("op-wang", "handover_ack"),
        ("op-wang", "sign_in"),
    ]
    assert log["latest_handover"]["acknowledged_by"] == "op-wang"
    nxt = ok(incoming, StartHandover(note="平稳"))
    assert nxt["shift_start"] == h["created_at"]
    rep = ok(sup, GetShiftReport(t0=past_shift.t0, t1=past_shift.clock() + 1))
    assert [x["id"] for x in rep["handovers"]] == [h["id"], nxt["id"]]

    # every write is a command: audited with who and where, the chain intact
    with hub.store.session() as s:
        audit = [(r.actor, r.workstation, r.action) for r in repos.AuditRepo(s).tail(100)]
    assert ("op-zhao", "ws-1", "AddShiftNote") in audit
    assert ("op-zhao", "ws-1", "StartHandover") in audit
    assert ("op-wang", "ws-1", "AcknowledgeHandover") in audit
    assert verify(hub.store) is None


def test_terminals_may_not_touch_the_shift_log(past_shift: PastShift) -> None:
    term = InprocClient(past_shift.hub, actor="巡逻-01", role="terminal")
    reply = term.call(AddShiftNote(text="hello"))
    assert not reply.ok and "may not AddShiftNote" in reply.error
