"""Hot-spot areas on the map: their outlines coloured by how significant they are, and their
rank in a badge, over the heat.

The outlines come ready-made from the hub (``GetHotspots``: rings of WGS84
points, the boundary of the significant Gi* cells); this layer only projects,
colours and labels them.  Outlines get a white halo so they stay readable over
the heat's reds; the rank badges are a second item drawn over everything else
(station names and units would hide them), in screen pixels so they keep their
size at every zoom.  The items read the map's projection when they paint, so a
district loaded later (or another display CRS) needs no call from outside.
"""

from __future__ import annotations

import html
import math
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QBrush, QColor, QFont, QImage, QPainter, QPainterPath, QPen, QPolygonF
from PySide6.QtWidgets import QGraphicsItem, QStyleOptionGraphicsItem, QWidget

from widgets.map.layers.spec import ExportContext, LegendRow, tr
from widgets.map.projection import DisplayProjection

if TYPE_CHECKING:  # the stubs say "object"; at run time it returns the source string
    import folium

    from widgets.map.view import MapView

    def QT_TRANSLATE_NOOP(context: str, source: str) -> str: ...
else:
    from PySide6.QtCore import QT_TRANSLATE_NOOP

TITLE = QT_TRANSLATE_NOOP("MapView", "Hot spots (Gi*), by rank")
Z_STRONG = QT_TRANSLATE_NOOP("MapView", "Peak z ≥ 8")
Z_CLEAR = QT_TRANSLATE_NOOP("MapView", "Peak z 4–8")
Z_WEAK = QT_TRANSLATE_NOOP("MapView", "Peak z below 4")
EXPORT_TIP = QT_TRANSLATE_NOOP("MapView", "Hot spot {rank}: {calls} calls, peak z {z}")

# (lowest max z, outline colour, pen width px), strongest first
Z_CLASSES: tuple[tuple[float, str, float], ...] = (
    (8.0, "#4a0072", 3.0),
    (4.0, "#9c27b0", 2.6),
    (-math.inf, "#0277bd", 2.2),
)
FILL_ALPHA = 34
HALO = QColor(255, 255, 255, 215)
SELECTED_HALO = QColor(255, 214, 0, 235)
BADGE_PX = 10.0  # badge radius
BOUNDS_M = 60_000.0  # the item claims a wide square: the spots are always inside the district


def z_style(max_z: float) -> tuple[QColor, float]:
    """Outline colour and pen width of a hot spot with this peak z."""
    for low, colour, width in Z_CLASSES:
        if max_z >= low:
            return QColor(colour), width
    return QColor(Z_CLASSES[-1][1]), Z_CLASSES[-1][2]


class HotspotsItem(pg.GraphicsObject):
    """The hot-spot outlines and rank badges of one map (data: ``GetHotspots`` hot spots)."""

    def __init__(self, projection: Callable[[], DisplayProjection | None]) -> None:
        super().__init__()
        self._projection = projection
        self.spots: list[dict[str, Any]] = []
        self.selected: int | None = None  # rank of the highlighted spot
        self._built_for: DisplayProjection | None = None
        self._paths: list[QPainterPath] = []
        self._centres: list[tuple[float, float]] = []
        self.painted = 0  # spots drawn at the last paint (tests)
        self._bounds = QRectF(-BOUNDS_M, -BOUNDS_M, 2 * BOUNDS_M, 2 * BOUNDS_M)
        self.badges = HotspotBadges(self)

    def set_spots(self, spots: Sequence[dict[str, Any]]) -> None:
        """Replace the hot spots (the wire form: rank, calls, max_z, centre, rings ...)."""
        for h in spots:
            for key in ("rank", "calls", "max_z", "centre", "rings"):
                if key not in h:
                    raise ValueError(f"a hot spot lacks {key!r}")
        self.spots = [dict(h) for h in spots]
        if self.selected is not None and self.selected not in {h["rank"] for h in self.spots}:
            self.selected = None
        self._built_for = None
        self.update()
        self.badges.update()

    def select(self, rank: int | None) -> None:
        """Highlight the spot of this rank (None: none)."""
        self.selected = rank
        self.update()
        self.badges.update()

    def spot(self, rank: int) -> dict[str, Any]:
        """The hot spot of this rank; KeyError if there is none."""
        for h in self.spots:
            if h["rank"] == rank:
                return h
        raise KeyError(f"no hot spot of rank {rank}")

    def ensure_built(self) -> DisplayProjection | None:
        """Project the outlines for the map's current projection (None: no projection yet)."""
        proj = self._projection()
        if proj is not None and self._built_for is not proj:
            self._build(proj)
        return proj

    def order(self) -> list[int]:
        """Indices of the spots in drawing order: rank 1 last, on top."""
        return sorted(range(len(self.spots)), key=lambda k: -self.spots[k]["rank"])

    def _build(self, proj: DisplayProjection) -> None:
        self._paths, self._centres = [], []
        for h in self.spots:
            path = QPainterPath()
            path.setFillRule(Qt.FillRule.OddEvenFill)  # holes stay open
            for ring in h["rings"]:
                pts = np.asarray(ring, dtype=np.float64).reshape(-1, 2)
                if pts.shape[0] < 3:
                    continue
                x, y = proj.to_xy(pts[:, 0], pts[:, 1])
                path.addPolygon(
                    QPolygonF([QPointF(float(a), float(b)) for a, b in zip(x, y, strict=True)])
                )
                path.closeSubpath()
            self._paths.append(path)
            self._centres.append(proj.point_xy(float(h["centre"][0]), float(h["centre"][1])))
        self._built_for = proj

    def boundingRect(self) -> QRectF:
        return self._bounds

    def paint(
        self, p: QPainter, opt: QStyleOptionGraphicsItem, widget: QWidget | None = None
    ) -> None:
        self.painted = 0
        if not self.spots or self.ensure_built() is None:
            return
        p.setRenderHint(QPainter.RenderHint.Antialiasing, True)
        for k in self.order():
            h, path = self.spots[k], self._paths[k]
            colour, width = z_style(float(h["max_z"]))
            chosen = h["rank"] == self.selected
            halo = QPen(SELECTED_HALO if chosen else HALO, width + (5.0 if chosen else 2.5))
            halo.setCosmetic(True)
            halo.setJoinStyle(Qt.PenJoinStyle.RoundJoin)
            p.setPen(halo)
            p.setBrush(Qt.BrushStyle.NoBrush)
            p.drawPath(path)
            fill = QColor(colour)
            fill.setAlpha(FILL_ALPHA * (2 if chosen else 1))
            pen = QPen(colour, width + (1.0 if chosen else 0.0))
            pen.setCosmetic(True)
            pen.setJoinStyle(Qt.PenJoinStyle.RoundJoin)
            p.setPen(pen)
            p.setBrush(QBrush(fill))
            p.drawPath(path)
            self.painted += 1


