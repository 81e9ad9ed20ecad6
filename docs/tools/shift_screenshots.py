"""Render the shift screenshots of the documentation from the real demo hub.

    python docs/tools/shift_screenshots.py [docs/]      (offscreen is fine: no web views)

Starts the embedded demo hub in a temporary database on a clock that starts at
02:10 Shanghai time and moves as the script says, takes 30 calls of mixed levels
over an hour and a half (the approval policy sends level 1-2 plans at once;
supervisors approve most of the others; stand-in terminals acknowledge and the
simulated units drive), closes five, then saves:

- ``screenshot-plan-queue.png``: a supervisor's window with the plan queue in front,
  the low-level plans ticked for one batch approval, a level-3 plan selected with its map;
- ``screenshot-incident-board.png``: the same window with the incident board in front
  (deadlines, overdue rows, numbers on the pins, the selected incident ringed);
- ``screenshot-history.png``: the past-incidents window, a search and one record;
- ``screenshot-report.png``: page 1 of that incident's after-action report (PDF,
  rendered with Qt's own QPdfDocument; ``pdftoppm`` is not needed).
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
from pathlib import Path

if not os.environ.get("DISPLAY"):
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
ROOT = Path(__file__).resolve().parents[2]
if str(ROOT) not in sys.path:  # run as a script from anywhere: find the project's packages
    sys.path.insert(0, str(ROOT))

import numpy as np  # noqa: E402
from PySide6.QtCore import QSettings, QSize  # noqa: E402
from PySide6.QtGui import QColor, QImage, QPainter  # noqa: E402
from PySide6.QtPdf import QPdfDocument  # noqa: E402

from console.geo.coords import haversine_m  # noqa: E402
from console.hub.bootstrap import start_embedded_hub  # noqa: E402
from console.hub.client import InprocClient  # noqa: E402
from console.hub.hub import CommandHub  # noqa: E402
from console.hub.messages import (  # noqa: E402
    ApprovePlan,
    CancelIncident,
    CloseIncident,
    CreateIncident,
    GetPlan,
)
from console.hub.messages_shift import AddShiftNote  # noqa: E402
from console.polygon import contains  # noqa: E402
from widgets.app import prepare_application, spin, wait_for  # noqa: E402
from widgets.bridge import HubBridge  # noqa: E402
from widgets.i18n import LanguageManager  # noqa: E402
from widgets.main_window import MainWindow  # noqa: E402

T_START = 1_779_905_400.0  # 2026-05-28 02:10 Asia/Shanghai
MIX = (
    ["dispute"] * 7
    + ["theft"] * 5
    + ["traffic_accident"] * 3
    + ["thrown_object"] * 2
    + ["fight"] * 4
    + ["robbery"] * 2
    + ["mental_disturbance"] * 2
    + ["knife_attack"] * 3
    + ["suspicious_object"] * 2
)
REPORTS = {
    "dispute": "邻里噪音纠纷, 双方争吵",
    "theft": "电动车被盗",
    "traffic_accident": "两车剐蹭, 无人受伤",
    "thrown_object": "高空抛物, 砸中车辆",
    "fight": "酒后多人斗殴",
    "robbery": "抢夺手机后逃跑",
    "mental_disturbance": "一男子情绪失控",
    "knife_attack": "一男子持刀与人争执",
    "suspicious_object": "地铁口发现可疑包裹",
}


class Clock:
    """The hub's clock: starts at ``t`` and moves when told (thread-safe enough for floats)."""

    def __init__(self, t: float) -> None:
        self.t = t

    def __call__(self) -> float:
        return self.t

    def advance(self, s: float) -> float:
        self.t += s
        return self.t


def places(hub: CommandHub, n: int, seed: int = 7) -> list[tuple[float, float, str]]:
    """``n`` points inside the district, at least 350 m apart, each named after the
    nearest landmark."""
    d = hub.district
    rng = np.random.default_rng(seed)
    x0, y0, x1, y1 = d.bbox
    marks = list(d.landmarks.items())
    out: list[tuple[float, float, str]] = []
    while len(out) < n:
        lon, lat = float(rng.uniform(x0, x1)), float(rng.uniform(y0, y1))
        if not contains(d.outline, lon, lat)[0]:
            continue
        if any(haversine_m(lon, lat, a, b) < 350 for a, b, _ in out):
            continue
        name, _where = min(marks, key=lambda m: haversine_m(lon, lat, *m[1]))
        out.append((lon, lat, f"{name}附近"))
    return out


def busy_shift(hub: CommandHub, clock: Clock) -> dict[str, list[int]]:
    """30 calls over ~90 minutes; most plans approved; returns incident ids by fate."""
    op = InprocClient(hub, actor="王值班", role="operator", workstation="A1")
    sup1 = InprocClient(hub, actor="李组长", role="supervisor", workstation="S1")
    sup2 = InprocClient(hub, actor="赵组长", role="supervisor", workstation="S2")
    rng = np.random.default_rng(11)
    kinds = list(MIX)
    rng.shuffle(kinds)
    ids: dict[str, list[int]] = {"all": [], "pending": [], "approved": []}
    for k, ((lon, lat, addr), kind) in enumerate(zip(places(hub, len(kinds)), kinds, strict=True)):
        clock.advance(float(rng.uniform(90, 240)))
        spin(150)  # the hub ticks: stand-ins answer, units drive
        r = op.call(
            CreateIncident(
                incident_type=kind,
                lon=lon,
                lat=lat,
                address=addr,
                caller=f"139{16248800 + k:08d}",
                description=REPORTS[kind],
            )
        )
        if not r.ok:
            print("create refused:", r.error)
            continue
        iid, pid = r.result["incident_id"], r.result.get("plan_id")
        ids["all"].append(iid)
        plan = hub.workflow.current.get(int(pid)) if pid is not None else None
        if plan is not None and plan.status == "approved":  # the policy sent it at once
            ids["approved"].append(iid)
            continue
        if k >= len(kinds) - 20 or plan is None:  # the last ones wait in the queue
            ids["pending"].append(iid)
            continue
        clock.advance(float(rng.uniform(20, 70)))
        for sup in (sup1, sup2)[: plan.approvals_needed]:
            sup.call(ApprovePlan(plan_id=plan.plan_id))
        ids["approved"].append(iid)
    # one of the waiting level-3 plans has its first approval
    for iid in ids["pending"]:
        plan = op.call(GetPlan(incident_id=iid)).result
        if plan is not None and plan.approvals_needed == 2:
            sup1.call(ApprovePlan(plan_id=plan.plan_id))
            break
    op.call(AddShiftNote(text="南京东路施工至06:00, 车辆绕行九江路"))
    return ids


