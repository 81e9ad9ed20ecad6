"""Video > Start cameras on a workstation whose hub runs in its own process
(``python main.py --hub-process``): the window asks its hub process to run the cameras
(a request on the child's pipe), the cameras' worker feeds that hub, and the wall shows
their live previews through ``WatchCameras`` over the child's ``ipc://`` sockets.

Real parts: the hub child process (demo district, no simulation), a camera worker on a
generated tower-block video, CURVE over ``ipc://``, the demo operator's seat and a main
window on it.  Also: a camera file that cannot be read is named, and nothing starts.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import pytest

from console.config import Config
from console.video.config import load_cameras
from console.workstation.hubchild import HubChild, HubChildError
from tests.video.test_hub_cameras import camera_file
from tests.video.written import WrittenScene
from tests.widgets.hub_child import start_demo_child, window_on_child

WAIT_MS = 240_000  # a busy 2-core machine: generous, never asserted on

pytestmark = [
    pytest.mark.skipif(not sys.platform.startswith("linux"), reason="ipc endpoints: Linux"),
    pytest.mark.qt_log_ignore("This plugin does not support"),
]


@pytest.fixture
def child(tmp_path: Path) -> Iterator[HubChild]:
    c = start_demo_child(tmp_path, "operator")
    try:
        yield c
    finally:
        code = c.stop()
        assert code == 0, c.stderr_tail()


def test_cameras_started_on_the_hub_process_show_live_on_the_wall(
    qtbot: Any, child: HubChild, config: Config, throw_video: WrittenScene, tmp_path: Path
) -> None:
    w, bridge = window_on_child(qtbot, child, config, tmp_path, WAIT_MS)
    tools = w.video_tools
    try:
        assert tools.set_cameras(load_cameras(camera_file(throw_video, tmp_path)))
        assert tools.start() is None  # nothing runs in the window's process
        assert not tools.start_action.isEnabled()  # asked once
        qtbot.waitUntil(lambda: tools.child_cameras is not None, timeout=WAIT_MS)
        assert tools.child_cameras == ["tower_a"]  # the far camera is not this district's
        assert tools.feed is None and tools.dock.isVisible()
        qtbot.waitUntil(lambda: tools.watch is not None, timeout=WAIT_MS)
        # the hub's own camera list replaces the file's (the far camera's tile goes), then
        # a live preview reaches the tile
        qtbot.waitUntil(lambda: list(tools.wall.tiles) == ["tower_a"], timeout=WAIT_MS)
        qtbot.waitUntil(lambda: tools.wall.tiles["tower_a"].image is not None, timeout=WAIT_MS)
        assert tools.wall.decoder.decoded_on == {"video-decoder"}  # never the GUI thread
        assert child.start_cameras(str(camera_file(throw_video, tmp_path))) == ["tower_a"]
    finally:
        tools.unwatch()
        bridge.close()
        w.close()


def test_a_camera_file_the_hub_process_cannot_read_is_named(
    child: HubChild, tmp_path: Path
) -> None:
    bad = tmp_path / "cameras.toml"
    bad.write_text('district = "huangpu_demo"\n[cameras.x]\nkind = "nonsense"\n', "utf-8")
    with pytest.raises(HubChildError, match="did not start the cameras: camera file"):
        child.start_cameras(str(bad))
    with pytest.raises(HubChildError, match="did not start the cameras"):
        child.start_cameras(str(tmp_path / "missing.toml"))
    assert child.reload_history() == 0  # the hub process still answers
