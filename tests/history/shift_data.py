"""A past shift on a real hub, for the history tests: four incidents through the real
commands, on a frozen clock, so every time and response below is exact.

- A (dispute, 南京东路): approved by one supervisor, units arrive 200 s after the order,
  closed "双方已调解 mediated", a photo and a message on record;
- B (theft, 人民路): cancelled as a false alarm before any decision;
- C (knife attack): two supervisors approve, units arrive 400 s after the order (late
  against the special police's 180 s), closed "嫌疑人已控制";
- D (fight, next to A): approved, acknowledged, its units not there within the standard
  (an alert), still open.

The past shift runs under the seed rule (one supervisor below level 3, two from level 3:
:func:`seed_rule_config`), so each decision above is a supervisor's; the shipped policy,
which lets level 1-2 plans out without one, is tested in ``tests/hub``.
"""

from __future__ import annotations

import shutil
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import cv2
import numpy as np

from console.config import CONFIG_DIR, Config, load_config
from console.hub.client import InprocClient
from console.hub.hub import CommandHub
from console.hub.messages import (
    ApprovePlan,
    CancelIncident,
    CloseIncident,
    Command,
    CreateIncident,
    Reply,
)
from console.link.attachments import check_photo, store_photo
from console.store import repos
from console.store.models_messages import MessageRow
from tests.conftest import FrozenClock
from tests.link.helpers import wait_until

NANJING_RD = (121.4800, 31.2360)
NEXT_TO_A = (121.4805, 31.2365)
RENMIN_RD = (121.4700, 31.2150)
PEOPLES_SQ = (121.4890, 31.2330)


SEED_RULE = "[levels]\n1 = 1\n2 = 1\n3 = 2\n4 = 2\n"


def seed_rule_config(directory: Path) -> Config:
    """The shipped config in ``directory``, its approval policy the seed rule."""
    shutil.copytree(CONFIG_DIR, directory)
    (directory / "approval_policy.toml").write_text(SEED_RULE, encoding="utf-8")
    return load_config(directory)


@dataclass
class PastShift:
    """The hub, its clock, the incidents' numbers and the shift's window."""

    hub: CommandHub
    clock: FrozenClock
    t0: float
    ids: dict[str, int] = field(default_factory=dict)
    orders: dict[str, list[str]] = field(default_factory=dict)
    units: dict[str, list[str]] = field(default_factory=dict)
    photo_id: int = 0
    t1: float = 0.0


def ok(client: InprocClient, cmd: Command) -> Any:
    """Send and insist on success (the reason in the failure message)."""
    reply: Reply = client.call(cmd, timeout=60.0)
    assert reply.ok, f"{type(cmd).__name__}: {reply.error}"
    return reply.result


def wait(pred: Callable[[], bool], timeout: float = 30.0) -> bool:
    return wait_until(pred, timeout)


def _orders(hub: CommandHub, iid: int) -> list[tuple[str, str]]:
    with hub.store.session() as s:
        return [
            (str(o.id), str(o.body.get("call_sign", "")))
            for o in repos.OrderRepo(s).for_incident(iid)
        ]


