"""Evidence of events, and nothing else: a snapshot and a short clip per event.

The worker keeps the last seconds of video in memory as JPEG frames (a ring),
never on disk.  When an event is detected its annotated snapshot is written
at once, and once the post-roll has passed the clip (pre-roll + post-roll)
is written from the ring as MPEG-4.  Files older than the retention period are
removed by :func:`purge`.  Layout: ``<root>/<camera id>/<event id>.jpg|.mp4|.json``.
"""

from __future__ import annotations

import contextlib
import logging
import os
import time
from collections import deque
from dataclasses import dataclass
from pathlib import Path

import cv2
import msgspec
import numpy as np
import platformdirs

from console.video.config import EvidencePolicy
from console.video.records import AnyRecord, EvidenceReady

log = logging.getLogger(__name__)

APP_NAME = "huangpu-dispatch"
EVIDENCE_SUFFIXES = (".jpg", ".mp4", ".json")


def default_root(policy: EvidencePolicy, base: Path | None = None) -> Path:
    """The evidence folder: the policy's ``dir`` (relative to ``base``) or the user data dir."""
    if policy.dir:
        p = Path(policy.dir).expanduser()
        return p if p.is_absolute() or base is None else base / p
    return Path(platformdirs.user_data_dir(APP_NAME)) / "evidence"


@dataclass
class _Pending:
    event_id: str
    t0: float
    t1: float
    snapshot: str


class EvidenceWriter:
    """One camera's pre-roll ring and the clips it still owes."""

    def __init__(
        self,
        root: Path,
        camera_id: str,
        policy: EvidencePolicy,
        clip_width: int = 960,
        detect_delay_s: float = 5.0,
    ) -> None:
        self.dir = root / camera_id
        self.camera_id = camera_id
        self.policy = policy
        self.clip_width = clip_width
        # the ring must still hold the pre-roll when a throw is recognised seconds later
        self.keep_s = policy.pre_s + policy.post_s + detect_delay_s
        self._ring: deque[tuple[float, bytes]] = deque()
        self._pending: list[_Pending] = []
        self._size: tuple[int, int] | None = None

    def push(self, frame: np.ndarray, t: float) -> None:
        """Keep ``frame`` (full size, BGR) in the ring as a JPEG."""
        h, w = frame.shape[:2]
        if w > self.clip_width:
            k = self.clip_width / w
            frame = cv2.resize(
                frame, (self.clip_width, round(h * k) // 2 * 2), interpolation=cv2.INTER_AREA
            )
        self._size = (frame.shape[1], frame.shape[0])
        ok, buf = cv2.imencode(".jpg", frame, [cv2.IMWRITE_JPEG_QUALITY, self.policy.jpeg_quality])
        if ok:
            self._ring.append((t, buf.tobytes()))
        while self._ring and t - self._ring[0][0] > self.keep_s:
            self._ring.popleft()

    def snapshot(self, event_id: str, image: np.ndarray) -> str:
        """Write the annotated snapshot now; returns its path."""
        self.dir.mkdir(parents=True, exist_ok=True)
        path = self.dir / f"{event_id}.jpg"
        ok, buf = cv2.imencode(".jpg", image, [cv2.IMWRITE_JPEG_QUALITY, 90])
        if not ok:
            raise OSError(f"cannot encode the snapshot of {event_id}")
        path.write_bytes(buf.tobytes())
        return str(path)

    def record(self, event_id: str, record: AnyRecord) -> None:
        """Write the event's record as JSON beside its files (what the hub imports)."""
        self.dir.mkdir(parents=True, exist_ok=True)
        data = msgspec.json.encode(record)
        (self.dir / f"{event_id}.json").write_bytes(data)

    def clip_after(self, event_id: str, t_event: float, snapshot: str) -> None:
        """Owe a clip from ``pre_s`` before ``t_event`` to ``post_s`` after it."""
        self._pending.append(
            _Pending(event_id, t_event - self.policy.pre_s, t_event + self.policy.post_s, snapshot)
        )

    def poll(self, t: float, final: bool = False) -> list[EvidenceReady]:
        """Write the clips whose post-roll has passed (all of them when ``final``)."""
        out: list[EvidenceReady] = []
        keep: list[_Pending] = []
        for p in self._pending:
            if t >= p.t1 or final:
                ready = self._write(p)
                if ready is not None:
                    out.append(ready)
            else:
                keep.append(p)
        self._pending = keep
        return out

    def _write(self, p: _Pending) -> EvidenceReady | None:
        frames = [(t, jpg) for t, jpg in self._ring if p.t0 <= t <= p.t1]
        if not frames or self._size is None:
            log.warning("no frames left for the clip of %s", p.event_id)
            return None
        span = frames[-1][0] - frames[0][0]
        fps = (len(frames) - 1) / span if span > 0 else 10.0
        self.dir.mkdir(parents=True, exist_ok=True)
        path = self.dir / f"{p.event_id}.mp4"
        writer = cv2.VideoWriter(str(path), cv2.VideoWriter.fourcc(*"mp4v"), fps, self._size)
        if not writer.isOpened():
            log.error("cannot write the clip %s", path)
            return None
        try:
            for _, jpg in frames:
                img = cv2.imdecode(np.frombuffer(jpg, np.uint8), cv2.IMREAD_COLOR)
                if img is not None and (img.shape[1], img.shape[0]) == self._size:
                    writer.write(img)
        finally:
            writer.release()
        return EvidenceReady(
            camera_id=self.camera_id,
            event_id=p.event_id,
            snapshot=p.snapshot,
            clip=str(path),
            t0=frames[0][0],
            t1=frames[-1][0],
        )


def purge(root: Path, retention_days: float, now: float | None = None) -> int:
    """Delete evidence files older than the retention period; returns how many went."""
    if not root.is_dir():
        return 0
    limit = (time.time() if now is None else now) - retention_days * 86400.0
    removed = 0
    for dirpath, _dirs, files in os.walk(root, topdown=False):
        for name in files:
            if not name.endswith(EVIDENCE_SUFFIXES):
                continue  # only what this module writes
            path = Path(dirpath) / name
            try:
                if path.stat().st_mtime < limit:
                    path.unlink()
                    removed += 1
            except OSError:
                continue
        if Path(dirpath) != root:
            with contextlib.suppress(OSError):
                Path(dirpath).rmdir()  # only succeeds when empty
    return removed
