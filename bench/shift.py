"""A busy shift on one workstation: memory and GUI stalls; prints ONE JSON line.

    QT_QPA_PLATFORM=offscreen python bench/shift.py [--incidents 500] [--orders 5000]

One process holds the embedded demo hub (simulated units moving) and a supervisor's
main window (map, incident board, plan queue, unit lists, alerts).  First the console
idles for ``--idle`` seconds: its resident memory (``rss_mb_idle``) and the largest
GUI-thread stall (``max_stall_ms_idle``) are the reference of the same run.  Then a
driver thread streams ``--incidents`` calls through the hub's real commands, each with a
plan dispatched at once (the approval policy sends level-1 plans without a supervisor;
any plan still awaiting one is approved by the bench's supervisor) and its orders
(``--orders`` in all, about ten per incident)
written, delivered and finished by the units' terminals, so every incident stays open
while the units go on to the next one.  Meanwhile a 5 ms GUI timer records the longest
gap between its ticks beyond its interval (``max_stall_ms``: the longest the operator's
screen froze).  ``rss_mb_loaded`` is the resident memory once the board shows every
incident; ``rss_ratio`` = loaded / idle.

Keys: rss_mb_idle, rss_mb_loaded, rss_ratio, max_stall_ms, max_stall_ms_idle,
p99_stall_ms, incidents, orders, events, board_rows, seconds; max_stall_gui_cpu_ms is the
GUI thread's own CPU time during the largest stall (near max_stall_ms: the GUI thread
itself computed) and max_stall_runqueue_ms its wait for a core (Linux schedstat: the
machine's other work ran); the rest of the stall it was blocked (in one process: the GIL).

Hub in its own process (``--mode process``): the same hub (demo district, simulated units,
stand-in terminals) runs as the workstation's child process
(:mod:`console.workstation.hubchild`, what plain ``python main.py`` does), the
window talks to it through :class:`~console.link.remote.RemoteClient`, and the driver
streams the same calls
inside the hub process (its terminals' receipts are hub-internal commands).  By default
(``--mode both``) the bench runs the console as ``python main.py`` does (the hub process)
and then with the hub embedded (``python main.py --hub-inproc``), each in a fresh process,
and prints one line: the default console's keys as above (there ``rss_mb_*`` is the
console's process and ``hub_rss_mb_idle`` / ``hub_rss_mb_loaded`` the hub process's, their
sum ``rss_mb_total_loaded``) and the embedded run's same keys ending in ``_inproc``;
``loadavg`` is the machine's load average (1, 5, 15 min) at the start and at the end.

Diagnosis: ``SHIFT_TRACE_EVENTS=FILE`` writes the Qt events inside the 15 longest stalls
to FILE (:mod:`event_trace`); ``SHIFT_DUMP_STALLS_MS=N`` dumps every thread's stack when
a tick is N ms late (:class:`StallMeter`).  Neither run's figures compare with plain runs.
"""

from __future__ import annotations

import argparse
import faulthandler
import json
import os
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import numpy as np
from event_trace import TracingApplication
from PySide6.QtCore import QSettings, QTimer

from console.config import load_config
from console.heap import settle_after_start
from console.hub.bootstrap import start_embedded_hub
from console.hub.client import HubClient, InprocClient
from console.hub.hub import CommandHub
from console.hub.messages import ApprovePlan, CreateIncident, Event, OrderReceipt
from console.link.keys import KeyPair
from console.polygon import contains
from console.store import repos
from console.workstation.hubchild import (
    HubChild,
    Seat,
    ServedHub,
    die_with_parent,
    read_launch,
    yield_to_the_screen,
)
from widgets.app import prepare_application, spin, wait_for
from widgets.bridge import HubBridge
from widgets.main_window import MainWindow

TICK_MS = 5


def rss_mb() -> float:
    """Resident set size of this process, MB (Linux /proc)."""
    with open("/proc/self/status", encoding="ascii") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024.0
    return float("nan")


