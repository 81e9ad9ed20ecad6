"""Hub processes started with ``--standby`` (hot standby pair) for tests and bench/failover.py.

:class:`~tests.link.helpers.HubProcess` waits for ``hub ready`` when it starts, which a
standby never prints until it holds the lease.  :class:`StandbyHub` starts the same
command, returns once it said ``hub standby`` (or ``hub ready``), and reads the rest of
its stdout on a thread, so a test can wait for the takeover (``hub ready``) or the step
down (``hub not primary``) while it does other things.
"""

from __future__ import annotations

import contextlib
import queue
import signal
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

from tests.link.helpers import free_port_block

ROOT = Path(__file__).resolve().parents[2]


class StandbyHub:
    """``python -m console.link.cli hub --standby`` as a child process."""

    def __init__(
        self,
        db_url: str,
        key_dir: Path,
        log: Path,
        *extra: str,
        link_only: bool = True,
        lease_s: float = 3.0,
        port: int | None = None,
    ) -> None:
        self.db_url = db_url
        self.key_dir = key_dir
        self.log = log
        self.extra = list(extra)
        self.link_only = link_only
        self.lease_s = lease_s
        self.port = port if port is not None else free_port_block(3)
        self.proc: subprocess.Popen[str] | None = None
        self.lines: queue.Queue[str] = queue.Queue()
        self.said: list[str] = []
        self.said_at: dict[str, float] = {}
        """Monotonic time each of ``hub standby``, ``hub primary``, ``hub ready``, ``hub not
        primary`` was first read (bench/failover.py splits the takeover time with them)."""
        self._reader: threading.Thread | None = None

    @property
    def endpoint(self) -> str:
        return f"tcp://127.0.0.1:{self.port}"

    @property
    def args(self) -> list[str]:
        return [
            sys.executable,
            "-m",
            "console.link.cli",
            "hub",
            "--standby",
            "--lease-s",
            str(self.lease_s),
            *(["--link-only"] if self.link_only else []),
            "--db",
            self.db_url,
            "--key-dir",
            str(self.key_dir),
            "--bind",
            self.endpoint,
            *self.extra,
        ]

    def start(self, timeout: float = 60.0) -> StandbyHub:
        """Start and wait until it is on standby (or already the primary)."""
        err = open(self.log, "a")  # noqa: SIM115 - handed to the child
        self.proc = subprocess.Popen(
            self.args, stdout=subprocess.PIPE, stderr=err, text=True, cwd=ROOT
        )
        err.close()
        self.lines = queue.Queue()
        self.said = []
        self.said_at = {}
        self._reader = threading.Thread(target=self._read, args=(self.proc,), daemon=True)
        self._reader.start()
        if not self.wait_for(("hub standby", "hub ready"), timeout):
            self.kill()
            raise RuntimeError(f"standby hub did not start; see {self.log}")
        return self

    def _read(self, proc: subprocess.Popen[str]) -> None:
        assert proc.stdout is not None
        for line in proc.stdout:
            now = time.monotonic()
            for mark in ("hub standby", "hub primary", "hub ready", "hub not primary"):
                if line.startswith(mark):
                    self.said_at.setdefault(mark, now)
            self.lines.put(line.rstrip("\n"))
        self.lines.put("")  # end of output

    def wait_for(self, starts: tuple[str, ...], timeout: float) -> str:
        """The first line beginning with one of ``starts`` (already said or coming), or ""."""
        for line in self.said:
            if line.startswith(starts):
                return line
        end = time.monotonic() + timeout
        while (left := end - time.monotonic()) > 0:
            try:
                line = self.lines.get(timeout=left)
            except queue.Empty:
                break
            if not line:  # end of output: the process has ended (or is ending)
                self.lines.put("")  # keep the end marker for the next caller
                return ""
            self.said.append(line)
            if line.startswith(starts):
                return line
        return ""

    def wait_ready(self, timeout: float = 60.0) -> bool:
        return bool(self.wait_for(("hub ready",), timeout))

    def signal(self, sig: signal.Signals) -> None:
        assert self.proc is not None
        self.proc.send_signal(sig)

    def kill(self) -> None:
        """SIGKILL: a machine that died."""
        if self.proc is not None and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGCONT)  # a stopped process dies as well
            self.proc.kill()
        self.reap(10)

    def reap(self, timeout: float) -> int | None:
        if self.proc is None:
            return None
        code = self.proc.wait(timeout)
        if self._reader is not None:
            self._reader.join(5)
        if self.proc.stdout is not None:
            self.proc.stdout.close()
        return code

    def stop(self) -> int | None:
        """SIGTERM (a clean stop hands the lease on) and wait; the exit code."""
        if self.proc is None:
            return None
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGCONT)
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(20)
            except subprocess.TimeoutExpired:
                self.proc.kill()
        return self.reap(10)


class TcpRelay:
    """A loopback TCP relay in front of a server (PostgreSQL), to cut or stall the network
    between a hub and its database for real: ``cut`` closes every connection and refuses
    new ones (a server gone); ``stall`` stops passing bytes while keeping the connections
    open (a network that drops packets: calls hang instead of failing)."""

    def __init__(self, target_host: str, target_port: int) -> None:
        self.target = (target_host, target_port)
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.port = int(self.listener.getsockname()[1])
        self._socks: list[socket.socket] = []
        self._lock = threading.Lock()
        self._open = threading.Event()
        self._open.set()
        self._cut = False
        threading.Thread(target=self._accept, name="tcp-relay", daemon=True).start()

    def _accept(self) -> None:
        while True:
            try:
                client, _ = self.listener.accept()
            except OSError:
                return
            try:
                upstream = socket.create_connection(self.target)
            except OSError:
                client.close()
                continue
            with self._lock:
                if self._cut:
                    client.close()
                    upstream.close()
                    return
                self._socks += [client, upstream]
            for a, b in ((client, upstream), (upstream, client)):
                threading.Thread(target=self._pump, args=(a, b), daemon=True).start()

    def _pump(self, src: socket.socket, dst: socket.socket) -> None:
        while True:
            try:
                data = src.recv(65536)
            except OSError:
                break
            if not data:
                break
            self._open.wait()  # stalled: hold the bytes (the connection stays up)
            if self._cut:
                break
            try:
                dst.sendall(data)
            except OSError:
                break
        for s in (src, dst):
            with contextlib.suppress(OSError):
                s.close()

    def stall(self) -> None:
        self._open.clear()

    def cut(self) -> None:
        """Close everything: connections reset, new ones refused."""
        with self._lock:
            self._cut = True
            socks, self._socks = self._socks, []
        self._open.set()
        self.listener.close()
        for s in socks:
            with contextlib.suppress(OSError):
                s.shutdown(socket.SHUT_RDWR)
            s.close()
