"""The heat layer's colour scale: its top is a high percentile of the non-empty cells, so
one huge outlier saturates instead of washing the rest of the city out; the legend says
what the top colour means, the tooltip gives the exact value, the export draws the same."""

from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import numpy as np
import pytest
from PySide6.QtGui import QImage

from console.config import Config
from console.heat import HeatGrid
from tests.widgets.test_map_view import LAT0, LON0, D, make_district
from widgets.map import MapView
from widgets.map import strings as s
from widgets.map.export_layers import heat_rgba
from widgets.map.layers.heat import HEAT_STOPS, HeatBar, scale_top

OUTLIER = 10_000.0


@pytest.fixture
def view(qtbot, config: Config) -> MapView:  # type: ignore[no-untyped-def]
    v = MapView(config)
    qtbot.addWidget(v)
    v.resize(800, 600)
    v.show()
    qtbot.waitExposed(v)
    v.set_district(make_district())
    v.zoom_to_district()
    return v


def outlier_grid() -> HeatGrid:
    """The district's box in 20 x 20 cells: 5-20 calls/km² everywhere, one cell at 10,000."""
    rng = np.random.default_rng(14)
    d = rng.uniform(5.0, 20.0, (20, 20)).astype(np.float32)
    d[10, 10] = OUTLIER
    return HeatGrid(d, LON0 - D, LAT0 - D, LON0 + D, LAT0 + D, n_calls=12_345)


def cell_centre(view: MapView, row: int, col: int) -> tuple[float, float]:
    """Plane coordinates of a cell's centre (rows run south to north)."""
    assert view.proj is not None
    x0, y0 = view.proj.point_xy(LON0 - D, LAT0 - D)
    x1, y1 = view.proj.point_xy(LON0 + D, LAT0 + D)
    return x0 + (col + 0.5) * (x1 - x0) / 20, y0 + (row + 0.5) * (y1 - y0) / 20


def drawn_alpha(view: MapView) -> np.ndarray:
    """The alpha of every cell as the map's image item renders it (rows south to north)."""
    item = view.heat.item
    item.render()
    assert item.qimage is not None
    img = item.qimage.convertToFormat(QImage.Format.Format_RGBA8888)  # it may be indexed
    w, h = img.width(), img.height()
    buf = np.frombuffer(img.constBits(), dtype=np.uint8, count=img.bytesPerLine() * h)
    argb = buf.reshape(h, img.bytesPerLine())[:, : w * 4].reshape(h, w, 4)
    return argb[..., 3].astype(np.int64)


def test_an_outlier_saturates_and_the_typical_cells_stay_visible(view: MapView) -> None:
    grid = outlier_grid()
    view.set_heat(grid)
    inner = grid.density[1:-1, 1:-1]  # the edge cells straddle the outline
    assert view.heat.peak == OUTLIER
    assert view.heat.vmax == pytest.approx(scale_top(view.heat.item.image))
    assert 15.0 < view.heat.vmax < 21.0  # the typical cells' 99th percentile, not 10,000
    alpha = drawn_alpha(view)
    top_alpha = HEAT_STOPS[-1][1][3]
    assert alpha[10, 10] == top_alpha  # the outlier: the top colour
    typical = np.delete(alpha[1:-1, 1:-1].ravel(), 9 * 18 + 9)
    # the typical cells are clearly visible (they were at 0.05-0.2 % of the old scale's top:
    # fully transparent); the middle of their range is well over a third of the top alpha
    assert np.median(typical) > 0.4 * top_alpha
    assert typical.min() > 20
    # and they keep their order: the hotter ones are drawn stronger
    flat = np.delete(inner.ravel(), 9 * 18 + 9)
    assert np.corrcoef(flat, typical)[0, 1] > 0.95


def test_the_legend_says_what_the_top_colour_means_and_the_tooltip_the_exact_value(
    view: MapView,
) -> None:
    view.set_heat(outlier_grid())
    bar = view.legend.widget_of("heat", HeatBar)
    top = f"{view.heat.vmax:,.0f}"
    assert bar.top_label() == f"≥{top}"
    texts = view.legend.texts("heat")
    assert s.tr(s.HEAT_TITLE) in texts
    scale = [t for t in texts if t.startswith("Darkest colour")]
    assert scale == [
        f"Darkest colour: {top} per km² or more (the hottest 1 % of cells); peak 10,000"
    ]
    # the outlier and an ordinary cell, exactly, under the pointer
    assert view.heat_tooltip(*cell_centre(view, 10, 10)) == "110 calls: 10,000 per km²"
    v = float(view.heat.item.image[5, 7])
    assert view.heat_tooltip(*cell_centre(view, 5, 7)) == f"110 calls: {v:,.0f} per km²"
    view.set_layer_visible("heat", False)
    assert view.heat_tooltip(*cell_centre(view, 10, 10)) == ""


def test_the_export_draws_on_the_same_scale(view: MapView) -> None:
    view.set_heat(outlier_grid())
    shown = view.heat.item.image
    rgba = heat_rgba(shown, scale_top(shown))
    alpha = drawn_alpha(view)
    assert np.abs(rgba[..., 3].astype(np.int64) - alpha).max() <= 1
    assert rgba[10, 10, 3] == HEAT_STOPS[-1][1][3]


def test_scale_top_ignores_empty_cells_and_an_empty_grid() -> None:
    d = np.zeros((50, 50), dtype=np.float32)
    assert scale_top(d) == 0.0
    d[:10, :10] = np.linspace(1.0, 100.0, 100).reshape(10, 10)
    assert scale_top(d) == pytest.approx(np.percentile(np.linspace(1.0, 100.0, 100), 99))
