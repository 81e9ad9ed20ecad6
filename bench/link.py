"""Benchmark of the terminal link; prints one JSON line.

- ``ingest_per_s``: positions per second decoded, validated and applied to the
  live situation by the hub's link thread, with 5,000 CURVE terminals (DEALER
  sockets in sender processes) sending bursts of fixes;
- ``raw_curve_per_s``: plain pyzmq CURVE PUSH -> PULL throughput of the same
  frame, measured in the same run twice just before and twice just after the
  ingest window (this VM's speed drifts by a third between phases of a run,
  so a reference taken a minute later compared two different machines; the
  best of the four keeps the ratio conservative), and
  ``ingest_ratio`` = ingest / raw;
- ``fanout_p50_ms`` / ``fanout_p99_ms``: from approving one order to each of
  1,000 connected terminals (the outbox insert) to each delivery receipt being
  committed, over several rounds;
- ``raw_rtt_ms``: median round trip of one CURVE DEALER -> ROUTER -> DEALER echo.

The hub runs on one core and every load generator (the 5,000 senders, the
1,000 answering terminals, the raw reference's sender) on the others, the
raw reference's receiver on the hub's core: terminals encrypt on their own
devices, and on a 2-core machine unpinned generators took the hub's CPU and
made the figures swing with the scheduler.  The hub settles its heap after
start-up as ``main.py hub`` does (console/heap.py).

Run: ``.venv/bin/python bench/link.py`` (about a minute; loopback only).
"""

from __future__ import annotations

import argparse
import json
import multiprocessing as mp
import os
import statistics
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import zmq

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from console.heap import settle_after_start
from console.link import protocol as p
from console.link.hubport import SituationPort
from console.link.keys import KeyPair, TerminalKey, load_or_create_hub_keys
from console.link.node import HubNode
from console.link.receipts import Moved
from console.store.db import Store, open_store

LON0, LAT0 = 121.48, 31.23
BURST = 64
"""Fixes each simulated terminal sends back to back per round (a stress generator)."""
NO_PIN_ENV = "BENCH_LINK_NO_PIN"
HUB_CPUS = {0}
"""The hub's core (its threads and libzmq's); load generators get the others."""


def generator_cpus() -> set[int]:
    """Cores for the load generators: all but the hub's (all of them on a 1-core machine)."""
    cpus = set(range(os.cpu_count() or 1))
    return (cpus - HUB_CPUS) or cpus


def pin(cpus: set[int]) -> None:
    """Run this thread (and every thread or process it starts later) on ``cpus``.

    Terminals encrypt on their own devices; on this 2-core machine the 5,000
    simulated ones would otherwise take the hub's core, and the figures swung
    with the scheduler.  The raw reference is pinned the same way (its sender
    on the generators' cores, its receiver on the hub's), so the ratio still
    compares like with like.
    """
    if (
        os.environ.get(NO_PIN_ENV) != "1"
        and hasattr(os, "sched_setaffinity")
        and ((os.cpu_count() or 1) > 1)
    ):
        os.sched_setaffinity(0, cpus)


# ------------------------------------------------------------------ setup


def make_store(path: Path, n: int) -> Store:
    from console.domain import Area, District, Station, UnitSpec
    from console.store.district_repo import DistrictRepo

    store = open_store(f"sqlite:///{path}")
    outline = ((LON0 - 0.05, LAT0 - 0.05), (LON0 + 0.05, LAT0 - 0.05), (LON0 + 0.05, LAT0 + 0.05))
    d = District(
        code="BENCH",
        name="bench",
        approximate=True,
        outline=outline,
        ways=[],
        stations=[Station("S", "station", LON0, LAT0)],
        areas=[Area("A", "area", "S", outline)],
        fixed_points=[],
        units=[UnitSpec(f"B-{i:05d}", "patrol_car", "S", "A", LON0, LAT0) for i in range(n)],
    )
    with store.transaction() as s:
        DistrictRepo(s).save_district(d)
    return store


def enroll_bulk(store: Store, keys: list[TerminalKey]) -> None:
    """One INSERT for thousands of terminals (the per-key repository path is for people)."""
    from sqlalchemy import insert, select

    from console.store.models import TerminalRow, UnitRow

    with store.transaction() as s:
        ids = {c: i for c, i in s.execute(select(UnitRow.call_sign, UnitRow.id))}
        now = time.time()
        s.execute(
            insert(TerminalRow),
            [
                {
                    "unit_id": ids[k.unit],
                    "public_key": k.keys.public,
                    "enrolled_at": now,
                    "enrolled_by": "bench",
                }
                for k in keys
            ],
        )


