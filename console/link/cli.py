"""Entry points for the link's modes; ``console/cli.py`` dispatches to these.

- ``hub_main``: ``main.py hub --db URL --bind ENDPOINT`` runs the hub alone on the district
  stored in the database (``--demo``: the approximate demo district);
- ``enroll_main``: ``main.py enroll --unit ID`` makes and registers a terminal key;
- ``terminal_main``: ``main.py terminal --hub ENDPOINT --key FILE``, the officer's shell;
- ``simulate_main``: ``main.py simulate --hub ENDPOINT --terminals N``.

Each takes the arguments after the mode name and returns a process exit code;
``python -m console.link.cli MODE ...`` runs them without the main CLI.
"""

from __future__ import annotations

import argparse
import logging
import os
import signal
import sys
import threading
from collections.abc import Callable
from pathlib import Path
from types import FrameType
from typing import TYPE_CHECKING

from console.link.keys import (
    KEY_DIR_ENV,
    KeyFileError,
    KeyPair,
    default_key_dir,
    hub_keys_for_start,
    hub_public_key,
    key_file_name,
)
from console.store.db import Store
from console.store.errors import StoreError

if TYPE_CHECKING:
    from console.hub.bootstrap import Prepared
    from console.hub.hub import CommandHub
    from console.link.node import HubNode
    from console.link.standby import Primacy
    from console.video.config import CameraFile
    from console.video.hubfeed import CameraFeed

log = logging.getLogger(__name__)

DEFAULT_BIND = "tcp://*:5555"
CAMERAS_DEFAULT = Path(__file__).resolve().parents[2] / "config" / "cameras.toml"


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
    p.add_argument(
        "--init-key",
        action="store_true",
        help="first start of a new installation: make the hub key if none exists (without it,"
        " a missing key stops the hub: a new key locks out every enrolled terminal)",
    )
    p.add_argument(
        "--demo",
        action="store_true",
        help="run on the approximate demo district (its own database unless --db)",
    )
    p.add_argument("--district", metavar="CODE", help="which stored district, if several")
    p.add_argument(
        "--demo-units",
        type=int,
        metavar="N",
        help="with --demo: the demo at N units (generated patrol groups added; load tests)",
    )
    p.add_argument(
        "--cameras",
        nargs="?",
        const=str(CAMERAS_DEFAULT),
        metavar="FILE",
        help="run the cameras of this camera file (default config/cameras.toml) in worker"
        " processes feeding the hub; only the running district's cameras start",
    )
    p.add_argument(
        "--standby",
        action="store_true",
        help="hot standby (PostgreSQL only): wait for the primary lease, then serve;"
        " run the same command on each hub machine (console/link/standby.py)",
    )
    p.add_argument(
        "--lease-s",
        type=float,
        default=3.0,
        metavar="S",
        help="with --standby: the primary lease lapses after S seconds without renewal",
    )
    p.add_argument("-v", "--verbose", action="store_true")
    return p


def _hub_keys(args: argparse.Namespace) -> KeyPair:
    """The hub's key pair: the existing one, never silently made or replaced.  Only the
    first start of an installation (``--init-key``) makes one; otherwise a missing key stops
    the hub with the command that makes one and what that does to enrolled terminals."""
    return hub_keys_for_start(args.key_dir, init=args.init_key)


