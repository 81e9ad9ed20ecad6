"""Fixtures for the district package tests: packages in tmp_path, fresh stores, the CLI."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from console.store import Store, open_store
from tests.district.builders import PEOPLES_SQUARE_OSM, ROOT, write_grid_package
from tests.store.conftest import store_url  # noqa: F401  (a fixture: marked tests use it)


@pytest.fixture
def grid_dir(tmp_path: Path) -> Path:
    """A valid small package (street grid), written fresh for the test to break."""
    return write_grid_package(tmp_path / "grid")


@pytest.fixture
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """SQLite in ``tmp_path``; a test marked ``store`` takes the store tests' own database
    instead (PostgreSQL when ``DISPATCH_TEST_DB_URL`` is set), so its write path runs
    on both databases."""
    if request.node.get_closest_marker("store"):
        return str(request.getfixturevalue("store_url"))
    return f"sqlite:///{tmp_path / 'district.sqlite3'}"


@pytest.fixture
def store(db_url: str) -> Iterator[Store]:
    s = open_store(db_url)
    try:
        yield s
    finally:
        s.close()


def run_main(*args: str, timeout: float = 300.0) -> subprocess.CompletedProcess[str]:
    """``python main.py ARGS`` as a real process, from the repository root."""
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(p for p in (env.get("PYTHONPATH"), str(ROOT)) if p)
    return subprocess.run(
        [sys.executable, "main.py", *args],
        capture_output=True,
        text=True,
        cwd=ROOT,
        env=env,
        timeout=timeout,
        check=False,
    )


def run_inproc(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    """``main.py ARGS`` in this process (same code path, no interpreter start-up):
    exit code, stdout, stderr."""
    from console.cli import main

    capsys.readouterr()
    code = main(list(args))
    out = capsys.readouterr()
    return code, out.out, out.err


needs_osm = pytest.mark.skipif(
    not PEOPLES_SQUARE_OSM.is_file(),
    reason=f"the shared OSM extract {PEOPLES_SQUARE_OSM} is absent (../shared/data)",
)
