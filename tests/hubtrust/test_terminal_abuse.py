"""Issue 13, 6 against the real stand-alone hub (``python -m console.link.cli hub --demo``
as a child process, its own SQLite database and key folder, enrolled terminals on real
CURVE sockets): what a broken or abusive terminal sends.

- A fix stamped 290 s ahead at (0, 0), and one far outside the district, are refused on
  the wire, never reach a workstation or the database, and do not hide the real fixes
  that follow.
- A photo flood from one terminal: every report is acknowledged (so it is not resent),
  the order's quota lets the first few photos in, the rest are refused with their code;
  the store holds exactly what was let in, and nothing once the order is finished.

The in-process versions (the gate and quotas in detail) are tests/trust/test_positions.py
and tests/trust/test_attachments.py.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from dataclasses import dataclass

import numpy as np
import pytest
import zmq
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from console.hub.messages import ApprovePlan, CreateIncident, GetPlan, GetSnapshot, UnitsMoved
from console.link import protocol as p
from console.link.attachments import PhotoLimits
from console.link.keys import KeyPair, TerminalKey, load_or_create_hub_keys
from console.link.trust import enroll_keys
from console.store.db import Store, open_store
from console.store.models import (
    IncidentEventRow,
    OrderRow,
    PositionHistoryRow,
    PositionLatestRow,
    UnitRow,
)
from console.store.models_trust import PhotoBlobRow, PhotoRow
from tests.hubtrust.helpers import PEOPLES_SQUARE, Desk, add_users, orders_of
from tests.link.helpers import HubProcess, raw_terminal, replies_before_pong, wait_until
from tests.trust.helpers import jpeg


@dataclass
class Room:
    hub: HubProcess
    store: Store
    keys: KeyPair
    op: Desk
    sup: Desk


@pytest.fixture(scope="module")
def room(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Room]:
    tmp = tmp_path_factory.mktemp("terminal-abuse")
    url = f"sqlite:///{tmp / 'hub.sqlite3'}"
    keys = load_or_create_hub_keys(tmp / "keys")
    add_users(url, ("op", "operator"), ("sup", "supervisor"))
    hub = HubProcess(url, tmp / "keys", tmp / "hub.log", "--demo", link_only=False).start()
    store = open_store(url)
    desks: list[Desk] = []
    try:
        desks.append(Desk.to_process(hub, keys.public, "desk-op", "op"))
        desks.append(Desk.to_process(hub, keys.public, "desk-sup", "sup"))
        yield Room(hub, store, keys, *desks)
    finally:
        for d in desks:
            d.close()
        hub.stop()
        store.close()


def _enrol(room: Room, call_sign: str) -> TerminalKey:
    key = TerminalKey(call_sign, KeyPair.generate(), room.keys.public)
    enroll_keys(room.store, [(key.unit, key.keys.public)])
    return key


def _fix(lon: float, lat: float, t: float) -> bytes:
    return p.encode_terminal(
        p.Position(lat=lat, lon=lon, accuracy=5.0, speed=0.0, heading=0.0, t=t)
    )


def _moves(desk: Desk, idx: int) -> list[tuple[float, float, float]]:
    """Every (lon, lat, fix time) of unit ``idx`` a workstation has been sent."""
    out = []
    for e in list(desk.events):
        if isinstance(e, UnitsMoved):
            ids = np.frombuffer(e.idx, np.int32)
            lon, lat = np.frombuffer(e.lon), np.frombuffer(e.lat)
            fix_t = np.frombuffer(e.fix_t)
            out += [
                (float(lon[k]), float(lat[k]), float(fix_t[k])) for k in np.flatnonzero(ids == idx)
            ]
    return out


def test_fixes_from_the_future_or_outside_the_district_are_refused_and_never_shown(
    room: Room,
) -> None:
    units = room.op.call(GetSnapshot()).units
    # any units will do (the duty roster may have some off duty at this hour); on duty first
    unit, other = sorted(units, key=lambda u: (u.status != "available", u.idx))[:2]
    home = (unit.lon, unit.lat)
    key, key2 = _enrol(room, unit.call_sign), _enrol(room, other.call_sign)
    # a terminal is told of at most one refusal a second, so each bad fix has its own
    # terminal: the outside one from the second unit's
    with raw_terminal(room.hub.endpoint, key2) as s2:
        s2.send(_fix(other.lon, other.lat + 0.5, time.time()))  # 55 km north
        refused = [m for m in replies_before_pong(s2, 1) if isinstance(m, p.Refused)]
        assert [m.code for m in refused] == ["invalid"], refused
        assert "outside" in refused[0].reason, refused[0].reason
    seq = 0
    with raw_terminal(room.hub.endpoint, key) as s:
        # the broken GNSS of the issue: (0, 0), stamped 290 s ahead
        s.send(_fix(0.0, 0.0, time.time() + 290))
        seq += 1
        refused = [m for m in replies_before_pong(s, seq) if isinstance(m, p.Refused)]
        reasons = [m.reason for m in refused]
        assert len(refused) == 1 and "ahead of the hub clock" in reasons[0], reasons
        # the real fixes that follow are believed at once: 3 fixes walking north
        real = [(home[0] + 0.0005, home[1] + 0.0001 * k) for k in range(1, 4)]
        for lon, lat in real:
            s.send(_fix(lon, lat, time.time()))
            time.sleep(0.05)  # in order, a little apart (no impossible speed)
        seq += 1
        assert not [m for m in replies_before_pong(s, seq) if isinstance(m, p.Refused)]
        assert wait_until(
            lambda: any(abs(la - real[-1][1]) < 1e-9 for _, la, _ in _moves(room.op, unit.idx)),
            timeout=30,
        )
    shown = _moves(room.op, unit.idx)
    now = time.time()
    assert all(abs(la - other.lat) < 0.01 for _, la, _ in _moves(room.op, other.idx))
    assert all(abs(lo - home[0]) < 0.01 and abs(la - home[1]) < 0.01 for lo, la, _ in shown)
    assert all(t <= now + 10 for _, _, t in shown), shown  # never a time from the future

    # the database: the latest position (persisted every 10 s) is the last real one, and
    # the track holds nothing from the future or outside
    def latest() -> tuple[float, float, float] | None:
        with room.store.session() as s:
            row = s.scalars(
                select(PositionLatestRow).where(
                    PositionLatestRow.unit_id == _unit_id(s, unit.call_sign)
                )
            ).first()
            return None if row is None else (row.lon, row.lat, row.t)

    assert wait_until(
        lambda: (lt := latest()) is not None and abs(lt[1] - real[-1][1]) < 1e-9, timeout=60
    ), latest()
    with room.store.session() as s:
        uid = _unit_id(s, unit.call_sign)
        track = s.execute(
            select(PositionHistoryRow.lon, PositionHistoryRow.lat, PositionHistoryRow.t).where(
                PositionHistoryRow.unit_id == uid
            )
        ).all()
    assert all(abs(lo - home[0]) < 0.01 and abs(la - home[1]) < 0.01 for lo, la, _ in track)
    assert all(t <= now + 10 for _, _, t in track), track


def _unit_id(s: Session, call_sign: str) -> int:
    uid = s.scalar(select(UnitRow.id).where(UnitRow.call_sign == call_sign))
    assert uid is not None
    return int(uid)


class Reporter:
    """An enrolled terminal's reports by hand: every ack and refusal kept."""

    def __init__(self, s: zmq.Socket[bytes]) -> None:
        self.s = s
        self.mid = 0
        self.acks: set[int] = set()
        self.refused: list[tuple[str, str]] = []
        self.orders: list[str] = []

    def send(self, msg: p.TerminalMsg) -> int:
        self.s.send(p.encode_terminal(msg))
        return self.mid

    def feedback(self, order_id: str, photo: bytes | None, text: str = "scene") -> int:
        self.mid += 1
        return self.send(
            p.Feedback(mid=self.mid, order_id=order_id, text=text, t=time.time(), photo=photo)
        )

    def finished(self, order_id: str) -> int:
        self.mid += 1
        return self.send(p.Finished(mid=self.mid, order_id=order_id, outcome="done", t=time.time()))

    def wait_acks(self, mids: set[int]) -> bool:
        end = time.monotonic() + 120
        while not mids <= self.acks and time.monotonic() < end:
            if self.s.poll(200):
                msg = p.decode_hub(self.s.recv())
                if isinstance(msg, p.Ack):
                    self.acks.add(msg.mid)
                elif isinstance(msg, p.Refused):
                    self.refused.append((msg.code, msg.reason))
                elif isinstance(msg, p.Order):
                    self.orders.append(msg.order_id)
        return mids <= self.acks


