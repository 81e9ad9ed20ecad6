"""The heat filter reads From and To in the district's own zone (a Portland package shows
Portland time, not Shanghai's), and the hub sends its district's zone with the map."""

from __future__ import annotations

import os
from typing import Any

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import pytest

from console.hub.mapdata import static_district
from tests.conftest import DemoParts
from tests.widgets.conftest import WindowFactory

pytestmark = pytest.mark.qt_log_ignore("This plugin does not support")

T0 = 1_470_009_600.0  # 2016-08-01 00:00 UTC
T1 = 1_475_280_000.0  # 2016-10-01 00:00 UTC


def test_the_map_message_carries_the_districts_zone(demo_parts: DemoParts) -> None:
    d, graph = demo_parts.district, demo_parts.graph
    assert static_district(d, graph).tz == "Asia/Shanghai"
    assert static_district(d, graph, "America/Los_Angeles").tz == "America/Los_Angeles"


def test_from_and_to_read_in_the_districts_zone(qtbot: Any, window_factory: WindowFactory) -> None:
    window = window_factory(start=False, show=False)
    panel = window.map_tools.heat_panel
    panel.set_custom_range(T0, T1)
    assert panel.from_edit.text() == "2016-08-01 08:00"  # Shanghai, before the district is known
    panel.set_time_zone("America/Los_Angeles")
    assert panel.from_edit.text() == "2016-07-31 17:00"  # Portland, summer time (UTC-7)
    assert panel.to_edit.text() == "2016-09-30 17:00"
    assert panel.time_range() == (T0, T1)  # the same instants
    panel.set_time_zone("Not/AZone")  # unknown to Qt: Shanghai, never a crash
    assert panel.from_edit.text() == "2016-08-01 08:00"
