"""The console shows what cameras raised: the snapshot and clip of a camera incident in the
incident's photo panel (as "Camera <id>", opened large, saved with the incident), and each
camera's raised / confirmed / dismissed incidents and false-alarm rate in the statistics."""

from __future__ import annotations

import csv
import json
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import pytest

from console.hub.client import InprocClient
from console.hub.hub import CommandHub
from console.hub.messages_sensing import (
    CameraReport,
    ConfirmCameraIncident,
    DismissCameraIncident,
)
from console.video.config import parse_cameras
from tests.conftest import FrozenClock
from tests.hub.test_sensing import CAMERAS, _camera, _mp4, _ok, _send, _throw
from widgets.bridge import HubBridge
from widgets.workflow.incident_media import IncidentMediaPanel
from widgets.workflow.stats import CAMERAS as CAMERA_TAB
from widgets.workflow.stats import CSV_COLUMNS, TABS, StatsPanel

WAIT_MS = 30_000


@pytest.fixture
def hub(hub_factory: Any, frozen_clock: FrozenClock) -> CommandHub:
    h: CommandHub = hub_factory(clock=frozen_clock)
    h.sensing.set_cameras(parse_cameras(CAMERAS))
    return h


@pytest.fixture
def bridge(hub: CommandHub) -> Iterator[HubBridge]:
    b = HubBridge(InprocClient(hub, actor="op-sun", role="operator", workstation="pytest"))
    b.start()
    yield b
    b.close()


def test_a_camera_s_snapshot_and_clip_show_in_the_incident_s_photos(
    qtbot: Any, hub: CommandHub, bridge: HubBridge, frozen_clock: FrozenClock, tmp_path: Path
) -> None:
    iid = _ok(_camera(hub, _throw("tower-throw-1")))["incident_id"]
    frozen_clock.advance(4)
    clip = _mp4(tmp_path)
    _ok(_camera(hub, CameraReport(camera_id="tower", kind="clip", event_id="tower-throw-1",
                                  photo=clip)))  # fmt: skip
    opened: list[Path] = []
    panel = IncidentMediaPanel(bridge, incident_id=iid, opener=lambda p: opened.append(p) or True)
    qtbot.addWidget(panel)
    qtbot.waitUntil(lambda: panel.loads >= 1, timeout=WAIT_MS)
    assert [(a.kind, a.camera_id) for a in panel.attachments] == [
        ("photo", "tower"),
        ("video", "tower"),
    ]
    assert panel.list.count() == 2
    assert panel.list.item(0).text().startswith("Camera tower\n")
    assert not panel.list.item(0).icon().isNull()
    assert panel.summary() == f"Incident #{iid}: 1 photos, 1 clips"

    snap = panel.attachments[0]
    assert panel.open_attachment(snap.attachment_id)
    qtbot.waitUntil(lambda: snap.attachment_id in panel.viewers, timeout=WAIT_MS)
    viewer = panel.viewers[snap.attachment_id]
    assert "Camera tower" in viewer.windowTitle() and f"#{iid}" in viewer.windowTitle()
    viewer.close()

    job = panel.export_to(tmp_path / "out")
    assert job is not None
    with qtbot.waitSignal(job.done, timeout=WAIT_MS):
        pass
    folder = panel.export_folder(tmp_path / "out")
    manifest = json.loads((folder / "attachments.json").read_text(encoding="utf-8"))
    assert [f["camera"] for f in manifest["files"]] == ["tower", "tower"]
    assert all("tower" in f["file"] for f in manifest["files"])
    assert (folder / manifest["files"][1]["file"]).read_bytes() == clip


def test_the_statistics_show_each_camera_s_false_alarm_rate(
    qtbot: Any, hub: CommandHub, bridge: HubBridge, frozen_clock: FrozenClock, tmp_path: Path
) -> None:
    ids = []
    for k in range(4):
        ids.append(_ok(_camera(hub, _throw(f"d{k}")))["incident_id"])
        frozen_clock.advance(200)  # past the merge window: four incidents
    _ok(_send(hub, ConfirmCameraIncident(incident_id=ids[0])))
    for iid in ids[1:3]:
        _ok(_send(hub, DismissCameraIncident(incident_id=iid, reason="a bird")))

    panel = StatsPanel(bridge, hub.config, clock=frozen_clock)
    qtbot.addWidget(panel)
    panel.load()
    qtbot.waitUntil(lambda: panel.loads == 1, timeout=WAIT_MS)
    table = panel.tables[CAMERA_TAB]
    assert table.rowCount() == 1
    heads = [table.horizontalHeaderItem(j).text() for j in range(table.columnCount())]
    cells = dict(zip(heads, (table.item(0, j).text() for j in range(len(heads))), strict=True))
    assert cells == {
        "Camera": "tower",
        "Name": "复兴东路 12号楼",
        "Raised": "4",
        "Detections": "4",
        "Confirmed": "1",
        "Dismissed": "2",
        "Undecided": "1",
        "False-alarm rate": "67%",
    }
    panel.tabs.setCurrentIndex(TABS.index(CAMERA_TAB))
    assert panel.tabs.tabText(TABS.index(CAMERA_TAB)) == "Cameras"
    names, values = panel.chart_data()
    assert names == ["复兴东路 12号楼"] and values == pytest.approx(
        [66.7]
    )  # the hub rounds the rate to 0.001
    assert not panel.measure_box.isEnabled()  # the camera chart is the false-alarm rate
    panel.tabs.setCurrentIndex(0)
    assert panel.measure_box.isEnabled()

    path = tmp_path / "stats.csv"
    panel.export_csv(path)
    with path.open(encoding="utf-8-sig", newline="") as f:
        rows = list(csv.DictReader(f))
    (cam,) = [r for r in rows if r["level"] == "cameras"]
    assert tuple(rows[0]) == CSV_COLUMNS
    assert (cam["camera"], cam["incidents"], cam["dismissed"]) == ("tower", "4", "2")
    assert float(cam["false_alarm_rate"]) == pytest.approx(0.667)
