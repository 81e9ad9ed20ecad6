"""Program entry point for the workstation: ``python main.py`` / ``dispatch-console``.

``console.cli`` parses and validates everything without Qt; this module adds
the Qt workstation mode.  Its hub runs, by default, in a child process of the workstation
(:mod:`console.workstation.hubchild`: its own GIL, so the hub's work freezes the window
less; it dies with the window; ``--hub-process`` says so explicitly); ``--hub-inproc`` runs
it in this process instead (as does an in-memory ``sqlite://`` database, which exists in
one process only); ``--hub ENDPOINT`` connects to a stand-alone hub.
"""

from __future__ import annotations

import argparse
import logging
import socket
import sys

from console.cli import main as cli_main
from console.config import Config

log = logging.getLogger(__name__)


def run_workstation(args: argparse.Namespace, config: Config) -> int:
    """Start (or connect to) the hub and open the main window."""
    from console.store.errors import StoreError
    from widgets.app import ensure_qt_environment, run_gui

    ensure_qt_environment()
    if args.hub:
        from console.link.keys import KeyFileError, resolve_hub_key
        from console.link.remote import RemoteClient

        try:
            hub_public = resolve_hub_key(args.hub_key)
        except KeyFileError as exc:
            print(f"hub key error: {exc}", file=sys.stderr)
            return 2
        client = RemoteClient(args.hub, hub_public, workstation=socket.gethostname())
        try:
            return run_gui(client, config, screenshot=args.screenshot, lang=args.lang, sign_in=True)
        finally:
            client.close()

    if not in_process(args):
        return run_with_hub_child(args, config)

    from console.heap import settle_after_start
    from console.hub.bootstrap import NoDistrictError, open_hub
    from console.hub.client import InprocClient

    try:
        hub = open_hub(
            args.db,
            config,
            demo=args.demo,
            simulate=not args.no_sim,
            district=getattr(args, "district", None),
            demo_units=getattr(args, "demo_units", None),
        )
    except NoDistrictError as exc:
        print(f"cannot open the console: {exc}", file=sys.stderr)
        return 3
    except StoreError as exc:
        print(f"database error: {exc}", file=sys.stderr)
        return 2
    settle_after_start()  # the hub's start-up state out of the collector's sight
    if args.demo:
        # the labelled demo only: a seat without a password, named as a demo seat
        seat = {"operator": "值班员(演示)", "supervisor": "值班领导(演示)", "admin": "管理员(演示)"}
        inproc = InprocClient(hub, actor=seat[args.role], role=args.role, workstation="local")
        sign_in = False
    else:  # a real district: nobody acts before signing in through the real dialog
        inproc = InprocClient(
            hub, actor="anonymous", role="anonymous", workstation=socket.gethostname()
        )
        sign_in = True
    try:
        return run_gui(inproc, config, screenshot=args.screenshot, lang=args.lang, sign_in=sign_in)
    finally:
        inproc.close()
        hub.stop()


def in_process(args: argparse.Namespace) -> bool:
    """Whether the hub runs in the window's process: asked for (``--hub-inproc``), or an
    in-memory SQLite database, which no other process could open."""
    if getattr(args, "hub_inproc", False):
        return True
    if getattr(args, "hub_process", False) or not args.db:
        return False
    from console.store.db import is_memory_url

    return is_memory_url(args.db)


def hub_child_args(args: argparse.Namespace) -> list[str]:
    """The workstation's options that the hub child needs (database, district, demo)."""
    out: list[str] = []
    if args.demo:
        out.append("--demo")
    if args.db:
        out += ["--db", args.db]
    if getattr(args, "district", None):
        out += ["--district", args.district]
    if getattr(args, "demo_units", None) is not None:
        out += ["--demo-units", str(args.demo_units)]
    if getattr(args, "config", None) is not None:
        out += ["--config", str(args.config)]
    if args.no_sim:
        out.append("--no-sim")
    if args.verbose:
        out.append("-v")
    return out


def run_with_hub_child(args: argparse.Namespace, config: Config) -> int:
    """The hub in a child process (the default): start it, connect, open the window.

    The labelled demo opens its seat without a password through a one-time token handed
    to the child on a pipe; every other seat signs in through the real dialog."""
    from console.workstation.hubchild import DEMO_SEATS, HubChild, HubChildError, Seat
    from widgets.app import run_gui

    seat = Seat(DEMO_SEATS[args.role], args.role) if args.demo else None
    child = HubChild(hub_child_args(args), seat=seat)
    try:
        client = child.start(workstation=socket.gethostname())
    except HubChildError as exc:
        print(f"cannot open the console: {exc}", file=sys.stderr)
        return 3
    log.info("hub process %d ready (%s)", child.pid, child.commands)
    try:
        return run_gui(
            client,
            config,
            screenshot=args.screenshot,
            lang=args.lang,
            sign_in=seat is None,
            hub_process=child,
        )
    finally:
        child.stop()


def main(argv: list[str] | None = None) -> int:
    """Every mode of the program; the Qt ones (workstation, ``terminal --gui``) run here."""
    args = list(sys.argv[1:] if argv is None else argv)
    if args[:1] == ["terminal"] and "--gui" in args:
        from widgets.terminal.app import main as terminal_app

        return int(terminal_app([a for a in args[1:] if a != "--gui"]))
    return cli_main(argv, gui=run_workstation)
