"""Coverage gaps of one force type: the roads no available unit reaches within its standard.

The hub sends the uncovered road nodes of every force type (``GetCoverage``);
this layer shows those of the type the operator picked as one translucent,
hatched patch: each node becomes a disc of about ``NODE_RADIUS_M`` in a mask,
and the mask is filled once with a flat tint and diagonal hatching, so
overlapping discs do not pile up into darker blotches.  The largest gap
clusters are labelled by the map's label layer (which keeps labels apart).
The picture is cached in device pixels: the compositing runs once per
pan or zoom, not on every units frame.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np
import numpy.typing as npt
import pyqtgraph as pg
from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QColor, QImage, QPainter, QPainterPath, QPen
from PySide6.QtWidgets import QGraphicsItem, QStyleOptionGraphicsItem, QWidget

from widgets.i18n import is_chinese
from widgets.map import strings as s
from widgets.map.layers.spec import LegendRow

if TYPE_CHECKING:
    from widgets.map.view import MapView

F64 = npt.NDArray[np.float64]

NODE_RADIUS_M = 40.0  # half a typical block face: neighbouring uncovered nodes merge
MIN_RADIUS_PX = 2.5
MAX_RADIUS_PX = 60.0
GAP_COLOUR = QColor("#ad1457")  # magenta: unlike the heat ramp, roads and unit colours
TINT_ALPHA = 60
HATCH_ALPHA = 170
HATCH_SPACING_PX = 7.0
MIN_GAP_LABEL_M = 500.0  # shorter gaps get no label (clutter)


@dataclass
class Gap:
    """A connected patch of uncovered road (a ``GapCluster`` without its node ids)."""

    nodes: int
    length_m: float
    lon: float
    lat: float
    area_codes: list[str]


@dataclass
class ForceCoverage:
    """One force type's coverage as the control and the layer need it."""

    unit_type: str
    name_zh: str
    name_en: str
    standard_s: float
    units_available: int
    node_share: float
    length_share: float
    uncovered_nodes: int
    gaps: list[Gap] = field(default_factory=list)
    lon: F64 = field(default_factory=lambda: np.zeros(0))
    lat: F64 = field(default_factory=lambda: np.zeros(0))


def parse_coverage(result: Any) -> dict[str, ForceCoverage]:
    """A ``GetCoverage`` reply result -> coverage per force type; ValueError names what is wrong."""
    if not isinstance(result, dict) or "report" not in result or "uncovered" not in result:
        raise ValueError("coverage result must be a dict with 'report' and 'uncovered'")
    report, uncovered = result["report"], result["uncovered"]
    if not isinstance(report, dict) or not isinstance(report.get("forces"), list):
        raise ValueError("coverage report lacks its 'forces' list")
    if not isinstance(uncovered, dict):
        raise ValueError("coverage 'uncovered' must map force types to lon/lat bytes")
    out: dict[str, ForceCoverage] = {}
    for f in report["forces"]:
        try:
            key = str(f["unit_type"])
            fc = ForceCoverage(
                unit_type=key,
                name_zh=str(f.get("name_zh", key)),
                name_en=str(f.get("name_en", key)),
                standard_s=float(f["standard_s"]),
                units_available=int(f.get("units_available", 0)),
                node_share=float(f.get("node_share", 0.0)),
                length_share=float(f["length_share"]),
                uncovered_nodes=int(f.get("uncovered_nodes", 0)),
                gaps=[
                    Gap(
                        int(g.get("nodes", 0)),
                        float(g["length_m"]),
                        float(g["lon"]),
                        float(g["lat"]),
                        [str(a) for a in g.get("area_codes", [])],
                    )
                    for g in f.get("gaps", [])
                ],
            )
        except (KeyError, TypeError, ValueError, AttributeError) as exc:
            raise ValueError(f"coverage force entry is malformed ({exc!r})") from None
        arrays = uncovered.get(key)
        if arrays is not None:
            try:
                lon = np.frombuffer(bytes(arrays["lon"]), dtype=np.float64)
                lat = np.frombuffer(bytes(arrays["lat"]), dtype=np.float64)
            except (KeyError, TypeError, ValueError) as exc:
                raise ValueError(f"coverage of {key!r}: bad uncovered node bytes ({exc})") from None
            if lon.size != lat.size:
                raise ValueError(
                    f"coverage of {key!r}: {lon.size} longitudes but {lat.size} latitudes"
                )
            ok = np.isfinite(lon) & np.isfinite(lat)
            fc.lon, fc.lat = lon[ok].copy(), lat[ok].copy()
        out[key] = fc
    return out


