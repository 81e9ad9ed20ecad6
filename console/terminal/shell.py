"""``main.py terminal``: the front-line officer's terminal in a shell.

Incoming orders ring the terminal bell and print at once; the officer answers
with short commands (``help`` lists them).  Orders are numbered in the list,
and any unique prefix of an order id works too.  The terminal remembers its
orders and unsent reports in a local SQLite file, so it can be closed and
reopened without losing or repeating anything.  Orders print as their card
(Chinese first: the caller's report, who else is sent, the route by street);
messages from the command room are numbered and confirmed read with ``msg N``.
The window version is ``python main.py terminal --gui`` (widgets/terminal).
"""

from __future__ import annotations

import argparse
import shlex
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any, TextIO

import platformdirs

from console.link import protocol as p
from console.link.keys import APP_NAME, KeyFileError, load_terminal_key, safe_stem
from console.link.order_card import card_text
from console.terminal.client import TerminalClient
from console.terminal.gnss import BAUD_RATES, SerialGnss
from console.terminal.gps import FixedSource, NmeaSource, PositionSource, load_route
from console.terminal.localstore import LocalOrder, SqliteStore

HELP = """commands (命令):
  orders                  list open orders (指令列表)
  show N                  show order N in full and mark it read (查看)
  accept N                accept order N (接受)
  reject N REASON         reject order N with a reason (拒绝)
  arrive N                report arrival at the scene (到达)
  finish N OUTCOME        report the outcome; closes the order (完成)
  photo N FILE [TEXT]     send a JPEG from the scene (照片)
  note [N] TEXT           send a text report (反馈)
  status STATUS           available | en_route | on_scene | off_duty (状态)
  messages                messages both ways (消息)
  msg N                   open message N and mark it read (已读)
  where                   current position (位置)
  help, quit"""


