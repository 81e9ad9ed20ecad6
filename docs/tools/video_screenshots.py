"""Renders the video wall with a detection (issue 19) from the real parts, offscreen.

    .venv/bin/python docs/tools/video_screenshots.py docs/

Generated camera scenes (labelled as synthetic on every tile) are written as video
files and watched by camera worker processes that feed an embedded demo hub, exactly
as configured cameras would: a tower block where an object is thrown, one without, a
square with people, and a stream that cannot be reached (the wall says it is down).
Once the throw has opened its incident and the wall shows it, the wall's dock is
grabbed into ``screenshot-video-wall.png``.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent.parent
if str(ROOT) not in sys.path:  # run as a script from anywhere: find the project's packages
    sys.path.insert(0, str(ROOT))

from PySide6.QtCore import QSettings, Qt  # noqa: E402 (after the path set-up)

from console.hub.bootstrap import start_embedded_hub  # noqa: E402
from console.hub.client import InprocClient  # noqa: E402
from console.video.config import parse_cameras  # noqa: E402
from console.video.hubfeed import feed_for_hub  # noqa: E402
from console.video.scenes import Scene, SceneSpec  # noqa: E402
from console.video.worker import WorkerOptions  # noqa: E402
from widgets.app import prepare_application, spin, wait_for  # noqa: E402
from widgets.bridge import HubBridge  # noqa: E402
from widgets.i18n import LanguageManager  # noqa: E402
from widgets.main_window import MainWindow  # noqa: E402
from widgets.video_tools import install_video_tools  # noqa: E402

SIZE = (1500, 860)
SCENES = (
    ("tower_12", "复兴东路 12号楼 (合成画面)", SceneSpec("facade", 902007, fps=10.0, duration=8.0)),
    ("tower_14", "复兴东路 14号楼 (合成画面)", SceneSpec("facade", 902008, fps=10.0, duration=8.0)),
    ("square", "外滩 观景平台 (合成画面)", SceneSpec("square", 902500, fps=10.0, duration=12.0)),
)


def camera_file(base: Path) -> str:
    """The generated scenes as looping file cameras, plus an unreachable stream."""
    parts = ["[incidents]\nthrow_merge_s = 600\n"]
    for cid, name, spec in SCENES:
        scene = Scene(spec)
        video, _camera, _labels = scene.write(base / cid)
        text = scene.camera_toml(cid, str(video))
        text = text.replace(f'name = "synthetic {spec.name}"', f'name = "{name}"')
        parts.append(text.replace(f"[cameras.{cid}]", f"[cameras.{cid}]\nloop = true"))
    parts.append(
        '[cameras.gate_3]\nname = "小南门 3号口"\nsource = "http://127.0.0.1:9/none.mjpg"\n'
        "lon = 121.4905\nlat = 31.2335\nframe_size = [640, 480]\n"
        "walkable = [[0, 200], [640, 200], [640, 480], [0, 480]]\ncapacity = 80\n"
        "person_height_px = [30, 90]\n"
    )
    return "\n".join(parts)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("out", nargs="?", default="docs", type=Path)
    ap.add_argument("--lang", default="zh_CN")
    args = ap.parse_args(argv)
    app = prepare_application([sys.argv[0]])
    LanguageManager(app).set_language(args.lang)
    with tempfile.TemporaryDirectory(prefix="video-shots-") as tmp:
        base = Path(tmp)
        cams = parse_cameras(camera_file(base))
        hub = start_embedded_hub(f"sqlite:///{tmp}/hub.db", simulate=True)
        client = InprocClient(hub, actor="screenshot", role="operator", workstation="docs")
        bridge = HubBridge(client)
        settings = QSettings(str(base / "shot.ini"), QSettings.Format.IniFormat)
        window = MainWindow(bridge, hub.config, settings=settings)
        tools = install_video_tools(window, cams)
        feed = feed_for_hub(hub, cams, base / "evidence", WorkerOptions(preview_hz=4.0))
        try:
            window.resize(*SIZE)
            window.start()
            window.show()
            wait_for(lambda: window.is_loaded, 60)
            tools.attach(feed.start())
            dock = tools.dock
            dock.setFloating(True)
            dock.resize(*SIZE)
            dock.show()
            wall = tools.wall
            ok = wait_for(lambda: wall.detections.count() > 0, 120)
            ok = ok and wait_for(lambda: not wall.detections.item(0).icon().isNull(), 20)
            if not ok:
                print("warning: no detection shown", file=sys.stderr)
            wall.detections.setCurrentRow(0)
            spin(2500)  # fresh previews on every tile, the down camera's retry shown
            args.out.mkdir(parents=True, exist_ok=True)
            out = args.out / "screenshot-video-wall.png"
            dock.grab().save(str(out))
            wall.show_large("tower_12")
            spin(800)
            if "--large" in (argv or sys.argv):
                dock.grab().save(str(args.out / "screenshot-video-wall-large.png"))
            print(out)
        finally:
            tools.stop()
            window.close()
            bridge.close()
            client.close()
            hub.stop()
    _ = Qt
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
