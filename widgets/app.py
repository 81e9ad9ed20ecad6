"""Start the workstation GUI on a hub client (embedded or remote, same code).

``run_gui`` is the one entry point: it prepares Qt (platform, font,
translator), builds the main window, asks the hub for district, situation and
heatmap, and runs the event loop.  With ``screenshot`` it instead waits until
the picture is complete (or a time limit passes), saves the window as an
image and returns, which makes a headless smoke test of the whole GUI.
"""

from __future__ import annotations

import logging
import os
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from PySide6.QtCore import (
    QElapsedTimer,
    QEventLoop,
    QMessageLogContext,
    QSettings,
    QTimer,
    QtMsgType,
    qInstallMessageHandler,
)
from PySide6.QtGui import QFont, QFontDatabase
from PySide6.QtWidgets import QApplication

from console.config import Config
from console.hub.client import HubClient
from console.workstation.hubchild import HubChild
from widgets.bridge import HubBridge
from widgets.gui_heap import tune_gui_process
from widgets.i18n import DEFAULT_LANGUAGE, LanguageManager
from widgets.main_window import SETTINGS_APP, SETTINGS_ORG, MainWindow

log = logging.getLogger(__name__)

CJK_FONTS = ("WenQuanYi Micro Hei", "Noto Sans CJK SC", "Noto Sans SC", "Source Han Sans SC")
STYLE_SHEET = Path(__file__).resolve().parent.parent / "resources" / "style.qss"
SCREENSHOT_MAX_WAIT_MS = 8000
SCREENSHOT_MIN_MOVES = 3
SCREENSHOT_SETTLE_MS = 400  # let the map's redraw timer paint the last positions


NO_DISPLAY = (
    "cannot open the console window: there is no display (neither DISPLAY nor "
    "WAYLAND_DISPLAY is set). Start it in a desktop session (or over 'ssh -X'); for a "
    "run without a window use --screenshot FILE, or set QT_QPA_PLATFORM=offscreen."
)
NO_DISPLAY_EXIT = 2


SERIAL_FILLS = "QT_NO_GUI_THREADPOOL"
"""Qt's raster engine hands every blit or fill of more than about 96 scanlines (each cached
map layer, every frame) to a pool of worker threads and waits for them: on a workstation's
few cores, beside the hub and the link, the GUI thread then waits for a worker to be
scheduled.  Set (read by Qt when it first fills), the fills stay on the GUI thread: A/B
of ``bench/shift.py``, three pairs, p99 stall 12.1-14.0 ms against 14.5-15.7 ms (issue 15)."""


def ensure_qt_environment(offscreen: bool | None = None) -> None:
    """Environment Qt needs before the QApplication exists (root sandbox, serial fills,
    display).

    Without a display the console used to start on Qt's offscreen platform: a console
    nobody could see.  Now the offscreen platform is used only when asked: ``offscreen``
    (a ``--screenshot`` run; None: ``--screenshot`` on the command line) or
    ``QT_QPA_PLATFORM`` set explicitly.  Otherwise the reason is printed and the program
    exits with status 2 (``SystemExit``).
    """
    if hasattr(os, "geteuid") and os.geteuid() == 0:
        os.environ.setdefault("QTWEBENGINE_DISABLE_SANDBOX", "1")  # Chromium refuses root
    os.environ.setdefault(SERIAL_FILLS, "1")
    if os.environ.get("QT_QPA_PLATFORM"):
        return  # the platform was chosen explicitly
    headless = not os.environ.get("DISPLAY") and not os.environ.get("WAYLAND_DISPLAY")
    if not (sys.platform.startswith("linux") and headless):
        return
    asked = (
        offscreen
        if offscreen is not None
        else any(a == "--screenshot" or a.startswith("--screenshot=") for a in sys.argv[1:])
    )
    if asked:
        os.environ["QT_QPA_PLATFORM"] = "offscreen"
        return
    print(NO_DISPLAY, file=sys.stderr)
    raise SystemExit(NO_DISPLAY_EXIT)


# window-manager hints the headless platform cannot honour; harmless, but they drown real warnings
_OFFSCREEN_NOISE = ("This plugin does not support",)
_previous_handler: Any = None
_quiet_installed = False


def _quiet_offscreen(mode: QtMsgType, context: QMessageLogContext, message: str) -> None:
    """Drop the offscreen platform's "not supported" chatter; pass everything else on."""
    if message.startswith(_OFFSCREEN_NOISE):
        return
    if callable(_previous_handler):
        _previous_handler(mode, context, message)
    else:
        sys.stderr.write(message + "\n")


def choose_cjk_font() -> str | None:
    """The first installed font family that shows Chinese well, or None."""
    installed = set(QFontDatabase.families())
    return next((f for f in CJK_FONTS if f in installed), None)


