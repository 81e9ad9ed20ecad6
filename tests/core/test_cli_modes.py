"""``main.py --help`` names every mode, and each mode answers its own ``--help``."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from console.cli import MODES, SUBCOMMANDS

ROOT = Path(__file__).resolve().parents[2]


def _run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, str(ROOT / "main.py"), *args],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=ROOT,
        env={"PATH": "/usr/bin:/bin", "QT_QPA_PLATFORM": "offscreen", "HOME": str(ROOT)},
    )


def test_the_mode_table_and_the_dispatcher_agree() -> None:
    assert {m for m, _ in MODES} - {"(none)"} == set(SUBCOMMANDS)


def test_help_lists_every_mode() -> None:
    out = _run("--help")
    assert out.returncode == 0, out.stderr
    listed = out.stdout.split("modes:", 1)[1].split()
    for mode in SUBCOMMANDS:
        assert mode in listed, f"{mode} missing from main.py --help"


@pytest.mark.parametrize("mode", ["detect", "district", "audit", "admin", "keys", "crowd"])
def test_each_mode_answers_its_own_help(mode: str) -> None:
    out = _run(mode, "--help")
    assert out.returncode == 0, out.stderr
    assert "usage:" in out.stdout
