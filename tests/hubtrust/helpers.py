"""Shared parts of the hub-trust tests (issue 13): the real stand-alone hub as a child
process, workstations over tcp that sign in and keep every event, and set-up helpers."""

from __future__ import annotations

import contextlib
import os
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from console.auth import Authenticator
from console.config import default_config_dir
from console.hub.messages import Alert, Event, Login, Snapshot
from console.link.remote import RemoteClient
from console.store.db import Store, open_store
from console.store.models import IncidentEventRow, OrderRow, UnitRow
from tests.link.helpers import HubProcess, wait_until

PASSWORD = "correct horse battery staple"
PEOPLES_SQUARE = (121.4737, 31.2304)
AWAITS_APPROVAL = "robbery"
"""An incident type whose plan waits for a duty supervisor (config/approval_policy.toml:
robbery at force levels 1-2 needs one); a theft's plan is dispatched as soon as it is
proposed, so it cannot show what happens around an approval."""
NANJING_ROAD = (121.4800, 31.2360)


def config_dir(tmp: Path, **orders: float) -> Path:
    """A copy of the shipped configuration with ``[orders]`` values replaced."""
    d = tmp / "config"
    if not d.exists():
        shutil.copytree(default_config_dir(), d)  # the session's config (seed-rule approvals)
    p = d / "console.toml"
    text = p.read_text(encoding="utf-8")
    for key, value in orders.items():
        shipped = {"ack_deadline_seconds": "30", "time_to_live_seconds": "1800"}[key]
        line = f"{key} = {shipped}"
        assert line in text, f"test setup: shipped {key} changed"
        text = text.replace(line, f"{key} = {value:g}")
    p.write_text(text, encoding="utf-8")
    return d


def add_users(url: str, *users: tuple[str, str]) -> None:
    """(username, role) accounts with :data:`PASSWORD`, written before the hub starts."""
    store = open_store(url)
    try:
        auth = Authenticator(store)
        for name, role in users:
            auth.create_user(name, name, PASSWORD, role)
        auth.close()
    finally:
        store.close()


class Desk:
    """One signed-in workstation over tcp and every event it has received."""

    def __init__(self, client: RemoteClient, user: str) -> None:
        self.client = client
        r = client.call(Login(username=user, password=PASSWORD), timeout=60)
        assert r.ok, r.error
        self.events: list[Event] = []
        client.subscribe(self.events.append)
        assert wait_until(lambda: client.last_seq >= 0, timeout=30)

    @classmethod
    def to_process(cls, hub: HubProcess, public: str, name: str, user: str) -> Desk:
        return cls(RemoteClient(hub.endpoint, public, workstation=name), user)

    def call(self, cmd: Any, timeout: float = 30.0) -> Any:
        r = self.client.call(cmd, timeout=timeout)
        assert r.ok, r.error
        return r.result

    def refused(self, cmd: Any, timeout: float = 30.0) -> str:
        r = self.client.call(cmd, timeout=timeout)
        assert not r.ok, f"{type(cmd).__name__} should have been refused: {r.result!r}"
        return r.error

    def alerts(self, kind: str, incident_id: int | None = None) -> list[Alert]:
        """Alerts of ``kind`` seen so far (from snapshots too), one per alert id, newest kept."""
        out: dict[int, Alert] = {}
        for e in list(self.events):
            found = e.alerts if isinstance(e, Snapshot) else [e] if isinstance(e, Alert) else []
            for a in found:
                if a.kind == kind and (incident_id is None or a.incident_id == incident_id):
                    out[a.alert_id] = a
        return list(out.values())

    def close(self) -> None:
        self.client.close()


def orders_of(store: Store, incident_id: int) -> list[tuple[str, str, str]]:
    """(order id, call sign, state) of the incident's orders, oldest first."""
    with store.session() as s:
        rows = s.execute(
            select(OrderRow.id, UnitRow.call_sign, OrderRow.state)
            .join(UnitRow, UnitRow.id == OrderRow.unit_id)
            .where(OrderRow.incident_id == incident_id)
            .order_by(OrderRow.created_at, OrderRow.id)
        ).all()
    return [(str(a), str(b), str(c)) for a, b, c in rows]


def chronology_kinds(store: Store, incident_id: int) -> list[str]:
    with store.session() as s:
        return list(
            s.scalars(
                select(IncidentEventRow.kind)
                .where(IncidentEventRow.incident_id == incident_id)
                .order_by(IncidentEventRow.id)
            )
        )


@contextlib.contextmanager
def read_only(path: Path) -> Iterator[None]:
    """Make a file or directory unwritable for this test, even for root (which ignores the
    mode bits): the immutable attribute where the mode is not enough; skipped if neither."""
    mode = path.stat().st_mode
    path.chmod(0o555 if path.is_dir() else 0o444)
    immutable = False
    try:
        if _writable(path):
            r = subprocess.run(["chattr", "+i", str(path)], capture_output=True, check=False)
            immutable = r.returncode == 0
            if not immutable or _writable(path):
                pytest.skip("cannot make a file read-only here (root without chattr)")
        yield
    finally:
        if immutable:
            subprocess.run(["chattr", "-i", str(path)], capture_output=True, check=False)
        path.chmod(mode)


def _writable(path: Path) -> bool:
    try:
        if path.is_dir():
            probe = path / ".write-probe"
            probe.write_bytes(b"")
            probe.unlink()
        else:
            with path.open("ab"):
                pass
        return True
    except OSError:
        return False


def env_without(*names: str) -> dict[str, str]:
    return {k: v for k, v in os.environ.items() if k not in names}
