"""The workstation's hub as a child process: ``python main.py`` on the desktop.

Why a child process: with the hub embedded, the GUI thread waited for the GIL while the
hub's threads ran Python; a busy shift froze the screen for 400-700 ms at a time
(``bench/shift.py``, ``max_stall_ms``).  In its own process the hub has its own GIL and the
window talks to it through the same client API as a remote seat
(:class:`~console.link.remote.RemoteClient`), so there is still one code path.

Both halves live here, without Qt:

- :class:`HubChild` (the workstation): picks a private directory (0700) for two ``ipc://``
  endpoints, an ephemeral CURVE key pair for the hub and, for the labelled demo only, a
  one-time session token for the demo seat; starts ``python -m console.workstation.hubchild``
  and hands those over on the child's stdin (a pipe: never on the command line, never in a
  file); waits for the child's ``READY`` line; if the child ends first, raises
  :class:`HubChildError` naming the reason (its exit status and the tail of its stderr).
- :func:`child_main` (the child): reads that line, sets ``PR_SET_PDEATHSIG`` (Linux: the
  kernel sends SIGTERM when the workstation dies, even by SIGKILL) and watches its stdin
  (the parent's end of the pipe closes when the parent dies, on every platform), runs
  :data:`HUB_NICE` below the window (:func:`yield_to_the_screen`), opens the
  hub exactly as the embedded workstation does (:func:`~console.hub.bootstrap.open_hub`),
  serves it with the workstation server (:class:`~console.link.workstation.HubServer`,
  CURVE with the ephemeral key), no terminal link (as embedded), and prints ``READY`` (its
  endpoints and its database).  After that each line from the parent is a request answered
  by one line (:meth:`ServedHub.parent_says`): the demo seat's key, and a reload of the call
  history after File > Import past calls wrote into the same database
  (:meth:`HubChild.reload_history`).

Security is the embedded mode's: a real district's seat signs in through the real dialog
(the hub treats an unsigned request as anonymous).  The embedded demo seat was trusted
because it was in the same process; here the parent's one-time token stands in for that:
the child stores a session for the demo seat under that token's hash (the sign-in is on
record, ``auth.login`` with source ``demo-seat``), admits the seat's own CURVE key to the
event stream when the parent names it on the pipe (``admit KEY``), and ends the session
when it stops.  There is no password, fixed or
otherwise, and without ``--demo`` no seat is made at all.
"""

from __future__ import annotations

import collections
import contextlib
import ctypes
import json
import logging
import os
import secrets
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any

from console.link.keys import KeyPair

if TYPE_CHECKING:
    from console.hub.hub import CommandHub
    from console.link.remote import RemoteClient
    from console.link.trust import ZapHandler
    from console.link.workstation import HubServer
    from console.store import Store
    from console.video.hubfeed import CameraFeed

log = logging.getLogger(__name__)

READY = "READY "
START_TIMEOUT_S = 180.0
"""The demo's first start builds its database and 90 days of calls: allow for it."""
STDERR_TAIL = 40
DEMO_SEATS = {"operator": "值班员(演示)", "supervisor": "值班领导(演示)", "admin": "管理员(演示)"}
SEAT_SOURCE = "demo-seat"
PR_SET_PDEATHSIG = 1
HUB_NICE = 5
"""How much lower the hub process runs than the window (``nice``): on a two-core
workstation a busy shift's hub threads kept the GUI thread waiting for a core for up to
50 ms at a time (``bench/shift.py``, ``max_stall_runqueue_ms``); at nice 5 the kernel gives
the screen about three times the hub's share when both want a core, and the hub still has
every core the screen leaves idle (the bench streamed its 500 calls in the same time)."""
SEAT_LIFE_S = 400 * 86400.0
"""The demo seat's session ends when its hub stops (logout), as the embedded seat did; its
stored end is only for a hub killed without a chance to log it out."""


