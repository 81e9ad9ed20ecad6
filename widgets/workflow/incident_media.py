"""An incident's photos and clips from the scene: thumbnails, a large view, play and save.

Officers' terminals file photos (JPEG) and short clips (mp4/avi, with a still) under their
orders, and a camera that raised the incident files its snapshot and clip (issue 19,
shown as "Camera <id>"); the hub lists them per incident (``GetAttachments``: thumbnails
only, a few KB each) and hands one over in full on request (``GetAttachment``).  This
module shows them:

- :class:`IncidentMediaPanel`: the thumbnails of one incident in a grid, reloaded by itself
  when something may have been filed for it: an officer's report (the hub's ``feedback``
  alert) or a change of the incident (``IncidentChanged``, which the hub also publishes
  when a camera files its snapshot or, seconds later, its clip).  A burst of such events
  reloads once, :data:`REFRESH_DELAY_MS` after the first; double-click opens
- :class:`AttachmentViewer`: a photo fitted to the window, or a clip's still with Play
  and Save.  A clip plays inside only where QtMultimedia has a backend; otherwise it is
  handed to the system's player, and where there is none it is saved and the path shown;
- "Save with the incident": every file of the incident written into one folder named
  by the incident number, with ``attachments.json`` saying who filed what and when (and
  its SHA-256), so the files can go with the incident's record.
"""

from __future__ import annotations

import contextlib
import hashlib
import importlib
import json
import logging
import re
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, cast

from PySide6.QtCore import (
    QT_TRANSLATE_NOOP,
    QCoreApplication,
    QEvent,
    QPointF,
    QSize,
    QStandardPaths,
    Qt,
    QTimer,
    QUrl,
    Signal,
)
from PySide6.QtGui import QColor, QDesktopServices, QIcon, QPainter, QPixmap, QPolygonF
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from console.hub.messages import Alert, IncidentChanged, Reply
from console.hub.messaging import GetAttachment, GetAttachments
from console.link.order_card import incident_no
from widgets.bridge import HubBridge
from widgets.workflow.common import local_time, refused_text, show_message

log = logging.getLogger(__name__)

THUMB = QSize(144, 108)
SUFFIX = {"image/jpeg": ".jpg", "video/mp4": ".mp4", "video/x-msvideo": ".avi"}
KIND_TEXT = cast(
    dict[str, str],
    {
        "photo": QT_TRANSLATE_NOOP("IncidentMedia", "Photo"),
        "video": QT_TRANSLATE_NOOP("IncidentMedia", "Video clip"),
    },
)
MANIFEST = "attachments.json"
PLAY_MARK = ((-0.35, -0.5), (0.55, 0.0), (-0.35, 0.5))  # the play triangle, in radii
REFRESH_DELAY_MS = 300  # a burst of reports or evidence reloads the list once


def kind_text(kind: str) -> str:
    """ "Photo" / "Video clip" in the interface language."""
    src = KIND_TEXT.get(kind)
    return QCoreApplication.translate("IncidentMedia", src) if src else kind


def size_text(size: int) -> str:
    """Bytes as "85 KB" / "1.2 MB"."""
    return f"{size / 1024:.0f} KB" if size < 1024 * 1024 else f"{size / 1024 / 1024:.1f} MB"


