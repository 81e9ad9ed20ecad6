"""Scoring the detectors on labelled scenes, through the same path as ``main.py detect``.

Each scene is written as a video file with its camera file, then analysed by
:func:`console.video.cli.detect_file` (decoding included: the codec's losses
are part of the test).  A detected throw matches a true one when its release
time is within :data:`T_TOL` seconds and its release point within one floor
(3 m at the facade) or :data:`PX_TOL` pixels at 640 wide, whichever is
larger; each true throw matches at most once.  The crowd error is the mean
absolute difference between each per-second count and the true number of
people in the walkable region over that second, after :data:`WARMUP_S`.
Each square camera is first calibrated (:func:`calibrate_camera`) on another
clip of the same view with another crowd, as a deployer would with a labelled
clip of that camera; the error with the default coefficients is kept too.
"""

from __future__ import annotations

import math
import tempfile
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

import msgspec
import numpy as np

from console.video.cli import detect_file
from console.video.config import Camera, load_cameras
from console.video.crowd import fit_calibration
from console.video.pipeline import CameraPipeline
from console.video.records import CrowdCount, Detection
from console.video.scenes import Scene, SceneSpec, ThrowLabel
from console.video.source import VideoSource, probe_file

T_TOL = 0.5
PX_TOL = 24.0
WARMUP_S = 5.0
CALIBRATION_SEED_OFFSET = 7919  # the calibration clip's crowd seed, from the scene's


@dataclass
class SceneResult:
    """What one scene gave."""

    name: str
    kind: str
    throws: int = 0
    tp: int = 0
    fp: int = 0
    fn: int = 0
    t_err: list[float] = field(default_factory=list)
    pos_err_m: list[float] = field(default_factory=list)
    floor_ok: list[bool] = field(default_factory=list)
    count_err: list[float] = field(default_factory=list)
    count_err_default: list[float] = field(default_factory=list)
    count_true: list[float] = field(default_factory=list)
    calibration: tuple[float, float] | None = None
    misses: list[str] = field(default_factory=list)
    false_alarms: list[str] = field(default_factory=list)
    distractors: list[str] = field(default_factory=list)
    frames: int = 0


@dataclass
class Summary:
    """Totals over a set of scenes."""

    scenes: list[SceneResult]

    def _sum(self, attr: str) -> int:
        return int(sum(getattr(s, attr) for s in self.scenes))

    @property
    def tp(self) -> int:
        return self._sum("tp")

    @property
    def fp(self) -> int:
        return self._sum("fp")

    @property
    def fn(self) -> int:
        return self._sum("fn")

    @property
    def precision(self) -> float:
        d = self.tp + self.fp
        return self.tp / d if d else 1.0

    @property
    def recall(self) -> float:
        d = self.tp + self.fn
        return self.tp / d if d else 1.0

    def _mean(self, attr: str) -> float | None:
        vals = [v for s in self.scenes for v in getattr(s, attr)]
        return float(np.mean(vals)) if vals else None

    @property
    def crowd_mae(self) -> float | None:
        return self._mean("count_err")

    @property
    def crowd_mae_default(self) -> float | None:
        return self._mean("count_err_default")

    def as_dict(self) -> dict[str, object]:
        floor = [v for s in self.scenes for v in s.floor_ok]
        t_err = self._mean("t_err")
        pos = self._mean("pos_err_m")
        mae = self.crowd_mae
        mae0 = self.crowd_mae_default
        true = self._mean("count_true")
        return {
            "facade_scenes": sum(s.kind == "facade" for s in self.scenes),
            "square_scenes": sum(s.kind == "square" for s in self.scenes),
            "throws": self._sum("throws"),
            "tp": self.tp,
            "fp": self.fp,
            "fn": self.fn,
            "throw_precision": round(self.precision, 4),
            "throw_recall": round(self.recall, 4),
            "release_t_mae_s": None if t_err is None else round(t_err, 3),
            "release_pos_mae_m": None if pos is None else round(pos, 2),
            "floor_exact": round(float(np.mean(floor)), 3) if floor else None,
            "crowd_mae": None if mae is None else round(mae, 2),
            "crowd_mae_uncalibrated": None if mae0 is None else round(mae0, 2),
            "crowd_mean_true": None if true is None else round(true, 1),
            "misses": [m for s in self.scenes for m in s.misses],
            "false_alarms": [m for s in self.scenes for m in s.false_alarms],
        }


def match_throws(
    found: list[Detection], truth: list[ThrowLabel], mpp: float, width: int
) -> tuple[list[tuple[Detection, ThrowLabel]], list[Detection], list[ThrowLabel]]:
    """Pairs (detection, truth), unmatched detections, unmatched truths."""
    tol_px = max(3.0 / mpp, PX_TOL * width / 640)
    pairs: list[tuple[float, int, int]] = []
    for i, d in enumerate(found):
        for j, th in enumerate(truth):
            dt = abs(d.t - th.t)
            dist = math.hypot(d.release[0] - th.release[0], d.release[1] - th.release[1])
            if dt <= T_TOL and dist <= tol_px:
                pairs.append((dt + dist / tol_px, i, j))
    pairs.sort()
    used_d: set[int] = set()
    used_t: set[int] = set()
    matched: list[tuple[Detection, ThrowLabel]] = []
    for _, i, j in pairs:
        if i in used_d or j in used_t:
            continue
        used_d.add(i)
        used_t.add(j)
        matched.append((found[i], truth[j]))
    fps = [d for i, d in enumerate(found) if i not in used_d]
    fns = [th for j, th in enumerate(truth) if j not in used_t]
    return matched, fps, fns