def hub_main(argv: list[str]) -> int:
    """Run the stand-alone hub until SIGINT/SIGTERM."""
    args = _hub_parser().parse_args(argv)
    _logging(args.verbose)
    from console.link.hubport import SituationPort
    from console.link.node import HubNode
    from console.store.db import default_db_url, open_store

    if args.key_dir is not None:  # one key directory for the link, the hub and its audit trail
        os.environ[KEY_DIR_ENV] = str(args.key_dir)
    cameras, refused = _camera_file(args)
    if refused:
        return _fail(refused)
    hub = None
    feed = None
    primacy = None
    if args.standby:
        from console.link.standby import wait_for_lease

        try:
            primacy = wait_for_lease(
                args.db, ttl_s=args.lease_s, prepare=None if args.link_only else _prepare(args)
            )
        except StoreError as exc:
            return _fail(f"database error: {exc}")
        if primacy is None:
            return 0  # stopped while on standby
    try:
        if args.link_only:
            store = open_store(args.db or default_db_url())
            keys = _hub_keys(args)
            node = HubNode(
                store,
                keys,
                args.bind,
                port=SituationPort.from_store(store),
                heartbeat_s=args.heartbeat,
            )
        else:
            from console.config import ConfigError, load_config
            from console.hub.bootstrap import NoDistrictError, open_hub

            try:
                cfg = load_config(args.config)
            except ConfigError as exc:
                return _fail(f"configuration error: {exc}")
            try:
                # no stand-in terminals, even on the demo district: this hub serves real
                # terminals, and an order nobody received must never count as delivered
                hub = open_hub(
                    args.db,
                    cfg,
                    demo=args.demo,
                    simulate=False,
                    district=args.district,
                    stand_ins=False,
                    demo_units=args.demo_units,
                    prepared=_prepared(primacy),
                )
            except NoDistrictError as exc:
                return _fail(f"the hub cannot start: {exc}", 3)
            keys = _hub_keys(args)
            node = HubNode(hub.store, keys, args.bind, hub=hub, heartbeat_s=args.heartbeat)
        if primacy is not None:
            primacy.mark("hub loaded")
        node.start()
        if primacy is not None:
            primacy.mark("ports bound")
        if primacy is not None and hub is not None:
            primacy.announce(hub)  # the takeover in the audit log and on the alert board
            primacy.mark("announced")
        if hub is not None and cameras is not None:
            feed = _start_cameras(hub, cameras, node)
    except KeyFileError as exc:
        if hub is not None:
            hub.stop()
        return _fail(str(exc))
    except StoreError as exc:
        return _fail(f"database error: {exc}")
    except ValueError as exc:
        return _fail(str(exc))
    except Exception as exc:  # e.g. address in use; never raw SQL on the screen
        from console.hub.guard import safe_text

        log.debug("start-up failed", exc_info=True)
        return _fail(f"cannot start the hub: {safe_text(exc)}")
    from console.heap import settle_after_start

    settle_after_start()  # start-up state out of the collector's sight (console/heap.py)
    if primacy is not None:
        primacy.mark("settled")
    stop = threading.Event()

    def on_signal(_sig: int, _frame: FrameType | None) -> None:
        stop.set()

    # the handlers before the ready line: whoever reads it may stop the hub at once, and
    # that stop must be the clean one (feed, node, hub, lease), never the default action
    signal.signal(signal.SIGINT, on_signal)
    signal.signal(signal.SIGTERM, on_signal)
    ep = node.endpoints
    print(
        f"hub ready terminals={ep.terminals} commands={ep.commands} events={ep.events}"
        f" key={keys.public}",
        flush=True,
    )
    try:
        while not stop.wait(10.0):
            st = node.link.stats
            log.info(
                "terminals online %d (connections %d), positions %d, invalid frames %d, "
                "orders sent %d",
                len(node.link.online_units()),  # a reconnect's old connection counts until swept
                len(node.link.sessions),
                st.positions,
                st.invalid_total,
                st.orders_sent,
            )
    finally:
        if feed is not None:
            feed.stop()  # the workers first: no report into a stopping hub
        node.stop()
        if hub is not None:
            hub.stop()
        if primacy is not None:
            primacy.release()  # a standby takes over at once, not after the lease lapses
    return 0


def _prepare(args: argparse.Namespace) -> Callable[[Store], object]:
    """A hot standby's warm-up: what ``open_hub`` will read, read while it waits."""

    def prepare(store: Store) -> object:
        from console.config import load_config
        from console.hub.bootstrap import prepare_hub

        return prepare_hub(store, load_config(args.config), demo=args.demo)

    return prepare


def _prepared(primacy: Primacy | None) -> Prepared | None:
    from console.hub.bootstrap import Prepared

    got = primacy.prepared if primacy is not None else None
    return got if isinstance(got, Prepared) else None


def _camera_file(args: argparse.Namespace) -> tuple[CameraFile | None, str]:
    """The ``--cameras`` file, read before anything starts: (cameras or None, refusal).

    A bad file stops the hub with a sentence naming file, key and problem instead of
    starting it without the cameras: whoever asked for cameras would otherwise believe
    the building faces and squares are watched while nothing is, and a start-up error
    is seen at once (as a bad ``--config`` is); without ``--cameras`` the hub starts."""
    if args.cameras is None:
        return None, ""
    if args.link_only:
        return None, "--cameras needs the command hub (cameras raise incidents): drop --link-only"
    from console.video.config import CameraConfigError, load_cameras

    try:
        return load_cameras(args.cameras), ""
    except CameraConfigError as exc:
        return None, (
            f"camera file {args.cameras}: {exc.key}: {exc.reason} (fix it, or start the hub"
            " without --cameras)"
        )


