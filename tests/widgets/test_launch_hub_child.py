"""``python main.py --hub-process``: the workstation with its hub in a child process,
through real processes.

The console is started as a user would (``main.py --hub-process --demo``), headless; the
hub child is found by the console's own log line (``hub process PID ready``).  Shown: the window is
drawn on the child's hub, the child is gone when the console exits and when the console is
killed (SIGKILL: nothing left orphaned), and a child that cannot start is named with its
reason instead of an empty window.
"""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from console.workstation.hubchild import (
    HUB_NICE,
    HubChild,
    HubChildError,
    Seat,
    yield_to_the_screen,
)

ROOT = Path(__file__).resolve().parents[2]
READY_RE = re.compile(r"hub process (\d+) ready")

pytestmark = pytest.mark.skipif(
    not sys.platform.startswith("linux"), reason="ipc endpoints and PR_SET_PDEATHSIG: Linux"
)


def _env() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in ("DISPLAY", "WAYLAND_DISPLAY")}
    env["PYTHONPATH"] = os.pathsep.join(p for p in (env.get("PYTHONPATH"), str(ROOT)) if p)
    return env


def _alive(pid: int) -> bool:
    """A process that has not ended (a zombie waiting for init to reap it has ended)."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except (FileNotFoundError, ProcessLookupError):
        return False
    return stat.rpartition(")")[2].split()[0] not in ("Z", "X")


def _gone_within(pid: int, limit_s: float) -> bool:
    end = time.monotonic() + limit_s
    while time.monotonic() < end:
        if not _alive(pid):
            return True
        time.sleep(0.1)
    return not _alive(pid)


def test_console_draws_on_its_hub_child_and_the_child_ends_with_it(tmp_path: Path) -> None:
    shot = tmp_path / "window.png"
    env = _env()
    env.pop("QT_QPA_PLATFORM", None)  # --screenshot chooses offscreen by itself
    done = subprocess.run(
        [  # no option: the hub child is the default
            sys.executable,
            "main.py",
            "--demo",
            "--db",
            f"sqlite:///{tmp_path / 'demo.db'}",
            "--screenshot",
            str(shot),
        ],
        capture_output=True,
        text=True,
        timeout=300,
        env=env,
        cwd=ROOT,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    found = READY_RE.search(done.stderr)
    assert found, done.stderr[-3000:]
    assert "screenshot taken before everything arrived" not in done.stderr
    assert not _alive(int(found.group(1)))  # stopped and reaped before the console exited
    from PySide6.QtGui import QImage

    image = QImage(str(shot))
    assert not image.isNull()
    assert image.width() >= 1200 and image.height() >= 700
    colours = {image.pixel(x, y) for x in range(0, image.width(), 37) for y in range(0, 400, 23)}
    assert len(colours) > 50  # a drawn window: district, units, heat from the child's hub


def test_a_killed_console_leaves_no_hub_child(tmp_path: Path) -> None:
    env = _env()
    env["QT_QPA_PLATFORM"] = "offscreen"  # a console that runs until it is killed
    console = subprocess.Popen(
        [
            sys.executable,
            "main.py",
            "--hub-process",
            "--demo",
            "--db",
            f"sqlite:///{tmp_path / 'demo.db'}",
        ],
        stderr=subprocess.PIPE,
        stdout=subprocess.DEVNULL,
        text=True,
        env=env,
        cwd=ROOT,
    )
    child = 0
    seen: list[str] = []
    try:
        assert console.stderr is not None
        for line in console.stderr:
            seen.append(line)
            found = READY_RE.search(line)
            if found:
                child = int(found.group(1))
                break
        assert child, "".join(seen[-40:])
        assert _alive(child)
        # the hub runs below the operator's screen (HUB_NICE): the window first for a core
        expected = min(19, os.getpriority(os.PRIO_PROCESS, console.pid) + HUB_NICE)
        assert os.getpriority(os.PRIO_PROCESS, child) == expected
        console.send_signal(signal.SIGKILL)  # no clean-up code of the console runs
        console.wait(30)
        assert _gone_within(child, 60), "the hub child outlived its console"
        ipc = [line.split("(ipc://", 1)[1].split(")", 1)[0] for line in seen if "(ipc://" in line]
        assert ipc and not Path(ipc[0]).parent.exists()  # it cleaned up after its console
    finally:
        if console.poll() is None:
            console.kill()
            console.wait(30)
        if child and _alive(child):
            os.kill(child, signal.SIGKILL)


@pytest.mark.parametrize("nice", [-5, 20, "5", True, 2.5, None])
def test_a_launch_line_with_a_bad_nice_changes_no_priority(nice: object) -> None:
    before = os.getpriority(os.PRIO_PROCESS, 0)
    assert yield_to_the_screen({"nice": nice}) == 0
    assert yield_to_the_screen({}) == 0  # an older parent's line: no change
    assert os.getpriority(os.PRIO_PROCESS, 0) == before


def test_a_hub_child_that_cannot_start_is_named_with_its_reason(tmp_path: Path) -> None:
    env = _env()
    env.pop("QT_QPA_PLATFORM", None)
    missing = tmp_path / "no-such-dir" / "sub" / "demo.db"
    done = subprocess.run(
        [
            sys.executable,
            "main.py",
            "--hub-process",
            "--demo",
            "--db",
            f"sqlite:///{missing}",
            "--screenshot",
            str(tmp_path / "never.png"),
        ],
        capture_output=True,
        text=True,
        timeout=180,
        env=env,
        cwd=ROOT,
        check=False,
    )
    assert done.returncode == 3, done.stderr[-3000:]
    assert "cannot open the console: the hub process ended with status 2" in done.stderr
    assert "database error" in done.stderr  # the child's own reason, passed on
    assert not (tmp_path / "never.png").exists()


def test_a_seat_without_password_is_refused_outside_the_demo(tmp_path: Path) -> None:
    child = HubChild(
        ["--db", f"sqlite:///{tmp_path / 'real.db'}"],
        seat=Seat("somebody", "admin"),
        forward_stderr=False,
        env=_env(),
    )
    with pytest.raises(HubChildError, match="only in the labelled demo"):
        child.start()
    assert not (tmp_path / "real.db").exists()  # refused before the database was opened


def test_only_the_one_time_token_opens_the_demo_seat_and_it_ends_with_the_hub(
    tmp_path: Path,
) -> None:
    from sqlalchemy import create_engine, text

    from console.hub.messages import GetSnapshot
    from console.link.remote import RemoteClient

    url = f"sqlite:///{tmp_path / 'demo.db'}"
    child = HubChild(
        ["--demo", "--db", url, "--no-sim"],
        seat=Seat("值班员(演示)", "operator"),
        forward_stderr=False,
        env=_env(),
    )
    seat = child.start()
    others: list[RemoteClient] = []
    try:
        assert seat.call(GetSnapshot(), timeout=60).ok
        for token in ("", "a-guessed-token"):  # no token, or not the parent's
            other = RemoteClient.with_explicit(child.commands, child.events, child.keys.public)
            others.append(other)
            other.token = token
            refused = other.call(GetSnapshot(), timeout=60)
            assert not refused.ok, refused
    finally:
        for other in others:
            other.close()
        code = child.stop()
    assert code == 0, child.stderr_tail()
    engine = create_engine(url)
    try:
        with engine.connect() as c:
            rows = c.execute(text("SELECT username FROM auth_sessions")).all()
            logins = c.execute(
                text("SELECT count(*) FROM audit_log WHERE action = 'auth.login'")
            ).scalar()
    finally:
        engine.dispose()
    assert rows == []  # the seat's session ended with its hub
    assert logins == 1  # and its opening is on record


@pytest.mark.parametrize(
    ("argv", "inproc"),
    [
        (["--demo"], False),  # the default: the hub in a child process
        (["--demo", "--db", "sqlite:///x.db"], False),
        (["--demo", "--hub-process"], False),
        (["--demo", "--hub-inproc"], True),
        (["--demo", "--db", "sqlite://"], True),  # in-memory: one process only
        (["--demo", "--db", "sqlite:///:memory:"], True),
        (["--demo", "--db", "postgresql+psycopg://u@h/d"], False),
    ],
)
def test_where_the_hub_runs(argv: list[str], inproc: bool) -> None:
    from console.cli import _parser
    from widgets.launch import in_process

    assert in_process(_parser().parse_args(argv)) is inproc


def test_hub_inproc_excludes_the_other_hub_options(capsys: pytest.CaptureFixture[str]) -> None:
    from console.cli import main

    for other in (["--hub-process"], ["--hub", "tcp://127.0.0.1:5555"]):
        assert main(["--demo", "--hub-inproc", *other], gui=lambda *_: 0) == 2
        assert "--hub-inproc excludes" in capsys.readouterr().err
