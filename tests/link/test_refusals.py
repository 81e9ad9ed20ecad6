"""Refused frames over real sockets: clear replies, rate-limited, and every one in the log.

Also the other half of "the hub acks only after the effect is durable": a report
the hub failed to apply is never acked, so the terminal keeps it and resends it.
"""

from __future__ import annotations

import collections
import logging
import re
import time
from collections import Counter
from concurrent.futures import Future
from typing import Any

import msgspec
import pytest
import zmq

from console.link import protocol as p
from console.link import server
from console.link.hubport import SituationPort, TerminalEvent
from console.link.keys import KeyPair
from console.link.node import HubNode
from console.store.db import Store
from console.terminal.fleet import Fleet, Member
from console.terminal.localstore import MemoryStore
from console.terminal.session import TerminalSession
from tests.link.conftest import N_UNITS, FleetFactory
from tests.link.helpers import (
    LAT0,
    LON0,
    enroll_fleet,
    on_fleet,
    raw_terminal,
    replies_before_pong,
    wait_until,
)

OID = "a" * 32
INDIVIDUAL = re.compile(r"refused frame #(\d+) from (\S+) \((.{8})\.\.\.\) \[(\w+)\]: ")
SUMMARY = re.compile(r"refused (\d+) frames from (\S+) \((.{8})\.\.\.\) in the last \d+ s: (.+)$")
"""The two kinds of refusal lines; a Z85 key prefix may hold any printable character."""


# ------------------------------------------------------------------ helpers


def _refusals_seen(session: TerminalSession) -> list[p.Refused]:
    """Collect the ``Refused`` replies a real terminal session receives."""
    seen: list[p.Refused] = []

    def on_event(kind: str, payload: Any) -> None:
        if kind == "refused":
            seen.append(payload)

    session.on_event = on_event
    return seen


def _send_raw(fleet: Fleet, m: Member, data: bytes) -> None:
    """Put ``data`` on the terminal's wire as it is (the fleet thread sends it)."""
    on_fleet(fleet, lambda: m.session.out.append(data))


def _bad_burst(n: int) -> list[tuple[str, list[bytes]]]:
    """``n`` bad messages (lists of frames) of every refusal kind, each with its code."""
    now = time.time()
    enc = msgspec.msgpack.encode
    hb = p.encode_terminal(p.Heartbeat(seq=1, t=now))
    tomorrow = p.Position(lat=LAT0, lon=LON0, accuracy=None, speed=None, heading=None, t=now + 9e4)
    kinds: list[tuple[str, list[bytes]]] = [
        ("malformed", [b"\xc1"]),  # not msgpack
        ("malformed", [enc([p.PROTOCOL_VERSION, ["selfdestruct"]])]),  # unknown tag
        ("malformed", [hb, b"tail"]),  # two frames
        ("version", [p.encode_terminal(p.Heartbeat(seq=1, t=now), version=99)]),
        ("invalid", [p.encode_terminal(p.Heartbeat(seq=1, t=now + 86400))]),  # far future
        ("invalid", [p.encode_terminal(tomorrow)]),  # the batch position path
        (
            "invalid",
            [enc([p.PROTOCOL_VERSION, ["receipt", 1, OID, "rejected", now, 0, ""]])],
        ),  # no reason
    ]
    huge = ("oversize", [b"\x91" + b"\x00" * (p.FRAME_LIMIT + 1)])
    return [huge if i % 150 == 75 else kinds[i % len(kinds)] for i in range(n)]


def _send_burst(s: zmq.Socket[bytes], burst: list[tuple[str, list[bytes]]]) -> Counter[str]:
    """Send every message of ``burst``; returns how many of each code the hub must count."""
    for _, msg in burst:
        s.send_multipart(msg)
    return collections.Counter(code for code, _ in burst)


def _logged_refusals(
    caplog: pytest.LogCaptureFixture, call_sign: str, key: str
) -> tuple[list[str], list[collections.Counter[str]]]:
    """(codes logged one by one, per-code counts of each summary) for one sender."""
    single: list[str] = []
    summaries: list[collections.Counter[str]] = []
    for rec in list(caplog.records):  # the link thread may be appending
        msg = rec.getMessage()
        one, many = INDIVIDUAL.match(msg), SUMMARY.match(msg)
        m = one or many
        if rec.name != server.__name__ or m is None or m.group(2) != call_sign:
            continue
        assert key.startswith(m.group(3)), msg  # the key prefix names the very sender
        if one is not None:
            single.append(one.group(4))
        else:
            counts = collections.Counter(
                {c: int(v) for c, v in (kv.split("=") for kv in m.group(4).split(", "))}
            )
            assert sum(counts.values()) == int(m.group(1)), msg
            summaries.append(counts)
    return single, summaries


