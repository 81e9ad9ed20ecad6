"""A workstation on its own hub process, for the tests of what goes through that process
(File > Import past calls, Video > Start cameras): the demo hub child with a demo seat, and
a main window on it as ``run_gui`` opens one."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from PySide6.QtCore import QSettings

from console.config import Config
from console.workstation.hubchild import DEMO_SEATS, HubChild, Seat
from widgets.bridge import HubBridge
from widgets.main_window import MainWindow


def start_demo_child(tmp_path: Path, role: str) -> HubChild:
    """The demo hub (no simulation) in a child process, with the demo seat of ``role``."""
    env = {k: v for k, v in os.environ.items() if k not in ("DISPLAY", "WAYLAND_DISPLAY")}
    c = HubChild(
        ["--demo", "--db", f"sqlite:///{tmp_path / 'demo.db'}", "--no-sim"],
        seat=Seat(DEMO_SEATS[role], role),
        forward_stderr=False,
        env=env,
    )
    c.start()
    return c


def window_on_child(
    qtbot: Any, child: HubChild, config: Config, tmp_path: Path, timeout_ms: int
) -> tuple[MainWindow, HubBridge]:
    """A loaded main window on ``child``'s client (the caller closes the bridge and window)."""
    assert child.client is not None
    bridge = HubBridge(child.client)
    settings = QSettings(str(tmp_path / "w.ini"), QSettings.Format.IniFormat)
    w = MainWindow(bridge, config, settings=settings)
    bridge.setParent(w)
    qtbot.addWidget(w)
    w.hub_process = child  # as run_gui does for the hub process
    w.show()
    w.start()
    qtbot.waitUntil(lambda: w.is_loaded, timeout=timeout_ms)
    return w, bridge
