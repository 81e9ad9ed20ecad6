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
p99_stall_ms, incidents, orders, events, board_rows, seconds.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import threading
import time
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import numpy as np
from PySide6.QtCore import QSettings, QTimer

from console.hub.bootstrap import start_embedded_hub
from console.hub.client import InprocClient
from console.hub.hub import CommandHub
from console.hub.messages import ApprovePlan, CreateIncident, Event, OrderReceipt
from console.polygon import contains
from console.store import repos
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
    """A fast GUI timer; a late tick means the GUI thread was busy that long."""

    def __init__(self) -> None:
        self.gaps: list[float] = []
        self._last = time.perf_counter()
        self.timer = QTimer()
        self.timer.setInterval(TICK_MS)
        self.timer.timeout.connect(self._tick)

    def start(self) -> None:
        self.gaps.clear()
        self._last = time.perf_counter()
        self.timer.start()

    def stop(self) -> None:
        self.timer.stop()

    def _tick(self) -> None:
        now = time.perf_counter()
        self.gaps.append(max(0.0, (now - self._last) * 1000.0 - TICK_MS))
        self._last = now

    def max_ms(self) -> float:
        return max(self.gaps, default=0.0)

    def p99_ms(self) -> float:
        return float(np.percentile(self.gaps, 99)) if self.gaps else 0.0


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


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    ap.add_argument("--incidents", type=int, default=500)
    ap.add_argument("--orders", type=int, default=5000)
    ap.add_argument("--idle", type=float, default=8.0, help="seconds of idle reference")
    ap.add_argument("--settle", type=float, default=90.0, help="at most this long to settle")
    args = ap.parse_args(argv)
    app = prepare_application([sys.argv[0]], offscreen=True)
    meter = StallMeter()
    with tempfile.TemporaryDirectory(prefix="bench-shift-") as tmp:
        hub = start_embedded_hub(f"sqlite:///{tmp}/hub.db", simulate=True)
        bridge = HubBridge(InprocClient(hub, actor="sup-watch", role="supervisor", workstation="S"))
        settings = QSettings(str(Path(tmp) / "w.ini"), QSettings.Format.IniFormat)
        window = MainWindow(bridge, hub.config, settings=settings)
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

            driver = Driver(hub, args.incidents, args.orders)
            t0 = time.perf_counter()
            meter.start()
            driver.start()
            board = window.incident_panel.model
            wait_for(lambda: driver.done.is_set(), 3600)
            wait_for(lambda: board.rowCount() >= driver.created, 60)
            spin(2000)  # the last events drawn
            meter.stop()
            seconds = time.perf_counter() - t0
            rss_loaded = rss_mb()
            out = {
                "rss_mb_idle": round(rss_idle, 1),
                "rss_mb_loaded": round(rss_loaded, 1),
                "rss_ratio": round(rss_loaded / rss_idle, 3),
                "max_stall_ms": round(meter.max_ms(), 1),
                "max_stall_ms_idle": round(idle_stall, 1),
                "p99_stall_ms": round(meter.p99_ms(), 1),
                "incidents": driver.created,
                "orders": driver.orders,
                "events": events[0],
                "board_rows": board.rowCount(),
                "seconds": round(seconds, 1),
            }
            if driver.errors:
                out["errors"] = driver.errors[:3]
            print(json.dumps(out))
        finally:
            window.shift_tools.close_all()
            window.close()
            bridge.close()
            hub.stop()
            hub.store.close()
            app.processEvents()
    return 0


if __name__ == "__main__":
    sys.exit(main())
