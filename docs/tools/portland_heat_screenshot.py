"""Render the Portland heat screenshot: 37,819 real 110-type calls through the console.

    QT_QPA_PLATFORM=offscreen python docs/tools/portland_heat_screenshot.py [docs/]
        [--calls ../shared/data/incidents/portland-nij-2016-aug-sep.csv] [--lang en]

What it does, all through the product's own paths, in a temporary database:

1. imports the Portland district package (``resources/districts/portland``: an outline
   around the calls, three approximate precincts, a coarse road grid, the type map) as
   ``main.py district import`` does;
2. starts the workstation on that district (embedded hub, real clock, no simulation);
3. imports the NIJ 2016 calls (Aug-Sep 2016, Portland Police Bureau) with
   File > Import past 110 calls (the dialog, its worker thread and progress dialog),
   columns ``occurred_on``/``lat``/``lon``/``description``, the package's type map, time
   zone America/Los_Angeles;
4. sets the heat filter to a custom window of the two months (the default window counts
   back from today and would hold none of them), waits for the hub's heat grid, and saves

   - ``screenshot-portland-heat.png``: the window, heat layer over the Portland outline;
   - ``screenshot-calls-import.png``: the import dialog with its summary.

The figures (rows read, added, rejected, seconds) are printed.  Hub and audit keys go to
a temporary key folder, never the user's.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import sys
import tempfile
import time
from pathlib import Path
from zoneinfo import ZoneInfo

if not os.environ.get("DISPLAY"):
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
ROOT = Path(__file__).resolve().parents[2]
if str(ROOT) not in sys.path:  # run as a script from anywhere: find the project's packages
    sys.path.insert(0, str(ROOT))

PACKAGE = ROOT / "resources" / "districts" / "portland"
CALLS = ROOT.parent / "shared" / "data" / "incidents" / "portland-nij-2016-aug-sep.csv"
ZONE = "America/Los_Angeles"
WINDOW = (dt.datetime(2016, 8, 1), dt.datetime(2016, 10, 1))  # local, end exclusive
SIZE = (1920, 1080)
BANDWIDTH_M = 400
"""Smoothing for a whole city (the default 120 m suits a few streets of Huangpu)."""
HIDDEN_DOCKS = (
    "alertsDock",
    "crowdDock",
    "messagesDock",
    "incidentMediaDock",
    "videoWallDock",
    "incidentDock",
    "planQueueDock",
    "patrolDock",
    "unitDock",
    "unitBoardDock",
    "staleDock",
)
HIDDEN_LAYERS = ("roads", "units", "fixed_points")
"""The package's roads are a coarse approximate grid; no unit has a fix; no 1-minute points."""


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    ap.add_argument("out", nargs="?", default=ROOT / "docs", type=Path)
    ap.add_argument("--calls", type=Path, default=CALLS)
    ap.add_argument("--lang", default="en", help="interface language (en, zh_CN)")
    args = ap.parse_args(argv)
    if not args.calls.is_file():
        print(f"calls file {args.calls} not found", file=sys.stderr)
        return 2
    with tempfile.TemporaryDirectory(prefix="portland-heat-") as tmp:
        from console.link.keys import KEY_DIR_ENV, create_hub_keys

        keydir = Path(tmp) / "keys"
        create_hub_keys(keydir)
        os.environ[KEY_DIR_ENV] = str(keydir)
        return render(args.out, args.calls, args.lang, Path(tmp))


