"""The status bar says which hub serves and when it took over (a standby pair, issue 20):
the hub's ``hub_failover`` alert reaches the window like any alert and the connection
field names the hub that serves now, with the time; the alert's own text is its tooltip."""

from __future__ import annotations

import os
from typing import Any

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import pytest
from PySide6.QtCore import QDateTime

from console.hub.messages import Alert
from tests.widgets.conftest import WindowFactory

pytestmark = pytest.mark.qt_log_ignore("This plugin does not support")

T = 1_780_000_000.0
ZH = "指挥中心服务器切换：hub-b 接管（原主服务器 hub-a 失联），令牌 3"
EN = "Hub failover: hub-b took over from hub-a (lost), token 3"


def test_the_connection_field_names_the_hub_that_took_over(
    qtbot: Any, window_factory: WindowFactory
) -> None:
    window = window_factory(start=False, show=False)
    status = window.status
    assert status.failover_at is None and "hub-b" not in status.connection_label.text()
    window.bridge.alert.emit(
        Alert(seq=0, level="warning", kind="hub_failover", text=ZH, text_en=EN, t=T)
    )
    when = QDateTime.fromMSecsSinceEpoch(int(T * 1000)).toString("HH:mm")
    assert status.serving_hub == "hub-b" and status.failover_at == T
    assert "hub-b" in status.connection_label.text() and when in status.connection_label.text()
    assert status.connection_label.toolTip() == ZH
    # an alert of another kind changes nothing there
    window.bridge.alert.emit(
        Alert(seq=0, level="info", kind="not_acknowledged", text="x", t=T + 60)
    )
    assert status.failover_at == T


def test_a_text_it_cannot_read_still_shows_the_time(
    qtbot: Any, window_factory: WindowFactory
) -> None:
    window = window_factory(start=False, show=False)
    window.status.note_failover("something else", "另一段文字", T)
    assert window.status.serving_hub == ""
    assert window.status.failover_at == T and window.status.connection_label.text()


def test_a_snapshot_after_a_takeover_carries_the_failover(
    qtbot: Any, window_factory: WindowFactory
) -> None:
    """A workstation that follows a takeover gets the alert inside the new hub's snapshot."""
    from console.hub.messages import Snapshot

    window = window_factory(start=False, show=False)
    alert = Alert(seq=0, level="warning", kind="hub_failover", text=ZH, text_en=EN, t=T, alert_id=7)
    window.situation.apply(Snapshot(seq=5, t=T + 5, units=[], incidents=[], alerts=[alert]))
    assert window.status.serving_hub == "hub-b" and window.status.failover_at == T
