"""Camera analytics benchmark: prints ONE JSON line.

    .venv/bin/python bench/video.py            # full run (about 15-30 minutes on 2 cores)
    .venv/bin/python bench/video.py --quick    # a smoke run (keys only, figures meaningless)

1. Accuracy on the held-out scenes (``console.video.scenes.heldout_specs``:
   seeds never used while tuning), each written as a video file and analysed by
   the same code as ``main.py detect``: ``throw_precision``, ``throw_recall``
   (a match is the release time within 0.5 s and the release point within one
   floor), ``crowd_mae`` (people, per-second counts after a 5 s warm-up) beside
   ``crowd_mean_true``; misses and false alarms are listed.
2. Speed of one camera, one thread (``cv2.setNumThreads(1)``: what a camera
   worker gets), decoding included, on a facade scene with a walkable street
   band (both detectors): ``fps_640x480``, ``fps_1280x720``.  Reference in the
   same run: bare MOG2 + connected components on the same frames
   (``ref_mog2_fps_640x480``) and the ratio.
3. ``cameras_at_10fps``: with a hub running (embedded, demo district, units
   moving), N camera worker processes each fed a 640x480 file paced at 10 fps
   (as a live camera; evidence ring and 2 Hz previews on); the largest N for
   which every camera analyses at least 9.5 frames a second over the window.
   ``cameras_trials`` lists the per-N minimum rate.
"""

from __future__ import annotations

import argparse
import json
import multiprocessing as mp
import os
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import cv2
import numpy as np

from console.video.cli import detect_file
from console.video.config import EvidencePolicy, parse_cameras
from console.video.evaluate import SceneResult, Summary, evaluate_scene
from console.video.records import AnyRecord, WorkerStats
from console.video.scenes import Scene, SceneSpec, heldout_specs
from console.video.supervisor import CameraSupervisor
from console.video.worker import WorkerOptions


def _one(args: tuple[SceneSpec, str]) -> SceneResult:
    cv2.setNumThreads(1)
    spec, wd = args
    return evaluate_scene(spec, Path(wd))


def accuracy(specs: list[SceneSpec], workers: int, wd: Path) -> dict[str, Any]:
    if workers > 1:
        with mp.get_context("spawn").Pool(workers) as pool:
            results = pool.map(_one, [(s, str(wd)) for s in specs], chunksize=1)
    else:
        results = [_one((s, str(wd))) for s in specs]
    return Summary(results).as_dict()


def _speed_camera(spec: SceneSpec, wd: Path, loop: bool = False) -> tuple[Path, str]:
    """A facade scene on disk and a camera file watching its facade and its street band."""
    scene = Scene(spec)
    video, toml, _labels = scene.write(wd)
    text = toml.read_text()
    w, h = spec.width, spec.height
    street = f"[[0, {int(h * 0.86)}], [{w}, {int(h * 0.86)}], [{w}, {h - 1}], [0, {h - 1}]]"
    text += (
        f"walkable = {street}\ncapacity = 50\nperson_height_px = [{h * 0.08:.0f}, {h * 0.12:.0f}]\n"
    )
    if loop:
        text += "loop = true\n"
    return video, text


def speed(spec: SceneSpec, wd: Path) -> dict[str, float]:
    cv2.setNumThreads(1)
    video, text = _speed_camera(spec, wd)
    camera = parse_cameras(text).cameras[0]
    t0 = time.perf_counter()
    n = 0
    frames_seen = Scene(spec).n_frames
    for _ in detect_file(video, camera):
        pass
    n = frames_seen
    fps = n / (time.perf_counter() - t0)
    # reference: bare MOG2 + connected components on the decoded grey frames
    cap = cv2.VideoCapture(str(video))
    frames = []
    while True:
        ok, f = cap.read()
        if not ok:
            break
        if f.shape[1] > 640:
            f = cv2.resize(
                f, (640, round(f.shape[0] * 640 / f.shape[1])), interpolation=cv2.INTER_AREA
            )
        frames.append(cv2.cvtColor(f, cv2.COLOR_BGR2GRAY))
    bg = cv2.createBackgroundSubtractorMOG2(detectShadows=False)
    t0 = time.perf_counter()
    for f in frames:
        cv2.connectedComponentsWithStats(bg.apply(f))
    ref = len(frames) / (time.perf_counter() - t0)
    return {"fps": round(fps, 1), "ref": round(ref, 1)}


class _Stats:
    """Collects the workers' throughput reports."""

    def __init__(self) -> None:
        self.stats: list[WorkerStats] = []
        self.lock = threading.Lock()

    def on_record(self, r: AnyRecord) -> None:
        if isinstance(r, WorkerStats):
            with self.lock:
                self.stats.append(r)


