"""Past incidents: search them and read one's full record (its after-action report).

A window of its own, opened on request (Shift menu): a search form (number, time range,
type, place near a landmark or the map centre within a radius, responsibility area,
unit, officer, text), the matching incidents newest first, and the selected incident's
record as its after-action report (chronology, plans and decisions, orders and receipts,
photos, messages), which can be printed or exported to PDF and CSV.  The hub answers
(``SearchIncidents``, ``GetIncidentRecord``); its refusals show in its own words.
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
    QCheckBox,
    QComboBox,
    QDateTimeEdit,
    QDoubleSpinBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QSplitter,
    QTableWidget,
    QTableWidgetItem,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)

from console.config import Config
from console.history.search import IncidentQuery
from console.hub.messages import Reply, StaticDistrict
from console.hub.messages_shift import GetIncidentRecord, SearchIncidents
from widgets.bridge import HubBridge
from widgets.panels.common import incident_status_text, incident_type_name, priority_text
from widgets.workflow.common import local_time, refused_text, show_message
from widgets.workflow.reports import (
    after_action_html,
    incident_csv,
    incidents_csv,
    make_document,
    print_document,
    write_csv,
    write_pdf,
)

SHANGHAI = QTimeZone(b"Asia/Shanghai")
DEFAULT_DAYS = 7
PAGE = 200
MAP_CENTRE = "__map_centre__"


class HistoryWindow(QWidget):
    """Search past incidents and read, print or export one's after-action report."""

    searched = Signal(int)  # how many matched
    recordLoaded = Signal(int)  # incident id

    COLUMNS = 9
    ID, CALL, TYPE, PRIO, PLACE, STATUS, ENDED, UNITS, OUTCOME = range(9)

    def __init__(
        self,
        bridge: HubBridge,
        config: Config,
        *,
        district: Callable[[], StaticDistrict | None],
        map_centre: Callable[[], tuple[float, float] | None] = lambda: None,
        clock: Callable[[], float] = time.time,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent, Qt.WindowType.Window)
        self.setObjectName("historyWindow")
        self.bridge = bridge
        self.config = config
        self.district_of = district
        self.map_centre = map_centre
        self.clock = clock
        self.rows: list[dict[str, Any]] = []
        self.total: int | None = None  # None: nothing searched yet
        self.record: dict[str, Any] | None = None
        self.replies: list[Reply] = []
        self._search_token = 0
        self._record_token = 0

        # ---- the form
        self.number_edit = QLineEdit(self)
        self.number_edit.setValidator(QIntValidator(1, 2_000_000_000, self))
        self.any_time = QCheckBox(self)
        self.from_edit = QDateTimeEdit(self)
        self.to_edit = QDateTimeEdit(self)
        for e in (self.from_edit, self.to_edit):
            e.setCalendarPopup(True)
            e.setTimeZone(SHANGHAI)
            e.setDisplayFormat("yyyy-MM-dd HH:mm")
        self.type_box = QComboBox(self)
        self.near_box = QComboBox(self)
        self.radius_spin = QDoubleSpinBox(self)
        self.radius_spin.setRange(50.0, 20_000.0)
        self.radius_spin.setSingleStep(100.0)
        self.radius_spin.setDecimals(0)
        self.radius_spin.setValue(500.0)
        self.radius_spin.setSuffix(" m")
        self.area_box = QComboBox(self)
        self.unit_edit = QLineEdit(self)
        self.officer_edit = QLineEdit(self)
        self.text_edit = QLineEdit(self)
        self.open_too = QCheckBox(self)
        self.search_button = QPushButton(self)
        self.search_button.setObjectName("historySearch")
        self.search_button.setDefault(True)
        self.search_button.clicked.connect(lambda: self.search())
        for line in (self.number_edit, self.unit_edit, self.officer_edit, self.text_edit):
            line.returnPressed.connect(lambda: self.search())
        self.any_time.toggled.connect(self._times_enabled)
        self.form = QFormLayout()
        self.form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        self._labels: dict[str, QLabel] = {}
        times = QHBoxLayout()
        times.addWidget(self.from_edit, 1)
        times.addWidget(QLabel("—", self))
        times.addWidget(self.to_edit, 1)
        times.addWidget(self.any_time)
        near = QHBoxLayout()
        near.addWidget(self.near_box, 1)
        near.addWidget(self.radius_spin)
        for key, field in (
            ("number", self.number_edit),
            ("time", times),
            ("type", self.type_box),
            ("near", near),
            ("area", self.area_box),
            ("unit", self.unit_edit),
            ("officer", self.officer_edit),
            ("text", self.text_edit),
        ):
            label = QLabel(self)
            self._labels[key] = label
            self.form.addRow(label, field)
        form_box = QWidget(self)
        form_lay = QVBoxLayout(form_box)
        form_lay.setContentsMargins(0, 0, 0, 0)
        form_lay.addLayout(self.form)
        buttons = QHBoxLayout()
        buttons.addWidget(self.open_too)
        buttons.addStretch(1)
        buttons.addWidget(self.search_button)
        form_lay.addLayout(buttons)
        self.message_label = QLabel(self)
        self.message_label.setWordWrap(True)
        self.message_label.hide()
        form_lay.addWidget(self.message_label)

        # ---- results
        self.count_label = QLabel(self)
        self.results = QTableWidget(0, self.COLUMNS, self)
        self.results.setObjectName("historyResults")
        self.results.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.results.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.results.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.results.setAlternatingRowColors(True)
        self.results.setWordWrap(False)
        self.results.verticalHeader().setVisible(False)
        self.results.verticalHeader().setDefaultSectionSize(22)
        rh = self.results.horizontalHeader()
        rh.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        rh.setSectionResizeMode(self.PLACE, QHeaderView.ResizeMode.Stretch)
        for col, w in enumerate((52, 84, 86, 40, 150, 56, 84, 90, 160)):
            self.results.setColumnWidth(col, w)
        self.results.itemSelectionChanged.connect(self._result_selected)
        self.export_results_button = QPushButton(self)
        self.export_results_button.clicked.connect(lambda: self.export_results_csv())

        # ---- the record
        self.record_view = QTextBrowser(self)
        self.record_view.setObjectName("historyRecord")
        self.record_view.setOpenLinks(False)
        self.pdf_button = QPushButton(self)
        self.csv_button = QPushButton(self)
        self.print_button = QPushButton(self)
        self.pdf_button.clicked.connect(lambda: self.export_pdf())
        self.csv_button.clicked.connect(lambda: self.export_csv())
        self.print_button.clicked.connect(self.print_record)

        left = QWidget(self)
        l_lay = QVBoxLayout(left)
        l_lay.setContentsMargins(0, 0, 0, 0)
        l_lay.addWidget(form_box)
        res_bar = QHBoxLayout()
        res_bar.addWidget(self.count_label, 1)
        res_bar.addWidget(self.export_results_button)
        l_lay.addLayout(res_bar)
        l_lay.addWidget(self.results, 1)
        right = QWidget(self)
        r_lay = QVBoxLayout(right)
        r_lay.setContentsMargins(0, 0, 0, 0)
        r_lay.addWidget(self.record_view, 1)
        rec_bar = QHBoxLayout()
        rec_bar.addStretch(1)
        for b in (self.print_button, self.csv_button, self.pdf_button):
            rec_bar.addWidget(b)
        r_lay.addLayout(rec_bar)
        self.splitter = QSplitter(Qt.Orientation.Horizontal, self)
        self.splitter.addWidget(left)
        self.splitter.addWidget(right)
        self.splitter.setStretchFactor(0, 5)
        self.splitter.setStretchFactor(1, 6)
        lay = QVBoxLayout(self)
        lay.addWidget(self.splitter)
        self.resize(1500, 860)
        self.splitter.setSizes([720, 780])

        now = QDateTime.fromSecsSinceEpoch(int(self.clock()), SHANGHAI)
        self.to_edit.setDateTime(now.addSecs(3600))
        self.from_edit.setDateTime(now.addDays(-DEFAULT_DAYS))
        self.retranslateUi()
        self._record_buttons()

    # ------------------------------------------------------------------ texts

    def retranslateUi(self) -> None:
        """Every text (also on LanguageChange)."""
        self.setWindowTitle(self.tr("Past incidents: search and reports"))
        for key, text in (
            ("number", self.tr("Incident no.")),
            ("time", self.tr("Call between")),
            ("type", self.tr("Type")),
            ("near", self.tr("Near")),
            ("area", self.tr("Area")),
            ("unit", self.tr("Unit")),
            ("officer", self.tr("Officer")),
            ("text", self.tr("Text")),
        ):
            self._labels[key].setText(text)
        self.any_time.setText(self.tr("any time"))
        self.number_edit.setPlaceholderText(self.tr("e.g. 1024"))
        self.unit_edit.setPlaceholderText(self.tr("call sign"))
        self.officer_edit.setPlaceholderText(self.tr("name or badge"))
        self.text_edit.setPlaceholderText(self.tr("address, report, caller or outcome"))
        self.open_too.setText(self.tr("Include open incidents"))
        self.search_button.setText(self.tr("Search"))
        self.export_results_button.setText(self.tr("Export list (CSV)…"))
        self.pdf_button.setText(self.tr("Export PDF…"))
        self.csv_button.setText(self.tr("Export CSV…"))
        self.print_button.setText(self.tr("Print…"))
        self.results.setHorizontalHeaderLabels(
            [
                self.tr("No."),
                self.tr("Call"),
                self.tr("Type"),
                self.tr("P"),
                self.tr("Place"),
                self.tr("Status"),
                self.tr("Ended"),
                self.tr("Units"),
                self.tr("Outcome"),
            ]
        )
        self._fill_choices()
        self._show_count()
        if self.record is not None:
            self._show_record()

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslateUi()
        super().changeEvent(event)

    def _fill_choices(self) -> None:
        keep_type, keep_near, keep_area = (
            self.type_box.currentData(),
            self.near_box.currentData(),
            self.area_box.currentData(),
        )
        self.type_box.clear()
        self.type_box.addItem(self.tr("any type"), "")
        for key in self.config.incident_types:
            self.type_box.addItem(incident_type_name(self.config, key), key)
        self.near_box.clear()
        self.near_box.addItem(self.tr("anywhere"), None)
        self.near_box.addItem(self.tr("the map centre"), MAP_CENTRE)
        self.area_box.clear()
        self.area_box.addItem(self.tr("any area"), "")
        d = self.district_of()
        if d is not None:
            for name, (lon, lat) in sorted(d.landmarks.items()):
                self.near_box.addItem(name, (float(lon), float(lat)))
            for a in d.areas:
                self.area_box.addItem(str(a.get("name") or a.get("code")), str(a.get("code")))
        for box, data in (
            (self.type_box, keep_type),
            (self.near_box, keep_near),
            (self.area_box, keep_area),
        ):
            k = box.findData(data)
            box.setCurrentIndex(max(k, 0))

    def district_loaded(self) -> None:
        """The district arrived (landmarks and areas for the form)."""
        self._fill_choices()

    def _times_enabled(self, any_time: bool) -> None:
        self.from_edit.setEnabled(not any_time)
        self.to_edit.setEnabled(not any_time)

    # ------------------------------------------------------------------ search

    def query(self) -> IncidentQuery:
        """The form as a query."""
        q = IncidentQuery(limit=PAGE)
        if self.number_edit.text().strip():
            q.number = int(self.number_edit.text())
        if not self.any_time.isChecked():
            q.t0 = float(self.from_edit.dateTime().toSecsSinceEpoch())
            q.t1 = float(self.to_edit.dateTime().toSecsSinceEpoch())
        if self.type_box.currentData():
            q.incident_types = [str(self.type_box.currentData())]
        near = self.near_box.currentData()
        if near == MAP_CENTRE:
            near = self.map_centre()
        if isinstance(near, (tuple, list)) and len(near) == 2:
            q.lon, q.lat = float(near[0]), float(near[1])
            q.radius_m = float(self.radius_spin.value())
        q.area = str(self.area_box.currentData() or "")
        q.unit = self.unit_edit.text().strip()
        q.officer = self.officer_edit.text().strip()
        q.text = self.text_edit.text().strip()
        if self.open_too.isChecked():
            q.statuses = [
                "new",
                "plan_proposed",
                "approved",
                "dispatched",
                "en_route",
                "on_scene",
                "closed",
                "cancelled",
            ]
        return q

    def search(self, query: IncidentQuery | None = None) -> None:
        """Ask the hub (the form's query unless one is given); results replace the list."""
        q = query if query is not None else self.query()
        self._search_token += 1
        token = self._search_token
        self.search_button.setEnabled(False)
        show_message(self.message_label, "")
        self.bridge.call(SearchIncidents(query=q), lambda r: self._on_results(r, token))

    def _on_results(self, reply: Reply, token: int) -> None:
        self.replies.append(reply)
        self.search_button.setEnabled(True)
        if token != self._search_token:
            return
        if not reply.ok:
            show_message(self.message_label, refused_text(reply.error))
            return
        result = reply.result if isinstance(reply.result, dict) else {}
        self.rows = list(result.get("rows", []))
        self.total = int(result.get("total", len(self.rows)))
        self._fill_results()
        self.searched.emit(self.total)

    def _fill_results(self) -> None:
        t = self.results
        t.blockSignals(True)
        t.setRowCount(len(self.rows))
        for row, inc in enumerate(self.rows):
            values = [
                str(inc["id"]),
                local_time(inc["created_at"], True)[5:16],
                incident_type_name(self.config, inc["incident_type"]),
                priority_text(int(inc["priority"])),
                inc["address"],
                incident_status_text(inc["status"]),
                local_time(inc["closed_at"], True)[5:16] if inc.get("closed_at") else "",
                " ".join(inc.get("units", [])),
                inc.get("outcome", ""),
            ]
            for col, text in enumerate(values):
                item = QTableWidgetItem(text)
                item.setData(Qt.ItemDataRole.UserRole, inc["id"])
                if col in (self.ID, self.PRIO):
                    item.setTextAlignment(Qt.AlignmentFlag.AlignCenter)
                if col in (self.PLACE, self.UNITS, self.OUTCOME):
                    item.setToolTip(text)
                t.setItem(row, col, item)
        t.blockSignals(False)
        self._show_count()

    def _show_count(self) -> None:
        if self.total is None:
            self.count_label.setText(self.tr("No incidents found yet: search above."))
        elif self.total > len(self.rows):
            self.count_label.setText(
                self.tr("%1 found; the newest %2 shown")
                .replace("%1", str(self.total))
                .replace("%2", str(len(self.rows)))
            )
        else:
            self.count_label.setText(self.tr("%1 found").replace("%1", str(self.total)))
        self.export_results_button.setEnabled(bool(self.rows))

    def result_ids(self) -> list[int]:
        """Incident numbers in the result list, in order."""
        return [int(r["id"]) for r in self.rows]

    # ------------------------------------------------------------------ record

    def _result_selected(self) -> None:
        rows = self.results.selectionModel().selectedRows()
        if rows:
            item = self.results.item(rows[0].row(), self.ID)
            if item is not None:
                self.open_record(int(item.data(Qt.ItemDataRole.UserRole)))

    def open_record(self, incident_id: int) -> None:
        """Load and show an incident's full record."""
        self._record_token += 1
        token = self._record_token
        self.record_view.setHtml(
            f"<p>{self.tr('Loading incident #%1…').replace('%1', str(incident_id))}</p>"
        )
        self.bridge.call(
            GetIncidentRecord(incident_id=incident_id), lambda r: self._on_record(r, token)
        )

    def _on_record(self, reply: Reply, token: int) -> None:
        self.replies.append(reply)
        if token != self._record_token:
            return
        if not reply.ok:
            self.record = None
            self.record_view.setHtml("")
            show_message(self.message_label, refused_text(reply.error))
            self._record_buttons()
            return
        self.record = dict(reply.result)
        self._show_record()
        self._record_buttons()
        self.recordLoaded.emit(int(self.record["incident"]["id"]))

    def _show_record(self) -> None:
        assert self.record is not None
        body, images = after_action_html(self.record, self.config)
        doc = make_document(body, images)
        doc.setParent(self.record_view)
        self.record_view.setDocument(doc)

    def _record_buttons(self) -> None:
        for b in (self.pdf_button, self.csv_button, self.print_button):
            b.setEnabled(self.record is not None)

    def _title(self) -> str:
        assert self.record is not None
        return self.tr("After-action report — incident #%1").replace(
            "%1", str(self.record["incident"]["id"])
        )

    def export_pdf(self, path: Path | str | None = None) -> Path | None:
        """The shown record's after-action report as a PDF (asks where when no path)."""
        if self.record is None:
            return None
        if path is None:
            name = f"incident-{self.record['incident']['id']}.pdf"
            chosen, _ = QFileDialog.getSaveFileName(
                self, self.tr("Export PDF"), name, self.tr("PDF files (*.pdf)")
            )
            if not chosen:
                return None
            path = chosen
        body, images = after_action_html(self.record, self.config)
        try:
            return write_pdf(make_document(body, images), path, self._title())
        except OSError as exc:
            show_message(self.message_label, str(exc))
            return None

    def export_csv(self, path: Path | str | None = None) -> Path | None:
        """The shown record's chronology as CSV (asks where when no path)."""
        if self.record is None:
            return None
        if path is None:
            name = f"incident-{self.record['incident']['id']}.csv"
            chosen, _ = QFileDialog.getSaveFileName(
                self, self.tr("Export CSV"), name, self.tr("CSV files (*.csv)")
            )
            if not chosen:
                return None
            path = chosen
        header, rows = incident_csv(self.record, self.config)
        try:
            return write_csv(path, header, rows)
        except OSError as exc:
            show_message(self.message_label, str(exc))
            return None

    def export_results_csv(self, path: Path | str | None = None) -> Path | None:
        """The result list as CSV (asks where when no path)."""
        if not self.rows:
            return None
        if path is None:
            chosen, _ = QFileDialog.getSaveFileName(
                self, self.tr("Export CSV"), "incidents.csv", self.tr("CSV files (*.csv)")
            )
            if not chosen:
                return None
            path = chosen
        header, rows = incidents_csv(self.rows, self.config)
        try:
            return write_csv(path, header, rows)
        except OSError as exc:
            show_message(self.message_label, str(exc))
            return None

    def print_record(self) -> bool:
        """Print the shown record (Qt's print dialog)."""
        if self.record is None:
            return False
        body, images = after_action_html(self.record, self.config)
        return print_document(make_document(body, images), self)