class CoverageItem(pg.GraphicsObject):
    """Uncovered road nodes as one hatched, translucent patch."""

    def __init__(self) -> None:
        super().__init__()
        self.x: F64 = np.zeros(0)
        self.y: F64 = np.zeros(0)
        self.colour = QColor(GAP_COLOUR)
        self._bounds = QRectF()
        self.painted_points = 0  # nodes inside the view at the last paint (tests)
        self.setCacheMode(QGraphicsItem.CacheMode.DeviceCoordinateCache)

    def set_points(self, x: F64, y: F64) -> None:
        """Replace the uncovered nodes (plane metres)."""
        self.prepareGeometryChange()
        self.x = np.asarray(x, dtype=np.float64)
        self.y = np.asarray(y, dtype=np.float64)
        xs, ys = self.x, self.y
        if xs.size:
            pad = 1000.0  # the discs have a pixel size: generous margin
            self._bounds = QRectF(
                float(xs.min()) - pad,
                float(ys.min()) - pad,
                float(xs.max() - xs.min()) + 2 * pad,
                float(ys.max() - ys.min()) + 2 * pad,
            )
        else:
            self._bounds = QRectF()
        self.update()

    def boundingRect(self) -> QRectF:
        return self._bounds

    def paint(
        self, p: QPainter, opt: QStyleOptionGraphicsItem, widget: QWidget | None = None
    ) -> None:
        self.painted_points = 0
        if self.x.size == 0:
            return
        tr = p.transform()
        vp = p.viewport()
        dev = p.device()
        dpr = float(dev.devicePixelRatioF()) if dev is not None else 1.0
        ppm = math.hypot(tr.m11(), tr.m12())
        r = min(MAX_RADIUS_PX, max(MIN_RADIUS_PX, NODE_RADIUS_M * ppm))
        dx = tr.m11() * self.x + tr.m21() * self.y + tr.m31()
        dy = tr.m12() * self.x + tr.m22() * self.y + tr.m32()
        vis = (dx > -r) & (dx < vp.width() + r) & (dy > -r) & (dy < vp.height() + r)
        self.painted_points = int(np.count_nonzero(vis))
        if self.painted_points:
            img = self._patch(dx[vis], dy[vis], r, vp.width(), vp.height(), dpr)
            p.save()
            p.resetTransform()
            p.drawImage(QRectF(0, 0, vp.width(), vp.height()), img)
            p.restore()

    def _patch(self, dx: F64, dy: F64, r: float, w: int, h: int, dpr: float) -> QImage:
        """Discs into a mask, then one flat tint plus hatching kept only inside the mask."""
        size_w, size_h = max(1, math.ceil(w * dpr)), max(1, math.ceil(h * dpr))
        mask = QImage(size_w, size_h, QImage.Format.Format_ARGB32_Premultiplied)
        mask.fill(0)
        q = QPainter(mask)
        q.scale(dpr, dpr)
        q.setRenderHint(QPainter.RenderHint.Antialiasing, True)
        pen = QPen(QColor(0, 0, 0), 2 * r)
        pen.setCapStyle(Qt.PenCapStyle.RoundCap)
        q.setPen(pen)
        # zero-length segments with round caps are discs; one path, one stroke
        xs = np.column_stack([dx, dx + 0.01]).ravel()
        ys = np.column_stack([dy, dy]).ravel()
        q.drawPath(pg.arrayToQPath(xs, ys, connect="pairs"))
        q.end()

        out = QImage(size_w, size_h, QImage.Format.Format_ARGB32_Premultiplied)
        tint = QColor(self.colour)
        tint.setAlpha(TINT_ALPHA)
        out.fill(tint)
        q = QPainter(out)
        q.scale(dpr, dpr)
        q.setRenderHint(QPainter.RenderHint.Antialiasing, True)
        hatch = QColor(self.colour)
        hatch.setAlpha(HATCH_ALPHA)
        q.setPen(QPen(hatch, 1.3))
        path = QPainterPath()
        step = HATCH_SPACING_PX
        k = -float(h)
        while k < w:  # lines rising to the right, fixed to the screen
            path.moveTo(k, h)
            path.lineTo(k + h, 0)
            k += step
        q.drawPath(path)
        q.setCompositionMode(QPainter.CompositionMode.CompositionMode_DestinationIn)
        q.resetTransform()
        q.drawImage(0, 0, mask)
        q.end()
        out.setDevicePixelRatio(dpr)
        return out


def coverage_swatch(size: int = 18) -> QImage:
    """The patch's look in a small square, for the legend."""
    img = QImage(size, size, QImage.Format.Format_ARGB32_Premultiplied)
    img.fill(0)
    q = QPainter(img)
    q.setRenderHint(QPainter.RenderHint.Antialiasing, True)
    tint = QColor(GAP_COLOUR)
    tint.setAlpha(TINT_ALPHA + 20)
    q.setBrush(tint)
    hatch = QColor(GAP_COLOUR)
    hatch.setAlpha(HATCH_ALPHA)
    q.setPen(QPen(hatch, 1.0))
    q.drawRoundedRect(QRectF(1.5, 1.5, size - 3, size - 3), 3, 3)
    q.setPen(QPen(hatch, 1.3))
    k = -float(size)
    while k < size:
        q.drawLine(QPointF(k, size - 2), QPointF(k + size - 2, 2))
        k += 5.0
    q.end()
    return img


def coverage_legend(view: MapView) -> list[LegendRow]:
    """The patch's swatch and what it means for the force type shown (while it is shown)."""

    def text() -> str:
        fc = view.coverage_shown()
        if fc is None:
            return ""
        cut = view.config.unit_types.get(fc.unit_type)
        name = (cut.name_zh if is_chinese() else cut.name_en) if cut is not None else ""
        type_name = name or fc.unit_type
        return s.tr(s.COVERAGE_LEGEND, minutes=f"{fc.standard_s / 60:g}", type=type_name)

    return [LegendRow(icon=coverage_swatch, label=text, wrap=True)]
