"""The forecast dock: expected calls for the next shift, the next 24 hours or the next 7 days,
with a slider through its hours (or days) and a bar per step.

The hub computes the forecast on its heat worker (``GetForecast``); the
surface it sends is the whole period's, and the step totals say how the
period's calls divide over its hours or days, so the slider only rescales the
surface here, without asking the hub again.  Times are shown in the
district's zone, which the reply names.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt
from PySide6.QtCore import QDateTime, QEvent, QRectF, QSize, Qt, QTimeZone, Signal
from PySide6.QtGui import QColor, QFont, QPainter, QPaintEvent
from PySide6.QtWidgets import (
    QComboBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QSizePolicy,
    QSlider,
    QVBoxLayout,
    QWidget,
)

from console.heat.wire import ForecastReply, forecast_from_result
from console.hub.messages import GetForecast, Reply
from widgets.bridge import HubBridge

HORIZONS = ("shift", "24h", "7d")
SHIFT_HOURS = 8.0
MODELS = ("blend", "sepp", "prospective", "baseline")
F32 = npt.NDArray[np.float32]


def zone_of(tz: str) -> QTimeZone:
    """Qt's zone for an IANA name (Asia/Shanghai when Qt does not know it)."""
    z = QTimeZone(tz.encode())
    return z if z.isValid() else QTimeZone(b"Asia/Shanghai")


def local_text(t: float, tz: str, fmt: str = "MM-dd HH:mm") -> str:
    """A UNIX time as local time of ``tz``."""
    return QDateTime.fromSecsSinceEpoch(round(t), zone_of(tz)).toString(fmt)


