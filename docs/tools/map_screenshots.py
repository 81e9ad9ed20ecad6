"""Render the map screenshots of the documentation from the real demo hub.

    QT_QPA_PLATFORM=offscreen python docs/tools/map_screenshots.py [docs/]

Starts the embedded demo hub (simulation on) in a temporary database, opens
the main window with the map tools, waits until units have moved, then saves
``screenshot-map-district.png`` (whole district, heat and special-police
coverage gaps) and ``screenshot-map-street.png`` (Nanjing Road pedestrian
street: call signs and road names).
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

from PySide6.QtCore import QSettings  # noqa: E402 (after the path set-up)

from console.hub.bootstrap import start_embedded_hub  # noqa: E402
from console.hub.client import InprocClient  # noqa: E402
from widgets.app import prepare_application, spin, wait_for  # noqa: E402
from widgets.bridge import HubBridge  # noqa: E402
from widgets.i18n import LanguageManager  # noqa: E402
from widgets.main_window import MainWindow  # noqa: E402

STREET = "南京路步行街"
SIZE = (1920, 1080)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("out", nargs="?", default="docs", type=Path)
    ap.add_argument("--lang", default="zh_CN")
    ap.add_argument("--settle", type=float, default=6.0, help="seconds of simulated movement")
    args = ap.parse_args(argv)
    app = prepare_application([sys.argv[0]])
    LanguageManager(app).set_language(args.lang)
    with tempfile.TemporaryDirectory(prefix="map-shots-") as tmp:
        hub = start_embedded_hub(f"sqlite:///{tmp}/hub.db", simulate=True)
        client = InprocClient(hub, actor="screenshot", role="supervisor", workstation="docs")
        bridge = HubBridge(client)
        settings = QSettings(str(Path(tmp) / "shot.ini"), QSettings.Format.IniFormat)
        window = MainWindow(bridge, hub.config, settings=settings)
        tools = window.map_tools  # every main window installs its map tools
        try:
            window.resize(*SIZE)
            window.start()
            window.show()
            if not wait_for(lambda: window.is_loaded and window.moves_received >= 3, 30):
                print("warning: the window did not finish loading", file=sys.stderr)
            spin(int(args.settle * 1000))
            tools.coverage_panel.set_unit_type("special_police")
            window.set_layer_visible("coverage", True)
            wait_for(lambda: tools.coverage_panel.forces, 20)
            window.map.zoom_to_district()
            spin(800)
            args.out.mkdir(parents=True, exist_ok=True)
            district = args.out / "screenshot-map-district.png"
            window.map.grab().save(str(district))
            tools.coverage_dock.raise_()  # the coverage figures and suggested moves beside the map
            spin(400)
            window.grab().save(str(args.out / "screenshot-coverage.png"))
            window.set_layer_visible("coverage", False)
            d = window.district
            lon, lat = d.landmarks[STREET] if d is not None else (121.48, 31.2362)
            window.map.zoom_to(lon, lat, 300.0)
            spin(800)
            street = args.out / "screenshot-map-street.png"
            window.map.grab().save(str(street))
            if os.environ.get("MAP_SHOT_WINDOW"):
                window.grab().save(str(args.out / "window.png"))
            print(district, street)
        finally:
            window.close()
            bridge.close()
            client.close()
            hub.stop()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