@dataclass(frozen=True)
class Attachment:
    """One photo or clip as ``GetAttachments`` lists it (``thumb``: JPEG bytes)."""

    attachment_id: int
    kind: str  # photo | video
    mime: str
    call_sign: str
    t: float
    size: int
    width: int
    height: int
    order_id: str
    thumb: bytes
    camera_id: str = ""  # a camera's snapshot or clip of the incident it raised

    @property
    def who(self) -> str:
        """Who filed it: the unit's call sign, or "Camera <id>" in the interface language."""
        if self.call_sign or not self.camera_id:
            return self.call_sign
        return QCoreApplication.translate("IncidentMedia", "Camera %1").replace(
            "%1", self.camera_id
        )

    @classmethod
    def from_reply(cls, d: dict[str, Any]) -> Attachment:
        """From a reply row; ValueError naming what is wrong (a malformed row is skipped)."""
        try:
            return cls(
                attachment_id=int(d["attachment_id"]),
                kind=str(d.get("kind") or "photo"),
                mime=str(d.get("mime") or "image/jpeg"),
                call_sign=str(d.get("call_sign") or ""),
                t=float(d.get("t") or 0.0),
                size=int(d.get("size") or 0),
                width=int(d.get("width") or 0),
                height=int(d.get("height") or 0),
                order_id=str(d.get("order_id") or ""),
                thumb=bytes(d.get("thumb") or b""),
                camera_id=str(d.get("camera_id") or ""),
            )
        except (KeyError, TypeError, ValueError) as exc:
            raise ValueError(f"malformed attachment row {sorted(d)}: {exc}") from None

    def file_name(self, incident_id: int | None) -> str:
        """A file name that sorts by time and says who sent it: 12-042710-P-0012-7.jpg."""
        stamp = local_time(self.t).replace(":", "")
        sign = re.sub(r"[^\w-]+", "_", self.call_sign or self.camera_id) or "unit"
        prefix = f"{incident_id}-" if incident_id is not None else ""
        return f"{prefix}{stamp}-{sign}-{self.attachment_id}{SUFFIX.get(self.mime, '.bin')}"


def pixmap_of(data: bytes) -> QPixmap:
    """A JPEG as a pixmap (a null pixmap when it does not decode)."""
    pm = QPixmap()
    if data:
        pm.loadFromData(data)
    return pm