def _photo_counts(store: Store, order_id: str) -> tuple[int, int, int]:
    with store.session() as s:
        photos = s.scalar(
            select(func.count()).select_from(PhotoRow).where(PhotoRow.order_id == order_id)
        )
        blobs = s.scalar(select(func.count()).select_from(PhotoBlobRow))
        lines = s.scalar(
            select(func.count())
            .select_from(IncidentEventRow)
            .where(IncidentEventRow.kind == "feedback")
        )
    return int(photos or 0), int(blobs or 0), int(lines or 0)


def test_a_photo_flood_from_one_terminal_stops_at_the_quota_and_at_the_orders_end(
    room: Room,
) -> None:
    r = room.op.call(
        CreateIncident(incident_type="theft", lon=PEOPLES_SQUARE[0] + 0.004, lat=PEOPLES_SQUARE[1])
    )
    iid = int(r["incident_id"])
    if not wait_until(lambda: bool(orders_of(room.store, iid)), timeout=5):  # by policy
        plan = room.op.call(GetPlan(incident_id=iid))  # or by the duty supervisor
        room.sup.call(ApprovePlan(plan_id=int(plan["plan_id"])))
    assert orders_of(room.store, iid)
    order_id, call_sign, _ = orders_of(room.store, iid)[0]
    key = _enrol(room, call_sign)
    _, blobs_before, lines_before = _photo_counts(room.store, order_id)
    big = [jpeg(640, 640, seed=100 + i, quality=95) for i in range(16)]  # ~470 KB of noise
    assert all(300_000 < len(b) <= p.PHOTO_LIMIT for b in big)
    with raw_terminal(room.hub.endpoint, key) as s:
        t = Reporter(s)
        mids = {t.feedback(order_id, b, f"photo {k}") for k, b in enumerate(big)}
        assert t.wait_acks(mids)  # every report acked: a refused photo is not resent
        assert order_id in t.orders  # the order itself reached this terminal
        lim, fit, used = PhotoLimits(), 0, 0
        for b in big:  # what the order's quotas (10 photos, 4 MiB) let in, in order
            if fit < lim.per_order and used + len(b) <= lim.per_order_bytes:
                fit, used = fit + 1, used + len(b)
        assert 0 < fit < len(big)
        assert [c for c, _ in t.refused] == ["photo_quota"] * (len(big) - fit), t.refused
        photos, blobs, lines = _photo_counts(room.store, order_id)
        assert (photos, blobs - blobs_before) == (fit, fit)
        assert lines - lines_before == len(big)  # each report's text is filed, photo or not
        # the order is finished: a photo for it now is refused, and nothing is stored
        assert t.wait_acks({t.finished(order_id)})
        assert wait_until(lambda: _order_state(room.store, order_id) == "finished", timeout=30), (
            _order_state(room.store, order_id)
        )
        t.refused.clear()
        assert t.wait_acks({t.feedback(order_id, jpeg(64, 64, seed=999))})
        assert [c for c, _ in t.refused] == ["order_closed"], t.refused
    assert _photo_counts(room.store, order_id)[:2] == (fit, blobs_before + fit)
    # the hub is still serving its workstations
    assert room.op.call(GetSnapshot()).units


def _order_state(store: Store, order_id: str) -> str:
    with store.session() as s:
        row = s.get(OrderRow, order_id)
        return "" if row is None else str(row.state)
