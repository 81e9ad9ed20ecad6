"""Command-line entry point: ``python main.py [mode] [options]``.

Modes: the workstation (its hub embedded, or in a child process), the stand-alone hub,
terminal enrolment, the terminal program, the simulator, audit verification,
user administration, and the district commands (``district import|check|
export|list``, ``calls import``, ``plan``).  Configuration is validated
before anything starts: a bad file stops the program with one message naming
file, key and reason.  The workstation opens the district stored in its
database; ``--demo`` opens the approximate demo district (in its own database
unless ``--db`` says otherwise).
"""

from __future__ import annotations

import argparse
import logging
import sys
from collections.abc import Callable
from pathlib import Path

from console.config import Config, ConfigError, load_config

MODES = (
    ("(none)", "the workstation: map, intake, plans (its own hub process, or --hub URL)"),
    ("hub", "the stand-alone hub: terminals and workstations connect to it"),
    ("enroll", "enrol, list or revoke a terminal (no terminal is trusted until enrolled)"),
    ("terminal", "an officer's terminal (--gui for the tablet/phone window)"),
    ("simulate", "simulated terminals against a hub (load tests, demo only)"),
    ("admin", "users: create, password, lock/unlock, list"),
    ("audit", "verify the audit log's chain and checkpoints"),
    ("keys", "the hub's key pair: new-hub-key, show"),
    ("district", "a district package: import, check, export, list"),
    ("calls", "import past 110 calls from a CSV"),
    ("plan", "what-if deployment plan for a place and incident type"),
    ("evaluate-forecast", "score the 110 call forecast on past calls (PAI, PEI)"),
    ("crowd", "crowd-flow forecasts for the district's places"),
    ("evaluate-crowd", "score the crowd forecast on past counts (WAPE)"),
    ("detect", "run the camera detectors on a video file (one JSON line per event)"),
)


def _parser() -> argparse.ArgumentParser:
    width = max(len(m) for m, _ in MODES)
    p = argparse.ArgumentParser(
        prog="dispatch-console",
        description="黄浦 command-and-dispatch console (demo district is approximate)",
        usage="main.py [MODE] [options]   (each MODE has its own --help)",
        epilog="modes:\n" + "\n".join(f"  {m.ljust(width)}  {what}" for m, what in MODES),
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument(
        "--demo",
        action="store_true",
        help="open on the built-in, approximate demo district (its own database unless --db)",
    )
    p.add_argument(
        "--district", metavar="CODE", help="which stored district, if the database holds several"
    )
    p.add_argument(
        "--demo-units",
        metavar="N",
        type=int,
        help="demo only: the demo district's size in units (generated patrol groups added)",
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
        "--hub-process",
        action="store_true",
        help="run the hub in a child process that ends with the window (the default: the"
        " hub's work does not freeze the window on a busy shift)",
    )
    p.add_argument(
        "--hub-inproc",
        action="store_true",
        help="run the hub inside the workstation's own process instead (one process, less"
        " memory; a busy shift freezes the window for longer; an in-memory sqlite:// database"
        " always runs this way)",
    )
    p.add_argument(
        "--hub",
        metavar="ENDPOINT",
        help="open a workstation against a running hub (tcp://host:port; a hot standby"
        " pair: tcp://a:5555,tcp://b:5555)",
    )
    p.add_argument(
        "--hub-key",
        metavar="KEY_OR_FILE",
        help="the hub's public key (Z85 text, or its hub.key file); default: this machine's",
    )
    p.add_argument(
        "--role",
        default=None,
        choices=["operator", "supervisor", "admin"],
        help="demo only (--demo): the seat to open without a password; every other mode"
        " signs in through the sign-in dialog",
    )
    p.add_argument("-v", "--verbose", action="store_true")
    return p


SUBCOMMANDS = (
    "hub",
    "enroll",
    "terminal",
    "simulate",
    "audit",
    "admin",
    "district",
    "calls",
    "plan",
    "evaluate-forecast",
    "crowd",
    "evaluate-crowd",
    "keys",
    "detect",
)


def _subcommand(name: str, rest: list[str]) -> int:
    """Run one of the non-GUI modes (no Qt is imported for them)."""
    if name == "audit":
        from console.audit import audit_main

        return audit_main(rest)
    if name == "keys":
        from console.link.keys import keys_main

        return keys_main(rest)
    if name in ("crowd", "evaluate-crowd"):
        from console.crowd.cli import crowd_main, evaluate_crowd_main

        return crowd_main(rest) if name == "crowd" else evaluate_crowd_main(rest)
    if name == "detect":
        from console.video.cli import detect_main

        return detect_main(rest)
    if name == "admin":
        from console.auth import admin_main

        return admin_main(rest)
    if name == "evaluate-forecast":
        from console.heat.cli import evaluate_forecast_main

        return evaluate_forecast_main(rest)
    if name in ("district", "calls", "plan"):
        from console.district import cli as district_cli

        run = {
            "district": district_cli.district_main,
            "calls": district_cli.calls_main,
            "plan": district_cli.plan_main,
        }[name]
        return run(rest)
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
    if args.role is not None and not args.demo:
        print(
            "--role opens a seat without a password and is only for the labelled demo"
            " (--demo); a real district's seats sign in with a user name and password",
            file=sys.stderr,
        )
        return 2
    if args.demo_units is not None and not args.demo:
        print("--demo-units sizes the labelled demo only (add --demo)", file=sys.stderr)
        return 2
    if args.hub_process and args.hub:
        print("--hub-process and --hub exclude each other", file=sys.stderr)
        return 2
    if args.hub_inproc and (args.hub or args.hub_process):
        print("--hub-inproc excludes --hub and --hub-process", file=sys.stderr)
        return 2
    args.role = args.role or "operator"
    if not args.demo and not args.hub:
        problem = district_problem(args.db, args.district)
        if problem:
            print(problem, file=sys.stderr)
            return 3
    return gui(args, config)


def district_problem(db_url: str | None, code: str | None = None) -> str:
    """Why the workstation cannot open a real district on this database ("" if it can)."""
    from console.district.stored import NoDistrictError, choose_district
    from console.store.db import default_db_url, open_store
    from console.store.errors import StoreError

    try:
        store = open_store(db_url or default_db_url())
    except StoreError as exc:
        return f"database error: {exc}"
    try:
        choose_district(store, code)
    except NoDistrictError as exc:
        return f"cannot open the console: {exc}"
    finally:
        store.close()
    return ""
