"""The hub -> terminal half of the link: orders, updates, cancellations, messages.

A mixin of :class:`~console.link.server.TerminalLink` (it runs on the link
thread and uses its socket, sessions and outbox): sending due orders with
backoff, sending freshly approved ones at once, bringing a (re)connected
terminal up to date on hello, applying receipts, pushing cancellations,
updates and texts until the terminal confirms them, and (in the link-only hub)
raising overdue and expiring orders.
"""

from __future__ import annotations

import collections
import logging
import random
import time
from collections.abc import Callable
from concurrent.futures import Future
from typing import Any

from console.link import protocol as p
from console.link.hubport import HubPort, ReportResult, TerminalEvent
from console.link.outbox import OFFLINE_RETRY_S, Due, Outbox
from console.link.sessions import LinkStats, Push, Session
from console.link.trust import TrustCache

log = logging.getLogger(__name__)

SEND_CHUNK = 100
PUSH_RETRY_S = 2.0
ACK_HOLD_S = 0.5
"""Longest an ack waits while receipts are still expected (:meth:`OrderDispatch.flush_acks`);
well under a terminal's resend period (``TerminalSession.retry_s``, 3 s)."""


class OrderDispatch:
    """Order delivery for :class:`~console.link.server.TerminalLink` (link thread only)."""

    # provided by TerminalLink
    outbox: Outbox
    port: HubPort
    trust: TrustCache
    stats: LinkStats
    clock: Callable[[], float]
    epoch: str
    heartbeat_s: float
    by_key: dict[str, Session]
    by_unit: dict[int, Session]
    _pushes: dict[tuple[str, str], Push]
    _escalated: set[str]
    _calls: collections.deque[Callable[[], None]]
    _acks: list[tuple[Session, int]]
    _acks_since: float
    _inflight: collections.OrderedDict[str, float]
    ack_hold_s: float

    def call(self, fn: Callable[[], None]) -> None:
        raise NotImplementedError

    def _send(self, sess: Session, data: bytes) -> bool:
        raise NotImplementedError

    def _promote(self, sess: Session) -> None:
        raise NotImplementedError

    def send_now(self, dues: list[Due]) -> None:
        """Send freshly committed orders at once (from :meth:`Outbox.enqueue`); thread-safe.

        Those whose terminal is off the air stay due and go out on its hello.
        """

        def run() -> None:
            now = self.clock()
            sent: list[Due] = []
            for d in dues:
                sess = self.by_unit.get(d.unit_id)
                if sess is not None:
                    if self._send(sess, p.encode_hub(d.message)):
                        self.stats.orders_sent += 1
                    sent.append(d)
            self._expect_receipts(sent)
            self.outbox.record_attempts(sent, now)

        self.call(run)

    def cancel_order(self, order_id: str, reason: str) -> Future[bool]:
        """Cancel an order and tell its terminal (until it confirms); thread-safe."""
        fut: Future[bool] = Future()

        def run() -> None:
            unit_id = self.outbox.cancel(order_id, reason, self.clock())
            if unit_id is not None:
                data = p.encode_hub(p.OrderCancel(order_id=order_id, reason=reason[:4000]))
                self._push(("cancel", order_id), unit_id, data, 0, self.clock() + 86400.0)
            fut.set_result(unit_id is not None)

        self.call(_guard(run, fut))
        return fut

    def push_cancel(self, order_id: str, unit_id: int, reason: str) -> None:
        """Tell a terminal that an order the hub already closed is off; thread-safe.

        For orders the command hub cancelled or closed itself (a reassignment,
        a closed incident): pushed until the terminal answers ``cancel_seen``.
        """
        data = p.encode_hub(p.OrderCancel(order_id=order_id, reason=reason[:4000]))
        self.call(
            lambda: self._push(("cancel", order_id), unit_id, data, 0, self.clock() + 86400.0)
        )

    def update_order(self, order_id: str, **changes: Any) -> Future[bool]:
        """Change an open order's instructions/briefing/place and push it; thread-safe."""
        fut: Future[bool] = Future()

        def run() -> None:
            res = self.outbox.update(order_id, changes, self.clock())
            if res is not None:
                unit_id, msg = res
                self._push(
                    ("update", order_id), unit_id, p.encode_hub(msg), msg.rev, msg.expires_at
                )
            fut.set_result(res is not None)

        self.call(_guard(run, fut))
        return fut

    def send_message(self, call_sign: str, text: str, sender: str) -> Future[bool]:
        """A text to a unit's terminal, retried while the hub runs until the terminal confirms."""
        fut: Future[bool] = Future()

        def run() -> None:
            unit_id = next(
                (k.unit_id for k in self.trust.trusted.values() if k.call_sign == call_sign), None
            )
            if unit_id is None:
                fut.set_result(False)
                return
            mid = random.getrandbits(52) + 1  # never reused by a restarted hub
            msg = p.Message(mid=mid, text=text[:4000], sender=sender[:64], t=self.clock())
            self._push(("msg", str(mid)), unit_id, p.encode_hub(msg), 0, self.clock() + 3600.0)
            fut.set_result(True)

        self.call(_guard(run, fut))
        return fut

    def _hellos(self, hellos: list[tuple[Session, p.Hello]], now: float) -> None:
        """Welcome (re)connected terminals and bring each up to date, in a few queries."""
        welcome = {
            sess.rid: p.encode_hub(
                p.Welcome(
                    hub_epoch=self.epoch,
                    unit=sess.call_sign[:64],
                    heartbeat_s=self.heartbeat_s,
                    t=now,
                )
            )
            for sess, _ in hellos
        }
        for sess, _ in hellos:
            self._promote(sess)
            self._send(sess, welcome[sess.rid])
        orders = self.outbox.open_for_units((s.unit_id for s, _ in hellos), now)
        held_all = sorted({oid for _, m in hellos for oid in m.holding})
        closed = dict(self.outbox.closed_among(held_all))
        sent: list[Due] = []
        for sess, msg in hellos:
            pending, seen = orders.get(sess.unit_id, ([], []))
            held = set(msg.holding)
            for d in pending:
                if self._send(sess, p.encode_hub(d.message)):
                    sent.append(d)
            for d in seen:
                if d.order_id not in held:  # the terminal lost it (reinstalled): show it again
                    self._send(sess, p.encode_hub(d.message))
            for oid in sorted(held & closed.keys()):
                state = closed[oid]
                reason = "order no longer exists" if state == "unknown" else f"order is {state}"
                self._send(sess, p.encode_hub(p.OrderCancel(order_id=oid, reason=reason)))
            for push in self._pushes.values():
                if push.unit_id == sess.unit_id:
                    self._send(sess, push.data)
        self.stats.orders_sent += len(sent)
        self.outbox.record_attempts(sent, now)

    def _apply_reports(
        self, reports: list[tuple[Session, p.Receipt | p.Arrived | p.Finished]], now: float
    ) -> None:
        self.stats.receipts += len(reports)
        fut = self.port.apply_reports([(s.unit_id, m) for s, m in reports], now)

        def done(f: Future[ReportResult]) -> None:
            self.call(lambda: self._reports_done(reports, f))

        fut.add_done_callback(done)

    def _reports_done(
        self,
        reports: list[tuple[Session, p.Receipt | p.Arrived | p.Finished]],
        fut: Future[ReportResult],
    ) -> None:
        try:
            moved, foreign = fut.result()
        except Exception:  # not stored: no ack, so the terminals send them again
            log.exception("could not store %d order receipts; terminals will resend", len(reports))
            return
        self.stats.moved += len(moved)
        for sess, m in reports:
            self._inflight.pop(m.order_id, None)
            live = self.by_key.get(sess.key) or sess
            if m.order_id in foreign:
                reason = f"no order {m.order_id} for this unit"
                self._send(live, p.encode_hub(p.Refused(code="unknown_order", reason=reason)))
            elif isinstance(m, p.Receipt):
                if m.kind == "cancel_seen":
                    self._pushes.pop(("cancel", m.order_id), None)
                elif m.kind == "delivered":
                    push = self._pushes.get(("update", m.order_id))
                    if push is not None and m.rev >= push.rev:
                        del self._pushes[("update", m.order_id)]
            self._hold_ack(sess, m.mid)

    def _hold_ack(self, sess: Session, mid: int) -> None:
        if not self._acks:
            self._acks_since = time.monotonic()
        self._acks.append((sess, mid))

    def _expect_receipts(self, sent: list[Due]) -> None:
        """Orders just sent: their delivery receipts are due within ``ack_hold_s``."""
        if sent:
            now_m = time.monotonic()
            self._receipts_expected(now_m)  # drop the expired first: the map stays small
            until, inflight = now_m + self.ack_hold_s, self._inflight
            for d in sent:
                inflight[d.order_id] = until
                inflight.move_to_end(d.order_id)  # a resend: its window starts again

    def _receipts_expected(self, now_m: float) -> bool:
        """Some order sent within ``ack_hold_s`` is still undelivered (oldest first, popped
        once its window is over: a terminal that never answers gets the resend instead)."""
        inflight = self._inflight
        while inflight:
            oid, until = next(iter(inflight.items()))
            if until > now_m:
                return True
            del inflight[oid]
        return False

    def flush_acks(self, input_waiting: bool, now_m: float) -> None:
        """Send the acks of stored reports, unless more receipts are on their way.

        Receipts come first: their commit is what the command room waits for,
        while an ack only stops the terminal's resends (after seconds).  So
        while frames are queued, or orders sent in the last ``ack_hold_s`` are
        still undelivered (a fan-out under way), acks wait, and go out once
        the receipts are in, or ``ack_hold_s`` after the first was held.  On
        one core the thousand acks of a 1,000-unit fan-out sent between its
        receipts delayed the last receipts by their encryption and sending.
        """
        if not self._acks:
            return
        if now_m - self._acks_since < self.ack_hold_s and (
            input_waiting or self._receipts_expected(now_m)
        ):
            return
        acks, self._acks = self._acks, []
        for sess, mid in acks:
            self._send(self.by_key.get(sess.key) or sess, p.encode_hub(p.Ack(mid=mid)))

    def _send_due(self) -> None:
        now = self.clock()
        heads = self.outbox.due_heads(now)
        if not heads:
            return
        online = [oid for oid, unit, _ in heads if unit in self.by_unit]
        offline = [oid for oid, unit, _ in heads if unit not in self.by_unit]
        sent: list[Due] = []
        for i in range(0, len(online), SEND_CHUNK):  # the first orders leave while the rest load
            for d in self.outbox.load(online[i : i + SEND_CHUNK]):
                sess = self.by_unit.get(d.unit_id)
                if sess is None:
                    offline.append(d.order_id)
                    continue
                if self._send(sess, p.encode_hub(d.message)):
                    self.stats.orders_sent += 1
                sent.append(d)  # a full pipe counts as a try: back off rather than spin
        self._expect_receipts(sent)
        self.outbox.record_attempts(sent, now)
        self.outbox.defer(offline, now + OFFLINE_RETRY_S)

    def _push(
        self, key: tuple[str, str], unit_id: int, data: bytes, rev: int, until: float
    ) -> None:
        push = Push(unit_id, data, rev, time.monotonic() + PUSH_RETRY_S, until)
        self._pushes[key] = push
        sess = self.by_unit.get(unit_id)
        if sess is not None:
            self._send(sess, data)

    def _retry_pushes(self) -> None:
        now_m = time.monotonic()
        now = self.clock()
        for key, push in list(self._pushes.items()):
            if now > push.until:
                del self._pushes[key]
            elif now_m >= push.next_at:
                push.next_at = now_m + PUSH_RETRY_S
                sess = self.by_unit.get(push.unit_id)
                if sess is not None:
                    self._send(sess, push.data)

    def _check_deadlines(self) -> None:
        now = self.clock()
        overdue = self.outbox.overdue(now)
        self._escalated &= {o[0] for o in overdue}
        for oid, _unit_id, incident_id, call_sign in overdue:
            if oid not in self._escalated:
                self._escalated.add(oid)
                log.warning("order %s to %s not acknowledged by its deadline", oid[:8], call_sign)
                self.port.terminal_event(TerminalEvent("overdue", call_sign, oid, incident_id))
        for oid, _unit_id, incident_id, call_sign in self.outbox.expire(now):
            log.warning("order %s to %s expired undelivered", oid[:8], call_sign)
            self.port.terminal_event(TerminalEvent("expired", call_sign, oid, incident_id))


def _guard(fn: Callable[[], None], fut: Future[Any]) -> Callable[[], None]:
    """Run ``fn``; if it raises, the caller's future carries the error."""

    def run() -> None:
        try:
            fn()
        except Exception as exc:
            if not fut.done():
                fut.set_exception(exc)
            raise

    return run