class Shell:
    """Reads commands, prints events; the terminal client does the talking."""

    def __init__(self, client: TerminalClient, out: TextIO, bell: bool = True) -> None:
        self.client = client
        self.out = out
        self.bell = bell
        self._lock = threading.Lock()
        self.last_fix: Any = None

    def say(self, text: str) -> None:
        with self._lock:
            self.out.write(text + "\n")
            self.out.flush()

    # ----------------------------------------------------------- from the hub

    def on_event(self, kind: str, payload: Any) -> None:
        unit = self.client.session.unit
        if kind == "order":
            o: LocalOrder = payload
            self.say(
                ("\a" if self.bell else "")
                + "\n*** 新指令 NEW ORDER ***\n"
                + describe(o.order, unit)
            )
        elif kind == "order_update":
            card = payload.order.card
            what = "、".join(card.changes_zh) if card is not None else ""
            self.say(
                ("\a" if self.bell else "")
                + f"\n*** 指令更新 ORDER UPDATED *** {what}\n"
                + describe(payload.order, unit)
            )
        elif kind == "order_cancel":
            held, reason = payload
            self.say(
                ("\a" if self.bell else "")
                + f"\n*** 指令取消 ORDER CANCELLED {held.order.order_id[:8]}: {reason}"
            )
        elif kind == "message":
            self.say(
                ("\a" if self.bell else "")
                + f"\n[消息 message from {payload.sender}] {payload.text}  (type 'messages')"
            )
        elif kind == "welcome":
            self.say(f"connected to the hub as {payload.unit}")
        elif kind == "refused":
            if payload.code == "version":
                self.say(f"协议版本不兼容 protocol version mismatch: {payload.reason}")
            else:
                self.say(f"hub refused a report ({payload.code}): {payload.reason}")

    # ------------------------------------------------------------ from the officer

    def resolve(self, ref: str) -> str:
        orders = self.client.orders()
        if ref.isdigit() and 1 <= int(ref) <= len(orders):
            return orders[int(ref) - 1].order.order_id
        hits = [o.order.order_id for o in orders if o.order.order_id.startswith(ref.lower())]
        if len(hits) != 1:
            raise ValueError(f"no single open order matches {ref!r} (type 'orders')")
        return hits[0]

    def run_command(self, line: str) -> bool:
        """Execute one command line; False means quit."""
        try:
            words = shlex.split(line)
        except ValueError as exc:
            self.say(f"cannot parse: {exc}")
            return True
        if not words:
            return True
        cmd, args = words[0].lower(), words[1:]
        try:
            return self._dispatch(cmd, args)
        except (ValueError, KeyError, OSError) as exc:
            self.say(f"error: {exc}")
        except Exception as exc:
            self.say(f"error: {exc}")
        return True

    def _wait(self, fut: Any) -> None:
        fut.result(5.0)

    def _dispatch(self, cmd: str, args: list[str]) -> bool:
        c = self.client
        need: Callable[[int], None] = lambda n: _need(cmd, args, n)  # noqa: E731
        if cmd in ("quit", "exit", "q"):
            return False
        if cmd in ("help", "?"):
            self.say(HELP)
        elif cmd in ("orders", "ls", "list"):
            orders = c.orders()
            if not orders:
                self.say("no open orders (无指令)")
            for i, o in enumerate(orders, 1):
                self.say(
                    f"{i:2d}. [{o.state:8s}] {o.order.order_id[:8]} P{o.order.priority} "
                    f"{o.order.incident_type} {o.order.address} ({o.order.role})"
                )
        elif cmd in ("show", "read", "ack"):
            need(1)
            oid = self.resolve(args[0])
            held = next(o for o in c.orders() if o.order.order_id == oid)
            self.say(describe(held.order, c.session.unit))
            if held.state == "new":
                self._wait(c.read(oid))
        elif cmd == "accept":
            need(1)
            self._wait(c.accept(self.resolve(args[0])))
            self.say("accepted (已接受)")
        elif cmd == "reject":
            need(2)
            self._wait(c.reject(self.resolve(args[0]), " ".join(args[1:])))
            self.say("rejected (已拒绝)")
        elif cmd in ("arrive", "arrived"):
            need(1)
            self._wait(c.arrived(self.resolve(args[0])))
            self.say("arrival reported (已到达)")
        elif cmd == "finish":
            need(2)
            self._wait(c.finish(self.resolve(args[0]), " ".join(args[1:])))
            self.say("outcome reported (已完成)")
        elif cmd == "photo":
            need(2)
            oid = self.resolve(args[0])
            data = Path(args[1]).read_bytes()
            self._wait(c.feedback(" ".join(args[2:]) or "photo", oid, data))
            self.say(f"photo queued ({len(data) // 1024} KiB)")
        elif cmd == "note":
            need(1)
            oid = None
            if len(args) > 1:
                try:
                    oid = self.resolve(args[0])
                    args = args[1:]
                except ValueError:
                    oid = None
            self._wait(c.feedback(" ".join(args), oid))
            self.say("report queued")
        elif cmd == "status":
            need(1)
            if args[0] not in ("available", "en_route", "on_scene", "off_duty"):
                raise ValueError("status must be available, en_route, on_scene or off_duty")
            self._wait(c.set_status(args[0]))  # type: ignore[arg-type]
            self.say(f"status {args[0]} sent")
        elif cmd in ("messages", "msgs"):
            incoming = [m for m in c.messages() if not m.outgoing]
            if not incoming:
                self.say("no messages (无消息)")
            for i, m in enumerate(incoming, 1):
                mark = "  " if m.state == "read" else "* "
                when = time.strftime("%H:%M", time.localtime(m.message.t))
                self.say(f"{mark}{i:2d}. {when} {m.message.sender}: {m.message.text}")
            waiting = c.waiting_reports()
            if waiting:
                self.say(f"{waiting} reports waiting for the network ({waiting} 条报告等待网络)")
        elif cmd == "msg":
            need(1)
            incoming = [m for m in c.messages() if not m.outgoing]
            if not args[0].isdigit() or not 1 <= int(args[0]) <= len(incoming):
                raise ValueError(f"no message {args[0]!r} (type 'messages')")
            m = incoming[int(args[0]) - 1]
            self.say(f"{m.message.sender}: {m.message.text}")
            self._wait(c.read_message(m.message.message_id))
            self.say("read (已读)")
        elif cmd == "where":
            f = self.last_fix
            self.say(
                "no fix yet"
                if f is None
                else f"{f.lat:.6f}, {f.lon:.6f} (±{f.accuracy or 0:.0f} m)"
            )
        else:
            self.say(f"unknown command {cmd!r}; type 'help'")
        return True


def _need(cmd: str, args: list[str], n: int) -> None:
    if len(args) < n:
        raise ValueError(f"'{cmd}' needs {n} argument(s); type 'help'")


