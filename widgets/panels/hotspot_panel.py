"""The hot-spot dock: Getis-Ord Gi* hot-spot areas of the heatmap filter's calls, listed by rank.

The calls are those the heat filter selects (window, types, hours, weekdays),
so an operator narrows the heat and sees where the narrowed calls cluster;
while "follow the heat filter" is ticked a new filter re-runs the search (only
while the dock is on screen, otherwise once it comes back).  The hub does the
statistics on its heat worker (``GetHotspots``); this panel builds the
request, lists the answer and says which row the operator picked.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QEvent, Qt, Signal
from PySide6.QtGui import QBrush, QColor, QIcon, QPixmap, QShowEvent
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QFormLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from console.config import Config
from console.heat.wire import HotSpotsReply, hotspots_from_result
from console.hub.messages import GetHeat, GetHotspots, Reply
from widgets.bridge import HubBridge
from widgets.map.layers.hotspots import z_style
from widgets.panels.common import incident_type_name
from widgets.panels.heat_panel import HeatPanel

CELLS_M = (50, 100, 200)
NEIGHBOURHOODS_M = (200, 300, 500, 800)
FDRS = (0.01, 0.05, 0.1)
RANK_ROLE = Qt.ItemDataRole.UserRole


class HotspotPanel(QWidget):
    """Search parameters, the hot-spot list and its figures."""

    hotspotsLoaded = Signal(object)  # HotSpotsReply
    hotspotActivated = Signal(int)  # rank the operator clicked
    requested = Signal(object)  # the GetHotspots just sent

    def __init__(
        self, config: Config, bridge: HubBridge, heat: HeatPanel, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.setObjectName("hotspotPanel")
        self.config = config
        self.bridge = bridge
        self.heat = heat
        self.result: HotSpotsReply | None = None
        self.last_command: GetHotspots | None = None
        self.requests = 0
        self._token = 0
        self._stale = False  # the filter changed while the dock was hidden
        self._state = ""

        self.filter_label = QLabel(self)
        self.filter_label.setWordWrap(True)
        form = QFormLayout()
        self.cell_box, self.cell_label = QComboBox(self), QLabel(self)
        for m in CELLS_M:
            self.cell_box.addItem(f"{m} m", m)
        self.cell_box.setCurrentIndex(CELLS_M.index(100))
        self.reach_box, self.reach_label = QComboBox(self), QLabel(self)
        for m in NEIGHBOURHOODS_M:
            self.reach_box.addItem(f"{m} m", m)
        self.reach_box.setCurrentIndex(NEIGHBOURHOODS_M.index(300))
        self.fdr_box, self.fdr_label = QComboBox(self), QLabel(self)
        for q in FDRS:
            self.fdr_box.addItem(f"{q:.0%}", q)
        self.fdr_box.setCurrentIndex(FDRS.index(0.05))
        form.addRow(self.cell_label, self.cell_box)
        form.addRow(self.reach_label, self.reach_box)
        form.addRow(self.fdr_label, self.fdr_box)
        self.find_button = QPushButton(self)
        self.find_button.setObjectName("findHotspots")
        self.follow = QCheckBox(self)
        self.follow.setChecked(True)
        row = QHBoxLayout()
        row.addWidget(self.find_button)
        row.addWidget(self.follow, 1)

        self.tree = QTreeWidget(self)
        self.tree.setObjectName("hotspotList")
        self.tree.setRootIsDecorated(False)
        self.tree.setAlternatingRowColors(True)
        self.tree.setColumnCount(5)
        self.tree.setMinimumHeight(150)
        head = self.tree.header()
        head.setStretchLastSection(True)
        for col in range(4):
            head.setSectionResizeMode(col, QHeaderView.ResizeMode.ResizeToContents)
        self.details = QLabel(self)  # what the selected hot spot holds, and when
        self.details.setObjectName("hotspotDetails")
        self.details.setWordWrap(True)
        self.details.setTextFormat(Qt.TextFormat.PlainText)
        self.details.setStyleSheet("#hotspotDetails { background: #f3e5f5; padding: 4px; }")
        self.details.hide()
        self.info = QLabel(self)
        self.info.setWordWrap(True)

        lay = QVBoxLayout(self)
        lay.setContentsMargins(4, 4, 4, 4)
        lay.addWidget(self.filter_label)
        lay.addLayout(form)
        lay.addLayout(row)
        lay.addWidget(self.tree, 1)
        lay.addWidget(self.details)
        lay.addWidget(self.info)

        self.find_button.clicked.connect(self.request)
        self.tree.itemClicked.connect(self._on_item)
        self.tree.itemActivated.connect(self._on_item)
        self.tree.currentItemChanged.connect(lambda item, _prev: self._show_details(item))
        self.heat.requested.connect(self._on_heat_filter)
        for box in (self.cell_box, self.reach_box, self.fdr_box):
            box.currentIndexChanged.connect(self._on_parameters)
        self.retranslateUi()

    # ------------------------------------------------------------------ requests

    def command(self) -> GetHotspots | None:
        """The search for the heat filter's calls and the chosen parameters (None: the heat
        filter matches nothing)."""
        heat = self.heat.command()
        if heat is None:
            self._state = "nothing"
            self._show_info()
            return None
        return GetHotspots(
            t0=heat.t0,
            t1=heat.t1,
            types=heat.types,
            hours=heat.hours,
            weekdays=heat.weekdays,
            cell_m=float(self.cell_box.currentData()),
            neighbourhood_m=float(self.reach_box.currentData()),
            fdr=float(self.fdr_box.currentData()),
        )

    def request(self) -> None:
        """Search now."""
        cmd = self.command()
        if cmd is None:
            return
        self._token += 1
        token = self._token
        self._stale = False
        self.last_command = cmd
        self.requests += 1
        self._state = "loading"
        self._show_info()
        self._show_filter(cmd)
        self.requested.emit(cmd)
        self.bridge.call(cmd, lambda r: self._on_reply(r, token), timeout_s=60.0)

    def _on_reply(self, reply: Reply, token: int) -> None:
        if token != self._token:
            return  # a newer search is on its way
        if not reply.ok:
            self._state = f"error:{reply.error}"
            self._show_info()
            return
        try:
            res = hotspots_from_result(reply.result)
        except ValueError as exc:
            self._state = f"error:{exc}"
            self._show_info()
            return
        self.result = res
        self._state = ""
        self._fill()
        self._show_info()
        self.hotspotsLoaded.emit(res)

    def _on_heat_filter(self, _cmd: GetHeat) -> None:
        if not self.follow.isChecked() or (self.result is None and self.requests == 0):
            return  # nothing searched yet: the operator starts the first search
        if self.isVisible():
            self.request()
        else:
            self._stale = True

    def _on_parameters(self, *_: object) -> None:
        if self.result is not None and self.isVisible():
            self.request()

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        if self._stale:
            self.request()

    # ------------------------------------------------------------------ list

    def _fill(self) -> None:
        self.tree.clear()
        self._show_details(None)
        if self.result is None:
            return
        for h in self.result.hotspots:
            colour, _ = z_style(float(h["max_z"]))
            top_type = h.get("top_types") or [["", 0]]
            top_hour = h.get("peak_hours") or []
            item = QTreeWidgetItem(
                [
                    str(h["rank"]),
                    f"{int(h['calls']):,}",
                    f"{float(h['max_z']):.1f}",
                    f"{int(top_hour[0][0]):02d}:00" if top_hour else "",
                    incident_type_name(self.config, str(top_type[0][0])),
                ]
            )
            item.setData(0, RANK_ROLE, int(h["rank"]))
            item.setIcon(0, _swatch(colour))
            item.setToolTip(0, self.describe(h))
            for col in (1, 2):
                item.setTextAlignment(col, Qt.AlignmentFlag.AlignRight)
            item.setForeground(2, QBrush(colour))
            self.tree.addTopLevelItem(item)

    def describe(self, h: dict[str, Any]) -> str:
        """One hot spot in words: size, calls, significance, main types, busiest hours."""
        types = ", ".join(
            f"{incident_type_name(self.config, str(k))} {int(n)}" for k, n in h.get("top_types", [])
        )
        hours = ", ".join(f"{int(hr):02d}:00 ({int(n)})" for hr, n in h.get("peak_hours", []))
        return (
            self.tr(
                "Hot spot %1: %2 calls on %3 km², peak z %4.\nMain types: %5\nBusiest hours: %6"
            )
            .replace("%1", str(h["rank"]))
            .replace("%2", f"{int(h['calls']):,}")
            .replace("%3", f"{float(h.get('area_km2', 0.0)):.2f}")
            .replace("%4", f"{float(h['max_z']):.1f}")
            .replace("%5", types)
            .replace("%6", hours)
        )

    def _show_details(self, item: QTreeWidgetItem | None) -> None:
        rank = item.data(0, RANK_ROLE) if item is not None else None
        if rank is None or self.result is None:
            self.details.hide()
            return
        for h in self.result.hotspots:
            if h["rank"] == rank:
                self.details.setText(self.describe(h))
                self.details.show()
                return

    def _on_item(self, item: QTreeWidgetItem, _col: int = 0) -> None:
        rank = item.data(0, RANK_ROLE)
        if rank is not None:
            self.hotspotActivated.emit(int(rank))

    def select_rank(self, rank: int) -> None:
        """Select the row of a hot spot (e.g. after a click on the map) and say so."""
        for i in range(self.tree.topLevelItemCount()):
            item = self.tree.topLevelItem(i)
            if item is not None and item.data(0, RANK_ROLE) == rank:
                self.tree.setCurrentItem(item)
                self._on_item(item)
                return
        raise KeyError(f"no hot spot of rank {rank} in the list")

    # ------------------------------------------------------------------ texts

    def _show_filter(self, cmd: GetHotspots) -> None:
        days = (cmd.t1 - cmd.t0) / 86400.0
        parts = [self.tr("%1 days").replace("%1", f"{days:.0f}" if days >= 1 else f"{days:.1f}")]
        parts.append(
            self.tr("all types")
            if cmd.types is None
            else ", ".join(incident_type_name(self.config, k) for k in cmd.types)
        )
        parts.append(
            self.tr("all hours")
            if cmd.hours is None
            else self.tr("%1 hours").replace("%1", str(len(cmd.hours)))
        )
        parts.append(
            self.tr("all week")
            if cmd.weekdays is None
            else self.tr("%1 days a week").replace("%1", str(len(cmd.weekdays)))
        )
        self.filter_label.setText(
            self.tr("Calls of the heatmap filter: %1").replace("%1", " · ".join(parts))
        )

    def _show_info(self) -> None:
        st = self._state
        if st == "loading":
            text = self.tr("Searching…")
        elif st == "nothing":
            text = self.tr("The heatmap filter matches no calls.")
        elif st.startswith("error:"):
            text = self.tr("Hot spots unavailable: %1").replace("%1", st[6:])
        elif self.result is not None:
            n = len(self.result.hotspots)
            text = (
                self.tr("%1 hot spots among %2 calls (false-discovery rate %3)")
                .replace("%1", str(n))
                .replace("%2", f"{self.result.n_calls:,}")
                .replace("%3", f"{self.result.fdr:.0%}")
            )
            if n == 0:
                text = self.tr("No significant hot spot among %1 calls.").replace(
                    "%1", f"{self.result.n_calls:,}"
                )
        else:
            text = self.tr("Press “Find hot spots” to search the heatmap filter's calls.")
        self.info.setText(text)

    def retranslateUi(self) -> None:
        """Re-read every text (on LanguageChange)."""
        self.cell_label.setText(self.tr("Cell size"))
        self.reach_label.setText(self.tr("Neighbourhood"))
        self.fdr_label.setText(self.tr("False-discovery rate"))
        self.find_button.setText(self.tr("Find hot spots"))
        self.follow.setText(self.tr("Follow the heatmap filter"))
        self.tree.setHeaderLabels(
            [
                self.tr("#"),
                self.tr("Calls"),
                self.tr("Peak z"),
                self.tr("Busiest"),
                self.tr("Main type"),
            ]
        )
        if self.last_command is not None:
            self._show_filter(self.last_command)
        else:
            self.filter_label.setText(self.tr("Calls of the heatmap filter"))
        self._fill()
        self._show_info()

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslateUi()
        super().changeEvent(event)


def _swatch(colour: QColor) -> QIcon:
    pm = QPixmap(12, 12)
    pm.fill(colour)
    return QIcon(pm)
