"""The shared hub fixtures: a frozen clock makes a hub's time, history and timers the
test's own, whatever the date, the time of day or the machine's time zone."""

from __future__ import annotations

import numpy as np
import pytest

from console.hub.client import InprocClient
from console.hub.messages import CreateIncident
from tests.conftest import T0, FrozenClock, HubFactory


def test_frozen_clock_moves_only_forward() -> None:
    c = FrozenClock()
    assert c() == T0
    assert c.advance(30) == T0 + 30 and c() == T0 + 30
    with pytest.raises(ValueError):
        c.advance(-1)


def test_hub_on_a_frozen_clock_is_the_same_every_day(
    hub_factory: HubFactory, frozen_clock: FrozenClock
) -> None:
    a = hub_factory("a", clock=frozen_clock)
    b = hub_factory("b", clock=FrozenClock())
    # the generated demo history depends on the hub's clock only
    assert len(a.hist_t) == len(b.hist_t) > 0
    assert np.array_equal(a.hist_t, b.hist_t) and a.hist_type == b.hist_type
    assert a.hist_t.max() <= T0
    op = InprocClient(a, actor="op", role="operator", workstation="ws")
    r = op.call(CreateIncident(incident_type="theft", lon=121.4737, lat=31.2304))
    assert r.ok, r.error
    st = a.incidents.state(r.result["incident_id"])
    assert st is not None and st.created_at == T0
