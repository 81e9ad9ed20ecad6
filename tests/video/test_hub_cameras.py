"""``main.py hub --cameras FILE``: the stand-alone hub runs the cameras of its own district.

Through a real hub process (``python -m console.link.cli hub --demo``, real CURVE sockets):
a generated tower-block video with one throw, watched by a camera of the file, opens a
machine-raised 高空抛物 incident in the hub's store with its snapshot and clip, and a
signed-in workstation sees both among the incident's photos (``GetAttachments``).  A
camera of the same file standing outside the district is not started and is named in
the hub's log; a file of another district starts none; a bad file stops the hub with a
sentence naming file, key and problem.
"""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import cv2
import numpy as np
import pytest
from sqlalchemy import select

from console.demo.district import DISTRICT_CODE, build_demo_district
from console.hub.messaging import GetAttachment, GetAttachments
from console.link.keys import load_or_create_hub_keys
from console.store.db import Store, open_store
from console.store.models import IncidentEventRow, IncidentRow
from console.store.models_trust import PhotoBlobRow, PhotoRow
from console.video.config import for_district, load_cameras, parse_cameras
from tests.hubtrust.helpers import Desk, add_users
from tests.link.helpers import HubProcess, wait_until
from tests.video.written import WrittenScene

ROOT = Path(__file__).resolve().parents[2]
WAIT_S = 240.0  # a 2-core machine busy with other test runs: generous, never asserted on
FAR = """
[cameras.far]
name = "Pioneer Square, Portland"
source = "{video}"
lon = -122.679
lat = 45.519
walkable = [[0, 100], [640, 100], [640, 480], [0, 480]]
capacity = 100
person_height_px = [20, 60]
"""


def camera_file(scene: WrittenScene, tmp: Path, district: str = DISTRICT_CODE) -> Path:
    """The scene's camera (as ``tower_a``, looping like a live camera) plus one far away,
    for ``district``, with the evidence under ``tmp``."""
    cam = scene.camera.read_text(encoding="utf-8").replace("[cameras.cam]", "[cameras.tower_a]")
    text = (
        f'district = "{district}"\n\n[evidence]\ndir = "{tmp / "evidence"}"\n\n'
        f"{cam}loop = true\n{FAR.format(video=scene.video)}"
    )
    path = tmp / "cameras.toml"
    path.write_text(text, encoding="utf-8")
    return path


def camera_incidents(store: Store) -> list[int]:
    with store.session() as s:
        return list(s.scalars(select(IncidentRow.id).where(IncidentRow.source == "camera")))


def filed(store: Store, iid: int) -> list[tuple[str, str, str]]:
    """(camera id, mime, chronology kind naming it) of the incident's photos rows."""
    with store.session() as s:
        rows = s.execute(
            select(PhotoRow.camera_id, PhotoBlobRow.mime, PhotoRow.sha256)
            .join(PhotoBlobRow, PhotoBlobRow.sha256 == PhotoRow.sha256)
            .where(PhotoRow.incident_id == iid)
            .order_by(PhotoRow.id)
        ).all()
        lines = s.execute(
            select(IncidentEventRow.kind, IncidentEventRow.detail).where(
                IncidentEventRow.incident_id == iid,
                IncidentEventRow.kind.in_(("camera_detection", "camera_clip")),
            )
        ).all()
    named = {str(d.get("snapshot") or d.get("clip")): k for k, d in lines}
    return [(str(c), str(m), named.get(sha, "")) for c, m, sha in rows]


@pytest.fixture
def hub_with_cameras(
    tmp_path: Path, throw_video: WrittenScene
) -> Iterator[tuple[HubProcess, Store, str]]:
    url = f"sqlite:///{tmp_path / 'hub.sqlite3'}"
    keys = load_or_create_hub_keys(tmp_path / "keys")
    add_users(url, ("op", "operator"))
    cams = camera_file(throw_video, tmp_path)
    hub = HubProcess(
        url, tmp_path / "keys", tmp_path / "hub.log", "--demo", "--cameras", str(cams),
        link_only=False,
    )  # fmt: skip
    hub.start(timeout=180)
    store = open_store(url)
    try:
        yield hub, store, keys.public
    finally:
        if hub.proc is not None and hub.proc.poll() is None:
            assert hub.stop() == 0  # SIGTERM: the camera workers are stopped first
        store.close()


