"""Evidence: the pre-roll ring, snapshot, clip and the retention purge."""

from __future__ import annotations

import os
from pathlib import Path

import cv2
import numpy as np

from console.video.config import EvidencePolicy
from console.video.evidence import EvidenceWriter, default_root, purge


def _frame(i: int) -> np.ndarray:
    img = np.full((240, 320, 3), 40, np.uint8)
    cv2.putText(img, str(i), (20, 120), cv2.FONT_HERSHEY_SIMPLEX, 2, (255, 255, 255), 3)
    return img


def test_clip_covers_pre_and_post_roll_and_only_events_are_written(tmp_path: Path) -> None:
    policy = EvidencePolicy(pre_s=1.0, post_s=1.0)
    ev = EvidenceWriter(tmp_path, "cam1", policy)
    fps = 10.0
    ready = []
    for i in range(60):
        t = i / fps
        ev.push(_frame(i), t)
        if i == 30:  # the event happened at 2.5 s, recognised at 3.0 s
            snap = ev.snapshot("e1", _frame(i))
            ev.clip_after("e1", 2.5, snap)
        ready += ev.poll(t)
    assert len(ready) == 1
    r = ready[0]
    assert r.t0 == 1.5 and r.t1 == 3.5
    cap = cv2.VideoCapture(r.clip)
    n = 0
    while cap.read()[0]:
        n += 1
    cap.release()
    assert n == 21  # 1.5 s .. 3.5 s at 10 fps
    assert Path(r.snapshot).read_bytes()[:2] == b"\xff\xd8"  # a JPEG
    # nothing but the event's files on disk
    assert sorted(p.name for p in (tmp_path / "cam1").iterdir()) == ["e1.jpg", "e1.mp4"]


def test_the_ring_keeps_only_a_few_seconds(tmp_path: Path) -> None:
    ev = EvidenceWriter(tmp_path, "c", EvidencePolicy(pre_s=1.0, post_s=1.0), detect_delay_s=1.0)
    for i in range(100):
        ev.push(_frame(i), i / 10.0)
    assert len(ev._ring) <= 31


def test_unfinished_clips_are_written_at_the_end(tmp_path: Path) -> None:
    ev = EvidenceWriter(tmp_path, "c", EvidencePolicy(pre_s=1.0, post_s=5.0))
    for i in range(20):
        ev.push(_frame(i), i / 10.0)
    ev.clip_after("late", 1.5, "")
    assert ev.poll(1.9) == []
    (r,) = ev.poll(1.9, final=True)
    assert Path(r.clip).exists() and r.t1 == 1.9


def test_purge_removes_old_evidence_only(tmp_path: Path) -> None:
    now = 1_780_000_000.0
    cam = tmp_path / "cam1"
    cam.mkdir()
    old, new, other = cam / "a.jpg", cam / "b.mp4", cam / "notes.txt"
    for p in (old, new, other):
        p.write_bytes(b"x")
    os.utime(old, (now - 40 * 86400, now - 40 * 86400))
    os.utime(new, (now - 2 * 86400, now - 2 * 86400))
    os.utime(other, (now - 90 * 86400, now - 90 * 86400))
    assert purge(tmp_path, 30.0, now) == 1
    assert not old.exists() and new.exists() and other.exists()
    assert purge(tmp_path / "missing", 30.0, now) == 0


def test_the_evidence_folder_comes_from_the_policy(tmp_path: Path) -> None:
    assert default_root(EvidencePolicy(dir="ev"), tmp_path) == tmp_path / "ev"
    assert default_root(EvidencePolicy(dir=str(tmp_path / "abs"))) == tmp_path / "abs"
    assert default_root(EvidencePolicy()).name == "evidence"
