"""The generated evaluation scenes: the same seed gives the same pixels and sound labels."""

from __future__ import annotations

import hashlib

from console.video.config import parse_cameras
from console.video.scenes import HELDOUT_BASE, Labels, Scene, SceneSpec, dev_specs, heldout_specs


def _digest(scene: Scene, upto: int) -> str:
    h = hashlib.sha256()
    for i, f in enumerate(scene.frames()):
        if i >= upto:
            break
        h.update(f.tobytes())
    return h.hexdigest()


def test_a_seed_makes_the_same_scene() -> None:
    spec = SceneSpec("facade", 902002, fps=10.0, duration=8.0)
    a, b = Scene(spec), Scene(spec)
    assert a.labels == b.labels
    assert _digest(a, 12) == _digest(b, 12)
    assert _digest(Scene(SceneSpec("facade", 902003, fps=10.0, duration=8.0)), 12) != _digest(
        Scene(spec), 12
    )


def test_throw_labels_lie_on_the_facade_and_in_the_clip() -> None:
    for seed in range(902000, 902012):
        spec = SceneSpec("facade", seed, 1280, 720, fps=10.0, duration=8.0)
        s = Scene(spec)
        cam = parse_cameras(s.camera_toml()).cameras[0].spec
        assert cam.facade is not None and cam.metres_per_pixel and cam.ground_y
        xs = [p[0] for p in cam.facade]
        for th in s.labels.throws:
            assert min(xs) <= th.release[0] <= max(xs)
            assert cam.facade[0][1] <= th.release[1] < cam.ground_y
            assert th.t >= 1.5 and th.t_ground < spec.duration
            assert th.floor >= 2 and th.size_px >= 3.0
            height = (cam.ground_y - th.release[1]) * cam.metres_per_pixel
            assert abs(height - th.height_m) < 0.01


def test_square_counts_are_per_frame_and_labels_round_trip() -> None:
    s = Scene(SceneSpec("square", 902501, fps=10.0, duration=4.0))
    list(s.frames())
    assert len(s.labels.counts) == 40 and max(s.labels.counts) > 0
    assert Labels.from_json(s.labels.to_json()) == s.labels


def test_held_out_seeds_never_meet_the_tuning_seeds() -> None:
    dev = {s.seed for s in dev_specs(200, 50)}
    held = {s.seed for s in heldout_specs(200, 50)}
    assert not dev & held and min(held) >= HELDOUT_BASE
    sizes = {(s.width, s.height) for s in heldout_specs()}
    assert sizes == {(640, 480), (1280, 720)}
