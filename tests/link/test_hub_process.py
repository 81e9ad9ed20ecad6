"""``main.py hub`` as a real process: the full command hub, a workstation and a terminal on tcp."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from sqlalchemy import select

from console.auth import Authenticator
from console.hub.messages import CreateIncident, GetSnapshot, IncidentChanged, Login
from console.link.cli import enroll_main
from console.link.keys import load_or_create_hub_keys, load_terminal_key
from console.link.remote import RemoteClient
from console.store.db import open_store
from console.store.models import UnitRow
from console.terminal.fleet import Fleet, Member
from console.terminal.localstore import MemoryStore
from console.terminal.session import TerminalSession
from tests.link.helpers import free_port, wait_until

ROOT = Path(__file__).parents[2]


def test_standalone_hub_serves_workstations_and_terminals(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'hub.sqlite3'}"
    keys = tmp_path / "hubkeys"
    hub_key = load_or_create_hub_keys(keys)
    port = free_port()
    endpoint = f"tcp://127.0.0.1:{port}"
    log = open(tmp_path / "hub.log", "w")  # noqa: SIM115 - handed to the child
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "console.link.cli",
            "hub",
            "--db",
            url,
            "--bind",
            endpoint,
            "--key-dir",
            str(keys),
        ],
        stdout=subprocess.PIPE,
        stderr=log,
        text=True,
        cwd=ROOT,
    )
    log.close()
    try:
        assert proc.stdout is not None
        line = proc.stdout.readline()
        assert line.startswith("hub ready"), (tmp_path / "hub.log").read_text()[-2000:]
        assert f"key={hub_key.public}" in line and f":{port + 2}" in line
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
            assert wait_until(lambda: any(isinstance(e, IncidentChanged) for e in seen))

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
        proc.terminate()
        assert proc.wait(30) == 0  # SIGTERM: a clean stop
