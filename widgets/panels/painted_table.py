"""A table view that paints its own cells from one call per row, for boards repainted
many times a second.

Qt's item view paints a cell through its delegate and the style: it asks the model for
seven roles in one ``multiData`` call, then lays the text out and draws it through the
style sheet's style.  For a model written in Python that is a Python call per cell plus
Qt's own per-cell work: 6-14 ms for a full repaint of the incident board's 160 visible
cells (by machine), and 22-31 ms in the worst frames of ``bench/shift.py`` (issue 15),
where a new call repaints the whole board; painted here, 1.5-2.5 ms.

:class:`PaintedTable` keeps everything of :class:`QTableView` (header, sorting,
selection, keyboard, scrolling, tooltips through the model's ``data``) and replaces only
the painting of the viewport: the model answers one :meth:`RowLooks.row_looks` call per
visible row with each cell's text, background, boldness, text colour and alignment, and
the view fills the cells, draws the grid and the texts as prepared
:class:`QStaticText` (laid out once per text and width, elided on the right as the
plain view does).  Selected rows take the palette's highlight (the style sheet's
``selection-background-color``), as Qt's delegate draws them.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import NamedTuple, Protocol, runtime_checkable

from PySide6.QtCore import QEvent, QModelIndex, QPointF, QRect, QSortFilterProxyModel, Qt
from PySide6.QtGui import (
    QBrush,
    QColor,
    QFont,
    QFontMetrics,
    QPainter,
    QPaintEvent,
    QPalette,
    QPen,
    QStaticText,
    QTransform,
)
from PySide6.QtWidgets import QStyle, QStyleOptionViewItem, QTableView, QWidget

TEXT_MARGIN = 3
"""Pixels left and right of a cell's text (Qt's delegate: the focus frame margin + 1)."""
CACHE_LIMIT = 4000
"""Prepared texts kept before the cache starts over (ages and deadlines change each
second: the cache would otherwise grow all shift)."""


class CellLook(NamedTuple):
    """How one cell looks: what ``data`` answers for its display roles, in one record
    (``align``: :data:`LEFT`, :data:`CENTRE` or :data:`RIGHT`; text is always centred
    vertically)."""

    text: str
    background: QBrush | QColor | None = None
    bold: bool = False
    foreground: QColor | None = None
    align: int = 0


LEFT, CENTRE, RIGHT = 0, 1, 2


@runtime_checkable
class RowLooks(Protocol):
    """A model a :class:`PaintedTable` can paint: every cell of a row in one call."""

    def row_looks(self, row: int) -> Sequence[CellLook]:
        """The row's cells, one per column, in column order."""
        ...


class _Faces(NamedTuple):
    """What painting takes from the view's font and style, made once per font or style."""

    fonts: tuple[QFont, QFont]  # regular, bold
    metrics: tuple[QFontMetrics, QFontMetrics]
    grid: QPen


