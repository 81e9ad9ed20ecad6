"""Incidents from cameras (issue 19): a camera's report opens an incident as a call would.

- **One path.** A thrown object opens a ``thrown_object`` (高空抛物) incident, a crowd
  alarm a ``crowd_crush_risk`` (大客流/踩踏风险) one, at the camera's configured position,
  through :meth:`IncidentCommands.create` -- the intake path of a 110 call, so the
  duplicate check and the first plan follow as for a call.  ``source`` is ``"camera"``
  (machine-raised) and the caller names the camera.
- **Evidence.** Snapshots and clips go into the attachment store's content table
  (``photo_blobs``: bytes once per SHA-256, with a thumbnail), named by the incident's
  chronology (``camera_detection``, ``camera_clip``), and are filed among the incident's
  photos (a ``photos`` row with ``camera_id`` and no unit, migration 0008), so the
  console's photo panel (``GetAttachments``) shows them with the officers' own.  Each
  filing is announced as the incident's ``IncidentChanged`` once it is committed: the
  clip comes a few seconds after the snapshot (it needs the post-roll), and a panel
  showing the incident reloads by itself instead of waiting for Refresh.
- **One event, one incident.** Another report of the same camera and kind while its
  incident is open and recent (``[incidents] throw_merge_s`` / ``crowd_merge_s`` of the
  camera file, hub clock) is merged into it (``MergeIntoIncident``: its call count rises)
  with its own evidence; a resent report (same ``event_id``) changes nothing.
- **Decisions.** ``ConfirmCameraIncident`` keeps it open as a real event;
  ``DismissCameraIncident`` cancels it as a false alarm.  Both are chronology lines, so
  :func:`console.hub.stats.camera_alarms` gives each camera's false-alarm rate.
- **Counts.** A camera counting for a crowd place (``crowd_place``) hands its count to
  :meth:`Crowding.add_count` as its own counter ``camera:<id>``.
- **Who.** Only the role ``camera`` may report, and a camera only for itself (its actor
  is ``camera:<id>`` or ``<id>``).

Live pictures for remote walls: :mod:`console.hub.camera_watch`.

:func:`register` installs it on a hub (the hub calls it once its crowd part exists).
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import cv2
import numpy as np
from sqlalchemy import select

from console.domain import District
from console.hub.camera_watch import CameraWatch
from console.hub.crowding import Crowding
from console.hub.errors import CommandError
from console.hub.incident_commands import IncidentCommands
from console.hub.incidents import IncidentBook
from console.hub.messages import (
    CancelIncident,
    Command,
    CreateIncident,
    Envelope,
    MergeIntoIncident,
)
from console.hub.messages_sensing import (
    CameraReport,
    ConfirmCameraIncident,
    DismissCameraIncident,
    GetCameraEvidence,
    GetCameraIncidents,
    GetCameraStats,
)
from console.hub.publisher import Publisher
from console.hub.stats import camera_alarms
from console.store.db import Store
from console.store.models import IncidentEventRow, IncidentRow
from console.store.models_trust import PhotoBlobRow, PhotoRow
from console.video.config import (
    Camera,
    CameraConfigError,
    CameraFile,
    IncidentPolicy,
    for_district,
    load_cameras,
)

if TYPE_CHECKING:
    from console.hub.hub import CommandHub

log = logging.getLogger(__name__)

SOURCE = "camera"
INCIDENT_TYPES = {"throw": "thrown_object", "crowd": "crowd_crush_risk"}
DETECTION = "camera_detection"
CLIP = "camera_clip"
CONFIRMED = "camera_confirmed"
DISMISSED = "camera_dismissed"
LEVEL = "camera_crowd_level"
THUMB_PX = 160
MAX_LIST = 200


@dataclass
class _Episode:
    """The open incident a camera's reports of one kind merge into."""

    incident_id: int
    last_t: float  # hub clock of its latest report