def _dealer(
    ctx: zmq.Context[zmq.Socket[bytes]], pub: str, sec: str, server: str, ep: str
) -> zmq.Socket[bytes]:
    s = ctx.socket(zmq.DEALER)
    s.curve_publickey = pub.encode()
    s.curve_secretkey = sec.encode()
    s.curve_serverkey = server.encode()
    s.setsockopt(zmq.LINGER, 0)
    s.setsockopt(zmq.IMMEDIATE, 1)
    s.setsockopt(zmq.SNDHWM, 1000)
    s.connect(ep)
    return s


def _wait_connected(socks: list[zmq.Socket[bytes]], timeout: float = 120.0) -> None:
    pending = set(socks)
    end = time.monotonic() + timeout
    while pending and time.monotonic() < end:
        poller = zmq.Poller()
        for s in pending:
            poller.register(s, zmq.POLLOUT)
        for s, _ in poller.poll(200):
            pending.discard(s)  # type: ignore[arg-type]
    if pending:
        raise RuntimeError(f"{len(pending)} terminals never connected")


# ----------------------------------------------------------------- ingest


def _sender(
    ep: str, server: str, pairs: list[tuple[str, str]], ready: Any, go: Any, stop: Any
) -> None:
    pin(generator_cpus())
    ctx = zmq.Context()
    ctx.set(zmq.MAX_SOCKETS, len(pairs) + 64)
    socks = [_dealer(ctx, pub, sec, server, ep) for pub, sec in pairs]
    _wait_connected(socks)
    now = time.time()
    frames = [
        p.encode_terminal(
            p.Position(lat=LAT0 + k * 1e-5, lon=LON0, accuracy=5.0, speed=8.0, heading=90.0, t=now)
        )
        for k in range(BURST)
    ]
    hello = p.encode_terminal(p.Hello(app="bench", t=now))
    for s in socks:
        s.send(hello)
    ready.put(len(socks))
    go.wait()
    # blocking sends: a full pipe parks this process instead of spinning, so the
    # generator leaves the CPU to the hub (two cores here); the hub's fair queue
    # drains every terminal's pipe at the same pace
    while not stop.is_set():
        for s in socks:
            send = s.send
            for f in frames:
                send(f)
    for s in socks:
        s.close(0)
    ctx.term()


def _quiet(node: HubNode, limit_s: float = 60.0) -> None:
    """Wait until the hub has handled every frame still queued (its frame count stands still)."""
    settled, last = time.monotonic(), -1
    while node.link.stats.frames != last and time.monotonic() - settled < limit_s:
        last = node.link.stats.frames
        time.sleep(0.5)


def bench_ingest(
    node: HubNode,
    keys: list[TerminalKey],
    hub_public: str,
    seconds: float,
    procs: int,
    raw: Callable[[], float],
) -> tuple[float, list[float]]:
    """Positions/s applied, and the raw reference run twice just before and twice just after.

    The reference is measured beside the ingest window, not minutes later:
    this VM's speed drifts by a third between phases of a run, and a
    reference taken in another phase made the ratio swing with the drift.
    """
    port = node.port
    assert isinstance(port, SituationPort)
    mpc = mp.get_context("spawn")
    ready, go, stop = mpc.Queue(), mpc.Event(), mpc.Event()
    chunks = [keys[i::procs] for i in range(procs)]
    workers = [
        mpc.Process(
            target=_sender,
            args=(
                node.link.endpoint,
                hub_public,
                [(k.keys.public, k.keys.secret) for k in c],
                ready,
                go,
                stop,
            ),
        )
        for c in chunks
    ]
    for w in workers:
        w.start()
    connected = sum(ready.get(timeout=300) for _ in workers)
    assert connected == len(keys)
    _quiet(node)  # the hellos handled: the hub is idle for the reference
    raws = [raw(), raw()]
    go.set()
    time.sleep(1.0)  # warm up
    a0, t0 = port.applied, time.perf_counter()
    time.sleep(seconds)
    a1, t1 = port.applied, time.perf_counter()
    stop.set()
    for w in workers:
        w.join(30)
        if w.is_alive():
            w.terminate()
            w.join(5)
    _quiet(node)  # let the hub finish what is still queued
    raws += [raw(), raw()]
    bound = len(node.link.sessions)
    print(f"# ingest: {len(keys)} terminals connected, {bound} sessions", file=sys.stderr)
    return (a1 - a0) / (t1 - t0), raws


