"""Shared parts for the link tests: a small synthetic district in a real SQLite store."""

from __future__ import annotations

import contextlib
import random
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import zmq

from console.domain import Area, District, Station, UnitSpec
from console.link import protocol as p
from console.link.keys import KeyPair, TerminalKey
from console.link.trust import enroll_keys
from console.store.db import Store, open_store
from console.store.district_repo import DistrictRepo
from console.store.incident_repo import IncidentRepo
from console.store.order_repo import NewOrder, OrderRepo
from console.terminal.fleet import Fleet, dealer

LON0, LAT0 = 121.48, 31.23


def call_sign(i: int) -> str:
    return f"T-{i:04d}"


def synthetic_district(n_units: int) -> District:
    """A square district with one station, one area and ``n_units`` patrol units."""
    outline = (
        (LON0 - 0.02, LAT0 - 0.02),
        (LON0 + 0.02, LAT0 - 0.02),
        (LON0 + 0.02, LAT0 + 0.02),
        (LON0 - 0.02, LAT0 + 0.02),
    )
    units = [
        UnitSpec(
            call_sign(i), "patrol_car", "S1", "A1", LON0 + (i % 50) * 1e-4, LAT0 + (i // 50) * 1e-4
        )
        for i in range(n_units)
    ]
    return District(
        code="TEST",
        name="test district",
        approximate=True,
        outline=outline,
        ways=[],
        stations=[Station("S1", "station", LON0, LAT0)],
        areas=[Area("A1", "area", "S1", outline)],
        fixed_points=[],
        units=units,
    )


def make_store(path: Path, n_units: int) -> Store:
    store = open_store(f"sqlite:///{path}")
    with store.transaction() as s:
        DistrictRepo(s).save_district(synthetic_district(n_units))
    return store


def enroll_fleet(store: Store, n: int, hub_public: str, start: int = 0) -> list[TerminalKey]:
    keys = [
        TerminalKey(call_sign(i), KeyPair.generate(), hub_public) for i in range(start, start + n)
    ]
    enroll_keys(store, [(k.unit, k.keys.public) for k in keys])
    return keys


def make_incident(store: Store, lon: float = LON0, lat: float = LAT0) -> int:
    with store.transaction() as s:
        return (
            IncidentRepo(s)
            .create(
                incident_type="theft",
                priority=2,
                force_level=1,
                manpower=2,
                lon=lon,
                lat=lat,
                created_by="test",
            )
            .id
        )


def add_orders(
    store: Store,
    incident_id: int,
    call_signs: list[str],
    *,
    ack_s: float = 30.0,
    ttl_s: float = 1800.0,
) -> list[str]:
    """Approve one order per unit (the outbox write a plan approval does)."""
    from console.store.district_repo import UnitRepo

    with store.transaction() as s:
        ids = UnitRepo(s).ids_by_call_sign()
        return OrderRepo(s).add_many(
            [NewOrder(incident_id, ids[c], "respond", {"instructions": "go"}) for c in call_signs],
            ack_deadline_seconds=ack_s,
            time_to_live_seconds=ttl_s,
            now=time.time(),
        )


def jpeg(width: int = 64, height: int = 48) -> bytes:
    """A small real JPEG (a colour gradient): the hub decodes photos before it files them."""
    import cv2
    import numpy as np

    y, x = np.mgrid[0:height, 0:width]
    img = np.stack([x * 255 // width, y * 255 // height, (x + y) % 256], axis=-1).astype(np.uint8)
    ok, buf = cv2.imencode(".jpg", img)
    assert ok
    return bytes(buf.tobytes())


def wait_until(pred: Callable[[], bool], timeout: float = 20.0, step: float = 0.02) -> bool:
    """Poll ``pred`` until it holds or ``timeout`` passes; returns the last answer."""
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if pred():
            return True
        time.sleep(step)
    return pred()


def on_fleet(fleet: Fleet, fn: Callable[[], object]) -> None:
    """Run ``fn`` on the fleet's thread and wait until it has run (no race with the test)."""
    done = threading.Event()

    def run() -> None:
        try:
            fn()
        finally:
            done.set()

    fleet.call(run)
    assert done.wait(10), "the fleet thread did not run the call"


PORT_FLOOR = 10_000
"""Lowest port handed out: well above the usual fixed service ports."""


def _ephemeral_floor() -> int:
    """The first port the kernel hands to outgoing connections (Linux; 32768 elsewhere)."""
    try:
        return int(Path("/proc/sys/net/ipv4/ip_local_port_range").read_text().split()[0])
    except (OSError, ValueError, IndexError):
        return 32768


def free_port_block(n: int = 3) -> int:
    """A port ``p`` with ``p .. p+n-1`` all free on loopback right now.

    The hub binds its terminal port and the two next ones (workstation commands,
    events). A port from the kernel's ephemeral range (what binding port 0 gives)
    is no good for that: any outgoing connection on the machine, from this test
    run or another, may be given ``p+1`` before the hub binds it. So the block is
    drawn at random below that range, where only a program binding on purpose
    can take a port; :class:`HubProcess` retries with a new block if one did.
    """
    if n < 1:
        raise ValueError(f"a port block needs at least one port, got {n}")
    top = _ephemeral_floor() - n
    if top <= PORT_FLOOR:  # the whole range is ephemeral here: draw from all of it
        top = 65535 - n
    rng = random.Random()
    for _ in range(500):
        base = rng.randrange(PORT_FLOOR, top)
        socks: list[socket.socket] = []
        try:
            for k in range(n):  # no SO_REUSEADDR: a port with lingering connections fails too
                s = socket.socket()
                socks.append(s)
                s.bind(("127.0.0.1", base + k))
            return base
        except OSError:
            continue
        finally:
            for s in socks:
                s.close()
    raise RuntimeError(f"no block of {n} free loopback ports below {top + n}")


def catches(pid: int, sig: signal.Signals) -> bool:
    """Whether process ``pid`` has a handler of its own for ``sig`` now (Linux: the
    ``SigCgt`` mask of ``/proc/PID/status``; elsewhere assumed)."""
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return True
    for line in status.splitlines():
        if line.startswith("SigCgt:"):
            return bool(int(line.split()[1], 16) >> (sig - 1) & 1)
    return True


class HubProcess:
    """``python -m console.link.cli hub`` as a real child process that tests can SIGKILL.

    ``link_only`` (the default) runs the terminal link alone; without it the
    process is the full command hub (``main.py hub``: workflow, plans, workstations).
    Without ``port`` it takes a free block (:func:`free_port_block`) and, should
    another program bind one of those ports before the hub does, starts again
    on a new block; restarts after :meth:`kill` keep the port (terminals reconnect
    to the same endpoint).
    """

    START_ATTEMPTS = 5

    def __init__(
        self,
        db_url: str,
        key_dir: Path,
        log: Path,
        *extra: str,
        port: int | None = None,
        link_only: bool = True,
    ) -> None:
        self.base_args = [
            sys.executable,
            "-m",
            "console.link.cli",
            "hub",
            *(["--link-only"] if link_only else []),
            "--db",
            db_url,
            "--key-dir",
            str(key_dir),
            *extra,
        ]
        self.fixed_port = port is not None
        self.port = port if port is not None else free_port_block(3)
        self.log = log
        self.proc: subprocess.Popen[str] | None = None
        self.starts = 0
        self.ready_line = ""
        self.handled_sigterm_when_ready = False
        """Whether the hub already had its SIGTERM handler when it printed its ready line."""

    @property
    def endpoint(self) -> str:
        return f"tcp://127.0.0.1:{self.port}"

    @property
    def args(self) -> list[str]:
        return [*self.base_args, "--bind", self.endpoint]

    def start(self, timeout: float = 60.0) -> HubProcess:
        """Start (or restart) the hub and wait for its "hub ready" line."""
        retry_port = not self.fixed_port and self.starts == 0
        for _ in range(self.START_ATTEMPTS if retry_port else 1):
            logged = self.log.stat().st_size if self.log.exists() else 0
            if self._start(timeout):
                self.starts += 1
                return self
            said = self.log.read_bytes()[logged:].decode(errors="replace")
            if not (retry_port and "Address already in use" in said):
                break
            self.port = free_port_block(3)  # someone took a port of the block: another one
        raise RuntimeError(
            f"hub did not start (exit {self.proc and self.proc.poll()}); see {self.log}"
        )

    def _start(self, timeout: float) -> bool:
        err = open(self.log, "a")  # noqa: SIM115 - handed to the child
        self.proc = subprocess.Popen(
            self.args, stdout=subprocess.PIPE, stderr=err, text=True, cwd=Path(__file__).parents[2]
        )
        err.close()
        assert self.proc.stdout is not None
        end = time.monotonic() + timeout
        while time.monotonic() < end:
            line = self.proc.stdout.readline()
            if line.startswith("hub ready"):
                self.ready_line = line
                self.handled_sigterm_when_ready = catches(self.proc.pid, signal.SIGTERM)
                return True
            if not line and self.proc.poll() is not None:
                break
        if self.proc.poll() is None:  # hung: do not leave it behind
            self.proc.kill()
        self._reap(10)
        return False

    def _reap(self, timeout: float) -> None:
        """Wait for the ended child and close our end of its output pipe."""
        assert self.proc is not None
        self.proc.wait(timeout)
        if self.proc.stdout is not None:
            self.proc.stdout.close()

    def kill(self) -> None:
        """SIGKILL: no cleanup, no flush, like a power cut."""
        assert self.proc is not None
        self.proc.send_signal(signal.SIGKILL)
        self._reap(10)

    def stop(self) -> int | None:
        """SIGTERM and wait; returns the exit code (None if it was never started)."""
        if self.proc is None:
            return None
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(15)
            except subprocess.TimeoutExpired:
                self.proc.kill()
        self._reap(5)
        return self.proc.returncode


@contextlib.contextmanager
def raw_terminal(endpoint: str, key: TerminalKey) -> Iterator[zmq.Socket[bytes]]:
    """An enrolled terminal's key on a bare DEALER, welcomed, with an unlimited send queue."""
    ctx: zmq.Context[zmq.Socket[bytes]] = zmq.Context()
    s = dealer(ctx, key, endpoint)
    s.setsockopt(zmq.SNDHWM, 0)
    try:
        assert wait_until(lambda: s.poll(10, zmq.POLLOUT) != 0)
        s.send(p.encode_terminal(p.Hello(app="raw", t=time.time())))
        assert s.poll(5000), "no welcome"
        assert isinstance(p.decode_hub(s.recv()), p.Welcome)
        yield s
    finally:
        s.close(0)
        ctx.term()


def replies_before_pong(s: zmq.Socket[bytes], seq: int) -> list[p.HubMsg]:
    """Everything the hub sent before answering heartbeat ``seq``.

    The hub answers frames in order on one pipe, so once the pong is in, every
    reply to the frames sent before the heartbeat is in too: an exact count.
    """
    s.send(p.encode_terminal(p.Heartbeat(seq=seq, t=time.time())))
    got: list[p.HubMsg] = []
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline and s.poll(1000):
        m = p.decode_hub(s.recv())
        if isinstance(m, p.Pong) and m.seq == seq:
            return got
        got.append(m)
    raise AssertionError(f"no pong {seq} within 20 s; got {len(got)} frames")
