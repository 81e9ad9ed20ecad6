"""``python main.py admin create|unlock|locked``: the administrator's shell commands,
each put on record in the audit log before it acts."""

from __future__ import annotations

import getpass
import sys
import time
from pathlib import Path

from console.auth.authenticator import Authenticator
from console.auth.common import AuthError


def _read_password(from_stdin: bool) -> str | None:
    if from_stdin:
        return sys.stdin.readline().rstrip("\n")
    password = getpass.getpass("password: ")
    if getpass.getpass("again: ") != password:
        print("passwords differ", file=sys.stderr)
        return None
    return password


def admin_main(argv: list[str]) -> int:
    """``python main.py admin create|unlock|locked ...``: every change is audited first.

    - ``create --username NAME [--role admin]``: asks for the password twice;
    - ``unlock --username NAME``: an account locked by failed sign-ins;
    - ``locked``: lists locked accounts.
    Each takes ``--db URL`` and ``--key-dir DIR`` (the audit key lives there).
    """
    import argparse

    from console.audit import AuditError, cli_actor, cli_trail
    from console.store.db import default_db_url, open_store
    from console.store.errors import StoreError

    p = argparse.ArgumentParser(prog="dispatch-console admin")
    p.add_argument("action", choices=["create", "unlock", "locked"])
    p.add_argument("--username")
    p.add_argument("--name", default="", help="display name")
    p.add_argument("--role", default="admin", choices=["admin", "supervisor", "operator"])
    p.add_argument("--db", metavar="URL")
    p.add_argument(
        "--key-dir", type=Path, help="hub and audit key directory (default: user config)"
    )
    p.add_argument("--password-stdin", action="store_true", help="read the password from stdin")
    args = p.parse_args(argv)
    if args.action != "locked" and not args.username:
        print("refused: --username is required", file=sys.stderr)
        return 2
    password = ""
    if args.action == "create":
        read = _read_password(args.password_stdin)
        if read is None:
            return 2
        password = read
    try:
        store = open_store(args.db or default_db_url())
    except StoreError as exc:
        print(f"refused: {exc}", file=sys.stderr)
        return 2
    trail = None
    try:
        trail = cli_trail(store, args.key_dir)
        auth = Authenticator(store, audit=trail)
        who = cli_actor()
        if args.action == "create":
            auth.create_user(
                args.username, args.name or args.username, password, args.role, audit_as=who
            )
            print(f"created {args.role} {args.username}")
        elif args.action == "unlock":
            was = auth.unlock(args.username, actor=who[0], workstation=who[1])
            print(f"unlocked {args.username}" if was else f"{args.username} was not locked")
        else:
            for a in auth.locked_accounts():
                when = time.strftime("%Y-%m-%d %H:%M:%S", time.gmtime(a["locked_at"]))
                print(f"{a['username']}\t{a['failures']} failures\tlocked {when} UTC")
        return 0
    except (AuthError, AuditError) as exc:
        print(f"refused: {exc}", file=sys.stderr)
        return 2
    finally:
        if trail is not None:
            trail.close()
        store.close()
