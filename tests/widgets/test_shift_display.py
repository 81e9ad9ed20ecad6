"""No display: the console says so and exits, instead of starting an invisible offscreen
window; the offscreen platform only when asked (--screenshot, QT_QPA_PLATFORM).  The
first-run hint (create an administrator) only where one is needed: not in the labelled
demo, whose seats open without a password."""

from __future__ import annotations

import logging
import os
import subprocess
import sys
from pathlib import Path

import pytest

from console.auth import FIRST_RUN_HINT
from tests.conftest import HubFactory
from widgets.app import NO_DISPLAY, NO_DISPLAY_EXIT, SERIAL_FILLS, ensure_qt_environment

ROOT = Path(__file__).resolve().parents[2]
pytestmark = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="X11/Wayland")


def _headless(monkeypatch: pytest.MonkeyPatch, *argv: str) -> None:
    for var in ("DISPLAY", "WAYLAND_DISPLAY", "QT_QPA_PLATFORM"):
        monkeypatch.delenv(var, raising=False)
    monkeypatch.setattr(sys, "argv", ["main.py", *argv])


def test_no_display_exits_with_a_clear_message(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    _headless(monkeypatch, "--demo")
    with pytest.raises(SystemExit) as info:
        ensure_qt_environment()
    assert info.value.code == NO_DISPLAY_EXIT
    assert "there is no display" in capsys.readouterr().err
    assert "QT_QPA_PLATFORM" not in os.environ  # no invisible offscreen console


@pytest.mark.parametrize("argv", [("--screenshot", "x.png"), ("--screenshot=x.png",)])
def test_a_screenshot_run_uses_the_offscreen_platform(
    monkeypatch: pytest.MonkeyPatch, argv: tuple[str, ...]
) -> None:
    _headless(monkeypatch, "--demo", *argv)
    ensure_qt_environment()
    assert os.environ["QT_QPA_PLATFORM"] == "offscreen"
    monkeypatch.delenv("QT_QPA_PLATFORM")
    monkeypatch.setattr(sys, "argv", ["main.py"])
    ensure_qt_environment(offscreen=True)  # run_gui(screenshot=...) asks for it directly
    assert os.environ["QT_QPA_PLATFORM"] == "offscreen"


def test_an_explicit_platform_and_a_display_are_respected(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    _headless(monkeypatch)
    monkeypatch.setenv("QT_QPA_PLATFORM", "minimal")
    ensure_qt_environment()
    assert os.environ["QT_QPA_PLATFORM"] == "minimal"
    monkeypatch.delenv("QT_QPA_PLATFORM")
    monkeypatch.setenv("DISPLAY", ":0")
    ensure_qt_environment()
    assert "QT_QPA_PLATFORM" not in os.environ


def test_the_program_itself_exits_before_opening_anything() -> None:
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in ("DISPLAY", "WAYLAND_DISPLAY", "QT_QPA_PLATFORM")
    }
    env["PYTHONPATH"] = os.pathsep.join(p for p in (env.get("PYTHONPATH"), str(ROOT)) if p)
    done = subprocess.run(
        [sys.executable, str(ROOT / "main.py"), "--demo", "--db", "sqlite://"],
        capture_output=True,
        text=True,
        timeout=120,
        env=env,
        cwd=ROOT,
        check=False,
    )
    assert done.returncode == NO_DISPLAY_EXIT, done.stderr[-2000:]
    assert NO_DISPLAY in done.stderr and "Traceback" not in done.stderr


def test_a_hub_with_real_users_asks_for_the_first_administrator(
    hub_factory: HubFactory,
) -> None:
    hub = hub_factory("first-run")
    assert hub.first_run_notice() == FIRST_RUN_HINT  # nobody could sign in to manage users
    hub.auth.create_user("chief", "值班长", "a long enough passphrase 42", "admin")
    assert hub.first_run_notice() == ""


def test_the_labelled_demo_does_not_ask_for_an_administrator(
    hub_factory: HubFactory, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.WARNING, logger="console.hub.hub"):
        hub = hub_factory("demo-seat")  # the labelled demo: seats open without a password
    assert hub.terminals.stand_ins
    assert not [r for r in caplog.records if "FIRST RUN" in r.getMessage()]


def test_the_console_keeps_its_fills_on_the_gui_thread(monkeypatch: pytest.MonkeyPatch) -> None:
    """Qt's raster engine would hand each large blit to worker threads and wait for them
    (bench/shift.py: a higher p99 stall on a 2-core workstation); the console turns that off
    before Qt reads it, whatever platform it runs on."""
    _headless(monkeypatch)
    monkeypatch.delenv(SERIAL_FILLS, raising=False)
    monkeypatch.setenv("QT_QPA_PLATFORM", "minimal")  # an explicit platform returns early
    ensure_qt_environment()
    assert os.environ[SERIAL_FILLS] == "1"
