"""Issue 13, 6 (a database that cannot be written): the stand-alone hub will not start on a
read-only database file or folder and says why in plain words; a hub whose database stops
taking writes while it runs (SQLite's ``max_page_count``: the disk is full) refuses every
change with a plain reason, tells every workstation, keeps answering reads, leaves
nothing half-done, and carries on once writing works again.  No user ever sees SQL."""

from __future__ import annotations

import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import event, func, select

from console.hub.bootstrap import start_embedded_hub
from console.hub.guard import UNWRITABLE_EN, UNWRITABLE_ZH
from console.hub.hub import CommandHub
from console.hub.messages import CreateIncident, GetSnapshot
from console.link.keys import KeyPair, load_or_create_hub_keys
from console.link.node import HubNode
from console.link.remote import RemoteClient
from console.store.models import IncidentRow
from tests.conftest import HubFactory
from tests.hubtrust.helpers import PASSWORD, PEOPLES_SQUARE, Desk, read_only
from tests.link.helpers import free_port_block, wait_until

ROOT = Path(__file__).resolve().parents[2]
SQL_WORDS = ("[SQL", "INSERT", "UPDATE ", "SELECT ", "Traceback", "sqlalchemy", "sqlite3.")


def _start_hub(url: str, keys: Path) -> tuple[int, str, str]:
    """``python -m console.link.cli hub --demo``: (exit code, stdout, stderr).  It should
    stop at once; if it comes up instead it is stopped (exit code then 0 or -15)."""
    port = free_port_block(3)
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "console.link.cli",
            "hub",
            "--demo",
            "--db",
            url,
            "--bind",
            f"tcp://127.0.0.1:{port}",
            "--key-dir",
            str(keys),
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        cwd=ROOT,
    )
    assert proc.stdout is not None
    first = proc.stdout.readline()  # "hub ready ..." if it came up, "" once it stopped
    if first.startswith("hub ready"):
        proc.terminate()
    out, err = proc.communicate(timeout=120)
    return proc.returncode, first + out, err


@pytest.fixture(scope="module")
def demo_db(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """A demo database a hub has run on (district, history), closed cleanly, and a key."""
    tmp = tmp_path_factory.mktemp("ro")
    db = tmp / "hub.sqlite3"
    hub = start_embedded_hub(f"sqlite:///{db}", simulate=False)
    hub.stop()
    hub.store.close()
    assert not Path(f"{db}-wal").exists()  # closed cleanly: one file holds everything
    load_or_create_hub_keys(tmp / "keys")
    return db, tmp / "keys"


@pytest.mark.parametrize("what", ["file", "folder"])
def test_the_hub_will_not_start_on_a_database_it_cannot_write(
    demo_db: tuple[Path, Path], tmp_path: Path, what: str
) -> None:
    folder = tmp_path / "data"
    folder.mkdir()
    db = folder / "hub.sqlite3"
    shutil.copyfile(demo_db[0], db)
    with read_only(db if what == "file" else folder):
        code, out, stderr = _start_hub(f"sqlite:///{db}", demo_db[1])
    assert code == 2, (out, stderr)
    assert "hub ready" not in out
    (err,) = [line for line in stderr.splitlines() if line.startswith("error:")]
    assert "database error:" in err and str(db) in err, err
    assert "can be written by the user running the hub" in err, err
    assert not [w for w in SQL_WORDS if w in err], err


class Full:
    """SQLite's page limit at the file's current size on every new connection: the next
    write that needs a page fails with "database or disk is full", as a full disk does."""

    def __init__(self, hub: CommandHub) -> None:
        self.engine = hub.store.engine
        self.on = False
        event.listen(self.engine, "connect", self._connect)

    def _connect(self, dbapi_conn: Any, _record: Any) -> None:
        if self.on:
            cur = dbapi_conn.cursor()
            pages = cur.execute("PRAGMA page_count").fetchone()[0]
            cur.execute(f"PRAGMA max_page_count = {int(pages)}")
            cur.close()

    def set(self, on: bool) -> None:
        self.on = on
        self.engine.dispose()  # new connections from now on

    def close(self) -> None:
        event.remove(self.engine, "connect", self._connect)


@pytest.fixture
def room(hub_factory: HubFactory, tmp_path: Path) -> Iterator[tuple[CommandHub, Desk, Desk]]:
    hub = hub_factory("full")
    hub.auth.create_user("op", "Operator", PASSWORD, "operator")
    hub.auth.create_user("sup", "Supervisor", PASSWORD, "supervisor")
    keys: KeyPair = load_or_create_hub_keys(tmp_path / "keys")
    node = HubNode(hub.store, keys, "tcp://127.0.0.1:0", hub=hub).start()
    assert node.link.gate is hub.position_gate  # one gate for the link and the hub
    ep = node.endpoints
    desks: list[Desk] = []
    try:
        for name, user in (("desk-op", "op"), ("desk-sup", "sup")):
            c = RemoteClient.with_explicit(ep.commands, ep.events, keys.public, workstation=name)
            desks.append(Desk(c, user))
        yield hub, desks[0], desks[1]
    finally:
        for d in desks:
            d.close()
        node.stop()


def _incidents(hub: CommandHub) -> int:
    with hub.store.session() as s:
        return int(s.scalar(select(func.count()).select_from(IncidentRow)) or 0)


def test_a_database_that_fills_up_puts_the_hub_in_a_safe_state(
    room: tuple[CommandHub, Desk, Desk],
) -> None:
    hub, op, sup = room
    theft = CreateIncident(incident_type="theft", lon=PEOPLES_SQUARE[0], lat=PEOPLES_SQUARE[1])
    assert op.call(theft)["incident_id"]
    before, open_before = _incidents(hub), hub.incidents.open_ids()
    full = Full(hub)
    try:
        full.set(True)
        long_report = CreateIncident(
            incident_type="theft",
            lon=PEOPLES_SQUARE[0],
            lat=PEOPLES_SQUARE[1],
            description="报警人称店内多人被盗, 嫌疑人向东逃离。" * 100,
        )
        err = op.refused(long_report)
        assert err == UNWRITABLE_EN, err
        assert not [w for w in SQL_WORDS if w in err]
        # every workstation is told, once, Chinese first
        for desk in (op, sup):
            assert wait_until(lambda d=desk: len(d.alerts("store_unwritable")) == 1)  # type: ignore[misc]
        (alert,) = sup.alerts("store_unwritable")
        assert alert.level == "critical" and alert.text == UNWRITABLE_ZH
        # any change is refused up front, reads go on, and nothing was half-written
        assert op.refused(theft) == UNWRITABLE_EN
        assert op.call(GetSnapshot()).incidents
        assert _incidents(hub) == before and hub.incidents.open_ids() == open_before
        assert hub.guard.safe
        # the disk has room again: the hub notices on its own and carries on
        full.set(False)
        assert wait_until(lambda: len(sup.alerts("store_writable")) == 1, timeout=60)
        assert not hub.guard.safe
        assert op.call(theft)["incident_id"]
        assert _incidents(hub) == before + 1
    finally:
        full.close()
