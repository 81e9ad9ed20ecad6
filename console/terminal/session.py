"""The terminal's half of the protocol, free of sockets and threads.

A :class:`TerminalSession` turns hub frames into officer-facing events and
officer actions into frames; a driver (one socket on a thread, or a fleet of
them) moves the frames.  The rules that make orders "at least once, executed
once" live here:

- an order id is executed (shown, rung) only the first time it arrives; a
  repeat only re-confirms delivery;
- every report to the hub (receipts, arrival, outcome, status, feedback) is
  stored and resent until the hub acknowledges it, across reconnects and
  restarts of either side;
- a hub restart (new epoch in a pong) or a reconnect triggers a hello that
  lists the orders held, so the hub can resend missing ones and cancel stale ones;
  the hello is repeated every ``HELLO_RETRY_S`` until the hub's welcome arrives
  (a hello lost on a connection that dropped must not leave the hub unaware);
- no frame from the hub for ``dead_after_s`` means the link is gone: the driver
  must drop the socket and connect afresh (a revoked key then fails the handshake);
- a message from the command room is shown once (kept by id), confirmed
  ``delivered`` at once and ``read`` when the officer opens it, both reliably;
- a hub speaking another protocol version is reported as a ``refused`` event with
  its reason, never shown as garbage;
- a terminal given a map cache fetches the district's street map after each welcome
  when the hub's differs from the one it holds (:mod:`console.terminal.mapsync`).
"""

from __future__ import annotations

import collections
import logging
import os
import time
from collections.abc import Callable
from typing import Any

from console.link import protocol as p
from console.terminal.localstore import FINAL, LocalMessage, LocalOrder, LocalStore
from console.terminal.mapsync import MapCache, MapSync

log = logging.getLogger(__name__)

APP = "dispatch-terminal/2.0"
HELLO_RETRY_S = 1.0
_ORDER_TYPES = (p.Order, p.OrderUpdate)
"""A tuple, not ``p.Order | p.OrderUpdate``: that builds a union object on every frame."""
EventCallback = Callable[[str, Any], None]
"""``(kind, payload)``: order, order_update, order_cancel, message, welcome, refused, ack;
with a map cache also district_map, map_current, map_failed."""
_SEEN_MESSAGES = 1000


