"""The plan briefing page is offline (no http(s) anywhere) and Chromium loads it from its file."""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import Any

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ.setdefault("QTWEBENGINE_DISABLE_SANDBOX", "1")  # Chromium refuses to run as root

import pytest
from PySide6.QtCore import QCoreApplication, QEvent

from console.config import Config
from console.hub.client import InprocClient
from console.hub.hub import CommandHub
from console.hub.messages import CreateIncident, GetDistrict, GetPlan, PlanChanged, StaticDistrict
from tests.conftest import HubFactory
from widgets.bridge import HubBridge
from widgets.workflow.briefing import (
    WEB_DIR,
    WEBENGINE,
    BriefingView,
    briefing_html,
    write_briefing,
)
from widgets.workflow.plan_review import PlanReviewDialog
from widgets.workflow.planmap import PlanMapView

# Chromium on the offscreen platform has no GPU and says so through Qt's log
WEBENGINE_NOISE = (
    "This plugin does not support|QRhi|Failed to create RHI|QVulkanInstance|GBM is not supported"
    "|GPUInfo not initialized"
)
pytestmark = pytest.mark.qt_log_ignore(WEBENGINE_NOISE)
URL = re.compile(r"https?://", re.IGNORECASE)


@pytest.fixture(scope="module")
def hub(module_hub_factory: HubFactory) -> CommandHub:
    return module_hub_factory()


@pytest.fixture(scope="module")
def district(hub: CommandHub) -> StaticDistrict:
    return InprocClient(hub).call(GetDistrict()).result


@pytest.fixture(scope="module")
def plan(hub: CommandHub) -> PlanChanged:
    c = InprocClient(hub, actor="op", role="operator")
    r = c.call(CreateIncident(incident_type="knife_attack", lon=121.4800, lat=31.2362))
    assert r.ok, r.error
    return c.call(GetPlan(incident_id=r.result["incident_id"])).result


def test_briefing_page_references_only_local_files(
    plan: PlanChanged, district: StaticDistrict, config: Config
) -> None:
    page = briefing_html(plan.body, district, config, plan_id=plan.plan_id, status="proposed")
    assert not URL.search(page), URL.search(page)
    scripts = re.findall(r'<script src="([^"]+)"', page)
    links = re.findall(r'<link rel="stylesheet" href="([^"]+)"', page)
    assert scripts == ["leaflet/leaflet.js", "folium-shim.js"]
    assert links == ["leaflet/leaflet.css"]
    for slot in plan.body["slots"]:
        assert slot["call_sign"] in page
    assert plan.body["incident_name_zh"] in page and "处置等级 3" in page
    with pytest.raises(ValueError, match="lon"):
        briefing_html({"slots": []}, district, config)


def test_written_briefing_brings_its_assets(
    plan: PlanChanged, district: StaticDistrict, config: Config, tmp_path: Path
) -> None:
    path = write_briefing(plan, district, config, tmp_path)
    assert path.name == f"incident-{plan.incident_id}-plan-{plan.plan_id}.html"
    assert (tmp_path / "leaflet" / "leaflet.js").stat().st_size == (
        WEB_DIR / "leaflet" / "leaflet.js"
    ).stat().st_size
    assert (tmp_path / "leaflet" / "images" / "marker-icon.png").exists()
    assert (tmp_path / "leaflet" / "LICENSE").read_text().startswith("BSD 2-Clause")
    assert (tmp_path / "folium-shim.js").exists()
    assert not URL.search(path.read_text(encoding="utf-8"))


@pytest.mark.skipif(not WEBENGINE, reason="QtWebEngine not installed")
def test_webengine_loads_the_briefing_offscreen(
    qtbot: Any, plan: PlanChanged, district: StaticDistrict, config: Config, tmp_path: Path
) -> None:
    path = write_briefing(plan, district, config, tmp_path)
    view = BriefingView()
    try:
        view.resize(800, 600)
        view.show()
        with qtbot.waitSignal(view.loaded, timeout=30_000) as sig:
            view.show_file(path)
        assert sig.args == [True] and view.last_ok is True
        result: list[str] = []
        view.web.page().runJavaScript(
            "[typeof L, document.querySelectorAll('.leaflet-tooltip').length,"
            " document.querySelectorAll('.briefing-box').length].join('|')",
            0,
            result.append,
        )
        qtbot.waitUntil(lambda: bool(result), timeout=10_000)
        kind, tooltips, boxes = result[0].split("|")
        assert kind == "object"  # Leaflet came from the local file
        assert int(tooltips) == len(plan.body["slots"]) + 1  # every unit and the incident
        assert int(boxes) == 1
    finally:
        # the page must go before the application's default profile does
        view.close()
        view.deleteLater()
        QCoreApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)


def test_static_plan_map_draws_routes_and_labels(
    qtbot: Any, plan: PlanChanged, district: StaticDistrict, config: Config
) -> None:
    view = PlanMapView(config)
    qtbot.addWidget(view)
    view.resize(500, 400)
    view.set_plan(plan.body, district)
    slots = plan.body["slots"]
    assert len(view.routes) == len(slots)
    assert len(view.markers) == len(slots) + 1
    assert view.markers[0].text.startswith(slots[0]["call_sign"])
    assert not view.focus.isEmpty()
    with pytest.raises(ValueError, match="lon"):
        view.set_plan({"slots": []}, district)


@pytest.mark.skipif(not WEBENGINE, reason="QtWebEngine not installed")
def test_plan_review_can_show_the_briefing_in_a_web_view(
    qtbot: Any,
    hub: CommandHub,
    plan: PlanChanged,
    district: StaticDistrict,
    config: Config,
    tmp_path: Path,
) -> None:
    bridge = HubBridge(InprocClient(hub, actor="sup", role="supervisor"))
    dlg = PlanReviewDialog(
        bridge, config, plan, district=district, use_web=True, briefing_dir=tmp_path
    )
    try:
        view = dlg.web_view
        assert view is not None and dlg.map_stack.currentWidget() is view
        qtbot.waitUntil(lambda: view.loads >= 1, timeout=30_000)
        assert view.last_ok is True and view.path == dlg.briefing_path
        assert dlg.briefing_path is not None and dlg.briefing_path.parent == tmp_path
    finally:
        dlg.close()
        dlg.deleteLater()
        QCoreApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)
        bridge.close()
