"""File > Import past 110 calls on a real main window and a real embedded hub: rows checked
and counted, the hub's history reloaded and the heat redrawn; a cancel in the middle of
writing leaves nothing (the engine's one transaction rolls back)."""

from __future__ import annotations

import csv
import datetime as dt
import os
import threading
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from zoneinfo import ZoneInfo

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import numpy as np
import pytest
from PySide6.QtCore import QSettings, Qt
from PySide6.QtWidgets import QApplication, QPushButton
from sqlalchemy import inspect

from console.demo.district import is_inside
from console.demo.huangpu_data import OUTLINE
from console.district.calls_spec import BATCH
from console.hub.hub import CommandHub
from console.link.keys import KeyPair
from console.link.remote import RemoteClient
from console.store import repos
from tests.conftest import FrozenClock, HubFactory
from widgets.bridge import HubBridge
from widgets.calls_import import CallsImport, CallsImportDialog, install_calls_import
from widgets.i18n import LanguageManager
from widgets.main_window import MainWindow

WindowFactory = Callable[..., MainWindow]  # the fixture in tests/widgets/conftest.py
WAIT_MS = 60_000
SHANGHAI = ZoneInfo("Asia/Shanghai")
HEADER = ("call_id", "reported", "lat", "lon", "kind")
pytestmark = pytest.mark.qt_log_ignore("This plugin does not support")


@pytest.fixture
def languages(qapp: QApplication) -> Iterator[LanguageManager]:
    lm = LanguageManager(qapp)
    lm.set_language("en")
    yield lm
    lm.set_language("en")


@pytest.fixture
def hub(hub_factory: HubFactory) -> CommandHub:
    return hub_factory("calls-import", clock=FrozenClock())


def inside_points(n: int, seed: int = 7) -> tuple[np.ndarray, np.ndarray]:
    """``n`` points inside the demo district's outline."""
    ol = np.asarray(OUTLINE)
    rng = np.random.default_rng(seed)
    lon: list[float] = []
    lat: list[float] = []
    while len(lon) < n:
        x = rng.uniform(ol[:, 0].min(), ol[:, 0].max(), 4 * n)
        y = rng.uniform(ol[:, 1].min(), ol[:, 1].max(), 4 * n)
        keep = is_inside(x, y)
        lon.extend(x[keep].tolist())
        lat.extend(y[keep].tolist())
    return np.asarray(lon[:n]), np.asarray(lat[:n])


def local(t: float) -> str:
    """A hub time as the district's local wall-clock text (no offset: the dialog's zone)."""
    return dt.datetime.fromtimestamp(t, SHANGHAI).strftime("%Y-%m-%d %H:%M:%S")


