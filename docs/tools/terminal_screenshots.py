"""Render the terminal app with a real order, tablet and phone size.

    QT_QPA_PLATFORM=offscreen python docs/tools/terminal_screenshots.py [docs/]

Starts the embedded demo hub in a temporary database with its terminal link on
loopback (cards and messages attached), enrols the unit the plan sends furthest,
registers the knife attack of the issue (caller's report and number), has two
supervisors approve it, merges a second call and sends a message; the terminal
app runs in this process on the real link, a little way along its route.  Saves
``screenshot-terminal-tablet.png`` (1280 x 800) and ``screenshot-terminal-phone.png``
(412 x 892).
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
ROOT = Path(__file__).resolve().parents[2]
if str(ROOT) not in sys.path:  # run as a script from anywhere: find the project's packages
    sys.path.insert(0, str(ROOT))

from console.config import load_config  # noqa: E402 (after the path set-up)
from console.hub.bootstrap import start_embedded_hub  # noqa: E402
from console.hub.client import InprocClient  # noqa: E402
from console.hub.messages import (  # noqa: E402
    ApprovePlan,
    CreateIncident,
    GetPlan,
    MergeIntoIncident,
)
from console.hub.messaging import SendMessage  # noqa: E402
from console.link.keys import KeyPair, TerminalKey, load_or_create_hub_keys  # noqa: E402
from console.link.node import HubNode  # noqa: E402
from console.link.officer_loop import attach  # noqa: E402
from console.link.trust import enroll_keys  # noqa: E402
from console.terminal.client import TerminalClient  # noqa: E402
from console.terminal.gps import FixedSource  # noqa: E402
from console.terminal.localstore import SqliteStore  # noqa: E402
from widgets.app import spin, wait_for  # noqa: E402
from widgets.terminal.alarm import Alarm  # noqa: E402
from widgets.terminal.app import application, grab  # noqa: E402
from widgets.terminal.bridge import TerminalBridge  # noqa: E402
from widgets.terminal.window import TerminalWindow  # noqa: E402

SCENE = (121.4737, 31.2304)


def _ok(client: InprocClient, cmd: object) -> object:
    r = client.call(cmd, timeout=60)  # type: ignore[arg-type]
    if not r.ok:
        raise SystemExit(f"{type(cmd).__name__}: {r.error}")
    return r.result


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    ap.add_argument("out", nargs="?", default="docs", type=Path)
    ap.add_argument(
        "--tabs", type=Path, help="also save the phone's map, route and messages tabs here"
    )
    args = ap.parse_args(argv)
    tmp = Path(tempfile.mkdtemp(prefix="terminal-shots-"))
    config = load_config()
    hub = start_embedded_hub(f"sqlite:///{tmp / 'hub.sqlite3'}", config, simulate=False)
    keys = load_or_create_hub_keys(tmp / "keys")
    node = HubNode(hub.store, keys, "tcp://127.0.0.1:0", hub=hub)
    attach(hub, node.link)
    node.start()
    op = InprocClient(hub, actor="op", role="operator", workstation="desk")
    hub.auth.create_user("wang", "王建国", "correct horse battery", "supervisor")
    hub.auth.create_user("li", "李明", "correct horse battery", "supervisor")
    sups = [
        InprocClient(hub, actor=u, role="supervisor", workstation="desk") for u in ("wang", "li")
    ]
    res = _ok(
        op,
        CreateIncident(
            incident_type="knife_attack",
            lon=SCENE[0],
            lat=SCENE[1],
            address="南京东路步行街",
            caller="13800138000",
            description="一名男子持刀在步行街追砍路人，已有一人受伤倒地，嫌疑人穿黑色外套",
        ),
    )
    iid = res["incident_id"]  # type: ignore[index]
    plan = _ok(op, GetPlan(incident_id=iid))
    slot = max(plan.body["slots"], key=lambda s: len(s["route_lon"]))  # type: ignore[attr-defined]
    cs = slot["call_sign"]
    key = TerminalKey(cs, KeyPair.generate(), keys.public)
    enroll_keys(hub.store, [(cs, key.keys.public)])
    k = max(1, len(slot["route_lon"]) // 4)
    source = FixedSource(slot["route_lon"][k], slot["route_lat"][k])
    app = application()
    store = SqliteStore(tmp / "terminal.sqlite3")
    window: TerminalWindow | None = None

    def open_window(form: str) -> TerminalWindow:
        def make(on_event: object) -> TerminalClient:
            return TerminalClient(key, node.link.endpoint, store, on_event=on_event, maps=store)  # type: ignore[arg-type]

        bridge = TerminalBridge(make, source).start()
        w = TerminalWindow(bridge, form=form, alarm=Alarm(muted=True), camera=False)
        w.show()
        if not wait_for(lambda: bridge.client.connected, 30):
            raise SystemExit("the terminal never reached the hub")
        return w

    try:
        window = open_window("tablet")
        for s in sups:
            _ok(s, ApprovePlan(plan_id=plan.plan_id))  # type: ignore[attr-defined]
        if not wait_for(lambda: window is not None and window.current is not None, 30):
            raise SystemExit("no order reached the terminal")
        oid = window.order_id or ""
        window.bridge.read(oid)  # the officer acknowledged and accepted: on the way
        spin(300)
        window.bridge.accept(oid)
        wait_for(lambda: window is not None and window.bridge.client.waiting_reports() == 0, 10)
        _ok(op, SendMessage(text="特警已到场，注意配合，保护伤者", to_unit=cs, incident_id=iid))
        wait_for(lambda: bool(window and window.messages.unread), 20)
        _ok(
            op,
            MergeIntoIncident(
                incident_id=iid, caller="13900139000", description="嫌疑人往河南中路方向逃跑"
            ),
        )

        def updated() -> bool:
            c = window.current.order.card if window and window.current else None
            return bool(c and c.more_calls)

        wait_for(updated, 20)
        spin(1200)
        grab(window, args.out / "screenshot-terminal-tablet.png")
        window.close()
        window = open_window("phone")  # the same terminal on a phone: the same local store
        wait_for(lambda: window is not None and window.current is not None, 20)
        window.banner.notice("指令更新：第2个报警电话 13900139000", seconds=60)
        spin(1200)
        grab(window, args.out / "screenshot-terminal-phone.png")
        if args.tabs is not None:
            for k, name in ((1, "map"), (2, "route"), (3, "messages")):
                window.tabs.setCurrentIndex(k)
                grab(window, args.tabs / f"terminal-phone-{name}.png", settle_ms=400)
        print(f"wrote {args.out}/screenshot-terminal-tablet.png and -phone.png")
    finally:
        if window is not None:
            window.close()
        store.close()
        node.stop()
        hub.stop()
        app.processEvents()
    return 0


if __name__ == "__main__":
    sys.exit(main())
