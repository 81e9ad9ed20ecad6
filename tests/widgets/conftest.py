"""Widget fixtures: a main window on a real hub, built and closed for the test.

``window_factory`` builds :class:`~widgets.main_window.MainWindow` objects on hubs
from the shared ``hub_factory``/``module_hub_factory`` (``tests/conftest.py``),
each with its own bridge, client and settings file, and closes them all after the
test.  Pass a module-scoped hub for read-mostly tests; without one a fresh hub
(no simulation) is started for the test.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ.setdefault("QT_NO_GUI_THREADPOOL", "1")  # as the console runs (widgets/app.py)

import pytest
from PySide6.QtCore import QSettings

from console.hub.client import InprocClient
from console.hub.hub import CommandHub
from widgets.bridge import HubBridge
from widgets.i18n import LanguageManager
from widgets.main_window import MainWindow

LOAD_TIMEOUT_MS = 30_000

WindowFactory = Callable[..., MainWindow]


@pytest.fixture
def languages(qapp: Any) -> Iterator[LanguageManager]:
    """The interface in Chinese (the default language) for the test, English again after."""
    lm = LanguageManager(qapp)
    lm.set_language("zh_CN")
    yield lm
    lm.set_language("en")  # as found: no translator installed


@pytest.fixture
def window_factory(
    qtbot: Any, hub_factory: Callable[..., CommandHub], tmp_path: Path
) -> Iterator[WindowFactory]:
    """``window_factory(hub=None, *, actor, role, languages, settings, start, show)``:
    a main window on ``hub`` (a fresh hub when None), loaded unless ``start=False``."""
    made: list[tuple[MainWindow, HubBridge, InprocClient]] = []

    def make(
        hub: CommandHub | None = None,
        *,
        actor: str = "tester",
        role: str = "supervisor",
        workstation: str = "pytest",
        languages: LanguageManager | None = None,
        settings: QSettings | None = None,
        start: bool = True,
        show: bool = True,
    ) -> MainWindow:
        h = hub if hub is not None else hub_factory()
        client = InprocClient(h, actor=actor, role=role, workstation=workstation)
        bridge = HubBridge(client)
        if settings is None:
            ini = tmp_path / f"window-{len(made)}.ini"
            settings = QSettings(str(ini), QSettings.Format.IniFormat)
        window = MainWindow(bridge, h.config, languages=languages, settings=settings)
        bridge.setParent(window)
        qtbot.addWidget(window)
        made.append((window, bridge, client))
        if show:
            window.show()
        if start:
            window.start()
            qtbot.waitUntil(lambda: window.is_loaded, timeout=LOAD_TIMEOUT_MS)
        return window

    yield make
    for window, bridge, client in reversed(made):
        bridge.close()
        window.close()
        client.close()
