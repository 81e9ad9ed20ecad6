"""A counting device on the terminal link (docs/protocol.md ``count``): stored per counter
and minute and acked; a resend changes nothing; a refusal is final (refused and acked)."""

from __future__ import annotations

from sqlalchemy import select

from console.store.models_crowd import CrowdCountRow, CrowdSensorRow
from tests.terminal.conftest import Loop, wait_until


def _rows(loop: Loop) -> list[tuple[str, str, float, float]]:
    with loop.hub.store.session() as s:
        q = select(CrowdSensorRow.code, CrowdSensorRow.device, CrowdCountRow.t, CrowdCountRow.value)
        q = q.join(CrowdCountRow, CrowdCountRow.sensor_id == CrowdSensorRow.id)
        return [(str(a), str(b), float(c), float(d)) for a, b, c, d in s.execute(q).all()]


def test_counts_from_a_device_are_stored_once_and_refusals_are_final(loop: Loop) -> None:
    t = loop.terminal("外滩-1-1")
    now = loop.clock()
    minute = now - now % 60
    mid = t.client.count("bund", "gate-3", 1234, t=minute + 5).result(5)
    assert wait_until(lambda: not t.client.is_unacked(mid))
    assert _rows(loop) == [("gate-3", "外滩-1-1", minute, 1234.0)]
    # the same minute again (a resend after a lost ack): still one row
    again = t.client.count("bund", "gate-3", 1234, t=minute + 30).result(5)
    assert wait_until(lambda: not t.client.is_unacked(again))
    assert len(_rows(loop)) == 1
    # an unknown place: refused with its reason, and acked (never resent)
    bad = t.client.count("no-such-place", "gate-3", 10).result(5)
    assert wait_until(lambda: not t.client.is_unacked(bad))
    assert wait_until(lambda: any("no-such-place" in str(r) for r in t.of("refused")))
    # another terminal may not write into this device's counter
    other = loop.terminal("外滩-1-2")
    theirs = other.client.count("bund", "gate-3", 99).result(5)
    assert wait_until(lambda: not other.client.is_unacked(theirs))
    assert wait_until(lambda: any("belongs to" in str(r) for r in other.of("refused")))
    assert len(_rows(loop)) == 1
