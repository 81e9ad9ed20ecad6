"""Key files: the hub key is private and lives outside the repository; terminal keys check out."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest
import zmq

from console.link.keys import (
    REPO_ROOT,
    KeyFileError,
    KeyPair,
    TerminalKey,
    hub_public_key,
    load_or_create_hub_keys,
    load_terminal_key,
    write_terminal_key,
)


def test_hub_key_is_created_private_and_reused(tmp_path: Path) -> None:
    d = tmp_path / "keys"
    kp = load_or_create_hub_keys(d)
    secret = d / "hub.key_secret"
    assert stat.S_IMODE(secret.stat().st_mode) == 0o600
    assert zmq.curve_public(kp.secret.encode()).decode() == kp.public
    assert load_or_create_hub_keys(d) == kp
    assert hub_public_key(d) == kp.public
    assert kp.secret not in (d / "hub.key").read_text()


def test_readable_hub_key_is_refused(tmp_path: Path) -> None:
    d = tmp_path / "keys"
    load_or_create_hub_keys(d)
    os.chmod(d / "hub.key_secret", 0o644)
    with pytest.raises(KeyFileError, match=r"readable by others.*chmod 600"):
        load_or_create_hub_keys(d)


def test_hub_key_inside_the_repository_is_refused() -> None:
    with pytest.raises(KeyFileError, match="outside the repository"):
        load_or_create_hub_keys(REPO_ROOT / "config" / "keys")
    assert not (REPO_ROOT / "config" / "keys").exists()


def test_tampered_hub_key_is_refused(tmp_path: Path) -> None:
    d = tmp_path / "keys"
    load_or_create_hub_keys(d)
    other = KeyPair.generate()
    text = (d / "hub.key_secret").read_text().splitlines()
    text = [f'public = "{other.public}"' if line.startswith("public") else line for line in text]
    (d / "hub.key_secret").write_text("\n".join(text))
    with pytest.raises(KeyFileError, match="do not belong together"):
        load_or_create_hub_keys(d)


def test_terminal_key_round_trip_and_no_overwrite(tmp_path: Path) -> None:
    hub = KeyPair.generate()
    k = TerminalKey('外滩-1-"1"', KeyPair.generate(), hub.public, "tcp://hub:5555")
    path = tmp_path / "t.key"
    write_terminal_key(path, k)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert load_terminal_key(path) == k
    with pytest.raises(KeyFileError, match="refusing to overwrite"):
        write_terminal_key(path, k)


def test_broken_terminal_key_names_the_problem(tmp_path: Path) -> None:
    path = tmp_path / "t.key"
    path.write_text('unit = "A"\npublic = "short"\n')
    os.chmod(path, 0o600)
    with pytest.raises(KeyFileError, match="not a 40-character Z85"):
        load_terminal_key(path)
    with pytest.raises(KeyFileError, match="does not exist"):
        load_terminal_key(tmp_path / "missing.key")


def test_workstation_hub_key_from_text_file_or_directory(tmp_path: Path) -> None:
    from console.link.keys import resolve_hub_key

    d = tmp_path / "keys"
    kp = load_or_create_hub_keys(d)
    assert resolve_hub_key(kp.public) == kp.public
    assert resolve_hub_key(str(d / "hub.key")) == kp.public
    assert resolve_hub_key(str(d)) == kp.public
    with pytest.raises(KeyFileError, match="--hub-key is not a 40-character Z85"):
        resolve_hub_key("not-a-key")
    (tmp_path / "broken.key").write_text("public = [", encoding="utf-8")
    with pytest.raises(KeyFileError, match="cannot be read"):
        resolve_hub_key(str(tmp_path / "broken.key"))
