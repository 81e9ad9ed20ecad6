"""Shared fixtures: the shipped run cards (read once per session; ``config`` is the root's)."""

from __future__ import annotations

import pytest

from console.config import Config
from console.planning.runcards import RunCards, load_run_cards


@pytest.fixture(scope="session")
def cards(config: Config) -> RunCards:
    return load_run_cards(config)