def prepare_application(
    argv: Sequence[str] | None = None, *, offscreen: bool | None = None
) -> QApplication:
    """The QApplication (created if needed) with names, font and style sheet set;
    ``offscreen`` as for :func:`ensure_qt_environment`."""
    app = QApplication.instance()
    if app is None:
        ensure_qt_environment(offscreen)
        app = QApplication(list(argv) if argv is not None else sys.argv[:1])
    if not isinstance(app, QApplication):
        raise RuntimeError("a QCoreApplication without widgets already exists; cannot show a GUI")
    tune_gui_process()  # the GUI thread shares the GIL with the embedded hub (gui_heap.py)
    global _previous_handler, _quiet_installed
    if app.platformName() == "offscreen" and not _quiet_installed:
        _previous_handler = qInstallMessageHandler(_quiet_offscreen)
        _quiet_installed = True
    app.setOrganizationName(SETTINGS_ORG)
    app.setApplicationName(SETTINGS_APP)
    family = choose_cjk_font()
    if family is not None:
        font = QFont(family)
        font.setPointSizeF(max(app.font().pointSizeF(), 9.5))
        app.setFont(font)
    else:
        log.warning("no CJK font found (install fonts-wqy-microhei); Chinese may not render")
    if STYLE_SHEET.exists():
        app.setStyleSheet(STYLE_SHEET.read_text(encoding="utf-8"))
    return app


def run_gui(
    client: HubClient,
    config: Config,
    *,
    screenshot: Path | None = None,
    lang: str = DEFAULT_LANGUAGE,
    argv: Sequence[str] | None = None,
    sign_in: bool = False,
    hub_process: HubChild | None = None,
) -> int:
    """Show the main window for ``client``; returns the process exit code.

    ``sign_in`` (remote hubs): ask for user name and password first, because a
    remote hub answers nothing but a sign-in until it knows who is asking.
    ``hub_process``: the workstation's own hub child that ``client`` talks to.
    """
    app = prepare_application(argv, offscreen=screenshot is not None)
    languages = LanguageManager(app)
    languages.set_language(lang)
    bridge = HubBridge(client)
    settings: QSettings | None = None
    tmp: tempfile.TemporaryDirectory[str] | None = None
    if screenshot is not None:  # the default layout, and the operator's own layout untouched
        tmp = tempfile.TemporaryDirectory(prefix="dispatch-shot-")
        settings = QSettings(str(Path(tmp.name) / "shot.ini"), QSettings.Format.IniFormat)
    window = MainWindow(bridge, config, languages=languages, settings=settings)
    window.hub_process = hub_process
    try:
        if sign_in and not _sign_in(window):
            return 1
        window.start()
        window.show()
        if screenshot is not None:
            return _screenshot(window, Path(screenshot))
        return int(app.exec())
    finally:
        window.close()
        bridge.close()
        window.deleteLater()
        if tmp is not None:
            tmp.cleanup()


def _sign_in(window: MainWindow) -> bool:
    """Modal sign-in before the window loads anything; False if the user gives up."""
    from PySide6.QtWidgets import QDialog

    from widgets.workflow.login import LoginDialog

    dialog = LoginDialog(window.bridge, None)
    dialog.signedIn.connect(window.workflow.apply_session)
    ok = dialog.exec() == QDialog.DialogCode.Accepted
    dialog.deleteLater()
    return ok


def spin(ms: int) -> None:
    """Run the event loop for ``ms`` milliseconds (scripts that render screenshots)."""
    loop = QEventLoop()
    QTimer.singleShot(ms, loop.quit)
    loop.exec()


def wait_for(cond: Callable[[], object], timeout_s: float) -> bool:
    """Run the event loop until ``cond()`` is true; False after ``timeout_s`` seconds."""
    end = time.monotonic() + timeout_s
    while time.monotonic() < end:
        if cond():
            return True
        spin(50)
    return False


def wait_until_ready(window: MainWindow, max_wait_ms: int = SCREENSHOT_MAX_WAIT_MS) -> bool:
    """Spin the event loop until the window shows a complete picture; False on time-out."""
    loop = QEventLoop()
    clock = QElapsedTimer()
    clock.start()
    ready = [False]

    def check() -> None:
        if window.is_loaded and window.moves_received >= SCREENSHOT_MIN_MOVES:
            ready[0] = True
            loop.quit()
        elif clock.elapsed() >= max_wait_ms:
            loop.quit()

    timer = QTimer()
    timer.setInterval(50)
    timer.timeout.connect(check)
    timer.start()
    loop.exec()
    timer.stop()
    return ready[0]


def _screenshot(window: MainWindow, path: Path) -> int:
    complete = wait_until_ready(window)
    if not complete:
        log.warning(
            "screenshot taken before everything arrived (district=%s snapshot=%s heat=%s moves=%d)",
            window.district is not None,
            window.snapshot_seq is not None,
            window.heat is not None,
            window.moves_received,
        )
    settle = QEventLoop()
    QTimer.singleShot(SCREENSHOT_SETTLE_MS, settle.quit)
    settle.exec()
    path.parent.mkdir(parents=True, exist_ok=True)
    if not window.save_screenshot(path):
        log.error("could not write the screenshot to %s", path)
        return 1
    return 0
