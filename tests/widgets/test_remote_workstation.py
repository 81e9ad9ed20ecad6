"""A workstation against ``main.py hub`` in another process: admin made by the CLI,
sign-in through the real dialog, then the district, units and heat over tcp."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import pytest
from PySide6.QtCore import QSettings, QTimer
from PySide6.QtWidgets import QApplication

from console.config import load_config
from console.link.keys import load_or_create_hub_keys, resolve_hub_key
from console.link.remote import RemoteClient
from tests.link.helpers import free_port_block
from widgets.app import _sign_in
from widgets.bridge import HubBridge
from widgets.main_window import MainWindow
from widgets.workflow.login import LoginDialog

pytestmark = pytest.mark.qt_log_ignore("This plugin does not support")
ROOT = Path(__file__).parents[2]
PASSWORD = "a long enough password"


@pytest.fixture
def hub_process(tmp_path: Path) -> Iterator[tuple[str, Path]]:
    """A stand-alone hub on loopback with one administrator created through the CLI."""
    url = f"sqlite:///{tmp_path / 'hub.sqlite3'}"
    keys = tmp_path / "hubkeys"
    load_or_create_hub_keys(keys)
    env = dict(os.environ, DISPATCH_KEY_DIR=str(keys))
    for user, role in (("chief", "supervisor"), ("root", "admin")):
        made = subprocess.run(
            [
                sys.executable,
                "main.py",
                "admin",
                "create",
                "--username",
                user,
                "--db",
                url,
                "--role",
                role,
                "--name",
                user,
                "--password-stdin",
            ],
            input=PASSWORD + "\n",
            capture_output=True,
            text=True,
            cwd=ROOT,
            env=env,
            timeout=120,
        )
        assert made.returncode == 0, made.stderr
    for _ in range(5):  # another program may bind a port of the block first: a new block
        endpoint = f"tcp://127.0.0.1:{free_port_block()}"  # terminals, commands, events
        log = open(tmp_path / "hub.log", "w")  # noqa: SIM115 - handed to the child
        proc = subprocess.Popen(
            [
                *(sys.executable, "main.py", "hub", "--demo", "--db", url),
                *("--bind", endpoint, "--key-dir", str(keys)),
            ],
            stdout=subprocess.PIPE,
            stderr=log,
            text=True,
            cwd=ROOT,
            env=env,
        )
        log.close()
        assert proc.stdout is not None
        line = proc.stdout.readline()
        said = (tmp_path / "hub.log").read_text()
        if line.startswith("hub ready") or "Address already in use" not in said:
            break
        proc.wait(60)
        proc.stdout.close()
    try:
        assert line.startswith("hub ready"), said[-2000:]
        yield endpoint, keys / "hub.key"
    finally:
        proc.terminate()
        rc = proc.wait(30)
        assert rc == 0, (tmp_path / "hub.log").read_text()[-3000:]


def test_remote_workstation_signs_in_and_loads_the_district(
    qapp: QApplication, qtbot, hub_process: tuple[str, Path], tmp_path: Path
) -> None:  # type: ignore[no-untyped-def]
    endpoint, key_file = hub_process
    client = RemoteClient(endpoint, resolve_hub_key(str(key_file)), workstation="test-ws")
    bridge = HubBridge(client)
    settings = QSettings(str(tmp_path / "ws.ini"), QSettings.Format.IniFormat)
    window = MainWindow(bridge, load_config(None), settings=settings)
    try:
        attempts: list[str] = []

        def fill() -> None:
            dialogs = [w for w in qapp.topLevelWidgets() if isinstance(w, LoginDialog)]
            if not dialogs or not dialogs[0].isVisible():
                QTimer.singleShot(50, fill)
                return
            dlg = dialogs[0]
            if not attempts:  # a wrong password first: refused, dialog stays open
                dlg.user_edit.setText("chief")
                dlg.password_edit.setText("wrong password")
                attempts.append("wrong")
                dlg.submit()
                QTimer.singleShot(50, fill)
                return
            if dlg.pending:
                QTimer.singleShot(50, fill)
                return
            if attempts == ["wrong"]:
                assert dlg.message_label.text()  # the refusal is shown
                dlg.password_edit.setText(PASSWORD)
                attempts.append("right")
                dlg.submit()

        QTimer.singleShot(0, fill)
        assert _sign_in(window)
        assert client.token
        assert window.workflow.session is not None
        assert window.workflow.session["role"] == "supervisor"
        window.start()
        qtbot.waitUntil(lambda: window.is_loaded, timeout=60000)
        assert window.district is not None and window.district.stations
        assert len(window.map.table.states) > 100  # the demo district's units, over tcp
    finally:
        window.close()
        bridge.close()
        client.close()


def test_terminals_enrolled_remotely_trust_this_hubs_key(
    hub_process: tuple[str, Path], tmp_path: Path
) -> None:
    from console.hub.messages import EnrollTerminal, Login
    from console.link.keys import load_terminal_key

    endpoint, key_file = hub_process
    hub_public = resolve_hub_key(str(key_file))
    client = RemoteClient(endpoint, hub_public, workstation="admin-ws")
    try:
        assert client.call(Login(username="root", password=PASSWORD)).ok
        r = client.call(EnrollTerminal(call_sign="南东-2-1", endpoint=endpoint))
        assert r.ok, r.error
        path = tmp_path / r.result["file_name"]
        path.write_text(r.result["key_text"], encoding="utf-8")
        path.chmod(0o600)
        key = load_terminal_key(path)
        assert key.hub_public == hub_public and key.unit == "南东-2-1"
    finally:
        client.close()
