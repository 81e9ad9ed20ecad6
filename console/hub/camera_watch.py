"""Who watches which camera live: the hub's half of the remote video wall (issue 19).

A workstation on a stand-alone hub sends :class:`WatchCameras` while its wall is open.
The command goes through the boundary like any other (a live session, the right --
operators and supervisors only, :data:`~console.hub.messages_sensing.WATCHERS` -- and an
audit row: who watched which camera is on record), and this part hands the lease to the
preview forwarder (:class:`PreviewPort`, :mod:`console.video.previews`) under the
connection's CURVE key, the one identity a client cannot choose: the forwarder sends
previews only to the connection that holds a live lease, and only for its cameras.

The part never touches a socket or a frame; without a forwarder (an embedded console,
whose wall takes the previews from its own feed, or a hub without ``--cameras``) it
refuses with a sentence saying so.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any, Protocol

import msgspec

from console.hub.errors import CommandError
from console.hub.messages import Command, Envelope
from console.hub.messages_sensing import WATCHERS, GetPreviewStats, WatchCameras
from console.video.config import Camera


class PreviewPort(Protocol):
    """What the hub needs from the preview forwarder."""

    @property
    def port(self) -> int: ...

    def watch(self, key: str, cameras: list[str], lease_s: float, who: str) -> float:
        """Lease ``cameras`` to connection ``key`` (``[]``: end it); the granted lease."""
        ...

    def limits(self) -> dict[str, Any]: ...

    def stats(self) -> dict[str, Any]: ...


def describe(cam: Camera) -> dict[str, Any]:
    """A camera as a remote wall draws it: regions, size, capacity -- never its source
    (a stream URL may carry the camera's password)."""
    spec = msgspec.structs.replace(cam.spec, source="")
    return {"id": cam.id, "kind": cam.kind, "spec": msgspec.to_builtins(spec)}


class CameraWatch:
    """``WatchCameras`` and ``GetPreviewStats`` (hub thread)."""

    def __init__(self, cameras: Callable[[], dict[str, Camera]]) -> None:
        self.cameras = cameras
        self.port: PreviewPort | None = None
        """Set by :func:`console.video.previews.serve_previews` once the forwarder runs."""

    def handlers(self) -> dict[type[Command], Callable[[Any, Envelope], Any]]:
        return {WatchCameras: self.watch, GetPreviewStats: self.stats}

    def watch(self, cmd: WatchCameras, env: Envelope) -> dict[str, Any]:
        if env.role not in WATCHERS:  # the rights table says so too; the part does not rely on it
            raise CommandError(f"role {env.role!r} may not watch the cameras")
        port = self.port
        if port is None:
            raise CommandError(
                "this hub sends no live camera pictures (its cameras do not run here)"
            )
        key = env.source.removeprefix("key:") if env.source.startswith("key:") else ""
        if not key:
            raise CommandError(
                "live camera pictures go to workstations over the network; a console with"
                " its own hub shows its cameras from their feed"
            )
        if not math.isfinite(cmd.lease_s):
            raise CommandError("the lease must be a number of seconds")
        cams = self.cameras()
        ids = list(cams) if cmd.camera_ids is None else list(dict.fromkeys(cmd.camera_ids))
        unknown = [c for c in ids if c not in cams]
        if unknown:
            known = ", ".join(cams) or "none"
            raise CommandError(f"no camera {', '.join(unknown)} on this hub (cameras: {known})")
        lease = port.watch(key, ids, cmd.lease_s, env.actor)
        return {
            "cameras": [describe(cams[c]) for c in ids],
            "port": port.port,
            "lease_s": lease,
            **port.limits(),
        }

    def stats(self, cmd: GetPreviewStats, env: Envelope) -> dict[str, Any]:
        port = self.port
        if port is None:
            return {"serving": False, "cameras": {}, "watchers": []}
        return {"serving": True, **port.stats()}
