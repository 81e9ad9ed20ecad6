"""Map layer switches and the heatmap's time window.

The panel knows nothing about the map or the hub: it shows one checkbox per
layer key it is given, named from the layer registry, and emits what the
operator chose; the main window wires those signals to the map and to
``GetHeat`` requests.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QEvent, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QFormLayout,
    QGroupBox,
    QLabel,
    QVBoxLayout,
    QWidget,
)

from widgets.map.layers.registry import layer_title

HEAT_WINDOWS_S: tuple[int, ...] = (86400, 7 * 86400, 30 * 86400, 90 * 86400)
DEFAULT_HEAT_WINDOW_S = 30 * 86400


class LayerPanel(QWidget):
    """Checkboxes for map layers; a combo for the heat window with its call count."""

    layerToggled = Signal(str, bool)
    heatWindowChanged = Signal(int)  # seconds back from now

    def __init__(
        self,
        layers: list[str],
        visible: dict[str, bool] | None = None,
        parent: QWidget | None = None,
        *,
        title: Callable[[str], str] = layer_title,
    ) -> None:
        super().__init__(parent)
        visible = visible or {}
        self.title = title  # layer key -> its name in the interface language
        self.boxes: dict[str, QCheckBox] = {}
        self.layers_group = QGroupBox(self)
        box_lay = QVBoxLayout(self.layers_group)
        box_lay.setSpacing(2)
        for key in layers:
            cb = QCheckBox(self.layers_group)
            cb.setObjectName(f"layer_{key}")
            cb.setChecked(visible.get(key, True))
            cb.toggled.connect(lambda on, k=key: self.layerToggled.emit(k, on))
            box_lay.addWidget(cb)
            self.boxes[key] = cb

        self.heat_group = QGroupBox(self)
        form = QFormLayout(self.heat_group)
        self.window_label = QLabel(self.heat_group)
        self.window_box = QComboBox(self.heat_group)
        for seconds in HEAT_WINDOWS_S:
            self.window_box.addItem("", seconds)
        self.window_box.setCurrentIndex(self.window_box.findData(DEFAULT_HEAT_WINDOW_S))
        self.window_box.currentIndexChanged.connect(
            lambda _i: self.heatWindowChanged.emit(int(self.window_box.currentData()))
        )
        self.heat_info = QLabel(self.heat_group)
        self.heat_info.setWordWrap(True)
        form.addRow(self.window_label, self.window_box)
        form.addRow(self.heat_info)

        lay = QVBoxLayout(self)
        lay.setContentsMargins(4, 4, 4, 4)
        lay.addWidget(self.layers_group)
        lay.addWidget(self.heat_group)
        lay.addStretch(1)
        self._n_calls: int | None = None
        self._max = 0.0
        self._error = ""
        self.retranslateUi()

    def heat_window_s(self) -> int:
        """The chosen heat window in seconds."""
        return int(self.window_box.currentData())

    def set_layer_checked(self, key: str, on: bool) -> None:
        """Reflect a visibility changed elsewhere (menu) without re-emitting."""
        cb = self.boxes.get(key)
        if cb is not None and cb.isChecked() != on:
            cb.blockSignals(True)
            cb.setChecked(on)
            cb.blockSignals(False)

    def show_heat_window(self, on: bool) -> None:
        """Show or hide the heat-window box (a finer heat filter elsewhere replaces it)."""
        self.heat_group.setVisible(on)

    def set_heat_info(self, n_calls: int, peak: float) -> None:
        """Show how many calls the heatmap holds and its peak density."""
        self._n_calls, self._max, self._error = n_calls, peak, ""
        self._show_heat_info()

    def set_heat_error(self, error: str) -> None:
        """The heat request failed; say so where the count would be."""
        self._n_calls, self._error = None, error
        self._show_heat_info()

    def set_heat_loading(self) -> None:
        """A heat request is on its way."""
        self._n_calls, self._error = None, ""
        self._show_heat_info()

    def _show_heat_info(self) -> None:
        if self._error:
            self.heat_info.setText(self.tr("Heatmap unavailable: %1").replace("%1", self._error))
        elif self._n_calls is None:
            self.heat_info.setText(self.tr("Loading…"))
        else:
            calls = self.tr("%1 calls in the window").replace("%1", f"{self._n_calls:,}")
            peak = self.tr("peak %1 per km²").replace("%1", f"{self._max:,.0f}")
            self.heat_info.setText(f"{calls}\n{peak}")

    def retranslateUi(self) -> None:
        """Re-read every text (on LanguageChange)."""
        self.layers_group.setTitle(self.tr("Map layers"))
        for key, cb in self.boxes.items():
            cb.setText(self.title(key))
        self.heat_group.setTitle(self.tr("110 call heatmap"))
        self.window_label.setText(self.tr("Window"))
        names = (  # same order as HEAT_WINDOWS_S
            self.tr("Last 24 hours"),
            self.tr("Last 7 days"),
            self.tr("Last 30 days"),
            self.tr("Last 90 days"),
        )
        for i, name in enumerate(names):
            self.window_box.setItemText(i, name)
        self._show_heat_info()

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslateUi()
        super().changeEvent(event)
