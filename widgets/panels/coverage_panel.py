"""Coverage control: which force type's gaps the map shows, and how much each type covers.

While the coverage layer is visible the panel asks the hub for ``GetCoverage``
every ``REFRESH_S`` seconds (units move, go busy and come free, so coverage
ages quickly); while it is hidden nothing is requested.  Each force type is
listed with the share of road length its available units reach within its
arrival standard, e.g. "特警武装处置队 54% 3分钟覆盖", and the relocations the
plan engine suggests now (refilling a stripped area or 1-minute point, staging
an idle unit ahead of the calls the history expects); a double click shows
the suggested place on the map.  Suggestions only: moving a unit is an order.
"""

from __future__ import annotations

import time
from typing import Any

from PySide6.QtCore import QEvent, Qt, QTimer, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from console.config import Config
from console.hub.messages import GetCoverage, Reply
from widgets.bridge import HubBridge
from widgets.i18n import is_chinese
from widgets.map import MapView
from widgets.map.layers.coverage import ForceCoverage, parse_coverage
from widgets.ticks import start_spread

REFRESH_S = 30
PREFERRED_TYPE = "special_police"  # the district's headline standard: 3 minutes anywhere


class CoveragePanel(QWidget):
    """A force-type combo with coverage shares; keeps the map's coverage layer current."""

    coverageLoaded = Signal(object)  # dict[str, ForceCoverage]

    def __init__(
        self, config: Config, bridge: HubBridge, map_view: MapView, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.config = config
        self.bridge = bridge
        self.map = map_view
        self.result: dict[str, Any] | None = None
        self.forces: dict[str, ForceCoverage] = {}
        self.requests = 0
        self.updated_at: float | None = None
        self._pending = False
        self._error = ""

        self.show_box = QCheckBox(self)
        self.show_box.setChecked(map_view.is_layer_visible("coverage"))
        self.type_box = QComboBox(self)
        self.type_box.setObjectName("coverageType")
        for key in config.unit_types:
            self.type_box.addItem("", key)
        i = self.type_box.findData(PREFERRED_TYPE)
        self.type_box.setCurrentIndex(max(0, i))
        self.refresh_button = QPushButton(self)
        self.details = QLabel(self)
        self.details.setWordWrap(True)
        self.status = QLabel(self)
        self.status.setWordWrap(True)
        self.status.setStyleSheet("color: #546e7a;")
        self.moves_label = QLabel(self)
        self.moves = QListWidget(self)
        self.moves.setObjectName("coverageMoveUps")
        self.moves.setWordWrap(True)
        self.moves.setMaximumHeight(140)
        self.move_ups: list[dict[str, Any]] = []

        row = QHBoxLayout()
        row.addWidget(self.show_box, 1)
        row.addWidget(self.refresh_button)
        lay = QVBoxLayout(self)
        lay.setContentsMargins(4, 4, 4, 4)
        lay.addLayout(row)
        lay.addWidget(self.type_box)
        lay.addWidget(self.details)
        lay.addWidget(self.moves_label)
        lay.addWidget(self.moves)
        lay.addWidget(self.status)
        lay.addStretch(1)

        self.timer = QTimer(self)
        self.timer.setInterval(REFRESH_S * 1000)
        self.timer.timeout.connect(self.request)
        self.show_box.toggled.connect(lambda on: self.map.set_layer_visible("coverage", on))
        self.map.layerVisibilityChanged.connect(self._on_layer)
        self.type_box.currentIndexChanged.connect(self._on_type)
        self.refresh_button.clicked.connect(self.request)
        self.moves.itemDoubleClicked.connect(self._zoom_to_move)
        self.retranslateUi()
        if map_view.is_layer_visible("coverage"):
            self._on_layer("coverage", True)

    def unit_type(self) -> str:
        """The force type whose gaps the map shows."""
        return str(self.type_box.currentData())

    def set_unit_type(self, key: str) -> None:
        """Show the gaps of force type ``key``."""
        i = self.type_box.findData(key)
        if i < 0:
            raise ValueError(f"unknown force type {key!r}")
        self.type_box.setCurrentIndex(i)

    # ------------------------------------------------------------------ hub

    def request(self) -> None:
        """Ask the hub for coverage now (unless a request is already out)."""
        if self._pending:
            return
        self._pending = True
        self.requests += 1
        self.bridge.call(GetCoverage(), self._on_reply, timeout_s=60.0)
        self._show_status()

    def _on_reply(self, reply: Reply) -> None:
        self._pending = False
        if not reply.ok:
            self._error = reply.error
            self._show_status()
            return
        try:
            forces = parse_coverage(reply.result)
        except ValueError as exc:
            self._error = str(exc)
            self._show_status()
            return
        self._error = ""
        self.result = reply.result
        self.forces = forces
        self.move_ups = _move_ups(reply.result)
        self.updated_at = time.time()
        self._apply()
        self.retranslateUi()
        self.coverageLoaded.emit(forces)

    def _apply(self) -> None:
        if self.result is not None and self.unit_type() in self.forces:
            self.map.set_coverage(self.result, self.unit_type())

    def _on_type(self, _i: int) -> None:
        self._apply()
        self._show_details()

    def _on_layer(self, key: str, on: bool) -> None:
        if key != "coverage":
            return
        if self.show_box.isChecked() != on:
            self.show_box.blockSignals(True)
            self.show_box.setChecked(on)
            self.show_box.blockSignals(False)
        if on:
            self.request()
            start_spread(self.timer)
        else:
            self.timer.stop()

    def _zoom_to_move(self, item: QListWidgetItem) -> None:
        where = item.data(Qt.ItemDataRole.UserRole)
        if where is not None:
            self.map.zoom_to(float(where[0]), float(where[1]))

    # ------------------------------------------------------------------ texts

    def _show_moves(self) -> None:
        self.moves_label.setText(self.tr("Suggested repositioning (double-click: show place)"))
        self.moves.clear()
        if not self.move_ups:
            done = self.updated_at is not None
            item = QListWidgetItem(self.tr("None suggested now") if done else "")
            item.setFlags(Qt.ItemFlag.NoItemFlags)
            self.moves.addItem(item)
            return
        zh = is_chinese()
        for m in self.move_ups:
            item = QListWidgetItem(str(m.get("text_zh" if zh else "text_en", "")))
            item.setData(Qt.ItemDataRole.UserRole, (m["lon"], m["lat"]))
            item.setToolTip(f"{m.get('call_sign', '')} → {m.get('to_name', '')}")
            self.moves.addItem(item)

    def item_text(self, key: str) -> str:
        """One combo entry: type name, share and standard, e.g. "特警 54% 3分钟覆盖"."""
        ut = self.config.unit_types.get(key)
        name = (ut.name_zh if is_chinese() else ut.name_en) if ut is not None else key
        fc = self.forces.get(key)
        if fc is None:
            return name
        return (
            self.tr("%1 %2% within %3 min")
            .replace("%1", name)
            .replace("%2", f"{fc.length_share * 100:.0f}")
            .replace("%3", f"{fc.standard_s / 60:g}")
        )

    def _show_details(self) -> None:
        fc = self.forces.get(self.unit_type())
        if fc is None:
            self.details.setText("")
            return
        lines = [
            self.tr("%1 units available").replace("%1", str(fc.units_available)),
            self.tr("%1% of road length, %2% of junctions reached in time")
            .replace("%1", f"{fc.length_share * 100:.0f}")
            .replace("%2", f"{fc.node_share * 100:.0f}"),
        ]
        if fc.gaps:
            km = sum(g.length_m for g in fc.gaps) / 1000
            lines.append(
                self.tr("%1 gaps, %2 km of road not reached")
                .replace("%1", str(len(fc.gaps)))
                .replace("%2", f"{km:.1f}")
            )
            big = max(fc.gaps, key=lambda g: g.length_m)
            if big.area_codes:
                more = " …" if len(big.area_codes) > 6 else ""
                lines.append(
                    self.tr("Largest gap (Gap 1) in: %1").replace(
                        "%1", " ".join(big.area_codes[:6]) + more
                    )
                )
        fixed = (self.result or {}).get("report", {}).get("fixed_points", [])
        missed = [str(p.get("name", p.get("code", ""))) for p in fixed if not p.get("covered")]
        if fixed:
            lines.append(
                self.tr("1-minute points covered: %1 of %2")
                .replace("%1", str(len(fixed) - len(missed)))
                .replace("%2", str(len(fixed)))
            )
        if missed:
            lines.append(self.tr("Not covered: %1").replace("%1", "、".join(missed[:5])))
        self.details.setText("\n".join(lines))

    def _show_status(self) -> None:
        if self._error:
            self.status.setText(self.tr("Coverage unavailable: %1").replace("%1", self._error))
        elif self._pending and self.updated_at is None:
            self.status.setText(self.tr("Computing…"))
        elif self.updated_at is not None:
            stamp = time.strftime("%H:%M:%S", time.localtime(self.updated_at))
            self.status.setText(
                self.tr("Updated %1; every %2 s while shown")
                .replace("%1", stamp)
                .replace("%2", str(REFRESH_S))
            )
        else:
            self.status.setText(
                self.tr("Shown on request; updated every %1 s while shown").replace(
                    "%1", str(REFRESH_S)
                )
            )

    def retranslateUi(self) -> None:
        """Re-read every text (on LanguageChange and when new figures arrive)."""
        self.show_box.setText(self.tr("Show coverage gaps on the map"))
        self.refresh_button.setText(self.tr("Refresh"))
        for i in range(self.type_box.count()):
            self.type_box.setItemText(i, self.item_text(str(self.type_box.itemData(i))))
        self._show_details()
        self._show_moves()
        self._show_status()

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslateUi()
        super().changeEvent(event)


def _move_ups(result: Any) -> list[dict[str, Any]]:
    """The well-formed suggestions of a coverage reply (a malformed one is skipped, not fatal)."""
    out: list[dict[str, Any]] = []
    for m in result.get("move_ups", []) if isinstance(result, dict) else []:
        try:
            if isinstance(m, dict) and all(k in m for k in ("text_zh", "text_en")):
                out.append({**m, "lon": float(m["lon"]), "lat": float(m["lat"])})
        except (KeyError, TypeError, ValueError):
            continue
    return out