def log_adds_up(
    caplog: pytest.LogCaptureFixture, call_sign: str, key: str
) -> collections.Counter[str]:
    """Refusals of one sender per code, as the log tells them (single lines plus summaries)."""
    single, summaries = _logged_refusals(caplog, call_sign, key)
    total: collections.Counter[str] = collections.Counter(single)
    for c in summaries:
        total.update(c)
    return +total


# -------------------------------------------------------------------- tests


def test_unknown_version_gets_a_refused_reply_naming_it(
    node: HubNode, fleet_of: FleetFactory
) -> None:
    fleet, (m,) = fleet_of(1)
    refused = _refusals_seen(m.session)
    assert wait_until(lambda: bool(m.session.epoch))  # welcomed: frames reach the hub
    _send_raw(fleet, m, p.encode_terminal(p.Heartbeat(seq=1, t=time.time()), version=99))
    assert wait_until(lambda: bool(refused))
    assert refused[0].code == "version"
    assert "version 99" in refused[0].reason
    assert f"speaks {p.PROTOCOL_VERSION}" in refused[0].reason
    assert node.link.stats.invalid == {"version": 1}
    assert node.link.stats.invalid_by_sender == {m.key.unit: 1}
    # refused, not cut off: the same session's next report is applied and acked
    on_fleet(fleet, lambda: m.session.set_status("en_route"))
    assert wait_until(lambda: not m.session.store.unacked())


def test_malformed_and_oversize_frames_get_their_codes(
    node: HubNode, fleet_of: FleetFactory
) -> None:
    (f1, (garbled,)), (f2, (huge,)) = fleet_of(1), fleet_of(1)  # one Refused per second each
    got1, got2 = _refusals_seen(garbled.session), _refusals_seen(huge.session)
    assert wait_until(lambda: bool(garbled.session.epoch and huge.session.epoch))
    _send_raw(f1, garbled, b"\xc1\x00garbage")
    _send_raw(f2, huge, b"\x91" + b"\x00" * (p.FRAME_LIMIT + 100))
    assert wait_until(lambda: bool(got1 and got2))
    assert [r.code for r in got1] == ["malformed"]
    assert [r.code for r in got2] == ["oversize"]
    assert f"{p.FRAME_LIMIT + 101} bytes" in got2[0].reason
    assert node.link.stats.invalid == {"malformed": 1, "oversize": 1}
    assert node.link.stats.invalid_by_sender == {garbled.key.unit: 1, huge.key.unit: 1}


def test_refusals_are_logged_with_the_sender_and_summaries_add_up(
    node: HubNode, store: Store, hub_keys: KeyPair, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.WARNING, logger=server.__name__)
    node.link.refusal_log_s = 0.0  # a summary at every once-a-second check
    (key,) = enroll_fleet(store, 1, hub_keys.public, start=N_UNITS - 1)
    burst = _bad_burst(400)
    stats = node.link.stats
    with raw_terminal(node.link.endpoint, key) as s:
        want = _send_burst(s, burst)
        assert wait_until(lambda: stats.invalid_by_sender[key.unit] >= len(burst))
        replies_before_pong(s, 7)  # the hub is past the burst and still answers
    assert stats.invalid_by_sender == {key.unit: len(burst)}  # each counted once
    assert stats.invalid == want
    # the log accounts for every one of them, naming the sender
    assert wait_until(lambda: log_adds_up(caplog, key.unit, key.keys.public) == want)
    single, summaries = _logged_refusals(caplog, key.unit, key.keys.public)
    assert len(single) == server.LOG_FIRST_N  # one line each for the first few only
    assert set(single) <= set(want)  # (two-frame messages are refused first, while receiving)
    assert summaries and len(summaries) < len(burst) // 10


