"""The HTML situation export is self-contained and offline, and Chromium loads it from its file."""

from __future__ import annotations

import os
import re
import time
from pathlib import Path
from typing import Any

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ.setdefault("QTWEBENGINE_DISABLE_SANDBOX", "1")  # Chromium refuses to run as root

import pytest
from PySide6.QtCore import QCoreApplication, QEvent

from console.config import Config
from console.heat import HeatGrid
from console.hub.client import InprocClient
from console.hub.hub import CommandHub
from console.hub.messages import (
    CreateIncident,
    GetDistrict,
    GetHeat,
    GetSnapshot,
    Snapshot,
    StaticDistrict,
)
from tests.conftest import HubFactory
from widgets.map.export import export_situation_html, situation_html
from widgets.map.export_view import WEBENGINE, ExportViewer
from widgets.panels.heat_panel import grid_from_result

WEBENGINE_NOISE = (
    "This plugin does not support|QRhi|Failed to create RHI|QVulkanInstance|GBM is not supported"
    "|GPUInfo not initialized"
)
pytestmark = pytest.mark.qt_log_ignore(WEBENGINE_NOISE)
URL = re.compile(r"https?://", re.IGNORECASE)
TILE_URL = "https://tiles.intranet.example/{z}/{x}/{y}.png"


@pytest.fixture(scope="module")
def hub(module_hub_factory: HubFactory) -> CommandHub:
    h = module_hub_factory()
    c = InprocClient(h, actor="op", role="operator")
    r = c.call(CreateIncident(incident_type="theft", lon=121.4800, lat=31.2362, address="南京东路"))
    assert r.ok, r.error
    return h


@pytest.fixture(scope="module")
def district(hub: CommandHub) -> StaticDistrict:
    return InprocClient(hub).call(GetDistrict()).result


@pytest.fixture(scope="module")
def snap(hub: CommandHub) -> Snapshot:
    return InprocClient(hub).call(GetSnapshot()).result


@pytest.fixture(scope="module")
def heat(hub: CommandHub) -> HeatGrid:
    now = time.time()
    return grid_from_result(InprocClient(hub).call(GetHeat(t0=now - 30 * 86400, t1=now)).result)


@pytest.fixture(scope="module")
def page(
    tmp_path_factory: pytest.TempPathFactory,
    district: StaticDistrict,
    snap: Snapshot,
    heat: HeatGrid,
    config: Config,
) -> Path:
    out = tmp_path_factory.mktemp("page") / "situation.html"
    return export_situation_html(out, district, snap.units, snap.incidents, heat, config=config)


def test_export_is_self_contained_with_no_network_address(
    page: Path, district: StaticDistrict, snap: Snapshot
) -> None:
    text = page.read_text(encoding="utf-8")
    assert not URL.search(text), URL.search(text)
    assert "<script src" not in text and "<link " not in text  # nothing fetched at all
    assert "L.circleMarker" in text and "L.polyline" in text  # units, stations; roads
    assert "var L" in text or "exports.L" in text or ".leaflet={}" in text  # Leaflet inlined
    assert "data:image/png;base64," in text  # the heat overlay travels inside
    assert 'attributionControl": false' in text
    for u in snap.units[:5]:
        assert u.call_sign in text  # popups and tooltips
    assert district.stations[0]["name"] in text
    assert snap.incidents and "南京东路" in text
    # only arterial and secondary roads: far fewer lines than the district has segments
    assert text.count("],\n") < len(district.seg_class)
    assert 200_000 < page.stat().st_size < 2_000_000


def test_only_a_configured_tile_url_may_appear(
    district: StaticDistrict, snap: Snapshot, config: Config
) -> None:
    text = situation_html(district, snap.units, snap.incidents, None, TILE_URL, config=config)
    assert URL.findall(text) and all(m.lower() == "https://" for m in URL.findall(text))
    assert not URL.search(text.replace(TILE_URL, ""))
    with pytest.raises(ValueError, match="must be http"):
        situation_html(district, [], [], None, "file:///tiles/{z}/{x}/{y}.png", config=config)
    with pytest.raises(ValueError, match=r"\.html"):
        export_situation_html("/tmp/situation.png", district, [], [], config=config)


def test_export_without_district_still_writes_a_page(
    tmp_path: Path, snap: Snapshot, config: Config
) -> None:
    out = export_situation_html(tmp_path / "s.html", None, snap.units, [], config=config)
    assert out.exists() and not URL.search(out.read_text(encoding="utf-8"))


@pytest.mark.skipif(not WEBENGINE, reason="QtWebEngine not installed")
def test_webengine_loads_the_exported_file_offscreen(
    qtbot: Any, page: Path, district: StaticDistrict
) -> None:
    n_stations = len(district.stations)
    viewer = ExportViewer()
    try:
        viewer.resize(900, 700)
        viewer.show()
        with qtbot.waitSignal(viewer.loaded, timeout=30_000) as sig:
            viewer.show_file(page)
        assert sig.args == [True] and viewer.last_ok is True
        assert viewer.web.url().isLocalFile()  # loaded by URL from its file, not setHtml
        result: list[str] = []
        viewer.web.page().runJavaScript(
            "[typeof L, document.querySelectorAll('.leaflet-tooltip.lbl').length,"
            " document.querySelectorAll('.sit-box').length].join('|')",
            0,
            result.append,
        )
        qtbot.waitUntil(lambda: bool(result), timeout=10_000)
        kind, labels, boxes = result[0].split("|")
        assert kind == "object"  # Leaflet ran from the inlined copy
        assert int(labels) == n_stations  # permanent station names: the whole script ran
        assert int(boxes) == 1
    finally:
        viewer.close()
        viewer.deleteLater()
        QCoreApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)
