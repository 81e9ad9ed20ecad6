"""Workload and response statistics per officer, unit and station, with bar charts and CSV.

The hub computes the figures (GetStats over a time window) from the orders
it stored; this panel shows them as tables, draws the busiest rows of the
chosen measure as horizontal bars (Chinese names read better along the
vertical axis than crammed under bars), and exports every level to one
CSV (UTF-8 with BOM, so Excel on a Chinese Windows opens it correctly).

A fourth tab shows the cameras that raise incidents (issue 19, the ``cameras`` part of
the same reply): per camera the incidents it raised, how many the operators confirmed
and dismissed, and its false-alarm rate (dismissed / decided), charted when the tab is
shown, so a camera that keeps taking birds for thrown objects stands out.
"""

from __future__ import annotations

import csv
import math
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any, cast

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QT_TRANSLATE_NOOP, QCoreApplication, QEvent, Qt
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QFileDialog,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QSplitter,
    QTableWidget,
    QTableWidgetItem,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from console.config import Config
from console.hub.messages import GetStats, Reply
from widgets.bridge import HubBridge
from widgets.panels.common import unit_type_name
from widgets.workflow.common import duration_text, refused_text, show_message

LEVELS = ("officers", "units", "stations")
CAMERAS = "cameras"
TABS = (*LEVELS, CAMERAS)
CSV_COLUMNS = (
    "level",
    "name",
    "unit",
    "unit_type",
    "station",
    "orders",
    "incidents",
    "time_on_task_s",
    "arrivals",
    "mean_response_s",
    "within_standard_share",
    "camera",
    "detections",
    "confirmed",
    "dismissed",
    "undecided",
    "false_alarm_rate",
)
WINDOWS = (  # seconds back from now
    (86400, QT_TRANSLATE_NOOP("StatsPanel", "Last 24 hours")),
    (7 * 86400, QT_TRANSLATE_NOOP("StatsPanel", "Last 7 days")),
    (30 * 86400, QT_TRANSLATE_NOOP("StatsPanel", "Last 30 days")),
    (90 * 86400, QT_TRANSLATE_NOOP("StatsPanel", "Last 90 days")),
)
MEASURES = cast(
    dict[str, str],
    {
        "incidents": QT_TRANSLATE_NOOP("StatsPanel", "Incidents handled"),
        "time_on_task_s": QT_TRANSLATE_NOOP("StatsPanel", "Time on task (h)"),
        "mean_response_s": QT_TRANSLATE_NOOP("StatsPanel", "Mean response (min)"),
        "within_standard_share": QT_TRANSLATE_NOOP("StatsPanel", "Within standard (%)"),
    },
)
CAMERA_MEASURE = QT_TRANSLATE_NOOP("StatsPanel", "False-alarm rate (%)")
CHART_ROWS = 15


def measure_value(row: dict[str, Any], key: str) -> float:
    """A row's value of ``key`` in chart units (hours, minutes, percent); NaN when missing."""
    v = row.get(key)
    if not isinstance(v, (int, float)):
        return math.nan
    return {
        "time_on_task_s": v / 3600.0,
        "mean_response_s": v / 60.0,
        "within_standard_share": v * 100.0,
        "false_alarm_rate": v * 100.0,
    }.get(key, float(v))


def write_stats_csv(path: Path | str, stats: dict[str, list[dict[str, Any]]]) -> int:
    """Write every level's rows to one CSV; returns the number of data rows written."""
    p = Path(path)
    n = 0
    with p.open("w", encoding="utf-8-sig", newline="") as f:
        w = csv.writer(f)
        w.writerow(CSV_COLUMNS)
        for level in TABS:
            for row in stats.get(level, []):
                w.writerow(
                    [level] + ["" if row.get(c) is None else row.get(c) for c in CSV_COLUMNS[1:]]
                )
                n += 1
    return n