def describe(o: p.OrderBody, own_call_sign: str = "") -> str:
    """An order as the officer reads it: its card when the hub sent one."""
    if o.card is not None:
        until = time.strftime("%H:%M:%S", time.localtime(o.expires_at))
        return (
            f"order {o.order_id[:8]}  rev {o.rev}\n"
            + card_text(o.card, own_call_sign)
            + f"\n  valid until {until}"
        )
    lines = [
        f"order {o.order_id[:8]}  incident #{o.incident_id} {o.incident_type}"
        f"  priority P{o.priority}",
        f"  role (任务): {o.role}",
        f"  place (地点): {o.address or '-'} ({o.lat:.5f}, {o.lon:.5f})",
    ]
    if o.instructions:
        lines.append(f"  instructions (指示): {o.instructions}")
    if o.briefing:
        lines.append(f"  briefing (情况): {o.briefing}")
    lines.append(f"  valid until {time.strftime('%H:%M:%S', time.localtime(o.expires_at))}")
    return "\n".join(lines)


def _parser() -> argparse.ArgumentParser:
    ap = argparse.ArgumentParser(
        prog="main.py terminal", description="front-line terminal in the shell"
    )
    ap.add_argument(
        "--hub",
        metavar="ENDPOINT",
        help="hub endpoint, or several comma-separated for a hot standby pair"
        " (default: the one in the key file)",
    )
    ap.add_argument(
        "--key", metavar="FILE", type=Path, required=True, help="this terminal's key file"
    )
    ap.add_argument(
        "--store", metavar="FILE", type=Path, help="local state file (default: user data dir)"
    )
    src = ap.add_mutually_exclusive_group()
    src.add_argument("--nmea", metavar="FILE", type=Path, help="NMEA file or GPS device")
    src.add_argument(
        "--route", metavar="FILE", type=Path, help="CSV lon,lat or GeoJSON line to drive"
    )
    src.add_argument("--fixed", metavar="LON,LAT", help="stay at one place")
    src.add_argument("--gnss", metavar="PORT", help="GNSS receiver on a serial port (pyserial)")
    ap.add_argument(
        "--baud", type=int, default=9600, choices=BAUD_RATES, help="GNSS serial baud rate"
    )
    ap.add_argument("--speed", type=float, default=8.0, help="route speed, m/s")
    ap.add_argument("--interval", type=float, default=1.0, help="seconds between position reports")
    ap.add_argument("--no-bell", action="store_true")
    return ap


def _source(args: argparse.Namespace) -> PositionSource | None:
    if args.gnss:
        return SerialGnss(args.gnss, args.baud).start()
    if args.nmea:
        return NmeaSource(args.nmea, baud=args.baud)
    if args.route:
        r = load_route(args.route)
        r.speed = args.speed
        return r
    if args.fixed:
        lon, lat = (float(v) for v in args.fixed.split(","))
        return FixedSource(lon, lat)
    return None


def main(argv: list[str], stdin: TextIO | None = None, stdout: TextIO | None = None) -> int:
    """Run the shell terminal until ``quit`` or end of input."""
    if "--gui" in argv:  # console/ never imports Qt: the window is widgets/terminal
        print(
            "the terminal window is started by the Qt front end:"
            " python main.py terminal --gui ... (or python -m widgets.terminal ...)",
            file=sys.stderr,
        )
        return 2
    args = _parser().parse_args(argv)
    stdin = stdin or sys.stdin
    out = stdout or sys.stdout
    try:
        key = load_terminal_key(args.key)
        source = _source(args)
    except (KeyFileError, ValueError, OSError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    endpoint = args.hub or key.endpoint
    if not endpoint:
        print("error: no hub endpoint: pass --hub or enrol with --endpoint", file=sys.stderr)
        return 2
    safe = safe_stem(key.unit)
    store_path = (
        args.store or Path(platformdirs.user_data_dir(APP_NAME)) / f"terminal-{safe}.sqlite3"
    )
    store = SqliteStore(store_path)
    shell: Shell | None = None

    def on_event(kind: str, payload: Any) -> None:
        if shell is not None:
            shell.on_event(kind, payload)

    client = TerminalClient(key, endpoint, store, on_event=on_event)
    shell = Shell(client, out, bell=not args.no_bell)
    stop = threading.Event()

    def report_positions() -> None:
        while source is not None and not stop.wait(args.interval):
            f = source.fix()
            if f is not None:
                shell.last_fix = f
                client.position(f.lat, f.lon, accuracy=f.accuracy, speed=f.speed, heading=f.heading)

    client.start()
    threading.Thread(target=report_positions, name="positions", daemon=True).start()
    shell.say(f"terminal of {key.unit} -> {endpoint}  (type 'help')")
    try:
        for line in stdin:
            if not shell.run_command(line):
                break
    except KeyboardInterrupt:
        pass
    finally:
        stop.set()
        client.stop()
        store.close()
    return 0
