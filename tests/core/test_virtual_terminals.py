"""The embedded demo's stand-in terminals stop answering an order once it is over."""

from __future__ import annotations

from console.hub.virtual_terminals import VirtualTerminals


def test_a_forgotten_order_gets_no_more_receipts() -> None:
    sent: list[tuple[str, str, int]] = []
    vt = VirtualTerminals(None, lambda oid, state, unit: sent.append((oid, state, unit)))
    vt.on_order("a" * 32, 3, {"lon": 121.48, "lat": 31.23}, now=0.0)
    vt.on_order("b" * 32, 4, {"lon": 121.49, "lat": 31.24}, now=0.0)
    vt.tick(2.6)  # every delivered receipt is due by 2.5 s
    assert {(o[0], o[1]) for o in sent} >= {("a" * 32, "delivered"), ("b" * 32, "delivered")}
    vt.forget(3)  # unit 3's order was cancelled (or reassigned) meanwhile
    vt.tick(100.0)  # its queued read/accepted must neither go out nor crash the hub thread
    states_a = [s for o, s, _ in sent if o == "a" * 32]
    states_b = [s for o, s, _ in sent if o == "b" * 32]
    assert "accepted" not in states_a
    assert states_b == ["delivered", "read", "accepted"]
