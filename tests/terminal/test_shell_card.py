"""The shell terminal prints the card, Chinese first, and its messages commands work."""

from __future__ import annotations

import io
from typing import Any

from console.link.order_card import card_text
from console.terminal.shell import Shell, describe
from tests.terminal.conftest import CALLER, REPORT, Loop, wait_until


def test_the_shell_prints_the_card_and_reads_messages(loop: Loop) -> None:
    from console.hub.messaging import SendMessage

    iid, plan = loop.knife_attack()
    slot = max(plan.body["slots"], key=lambda s: len(s["route_lon"]))
    t = loop.terminal(slot["call_sign"])
    out = io.StringIO()
    shell = Shell(t.client, out, bell=False)

    def both(kind: str, payload: Any) -> None:
        t.events.append((kind, payload))
        shell.on_event(kind, payload)

    t.client.session.on_event = both
    loop.approve(plan)
    assert wait_until(lambda: "新指令" in out.getvalue())
    text = out.getvalue()
    assert "持刀伤人" in text and REPORT in text and CALLER in text
    assert f"任务: {slot['role_zh']}" in text and "GCJ-02" in text and "> 出发" in text
    order = t.of("order")[0].order
    assert order.card is not None
    assert card_text(order.card, slot["call_sign"]) in text  # the whole card, as describe() gives
    assert (
        describe(order, slot["call_sign"]).splitlines()[1:]
        == text.split("***\n", 1)[1].strip().splitlines()[1:]
    )
    loop.ok(SendMessage(text="请回电指挥中心", to_unit=slot["call_sign"], incident_id=iid))
    assert wait_until(lambda: "请回电指挥中心" in out.getvalue())
    shell.run_command("messages")
    assert any(
        ln.startswith("*  1.") and "请回电指挥中心" in ln for ln in out.getvalue().splitlines()
    )
    shell.run_command("msg 1")
    assert out.getvalue().rstrip().endswith("read (已读)")
    assert wait_until(lambda: t.client.messages()[0].state == "read")
    shell.run_command("msg 9")
    assert "no message '9'" in out.getvalue()
