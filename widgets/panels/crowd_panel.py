"""The crowd dock: one place's counts and forecast as a chart, and the map's time slider.

The chart shows the last 48 observed hours, the forecast of the next 168 hours with its
80 % band, the nowcast of the next 30 minutes with its band, the place's warning and
alarm lines, "now", the next peak, and the hour the map is coloured for.  Times are
the place's own clock (its zone from the hub), never this machine's.  The data are the
hub's ``CrowdForecast`` events: the dock redraws when its place's forecast arrives.
Where the counts are not the place's own (the demo's stand-in) the dock says so.
"""

from __future__ import annotations

import math
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QEvent, QSize, Qt, Signal
from PySide6.QtGui import QColor, QFont
from PySide6.QtWidgets import (
    QComboBox,
    QHBoxLayout,
    QLabel,
    QSizePolicy,
    QSlider,
    QVBoxLayout,
    QWidget,
)

from widgets.i18n import is_chinese
from widgets.map.layers.crowd import WEEKDAYS_ZH, CrowdSeries, slider_text

HOUR = 3600.0
HORIZON_H = 167  # slider steps after the current hour
BAND = QColor(30, 136, 229, 60)
LINE = QColor("#1565c0")
NOW_BAND = QColor(239, 108, 0, 70)
NOW_LINE = QColor("#e65100")
OBSERVED = QColor("#212121")
WARN_LINE = QColor("#ff8f00")
ALARM_LINE = QColor("#c62828")
SLIDER_LINE = QColor("#6a1b9a")


class ZoneAxis(pg.AxisItem):
    """A time axis in one zone: days at local midnight, hours between."""

    def __init__(self, tz: str = "Asia/Shanghai") -> None:
        super().__init__(orientation="bottom")
        self.tz = tz
        self.enableAutoSIPrefix(False)

    def _zone(self) -> ZoneInfo:
        try:
            return ZoneInfo(self.tz)
        except Exception:
            return ZoneInfo("Asia/Shanghai")

    def tickValues(
        self, minVal: float, maxVal: float, size: float
    ) -> list[tuple[float, list[float]]]:
        if not (math.isfinite(minVal) and math.isfinite(maxVal)) or maxVal <= minVal:
            return []
        span_h = (maxVal - minVal) / HOUR
        minor_h = 6 if span_h > 72 else 3 if span_h > 24 else 1
        z = self._zone()
        start = datetime.fromtimestamp(minVal, z).replace(minute=0, second=0, microsecond=0)
        majors: list[float] = []
        minors: list[float] = []
        t = start
        for _ in range(2000):
            ts = t.timestamp()
            if ts > maxVal:
                break
            if ts >= minVal:
                if t.hour == 0:
                    majors.append(ts)
                elif t.hour % minor_h == 0:
                    minors.append(ts)
            t = (t.replace(tzinfo=None) + timedelta(hours=1)).replace(tzinfo=z)
        per_day = size / max(span_h / 24.0, 1e-9)  # pixels a day gets
        every = 1 if per_day >= 80 else 2 if per_day >= 40 else 4
        if every > 1:  # too narrow for every day's label: every second (fourth) day
            majors = [t for t in majors if datetime.fromtimestamp(t, z).toordinal() % every == 0]
        if per_day < 40 * 24 / minor_h:  # no room for hour labels between the days
            return [(86400.0 * every, majors), (HOUR * minor_h, [])]
        return [(86400.0 * every, majors), (HOUR * minor_h, minors)]

    def tickStrings(self, values: list[float], scale: float, spacing: float) -> list[str]:
        z = self._zone()
        out = []
        for v in values:
            d = datetime.fromtimestamp(v, z)
            if d.hour == 0:
                day = WEEKDAYS_ZH[d.weekday()] if is_chinese() else d.strftime("%a")
                out.append(f"{d.month}/{d.day} {day}")
            else:
                out.append(d.strftime("%H:%M"))
        return out


