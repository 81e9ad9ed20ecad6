"""A missing hub secret key (issue 13, 6): it was silently regenerated, locking out every
enrolled terminal.  Now the hub stops and names the explicit command; that command is
audited and never replaces a key without being told to."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import select

from console.link.keys import (
    HUB_SECRET_FILE,
    KeyFileError,
    create_hub_keys,
    hub_keys_for_start,
    hub_public_key,
    load_hub_keys,
)
from console.store.db import open_store
from console.store.models import AuditRow
from tests.trust.helpers import ROOT, env_with_keys, free_base_port


def test_no_key_is_made_behind_anyones_back(tmp_path: Path) -> None:
    d = tmp_path / "keys"
    for call in (load_hub_keys, hub_public_key, hub_keys_for_start):
        with pytest.raises(KeyFileError, match=r"keys new-hub-key --key-dir .*enrolled again"):
            call(d)
    assert not (d / HUB_SECRET_FILE).exists()
    first = hub_keys_for_start(d, init=True)  # the very first start of a new installation
    assert hub_keys_for_start(d, init=True) == first == load_hub_keys(d)
    with pytest.raises(KeyFileError, match="add --replace"):
        create_hub_keys(d)
    assert load_hub_keys(d) == first


def _keys_cmd(args: list[str], key_dir: Path) -> subprocess.CompletedProcess[str]:
    """``python -m console.link.keys`` (``main.py keys`` once console/cli.py routes it)."""
    return subprocess.run(
        [sys.executable, "-m", "console.link.keys", *args],
        capture_output=True,
        text=True,
        cwd=ROOT,
        env=env_with_keys(key_dir),
        timeout=120,
    )


def test_the_new_hub_key_command_is_audited_and_replaces_only_when_told(tmp_path: Path) -> None:
    d, url = tmp_path / "keys", f"sqlite:///{tmp_path / 'hub.sqlite3'}"
    r = _keys_cmd(["new-hub-key", "--key-dir", str(d), "--db", url], d)
    assert r.returncode == 0, r.stderr
    first = load_hub_keys(d)
    assert first.public in r.stdout
    r = _keys_cmd(["new-hub-key", "--key-dir", str(d), "--db", url], d)
    assert r.returncode == 2 and "locks out every enrolled terminal" in r.stderr
    assert load_hub_keys(d) == first
    r = _keys_cmd(["new-hub-key", "--key-dir", str(d), "--db", url, "--replace"], d)
    assert r.returncode == 0 and "must be enrolled again" in r.stdout
    assert load_hub_keys(d) != first
    assert len(list(d.glob(f"{HUB_SECRET_FILE}.replaced-*"))) == 1  # the old key is kept
    store = open_store(url)
    with store.session() as s:
        rows = s.execute(select(AuditRow.action, AuditRow.payload)).all()
    store.close()
    assert [(a, p["replaced"]) for a, p in rows] == [
        ("keys.new_hub_key", False),
        ("keys.new_hub_key", True),
    ]


def test_a_hub_without_its_key_stops_and_names_the_command(tmp_path: Path) -> None:
    d, url = tmp_path / "keys", f"sqlite:///{tmp_path / 'hub.sqlite3'}"
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "console.link.cli",
            "hub",
            "--db",
            url,
            "--link-only",
            "--bind",
            f"tcp://127.0.0.1:{free_base_port()}",
            "--key-dir",
            str(d),
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        cwd=ROOT,
        env=env_with_keys(d),
    )
    assert proc.stdout is not None
    first = proc.stdout.readline()  # "hub ready ..." if it started, "" once it stopped
    if first.startswith("hub ready"):  # it runs: it made itself a key
        proc.terminate()
    out, err = proc.communicate(timeout=60)
    assert proc.returncode == 2, (first, out, err)
    assert f"keys new-hub-key --key-dir {d}" in err and "enrolled again" in err
    assert not (d / HUB_SECRET_FILE).exists()
