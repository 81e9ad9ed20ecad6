"""What camera workers report: typed records, msgpack on the wire between processes.

A worker process encodes each record with :func:`encode`; the supervisor (and
later the hub) decodes them with :func:`decode` into one of these tagged
structs.  They carry no frames except :class:`Preview`'s small JPEG, so the
GUI never decodes video.  Times: ``t`` is the camera's own clock (seconds from
the start of a file, or UNIX seconds for live sources); ``wall_t`` is the
worker's UNIX time when the record was made.
"""

from __future__ import annotations

from typing import Literal

import msgspec

CameraStateName = Literal["connecting", "live", "down", "ended", "stopped", "failed"]
CrowdLevel = Literal["normal", "warning", "alarm"]


class Record(msgspec.Struct, tag=True, forbid_unknown_fields=True, kw_only=True, frozen=True):
    """Base of everything a camera worker sends; the tag is the class name."""

    camera_id: str


class CameraState(Record, frozen=True, kw_only=True):
    """Connection state, so the video wall can say a camera is down and when it retries."""

    t: float  # UNIX time of the change
    state: CameraStateName
    reason: str = ""
    retry_in_s: float = 0.0
    attempt: int = 0


class Detection(Record, frozen=True, kw_only=True):
    """An object thrown from height: where and when it left the facade."""

    event_id: str
    kind: Literal["throw"] = "throw"
    t: float  # estimated release time, camera clock
    frame: int  # frame index at release
    wall_t: float
    release: tuple[float, float]  # pixel position (full frame) where the object left the facade
    floor: int
    height_m: float  # release height above the facade's foot
    accel_m_s2: float  # fitted vertical acceleration
    fall_m: float  # observed drop
    track: list[tuple[float, float, float]]  # (t, x, y) in full-frame pixels
    lon: float
    lat: float
    snapshot: str = ""  # path of the annotated JPEG (written at once)


class EvidenceReady(Record, frozen=True, kw_only=True):
    """The clip of an event is written (a few seconds after the detection)."""

    event_id: str
    snapshot: str
    clip: str
    t0: float  # camera clock of the clip's first frame
    t1: float


class CrowdCount(Record, frozen=True, kw_only=True):
    """Once a second: the smoothed count in the walkable region and its level."""

    t: float
    wall_t: float
    count: float  # smoothed
    raw: float  # this second's estimate
    capacity: int
    share: float  # count / capacity
    level: CrowdLevel
    density: float | None = None  # people per m^2 when the area is configured


class CrowdAlert(Record, frozen=True, kw_only=True):
    """The crowd level changed (held for a while, with hysteresis)."""

    t: float
    wall_t: float
    level: CrowdLevel
    previous: CrowdLevel
    count: float
    capacity: int
    event_id: str
    snapshot: str = ""


class Preview(Record, frozen=True, kw_only=True):
    """A small JPEG of the current frame plus what to draw over it (tracks, count)."""

    t: float
    jpeg: bytes
    width: int  # of the JPEG
    height: int
    scale: float  # JPEG pixels per full-frame pixel (overlays are in full-frame pixels)
    tracks: list[list[tuple[float, float]]] = []
    count: float | None = None
    level: CrowdLevel | None = None
    fps: float = 0.0


class WorkerStats(Record, frozen=True, kw_only=True):
    """Throughput of a worker over its last report period (for the supervisor and bench)."""

    t: float
    frames_read: int
    frames_processed: int
    frames_skipped: int
    busy_s: float  # time spent analysing
    period_s: float


AnyRecord = (
    CameraState | Detection | EvidenceReady | CrowdCount | CrowdAlert | Preview | WorkerStats
)

_encoder = msgspec.msgpack.Encoder()
_decoder = msgspec.msgpack.Decoder(AnyRecord)


def encode(record: AnyRecord) -> bytes:
    """msgpack bytes of a record (what crosses the process boundary)."""
    return _encoder.encode(record)


def decode(data: bytes) -> AnyRecord:
    """The record encoded in ``data``."""
    return _decoder.decode(data)
