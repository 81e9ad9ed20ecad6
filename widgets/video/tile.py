"""One camera on the wall: its newest preview with what the detectors see drawn over it.

Overlays are in the camera's full-frame pixels (the preview's ``scale`` maps them onto
the small JPEG, the tile's fit onto the screen): the facade watched for throws
(orange), the walkable region (blue), the live tracks (red), the crowd count against
capacity coloured by level, and the camera's state.  A camera that is down says so
across the tile, with when it retries.
"""

from __future__ import annotations

from PySide6.QtCore import QPointF, QRectF, Qt, Signal
from PySide6.QtGui import QColor, QFont, QImage, QMouseEvent, QPainter, QPaintEvent, QPen, QPolygonF
from PySide6.QtWidgets import QSizePolicy, QWidget

from console.video.config import Camera
from console.video.records import CameraState, Preview

LEVEL_COLOURS = {"normal": QColor(60, 180, 75), "warning": QColor(245, 160, 0),
                 "alarm": QColor(220, 30, 30)}  # fmt: skip
DOWN_STATES = ("down", "failed")


class CameraTile(QWidget):
    """A camera's preview and overlays; ``clicked(camera_id)`` on a click."""

    clicked = Signal(str)

    def __init__(self, camera: Camera, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.camera = camera
        self.image: QImage | None = None
        self.preview: Preview | None = None
        self.state: CameraState | None = None
        self.flash = ""  # a detection's text, shown until the next one or cleared
        self.setMinimumSize(200, 130)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        self.setCursor(Qt.CursorShape.PointingHandCursor)
        self.setToolTip(f"{camera.spec.name} ({camera.id})")

    def set_frame(self, image: QImage, preview: Preview) -> None:
        """The newest preview (already decoded, off the GUI thread)."""
        self.image, self.preview = image, preview
        self.update()

    def set_state(self, state: CameraState) -> None:
        self.state = state
        self.update()

    def set_flash(self, text: str) -> None:
        self.flash = text
        self.update()

    def state_text(self) -> str:
        """What the tile says about the connection ("" while live)."""
        s = self.state
        if s is None:
            return self.tr("not started") if self.image is None else ""
        if s.state in DOWN_STATES:
            retry = self.tr(", retry in %1 s").replace("%1", f"{s.retry_in_s:.0f}")
            return (
                self.tr("CAMERA DOWN")
                + (retry if s.retry_in_s else "")
                + (f"\n{s.reason}" if s.reason else "")
            )
        if s.state == "connecting":
            return self.tr("connecting…")
        if s.state == "ended":
            return self.tr("video ended")
        if s.state == "stopped":
            return self.tr("stopped")
        return ""

    # ---------------------------------------------------------------- painting

    def frame_size(self) -> tuple[float, float]:
        """The camera's full-frame size, in which the overlays are given."""
        if self.preview is not None and self.preview.scale > 0:
            return self.preview.width / self.preview.scale, self.preview.height / self.preview.scale
        w, h = self.camera.spec.frame_size or (640, 480)
        return float(w), float(h)

    def _frame_rect(self) -> QRectF:
        w, h = self.frame_size()
        k = min(self.width() / w, (self.height() - 18) / h)
        dw, dh = w * k, h * k
        return QRectF((self.width() - dw) / 2, 18 + (self.height() - 18 - dh) / 2, dw, dh)

    def paintEvent(self, event: QPaintEvent) -> None:
        p = QPainter(self)
        p.setRenderHint(QPainter.RenderHint.Antialiasing)
        p.fillRect(self.rect(), QColor(20, 20, 24))
        rect = self._frame_rect()
        if self.image is not None:
            p.drawImage(rect, self.image)
        fw = rect.width() / self.frame_size()[0]

        def pt(x: float, y: float) -> QPointF:
            return QPointF(rect.left() + x * fw, rect.top() + y * fw)

        spec = self.camera.spec
        regions = ((spec.facade, QColor(255, 170, 0)), (spec.walkable, QColor(0, 150, 255)))
        for poly, colour in regions:
            if poly:
                p.setPen(QPen(colour, 1.5, Qt.PenStyle.DashLine))
                p.drawPolygon(QPolygonF([pt(x, y) for x, y in poly]))
        if self.preview is not None:
            p.setPen(QPen(QColor(255, 40, 40), 2))
            for tr in self.preview.tracks:
                if len(tr) > 1:
                    p.drawPolyline(QPolygonF([pt(x, y) for x, y in tr]))
        # title bar: name, count and level
        p.fillRect(QRectF(0, 0, self.width(), 18), QColor(40, 40, 48))
        p.setPen(QColor(235, 235, 235))
        f = QFont(self.font())
        f.setPointSizeF(8.5)
        p.setFont(f)
        p.drawText(QRectF(4, 0, self.width() - 8, 18), Qt.AlignmentFlag.AlignVCenter,
                   spec.name)  # fmt: skip
        if self.preview is not None and self.preview.count is not None and spec.capacity:
            level = self.preview.level or "normal"
            text = f"{self.preview.count:.0f} / {spec.capacity}"
            p.setPen(LEVEL_COLOURS.get(level, QColor(235, 235, 235)))
            right = Qt.AlignmentFlag.AlignVCenter | Qt.AlignmentFlag.AlignRight
            p.drawText(QRectF(4, 0, self.width() - 8, 18), right, text)
        state = self.state_text()
        if state:
            down = self.state is not None and self.state.state in DOWN_STATES
            p.fillRect(rect, QColor(120, 0, 0, 150) if down else QColor(0, 0, 0, 110))
            p.setPen(QColor(255, 255, 255))
            p.drawText(rect, Qt.AlignmentFlag.AlignCenter | Qt.TextFlag.TextWordWrap, state)
        if self.flash:
            p.setPen(QPen(QColor(255, 40, 40), 3))
            p.drawRect(rect.adjusted(1, 1, -1, -1))
            band = QRectF(rect.left(), rect.bottom() - 20, rect.width(), 20)
            p.fillRect(band, QColor(200, 0, 0, 200))
            p.setPen(QColor(255, 255, 255))
            p.drawText(band, Qt.AlignmentFlag.AlignCenter, self.flash)
        p.end()

    def mouseReleaseEvent(self, event: QMouseEvent) -> None:
        if event.button() == Qt.MouseButton.LeftButton:
            self.clicked.emit(self.camera.id)
        super().mouseReleaseEvent(event)
