"""Signed checkpoints of the audit chain's head, kept outside the database.

A chain inside the database proves that no row was edited or removed *between*
rows, but someone who can write the database can cut rows off its end, or
drop the whole log, and leave a shorter chain that checks out.  So the hub
writes, every ``interval`` seconds while the log grows, a checkpoint line
(seq, MAC of that row, number of rows, time) to an append-only file in the key
directory, ``audit-anchors/<chain>.log``.  Every line is sealed with the audit
key and carries the seal of the line before it, so lines cannot be forged,
edited or reordered without the key.  ``audit verify`` then demands that every
anchored row is still there with the anchored MAC.

The file is plain text (one JSON object a line): print it, or copy it to
another host (``audit anchors --export FILE``) and check against that copy.
"""

from __future__ import annotations

import contextlib
import json
import os
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import msgspec

from console.store.audit_repo import keyed_state

ANCHOR_DIR = "audit-anchors"
VERSION = 1
_ENC = msgspec.json.Encoder(order="sorted")


class AnchorError(Exception):
    """The anchor file cannot be read, or a line in it fails its seal."""


@dataclass(frozen=True)
class Checkpoint:
    """One sealed line: the chain's head as it was at ``t``."""

    chain: str
    db: str
    seq: int
    head: str
    count: int
    t: float
    prev: str
    mac: str

    def text(self) -> str:
        """The line as written (and as printed for a paper record)."""
        return json.dumps(
            {
                "v": VERSION,
                "chain": self.chain,
                "db": self.db,
                "seq": self.seq,
                "head": self.head,
                "count": self.count,
                "t": self.t,
                "prev": self.prev,
                "mac": self.mac,
            },
            ensure_ascii=False,
            sort_keys=True,
        )


def seal(
    key: bytes, chain: str, db: str, seq: int, head: str, count: int, t: float, prev: str
) -> str:
    """The MAC of one checkpoint line (keyed BLAKE2b like the rows, with its own domain tag)."""
    m = keyed_state(key)
    m.update(_ENC.encode(["audit-anchor", VERSION, chain, db, seq, head, count, float(t), prev]))
    return str(m.hexdigest())


def anchor_path(key_dir: Path, chain: str) -> Path:
    """Where the checkpoints of one chain are kept."""
    return key_dir / ANCHOR_DIR / f"{chain}.log"


@contextlib.contextmanager
def _locked(path: Path) -> Iterator[int]:
    """The file opened for append under an exclusive lock (hub and CLI may write together)."""
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    fd = os.open(path, os.O_RDWR | os.O_CREAT | os.O_APPEND, 0o600)
    try:
        try:
            import fcntl

            fcntl.flock(fd, fcntl.LOCK_EX)
        except ImportError:  # pragma: no cover - not POSIX: one writer per chain then
            pass
        yield fd
    finally:
        os.close(fd)


def _last_line(fd: int) -> str:
    size = os.lseek(fd, 0, os.SEEK_END)
    start = max(0, size - 4096)
    os.lseek(fd, start, os.SEEK_SET)
    tail = os.read(fd, size - start).decode("utf-8", "replace").strip().splitlines()
    return tail[-1] if tail else ""


class AnchorLog:
    """Appends and reads the checkpoints of one chain."""

    def __init__(self, path: Path, chain: str, db: str, key: bytes) -> None:
        self.path = path
        self.chain = chain
        self.db = db
        self.key = key

    def append(self, seq: int, head: str, count: int, t: float) -> Checkpoint:
        """Seal and append one checkpoint, chained to the file's last line."""
        with _locked(self.path) as fd:
            last = _last_line(fd)
            prev = ""
            if last:
                try:
                    prev = str(json.loads(last)["mac"])
                except (ValueError, KeyError, TypeError):
                    prev = "unreadable"  # verification names the broken line
            mac = seal(self.key, self.chain, self.db, seq, head, count, t, prev)
            cp = Checkpoint(self.chain, self.db, seq, head, count, t, prev, mac)
            os.write(fd, (cp.text() + "\n").encode("utf-8"))
            os.fsync(fd)
        return cp

    def read(self, path: Path | None = None) -> list[Checkpoint]:
        """Every checkpoint of this chain, oldest first; :class:`AnchorError` on a bad line."""
        return read_checkpoints(path or self.path, self.key, self.chain)


def read_checkpoints(path: Path, key: bytes, chain: str | None = None) -> list[Checkpoint]:
    """Checkpoints from a file (this host's or an exported copy), each seal checked."""
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except FileNotFoundError:
        return []
    except OSError as exc:
        raise AnchorError(f"cannot read the audit anchors {path}: {exc}") from None
    out: list[Checkpoint] = []
    prev = ""
    for n, line in enumerate(lines, 1):
        if not line.strip():
            continue
        try:
            d: dict[str, Any] = json.loads(line)
            cp = Checkpoint(
                str(d["chain"]),
                str(d["db"]),
                int(d["seq"]),
                str(d["head"]),
                int(d["count"]),
                float(d["t"]),
                str(d["prev"]),
                str(d["mac"]),
            )
        except (ValueError, KeyError, TypeError):
            raise AnchorError(f"{path} line {n} is not a checkpoint") from None
        if chain is not None and cp.chain != chain:
            raise AnchorError(f"{path} line {n} belongs to another chain ({cp.chain})")
        expected = seal(key, cp.chain, cp.db, cp.seq, cp.head, cp.count, cp.t, cp.prev)
        if cp.mac != expected:
            raise AnchorError(f"{path} line {n} fails its seal (edited, or another audit key)")
        if cp.prev != prev:
            raise AnchorError(f"{path} line {n} does not follow the line before it")
        prev = cp.mac
        out.append(cp)
    return out


def anchors_naming(key_dir: Path, db: str) -> list[Path]:
    """Anchor files in ``key_dir`` whose checkpoints were taken of database ``db``."""
    found: list[Path] = []
    d = key_dir / ANCHOR_DIR
    if not d.is_dir():
        return found
    for path in sorted(d.glob("*.log")):
        try:
            with path.open(encoding="utf-8") as f:
                first = f.readline()
            if json.loads(first).get("db") == db:
                found.append(path)
        except (OSError, ValueError, AttributeError):
            continue
    return found
