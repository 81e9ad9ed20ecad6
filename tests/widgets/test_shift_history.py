"""The past-incidents window, the after-action report (PDF, CSV), the shift report and the
shift log window, on a real hub holding a past shift (tests/history/shift_data.py)."""

from __future__ import annotations

import csv
import os
from pathlib import Path
from typing import Any

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import pytest

from console.hub.client import InprocClient
from tests.conftest import FrozenClock, HubFactory
from tests.history.shift_data import NANJING_RD, PastShift, build_past_shift, seed_rule_config
from widgets.bridge import HubBridge
from widgets.workflow.handover import ShiftLogWindow, ShiftReportWindow, handover_html
from widgets.workflow.history import HistoryWindow
from widgets.workflow.reports import after_action_html, make_document

pytestmark = pytest.mark.qt_log_ignore("This plugin does not support")
WAIT_MS = 20_000


@pytest.fixture(scope="module")
def past_shift(
    module_hub_factory: HubFactory, tmp_path_factory: pytest.TempPathFactory
) -> PastShift:
    clock = FrozenClock()
    cfg = seed_rule_config(tmp_path_factory.mktemp("shift-widgets") / "config")
    hub = module_hub_factory("shift-widgets", simulate=False, clock=clock, cfg=cfg)
    return build_past_shift(hub, clock)


def _bridge(shift: PastShift, actor: str, role: str = "operator") -> HubBridge:
    b = HubBridge(InprocClient(shift.hub, actor=actor, role=role, workstation="ws-test"))
    b.start()
    return b


@pytest.fixture
def history(qtbot: Any, past_shift: PastShift, languages: Any) -> HistoryWindow:
    bridge = _bridge(past_shift, "op-li")
    w = HistoryWindow(bridge, past_shift.hub.config, district=lambda: None, clock=past_shift.clock)
    bridge.setParent(w)
    qtbot.addWidget(w)
    return w


def test_the_form_searches_and_a_record_opens(
    qtbot: Any, history: HistoryWindow, past_shift: PastShift
) -> None:
    ids = past_shift.ids
    with qtbot.waitSignal(history.searched, timeout=WAIT_MS):
        history.search()  # the last seven days by the hub's clock: the whole past shift
    assert history.result_ids() == [ids["C"], ids["B"], ids["A"]]
    assert history.count_label.text() == "共 3 起"
    history.text_edit.setText("调解")
    with qtbot.waitSignal(history.searched, timeout=WAIT_MS):
        history.search_button.click()
    assert history.result_ids() == [ids["A"]]
    assert history.results.item(0, history.TYPE).text() == "纠纷"
    history.text_edit.clear()
    history.type_box.setCurrentIndex(history.type_box.findData("knife_attack"))
    with qtbot.waitSignal(history.searched, timeout=WAIT_MS):
        history.search()
    assert history.result_ids() == [ids["C"]]
    with qtbot.waitSignal(history.recordLoaded, timeout=WAIT_MS):
        history.results.selectRow(0)  # selecting a result opens its record
    text = history.record_view.toPlainText()
    assert "警情处置报告" in text and f"#{ids['C']}" in text
    assert "嫌疑人已控制" in text and "sup-qian" in text and "sup-sun" in text
    assert "超时" in text  # the special police arrived late against their standard


def test_a_place_search_uses_the_radius_and_a_refusal_shows(
    qtbot: Any, history: HistoryWindow, past_shift: PastShift
) -> None:
    history.map_centre = lambda: NANJING_RD
    history.near_box.setCurrentIndex(history.near_box.findData("__map_centre__"))
    history.radius_spin.setValue(150)
    history.open_too.setChecked(True)  # D (open, 70 m away) too
    with qtbot.waitSignal(history.searched, timeout=WAIT_MS):
        history.search()
    assert history.result_ids() == [past_shift.ids["D"], past_shift.ids["A"]]
    history.number_edit.setText("999999")
    with qtbot.waitSignal(history.searched, timeout=WAIT_MS):
        history.search()
    assert history.result_ids() == [] and history.count_label.text() == "共 0 起"
    history.open_record(999_999)
    qtbot.waitUntil(lambda: history.message_label.isVisibleTo(history), timeout=WAIT_MS)
    assert "no incident number 999999" in history.message_label.text()


