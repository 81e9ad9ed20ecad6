"""The incident's photo panel follows the camera's evidence by itself (issue 19).

A camera that raises an incident files its snapshot at once and its clip a few seconds
later (the clip needs the post-roll).  Here the records go the way a camera worker's do
(``HubFeed`` turns them into ``CameraReport`` commands of role camera, ``hub_sender``
puts them on a real hub's queue, evidence by path from the evidence folder), and a real
panel on a real bridge shows the incident: it first lists the snapshot alone, then grows
to the clip with nobody pressing Refresh; a burst of evidence reloads it once; another
incident's evidence does not reload it at all.  Loads are counted (``loads``), never timed.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import pytest

from console.hub.client import InprocClient
from console.hub.hub import CommandHub
from console.hub.messages import IncidentChanged, Reply
from console.video.config import parse_cameras
from console.video.hubfeed import HubFeed, hub_sender
from console.video.records import CrowdAlert, Detection, EvidenceReady
from tests.conftest import FrozenClock
from tests.hub.test_sensing import CAMERAS, _jpeg, _mp4
from widgets.bridge import HubBridge
from widgets.workflow.incident_media import IncidentMediaPanel

WAIT_MS = 30_000  # a busy 2-core machine: generous, never asserted on


class Camera:
    """What a camera worker hands the hub for one camera: files in its evidence folder
    and records through the same ``HubFeed`` / ``hub_sender`` as :class:`CameraFeed`."""

    def __init__(self, hub: CommandHub, root: Path, tmp: Path) -> None:
        self.root = root
        self.tmp = tmp
        self.send = hub_sender(hub, workstation="pytest-cameras")
        self.feed = HubFeed(self.send)
        self.n = 0

    def _file(self, camera: str, event: str, suffix: str, data: bytes) -> str:
        path = self.root / camera / f"{event}{suffix}"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
        return str(path)

    def _sent(self) -> Reply:
        reply: Reply = self.send.sent[-1].result(timeout=WAIT_MS / 1000)  # type: ignore[attr-defined]
        assert reply.ok, reply.error
        return reply

    def throw(self, shade: int = 90) -> tuple[str, int]:
        """A detection with its snapshot; (event id, incident id)."""
        self.n += 1
        event = f"tower-throw-{1000 + self.n}-{self.n}"
        self.feed(
            Detection(
                camera_id="tower", event_id=event, t=2.0, frame=20, wall_t=1.0,
                release=(300.0, 120.0), floor=5, height_m=14.0, accel_m_s2=9.6, fall_m=6.0,
                track=[(1.8, 300.0, 110.0), (2.0, 300.0, 120.0)], lon=121.4952, lat=31.2189,
                snapshot=self._file("tower", event, ".jpg", _jpeg(shade)),
            )
        )  # fmt: skip
        return event, int(self._sent().result["incident_id"])

    def clip(self, event: str) -> int:
        """The event's clip, after its post-roll; the incident it was filed with."""
        self.feed(
            EvidenceReady(
                camera_id="tower", event_id=event, snapshot=str(self.root / "tower" / event),
                clip=self._file("tower", event, ".mp4", _mp4(self.tmp)), t0=0.0, t1=5.0,
            )
        )  # fmt: skip
        return int(self._sent().result["incident_id"])

    def crowd_alarm(self) -> int:
        """The square's crowd alarm with its snapshot: an incident of its own."""
        self.n += 1
        event = f"square-crowd-{1000 + self.n}-{self.n}"
        self.feed(
            CrowdAlert(
                camera_id="square", t=30.0, wall_t=1.0, level="alarm", previous="warning",
                count=95.0, capacity=100, event_id=event,
                snapshot=self._file("square", event, ".jpg", _jpeg(200)),
            )
        )  # fmt: skip
        return int(self._sent().result["incident_id"])


@pytest.fixture
def hub(hub_factory: Any, frozen_clock: FrozenClock, tmp_path: Path) -> CommandHub:
    h: CommandHub = hub_factory(clock=frozen_clock)
    h.sensing.set_cameras(parse_cameras(CAMERAS), (tmp_path / "evidence",))
    return h


