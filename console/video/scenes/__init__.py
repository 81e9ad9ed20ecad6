"""Labelled synthetic camera scenes: the evaluation set for the detectors.

No redistributable fixed-camera street video exists on the registries, so the
tests and the benchmark make their own: :func:`make_scene` builds one scene
from a seed (deterministic), :meth:`Scene.write` writes its video, camera file
and labels.  Seeds below :data:`HELDOUT_BASE` are for development (tuning);
the reported figures use :func:`heldout_specs`, seeds never used while tuning.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Literal

import cv2
import msgspec
import numpy as np

from console.video.scenes.facade import FacadeScene, make_facade_scene
from console.video.scenes.square import SquareScene, make_square_scene

SceneKind = Literal["facade", "square"]
HELDOUT_BASE = 900_000
DEV_BASE = 100


@dataclass(frozen=True)
class SceneSpec:
    """What to generate: kind, seed, size, frame rate, length."""

    kind: SceneKind
    seed: int
    width: int = 640
    height: int = 480
    fps: float = 15.0
    duration: float = 9.0
    people_seed: int | None = None  # squares: another crowd on the same camera

    @property
    def name(self) -> str:
        base = f"{self.kind}-{self.seed}-{self.width}x{self.height}-{self.fps:g}fps"
        return base if self.people_seed is None else f"{base}-p{self.people_seed}"


@dataclass(frozen=True)
class ThrowLabel:
    """The truth about one throw."""

    t: float  # release time, seconds from the start
    frame: int
    release: tuple[float, float]
    floor: int
    height_m: float
    size_px: float
    t_ground: float


@dataclass
class Labels:
    """Truth for a whole scene: throws, the count per frame, what distractors it holds."""

    throws: list[ThrowLabel] = field(default_factory=list)
    counts: list[int] = field(default_factory=list)
    distractors: list[str] = field(default_factory=list)

    def to_json(self) -> str:
        return json.dumps(asdict(self), ensure_ascii=False)

    @staticmethod
    def from_json(text: str) -> Labels:
        d = json.loads(text)
        throws = [ThrowLabel(**{**t, "release": tuple(t["release"])}) for t in d["throws"]]
        return Labels(throws, list(d["counts"]), list(d["distractors"]))


class Scene:
    """One generated scene: frames on demand, its camera file text and its labels."""

    def __init__(self, spec: SceneSpec) -> None:
        self.spec = spec
        rng = np.random.default_rng(spec.seed)
        self._impl: FacadeScene | SquareScene
        self.labels = Labels()
        if spec.kind == "facade":
            n = int(rng.choice([0, 1, 1, 1, 2]))
            self._impl = make_facade_scene(rng, spec.width, spec.height, spec.duration, n)
            for th in self._impl.throws:
                self.labels.throws.append(
                    ThrowLabel(
                        t=round(th.t_rel, 4),
                        frame=round(th.t_rel * spec.fps),
                        release=(round(th.x0, 2), round(th.y0, 2)),
                        floor=th.floor,
                        height_m=round(th.height_m, 3),
                        size_px=round(max(th.size), 2),
                        t_ground=round(th.t_ground, 3),
                    )
                )
            self.labels.distractors = sorted({m.kind for m in self._impl.movers})
            if self._impl.rain_n:
                self.labels.distractors.append("rain")
            if self._impl.shake is not None:
                self.labels.distractors.append("shake")
            if self._impl.gain.ramps or self._impl.gain.steps:
                self.labels.distractors.append("lighting")
        else:
            people = None if spec.people_seed is None else np.random.default_rng(spec.people_seed)
            self._impl = make_square_scene(rng, spec.width, spec.height, spec.duration, people)

    @property
    def n_frames(self) -> int:
        return round(self.spec.duration * self.spec.fps)

    def frames(self) -> Iterator[np.ndarray]:
        """The BGR frames in order (a scene can be played once: people move on)."""
        fps = self.spec.fps
        impl = self._impl
        counts: list[int] = []
        for i in range(self.n_frames):
            t = i / fps
            if isinstance(impl, SquareScene):
                impl.step(t, 1 / fps)
                counts.append(impl.count())
            yield impl.frame(t, fps)
        if isinstance(impl, SquareScene):
            self.labels.counts = counts

    def camera_toml(self, camera_id: str = "cam", source: str = "scene.mp4") -> str:
        """The camera file a deployer would write for this view."""
        s = self.spec
        lines = [
            f"[cameras.{camera_id}]",
            f'name = "synthetic {s.name}"',
            f'source = "{source}"',
            "lon = 121.4905",
            "lat = 31.2335",
            "heading_deg = 270.0",
            f"frame_size = [{s.width}, {s.height}]",
        ]
        impl = self._impl
        if isinstance(impl, FacadeScene):
            f = impl.fac
            poly = ", ".join(f"[{x}, {y}]" for x, y in f.polygon())
            lines += [
                f"facade = [{poly}]",
                f"metres_per_pixel = {f.mpp:.5f}",
                f"ground_y = {f.ground_y}",
                "floor_height_m = 3.0",
            ]
        else:
            q = impl.sq
            poly = ", ".join(f"[{x:.1f}, {y:.1f}]" for x, y in q.walkable)
            top, bottom = q.person_height_px()
            lines += [
                f"walkable = [{poly}]",
                f"capacity = {q.capacity}",
                f"person_height_px = [{top}, {bottom}]",
            ]
        return "\n".join(lines) + "\n"

    def write(self, directory: Path, fourcc: str = "mp4v") -> tuple[Path, Path, Path]:
        """Write ``<name>.mp4``, ``<name>.toml`` and ``<name>.json`` (labels); returns the paths."""
        directory.mkdir(parents=True, exist_ok=True)
        s = self.spec
        video = directory / f"{s.name}.{'avi' if fourcc == 'MJPG' else 'mp4'}"
        writer = cv2.VideoWriter(
            str(video), cv2.VideoWriter.fourcc(*fourcc), s.fps, (s.width, s.height)
        )
        if not writer.isOpened():
            raise OSError(f"cannot write video {video} with codec {fourcc}")
        try:
            for frame in self.frames():
                writer.write(frame)
        finally:
            writer.release()
        toml = directory / f"{s.name}.toml"
        toml.write_text(self.camera_toml("cam", str(video)), encoding="utf-8")
        labels = directory / f"{s.name}.json"
        labels.write_text(self.labels.to_json(), encoding="utf-8")
        return video, toml, labels


def make_scene(spec: SceneSpec) -> Scene:
    """The scene of ``spec`` (same spec, same pixels)."""
    return Scene(spec)


def _specs(base: int, n_facade: int, n_square: int, hd_every: int) -> list[SceneSpec]:
    out: list[SceneSpec] = []
    for i in range(n_facade):
        hd = hd_every > 0 and i % hd_every == hd_every - 1
        size = (1280, 720) if hd else (640, 480)
        fps = (15.0, 25.0, 10.0)[i % 3]
        out.append(SceneSpec("facade", base + i, *size, fps=fps, duration=9.0))
    for i in range(n_square):
        hd = hd_every > 0 and i % hd_every == hd_every - 1
        size = (1280, 720) if hd else (640, 480)
        out.append(SceneSpec("square", base + 500 + i, *size, fps=10.0, duration=24.0))
    return out


def dev_specs(n_facade: int = 30, n_square: int = 6, hd_every: int = 4) -> list[SceneSpec]:
    """Scenes for tuning (seeds from :data:`DEV_BASE`)."""
    return _specs(DEV_BASE, n_facade, n_square, hd_every)


def heldout_specs(n_facade: int = 40, n_square: int = 8, hd_every: int = 4) -> list[SceneSpec]:
    """Scenes for the reported figures (seeds from :data:`HELDOUT_BASE`, never tuned on)."""
    return _specs(HELDOUT_BASE, n_facade, n_square, hd_every)


def spec_to_json(spec: SceneSpec) -> bytes:
    return msgspec.json.encode(asdict(spec))
