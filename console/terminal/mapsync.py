"""Fetching the district's street map on the terminal (protocol §5.3), free of sockets.

After each welcome the terminal asks for the map with the version it holds; the
hub answers "unchanged" (one small frame) or sends it piece by piece, one piece
per request.  A piece of another version (the hub's map changed meanwhile)
starts the fetch over; a finished blob is checked (:func:`decode_map`) before it
replaces the cached one, so a bad reply never costs the map the terminal had.
No answer within ``TIMEOUT_S`` repeats the request, at most ``TRIES`` times a
connection; an old hub that refuses ``map_req`` as unknown ends the attempt at
once.  Either way the terminal keeps drawing the card's streets.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Protocol

from console.link import protocol as p
from console.link.district_map import MAP_LIMIT, DistrictMap, MapError, decode_map

log = logging.getLogger(__name__)

TIMEOUT_S = 10.0
TRIES = 3


class MapCache(Protocol):
    """Where the terminal keeps its district map (SqliteStore on a real terminal)."""

    def get_map(self) -> tuple[str, bytes] | None: ...

    def put_map(self, version: str, blob: bytes) -> None: ...


class MemoryMapCache:
    """A :class:`MapCache` in memory."""

    def __init__(self) -> None:
        self.held: tuple[str, bytes] | None = None

    def get_map(self) -> tuple[str, bytes] | None:
        return self.held

    def put_map(self, version: str, blob: bytes) -> None:
        self.held = (version, blob)


def load_cached(cache: MapCache) -> DistrictMap | None:
    """The cached map, checked (None if there is none or it is unusable)."""
    held = cache.get_map()
    if held is None:
        return None
    try:
        return decode_map(held[1], held[0])
    except MapError as exc:
        log.warning("cached district map not used: %s", exc)
        return None


class MapSync:
    """One terminal's map fetch; the session feeds it frames and ticks (one thread)."""

    def __init__(
        self,
        cache: MapCache,
        send: Callable[[bytes], None],
        emit: Callable[[str, object], None],
        clock: Callable[[], float],
    ) -> None:
        self.cache = cache
        self.send = send
        self.emit = emit
        self.clock = clock
        held = cache.get_map()
        self.version = held[0] if held is not None else ""
        """The version held in the cache ("" for none)."""
        self.active = False
        self.downloads = 0
        """Blobs fetched and stored by this object (tests count them)."""
        self._want = ""
        self._pieces: list[bytes] = []
        self._parts = 0
        self._size = 0
        self._asked_at = 0.0
        self._tries = 0
        self._last: bytes = b""

    def begin(self, now_m: float) -> None:
        """A welcome: ask whether our map is current."""
        self.active = True
        self._tries = 0
        self._restart(now_m)

    def _restart(self, now_m: float) -> None:
        self._want, self._pieces, self._parts, self._size = "", [], 0, 0
        self._ask(self.version, 0, now_m)

    def _ask(self, version: str, part: int, now_m: float) -> None:
        self._last = p.encode_terminal(p.MapRequest(version=version, part=part, t=self.clock()))
        self._asked_at = now_m
        self.send(self._last)

    def _stop(self, why: str) -> None:
        self.active = False
        self._pieces = []
        if why:
            log.warning("district map not fetched: %s", why)
            self.emit("map_failed", why)

    def tick(self, now_m: float) -> None:
        if not self.active or now_m - self._asked_at < TIMEOUT_S:
            return
        self._tries += 1
        if self._tries >= TRIES:
            self._stop(f"the hub did not answer {TRIES} map requests")
            return
        self._asked_at = now_m
        self.send(self._last)

    def refused(self, msg: p.Refused) -> None:
        """A refusal while fetching: an old hub that does not know ``map_req`` ends it."""
        if self.active and msg.code == "malformed" and "map_req" in msg.reason:
            self._stop("the hub does not serve a district map (older hub)")

    def part(self, msg: p.MapPart, now_m: float) -> None:
        if not self.active:
            return
        if msg.parts == 0:  # unchanged, or the hub has no map
            self._stop("")
            if msg.version and msg.version == self.version:
                self.emit("map_current", self.version)
            return
        if msg.size > MAP_LIMIT or msg.parts * p.MAP_CHUNK < msg.size:
            self._stop(f"the hub offered a map of {msg.size} bytes in {msg.parts} pieces")
            return
        if msg.part == 0 and not self._pieces:
            self._want, self._parts, self._size = msg.version, msg.parts, msg.size
        if (msg.version, msg.parts, msg.size) != (self._want, self._parts, self._size):
            self._restart(now_m)  # the hub's map changed during the fetch: start over
            return
        if msg.part != len(self._pieces):
            self._stop(f"map piece {msg.part} arrived, piece {len(self._pieces)} was asked for")
            return
        self._pieces.append(msg.data)
        got = sum(len(x) for x in self._pieces)
        if got > self._size:
            self._stop(f"the map's pieces exceed its {self._size} bytes")
            return
        if len(self._pieces) < self._parts:
            self._tries = 0
            self._ask(self._want, len(self._pieces), now_m)
            return
        blob = b"".join(self._pieces)
        try:
            if len(blob) != self._size:
                raise MapError(f"the map has {len(blob)} bytes, {self._size} were announced")
            m = decode_map(blob, self._want)
        except MapError as exc:
            self._stop(str(exc))
            return
        self.cache.put_map(self._want, blob)
        self.version = self._want
        self.downloads += 1
        self._stop("")
        self.emit("district_map", m)