class Sensing:
    """The camera commands on one hub (run on the hub thread)."""

    def __init__(
        self,
        store: Store,
        incidents: IncidentBook,
        incident_commands: IncidentCommands,
        crowd: Crowding | None,
        clock: Callable[[], float],
        cameras: CameraFile | None = None,
        evidence_dirs: tuple[Path, ...] = (),
        district: District | None = None,
        publish: Publisher | None = None,
    ) -> None:
        """``cameras``: the camera file the hub knows (positions, crowd places, merge
        windows); ``evidence_dirs``: where reports by ``path`` may read files from
        (a camera on the hub's machine writes its evidence there); ``district``: only
        its own cameras are taken (:func:`~console.video.config.for_district`);
        ``publish``: tells the workstations when evidence was filed (none: nobody is told)."""
        self.store = store
        self.incidents = incidents
        self.incident_commands = incident_commands
        self.crowd = crowd
        self.clock = clock
        self.district = district
        self.publish = publish
        self.cameras: dict[str, Camera] = {}
        self.watch: CameraWatch | None = None
        """Who watches which camera live (set by :func:`register`)."""
        self.policy = IncidentPolicy()
        self.evidence_dirs = tuple(p.resolve() for p in evidence_dirs)
        self._episodes: dict[tuple[str, str], _Episode] = {}
        self._events: dict[str, int] = {}  # event id -> incident id
        self._restored = False
        if cameras is not None:
            self.set_cameras(cameras)

    def set_cameras(self, cameras: CameraFile, evidence_dirs: tuple[Path, ...] = ()) -> CameraFile:
        """Take a camera file (and the folders its evidence may be read from); returns the
        cameras taken: those of the hub's district only, each one left out named in the
        log, so a demo camera file never raises incidents in a real district."""
        if self.district is not None:
            cameras, left_out = for_district(cameras, self.district.code, self.district.outline)
            for why in left_out:
                log.warning("%s", why)
        self.cameras = {c.id: c for c in cameras.cameras}
        self.policy = cameras.incidents
        if evidence_dirs:
            self.evidence_dirs = tuple(p.resolve() for p in evidence_dirs)
        return cameras

    def handlers(self) -> dict[type[Command], Callable[[Any, Envelope], Any]]:
        """The command table entries (the hub adds them to its own)."""
        return {
            CameraReport: self.report,
            ConfirmCameraIncident: self.confirm,
            DismissCameraIncident: self.dismiss,
            GetCameraIncidents: self.list_incidents,
            GetCameraEvidence: self.evidence,
            GetCameraStats: lambda c, e: camera_alarms(self.store, c.t0, c.t1),
        }

    # ------------------------------------------------------------------ reports

    def report(self, cmd: CameraReport, env: Envelope) -> dict[str, Any]:
        """A camera's report (see :class:`CameraReport`)."""
        cam = self._camera(cmd, env)
        self._restore()
        if cmd.kind == "count":
            return self._count(cam, cmd)
        if cmd.kind == "clip":
            return self._clip(cam, cmd, env)
        if cmd.kind == "crowd" and cmd.level != "alarm":
            return self._crowd_level(cam, cmd, env)
        if not cmd.event_id.strip():
            raise CommandError(f"a {cmd.kind} report needs its event id")
        known = self._events.get(cmd.event_id)
        if known is not None:  # a resend: already on record
            return {"incident_id": known, "merged": False, "resent": True}
        sha = self._store_evidence(cmd) if (cmd.photo or cmd.path) else ""
        now = self.clock()
        key = (cam.id, cmd.kind)
        ep = self._episodes.get(key)
        window = self.policy.throw_merge_s if cmd.kind == "throw" else self.policy.crowd_merge_s
        text = self._describe(cam, cmd)
        if ep is not None and self.incidents.is_open(ep.incident_id) and now - ep.last_t <= window:
            merged = self.incident_commands.merge(
                MergeIntoIncident(
                    incident_id=ep.incident_id, caller=_caller(cam), description=text
                ),
                env,
            )
            iid, is_merge = int(merged["incident_id"]), True
            result: dict[str, Any] = {}
        else:
            result = self.incident_commands.create(
                CreateIncident(
                    incident_type=INCIDENT_TYPES[cmd.kind],
                    lon=cam.spec.lon,
                    lat=cam.spec.lat,
                    address=cam.spec.name[:200],
                    caller=_caller(cam),
                    description=text,
                    source=SOURCE,
                ),
                env,
            )
            iid, is_merge = int(result["incident_id"]), False
            ep = None
        self._episodes[key] = _Episode(iid, now)
        self._events[cmd.event_id] = iid
        detail = {
            "camera_id": cam.id,
            "camera_name": cam.spec.name,
            "event_id": cmd.event_id,
            "kind": cmd.kind,
            "camera_t": cmd.t,
            "snapshot": sha,
            "merged": is_merge,
        }
        if cmd.kind == "throw":
            detail.update(floor=cmd.floor, height_m=cmd.height_m, release=list(cmd.release))
        else:
            detail.update(level=cmd.level, count=cmd.count, capacity=cmd.capacity)
        self._chronology(iid, env.actor, DETECTION, detail, now, evidence=(cam.id, sha))
        detections = self._count_events(iid, DETECTION)
        return {
            "incident_id": iid,
            "merged": is_merge,
            "detections": detections,
            **{k: v for k, v in result.items() if k in ("plan_id", "plan_error")},
        }

    def _camera(self, cmd: CameraReport, env: Envelope) -> Camera:
        cam = self.cameras.get(cmd.camera_id)
        if cam is None:
            known = ", ".join(self.cameras) or "none configured"
            raise CommandError(f"unknown camera {cmd.camera_id!r} (cameras: {known})")
        if env.actor not in (cam.id, f"camera:{cam.id}"):
            raise CommandError(f"{env.actor!r} may not report for camera {cam.id!r}")
        if cmd.kind not in ("throw", "crowd", "clip", "count"):
            raise CommandError(f"unknown camera report kind {cmd.kind!r}")
        if cmd.kind == "throw" and not cam.throws:
            raise CommandError(f"camera {cam.id} watches no facade: no throw reports")
        if cmd.kind in ("crowd", "count") and not cam.crowd:
            raise CommandError(f"camera {cam.id} counts no crowd")
        if not np.isfinite(cmd.t) or not np.isfinite(cmd.count) or cmd.count < 0:
            raise CommandError("camera report with a time or count that is not a number")
        return cam

    def _count(self, cam: Camera, cmd: CameraReport) -> dict[str, Any]:
        place = cam.spec.crowd_place
        if place is None or self.crowd is None:
            return {"place": None}
        got = self.crowd.add_count(
            place,
            f"camera:{cam.id}",
            self.clock(),
            float(cmd.count),
            source="camera",
            device=f"camera:{cam.id}",
        )
        return {"place": got["place"], "minute": got["minute"]}

    def _clip(self, cam: Camera, cmd: CameraReport, env: Envelope) -> dict[str, Any]:
        iid = self._events.get(cmd.event_id)
        if iid is None:
            iid = self._incident_of_event(cmd.event_id)
        if iid is None:
            raise CommandError(f"no incident for event {cmd.event_id!r} of camera {cam.id}")
        sha = self._store_evidence(cmd)
        detail = {"camera_id": cam.id, "event_id": cmd.event_id, "clip": sha}
        self._chronology(iid, env.actor, CLIP, detail, evidence=(cam.id, sha))
        return {"incident_id": iid, "clip": sha}

    def _crowd_level(self, cam: Camera, cmd: CameraReport, env: Envelope) -> dict[str, Any]:
        """A warning or a return to normal: on the record of the camera's open crowd
        incident if it has one, nothing else (the counts drive the forecast's warnings)."""
        ep = self._episodes.get((cam.id, "crowd"))
        if ep is None or not self.incidents.is_open(ep.incident_id):
            return {"incident_id": None}
        detail = {"camera_id": cam.id, "level": cmd.level, "count": cmd.count}
        self._chronology(ep.incident_id, env.actor, LEVEL, detail)
        return {"incident_id": ep.incident_id}

    @staticmethod
    def _describe(cam: Camera, cmd: CameraReport) -> str:
        if cmd.kind == "throw":
            return (
                f"摄像机 {cam.spec.name} 发现高空抛物: 约 {cmd.floor} 层 ({cmd.height_m:.0f} m)"
                f" / camera {cam.id}: object thrown from floor {cmd.floor}"
            )
        return (
            f"摄像机 {cam.spec.name} 人数 {cmd.count:.0f} / 容量 {cmd.capacity}"
            f" / camera {cam.id}: crowd {cmd.count:.0f} of {cmd.capacity}"
        )

    # ------------------------------------------------------------------ decisions

    def confirm(self, cmd: ConfirmCameraIncident, env: Envelope) -> dict[str, Any]:
        """The operator says the camera was right: the incident goes on as a call."""
        self._decidable(cmd.incident_id)
        self._chronology(cmd.incident_id, env.actor, CONFIRMED, {"note": cmd.note.strip()})
        return {"incident_id": cmd.incident_id, "decision": "confirmed"}

    def dismiss(self, cmd: DismissCameraIncident, env: Envelope) -> dict[str, Any]:
        """A false alarm: the incident is cancelled and counts against its camera."""
        self._decidable(cmd.incident_id)
        reason = cmd.reason.strip() or "no reason given"
        self.incident_commands.cancel(
            CancelIncident(incident_id=cmd.incident_id, reason=f"camera false alarm: {reason}"),
            env,
        )
        self._chronology(cmd.incident_id, env.actor, DISMISSED, {"reason": reason})
        for key, ep in list(self._episodes.items()):
            if ep.incident_id == cmd.incident_id:
                del self._episodes[key]
        return {"incident_id": cmd.incident_id, "decision": "dismissed"}

    def _decidable(self, incident_id: int) -> None:
        with self.store.session() as s:
            row = s.get(IncidentRow, incident_id)
            if row is None:
                raise CommandError(f"no incident {incident_id}")
            if row.source != SOURCE:
                raise CommandError(f"incident {incident_id} was not raised by a camera")
            done = s.scalar(
                select(IncidentEventRow.kind).where(
                    IncidentEventRow.incident_id == incident_id,
                    IncidentEventRow.kind.in_((CONFIRMED, DISMISSED)),
                )
            )
        if done is not None:
            said = "confirmed" if done == CONFIRMED else "dismissed"
            raise CommandError(f"camera incident {incident_id} is already {said}")
        if not self.incidents.is_open(incident_id):
            raise CommandError(f"incident {incident_id} is not open")

    # ------------------------------------------------------------------ reads

    def list_incidents(self, cmd: GetCameraIncidents, env: Envelope) -> list[dict[str, Any]]:
        """The newest camera incidents with their thumbnails (see GetCameraIncidents)."""
        limit = max(1, min(MAX_LIST, cmd.limit))
        out: list[dict[str, Any]] = []
        with self.store.session() as s:
            q = select(IncidentRow).where(IncidentRow.source == SOURCE)
            if cmd.open_only:
                q = q.where(IncidentRow.id.in_(self.incidents.open_ids()))
            rows = s.scalars(q.order_by(IncidentRow.created_at.desc()).limit(limit)).all()
            ids = [r.id for r in rows]
            events: dict[int, list[IncidentEventRow]] = {i: [] for i in ids}
            for e in s.scalars(
                select(IncidentEventRow)
                .where(
                    IncidentEventRow.incident_id.in_(ids),
                    IncidentEventRow.kind.in_((DETECTION, CONFIRMED, DISMISSED)),
                )
                .order_by(IncidentEventRow.t, IncidentEventRow.id)
            ):
                events[e.incident_id].append(e)
            shas = {
                str((ev[0].detail or {}).get("snapshot", ""))
                for ev in events.values()
                if ev and ev[0].kind == DETECTION
            }
            thumbs = {
                sha: bytes(th)
                for sha, th in s.execute(
                    select(PhotoBlobRow.sha256, PhotoBlobRow.thumb).where(
                        PhotoBlobRow.sha256.in_(shas - {""})
                    )
                )
            }
            for r in rows:
                evs = events[r.id]
                dets = [e for e in evs if e.kind == DETECTION]
                first = dict(dets[0].detail or {}) if dets else {}
                said = [e.kind for e in evs if e.kind in (CONFIRMED, DISMISSED)]
                decision = "" if not said else "confirmed" if said[0] == CONFIRMED else "dismissed"
                out.append(
                    {
                        "incident_id": r.id,
                        "incident_type": r.incident_type,
                        "status": r.status,
                        "created_at": r.created_at,
                        "camera_id": first.get("camera_id", ""),
                        "camera_name": first.get("camera_name", ""),
                        "kind": first.get("kind", ""),
                        "floor": first.get("floor"),
                        "count": first.get("count"),
                        "detections": len(dets),
                        "decision": decision,
                        "thumb": thumbs.get(str(first.get("snapshot", "")), b""),
                    }
                )
        return out

    def evidence(self, cmd: GetCameraEvidence, env: Envelope) -> dict[str, Any]:
        """One detection's snapshot or clip in full."""
        with self.store.session() as s:
            if s.get(IncidentRow, cmd.incident_id) is None:
                raise CommandError(f"no incident {cmd.incident_id}")
            evs = s.scalars(
                select(IncidentEventRow)
                .where(
                    IncidentEventRow.incident_id == cmd.incident_id,
                    IncidentEventRow.kind.in_((DETECTION, CLIP)),
                )
                .order_by(IncidentEventRow.t, IncidentEventRow.id)
            ).all()
            dets = [dict(e.detail or {}) for e in evs if e.kind == DETECTION]
            if not dets:
                raise CommandError(f"incident {cmd.incident_id} has no camera detection")
            if not 0 <= cmd.index < len(dets):
                raise CommandError(f"incident {cmd.incident_id} has {len(dets)} detection(s)")
            det = dets[cmd.index]
            if cmd.what == "snapshot":
                sha = str(det.get("snapshot", ""))
            else:
                clips = [
                    dict(e.detail or {})
                    for e in evs
                    if e.kind == CLIP and (e.detail or {}).get("event_id") == det.get("event_id")
                ]
                sha = str(clips[-1].get("clip", "")) if clips else ""
            blob = s.get(PhotoBlobRow, sha) if sha else None
            if blob is None:
                raise CommandError(f"no {cmd.what} on record for incident {cmd.incident_id} yet")
            return {
                "incident_id": cmd.incident_id,
                "what": cmd.what,
                "mime": blob.mime,
                "event_id": det.get("event_id", ""),
                "data": bytes(blob.data),
            }

    # ------------------------------------------------------------------ store

    def _store_evidence(self, cmd: CameraReport) -> str:
        """The evidence bytes in the content table; returns their SHA-256."""
        data = cmd.photo if cmd.photo else self._read(cmd.path)
        limit = self.policy.max_evidence_bytes
        if len(data) > limit:
            raise CommandError(f"evidence of {len(data):,} bytes; at most {limit:,}")
        if not data:
            raise CommandError(f"{cmd.kind} report of camera {cmd.camera_id} without its evidence")
        mime = "video/mp4" if cmd.kind == "clip" else "image/jpeg"
        width = height = 0
        thumb = b""
        if mime == "image/jpeg":
            img = cv2.imdecode(np.frombuffer(data, np.uint8), cv2.IMREAD_COLOR)
            if img is None:
                raise CommandError("the snapshot is not a readable JPEG")
            height, width = img.shape[:2]
            k = THUMB_PX / max(width, height)
            small = cv2.resize(img, (max(1, round(width * k)), max(1, round(height * k))))
            thumb = cv2.imencode(".jpg", small, [cv2.IMWRITE_JPEG_QUALITY, 75])[1].tobytes()
        elif data[4:8] != b"ftyp":
            raise CommandError("the clip is not an MP4 file")
        sha = hashlib.sha256(data).hexdigest()
        with self.store.transaction() as s:
            if s.get(PhotoBlobRow, sha) is None:
                s.add(
                    PhotoBlobRow(
                        sha256=sha,
                        mime=mime,
                        size=len(data),
                        width=width,
                        height=height,
                        data=data,
                        thumb=thumb,
                        created_at=self.clock(),
                    )
                )
        return sha

    def _read(self, path: str) -> bytes:
        """A file a camera on this machine wrote, only from its evidence folders."""
        if not path:
            return b""
        p = Path(path).resolve()
        if not any(p.is_relative_to(d) for d in self.evidence_dirs):
            raise CommandError(f"evidence file {path!r} is outside the cameras' evidence folder")
        try:
            return p.read_bytes()
        except OSError as exc:
            raise CommandError(f"cannot read evidence file {path!r}: {exc.strerror}") from None

    def _chronology(
        self,
        iid: int,
        actor: str,
        kind: str,
        detail: dict[str, Any],
        t: float | None = None,
        evidence: tuple[str, str] | None = None,
    ) -> None:
        """A line of the incident's chronology; ``evidence`` (camera id, SHA-256 of stored
        bytes) is filed with it among the incident's photos in the same transaction, so
        the console's photo panel (``GetAttachments``) shows it next to the officers';
        after the commit the incident is published (``IncidentChanged``: its record has
        new evidence), so a panel showing it reloads without the operator's Refresh."""
        at = self.clock() if t is None else t
        filed = evidence is not None and bool(evidence[1])
        with self.store.transaction() as s:
            s.add(
                IncidentEventRow(incident_id=iid, t=at, actor=actor[:64], kind=kind, detail=detail)
            )
            if filed and evidence is not None:
                cam_id, sha = evidence
                blob = s.get(PhotoBlobRow, sha)
                s.add(
                    PhotoRow(
                        sha256=sha,
                        incident_id=iid,
                        order_id=None,
                        unit_id=None,
                        terminal_key="",
                        camera_id=cam_id,
                        size=blob.size if blob is not None else 0,
                        created_at=at,
                    )
                )
        if filed and self.publish is not None:
            self.publish.incident(iid)  # nothing while it is closed (no open state to send)

    def _count_events(self, iid: int, kind: str) -> int:
        with self.store.session() as s:
            rows = s.scalars(
                select(IncidentEventRow.id).where(
                    IncidentEventRow.incident_id == iid, IncidentEventRow.kind == kind
                )
            ).all()
        return len(rows)

    def _incident_of_event(self, event_id: str) -> int | None:
        self._restore()
        return self._events.get(event_id)

    def _restore(self) -> None:
        """After a restart: the open camera incidents' episodes and events, from the store."""
        if self._restored:
            return
        self._restored = True
        open_ids = self.incidents.open_ids()
        if not open_ids:
            return
        with self.store.session() as s:
            for e in s.scalars(
                select(IncidentEventRow)
                .join(IncidentRow, IncidentRow.id == IncidentEventRow.incident_id)
                .where(
                    IncidentRow.source == SOURCE,
                    IncidentRow.id.in_(open_ids),
                    IncidentEventRow.kind == DETECTION,
                )
                .order_by(IncidentEventRow.t, IncidentEventRow.id)
            ):
                d = dict(e.detail or {})
                key = (str(d.get("camera_id", "")), str(d.get("kind", "")))
                self._episodes[key] = _Episode(e.incident_id, e.t)
                self._events[str(d.get("event_id", ""))] = e.incident_id


