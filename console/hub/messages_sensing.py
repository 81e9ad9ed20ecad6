"""Commands of the cameras that raise incidents (handled by :mod:`console.hub.sensing`).

A camera (its worker's feed, :mod:`console.video.hubfeed`) sends one command only,
:class:`CameraReport`, under the role ``camera``: a thrown object, a crowd alarm, the
clip of an event it reported, or its crowd count.  The operators confirm or dismiss
what a camera raised, and read the camera incidents, their evidence and the cameras'
false-alarm figures.  No new events: a camera incident is an incident
(``IncidentChanged`` with ``source == "camera"``).  A workstation on a stand-alone hub
asks for the cameras' live pictures with :class:`WatchCameras` (a lease it renews); they
come on their own socket, not as events (:mod:`console.video.previews`).
"""

from __future__ import annotations

from typing import Literal

import msgspec

from console.hub.messages import Command

STAFF = frozenset({"operator", "supervisor", "admin"})
CAMERA = frozenset({"camera"})
WATCHERS = frozenset({"operator", "supervisor"})
"""Who may watch the cameras live: the people working the calls.  An admin manages
accounts and devices, not incidents, and a camera never reads anything."""
ReportKind = Literal["throw", "crowd", "clip", "count"]


class CameraReport(Command):
    """What a camera saw.  ``kind``:

    - ``throw``: an object thrown from height (``floor``, ``height_m``, ``release``);
    - ``crowd``: the crowd level changed (``level``, ``count``, ``capacity``); an alarm
      opens an incident, a warning or a return to normal goes on its record;
    - ``clip``: the clip of event ``event_id``, written after its post-roll;
    - ``count``: the camera's crowd count (``count``) for the hub's crowd forecast.

    Evidence travels as bytes (``photo``: the snapshot JPEG, or the clip's MP4 for
    ``clip``; the field is named as a terminal's photo so the audit trail masks it) or,
    from a camera on the hub's own machine, as a path under the evidence folder
    (``path``).  ``t``: the camera's UNIX time of the event.  Reply: {"incident_id",
    "merged", "detections"} (``count``: {"place", "minute"} or {"place": None}).
    """

    camera_id: str
    kind: ReportKind
    event_id: str = ""
    t: float = 0.0
    floor: int = 0
    height_m: float = 0.0
    release: list[float] = msgspec.field(default_factory=list)
    level: str = ""
    count: float = 0.0
    capacity: int = 0
    photo: bytes = b""
    path: str = ""


class ConfirmCameraIncident(Command):
    """An operator confirms that a camera incident is real (it stays open, as a call)."""

    incident_id: int
    note: str = ""


class DismissCameraIncident(Command):
    """An operator dismisses a camera incident as a false alarm: it is cancelled and
    counts against its camera's false-alarm rate."""

    incident_id: int
    reason: str = ""


class GetCameraIncidents(Command):
    """The newest camera incidents (``open_only``: still open), with the camera, kind,
    decision, detections and a JPEG thumbnail of the first snapshot."""

    limit: int = 30
    open_only: bool = False


class GetCameraEvidence(Command):
    """The snapshot (``what="snapshot"``) or clip (``"clip"``) of a camera incident, in full:
    {"incident_id", "what", "mime", "data", "event_id"} (the first detection's; ``index``
    picks another detection merged into it)."""

    incident_id: int
    what: Literal["snapshot", "clip"] = "snapshot"
    index: int = 0


class GetCameraStats(Command):
    """Per camera, the incidents raised in [t0, t1) and their decisions: confirmed,
    dismissed, undecided, and the false-alarm rate (dismissed / decided)."""

    t0: float
    t1: float


class WatchCameras(Command):
    """Live previews of ``camera_ids`` (None: every camera of the hub; ``[]``: stop) to the
    workstation that sends it, for ``lease_s`` seconds (clamped to 1-120): it renews the
    lease while its wall is open, so a closed wall or a dead workstation stops the stream.
    Over the network only (the connection's key says where the previews go).  Reply:
    {"cameras": [{"id", "kind", "spec"}] (the spec without its source), "port" (of the
    preview socket, on the hub's host), "lease_s" (granted), "max_preview_bytes",
    "min_interval_s", "window"}."""

    camera_ids: list[str] | None = None
    lease_s: float = 30.0


class GetPreviewStats(Command):
    """The live-preview forwarder's counters: per camera the previews in, per watching
    workstation what was sent, dropped, held in flight (see :mod:`console.video.previews`)."""


SENSING_STAFF_COMMANDS: tuple[type[Command], ...] = (
    ConfirmCameraIncident,
    DismissCameraIncident,
    GetCameraIncidents,
    GetCameraEvidence,
    GetCameraStats,
    GetPreviewStats,
)
SENSING_RIGHTS: dict[type[Command], frozenset[str]] = {
    CameraReport: CAMERA,
    **dict.fromkeys(SENSING_STAFF_COMMANDS, STAFF),
    WatchCameras: WATCHERS,
}
