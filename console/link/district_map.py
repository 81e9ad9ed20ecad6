"""The district's street map for terminals: packed once by the hub, fetched once by a terminal.

An order card carries only the streets within 450 m of the scene
(:mod:`console.link.card_geo`); far from it the officer would see the route over
a blank background.  So a terminal that draws a map asks the hub, after each
connect, for the whole district's streets (``map_req`` / ``map_part``,
docs/protocol.md §5.3) and keeps them in its local store.  Decided:

- **One blob, content-addressed.**  :class:`DistrictMap` (msgpack, then zlib) holds
  every undirected road segment as little-endian int32 offsets in 1e-7 degrees
  from an origin (lon/lat, so the terminal converts it into the same scene-centred
  metres as the card's route, with no projection of its own to agree on), one
  road-class byte per segment, and the named streets' label points.  Its version
  is the first 16 hex digits of the blob's SHA-256: the terminal sends the version
  it holds and the hub answers "unchanged" without data, so a second start costs
  one small frame.
- **Pulled piece by piece.**  Pieces of at most ``MAP_CHUNK`` (256 KB) bytes, one per
  request, so the link never queues more than one piece per terminal and a frame
  stays far below the frame limit.  The demo 黄浦 is one piece (~40 KB).
- **Checked on arrival.**  :func:`decode_map` refuses a blob whose hash, size,
  compression or fields are wrong (``MapError`` names the problem); the terminal
  keeps what it had.
"""

from __future__ import annotations

import hashlib
import threading
import weakref
import zlib
from dataclasses import dataclass

import msgspec
import numpy as np
import numpy.typing as npt

from console.geo.roadgraph import RoadGraph
from console.link import protocol as p

FORMAT = 1
UNIT_DEG = 1e-7
"""One step of the packed coordinates, in degrees (about 1 cm)."""
LABEL_MIN_M = 60.0
"""Named ways shorter than this get no label point."""
LABELS_MAX = 5000
SEGMENTS_MAX = 4_000_000
MAP_LIMIT = p.MAP_PARTS_MAX * p.MAP_CHUNK
"""Largest compressed blob a terminal accepts (bytes)."""
UNPACKED_LIMIT = 256 * 1024 * 1024
"""Largest blob after decompression (bytes): a zip bomb is refused, not unpacked."""
MAP_REQUESTS_PER_S = 20.0
"""Most map pieces the hub sends one terminal a second (a flood is refused, not served)."""


class MapError(ValueError):
    """A district map that cannot be used; the message names the problem."""


class DistrictMap(msgspec.Struct, array_like=True, forbid_unknown_fields=True):
    """The district's streets.  ``seg``: little-endian int32 (lon0, lat0, lon1, lat1) in
    ``UNIT_DEG`` from (``lon0``, ``lat0``); ``road_class``: one byte per segment
    (console.domain.RoadClass); ``labels``: (name, lon, lat) of named streets, longest first."""

    format: int
    name: str
    lon0: float
    lat0: float
    seg: bytes
    road_class: bytes
    labels: list[tuple[str, float, float]] = []

    def segments_lonlat(self) -> npt.NDArray[np.float64]:
        """(n, 4) lon0, lat0, lon1, lat1 in degrees."""
        q = np.frombuffer(self.seg, dtype="<i4").reshape(-1, 4).astype(np.float64) * UNIT_DEG
        q[:, 0::2] += self.lon0
        q[:, 1::2] += self.lat0
        return q

    def classes(self) -> npt.NDArray[np.int8]:
        return np.frombuffer(self.road_class, dtype=np.int8)


@dataclass(frozen=True)
class PackedMap:
    """A district map ready to serve: its version, size and pieces (each a whole frame)."""

    version: str
    size: int
    frames: tuple[bytes, ...]


_ENC = msgspec.msgpack.Encoder()
_DEC = msgspec.msgpack.Decoder(DistrictMap)


def version_of(blob: bytes) -> str:
    return hashlib.sha256(blob).hexdigest()[:16]


def pack_map(g: RoadGraph, name: str = "") -> bytes:
    """The district's streets as one compressed blob."""
    segs = g.segments_lonlat()
    ll = np.asarray(segs.coords, dtype=np.float64).reshape(-1, 4)
    if len(ll) > SEGMENTS_MAX:
        raise MapError(f"{len(ll)} road segments; a terminal map holds at most {SEGMENTS_MAX}")
    lon0 = round(float((ll[:, 0::2].min() + ll[:, 0::2].max()) / 2), 4) if len(ll) else 0.0
    lat0 = round(float((ll[:, 1::2].min() + ll[:, 1::2].max()) / 2), 4) if len(ll) else 0.0
    q = ll.copy()
    q[:, 0::2] -= lon0
    q[:, 1::2] -= lat0
    seg = np.round(q / UNIT_DEG).astype("<i4").tobytes()
    labels = [
        (lb.name[:64], round(lb.lon, 6), round(lb.lat, 6))
        for lb in g.names_at()
        if lb.length_m >= LABEL_MIN_M
    ][:LABELS_MAX]
    body = DistrictMap(
        format=FORMAT,
        name=name[:64],
        lon0=lon0,
        lat0=lat0,
        seg=seg,
        road_class=np.asarray(segs.road_class, dtype=np.int8).tobytes(),
        labels=labels,
    )
    return zlib.compress(_ENC.encode(body), 9)


