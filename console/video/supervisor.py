"""Runs one worker process per camera and hands their records to the hub (or anyone).

Qt-free: the hub (or a test, or the benchmark) gives a callback, or reads
:attr:`CameraSupervisor.records`.  Workers are spawned (not forked: the hub
process has threads, and the GUI process has Qt), each decodes and analyses
its own camera, and a crashed worker is restarted with backoff while a camera
whose file cannot be read is left failed.  The latest :class:`CameraState` of
every camera is kept for the video wall.
"""

from __future__ import annotations

import logging
import multiprocessing as mp
import queue
import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import msgspec

from console.video.config import Camera, EvidencePolicy
from console.video.records import AnyRecord, CameraState, decode
from console.video.source import Backoff
from console.video.worker import EXIT_BAD_SOURCE, EXIT_DONE, WorkerOptions, worker_main

log = logging.getLogger(__name__)


@dataclass
class _Slot:
    camera: Camera
    process: Any = None
    stop: Any = None
    backoff: Backoff = field(default_factory=lambda: Backoff(first=1.0, cap=60.0))
    restart_at: float | None = None
    done: bool = False
    restarts: int = 0


class CameraSupervisor:
    """One spawned worker per camera; records out through ``on_record`` or :attr:`records`."""

    def __init__(
        self,
        cameras: Iterable[Camera],
        policy: EvidencePolicy,
        evidence_root: Path | None,
        on_record: Callable[[AnyRecord], None] | None = None,
        options: WorkerOptions | None = None,
    ) -> None:
        root = "" if evidence_root is None else str(evidence_root)
        base = options or WorkerOptions()
        self.options = msgspec.structs.replace(base, evidence_root=root)
        self.policy = policy
        self.on_record = on_record
        self.records: queue.Queue[AnyRecord] = queue.Queue()
        self.states: dict[str, CameraState] = {}
        self._ctx = mp.get_context("spawn")
        self._queue: Any = self._ctx.Queue()
        self._slots = {c.id: _Slot(c) for c in cameras}
        self._running = threading.Event()
        self._thread: threading.Thread | None = None
        self._lock = threading.Lock()

    # -------------------------------------------------------------- lifecycle

    def start(self) -> CameraSupervisor:
        """Start every worker and the thread that reads their records."""
        if self._thread is not None:
            return self
        self._running.set()
        for slot in self._slots.values():
            self._spawn(slot)
        self._thread = threading.Thread(target=self._run, name="camera-supervisor", daemon=True)
        self._thread.start()
        return self

    def stop(self, timeout: float = 10.0) -> None:
        """Ask every worker to stop, wait for them, then stop reading."""
        self._running.clear()
        for slot in self._slots.values():
            if slot.stop is not None:
                slot.stop.set()
        deadline = time.monotonic() + timeout
        for slot in self._slots.values():
            p = slot.process
            if p is None:
                continue
            p.join(max(0.1, deadline - time.monotonic()))
            if p.is_alive():
                log.warning("camera %s: worker did not stop, terminating", slot.camera.id)
                p.terminate()
                p.join(2.0)
        if self._thread is not None:
            self._thread.join(timeout=5.0)
            self._thread = None
        self._drain(block=False)
        self._queue.close()
        self._queue.join_thread()

    def alive(self) -> list[str]:
        """Ids of cameras whose worker process is running."""
        return [
            cid for cid, s in self._slots.items() if s.process is not None and s.process.is_alive()
        ]

    def all_done(self) -> bool:
        """True when every worker has finished for good (files ended, bad sources)."""
        return all(s.done for s in self._slots.values())

    def restarts(self, camera_id: str) -> int:
        return self._slots[camera_id].restarts

    # ------------------------------------------------------------------ inner

    def _spawn(self, slot: _Slot) -> None:
        slot.stop = self._ctx.Event()
        args = (
            msgspec.msgpack.encode(slot.camera),
            msgspec.msgpack.encode(self.policy),
            msgspec.msgpack.encode(self.options),
            self._queue,
            slot.stop,
        )
        slot.process = self._ctx.Process(
            target=worker_main, args=args, name=f"camera-{slot.camera.id}", daemon=True
        )
        slot.process.start()
        slot.restart_at = None

    def _deliver(self, rec: AnyRecord) -> None:
        if isinstance(rec, CameraState):
            with self._lock:
                self.states[rec.camera_id] = rec
        if self.on_record is not None:
            try:
                self.on_record(rec)
            except Exception:
                log.exception("camera record handler failed")
        else:
            self.records.put(rec)

    def _drain(self, block: bool) -> int:
        n = 0
        while True:
            try:
                data = (
                    self._queue.get(timeout=0.2) if block and n == 0 else self._queue.get_nowait()
                )
            except (queue.Empty, OSError, ValueError):
                return n
            try:
                rec = decode(data)
            except msgspec.DecodeError:
                log.error("undecodable record from a camera worker")
                continue
            self._deliver(rec)
            n += 1

    def _run(self) -> None:
        while self._running.is_set():
            self._drain(block=True)
            self._watch()

    def _watch(self) -> None:
        now = time.monotonic()
        for slot in self._slots.values():
            p = slot.process
            if slot.done or p is None:
                continue
            if p.is_alive():
                continue
            if slot.restart_at is not None:
                if now >= slot.restart_at and self._running.is_set():
                    slot.restarts += 1
                    self._spawn(slot)
                continue
            code = p.exitcode
            if code in (EXIT_DONE, EXIT_BAD_SOURCE):
                self._drain(block=False)
                slot.done = True
                continue
            delay = slot.backoff.next()
            slot.restart_at = now + delay
            self._deliver(
                CameraState(
                    camera_id=slot.camera.id,
                    t=time.time(),
                    state="down",
                    reason=f"worker exited with code {code}; restarting",
                    retry_in_s=round(delay, 2),
                    attempt=slot.backoff.attempt,
                )
            )
