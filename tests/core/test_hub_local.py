"""The hub speaks the district's clock and sees calls imported while it runs (issue 13,
from the district work): local hours in the district's own time zone, daylight saving
included; a call history that grows under a running hub reaches its heat and forecasts."""

from __future__ import annotations

import datetime as dt
import zoneinfo
from pathlib import Path

import numpy as np

from console.config import Config
from console.hub.bootstrap import start_embedded_hub
from console.hub.client import InprocClient
from console.hub.hub import CommandHub
from console.hub.localtime import LocalTime
from console.hub.messages import GetHeat
from console.store import repos
from tests.conftest import T0, DemoParts, FrozenClock
from tests.link.helpers import wait_until

LA = zoneinfo.ZoneInfo("America/Los_Angeles")


def test_local_hours_follow_the_districts_zone_and_daylight_saving() -> None:
    la = LocalTime("America/Los_Angeles")
    # 2026-03-08 02:00 PST -> 03:00 PDT: the hour after 01:59 local is 03
    before = dt.datetime(2026, 3, 8, 1, 30, tzinfo=LA).timestamp()
    after = before + 3600.0
    assert (la.hour(before), la.hour(after)) == (1, 3)
    t = np.array([before, after, T0])
    assert la.hours(t).tolist() == [1, 3, dt.datetime.fromtimestamp(T0, LA).hour]
    assert la.hour_of_day(np.array([after]))[0] == 3.5
    assert la.clock_text(after) == "03:30"
    assert LocalTime().hour(T0) == 4  # the demo's Shanghai: 04:26 on the morning after T0


def test_a_hub_plans_in_its_districts_hours(
    config: Config, demo_parts: DemoParts, tmp_path: Path, frozen_clock: FrozenClock
) -> None:
    from console.store.db import open_store

    store = open_store(f"sqlite:///{tmp_path / 'la.sqlite3'}")
    with store.transaction() as s:
        repos.DistrictRepo(s).save_district(demo_parts.district)
    empty = np.zeros(0)
    hub = CommandHub(
        config,
        store,
        demo_parts.district,
        demo_parts.graph,
        (empty, empty, empty, []),
        simulate=False,
        clock=frozen_clock,
        time_zone="America/Los_Angeles",
    )
    try:
        la_hour = dt.datetime.fromtimestamp(T0, LA).hour
        assert la_hour != LocalTime().hour(T0)
        assert hub.workflow.availability.hour() == la_hour
    finally:
        store.close()


def test_calls_imported_while_the_hub_runs_reach_its_heat(tmp_path: Path) -> None:
    clock = FrozenClock()
    hub = start_embedded_hub(f"sqlite:///{tmp_path / 'hub.sqlite3'}", simulate=False, clock=clock)
    try:
        assert isinstance(hub, CommandHub)
        op = InprocClient(hub, actor="op", role="operator")
        ask = GetHeat(t0=T0 - 1800.0, t1=T0)

        def calls() -> int:
            r = op.call(ask, timeout=60)
            assert r.ok, r.error
            return int(r.result["n_calls"])

        before = calls()
        n = 25
        with hub.store.transaction() as s:  # what `main.py calls import` writes meanwhile
            repos.CallHistoryRepo(s).insert_arrays(
                np.full(n, T0 - 600.0),
                np.full(n, 121.4737),
                np.full(n, 31.2304),
                np.array(["theft"] * n),
            )
        hub.history_check_s = 0.05  # type: ignore[attr-defined]
        assert wait_until(lambda: calls() == before + n, timeout=60)
        assert len(hub.hist_t) >= n
    finally:
        hub.stop()
        hub.store.close()
