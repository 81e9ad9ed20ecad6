"""A past shift on a real hub, shared by the history tests of one module (read-mostly)."""

from __future__ import annotations

import pytest

from tests.conftest import FrozenClock, HubFactory
from tests.history.shift_data import PastShift, build_past_shift, seed_rule_config


@pytest.fixture(scope="module")
def past_shift(
    module_hub_factory: HubFactory, tmp_path_factory: pytest.TempPathFactory
) -> PastShift:
    """Four incidents (see ``shift_data``) on a hub of this module's own."""
    clock = FrozenClock()
    cfg = seed_rule_config(tmp_path_factory.mktemp("past-shift") / "config")
    hub = module_hub_factory("past-shift", simulate=False, clock=clock, cfg=cfg)
    return build_past_shift(hub, clock)
