"""The hub -> terminal half of the link: orders, updates, cancellations, messages.

A mixin of :class:`~console.link.server.TerminalLink` (it runs on the link
thread and uses its socket, sessions and outbox): sending due orders with
backoff, sending freshly approved ones at once, bringing a (re)connected
terminal up to date on hello, applying receipts, pushing cancellations,
updates and texts until the terminal confirms them, and (in the link-only hub)
raising overdue and expiring orders.

Order cards: the link remembers what each order's card showed when it was last
sent; :meth:`OrderDispatch.refresh_cards` (a merged call, a unit added or gone)
rebuilds the cards of an incident's open orders and pushes an ``order_update``
(a higher ``rev``, with what changed) only to those whose card really differs.

Messages live in the ``messages`` table (:mod:`console.link.msgbox`): sent with
backoff while the unit is on the air and on every hello, confirmed by the
terminal's ``msg_receipt`` (delivered, read), so they survive a hub restart.
"""

from __future__ import annotations

import collections
import logging
import time
from collections.abc import Callable
from concurrent.futures import Future
from dataclasses import dataclass, field
from typing import Any

import msgspec

from console.link import msgbox as mb
from console.link import protocol as p
from console.link.hubport import HubPort, ReportResult, TerminalEvent
from console.link.order_card import card_changes, card_digest
from console.link.outbox import OFFLINE_RETRY_S, Due, Outbox
from console.link.sessions import LinkStats, Push, Session
from console.link.trust import TrustCache

log = logging.getLogger(__name__)

SEND_CHUNK = 100
HELLO_CHUNK = 16
"""Hellos answered per batch of queries and sends (see :meth:`OrderDispatch._hellos`)."""
PUSH_RETRY_S = 2.0
ACK_HOLD_S = 0.5
"""Longest an ack waits while receipts are still expected (:meth:`OrderDispatch.flush_acks`);
well under a terminal's resend period (``TerminalSession.retry_s``, 3 s)."""
CARD_SETTLE_S = 0.3
"""A changed incident's cards are rebuilt this long after the first change (a fan-out's
thousand order events, or a merge and its status change, make one refresh)."""
CARDS_REMEMBERED = 50_000
MESSAGE_EXPIRY_CHECK_S = 30.0
MessageListener = Callable[[list[mb.Moved]], None]
"""Told (on the link thread, after the commit) which messages were delivered or read."""