def _push(ep: str, server: str, pair: tuple[str, str], n: int, frame: bytes) -> None:
    pin(generator_cpus())
    ctx = zmq.Context()
    s = ctx.socket(zmq.PUSH)
    s.curve_publickey, s.curve_secretkey = pair[0].encode(), pair[1].encode()
    s.curve_serverkey = server.encode()
    s.setsockopt(zmq.SNDHWM, 100_000)
    s.connect(ep)
    for _ in range(n):
        s.send(frame)
    s.close(linger=-1)
    ctx.term()


def bench_raw_curve(n: int = 400_000) -> float:
    """Plain CURVE PUSH -> PULL of the same position frame, Python on both ends."""
    server, client = KeyPair.generate(), KeyPair.generate()
    ctx = zmq.Context()
    pull = ctx.socket(zmq.PULL)
    pull.curve_server = True
    pull.curve_secretkey, pull.curve_publickey = server.secret.encode(), server.public.encode()
    pull.setsockopt(zmq.RCVHWM, 100_000)
    port = pull.bind_to_random_port("tcp://127.0.0.1")
    frame = p.encode_terminal(
        p.Position(lat=LAT0, lon=LON0, accuracy=5.0, speed=8.0, heading=90.0, t=time.time())
    )
    mpc = mp.get_context("spawn")
    w = mpc.Process(
        target=_push,
        args=(f"tcp://127.0.0.1:{port}", server.public, (client.public, client.secret), n, frame),
    )
    w.start()
    pull.recv()
    t0 = time.perf_counter()
    for _ in range(n - 1):
        pull.recv()
    dt = time.perf_counter() - t0
    w.join(30)
    pull.close(0)
    ctx.term()
    return (n - 1) / dt


# ----------------------------------------------------------------- fan-out


def _responders(ep: str, keys: list[TerminalKey], ready: Any, stop: Any) -> None:
    pin(generator_cpus())
    from console.terminal.fleet import Fleet, Member
    from console.terminal.localstore import MemoryStore
    from console.terminal.session import TerminalSession

    members = [Member(k, TerminalSession(MemoryStore(), heartbeat_s=2.0)) for k in keys]
    fleet = Fleet(ep, members).start()
    while not all(m.session.epoch for m in members):
        time.sleep(0.1)
    ready.put(len(members))
    stop.wait()
    fleet.stop()


def bench_fanout(
    node: HubNode, store: Store, keys: list[TerminalKey], rounds: int, procs: int = 2
) -> list[float]:
    """Latencies (ms) from approval to each committed delivery receipt.

    The 1,000 terminals are full protocol sessions in ``procs`` processes (real
    terminals answer in parallel on their own devices; one Python process
    answering for all of them would measure itself).
    """
    from sqlalchemy import select

    from console.store.district_repo import UnitRepo
    from console.store.incident_repo import IncidentRepo
    from console.store.models import OrderRow
    from console.store.order_repo import NewOrder

    port = node.port
    assert isinstance(port, SituationPort)
    got: dict[str, float] = {}
    lock = threading.Lock()

    def on_event(ev: object) -> None:
        if isinstance(ev, Moved) and ev.state.value == "delivered":
            with lock:
                got[ev.order_id] = time.perf_counter()

    port.on_event = on_event  # type: ignore[assignment]
    print(f"# fan-out: {len(mp.active_children())} leftover child processes", file=sys.stderr)
    mpc = mp.get_context("spawn")
    ready, stop = mpc.Queue(), mpc.Event()
    workers = [
        mpc.Process(target=_responders, args=(node.link.endpoint, keys[k::procs], ready, stop))
        for k in range(procs)
    ]
    for w in workers:
        w.start()
    for _ in workers:
        ready.get(timeout=300)
    with store.transaction() as s:
        inc = (
            IncidentRepo(s)
            .create(
                incident_type="theft",
                priority=1,
                force_level=1,
                manpower=2,
                lon=LON0,
                lat=LAT0,
                created_by="bench",
            )
            .id
        )
        ids = UnitRepo(s).ids_by_call_sign()
    lat_ms: list[float] = []
    try:
        for _ in range(rounds):
            time.sleep(1.0)
            t0 = time.perf_counter()
            # the approval: one order per unit into the outbox, then wake the link
            dues = node.link.outbox.enqueue(
                [NewOrder(inc, ids[k.unit], "respond", {"instructions": "go"}) for k in keys],
                ack_deadline_seconds=30,
                time_to_live_seconds=600,
                now=time.time(),
                sending=True,
            )
            node.link.send_now(dues)
            oids = [d.order_id for d in dues]
            end = time.monotonic() + 60
            while time.monotonic() < end:
                with lock:
                    if all(o in got for o in oids):
                        break
                time.sleep(0.005)
            with lock:
                missing = [o for o in oids if o not in got]
                lat_ms += [(got[o] - t0) * 1000.0 for o in oids if o in got]
            if missing:
                raise RuntimeError(f"{len(missing)} orders without a delivery receipt")
        with store.session() as s:
            pending = s.scalars(select(OrderRow.id).where(OrderRow.state == "pending")).all()
        assert not pending
    finally:
        stop.set()
        for w in workers:
            w.join(30)
    return lat_ms


