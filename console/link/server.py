"""The hub end of the terminal link: one ROUTER socket, one thread.

Socket choices, each deliberate:

- CURVE server with the hub key; every handshake is vetted by the ZAP handler
  (:mod:`console.link.trust`), so only enrolled, unrevoked keys get a session.
  A session is bound to the key ZeroMQ reports as the frame's ``User-Id``,
  never to anything the peer says about itself.
- ``ROUTER_MANDATORY``: a send to a vanished peer raises instead of vanishing
  silently; the order stays pending in the outbox and is resent on reconnect.
- Per-peer high-water marks (1,000 out, 100 in): one flooding terminal fills its
  own pipe and is throttled by TCP, others are fair-queued past it.  Orders
  are never dropped (they live in the database); positions may be (latest wins).
- TCP keepalives close dead connections (not ZMTP heartbeats, which can abort
  libzmq 4.3.5 under load: :mod:`console.link.sockopts`); application heartbeats
  (:class:`~console.link.protocol.Heartbeat` / ``Pong``) tell the terminal the hub
  still serves it, which is how a revoked terminal notices it was cut off.

Frames are drained in batches: every position in a batch becomes one
``ingest_positions`` call and every receipt one database transaction.
"""

from __future__ import annotations

import collections
import logging
import threading
import time
import typing
import uuid
from collections.abc import Callable
from concurrent.futures import CancelledError, Future
from typing import Any

import numpy as np
import numpy.typing as npt
import zmq

from console.hub.errors import CommandError
from console.link import protocol as p
from console.link.attachments import PhotoLimits, PhotoRefused
from console.link.clips import file_clip
from console.link.dispatch import ACK_HOLD_S, OrderDispatch
from console.link.district_map import MapService
from console.link.hubport import HubPort, TerminalEvent
from console.link.keys import KeyPair
from console.link.outbox import Outbox
from console.link.posbatch import GATE_CODES, PositionGate, decode_positions
from console.link.receipts import file_feedback
from console.link.sessions import REFUSAL_CODES, LinkStats, Push, RefusalTally, Session
from console.link.sockopts import tcp_keepalive
from console.link.trust import TERMINAL_DOMAIN, TrustCache
from console.link.wakeup import Wakeup
from console.store.db import Store

log = logging.getLogger(__name__)

MAX_BATCH = 8192
NOBLOCK = int(zmq.NOBLOCK)  # a plain int: pyzmq converts enum flags on every call
EVENTS = int(zmq.EVENTS)
POLLIN = int(zmq.POLLIN)
SNDMORE_NB = int(zmq.SNDMORE) | NOBLOCK
SNDHWM = 1000
"""Per terminal: orders, pongs and acks waiting for one slow terminal."""
RCVHWM = 100
"""Per terminal: its frames waiting for the link thread. Small on purpose: queued
fixes are stale, and 5,000 terminals x 1,000 frames would be half a gigabyte;
beyond it TCP pushes back and the terminal drops positions (latest wins) and
retries its reliable messages."""
SEND_DUE_S = 0.25
CHECK_S = 1.0
SESSION_TIMEOUT_S = 10.0
REFUSE_EVERY_S = 1.0
LOG_FIRST_N = 5
"""Refusals logged one line each per call sign; later ones go into summaries."""
FILED_MEMORY = 10_000
"""Feedback (key, mid, time) entries remembered so a resent photo is not stored again."""
REFUSAL_LOG_S = 10.0
"""How often refusals past the first few are summarised per sender (only senders with new ones)."""


_F64 = npt.NDArray[np.float64]
WIRE_REFUSAL_CODES = frozenset(typing.get_args(typing.get_type_hints(p.Refused)["code"]))
"""Refusal codes this protocol version's ``refused`` message can carry."""
_FAR_FROM_CLOCK = p.ProtocolError("invalid", "position time far from hub clock")


