"""Render the crowd screenshot of the documentation from the real demo hub.

    QT_QPA_PLATFORM=offscreen python docs/tools/crowd_screenshots.py [docs/]

Starts the embedded demo hub (simulation on, so its crowd places get the demo's
labelled stand-in counts) in a temporary database with a temporary key directory,
opens the main window, waits for the forecasts of the configured model (the demo
forecasts with the weekly profile first and fits the gradient boosting on the hub's
crowd worker a minute later), and saves ``screenshot-crowd.png``: the crowd chart
dock of the Bund beside the alerts dock (a crowd warning selected, its run-card
button shown), the map's crowd layer coloured at the slider's hour (the Bund's next
peak).
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
ROOT = Path(__file__).resolve().parents[2]
if str(ROOT) not in sys.path:  # run as a script from anywhere: find the project's packages
    sys.path.insert(0, str(ROOT))

from PySide6.QtCore import QSettings, Qt  # noqa: E402 (after the path set-up)

from console.hub.bootstrap import start_embedded_hub  # noqa: E402
from console.hub.client import InprocClient  # noqa: E402
from console.link.keys import KEY_DIR_ENV, create_hub_keys  # noqa: E402
from widgets.app import prepare_application, spin, wait_for  # noqa: E402
from widgets.bridge import HubBridge  # noqa: E402
from widgets.i18n import LanguageManager  # noqa: E402
from widgets.main_window import MainWindow  # noqa: E402

SIZE = (1920, 1080)
PLACE = "bund"


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("out", nargs="?", default="docs", type=Path)
    ap.add_argument("--lang", default="zh_CN")
    ap.add_argument("--wait", type=float, default=300.0, help="seconds to wait for forecasts")
    args = ap.parse_args(argv)
    app = prepare_application([sys.argv[0]])
    LanguageManager(app).set_language(args.lang)
    with tempfile.TemporaryDirectory(prefix="crowd-shots-") as tmp:
        os.environ[KEY_DIR_ENV] = str(Path(tmp) / "keys")  # never this machine's own keys
        create_hub_keys(Path(tmp) / "keys")
        hub = start_embedded_hub(f"sqlite:///{tmp}/hub.db", simulate=True)
        client = InprocClient(hub, actor="screenshot", role="supervisor", workstation="docs")
        bridge = HubBridge(client)
        settings = QSettings(str(Path(tmp) / "shot.ini"), QSettings.Format.IniFormat)
        window = MainWindow(bridge, hub.config, settings=settings)
        tools = window.crowd_tools
        try:
            window.resize(*SIZE)
            window.start()
            window.show()
            if not wait_for(lambda: window.is_loaded, 60):
                print("warning: the window did not finish loading", file=sys.stderr)

            def fitted() -> bool:  # the demo's first minute is the weekly profile's
                series = tools.panel.series.values()
                return len(series) == len(tools.places) > 0 and all(
                    s.event.model == hub.crowd.settings.forecast.model for s in series
                )

            if not wait_for(fitted, args.wait):
                print("warning: no forecasts of the configured model yet", file=sys.stderr)
            args.out.mkdir(parents=True, exist_ok=True)
            window.set_layer_visible("heat", False)
            # the chart beside the alerts (its default place is a tab behind them)
            alerts, crowd_dock = window.dock("alertsDock"), window.dock("crowdDock")
            window.removeDockWidget(crowd_dock)
            window.addDockWidget(Qt.DockWidgetArea.BottomDockWidgetArea, crowd_dock)
            window.splitDockWidget(alerts, crowd_dock, Qt.Orientation.Horizontal)
            crowd_dock.show()
            spin(300)  # the docks laid out before they are shared
            window.resize_docks(["alertsDock", "crowdDock"], [470, 800], Qt.Orientation.Horizontal)
            window.resize_docks(["crowdDock"], [430], Qt.Orientation.Vertical)
            tools.panel.select_place(PLACE)
            s = tools.panel.series.get(PLACE)
            if s is not None and s.event.peak_t is not None:  # the map at the next peak
                base = float(s.hour_times[0])
                tools.panel.set_step(round((s.event.peak_t - base) / 3600.0))
            board = window.workflow.alerts_board
            crowd = [a for a in board.ordered() if a.crowd is not None]
            if crowd:
                rows = board.ordered()
                board.table.selectRow(rows.index(crowd[0]))
            window.map.zoom_to(121.4825, 31.2320, 1900.0)  # the five places together
            spin(1500)
            shot = args.out / "screenshot-crowd.png"
            window.grab().save(str(shot))
            print(shot)
        finally:
            window.close()
            bridge.close()
            client.close()
            hub.stop()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