class StatsPanel(QWidget):
    """Tables per level, a bar chart of one measure, a time window and CSV export."""

    def __init__(
        self,
        bridge: HubBridge,
        config: Config,
        *,
        clock: Callable[[], float] = time.time,
        station_names: dict[str, str] | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.bridge = bridge
        self.config = config
        self.clock = clock
        self.station_names = dict(station_names or {})
        self.stats: dict[str, list[dict[str, Any]]] = {k: [] for k in TABS}
        self.loads = 0

        self.window_box = QComboBox(self)
        self.window_box.currentIndexChanged.connect(lambda _i: self.load())
        self.measure_box = QComboBox(self)
        self.measure_box.currentIndexChanged.connect(lambda _i: self.draw_chart())
        self.refresh_button = QPushButton(self)
        self.refresh_button.clicked.connect(self.load)
        self.export_button = QPushButton(self)
        self.export_button.clicked.connect(self.ask_export)
        self.message_label = QLabel(self)
        self.message_label.setWordWrap(True)
        self.message_label.hide()
        self.tabs = QTabWidget(self)
        self.tables: dict[str, QTableWidget] = {}
        for level in TABS:
            t = QTableWidget(0, 0, self)
            t.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
            t.setSortingEnabled(True)
            t.verticalHeader().setVisible(False)
            t.setAlternatingRowColors(True)
            t.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
            self.tables[level] = t
            self.tabs.addTab(t, "")
        self.tabs.currentChanged.connect(lambda _i: self.draw_chart())
        self.plot = pg.PlotWidget(self, background="w")
        self.plot.setMenuEnabled(False)
        self.plot.setMouseEnabled(x=False, y=False)
        self.plot.hideButtons()
        self.plot.showGrid(x=True, y=False, alpha=0.3)
        self.bars: pg.BarGraphItem | None = None

        top = QHBoxLayout()
        top.addWidget(self.window_box)
        top.addWidget(self.measure_box)
        top.addStretch(1)
        top.addWidget(self.refresh_button)
        top.addWidget(self.export_button)
        split = QSplitter(Qt.Orientation.Horizontal, self)
        split.addWidget(self.tabs)
        split.addWidget(self.plot)
        split.setSizes([680, 380])
        lay = QVBoxLayout(self)
        lay.addLayout(top)
        lay.addWidget(split, 1)
        lay.addWidget(self.message_label)
        self.retranslateUi()

    # ------------------------------------------------------------------ texts

    def retranslateUi(self) -> None:
        """Every text (also on LanguageChange)."""
        w = self.window_box.currentIndex()
        self.window_box.blockSignals(True)
        self.window_box.clear()
        for seconds, text in WINDOWS:
            self.window_box.addItem(QCoreApplication.translate("StatsPanel", str(text)), seconds)
        self.window_box.setCurrentIndex(max(0, w if w >= 0 else 1))
        self.window_box.blockSignals(False)
        m = self.measure_box.currentIndex()
        self.measure_box.blockSignals(True)
        self.measure_box.clear()
        for key, text in MEASURES.items():
            self.measure_box.addItem(QCoreApplication.translate("StatsPanel", text), key)
        self.measure_box.setCurrentIndex(max(0, m))
        self.measure_box.blockSignals(False)
        titles = (self.tr("Officers"), self.tr("Units"), self.tr("Stations"), self.tr("Cameras"))
        for i, text in enumerate(titles):
            self.tabs.setTabText(i, text)
        self.refresh_button.setText(self.tr("Refresh"))
        self.export_button.setText(self.tr("Export CSV…"))
        self.fill_tables()

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslateUi()
        super().changeEvent(event)

    # ------------------------------------------------------------------- data

    def window_s(self) -> int:
        """The chosen window in seconds."""
        return int(self.window_box.currentData() or 7 * 86400)

    def load(self) -> None:
        """Ask the hub for the figures of the chosen window."""
        t1 = self.clock()
        self.bridge.call(GetStats(t0=t1 - self.window_s(), t1=t1 + 1.0), self._on_reply)

    def _on_reply(self, reply: Reply) -> None:
        self.loads += 1
        if not reply.ok:
            show_message(self.message_label, refused_text(reply.error))
            return
        if not isinstance(reply.result, dict):
            show_message(self.message_label, refused_text(f"unexpected reply {reply.result!r}"))
            return
        show_message(self.message_label, "")
        self.set_stats(reply.result)

    def set_stats(self, result: dict[str, Any]) -> None:
        """Show a GetStats result ({"officers": [...], "units": [...], "stations": [...],
        "cameras": [...]}; a hub without cameras leaves the camera tab empty)."""
        self.stats = {k: [r for r in result.get(k, []) if isinstance(r, dict)] for k in TABS}
        self.fill_tables()

    def _columns(self, level: str) -> list[tuple[str, str]]:
        if level == CAMERAS:
            return [
                ("camera", self.tr("Camera")),
                ("name", self.tr("Name")),
                ("incidents", self.tr("Raised")),
                ("detections", self.tr("Detections")),
                ("confirmed", self.tr("Confirmed")),
                ("dismissed", self.tr("Dismissed")),
                ("undecided", self.tr("Undecided")),
                ("false_alarm_rate", self.tr("False-alarm rate")),
            ]
        cols = [("name", self.tr("Name"))]
        if level == "officers":
            cols.append(("unit", self.tr("Unit")))
        if level != "stations":
            cols += [("unit_type", self.tr("Type")), ("station", self.tr("Station"))]
        cols += [
            ("incidents", self.tr("Incidents")),
            ("orders", self.tr("Orders")),
            ("time_on_task_s", self.tr("Time on task")),
            ("arrivals", self.tr("Arrivals")),
            ("mean_response_s", self.tr("Mean response")),
            ("standard", self.tr("Standard")),
            ("within_standard_share", self.tr("Within standard")),
        ]
        if level == "stations":
            cols = [c for c in cols if c[0] != "standard"]
        return cols

    def _cell(self, row: dict[str, Any], key: str) -> tuple[str, float]:
        v = row.get(key)
        if key == "station":
            code = str(v or "")
            return self.station_names.get(code, code), math.nan
        if key == "name" and row.get("level") == "stations":
            return self.station_names.get(str(v), str(v)), math.nan
        if key == "unit_type":
            return unit_type_name(self.config, str(v or "")), math.nan
        if key == "standard":
            s = self._standard_s(row)
            return (duration_text(s) if s is not None else "—"), (s if s is not None else math.nan)
        if v is None:
            return "—", math.nan
        if key in ("time_on_task_s", "mean_response_s"):
            return duration_text(float(v)), float(v)
        if key in ("within_standard_share", "false_alarm_rate"):
            return f"{float(v) * 100:.0f}%", float(v)
        if isinstance(v, (int, float)):
            return str(v), float(v)
        return str(v), math.nan

    def _standard_s(self, row: dict[str, Any]) -> float | None:
        ut = self.config.unit_types.get(str(row.get("unit_type", "")))
        if ut is None:
            return None
        std = self.config.arrival_standards.get(ut.standard)
        return float(std.seconds) if std is not None else None

    def fill_tables(self) -> None:
        """Rewrite the tables from :attr:`stats`, then the chart."""
        for level in TABS:
            t = self.tables[level]
            cols = self._columns(level)
            rows = [{**r, "level": level} for r in self.stats.get(level, [])]
            t.setSortingEnabled(False)
            t.clear()
            t.setColumnCount(len(cols))
            t.setRowCount(len(rows))
            t.setHorizontalHeaderLabels([c[1] for c in cols])
            for i, r in enumerate(rows):
                for j, (key, _title) in enumerate(cols):
                    text, num = self._cell(r, key)
                    item = _SortItem(text, num)
                    if not math.isnan(num):
                        item.setTextAlignment(
                            Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter
                        )
                    t.setItem(i, j, item)
            t.setSortingEnabled(True)
        self.draw_chart()

    def current_level(self) -> str:
        """The level of the tab shown."""
        return TABS[max(0, self.tabs.currentIndex())]

    def chart_data(self) -> tuple[list[str], list[float]]:
        """(names, values) the chart shows: the top rows of the chosen measure (on the
        camera tab: the cameras' false-alarm rates, highest on top)."""
        key = self._chart_key()
        level = self.current_level()
        pairs = []
        for r in self.stats.get(level, []):
            v = measure_value(r, key)
            if not math.isnan(v):
                name = str(r.get("name", ""))
                if level == "stations":
                    name = self.station_names.get(name, name)
                pairs.append((name, v))
        pairs.sort(key=lambda p: -p[1])
        pairs = pairs[:CHART_ROWS][::-1]  # largest on top
        return [p[0] for p in pairs], [p[1] for p in pairs]

    def draw_chart(self) -> None:
        """Horizontal bars of the chosen measure for the current level."""
        names, values = self.chart_data()
        if self.bars is not None:
            self.plot.removeItem(self.bars)
            self.bars = None
        key = self._chart_key()
        title = str(CAMERA_MEASURE) if key == "false_alarm_rate" else MEASURES[key]
        self.plot.setLabel("bottom", QCoreApplication.translate("StatsPanel", title))
        self.measure_box.setEnabled(self.current_level() != CAMERAS)
        left = self.plot.getAxis("left")
        if not names:
            left.setTicks([[]])
            return
        y = np.arange(len(names), dtype=float)
        brushes = [pg.mkBrush("#1976d2")] * len(names)
        if key == "within_standard_share":
            brushes = [pg.mkBrush("#2e7d32" if v >= 90 else "#ef6c00") for v in values]
        if key == "false_alarm_rate":
            brushes = [pg.mkBrush("#c62828" if v >= 50 else "#1976d2") for v in values]
        self.bars = pg.BarGraphItem(x0=0, y=y, height=0.7, width=values, brushes=brushes)
        self.plot.addItem(self.bars)
        left.setTicks([list(zip(y.tolist(), names, strict=True))])
        self.plot.setYRange(-0.6, len(names) - 0.4, padding=0)
        self.plot.setXRange(0, max(max(values), 1e-9) * 1.08, padding=0)

    def _chart_key(self) -> str:
        if self.current_level() == CAMERAS:
            return "false_alarm_rate"
        return str(self.measure_box.currentData() or "incidents")

    # ----------------------------------------------------------------- export

    def export_csv(self, path: Path | str) -> int:
        """Write the figures shown to ``path``; returns the number of data rows."""
        n = write_stats_csv(path, self.stats)
        show_message(
            self.message_label,
            self.tr("%1 rows written to %2").replace("%1", str(n)).replace("%2", str(path)),
            error=False,
        )
        return n

    def ask_export(self) -> None:
        """Ask for a file name and export (the button)."""
        path, _ = QFileDialog.getSaveFileName(
            self, self.tr("Export statistics"), "workload.csv", self.tr("CSV files (*.csv)")
        )
        if path:
            try:
                self.export_csv(path)
            except OSError as exc:
                show_message(self.message_label, str(exc))


class _SortItem(QTableWidgetItem):
    """A table item that sorts by its number when it has one."""

    def __init__(self, text: str, number: float) -> None:
        super().__init__(text)
        self.number = number

    def __lt__(self, other: QTableWidgetItem) -> bool:
        if isinstance(other, _SortItem) and not (
            math.isnan(self.number) or math.isnan(other.number)
        ):
            return self.number < other.number
        return self.text() < other.text()
