"""Every keyboard shortcut of the fully built main window is unique and reaches its action.

Qt fires *neither* of two actions sharing a shortcut in one window (an
"ambiguous shortcut"), which is how Ctrl+E once closed no incident and
exported no map.  The window's extension API refuses such a clash at start;
these tests check the finished window (with the workflow controller and the
map tools) and the refusal itself.
"""

from __future__ import annotations

import os
from typing import Any

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QAction, QKeySequence, QShortcut
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QLabel

from widgets.main_window import MainWindow
from widgets.window_api import ExtensionError

# the offscreen platform's size hints; QTest has no text for the Find key (Ctrl+F's twin)
pytestmark = pytest.mark.qt_log_ignore(
    "This plugin does not support", "keyToAscii Unhandled key code"
)

PORTABLE = QKeySequence.SequenceFormat.PortableText


def _bindings(window: MainWindow) -> dict[str, list[QAction | QShortcut]]:
    """Every key sequence bound in the window -> the actions and shortcuts bound to it."""
    out: dict[str, list[QAction | QShortcut]] = {}
    actions = set(window.findChildren(QAction)) | set(window.actions())
    for menu_action in window.menuBar().actions():
        if menu_action.menu() is not None:
            actions |= set(menu_action.menu().actions())
    for act in actions:
        for seq in act.shortcuts():
            out.setdefault(seq.toString(PORTABLE), []).append(act)
    for sc in window.findChildren(QShortcut):
        if sc.context() == Qt.ShortcutContext.WidgetShortcut:
            continue  # fires only in its own widget (the message box's Ctrl+Return): no clash
        for seq in list(sc.keys()):
            out.setdefault(seq.toString(PORTABLE), []).append(sc)
    return out


def test_every_shortcut_is_unique_and_fires_its_action(qtbot: Any, window_factory: Any) -> None:
    window = window_factory(start=False)
    window.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is window, timeout=5_000)
    bound = _bindings(window)
    clashes = {k: [o.objectName() for o in v] for k, v in bound.items() if len(v) > 1}
    assert not clashes, f"shortcuts bound twice: {clashes}"
    # the two former Ctrl+E actions each kept a shortcut of their own
    assert bound["Ctrl+E"] == [window.action("closeIncident")]
    assert bound["Ctrl+Shift+E"] == [window.action("exportSituationAction")]
    assert {"Ctrl+N", "Ctrl+R", "Ctrl+Shift+R", "Ctrl+H", "Ctrl+F", "Ctrl+0"} <= set(bound)
    # the window's own record agrees with what Qt holds
    assert set(window.shortcut_owners()) == set(bound)
    # the one widget-local key: Ctrl+Return sends a message only from the message box
    local = [
        sc
        for sc in window.findChildren(QShortcut)
        if sc.context() == Qt.ShortcutContext.WidgetShortcut
    ]
    assert [sc.key().toString(PORTABLE) for sc in local] == ["Ctrl+Return"]
    assert local[0].parent() is window.comms_tools.messages.text_edit

    fired: list[str] = []
    for text, (target,) in sorted(bound.items()):
        assert isinstance(target, QAction), text
        target.triggered.disconnect()  # no dialogs, no quitting: only count
        target.setEnabled(True)  # e.g. "plans awaiting approval" waits for a plan
        target.triggered.connect(lambda _on=False, t=text: fired.append(t))
        QTest.keySequence(window, QKeySequence(text))
        assert fired[-1:] == [text], f"{text} did not reach {target.objectName()}"
    assert fired == sorted(bound)  # each exactly once


def test_a_second_claim_on_a_shortcut_or_key_names_both_owners(window_factory: Any) -> None:
    window = window_factory(start=False, show=False)
    with pytest.raises(ExtensionError, match=r"Ctrl\+E .*owner: intruder.*owner: workflow"):
        window.add_action("file", "grabCtrlE", lambda: "x", owner="intruder", shortcut="Ctrl+E")
    with pytest.raises(ExtensionError, match=r"Ctrl\+F .*owner: map tools"):
        window.add_action(
            None, "find2", lambda: "x", owner="intruder", shortcut=QKeySequence.StandardKey.Find
        )
    with pytest.raises(ExtensionError, match=r"dock 'heatDock'.*owner: map tools"):
        window.add_dock(
            "heatDock", lambda: "x", QLabel(), Qt.DockWidgetArea.LeftDockWidgetArea, owner="me"
        )
    with pytest.raises(ExtensionError, match=r"action 'closeIncident' .*owner: workflow"):
        window.add_action("file", "closeIncident", lambda: "x", owner="me")
    with pytest.raises(KeyError, match="no menu 'tools'"):
        window.add_action("tools", "x", lambda: "x", owner="me")
    with pytest.raises(ExtensionError, match="not a key sequence"):
        window.add_action("file", "bad", lambda: "x", owner="me", shortcut="Ctrl+Nonsense+")
    # nothing half-registered by the refusals: the free shortcut still works
    act = window.add_action("file", "fine", lambda: "Fine", owner="me", shortcut="Ctrl+Shift+F")
    assert act.text() == "Fine" and window.action("fine") is act
    assert window.shortcut_owners()["Ctrl+Shift+F"] == "action 'fine' (owner: me)"