def test_the_stand_alone_hub_raises_an_incident_from_its_camera(
    hub_with_cameras: tuple[HubProcess, Store, str], tmp_path: Path
) -> None:
    hub, store, public = hub_with_cameras
    assert wait_until(lambda: len(camera_incidents(store)) >= 1, timeout=WAIT_S), (
        hub.log.read_text()[-3000:]
    )
    (iid,) = camera_incidents(store)  # the looping video's repeats merge into one incident
    with store.session() as s:
        row = s.get(IncidentRow, iid)
        assert row is not None and row.incident_type == "thrown_object"
    # the snapshot with the detection line, the clip once the post-roll is written
    assert wait_until(
        lambda: {k for _, _, k in filed(store, iid)} >= {"camera_detection", "camera_clip"},
        timeout=WAIT_S,
    ), filed(store, iid)
    assert {c for c, _, _ in filed(store, iid)} == {"tower_a"}
    log = hub.log.read_text(encoding="utf-8")
    assert "cameras started (1): tower_a" in log
    assert "camera 'far' (Pioneer Square, Portland) stands outside district" in log
    assert not list((tmp_path / "evidence").glob("far*")), "the far camera never ran"

    # a workstation over tcp sees the camera's evidence among the incident's photos
    desk = Desk.to_process(hub, public, "desk-op", "op")
    try:
        items = desk.call(GetAttachments(incident_id=iid))
        kinds = {a["kind"] for a in items}
        assert kinds == {"photo", "video"}
        assert all(a["camera_id"] == "tower_a" and a["call_sign"] == "" for a in items)
        photo = next(a for a in items if a["kind"] == "photo")
        assert cv2.imdecode(np.frombuffer(photo["thumb"], np.uint8), cv2.IMREAD_COLOR) is not None
        full = desk.call(GetAttachment(attachment_id=photo["attachment_id"]))
        img = cv2.imdecode(np.frombuffer(full["data"], np.uint8), cv2.IMREAD_COLOR)
        assert img is not None and img.shape[:2] == (480, 640)
    finally:
        desk.client.close()

    # a hub killed outright cannot stop its camera worker: the worker stops by itself
    assert hub.proc is not None
    workers = children(hub.proc.pid)
    assert workers, "the camera worker runs as a child of the hub"
    hub.kill()
    assert wait_until(lambda: not any(alive(p) for p in workers), timeout=60), workers


def children(pid: int) -> set[int]:
    """Processes whose parent is ``pid`` (Linux /proc)."""
    out = set()
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except (OSError, IndexError):
            continue
        if int(fields[1]) == pid:
            out.add(int(stat.parent.name))
    return out


def alive(pid: int) -> bool:
    """Running (not gone, not a zombie waiting for its new parent to reap it)."""
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (OSError, IndexError):
        return False
    return state not in ("Z", "X")


def test_a_hub_on_a_real_district_starts_none_of_the_demo_cameras(tmp_path: Path) -> None:
    """The shipped camera file (``--cameras`` without a value) on the Portland package."""
    url = f"sqlite:///{tmp_path / 'pdx.sqlite3'}"
    load_or_create_hub_keys(tmp_path / "keys")  # the import is audited with the hub's keys
    imported = subprocess.run(
        [sys.executable, "main.py", "district", "import", "resources/districts/portland",
         "--db", url, "--key-dir", str(tmp_path / "keys")],
        capture_output=True, text=True, cwd=ROOT, timeout=300,
    )  # fmt: skip
    assert imported.returncode == 0, imported.stderr
    hub = HubProcess(url, tmp_path / "keys", tmp_path / "hub.log", "--cameras", link_only=False)
    hub.start(timeout=180)
    try:
        log = hub.log.read_text(encoding="utf-8")
        shipped = load_cameras(ROOT / "config" / "cameras.toml")
        said = next(line for line in log.splitlines() if "all left out (" in line)
        assert "'huangpu_demo', not of 'portland_nij'" in said
        assert all(c.id in said for c in shipped.cameras)  # each one named
        assert "cameras started" not in log
    finally:
        assert hub.stop() == 0


def test_a_bad_camera_file_stops_the_hub_with_file_and_problem(tmp_path: Path) -> None:
    bad = tmp_path / "cams.toml"
    bad.write_text('[cameras.x]\nname = "x"\nsource = "x.mp4"\nlon = 121.49\nlat = 31.23\n')
    run = subprocess.run(
        [sys.executable, "-m", "console.link.cli", "hub", "--demo", "--cameras", str(bad),
         "--db", f"sqlite:///{tmp_path / 'h.sqlite3'}", "--key-dir", str(tmp_path / "k")],
        capture_output=True, text=True, cwd=ROOT, timeout=120,
    )  # fmt: skip
    assert run.returncode == 2
    assert str(bad) in run.stderr and "cameras.x" in run.stderr
    assert "needs a facade" in run.stderr and "without --cameras" in run.stderr
    assert "hub ready" not in run.stdout
    assert not (tmp_path / "h.sqlite3").exists(), "refused before anything was opened"


def test_the_shipped_cameras_are_the_demo_district_s() -> None:
    cams = load_cameras(ROOT / "config" / "cameras.toml")
    assert cams.district == DISTRICT_CODE and cams.cameras
    kept, why = for_district(cams, DISTRICT_CODE, build_demo_district().outline)
    assert why == [] and len(kept.cameras) == len(cams.cameras)


def test_cameras_of_another_district_are_none_of_this_one_s() -> None:
    cams = load_cameras(ROOT / "config" / "cameras.toml")
    portland = ((-122.70, 45.50), (-122.65, 45.50), (-122.65, 45.54), (-122.70, 45.54))
    kept, why = for_district(cams, "portland", portland)
    assert kept.cameras == []
    assert len(why) == 1 and "'huangpu_demo'" in why[0] and "'portland'" in why[0]
    assert all(c.id in why[0] for c in cams.cameras)  # each one named
    # a file naming no district: each camera outside the outline is left out by name
    free = parse_cameras(FAR.format(video="a.mp4"))
    assert for_district(free, "portland", portland)[0].cameras == free.cameras
    kept, why = for_district(free, DISTRICT_CODE, build_demo_district().outline)
    assert kept.cameras == [] and why == [
        f"camera 'far' (Pioneer Square, Portland) stands outside district '{DISTRICT_CODE}': "
        "left out"
    ]


def test_a_district_that_is_not_a_code_is_refused() -> None:
    from console.video.config import CameraConfigError

    with pytest.raises(CameraConfigError, match="district"):
        parse_cameras('district = "huangpu demo!"\n')