def calibrate_camera(
    video: Path, camera: Camera, counts: list[int], warmup_s: float = WARMUP_S
) -> tuple[float, float]:
    """Crowd coefficients for ``camera`` from a clip and its true count per frame."""
    w, h, fps, _n = probe_file(str(video))
    pipeline = CameraPipeline(camera, (w, h), fps or 25.0)
    s_vals: list[float] = []
    truth: list[float] = []
    for frame, t, idx in VideoSource(camera.id, str(video), "file").frames():
        pipeline.process(frame, t, idx)
        c = pipeline.crowd
        fresh = c is not None and c.samples and c.samples[-1][0] == t
        if fresh and c is not None and t >= warmup_s and idx < len(counts):
            s_vals.append(c.last_s)
            truth.append(float(counts[idx]))
    return fit_calibration(s_vals, truth)


def _counts(
    records: list[object], counts: list[int], fps: float
) -> tuple[list[float], list[float]]:
    err: list[float] = []
    true_l: list[float] = []
    for r in records:
        if isinstance(r, CrowdCount) and r.t >= WARMUP_S:
            lo, hi = round((r.t - 1.0) * fps), round(r.t * fps)
            window = counts[max(0, lo) : max(lo + 1, min(hi, len(counts)))]
            if not window:
                continue
            true = float(np.mean(window))
            err.append(abs(r.count - true))
            true_l.append(true)
    return err, true_l


def evaluate_scene(spec: SceneSpec, workdir: Path, keep: bool = False) -> SceneResult:
    """Write the scene, run the detectors on the file, score them."""
    scene = Scene(spec)
    video, toml, labels_path = scene.write(workdir)
    files = [video, toml, labels_path]
    try:
        camera = load_cameras(toml).cameras[0]
        records = list(detect_file(video, camera))
        res = SceneResult(
            spec.name, spec.kind, frames=scene.n_frames, distractors=scene.labels.distractors
        )
        if spec.kind == "square":
            res.count_err_default, _ = _counts(list(records), scene.labels.counts, spec.fps)
            cal_spec = SceneSpec(
                spec.kind, spec.seed, spec.width, spec.height, spec.fps, spec.duration,
                people_seed=spec.seed + CALIBRATION_SEED_OFFSET,
            )  # fmt: skip
            cal_scene = Scene(cal_spec)
            cal_video, cal_toml, cal_labels = cal_scene.write(workdir)
            files += [cal_video, cal_toml, cal_labels]
            res.calibration = calibrate_camera(cal_video, camera, cal_scene.labels.counts)
            calibrated = Camera(
                id=camera.id,
                kind=camera.kind,
                spec=msgspec.structs.replace(camera.spec, crowd_calibration=res.calibration),
            )
            records = list(detect_file(video, calibrated))
            res.count_err, res.count_true = _counts(list(records), scene.labels.counts, spec.fps)
    finally:
        if not keep:
            for p in files:
                p.unlink(missing_ok=True)
    if spec.kind == "facade":
        mpp = camera.spec.metres_per_pixel or 0.1
        found = [r for r in records if isinstance(r, Detection)]
        truth = scene.labels.throws
        matched, fps, fns = match_throws(found, truth, mpp, spec.width)
        res.throws = len(truth)
        res.tp, res.fp, res.fn = len(matched), len(fps), len(fns)
        for d, th in matched:
            res.t_err.append(abs(d.t - th.t))
            res.pos_err_m.append(
                math.hypot(d.release[0] - th.release[0], d.release[1] - th.release[1]) * mpp
            )
            res.floor_ok.append(d.floor == th.floor)
        for th in fns:
            res.misses.append(f"{spec.name}: t={th.t:.2f} floor {th.floor} size {th.size_px:.1f}px")
        for d in fps:
            res.false_alarms.append(
                f"{spec.name}: t={d.t:.2f} at ({d.release[0]:.0f}, {d.release[1]:.0f}) "
                f"a={d.accel_m_s2} distractors {','.join(scene.labels.distractors)}"
            )
    return res


def evaluate(specs: Iterable[SceneSpec], workdir: Path | None = None) -> Summary:
    """Score every scene (one after the other; see bench/video.py for a parallel run)."""
    out: list[SceneResult] = []
    with tempfile.TemporaryDirectory(prefix="video-eval-") as tmp:
        wd = workdir or Path(tmp)
        for spec in specs:
            out.append(evaluate_scene(spec, wd))
    return Summary(out)