class HubChildError(RuntimeError):
    """The hub child did not start; the message names why."""


@dataclass
class Seat:
    """The labelled demo's password-free seat: who, and the one-time token that is it."""

    actor: str
    role: str
    token: str = field(default_factory=lambda: secrets.token_urlsafe(32))
    key: str = ""
    """The workstation client's CURVE public key, admitted to the event stream (set by
    :meth:`HubChild.start` once the client exists)."""


# ----------------------------------------------------------------- the child


def die_with_parent() -> None:
    """Linux: SIGTERM to this process when its parent dies (also by SIGKILL)."""
    if not sys.platform.startswith("linux"):
        return
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(PR_SET_PDEATHSIG, signal.SIGTERM, 0, 0, 0)
    except (OSError, AttributeError):
        log.warning("cannot ask to die with the parent; watching its pipe only")


@dataclass
class ServedHub:
    """A hub's workstation server in a process of its own (ZAP first, then the sockets)."""

    hub: CommandHub
    keys: KeyPair
    server: HubServer
    zap: ZapHandler
    ctx: Any
    feed: CameraFeed | None = None
    """The cameras started on the parent's request (Video > Start cameras), or None."""

    @classmethod
    def serve(cls, hub: CommandHub, keys: KeyPair, commands: str, events: str) -> ServedHub:
        import zmq

        from console.link.hubcmd import INTERNAL_COMMANDS
        from console.link.trust import TrustCache, ZapHandler
        from console.link.workstation import HubServer

        ctx: zmq.Context[zmq.Socket[bytes]] = zmq.Context()
        trust = TrustCache(hub.store)
        zap = ZapHandler(ctx, trust).start()
        wanted = [c for c in hub.rights if c not in INTERNAL_COMMANDS]
        try:
            server = HubServer(
                ctx, hub, wanted, keys, commands, events, event_keys=trust.event_keys
            ).start()
        except Exception:
            zap.stop()
            ctx.destroy(linger=0)
            raise
        return cls(hub, keys, server, zap, ctx)

    def admit_seat(self, seat: Seat) -> None:
        """Store the demo seat's session under its one-time token; admit its key to events."""
        from console.auth.common import token_hash
        from console.store.access_repo import SessionRepo

        hub = self.hub
        now = hub.clock()
        auth = hub.auth
        with hub.store.transaction() as s:
            SessionRepo(s).add(
                token_hash(seat.token),
                username=seat.actor,
                display_name=seat.actor,
                role=seat.role,
                source=SEAT_SOURCE,
                now=now,
                expires_at=now + SEAT_LIFE_S,  # ended at stop: it lives as long as this hub
            )
            auth.audit.write(
                s,
                actor=seat.actor,
                workstation="local",
                action="auth.login",
                payload={"username": seat.actor, "role": seat.role, "source": SEAT_SOURCE},
                t=now,
            )

    def parent_says(self, line: str) -> None:
        """A request line from the parent, answered on stdout (:mod:`.requests`)."""
        from console.workstation.requests import answer

        answer(self, line)

    def ready_line(self) -> str:
        return READY + json.dumps(
            {
                "commands": self.server.command_endpoint,
                "events": self.server.event_endpoint,
                "pid": os.getpid(),
                # the workstation's File > Import writes past calls into the same database
                "db": self.hub.store.url.render_as_string(hide_password=False),
            }
        )

    def stop(self) -> None:
        if self.feed is not None:
            self.feed.stop()  # the workers first: no report into a stopping hub
            self.feed = None
        self.server.stop()
        self.zap.stop()
        self.ctx.destroy(linger=0)


def read_launch(stream: IO[str]) -> dict[str, Any]:
    """The parent's one line on stdin (keys, endpoints, the demo seat)."""
    line = stream.readline()
    if not line:
        raise HubChildError("no launch line on stdin (start it with HubChild)")
    data = json.loads(line)
    if not isinstance(data, dict):
        raise HubChildError("the launch line is not an object")
    return data


