"""Benchmark of the trust work; prints one JSON line.

- ``idle_latency_s``: median time a signed-in supervisor waits for a command
  (``CreateIncident``) on the real stand-alone hub (``console.link.cli hub``, a
  child process) over tcp with nothing else going on;
- ``flood_latency_s``: the same while four anonymous workstation sockets keep
  wrong-password sign-ins in flight (``FLOOD_INFLIGHT`` each, every one for a
  new user name, which per-account limits cannot stop; the per-source limit
  and the sign-in worker pool must); ``flood_ratio`` = flood / idle;
- ``flood_logins``: sign-in answers the flooders got during the measurement;
- ``audit_verify_1m_s``: ``audit verify`` (the whole keyed chain, every MAC and
  checkpoint; ``--jobs 2``) over a log of 1,000,000 entries, written as the hub
  writes them, in a temporary SQLite store; ``audit_verify_1m_cpu_s`` the CPU
  time it took in all processes (steadier than the wall time on a shared machine);
- ``load_avg``: the one-minute load average at the end (this figure's context).

What the flood figures mean depends on the hub: until it answers ``Login``
through ``Authenticator.login_async`` (off its command thread, with the
connection's CURVE key as the source) every wrong password still costs the
command thread an argon2 run, and ``flood_latency_s`` shows it.

Run: ``.venv/bin/python bench/trust.py`` (a few minutes; loopback only).
"""

from __future__ import annotations

import argparse
import itertools
import json
import os
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from concurrent.futures import Future
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from console.audit import AuditTrail, verify_store
from console.auth import Authenticator
from console.hub.messages import CreateIncident, Login, Reply
from console.link.keys import load_audit_key, load_or_create_hub_keys
from console.link.remote import RemoteClient
from console.store.audit_repo import GENESIS, row_mac
from console.store.db import open_store

ROOT = Path(__file__).resolve().parents[1]
PASSWORD = "bench password 1"
FLOODERS = 4
FLOOD_INFLIGHT = 8
HUB_COMMAND = [sys.executable, "-m", "console.link.cli", "hub"]
"""Wrong-password sign-ins each flooding socket keeps waiting for an answer."""


# ------------------------------------------------------------------ audit verify


def _cpu() -> float:
    import resource

    me, kids = (
        resource.getrusage(resource.RUSAGE_SELF),
        resource.getrusage(resource.RUSAGE_CHILDREN),
    )
    return me.ru_utime + me.ru_stime + kids.ru_utime + kids.ru_stime


def bench_verify(d: Path, n: int, jobs: int) -> tuple[float, float]:
    """Seconds ``verify_store`` takes over ``n`` keyed entries (the log built directly), and
    the CPU seconds it used (all processes): on a busy machine the first swings, the second
    much less."""
    store = open_store(f"sqlite:///{d / 'audit.sqlite3'}")
    try:
        trail = AuditTrail.open(store, d / "keys")
        key = load_audit_key(d / "keys")
        assert key is not None
        prev, rows = GENESIS, []
        t0 = 1_780_000_000.0
        for i in range(1, n + 1):
            payload = json.dumps(
                {"command": {"plan_id": i, "reason": "bench"}, "ok": True}, ensure_ascii=False
            )
            h = row_mac(key, prev, i, t0 + i, f"sup{i % 7}", "desk-3", "ApprovePlan", payload)
            rows.append((i, t0 + i, f"sup{i % 7}", "desk-3", "ApprovePlan", payload, prev, h))
            prev = h
            if len(rows) == 100_000 or i == n:
                with store.engine.begin() as conn:
                    cur = conn.connection.dbapi_connection.cursor()  # type: ignore[union-attr]
                    cur.executemany("INSERT INTO audit_log VALUES (?,?,?,?,?,?,?,?)", rows)
                rows = []
        trail.checkpoint()
        cpu = _cpu()
        report = verify_store(store, d / "keys", jobs=jobs)
        cpu = _cpu() - cpu
        assert report.intact and report.count == n, report.problems
        return report.seconds, cpu
    finally:
        store.close()


# ------------------------------------------------------------------ the hub


def free_base_port() -> int:
    """A port P with P, P + 1 and P + 2 free (the hub binds all three)."""
    import socket

    for _ in range(100):
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            base = int(s.getsockname()[1])
        try:
            with socket.socket() as a, socket.socket() as b:
                a.bind(("127.0.0.1", base + 1))
                b.bind(("127.0.0.1", base + 2))
        except OSError:
            continue
        return base
    raise RuntimeError("no three free ports in a row")