class StallMeter:
    """A fast GUI timer; a late tick means the GUI thread was busy that long.

    Beside each gap, the GUI thread's own CPU time over it (``time.thread_time``) and, on
    Linux, its run-queue wait (``/proc/thread-self/schedstat``: runnable, but the CPU ran
    something else): a gap the thread spent computing shows its length in CPU, one spent
    waiting for a core in run-queue wait, and the rest is time it was blocked (the GIL
    held by another thread of its process, a lock, the disk)."""

    def __init__(self) -> None:
        self.dump_ms = float(os.environ.get("SHIFT_DUMP_STALLS_MS", "0") or 0)
        """Diagnosis (``SHIFT_DUMP_STALLS_MS=80``): when a tick is that late, faulthandler's
        watchdog thread writes every thread's stack to stderr: what the GUI thread was
        doing during the stall (re-armed at every tick).  For diagnosis only: the watchdog
        reads the other threads' frames without the GIL, and a run at 35 ms once crashed
        (SIGSEGV while it read the client thread's frames); the figures of such a run are
        not comparable either."""
        self.gaps: list[float] = []
        self.ends: list[float] = []  # perf_counter at each tick (SHIFT_TRACE_EVENTS)
        self.cpu: list[float] = []
        self.runq: list[float] = []
        self._last = time.perf_counter()
        self._cpu = time.thread_time()
        self._runq = run_queue_ms()
        self.timer = QTimer()
        self.timer.setInterval(TICK_MS)
        self.timer.timeout.connect(self._tick)

    def start(self) -> None:
        self.gaps.clear()
        self.ends.clear()
        self.cpu.clear()
        self.runq.clear()
        self._last = time.perf_counter()
        self._cpu = time.thread_time()
        self._runq = run_queue_ms()
        self.timer.start()

    def stop(self) -> None:
        self.timer.stop()
        if self.dump_ms:
            faulthandler.cancel_dump_traceback_later()

    def _tick(self) -> None:
        if self.dump_ms:
            faulthandler.dump_traceback_later((TICK_MS + self.dump_ms) / 1000.0)
        now = time.perf_counter()
        cpu = time.thread_time()
        runq = run_queue_ms()
        self.gaps.append(max(0.0, (now - self._last) * 1000.0 - TICK_MS))
        self.ends.append(now)
        self.cpu.append((cpu - self._cpu) * 1000.0)
        self.runq.append(runq - self._runq)
        self._last = now
        self._cpu = cpu
        self._runq = runq

    def at_max(self, series: list[float]) -> float:
        """``series`` (CPU or run-queue ms) over the largest gap."""
        if not self.gaps:
            return 0.0
        return series[int(np.argmax(self.gaps))]

    def max_ms(self) -> float:
        return max(self.gaps, default=0.0)

    def p99_ms(self) -> float:
        return float(np.percentile(self.gaps, 99)) if self.gaps else 0.0


def run_queue_ms() -> float:
    """The calling thread's time spent runnable but not running, ms (Linux; 0 elsewhere)."""
    try:
        with open("/proc/thread-self/schedstat", encoding="ascii") as f:
            return int(f.read().split()[1]) / 1e6
    except (OSError, ValueError, IndexError):
        return 0.0


def settle(limit_s: float) -> None:
    """Run the event loop until the resident memory holds still (three readings 2 s apart
    within 2 %) after at least 10 s, or ``limit_s`` passed: the start-up's background work
    (coverage, hot spots, forecasts) must not count as the idle console's."""
    t_end = time.monotonic() + limit_s
    t_min = time.monotonic() + 10.0
    seen: list[float] = []
    while time.monotonic() < t_end:
        spin(2000)
        seen.append(rss_mb())
        last = seen[-3:]
        if time.monotonic() >= t_min and len(last) == 3 and max(last) <= 1.02 * min(last):
            return


def points(hub: CommandHub, n: int, seed: int = 5) -> list[tuple[float, float]]:
    """``n`` call places inside the district."""
    d = hub.district
    rng = np.random.default_rng(seed)
    x0, y0, x1, y1 = d.bbox
    lon = rng.uniform(x0, x1, n * 3)
    lat = rng.uniform(y0, y1, n * 3)
    inside = contains(d.outline, lon, lat)
    return list(zip(lon[inside][:n].tolist(), lat[inside][:n].tolist(), strict=True))


