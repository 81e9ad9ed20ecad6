"""Crowd places on the map, coloured by the forecast share of their safe capacity at the hour
the crowd dock's time slider shows (the next 7 days, hour by hour).

Areas are drawn as their outlines, fixed points as circles of a fixed screen size; below
the place's warning share green, from it amber, from its alarm share red, grey where
there is no forecast for that hour.  A label gives the place and its share.  The data are
the hub's ``CrowdForecast`` events (``widgets/crowd_tools.py`` feeds them in); the item
reads the map's projection when it paints, so a district loaded later needs no call.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np
import numpy.typing as npt
import pyqtgraph as pg
from PySide6.QtCore import QDateTime, QPointF, QRectF, Qt, QTimeZone
from PySide6.QtGui import QBrush, QColor, QFont, QImage, QPainter, QPainterPath, QPen, QPolygonF
from PySide6.QtWidgets import QStyleOptionGraphicsItem, QWidget

from console.hub.messages import CrowdForecast
from widgets.i18n import is_chinese
from widgets.map.layers.spec import LegendRow, tr
from widgets.map.projection import DisplayProjection

if TYPE_CHECKING:  # the stubs say "object"; at run time it returns the source string
    from widgets.map.view import MapView

    def QT_TRANSLATE_NOOP(context: str, source: str) -> str: ...
else:
    from PySide6.QtCore import QT_TRANSLATE_NOOP

F64 = npt.NDArray[np.float64]
TITLE = QT_TRANSLATE_NOOP("MapView", "Crowd forecast at %1")
TITLE_NONE = QT_TRANSLATE_NOOP("MapView", "Crowd forecast")
BELOW = QT_TRANSLATE_NOOP("MapView", "Below the warning share of capacity")
WARN = QT_TRANSLATE_NOOP("MapView", "Warning share of capacity reached")
ALARM = QT_TRANSLATE_NOOP("MapView", "Alarm share of capacity reached")
NONE = QT_TRANSLATE_NOOP("MapView", "No forecast for this hour")
LEVEL_COLOURS = {
    "normal": QColor("#2e7d32"),
    "warning": QColor("#ff8f00"),
    "alarm": QColor("#c62828"),
    "none": QColor("#9e9e9e"),
}
FILL_ALPHA = 120
POINT_PX = 13.0
BOUNDS_M = 60_000.0
WEEKDAYS_ZH = ("周一", "周二", "周三", "周四", "周五", "周六", "周日")


@dataclass(frozen=True)
class CrowdSeries:
    """A ``CrowdForecast`` with its arrays read out (what the chart and the map use)."""

    event: CrowdForecast
    hour_times: F64
    hour_point: F64
    hour_lower: F64
    hour_upper: F64
    minute_times: F64
    minute_point: F64
    minute_lower: F64
    minute_upper: F64
    observed_times: F64
    observed: F64

    @classmethod
    def of(cls, ev: CrowdForecast) -> CrowdSeries:
        """Read the event's float64 byte arrays (ValueError naming a broken one)."""
        arrays: dict[str, F64] = {}
        for name in (
            "hour_times",
            "hour_point",
            "hour_lower",
            "hour_upper",
            "minute_times",
            "minute_point",
            "minute_lower",
            "minute_upper",
            "observed_times",
            "observed",
        ):
            raw = getattr(ev, name)
            if len(raw) % 8:
                raise ValueError(f"crowd forecast of {ev.place}: {name} is not float64 bytes")
            arrays[name] = np.frombuffer(raw, dtype=np.float64)
        for a, b in (("hour_times", "hour_point"), ("minute_times", "minute_point")):
            if arrays[a].size != arrays[b].size:
                raise ValueError(f"crowd forecast of {ev.place}: {a} and {b} differ in length")
        if arrays["observed_times"].size != arrays["observed"].size:
            raise ValueError(f"crowd forecast of {ev.place}: observed times and counts differ")
        return cls(ev, **arrays)

    def share_at(self, t: float) -> float | None:
        """Forecast share of capacity in the hour holding ``t`` (None: no forecast)."""
        i = int(np.searchsorted(self.hour_times, t, side="right")) - 1
        if i < 0 or i >= self.hour_times.size or not math.isfinite(self.hour_point[i]):
            return None
        return float(self.hour_point[i] / self.event.capacity)


def level_of(share: float | None, warn: float, alarm: float) -> str:
    """``none``, ``normal``, ``warning`` or ``alarm`` for a share of capacity."""
    if share is None:
        return "none"
    return "alarm" if share >= alarm else "warning" if share >= warn else "normal"


