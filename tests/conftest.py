"""Fixtures every test folder shares (no Qt here: the core tests run without it).

- ``config``: the validated ``config/*.toml`` (session-wide, read-only).
- ``demo_parts``: the demo district and its road graph, built once per session.
- ``frozen_clock``: a :class:`FrozenClock` the test moves by hand, so nothing depends
  on today's date or the time of day.
- ``hub_factory``: started hubs on fresh temporary stores, stopped after the test.
- ``_user_dirs`` (automatic): the XDG user folders (config, data) point at a
  temporary folder of this test process, for the whole session and every process a test
  starts (tests run in parallel processes: see ``.ci/test``).
- ``_key_dir`` (automatic): ``DISPATCH_KEY_DIR`` points at a temporary key directory
  holding a hub key, for the whole session and every process a test starts.

Widget fixtures (a window factory) are in ``tests/widgets/conftest.py``.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from console.config import Config
from console.demo.district import build_demo_district
from console.domain import District
from console.geo.roadgraph import RoadGraph
from console.hub.bootstrap import build_graph, start_embedded_hub
from console.hub.hub import CommandHub

T0 = 1_780_000_000.0
"""A fixed instant for frozen clocks: 2026-05-28 20:26:40 UTC, a Thursday, 04:26 the
next morning in Shanghai (a night hour, so hour-of-day rules are exercised too)."""


class FrozenClock:
    """A hub clock that only moves when the test says so (thread-safe).

    Pass it as ``clock=`` to :class:`CommandHub` (or ``hub_factory``); call
    :meth:`advance` to let timers (acknowledgement deadlines, escalations) fall due."""

    def __init__(self, t: float = T0) -> None:
        self._t = float(t)
        self._lock = threading.Lock()

    def __call__(self) -> float:
        with self._lock:
            return self._t

    def advance(self, seconds: float) -> float:
        """Move the clock forward (never back) and return the new time."""
        if seconds < 0:
            raise ValueError("a frozen clock only moves forward")
        with self._lock:
            self._t += float(seconds)
            return self._t

    def set(self, t: float) -> None:
        """Jump to ``t`` (for a clock that must step back, as a wrong NTP sync does)."""
        with self._lock:
            self._t = float(t)


@dataclass(frozen=True)
class DemoParts:
    """The demo district and its road graph: built once, shared read-only."""

    district: District
    graph: RoadGraph


@pytest.fixture(scope="session", autouse=True)
def _user_dirs(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """``XDG_CONFIG_HOME`` and ``XDG_DATA_HOME`` in a temporary folder of this test process,
    for the whole session and every process a test starts: what the code keeps in the
    user's folders by default (briefings, incident files, Qt's QSettings and file dialog
    history, simulator keys, terminal stores, the default database) never lands in the
    real home, and tests running in parallel processes never read or write each other's.
    (The cache folder is left alone: what lands there is keyed by content, and the shader
    and font caches in it are worth keeping between runs.)"""
    d = tmp_path_factory.mktemp("home")
    names = {"XDG_CONFIG_HOME": "config", "XDG_DATA_HOME": "data"}
    old = {name: os.environ.get(name) for name in names}
    for name, sub in names.items():
        (d / sub).mkdir()
        os.environ[name] = str(d / sub)
    yield d
    for name, value in old.items():
        if value is None:
            os.environ.pop(name, None)
        else:
            os.environ[name] = value


@pytest.fixture(scope="session", autouse=True)
def _key_dir(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """Every test (and every process it starts) keeps its hub and audit keys in a
    temporary key directory, never in the user's config directory."""
    from console.link.keys import KEY_DIR_ENV, create_hub_keys

    d = tmp_path_factory.mktemp("keys")
    create_hub_keys(d)
    old = os.environ.get(KEY_DIR_ENV)
    os.environ[KEY_DIR_ENV] = str(d)
    yield d
    if old is None:
        os.environ.pop(KEY_DIR_ENV, None)
    else:
        os.environ[KEY_DIR_ENV] = old


@pytest.fixture(scope="session", autouse=True)
def _config_dir(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """``DISPATCH_CONFIG_DIR``: the shipped config with the seed rule as its approval
    policy (one supervisor below force level 3, two from level 3), for the whole session
    and every hub process a test starts, so the suite's plans wait for a supervisor as
    its tests expect.  The shipped policy itself (level 1-2 plans dispatched at once) is
    tested on ``config/`` by name in ``tests/hub/test_approval_policy_enforced.py`` and
    the shift scenario."""
    from console.config import CONFIG_DIR_ENV
    from tests.history.shift_data import seed_rule_config

    d = tmp_path_factory.mktemp("config") / "config"
    seed_rule_config(d)
    old = os.environ.get(CONFIG_DIR_ENV)
    os.environ[CONFIG_DIR_ENV] = str(d)
    yield d
    if old is None:
        os.environ.pop(CONFIG_DIR_ENV, None)
    else:
        os.environ[CONFIG_DIR_ENV] = old


@pytest.fixture(scope="session")
def config(_config_dir: Path) -> Config:
    """The validated config of the session (see ``_config_dir``), read-only."""
    from console.config import load_config

    return load_config(_config_dir)


@pytest.fixture(scope="session")
def demo_parts(config: Config) -> DemoParts:
    d = build_demo_district()
    return DemoParts(d, build_graph(d, config))


@pytest.fixture
def frozen_clock() -> FrozenClock:
    return FrozenClock()


HubFactory = Callable[..., CommandHub]


def _hub_factory(base: Path, config: Config) -> Iterator[HubFactory]:
    made: list[CommandHub] = []

    def make(
        name: str = "hub",
        *,
        simulate: bool = False,
        clock: Callable[[], float] | None = None,
        cfg: Config | None = None,
    ) -> CommandHub:
        """A started hub on the demo district, on its own fresh SQLite store."""
        url = f"sqlite:///{base / f'{name}-{len(made)}.sqlite3'}"
        kw = {} if clock is None else {"clock": clock}
        h = start_embedded_hub(url, cfg or config, simulate=simulate, **kw)
        made.append(h)
        return h

    yield make
    for h in reversed(made):
        h.stop()
        h.store.close()


@pytest.fixture
def hub_factory(tmp_path: Path, config: Config) -> Iterator[HubFactory]:
    """``hub_factory(simulate=False, clock=None)`` -> a started hub, stopped at teardown."""
    yield from _hub_factory(tmp_path, config)


@pytest.fixture(scope="module")
def module_hub_factory(
    tmp_path_factory: pytest.TempPathFactory, config: Config
) -> Iterator[HubFactory]:
    """The same, for hubs a whole test module shares (read-mostly widget tests)."""
    yield from _hub_factory(tmp_path_factory.mktemp("hubs"), config)