def write_calls(path: Path, rows: Sequence[Sequence[object]]) -> Path:
    with path.open("w", encoding="utf-8", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(HEADER)
        w.writerows(rows)
    return path


def calls_count(hub: CommandHub) -> int:
    with hub.store.session() as s:
        return repos.CallHistoryRepo(s).count()


def open_dialog(w: MainWindow) -> tuple[CallsImport, CallsImportDialog]:
    tools = w.calls_import
    assert install_calls_import(w) is tools  # a second install changes nothing
    act = w.action("importCalls")
    assert act in w.menu("file").actions()
    act.trigger()
    assert tools.dialog is not None and tools.dialog.isVisible()
    return tools, tools.dialog


def test_import_counts_rows_reloads_history_and_redraws_heat(  # type: ignore[no-untyped-def]
    qtbot, window_factory: WindowFactory, hub: CommandHub, languages, tmp_path: Path
) -> None:
    now = hub.clock()
    (a, b, c, d), (ya, yb, yc, yd) = inside_points(4)
    good = [
        ("A-1", local(now - 3600), ya, a, "theft"),
        ("A-2", local(now - 2 * 86400), yb, b, "fight"),
        ("A-3", local(now - 5 * 86400), yc, c, "robbery"),
        ("A-4", local(now - 9 * 86400), yd, d, "theft"),
    ]
    bad = [
        ("B-1", "", ya, a, "theft"),  # line 6: empty time
        ("B-2", local(now - 3600), ya, a, "alien_landing"),  # line 7: unknown type
        ("B-3", local(now - 3600), 31.0, 121.0, "theft"),  # line 8: outside the district
        ("B-4", local(now - 3600), "north", a, "theft"),  # line 9: not a position
        ("A-2", local(now - 3600), yb, b, "fight"),  # line 10: id repeated
    ]
    path = write_calls(tmp_path / "calls.csv", good + bad)

    w = window_factory(hub)
    panel = w.map_tools.heat_panel
    with qtbot.waitSignal(panel.heatLoaded, timeout=WAIT_MS):
        panel.request()  # the filter's own grid before the import (last 30 days, all types)
    assert panel.grid is not None
    heat_before = panel.grid.n_calls
    stored_before, hist_before = calls_count(hub), len(hub.hist_t)

    # an operator may not import: the dialog is not offered
    client = w.bridge.client
    client.role = "operator"
    assert w.calls_import.open_dialog() is None
    assert w.calls_import.notice is not None and "supervisor" in w.calls_import.notice.text()
    w.calls_import.notice.close()
    client.role = "supervisor"

    tools, dialog = open_dialog(w)
    dialog.set_file(path)  # the header fills the column choices; the guesses are right
    assert [dialog.column(k) for k in ("time", "lat", "lon", "type", "id")] == [
        "reported",
        "lat",
        "lon",
        "kind",
        "call_id",
    ]
    assert dialog.tz_box.currentText() == "Asia/Shanghai"  # the district's zone
    with qtbot.waitSignal(tools.historyReloaded, timeout=WAIT_MS) as reloaded:
        qtbot.mouseClick(dialog.import_button, Qt.MouseButton.LeftButton)
        qtbot.waitUntil(lambda: dialog.outcome != "", timeout=WAIT_MS)
        assert dialog.outcome == "added", dialog.summary.toPlainText()
    res = dialog.result_
    assert res is not None
    assert (res.rows, res.added, res.already, len(res.rejected)) == (9, 4, 0, 5)
    assert {r.where for r in res.rejected} == {f"line {k}" for k in range(6, 11)}
    text = dialog.summary.toPlainText()
    assert "9 rows read, 4 calls added, 0 already stored, 5 rejected" in text
    assert "line 6, field reported: empty" in text
    assert "type 'alien_landing' not a configured incident type" in text
    assert "coordinates outside the district" in text
    assert "duplicate id 'A-2'" in text
    assert dialog.rejects_button.isEnabled()
    assert calls_count(hub) == stored_before + 4

    # the hub took the calls in on its own thread, and the heat filter asked again
    assert reloaded.args[0] in (0, 4)  # 0: the hub's own once-a-minute look was first
    assert len(hub.hist_t) == hist_before + 4
    qtbot.waitUntil(
        lambda: panel.grid is not None and panel.grid.n_calls == heat_before + 4,
        timeout=WAIT_MS,
    )
    assert w.heat is panel.grid  # the map's heat layer shows the new grid

    # the same file again adds nothing (by id)
    qtbot.mouseClick(dialog.import_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: dialog.result_ is not None and not dialog.running, timeout=WAIT_MS)
    assert dialog.result_ is not None
    assert (dialog.result_.added, dialog.result_.already) == (0, 4)
    assert calls_count(hub) == stored_before + 4


def test_cancel_while_writing_leaves_nothing(  # type: ignore[no-untyped-def]
    qtbot, window_factory: WindowFactory, hub: CommandHub, languages, tmp_path: Path
) -> None:
    n = BATCH + 10_000  # two batches: the first is written before the cancel
    lon, lat = inside_points(n, seed=11)
    t = hub.clock() - np.linspace(60.0, 20 * 86400.0, n)
    path = write_calls(
        tmp_path / "many.csv",
        [(f"C-{k}", f"{t[k]:.0f}", f"{lat[k]:.6f}", f"{lon[k]:.6f}", "theft") for k in range(n)],
    )
    w = window_factory(hub)
    stored_before, hist_before = calls_count(hub), len(hub.hist_t)
    _, dialog = open_dialog(w)
    dialog.set_file(path)

    # the worker stops right after the first batch went into the transaction, until the
    # operator has pressed Cancel in the progress dialog: the cancel lands mid-write
    paused, resume = threading.Event(), threading.Event()

    def hold(phase: str, done: int, total: int) -> None:  # on the worker thread
        if phase == "writing" and 0 < done < total and not paused.is_set():
            paused.set()
            resume.wait(WAIT_MS / 1000)

    dialog.job.progressed.connect(hold, Qt.ConnectionType.DirectConnection)
    try:
        assert dialog.start_import()
        qtbot.waitUntil(paused.is_set, timeout=WAIT_MS)
        progress = dialog.progress
        assert progress is not None and progress.isVisible()
        cancel = progress.findChild(QPushButton)
        assert cancel is not None and cancel.text() == "Cancel import"
        qtbot.mouseClick(cancel, Qt.MouseButton.LeftButton)
        assert dialog.job.cancel_requested
    finally:
        resume.set()
    qtbot.waitUntil(lambda: dialog.outcome != "", timeout=WAIT_MS)
    assert dialog.outcome == "cancelled", dialog.summary.toPlainText()
    assert "nothing was written" in dialog.summary.toPlainText()
    assert dialog.result_ is None and dialog.progress is None
    assert dialog.import_button.isEnabled()
    assert calls_count(hub) == stored_before  # not one of the 50,000 written rows stayed
    indexes = {ix["name"] for ix in inspect(hub.store.engine).get_indexes("call_history")}
    assert "ix_call_history_t" in indexes  # the dropped time index came back with the rollback
    assert len(hub.hist_t) == hist_before
    # Close while nothing runs closes the dialog
    qtbot.mouseClick(dialog.close_button, Qt.MouseButton.LeftButton)
    assert not dialog.isVisible()


def test_a_remote_seat_is_told_where_calls_are_imported(  # type: ignore[no-untyped-def]
    qtbot, config, languages, tmp_path: Path
) -> None:
    # a workstation for a hub on another machine (nothing needs to answer: no file moves)
    client = RemoteClient.with_explicit(
        "tcp://127.0.0.1:1", "tcp://127.0.0.1:2", KeyPair.generate().public, role="supervisor"
    )
    try:
        bridge = HubBridge(client)
        settings = QSettings(str(tmp_path / "remote.ini"), QSettings.Format.IniFormat)
        w = MainWindow(bridge, config, settings=settings)
        bridge.setParent(w)
        qtbot.addWidget(w)
        w.action("importCalls").trigger()
        tools = w.calls_import
        assert tools.dialog is None  # nothing is imported into this workstation
        assert tools.notice is not None
        text = tools.notice.text()
        assert "on the hub's machine" in text and "main.py calls import" in text
        tools.notice.close()
        bridge.close()
    finally:
        client.close()