def slider_text(t: float, now: float, tz: str) -> str:
    """A slider hour as the operator reads it: "周六 20:00 (+3 h)" in the place's zone."""
    z = QTimeZone(tz.encode())
    dt = QDateTime.fromSecsSinceEpoch(round(t), z if z.isValid() else QTimeZone(b"Asia/Shanghai"))
    day = (
        WEEKDAYS_ZH[dt.date().dayOfWeek() - 1]
        if is_chinese()
        else dt.toString("ddd")  # the locale's short weekday
    )
    hours = round((t - now) / 3600.0)
    unit = "小时" if is_chinese() else " h"
    ahead = f" (+{hours}{unit})" if hours > 0 else ""
    return f"{day} {dt.toString('HH:mm')}{ahead}"


class CrowdPlacesItem(pg.GraphicsObject):
    """The crowd places of one map, filled by their forecast level at :attr:`time`."""

    def __init__(self, projection: Callable[[], DisplayProjection | None]) -> None:
        super().__init__()
        self._projection = projection
        self.places: list[dict[str, Any]] = []
        self.series: dict[str, CrowdSeries] = {}
        self.time: float | None = None  # the slider's hour (UTC s); None: now
        self.now = 0.0
        self.tz = "Asia/Shanghai"
        self.painted = 0  # places drawn at the last paint (tests)
        self._built_for: DisplayProjection | None = None
        self._shapes: list[tuple[QPainterPath | None, QPointF]] = []
        self._bounds = QRectF(-BOUNDS_M, -BOUNDS_M, 2 * BOUNDS_M, 2 * BOUNDS_M)

    def set_places(self, places: Sequence[dict[str, Any]]) -> None:
        """The places of ``GetCrowdPlaces`` (code, names, kind, polygon or point, shares)."""
        for p in places:
            for key in ("code", "name", "kind", "centre", "warn_share", "alarm_share"):
                if key not in p:
                    raise ValueError(f"a crowd place lacks {key!r}")
        self.places = [dict(p) for p in places]
        if self.places:
            self.tz = str(self.places[0].get("tz") or self.tz)
        self._built_for = None
        self.update()

    def set_series(self, series: CrowdSeries) -> None:
        """A place's newest forecast."""
        self.series[series.event.place] = series
        self.now = max(self.now, series.event.issued_at)
        self.update()

    def set_time(self, t: float | None, now: float | None = None) -> None:
        """Colour by the forecast at ``t`` (None: the current hour)."""
        self.time = t
        if now is not None:
            self.now = now
        self.update()

    def shown_time(self) -> float:
        return self.now if self.time is None else self.time

    def levels(self) -> dict[str, tuple[str, float | None]]:
        """Each place's (level, share) at the time shown."""
        out: dict[str, tuple[str, float | None]] = {}
        t = self.shown_time()
        for p in self.places:
            s = self.series.get(p["code"])
            share = s.share_at(t) if s is not None else None
            out[p["code"]] = (level_of(share, p["warn_share"], p["alarm_share"]), share)
        return out

    def _build(self, proj: DisplayProjection) -> None:
        self._shapes = []
        for p in self.places:
            path: QPainterPath | None = None
            ring = np.asarray(p.get("polygon") or [], dtype=np.float64).reshape(-1, 2)
            if p["kind"] == "area" and ring.shape[0] >= 3:
                x, y = proj.to_xy(ring[:, 0], ring[:, 1])
                path = QPainterPath()
                path.addPolygon(
                    QPolygonF([QPointF(float(a), float(b)) for a, b in zip(x, y, strict=True)])
                )
                path.closeSubpath()
            cx, cy = proj.point_xy(float(p["centre"][0]), float(p["centre"][1]))
            self._shapes.append((path, QPointF(cx, cy)))
        self._built_for = proj

    def boundingRect(self) -> QRectF:
        return self._bounds

    def paint(
        self, p: QPainter, opt: QStyleOptionGraphicsItem, widget: QWidget | None = None
    ) -> None:
        self.painted = 0
        proj = self._projection()
        if proj is None or not self.places:
            return
        if self._built_for is not proj:
            self._build(proj)
        levels = self.levels()
        p.setRenderHint(QPainter.RenderHint.Antialiasing, True)
        to_screen = p.transform()
        for place, (path, centre) in zip(self.places, self._shapes, strict=True):
            colour = LEVEL_COLOURS[levels[place["code"]][0]]
            fill = QColor(colour)
            fill.setAlpha(FILL_ALPHA)
            pen = QPen(colour.darker(130), 2.5)
            pen.setCosmetic(True)
            if path is not None:
                p.setPen(pen)
                p.setBrush(QBrush(fill))
                p.drawPath(path)
            else:
                p.save()
                p.resetTransform()
                p.setPen(QPen(QColor("white"), 2.0))
                solid = QColor(colour)
                solid.setAlpha(200)
                p.setBrush(QBrush(solid))
                p.drawEllipse(to_screen.map(centre), POINT_PX, POINT_PX)
                p.restore()
            self.painted += 1

    def label_spots(self) -> list[tuple[QPointF, str, QColor, bool]]:
        """(plane point, "name share%", level colour, a point place?) of each place."""
        proj = self._projection()
        if proj is None:
            return []
        if self._built_for is not proj:
            self._build(proj)
        levels = self.levels()
        out = []
        for place, (path, centre) in zip(self.places, self._shapes, strict=True):
            level, share = levels[place["code"]]
            name = place["name"] if is_chinese() else place.get("name_en") or place["name"]
            text = f"{name} {round(100 * share)}%" if share is not None else f"{name} –"
            out.append((centre, text, LEVEL_COLOURS[level], path is None))
        return out