class PaintedTable(QTableView):
    """A :class:`QTableView` whose viewport is painted from :meth:`RowLooks.row_looks`;
    any other model is painted by Qt as usual."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        # (text, bold, width) -> the prepared, elided text and its width
        self._texts: dict[tuple[str, bool, int], tuple[QStaticText, float]] = {}
        self._faces: _Faces | None = None
        self.painted_rows = 0  # rows painted by this view (tests, figures)

    def _source(self) -> tuple[RowLooks | None, QSortFilterProxyModel | None]:
        """The model that gives the looks, and the proxy in front of it (if any)."""
        shown = self.model()
        if isinstance(shown, QSortFilterProxyModel):
            source = shown.sourceModel()
            return (source if isinstance(source, RowLooks) else None), shown
        return (shown if isinstance(shown, RowLooks) else None), None

    def changeEvent(self, event: QEvent) -> None:
        """A new font or style invalidates every prepared text."""
        if event.type() in (QEvent.Type.FontChange, QEvent.Type.StyleChange):
            self._texts.clear()
            self._faces = None
        super().changeEvent(event)

    def paintEvent(self, event: QPaintEvent) -> None:
        looks, proxy = self._source()
        if looks is None:
            super().paintEvent(event)
            return
        port = self.viewport()
        rect = event.rect()
        painter = QPainter(port)
        try:
            self._paint(painter, rect, looks, proxy)
        finally:
            painter.end()

    def _paint(
        self,
        painter: QPainter,
        rect: QRect,
        looks: RowLooks,
        proxy: QSortFilterProxyModel | None,
    ) -> None:
        shown = self.model()
        palette = self.viewport().palette()
        base = palette.brush(QPalette.ColorRole.Base)
        alternate = palette.brush(QPalette.ColorRole.AlternateBase)
        highlight = palette.brush(QPalette.ColorRole.Highlight)
        text_pen = QPen(palette.color(QPalette.ColorRole.Text))
        selected_pen = QPen(palette.color(QPalette.ColorRole.HighlightedText))
        painter.fillRect(rect, base)
        rows = shown.rowCount()
        cols = shown.columnCount()
        if rows == 0 or cols == 0:
            return
        first = self.rowAt(rect.top())
        last = self.rowAt(rect.bottom())
        if first < 0:
            return
        if last < 0:
            last = rows - 1
        columns = []
        for col in range(cols):
            if self.isColumnHidden(col):
                continue
            x = self.columnViewportPosition(col)
            w = self.columnWidth(col)
            if x + w <= rect.left() or x > rect.right():
                continue
            columns.append((col, x, w))
        if not columns:
            return
        faces = self._faces or self._make_faces()
        grid = self.showGrid()
        selection = self.selectionModel()
        alternating = self.alternatingRowColors()
        edge = 1 if grid else 0
        left = min(x for _c, x, _w in columns)  # sections may have been moved
        right = max(x + w for _c, x, w in columns)
        bottoms = []
        for row in range(first, last + 1):
            y = self.rowViewportPosition(row)
            h = self.rowHeight(row)
            if h <= 0:
                continue
            bottoms.append(y + h - 1)
            source_row = row if proxy is None else proxy.mapToSource(proxy.index(row, 0)).row()
            if source_row < 0:
                continue
            cells = looks.row_looks(source_row)
            self.painted_rows += 1
            selected = selection is not None and selection.isRowSelected(row, QModelIndex())
            if selected:
                painter.fillRect(left, y, right - left, h, highlight)
            elif alternating and row % 2:
                painter.fillRect(left, y, right - left, h, alternate)
            for col, x, w in columns:
                if col >= len(cells):
                    continue
                cell = cells[col]
                if not selected and cell.background is not None:
                    painter.fillRect(x, y, w - edge, h - edge, cell.background)
                if not cell.text:
                    continue
                avail = w - edge - 2 * TEXT_MARGIN
                if avail <= 0:
                    continue
                static, tw = self._prepared(cell.text, cell.bold, avail, faces)
                if selected:
                    painter.setPen(selected_pen)
                elif cell.foreground is not None:
                    painter.setPen(QPen(cell.foreground))
                else:
                    painter.setPen(text_pen)
                painter.setFont(faces.fonts[cell.bold])
                tx = float(x + TEXT_MARGIN)
                if cell.align == CENTRE:
                    tx += (avail - tw) / 2
                elif cell.align == RIGHT:
                    tx += avail - tw
                ty = y + (h - edge - faces.metrics[cell.bold].height()) // 2
                painter.drawStaticText(QPointF(tx, ty), static)
        if grid and bottoms:
            painter.setPen(faces.grid)
            top = self.rowViewportPosition(first)
            for _col, x, w in columns:
                painter.drawLine(x + w - 1, top, x + w - 1, bottoms[-1])
            for yb in bottoms:
                painter.drawLine(left, yb, right - 1, yb)

    def _make_faces(self) -> _Faces:
        """The fonts, their metrics and the grid's pen (the style sheet's gridline-color),
        kept until the font or style changes."""
        font = self.font()
        bold = QFont(font)
        bold.setBold(True)
        opt = QStyleOptionViewItem()
        opt.initFrom(self)
        hint = self.style().styleHint(QStyle.StyleHint.SH_Table_GridLineColor, opt, self)
        grid = QPen(QColor.fromRgba(int(hint) & 0xFFFFFFFF))  # a QRgb, as a signed int
        self._faces = _Faces((font, bold), (QFontMetrics(font), QFontMetrics(bold)), grid)
        return self._faces

    def _prepared(
        self, text: str, bold: bool, avail: int, faces: _Faces
    ) -> tuple[QStaticText, float]:
        """``text`` laid out once for ``avail`` pixels (elided on the right if longer)."""
        key = (text, bold, avail)
        hit = self._texts.get(key)
        if hit is not None:
            return hit
        if len(self._texts) >= CACHE_LIMIT:
            self._texts.clear()
        metrics = faces.metrics[bold]
        shown = metrics.elidedText(text, Qt.TextElideMode.ElideRight, avail)
        static = QStaticText(shown)
        static.setTextFormat(Qt.TextFormat.PlainText)
        static.prepare(QTransform(), faces.fonts[bold])
        hit = (static, float(metrics.horizontalAdvance(shown)))
        self._texts[key] = hit
        return hit