class _Batch:
    """What one drain collected, sorted by what happens to it next."""

    def __init__(self, now: float) -> None:
        self.now = now
        self.lo, self.hi = now - p.PAST_LIMIT_S, now + p.FUTURE_SLACK_S
        self.idx: list[npt.NDArray[np.int64]] = []
        self.lon: list[npt.NDArray[np.float64]] = []
        self.lat: list[npt.NDArray[np.float64]] = []
        self.t: list[npt.NDArray[np.float64]] = []
        self.reports: list[tuple[Session, p.Receipt | p.Arrived | p.Finished]] = []
        self.hellos: list[tuple[Session, p.Hello]] = []
        self.others: list[tuple[Session, p.TerminalMsg]] = []
        self.src: list[npt.NDArray[np.intp]] = []
        """For each position, the index of its frame's sender in ``senders``."""
        self.senders: list[Session] = []
        self.at = 0
        """The place in ``senders`` of the frame being decoded one by one."""
        self.one: list[tuple[int, float, float, float, int]] = []
        """Positions decoded one by one (idx, lon, lat, t, sender index)."""

    def positions(
        self,
    ) -> tuple[npt.NDArray[np.int64], _F64, _F64, _F64, npt.NDArray[np.intp]]:
        """Every position of the batch as (idx, lon, lat, t, sender index) arrays."""
        if self.one:
            idx, lon, lat, t, src = zip(*self.one, strict=True)
            self.idx.append(np.array(idx, dtype=np.int64))
            self.lon.append(np.array(lon, dtype=np.float64))
            self.lat.append(np.array(lat, dtype=np.float64))
            self.t.append(np.array(t, dtype=np.float64))
            self.src.append(np.array(src, dtype=np.intp))
            self.one = []
        return (
            np.concatenate(self.idx),
            np.concatenate(self.lon),
            np.concatenate(self.lat),
            np.concatenate(self.t),
            np.concatenate(self.src),
        )


