"""The command room's side of the officer loop: messages, photos and clips, orders by hand.

``install_comms_tools(window)`` is the one call ``MainWindow`` needs (after the workflow
controller and the shift tools, before it restores its saved layout).  Everything goes
through the window's extension API (:mod:`widgets.window_api`):

- a **Messages** dock (:class:`~widgets.workflow.messages_panel.MessagesPanel`): the
  selected incident's messages both ways, with delivery and read receipts, and the box to
  write to its units, one unit or a station.  Officers' reports that arrive while the dock
  is hidden are counted in its title;
- a **Photos and clips** dock (:class:`~widgets.workflow.incident_media.IncidentMediaPanel`):
  the selected incident's photos and clips as thumbnails; the same thumbnails mark the
  officers' reports in the message thread, and double-click there opens the picture;
- the alert board's "no terminal online" alert opens the **manual delivery** dialog
  (:class:`~widgets.workflow.manual_delivery.ManualDeliveryDialog`), one per alert;
- a **Communications** menu with the three.

Both docks follow the incident selected in the incident board (which the map, the plan
queue and the alert board select too).
"""

from __future__ import annotations

import contextlib
import logging
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, Qt
from PySide6.QtGui import QPixmap
from PySide6.QtWidgets import QDockWidget

from console.hub.messages import Alert
from widgets.workflow.incident_media import IncidentMediaPanel, thumbnail
from widgets.workflow.manual_delivery import ManualDeliveryDialog, order_of_alert
from widgets.workflow.messages_panel import MessagesPanel

if TYPE_CHECKING:
    from widgets.main_window import MainWindow

log = logging.getLogger(__name__)
OWNER = "comms tools"
MESSAGES_DOCK = "messagesDock"
MEDIA_DOCK = "incidentMediaDock"
STATUS_MS = 8000  # how long a status-bar note stays


