"""The duty roster on a running hub: units come on and go off duty at their shift times."""

from __future__ import annotations

import datetime as dt
import zoneinfo
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from console.config import Config
from console.district.duty import ACTOR
from console.district.importer import import_package
from console.district.roster import DutyRoster
from console.history.shiftlog import log_entries, parse_duty_change
from console.hub.bootstrap import DistrictHub, open_hub
from console.hub.messages import Envelope, SetUnitStatus, UnitChanged
from console.hub.messages_shift import DutyMove, LogDutyChange
from console.store import Store, repos
from tests.conftest import T0, FrozenClock
from tests.link.helpers import wait_until

SHANGHAI = zoneinfo.ZoneInfo("Asia/Shanghai")


def at(day: int, hour: int, minute: int = 0) -> float:
    return dt.datetime(2026, 5, day, hour, minute, tzinfo=SHANGHAI).timestamp()


@pytest.fixture
def hub(grid_dir: Path, db_url: str, store: Store, config: Config) -> Iterator[DistrictHub]:
    import_package(store, grid_dir, config)
    h = open_hub(db_url, config, clock=FrozenClock(T0))
    try:
        yield h
    finally:
        h.stop()
        h.store.close()


def status(hub: DistrictHub, call_sign: str) -> str:
    return hub.situation.status_of(hub.situation.index[call_sign]).value


def duty_lines(hub: DistrictHub) -> list[dict[str, Any]]:
    """The shift log's duty change lines, oldest first."""
    with hub.store.session() as s:
        return [e for e in log_entries(s) if e["kind"] == "duty_change"]


def roster_audit(hub: DistrictHub) -> list[tuple[float, str, str, dict[str, Any]]]:
    """(time, workstation, action, payload) of the duty roster's audit rows."""
    with hub.store.session() as s:
        rows = repos.AuditRepo(s).tail(500)
        return [
            (r.t, r.workstation, r.action, {**r.payload["command"], "ok": r.payload["ok"]})
            for r in rows
            if r.actor == ACTOR
        ]


def test_roster_answers_who_is_on_duty() -> None:
    from console.district.model import Shift

    shifts = [
        Shift("2026-05-29", "day", "A", at(29, 8), at(29, 20)),
        Shift("2026-05-29", "night", "A", at(29, 20), at(30, 8)),
    ]
    r = DutyRoster(shifts)
    assert not r.on_duty("A", at(29, 7, 59)) and r.on_duty("A", at(29, 8))
    assert r.on_duty("A", at(29, 20)) and not r.on_duty("A", at(30, 8))
    assert not r.on_duty("B", at(29, 12))  # not on the roster: off
    assert [(c, on) for _t, c, on in r.changes(at(29, 7), at(30, 9))] == [
        ("A", True),
        ("A", True),
        ("A", False),
    ]
    assert DutyRoster([]).on_duty("anyone", 0.0)  # no roster: always on duty


