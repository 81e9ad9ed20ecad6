"""The layer registry is the one list of map layers: names in step, and a new layer shows
everywhere (map, layer panel, Layers menu, legend, HTML export) from its registration alone."""

from __future__ import annotations

import os
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from pathlib import Path
from typing import Any

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import folium
import pyqtgraph as pg
import pytest
from PySide6.QtCore import QRectF
from PySide6.QtGui import QColor, QPainter, QPixmap
from PySide6.QtWidgets import QApplication, QCheckBox, QStyleOptionGraphicsItem, QWidget

from widgets.i18n import LanguageManager, ts_path
from widgets.map import MapView
from widgets.map.export import export_order
from widgets.map.layers import registry
from widgets.map.layers.spec import CONTEXT, LEFT, ExportContext, LayerSpec, LegendEntry, LegendRow

pytestmark = pytest.mark.qt_log_ignore("This plugin does not support")


def _finished_translations(context: str) -> dict[str, str]:
    out = {}
    for ctx in ET.parse(ts_path("zh_CN")).getroot().iter("context"):
        if ctx.findtext("name") != context:
            continue
        for msg in ctx.iter("message"):
            tr = msg.find("translation")
            if tr is not None and tr.get("type") is None and (tr.text or "").strip():
                out[msg.findtext("source", "")] = tr.text or ""
    return out


@pytest.fixture
def languages(qapp: QApplication) -> Iterator[LanguageManager]:
    lm = LanguageManager(qapp)
    yield lm
    lm.set_language("en")  # as found


def test_every_layer_is_named_in_chinese_and_english(languages: LanguageManager) -> None:
    zh = _finished_translations(CONTEXT)
    specs = registry.layers()
    assert len({s.key for s in specs}) == len(specs) >= 10
    missing = [s.key for s in specs if s.title not in zh]
    assert not missing, f"layers without a finished Chinese name in {CONTEXT}: {missing}"
    languages.set_language("en")
    assert [registry.layer_title(s.key) for s in specs] == [s.title for s in specs]
    languages.set_language("zh_CN")
    for s in specs:
        assert registry.layer_title(s.key) == zh[s.title] != s.title
    assert registry.layer_title("no_such_layer") == "no_such_layer"


def test_export_order_is_the_maps_stacking_order() -> None:
    order = [s.key for s in export_order()]
    assert order[:3] == ["tiles", "district", "roads"]
    assert order.index("heat") < order.index("units") < order.index("incidents") == len(order) - 1
    assert "coverage" not in order and "labels" not in order  # they do not export themselves
    assert [s.key for s in export_order(["units", "roads"])] == ["roads", "units"]


# ------------------------------------------------------------------ a new layer

DOT = QColor("#00e5ff")
EXPORT_MARK = "test-dots-exported"


class DotsItem(pg.GraphicsObject):
    """A stand-in for a new layer's item: a cyan square in the middle of the district."""

    def __init__(self, view: MapView) -> None:
        super().__init__()
        self.view = view
        self.painted = 0

    def boundingRect(self) -> QRectF:
        return QRectF(-100, -100, 200, 200)

    def paint(
        self, p: QPainter, opt: QStyleOptionGraphicsItem, widget: QWidget | None = None
    ) -> None:
        self.painted += 1
        p.fillRect(self.boundingRect(), DOT)


def _icon(size: int) -> QPixmap:
    pm = QPixmap(size, size)
    pm.fill(DOT)
    return pm


def _export(m: folium.Map, ctx: ExportContext) -> None:
    (item,) = ctx.items.get("test_dots", [None])
    painted = item.painted if isinstance(item, DotsItem) else -1
    folium.Marker((31.23, 121.48), tooltip=f"{EXPORT_MARK} {painted}").add_to(m)


DOTS = LayerSpec(
    "test_dots",
    "Test dots",  # not in the catalogue: shown in English in both languages
    lambda v: [DotsItem(v)],
    z=(8.5,),  # over the 1-minute points, under the units
    legend=(
        LegendEntry(LEFT, 40, lambda v: [LegendRow(icon=_icon, label=lambda: "Test dots key")]),
    ),
    export=_export,
)


def test_a_registered_layer_shows_in_map_panel_menu_legend_and_export(
    window_factory: Any, tmp_path: Path
) -> None:
    with pytest.raises(ValueError, match="'units' is already registered"):
        registry.register(LayerSpec("units", "Units", lambda v: [], z=(1,)))
    with registry.registered(DOTS, before="labels"):
        assert registry.keys()[-2:] == ["test_dots", "labels"]
        window = window_factory()
    assert registry.keys().count("test_dots") == 0  # the window keeps the layers it was built with
    view = window.map
    assert view.layer_names()[-2:] == ["test_dots", "labels"]
    (item,) = view.layer_items("test_dots")
    assert isinstance(item, DotsItem) and item.scene() is view.viewbox.scene()
    assert item.zValue() == pytest.approx(8.5 - 100)
    view.graphics.viewport().grab()
    assert item.painted > 0
    # layer panel and Layers menu name it and switch it, in step with each other
    box = window.layer_panel.findChild(QCheckBox, "layer_test_dots")
    assert box is not None and box.text() == "Test dots" and box.isChecked()
    act = window.action("layer.test_dots")
    assert act.text() == "Test dots" and act.isChecked()
    box.setChecked(False)
    assert not item.isVisible() and not act.isChecked()
    act.setChecked(True)
    assert item.isVisible() and box.isChecked()
    # legend: its row with its icon
    assert view.legend.texts("test_dots") == ["Test dots key"]
    # export: the layer draws itself, reading its own map item; hidden, it stays out
    page = window.map_tools.export_to(tmp_path / "with.html").read_text(encoding="utf-8")
    assert f"{EXPORT_MARK} {item.painted}" in page
    window.set_layer_visible("test_dots", False)
    page = window.map_tools.export_to(tmp_path / "without.html").read_text(encoding="utf-8")
    assert EXPORT_MARK not in page


def test_a_layer_must_give_a_height_for_each_item(qtbot: Any, config: Any) -> None:
    bad = LayerSpec("test_two", "Two", lambda v: [DotsItem(v), DotsItem(v)], z=(3,))
    with registry.registered(bad), pytest.raises(ValueError, match="'test_two' made 2 items"):
        MapView(config)
    with pytest.raises(ValueError, match="letters, digits"):
        LayerSpec("bad key", "x", lambda v: [], z=(1,))
