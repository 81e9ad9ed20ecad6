"""Shared fixtures: the shipped config and run cards (read once per session)."""

from __future__ import annotations

import pytest

from console.config import Config, load_config
from console.planning.runcards import RunCards, load_run_cards


@pytest.fixture(scope="session")
def config() -> Config:
    return load_config()


@pytest.fixture(scope="session")
def cards(config: Config) -> RunCards:
    return load_run_cards(config)