def yield_to_the_screen(launch: dict[str, Any]) -> int:
    """Lower this process's CPU priority by the parent's ``nice`` (:data:`HUB_NICE`): the
    operator's screen first, the hub's queued work in the time it leaves.  Returns the
    increment applied (0 where the platform has no ``nice`` or refuses it)."""
    step = launch.get("nice", 0)
    if not isinstance(step, int) or isinstance(step, bool) or not 0 <= step <= 19:
        log.warning("ignoring nice %r in the launch line (an integer 0-19)", step)
        return 0
    if step == 0 or not hasattr(os, "nice"):
        return 0
    try:
        os.nice(step)
    except OSError as exc:
        log.warning("cannot lower the hub's priority: %s", exc)
        return 0
    return step


def watch_parent(
    stream: IO[str], stop: threading.Event, on_line: Callable[[str], None] | None = None
) -> threading.Thread:
    """Set ``stop`` when the parent's end of the stdin pipe closes (the parent is gone);
    every line before that goes to ``on_line``."""

    def run() -> None:
        with contextlib.suppress(Exception):
            for line in stream:
                if on_line is not None:
                    on_line(line.strip())
        stop.set()

    t = threading.Thread(target=run, name="hub-parent-watch", daemon=True)
    t.start()
    return t


def child_main(argv: list[str] | None = None) -> int:
    """``python -m console.workstation.hubchild [--demo] [--db URL] ...`` (run by HubChild)."""
    import argparse

    die_with_parent()
    p = argparse.ArgumentParser(prog="hubchild", description="the workstation's hub process")
    p.add_argument("--db")
    p.add_argument("--demo", action="store_true")
    p.add_argument("--district")
    p.add_argument("--demo-units", type=int)
    p.add_argument("--config", type=Path)
    p.add_argument("--no-sim", action="store_true")
    p.add_argument("-v", "--verbose", action="store_true")
    args = p.parse_args(argv)
    logging.basicConfig(
        level=logging.DEBUG if args.verbose else logging.WARNING,
        format="%(asctime)s hub %(levelname)s %(name)s: %(message)s",
    )
    stop = threading.Event()
    for sig in (signal.SIGTERM, signal.SIGINT):
        signal.signal(sig, lambda *_: stop.set())
    try:
        launch = read_launch(sys.stdin)
    except (HubChildError, ValueError) as exc:
        print(f"the hub child cannot start: {exc}", file=sys.stderr)
        return 2
    yield_to_the_screen(launch)
    if launch.get("parent") and os.getppid() != launch["parent"]:
        print("the workstation that started this hub is gone", file=sys.stderr)
        return 1  # it died before die_with_parent() took effect
    seat = launch.get("seat")
    if seat is not None and not args.demo:
        print("a seat without a password exists only in the labelled demo", file=sys.stderr)
        return 2

    from console.config import ConfigError, load_config
    from console.heap import settle_after_start
    from console.hub.bootstrap import NoDistrictError, open_hub
    from console.store.errors import StoreError

    try:
        config = load_config(args.config)
        hub = open_hub(
            args.db,
            config,
            demo=args.demo,
            simulate=not args.no_sim,
            district=args.district,
            demo_units=args.demo_units,
        )
    except ConfigError as exc:
        print(f"configuration error: {exc}", file=sys.stderr)
        return 2
    except NoDistrictError as exc:
        print(f"cannot open the console: {exc}", file=sys.stderr)
        return 3
    except StoreError as exc:
        print(f"database error: {exc}", file=sys.stderr)
        return 2
    served: ServedHub | None = None
    the_seat = Seat(**seat) if seat is not None else None
    try:
        keys = KeyPair(launch["hub_public"], launch["hub_secret"])
        served = ServedHub.serve(hub, keys, launch["commands"], launch["events"])
        if the_seat is not None:
            served.admit_seat(the_seat)
        settle_after_start()
        print(served.ready_line(), flush=True)
        watch_parent(sys.stdin, stop, served.parent_says)
        keep_alive = max(1.0, hub.auth.settings.session_idle_seconds / 4)
        touched = time.monotonic()
        while not stop.wait(1.0):
            if the_seat is not None and time.monotonic() - touched >= keep_alive:
                touched = time.monotonic()  # the embedded demo seat never timed out
                hub.auth.resolve(the_seat.token)
    except Exception as exc:
        from console.hub.guard import safe_text

        log.debug("hub child failed", exc_info=True)
        print(f"the hub child failed: {safe_text(exc)}", file=sys.stderr)
        return 1
    finally:
        if served is not None:
            served.stop()
        if the_seat is not None:
            with contextlib.suppress(Exception):
                hub.auth.logout(the_seat.token)  # the one-time seat ends with this hub
        hub.stop()
        remove_endpoints(launch)  # the parent may have died without cleaning up
    return 0


