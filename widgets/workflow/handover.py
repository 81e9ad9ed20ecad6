"""The shift log, the handover and the shift report: windows opened from the Shift menu.

:class:`ShiftLogWindow`: the operators' notes, the outgoing shift's handover (the hub
records the open incidents, pending alerts, units on and off duty and the notes as they
stand) and the incoming shift's sign-in and acknowledgement, refused for the handover's
own writer.  :class:`ShiftReportWindow`: the shift's figures for a time window, printable
and exportable to PDF and CSV.  Every write is a hub command, so it is in the audit log.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from PySide6.QtCore import QDateTime, QEvent, Qt, QTimeZone, Signal
from PySide6.QtGui import QIntValidator
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDateTimeEdit,
    QFileDialog,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QSplitter,
    QTableWidget,
    QTableWidgetItem,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)

from console.config import Config
from console.hub.messages import Reply
from console.hub.messages_shift import (
    AcknowledgeHandover,
    AddShiftNote,
    GetShiftLog,
    GetShiftReport,
    StartHandover,
)
from widgets.bridge import HubBridge
from widgets.panels.common import incident_status_text, incident_type_name, priority_text
from widgets.workflow.common import local_time, refused_text, show_message
from widgets.workflow.reports import (
    duty_change_display,
    esc,
    facts_table,
    html_document,
    html_table,
    incidents_csv,
    make_document,
    print_document,
    rtr,
    shift_report_html,
    write_csv,
    write_pdf,
)

SHANGHAI = QTimeZone(b"Asia/Shanghai")
DEFAULT_SHIFT_S = 12 * 3600


def handover_html(h: dict[str, Any], config: Config) -> str:
    """A handover and its summary, for the screen and for print."""
    s = h.get("summary") or {}
    units = s.get("units") or {}
    ack = (
        f"{esc(h['acknowledged_by'])} · {local_time(h['acknowledged_at'], True)}"
        + (f" · {esc(', '.join(h.get('incoming', [])))}" if h.get("incoming") else "")
        if h.get("acknowledged_by")
        else f'<span class="late">{rtr("not yet acknowledged")}</span>'
    )
    parts = [
        f"<h1>{rtr('Shift handover')} #{h['id']}</h1>",
        facts_table(
            [
                (
                    rtr("Handed over by"),
                    f"{esc(h['created_by'])} · {local_time(h['created_at'], True)}",
                ),
                (rtr("Shift since"), local_time(h["shift_start"], True)),
                (rtr("Note"), esc(h.get("note", "")) or "—"),
                (rtr("Taken over by"), ack),
                (
                    rtr("Units"),
                    f"{rtr('on duty')} {units.get('on_duty', 0)} · {rtr('off duty')} "
                    f"{units.get('off_duty', 0)}"
                    + (
                        f" ({esc(', '.join(units.get('off_duty_call_signs', [])[:40]))})"
                        if units.get("off_duty_call_signs")
                        else ""
                    ),
                ),
            ]
        ),
        f"<h2>{rtr('Open incidents')} ({len(s.get('open_incidents', []))})</h2>",
        html_table(
            [
                rtr("No."),
                rtr("Call"),
                rtr("Type"),
                rtr("P"),
                rtr("Place"),
                rtr("Status"),
                rtr("Units"),
                rtr("Plan"),
            ],
            [
                [
                    f"#{i['id']}",
                    local_time(i["created_at"])[:5],
                    esc(incident_type_name(config, i["incident_type"])),
                    esc(priority_text(int(i["priority"]))),
                    esc(i["address"]),
                    esc(incident_status_text(i["status"])),
                    esc(", ".join(i.get("units", []))),
                    esc(
                        f"{i['plan_status']} {len(i.get('approvals', []))}/{i['approvals_needed']}"
                        if i.get("plan_status") == "proposed"
                        else i.get("plan_status", "")
                    ),
                ]
                for i in s.get("open_incidents", [])
            ],
            (7, 7, 11, 5, 26, 11, 23, 10),
        ),
        f"<h2>{rtr('Alerts not yet acknowledged')} ({len(s.get('pending_alerts', []))})</h2>",
        html_table(
            [rtr("Time"), rtr("Incident"), rtr("Text")],
            [
                [
                    local_time(a["t"]),
                    f"#{a['incident_id']}" if a.get("incident_id") else "—",
                    esc(a["text"]),
                ]
                for a in s.get("pending_alerts", [])
            ],
            (12, 10, 78),
        ),
        f"<h2>{rtr('Notes of the shift')}</h2>",
        html_table(
            [rtr("Time"), rtr("Who"), rtr("Note")],
            [
                [
                    local_time(n["t"]),
                    esc(n["actor"]),
                    esc(n["text"]) + (f" (#{n['incident_id']})" if n.get("incident_id") else ""),
                ]
                for n in s.get("notes", [])
            ],
            (12, 16, 72),
        ),
    ]
    return html_document(parts)


LOG_KIND = {
    "note": "Note",
    "sign_in": "Signed in",
    "handover": "Handover",
    "handover_ack": "Handover acknowledged",
    "duty_change": "Duty roster",
}


class ShiftLogWindow(QWidget):
    """Notes, the handover and its acknowledgement (see the module text)."""

    loaded = Signal()
    handedOver = Signal(int)  # handover id
    acknowledged = Signal(int)

    def __init__(
        self,
        bridge: HubBridge,
        config: Config,
        *,
        actor: Callable[[], str],
        clock: Callable[[], float] = time.time,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent, Qt.WindowType.Window)
        self.setObjectName("shiftLogWindow")
        self.bridge = bridge
        self.config = config
        self.actor_of = actor
        self.clock = clock
        self.entries: list[dict[str, Any]] = []
        self.latest: dict[str, Any] | None = None
        self.replies: list[Reply] = []

        self.log_table = QTableWidget(0, 4, self)
        self.log_table.setObjectName("shiftLogTable")
        self.log_table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.log_table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.log_table.setWordWrap(True)
        self.log_table.verticalHeader().setVisible(False)
        lh = self.log_table.horizontalHeader()
        lh.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        lh.setSectionResizeMode(3, QHeaderView.ResizeMode.Stretch)
        self.note_edit = QLineEdit(self)
        self.note_incident = QLineEdit(self)
        self.note_incident.setValidator(QIntValidator(1, 2_000_000_000, self))
        self.note_incident.setMaximumWidth(90)
        self.note_button = QPushButton(self)
        self.note_button.clicked.connect(lambda: self.add_note())
        self.note_edit.returnPressed.connect(lambda: self.add_note())

        self.handover_box = QGroupBox(self)
        self.handover_note = QPlainTextEdit(self.handover_box)
        self.handover_note.setMaximumHeight(70)
        self.start_edit = QDateTimeEdit(self.handover_box)
        self.start_edit.setTimeZone(SHANGHAI)
        self.start_edit.setCalendarPopup(True)
        self.start_edit.setDisplayFormat("yyyy-MM-dd HH:mm")
        self.start_label = QLabel(self.handover_box)
        self.handover_button = QPushButton(self.handover_box)
        self.handover_button.setObjectName("startHandover")
        self.handover_button.clicked.connect(lambda: self.hand_over())
        hb = QVBoxLayout(self.handover_box)
        hb.addWidget(self.handover_note)
        row = QHBoxLayout()
        row.addWidget(self.start_label)
        row.addWidget(self.start_edit)
        row.addStretch(1)
        row.addWidget(self.handover_button)
        hb.addLayout(row)

        self.status_label = QLabel(self)
        self.status_label.setObjectName("handoverStatus")
        self.status_label.setWordWrap(True)
        self.summary_view = QTextBrowser(self)
        self.summary_view.setObjectName("handoverSummary")
        self.incoming_edit = QLineEdit(self)
        self.ack_note = QLineEdit(self)
        self.ack_button = QPushButton(self)
        self.ack_button.setObjectName("acknowledgeHandover")
        self.ack_button.clicked.connect(lambda: self.acknowledge())
        self.pdf_button = QPushButton(self)
        self.pdf_button.clicked.connect(lambda: self.export_pdf())
        self.message_label = QLabel(self)
        self.message_label.setWordWrap(True)
        self.message_label.hide()

        left = QWidget(self)
        l_lay = QVBoxLayout(left)
        l_lay.setContentsMargins(0, 0, 0, 0)
        l_lay.addWidget(self.log_table, 1)
        note_row = QHBoxLayout()
        note_row.addWidget(self.note_edit, 1)
        note_row.addWidget(self.note_incident)
        note_row.addWidget(self.note_button)
        l_lay.addLayout(note_row)
        l_lay.addWidget(self.handover_box)
        right = QWidget(self)
        r_lay = QVBoxLayout(right)
        r_lay.setContentsMargins(0, 0, 0, 0)
        r_lay.addWidget(self.status_label)
        r_lay.addWidget(self.summary_view, 1)
        ack_row = QHBoxLayout()
        ack_row.addWidget(self.incoming_edit, 2)
        ack_row.addWidget(self.ack_note, 1)
        ack_row.addWidget(self.ack_button)
        r_lay.addLayout(ack_row)
        pdf_row = QHBoxLayout()
        pdf_row.addStretch(1)
        pdf_row.addWidget(self.pdf_button)
        r_lay.addLayout(pdf_row)
        splitter = QSplitter(Qt.Orientation.Horizontal, self)
        splitter.addWidget(left)
        splitter.addWidget(right)
        splitter.setSizes([620, 760])
        lay = QVBoxLayout(self)
        lay.addWidget(splitter, 1)
        lay.addWidget(self.message_label)
        self.resize(1400, 820)
        self.start_edit.setDateTime(
            QDateTime.fromSecsSinceEpoch(int(self.clock() - DEFAULT_SHIFT_S), SHANGHAI)
        )
        self.retranslateUi()

    # ------------------------------------------------------------------ texts

    def retranslateUi(self) -> None:
        """Every text (also on LanguageChange)."""
        self.setWindowTitle(self.tr("Shift log and handover"))
        self.log_table.setHorizontalHeaderLabels(
            [self.tr("Time"), self.tr("Who"), self.tr("Entry"), self.tr("Text")]
        )
        self.note_edit.setPlaceholderText(self.tr("A note for the shift log…"))
        self.note_incident.setPlaceholderText(self.tr("incident no."))
        self.note_button.setText(self.tr("Add note"))
        self.handover_box.setTitle(self.tr("Hand over the shift"))
        self.handover_note.setPlaceholderText(
            self.tr("What the next shift must know (open matters, units, places)…")
        )
        self.start_label.setText(self.tr("Shift since"))
        self.handover_button.setText(self.tr("Hand over"))
        self.incoming_edit.setPlaceholderText(
            self.tr("Coming on with you (names, comma-separated)")
        )
        self.ack_note.setPlaceholderText(self.tr("Note"))
        self.ack_button.setText(self.tr("Sign in and take over"))
        self.pdf_button.setText(self.tr("Export PDF…"))
        self._fill_log()
        self._show_latest()

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslateUi()
        super().changeEvent(event)

    # ------------------------------------------------------------------ load

    def load(self) -> None:
        """Fetch the log of the last day and the newest handover."""
        t0 = self.clock() - 24 * 3600
        self.bridge.call(GetShiftLog(t0=t0), self._on_log)

    def _on_log(self, reply: Reply) -> None:
        self.replies.append(reply)
        if not reply.ok:
            show_message(self.message_label, refused_text(reply.error))
            return
        self.entries = list(reply.result.get("entries", []))
        self.latest = reply.result.get("latest_handover")
        if self.latest is not None and not self.latest.get("acknowledged_by"):
            pass  # an open handover: the incoming shift acknowledges it here
        elif self.latest is not None:
            self.start_edit.setDateTime(
                QDateTime.fromSecsSinceEpoch(int(self.latest["created_at"]), SHANGHAI)
            )
        self._fill_log()
        self._show_latest()
        self.loaded.emit()

    def _fill_log(self) -> None:
        t = self.log_table
        t.setRowCount(len(self.entries))
        for row, e in enumerate(self.entries):
            kind = LOG_KIND.get(str(e["kind"]), str(e["kind"]))
            text = str(e["text"]) + (f" (#{e['incident_id']})" if e.get("incident_id") else "")
            if e["kind"] == "duty_change":
                text = duty_change_display(str(e["text"]), self._duty_word)
            for col, value in enumerate((local_time(e["t"]), str(e["actor"]), self.tr(kind), text)):
                t.setItem(row, col, QTableWidgetItem(value))
        t.resizeRowsToContents()
        if self.entries:
            t.scrollToBottom()

    def _duty_word(self, text: str) -> str:
        """The words of a duty change line, spelled out for lupdate."""
        return {"On duty:": self.tr("On duty:"), "Off duty:": self.tr("Off duty:")}.get(text, text)

    def _show_latest(self) -> None:
        h = self.latest
        if h is None:
            self.status_label.setText(self.tr("No handover yet."))
            self.summary_view.setHtml("")
            self.ack_button.setEnabled(False)
            self.pdf_button.setEnabled(False)
            return
        self.summary_view.setDocument(make_document(handover_html(h, self.config)))
        self.pdf_button.setEnabled(True)
        if h.get("acknowledged_by"):
            self.status_label.setText(
                self.tr("Handover #%1 was taken over by %2 at %3.")
                .replace("%1", str(h["id"]))
                .replace("%2", str(h["acknowledged_by"]))
                .replace("%3", local_time(h["acknowledged_at"]))
            )
            self.status_label.setStyleSheet("color: #1b5e20; font-weight: bold;")
            self.ack_button.setEnabled(False)
            self.ack_button.setToolTip("")
            return
        mine = h["created_by"] == self.actor_of()
        self.status_label.setText(
            self.tr("Handover #%1 by %2 at %3 awaits the incoming shift.")
            .replace("%1", str(h["id"]))
            .replace("%2", str(h["created_by"]))
            .replace("%3", local_time(h["created_at"]))
        )
        self.status_label.setStyleSheet("color: #e65100; font-weight: bold;")
        self.ack_button.setEnabled(not mine)
        self.ack_button.setToolTip(
            self.tr("The incoming shift signs in here: someone other than who handed over.")
            if mine
            else ""
        )

    # ------------------------------------------------------------------ writes

    def add_note(self, text: str | None = None, incident_id: int | None = None) -> bool:
        """Send a note (the form's unless given); the log reloads when the hub has it."""
        body = (text if text is not None else self.note_edit.text()).strip()
        if incident_id is None and self.note_incident.text().strip():
            incident_id = int(self.note_incident.text())
        if not body:
            show_message(self.message_label, self.tr("Write the note first."))
            return False

        def done(reply: Reply) -> None:
            self.replies.append(reply)
            if not reply.ok:
                show_message(self.message_label, refused_text(reply.error))
                return
            show_message(self.message_label, "")
            self.note_edit.clear()
            self.note_incident.clear()
            self.load()

        self.bridge.call(AddShiftNote(text=body, incident_id=incident_id), done)
        return True

    def hand_over(self, note: str | None = None, shift_start: float | None = None) -> None:
        """The outgoing shift hands over (the form's note and start unless given)."""
        text = note if note is not None else self.handover_note.toPlainText()
        start = (
            shift_start
            if shift_start is not None
            else float(self.start_edit.dateTime().toSecsSinceEpoch())
        )

        def done(reply: Reply) -> None:
            self.replies.append(reply)
            if not reply.ok:
                show_message(self.message_label, refused_text(reply.error))
                return
            show_message(self.message_label, "")
            self.handover_note.clear()
            self.latest = dict(reply.result)
            self._show_latest()
            self.handedOver.emit(int(reply.result["id"]))
            self.load()

        self.bridge.call(StartHandover(note=text.strip(), shift_start=start), done)

    def acknowledge(self, incoming: list[str] | None = None, note: str | None = None) -> bool:
        """The incoming shift signs in and takes over the newest handover."""
        if self.latest is None:
            return False
        names = (
            incoming
            if incoming is not None
            else [n for n in self.incoming_edit.text().replace("，", ",").split(",") if n.strip()]
        )
        hid = int(self.latest["id"])

        def done(reply: Reply) -> None:
            self.replies.append(reply)
            if not reply.ok:
                show_message(self.message_label, refused_text(reply.error))
                return
            show_message(self.message_label, "")
            self.incoming_edit.clear()
            self.ack_note.clear()
            self.acknowledged.emit(hid)
            self.load()

        self.bridge.call(
            AcknowledgeHandover(
                handover_id=hid,
                note=(note if note is not None else self.ack_note.text()).strip(),
                incoming=names,
            ),
            done,
        )
        return True

    def export_pdf(self, path: Path | str | None = None) -> Path | None:
        """The newest handover as a PDF (asks where when no path)."""
        if self.latest is None:
            return None
        if path is None:
            chosen, _ = QFileDialog.getSaveFileName(
                self,
                self.tr("Export PDF"),
                f"handover-{self.latest['id']}.pdf",
                self.tr("PDF files (*.pdf)"),
            )
            if not chosen:
                return None
            path = chosen
        doc = make_document(handover_html(self.latest, self.config))
        return write_pdf(doc, path, self.tr("Shift handover"))


class ShiftReportWindow(QWidget):
    """The shift's figures for a window: on screen, printed, as PDF and CSV."""

    loaded = Signal()

    def __init__(
        self,
        bridge: HubBridge,
        config: Config,
        *,
        clock: Callable[[], float] = time.time,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent, Qt.WindowType.Window)
        self.setObjectName("shiftReportWindow")
        self.bridge = bridge
        self.config = config
        self.clock = clock
        self.report: dict[str, Any] | None = None
        self.replies: list[Reply] = []
        self.from_edit = QDateTimeEdit(self)
        self.to_edit = QDateTimeEdit(self)
        for e in (self.from_edit, self.to_edit):
            e.setTimeZone(SHANGHAI)
            e.setCalendarPopup(True)
            e.setDisplayFormat("yyyy-MM-dd HH:mm")
        self.load_button = QPushButton(self)
        self.load_button.clicked.connect(lambda: self.load())
        self.view = QTextBrowser(self)
        self.view.setObjectName("shiftReportView")
        self.pdf_button = QPushButton(self)
        self.csv_button = QPushButton(self)
        self.print_button = QPushButton(self)
        self.pdf_button.clicked.connect(lambda: self.export_pdf())
        self.csv_button.clicked.connect(lambda: self.export_csv())
        self.print_button.clicked.connect(self.print_report)
        self.message_label = QLabel(self)
        self.message_label.setWordWrap(True)
        self.message_label.hide()
        self.window_label = QLabel(self)
        top = QHBoxLayout()
        top.addWidget(self.window_label)
        top.addWidget(self.from_edit)
        top.addWidget(QLabel("—", self))
        top.addWidget(self.to_edit)
        top.addWidget(self.load_button)
        top.addStretch(1)
        for b in (self.print_button, self.csv_button, self.pdf_button):
            top.addWidget(b)
        lay = QVBoxLayout(self)
        lay.addLayout(top)
        lay.addWidget(self.message_label)
        lay.addWidget(self.view, 1)
        self.resize(1200, 860)
        self.set_window(self.clock() - DEFAULT_SHIFT_S, self.clock())
        self.retranslateUi()
        self._buttons()

    def retranslateUi(self) -> None:
        """Every text (also on LanguageChange)."""
        self.setWindowTitle(self.tr("Shift report"))
        self.window_label.setText(self.tr("Shift"))
        self.load_button.setText(self.tr("Show"))
        self.pdf_button.setText(self.tr("Export PDF…"))
        self.csv_button.setText(self.tr("Export CSV…"))
        self.print_button.setText(self.tr("Print…"))
        if self.report is not None:
            self.view.setDocument(make_document(shift_report_html(self.report, self.config)))

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslateUi()
        super().changeEvent(event)

    def set_window(self, t0: float, t1: float) -> None:
        """The shift's start and end in the form."""
        self.from_edit.setDateTime(QDateTime.fromSecsSinceEpoch(int(t0), SHANGHAI))
        self.to_edit.setDateTime(QDateTime.fromSecsSinceEpoch(int(t1) + 59, SHANGHAI))

    def load(self, t0: float | None = None, t1: float | None = None) -> None:
        """Ask the hub for the report of the form's window (or the one given)."""
        a = t0 if t0 is not None else float(self.from_edit.dateTime().toSecsSinceEpoch())
        b = t1 if t1 is not None else float(self.to_edit.dateTime().toSecsSinceEpoch())
        self.load_button.setEnabled(False)
        self.bridge.call(GetShiftReport(t0=a, t1=b), self._on_report, timeout_s=60.0)

    def _on_report(self, reply: Reply) -> None:
        self.replies.append(reply)
        self.load_button.setEnabled(True)
        if not reply.ok:
            show_message(self.message_label, refused_text(reply.error))
            return
        show_message(self.message_label, "")
        self.report = dict(reply.result)
        self.view.setDocument(make_document(shift_report_html(self.report, self.config)))
        self._buttons()
        self.loaded.emit()

    def _buttons(self) -> None:
        for b in (self.pdf_button, self.csv_button, self.print_button):
            b.setEnabled(self.report is not None)

    def export_pdf(self, path: Path | str | None = None) -> Path | None:
        """The report as a PDF (asks where when no path)."""
        if self.report is None:
            return None
        if path is None:
            chosen, _ = QFileDialog.getSaveFileName(
                self, self.tr("Export PDF"), "shift-report.pdf", self.tr("PDF files (*.pdf)")
            )
            if not chosen:
                return None
            path = chosen
        doc = make_document(shift_report_html(self.report, self.config))
        return write_pdf(doc, path, self.tr("Shift report"))

    def export_csv(self, path: Path | str | None = None) -> Path | None:
        """The report's incidents as CSV, one row each (asks where when no path)."""
        if self.report is None:
            return None
        if path is None:
            chosen, _ = QFileDialog.getSaveFileName(
                self, self.tr("Export CSV"), "shift-report.csv", self.tr("CSV files (*.csv)")
            )
            if not chosen:
                return None
            path = chosen
        header, rows = incidents_csv(self.report["incidents"], self.config)
        return write_csv(path, header, rows)

    def print_report(self) -> bool:
        """Print the report (Qt's print dialog)."""
        if self.report is None:
            return False
        return print_document(make_document(shift_report_html(self.report, self.config)), self)
