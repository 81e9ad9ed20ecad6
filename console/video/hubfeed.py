"""From camera workers to the hub: records become ``CameraReport`` commands of role camera.

:class:`HubFeed` turns what a :class:`~console.video.supervisor.CameraSupervisor`
delivers into reports: a :class:`Detection` (throw), a :class:`CrowdAlert`, an
:class:`EvidenceReady` (the clip, sent after its post-roll) and, every
``count_every_s``, the mean of the camera's counts for the hub's crowd forecast.
Previews, states and statistics are not the hub's business: they go to the
listeners only (the video wall; on a stand-alone hub the preview forwarder,
:mod:`console.video.previews`, which sends them on to the remote walls that watch).

:class:`CameraFeed` runs the supervisor and fans its records out to the hub and to
listeners.  An embedded hub (same process, same machine) gets the evidence by path
under the evidence folder; ``inline=True`` sends the bytes instead, as a stand-alone hub
elsewhere would need them.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from concurrent.futures import Future
from pathlib import Path
from typing import TYPE_CHECKING, Any

from console.hub.messages import Envelope, Reply
from console.hub.messages_sensing import CameraReport
from console.video.config import CameraFile
from console.video.evidence import default_root
from console.video.records import AnyRecord, CrowdAlert, CrowdCount, Detection, EvidenceReady
from console.video.supervisor import CameraSupervisor
from console.video.worker import WorkerOptions

if TYPE_CHECKING:
    from console.hub.hub import CommandHub

log = logging.getLogger(__name__)

Send = Callable[[CameraReport], Any]
Listener = Callable[[AnyRecord], None]


class HubFeed:
    """Worker records in (any thread), camera reports out through ``send``."""

    def __init__(
        self,
        send: Send,
        *,
        inline: bool = False,
        count_every_s: float = 60.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.send = send
        self.inline = inline
        self.count_every_s = count_every_s
        self.clock = clock
        self._counts: dict[str, tuple[float, list[float]]] = {}  # camera -> (since, counts)
        self._lock = threading.Lock()

    def __call__(self, rec: AnyRecord) -> None:
        report = self.report_for(rec)
        if report is not None:
            self.send(report)

    def report_for(self, rec: AnyRecord) -> CameraReport | None:
        """The report a record calls for, or None."""
        if isinstance(rec, Detection):
            return CameraReport(
                camera_id=rec.camera_id,
                kind="throw",
                event_id=rec.event_id,
                t=rec.wall_t,
                floor=rec.floor,
                height_m=rec.height_m,
                release=list(rec.release),
                **self._evidence(rec.snapshot),
            )
        if isinstance(rec, CrowdAlert):
            return CameraReport(
                camera_id=rec.camera_id,
                kind="crowd",
                event_id=rec.event_id,
                t=rec.wall_t,
                level=rec.level,
                count=rec.count,
                capacity=rec.capacity,
                **(self._evidence(rec.snapshot) if rec.level == "alarm" else {}),
            )
        if isinstance(rec, EvidenceReady) and rec.clip and rec.event_id.split("-")[-3] == "throw":
            return CameraReport(
                camera_id=rec.camera_id,
                kind="clip",
                event_id=rec.event_id,
                **self._evidence(rec.clip),
            )
        if isinstance(rec, CrowdCount):
            return self._count(rec)
        return None

    def _evidence(self, path: str) -> dict[str, Any]:
        if not path:
            return {}
        if not self.inline:
            return {"path": path}
        try:
            return {"photo": Path(path).read_bytes()}
        except OSError as exc:
            log.error("evidence %s not readable: %s", path, exc)
            return {}

    def _count(self, rec: CrowdCount) -> CameraReport | None:
        now = self.clock()
        with self._lock:
            since, counts = self._counts.setdefault(rec.camera_id, (now, []))
            counts.append(rec.count)
            if now - since < self.count_every_s:
                return None
            self._counts[rec.camera_id] = (now, [])
        mean = sum(counts) / len(counts)
        return CameraReport(camera_id=rec.camera_id, kind="count", t=rec.wall_t, count=mean)


def hub_sender(hub: CommandHub, workstation: str = "cameras") -> Send:
    """Reports into an in-process hub's queue as the camera itself (role ``camera``);
    refusals are logged.  ``sent`` on the function lists each report's future."""
    futures: list[Future[Reply]] = []

    def send(report: CameraReport) -> Future[Reply]:
        env = Envelope(
            request_id=0,
            command=report,
            actor=f"camera:{report.camera_id}",
            role="camera",
            workstation=workstation,
        )
        fut = hub.submit(env)
        fut.add_done_callback(lambda f: _log_refusal(report, f))
        futures.append(fut)
        del futures[:-200]
        return fut

    send.sent = futures  # type: ignore[attr-defined]
    return send


def _log_refusal(report: CameraReport, fut: Future[Reply]) -> None:
    reply = fut.result()
    if not reply.ok:
        log.warning("camera %s: %s report refused: %s", report.camera_id, report.kind, reply.error)


class CameraFeed:
    """The cameras' worker processes, their records to the hub and to the listeners."""

    def __init__(
        self,
        cameras: CameraFile,
        evidence_root: Path,
        send: Send | None,
        *,
        options: WorkerOptions | None = None,
        inline: bool = False,
    ) -> None:
        self.cameras = cameras
        self.evidence_root = evidence_root
        self.hub_feed = (
            HubFeed(send, inline=inline, count_every_s=cameras.incidents.count_every_s)
            if send is not None
            else None
        )
        self._listeners: list[Listener] = []
        self._lock = threading.Lock()
        self.stoppers: list[Callable[[], None]] = []
        """Run after the workers stopped (e.g. the preview forwarder, console/video/previews.py)."""
        self.supervisor = CameraSupervisor(
            cameras.cameras, cameras.evidence, evidence_root, self._on_record, options
        )

    def add_listener(self, listener: Listener) -> Callable[[], None]:
        """``listener(record)`` for every record, on the supervisor's thread; returns the
        function that removes it."""
        with self._lock:
            self._listeners.append(listener)

        def remove() -> None:
            with self._lock:
                if listener in self._listeners:
                    self._listeners.remove(listener)

        return remove

    def start(self) -> CameraFeed:
        self.supervisor.start()
        return self

    def stop(self) -> None:
        self.supervisor.stop()
        stoppers, self.stoppers = self.stoppers, []
        for fn in stoppers:
            try:
                fn()
            except Exception:
                log.exception("stopping a camera feed's companion failed")

    def _on_record(self, rec: AnyRecord) -> None:
        if self.hub_feed is not None:
            try:
                self.hub_feed(rec)
            except Exception:
                log.exception("camera report to the hub failed")
        with self._lock:
            listeners = list(self._listeners)
        for cb in listeners:
            try:
                cb(rec)
            except Exception:
                log.exception("camera record listener failed")


def feed_for_hub(
    hub: CommandHub,
    cameras: CameraFile,
    evidence_root: Path | None = None,
    options: WorkerOptions | None = None,
) -> CameraFeed:
    """A (not yet started) feed of ``cameras`` into the in-process ``hub``: the hub learns
    the cameras and may read evidence from ``evidence_root`` (default: the camera file's).
    Only the cameras the hub takes are started: those of its own district
    (:meth:`~console.hub.sensing.Sensing.set_cameras` names the others in the log)."""
    base = Path(cameras.path).parent if cameras.path else None
    root = evidence_root or default_root(cameras.evidence, base)
    taken = hub.sensing.set_cameras(cameras, (root,))
    return CameraFeed(taken, root, hub_sender(hub), options=options)
