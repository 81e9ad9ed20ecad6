"""Render the hot-spot and forecast screenshots of the documentation from the real demo hub.

    QT_QPA_PLATFORM=offscreen python docs/tools/forecast_screenshots.py [docs/]

Starts the embedded demo hub (simulation on) in a temporary database, opens
the main window, and saves ``screenshot-hotspots.png`` (the hot spots of the
last 30 days' calls outlined over the heat, the hot-spot dock listing them,
the first one selected) and ``screenshot-forecast.png`` (the forecast of the
next shift on the map with the patrol points, the patrol-focus dock listing
them per area, the forecast dock with its hour slider).
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
from widgets.app import prepare_application, spin, wait_for  # noqa: E402
from widgets.bridge import HubBridge  # noqa: E402
from widgets.i18n import LanguageManager  # noqa: E402
from widgets.main_window import MainWindow  # noqa: E402

SIZE = (1920, 1080)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("out", nargs="?", default="docs", type=Path)
    ap.add_argument("--lang", default="zh_CN")
    ap.add_argument("--settle", type=float, default=4.0, help="seconds of simulated movement")
    args = ap.parse_args(argv)
    app = prepare_application([sys.argv[0]])
    LanguageManager(app).set_language(args.lang)
    with tempfile.TemporaryDirectory(prefix="forecast-shots-") as tmp:
        hub = start_embedded_hub(f"sqlite:///{tmp}/hub.db", simulate=True)
        client = InprocClient(hub, actor="screenshot", role="supervisor", workstation="docs")
        bridge = HubBridge(client)
        settings = QSettings(str(Path(tmp) / "shot.ini"), QSettings.Format.IniFormat)
        window = MainWindow(bridge, hub.config, settings=settings)
        tools = window.forecast_tools
        try:
            window.resize(*SIZE)
            window.start()
            window.show()
            if not wait_for(lambda: window.is_loaded and window.moves_received >= 3, 30):
                print("warning: the window did not finish loading", file=sys.stderr)
            spin(int(args.settle * 1000))
            args.out.mkdir(parents=True, exist_ok=True)

            # hot spots of the heat filter's calls (last 30 days), the first one selected
            tools.find_hotspots()
            if not wait_for(lambda: tools.hotspot_panel.result is not None, 30):
                print("warning: no hot-spot answer", file=sys.stderr)
            window.map.zoom_to_district()
            spin(600)
            if tools.hotspots.spots:
                tools.hotspot_panel.select_rank(1)
                tools.hotspots.select(1)
                window.map.zoom_to_district()  # the whole district, the first one highlighted
            spin(800)
            hot = args.out / "screenshot-hotspots.png"
            window.grab().save(str(hot))

            # the next shift's forecast and its patrol points
            window.set_layer_visible("hotspots", False)
            window.set_layer_visible("heat", False)
            tools.show_patrol_focus()
            tools.forecast_dock.raise_()
            ok = wait_for(
                lambda: (
                    tools.patrol_panel.result is not None
                    and tools.forecast_panel.forecast is not None
                ),
                30,
            )
            if not ok:
                print("warning: no forecast or patrol-focus answer", file=sys.stderr)
            tools.forecast_panel.set_step(5)  # one hour of the shift on the slider
            # a taller patrol list, its busiest area's first point selected
            window.resize_docks(["patrolDock", "unitDock"], [700, 200], Qt.Orientation.Vertical)
            first = tools.patrol_panel.tree.topLevelItem(0)
            if first is not None and first.childCount():
                point = tools.patrol_panel.select_point(first.text(0), 1)
                tools.patrol_points.select(point.area_code, point.rank)
            window.map.zoom_to_district()
            spin(1000)
            fc = args.out / "screenshot-forecast.png"
            window.grab().save(str(fc))
            print(hot, fc)
        finally:
            window.close()
            bridge.close()
            client.close()
            hub.stop()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