def close_five(hub: CommandHub, clock: Clock, ids: list[int]) -> list[int]:
    """Close four of the first approved incidents and cancel one."""
    op = InprocClient(hub, actor="王值班", role="operator", workstation="A1")
    sup = InprocClient(hub, actor="李组长", role="supervisor", workstation="S1")
    done = []
    outcomes = [
        "双方已调解, 握手言和",
        "嫌疑人已控制, 移交派出所",
        "车辆已拖离, 交通恢复",
        "已找回失物",
    ]
    for iid, text in zip(ids[:4], outcomes, strict=False):
        clock.advance(40)
        if op.call(CloseIncident(incident_id=iid, outcome=text)).ok:
            done.append(iid)
    if len(ids) > 4 and sup.call(CancelIncident(incident_id=ids[4], reason="误报, 现场无异常")).ok:
        done.append(ids[4])
    return done


def render_pdf_page(pdf: Path, png: Path, dpi: float = 110.0) -> bool:
    """Page 1 of ``pdf`` as a PNG on white, with Qt's PDF renderer (no poppler needed)."""
    doc = QPdfDocument()
    if doc.load(str(pdf)) != QPdfDocument.Error.None_ or doc.pageCount() < 1:
        print(f"cannot read {pdf}: {doc.error()}")
        return False
    pts = doc.pagePointSize(0)
    size = QSize(round(pts.width() * dpi / 72.0), round(pts.height() * dpi / 72.0))
    page = doc.render(0, size)
    out = QImage(page.size(), QImage.Format.Format_RGB32)
    out.fill(QColor("white"))  # the rendered page is transparent where nothing is drawn
    painter = QPainter(out)
    painter.drawImage(0, 0, page)
    painter.end()
    doc.close()
    return out.save(str(png))


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    ap.add_argument("out", nargs="?", default="docs", type=Path)
    ap.add_argument("--lang", default="zh_CN")
    ap.add_argument("--size", default="1600x960", help="window size, WIDTHxHEIGHT")
    args = ap.parse_args(argv)
    width, height = (int(v) for v in args.size.lower().split("x"))
    app = prepare_application([sys.argv[0]])
    LanguageManager(app).set_language(args.lang)
    args.out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="shift-shots-") as tmp:
        clock = Clock(T_START)
        hub = start_embedded_hub(f"sqlite:///{tmp}/hub.db", simulate=True, clock=clock)
        bridge = HubBridge(InprocClient(hub, actor="赵组长", role="supervisor", workstation="S2"))
        settings = QSettings(str(Path(tmp) / "w.ini"), QSettings.Format.IniFormat)
        window = MainWindow(bridge, hub.config, settings=settings)
        try:
            window.resize(width, height)
            window.show()
            window.start()
            wait_for(lambda: window.is_loaded, 60)
            ids = busy_shift(hub, clock)
            for _ in range(6):  # the last calls' units on their way
                clock.advance(30)
                spin(200)
            closed = close_five(hub, clock, ids["approved"])
            spin(1500)
            tools = window.shift_tools

            # the plan queue, a level-3 plan selected
            tools.route_plan(None, True)
            queue = tools.plan_queue
            queue.tick_low_button.click()  # the low-level plans ticked for one batch
            level3 = [p for p in queue.ordered() if int(p.body.get("force_level", 1)) >= 3]
            if level3:
                queue.select_incident(level3[0].incident_id)
            spin(800)
            window.grab().save(str(args.out / "screenshot-plan-queue.png"))

            # the incident board, one incident selected (ringed on the map)
            window.incident_dock.raise_()
            board = window.incident_panel
            target = next(iter(board.visible_ids()), 0)
            if target:
                board.select_incident(target)
                window.map.zoom_to_district()
            spin(800)
            window.grab().save(str(args.out / "screenshot-incident-board.png"))

            # past incidents: search, open one, its report as PDF
            hist = tools.open_history()
            hist.resize(1500, 860)
            hist.any_time.setChecked(True)
            hist.search()
            wait_for(lambda: bool(hist.rows), 30)
            pick = closed[1] if len(closed) > 1 else (closed[0] if closed else 0)
            if pick:
                hist.open_record(pick)
                wait_for(lambda: hist.record is not None, 30)
            spin(500)
            hist.grab().save(str(args.out / "screenshot-history.png"))
            pdf = hist.export_pdf(Path(tmp) / "report.pdf")
            if pdf is None or not render_pdf_page(pdf, args.out / "screenshot-report.png"):
                print("the report was not rendered")
        finally:
            window.shift_tools.close_all()
            window.close()
            bridge.close()
            hub.stop()
            hub.store.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