class CommsTools(QObject):
    """Owns the messages and media docks and the manual delivery dialogs."""

    def __init__(self, window: MainWindow) -> None:
        super().__init__(window)
        self.window = window
        self.bridge = window.bridge
        self.incident_id: int | None = None  # the incident both docks show
        self.unread = 0  # officers' reports that came in while the messages dock was hidden
        self.deliveries: dict[int, ManualDeliveryDialog] = {}  # alert id -> its open dialog
        self._thumbs: dict[int, QPixmap] = {}  # attachment id -> thumbnail for the thread
        self._open_when_loaded: int | None = None  # a file asked for before its list came
        self.last_problem = ""  # why the latest delivery dialog could not open ("" if it did)

        # ---- the docks, behind the alerts tab under the map (the alerts stay in front)
        self.media = IncidentMediaPanel(self.bridge, window)
        self.media.setObjectName("incidentMedia")
        self.messages = MessagesPanel(self.bridge, window.situation, window, thumb=self._thumbs.get)
        self.messages.setObjectName("messagesPanel")
        bottom = Qt.DockWidgetArea.BottomDockWidgetArea
        self.messages_dock: QDockWidget = window.add_dock(
            MESSAGES_DOCK,
            self._messages_title,
            self.messages,
            bottom,
            owner=OWNER,
            tab_with="alertsDock",
            scroll=False,
        )
        self.media_dock: QDockWidget = window.add_dock(
            MEDIA_DOCK,
            lambda: self.tr("Photos and clips"),
            self.media,
            bottom,
            owner=OWNER,
            tab_with="alertsDock",
            scroll=True,  # its button row is wide: scroll on a narrow window, never widen it
        )

        # ---- the Communications menu
        window.add_menu("comms", lambda: self.tr("&Communications"), owner=OWNER, before="language")
        self.messages_action = window.add_action(
            "comms",
            "showMessages",
            lambda: self.tr("&Messages with the officers"),
            self.show_messages,
            owner=OWNER,
            shortcut="Ctrl+Shift+M",
        )
        self.media_action = window.add_action(
            "comms",
            "showIncidentMedia",
            lambda: self.tr("&Photos and clips of the selected incident"),
            self.show_media,
            owner=OWNER,
            shortcut="Ctrl+Shift+I",
        )
        window.add_separator("comms")
        self.delivery_action = window.add_action(
            "comms",
            "recordManualDelivery",
            lambda: self.tr("&Record an order delivered by radio or phone…"),
            self.record_delivery,
            owner=OWNER,
            tooltip=lambda: self.tr("For the selected (or most urgent) “no terminal” alert"),
        )

        # ---- wiring
        alerts = window.workflow.alerts_board
        alerts.manualDeliveryRequested.connect(self.open_delivery)
        window.incident_panel.incidentSelected.connect(self._on_selected)
        self.media.loaded.connect(self._on_media_loaded)
        self.messages.thread_view.attachmentRequested.connect(self.media.open_attachment)
        self.messages_dock.visibilityChanged.connect(self._on_messages_visible)
        self.bridge.alert.connect(self._on_alert)
        window.loaded.connect(self._on_loaded)
        if window.is_loaded:  # installed on a window that has already loaded
            self._on_loaded()

    # ------------------------------------------------------------------ titles

    def _messages_title(self) -> str:
        if self.unread:
            return self.tr("Messages (%1 new)").replace("%1", str(self.unread))
        return self.tr("Messages")

    def _retitle(self) -> None:
        self.messages_dock.setWindowTitle(self._messages_title())

    def _on_messages_visible(self, visible: bool) -> None:
        if visible and self.unread:
            self.unread = 0
            self._retitle()

    # ------------------------------------------------------------------ incident

    def _on_loaded(self) -> None:
        self.messages.set_district(self.window.district)

    def _on_selected(self, incident_id: int) -> None:
        if incident_id:  # a cleared selection keeps the incident shown
            self.show_incident(incident_id)

    def show_incident(self, incident_id: int | None) -> None:
        """Show an incident's messages and files in both docks (None: none)."""
        if incident_id == self.incident_id:
            return
        self.incident_id = incident_id
        inc = self.window.situation.incidents.get(incident_id) if incident_id else None
        self.media.set_incident(incident_id, inc.created_at if inc is not None else None)
        self.messages.set_incident(incident_id)

    def open_media(self, incident_id: int, attachment_id: int) -> None:
        """Show one photo or clip of an incident large (from its chronology): the photos
        dock turns to the incident and the file opens once the incident's list is in."""
        self.show_incident(incident_id)
        self.media_dock.show()
        self.media_dock.raise_()
        if not self.media.open_attachment(attachment_id):
            self._open_when_loaded = attachment_id

    def _on_media_loaded(self) -> None:
        """New thumbnails: the thread's report rows show them too."""
        waiting, self._open_when_loaded = self._open_when_loaded, None
        if waiting is not None:
            self.media.open_attachment(waiting)
        self._thumbs.clear()
        for a in self.media.attachments:
            self._thumbs[a.attachment_id] = thumbnail(a, self.messages.thread_view.tree.iconSize())
        self.messages.thread_view.refresh_icons()

    def _on_alert(self, ev: Alert) -> None:
        """An officer's report: counted while the dock is hidden; with no incident shown
        yet, the docks turn to the report's incident."""
        if ev.kind != "feedback" or ev.acked_by:
            return
        if self.incident_id is None and ev.incident_id is not None:
            self.show_incident(ev.incident_id)
        if not self._messages_in_front():
            self.unread += 1
            self._retitle()

    def _messages_in_front(self) -> bool:
        d = self.messages_dock
        return d.isVisible() and not d.visibleRegion().isEmpty()

    # ------------------------------------------------------------------ docks

    def _selected(self) -> int | None:
        return self.window.incident_panel.selected_incident() or self.incident_id

    def show_messages(self) -> MessagesPanel:
        """Bring the messages dock forward on the selected incident."""
        self.show_incident(self._selected())
        self.messages_dock.show()
        self.messages_dock.raise_()
        self.messages.text_edit.setFocus()
        return self.messages

    def show_media(self) -> IncidentMediaPanel:
        """Bring the photos-and-clips dock forward on the selected incident."""
        self.show_incident(self._selected())
        self.media_dock.show()
        self.media_dock.raise_()
        return self.media

    # ------------------------------------------------------------------ by hand

    def record_delivery(self) -> bool:
        """The menu's entry: the dialog for the alert the board's delivery button shows."""
        alerts = self.window.workflow.alerts_board
        if alerts.request_delivery_current():
            return True
        self._note(self.tr("No open “no terminal” alert: every order reached a terminal."))
        return False

    def open_delivery(self, alert: Alert) -> None:
        """The manual delivery dialog for a ``no_terminal`` alert (one per alert); the
        order is looked up first when the alert does not name it."""
        dlg = self.deliveries.get(alert.alert_id)
        if dlg is not None:
            dlg.show()
            dlg.raise_()
            return
        order_of_alert(
            self.bridge, alert, lambda oid, cs, why: self._open_dialog(alert, oid, cs, why)
        )

    def _open_dialog(self, alert: Alert, order_id: str, call_sign: str, why: str) -> None:
        if not order_id:
            self.last_problem = why
            self._note(self.tr("Cannot record this delivery: %1").replace("%1", why))
            return
        if alert.alert_id in self.deliveries:
            return
        self.last_problem = ""
        dlg = ManualDeliveryDialog(
            self.bridge,
            order_id,
            call_sign=call_sign,
            incident_id=alert.incident_id,
            clock=self.window.clock.now,
            parent=self.window,
        )
        dlg.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        aid = alert.alert_id
        dlg.finished.connect(lambda _r, a=aid: self.deliveries.pop(a, None))
        dlg.recorded.connect(lambda res, cs=call_sign: self._on_recorded(res, cs))
        self.deliveries[aid] = dlg
        dlg.show()
        dlg.raise_()

    def _on_recorded(self, result: dict[str, object], call_sign: str) -> None:
        self._note(
            self.tr("Recorded: the order for %1 was delivered by hand.").replace("%1", call_sign)
        )

    def _note(self, text: str) -> None:
        self.window.statusBar().showMessage(text, STATUS_MS)

    def close_all(self) -> None:
        """Close the open delivery dialogs and viewers (the main window is closing)."""
        for dlg in list(self.deliveries.values()):
            with contextlib.suppress(RuntimeError):
                dlg.close()
        for viewer in list(self.media.viewers.values()):
            with contextlib.suppress(RuntimeError):
                viewer.close()


def install_comms_tools(window: MainWindow) -> CommsTools:
    """Add the communications tools to ``window`` (see the module text); a second call
    returns the same owner (the main window installs them itself)."""
    existing = getattr(window, "comms_tools", None)
    if isinstance(existing, CommsTools):
        return existing
    return CommsTools(window)