class StepChart(QWidget):
    """Expected calls per step as bars, the chosen step highlighted (0: none)."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.totals: list[float] = []
        self.labels: list[str] = []
        self.current = -1
        self.setMinimumSize(QSize(220, 74))
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)

    def set_steps(self, totals: list[float], labels: list[str]) -> None:
        self.totals, self.labels = list(totals), list(labels)
        self.update()

    def set_current(self, i: int) -> None:
        self.current = i
        self.update()

    def paintEvent(self, event: QPaintEvent) -> None:
        p = QPainter(self)
        p.fillRect(self.rect(), QColor("#fafafa"))
        n = len(self.totals)
        top = max(self.totals) if n else 0.0
        if n == 0 or top <= 0:
            p.end()
            return
        f = QFont(self.font())
        f.setPixelSize(10)
        p.setFont(f)
        w, h = self.width(), self.height() - 14
        bw = w / n
        for i, v in enumerate(self.totals):
            bh = (h - 4) * v / top
            colour = QColor("#6a1b9a") if i == self.current else QColor("#9e9ac8")
            p.fillRect(QRectF(i * bw + 1, h - bh, max(1.0, bw - 2), bh), colour)
        p.setPen(QColor("#424242"))
        every = max(1, int(np.ceil(n / 8)))
        for i in range(0, n, every):
            if i < len(self.labels):
                p.drawText(
                    QRectF(i * bw, h, bw * every, 14),
                    Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter,
                    self.labels[i],
                )
        p.end()


class ForecastPanel(QWidget):
    """Horizon, model, the step slider and chart; asks the hub for the forecast."""

    forecastLoaded = Signal(object)  # ForecastReply
    periodChanged = Signal()  # the slider moved: the map shows another period
    requested = Signal(object)  # the GetForecast just sent

    def __init__(self, bridge: HubBridge, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("forecastPanel")
        self.bridge = bridge
        self.forecast: ForecastReply | None = None
        self.tz = "Asia/Shanghai"
        self.last_command: GetForecast | None = None
        self.requests = 0
        self._token = 0
        self._state = ""

        form = QFormLayout()
        self.horizon_box, self.horizon_label = QComboBox(self), QLabel(self)
        self.horizon_box.setObjectName("forecastHorizon")
        for key in HORIZONS:
            self.horizon_box.addItem("", key)
        self.horizon_box.setCurrentIndex(HORIZONS.index("24h"))
        self.model_box, self.model_label = QComboBox(self), QLabel(self)
        for key in MODELS:
            self.model_box.addItem("", key)
        form.addRow(self.horizon_label, self.horizon_box)
        form.addRow(self.model_label, self.model_box)
        self.go = QPushButton(self)
        self.go.setObjectName("computeForecast")

        self.slider = QSlider(Qt.Orientation.Horizontal, self)
        self.slider.setObjectName("forecastStep")
        self.slider.setRange(0, 0)
        self.slider.setEnabled(False)
        self.period = QLabel(self)
        self.period.setWordWrap(True)
        f = self.period.font()
        f.setBold(True)
        self.period.setFont(f)
        self.chart = StepChart(self)
        self.info = QLabel(self)
        self.info.setWordWrap(True)

        lay = QVBoxLayout(self)
        lay.setContentsMargins(4, 4, 4, 4)
        lay.addLayout(form)
        row = QHBoxLayout()
        row.addWidget(self.go)
        row.addStretch(1)
        lay.addLayout(row)
        lay.addWidget(self.period)
        lay.addWidget(self.slider)
        lay.addWidget(self.chart)
        lay.addWidget(self.info)
        lay.addStretch(1)

        self.go.clicked.connect(self.request)
        self.horizon_box.currentIndexChanged.connect(self._on_choice)
        self.model_box.currentIndexChanged.connect(self._on_choice)
        self.slider.valueChanged.connect(self._on_slider)
        self.retranslateUi()

    # ------------------------------------------------------------------ choices

    def horizon(self) -> str:
        return str(self.horizon_box.currentData())

    def set_horizon(self, key: str) -> None:
        """Choose "shift", "24h" or "7d" (ValueError otherwise)."""
        if key not in HORIZONS:
            raise ValueError(f"unknown forecast horizon {key!r} (known: {', '.join(HORIZONS)})")
        self.horizon_box.setCurrentIndex(HORIZONS.index(key))

    def command(self) -> GetForecast:
        return GetForecast(
            horizon=self.horizon(),
            shift_hours=SHIFT_HOURS,
            model=str(self.model_box.currentData()),
        )

    def request(self) -> None:
        """Ask the hub for the forecast of the chosen horizon, from now."""
        cmd = self.command()
        self._token += 1
        token = self._token
        self.last_command = cmd
        self.requests += 1
        self._state = "loading"
        self._show_info()
        self.requested.emit(cmd)
        self.bridge.call(cmd, lambda r: self._on_reply(r, token), timeout_s=60.0)

    def _on_reply(self, reply: Reply, token: int) -> None:
        if token != self._token:
            return
        if not reply.ok:
            self._state = f"error:{reply.error}"
            self._show_info()
            return
        try:
            fc = forecast_from_result(reply.result)
        except ValueError as exc:
            self._state = f"error:{exc}"
            self._show_info()
            return
        self.forecast = fc
        self.tz = str(reply.result.get("tz", self.tz))
        self._state = ""
        n = len(fc.step_totals)
        self.slider.blockSignals(True)
        self.slider.setRange(0, n)
        self.slider.setValue(0)
        self.slider.setEnabled(n > 0)
        self.slider.blockSignals(False)
        self.chart.set_steps(fc.step_totals, [self._step_label(t) for t in fc.step_starts])
        self.chart.set_current(-1)
        self._show_period()
        self._show_info()
        self.forecastLoaded.emit(fc)
        self.periodChanged.emit()

    def _on_choice(self, *_: object) -> None:
        if self.forecast is not None:
            self.request()

    def _on_slider(self, _value: int) -> None:
        self.chart.set_current(self.slider.value() - 1)
        self._show_period()
        self.periodChanged.emit()

    def set_step(self, step: int | None) -> None:
        """Show one step (hour or day, from 0) or, with None, the whole period."""
        n = len(self.forecast.step_totals) if self.forecast is not None else 0
        if step is not None and not 0 <= step < n:
            raise IndexError(f"step {step} outside 0..{n - 1}")
        self.slider.setValue(0 if step is None else step + 1)

    # ------------------------------------------------------------------ the period shown

    def step(self) -> int | None:
        """The step the slider shows (None: the whole period)."""
        v = self.slider.value()
        return None if v == 0 else v - 1

    def period_surface(self) -> tuple[F32, float]:
        """Expected calls per km² of the period shown, and the colour scale's top (the same
        for every step of this forecast, so the hours compare)."""
        fc = self.forecast
        if fc is None:
            return np.zeros((0, 0), dtype=np.float32), 0.0
        cell_km2 = (fc.cell_m / 1000.0) ** 2
        k = self.step()
        tot = sum(fc.step_totals)
        if k is None:
            surf = fc.expected / cell_km2
            return surf.astype(np.float32), float(surf.max())
        share = max(fc.step_totals) / tot if tot > 0 else 0.0
        top = float(fc.expected.max()) * share / cell_km2
        return (fc.step_surface(k) / cell_km2).astype(np.float32), top

    def period_calls(self) -> float:
        """Expected calls in the district during the period shown."""
        fc = self.forecast
        if fc is None:
            return 0.0
        k = self.step()
        return float(fc.total if k is None else fc.step_totals[k])

    def _step_label(self, t: float) -> str:
        return local_text(t, self.tz, "MM-dd" if self.horizon() == "7d" else "HH:mm")

    def _show_period(self) -> None:
        fc = self.forecast
        if fc is None:
            self.period.setText("")
            return
        k = self.step()
        if k is None:
            a, b = fc.t0, fc.t1
            what = self.tr("Whole period")
        else:
            a = fc.step_starts[k]
            b = min(fc.t1, a + fc.step_s)
            what = self.tr("Day %1").replace("%1", str(k + 1)) if fc.step_s >= 86400 else ""
        fmt = "MM-dd HH:mm"
        span = f"{local_text(a, self.tz, fmt)} – {local_text(b, self.tz, fmt)}"
        calls = self.tr("%1 calls expected").replace("%1", f"{self.period_calls():,.1f}")
        self.period.setText(" · ".join(x for x in (what, span, calls) if x))

    # ------------------------------------------------------------------ texts

    def _show_info(self) -> None:
        st = self._state
        if st == "loading":
            text = self.tr("Computing…")
        elif st.startswith("error:"):
            text = self.tr("Forecast unavailable: %1").replace("%1", st[6:])
        elif self.forecast is not None:
            text = (
                self.tr("Model %1, cells of %2 m; times in %3. Move the slider through the steps.")
                .replace("%1", self.model_box.currentText())
                .replace("%2", f"{self.forecast.cell_m:g}")
                .replace("%3", self.tz)
            )
        else:
            text = self.tr("Press “Forecast” for the expected calls from now.")
        self.info.setText(text)

    def retranslateUi(self) -> None:
        """Re-read every text (on LanguageChange)."""
        self.horizon_label.setText(self.tr("Horizon"))
        self.model_label.setText(self.tr("Model"))
        names = (
            self.tr("Next shift (8 hours)"),
            self.tr("Next 24 hours, hour by hour"),
            self.tr("Next 7 days, day by day"),
        )
        for i, name in enumerate(names):
            self.horizon_box.setItemText(i, name)
        models = (
            self.tr("Blend (recommended)"),
            self.tr("Self-exciting (SEPP)"),
            self.tr("Prospective hot spots"),
            self.tr("Kernel density (baseline)"),
        )
        for i, name in enumerate(models):
            self.model_box.setItemText(i, name)
        self.go.setText(self.tr("Forecast"))
        self._show_period()
        self._show_info()

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslateUi()
        super().changeEvent(event)
