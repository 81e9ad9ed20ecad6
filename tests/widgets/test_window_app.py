"""run_gui end to end: a real embedded hub, the whole window, a screenshot, exit 0."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from widgets.app import ensure_qt_environment

ROOT = Path(__file__).resolve().parents[2]

SCRIPT = textwrap.dedent(
    """
    import sys
    from pathlib import Path
    from console.config import load_config
    from console.hub.client import InprocClient
    from console.hub.hub import start_embedded_hub
    from widgets.app import run_gui

    db, shot, lang = sys.argv[1], Path(sys.argv[2]), sys.argv[3]
    config = load_config()
    hub = start_embedded_hub(f"sqlite:///{db}", config, simulate=True)
    client = InprocClient(hub, actor="smoke", role="operator", workstation="smoke")
    try:
        code = run_gui(client, config, screenshot=shot, lang=lang)
    finally:
        client.close()
        hub.stop()
    print("EXIT", code)
    sys.exit(code)
    """
)


@pytest.mark.parametrize("lang", ["zh_CN"])
def test_run_gui_saves_a_screenshot_headless(tmp_path: Path, lang: str) -> None:
    shot = tmp_path / f"window_{lang}.png"
    env = {k: v for k, v in os.environ.items() if k not in ("DISPLAY", "WAYLAND_DISPLAY")}
    env.pop("QT_QPA_PLATFORM", None)  # run_gui must choose offscreen by itself
    env["PYTHONPATH"] = os.pathsep.join(p for p in (env.get("PYTHONPATH"), str(ROOT)) if p)
    done = subprocess.run(
        [sys.executable, "-c", SCRIPT, str(tmp_path / "hub.db"), str(shot), lang],
        capture_output=True,
        text=True,
        timeout=120,
        env=env,
        cwd=ROOT,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    assert "EXIT 0" in done.stdout
    assert "screenshot taken before everything arrived" not in done.stderr
    from PySide6.QtGui import QImage

    image = QImage(str(shot))
    assert not image.isNull()
    assert image.width() >= 1200 and image.height() >= 700
    colours = {image.pixel(x, y) for x in range(0, image.width(), 37) for y in range(0, 400, 23)}
    assert len(colours) > 50  # a drawn window, not a blank rectangle


def test_headless_environment_is_prepared(monkeypatch: pytest.MonkeyPatch) -> None:
    for var in ("DISPLAY", "WAYLAND_DISPLAY", "QT_QPA_PLATFORM", "QTWEBENGINE_DISABLE_SANDBOX"):
        monkeypatch.delenv(var, raising=False)
    ensure_qt_environment(
        offscreen=True
    )  # a --screenshot run; without it: exit 2 (test_shift_display)
    if sys.platform.startswith("linux"):
        assert os.environ["QT_QPA_PLATFORM"] == "offscreen"
    if hasattr(os, "geteuid") and os.geteuid() == 0:
        assert os.environ["QTWEBENGINE_DISABLE_SANDBOX"] == "1"


def test_a_display_keeps_the_native_platform(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("QT_QPA_PLATFORM", raising=False)
    monkeypatch.setenv("DISPLAY", ":0")
    ensure_qt_environment()
    assert "QT_QPA_PLATFORM" not in os.environ