def render(out: Path, calls: Path, lang: str, tmp: Path) -> int:
    from PySide6.QtCore import QSettings, Qt

    from console.config import load_config
    from console.district.importer import import_package
    from console.hub.bootstrap import open_hub
    from console.hub.client import InprocClient
    from console.store.db import open_store
    from widgets.app import prepare_application, spin, wait_for
    from widgets.bridge import HubBridge
    from widgets.i18n import LanguageManager
    from widgets.main_window import MainWindow

    app = prepare_application([sys.argv[0]])
    LanguageManager(app).set_language(lang)
    out.mkdir(parents=True, exist_ok=True)
    cfg = load_config()
    url = f"sqlite:///{tmp}/portland.sqlite3"
    store = open_store(url)
    try:
        done = import_package(store, PACKAGE, cfg)
        print(*done.lines(), sep="\n")
    finally:
        store.close()

    hub = open_hub(url, cfg, simulate=False)
    client = InprocClient(hub, actor="screenshot", role="supervisor", workstation="docs")
    bridge = HubBridge(client)
    settings = QSettings(str(tmp / "shot.ini"), QSettings.Format.IniFormat)
    window = MainWindow(bridge, hub.config, settings=settings)
    try:
        window.resize(*SIZE)
        window.start()
        window.show()
        if not wait_for(lambda: window.is_loaded, 60):
            print("warning: the window did not finish loading", file=sys.stderr)

        # ---- File > Import past 110 calls, as an operator would
        window.action("importCalls").trigger()
        dialog = window.calls_import.dialog
        if dialog is None:
            print("the import dialog did not open", file=sys.stderr)
            return 1
        dialog.set_file(calls)
        dialog.set_columns("occurred_on", "lat", "lon", "description")
        dialog.type_map_edit.setText(str(PACKAGE / "calls-type-map.csv"))
        dialog.tz_box.setCurrentText(ZONE)
        reloaded: list[int] = []
        window.calls_import.historyReloaded.connect(reloaded.append)
        t0 = time.perf_counter()
        if not dialog.start_import():
            print(dialog.summary.toPlainText(), file=sys.stderr)
            return 1
        progress_seen = wait_for(lambda: dialog.progress is not None, 5)
        if not wait_for(lambda: dialog.outcome != "", 300):
            print("the import did not finish", file=sys.stderr)
            return 1
        wall = time.perf_counter() - t0
        print(dialog.summary.toPlainText().splitlines()[0])
        print(
            f"import through the dialog: {wall:.1f} s wall (progress dialog shown: {progress_seen})"
        )
        if dialog.outcome != "added":
            print(dialog.summary.toPlainText(), file=sys.stderr)
            return 1
        spin(300)
        dialog.grab().save(str(out / "screenshot-calls-import.png"))
        dialog.hide()
        if not wait_for(lambda: bool(reloaded), 30):
            print("warning: the hub did not reload its history", file=sys.stderr)

        # ---- the heat of the two months
        panel = window.map_tools.heat_panel
        tz = ZoneInfo(ZONE)
        t_from, t_to = (d.replace(tzinfo=tz).timestamp() for d in WINDOW)
        got: list[object] = []
        panel.heatLoaded.connect(got.append)
        panel.set_custom_range(t_from, t_to)
        panel.set_bandwidth(BANDWIDTH_M)
        panel.request()
        if not wait_for(lambda: bool(got), 60):
            print("warning: no heat grid arrived", file=sys.stderr)
        grid = window.heat
        if grid is not None:
            print(f"heat: {grid.n_calls:,} calls in the window, peak {grid.max:,.0f} per km²")
        # what an operator looking at the city's heat would do: the map as large as the
        # screen allows beside the heat filter, and the layers that hide the heat off
        for key in HIDDEN_DOCKS:
            if key in window.dock_keys():
                window.dock(key).hide()
        window.map_tools.heat_dock.raise_()
        # the heat filter whole, down to its "calls match" line; the layer switches above
        window.resize_docks(["layerDock", "heatDock"], [170, 900], Qt.Orientation.Vertical)
        window.set_layer_visible("heat", True)
        for key in HIDDEN_LAYERS:
            window.set_layer_visible(key, False)
        spin(300)
        window.map.zoom_to_district()
        spin(1000)
        path = out / "screenshot-portland-heat.png"
        window.grab().save(str(path))
        print(path)
        return 0
    finally:
        bridge.close()
        window.close()
        client.close()
        hub.stop()
        hub.store.close()


if __name__ == "__main__":
    sys.exit(main())
