"""``python main.py audit ...``: verify the log, checkpoint it now, export the checkpoints.

Also :func:`cli_trail` / :func:`cli_actor`, which every administration command
run from a shell (``admin create``, ``enroll``, ``keys new-hub-key``) uses to
put itself on record before it acts.
"""

from __future__ import annotations

import argparse
import contextlib
import getpass
import os
import shutil
import socket
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from console.audit.anchor import anchor_path
from console.audit.check import AuditCheckError, verify_store
from console.audit.trail import AuditError, AuditTrail
from console.link.keys import check_key_dir
from console.store.db import Store, default_db_url, open_store
from console.store.errors import StoreError


def cli_actor() -> tuple[str, str]:
    """(actor, workstation) for a command run from a shell: ``cli:<os user>``, the host name."""
    try:
        user = getpass.getuser()
    except Exception:  # no user name in this environment
        user = "unknown"
    return f"cli:{user}"[:64], socket.gethostname()[:64]


def cli_trail(store: Store, key_dir: Path | None = None) -> AuditTrail:
    """The keyed trail a command-line tool writes to (makes the audit key on a new system)."""
    return AuditTrail.open(store, key_dir, create=True)


@contextlib.contextmanager
def audited_cli(
    store: Store, key_dir: Path | None, action: str, payload: dict[str, Any]
) -> Iterator[AuditTrail]:
    """Put a shell command on record, then let it act; if the record fails, it does not act.

    ``with audited_cli(store, args.key_dir, "terminal.enroll", {"unit": u}): ...`` writes
    the row first (AuditError if it cannot: the block never runs), a ``<action>.failed``
    row if the block raises, and a checkpoint at the end.
    """
    trail = cli_trail(store, key_dir)
    actor, host = cli_actor()
    try:
        trail.record(actor=actor, workstation=host, action=action, payload=payload)
        try:
            yield trail
        except BaseException as exc:
            with contextlib.suppress(Exception):
                trail.record(
                    actor=actor,
                    workstation=host,
                    action=f"{action}.failed"[:64],
                    payload={**payload, "error": str(exc)[:500]},
                )
            raise
    finally:
        trail.close()


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="main.py audit", description="check the audit log")
    sub = p.add_subparsers(dest="action", required=True)
    for name, text in (
        ("verify", "walk the whole log, check every entry and every checkpoint"),
        ("checkpoint", "anchor the current head now and print the line (for a paper record)"),
        ("anchors", "print or export the signed checkpoints"),
    ):
        a = sub.add_parser(name, help=text, description=text)
        a.add_argument("--db", metavar="URL", help="database URL (default: the local SQLite store)")
        a.add_argument(
            "--key-dir", type=Path, help="hub and audit key directory (default: user config)"
        )
        if name == "verify":
            a.add_argument(
                "--anchors",
                type=Path,
                metavar="FILE",
                help="check against this exported copy of the checkpoints instead",
            )
            a.add_argument(
                "--jobs",
                type=int,
                default=min(2, os.cpu_count() or 1),
                help="processes sharing a long log (default: 2, or 1 on one core)",
            )
        if name == "anchors":
            a.add_argument("--export", type=Path, metavar="FILE", help="copy them to FILE")
    return p


def audit_main(argv: list[str]) -> int:
    """``main.py audit verify|checkpoint|anchors [--db URL] [--key-dir DIR]``; exit 0 = fine."""
    args = _parser().parse_args(argv)
    try:
        store = open_store(args.db or default_db_url())
    except StoreError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    try:
        if args.action == "verify":
            return _verify(store, args.key_dir, args.anchors, args.jobs)
        trail = AuditTrail.open(store, args.key_dir, create=False)
        if args.action == "checkpoint":
            cp = trail.checkpoint(force=True)
            print(cp.text() if cp else "the audit log is empty: nothing to anchor")
            return 0
        path = anchor_path(check_key_dir(args.key_dir), trail.chain)
        if args.export:
            shutil.copyfile(path, args.export)
            print(f"checkpoints of chain {trail.chain} copied to {args.export}")
        else:
            print(path.read_text(encoding="utf-8") if path.exists() else "", end="")
        return 0
    except (AuditError, AuditCheckError, OSError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    finally:
        store.close()


def _verify(store: Store, key_dir: Path | None, anchors: Path | None, jobs: int = 1) -> int:
    report = verify_store(store, key_dir, anchors, jobs=jobs)
    if report.intact:
        head = report.head[1][:16] if report.head else "-"
        seal = "sealed" if report.keyed else "NOT sealed (no audit key yet: edits can be hidden)"
        cps = f", {report.checkpoints} checkpoints"
        if report.last_checkpoint:
            seq, t = report.last_checkpoint
            when = time.strftime("%Y-%m-%d %H:%M:%S", time.gmtime(t))
            cps += f", newest at seq {seq} ({when} UTC)"
        print(f"audit log intact: {report.count} entries, head {head}, {seal}{cps}")
        return 0
    print(f"audit log TAMPERED: {report.problems[0]}")
    for extra in report.problems[1:]:
        print(f"  also: {extra}")
    if report.bad_seq is not None:
        print(f"first bad or missing entry is seq {report.bad_seq}")
    return 1


def verify_main(argv: list[str]) -> int:
    """``main.py audit verify [--db URL] [--key-dir DIR] [--anchors FILE]`` (old entry)."""
    return audit_main(["verify", *argv])