class TerminalSession:
    """Protocol state of one terminal; call from a single thread."""

    def __init__(
        self,
        store: LocalStore,
        *,
        app: str = APP,
        heartbeat_s: float = 1.0,
        dead_after_s: float | None = None,
        retry_s: float = 3.0,
        clock: Callable[[], float] = time.time,
        on_event: EventCallback | None = None,
        maps: MapCache | None = None,
    ) -> None:
        self.store = store
        self.app = app
        self.heartbeat_s = heartbeat_s
        self.dead_after_s = dead_after_s if dead_after_s is not None else 3.5 * heartbeat_s
        self.retry_s = retry_s
        self.clock = clock
        self.on_event = on_event
        self.out: collections.deque[bytes] = collections.deque()
        self.epoch = ""
        self.unit = ""
        self.executed: list[str] = []
        """Order ids executed by this session object, in order (tests count these)."""
        self._position: bytes | None = None
        self._retry_at: dict[int, float] = {}
        self._delivered: dict[tuple[str, int], int] = {}
        self._cancel_seen: dict[str, int] = {}
        self._msg_delivered: collections.OrderedDict[str, int] = collections.OrderedDict()
        self.version_refusal: p.Refused | None = None
        """Set when the hub speaks another protocol version (the app says so plainly)."""
        self._hb_seq = 0
        self._next_hb = 0.0
        self.hub_changed = False
        """Another hub answered on this socket (a new epoch in a pong: a restart or a
        takeover); whoever drives the socket may clear it (the fleet does, with several
        hubs, to drop a connection to a paused old primary)."""
        self.welcomed = False
        """The hub answered this connection's hello (until then the hello is repeated)."""
        self._next_hello = 0.0
        self._hello_out: bytes | None = None
        self.last_rx = time.monotonic()
        """When the current socket last heard the hub, or was opened (the reconnect clock)."""
        self.last_heard: float | None = None
        """When a frame from the hub last arrived on any socket (the officer's link light:
        a reconnect attempt alone must not turn it green)."""
        self.maps = None if maps is None else MapSync(maps, self.out.append, self._emit, clock)
        """The district map's fetch (only for terminals that draw a map)."""

    # ------------------------------------------------------------- driving

    def start(self, now_m: float | None = None) -> None:
        """A fresh socket was connected: say hello and resend what is unacknowledged."""
        now_m = time.monotonic() if now_m is None else now_m
        self.last_rx = now_m
        self._next_hb = now_m + self.heartbeat_s
        # what the old connection never sent is either re-queued below (reliable
        # reports) or made afresh (hello, heartbeats): don't pile up copies
        self.out.clear()
        self._hello(now_m)

    def _hello(self, now_m: float) -> None:
        """Say hello and resend everything the hub has not acknowledged."""
        self.welcomed = False
        self._hello_frame(now_m)
        for mid, data in self.store.unacked():
            self.out.append(data)
            self._retry_at[mid] = now_m + self.retry_s

    def _hello_frame(self, now_m: float) -> None:
        """One hello waiting at most (a retry replaces an unsent one: each costs a resync)."""
        held = [o for o in self.store.orders() if o.state not in FINAL][-p.HOLDING_LIMIT :]
        self._hello_out = p.encode_terminal(
            p.Hello(
                app=self.app[:64],
                t=self.clock(),
                holding=[o.order.order_id for o in held],
                revs=[o.order.rev for o in held],
            )
        )
        self._next_hello = now_m + HELLO_RETRY_S

    def alive(self, now_m: float) -> bool:
        """False once the hub has been silent for ``dead_after_s`` on this socket (a new
        socket gets that long before the fleet gives up on it and reconnects)."""
        return now_m - self.last_rx <= self.dead_after_s

    def heard(self, now_m: float) -> bool:
        """The hub was heard within ``dead_after_s`` (reconnect attempts do not count)."""
        return self.last_heard is not None and now_m - self.last_heard <= self.dead_after_s

    def tick(self, now_m: float | None = None) -> bool:
        """Queue heartbeats, an unanswered hello and due resends; returns :meth:`alive`."""
        now_m = time.monotonic() if now_m is None else now_m
        if not self.welcomed and now_m >= self._next_hello:
            self._hello_frame(now_m)
        if now_m >= self._next_hb:
            self._next_hb = now_m + self.heartbeat_s
            self._hb_seq += 1
            self.out.append(p.encode_terminal(p.Heartbeat(seq=self._hb_seq, t=self.clock())))
        due = [m for m, at in self._retry_at.items() if at <= now_m]
        if due:
            stored = dict(self.store.unacked())
            for mid in due:
                data = stored.get(mid)
                if data is None:
                    self._retry_at.pop(mid, None)
                    continue
                self.out.append(data)
                self._retry_at[mid] = now_m + self.retry_s
        if self.maps is not None:
            self.maps.tick(now_m)
        return self.alive(now_m)

    def has_output(self) -> bool:
        """Something is queued for :meth:`take` (cheap: the fleet asks it every tick)."""
        return bool(self.out) or self._position is not None or self._hello_out is not None

    def take(self) -> list[bytes]:
        """Frames to send now: the hello first, the latest position last (older ones replaced)."""
        frames = list(self.out)
        self.out.clear()
        if self._hello_out is not None:
            frames.insert(0, self._hello_out)
            self._hello_out = None
        if self._position is not None:
            frames.append(self._position)
            self._position = None
        return frames

    # --------------------------------------------------------------- input

    def on_frame(self, data: bytes, now_m: float | None = None) -> None:
        """Handle one frame from the hub (bad frames are logged and dropped)."""
        self.last_rx = time.monotonic() if now_m is None else now_m
        self.last_heard = self.last_rx
        try:
            msg = p.decode_hub(data)
        except p.ProtocolError as exc:
            log.warning("dropped a bad frame from the hub: %s", exc.reason)
            if exc.code == "version":
                self._version_mismatch(data, exc)
            return
        if isinstance(msg, _ORDER_TYPES):
            self._order(msg)
        elif isinstance(msg, p.Ack):
            self.store.drop_unacked(msg.mid)
            self._retry_at.pop(msg.mid, None)
            self._emit("ack", msg.mid)
        elif isinstance(msg, p.Pong):
            if msg.hub_epoch != self.epoch:
                restarted = bool(self.epoch)  # first contact: our hello is on its way already
                self.epoch = msg.hub_epoch
                if restarted:  # a new hub knows nothing of us: resync
                    self.hub_changed = True
                    self._hello(self.last_rx)
        elif isinstance(msg, p.Welcome):
            self.welcomed = True
            self.epoch = msg.hub_epoch
            self.unit = msg.unit
            self._emit("welcome", msg)
            if self.maps is not None:
                self.maps.begin(self.last_rx)
        elif isinstance(msg, p.OrderCancel):
            self._cancel(msg)
        elif isinstance(msg, p.Message):
            self._message(msg)
        elif isinstance(msg, p.MapPart):
            if self.maps is not None:
                self.maps.part(msg, self.last_rx)
        elif isinstance(msg, p.Refused):
            log.warning("hub refused a frame (%s): %s", msg.code, msg.reason)
            if self.maps is not None:
                self.maps.refused(msg)
            self._emit("refused", msg)

    def _version_mismatch(self, data: bytes, exc: p.ProtocolError) -> None:
        """The hub speaks another version: say so once per connection, in its words if any."""
        said = p.peek_refusal(data)
        reason = (
            said.reason
            if said is not None
            else f"the hub speaks protocol version {exc.peer_version}, "
            f"this terminal speaks {p.PROTOCOL_VERSION}"
        )
        refusal = p.Refused(code="version", reason=reason[:4000])
        if self.version_refusal != refusal:
            self.version_refusal = refusal
            self._emit("refused", refusal)

    def _message(self, msg: p.Message) -> None:
        """Show a message once; confirm its delivery (again, if the hub did not get it)."""
        held = self.store.get_message(msg.message_id)
        if held is None:
            self.store.put_message(LocalMessage(msg, "new", self.clock()))
            self._emit("message", msg)
        pending = self._msg_delivered.get(msg.message_id)
        if pending is None or not self.store.has_unacked(pending):
            self._msg_delivered[msg.message_id] = self._reliable(
                lambda mid: p.MessageReceipt(
                    mid=mid, order_id=msg.message_id, kind="delivered", t=self.clock()
                )
            )
            while len(self._msg_delivered) > _SEEN_MESSAGES:
                self._msg_delivered.popitem(last=False)

    def _emit(self, kind: str, payload: Any) -> None:
        if self.on_event is not None:
            try:
                self.on_event(kind, payload)
            except Exception:
                log.exception("terminal event handler failed")

    def _order(self, msg: p.OrderBody) -> None:
        held = self.store.get(msg.order_id)
        if held is None:
            lo = LocalOrder(msg, "new", self.clock())
            self.store.put(lo)
            self.executed.append(msg.order_id)
            self._emit("order", lo)
        elif msg.rev > held.order.rev and held.state not in FINAL:
            held.order = msg
            self.store.put(held)
            self._emit("order_update", held)
        key = (msg.order_id, max(msg.rev, held.order.rev if held else 0))
        sent = self._delivered.get(key)
        if sent is None or not self.store.has_unacked(sent):
            self._delivered[key] = self._reliable(
                lambda mid: p.Receipt(
                    mid=mid, order_id=msg.order_id, kind="delivered", t=self.clock(), rev=key[1]
                )
            )

    def _cancel(self, msg: p.OrderCancel) -> None:
        held = self.store.get(msg.order_id)
        if held is not None and held.state not in FINAL:
            held.state = "cancelled"
            self.store.put(held)
            self._emit("order_cancel", (held, msg.reason))
        pending = self._cancel_seen.get(msg.order_id)
        if pending is None or not self.store.has_unacked(pending):
            self._cancel_seen[msg.order_id] = self._reliable(
                lambda mid: p.Receipt(
                    mid=mid, order_id=msg.order_id, kind="cancel_seen", t=self.clock()
                )
            )

    def _reliable(self, make: Callable[[int], p.TerminalMsg]) -> int:
        mid = self.store.next_mid()
        data = p.encode_terminal(make(mid))
        self.store.put_unacked(mid, data)
        self.out.append(data)
        self._retry_at[mid] = time.monotonic() + self.retry_s
        return mid

    # ------------------------------------------------------ officer actions

    def _held(self, order_id: str) -> LocalOrder:
        held = self.store.get(order_id)
        if held is None:
            raise KeyError(f"no order {order_id} on this terminal")
        return held

    def _set_state(self, order_id: str, state: str) -> None:
        held = self._held(order_id)
        held.state = state
        self.store.put(held)

    def read(self, order_id: str) -> None:
        """The officer opened the order."""
        self._set_state(order_id, "read")
        self._reliable(
            lambda mid: p.Receipt(mid=mid, order_id=order_id, kind="read", t=self.clock())
        )

    def accept(self, order_id: str) -> None:
        """The officer takes the order on."""
        self._set_state(order_id, "accepted")
        self._reliable(
            lambda mid: p.Receipt(mid=mid, order_id=order_id, kind="accepted", t=self.clock())
        )

    def reject(self, order_id: str, reason: str) -> None:
        """The officer cannot take the order; a reason is required."""
        if not reason.strip():
            raise ValueError("a rejection needs a reason")
        self._set_state(order_id, "rejected")
        self._reliable(
            lambda mid: p.Receipt(
                mid=mid, order_id=order_id, kind="rejected", t=self.clock(), reason=reason[:4000]
            )
        )

    def arrived(self, order_id: str) -> None:
        """The unit is at the scene."""
        self._set_state(order_id, "arrived")
        self._reliable(lambda mid: p.Arrived(mid=mid, order_id=order_id, t=self.clock()))

    def finish(self, order_id: str, outcome: str) -> None:
        """The order is done, with its outcome."""
        self._set_state(order_id, "finished")
        self._reliable(
            lambda mid: p.Finished(
                mid=mid, order_id=order_id, outcome=outcome[:4000], t=self.clock()
            )
        )

    def count(self, place: str, sensor: str, people: float, t: float | None = None) -> int:
        """One counter's minute at a crowd place (a counting device, or an officer counting
        a square); resent until the hub stores or refuses it.  Returns its mid."""
        if not 0 <= people <= 100_000_000:
            raise ValueError(f"people must be 0-100,000,000, got {people}")
        at = self.clock() if t is None else t
        return self._reliable(
            lambda mid: p.Count(
                mid=mid, place=place[:64], sensor=sensor[:64], t=at, people=float(people)
            )
        )

    def feedback(
        self,
        text: str,
        order_id: str | None = None,
        photo: bytes | None = None,
        clip: p.VideoClip | None = None,
    ) -> int:
        """Text (and a JPEG or a short clip) from the scene; refused here if the photo is too
        big or not a JPEG.  Kept as an outgoing line of the message list; returns its mid."""
        if photo is not None:
            if len(photo) > p.PHOTO_LIMIT:
                raise ValueError(f"photo is {len(photo)} bytes; the limit is {p.PHOTO_LIMIT}")
            if not photo.startswith(b"\xff\xd8\xff"):
                raise ValueError("photo is not a JPEG")
        if clip is not None:
            if photo is None or len(photo) > p.POSTER_LIMIT:
                raise ValueError("a clip goes with its still: a JPEG of at most 64 KB as photo")
            if len(clip.data) > p.CLIP_LIMIT:
                raise ValueError(f"clip is {len(clip.data)} bytes; the limit is {p.CLIP_LIMIT}")
        now = self.clock()
        mid = self._reliable(
            lambda mid: p.Feedback(
                mid=mid, order_id=order_id, text=text[:4000], t=now, photo=photo, clip=clip
            )
        )
        own_id = f"{time.time_ns() // 1_000_000:012x}{os.urandom(10).hex()}"
        mine = p.Message(message_id=own_id, text=text[:4000], sender=self.unit[:64], t=now)
        self.store.put_message(
            LocalMessage(mine, "sent", now, outgoing=True, mid=mid, photo=bool(photo or clip))
        )
        return mid

    def read_message(self, message_id: str) -> None:
        """The officer opened a message from the command room: tell the hub (reliably)."""
        held = self.store.get_message(message_id)
        if held is None or held.outgoing:
            raise KeyError(f"no message {message_id} on this terminal")
        if held.state == "read":
            return
        held.state = "read"
        self.store.put_message(held)
        self._reliable(
            lambda mid: p.MessageReceipt(mid=mid, order_id=message_id, kind="read", t=self.clock())
        )

    def messages(self) -> list[LocalMessage]:
        """Messages both ways, oldest first."""
        return self.store.messages()

    def waiting_reports(self) -> int:
        """Reports the hub has not acknowledged yet (queued while off the network)."""
        return self.store.unacked_count()

    def set_status(self, status: p.TerminalStatus) -> None:
        """The officer changed duty status (available, off duty, ...)."""
        self._reliable(lambda mid: p.StatusChange(mid=mid, status=status, t=self.clock()))

    def position(
        self,
        lat: float,
        lon: float,
        accuracy: float | None = None,
        speed: float | None = None,
        heading: float | None = None,
        t: float | None = None,
    ) -> None:
        """Latest fix; replaces one not sent yet (positions are never queued up)."""
        self._position = p.encode_terminal(
            p.Position(
                lat=lat,
                lon=lon,
                accuracy=accuracy,
                speed=speed,
                heading=heading,
                t=self.clock() if t is None else t,
            )
        )

    def open_orders(self) -> list[LocalOrder]:
        """Orders not finished, rejected or cancelled, oldest first."""
        return [o for o in self.store.orders() if o.state not in FINAL]