class CountAxis(pg.AxisItem):
    """People with thousands separators (never "x1e3")."""

    def __init__(self) -> None:
        super().__init__(orientation="left")
        self.enableAutoSIPrefix(False)

    def tickStrings(self, values: list[float], scale: float, spacing: float) -> list[str]:
        return [f"{v:,.0f}" for v in values]


class CrowdPanel(QWidget):
    """A place selector, the chart, the data label and the map's hour slider."""

    placeChanged = Signal(str)  # place code
    timeChanged = Signal(float)  # the slider's hour (UTC s): the map recolours

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("crowdPanel")
        self.places: list[dict[str, object]] = []
        self.series: dict[str, CrowdSeries] = {}
        self.note = ""
        self.note_en = ""
        self.draws = 0  # charts drawn (tests)
        self.place_box = QComboBox(self)
        self.place_box.setObjectName("crowdPlace")
        self.place_box.currentIndexChanged.connect(self._on_place)
        self.summary = QLabel(self)
        self.summary.setObjectName("crowdSummary")
        self.summary.setWordWrap(True)
        self.summary.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Preferred)
        self.axis = ZoneAxis()
        self.plot = pg.PlotWidget(
            self, background="w", axisItems={"bottom": self.axis, "left": CountAxis()}
        )
        self.plot.setObjectName("crowdChart")
        self.plot.setMenuEnabled(False)
        self.plot.hideButtons()
        self.plot.showGrid(x=True, y=True, alpha=0.15)
        self.plot.setMinimumSize(QSize(160, 120))  # a small window still fits
        pi = self.plot.getPlotItem()
        pi.setMouseEnabled(x=True, y=False)
        self.band_hi = pg.PlotDataItem(pen=pg.mkPen(BAND, width=1))
        self.band_lo = pg.PlotDataItem(pen=pg.mkPen(BAND, width=1))
        self.band = pg.FillBetweenItem(self.band_hi, self.band_lo, brush=pg.mkBrush(BAND))
        self.forecast = pg.PlotDataItem(pen=pg.mkPen(LINE, width=2))
        self.now_hi = pg.PlotDataItem(pen=pg.mkPen(NOW_BAND, width=1))
        self.now_lo = pg.PlotDataItem(pen=pg.mkPen(NOW_BAND, width=1))
        self.now_band = pg.FillBetweenItem(self.now_hi, self.now_lo, brush=pg.mkBrush(NOW_BAND))
        self.nowcast = pg.PlotDataItem(pen=pg.mkPen(NOW_LINE, width=2))
        self.observed = pg.PlotDataItem(
            pen=pg.mkPen(OBSERVED, width=1.5),
            symbol="o",
            symbolSize=3,
            symbolBrush=OBSERVED,
            symbolPen=None,
            connect="finite",
        )
        for item in (self.band, self.now_band):
            pi.addItem(item)
        for item in (self.band_hi, self.band_lo, self.now_hi, self.now_lo):
            pi.addItem(item)
        pi.addItem(self.forecast)
        pi.addItem(self.nowcast)
        pi.addItem(self.observed)
        label_opts = {
            "position": 0.005,
            "anchors": [(0, 1), (0, 1)],  # left-aligned, just above the line
            "color": "#424242",
            "movable": False,
            "fill": (255, 255, 255, 200),
        }
        self.warn_line = pg.InfiniteLine(
            angle=0,
            pen=pg.mkPen(WARN_LINE, width=1.5, style=Qt.PenStyle.DashLine),
            label="",
            labelOpts={**label_opts, "color": WARN_LINE.name()},
        )
        self.alarm_line = pg.InfiniteLine(
            angle=0,
            pen=pg.mkPen(ALARM_LINE, width=1.5, style=Qt.PenStyle.DashLine),
            label="",
            labelOpts={**label_opts, "color": ALARM_LINE.name()},
        )
        self.now_line = pg.InfiniteLine(
            angle=90,
            pen=pg.mkPen("#757575", width=1),
            label="",
            labelOpts={"position": 0.95, "color": "#616161", "movable": False},
        )
        self.slider_line = pg.InfiniteLine(
            angle=90,
            pen=pg.mkPen(SLIDER_LINE, width=1.5, style=Qt.PenStyle.DotLine),
            label="",
            labelOpts={
                "position": 0.85,
                "color": SLIDER_LINE.name(),
                "movable": False,
                "fill": (255, 255, 255, 200),
            },
        )
        for line in (self.warn_line, self.alarm_line, self.now_line, self.slider_line):
            pi.addItem(line, ignoreBounds=True)
        self.peak_mark = pg.ScatterPlotItem(
            size=11, symbol="t", brush=pg.mkBrush(ALARM_LINE), pen=None
        )
        self.peak_text = pg.TextItem("", color="#b71c1c", anchor=(0.5, 1.25))
        f = QFont(self.font())
        f.setPixelSize(11)
        f.setBold(True)
        self.peak_text.setFont(f)
        pi.addItem(self.peak_mark)
        pi.addItem(self.peak_text, ignoreBounds=True)

        self.key_label = QLabel(self)
        self.key_label.setObjectName("crowdKey")
        self.key_label.setTextFormat(Qt.TextFormat.RichText)
        self.key_label.setWordWrap(True)
        self.key_label.setStyleSheet("color: #424242; font-size: 11px;")
        self.note_label = QLabel(self)
        self.note_label.setObjectName("crowdNote")
        self.note_label.setWordWrap(True)
        self.note_label.setStyleSheet(
            "#crowdNote { background: #fff3cd; color: #6d4c00; padding: 2px 6px; }"
        )
        self.note_label.hide()
        self.slider = QSlider(Qt.Orientation.Horizontal, self)
        self.slider.setObjectName("crowdSlider")
        self.slider.setRange(0, HORIZON_H)
        self.slider.setPageStep(6)
        self.slider.valueChanged.connect(self._on_slider)
        self.slider_caption = QLabel(self)
        self.slider_label = QLabel(self)
        self.slider_label.setObjectName("crowdSliderTime")
        self.slider_label.setMinimumWidth(90)
        self.slider_label.setStyleSheet("font-weight: bold; color: #4a148c;")

        top = QHBoxLayout()
        top.addWidget(self.place_box)
        top.addWidget(self.summary, 1)
        bottom = QHBoxLayout()
        bottom.addWidget(self.slider_caption)
        bottom.addWidget(self.slider, 1)
        bottom.addWidget(self.slider_label)
        lay = QVBoxLayout(self)
        lay.setContentsMargins(4, 4, 4, 4)
        lay.addLayout(top)
        lay.addWidget(self.key_label)
        lay.addWidget(self.plot, 1)
        lay.addLayout(bottom)
        lay.addWidget(self.note_label)
        self.retranslateUi()

    def sizeHint(self) -> QSize:
        return QSize(620, 340)

    # ------------------------------------------------------------------ texts

    def retranslateUi(self) -> None:
        """Every text (also on LanguageChange)."""
        self.slider_caption.setText(self.tr("Map at"))
        self.slider.setToolTip(self.tr("The hour the map colours the crowd places for"))
        i = self.place_box.currentIndex()
        self.place_box.blockSignals(True)
        for k, p in enumerate(self.places):
            self.place_box.setItemText(k, self._name(p))
        self.place_box.setCurrentIndex(i)
        self.place_box.blockSignals(False)
        keys = (
            (OBSERVED, "●", self.tr("Counted")),
            (LINE, "━", self.tr("Forecast (80 % band)")),
            (NOW_LINE, "━", self.tr("Next 30 min")),
            (WARN_LINE, "┅", self.tr("Warning")),
            (ALARM_LINE, "┅", self.tr("Alarm")),
            (SLIDER_LINE, "┆", self.tr("Map hour")),
        )
        self.key_label.setText(
            "&nbsp;&nbsp; ".join(
                f"<span style='color:{c.name()}'>{sym}</span>&nbsp;{text}" for c, sym, text in keys
            )
        )
        self.now_line.label.setFormat(self.tr("now"))
        self.note_label.setText(self.note if is_chinese() else self.note_en)
        self.redraw()

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslateUi()
        super().changeEvent(event)

    @staticmethod
    def _name(p: dict[str, object]) -> str:
        return str(p["name"] if is_chinese() else p.get("name_en") or p["name"])

    # ------------------------------------------------------------------ data

    def set_places(
        self, places: list[dict[str, object]], note: str = "", note_en: str = ""
    ) -> None:
        """The places to choose from (``GetCrowdPlaces``) and the counts' label."""
        current = self.place()
        self.places = list(places)
        self.note, self.note_en = note, note_en
        self.note_label.setVisible(bool(note or note_en))
        self.place_box.blockSignals(True)
        self.place_box.clear()
        for p in self.places:
            self.place_box.addItem(self._name(p), p["code"])
        codes = [p["code"] for p in self.places]
        self.place_box.setCurrentIndex(codes.index(current) if current in codes else 0)
        self.place_box.blockSignals(False)
        self.retranslateUi()

    def set_series(self, s: CrowdSeries) -> None:
        """A place's newest forecast; the chart redraws when it is the place shown."""
        self.series[s.event.place] = s
        if s.event.note or s.event.note_en:
            self.note, self.note_en = s.event.note, s.event.note_en
            self.note_label.setText(self.note if is_chinese() else self.note_en)
            self.note_label.show()
        if s.event.place == self.place():
            self.redraw()
        self._update_slider_label()

    def place(self) -> str:
        """The place shown ("" before the places are known)."""
        code = self.place_box.currentData()
        return str(code) if code is not None else ""

    def select_place(self, code: str) -> None:
        i = self.place_box.findData(code)
        if i < 0:
            raise KeyError(f"no crowd place {code!r}")
        self.place_box.setCurrentIndex(i)

    def now(self) -> float:
        """The newest forecast's issue time (the hub's "now")."""
        return max((s.event.issued_at for s in self.series.values()), default=0.0)

    def slider_time(self) -> float | None:
        """The hour the slider shows (UTC s): the current hour plus the slider's steps."""
        now = self.now()
        if now <= 0:
            return None
        s = self.series.get(self.place()) or next(iter(self.series.values()))
        times = s.hour_times
        i = int(np.searchsorted(times, now, side="right")) - 1
        base = float(times[i]) if 0 <= i < times.size else math.floor(now / HOUR) * HOUR
        return base + HOUR * self.slider.value()

    def set_step(self, hours: int) -> None:
        """Move the slider ``hours`` past the current hour."""
        self.slider.setValue(max(0, min(HORIZON_H, hours)))

    def _on_place(self, _i: int) -> None:
        self.redraw()
        self._update_slider_label()
        self.placeChanged.emit(self.place())

    def _on_slider(self, _v: int) -> None:
        self._update_slider_label()
        t = self.slider_time()
        if t is not None:
            self.slider_line.setValue(t)
            self.timeChanged.emit(t)

    def _tz(self) -> str:
        s = self.series.get(self.place())
        return s.event.tz if s is not None else "Asia/Shanghai"

    def _update_slider_label(self) -> None:
        t = self.slider_time()
        self.slider_label.setText("" if t is None else slider_text(t, self.now(), self._tz()))
        self.slider_line.setVisible(t is not None)
        if t is not None:
            self.slider_line.setValue(t)

    # ------------------------------------------------------------------ chart

    def redraw(self) -> None:
        """Draw the place shown from its newest forecast (empty without one)."""
        s = self.series.get(self.place())
        items = (self.band_hi, self.band_lo, self.forecast, self.now_hi, self.now_lo)
        if s is None:
            for item in (*items, self.nowcast, self.observed):
                item.setData([], [])
            self.peak_mark.setData([], [])
            self.peak_text.setText("")
            self.summary.setText(self.tr("No forecast yet") if self.places else "")
            return
        ev = s.event
        self.axis.tz = ev.tz
        flow = ev.measure == "flow"
        self.plot.getPlotItem().setLabel(
            "left", self.tr("People per hour") if flow else self.tr("People")
        )
        ok = np.isfinite(s.hour_point)
        self.band_hi.setData(s.hour_times[ok], s.hour_upper[ok])
        self.band_lo.setData(s.hour_times[ok], s.hour_lower[ok])
        self.forecast.setData(s.hour_times[ok], s.hour_point[ok])
        self.now_hi.setData(s.minute_times, s.minute_upper)
        self.now_lo.setData(s.minute_times, s.minute_lower)
        self.nowcast.setData(s.minute_times, s.minute_point)
        self.observed.setData(*_with_gaps(s.observed_times, s.observed))
        warn, alarm = ev.warn_share * ev.capacity, ev.alarm_share * ev.capacity
        self.warn_line.setValue(warn)
        self.alarm_line.setValue(alarm)
        self.warn_line.label.setFormat(
            self.tr("warning %1 %").replace("%1", f"{round(100 * ev.warn_share)}")
        )
        self.alarm_line.label.setFormat(
            self.tr("alarm %1 %").replace("%1", f"{round(100 * ev.alarm_share)}")
        )
        self.now_line.setValue(ev.issued_at)
        top = max(
            alarm * 1.08,
            float(np.nanmax(s.hour_upper[ok])) * 1.05 if ok.any() else 0.0,
            float(np.max(s.observed)) * 1.05 if s.observed.size else 0.0,
        )
        pi = self.plot.getPlotItem()
        pi.setYRange(0, top, padding=0)
        left = ev.issued_at - 48 * HOUR
        right = float(s.hour_times[-1]) + HOUR if s.hour_times.size else ev.issued_at
        pi.setXRange(left, right, padding=0.01)
        self._draw_peak(s)
        self.draws += 1

    def _draw_peak(self, s: CrowdSeries) -> None:
        ev = s.event
        if ev.peak_t is None or ev.peak is None or not math.isfinite(ev.peak):
            self.peak_mark.setData([], [])
            self.peak_text.setText("")
            self.summary.setText(self.tr("No forecast yet"))
            return
        share = round(100 * ev.peak / ev.capacity)
        when = slider_text(ev.peak_t, ev.issued_at, ev.tz)
        self.peak_mark.setData([ev.peak_t + HOUR / 2], [ev.peak])
        self.peak_text.setText(f"{share}%")
        self.peak_text.setPos(ev.peak_t + HOUR / 2, ev.peak)
        level = (
            "alarm"
            if share >= 100 * ev.alarm_share
            else "warning"
            if share >= 100 * ev.warn_share
            else ""
        )
        text = (
            self.tr("Next peak %1: %2 people, %3 % of capacity")
            .replace("%1", when)
            .replace("%2", f"{ev.peak:,.0f}")
            .replace("%3", str(share))
        )
        colour = {"alarm": "#b71c1c", "warning": "#e65100"}.get(level, "#1b5e20")
        self.summary.setText(text)
        self.summary.setStyleSheet(f"color: {colour}; font-weight: bold;")


def _with_gaps(t: np.ndarray, v: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """A missing hour is a gap in the line, never a straight line across it."""
    if t.size < 2:
        return t, v
    breaks = np.flatnonzero(np.diff(t) > 1.5 * HOUR)
    if not breaks.size:
        return t, v
    tt = np.insert(t, breaks + 1, t[breaks] + HOUR)
    vv = np.insert(v, breaks + 1, np.nan)
    return tt, vv
