"""Render the workflow screenshots of the documentation from the real demo hub.

    xvfb-run -a -s "-screen 0 1600x1000x24" python docs/tools/workflow_screenshots.py [docs/]

(offscreen works too, but then the plan review is skipped: its briefing is a
QWebEngineView, which paints nothing on the offscreen platform)

Starts the embedded demo hub in a temporary database, registers a knife attack
on Nanjing Road pedestrian street, then shows the intake of a second call there
(the likely-duplicate warning with its merge choice, the place typed as an
intersection) and the administrator's dialog (users and terminal enrolment),
and saves ``screenshot-intake.png`` and ``screenshot-admin.png``; then, on a
second hub whose orders nobody acknowledges, a supervisor's alerts panel with
the escalation's proposed unit (``screenshot-alerts.png``).
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


from console.hub.bootstrap import start_embedded_hub  # noqa: E402
from console.hub.client import InprocClient  # noqa: E402
from console.hub.messages import (  # noqa: E402
    CreateIncident,
    CreateUser,
    EnrollTerminal,
    GetDistrict,
    GetPlan,
    GetSnapshot,
    RevokeTerminal,
)
from widgets.app import prepare_application, spin, wait_for  # noqa: E402
from widgets.bridge import HubBridge  # noqa: E402
from widgets.i18n import LanguageManager  # noqa: E402
from widgets.workflow.admin import AdminDialog  # noqa: E402
from widgets.workflow.briefing import web_view_usable  # noqa: E402
from widgets.workflow.intake import IntakeDialog  # noqa: E402
from widgets.workflow.plan_review import PlanReviewDialog  # noqa: E402

SPOT = (121.4849, 31.2384)  # fallback: near the crossing below
CROSSING = ("南京东路", "河南中路")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    ap.add_argument("out", nargs="?", default="docs", type=Path)
    ap.add_argument("--lang", default="zh_CN")
    args = ap.parse_args(argv)
    app = prepare_application([sys.argv[0]])
    LanguageManager(app).set_language(args.lang)
    args.out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="workflow-shots-") as tmp:
        hub = start_embedded_hub(f"sqlite:///{tmp}/hub.db", simulate=True)
        admin = InprocClient(hub, actor="管理员", role="admin", workstation="docs")
        operator = HubBridge(InprocClient(hub, actor="值班员", role="operator", workstation="A1"))
        bridge = HubBridge(admin)
        try:
            for user, name, role in (
                ("wang.op", "王值班", "operator"),
                ("li.sup", "李组长", "supervisor"),
                ("zhao.sup", "赵组长", "supervisor"),
            ):
                admin.call(
                    CreateUser(
                        username=user,
                        display_name=name,
                        password="a long enough password",
                        role=role,
                    )
                )
            district = admin.call(GetDistrict()).result
            spot = next(
                ((lon, lat) for a, b, lon, lat in district.intersections if (a, b) == CROSSING),
                SPOT,
            )
            first = admin.call(
                CreateIncident(
                    incident_type="knife_attack",
                    lon=spot[0] + 0.0009,  # about 85 m east of the crossing
                    lat=spot[1],
                    caller="13916248801",
                    description="步行街一男子持刀与人争执",
                    address="南京路步行街",
                )
            )
            if not first.ok:
                print(f"could not create the first incident: {first.error}", file=sys.stderr)
                return 1
            for call_sign in ("南东-2-1", "南东-2-2", "特警-02"):
                r = admin.call(
                    EnrollTerminal(call_sign=call_sign, endpoint="tcp://hub.example:5555")
                )
                if not r.ok:
                    print(f"enrolment of {call_sign} refused: {r.error}", file=sys.stderr)
            admin.call(RevokeTerminal(call_sign="南东-2-2"))
            known = admin.call(GetSnapshot()).result.incidents
            operator.start()
            intake = IntakeDialog(
                operator, hub.config, district=district, incidents=lambda: known, clock=hub.clock
            )
            intake.set_type("knife_attack")
            intake.choose_place(f"{CROSSING[0]} / {CROSSING[1]} (路口)")
            intake.caller_edit.setText("137 0172 3456")
            intake.description_edit.setPlainText("南京东路河南中路口，有人持刀，一人手臂流血。")
            intake.submit()  # held back by the duplicate warning; nothing is sent
            intake.show()
            spin(400)
            intake.grab().save(str(args.out / "screenshot-intake.png"))
            intake.close()

            bridge.start()
            dlg = AdminDialog(bridge, config=hub.config)
            dlg.resize(820, 520)
            dlg.show()
            dlg.load()
            wait_for(lambda: dlg.units, 20)
            dlg.tabs.setCurrentIndex(1)
            dlg.select_unit("南东-2-1")  # scrolls to the enrolled ones
            spin(400)
            dlg.grab().save(str(args.out / "screenshot-admin.png"))
            dlg.close()
            shots = [args.out / "screenshot-intake.png", args.out / "screenshot-admin.png"]

            # plan review of the first incident, two-supervisor plan (level 3)
            plan = admin.call(GetPlan(incident_id=first.result["incident_id"]))
            if plan.ok and web_view_usable():
                review = PlanReviewDialog(
                    HubBridge(InprocClient(hub, actor="李组长", role="supervisor")),
                    hub.config,
                    plan.result,
                    district=district,
                    briefing_dir=Path(tmp) / "briefings",
                )
                review.resize(1400, 760)
                review.show()
                wait_for(lambda: review.web_view is not None and review.web_view.loads > 0, 30)
                spin(3000)  # Leaflet draws after the load signal
                screen = review.screen()
                shot = screen.grabWindow(review.winId())  # the composited pixels, web view too
                shot.save(str(args.out / "screenshot-plan-review.png"))
                shots.append(args.out / "screenshot-plan-review.png")
                review.close()
            elif plan.ok:
                print("plan review not saved: the briefing web view needs a display (xvfb-run)")
            shots.append(alerts_shot(args.out, Path(tmp)))
            print(*shots)
        finally:
            operator.close()
            bridge.close()
            admin.close()
            hub.stop()
    return 0


def alerts_shot(out: Path, tmp: Path) -> Path:
    """A supervisor's alerts panel: an order not acknowledged, the proposed replacement.

    A hub without simulation whose stand-in terminals stay silent, its clock
    moved past the acknowledgement deadline: the hub's own timer raises the
    escalation, as it would for a terminal that never answers.
    """
    import time

    from console.hub.messages import ApprovePlan
    from widgets.workflow.alerts import AlertsBoard

    hub = start_embedded_hub(f"sqlite:///{tmp}/alerts.db", simulate=False)
    hub.virtual.on_order = lambda *a: None  # type: ignore[method-assign]  # nobody answers
    now = [time.time()]
    hub.clock = lambda: now[0]
    sup = InprocClient(hub, actor="李组长", role="supervisor", workstation="S1")
    bridge = HubBridge(InprocClient(hub, actor="李组长", role="supervisor", workstation="S1"))
    try:
        bridge.start()
        board = AlertsBoard(bridge, config=hub.config)
        board.resize(980, 260)
        board.show()
        r = sup.call(CreateIncident(incident_type="theft", lon=121.4737, lat=31.2304))
        if r.ok:
            sup.call(ApprovePlan(plan_id=r.result["plan_id"]))
            now[0] += hub.config.orders.ack_deadline_seconds + 1
            wait_for(lambda: board.proposal_alert() is not None, 20)
        spin(400)
        path = out / "screenshot-alerts.png"
        board.grab().save(str(path))
        board.close()
        return path
    finally:
        bridge.close()
        hub.stop()


if __name__ == "__main__":
    raise SystemExit(main())