def test_shift_changes_move_units_on_and_off_duty(hub: DistrictHub) -> None:
    clock = hub.clock
    assert isinstance(clock, FrozenClock)
    assert dt.datetime.fromtimestamp(T0, SHANGHAI).hour == 4  # 04:26 on 29 May
    events: list[UnitChanged] = []
    hub.subscribe(lambda ev: events.append(ev) if isinstance(ev, UnitChanged) else None)
    # at start: G-1 and G-2 have no shift yet, the others are on an all-day shift
    assert status(hub, "G-1") == "off_duty" and status(hub, "G-2") == "off_duty"
    assert status(hub, "G-3") == "available" and status(hub, "SP-1") == "available"
    # ... and the start-up sync that put them off duty is in the shift log at the hub's time
    assert wait_until(lambda: len(duty_lines(hub)) == 1)
    first = duty_lines(hub)[0]
    assert (first["t"], first["actor"]) == (T0, ACTOR)
    assert parse_duty_change(first["text"]) == [(False, ["G-1", "G-2"], "")]

    clock.set(at(29, 8, 0) + 30)
    assert wait_until(
        lambda: status(hub, "G-1") == "available" and status(hub, "G-2") == "available"
    )
    # the hub thread sets a unit's status and then publishes it: G-2's event may still be
    # on its way when its status already reads "available"
    assert wait_until(lambda: {e.unit.call_sign for e in events} >= {"G-1", "G-2"}), events
    # the shift change is one line of the room's chronology: which units, which roster
    # line, when; each unit's own change is audited as the roster's SetUnitStatus
    assert wait_until(lambda: len(duty_lines(hub)) == 2)
    on = duty_lines(hub)[1]
    assert on["t"] == at(29, 8, 0) + 30 and on["actor"] == ACTOR
    assert on["text"] == "on duty: G-1, G-2 (2026-05-29 白班 08:00-20:00)"
    assert parse_duty_change(on["text"]) == [(True, ["G-1", "G-2"], "2026-05-29 白班 08:00-20:00")]
    # a command's audit row is written after its effects (console/hub/auditing.py): the
    # line above can be read a moment before the LogDutyChange row that records it
    assert wait_until(
        lambda: any(
            a == "LogDutyChange" and t == on["t"] and p["ok"] for t, _w, a, p in roster_audit(hub)
        )
    )
    audit = roster_audit(hub)
    moved = [(t, p["call_sign"], p["status"]) for t, _w, a, p in audit if a == "SetUnitStatus"]
    assert (at(29, 8, 0) + 30, "G-1", "available") in moved
    assert (at(29, 8, 0) + 30, "G-2", "available") in moved
    assert {w for _t, w, _a, _p in audit} == {"duty-roster"}

    # G-2 is busy when its shift ends: it goes off duty once it is free again
    env = Envelope(1, SetUnitStatus(call_sign="G-2", status="en_route"), "chief", "supervisor")
    assert hub.submit(env).result(5).ok
    clock.set(at(29, 20, 0) + 30)
    assert wait_until(lambda: hub.duty is not None and "G-2" in hub.duty.pending_off)
    assert status(hub, "G-2") == "en_route" and status(hub, "G-1") == "available"  # night shift
    env = Envelope(2, SetUnitStatus(call_sign="G-2", status="available"), "chief", "supervisor")
    assert hub.submit(env).result(5).ok
    assert wait_until(lambda: status(hub, "G-2") == "off_duty")
    with hub.store.session() as s:
        from console.store.models import UnitRow

        row = s.query(UnitRow).filter_by(call_sign="G-2").one()
        assert row.status == "off_duty"  # stored like any status change
    # G-1 went from its day shift straight into its night shift: no move, no line; G-2
    # went off when free, named by the shift that had ended
    assert wait_until(lambda: len(duty_lines(hub)) == 3)
    off = duty_lines(hub)[2]
    assert off["t"] == at(29, 20, 0) + 30
    assert off["text"] == "off duty: G-2 (2026-05-29 白班 08:00-20:00)"
    assert (off["t"], "G-2", "off_duty") in [
        (t, p["call_sign"], p["status"])
        for t, _w, a, p in roster_audit(hub)
        if a == "SetUnitStatus"
    ]


def test_only_the_hub_itself_logs_a_duty_change(hub: DistrictHub) -> None:
    cmd = LogDutyChange(moves=[DutyMove(call_sign="G-3", on=False)])
    reply = hub.submit(Envelope(1, cmd, "chief", "supervisor")).result(5)
    assert not reply.ok and "may not LogDutyChange" in reply.error
    reply = hub.submit(Envelope(2, LogDutyChange(moves=[]), ACTOR, "system")).result(5)
    assert not reply.ok and "at least one unit" in reply.error
    bad = LogDutyChange(moves=[DutyMove(call_sign="X-9", on=True)])
    reply = hub.submit(Envelope(3, bad, ACTOR, "system")).result(5)
    assert not reply.ok and "unknown unit X-9" in reply.error


def test_off_duty_units_are_not_planned(hub: DistrictHub, config: Config) -> None:
    from console.planning.fleet import SituationView

    view = SituationView.from_situation(hub.situation)
    off = {
        hub.situation.specs[i].call_sign for i in range(len(view.specs)) if not view.available[i]
    }
    assert off == {"G-1", "G-2"}