def thumbnail(a: Attachment, size: QSize = THUMB) -> QPixmap:
    """The thumbnail fitted into ``size``, grey when missing, a play mark on a clip."""
    canvas = QPixmap(size)
    canvas.fill(QColor("#eceff1"))
    p = QPainter(canvas)
    p.setRenderHint(QPainter.RenderHint.Antialiasing)
    pm = pixmap_of(a.thumb)
    if not pm.isNull():
        pm = pm.scaled(
            size, Qt.AspectRatioMode.KeepAspectRatio, Qt.TransformationMode.SmoothTransformation
        )
        p.drawPixmap((size.width() - pm.width()) // 2, (size.height() - pm.height()) // 2, pm)
    if a.kind == "video":
        r = min(size.width(), size.height()) // 5
        cx, cy = size.width() // 2, size.height() // 2
        p.setPen(Qt.PenStyle.NoPen)
        p.setBrush(QColor(0, 0, 0, 150))
        p.drawEllipse(cx - r, cy - r, 2 * r, 2 * r)
        p.setBrush(QColor("white"))
        tri = QPolygonF([QPointF(cx + x * r, cy + y * r) for x, y in PLAY_MARK])
        p.drawPolygon(tri)
    p.end()
    return canvas


def multimedia_available() -> bool:
    """Whether QtMultimedia loads here (it needs a media backend: PulseAudio, FFmpeg...)."""
    global _MULTIMEDIA
    if _MULTIMEDIA is None:
        try:
            for name in ("PySide6.QtMultimedia", "PySide6.QtMultimediaWidgets"):
                importlib.import_module(name)
        except (ImportError, OSError) as exc:
            log.info("no QtMultimedia on this workstation (%s): clips open outside", exc)
            _MULTIMEDIA = False
        else:
            _MULTIMEDIA = True
    return _MULTIMEDIA


_MULTIMEDIA: bool | None = None


def open_with_system(path: Path) -> bool:
    """Hand a file to the desktop's program for it (the system video player)."""
    return bool(QDesktopServices.openUrl(QUrl.fromLocalFile(str(path))))


def media_dir() -> Path:
    """Where incident files are saved by default: the console's user data dir, ``incidents/``."""
    base = QStandardPaths.writableLocation(QStandardPaths.StandardLocation.AppDataLocation)
    root = Path(base) if base else Path.home() / ".local" / "share" / "huangpu-dispatch"
    return root / "incidents"


# ------------------------------------------------------------------ the large view


class AttachmentViewer(QDialog):
    """One photo fitted to the window, or a clip's still with Play and Save."""

    def __init__(
        self,
        attachment: Attachment,
        data: bytes,
        *,
        incident_id: int | None = None,
        parent: QWidget | None = None,
        opener: Callable[[Path], bool] = open_with_system,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("attachmentViewer")
        self.attachment = attachment
        self.data = data
        self.incident_id = incident_id
        self.opener = opener
        self.played: Path | None = None  # where the clip was written to be played
        self.player: Any = None  # the embedded QMediaPlayer, where QtMultimedia works
        self.full = pixmap_of(data) if attachment.kind == "photo" else pixmap_of(attachment.thumb)
        self.picture = QLabel(self)
        self.picture.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.picture.setMinimumSize(200, 150)
        self.picture.setStyleSheet("background: #263238;")
        self.scroll_area = QScrollArea(self)
        self.scroll_area.setWidgetResizable(True)
        self.scroll_area.setWidget(self.picture)
        self.info_label = QLabel(self)
        self.info_label.setWordWrap(True)
        self.message_label = QLabel(self)
        self.message_label.setWordWrap(True)
        self.message_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.message_label.hide()
        self.play_button = QPushButton(self)
        self.play_button.clicked.connect(lambda _c=False: self.play())
        self.play_button.setVisible(attachment.kind == "video")
        self.save_button = QPushButton(self)
        self.save_button.clicked.connect(lambda _c=False: self.ask_save())
        self.close_button = QPushButton(self)
        self.close_button.clicked.connect(self.close)
        buttons = QHBoxLayout()
        buttons.addWidget(self.info_label, 1)
        buttons.addWidget(self.play_button)
        buttons.addWidget(self.save_button)
        buttons.addWidget(self.close_button)
        self.body = QVBoxLayout(self)
        self.body.addWidget(self.scroll_area, 1)
        self.body.addWidget(self.message_label)
        self.body.addLayout(buttons)
        w = max(480, min(1100, attachment.width or 800))
        h = max(360, min(760, (attachment.height or 600) + 80))
        self.resize(w, h)
        self.retranslateUi()

    def retranslateUi(self) -> None:
        """Every text (also on LanguageChange)."""
        a = self.attachment
        what = kind_text(a.kind)
        self.setWindowTitle(
            self.tr("%1 from %2 — incident #%3")
            .replace("%1", what)
            .replace("%2", a.who)
            .replace("%3", str(self.incident_id if self.incident_id is not None else "?"))
        )
        dims = f"{a.width}×{a.height}" if a.width and a.height else ""
        parts = [
            what,
            a.who,
            local_time(a.t, with_date=True),
            dims,
            size_text(len(self.data)),
        ]
        self.info_label.setText(" · ".join(p for p in parts if p))
        self.play_button.setText(self.tr("Play"))
        self.save_button.setText(self.tr("Save…"))
        self.close_button.setText(self.tr("Close"))
        if self.full.isNull():
            self.picture.setText(self.tr("This picture cannot be shown."))
            self.picture.setStyleSheet("background: #263238; color: white;")

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslateUi()
        super().changeEvent(event)

    def resizeEvent(self, event: Any) -> None:
        super().resizeEvent(event)
        self._fit()

    def showEvent(self, event: Any) -> None:
        super().showEvent(event)
        self._fit()

    def _fit(self) -> None:
        """The picture as large as the window allows, never enlarged past its own size
        (a clip's small still is shown at up to twice its size)."""
        if self.full.isNull():
            return
        room = self.scroll_area.viewport().size()
        limit = 2.0 if self.attachment.kind == "video" else 1.0
        w = min(room.width() - 4, int(self.full.width() * limit))
        h = min(room.height() - 4, int(self.full.height() * limit))
        if w <= 0 or h <= 0:
            return
        self.picture.setPixmap(
            self.full.scaled(
                w, h, Qt.AspectRatioMode.KeepAspectRatio, Qt.TransformationMode.SmoothTransformation
            )
        )

    @property
    def shown_size(self) -> QSize:
        """The size the picture is drawn at now."""
        pm = self.picture.pixmap()
        return pm.size() if pm is not None and not pm.isNull() else QSize(0, 0)

    # ---------------------------------------------------------------- save, play

    def default_name(self) -> str:
        return self.attachment.file_name(self.incident_id)

    def save_to(self, path: Path | str) -> Path:
        """Write the file as filed (the original bytes); OSError says why it failed."""
        target = Path(path)
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(self.data)
        return target

    def ask_save(self) -> Path | None:
        """Ask where to save the file, then save it."""
        start = str(media_dir() / self.default_name())
        path, _ = QFileDialog.getSaveFileName(self, self.tr("Save attachment"), start)
        if not path:
            return None
        try:
            saved = self.save_to(path)
        except OSError as exc:
            show_message(self.message_label, self.tr("Could not save: %1").replace("%1", str(exc)))
            return None
        show_message(self.message_label, self.tr("Saved to %1").replace("%1", str(saved)), False)
        return saved

    def play(self) -> str:
        """Play the clip: inside the window with QtMultimedia, else with the system player,
        else save it and say where.  Returns how: "embedded", "system" or "saved"."""
        if self.attachment.kind != "video":
            return ""
        path = self.played or Path(tempfile.mkdtemp(prefix="dispatch-clip-")) / self.default_name()
        if self.played is None:
            self.save_to(path)
            self.played = path
        if multimedia_available() and self._play_inside(path):
            return "embedded"
        if self.opener(path):
            show_message(
                self.message_label,
                self.tr("Opened in the system video player (%1)").replace("%1", str(path)),
                error=False,
            )
            return "system"
        show_message(
            self.message_label,
            self.tr("No video player on this workstation: the clip was saved to %1").replace(
                "%1", str(path)
            ),
            error=False,
        )
        return "saved"

    def _play_inside(self, path: Path) -> bool:  # pragma: no cover - needs a media backend
        try:
            from PySide6.QtMultimedia import QAudioOutput, QMediaPlayer
            from PySide6.QtMultimediaWidgets import QVideoWidget
        except (ImportError, OSError):
            return False
        if self.player is None:
            video = QVideoWidget(self)
            self.body.insertWidget(0, video, 1)
            self.scroll_area.hide()
            self.player = QMediaPlayer(self)
            self.player.setAudioOutput(QAudioOutput(self))
            self.player.setVideoOutput(video)
        self.player.setSource(QUrl.fromLocalFile(str(path)))
        self.player.play()
        return True

    def closeEvent(self, event: Any) -> None:
        if self.player is not None:  # pragma: no cover - needs a media backend
            self.player.stop()
        super().closeEvent(event)


# ------------------------------------------------------------------ the panel


class IncidentMediaPanel(QWidget):
    """The photos and clips of one incident as thumbnails; double-click for the large view."""

    countChanged = Signal(int)  # attachments shown
    loaded = Signal()  # a list arrived from the hub

    def __init__(
        self,
        bridge: HubBridge,
        parent: QWidget | None = None,
        *,
        incident_id: int | None = None,
        opener: Callable[[Path], bool] = open_with_system,
    ) -> None:
        super().__init__(parent)
        self.bridge = bridge
        self.incident_id: int | None = None
        self.incident_created_at: float | None = None
        self.opener = opener
        self.attachments: list[Attachment] = []
        self.viewers: dict[int, AttachmentViewer] = {}
        self.loads = 0
        self._token = 0  # the newest list request
        self._answered = 0  # the newest request answered (or that needed no answer)
        self.fetching: set[int] = set()
        self.list = QListWidget(self)
        self.list.setObjectName("mediaGrid")
        self.list.setViewMode(QListWidget.ViewMode.IconMode)
        self.list.setIconSize(THUMB)
        self.list.setGridSize(QSize(THUMB.width() + 16, THUMB.height() + 44))
        self.list.setResizeMode(QListWidget.ResizeMode.Adjust)
        self.list.setMovement(QListWidget.Movement.Static)
        self.list.setWordWrap(True)
        self.list.setUniformItemSizes(True)
        self.list.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self.list.itemActivated.connect(self._item_activated)
        self.list.itemSelectionChanged.connect(self._update_buttons)
        self.summary_label = QLabel(self)
        self.message_label = QLabel(self)
        self.message_label.setWordWrap(True)
        self.message_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.message_label.hide()
        self.open_button = QPushButton(self)
        self.open_button.clicked.connect(lambda _c=False: self.open_selected())
        self.export_button = QPushButton(self)
        self.export_button.clicked.connect(lambda _c=False: self.ask_export())
        self.refresh_button = QPushButton(self)
        self.refresh_button.clicked.connect(lambda _c=False: self.load())
        top = QHBoxLayout()
        top.addWidget(self.summary_label, 1)
        top.addWidget(self.open_button)
        top.addWidget(self.export_button)
        top.addWidget(self.refresh_button)
        lay = QVBoxLayout(self)
        lay.setContentsMargins(4, 4, 4, 4)
        lay.addLayout(top)
        lay.addWidget(self.list, 1)
        lay.addWidget(self.message_label)
        self._reload = QTimer(self)
        self._reload.setSingleShot(True)
        self._reload.setInterval(REFRESH_DELAY_MS)
        self._reload.timeout.connect(self.load)
        self.export_job: MediaExport | None = None
        bridge.alert.connect(self._on_alert)
        bridge.incidentChanged.connect(self._on_incident_changed)
        self.retranslateUi()
        if incident_id is not None:
            self.set_incident(incident_id)

    # ------------------------------------------------------------------ texts

    def retranslateUi(self) -> None:
        """Every text (also on LanguageChange)."""
        self.open_button.setText(self.tr("Open"))
        self.export_button.setText(self.tr("Save with the incident…"))
        self.export_button.setToolTip(
            self.tr("Save every photo and clip of the incident into one folder, with a list")
        )
        self.refresh_button.setText(self.tr("Refresh"))
        self._fill()

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslateUi()
        super().changeEvent(event)

    def summary(self) -> str:
        """ "2 photos, 1 clip" (or why there is nothing)."""
        if self.incident_id is None:
            return self.tr("Select an incident to see its photos and clips.")
        photos = sum(1 for a in self.attachments if a.kind != "video")
        clips = len(self.attachments) - photos
        if not self.attachments:
            return self.tr("Incident #%1: no photos or clips from the scene yet.").replace(
                "%1", str(self.incident_id)
            )
        return (
            self.tr("Incident #%1: %2 photos, %3 clips")
            .replace("%1", str(self.incident_id))
            .replace("%2", str(photos))
            .replace("%3", str(clips))
        )

    # ------------------------------------------------------------------ loading

    def set_incident(self, incident_id: int | None, created_at: float | None = None) -> None:
        """Show another incident's files (None: none)."""
        if incident_id == self.incident_id and incident_id is not None:
            return
        self._reload.stop()  # a reload due for the incident left: load() below does it
        self.incident_id = incident_id
        self.incident_created_at = created_at
        self.attachments = []
        show_message(self.message_label, "")
        self._fill()
        self.load()

    def load(self) -> None:
        """Ask the hub for the incident's attachments (a newer request wins)."""
        self._token += 1
        if self.incident_id is None:
            self._answered = self._token
            return
        token, iid = self._token, self.incident_id
        self.bridge.call(GetAttachments(incident_id=iid), lambda r: self._on_list(r, token, iid))

    def _on_list(self, reply: Reply, token: int, incident_id: int) -> None:
        if token != self._token or incident_id != self.incident_id:
            return  # the operator moved on to another incident
        self._answered = token
        self.loads += 1
        if not reply.ok or not isinstance(reply.result, list):
            show_message(self.message_label, refused_text(reply.error or repr(reply.result)))
            self.loaded.emit()
            return
        rows: list[Attachment] = []
        for d in reply.result:
            try:
                rows.append(Attachment.from_reply(d if isinstance(d, dict) else {}))
            except ValueError as exc:
                log.warning("skipped an attachment: %s", exc)
        self.attachments = rows
        self._fill()
        self.loaded.emit()

    def _fill(self) -> None:
        selected = set(self.selected_ids())
        self.list.clear()
        for a in self.attachments:
            item = QListWidgetItem(QIcon(thumbnail(a)), f"{a.who}\n{local_time(a.t)}")
            item.setData(Qt.ItemDataRole.UserRole, a.attachment_id)
            item.setToolTip(
                " · ".join(
                    p
                    for p in (
                        kind_text(a.kind),
                        a.who,
                        local_time(a.t, with_date=True),
                        f"{a.width}×{a.height}" if a.width else "",
                        size_text(a.size) if a.size else "",
                    )
                    if p
                )
            )
            self.list.addItem(item)
            item.setSelected(a.attachment_id in selected)
        self.summary_label.setText(self.summary())
        self._update_buttons()
        self.countChanged.emit(len(self.attachments))

    def _update_buttons(self) -> None:
        self.open_button.setEnabled(bool(self.list.selectedItems()))
        self.export_button.setEnabled(bool(self.attachments) and self.export_job is None)
        self.refresh_button.setEnabled(self.incident_id is not None)

    def _on_alert(self, ev: Alert) -> None:
        """An officer's report about this incident (it may carry a photo): reload shortly."""
        if (
            ev.kind == "feedback"
            and ev.incident_id is not None
            and ev.incident_id == self.incident_id
        ):
            self._reload_soon()

    def _on_incident_changed(self, ev: IncidentChanged) -> None:
        """The incident shown changed; the hub publishes this also when a camera files
        evidence for it (its clip comes seconds after its snapshot): reload shortly."""
        if self.incident_id is not None and ev.incident.id == self.incident_id:
            self._reload_soon()

    @property
    def reloading(self) -> bool:
        """A reload is due or its list is still on its way from the hub."""
        return self._reload.isActive() or self._answered != self._token

    def _reload_soon(self) -> None:
        """One reload :data:`REFRESH_DELAY_MS` after the first of a burst (not restarted by
        the next event, so a steady stream of changes still reloads)."""
        if not self._reload.isActive():
            self._reload.start()

    # ------------------------------------------------------------------ opening

    def selected_ids(self) -> list[int]:
        """Attachment ids of the selected thumbnails."""
        return [int(i.data(Qt.ItemDataRole.UserRole)) for i in self.list.selectedItems()]

    def attachment(self, attachment_id: int) -> Attachment | None:
        return next((a for a in self.attachments if a.attachment_id == attachment_id), None)

    def _item_activated(self, item: QListWidgetItem) -> None:
        self.open_attachment(int(item.data(Qt.ItemDataRole.UserRole)))

    def open_selected(self) -> None:
        for aid in self.selected_ids()[:4]:  # never a wall of windows
            self.open_attachment(aid)

    def open_attachment(self, attachment_id: int) -> bool:
        """Fetch the file and show it large (an open viewer is brought forward)."""
        viewer = self.viewers.get(attachment_id)
        if viewer is not None:
            viewer.show()
            viewer.raise_()
            return True
        a = self.attachment(attachment_id)
        if a is None or attachment_id in self.fetching:
            return False
        self.fetching.add(attachment_id)
        self.bridge.call(
            GetAttachment(attachment_id=attachment_id),
            lambda r: self._on_file(r, a),
            timeout_s=60.0,
        )
        return True

    def _on_file(self, reply: Reply, a: Attachment) -> None:
        self.fetching.discard(a.attachment_id)
        data = reply.result.get("data") if reply.ok and isinstance(reply.result, dict) else None
        if not isinstance(data, bytes | bytearray):
            show_message(self.message_label, refused_text(reply.error or "no data"))
            return
        viewer = AttachmentViewer(
            a, bytes(data), incident_id=self.incident_id, parent=self, opener=self.opener
        )
        viewer.setWindowFlag(Qt.WindowType.Window, True)
        viewer.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        viewer.finished.connect(lambda _r, i=a.attachment_id: self.viewers.pop(i, None))
        viewer.destroyed.connect(lambda _o=None, i=a.attachment_id: self.viewers.pop(i, None))
        self.viewers[a.attachment_id] = viewer
        viewer.show()
        viewer.raise_()

    # ------------------------------------------------------------------ export

    def export_folder(self, base: Path) -> Path:
        """``base``/the incident's folder (its number when the date is known)."""
        iid = self.incident_id if self.incident_id is not None else 0
        name = (
            incident_no(iid, self.incident_created_at)
            if self.incident_created_at
            else f"incident-{iid}"
        )
        return base / name

    def ask_export(self) -> MediaExport | None:
        """Ask for a folder, then save every file of the incident into it."""
        start = str(media_dir())
        chosen = QFileDialog.getExistingDirectory(self, self.tr("Save with the incident"), start)
        return self.export_to(Path(chosen)) if chosen else None

    def export_to(self, base: Path) -> MediaExport | None:
        """Save every photo and clip of the incident under ``base`` (see the module text);
        the files are fetched one by one, :attr:`MediaExport.done` says when all are."""
        if self.incident_id is None or not self.attachments or self.export_job is not None:
            return None
        job = MediaExport(
            self.bridge, self.incident_id, list(self.attachments), self.export_folder(base), self
        )
        self.export_job = job
        job.done.connect(self._on_exported)
        self._update_buttons()
        job.start()
        return job

    def _on_exported(self, folder: str, written: int, failed: str) -> None:
        self.export_job = None
        self._update_buttons()
        if failed:
            show_message(
                self.message_label, self.tr("Not all files were saved: %1").replace("%1", failed)
            )
        else:
            show_message(
                self.message_label,
                self.tr("%1 files saved with the incident in %2")
                .replace("%1", str(written))
                .replace("%2", folder),
                error=False,
            )


class MediaExport(QWidget):
    """Fetches an incident's files one at a time and writes them with a manifest."""

    done = Signal(str, int, str)  # (folder, files written, what failed or "")

    def __init__(
        self,
        bridge: HubBridge,
        incident_id: int,
        attachments: list[Attachment],
        folder: Path,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.hide()
        self.bridge = bridge
        self.incident_id = incident_id
        self.todo = list(attachments)
        self.folder = folder
        self.entries: list[dict[str, Any]] = []
        self.errors: list[str] = []

    def start(self) -> None:
        try:
            self.folder.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            self.errors.append(str(exc))
            self._finish()
            return
        self._next()

    def _next(self) -> None:
        if not self.todo:
            self._finish()
            return
        a = self.todo.pop(0)
        self.bridge.call(
            GetAttachment(attachment_id=a.attachment_id),
            lambda r: self._on_file(r, a),
            timeout_s=60.0,
        )

    def _on_file(self, reply: Reply, a: Attachment) -> None:
        data = reply.result.get("data") if reply.ok and isinstance(reply.result, dict) else None
        if not isinstance(data, bytes | bytearray):
            self.errors.append(f"#{a.attachment_id}: {reply.error or 'no data'}")
        else:
            name = a.file_name(self.incident_id)
            try:
                (self.folder / name).write_bytes(bytes(data))
            except OSError as exc:
                self.errors.append(f"{name}: {exc}")
            else:
                self.entries.append(
                    {
                        "file": name,
                        "attachment_id": a.attachment_id,
                        "kind": a.kind,
                        "mime": a.mime,
                        "unit": a.call_sign,
                        "camera": a.camera_id,
                        "order_id": a.order_id,
                        "filed_at": a.t,
                        "filed_at_shanghai": local_time(a.t, with_date=True),
                        "bytes": len(data),
                        "sha256": hashlib.sha256(data).hexdigest(),
                    }
                )
        self._next()

    def _finish(self) -> None:
        if self.entries:
            manifest = {"incident_id": self.incident_id, "files": self.entries}
            try:
                (self.folder / MANIFEST).write_text(
                    json.dumps(manifest, ensure_ascii=False, indent=2), encoding="utf-8"
                )
            except OSError as exc:
                self.errors.append(f"{MANIFEST}: {exc}")
        with contextlib.suppress(RuntimeError):  # the panel closed meanwhile
            self.done.emit(str(self.folder), len(self.entries), "; ".join(self.errors))
        self.deleteLater()