def test_the_after_action_report_exports_to_pdf_with_the_chinese_font_and_to_csv(
    qtbot: Any, history: HistoryWindow, past_shift: PastShift, tmp_path: Path
) -> None:
    with qtbot.waitSignal(history.recordLoaded, timeout=WAIT_MS):
        history.open_record(past_shift.ids["A"])
    pdf = history.export_pdf(tmp_path / "a.pdf")
    assert pdf is not None
    data = pdf.read_bytes()
    assert data.startswith(b"%PDF") and b"WenQuanYi" in data  # the CJK font is embedded
    out = history.export_csv(tmp_path / "a.csv")
    assert out is not None
    with out.open(encoding="utf-8-sig") as f:
        rows = list(csv.reader(f))
    assert rows[0][:2] == ["incident", "time_local"]
    assert any("纠纷" in r[5] for r in rows[1:])  # the chronology in words, in Chinese
    assert {r[0] for r in rows[1:]} == {str(past_shift.ids["A"])}
    body, images = after_action_html(history.record or {}, past_shift.hub.config)
    assert len(images) == 1 and not next(iter(images.values())).isNull()  # the scene photo
    assert "注意保护现场" in make_document(body, images).toPlainText()  # the message


def test_the_shift_report_window_shows_exports_and_counts(
    qtbot: Any, past_shift: PastShift, languages: Any, tmp_path: Path
) -> None:
    bridge = _bridge(past_shift, "sup-zhou", "supervisor")
    w = ShiftReportWindow(bridge, past_shift.hub.config, clock=past_shift.clock)
    bridge.setParent(w)
    qtbot.addWidget(w)
    with qtbot.waitSignal(w.loaded, timeout=WAIT_MS):
        w.load(past_shift.t0, past_shift.t1)
    text = w.view.toPlainText()
    assert "值班报告" in text and "特警全域3分钟到达" in text and "审批记录" in text
    assert "sup-qian: 2" in text and "sup-sun: 2" in text
    pdf = w.export_pdf(tmp_path / "shift.pdf")
    assert pdf is not None and pdf.read_bytes().startswith(b"%PDF")
    out = w.export_csv(tmp_path / "shift.csv")
    assert out is not None
    with out.open(encoding="utf-8-sig") as f:
        rows = list(csv.DictReader(f))
    assert [int(r["incident"]) for r in rows] == [past_shift.ids[k] for k in "ABCD"]
    a = rows[0]
    assert a["type_name"] == "纠纷" and a["call_to_arrival_s"] == "230.0"
    assert a["approved_by"] == "sup-qian"


