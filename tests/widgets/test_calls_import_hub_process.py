"""File > Import past 110 calls on a workstation whose hub runs in its own process
(``python main.py --hub-process``): the window writes into the database the child named in
its ``READY`` line, the child's hub takes the calls in on its own thread when asked over the
pipe, and the heat map redraws with them.

Real parts: the hub child process (demo district, no simulation), its CURVE ``ipc://`` link,
the demo supervisor's seat, a main window on it, a CSV file.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import pytest
from PySide6.QtCore import Qt

from console.config import Config
from console.store import repos
from console.workstation.hubchild import HubChild, HubChildError
from tests.widgets.hub_child import start_demo_child, window_on_child
from tests.widgets.test_calls_import_dialog import inside_points, local, open_dialog, write_calls
from widgets.i18n import LanguageManager
from widgets.main_window import MainWindow

ROOT = Path(__file__).resolve().parents[2]
WAIT_MS = 120_000

pytestmark = [
    pytest.mark.skipif(not sys.platform.startswith("linux"), reason="ipc endpoints: Linux"),
    pytest.mark.qt_log_ignore("This plugin does not support"),
]


@pytest.fixture
def child(tmp_path: Path) -> Iterator[HubChild]:
    c = start_demo_child(tmp_path, "supervisor")
    try:
        yield c
    finally:
        code = c.stop()
        assert code == 0, c.stderr_tail()


@pytest.fixture
def window(qtbot: Any, child: HubChild, config: Config, tmp_path: Path) -> Iterator[MainWindow]:
    w, bridge = window_on_child(qtbot, child, config, tmp_path, WAIT_MS)
    yield w
    bridge.close()
    w.close()


def test_calls_imported_on_the_hub_process_reach_its_history_and_the_heat(
    qtbot: Any, qapp: Any, child: HubChild, window: MainWindow, tmp_path: Path
) -> None:
    LanguageManager(qapp).set_language("en")
    w = window
    assert child.db_url.endswith("demo.db")  # named in its READY line
    now = w.clock.now()  # the hub's time (its clock runs in the child, unfrozen)
    (a, b, c, d), (ya, yb, yc, yd) = inside_points(4, seed=11)
    rows = [
        ("P-1", local(now - 3600), ya, a, "theft"),
        ("P-2", local(now - 2 * 86400), yb, b, "fight"),
        ("P-3", local(now - 5 * 86400), yc, c, "robbery"),
        ("P-4", local(now - 9 * 86400), yd, d, "theft"),
        ("P-5", local(now - 3600), 31.0, 121.0, "theft"),  # outside the district: refused
    ]
    path = write_calls(tmp_path / "calls.csv", rows)
    panel = w.map_tools.heat_panel
    # a fixed window: a sliding one ("last 30 days") loses the demo's oldest calls while
    # the clock runs, and the count after the import would miss by them
    panel.set_custom_range(now - 20 * 86400, now + 3600)
    with qtbot.waitSignal(panel.heatLoaded, timeout=WAIT_MS):
        panel.request()
    assert panel.grid is not None
    heat_before = panel.grid.n_calls

    tools, dialog = open_dialog(w)  # a supervisor's seat on a hub of this machine
    assert dialog.target.hub is child and dialog.target.store is child.store()
    assert "黄浦" in dialog.intro.text() or "Huangpu" in dialog.intro.text()
    dialog.set_file(path)
    with qtbot.waitSignal(tools.historyReloaded, timeout=WAIT_MS) as reloaded:
        qtbot.mouseClick(dialog.import_button, Qt.MouseButton.LeftButton)
        qtbot.waitUntil(lambda: dialog.outcome != "", timeout=WAIT_MS)
        assert dialog.outcome == "added", dialog.summary.toPlainText()
    res = dialog.result_
    assert res is not None and (res.added, len(res.rejected)) == (4, 1)
    assert reloaded.args[0] in (0, 4)  # 0: the hub's own once-a-minute look was first
    with child.store().session() as s:
        assert repos.CallHistoryRepo(s).count() >= 4
    # the hub process took them in: its heat (asked for again by the filter) has them
    qtbot.waitUntil(
        lambda: panel.grid is not None and panel.grid.n_calls == heat_before + 4,
        timeout=WAIT_MS,
    )
    assert w.heat is panel.grid
    assert child.reload_history() == 0  # nothing more is new to it


def test_a_hub_process_that_is_gone_is_named_and_an_unknown_request_refused(
    tmp_path: Path,
) -> None:
    child = start_demo_child(tmp_path, "supervisor")
    try:
        child.send_line("fly-to-the-moon")
        assert child.next_line(60) == "UNKNOWN fly-to-the-moon"
        assert child.reload_history() == 0  # nothing imported: nothing new
        assert child.proc is not None
        child.proc.kill()  # killed under the workstation
        child.proc.wait(30)
        with pytest.raises(HubChildError, match="the hub process is gone"):
            child.reload_history(timeout_s=5)
    finally:
        child.stop()
