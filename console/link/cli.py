"""Entry points for the link's modes; ``console/cli.py`` dispatches to these.

- ``hub_main``: ``main.py hub --db URL --bind ENDPOINT`` runs the hub alone;
- ``enroll_main``: ``main.py enroll --unit ID`` makes and registers a terminal key;
- ``terminal_main``: ``main.py terminal --hub ENDPOINT --key FILE``, the officer's shell;
- ``simulate_main``: ``main.py simulate --hub ENDPOINT --terminals N``.

Each takes the arguments after the mode name and returns a process exit code;
``python -m console.link.cli MODE ...`` runs them without the main CLI.
"""

from __future__ import annotations

import argparse
import logging
import signal
import sys
import threading
from pathlib import Path
from types import FrameType

from console.link.keys import (
    KeyFileError,
    default_key_dir,
    hub_public_key,
    key_file_name,
    load_or_create_hub_keys,
)
from console.store.errors import StoreError

log = logging.getLogger(__name__)

DEFAULT_BIND = "tcp://*:5555"


def _logging(verbose: bool) -> None:
    logging.basicConfig(
        level=logging.DEBUG if verbose else logging.INFO,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
    )
    logging.getLogger("alembic").setLevel(logging.WARNING)


def _fail(msg: str, code: int = 2) -> int:
    print(f"error: {msg}", file=sys.stderr)
    return code


# ----------------------------------------------------------------------- hub


def _hub_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="main.py hub", description="run the command hub alone")
    p.add_argument(
        "--db", metavar="URL", help="database URL (default: SQLite in the user data dir)"
    )
    p.add_argument(
        "--bind",
        metavar="ENDPOINT",
        default=DEFAULT_BIND,
        help="terminals on this tcp://host:port; workstation commands on port+1, events on port+2",
    )
    p.add_argument(
        "--key-dir", type=Path, help="directory of the hub key (default: user config dir)"
    )
    p.add_argument("--config", type=Path, help="configuration directory")
    p.add_argument(
        "--link-only",
        action="store_true",
        help="terminal link without the command hub (positions and orders only; load tests)",
    )
    p.add_argument("--heartbeat", type=float, default=1.0, help="terminal heartbeat period, s")
    p.add_argument("-v", "--verbose", action="store_true")
    return p


def hub_main(argv: list[str]) -> int:
    """Run the stand-alone hub until SIGINT/SIGTERM."""
    args = _hub_parser().parse_args(argv)
    _logging(args.verbose)
    from console.link.hubport import SituationPort
    from console.link.node import HubNode
    from console.store.db import default_db_url, open_store

    try:
        keys = load_or_create_hub_keys(args.key_dir)
    except KeyFileError as exc:
        return _fail(str(exc))
    hub = None
    try:
        if args.link_only:
            store = open_store(args.db or default_db_url())
            node = HubNode(
                store,
                keys,
                args.bind,
                port=SituationPort.from_store(store),
                heartbeat_s=args.heartbeat,
            )
        else:
            from console.config import ConfigError, load_config
            from console.hub.bootstrap import start_embedded_hub

            try:
                cfg = load_config(args.config)
            except ConfigError as exc:
                return _fail(f"configuration error: {exc}")
            hub = start_embedded_hub(args.db, cfg, simulate=False)
            node = HubNode(hub.store, keys, args.bind, hub=hub, heartbeat_s=args.heartbeat)
        node.start()
    except StoreError as exc:
        return _fail(f"database error: {exc}")
    except ValueError as exc:
        return _fail(str(exc))
    except Exception as exc:  # e.g. address in use
        return _fail(f"cannot start the hub: {exc}")
    from console.heap import settle_after_start

    settle_after_start()  # start-up state out of the collector's sight (console/heap.py)
    ep = node.endpoints
    print(
        f"hub ready terminals={ep.terminals} commands={ep.commands} events={ep.events}"
        f" key={keys.public}",
        flush=True,
    )
    stop = threading.Event()

    def on_signal(_sig: int, _frame: FrameType | None) -> None:
        stop.set()

    signal.signal(signal.SIGINT, on_signal)
    signal.signal(signal.SIGTERM, on_signal)
    try:
        while not stop.wait(10.0):
            st = node.link.stats
            log.info(
                "terminals online %d, positions %d, invalid frames %d, orders sent %d",
                len(node.link.sessions),
                st.positions,
                st.invalid_total,
                st.orders_sent,
            )
    finally:
        node.stop()
        if hub is not None:
            hub.stop()
    return 0