@pytest.fixture
def camera(hub: CommandHub, tmp_path: Path) -> Camera:
    return Camera(hub, tmp_path / "evidence", tmp_path)


@pytest.fixture
def bridge(hub: CommandHub) -> Iterator[HubBridge]:
    b = HubBridge(InprocClient(hub, actor="op-sun", role="operator", workstation="pytest"))
    b.start()
    yield b
    b.close()


def _settled(qtbot: Any, bridge: HubBridge, panel: IncidentMediaPanel | None = None) -> None:
    """Every hub event so far delivered, no reload due and none on its way."""
    qtbot.waitUntil(
        lambda: bridge.pending_events() == 0 and (panel is None or not panel.reloading),
        timeout=WAIT_MS,
    )


def _shown(panel: IncidentMediaPanel) -> list[tuple[str, str]]:
    return [(a.kind, a.camera_id) for a in panel.attachments]


def test_the_clip_joins_the_snapshot_without_a_refresh(
    qtbot: Any, hub: CommandHub, bridge: HubBridge, camera: Camera
) -> None:
    event, iid = camera.throw()
    _settled(qtbot, bridge)  # the incident's creation is behind us
    panel = IncidentMediaPanel(bridge, incident_id=iid)
    qtbot.addWidget(panel)
    _settled(qtbot, bridge, panel)
    assert panel.loads == 1
    assert _shown(panel) == [("photo", "tower")]
    assert panel.summary() == f"Incident #{iid}: 1 photos, 0 clips"

    assert camera.clip(event) == iid  # seconds later, through the camera's own path
    qtbot.waitUntil(lambda: len(panel.attachments) == 2, timeout=WAIT_MS)
    _settled(qtbot, bridge, panel)
    assert panel.loads == 2  # one reload for the clip, nobody pressed Refresh
    assert _shown(panel) == [("photo", "tower"), ("video", "tower")]
    assert panel.list.count() == 2
    assert panel.list.item(1).text().startswith("Camera tower\n")
    assert panel.summary() == f"Incident #{iid}: 1 photos, 1 clips"

    # a burst: the camera sees the throw again (merged, its own snapshot) and files both
    # clips; every event is queued before the panel hears of any: one reload for all
    again, merged_into = camera.throw(shade=60)
    assert merged_into == iid
    camera.clip(again)
    qtbot.waitUntil(lambda: len(panel.attachments) == 4, timeout=WAIT_MS)
    _settled(qtbot, bridge, panel)
    assert panel.loads == 3
    assert _shown(panel) == [("photo", "tower"), ("video", "tower")] * 2


def test_another_incident_s_evidence_leaves_the_panel_alone(
    qtbot: Any, hub: CommandHub, bridge: HubBridge, camera: Camera
) -> None:
    event, iid = camera.throw()
    _settled(qtbot, bridge)
    panel = IncidentMediaPanel(bridge, incident_id=iid)
    qtbot.addWidget(panel)
    _settled(qtbot, bridge, panel)
    assert panel.loads == 1 and _shown(panel) == [("photo", "tower")]

    seen: list[int] = []
    bridge.incidentChanged.connect(
        lambda ev: seen.append(ev.incident.id) if isinstance(ev, IncidentChanged) else None
    )
    other = camera.crowd_alarm()
    assert other != iid
    qtbot.waitUntil(lambda: other in seen, timeout=WAIT_MS)
    _settled(qtbot, bridge)
    assert other in seen and iid not in seen  # the other incident was announced, not ours
    assert not panel.reloading  # heard, and no reload due
    _settled(qtbot, bridge, panel)
    assert panel.loads == 1
    assert _shown(panel) == [("photo", "tower")]

    # the panel moved on to the other incident follows that one's evidence instead
    panel.set_incident(other)
    _settled(qtbot, bridge, panel)
    loads = panel.loads
    assert _shown(panel) == [("photo", "square")]
    assert camera.clip(event) == iid  # the first incident's clip: not the one shown now
    _settled(qtbot, bridge, panel)
    assert panel.loads == loads and _shown(panel) == [("photo", "square")]
