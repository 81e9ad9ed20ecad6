"""Every command is on record in the hash chain, and tampering is found by `audit verify`."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import text

from console.cli import main
from console.hub.bootstrap import start_embedded_hub
from console.hub.client import InprocClient
from console.hub.messages import CancelIncident, CreateIncident, GetSnapshot
from console.store import repos


def test_commands_are_audited_and_tampering_detected(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    url = f"sqlite:///{tmp_path / 'audit.sqlite3'}"
    hub = start_embedded_hub(url, simulate=False)
    try:
        op = InprocClient(hub, actor="op7", role="operator", workstation="ws-3")
        assert op.call(GetSnapshot()).ok  # read-only: not audited
        iid = op.call(CreateIncident(incident_type="theft", lon=121.48, lat=31.235)).result[
            "incident_id"
        ]
        assert not op.call(CancelIncident(incident_id=iid, reason="x")).ok  # refused: audited too
        with hub.store.session() as s:
            rows = repos.AuditRepo(s).tail(10)
        assert [(r.actor, r.workstation, r.action, r.payload["ok"]) for r in rows] == [
            ("op7", "ws-3", "CreateIncident", True),
            ("op7", "ws-3", "CancelIncident", False),
        ]
        assert rows[0].payload["command"]["incident_type"] == "theft"
        assert "may not" in rows[1].payload["error"]
    finally:
        hub.stop()
        hub.store.close()

    assert main(["audit", "verify", "--db", url]) == 0
    assert "intact: 2 entries" in capsys.readouterr().out

    # an operator edits the first row to hide what was done
    from console.store.db import open_store

    store = open_store(url)
    with store.transaction() as s:
        s.execute(text("UPDATE audit_log SET actor = 'someone_else' WHERE seq = 1"))
    store.close()
    assert main(["audit", "verify", "--db", url]) == 1
    assert "seq 1" in capsys.readouterr().out