def start_hub(d: Path) -> tuple[subprocess.Popen[str], str, str]:
    """The stand-alone hub on a fresh store with a signed-up supervisor."""
    url = f"sqlite:///{d / 'hub.sqlite3'}"
    keys = d / "hubkeys"
    load_or_create_hub_keys(keys)
    store = open_store(url)
    try:
        trail = AuditTrail.open(store, keys)
        Authenticator(store, audit=trail).create_user("sup", "Supervisor", PASSWORD, "supervisor")
        trail.close()
    finally:
        store.close()
    endpoint = f"tcp://127.0.0.1:{free_base_port()}"
    from console.link import cli

    demo = ["--demo"] if "--demo" in cli._hub_parser()._option_string_actions else []
    proc = subprocess.Popen(
        [*HUB_COMMAND, "--db", url, "--bind", endpoint, "--key-dir", str(keys), *demo],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
        cwd=ROOT,
        env=dict(os.environ, DISPATCH_KEY_DIR=str(keys)),
    )
    assert proc.stdout is not None
    line = proc.stdout.readline()
    if not line.startswith("hub ready"):
        proc.kill()
        raise RuntimeError(f"the hub did not start: {line!r}")
    return proc, endpoint, line.rsplit("key=", 1)[1].strip()


def command_latency(sup: RemoteClient, n: int) -> float:
    """Median seconds for ``n`` supervisor commands, one after the other."""
    times = []
    for k in range(n):
        t = time.perf_counter()
        r = sup.call(
            CreateIncident(incident_type="theft", lon=121.4737, lat=31.2304 + k * 1e-4), 300
        )
        times.append(time.perf_counter() - t)
        assert r.ok, r.error
    return statistics.median(times)


class Flood:
    """Four anonymous sockets keeping wrong-password sign-ins in flight."""

    def __init__(self, endpoint: str, public: str) -> None:
        self.clients = [
            RemoteClient(endpoint, public, workstation=f"anon-{i}") for i in range(FLOODERS)
        ]
        self.names = itertools.count()
        self.answered = 0
        self.stop = threading.Event()
        self._lock = threading.Lock()

    def _send(self, c: RemoteClient) -> None:
        if self.stop.is_set():
            return
        f = c.request(Login(username=f"guess-{next(self.names)}", password="wrong password"))
        f.add_done_callback(self._answered_by(c))

    def _answered_by(self, c: RemoteClient) -> Callable[[Future[Reply]], None]:
        def answered(_f: Future[Reply]) -> None:
            with self._lock:
                self.answered += 1
            self._send(c)

        return answered

    def start(self) -> Flood:
        for c in self.clients:
            for _ in range(FLOOD_INFLIGHT):
                self._send(c)
        return self

    def close(self) -> None:
        self.stop.set()
        for c in self.clients:
            c.close()


def bench_flood(d: Path, samples: int) -> tuple[float, float, int]:
    proc, endpoint, public = start_hub(d)
    sup = RemoteClient(endpoint, public, workstation="desk-sup")
    try:
        assert sup.call(Login(username="sup", password=PASSWORD), 120).ok
        command_latency(sup, 3)  # warm up
        idle = command_latency(sup, samples)
        flood = Flood(endpoint, public).start()
        try:
            time.sleep(2.0)  # the flood reaches its steady state
            before = flood.answered
            loaded = command_latency(sup, samples)
            answered = flood.answered - before
        finally:
            flood.close()
        return idle, loaded, answered
    finally:
        sup.close()
        proc.terminate()
        try:
            proc.wait(60)
        except subprocess.TimeoutExpired:
            proc.kill()


def main() -> int:
    ap = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    ap.add_argument("--entries", type=int, default=1_000_000, help="audit log length")
    ap.add_argument("--jobs", type=int, default=2, help="processes for audit verify")
    ap.add_argument("--samples", type=int, default=9, help="supervisor commands per phase")
    args = ap.parse_args()
    import logging

    logging.basicConfig(level=logging.ERROR)
    with tempfile.TemporaryDirectory() as tmp:
        d = Path(tmp)
        (d / "verify").mkdir()
        (d / "hub").mkdir()
        verify_s, verify_cpu = bench_verify(d / "verify", args.entries, args.jobs)
        idle, loaded, answered = bench_flood(d / "hub", args.samples)
    out = {
        "idle_latency_s": round(idle, 4),
        "flood_latency_s": round(loaded, 4),
        "flood_ratio": round(loaded / idle, 2),
        "flood_logins": answered,
        "audit_verify_1m_s": round(verify_s * 1_000_000 / args.entries, 2),
        "audit_verify_1m_cpu_s": round(verify_cpu * 1_000_000 / args.entries, 2),
        "load_avg": round(os.getloadavg()[0], 1),
    }
    print(json.dumps(out))
    return 0


if __name__ == "__main__":
    sys.exit(main())