class HotspotBadges(pg.GraphicsObject):
    """The rank numbers of an outline item's spots in filled circles, over everything."""

    def __init__(self, outlines: HotspotsItem) -> None:
        super().__init__()
        self.outlines = outlines

    def boundingRect(self) -> QRectF:
        return self.outlines.boundingRect()

    def paint(
        self, p: QPainter, opt: QStyleOptionGraphicsItem, widget: QWidget | None = None
    ) -> None:
        o = self.outlines
        if not o.spots or o.ensure_built() is None:
            return
        tr_ = p.transform()
        p.save()
        p.resetTransform()
        p.setRenderHint(QPainter.RenderHint.Antialiasing, True)
        f = QFont(p.font())
        f.setPixelSize(12)
        f.setBold(True)
        p.setFont(f)
        for k in o.order():
            h = o.spots[k]
            x, y = o._centres[k]
            c = tr_.map(QPointF(x, y))
            colour, _ = z_style(float(h["max_z"]))
            chosen = h["rank"] == o.selected
            r = BADGE_PX + (2.0 if chosen else 0.0)
            p.setPen(QPen(SELECTED_HALO if chosen else QColor("white"), 2.5 if chosen else 2.0))
            p.setBrush(colour)
            p.drawEllipse(c, r, r)
            p.setPen(QColor("white"))
            box = QRectF(c.x() - r, c.y() - r, 2 * r, 2 * r)
            p.drawText(box, Qt.AlignmentFlag.AlignCenter, str(h["rank"]))
        p.restore()


def hotspot_items(projection: Callable[[], DisplayProjection | None]) -> list[QGraphicsItem]:
    """The layer's items for a map: the outlines and, over everything, their rank badges."""
    outlines = HotspotsItem(projection)
    return [outlines, outlines.badges]


def hotspots_item(view: MapView) -> HotspotsItem:
    """The layer's item on ``view`` (raises KeyError if the layer is not on this map)."""
    items = view.layer_items("hotspots")
    item = items[0]
    if not isinstance(item, HotspotsItem):
        raise KeyError("the map's 'hotspots' layer is not a hot-spot layer")
    return item


def hotspots_has_content(view: MapView) -> bool:
    """Whether the layer has hot spots to show (its legend follows it)."""
    return bool(hotspots_item(view).spots)


# ------------------------------------------------------------------ legend


def z_swatch(colour: str, width: float) -> Callable[[int], QImage]:
    """A legend swatch: a small outlined, lightly filled square with the halo."""

    def draw(size: int) -> QImage:
        img = QImage(size, size, QImage.Format.Format_ARGB32_Premultiplied)
        img.fill(0)
        q = QPainter(img)
        q.setRenderHint(QPainter.RenderHint.Antialiasing, True)
        rect = QRectF(3, 3, size - 6, size - 6)
        q.setPen(QPen(HALO, width + 2.5))
        q.drawRect(rect)
        fill = QColor(colour)
        fill.setAlpha(FILL_ALPHA * 2)
        q.setPen(QPen(QColor(colour), width))
        q.setBrush(fill)
        q.drawRect(rect)
        q.end()
        return img

    return draw


def hotspots_legend(view: MapView) -> list[LegendRow]:
    """What the outline colours mean (shown while the layer is on and has hot spots)."""
    rows = [LegendRow(text=TITLE)]
    for text, (_, colour, width) in zip((Z_STRONG, Z_CLEAR, Z_WEAK), Z_CLASSES, strict=True):
        rows.append(LegendRow(text=text, icon=z_swatch(colour, width)))
    return rows


# ------------------------------------------------------------------ export


def export_hotspots(m: folium.Map, ctx: ExportContext) -> None:
    """The hot-spot outlines into the HTML situation export (from the live map's item)."""
    import folium

    items = ctx.items.get("hotspots", ())
    item = items[0] if items else None
    if not isinstance(item, HotspotsItem):
        return
    for h in item.spots:
        colour, width = z_style(float(h["max_z"]))
        tip = tr(EXPORT_TIP).format(
            rank=h["rank"], calls=f"{int(h['calls']):,}", z=f"{float(h['max_z']):.1f}"
        )
        for ring in h["rings"]:
            if len(ring) >= 3:
                folium.Polygon(
                    [(round(float(b), 5), round(float(a), 5)) for a, b in ring],
                    color=colour.name(),
                    weight=width,
                    fill=True,
                    fill_opacity=FILL_ALPHA / 255,
                    tooltip=html.escape(tip),
                ).add_to(m)