def build_past_shift(hub: CommandHub, clock: FrozenClock) -> PastShift:
    """Run the four incidents (see the module text)."""
    op = InprocClient(hub, actor="op-zhao", role="operator", workstation="ws-1")
    sup_a = InprocClient(hub, actor="sup-qian", role="supervisor", workstation="ws-2")
    sup_b = InprocClient(hub, actor="sup-sun", role="supervisor", workstation="ws-3")
    term = InprocClient(hub, actor="terminal", role="terminal", workstation="link")
    shift = PastShift(hub, clock, clock())

    def create(key: str, kind: str, at: tuple[float, float], address: str, text: str) -> int:
        r = ok(
            op,
            CreateIncident(
                incident_type=kind,
                lon=at[0],
                lat=at[1],
                address=address,
                caller="13916248801",
                description=text,
            ),
        )
        shift.ids[key] = int(r["incident_id"])
        return int(r["plan_id"])

    def dispatched(key: str) -> list[str]:
        pairs = _orders(hub, shift.ids[key])
        shift.orders[key] = [o for o, _ in pairs]
        shift.units[key] = [cs for _, cs in pairs]
        return shift.orders[key]

    def receipts(order_ids: list[str], *states: str) -> None:
        for oid in order_ids:
            for st in states:
                ok(term, _receipt(oid, st))

    # A: a dispute, one supervisor, arrival after 200 s, closed
    plan_a = create("A", "dispute", NANJING_RD, "南京东路100号", "两名商户争执")
    clock.advance(30)
    ok(sup_a, ApprovePlan(plan_id=plan_a))
    a_orders = dispatched("A")
    receipts(a_orders, "delivered", "accepted")
    # B: a theft, cancelled before any decision
    clock.advance(20)
    create("B", "theft", RENMIN_RD, "人民路8号", "电动车被盗")
    clock.advance(100)
    ok(sup_a, CancelIncident(incident_id=shift.ids["B"], reason="误报 false alarm"))
    clock.advance(80)  # 200 s after A's orders
    receipts(a_orders, "arrived")
    _photo_and_message(hub, shift, a_orders[0])
    clock.advance(600)
    ok(op, CloseIncident(incident_id=shift.ids["A"], outcome="双方已调解 mediated"))

    # C: a knife attack, two supervisors, arrival after 400 s, closed
    clock.advance(60)
    plan_c = create("C", "knife_attack", PEOPLES_SQ, "人民广场地铁站1号口", "一男子持刀")
    clock.advance(15)
    ok(sup_a, ApprovePlan(plan_id=plan_c))
    clock.advance(15)
    ok(sup_b, ApprovePlan(plan_id=plan_c))
    c_orders = dispatched("C")
    receipts(c_orders, "delivered", "accepted")
    clock.advance(400)
    receipts(c_orders, "arrived")
    clock.advance(300)
    ok(op, CloseIncident(incident_id=shift.ids["C"], outcome="嫌疑人已控制 suspect detained"))

    # D: a fight next to A, approved, acknowledged, late (an alert), still open
    clock.advance(60)
    plan_d = create("D", "fight", NEXT_TO_A, "南京东路120号", "多人斗殴")
    clock.advance(10)
    ok(sup_b, ApprovePlan(plan_id=plan_d))
    d_orders = dispatched("D")
    receipts(d_orders, "delivered", "accepted")
    clock.advance(400)  # past the urban 110 standard (300 s): the timers raise an alert
    d = shift.ids["D"]
    assert wait(lambda: any(a.incident_id == d for a in hub.workflow.alerts.open_alerts()))
    shift.t1 = clock.advance(1)
    assert d_orders
    return shift


def _receipt(order_id: str, state: str) -> Command:
    from console.hub.messages import OrderReceipt

    return OrderReceipt(order_id=order_id, state=state)


def _photo_and_message(hub: CommandHub, shift: PastShift, order_id: str) -> None:
    """A photo from the scene and a message to the unit, filed as the link files them."""
    img = np.zeros((120, 160, 3), dtype=np.uint8)
    img[:, :80] = (40, 120, 200)
    good, jpeg = cv2.imencode(".jpg", img)
    assert good
    photo = check_photo(jpeg.tobytes())
    iid = shift.ids["A"]
    with hub.store.transaction() as s:
        order = repos.OrderRepo(s).get(order_id)
        assert order is not None
        shift.photo_id = store_photo(
            s,
            photo,
            incident_id=iid,
            order_id=order_id,
            unit_id=order.unit_id,
            terminal_key="k" * 40,
            now=shift.clock(),
        )
        s.add(
            MessageRow(
                id="0" * 31 + "1",
                group_id="g" * 32,
                unit_id=order.unit_id,
                incident_id=iid,
                to=f"incident:{iid}",
                sender="op-zhao",
                sender_name="赵 操作员",
                text="注意保护现场",
                state="read",
                created_at=shift.clock(),
                expires_at=shift.clock() + 600,
                attempts=1,
                next_attempt_at=shift.clock(),
                delivered_at=shift.clock() + 2,
                read_at=shift.clock() + 5,
            )
        )
