"""Shared parts of the trust tests: the real command-line tools and hub as child processes,
real JPEG photos, and the hub-side calls still to be wired (marked where a test needs them)."""

from __future__ import annotations

import contextlib
import os
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from tests.link.helpers import free_port_block

ROOT = Path(__file__).resolve().parents[2]
PASSWORD = "correct horse battery"


def env_with_keys(key_dir: Path) -> dict[str, str]:
    """The environment of a child process whose default key directory is ``key_dir``."""
    return dict(os.environ, DISPATCH_KEY_DIR=str(key_dir), QT_QPA_PLATFORM="offscreen")


def run_main(args: list[str], key_dir: Path, stdin: str = "") -> subprocess.CompletedProcess[str]:
    """``python main.py ARGS`` as an operator runs it (a real process)."""
    return subprocess.run(
        [sys.executable, "main.py", *args],
        input=stdin,
        capture_output=True,
        text=True,
        cwd=ROOT,
        env=env_with_keys(key_dir),
        timeout=120,
    )


def run_audit(args: list[str], key_dir: Path) -> subprocess.CompletedProcess[str]:
    """``python -m console.audit ARGS`` (``main.py audit ARGS`` once console/cli.py hands every
    audit action to ``audit_main``; today it routes ``verify`` only)."""
    return subprocess.run(
        [sys.executable, "-m", "console.audit", *args],
        capture_output=True,
        text=True,
        cwd=ROOT,
        env=env_with_keys(key_dir),
        timeout=120,
    )


def add_user(url: str, key_dir: Path, username: str, role: str) -> None:
    """What ``main.py admin create`` does, in this process (quicker set-up for a test)."""
    from console.audit import AuditTrail, cli_actor
    from console.auth import Authenticator
    from console.store.db import open_store

    store = open_store(url)
    try:
        trail = AuditTrail.open(store, key_dir)
        Authenticator(store, audit=trail).create_user(
            username, username, PASSWORD, role, audit_as=cli_actor()
        )
        trail.close()
    finally:
        store.close()


def create_user(url: str, key_dir: Path, username: str, role: str) -> None:
    """``main.py admin create`` in a child process (so it is audited like the real thing)."""
    r = run_main(
        [
            "admin",
            "create",
            "--username",
            username,
            "--role",
            role,
            "--db",
            url,
            "--key-dir",
            str(key_dir),
            "--password-stdin",
        ],
        key_dir,
        PASSWORD + "\n",
    )
    assert r.returncode == 0, r.stderr


def free_base_port() -> int:
    """A port P with P, P + 1 and P + 2 free (the hub binds all three), drawn below the
    kernel's ephemeral range (:func:`tests.link.helpers.free_port_block`): ports in that
    range go to outgoing connections, and with other tests running at the same time one of
    them could be given P + 1 or P + 2 between the pick and the hub's bind."""
    return free_port_block(3)


@dataclass
class HubProcess:
    proc: subprocess.Popen[str]
    endpoint: str
    public: str
    log: Path


@contextlib.contextmanager
def hub_process(
    tmp: Path, url: str, key_dir: Path, *extra: str, link_only: bool = False
) -> Iterator[HubProcess]:
    """``python -m console.link.cli hub`` on a free port until the block ends (SIGTERM).

    Should another program bind a port of the block between the pick and the hub's bind
    (tests run in parallel), the hub is started again on a new block, as
    :class:`tests.link.helpers.HubProcess` does."""
    for _ in range(5):
        endpoint = f"tcp://127.0.0.1:{free_base_port()}"
        log = tmp / f"hub-{endpoint.rsplit(':', 1)[1]}.log"
        args = [sys.executable, "-m", "console.link.cli", "hub", "--db", url, "--bind", endpoint]
        args += ["--key-dir", str(key_dir), *extra]
        if link_only:
            args.append("--link-only")
        elif _hub_option("--demo"):  # the demo district when the database holds none
            args.append("--demo")
        with log.open("w") as err:
            proc = subprocess.Popen(
                args,
                stdout=subprocess.PIPE,
                stderr=err,
                text=True,
                cwd=ROOT,
                env=env_with_keys(key_dir),
            )
        assert proc.stdout is not None
        line = proc.stdout.readline()
        if line.startswith("hub ready") or "Address already in use" not in log.read_text():
            break
        proc.wait(60)
        proc.stdout.close()
    try:
        assert line.startswith("hub ready"), log.read_text()[-3000:]
        public = line.rsplit("key=", 1)[1].strip()
        yield HubProcess(proc, endpoint, public, log)
    finally:
        if proc.poll() is None:
            proc.terminate()
            try:
                proc.wait(60)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait(10)


def _hub_option(flag: str) -> bool:
    """Whether ``main.py hub`` knows ``flag`` (its options are being extended)."""
    from console.link import cli

    return flag in cli._hub_parser()._option_string_actions


def jpeg(width: int = 64, height: int = 48, seed: int = 0, quality: int = 90) -> bytes:
    """A real JPEG (noise, so each seed gives other bytes)."""
    import cv2

    rng = np.random.default_rng(seed)
    img = rng.integers(0, 255, (height, width, 3), dtype=np.uint8)
    ok, buf = cv2.imencode(".jpg", img, [cv2.IMWRITE_JPEG_QUALITY, quality])
    assert ok
    return bytes(buf.tobytes())