def cameras_at_10fps(
    wd: Path, max_cameras: int, window_s: float, warm_s: float, hub: bool
) -> tuple[int, list[dict[str, Any]]]:
    spec = SceneSpec("facade", 903_000, fps=10.0, duration=20.0)
    _video, text = _speed_camera(spec, wd, loop=True)
    the_hub = None
    if hub:
        from console.config import load_config
        from console.hub.bootstrap import start_embedded_hub

        url = f"sqlite:///{wd / 'bench-hub.sqlite3'}"
        the_hub = start_embedded_hub(url, load_config(), simulate=True)
    trials: list[dict[str, Any]] = []
    best = 0
    try:
        for n in range(1, max_cameras + 1):
            cams = "\n".join(text.replace("[cameras.cam]", f"[cameras.c{i}]") for i in range(n))
            col = _Stats()
            stats, lock = col.stats, col.lock
            started = time.monotonic()
            sup = CameraSupervisor(
                parse_cameras(cams).cameras,
                EvidencePolicy(pre_s=3.0, post_s=3.0),
                wd / f"evidence-{n}",
                col.on_record,
                WorkerOptions(realtime_files=True, preview_hz=2.0, stats_every_s=1.0),
            ).start()
            try:
                # wait until every camera reports, then measure over the window
                end = time.monotonic() + 120
                while time.monotonic() < end:
                    with lock:
                        ids = {s.camera_id for s in stats}
                    if len(ids) == n:
                        break
                    time.sleep(0.2)
                time.sleep(warm_s)
                with lock:
                    stats.clear()
                time.sleep(window_s)
                with lock:
                    got = list(stats)
            finally:
                sup.stop()
            rates = {}
            for cid in {f"c{i}" for i in range(n)}:
                mine = [s for s in got if s.camera_id == cid]
                period = sum(s.period_s for s in mine)
                rates[cid] = sum(s.frames_processed for s in mine) / period if period else 0.0
            low = min(rates.values())
            busy = [s.busy_s / s.period_s for s in got if s.period_s > 0]
            trials.append(
                {
                    "cameras": n,
                    "min_fps": round(low, 2),
                    "mean_busy": round(float(np.mean(busy)), 3) if busy else None,
                    "setup_s": round(time.monotonic() - started - warm_s - window_s, 1),
                }
            )
            if low >= 9.5:
                best = n
            else:
                break
    finally:
        if the_hub is not None:
            the_hub.stop()
            the_hub.store.close()
    return best, trials


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    ap.add_argument("--quick", action="store_true", help="tiny smoke run")
    ap.add_argument("--facade", type=int, default=48, help="held-out facade scenes")
    ap.add_argument("--square", type=int, default=10, help="held-out square scenes")
    ap.add_argument("--workers", type=int, default=2, help="processes for the accuracy part")
    ap.add_argument("--max-cameras", type=int, default=12)
    ap.add_argument("--window", type=float, default=10.0, help="seconds measured per camera count")
    ap.add_argument("--no-hub", action="store_true", help="measure cameras without the hub running")
    args = ap.parse_args(argv)
    out: dict[str, Any] = {"bench": "video", "cpus": os.cpu_count()}
    with tempfile.TemporaryDirectory(prefix="bench-video-") as tmp:
        wd = Path(tmp)
        if args.quick:
            specs = [
                SceneSpec("facade", 902_011, fps=10.0, duration=8.0),
                SceneSpec("square", 902_500, fps=10.0, duration=8.0),
            ]
            acc = accuracy(specs, 1, wd)
        else:
            acc = accuracy(heldout_specs(args.facade, args.square), args.workers, wd)
        out.update({k: v for k, v in acc.items() if k not in ("misses", "false_alarms")})
        dur = 3.0 if args.quick else 10.0
        s640 = speed(SceneSpec("facade", 903_001, 640, 480, fps=15.0, duration=dur), wd)
        s720 = speed(SceneSpec("facade", 903_002, 1280, 720, fps=15.0, duration=dur), wd)
        out["fps_640x480"] = s640["fps"]
        out["fps_1280x720"] = s720["fps"]
        out["ref_mog2_fps_640x480"] = s640["ref"]
        out["fps_ratio_to_bare_mog2_640x480"] = round(s640["fps"] / s640["ref"], 3)
        n, trials = cameras_at_10fps(
            wd,
            1 if args.quick else args.max_cameras,
            1.0 if args.quick else args.window,
            0.5 if args.quick else 3.0,
            hub=not args.no_hub,
        )
        out["cameras_at_10fps"] = n
        out["cameras_trials"] = trials
        out["hub_running"] = not args.no_hub
        out["misses"] = acc["misses"]
        out["false_alarms"] = acc["false_alarms"]
    print(json.dumps(out, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    sys.exit(main())
