"""Program entry point for the workstation: ``python main.py`` / ``dispatch-console``.

``console.cli`` parses and validates everything without Qt; this module adds
the Qt workstation mode: an embedded hub (inproc) or a remote one (ZeroMQ).
"""

from __future__ import annotations

import argparse
import socket
import sys

from console.cli import main as cli_main
from console.config import Config


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


def main(argv: list[str] | None = None) -> int:
    """Every mode of the program; the Qt ones (workstation, ``terminal --gui``) run here."""
    args = list(sys.argv[1:] if argv is None else argv)
    if args[:1] == ["terminal"] and "--gui" in args:
        from widgets.terminal.app import main as terminal_app

        return int(terminal_app([a for a in args[1:] if a != "--gui"]))
    return cli_main(argv, gui=run_workstation)
