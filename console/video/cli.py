"""``python main.py detect --video FILE --camera FILE.toml --json``: the detectors on a file.

Runs the same :class:`CameraPipeline` as a camera worker, on every frame of
the file as fast as it decodes, and prints one JSON object per line:

- ``{"kind": "throw", "t": release time (s from the start), "frame": N,
  "release": [x, y], "floor": F}`` for each thrown object;
- ``{"kind": "count", "t": s, "count": N}`` once a second for a crowd camera;
- ``{"kind": "crowd_level", "t": s, "level": "warning", "count": N}`` when the
  crowd level changes;
- with ``--evidence DIR`` also ``{"kind": "evidence", "event": id, "snapshot":
  path, "clip": path}`` once an event's clip is written (and throws carry
  their ``"event"`` id).  Nothing is written without ``--evidence``.

A bad camera file or an unreadable video prints one ``error: ...`` line naming
the problem and exits with status 2.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Iterator
from pathlib import Path

import cv2

from console.video.config import Camera, CameraConfigError, EvidencePolicy, load_cameras
from console.video.evidence import EvidenceWriter
from console.video.pipeline import CameraPipeline
from console.video.records import AnyRecord, CrowdAlert, CrowdCount, Detection, EvidenceReady
from console.video.source import SourceError, VideoSource, probe_file


def detect_file(
    video: str | Path,
    camera: Camera,
    evidence_root: Path | None = None,
    policy: EvidencePolicy | None = None,
) -> Iterator[AnyRecord]:
    """Every record the camera's pipeline makes from ``video``, frame by frame."""
    w, h, fps, _n = probe_file(str(video))
    pol = policy or EvidencePolicy()
    evidence = EvidenceWriter(evidence_root, camera.id, pol) if evidence_root else None
    pipeline = CameraPipeline(camera, (w, h), fps or 25.0, evidence)
    src = VideoSource(camera.id, str(video), "file")
    t_last, idx_last = 0.0, 0
    for frame, t, idx in src.frames():
        t_last, idx_last = t, idx
        yield from pipeline.process(frame, t, idx)
    yield from pipeline.finish(t_last + 1.0 / (fps or 25.0), idx_last + 1)


def to_json(rec: AnyRecord, with_evidence: bool) -> dict[str, object] | None:
    """The JSON line for a record, or None for records the CLI does not print."""
    if isinstance(rec, Detection):
        d: dict[str, object] = {
            "kind": "throw",
            "t": round(rec.t, 3),
            "frame": rec.frame,
            "release": [round(rec.release[0], 1), round(rec.release[1], 1)],
            "floor": rec.floor,
        }
        if with_evidence:
            d["event"] = rec.event_id
            d["snapshot"] = rec.snapshot
        return d
    if isinstance(rec, CrowdCount):
        return {"kind": "count", "t": round(rec.t, 3), "count": round(rec.count)}
    if isinstance(rec, CrowdAlert):
        return {
            "kind": "crowd_level",
            "t": round(rec.t, 3),
            "level": rec.level,
            "count": round(rec.count),
        }
    if isinstance(rec, EvidenceReady) and with_evidence:
        return {
            "kind": "evidence",
            "event": rec.event_id,
            "snapshot": rec.snapshot,
            "clip": rec.clip,
        }
    return None


def _human(d: dict[str, object]) -> str:
    k = d["kind"]
    if k == "throw":
        return (
            f"{d['t']:>8}s  THROW  frame {d['frame']}  release {d['release']}  floor {d['floor']}"
        )
    if k == "count":
        return f"{d['t']:>8}s  count {d['count']}"
    if k == "crowd_level":
        return f"{d['t']:>8}s  crowd {d['level']} ({d['count']})"
    return f"          evidence {d.get('snapshot')} {d.get('clip')}"


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="main.py detect",
        description="run the thrown-object and crowd detectors on a video file",
    )
    p.add_argument("--video", required=True, metavar="FILE", help="the video file to analyse")
    p.add_argument(
        "--camera", required=True, metavar="FILE.toml", help="camera file (docs/cameras.md)"
    )
    p.add_argument("--camera-id", metavar="ID", help="which camera of the file (if it has several)")
    p.add_argument("--json", action="store_true", help="one JSON object per line")
    p.add_argument(
        "--evidence", metavar="DIR", type=Path, help="write snapshots and clips of events here"
    )
    return p


def detect_main(argv: list[str] | None = None) -> int:
    """Entry point of ``main.py detect``; returns the exit status."""
    args = _parser().parse_args(argv)
    try:
        cams = load_cameras(args.camera)
        if args.camera_id:
            camera = cams.get(args.camera_id)
        elif len(cams.cameras) == 1:
            camera = cams.cameras[0]
        elif not cams.cameras:
            raise CameraConfigError(Path(args.camera).name, "cameras", "no camera in the file")
        else:
            ids = ", ".join(c.id for c in cams.cameras)
            raise CameraConfigError(
                Path(args.camera).name,
                "cameras",
                f"several cameras ({ids}): choose one with --camera-id",
            )
    except CameraConfigError as exc:
        print(f"error: camera file {exc}", file=sys.stderr)
        return 2
    cv2.utils.logging.setLogLevel(cv2.utils.logging.LOG_LEVEL_SILENT)
    try:
        for rec in detect_file(args.video, camera, args.evidence, cams.evidence):
            d = to_json(rec, args.evidence is not None)
            if d is None:
                continue
            print(json.dumps(d, ensure_ascii=False) if args.json else _human(d), flush=True)
    except SourceError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    except BrokenPipeError:
        return 0
    except OSError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    return 0