def _start_cameras(hub: CommandHub, cameras: CameraFile, node: HubNode) -> CameraFeed:
    """The district's cameras in worker processes feeding ``hub`` (the others are named in
    the log by :meth:`~console.hub.sensing.Sensing.set_cameras`), their live previews to
    the workstations that watch (port + 3, console/video/previews.py)."""
    from console.video.hubfeed import feed_for_hub
    from console.video.previews import serve_previews

    feed = feed_for_hub(hub, cameras).start()
    serve_previews(hub, feed, node.ctx, node.hub_keys, node.endpoints.commands)
    ids = [c.id for c in feed.cameras.cameras]
    if ids:
        log.info(
            "cameras started (%d): %s; evidence in %s", len(ids), ", ".join(ids), feed.evidence_root
        )
    else:
        log.warning(
            "no camera of %s belongs to district %r: none started", cameras.path, hub.district.code
        )
    return feed


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
    from console.audit import AuditError, audited_cli
    from console.link.trust import enroll_terminal, revoke_terminals
    from console.store.db import default_db_url, open_store

    if args.key_dir is not None:  # the hub key and the audit key live together
        os.environ[KEY_DIR_ENV] = str(args.key_dir)
    try:
        store = open_store(args.db or default_db_url())
        if args.list:
            return _list_terminals(store)
        if args.revoke_key:  # every administration command is on record before it acts
            with audited_cli(store, args.key_dir, "terminal.revoke", {"key": args.revoke_key}):
                done = revoke_terminals(store, key=args.revoke_key)
            print(f"revoked {len(done)} key(s)")
            return 0 if done else 1
        if not args.unit:
            return _fail("--unit is required")
        if args.revoke:
            with audited_cli(store, args.key_dir, "terminal.revoke", {"unit": args.unit}):
                done = revoke_terminals(store, unit=args.unit)
            print(
                f"revoked {len(done)} key(s) of {args.unit}: "
                + ", ".join(k[:8] + "..." for k in done)
            )
            return 0 if done else 1
        out = args.out or Path(key_file_name(args.unit))
        payload = {"unit": args.unit, "key_file": str(out), "by": args.by}
        with audited_cli(store, args.key_dir, "terminal.enroll", payload):
            key = enroll_terminal(
                store,
                args.unit,
                out,
                hub_public_key(args.key_dir),
                endpoint=args.endpoint,
                enrolled_by=args.by,
            )
    except (StoreError, KeyFileError, AuditError, ValueError) as exc:
        return _fail(str(exc))
    print(
        f"enrolled a terminal for {key.unit}: key file {out}"
        " (mode 600, install it on the terminal only)"
    )
    print(f"public key {key.keys.public}")
    return 0


def _list_terminals(store: object) -> int:
    from sqlalchemy import select

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


def _simulate_parser() -> argparse.ArgumentParser:
    """The options this entry point reads itself; the rest go to the simulator."""
    p = argparse.ArgumentParser(prog="main.py simulate", add_help=False)
    p.add_argument("--db", metavar="URL")
    p.add_argument("--terminals", type=int, default=50)
    p.add_argument(
        "--demo-units",
        type=int,
        metavar="N",
        help="first put the demo at N units into --db (then start or restart the hub)",
    )
    return p


def simulate_main(argv: list[str]) -> int:
    """N simulated terminals against a running hub.

    ``--demo-units N`` first sizes the demo in ``--db`` (generated patrol groups), so
    ``simulate --terminals 5000`` has 5,000 units to speak for; a hub already running on
    that database must be restarted to serve the new units (``main.py hub --demo
    --demo-units N`` does both in one step).  Asking for more terminals than the database
    has units is refused with that advice."""
    from console.terminal.simulator import main

    if "-h" in argv or "--help" in argv:
        return main(argv)
    known, _rest = _simulate_parser().parse_known_args(argv)
    rest = list(argv)
    if known.demo_units is not None:
        i = next(k for k, a in enumerate(rest) if a.startswith("--demo-units"))
        del rest[i : i + (1 if "=" in rest[i] else 2)]
        from console.hub.bootstrap import prepare_demo

        try:
            n = prepare_demo(known.db, known.demo_units)
        except (StoreError, ValueError) as exc:
            return _fail(str(exc))
        print(
            f"demo district with {n} units in the database; restart a hub already running on"
            " it to serve the new units",
            flush=True,
        )
    units = _unit_count(known.db)
    if units is not None and known.terminals > units:
        return _fail(
            f"the database has {units} units: cannot simulate {known.terminals} terminals; "
            f"size the demo with --demo-units {known.terminals} (here or on main.py hub --demo)"
        )
    return main(rest)


def _unit_count(db: str | None) -> int | None:
    """Units in service in the database (None if it cannot be read here)."""
    try:
        from sqlalchemy import func, select

        from console.store.db import default_db_url, open_store
        from console.store.models import UnitRow

        store = open_store(db or default_db_url())
        try:
            with store.session() as s:
                q = select(func.count()).select_from(UnitRow).where(UnitRow.retired_at.is_(None))
                return int(s.scalar(q) or 0)
        finally:
            store.close()
    except Exception:  # the simulator says what is wrong with the database
        return None


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