class CrowdLabels(pg.GraphicsObject):
    """Each place's name and forecast share in a box, in screen pixels, over everything
    (station names and units would hide them)."""

    def __init__(self, places: CrowdPlacesItem) -> None:
        super().__init__()
        self.places_item = places
        self.painted = 0
        self._bounds = QRectF(-BOUNDS_M, -BOUNDS_M, 2 * BOUNDS_M, 2 * BOUNDS_M)

    def boundingRect(self) -> QRectF:
        return self._bounds

    def paint(
        self, p: QPainter, opt: QStyleOptionGraphicsItem, widget: QWidget | None = None
    ) -> None:
        self.painted = 0
        spots = self.places_item.label_spots()
        if not spots:
            return
        to_screen = p.transform()
        p.save()
        p.resetTransform()
        p.setRenderHint(QPainter.RenderHint.Antialiasing, True)
        f = QFont(p.font())
        f.setPixelSize(12)
        f.setBold(True)
        p.setFont(f)
        metrics = p.fontMetrics()
        for centre, text, colour, point in spots:
            c = to_screen.map(centre)
            w, h = metrics.horizontalAdvance(text) + 10, metrics.height() + 4
            y = c.y() + POINT_PX + 3 if point else c.y() - h / 2  # under a point's circle
            box = QRectF(c.x() - w / 2, y, w, h)
            p.setPen(QPen(colour.darker(120), 1.5))
            p.setBrush(QColor(255, 255, 255, 235))
            p.drawRoundedRect(box, 4, 4)
            p.setPen(colour.darker(170))
            p.drawText(box, Qt.AlignmentFlag.AlignCenter, text)
            self.painted += 1
        p.restore()


def crowd_items(projection: Callable[[], DisplayProjection | None]) -> list[pg.GraphicsObject]:
    """The layer's two items: the places (under stations and units) and their labels."""
    places = CrowdPlacesItem(projection)
    return [places, CrowdLabels(places)]


def crowd_item(view: MapView) -> CrowdPlacesItem:
    """The map's crowd layer item."""
    item = view.layer_items("crowd")[0]
    if not isinstance(item, CrowdPlacesItem):
        raise KeyError("the map's 'crowd' layer is not a crowd layer")
    return item


def crowd_has_content(view: MapView) -> bool:
    return bool(crowd_item(view).places)


def _swatch(colour: QColor) -> Callable[[int], QImage]:
    def draw(size: int) -> QImage:
        img = QImage(size, size, QImage.Format.Format_ARGB32_Premultiplied)
        img.fill(0)
        q = QPainter(img)
        q.setRenderHint(QPainter.RenderHint.Antialiasing, True)
        fill = QColor(colour)
        fill.setAlpha(FILL_ALPHA + 60)
        q.setPen(QPen(colour.darker(130), 1.5))
        q.setBrush(fill)
        q.drawRoundedRect(QRectF(2, 2, size - 4, size - 4), 3, 3)
        q.end()
        return img

    return draw


def crowd_legend(view: MapView) -> list[LegendRow]:
    """The time shown and the four levels (while the layer shows places)."""

    def title() -> str:
        item = crowd_item(view)
        if not item.series:
            return tr(TITLE_NONE)
        return tr(TITLE).replace("%1", slider_text(item.shown_time(), item.now, item.tz))

    return [
        LegendRow(label=title),
        LegendRow(text=BELOW, icon=_swatch(LEVEL_COLOURS["normal"])),
        LegendRow(text=WARN, icon=_swatch(LEVEL_COLOURS["warning"])),
        LegendRow(text=ALARM, icon=_swatch(LEVEL_COLOURS["alarm"])),
        LegendRow(text=NONE, icon=_swatch(LEVEL_COLOURS["none"])),
    ]