def test_pending_refusals_are_logged_on_stop(
    store: Store, hub_keys: KeyPair, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.WARNING, logger=server.__name__)
    (key,) = enroll_fleet(store, 1, hub_keys.public)
    node = HubNode(store, hub_keys, "tcp://127.0.0.1:0", port=SituationPort.from_store(store))
    node.start()
    burst = _bad_burst(120)
    try:
        with raw_terminal(node.link.endpoint, key) as s:
            want = _send_burst(s, burst)
            assert wait_until(lambda: node.link.stats.invalid_by_sender[key.unit] >= len(burst))
    finally:
        node.stop()  # the periodic summary is 10 s away: stopping writes what is pending
    assert node.link.stats.invalid == want
    assert log_adds_up(caplog, key.unit, key.keys.public) == want


def test_refused_replies_are_rate_limited_per_terminal(
    node: HubNode, store: Store, hub_keys: KeyPair
) -> None:
    flooder, other = enroll_fleet(store, 2, hub_keys.public, start=N_UNITS - 2)
    burst = _bad_burst(300)
    with (
        raw_terminal(node.link.endpoint, flooder) as s,
        raw_terminal(node.link.endpoint, other) as o,
    ):
        t0 = time.monotonic()
        _send_burst(s, burst)
        assert wait_until(lambda: node.link.stats.invalid_by_sender[flooder.unit] >= len(burst))
        span = time.monotonic() - t0
        replies = replies_before_pong(s, 1)
        # another terminal's first bad frame is answered: the limit is per terminal
        o.send(b"\xc1")
        other_replies = replies_before_pong(o, 2)
    refused = [r for r in replies if isinstance(r, p.Refused)]
    assert replies == refused  # nothing else was due to this terminal
    # at most one reply per REFUSE_EVERY_S while the burst was handled (span bounds that time)
    assert 1 <= len(refused) <= 1 + span / server.REFUSE_EVERY_S
    assert len(refused) < len(burst) // 10
    assert {r.code for r in refused} <= {"malformed", "oversize", "version", "invalid"}
    assert [r.code for r in other_replies if isinstance(r, p.Refused)] == ["malformed"]


# ----------------------------------------------- acks only for applied reports


class RefusingPort(SituationPort):
    """A real hub port whose hub cannot apply one duty status (a failing hub command)."""

    def __init__(self, base: SituationPort, refuse: str, how: str) -> None:
        super().__init__(base.situation.specs, base.store)
        self.refuse: str | None = refuse
        self.how = how
        self.tries: collections.Counter[str] = collections.Counter()

    def terminal_event(self, ev: TerminalEvent) -> Future[Any]:
        if ev.kind == "status":
            self.tries[ev.status] += 1
            if ev.status == self.refuse:
                if self.how == "raises":
                    raise RuntimeError(f"hub cannot apply status {ev.status}")
                fut: Future[Any] = Future()
                fut.set_exception(RuntimeError(f"hub refused status {ev.status}"))
                return fut
        return super().terminal_event(ev)


@pytest.mark.parametrize("how", ["fails", "raises"])
def test_a_report_the_hub_failed_to_apply_is_not_acked_and_is_resent(
    store: Store, hub_keys: KeyPair, caplog: pytest.LogCaptureFixture, how: str
) -> None:
    caplog.set_level(logging.WARNING, logger=server.__name__)
    (key,) = enroll_fleet(store, 1, hub_keys.public)
    port = RefusingPort(SituationPort.from_store(store), "off_duty", how)
    node = HubNode(store, hub_keys, "tcp://127.0.0.1:0", port=port).start()
    acks: list[int] = []
    session = TerminalSession(
        MemoryStore(), retry_s=0.2, on_event=lambda k, v: acks.append(v) if k == "ack" else None
    )
    member = Member(key, session)
    fleet = Fleet(node.link.endpoint, [member]).start()
    mids: dict[str, int] = {}
    try:
        assert wait_until(lambda: bool(session.epoch))

        def report() -> None:
            statuses: tuple[p.TerminalStatus, ...] = ("off_duty", "available")
            for status in statuses:  # sent in this order on one pipe
                before = {m for m, _ in session.store.unacked()}
                session.set_status(status)
                (mids[status],) = {m for m, _ in session.store.unacked()} - before

        on_fleet(fleet, report)
        failed, applied = mids["off_duty"], mids["available"]
        # the applied one is acked; the failed one, handled before it, is not
        assert wait_until(lambda: applied in acks)
        assert failed not in acks
        assert [m for m, _ in session.store.unacked()] == [failed]
        # the terminal resends it (and it is still not acked while the hub fails)
        assert wait_until(lambda: port.tries["off_duty"] >= 3)
        assert failed not in acks and [m for m, _ in session.store.unacked()] == [failed]
        lines = [r.getMessage() for r in caplog.records if r.name == server.__name__]
        assert any(key.unit in line and "off_duty" in line for line in lines), lines
        # once the hub can apply it, the next resend is acked and the terminal forgets it
        port.refuse = None
        assert wait_until(lambda: failed in acks)
        assert wait_until(lambda: not session.store.unacked())
    finally:
        fleet.stop()
        node.stop()