class Driver(threading.Thread):
    """Streams calls, approvals and the terminals' receipts through the hub's commands."""

    def __init__(self, hub: CommandHub, incidents: int, orders: int) -> None:
        super().__init__(name="bench-driver", daemon=True)
        self.hub = hub
        self.n = incidents
        self.per = max(1, round(orders / max(incidents, 1)))
        self.target = orders
        self.orders = 0
        self.created = 0
        self.errors: list[str] = []
        self.done = threading.Event()

    def run(self) -> None:
        hub = self.hub
        op = InprocClient(hub, actor="op-bench", role="operator", workstation="bench")
        sup = InprocClient(hub, actor="sup-bench", role="supervisor", workstation="bench")
        term = InprocClient(hub, actor="terminal", role="terminal", workstation="link")
        kinds = ["dispute", "theft", "fight", "traffic_accident", "thrown_object"]
        try:
            for k, (lon, lat) in enumerate(points(hub, self.n)):
                left = self.n - k
                want = max(1, min(self.per * 3, (self.target - self.orders) // max(left, 1)))
                r = op.call(
                    CreateIncident(
                        incident_type=kinds[k % len(kinds)],
                        lon=lon,
                        lat=lat,
                        address=f"压力测试路{k + 1}号",
                        force_level=1,
                        manpower=max(2, want * 2 + 1),
                    ),
                    timeout=60.0,
                )
                if not r.ok:
                    self.errors.append(r.error)
                    continue
                self.created += 1
                pid = r.result.get("plan_id")
                if pid is None:
                    continue
                plan = hub.workflow.current.get(int(pid))
                waiting = plan is not None and plan.status == "proposed"
                if waiting and not sup.call(ApprovePlan(plan_id=pid), timeout=60.0).ok:
                    continue
                with hub.store.session() as s:
                    ids = [o.id for o in repos.OrderRepo(s).for_incident(r.result["incident_id"])]
                for oid in ids:  # the officers confirm and finish; the incident stays open
                    for state in ("delivered", "finished"):
                        term.call(OrderReceipt(order_id=oid, state=state), timeout=60.0)
                self.orders += len(ids)
        except Exception as exc:  # report, do not hang the bench
            self.errors.append(repr(exc))
        finally:
            self.done.set()


def rss_of(pid: int) -> float:
    """Resident set size of another process, MB."""
    with open(f"/proc/{pid}/status", encoding="ascii") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024.0
    return float("nan")


def hub_child_main() -> int:
    """``--hub-child``: the hub process of ``--mode process`` (started by :class:`HubChild`).

    The same hub as the embedded phase, served like ``python main.py``'s hub child; then
    on ``go INCIDENTS ORDERS`` the driver runs here and ``DONE {json}`` is printed."""
    die_with_parent()
    launch = read_launch(sys.stdin)
    yield_to_the_screen(launch)  # as the workstation's hub child does (HUB_NICE)
    with tempfile.TemporaryDirectory(prefix="bench-shift-hub-") as tmp:
        hub = start_embedded_hub(f"sqlite:///{tmp}/hub.db", simulate=True)
        keys = KeyPair(launch["hub_public"], launch["hub_secret"])
        served = ServedHub.serve(hub, keys, launch["commands"], launch["events"])
        try:
            served.admit_seat(Seat(**launch["seat"]))
            settle_after_start()
            print(served.ready_line(), flush=True)
            for line in sys.stdin:
                words = line.split()
                if words[:1] == ["admit"]:  # the workstation's connection (HubChild.start)
                    served.parent_says(line.strip())
                elif words[:1] == ["rss"]:
                    print(json.dumps({"rss": rss_mb()}), flush=True)
                elif words[:1] == ["go"]:
                    driver = Driver(hub, int(words[1]), int(words[2]))
                    rss_idle = rss_mb()
                    driver.run()
                    done = {
                        "created": driver.created,
                        "orders": driver.orders,
                        "errors": driver.errors[:3],
                        "hub_rss_mb_idle": round(rss_idle, 1),
                        "hub_rss_mb_loaded": round(rss_mb(), 1),
                    }
                    print("DONE " + json.dumps(done), flush=True)
        finally:
            served.stop()
            hub.stop()
            hub.store.close()
    return 0


def phase(args: argparse.Namespace) -> dict[str, object]:
    """One run: the window on an embedded hub or on the hub child; the keys of one line."""
    trace_to = os.environ.get("SHIFT_TRACE_EVENTS", "")
    tracer = TracingApplication([sys.argv[0]]) if trace_to else None  # bench/event_trace.py
    app = prepare_application([sys.argv[0]], offscreen=True)
    meter = StallMeter()
    child: HubChild | None = None
    hub: CommandHub | None = None
    with tempfile.TemporaryDirectory(prefix="bench-shift-") as tmp:
        if args.mode == "process":
            child = HubChild(
                [],
                seat=Seat("sup-watch", "supervisor"),
                command=[sys.executable, str(Path(__file__).resolve()), "--hub-child"],
            )
            client: HubClient = child.start(workstation="S")
            config = load_config()
        else:
            hub = start_embedded_hub(f"sqlite:///{tmp}/hub.db", simulate=True)
            client = InprocClient(hub, actor="sup-watch", role="supervisor", workstation="S")
            config = hub.config
        bridge = HubBridge(client)
        settings = QSettings(str(Path(tmp) / "w.ini"), QSettings.Format.IniFormat)
        window = MainWindow(bridge, config, settings=settings)
        events = [0]

        def count(_ev: Event) -> None:
            events[0] += 1

        bridge.event.connect(count)
        try:
            window.resize(1600, 960)
            window.show()
            window.start()
            if not wait_for(lambda: window.is_loaded, 120):
                raise SystemExit("the window did not load")
            settle(args.settle)  # start-up work (coverage, forecasts) done, memory back down
            meter.start()
            spin(int(args.idle * 1000))
            meter.stop()
            idle_stall = meter.max_ms()
            rss_idle = rss_mb()

            t0 = time.perf_counter()
            meter.start()
            board = window.incident_panel.model
            extra: dict[str, float] = {}
            if child is not None:
                child.send_line(f"go {args.incidents} {args.orders}")
                got: list[str] = []

                def finished() -> bool:
                    line = child.next_line(0.0)
                    if line is not None and line.startswith("DONE "):
                        got.append(line)
                    return bool(got)

                wait_for(finished, 3600)
                result: dict[str, Any] = (
                    json.loads(got[0][5:]) if got else {"errors": ["no DONE from the hub"]}
                )
                created = int(result.get("created", 0))
                orders = int(result.get("orders", 0))
                errors = list(result.get("errors", []))
                extra = {k: float(v) for k, v in result.items() if k.startswith("hub_rss")}
            else:
                assert hub is not None
                driver = Driver(hub, args.incidents, args.orders)
                driver.start()
                wait_for(lambda: driver.done.is_set(), 3600)
                created, orders, errors = driver.created, driver.orders, driver.errors
            wait_for(lambda: board.rowCount() >= created, 60)
            spin(2000)  # the last events drawn
            meter.stop()
            seconds = time.perf_counter() - t0
            if tracer is not None:
                tracer.write_stalls(
                    Path(trace_to), list(zip(meter.ends, meter.gaps, meter.cpu, strict=True))
                )
            rss_loaded = rss_mb()
            out: dict[str, object] = {
                "rss_mb_idle": round(rss_idle, 1),
                "rss_mb_loaded": round(rss_loaded, 1),
                "rss_ratio": round(rss_loaded / rss_idle, 3),
                "max_stall_ms": round(meter.max_ms(), 1),
                "max_stall_ms_idle": round(idle_stall, 1),
                "p99_stall_ms": round(meter.p99_ms(), 1),
                "max_stall_gui_cpu_ms": round(meter.at_max(meter.cpu), 1),
                "max_stall_runqueue_ms": round(meter.at_max(meter.runq), 1),
                "incidents": created,
                "orders": orders,
                "events": events[0],
                "board_rows": board.rowCount(),
                "seconds": round(seconds, 1),
                **extra,
            }
            if child is not None and "hub_rss_mb_loaded" in extra:
                out["rss_mb_total_loaded"] = round(rss_loaded + extra["hub_rss_mb_loaded"], 1)
            if errors:
                out["errors"] = errors[:3]
            return out
        finally:
            window.shift_tools.close_all()
            window.close()
            bridge.close()
            if child is not None:
                child.stop()
            if hub is not None:
                hub.stop()
                hub.store.close()
            app.processEvents()


def both(args: argparse.Namespace, argv: list[str]) -> dict[str, object]:
    """The default console (hub process), then the embedded hub, each in a fresh process."""
    out: dict[str, object] = {"loadavg_start": [round(x, 2) for x in os.getloadavg()]}
    for mode, suffix in (("process", ""), ("embedded", "_inproc")):
        done = subprocess.run(
            [sys.executable, str(Path(__file__).resolve()), *argv, "--mode", mode],
            capture_output=True,
            text=True,
            check=False,
        )
        lines = [ln for ln in done.stdout.splitlines() if ln.startswith("{")]
        if done.returncode != 0 or not lines:
            out[f"errors{suffix}"] = [done.stderr[-1500:]]
            continue
        out.update({k + suffix: v for k, v in json.loads(lines[-1]).items()})
    out["loadavg_end"] = [round(x, 2) for x in os.getloadavg()]
    return out


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    if argv[:1] == ["--hub-child"]:
        return hub_child_main()
    ap = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    ap.add_argument("--incidents", type=int, default=500)
    ap.add_argument("--orders", type=int, default=5000)
    ap.add_argument("--idle", type=float, default=8.0, help="seconds of idle reference")
    ap.add_argument("--settle", type=float, default=90.0, help="at most this long to settle")
    ap.add_argument(
        "--mode",
        choices=["both", "embedded", "process"],
        default="both",
        help="the hub embedded, in its own process, or both one after the other",
    )
    args = ap.parse_args(argv)
    if args.mode == "both":
        print(json.dumps(both(args, [a for a in argv if a != "--mode" and a != "both"])))
        return 0
    print(json.dumps(phase(args)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
