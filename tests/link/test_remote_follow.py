"""A remote workstation keeps its sign-in when its hub is killed and started again.

One hub on SQLite (the default multi-seat shape without a standby): sessions live in the
database, so the restarted hub accepts the workstation's token; the client notices the
silent event stream, asks for a snapshot with that token, is admitted to the events
again and carries on, with no new sign-in (the same path follows a standby takeover,
tests/store/test_store_standby.py).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from console.auth import Authenticator
from console.hub.messages import CreateIncident, Event, GetSnapshot, Login, Snapshot
from console.link.keys import load_or_create_hub_keys
from console.link.remote import RemoteClient
from console.store.db import open_store
from tests.link.helpers import HubProcess, wait_until

pytestmark = pytest.mark.slow  # the full hub process killed and started again

PASSWORD = "a long enough password"


def test_workstation_keeps_its_sign_in_across_a_hub_restart(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'hub.sqlite3'}"
    keys_dir = tmp_path / "hubkeys"
    hub_key = load_or_create_hub_keys(keys_dir)
    hub = HubProcess(url, keys_dir, tmp_path / "hub.log", "--demo", link_only=False).start()
    store = open_store(url)
    ws: RemoteClient | None = None
    try:
        Authenticator(store).create_user("sup", "Supervisor", PASSWORD, "supervisor")
        ws = RemoteClient(hub.endpoint, hub_key.public, workstation="ws-follow")
        snapshots: list[Event] = []
        ws.subscribe(lambda ev: snapshots.append(ev) if isinstance(ev, Snapshot) else None)
        assert ws.call(Login(username="sup", password=PASSWORD)).ok
        token = ws.token
        assert wait_until(lambda: bool(snapshots), timeout=30)
        before = len(snapshots)

        hub.kill()
        hub.start()
        assert wait_until(lambda: len(snapshots) > before, timeout=60), "it did not follow"
        assert ws.hub_changes >= 1
        seen = ws.last_seq
        r = ws.call(CreateIncident(incident_type="theft", lon=121.4737, lat=31.2304))
        assert r.ok, r.error  # a supervisor's command, on the sign-in made before the kill
        assert ws.token == token
        assert wait_until(lambda: ws.last_seq > seen, timeout=30)  # its events reach us
        assert ws.call(GetSnapshot()).ok
    finally:
        if ws is not None:
            ws.close()
        hub.stop()
        store.close()
