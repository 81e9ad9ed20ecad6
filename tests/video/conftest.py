"""Small generated camera scenes shared by the video tests (written once per session).

The seeds are from the held-out range and the scenes short (8-12 s at 10 fps):
they exercise the code path end to end; the reported figures come from
``bench/video.py`` on a larger held-out set.
"""

from __future__ import annotations

import pytest

from console.video.scenes import SceneSpec
from tests.video.written import WrittenScene, write_scene

THROW_SPEC = SceneSpec("facade", 902007, fps=10.0, duration=8.0)  # one throw, birds, shake
QUIET_SPEC = SceneSpec("facade", 902008, fps=10.0, duration=8.0)  # no throw: rain, insects
SQUARE_SPEC = SceneSpec("square", 902500, fps=10.0, duration=12.0)


@pytest.fixture(scope="session")
def throw_video(tmp_path_factory: pytest.TempPathFactory) -> WrittenScene:
    """A tower block with one thrown object."""
    return write_scene(THROW_SPEC, tmp_path_factory.mktemp("throw"))


@pytest.fixture(scope="session")
def quiet_video(tmp_path_factory: pytest.TempPathFactory) -> WrittenScene:
    """A tower block with distractors only."""
    return write_scene(QUIET_SPEC, tmp_path_factory.mktemp("quiet"))


@pytest.fixture(scope="session")
def square_video(tmp_path_factory: pytest.TempPathFactory) -> WrittenScene:
    """A square with people walking and standing."""
    return write_scene(SQUARE_SPEC, tmp_path_factory.mktemp("square"))
