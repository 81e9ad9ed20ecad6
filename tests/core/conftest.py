"""Fixtures for testing the hub's parts one at a time, built from their dependencies
(no hub): a fresh store holding the demo district, the live situation, the incident
book and a publisher that records what it would send, all on a frozen clock.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest

from console.config import Config
from console.hub.incidents import IncidentBook
from console.hub.messages import Event
from console.hub.publisher import Publisher
from console.hub.situation import Situation
from console.hub.workflow import build_engine
from console.planning.engine import PlanEngine
from console.store import repos
from console.store.db import Store, open_store
from tests.conftest import DemoParts, FrozenClock


@pytest.fixture
def store(tmp_path: Path, demo_parts: DemoParts) -> Iterator[Store]:
    """A fresh SQLite store with the demo district's stations, areas and units."""
    s = open_store(f"sqlite:///{tmp_path / 'parts.sqlite3'}")
    with s.transaction() as session:
        repos.DistrictRepo(session).save_district(demo_parts.district)
    yield s
    s.close()


@pytest.fixture
def situation(demo_parts: DemoParts, frozen_clock: FrozenClock) -> Situation:
    """Every unit at home, available since now."""
    sit = Situation(demo_parts.district.units)
    sit.status_since[:] = frozen_clock()
    return sit


@pytest.fixture
def incidents(
    config: Config,
    store: Store,
    demo_parts: DemoParts,
    situation: Situation,
    frozen_clock: FrozenClock,
) -> IncidentBook:
    return IncidentBook(config, store, demo_parts.district, situation, frozen_clock)


@pytest.fixture
def events() -> list[Event]:
    """What the parts published, in order."""
    return []


@pytest.fixture
def publisher(events: list[Event], situation: Situation, incidents: IncidentBook) -> Publisher:
    return Publisher(events.append, situation, incidents)


@pytest.fixture
def released() -> list[int]:
    """Units the parts handed back to the hub as free (its ``release`` callable)."""
    return []


@pytest.fixture(scope="session")
def engine(config: Config, demo_parts: DemoParts) -> PlanEngine:
    """The plan engine on the demo district, coverage weighed by road length."""
    empty = np.zeros(0, dtype=np.float64)
    return build_engine(config, demo_parts.graph, demo_parts.district, (empty, empty, empty, []))
