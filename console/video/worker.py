"""A camera worker: one process per camera, frames decoded and analysed there only.

A reader thread decodes frames as the source delivers them and keeps only the
newest; the analysis loop takes whatever is newest when it is free, so a slow
moment skips frames instead of falling behind a live stream (files read with
``realtime=False`` are analysed frame by frame instead).  Records leave as
msgpack bytes on a multiprocessing queue.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from pathlib import Path

import cv2
import msgspec
import numpy as np

from console.video.config import Camera, EvidencePolicy
from console.video.evidence import EvidenceWriter, purge
from console.video.pipeline import CameraPipeline
from console.video.records import AnyRecord, CameraState, WorkerStats, encode
from console.video.source import SourceError, VideoSource

log = logging.getLogger(__name__)

EXIT_DONE = 0  # the file ended or the worker was stopped
EXIT_BAD_SOURCE = 3  # a file that cannot be read: restarting will not help


class WorkerOptions(msgspec.Struct, frozen=True, kw_only=True):
    """How a worker runs (sent to the child process as msgpack)."""

    evidence_root: str = ""  # empty: no evidence written
    preview_hz: float = 2.0
    preview_width: int = 320
    realtime_files: bool = True  # pace files at their frame rate, as a live camera
    stats_every_s: float = 2.0
    clip_width: int = 960


class _Latest:
    """The newest decoded frame, handed from the reader thread to the analysis loop."""

    def __init__(self) -> None:
        self._cond = threading.Condition()
        self._item: tuple[np.ndarray, float, int] | None = None
        self.closed = False
        self.read = 0
        self.skipped = 0

    def put(self, item: tuple[np.ndarray, float, int]) -> None:
        with self._cond:
            if self._item is not None:
                self.skipped += 1
            self._item = item
            self.read += 1
            self._cond.notify_all()

    def put_wait(self, item: tuple[np.ndarray, float, int], stop: threading.Event) -> None:
        """Hand over ``item`` once the previous one was taken (files analysed frame by frame)."""
        with self._cond:
            while self._item is not None and not stop.is_set():
                self._cond.wait(0.1)
            self._item = item
            self.read += 1
            self._cond.notify_all()

    def close(self) -> None:
        with self._cond:
            self.closed = True
            self._cond.notify_all()

    def get(self, timeout: float) -> tuple[np.ndarray, float, int] | None:
        with self._cond:
            if self._item is None and not self.closed:
                self._cond.wait(timeout)
            item, self._item = self._item, None
            self._cond.notify_all()
            return item


def run_camera(
    camera: Camera,
    policy: EvidencePolicy,
    options: WorkerOptions,
    emit: Callable[[AnyRecord], None],
    stop: threading.Event,
) -> int:
    """Run one camera until its file ends or ``stop``; returns an exit code."""
    evidence_root = Path(options.evidence_root) if options.evidence_root else None
    if evidence_root is not None:
        try:
            purge(evidence_root / camera.id, policy.retention_days)
        except OSError as exc:
            log.warning("camera %s: evidence purge failed: %s", camera.id, exc)
    realtime = options.realtime_files or camera.kind != "file"
    src = VideoSource(
        camera.id,
        camera.spec.source,
        camera.kind,
        loop=camera.spec.loop,
        realtime=options.realtime_files,
        on_state=emit,
        stop=stop,
    )
    latest = _Latest()
    failure: list[str] = []
    max_fps = camera.spec.max_fps

    def reader() -> None:
        last = -1e18
        try:
            for frame, t, idx in src.frames():
                if max_fps > 0 and t - last < 1.0 / max_fps * 0.95:
                    continue
                last = t
                if realtime:
                    latest.put((frame, t, idx))
                else:
                    latest.put_wait((frame, t, idx), stop)
        except SourceError as exc:
            failure.append(str(exc))
        except Exception as exc:  # a decoder crash must reach the supervisor as a state
            log.exception("camera %s: reader failed", camera.id)
            failure.append(f"reader failed: {exc}")
        finally:
            latest.close()

    thread = threading.Thread(target=reader, name=f"read-{camera.id}", daemon=True)
    thread.start()
    pipeline: CameraPipeline | None = None
    processed = 0
    busy = 0.0
    period_start = time.monotonic()
    reported = (0, 0, 0)
    t_last, idx_last = 0.0, 0
    while True:
        item = latest.get(0.5)
        if item is None:
            if latest.closed:
                break
            continue
        frame, t, idx = item
        t_last, idx_last = t, idx
        size = (frame.shape[1], frame.shape[0])
        if pipeline is None or (pipeline.w, pipeline.h) != size:
            evidence = None
            if evidence_root is not None:
                evidence = EvidenceWriter(evidence_root, camera.id, policy, options.clip_width)
            pipeline = CameraPipeline(
                camera,
                size,
                src.fps,
                evidence,
                preview_hz=options.preview_hz,
                preview_width=options.preview_width,
            )
        b0 = time.monotonic()
        for rec in pipeline.process(frame, t, idx):
            emit(rec)
        busy += time.monotonic() - b0
        processed += 1
        now = time.monotonic()
        if now - period_start >= options.stats_every_s:
            emit(
                WorkerStats(
                    camera_id=camera.id,
                    t=time.time(),
                    frames_read=latest.read - reported[0],
                    frames_processed=processed - reported[1],
                    frames_skipped=latest.skipped - reported[2],
                    busy_s=round(busy, 4),
                    period_s=round(now - period_start, 4),
                )
            )
            reported = (latest.read, processed, latest.skipped)
            busy = 0.0
            period_start = now
    if pipeline is not None:
        for rec in pipeline.finish(t_last, idx_last):
            emit(rec)
    thread.join(timeout=5.0)
    if failure:
        emit(CameraState(camera_id=camera.id, t=time.time(), state="failed", reason=failure[0]))
        return EXIT_BAD_SOURCE
    return EXIT_DONE


def _stop_with_parent(stop: object, out: object) -> None:
    """Stop when the process that started this worker is gone: a hub killed outright
    (SIGKILL, OOM killer) cannot stop its workers, and a camera left running would keep
    decoding a stream and writing evidence for nobody."""
    import multiprocessing

    parent = multiprocessing.parent_process()
    if parent is None:
        return

    def watch() -> None:
        parent.join()  # returns when the parent's sentinel closes: it has exited
        log.warning("the hub that started this camera worker is gone: stopping")
        out.cancel_join_thread()  # type: ignore[attr-defined]  # nobody reads the queue now
        stop.set()  # type: ignore[attr-defined]

    threading.Thread(target=watch, name="parent-watch", daemon=True).start()


def worker_main(
    camera_data: bytes,
    policy_data: bytes,
    options_data: bytes,
    out: object,
    stop: object,
) -> None:
    """Entry point of the worker process (spawned): decode the arguments and run."""
    import sys

    logging.basicConfig(
        level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s"
    )
    cv2.setNumThreads(1)  # many cameras share few cores: one thread each
    camera = msgspec.msgpack.decode(camera_data, type=Camera)
    policy = msgspec.msgpack.decode(policy_data, type=EvidencePolicy)
    options = msgspec.msgpack.decode(options_data, type=WorkerOptions)

    def emit(rec: AnyRecord) -> None:
        out.put(encode(rec))  # type: ignore[attr-defined]

    _stop_with_parent(stop, out)
    code = run_camera(camera, policy, options, emit, stop)  # type: ignore[arg-type]
    sys.exit(code)
