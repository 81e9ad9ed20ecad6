"""``main.py hub`` as a real process: the full command hub, a workstation and a terminal on tcp."""

from __future__ import annotations

import socket
from pathlib import Path

from sqlalchemy import select

from console.auth import Authenticator
from console.hub.messages import CreateIncident, GetSnapshot, IncidentChanged, Login, Snapshot
from console.link.cli import enroll_main
from console.link.keys import load_or_create_hub_keys, load_terminal_key
from console.link.remote import RemoteClient
from console.store.db import open_store
from console.store.models import UnitRow
from console.terminal.fleet import Fleet, Member
from console.terminal.localstore import MemoryStore
from console.terminal.session import TerminalSession
from tests.link.helpers import (
    PORT_FLOOR,
    HubProcess,
    _ephemeral_floor,
    free_port_block,
    make_store,
    wait_until,
)


def test_standalone_hub_serves_workstations_and_terminals(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'hub.sqlite3'}"
    keys = tmp_path / "hubkeys"
    hub_key = load_or_create_hub_keys(keys)
    hub = HubProcess(url, keys, tmp_path / "hub.log", "--demo", link_only=False)
    try:
        hub.start()
        endpoint = hub.endpoint
        assert f"key={hub_key.public}" in hub.ready_line
        # a stop sent the moment it says ready is the clean one (console/link/cli.py)
        assert hub.handled_sigterm_when_ready
        assert f":{hub.port + 2}" in hub.ready_line  # events on the third port of the block
        store = open_store(url)
        Authenticator(store).create_user("op", "Operator", "a long enough password", "operator")
        with store.session() as s:
            call_sign = s.scalars(select(UnitRow.call_sign).order_by(UnitRow.id)).first()
        assert call_sign
        key_file = tmp_path / "t.key"
        rc = enroll_main(
            ["--unit", call_sign, "--db", url, "--out", str(key_file), "--key-dir", str(keys)]
        )
        assert rc == 0

        ws = RemoteClient(endpoint, hub_key.public, workstation="ws-1")
        try:
            assert not ws.call(GetSnapshot()).ok  # anonymous until signed in
            assert ws.call(Login(username="op", password="a long enough password")).ok
            assert wait_until(lambda: ws.last_seq >= 0)
            seen: list[object] = []
            ws.subscribe(seen.append)
            r = ws.call(CreateIncident(incident_type="theft", lon=121.4737, lat=31.2304))
            assert r.ok, r.error
            new_id = int(r.result["incident_id"])

            def shown(e: object) -> bool:
                """The new incident reached the workstation: as its event or, when the
                event subscription joined late (ZeroMQ's slow joiner: the client sees the
                gap and fetches a snapshot), inside that snapshot (CI failure, stop 28)."""
                if isinstance(e, IncidentChanged):
                    return e.incident.id == new_id
                return isinstance(e, Snapshot) and any(i.id == new_id for i in e.incidents)

            assert wait_until(lambda: any(shown(e) for e in seen))

            m = Member(load_terminal_key(key_file), TerminalSession(MemoryStore()))
            fleet = Fleet(endpoint, [m]).start()
            try:
                assert wait_until(lambda: m.session.unit == call_sign)
            finally:
                fleet.stop()
        finally:
            ws.close()
        store.close()
    finally:
        code = hub.stop()
    assert code == 0, (tmp_path / "hub.log").read_text()[-2000:]  # SIGTERM: a clean stop


def test_hub_process_moves_to_a_new_port_block_when_one_is_taken(tmp_path: Path) -> None:
    """The flake this guards against: another socket bound port+1 between pick and bind."""
    base = free_port_block(3)
    assert base + 2 < _ephemeral_floor() or _ephemeral_floor() - 3 <= PORT_FLOOR
    make_store(tmp_path / "hub.sqlite3", 3).close()
    load_or_create_hub_keys(tmp_path / "keys")  # the hub never makes its key on its own
    hub = HubProcess(f"sqlite:///{tmp_path / 'hub.sqlite3'}", tmp_path / "keys", tmp_path / "h.log")
    with socket.socket() as squatter:
        squatter.bind(("127.0.0.1", hub.port))
        squatter.listen()
        taken = hub.port
        try:
            hub.start()
            assert hub.port != taken and hub.starts == 1
            assert f"terminals={hub.endpoint}" in hub.ready_line
            assert "Address already in use" in (tmp_path / "h.log").read_text()
        finally:
            hub.stop()
