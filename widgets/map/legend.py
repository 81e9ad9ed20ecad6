"""The map legend, built from the layer registry: every layer brings its own rows.

Each :class:`~widgets.map.layers.spec.LayerSpec` lists its legend blocks (a
symbol and its text, a heading, a colour scale) and the column they go in;
icons come from the same renderers the map draws with, so the legend cannot
drift from the map.  The legend sits over a map corner and folds away to its
title button; texts are re-read on a language switch, and the blocks of a
layer that only matter while it shows (the heat scale, the coverage swatch)
follow it (:meth:`MapLegend.set_layer_shown`).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, TypeVar

from PySide6.QtCore import QEvent, QSize, Qt
from PySide6.QtGui import QColor, QImage, QPalette, QPixmap
from PySide6.QtWidgets import QFrame, QGridLayout, QLabel, QToolButton, QVBoxLayout, QWidget

from widgets.map import strings as s
from widgets.map.layers.spec import BELOW, LEFT, RIGHT, LayerSpec, LegendEntry, LegendRow

if TYPE_CHECKING:
    from widgets.map.view import MapView

ICON = 18
LEGEND_BG = QColor(250, 250, 250)
W = TypeVar("W", bound=QWidget)


class MapLegend(QFrame):
    """Collapsible legend panel of a :class:`~widgets.map.view.MapView`."""

    def __init__(self, view: MapView, specs: Sequence[LayerSpec]) -> None:
        super().__init__(view)
        self.config = view.config
        self.setObjectName("mapLegend")
        # Opaque, square corners and a background Qt knows is opaque (autoFillBackground
        # with a solid palette colour): then a map frame under the legend does not repaint
        # its 50 labels.  Translucent, it cost 3-6 ms of every map frame (bench/shift.py).
        # (a style-sheet background would turn autoFillBackground off again when polished)
        self.setStyleSheet("#mapLegend QLabel { background: transparent; color: #212121; }")
        self.setAutoFillBackground(True)
        palette = self.palette()
        palette.setColor(QPalette.ColorRole.Window, LEGEND_BG)
        palette.setColor(QPalette.ColorRole.WindowText, QColor("#9e9e9e"))  # the frame line
        self.setPalette(palette)
        self.setFrameShape(QFrame.Shape.Box)
        self.setFrameShadow(QFrame.Shadow.Plain)
        self.setLineWidth(1)
        outer = QVBoxLayout(self)
        outer.setContentsMargins(6, 2, 6, 6)
        outer.setSpacing(2)
        self.toggle = QToolButton(self)
        self.toggle.setCheckable(True)
        self.toggle.setChecked(True)
        self.toggle.setAutoRaise(True)
        self.toggle.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
        self.toggle.toggled.connect(self._on_toggle)
        outer.addWidget(self.toggle)
        self.body = QWidget(self)
        outer.addWidget(self.body)
        self.grid = QGridLayout(self.body)
        self.grid.setContentsMargins(0, 0, 0, 0)
        self.grid.setHorizontalSpacing(5)
        self.grid.setVerticalSpacing(0)
        self._labels: list[tuple[QLabel, LegendRow, str]] = []  # label, its row, layer key
        self._widgets: dict[str, list[QWidget]] = {}  # layer key -> every widget of its rows
        self._following: dict[str, list[QWidget]] = {}  # the widgets that follow their layer
        self._build(view, specs)
        self.retranslate()

    # ------------------------------------------------------------------ build

    def _build(self, view: MapView, specs: Sequence[LayerSpec]) -> None:
        blocks: dict[int, list[tuple[int, int, LayerSpec, LegendEntry]]] = {
            LEFT: [],
            RIGHT: [],
            BELOW: [],
        }
        for n, spec in enumerate(specs):
            for entry in spec.legend:
                blocks[entry.column].append((entry.order, n, spec, entry))
        rows_used = {LEFT: 0, RIGHT: 0}
        for column in (LEFT, RIGHT):
            col = 0 if column == LEFT else 2
            row = 0
            for _, _, spec, entry in sorted(blocks[column], key=lambda b: b[:2]):
                for r in entry.rows(view):
                    self._place(r, spec.key, entry, row, col, span=2)
                    row += 1
            rows_used[column] = row
        row = max(rows_used.values())
        for _, _, spec, entry in sorted(blocks[BELOW], key=lambda b: b[:2]):
            for r in entry.rows(view):
                self._place(r, spec.key, entry, row, 0, span=4)
                row += 1
        for widgets in self._following.values():
            for w in widgets:
                w.hide()  # until the view says the layer is on and has something to show
        self.grid.setColumnMinimumWidth(1, 90)

    def _place(
        self, r: LegendRow, key: str, entry: LegendEntry, row: int, col: int, span: int
    ) -> None:
        """Put one legend row into the grid: icon and text, a heading, or a widget."""
        made: list[QWidget] = []
        if r.widget is not None:
            w = r.widget(self.body)
            self.grid.addWidget(w, row, col, 1, span)
            made.append(w)
        else:
            text_col, text_span = col, span
            if r.icon is not None:
                made.append(self._icon(row, col, r.icon(ICON)))
                text_col, text_span = col + 1, span - 1
            lab = QLabel(self.body)
            if r.heading:
                f = lab.font()
                f.setBold(True)
                lab.setFont(f)
            lab.setWordWrap(r.wrap)
            self.grid.addWidget(lab, row, text_col, 1, text_span)
            self._labels.append((lab, r, key))
            made.append(lab)
        self._widgets.setdefault(key, []).extend(made)
        if entry.follows_layer:
            self._following.setdefault(key, []).extend(made)

    def _icon(self, row: int, col: int, picture: QPixmap | QImage) -> QLabel:
        ic = QLabel(self.body)
        pm = QPixmap.fromImage(picture) if isinstance(picture, QImage) else picture
        ic.setPixmap(pm)
        ic.setFixedSize(QSize(ICON + 4, ICON + 4))
        ic.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.grid.addWidget(ic, row, col)
        return ic

    # ------------------------------------------------------------------ reading

    def texts(self, key: str | None = None) -> list[str]:
        """The texts shown (for layer ``key`` only, if given), in build order."""
        return [lab.text() for lab, _, k in self._labels if key is None or k == key]

    def labels(self, key: str) -> list[QLabel]:
        """The text labels of a layer's rows."""
        return [lab for lab, _, k in self._labels if k == key]

    def widget_of(self, key: str, kind: type[W]) -> W:
        """The first widget of type ``kind`` among a layer's rows (e.g. its colour scale)."""
        for w in self._widgets.get(key, []):
            if isinstance(w, kind):
                return w
        raise KeyError(f"legend of layer {key!r} has no {kind.__name__}")

    def layer_keys(self) -> list[str]:
        """The layers that have rows in the legend."""
        return list(self._widgets)

    # ------------------------------------------------------------------ changes

    def retranslate(self) -> None:
        """Re-read every text (language switch, or a layer's figures changed)."""
        self.toggle.setText(s.tr(s.LEGEND))
        self.toggle.setArrowType(
            Qt.ArrowType.DownArrow if self.toggle.isChecked() else Qt.ArrowType.RightArrow
        )
        for lab, r, _ in self._labels:
            text = r.current_text()
            if text or r.label is None:
                lab.setText(text)
        self.adjustSize()

    def set_layer_shown(self, key: str, shown: bool) -> None:
        """Show or hide the rows of layer ``key`` that follow its layer."""
        for w in self._following.get(key, []):
            w.setVisible(shown)
        self.retranslate()

    def _on_toggle(self, open_: bool) -> None:
        self.body.setVisible(open_)
        self.retranslate()

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate()
        super().changeEvent(event)
