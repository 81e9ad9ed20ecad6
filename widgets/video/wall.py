"""The video wall: a grid of camera tiles, one camera large on click, recent detections.

Records come from a :class:`~console.video.hubfeed.CameraFeed` on its own thread
(:meth:`VideoWall.take_record`); previews go to the decoder thread and come back as
images, everything else crosses to the GUI thread through a queued signal.  The list
of detections is the hub's (``GetCameraIncidents``, thumbnails included), so it is
the same on every workstation; clicking one emits ``incidentActivated``.
"""

from __future__ import annotations

import math
from typing import Any

from PySide6.QtCore import QSize, Qt, Signal
from PySide6.QtGui import QIcon, QImage, QPixmap
from PySide6.QtWidgets import (
    QGridLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QSplitter,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from console.hub.localtime import DEFAULT_ZONE
from console.video.config import Camera
from console.video.records import AnyRecord, CameraState, Detection, Preview
from widgets.video.decoder import JpegDecoder
from widgets.video.tile import CameraTile

INCIDENT_ROLE = Qt.ItemDataRole.UserRole + 1
THUMB = QSize(96, 72)


def _local(t: float) -> str:
    from datetime import datetime
    from zoneinfo import ZoneInfo

    return datetime.fromtimestamp(t, ZoneInfo(DEFAULT_ZONE)).strftime("%H:%M:%S")


class VideoWall(QWidget):
    """Tiles, the large view and the detection list of the configured cameras."""

    incidentActivated = Signal(int)
    _record = Signal(object)  # a record from the feed's thread, queued to the GUI thread

    def __init__(self, cameras: list[Camera], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.cameras = {c.id: c for c in cameras}
        self.decoder = JpegDecoder(self)
        self.decoder.decoded.connect(self._on_decoded)
        self._record.connect(self._on_record, Qt.ConnectionType.QueuedConnection)
        self.tiles: dict[str, CameraTile] = {}
        self.big: CameraTile | None = None
        self.rows: list[dict[str, Any]] = []

        self.stack = QStackedWidget(self)
        grid_page = QWidget(self)
        self.grid = QGridLayout(grid_page)
        self.grid.setSpacing(4)
        self.grid.setContentsMargins(0, 0, 0, 0)
        self.grid_page = grid_page
        self.empty_label: QLabel | None = None
        self._fill_grid(cameras)
        self.stack.addWidget(grid_page)
        self.large_page = QWidget(self)
        lay = QVBoxLayout(self.large_page)
        lay.setContentsMargins(0, 0, 0, 0)
        self.back = QPushButton(self.tr("◀ All cameras"), self.large_page)
        self.back.clicked.connect(self.show_grid)
        lay.addWidget(self.back, 0, Qt.AlignmentFlag.AlignLeft)
        self.large_host = QVBoxLayout()
        lay.addLayout(self.large_host, 1)
        self.stack.addWidget(self.large_page)

        side = QWidget(self)
        sl = QVBoxLayout(side)
        sl.setContentsMargins(0, 0, 0, 0)
        self.list_title = QLabel(self.tr("Camera detections"), side)
        sl.addWidget(self.list_title)
        self.detections = QListWidget(side)
        self.detections.setIconSize(THUMB)
        self.detections.setObjectName("cameraDetections")
        self.detections.setWordWrap(True)
        self.detections.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        side.setMinimumWidth(300)
        self.detections.itemClicked.connect(self._on_item)
        self.detections.itemActivated.connect(self._on_item)
        sl.addWidget(self.detections, 1)

        split = QSplitter(Qt.Orientation.Horizontal, self)
        split.addWidget(self.stack)
        split.addWidget(side)
        split.setStretchFactor(0, 4)
        split.setStretchFactor(1, 1)
        outer = QVBoxLayout(self)
        outer.setContentsMargins(2, 2, 2, 2)
        outer.addWidget(split)

    def _fill_grid(self, cameras: list[Camera]) -> None:
        cols = max(1, math.ceil(math.sqrt(len(cameras))))
        for k, cam in enumerate(cameras):
            tile = CameraTile(cam, self.grid_page)
            tile.clicked.connect(self.show_large)
            self.grid.addWidget(tile, k // cols, k % cols)
            self.tiles[cam.id] = tile
        if not cameras:
            self.empty_label = QLabel(self.tr("No cameras configured (config/cameras.toml)"))
            self.grid.addWidget(self.empty_label)

    def set_cameras(self, cameras: list[Camera]) -> None:
        """Show the tiles of ``cameras`` instead (another camera file, or only the cameras
        a hub took: those of its district); the detection list stays."""
        self.show_grid()
        for w in [*self.tiles.values(), self.empty_label]:
            if w is not None:
                self.grid.removeWidget(w)
                w.deleteLater()
        self.tiles = {}
        self.empty_label = None
        self.cameras = {c.id: c for c in cameras}
        self._fill_grid(cameras)

    # ------------------------------------------------------------------ records

    def take_record(self, rec: AnyRecord) -> None:
        """A camera feed's listener (any thread): previews to the decoder, the rest on."""
        if isinstance(rec, Preview):
            if rec.jpeg:
                self.decoder.submit(rec.camera_id, rec.jpeg, rec)
        elif isinstance(rec, CameraState | Detection):
            self._record.emit(rec)

    def _on_record(self, rec: AnyRecord) -> None:
        tile = self.tiles.get(rec.camera_id)
        if tile is None:
            return
        if isinstance(rec, CameraState):
            tile.set_state(rec)
            if self.big is not None and self.big.camera.id == rec.camera_id:
                self.big.set_state(rec)
        elif isinstance(rec, Detection):
            text = self.tr("THROW floor %1").replace("%1", str(rec.floor))
            tile.set_flash(text)
            if self.big is not None and self.big.camera.id == rec.camera_id:
                self.big.set_flash(text)

    def _on_decoded(self, key: str, image: QImage, meta: object) -> None:
        if key.startswith("thumb:"):
            self._set_thumb(int(key.removeprefix("thumb:")), image)
            return
        tile = self.tiles.get(key)
        if tile is not None and isinstance(meta, Preview):
            tile.set_frame(image, meta)
            if self.big is not None and self.big.camera.id == key:
                self.big.set_frame(image, meta)

    # ------------------------------------------------------------------ views

    def show_large(self, camera_id: str) -> None:
        """One camera over the whole wall (its own tile, drawn large)."""
        if self.big is not None:
            self.big.deleteLater()
        small = self.tiles[camera_id]
        self.big = CameraTile(small.camera, self.large_page)
        if small.image is not None and small.preview is not None:
            self.big.set_frame(small.image, small.preview)
        if small.state is not None:
            self.big.set_state(small.state)
        self.big.set_flash(small.flash)
        self.big.clicked.connect(lambda _c: self.show_grid())
        self.large_host.addWidget(self.big)
        self.stack.setCurrentWidget(self.large_page)

    def show_grid(self) -> None:
        self.stack.setCurrentIndex(0)

    def large_camera(self) -> str | None:
        """The camera shown large, or None on the grid."""
        if self.stack.currentWidget() is self.large_page and self.big is not None:
            return self.big.camera.id
        return None

    # ------------------------------------------------------------------ detections

    def set_detections(self, rows: list[dict[str, Any]]) -> None:
        """The hub's camera incidents (``GetCameraIncidents``), newest first."""
        self.rows = rows
        self.detections.clear()
        for r in rows:
            what = (
                self.tr("Thrown object, floor %1").replace("%1", str(r.get("floor")))
                if r.get("kind") == "throw"
                else self.tr("Crowd %1").replace("%1", f"{float(r.get('count') or 0):.0f}")
            )
            decision = {"confirmed": self.tr("confirmed"), "dismissed": self.tr("false alarm")}
            said = decision.get(str(r.get("decision", "")), self.tr("to check"))
            text = (
                f"#{r['incident_id']}  {_local(float(r['created_at']))}  {what}\n"
                f"{r.get('camera_name') or r.get('camera_id')}  ×{r.get('detections', 1)}  {said}"
            )
            item = QListWidgetItem(text)
            item.setData(INCIDENT_ROLE, int(r["incident_id"]))
            self.detections.addItem(item)
            thumb = r.get("thumb") or b""
            if thumb:
                self.decoder.submit(f"thumb:{r['incident_id']}", bytes(thumb))

    def _set_thumb(self, incident_id: int, image: QImage) -> None:
        for k in range(self.detections.count()):
            item = self.detections.item(k)
            if item.data(INCIDENT_ROLE) == incident_id:
                item.setIcon(QIcon(QPixmap.fromImage(image)))

    def _on_item(self, item: QListWidgetItem) -> None:
        iid = item.data(INCIDENT_ROLE)
        if iid is not None:
            self.incidentActivated.emit(int(iid))

    def close(self) -> bool:
        self.decoder.close()
        return super().close()