def test_the_shift_log_window_hands_over_and_the_next_shift_takes_over(
    qtbot: Any, past_shift: PastShift, languages: Any, tmp_path: Path
) -> None:
    out_bridge = _bridge(past_shift, "op-zhao")
    out = ShiftLogWindow(
        out_bridge, past_shift.hub.config, actor=lambda: "op-zhao", clock=past_shift.clock
    )
    out_bridge.setParent(out)
    qtbot.addWidget(out)
    with qtbot.waitSignal(out.loaded, timeout=WAIT_MS):
        out.load()
    with qtbot.waitSignal(out.loaded, timeout=WAIT_MS):
        assert out.add_note("九江路积水, 绕行", incident_id=past_shift.ids["D"])
    assert out.entries[-1]["text"] == "九江路积水, 绕行"
    assert not out.add_note("   ") and out.message_label.text() == "请先填写记录内容。"
    with qtbot.waitSignal(out.handedOver, timeout=WAIT_MS):
        out.hand_over("D 仍在处置", shift_start=past_shift.t0)
    assert out.latest is not None and not out.ack_button.isEnabled()  # not the writer
    summary = out.summary_view.toPlainText()
    assert f"#{past_shift.ids['D']}" in summary and "九江路积水" in summary
    assert "尚未接班确认" in summary

    in_bridge = _bridge(past_shift, "op-wang")
    inc = ShiftLogWindow(
        in_bridge, past_shift.hub.config, actor=lambda: "op-wang", clock=past_shift.clock
    )
    in_bridge.setParent(inc)
    qtbot.addWidget(inc)
    with qtbot.waitSignal(inc.loaded, timeout=WAIT_MS):
        inc.load()
    assert inc.ack_button.isEnabled() and "等待接班" in inc.status_label.text()
    inc.incoming_edit.setText("李四，王五")
    with qtbot.waitSignal(inc.acknowledged, timeout=WAIT_MS):
        inc.ack_button.click()
    qtbot.waitUntil(lambda: bool((inc.latest or {}).get("acknowledged_by")), timeout=WAIT_MS)
    assert inc.latest is not None and inc.latest["incoming"] == ["op-wang", "李四", "王五"]
    assert not inc.ack_button.isEnabled() and "op-wang" in inc.status_label.text()
    pdf = inc.export_pdf(tmp_path / "handover.pdf")
    assert pdf is not None and pdf.read_bytes().startswith(b"%PDF")
    assert "接班人" in make_document(handover_html(inc.latest, past_shift.hub.config)).toPlainText()


def test_every_report_text_has_a_chinese_translation() -> None:
    """lupdate cannot see the reports' module-level ``rtr`` calls: check them here."""
    import re
    import xml.etree.ElementTree as ET

    from widgets.i18n import ts_path

    root = Path(__file__).resolve().parents[2] / "widgets" / "workflow"
    used = {
        m.group(2)
        for name in ("reports.py", "handover.py")
        for m in re.finditer(r"(?<![\w.])rtr\((\"|')(.*?)\1\)", (root / name).read_text("utf-8"))
    }
    assert len(used) > 80
    done = {
        (m.findtext("source") or "")
        for ctx in ET.parse(ts_path("zh_CN")).getroot().iter("context")
        if ctx.findtext("name") == "Reports"
        for m in ctx.iter("message")
        if (m.findtext("translation") or "").strip()
    }
    assert sorted(used - done) == []


def test_a_roster_duty_change_reads_in_chinese_in_the_log_and_the_report(
    qtbot: Any, past_shift: PastShift, languages: Any
) -> None:
    from console.hub.messages import Envelope
    from console.hub.messages_shift import DutyMove, LogDutyChange
    from widgets.workflow.reports import _log_text

    hub = past_shift.hub
    a, b = (s.call_sign for s in hub.situation.specs[:2])
    moves = [DutyMove(call_sign=a, on=True, line="2026-05-29 白班 08:00-20:00")]
    moves.append(DutyMove(call_sign=b, on=False))
    env = Envelope(1, LogDutyChange(moves=moves), "duty-roster", "system", "duty-roster")
    assert hub.submit(env).result(10).ok
    bridge = _bridge(past_shift, "op-li")
    w = ShiftLogWindow(bridge, hub.config, actor=lambda: "op-li", clock=past_shift.clock)
    bridge.setParent(w)
    qtbot.addWidget(w)
    with qtbot.waitSignal(w.loaded, timeout=WAIT_MS):
        w.load()
    t = w.log_table
    rows = [[t.item(r, c).text() for c in range(4)] for r in range(t.rowCount())]
    (row,) = [r for r in rows if r[2] == "排班"]
    assert row[1] == "duty-roster"
    assert row[3] == f"上岗: {a} (2026-05-29 白班 08:00-20:00); 下岗: {b}"
    (entry,) = [e for e in w.entries if e["kind"] == "duty_change"]
    assert _log_text(entry) == f"排班: 上岗: {a} (2026-05-29 白班 08:00-20:00); 下岗: {b}"
