"""Frames from a video file, a stream or a local device, with reconnection.

``cv2.VideoCapture`` opens all three.  A stream or device that fails to open
or stops delivering is retried with exponential backoff (0.5 s doubling to
30 s, with jitter so a switch reboot does not bring every camera back in the
same instant), and every change is reported as a :class:`CameraState` so the
video wall can say the camera is down and when it tries again.  A file that
cannot be opened is an error (no retry); at its end it either ends or loops.
"""

from __future__ import annotations

import logging
import random
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import cv2
import numpy as np

from console.video.records import CameraState, CameraStateName

log = logging.getLogger(__name__)

OPEN_TIMEOUT_MS = 8000
READ_TIMEOUT_MS = 8000


class SourceError(Exception):
    """A source that cannot be used at all (missing or unreadable file, bad device)."""


@dataclass
class Backoff:
    """Exponential retry delays with jitter; :meth:`reset` after a success."""

    first: float = 0.5
    factor: float = 2.0
    cap: float = 30.0
    jitter: float = 0.2
    attempt: int = 0

    def next(self, rng: random.Random | None = None) -> float:
        base = min(self.cap, self.first * self.factor**self.attempt)
        self.attempt += 1
        r = (rng or random).uniform(-self.jitter, self.jitter)
        return max(0.05, base * (1.0 + r))

    def reset(self) -> None:
        self.attempt = 0


Opener = Callable[[str], "cv2.VideoCapture"]


def open_capture(source: str) -> cv2.VideoCapture:
    """Open a file, URL or device index with timeouts (FFmpeg backend for files and URLs)."""
    if source.strip().isdigit():
        return cv2.VideoCapture(int(source.strip()))
    params = [
        cv2.CAP_PROP_OPEN_TIMEOUT_MSEC,
        OPEN_TIMEOUT_MS,
        cv2.CAP_PROP_READ_TIMEOUT_MSEC,
        READ_TIMEOUT_MS,
    ]
    cap = cv2.VideoCapture(source, cv2.CAP_FFMPEG, params)
    if not cap.isOpened() and "://" not in source:
        cap = cv2.VideoCapture(source)  # another backend may know the file (image sequences)
    return cap


def probe_file(path: str) -> tuple[int, int, float, int]:
    """(width, height, fps, frames) of a video file, or a :class:`SourceError` saying why not."""
    p = Path(path)
    if not p.exists():
        raise SourceError(f"video file not found: {path}")
    if p.is_dir():
        raise SourceError(f"not a video file but a directory: {path}")
    try:
        with p.open("rb") as f:
            f.read(1)
    except OSError as exc:
        raise SourceError(f"cannot read video file {path}: {exc.strerror}") from None
    cap = open_capture(str(p))
    try:
        if not cap.isOpened():
            raise SourceError(f"cannot decode {path}: not a video opencv can read")
        ok, frame = cap.read()
        if not ok or frame is None:
            raise SourceError(f"cannot decode {path}: no frame could be read")
        fps = float(cap.get(cv2.CAP_PROP_FPS) or 0.0)
        n = int(cap.get(cv2.CAP_PROP_FRAME_COUNT) or 0)
        return frame.shape[1], frame.shape[0], fps if 0 < fps < 1000 else 0.0, n
    finally:
        cap.release()


class VideoSource:
    """Frames of one camera as ``(frame, t, index)``; states go to ``on_state``.

    ``t`` is seconds from the start for files and UNIX time for live sources.
    With ``realtime`` a file is paced at its own frame rate (a demo wall or a
    capacity test); otherwise it is read as fast as it decodes.
    """

    def __init__(
        self,
        camera_id: str,
        source: str,
        kind: str,
        *,
        loop: bool = False,
        realtime: bool = False,
        on_state: Callable[[CameraState], None] | None = None,
        opener: Opener = open_capture,
        clock: Callable[[], float] = time.time,
        backoff: Backoff | None = None,
        stop: threading.Event | None = None,
    ) -> None:
        self.camera_id = camera_id
        self.source = source
        self.kind = kind
        self.loop = loop
        self.realtime = realtime
        self.on_state = on_state
        self.opener = opener
        self.clock = clock
        self.backoff = backoff or Backoff()
        self.stop = stop or threading.Event()
        self.state: CameraStateName = "connecting"
        self.fps = 0.0
        self.size: tuple[int, int] | None = None

    def _say(self, state: CameraStateName, reason: str = "", retry: float = 0.0) -> None:
        self.state = state
        if self.on_state is not None:
            self.on_state(
                CameraState(
                    camera_id=self.camera_id,
                    t=self.clock(),
                    state=state,
                    reason=reason,
                    retry_in_s=round(retry, 2),
                    attempt=self.backoff.attempt,
                )
            )

    def frames(self) -> Iterator[tuple[np.ndarray, float, int]]:
        """Frames until the file ends or ``stop`` is set; live sources reconnect for ever."""
        if self.kind == "file":
            yield from self._file()
        else:
            yield from self._live()
        if self.stop.is_set():
            self._say("stopped")

    def _file(self) -> Iterator[tuple[np.ndarray, float, int]]:
        self._say("connecting")
        try:
            w, h, fps, _n = probe_file(self.source)
        except SourceError as exc:
            self._say("failed", str(exc))
            raise
        self.size, self.fps = (w, h), fps or 25.0
        idx = 0
        offset = 0.0
        while not self.stop.is_set():
            cap = self.opener(self.source)
            if not cap.isOpened():
                self._say("failed", f"cannot open {self.source}")
                raise SourceError(f"cannot open video file {self.source}")
            self._say("live")
            start = time.monotonic()
            first = idx
            try:
                while not self.stop.is_set():
                    ok, frame = cap.read()
                    if not ok or frame is None:
                        break
                    t = offset + (idx - first) / self.fps
                    if self.realtime:
                        delay = start + (idx - first) / self.fps - time.monotonic()
                        if delay > 0 and self.stop.wait(delay):
                            break
                    yield frame, t, idx
                    idx += 1
            finally:
                cap.release()
            offset += (idx - first) / self.fps
            if not self.loop or idx == first:
                break
        if not self.stop.is_set():
            self._say("ended", "end of file")

    def _live(self) -> Iterator[tuple[np.ndarray, float, int]]:
        idx = 0
        while not self.stop.is_set():
            self._say("connecting")
            cap = self.opener(self.source)
            if not cap.isOpened():
                cap.release()
                delay = self.backoff.next()
                self._say("down", f"cannot open {self.source}", delay)
                if self.stop.wait(delay):
                    break
                continue
            fps = float(cap.get(cv2.CAP_PROP_FPS) or 0.0)
            self.fps = fps if 0 < fps < 1000 else 25.0
            got_one = False
            reason = "stream lost"
            try:
                while not self.stop.is_set():
                    ok, frame = cap.read()
                    if not ok or frame is None:
                        break
                    if not got_one:
                        got_one = True
                        self.backoff.reset()
                        self.size = (frame.shape[1], frame.shape[0])
                        self._say("live")
                    yield frame, self.clock(), idx
                    idx += 1
            except cv2.error as exc:
                reason = f"decoder error: {exc}"
            finally:
                cap.release()
            if self.stop.is_set():
                break
            if not got_one:
                reason = "opened but no frame arrived"
            delay = self.backoff.next()
            log.warning("camera %s: %s; retry in %.1f s", self.camera_id, reason, delay)
            self._say("down", reason, delay)
            if self.stop.wait(delay):
                break
