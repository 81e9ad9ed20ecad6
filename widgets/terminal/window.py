"""The terminal window: one order at a time, the next step always the big button.

Two forms from the same parts:

- **tablet** (in-car, landscape): the map on the left; the card, the turns and the
  messages as tabs on the right; the action bar across the bottom;
- **phone** (portrait): tabs for card, map, turns and messages; the action bar below.

A new order rings (:class:`~widgets.terminal.alarm.Alarm`) and raises a flashing red
banner until the officer acknowledges it; updates, cancellations and messages
raise an amber one.  The status strip shows the link, the reports waiting for the
network and the duty status.  Photos and videos go through file choosers (and the
camera where OpenCV finds one); a video is transcoded on a worker thread.
"""

from __future__ import annotations

import logging
import threading
from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QCloseEvent, QGuiApplication
from PySide6.QtWidgets import (
    QComboBox,
    QFileDialog,
    QHBoxLayout,
    QMainWindow,
    QMenu,
    QPushButton,
    QSplitter,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from console.link import protocol as p
from console.terminal import media
from console.terminal.localstore import FINAL, LocalOrder
from widgets.terminal.alarm import Alarm
from widgets.terminal.bridge import TerminalBridge
from widgets.terminal.card_view import CardView, StepsView
from widgets.terminal.map_view import RouteMap
from widgets.terminal.panels import ActionBar, Banner, MessagesView, ReasonDialog, StatusStrip
from widgets.terminal.texts import say

log = logging.getLogger(__name__)

TABLET = (1280, 800)
PHONE = (412, 892)
IMAGE_FILTER = "Images (*.jpg *.jpeg *.png *.bmp *.webp *.tif *.tiff *.heic)"
VIDEO_FILTER = "Videos (*.mp4 *.mov *.avi *.mkv *.3gp *.webm)"


class TerminalWindow(QMainWindow):
    """The officer's window on a :class:`TerminalBridge`."""

    clip_ready = Signal(object, object, str)
    """(clip, still, order id) made on the worker thread, or (None, reason, order id)."""

    def __init__(
        self,
        bridge: TerminalBridge,
        *,
        lang: str = "zh",
        form: str = "tablet",
        alarm: Alarm | None = None,
        camera: bool | None = None,
    ) -> None:
        super().__init__()
        if form not in ("tablet", "phone"):
            raise ValueError(f"form is tablet or phone, not {form!r}")
        self.bridge = bridge
        self.lang = lang
        self.form = form
        self.alarm = alarm or Alarm()
        self.camera = media.camera_available() if camera is None else camera
        self.current: LocalOrder | None = None
        self.dialog: ReasonDialog | QFileDialog | None = None
        self.duty_status = ""
        """The duty status the officer last chose (kept across a language switch)."""
        self._build()
        bridge.hub_event.connect(self.on_hub_event)
        bridge.done.connect(self.on_done)
        bridge.failed.connect(self.on_failed)
        self.map.set_district(bridge.district_map())
        self.clip_ready.connect(self._clip_ready)
        self.resize(*(TABLET if form == "tablet" else PHONE))
        self.refresh()

    # ------------------------------------------------------------------ build

    def _build(self) -> None:
        lang, compact = self.lang, self.form == "phone"
        self.setWindowTitle(say("title", lang))
        self.strip = StatusStrip(lang, compact)
        self.strip.status_chosen.connect(self._status_chosen)
        if self.duty_status:
            self.strip.show_status(self.duty_status)
        self.strip.language_toggled.connect(self.toggle_language)
        self.banner = Banner()
        self.banner.tapped.connect(self._banner_tapped)
        self.picker = QComboBox()
        self.picker.setMinimumHeight(44)
        self.picker.activated.connect(self._picked)
        self.card = CardView(lang, compact)
        self.map = RouteMap(lang)
        self.steps = StepsView(lang)
        self.messages = MessagesView(lang)
        self.messages.read_requested.connect(self.bridge.read_message)
        self.messages.send_requested.connect(self.send_text)
        self.action_bar = ActionBar(lang, compact)
        self.action_bar.triggered.connect(self.on_action)
        map_panel = QWidget()
        col = QVBoxLayout(map_panel)
        col.setContentsMargins(0, 0, 0, 0)
        tools = QHBoxLayout()
        self.whole = QPushButton(say("whole_route", lang))
        self.near = QPushButton(say("scene", lang))
        self.copy = QPushButton(say("copy_gcj", lang))
        for b in (self.whole, self.near, self.copy):
            b.setMinimumHeight(44)
            tools.addWidget(b)
        self.whole.clicked.connect(lambda: self.map.set_whole_route(True))
        self.near.clicked.connect(lambda: self.map.set_whole_route(False))
        self.copy.clicked.connect(self.copy_coordinates)
        col.addLayout(tools)
        col.addWidget(self.map, 1)
        self.tabs = QTabWidget()
        self.tabs.setDocumentMode(True)
        tab_font = self.tabs.font()
        tab_font.setPointSizeF(max(tab_font.pointSizeF() * 1.3, 12.0))
        self.tabs.tabBar().setFont(tab_font)
        self.tabs.setStyleSheet("QTabBar::tab{min-height:40px;padding:4px 12px;font-size:14pt}")
        self.tabs.addTab(self.card, say("tab_card", lang))
        if compact:
            self.tabs.addTab(map_panel, say("tab_map", lang))
        self.tabs.addTab(self.steps, say("tab_route", lang))
        self.tabs.addTab(self.messages, say("tab_messages", lang))
        central = QWidget()
        outer = QVBoxLayout(central)
        outer.setContentsMargins(0, 0, 0, 0)
        outer.setSpacing(0)
        outer.addWidget(self.strip)
        outer.addWidget(self.banner)
        outer.addWidget(self.picker)
        if compact:
            outer.addWidget(self.tabs, 1)
        else:
            split = QSplitter(Qt.Orientation.Horizontal)
            split.addWidget(map_panel)
            split.addWidget(self.tabs)
            split.setStretchFactor(0, 11)
            split.setStretchFactor(1, 9)
            split.setSizes([700, 580])
            outer.addWidget(split, 1)
        outer.addWidget(self.action_bar)
        self.setCentralWidget(central)
        # made again on a language switch: the new strip and map must hear the bridge too
        self.bridge.link.connect(self.strip.set_link)
        self.bridge.moved.connect(self.map.set_fix)

    def _status_chosen(self, status: str) -> None:
        self.duty_status = status
        self.bridge.set_status(status)

    def toggle_language(self) -> None:
        """Switch zh <-> en by rebuilding the parts (few, and cheap to make)."""
        self.lang = "en" if self.lang == "zh" else "zh"
        old = self.centralWidget()
        self._build()
        if old is not None:
            old.deleteLater()
        self.refresh()

    # ------------------------------------------------------------------ state

    @property
    def order_id(self) -> str | None:
        return self.current.order.order_id if self.current is not None else None

    def refresh(self) -> None:
        """Read the client's orders and messages again and show them."""
        self.strip.set_unit(self.bridge.unit)
        try:
            open_orders = self.bridge.orders()
        except Exception:
            log.exception("terminal orders unavailable")
            open_orders = []
        by_id = {o.order.order_id: o for o in open_orders}
        cur = self.current
        if cur is not None and cur.order.order_id in by_id:
            self.current = by_id[cur.order.order_id]
        elif cur is None or cur.state not in FINAL or open_orders:
            self.current = open_orders[-1] if open_orders else cur
        self.picker.clear()
        for o in open_orders:
            c = o.order.card
            label = (
                f"{c.type_zh if self.lang == 'zh' else c.type_en} · {c.place}"
                if c
                else o.order.address
            )
            self.picker.addItem(label, o.order.order_id)
        self.picker.setVisible(len(open_orders) > 1)
        if self.current is not None and self.current.order.order_id in by_id:
            self.picker.setCurrentIndex(list(by_id).index(self.current.order.order_id))
        self._show_current()
        self._show_messages()

    def _show_current(self) -> None:
        cur = self.current
        order = cur.order if cur is not None else None
        state = cur.state if cur is not None else ""
        self.card.show_order(order, state, self.bridge.unit)
        card = order.card if order is not None else None
        if self.map.card != card:
            self.map.show_card(card)
        self.steps.show_card(card)
        self.action_bar.show_for(state)

    def _show_messages(self) -> None:
        try:
            msgs = self.bridge.messages()
            pending = {m.mid for m in msgs if m.outgoing and m.mid is not None}
            pending = {mid for mid in pending if self.bridge.client.is_unacked(mid)}
        except Exception:
            log.exception("terminal messages unavailable")
            return
        self.messages.show_messages(msgs, pending)
        i = self.tabs.indexOf(self.messages)
        n = self.messages.unread
        self.tabs.setTabText(
            i, say("tab_messages_n", self.lang, n=n) if n else say("tab_messages", self.lang)
        )

    def _picked(self, index: int) -> None:
        oid = self.picker.itemData(index)
        hit = next((o for o in self.bridge.orders() if o.order.order_id == oid), None)
        if hit is not None:
            self.current = hit
            self._show_current()

    # ---------------------------------------------------------------- events

    def on_hub_event(self, kind: str, payload: Any) -> None:
        lang = self.lang
        if kind == "order":
            self.current = payload
            self.alarm.ring("order")
            c = payload.order.card
            what = f"{c.type_zh if lang == 'zh' else c.type_en} · {c.place}" if c else ""
            self.banner.alarm(f"{say('new_order', lang)} {what}")
            self.tabs.setCurrentWidget(self.card)
            self.refresh()
        elif kind == "order_update":
            self.alarm.ring("update")
            c = payload.order.card
            what = (
                ("、".join(c.changes_zh) if lang == "zh" else ", ".join(c.changes_en)) if c else ""
            )
            self.banner.notice(say("order_update", lang, what=what))
            if self.order_id == payload.order.order_id:
                self.current = payload
            self.refresh()
        elif kind == "order_cancel":
            held, why = payload
            self.alarm.ring("update")
            self.banner.notice(say("order_cancel", lang, why=why), seconds=15)
            if self.order_id == held.order.order_id:
                self.current = held
            self.refresh()
        elif kind == "message":
            self.alarm.ring("message")
            self.banner.notice(say("new_message", lang, text=payload.text[:60]))
            self._show_messages()
        elif kind == "refused":
            if payload.code == "version":
                self.banner.notice(say("version", lang, why=payload.reason), error=True)
            else:
                self.banner.notice(say("refused", lang, why=payload.reason), seconds=12)
        elif kind == "district_map":
            self.map.set_district(payload)
        elif kind in ("welcome", "ack"):
            self.strip.set_unit(self.bridge.unit)
            if kind == "ack":
                self._show_messages()

    def on_done(self, action: str, result: object) -> None:
        if action in ("read", "accept", "reject"):
            self.banner.clear_banner()
        if action == "photo" and isinstance(result, int):
            self.banner.notice(say("photo_sent", self.lang, kb=self._last_kb), seconds=5)
        elif action == "video":
            self.banner.notice(
                say("video_sent", self.lang, kb=self._last_kb, s=self._last_s), seconds=5
            )
        if self.current is not None and action in ("read", "accept", "reject", "arrived", "finish"):
            state = {
                "read": "read",
                "accept": "accepted",
                "reject": "rejected",
                "arrived": "arrived",
                "finish": "finished",
            }[action]
            self.current.state = state
        self.refresh()

    def on_failed(self, action: str, reason: str) -> None:
        self.banner.notice(say("media_failed", self.lang, why=reason), seconds=10)

    def _banner_tapped(self) -> None:
        if self.banner.kind == "alarm" and self.current is not None:
            if self.current.state == "new":
                self.bridge.read(self.current.order.order_id)
            else:
                self.banner.clear_banner()
        elif self.banner.kind != "alarm":
            self.banner.clear_banner()

    # --------------------------------------------------------------- actions

    def on_action(self, action: str) -> None:
        oid = self.order_id
        if oid is None:
            return
        if action == "ack":
            self.bridge.read(oid)
        elif action == "accept":
            self.bridge.accept(oid)
        elif action == "arrived":
            self.bridge.arrived(oid)
        elif action in ("reject", "finish"):
            self._ask(action, oid)
        elif action == "photo":
            self.photo()
        elif action == "video":
            self.video()

    def _ask(self, kind: str, oid: str) -> None:
        d = ReasonDialog(kind, self.lang, self)
        self.dialog = d

        def done() -> None:
            if kind == "reject":
                self.bridge.reject(oid, d.value())
            else:
                self.bridge.finish(oid, d.value())

        d.accepted.connect(done)
        d.open()

    def photo(self) -> None:
        """The camera where there is one (with a file as the other choice), else a file."""
        if self.camera:
            menu = QMenu(self)
            menu.addAction(say("camera", self.lang), self.camera_photo)
            menu.addAction(say("file", self.lang), lambda: self._choose(IMAGE_FILTER, "photo"))
            menu.popup(
                self.action_bar.buttons["photo"].mapToGlobal(self.action_bar.rect().topLeft())
            )
            return
        self._choose(IMAGE_FILTER, "photo")

    def video(self) -> None:
        if self.camera:
            threading.Thread(target=self._camera_clip, args=(self.order_id,), daemon=True).start()
            return
        self._choose(VIDEO_FILTER, "video")

    def _choose(self, filt: str, kind: str) -> None:
        d = QFileDialog(self, say(kind, self.lang), str(Path.home()), filt)
        d.setFileMode(QFileDialog.FileMode.ExistingFile)
        d.setOption(QFileDialog.Option.DontUseNativeDialog, True)
        d.setObjectName(f"choose_{kind}")
        self.dialog = d
        oid = self.order_id
        if kind == "photo":
            d.fileSelected.connect(lambda f: self.send_photo_file(Path(f), oid))
        else:
            d.fileSelected.connect(lambda f: self.send_video_file(Path(f), oid))
        d.open()

    _last_kb = 0
    _last_s = 0.0

    def send_photo_file(self, path: Path, order_id: str | None = None) -> None:
        try:
            data = media.prepare_photo(path)
        except (media.MediaError, OSError) as exc:
            self.on_failed("photo", str(exc))
            return
        self._send_photo(data, order_id or self.order_id)

    def camera_photo(self) -> None:
        try:
            data = media.camera_photo()
        except media.MediaError as exc:
            self.on_failed("photo", str(exc))
            return
        self._send_photo(data, self.order_id)

    def _send_photo(self, data: bytes, order_id: str | None) -> None:
        self._last_kb = len(data) // 1024
        self.bridge.feedback("photo", say("photo", self.lang), order_id, photo=data)

    def send_video_file(self, path: Path, order_id: str | None = None) -> None:
        """Transcode on a worker thread (seconds), then send; the window stays live."""
        oid = order_id or self.order_id

        def work() -> None:
            try:
                clip, still = media.transcode_clip(path)
            except (media.MediaError, OSError) as exc:
                self.clip_ready.emit(None, str(exc), oid or "")
                return
            self.clip_ready.emit(clip, still, oid or "")

        threading.Thread(target=work, name="transcode", daemon=True).start()

    def _camera_clip(self, oid: str | None) -> None:
        try:
            clip, still = media.camera_clip()
        except media.MediaError as exc:
            self.clip_ready.emit(None, str(exc), oid or "")
            return
        self.clip_ready.emit(clip, still, oid or "")

    def _clip_ready(self, clip: p.VideoClip | None, still: object, oid: str) -> None:
        if clip is None:
            self.on_failed("video", str(still))
            return
        self._last_kb, self._last_s = len(clip.data) // 1024, clip.seconds
        self.bridge.feedback("video", say("video", self.lang), oid or None, photo=still, clip=clip)

    def send_text(self, text: str) -> None:
        self.bridge.feedback("text", text, self.order_id)

    def copy_coordinates(self) -> None:
        card = self.current.order.card if self.current is not None else None
        if card is None:
            return
        QGuiApplication.clipboard().setText(f"{card.lat_gcj:.6f},{card.lon_gcj:.6f}")
        self.banner.notice(say("copied", self.lang), seconds=3)

    def closeEvent(self, event: QCloseEvent) -> None:
        self.bridge.close()
        super().closeEvent(event)