class FlakyFeedbackPort(SituationPort):
    """A real hub port whose hub fails feedback events until told otherwise."""

    def __init__(self, base: SituationPort) -> None:
        super().__init__(base.situation.specs, base.store)
        self.failing = True
        self.tries = 0

    def terminal_event(self, ev: TerminalEvent) -> Future[Any]:
        if ev.kind == "feedback":
            self.tries += 1
            if self.failing:
                fut: Future[Any] = Future()
                fut.set_exception(RuntimeError("hub could not announce the feedback"))
                return fut
        return super().terminal_event(ev)


def test_resent_feedback_is_filed_once(store: Store, hub_keys: KeyPair) -> None:
    from sqlalchemy import func, select

    from console.store.models import IncidentEventRow
    from console.store.models_trust import PhotoRow
    from tests.link.helpers import add_orders, jpeg, make_incident

    (key,) = enroll_fleet(store, 1, hub_keys.public)
    port = FlakyFeedbackPort(SituationPort.from_store(store))
    node = HubNode(store, hub_keys, "tcp://127.0.0.1:0", port=port).start()
    session = TerminalSession(MemoryStore(), retry_s=0.2)
    fleet = Fleet(node.link.endpoint, [Member(key, session)]).start()
    try:
        assert wait_until(lambda: bool(session.epoch))
        [oid] = add_orders(store, make_incident(store), [key.unit])
        node.link.kick()
        assert wait_until(lambda: session.executed == [oid])
        photo = jpeg()
        on_fleet(fleet, lambda: session.feedback("现场照片", oid, photo))
        assert wait_until(lambda: port.tries >= 3)  # not acked, so resent
        port.failing = False
        assert wait_until(lambda: not session.store.unacked())
    finally:
        fleet.stop()
        node.stop()
    with store.session() as s:
        lines = s.scalar(
            select(func.count())
            .select_from(IncidentEventRow)
            .where(IncidentEventRow.kind == "feedback")
        )
        photos = s.scalar(select(func.count()).select_from(PhotoRow))
    assert port.tries >= 4 and lines == 1 and photos == 1


def test_an_internal_failure_on_frames_is_counted_and_logged_like_a_refusal(
    store: Store, hub_keys: KeyPair, caplog: pytest.LogCaptureFixture
) -> None:
    """A bug hit by every frame of one sender: the rest of the batch and other terminals go
    on, the log holds a few tracebacks and then summaries that add up to the counters."""
    caplog.set_level(logging.WARNING, logger=server.__name__)
    bad, good = enroll_fleet(store, 2, hub_keys.public)
    node = HubNode(store, hub_keys, "tcp://127.0.0.1:0", port=SituationPort.from_store(store))
    real_frame = node.link._frame

    def buggy(sess: Any, data: bytes, batch: Any) -> None:  # fault injection: a bug for one unit
        if sess.call_sign == bad.unit and isinstance(p.decode_terminal(data), p.Heartbeat):
            raise RuntimeError("bug in frame handling")
        real_frame(sess, data, batch)

    node.link._frame = buggy  # type: ignore[method-assign]
    node.start()
    try:
        with (
            raw_terminal(node.link.endpoint, good) as ok,
            raw_terminal(node.link.endpoint, bad) as s,
        ):
            for k in range(40):
                s.send(p.encode_terminal(p.Heartbeat(seq=k + 1, t=time.time())))
            assert wait_until(lambda: node.link.stats.invalid_by_sender[bad.unit] >= 40)
            ok.send(p.encode_terminal(p.Heartbeat(seq=1, t=time.time())))
            assert ok.poll(5000) and isinstance(p.decode_hub(ok.recv()), p.Pong)  # others go on
    finally:
        node.stop()
    assert node.link.stats.invalid == {"internal": 40}
    tracebacks = [r for r in caplog.records if r.exc_info and bad.unit in r.getMessage()]
    assert 1 <= len(tracebacks) <= 5
    assert log_adds_up(caplog, bad.unit, bad.keys.public) == {"internal": 40}
