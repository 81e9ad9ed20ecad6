"""``python main.py terminal --gui`` / ``python -m widgets.terminal``: the officer's terminal app.

Options as the shell terminal's (key file, hub, local store, where the position
comes from: a GNSS receiver on a serial port at its baud rate, an NMEA file, a
route, a fixed point), plus the language, the form (tablet or phone; ``auto``
picks by screen size) and ``--screenshot FILE`` to render the window and exit.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

import platformdirs
from PySide6.QtCore import QEventLoop, QTimer
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QApplication

from console.link.keys import APP_NAME, KeyFileError, load_terminal_key, safe_stem
from console.terminal.client import TerminalClient
from console.terminal.gnss import BAUD_RATES, SerialGnss
from console.terminal.gps import FixedSource, NmeaSource, PositionSource, load_route
from console.terminal.localstore import SqliteStore
from widgets.terminal.alarm import Alarm
from widgets.terminal.bridge import TerminalBridge
from widgets.terminal.window import TerminalWindow


def parser() -> argparse.ArgumentParser:
    ap = argparse.ArgumentParser(prog="main.py terminal --gui", description="警务终端 terminal app")
    ap.add_argument("--gui", action="store_true", help=argparse.SUPPRESS)
    ap.add_argument("--hub", metavar="ENDPOINT", help="hub endpoint (default: the key file's)")
    ap.add_argument("--key", metavar="FILE", type=Path, required=True, help="terminal key file")
    ap.add_argument("--store", metavar="FILE", type=Path, help="local state (default: user data)")
    src = ap.add_mutually_exclusive_group()
    src.add_argument("--gnss", metavar="PORT", help="GNSS receiver on a serial port")
    src.add_argument("--nmea", metavar="FILE", type=Path, help="NMEA file (replayed) or device")
    src.add_argument("--route", metavar="FILE", type=Path, help="CSV lon,lat or GeoJSON to drive")
    src.add_argument("--fixed", metavar="LON,LAT", help="stay at one place")
    ap.add_argument("--baud", type=int, default=9600, choices=BAUD_RATES, help="GNSS baud rate")
    ap.add_argument("--speed", type=float, default=8.0, help="route speed, m/s")
    ap.add_argument("--lang", choices=("zh", "en"), default="zh", help="language (Chinese first)")
    ap.add_argument("--form", choices=("auto", "tablet", "phone"), default="auto")
    ap.add_argument("--mute", action="store_true", help="no sound (the banner still flashes)")
    ap.add_argument("--screenshot", metavar="FILE", type=Path, help="render the window and exit")
    return ap


def position_source(args: argparse.Namespace) -> PositionSource | None:
    if args.gnss:
        return SerialGnss(args.gnss, args.baud).start()
    if args.nmea:
        return NmeaSource(args.nmea, baud=args.baud)
    if args.route:
        r = load_route(args.route)
        r.speed = args.speed
        return r
    if args.fixed:
        lon, lat = (float(v) for v in args.fixed.split(","))
        return FixedSource(lon, lat)
    return None


def application() -> QApplication:
    """The QApplication with a CJK font (shared with the workstation's set-up)."""
    from widgets.app import ensure_qt_environment, prepare_application

    ensure_qt_environment()
    app = prepare_application([sys.argv[0]])
    app.setStyleSheet("")  # the workstation's style sheet is for a desk screen
    return app


def auto_form() -> str:
    screen = QGuiApplication.primaryScreen()
    if screen is None:
        return "tablet"
    size = screen.availableSize()
    return "phone" if size.width() < 700 or size.height() > size.width() else "tablet"


def grab(window: TerminalWindow, path: Path, settle_ms: int = 600) -> None:
    """Let the window lay itself out and paint, then save it as an image."""
    loop = QEventLoop()
    QTimer.singleShot(settle_ms, loop.quit)
    loop.exec()
    path.parent.mkdir(parents=True, exist_ok=True)
    if not window.grab().save(str(path)):
        raise OSError(f"could not write {path}")


def main(argv: list[str] | None = None) -> int:
    args = parser().parse_args(sys.argv[1:] if argv is None else argv)
    try:
        key = load_terminal_key(args.key)
        source = position_source(args)
    except (KeyFileError, ValueError, OSError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    endpoint = args.hub or key.endpoint
    if not endpoint:
        print("error: no hub endpoint: pass --hub or enrol with --endpoint", file=sys.stderr)
        return 2
    path = args.store or Path(platformdirs.user_data_dir(APP_NAME)) / (
        f"terminal-{safe_stem(key.unit)}.sqlite3"
    )
    store = SqliteStore(path)
    app = application()

    def make(on_event: Any) -> TerminalClient:
        return TerminalClient(key, endpoint, store, on_event=on_event, maps=store)

    bridge = TerminalBridge(make, source).start()
    form = auto_form() if args.form == "auto" else args.form
    window = TerminalWindow(bridge, lang=args.lang, form=form, alarm=Alarm(muted=args.mute))
    window.show()
    try:
        if args.screenshot is not None:
            grab(window, args.screenshot, settle_ms=3000)
            return 0
        return int(app.exec())
    finally:
        window.close()
        store.close()