def remove_endpoints(launch: dict[str, Any]) -> None:
    """Remove the ``ipc://`` socket files and their private directory (HubChild's own)."""
    folders = set()
    for key in ("commands", "events"):
        ep = str(launch.get(key, ""))
        if ep.startswith("ipc://"):
            path = Path(ep[len("ipc://") :])
            with contextlib.suppress(OSError):
                path.unlink()
            folders.add(path.parent)
    for folder in folders:
        if folder.name.startswith("dispatch-hub-"):
            with contextlib.suppress(OSError):
                folder.rmdir()  # only when empty


# ---------------------------------------------------------------- the parent


class HubChild:
    """Start the workstation's hub process and connect a client to it."""

    def __init__(
        self,
        hub_args: list[str],
        *,
        seat: Seat | None = None,
        command: list[str] | None = None,
        timeout_s: float = START_TIMEOUT_S,
        env: dict[str, str] | None = None,
        forward_stderr: bool = True,
        nice: int = HUB_NICE,
    ) -> None:
        """``hub_args``: the child's options (``--demo``, ``--db URL``...); ``command``: the
        program to run instead of this module's child (benchmarks); ``nice``: how much
        lower than this process the child runs (:data:`HUB_NICE`)."""
        self.hub_args = list(hub_args)
        self.nice = nice
        self.seat = seat
        self.command = command or [sys.executable, "-m", "console.workstation.hubchild"]
        self.timeout_s = timeout_s
        self.env = env
        self.forward_stderr = forward_stderr
        self.keys = KeyPair.generate()
        self.dir = Path(tempfile.mkdtemp(prefix="dispatch-hub-"))  # mode 0700
        self.commands = f"ipc://{self.dir}/commands"
        self.events = f"ipc://{self.dir}/events"
        self.proc: subprocess.Popen[str] | None = None
        self.client: RemoteClient | None = None
        self.info: dict[str, Any] = {}
        self.lines: collections.deque[str] = collections.deque()
        self._stderr: collections.deque[str] = collections.deque(maxlen=STDERR_TAIL)
        self._line_ready = threading.Condition()
        self._readers: list[threading.Thread] = []
        self._ask = threading.Lock()  # one request to the child at a time
        self._store: Store | None = None
        self._store_lock = threading.Lock()

    @property
    def pid(self) -> int:
        return self.proc.pid if self.proc is not None else 0

    def start(self, workstation: str = "local") -> RemoteClient:
        """Start the child and return a client connected to it (signed in as the demo seat
        when there is one, else anonymous until the sign-in dialog); HubChildError if the
        child ends or stays silent before it is ready."""
        from console.link.remote import RemoteClient

        seat = self.seat
        launch: dict[str, Any] = {
            "hub_public": self.keys.public,
            "hub_secret": self.keys.secret,
            "commands": self.commands,
            "events": self.events,
            "seat": None,
            "parent": os.getpid(),
            "nice": self.nice,
        }
        if seat is not None:
            launch["seat"] = {"actor": seat.actor, "role": seat.role, "token": seat.token}
        try:
            self._spawn(launch)
            self._wait_ready()
            # connect once the child has bound (a socket connecting earlier backs off)
            client = RemoteClient.with_explicit(
                self.commands,
                self.events,
                self.keys.public,
                actor="anonymous",
                role="anonymous",
                workstation=workstation,
            )
            self.client = client
            if seat is not None:
                # the seat's connection may subscribe to events before its first request
                # (as a Login reply admits it); then the token opens the event stream
                seat.key = client.keys.public
                self.send_line(f"admit {seat.key}")
                if self.next_line(self.timeout_s) != f"ADMITTED {seat.key}":
                    raise HubChildError(
                        "the hub process did not admit the demo seat" + _tail(self.stderr_tail())
                    )
                client.adopt_session(seat.token, seat.actor, seat.role)
        except BaseException:
            self.stop()
            raise
        return client

    def _spawn(self, launch: dict[str, Any]) -> None:
        env = dict(os.environ if self.env is None else self.env)
        root = str(Path(__file__).resolve().parents[2])
        env["PYTHONPATH"] = os.pathsep.join(p for p in (root, env.get("PYTHONPATH")) if p)
        try:
            self.proc = subprocess.Popen(
                [*self.command, *self.hub_args],
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                text=True,
                encoding="utf-8",
                errors="replace",
                env=env,
                close_fds=True,
            )
        except OSError as exc:
            raise HubChildError(f"the hub process could not be started: {exc}") from None
        proc = self.proc
        assert proc.stdin is not None and proc.stdout is not None and proc.stderr is not None
        for name, stream, sink in (
            ("hub-child-out", proc.stdout, self._out),
            ("hub-child-err", proc.stderr, self._err),
        ):
            t = threading.Thread(target=self._pump, args=(stream, sink), name=name, daemon=True)
            t.start()
            self._readers.append(t)
        try:
            proc.stdin.write(json.dumps(launch) + "\n")
            proc.stdin.flush()  # the pipe stays open: its end closing tells the child to stop
        except OSError:
            pass  # it died already: _wait_ready says why

    @staticmethod
    def _pump(stream: IO[str], sink: Any) -> None:
        with contextlib.suppress(ValueError, OSError):
            for line in stream:
                sink(line.rstrip("\n"))
        sink(None)

    def _out(self, line: str | None) -> None:
        with self._line_ready:
            if line is not None and line.startswith(READY) and not self.info:
                self.info = json.loads(line[len(READY) :])
            elif line is not None:
                self.lines.append(line)
            self._line_ready.notify_all()

    def _err(self, line: str | None) -> None:
        if line is None:
            return
        self._stderr.append(line)
        if self.forward_stderr:
            print(line, file=sys.stderr, flush=True)

    def next_line(self, timeout_s: float) -> str | None:
        """The child's next stdout line after READY (benchmarks talk to their child)."""
        end = time.monotonic() + timeout_s
        with self._line_ready:
            while not self.lines:
                left = end - time.monotonic()
                if left <= 0 or (self.proc is not None and self.proc.poll() is not None):
                    return None
                self._line_ready.wait(min(left, 0.5))
            return self.lines.popleft()

    @property
    def db_url(self) -> str:
        """The database the child's hub runs on (from its READY line; "" before)."""
        return str(self.info.get("db", ""))

    def store(self) -> Store:
        """The child's database, opened by this process once (File > Import past calls
        writes into it, then asks :meth:`reload_history`); closed by :meth:`stop`."""
        from console.store import open_store

        with self._store_lock:
            if self._store is None:
                if not self.db_url:
                    raise HubChildError("the hub process has not named its database")
                self._store = open_store(self.db_url)
            return self._store

    def reload_history(self, timeout_s: float = 120.0) -> int:
        """Have the child's hub take in the calls just imported into its database (on its
        own thread, at its next tick); the number new to it.  HubChildError names why not."""
        answer = self._request("reload-history", "RELOADED", "reload its calls", timeout_s)
        return int(answer)

    def start_cameras(self, path: str, timeout_s: float = 120.0) -> list[str]:
        """Have the child run the district's cameras of camera file ``path`` (their live
        previews beside its command socket); the ids started.  HubChildError names why not."""
        if "\n" in path:
            raise HubChildError(f"not a camera file name: {path!r}")
        answer = self._request(f"cameras {path}", "CAMERAS", "start the cameras", timeout_s)
        return [str(c) for c in json.loads(answer)]

    def _request(self, line: str, ok: str, what: str, timeout_s: float) -> str:
        """Send one request line; the rest of the child's ``OK ...`` answer line, or
        HubChildError with its ``OK-FAILED reason`` (or ``UNKNOWN``, or silence)."""
        with self._ask:
            self.send_line(line)
            end = time.monotonic() + timeout_s
            while (answer := self.next_line(max(0.0, end - time.monotonic()))) is not None:
                word, _, rest = answer.partition(" ")
                if word == ok:
                    return rest
                if word in (f"{ok}-FAILED", "UNKNOWN"):
                    raise HubChildError(f"the hub process did not {what}: {rest}")
        raise HubChildError(
            f"the hub process did not answer within {timeout_s:.0f} s" + _tail(self.stderr_tail())
        )

    def send_line(self, line: str) -> None:
        """One request line on the child's stdin; HubChildError when the child is gone."""
        if self.proc is None or self.proc.stdin is None:
            raise HubChildError("the hub process is not running")
        try:
            self.proc.stdin.write(line + "\n")
            self.proc.stdin.flush()
        except (OSError, ValueError):  # its end closed (it died) or ours (stopped)
            raise HubChildError(
                f"the hub process is gone (status {self.proc.poll()})" + _tail(self.stderr_tail())
            ) from None

    def stderr_tail(self) -> str:
        for t in self._readers[1:]:
            t.join(2.0)
        return "\n".join(self._stderr)

    def _wait_ready(self) -> None:
        proc = self.proc
        assert proc is not None
        end = time.monotonic() + self.timeout_s
        with self._line_ready:
            while not self.info:
                if proc.poll() is not None:
                    break
                left = end - time.monotonic()
                if left <= 0:
                    break
                self._line_ready.wait(min(left, 0.2))
        if self.info:
            return
        code = proc.poll()
        if code is None:
            raise HubChildError(
                f"the hub process did not get ready in {self.timeout_s:.0f} s"
                + _tail(self.stderr_tail())
            )
        raise HubChildError(f"the hub process ended with status {code}" + _tail(self.stderr_tail()))

    def stop(self, timeout_s: float = 15.0) -> int | None:
        """Close the client, end the child (pipe closed, SIGTERM, then SIGKILL); its status."""
        if self.client is not None:
            self.client.close()
            self.client = None
        proc = self.proc
        code: int | None = None
        if proc is not None:
            with contextlib.suppress(OSError, ValueError):
                if proc.stdin is not None:
                    proc.stdin.close()
            if proc.poll() is None:
                with contextlib.suppress(OSError):
                    proc.send_signal(signal.SIGTERM)
            try:
                code = proc.wait(timeout_s)
            except subprocess.TimeoutExpired:
                proc.kill()
                code = proc.wait(5.0)
            for t in self._readers:
                t.join(2.0)
        shutil.rmtree(self.dir, ignore_errors=True)
        if self._store is not None:
            self._store.close()
            self._store = None
        return code


def _tail(text: str) -> str:
    text = text.strip()
    return f"; its last words:\n{text}" if text else " (it wrote nothing to stderr)"


if __name__ == "__main__":
    sys.exit(child_main())