def _caller(cam: Camera) -> str:
    return f"摄像机 camera {cam.id}"[:200]


def register(hub: CommandHub) -> Sensing:
    """Install the camera commands on ``hub``; the cameras come from the config folder's
    ``cameras.toml`` when there is one (a bad file is logged and leaves no cameras: the
    console still starts, and ``main.py detect`` names the problem)."""
    cameras: CameraFile | None = None
    dirs: tuple[Path, ...] = ()
    src = getattr(hub.config, "source_dir", None)
    path = Path(src) / "cameras.toml" if src else None
    if path is not None and path.is_file():
        try:
            cameras = load_cameras(path)
        except CameraConfigError as exc:
            log.error("cameras not loaded: %s", exc)
    if cameras is not None:
        from console.video.evidence import default_root

        dirs = (default_root(cameras.evidence, path.parent if path else None),)
    part = Sensing(
        hub.store,
        hub.incidents,
        hub.incident_commands,
        getattr(hub, "crowd", None),
        lambda: hub.clock(),
        cameras,
        dirs,
        district=hub.district,
        publish=hub.publisher,
    )
    hub.handlers.update(part.handlers())
    # live previews to remote walls (the forwarder attaches itself: console/video/previews.py)
    part.watch = CameraWatch(lambda: part.cameras)
    hub.handlers.update(part.watch.handlers())
    return part
