"""Shared parts for the link tests: a small synthetic district in a real SQLite store."""

from __future__ import annotations

import contextlib
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


def make_incident(store: Store) -> int:
    with store.transaction() as s:
        return (
            IncidentRepo(s)
            .create(
                incident_type="theft",
                priority=2,
                force_level=1,
                manpower=2,
                lon=LON0,
                lat=LAT0,
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


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class HubProcess:
    """``python -m console.link.cli hub`` as a real child process that tests can SIGKILL.

    ``link_only`` (the default) runs the terminal link alone; without it the
    process is the full command hub (``main.py hub``: workflow, plans, workstations).
    """

    def __init__(
        self, db_url: str, key_dir: Path, port: int, log: Path, *extra: str, link_only: bool = True
    ) -> None:
        self.args = [
            sys.executable,
            "-m",
            "console.link.cli",
            "hub",
            *(["--link-only"] if link_only else []),
            "--db",
            db_url,
            "--bind",
            f"tcp://127.0.0.1:{port}",
            "--key-dir",
            str(key_dir),
            *extra,
        ]
        self.endpoint = f"tcp://127.0.0.1:{port}"
        self.log = log
        self.proc: subprocess.Popen[str] | None = None
        self.starts = 0

    def start(self, timeout: float = 60.0) -> HubProcess:
        self.starts += 1
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
                return self
            if not line and self.proc.poll() is not None:
                break
        raise RuntimeError(f"hub did not start (exit {self.proc.poll()}); see {self.log}")

    def kill(self) -> None:
        """SIGKILL: no cleanup, no flush, like a power cut."""
        assert self.proc is not None
        self.proc.send_signal(signal.SIGKILL)
        self.proc.wait(10)

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(15)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(5)


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