@dataclass
class OfficerState:
    """What the link keeps for cards and messages (made on first use)."""

    msgbox: mb.MsgBox
    sent: collections.OrderedDict[str, tuple[bytes, p.OrderCard | None]] = field(
        default_factory=collections.OrderedDict
    )
    """Per order id: the digest and card it was last sent with."""
    dirty: set[int] = field(default_factory=set)
    dirty_at: float = 0.0
    message_listeners: list[MessageListener] = field(default_factory=list)
    next_expiry: float = 0.0


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

    # ------------------------------------------------------- cards, messages

    @property
    def officer(self) -> OfficerState:
        """Card memory and the message outbox of this link."""
        st = self.__dict__.get("_officer_state")
        if st is None:
            st = self.__dict__["_officer_state"] = OfficerState(mb.MsgBox(self.outbox.store))
        return st

    def _remember(self, msg: p.OrderBody) -> None:
        sent = self.officer.sent
        sent[msg.order_id] = (card_digest(msg.card), msg.card)
        sent.move_to_end(msg.order_id)
        while len(sent) > CARDS_REMEMBERED:
            sent.popitem(last=False)

    def refresh_cards(self, incident_id: int) -> None:
        """The incident changed (a call merged, a unit added or gone): its officers' cards
        are rebuilt shortly and changed ones pushed as updates; thread-safe."""

        def run() -> None:
            st = self.officer
            if not st.dirty:
                st.dirty_at = time.monotonic() + CARD_SETTLE_S
            st.dirty.add(int(incident_id))

        self.call(run)

    def _refresh_due(self) -> None:
        st = self.officer
        if not st.dirty or time.monotonic() < st.dirty_at:
            return
        dirty, st.dirty = sorted(st.dirty), set()
        for iid in dirty:
            self._refresh_incident(iid)

    def _refresh_incident(self, incident_id: int) -> None:
        now = self.clock()
        st = self.officer
        changed: list[tuple[Due, p.OrderCard | None]] = []
        for d in self.outbox.open_of_incident(incident_id, now):
            prev = st.sent.get(d.order_id)
            if prev is not None and prev[0] == card_digest(d.message.card):
                continue
            changed.append((d, prev[1] if prev is not None else None))
        if not changed:
            return
        revs = self.outbox.bump_revs([d.order_id for d, _ in changed])
        for d, old in changed:
            rev = revs.get(d.order_id)
            if rev is None or d.message.card is None:
                continue
            zh, en = card_changes(old, d.message.card)
            card = msgspec.structs.replace(d.message.card, changes_zh=zh, changes_en=en)
            msg = msgspec.structs.replace(d.message, rev=rev, card=card)
            self._push(("update", d.order_id), d.unit_id, p.encode_hub(msg), rev, msg.expires_at)
            self._remember(msg)
        log.info("incident %d: %d order cards updated", incident_id, len(revs))

    def add_message_listener(self, fn: MessageListener) -> None:
        """Be told which messages were delivered or read (link thread, after the commit)."""
        self.officer.message_listeners.append(fn)

    def _send_messages(self, dues: list[mb.DueMessage]) -> None:
        sent: list[mb.DueMessage] = []
        for d in dues:
            sess = self.by_unit.get(d.unit_id)
            if sess is not None:
                self._send(sess, p.encode_hub(d.message))
                sent.append(d)
        self.officer.msgbox.record_attempts(sent, self.clock())

    def _send_due_messages(self) -> None:
        now = self.clock()
        st = self.officer
        self._send_messages(st.msgbox.due(now, set(self.by_unit)))
        now_m = time.monotonic()
        if now_m >= st.next_expiry:
            st.next_expiry = now_m + MESSAGE_EXPIRY_CHECK_S
            st.msgbox.expire(now)

    def _message_receipts(
        self, receipts: list[tuple[Session, p.MessageReceipt]], now: float
    ) -> None:
        """Store message receipts (one transaction), ack them, tell the listeners."""
        try:
            moved, foreign = self.officer.msgbox.apply([(s.unit_id, m) for s, m in receipts], now)
        except Exception:  # not stored: no ack, the terminals resend
            log.exception(
                "could not store %d message receipts; terminals will resend", len(receipts)
            )
            return
        for sess, m in receipts:
            if m.order_id in foreign:
                live = self.by_key.get(sess.key) or sess
                why = f"no message {m.order_id} for this unit"
                self._send(live, p.encode_hub(p.Refused(code="unknown_order", reason=why)))
            self._hold_ack(sess, m.mid)
        if moved:
            for fn in list(self.officer.message_listeners):
                try:
                    fn(moved)
                except Exception:
                    log.exception("message listener failed")

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
                    self._remember(d.message)
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
                prev = self.officer.sent.get(order_id)
                if msg.card is not None:
                    zh, en = card_changes(prev[1] if prev else None, msg.card)
                    card = msgspec.structs.replace(msg.card, changes_zh=zh, changes_en=en)
                    msg = msgspec.structs.replace(msg, card=card)
                self._push(
                    ("update", order_id), unit_id, p.encode_hub(msg), msg.rev, msg.expires_at
                )
                self._remember(msg)
            fut.set_result(res is not None)

        self.call(_guard(run, fut))
        return fut

    def send_message(
        self, call_sign: str, text: str, sender: str, incident_id: int | None = None
    ) -> Future[bool]:
        """A text to a unit's terminal through the message outbox (survives hub restarts);
        thread-safe.  False if the unit has no enrolled terminal.  The command room's way
        is :class:`console.hub.messaging.SendMessage` (stations, incidents, receipts)."""
        fut: Future[bool] = Future()

        def run() -> None:
            unit_id = next(
                (k.unit_id for k in self.trust.trusted.values() if k.call_sign == call_sign), None
            )
            if unit_id is None:
                fut.set_result(False)
                return
            with self.outbox.store.session() as s, s.begin():
                mb.enqueue(
                    s,
                    [mb.Recipient(unit_id, call_sign)],
                    text=text[:4000],
                    sender=sender[:64],
                    sender_name=sender[:64],
                    to="unit",
                    incident_id=incident_id,
                    now=self.clock(),
                )
            self._send_due_messages()
            fut.set_result(True)

        self.call(_guard(run, fut))
        return fut

    def _hellos(self, hellos: list[tuple[Session, p.Hello]], now: float) -> None:
        """Welcome (re)connected terminals and bring each up to date, a chunk at a time:
        after a takeover or restart hundreds say hello at once, and each order's card
        costs a route (about 5 ms), so the first terminals get their orders before the
        cards of the last are built."""
        for i in range(0, len(hellos), HELLO_CHUNK):
            self._hello_chunk(hellos[i : i + HELLO_CHUNK], now)

    def _hello_chunk(self, hellos: list[tuple[Session, p.Hello]], now: float) -> None:
        """Welcome these terminals and bring each up to date, in a few queries."""
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
            held_rev = dict(zip(msg.holding, msg.revs, strict=False))
            for d in pending:
                if self._send(sess, p.encode_hub(d.message)):
                    sent.append(d)
                self._remember(d.message)
            for d in seen:
                if d.order_id not in held:  # the terminal lost it (reinstalled): show it again
                    self._send(sess, p.encode_hub(d.message))
                    self._remember(d.message)
                elif held_rev.get(d.order_id, d.message.rev) < d.message.rev:
                    # an update the terminal never confirmed (a hub restart lost the push)
                    upd = p.OrderUpdate(
                        **{f: getattr(d.message, f) for f in d.message.__struct_fields__}
                    )
                    data = p.encode_hub(upd)
                    self._push(("update", d.order_id), d.unit_id, data, upd.rev, upd.expires_at)
                    self._remember(upd)
            for oid in sorted(held & closed.keys()):
                state = closed[oid]
                reason = "order no longer exists" if state == "unknown" else f"order is {state}"
                self._send(sess, p.encode_hub(p.OrderCancel(order_id=oid, reason=reason)))
            for push in self._pushes.values():
                if push.unit_id == sess.unit_id:
                    self._send(sess, push.data)
        self.stats.orders_sent += len(sent)
        self.outbox.record_attempts(sent, now)
        self._send_messages(self.officer.msgbox.pending_for((s.unit_id for s, _ in hellos), now))

    def _apply_reports(
        self, reports: list[tuple[Session, p.Receipt | p.Arrived | p.Finished]], now: float
    ) -> None:
        msgs = [(s, m) for s, m in reports if isinstance(m, p.MessageReceipt)]
        if msgs:
            self._message_receipts(msgs, now)
            reports = [(s, m) for s, m in reports if not isinstance(m, p.MessageReceipt)]
            if not reports:
                return
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
        for extra in (self._refresh_due, self._send_due_messages):
            try:  # cards and messages must never hold up the orders
                extra()
            except Exception:
                log.exception("terminal link: %s failed", extra.__name__)
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
                self._remember(d.message)
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