class TerminalLink(OrderDispatch):
    """Serves terminals on ``endpoint``; start with :meth:`start`, stop with :meth:`stop`."""

    def __init__(
        self,
        ctx: zmq.Context[zmq.Socket[bytes]],
        store: Store,
        port: HubPort,
        trust: TrustCache,
        hub_keys: KeyPair,
        endpoint: str,
        *,
        heartbeat_s: float = 1.0,
        check_deadlines: bool = True,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.ctx = ctx
        self.check_deadlines = check_deadlines
        """Raise overdue / expire orders here (off when the command hub's workflow does it)."""
        self.store = store
        self.port = port
        self.trust = trust
        self.hub_keys = hub_keys
        self.bind_endpoint = endpoint
        self.endpoint = ""
        self.heartbeat_s = heartbeat_s
        self.clock = clock
        self.refusal_log_s = REFUSAL_LOG_S
        """Period of the refusal summaries (s); read at every once-a-second check, so it may
        be changed on a running link (tests shorten it)."""
        self.epoch = uuid.uuid4().hex[:12]
        self.outbox = Outbox(store)
        self.photo_limits = PhotoLimits()
        """Photo checks and quotas (console.link.attachments); the link's owner may set them."""
        self.gate = PositionGate.from_store(store)
        """Which fixes are believed (hub clock, district, speed): the rest never reach the map."""
        self.stats = LinkStats()
        self.sessions: dict[bytes, Session] = {}
        self.by_key: dict[str, Session] = {}
        self.by_unit: dict[int, Session] = {}
        self._conns: dict[str, dict[bytes, Session]] = {}
        """Every live connection per key (normally one)."""
        self._pushes: dict[tuple[str, str], Push] = {}
        self._escalated: set[str] = set()
        self._acks: list[tuple[Session, int]] = []
        self._filed: collections.OrderedDict[tuple[str, int, float], int | None] = (
            collections.OrderedDict()
        )
        """Feedback stored in this run, by (key, mid, time): a resend is not filed twice."""
        self._announced: collections.OrderedDict[tuple[str, int, float], None] = (
            collections.OrderedDict()
        )
        """Feedback the hub has taken (its alert raised): a resend is only acked again."""
        self._announcing: set[tuple[str, int, float]] = set()
        """Feedback whose hub event is under way: a copy meanwhile waits for its ack."""
        self._acks_since = 0.0
        self._inflight: collections.OrderedDict[str, float] = collections.OrderedDict()
        """Orders sent within the last ``ack_hold_s`` and not yet delivered, oldest first,
        with the end of their window: acks wait for them."""
        self.ack_hold_s = ACK_HOLD_S
        """Longest an ack is held back for receipts still expected (tests change it)."""
        self._unlogged: dict[str, RefusalTally] = {}
        """Per key: refusals counted but not yet in the log (see :meth:`_log_refusals`)."""
        self._unlogged_since = time.monotonic()
        self._calls: collections.deque[Callable[[], None]] = collections.deque()
        self.maps: MapService | None = None
        """Answers terminals' ``map_req`` from the cards' road graph (made on the first)."""
        self._kicked = False
        self._wakeup = Wakeup()
        self._running = threading.Event()
        self._ready = threading.Event()
        self._error: BaseException | None = None
        self._thread: threading.Thread | None = None
        self._sock: zmq.Socket[bytes] | None = None

    # ------------------------------------------------------------ public API

    def start(self) -> TerminalLink:
        """Bind and start serving; raises if the endpoint cannot be bound."""
        self._running.set()
        self._thread = threading.Thread(target=self._main, name="terminal-link", daemon=True)
        self._thread.start()
        self._ready.wait(10.0)
        if self._error is not None:
            raise self._error
        return self

    def stop(self) -> None:
        """Stop the thread and close the socket (pending orders stay in the outbox)."""
        self._running.clear()
        self._wake()
        if self._thread is not None:
            self._thread.join(10.0)
        self._wakeup.close()

    def kick(self) -> None:
        """New orders are in the outbox: send them now rather than at the next poll."""
        self._kicked = True
        self._wake()

    def call(self, fn: Callable[[], None]) -> None:
        """Run ``fn`` on the link thread (the only thread that may use the socket)."""
        self._calls.append(fn)
        self._wake()

    def online_units(self) -> set[str]:
        """Call signs with a live session (a snapshot; safe from any thread)."""
        return {s.call_sign for s in list(self.sessions.values())}

    # ------------------------------------------------------------ the thread

    def _wake(self) -> None:
        self._wakeup.wake()

    def _socket(self) -> zmq.Socket[bytes]:
        s = self.ctx.socket(zmq.ROUTER)
        s.setsockopt(zmq.ROUTER_MANDATORY, 1)
        s.setsockopt(zmq.SNDHWM, SNDHWM)
        s.setsockopt(zmq.RCVHWM, RCVHWM)
        s.setsockopt(zmq.MAXMSGSIZE, 4 * p.FRAME_LIMIT)
        s.setsockopt(zmq.LINGER, 0)
        tcp_keepalive(s)  # not ZMTP heartbeats: see console.link.sockopts
        s.setsockopt(zmq.ZAP_DOMAIN, TERMINAL_DOMAIN.encode())
        s.setsockopt(zmq.ZAP_ENFORCE_DOMAIN, 1)  # no ZAP handler = nobody gets in
        s.curve_server = True
        s.curve_secretkey = self.hub_keys.secret.encode()
        s.curve_publickey = self.hub_keys.public.encode()
        s.bind(self.bind_endpoint)
        self.endpoint = s.getsockopt_string(zmq.LAST_ENDPOINT)
        return s

    def _main(self) -> None:
        try:
            self._sock = sock = self._socket()
        except BaseException as exc:
            self._error = exc
            self._ready.set()
            return
        self._ready.set()
        log.info("terminal link on %s (epoch %s)", self.endpoint, self.epoch)
        poller = zmq.Poller()
        poller.register(sock, zmq.POLLIN)
        poller.register(self._wakeup.fd, zmq.POLLIN)
        next_due = next_check = 0.0
        try:
            while self._running.is_set():
                now_m = time.monotonic()
                wake = min(next_due, next_check)
                if self._acks:  # held acks go out at the end of their hold at the latest
                    wake = min(wake, self._acks_since + self.ack_hold_s)
                wait = max(0.0, wake - now_m)
                events = dict(poller.poll(int(wait * 1000) + 1))
                if self._wakeup.fd in events:
                    self._wakeup.drain()
                self._run_calls()
                self._cut_revoked()
                if sock in events:
                    self._guarded(self._drain, sock)
                now_m = time.monotonic()
                if self._kicked or now_m >= next_due:
                    self._kicked = False
                    next_due = now_m + SEND_DUE_S
                    self._guarded(self._send_due)
                if self._acks:
                    waiting = bool(int(sock.get(EVENTS)) & POLLIN)
                    self._guarded(self.flush_acks, waiting, now_m)
                if now_m >= next_check:
                    next_check = now_m + CHECK_S
                    if self.check_deadlines:
                        self._guarded(self._check_deadlines)
                    self._guarded(self._retry_pushes)
                    self._sweep(now_m)
                    if now_m - self._unlogged_since >= self.refusal_log_s:
                        self._guarded(self._log_refusals, now_m)
        finally:
            self._guarded(self._log_refusals, time.monotonic())
            sock.close(0)
            self._sock = None

    def _guarded(self, fn: Callable[..., None], *args: Any) -> None:
        try:
            fn(*args)
        except Exception:  # the link must outlive a database hiccup or a bug in one batch
            log.exception("terminal link: %s failed", getattr(fn, "__name__", fn))

    def _run_calls(self) -> None:
        while self._calls:
            self._guarded(self._calls.popleft())

    def _cut_revoked(self) -> None:
        while self.trust.revoked:
            key = self.trust.revoked.popleft()
            cut = list(self._conns.get(key, {}).values())
            for sess in cut:  # every connection of that key, not just the current one
                self._forget(sess)
            if cut:
                self.stats.revoked_cut += 1
                log.warning("cut off revoked terminal of %s", cut[0].call_sign)

    def _forget(self, sess: Session) -> None:
        self.sessions.pop(sess.rid, None)
        conns = self._conns.get(sess.key)
        if conns is not None:
            conns.pop(sess.rid, None)
            if not conns:
                del self._conns[sess.key]
        if self.by_key.get(sess.key) is sess:
            del self.by_key[sess.key]
            if self.by_unit.get(sess.unit_id) is sess:
                del self.by_unit[sess.unit_id]
            if conns:  # another live connection of the same key takes over
                self._promote(max(conns.values(), key=lambda s: s.last_seen))
        elif self.by_unit.get(sess.unit_id) is sess:
            del self.by_unit[sess.unit_id]

    def _sweep(self, now_m: float) -> None:
        stale = [s for s in self.sessions.values() if now_m - s.last_seen > SESSION_TIMEOUT_S]
        for s in stale:
            self._forget(s)

    # --------------------------------------------------------------- receive

    def _bind(self, rid: bytes, frame: zmq.Frame) -> Session | None:
        try:
            key = frame.get("User-Id")
        except zmq.ZMQError:
            key = ""
        trusted = self.trust.get(str(key))
        if trusted is None:
            self.stats.untrusted += 1
            return None
        idx = self.port.unit_index(trusted.call_sign)
        sess = Session(
            rid,
            str(key),
            trusted.unit_id,
            trusted.call_sign,
            -1 if idx is None else idx,
            time.monotonic(),
        )
        self.sessions[rid] = sess
        self._conns.setdefault(sess.key, {})[rid] = sess
        if sess.key not in self.by_key:  # else the next hello decides (see _promote)
            self._promote(sess)
        return sess

    def _promote(self, sess: Session) -> None:
        """Make ``sess`` the connection orders go to for its key and unit.

        A key with two live connections (a reconnect overlapping the old one,
        or a cloned key) is served on the one that said hello last; frames on
        the other are still accepted under the same identity, but it never
        takes the key back by merely talking, so the two cannot ping-pong.
        """
        self.by_key[sess.key] = sess
        self.by_unit[sess.unit_id] = sess

    def _drain(self, sock: zmq.Socket[bytes]) -> None:
        """Read up to ``MAX_BATCH`` frames, then handle them as one batch.

        The loop only receives and sorts frames by sender; positions in
        msgspec's own layout (nearly all traffic) are then checked and decoded
        together by :func:`~console.link.posbatch.decode_positions`, and every
        other frame is decoded on its own by :meth:`_frame`.
        """
        now = self.clock()
        now_m = time.monotonic()
        batch = _Batch(now)
        sessions = self.sessions
        senders: list[Session] = []
        frames: list[bytes] = []
        add_sender = senders.append
        add_frame = frames.append
        nb = NOBLOCK
        recv = sock.recv
        n = 0
        for n in range(1, MAX_BATCH + 1):
            try:
                rid = recv(nb)
            except zmq.Again:
                n -= 1
                break
            try:
                sess = sessions.get(rid)
                frame = recv(0, copy=False)
                if sess is None:
                    sess = self._bind(rid, frame)
                if frame.more:  # never trust the framing: resync on the next routing id
                    while recv(0, copy=False).more:
                        pass
                    if sess is not None:
                        self._invalid(
                            sess, p.ProtocolError("malformed", "a message must be one frame")
                        )
                    continue
                if sess is None:
                    continue
                sess.last_seen = now_m
                add_sender(sess)
                add_frame(frame.bytes)
            except Exception:  # whatever a frame holds, it must not cost the rest of the batch
                log.exception("terminal link: unexpected failure on one frame")
                self.stats.invalid["internal"] += 1
        self.stats.frames += n
        if frames:
            self._sort(senders, frames, batch)
        if batch.idx or batch.one:
            idx, lon, lat, t, src = batch.positions()
            if idx.size:
                self.stats.positions += int(idx.size)
                self._guarded(self._ingest, batch, idx, lon, lat, t, src)
        for sess, m in batch.others:
            self._guarded(self._handle, sess, m, now)
        if batch.hellos:
            self._guarded(self._hellos, batch.hellos, now)
        if batch.reports:
            self._guarded(self._apply_reports, batch.reports, now)

    def _ingest(
        self,
        batch: _Batch,
        idx: npt.NDArray[np.int64],
        lon: _F64,
        lat: _F64,
        t: _F64,
        src: npt.NDArray[np.intp],
    ) -> None:
        """The believed fixes to the hub in one call; the others refused to their senders."""
        res = self.gate.check(idx, lon, lat, t, batch.now)
        if not res.all_ok:
            for i in np.flatnonzero(~res.ok).tolist():
                code = int(res.code[i])
                self.stats.positions_refused[GATE_CODES[code]] += 1
                reason = self.gate.reason(
                    code, float(lon[i]), float(lat[i]), float(t[i]), batch.now
                )
                self._invalid(batch.senders[int(src[i])], p.ProtocolError("invalid", reason))
            keep = res.ok
            idx, lon, lat = idx[keep], lon[keep], lat[keep]
        if idx.size:
            self.stats.applied += self.port.ingest_positions(idx, lon, lat, res.t[res.ok])

    def _sort(self, senders: list[Session], frames: list[bytes], batch: _Batch) -> None:
        """Positions of the batch in one go; every other frame through :meth:`_frame`."""
        batch.senders = senders
        try:
            ok, lat, lon, t = decode_positions(frames)
        except Exception:  # a bug here must not lose the batch: decode it frame by frame
            log.exception("terminal link: batch position decoding failed")
            ok = np.zeros(len(frames), dtype=np.bool_)
            lat = lon = t = np.zeros(len(frames), dtype=np.float64)
        if ok.any():
            idx = np.fromiter((s.idx for s in senders), dtype=np.int64, count=len(senders))
            in_time = (t >= batch.lo) & (t <= batch.hi)
            for i in np.flatnonzero(ok & ~in_time).tolist():
                self._invalid(senders[i], _FAR_FROM_CLOCK)
            use = ok & in_time & (idx >= 0)
            batch.src.append(np.flatnonzero(use))
            batch.idx.append(idx[use])
            batch.lon.append(lon[use])
            batch.lat.append(lat[use])
            batch.t.append(t[use])
        for i in np.flatnonzero(~ok).tolist():
            try:
                batch.at = i
                self._frame(senders[i], frames[i], batch)
            except Exception as exc:  # whatever a frame holds, it must not cost the batch
                sess = senders[i]
                if self.stats.invalid["internal"] < LOG_FIRST_N:  # a traceback for the first few
                    log.exception(
                        "terminal link: unexpected failure on a frame from %s", sess.call_sign
                    )
                self._count_refusal(sess, "internal", f"internal error: {exc!r}"[:200])

    def _frame(self, sess: Session, data: bytes, batch: _Batch) -> None:
        """Decode and check one frame and file it in the batch (or refuse it)."""
        try:
            msg = p.decode_terminal(data)
        except p.ProtocolError as exc:
            self._invalid(sess, exc)
            return
        if type(msg) is p.Position:
            if not batch.lo <= msg.t <= batch.hi:
                self._invalid(sess, _FAR_FROM_CLOCK)
            elif sess.idx >= 0:
                batch.one.append((sess.idx, msg.lon, msg.lat, msg.t, batch.at))
            return
        try:
            p.check_terminal(msg, batch.now)
        except p.ProtocolError as exc:
            self._invalid(sess, exc)
            return
        if isinstance(msg, p.Receipt | p.Arrived | p.Finished):
            batch.reports.append((sess, msg))
        elif isinstance(msg, p.Hello):
            batch.hellos.append((sess, msg))
        else:
            batch.others.append((sess, msg))

    def _invalid(self, sess: Session, exc: p.ProtocolError) -> None:
        """Count a refused frame, log it (or tally it for the summary) and maybe reply.

        Every refusal reaches the log with its sender: the first ``LOG_FIRST_N``
        per call sign one line each, the rest in :meth:`_log_refusals`' periodic
        summaries, so the log adds up to the counters without a line per frame.
        """
        code = exc.code
        self._count_refusal(sess, code, exc.reason)
        now_m = time.monotonic()
        if now_m - sess.refused_at >= REFUSE_EVERY_S:  # a clear reply, but never a flood of them
            sess.refused_at = now_m
            reply = code if code in REFUSAL_CODES else "invalid"
            self._send(sess, p.encode_hub(p.Refused(code=reply, reason=exc.reason[:4000])))  # type: ignore[arg-type]

    def _count_refusal(self, sess: Session, code: str, reason: str) -> None:
        """Count one refused frame and log it: a line of its own, or the sender's tally."""
        by_sender = self.stats.invalid_by_sender
        self.stats.invalid[code] += 1
        by_sender[sess.call_sign] += 1
        k = by_sender[sess.call_sign]
        if k <= LOG_FIRST_N:
            log.warning(
                "refused frame #%d from %s (%s...) [%s]: %s",
                k,
                sess.call_sign,
                sess.key[:8],
                code,
                reason,
            )
        else:
            tally = self._unlogged.get(sess.key)
            if tally is None:
                tally = self._unlogged[sess.key] = RefusalTally(sess.call_sign, sess.key)
            tally.counts[code] += 1

    def _log_refusals(self, now_m: float) -> None:
        """One summary line per sender refused since the last summary (past its first few)."""
        tallies, self._unlogged = self._unlogged, {}
        span = now_m - self._unlogged_since
        self._unlogged_since = now_m
        for tally in tallies.values():
            n, by_code = tally.summary()
            log.warning(
                "refused %d frames from %s (%s...) in the last %.0f s: %s",
                n,
                tally.call_sign,
                tally.key[:8],
                span,
                by_code,
            )

    def _send(self, sess: Session, data: bytes) -> bool:
        sock = self._sock
        if sock is None:
            return False
        try:  # two plain sends: send_multipart's per-part checks cost more than the send
            sock.send(sess.rid, SNDMORE_NB)
            sock.send(data, NOBLOCK)
            return True
        except zmq.Again:
            self.stats.send_full += 1
        except zmq.ZMQError as exc:
            if exc.errno != zmq.EHOSTUNREACH:
                raise
            self.stats.unreachable += 1
            self._forget(sess)
        return False

    def _handle(self, sess: Session, msg: p.TerminalMsg, now: float) -> None:
        if isinstance(msg, p.Heartbeat):
            self._send(sess, p.encode_hub(p.Pong(seq=msg.seq, hub_epoch=self.epoch, t=now)))
        elif isinstance(msg, p.StatusChange):
            ev = TerminalEvent("status", sess.call_sign, status=msg.status)
            self._ack_when_done(self._event(ev), sess, msg.mid, ev)
        elif isinstance(msg, p.Feedback):
            key = (sess.key, msg.mid, msg.t)  # a reinstalled terminal restarts its mids
            if key in self._announced:  # the hub has it: only our ack was lost
                self._ack(sess, msg.mid)
                return
            if key in self._announcing:  # the first copy's event acks this mid when done
                return
            if key in self._filed:  # a resend (our ack was lost, or the hub event failed)
                incident = self._filed[key]
            else:
                filed = file_feedback(
                    self.store,
                    sess.unit_id,
                    sess.call_sign,
                    msg,
                    now,
                    terminal_key=sess.key,
                    limits=self.photo_limits,
                )
                incident = filed.incident_id
                self._filed[key] = incident
                if len(self._filed) > FILED_MEMORY:
                    self._filed.popitem(last=False)
                if filed.refusal is not None:  # the text is filed (and acked); the photo is not
                    self._refuse_photo(sess, *filed.refusal)
                elif msg.clip is not None:  # a short video: its still is filed above
                    try:
                        file_clip(
                            self.store,
                            sess.unit_id,
                            sess.call_sign,
                            msg,
                            now,
                            terminal_key=sess.key,
                            limits=self.photo_limits,
                        )
                    except PhotoRefused as exc:
                        self._refuse_photo(sess, exc.code, exc.reason)
            ev = TerminalEvent(
                "feedback", sess.call_sign, msg.order_id or "", incident, msg.text[:500]
            )
            self._announcing.add(key)
            self._ack_when_done(
                self._event(ev), sess, msg.mid, ev, settled=lambda ok: self._settled(key, ok)
            )
        elif isinstance(msg, p.Count):
            self._count(sess, msg)
        elif isinstance(msg, p.Seen):
            self._pushes.pop(("msg", str(msg.mid)), None)
        elif isinstance(msg, p.MapRequest):
            self._map(sess, msg)

    def _map(self, sess: Session, msg: p.MapRequest) -> None:
        """A piece of the district's street map (console/link/district_map.py)."""
        graph = self.outbox.cards.graph
        if self.maps is None or self.maps.graph is not graph:
            self.maps = MapService(graph)
        try:
            frame = self.maps.answer(sess.key, msg, time.monotonic())
        except p.ProtocolError as exc:
            self._invalid(sess, exc)
            return
        self._send(sess, frame)

    def _count(self, sess: Session, msg: p.Count) -> None:
        """A crowd counter's minute: acked once stored; a refusal (unknown place, a counter
        of another device, a time outside the window) is final, so it is refused and acked;
        any other failure is not acked and the terminal resends."""
        fut = self.port.add_count(sess.call_sign, msg.place, msg.sensor, msg.t, msg.people)

        def done(f: Future[Any]) -> None:
            exc = CancelledError() if f.cancelled() else f.exception()
            if exc is None:
                self.call(lambda: self._ack(sess, msg.mid))
            elif isinstance(exc, CommandError):
                refusal = p.ProtocolError("invalid", f"count refused: {exc}"[:4000])

                def refuse() -> None:
                    self._invalid(sess, refusal)
                    self._ack(sess, msg.mid)

                self.call(refuse)
            else:
                log.warning(
                    "count %d from %s not stored (it will be resent): %r",
                    msg.mid,
                    sess.call_sign,
                    exc,
                )

        fut.add_done_callback(done)

    def _refuse_photo(self, sess: Session, code: str, reason: str) -> None:
        """Tell the terminal why its photo was not taken (the refusal codes of docs/protocol.md)."""
        self.stats.photos_refused[code] += 1
        log.warning(
            "photo from %s (%s...) refused [%s]: %s", sess.call_sign, sess.key[:8], code, reason
        )
        wire = code if code in WIRE_REFUSAL_CODES else "invalid"
        text = reason if wire == code else f"{code}: {reason}"
        self._send(sess, p.encode_hub(p.Refused(code=wire, reason=text[:4000])))  # type: ignore[arg-type]

    def _event(self, ev: TerminalEvent) -> Future[Any]:
        """The port's future for ``ev``; a port that raises gives a failed one (same path)."""
        try:
            return self.port.terminal_event(ev)
        except Exception as exc:
            fut: Future[Any] = Future()
            fut.set_exception(exc)
            return fut

    def _settled(self, key: tuple[str, int, float], ok: bool) -> None:
        """A feedback's hub event ended (link thread): remember it when the hub took it."""
        self._announcing.discard(key)
        if ok:
            self._announced[key] = None
            if len(self._announced) > FILED_MEMORY:
                self._announced.popitem(last=False)

    def _ack_when_done(
        self,
        fut: Future[Any],
        sess: Session,
        mid: int,
        ev: TerminalEvent,
        settled: Callable[[bool], None] | None = None,
    ) -> None:
        """Ack ``mid`` once the hub has handled ``ev``, and only if that succeeded.

        A failed (or cancelled) future gets no ack: the terminal keeps the
        report and resends it, which is the protocol's only retry path.
        ``settled(ok)`` runs on the link thread first.
        """

        def done(f: Future[Any]) -> None:
            exc = CancelledError() if f.cancelled() else f.exception()
            ok = exc is None

            def on_link() -> None:
                if settled is not None:
                    settled(ok)
                if ok:
                    self._ack(sess, mid)

            self.call(on_link)
            if ok:
                return
            log.warning(
                "%s report %d from %s (%s...) not applied, not acked (the terminal resends): %r",
                ev.kind,
                mid,
                sess.call_sign,
                sess.key[:8],
                exc,
            )

        fut.add_done_callback(done)

    def _ack(self, sess: Session, mid: int) -> None:
        live = self.by_key.get(sess.key)
        if live is not None:
            self._send(live, p.encode_hub(p.Ack(mid=mid)))