def split(blob: bytes) -> PackedMap:
    """The blob as ``map_part`` frames."""
    version = version_of(blob)
    pieces = [blob[i : i + p.MAP_CHUNK] for i in range(0, len(blob), p.MAP_CHUNK)] or [b""]
    if len(pieces) > p.MAP_PARTS_MAX:
        raise MapError(f"district map of {len(blob)} bytes exceeds {MAP_LIMIT}")
    frames = tuple(
        p.encode_hub(
            p.MapPart(version=version, part=k, parts=len(pieces), size=len(blob), data=piece)
        )
        for k, piece in enumerate(pieces)
    )
    return PackedMap(version, len(blob), frames)


def decode_map(blob: bytes, version: str) -> DistrictMap:
    """Check and unpack a fetched (or cached) blob; raises :class:`MapError`."""
    if len(blob) > MAP_LIMIT:
        raise MapError(f"district map of {len(blob)} bytes exceeds {MAP_LIMIT}")
    if version_of(blob) != version:
        raise MapError(f"district map does not match its version {version!r}")
    try:
        z = zlib.decompressobj()
        raw = z.decompress(blob, UNPACKED_LIMIT)
        if z.unconsumed_tail:
            raise MapError(f"district map unpacks to more than {UNPACKED_LIMIT} bytes")
        m = _DEC.decode(raw)
    except MapError:
        raise
    except Exception as exc:  # zlib.error, msgspec errors
        raise MapError(f"district map is unreadable: {exc}") from None
    if m.format != FORMAT:
        raise MapError(f"district map format {m.format} is not {FORMAT}")
    n = len(m.road_class)
    if len(m.seg) != 16 * n:
        raise MapError(f"district map has {len(m.seg)} bytes of segments for {n} road classes")
    if not (-180.0 <= m.lon0 <= 180.0 and -90.0 <= m.lat0 <= 90.0):
        raise MapError(f"district map origin {m.lon0}, {m.lat0} is not a place on earth")
    if n:
        ll = m.segments_lonlat()
        if not (np.abs(ll[:, 0::2]).max() <= 180.0 and np.abs(ll[:, 1::2]).max() <= 90.0):
            raise MapError("district map has points off the earth")
    for name, lon, lat in m.labels:
        if len(name) > 64 or not (abs(lon) <= 180.0 and abs(lat) <= 90.0):
            raise MapError(f"district map has a bad label {name[:64]!r}")
    return m


_packed: weakref.WeakKeyDictionary[RoadGraph, PackedMap] = weakref.WeakKeyDictionary()
_lock = threading.Lock()


def packed_for(g: RoadGraph) -> PackedMap:
    """The graph's map, packed once per graph (the link thread asks on the first request)."""
    with _lock:
        got = _packed.get(g)
        if got is None:
            got = _packed[g] = split(pack_map(g))
        return got


_NO_MAP = p.encode_hub(p.MapPart(version="", part=0, parts=0, size=0, data=b""))


class MapService:
    """The hub's answers to ``map_req`` (link thread only)."""

    def __init__(self, graph: RoadGraph | None) -> None:
        self.graph = graph
        self.served = 0
        """Pieces sent (tests and the link's counters read it)."""
        self._budget: dict[str, tuple[float, float]] = {}

    def answer(self, key: str, req: p.MapRequest, now_m: float) -> bytes:
        """The frame to send back; ``ProtocolError(invalid)`` for a bad or flooding request."""
        tokens, at = self._budget.get(key, (MAP_REQUESTS_PER_S, now_m))
        tokens = min(MAP_REQUESTS_PER_S, tokens + (now_m - at) * MAP_REQUESTS_PER_S)
        if tokens < 1.0:
            self._budget[key] = (tokens, now_m)
            raise p.ProtocolError("invalid", "map requests too fast")
        self._budget[key] = (tokens - 1.0, now_m)
        if len(self._budget) > 100_000:
            self._budget.clear()
        if self.graph is None:
            return _NO_MAP
        m = packed_for(self.graph)
        if req.part == 0 and req.version == m.version:
            return p.encode_hub(
                p.MapPart(version=m.version, part=0, parts=0, size=m.size, data=b"")
            )
        if req.part >= len(m.frames):
            raise p.ProtocolError(
                "invalid", f"map part {req.part} does not exist (the map has {len(m.frames)})"
            )
        self.served += 1
        return m.frames[req.part]