def bench_rtt(n: int = 2000) -> float:
    """Median CURVE DEALER -> ROUTER -> DEALER echo (both ends in this process)."""
    server, client = KeyPair.generate(), KeyPair.generate()
    ctx = zmq.Context()
    r = ctx.socket(zmq.ROUTER)
    r.curve_server = True
    r.curve_secretkey, r.curve_publickey = server.secret.encode(), server.public.encode()
    port = r.bind_to_random_port("tcp://127.0.0.1")
    d = _dealer(ctx, client.public, client.secret, server.public, f"tcp://127.0.0.1:{port}")
    _wait_connected([d])

    def echo() -> None:
        for _ in range(n + 10):
            r.send_multipart(r.recv_multipart())

    t = threading.Thread(target=echo)
    t.start()
    msg = p.encode_hub(p.Ack(mid=1))
    for _ in range(10):
        d.send(msg)
        d.recv()
    rtts = []
    for _ in range(n):
        t0 = time.perf_counter()
        d.send(msg)
        d.recv()
        rtts.append((time.perf_counter() - t0) * 1000.0)
    t.join()
    d.close(0)
    r.close(0)
    ctx.term()
    return statistics.median(rtts)


def pct(xs: list[float], q: float) -> float:
    s = sorted(xs)
    return s[min(len(s) - 1, round(q * (len(s) - 1)))]


def main() -> int:
    ap = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    ap.add_argument("--terminals", type=int, default=5000)
    ap.add_argument("--fanout", type=int, default=1000)
    ap.add_argument("--seconds", type=float, default=5.0)
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--senders", type=int, default=1, help="sender processes for the ingest test")
    ap.add_argument(
        "--no-pin", action="store_true", help="let the scheduler place hub and generators"
    )
    args = ap.parse_args()
    if args.no_pin:
        os.environ[NO_PIN_ENV] = "1"  # the spawned generators read it too
    pin(HUB_CPUS)  # before any thread or zmq context exists: they inherit it
    import logging

    logging.basicConfig(level=logging.WARNING)
    with tempfile.TemporaryDirectory() as tmp:
        d = Path(tmp)
        n = args.terminals + args.fanout  # separate keys: no overlap between the two tests
        store = make_store(d / "bench.sqlite3", n)
        hub = load_or_create_hub_keys(d / "keys")
        keys = [TerminalKey(f"B-{i:05d}", KeyPair.generate(), hub.public) for i in range(n)]
        enroll_bulk(store, keys)
        node = HubNode(
            store, hub, "tcp://127.0.0.1:0", port=SituationPort.from_store(store)
        ).start()
        settle_after_start()  # as `main.py hub` does once it is up
        try:
            terminals = keys[: args.terminals]
            ingest, raws = bench_ingest(
                node, terminals, hub.public, args.seconds, args.senders, bench_raw_curve
            )
            fan = bench_fanout(node, store, keys[args.terminals :], args.rounds)
        finally:
            node.stop()
        # the reference swings from run to run here; the best of its four runs around
        # the ingest window keeps the ratio conservative
        raw = max(raws)
        print(f"# raw CURVE runs: {[round(r) for r in raws]}", file=sys.stderr)
        rtt = bench_rtt()
    out = {
        "ingest_per_s": round(ingest),
        "raw_curve_per_s": round(raw),
        "ingest_ratio": round(ingest / raw, 3),
        "fanout_p50_ms": round(statistics.median(fan), 1),
        "fanout_p99_ms": round(pct(fan, 0.99), 1),
        "raw_rtt_ms": round(rtt, 3),
    }
    print(json.dumps(out))
    return 0


if __name__ == "__main__":
    sys.exit(main())
