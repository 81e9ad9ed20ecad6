"""Merging a duplicate call, admin commands and the first-run notice, in a real hub."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest
from sqlalchemy import text

from console.auth import Authenticator
from console.geo.intersections import intersections
from console.hub.client import InprocClient
from console.hub.hub import CommandHub
from console.hub.messages import (
    CancelIncident,
    CloseIncident,
    CreateIncident,
    CreateUser,
    EnrollTerminal,
    Envelope,
    Event,
    GetChronology,
    GetDistrict,
    IncidentChanged,
    ListUnits,
    ListUsers,
    Login,
    MergeIntoIncident,
    ResetPassword,
    RevokeTerminal,
    SetUserDisabled,
)
from console.link.keys import KeyPair, load_terminal_key
from console.link.trust import TrustCache
from tests.conftest import HubFactory

SPOT = (121.4800, 31.2360)
PASSWORD = "correct horse battery"


@pytest.fixture
def hub(hub_factory: HubFactory) -> CommandHub:
    h = hub_factory("adm")
    h.link_public_key = KeyPair.generate().public
    return h


def _audit(hub: CommandHub) -> list[tuple[str, str]]:
    with hub.store.session() as s:
        rows = s.execute(text("SELECT actor, action FROM audit_log ORDER BY seq"))
        return [(r[0], r[1]) for r in rows]


def test_merge_records_the_call_on_the_open_incident(hub: CommandHub) -> None:
    events: list[Event] = []
    hub.subscribe(events.append)
    op = InprocClient(hub, actor="op-li", role="operator", workstation="ws-7")
    r = op.call(CreateIncident(incident_type="dispute", lon=SPOT[0], lat=SPOT[1]))
    assert r.ok, r.error
    iid = r.result["incident_id"]
    open_before = set(hub.incidents.open)
    m = op.call(
        MergeIntoIncident(
            incident_id=iid,
            caller="13812345678",
            description="楼下又在吵架",
            lon=SPOT[0] + 0.001,
            lat=SPOT[1],
        )
    )
    assert m.ok, m.error
    assert m.result == {"incident_id": iid, "calls": 2}
    assert hub.incidents.state(iid).calls == 2
    changed = [e.incident for e in events if isinstance(e, IncidentChanged)]
    assert changed[-1].id == iid and changed[-1].calls == 2
    steps = op.call(GetChronology(incident_id=iid)).result
    merged = [s for s in steps if s["kind"] == "call_merged"]
    assert len(merged) == 1
    assert merged[0]["actor"] == "op-li"
    assert merged[0]["detail"]["caller"] == "13812345678"
    assert merged[0]["detail"]["description"] == "楼下又在吵架"
    assert merged[0]["detail"]["call"] == 2
    assert ("op-li", "MergeIntoIncident") in _audit(hub)
    assert set(hub.incidents.open) == open_before  # no second incident was opened
    # the count survives a restart of the incident book
    from console.hub.incidents import IncidentBook

    book = IncidentBook(hub.config, hub.store, hub.district, hub.situation, hub.clock)
    assert book.state(iid).calls == 2


def test_merge_is_refused_for_closed_cancelled_or_unknown_incidents(hub: CommandHub) -> None:
    op = InprocClient(hub, actor="op-li", role="operator")
    sup = InprocClient(hub, actor="sup-zhao", role="supervisor")
    a = op.call(CreateIncident(incident_type="theft", lon=SPOT[0], lat=SPOT[1])).result
    b = op.call(CreateIncident(incident_type="fight", lon=SPOT[0], lat=SPOT[1])).result
    assert op.call(CloseIncident(incident_id=a["incident_id"], outcome="处理完毕")).ok
    assert sup.call(CancelIncident(incident_id=b["incident_id"], reason="误报")).ok
    closed = op.call(MergeIntoIncident(incident_id=a["incident_id"], caller="63211234"))
    assert not closed.ok and "closed" in closed.error and "new incident" in closed.error
    cancelled = op.call(MergeIntoIncident(incident_id=b["incident_id"]))
    assert not cancelled.ok and "cancelled" in cancelled.error
    missing = op.call(MergeIntoIncident(incident_id=99999))
    assert not missing.ok and "no incident 99999" in missing.error
    c = op.call(CreateIncident(incident_type="theft", lon=SPOT[0], lat=SPOT[1])).result
    bad = op.call(MergeIntoIncident(incident_id=c["incident_id"], lon=SPOT[0]))
    assert not bad.ok and "both" in bad.error
    long = op.call(MergeIntoIncident(incident_id=c["incident_id"], description="x" * 2001))
    assert not long.ok and "too long" in long.error
    assert hub.incidents.state(c["incident_id"]).calls == 1
    refused = [row for row in _audit(hub) if row[1] == "MergeIntoIncident"]
    assert len(refused) == 5  # refusals are audited too


ADMIN_COMMANDS = [
    ListUsers(),
    SetUserDisabled(username="op-li", disabled=True),
    ResetPassword(username="op-li", new_password="another long password"),
    ListUnits(),
    EnrollTerminal(call_sign="X"),
    RevokeTerminal(call_sign="X"),
    CreateUser(username="x", display_name="x", password=PASSWORD, role="admin"),
]


@pytest.mark.parametrize("role", ["operator", "supervisor", "terminal", "anonymous"])
def test_admin_commands_are_refused_to_other_roles_in_the_hub(hub: CommandHub, role: str) -> None:
    for i, cmd in enumerate(ADMIN_COMMANDS):
        reply = hub.handle(Envelope(request_id=i, command=cmd, actor="mallory", role=role))
        assert not reply.ok and "may not" in reply.error, type(cmd).__name__
    with hub.store.session() as s:
        n = s.execute(text("SELECT count(*) FROM audit_log WHERE actor = 'mallory'")).scalar()
        terminals = s.execute(text("SELECT count(*) FROM terminals")).scalar()
    assert n == len(ADMIN_COMMANDS) and terminals == 0


def test_signed_in_operator_token_cannot_claim_admin(hub: CommandHub) -> None:
    Authenticator(hub.store).create_user("op-li", "李", PASSWORD, "operator")
    token = InprocClient(hub).call(Login(username="op-li", password=PASSWORD)).result["token"]
    reply = hub.handle(Envelope(request_id=1, command=ListUsers(), role="admin", token=token))
    assert not reply.ok and "'operator' may not ListUsers" in reply.error


def test_users_disable_enable_and_reset_password(hub: CommandHub) -> None:
    admin = InprocClient(hub, actor="root", role="admin", workstation="adm")
    assert admin.call(
        CreateUser(username="boss", display_name="管理员", password=PASSWORD, role="admin")
    ).ok
    assert admin.call(
        CreateUser(username="op-li", display_name="李警官", password=PASSWORD, role="operator")
    ).ok
    users = {u["username"]: u for u in admin.call(ListUsers()).result}
    assert users["op-li"]["role"] == "operator" and not users["op-li"]["disabled"]
    assert all("password" not in k for u in users.values() for k in u)
    token = InprocClient(hub).call(Login(username="op-li", password=PASSWORD)).result["token"]
    assert admin.call(SetUserDisabled(username="op-li", disabled=True)).ok
    assert hub.auth.resolve(token) is None  # a locked account's session ends at once
    assert not InprocClient(hub).call(Login(username="op-li", password=PASSWORD)).ok
    assert admin.call(SetUserDisabled(username="op-li", disabled=False)).ok
    short = admin.call(ResetPassword(username="op-li", new_password="short"))
    assert not short.ok and "at least" in short.error
    assert not admin.call(ResetPassword(username="nobody", new_password=PASSWORD + "!")).ok
    assert admin.call(ResetPassword(username="op-li", new_password="a brand new secret")).ok
    assert not InprocClient(hub).call(Login(username="op-li", password=PASSWORD)).ok
    assert InprocClient(hub).call(Login(username="op-li", password="a brand new secret")).ok
    # the last active administrator cannot lock themselves out
    last = admin.call(SetUserDisabled(username="boss", disabled=True))
    assert not last.ok and "last active administrator" in last.error
    with hub.store.session() as s:
        payloads = [r[0] for r in s.execute(text("SELECT payload FROM audit_log"))]
    assert not any("a brand new secret" in str(p) for p in payloads)  # passwords never audited
    assert ("root", "ResetPassword") in _audit(hub)


def test_enrol_returns_the_key_once_and_revoke_withdraws_trust(
    hub: CommandHub, tmp_path: Path
) -> None:
    admin = InprocClient(hub, actor="root", role="admin")
    units = admin.call(ListUnits()).result
    call_sign = units[0]["call_sign"]
    assert not units[0]["enrolled"]
    r = admin.call(EnrollTerminal(call_sign=call_sign, endpoint="tcp://hub:5555"))
    assert r.ok, r.error
    path = tmp_path / r.result["file_name"]
    path.write_text(r.result["key_text"], encoding="utf-8")
    path.chmod(0o600)
    key = load_terminal_key(path)
    assert key.unit == call_sign and key.hub_public == hub.link_public_key
    assert key.keys.public == r.result["public_key"] and key.endpoint == "tcp://hub:5555"
    trust = TrustCache(hub.store)
    trust.refresh(force=True)
    assert trust.get(key.keys.public) is not None
    with hub.store.session() as s:
        dump = " ".join(str(v) for row in s.execute(text("SELECT * FROM terminals")) for v in row)
        audit = " ".join(str(r[0]) for r in s.execute(text("SELECT payload FROM audit_log")))
    assert key.keys.secret not in dump and key.keys.secret not in audit  # never kept by the hub
    listed = {u["call_sign"]: u for u in admin.call(ListUnits()).result}[call_sign]
    assert listed["enrolled"] and listed["terminals"][0]["enrolled_by"] == "root"
    assert not admin.call(EnrollTerminal(call_sign="NO-SUCH-UNIT")).ok
    both = admin.call(RevokeTerminal(public_key=key.keys.public, call_sign=call_sign))
    assert not both.ok and "exactly one" in both.error
    rv = admin.call(RevokeTerminal(public_key=key.keys.public))
    assert rv.ok and rv.result == [key.keys.public]
    listed = {u["call_sign"]: u for u in admin.call(ListUnits()).result}[call_sign]
    assert not listed["enrolled"] and listed["terminals"][0]["revoked_at"] is not None
    trust.refresh(force=True)
    assert trust.get(key.keys.public) is None
    assert ("root", "EnrollTerminal") in _audit(hub) and ("root", "RevokeTerminal") in _audit(hub)


def test_first_run_names_the_admin_command_and_invents_no_password(
    hub: CommandHub, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.WARNING):
        notice = hub.first_run_notice()
    assert "python main.py admin create --username NAME" in notice
    assert "no default password" in notice.lower().replace("there is ", "")
    assert "admin create" in caplog.text
    with hub.store.session() as s:
        assert s.execute(text("SELECT count(*) FROM users")).scalar() == 0  # nothing invented
    Authenticator(hub.store).create_user("boss", "管理员", PASSWORD, "admin")
    assert hub.first_run_notice() == ""


def test_intersections_of_the_demo_district(hub: CommandHub) -> None:
    found = intersections(hub.graph)
    pairs = {x.roads for x in found}
    assert ("南京东路", "河南中路") in pairs and ("延安东路", "西藏中路") in pairs
    assert all(a < b for a, b in pairs)  # one spelling per pair
    # nearby crossings of the same two roads are one intersection
    by_pair: dict[tuple[str, str], list[tuple[float, float]]] = {}
    for x in found:
        by_pair.setdefault(x.roads, []).append((x.lon, x.lat))
    from console.geo.coords import haversine_m

    for pts in by_pair.values():
        for i in range(len(pts)):
            for j in range(i + 1, len(pts)):
                assert float(haversine_m(*pts[i], *pts[j])) > 100.0
    district = InprocClient(hub).call(GetDistrict()).result
    assert len(district.intersections) == len(found)
    assert any({a, b} == {"南京东路", "河南中路"} for a, b, _, _ in district.intersections)


def test_new_commands_travel_to_a_remote_hub(hub: CommandHub) -> None:
    """The workstation server accepts every command in the rights table but internal ones."""
    import msgspec

    from console.hub.messages import ENCODER
    from console.link.hubcmd import INTERNAL_COMMANDS
    from console.link.workstation import wire_envelope_type

    commands = [c for c in hub.rights if c not in INTERNAL_COMMANDS]
    decoder = msgspec.msgpack.Decoder(wire_envelope_type(commands))
    merge = MergeIntoIncident(incident_id=3, caller="63211234", lon=121.48, lat=31.23)
    for cmd in [merge, *ADMIN_COMMANDS]:
        env = decoder.decode(ENCODER.encode(Envelope(request_id=7, command=cmd, token="t")))
        assert env.command == cmd  # type: ignore[attr-defined]