# -------------------------------------------------------------------- enroll


def _enroll_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="main.py enroll", description="enrol a terminal for a unit, revoke one, or list them"
    )
    p.add_argument("--unit", metavar="ID", help="unit call sign (or numeric unit id)")
    p.add_argument(
        "--db", metavar="URL", help="database URL (default: SQLite in the user data dir)"
    )
    p.add_argument("--out", type=Path, help="terminal key file to write (default: ./<unit>.key)")
    p.add_argument("--endpoint", default="", help="hub endpoint to record in the key file")
    p.add_argument(
        "--key-dir", type=Path, help="directory of the hub key (default: user config dir)"
    )
    p.add_argument("--by", default="admin", help="who enrols (for the record)")
    p.add_argument(
        "--revoke", action="store_true", help="revoke every key of --unit (lost terminal)"
    )
    p.add_argument("--revoke-key", metavar="KEY", help="revoke one public key")
    p.add_argument("--list", action="store_true", help="list enrolled terminals")
    return p


def enroll_main(argv: list[str]) -> int:
    """Enrol (default), revoke or list terminals."""
    args = _enroll_parser().parse_args(argv)
    _logging(False)
    from console.link.trust import enroll_terminal, revoke_terminals
    from console.store.db import default_db_url, open_store

    try:
        store = open_store(args.db or default_db_url())
        if args.list:
            return _list_terminals(store)
        if args.revoke_key:
            done = revoke_terminals(store, key=args.revoke_key)
            print(f"revoked {len(done)} key(s)")
            return 0 if done else 1
        if not args.unit:
            return _fail("--unit is required")
        if args.revoke:
            done = revoke_terminals(store, unit=args.unit)
            print(
                f"revoked {len(done)} key(s) of {args.unit}: "
                + ", ".join(k[:8] + "..." for k in done)
            )
            return 0 if done else 1
        out = args.out or Path(key_file_name(args.unit))
        key = enroll_terminal(
            store,
            args.unit,
            out,
            hub_public_key(args.key_dir),
            endpoint=args.endpoint,
            enrolled_by=args.by,
        )
    except (StoreError, KeyFileError, ValueError) as exc:
        return _fail(str(exc))
    print(
        f"enrolled a terminal for {key.unit}: key file {out}"
        " (mode 600, install it on the terminal only)"
    )
    print(f"public key {key.keys.public}")
    return 0


def _list_terminals(store: object) -> int:
    from sqlalchemy import select

    from console.store.db import Store
    from console.store.models import TerminalRow, UnitRow

    assert isinstance(store, Store)
    with store.session() as s:
        rows = s.execute(
            select(
                UnitRow.call_sign,
                TerminalRow.public_key,
                TerminalRow.enrolled_at,
                TerminalRow.revoked_at,
            )
            .join(UnitRow, UnitRow.id == TerminalRow.unit_id)
            .order_by(TerminalRow.id)
        ).all()
    for call_sign, key, _at, revoked in rows:
        print(f"{call_sign}\t{key}\t{'REVOKED' if revoked else 'active'}")
    return 0


# ------------------------------------------------------------------ terminal


def terminal_main(argv: list[str]) -> int:
    """The officer's shell terminal."""
    from console.terminal.shell import main

    return main(argv)


def simulate_main(argv: list[str]) -> int:
    """N simulated terminals against a running hub."""
    from console.terminal.simulator import main

    return main(argv)


MODES = {
    "hub": hub_main,
    "enroll": enroll_main,
    "terminal": terminal_main,
    "simulate": simulate_main,
}


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    if not args or args[0] not in MODES:
        print(f"usage: python -m console.link.cli {{{','.join(MODES)}}} [options]", file=sys.stderr)
        return 2
    return MODES[args[0]](args[1:])


if __name__ == "__main__":
    sys.exit(main())

__all__ = ["default_key_dir", "enroll_main", "hub_main", "simulate_main", "terminal_main"]
