"""Command-line entry point: ``python main.py [mode] [options]``.

Modes: the workstation with an embedded hub (default); later issues add the
stand-alone hub, terminal enrolment, the terminal program, the simulator and
audit verification.  Configuration is validated before anything starts: a bad
file stops the program with one message naming file, key and reason.
"""

from __future__ import annotations

import argparse
import logging
import sys
from collections.abc import Callable
from pathlib import Path

from console.config import Config, ConfigError, load_config


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="dispatch-console",
        description="黄浦 command-and-dispatch console (demo district is approximate)",
    )
    p.add_argument(
        "--demo", action="store_true", help="open on the built-in demo district (default)"
    )
    p.add_argument(
        "--db", metavar="URL", help="SQLAlchemy database URL (default: SQLite in the user data dir)"
    )
    p.add_argument(
        "--config", metavar="DIR", type=Path, help="configuration directory (default: config/)"
    )
    p.add_argument("--lang", default="zh_CN", choices=["zh_CN", "en"], help="interface language")
    p.add_argument(
        "--screenshot", metavar="FILE", type=Path, help="render the window to a PNG and exit"
    )
    p.add_argument("--no-sim", action="store_true", help="do not move the demo units in-process")
    p.add_argument(
        "--hub",
        metavar="ENDPOINT",
        help="open a workstation against a running hub (tcp://host:port)",
    )
    p.add_argument(
        "--hub-key",
        metavar="KEY_OR_FILE",
        help="the hub's public key (Z85 text, or its hub.key file); default: this machine's",
    )
    p.add_argument(
        "--role",
        default="operator",
        choices=["operator", "supervisor", "admin"],
        help="demo only (embedded hub): the seat to open as; remote hubs need a sign-in",
    )
    p.add_argument("-v", "--verbose", action="store_true")
    return p


SUBCOMMANDS = ("hub", "enroll", "terminal", "simulate", "audit", "admin")


def _subcommand(name: str, rest: list[str]) -> int:
    """Run one of the non-GUI modes (no Qt is imported for them)."""
    if name == "audit":
        if not rest or rest[0] != "verify":
            print("usage: main.py audit verify [--db URL]", file=sys.stderr)
            return 2
        from console.audit import verify_main

        return verify_main(rest[1:])
    if name == "admin":
        from console.auth import admin_main

        return admin_main(rest)
    from console.link import cli as link_cli

    entry = {
        "hub": link_cli.hub_main,
        "enroll": link_cli.enroll_main,
        "terminal": link_cli.terminal_main,
        "simulate": link_cli.simulate_main,
    }[name]
    return int(entry(rest) or 0)


GuiRunner = Callable[[argparse.Namespace, Config], int]


def main(argv: list[str] | None = None, gui: GuiRunner | None = None) -> int:
    """Parse arguments, validate configuration, run the chosen mode.

    The workstation (Qt) mode is passed in as ``gui`` by ``widgets.launch`` so
    that this module, like all of ``console/``, never imports Qt.
    """
    argv = list(sys.argv[1:] if argv is None else argv)
    if argv and argv[0] in SUBCOMMANDS:
        logging.basicConfig(
            level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s"
        )
        logging.getLogger("alembic").setLevel(logging.WARNING)
        return _subcommand(argv[0], argv[1:])
    args = _parser().parse_args(argv)
    logging.basicConfig(
        level=logging.DEBUG if args.verbose else logging.INFO,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
    )
    logging.getLogger("alembic").setLevel(logging.WARNING)
    try:
        config = load_config(args.config)
    except ConfigError as exc:
        print(f"configuration error: {exc}", file=sys.stderr)
        print("the console will not start with a broken configuration", file=sys.stderr)
        return 2
    if gui is None:
        print("the workstation needs the Qt interface: run main.py", file=sys.stderr)
        return 3
    return gui(args, config)
