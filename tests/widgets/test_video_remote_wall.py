"""The video wall of a workstation on a stand-alone hub shows the hub's cameras live.

A real hub process (``main.py hub --demo --cameras FILE``) runs one camera on a
generated video; the console signs in over tcp, opens the wall, and a tile shows a
preview image that came through the hub's preview socket.  Hiding the wall ends the
watch at the hub.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import pytest
from PySide6.QtCore import QSettings

from console.config import load_config
from console.hub.messages import Login
from console.hub.messages_sensing import GetPreviewStats
from console.link.keys import load_or_create_hub_keys
from console.link.remote import RemoteClient
from console.video.records import Preview
from tests.hubtrust.helpers import PASSWORD, add_users
from tests.link.helpers import HubProcess
from tests.video.conftest import THROW_SPEC
from tests.video.test_hub_cameras import camera_file
from tests.video.written import write_scene
from widgets.bridge import HubBridge
from widgets.main_window import MainWindow
from widgets.video_tools import install_video_tools

pytestmark = pytest.mark.qt_log_ignore("This plugin does not support")
WAIT_MS = 240_000  # a busy 2-core machine: generous, never asserted on


@pytest.fixture
def camera_hub(tmp_path: Path) -> Iterator[tuple[HubProcess, str]]:
    scene = write_scene(THROW_SPEC, tmp_path / "scene")
    url = f"sqlite:///{tmp_path / 'hub.sqlite3'}"
    keys = load_or_create_hub_keys(tmp_path / "keys")
    add_users(url, ("op", "operator"))
    cams = camera_file(scene, tmp_path)
    proc = HubProcess(
        url, tmp_path / "keys", tmp_path / "hub.log", "--demo", "--cameras", str(cams),
        link_only=False,
    )  # fmt: skip
    proc.start(timeout=180)
    try:
        yield proc, keys.public
    finally:
        if proc.proc is not None and proc.proc.poll() is None:
            assert proc.stop() == 0


def test_the_wall_of_a_remote_workstation_shows_the_hubs_camera_live(
    qtbot: Any, camera_hub: tuple[HubProcess, str], tmp_path: Path
) -> None:
    proc, public = camera_hub
    client = RemoteClient(proc.endpoint, public, workstation="remote-wall")
    login = client.call(Login(username="op", password=PASSWORD), timeout=60)
    assert login.ok, login.error
    bridge = HubBridge(client)
    settings = QSettings(str(tmp_path / "ws.ini"), QSettings.Format.IniFormat)
    window = MainWindow(bridge, load_config(None), settings=settings)
    try:
        window.workflow.apply_session(login.result)
        tools = install_video_tools(window)
        window.show()
        window.start()
        qtbot.waitUntil(lambda: window.is_loaded, timeout=WAIT_MS)
        assert tools.watch is None  # the wall is closed: nothing watched
        tools.show_wall()
        # the hub's own camera list replaces the local file's, then its pictures arrive
        qtbot.waitUntil(lambda: list(tools.wall.tiles) == ["tower_a"], timeout=WAIT_MS)
        tile = tools.wall.tiles["tower_a"]
        qtbot.waitUntil(lambda: tile.image is not None, timeout=WAIT_MS)
        image = tile.image
        assert image is not None and not image.isNull()
        assert isinstance(tile.preview, Preview)
        assert (image.width(), image.height()) == (320, 240)
        assert tile.state_text() == ""  # live
        assert tools.wall.decoder.decoded_on == {"video-decoder"}  # never the GUI thread

        def watchers() -> list[Any]:
            r = client.call(GetPreviewStats(), timeout=60)
            assert r.ok, r.error
            return list(r.result["watchers"])

        assert [w["who"] for w in watchers()] == ["op"]
        tools.dock.hide()  # closing the wall ends the watch at the hub
        assert tools.watch is None
        qtbot.waitUntil(lambda: watchers() == [], timeout=WAIT_MS)
    finally:
        window.close()
        bridge.close()
        client.close()
