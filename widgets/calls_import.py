"""File > Import past 110 calls…: ``main.py calls import`` from the window, cancellable.

Why it is built this way:

- The import runs on a worker thread (:class:`ImportJob`), never on the GUI thread: a
  city's million rows take tens of seconds.  The worker only emits Qt signals, which Qt
  queues onto the GUI thread.
- Cancel sets the ``threading.Event`` that :func:`console.district.calls_import.import_calls`
  checks between batches; the engine writes in one transaction, so a cancelled import
  rolls back and leaves nothing behind (no half import).
- Calls go into the store of the hub the window is attached to, when that hub is on this
  machine: an embedded hub (``InprocClient.hub``: its store is in this process) or the
  workstation's own hub process (``window.hub_process``, a
  :class:`~console.workstation.hubchild.HubChild`: the window opens the database the child
  named in its ``READY`` line).  A workstation on a remote hub is told to run
  ``main.py calls import`` on the hub's machine (no hub command carries a file, and
  ``console/hub/admin.py`` has none for calls).
- After an import the hub takes the calls in on *its* thread
  (``DistrictHub.reload_history_soon``: the hub's arrays are only ever touched there;
  with the hub process, asked for on the child's pipe), then the heat filter asks for the
  heat again, so the heat layer shows the new calls at once instead of after the hub's
  own once-a-minute look.

``install_calls_import(window)`` adds the File menu action through the window's
extension API (:mod:`widgets.window_api`).
"""

from __future__ import annotations

import contextlib
import csv
import logging
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QObject, Qt, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPlainTextEdit,
    QProgressDialog,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from console.district.calls_import import (
    CallColumns,
    CallsImportError,
    CallsImportResult,
    CallsSpec,
    ImportCancelled,
    import_calls,
    read_type_map,
    write_rejects,
)
from console.store.db import is_memory_url
from console.store.errors import StoreError

if TYPE_CHECKING:
    from widgets.main_window import MainWindow

log = logging.getLogger(__name__)

OWNER = "calls import"
IMPORT_ROLES = frozenset({"supervisor", "admin"})
"""Imported calls feed the heat map and the plan engine's demand weights: a supervisor's
or an administrator's change, not an operator's."""
SHOWN_REJECTS = 200  # rejected rows listed in the dialog (all of them: "Save rejected rows")
STEPS = 1000  # progress bar resolution
PHASES = {"reading": (0.0, 0.4), "checking": (0.4, 0.5), "writing": (0.5, 1.0)}
"""Each phase's share of the progress bar (reading and writing take most of the time)."""
CRS_CHOICES = ("wgs84", "gcj02", "bd09")
ZONES = ("Asia/Shanghai", "UTC", "America/Los_Angeles", "America/New_York", "Europe/London")
GUESSES = {  # lower-case column names tried, in order, when a CSV header is read
    "time": ("time", "datetime", "date_time", "occurred_on", "occurred", "reported", "date", "t"),
    "lat": ("lat", "latitude", "wgs_lat", "y"),
    "lon": ("lon", "lng", "long", "longitude", "wgs_lon", "x"),
    "type": ("type", "incident_type", "call_type", "kind", "category", "description"),
    "id": ("id", "call_id", "incident_id", "case_number", "case_id"),
}


# ------------------------------------------------------------------ where the calls go


@dataclass(frozen=True)
class ImportTarget:
    """A hub on this machine: the store the calls go into and what an import checks against."""

    hub: Any
    """What reloads the history: the embedded DistrictHub (``tick_hooks``, ``reload_history``)
    or the workstation's HubChild (``reload_history`` over its pipe)."""
    store: Any
    district_name: str
    outline: list[tuple[float, float]]
    known_types: list[str]
    time_zone: str


def embedded_target(window: MainWindow) -> ImportTarget | None:
    """The hub in this process the window is attached to; None for a remote hub."""
    hub = getattr(window.bridge.client, "hub", None)
    district = getattr(hub, "district", None)
    if hub is None or district is None or getattr(hub, "store", None) is None:
        return None
    package = getattr(hub, "package", None)
    info = getattr(package, "info", None)
    zone = getattr(info, "time_zone", "") or getattr(getattr(hub, "local", None), "name", "")
    return ImportTarget(
        hub,
        hub.store,
        str(getattr(district, "name", "")),
        [(float(x), float(y)) for x, y in district.outline],
        list(window.config.incident_types),
        str(zone or "Asia/Shanghai"),
    )


def child_target(window: MainWindow) -> ImportTarget | None:
    """The workstation's own hub process, once the window has its district; else None."""
    child = getattr(window, "hub_process", None)
    district = window.district
    if child is None or district is None or is_memory_url(getattr(child, "db_url", "")):
        return None
    return ImportTarget(
        child,
        child.store(),
        district.name,
        [(float(x), float(y)) for x, y in district.outline],
        list(window.config.incident_types),
        district.tz or "Asia/Shanghai",
    )


def local_target(window: MainWindow) -> ImportTarget | None:
    """Where File > Import writes: the embedded hub, else the hub process; None: remote."""
    return embedded_target(window) or child_target(window)


def csv_header(path: Path) -> list[str]:
    """The column names on a CSV file's first line ([] when it cannot be read)."""
    try:
        with path.open("rb") as fh:
            first = fh.readline(1 << 16).rstrip(b"\r\n")  # whole line: no character cut
    except OSError:
        return []
    for enc in ("utf-8-sig", "gb18030"):  # as the engine reads it (console/district/csvread)
        try:
            text = first.decode(enc)
        except UnicodeDecodeError:
            continue
        return [c.strip() for c in next(csv.reader([text]), []) if c.strip()]
    return []


def guess_column(names: list[str], what: str) -> str:
    """The header column most likely meant for ``what`` ("" when none looks right)."""
    lower = {n.lower(): n for n in names}
    for candidate in GUESSES[what]:
        if candidate in lower:
            return lower[candidate]
    return ""


# ------------------------------------------------------------------ the worker


class ImportJob(QObject):
    """One import on a worker thread; everything it reports arrives as a queued signal.

    ``progressed`` is emitted *from the worker thread*: a slot connected with
    ``Qt.DirectConnection`` runs there, synchronously, before the import goes on."""

    progressed = Signal(str, int, int)  # phase, done, total
    succeeded = Signal(object)  # CallsImportResult
    failed = Signal(str)  # why (nothing written)
    cancelled = Signal(str)  # the engine's words (nothing written)

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._cancel = threading.Event()
        self._thread: threading.Thread | None = None
        self._alive = True
        self._active = False  # from start() until its outcome reached the GUI thread
        for ended in (self.succeeded, self.failed, self.cancelled):
            ended.connect(self._on_ended)  # first: before any receiver of the outcome
        self.destroyed.connect(self._on_destroyed)

    @property
    def running(self) -> bool:
        """Whether an import is under way (its outcome not yet delivered here)."""
        return self._active

    def _on_ended(self, *_: object) -> None:
        self._active = False

    @property
    def cancel_requested(self) -> bool:
        return self._cancel.is_set()

    def start(self, target: ImportTarget, path: Path, spec: CallsSpec) -> None:
        """Import ``path`` into the target's store on a new worker thread."""
        if self.running:
            raise RuntimeError("an import is already running")
        self._cancel.clear()
        self._active = True
        self._thread = threading.Thread(
            target=self._run, args=(target, path, spec), name="calls-import", daemon=True
        )
        self._thread.start()

    def cancel(self) -> None:
        """Ask the running import to stop (thread-safe); it rolls back, nothing is written."""
        self._cancel.set()

    def _on_destroyed(self, *_: object) -> None:
        self._alive = False
        self._cancel.set()  # a closed window stops its import

    def _emit(self, signal: Any, *args: object) -> None:
        if not self._alive:
            return
        try:
            signal.emit(*args)
        except RuntimeError:  # the dialog went away meanwhile
            self._alive = False

    def _run(self, target: ImportTarget, path: Path, spec: CallsSpec) -> None:
        try:
            res = import_calls(
                target.store,
                path,
                spec,
                target.outline,
                target.known_types,
                progress=lambda phase, done, total: self._emit(self.progressed, phase, done, total),
                cancel=self._cancel,
            )
        except ImportCancelled as exc:
            self._emit(self.cancelled, str(exc))
        except (CallsImportError, StoreError, ValueError, OSError, UnicodeDecodeError) as exc:
            self._emit(self.failed, str(exc))
        except Exception as exc:  # the worker must always report back
            log.exception("calls import of %s failed", path)
            self._emit(self.failed, f"{type(exc).__name__}: {exc}")
        else:
            self._emit(self.succeeded, res)


class HistoryReloader(QObject):
    """Has the hub reload its call history on the hub thread, and says when it has."""

    reloaded = Signal(int)  # calls new to the hub
    failed = Signal(str)

    def reload(self, hub: Any) -> bool:
        """Queue a one-shot reload on ``hub``'s thread (embedded) or ask the hub process for
        one (on a worker thread: the answer waits for the hub's next tick); False when the
        hub has no history to reload."""
        soon = getattr(hub, "reload_history_soon", None)  # the embedded DistrictHub
        if callable(soon):
            soon(
                lambda n: self._emit(self.reloaded, int(n)),
                lambda exc: self._emit(self.failed, str(exc)),
            )
            return True
        if not callable(getattr(hub, "reload_history", None)):
            return False
        # the workstation's hub process: ask it over its pipe
        threading.Thread(target=self._ask, args=(hub,), name="history-reload", daemon=True).start()
        return True

    def _ask(self, child: Any) -> None:
        try:
            n = int(child.reload_history())
        except Exception as exc:  # HubChildError: it names why
            log.warning("call history not reloaded: %s", exc)
            self._emit(self.failed, str(exc))
            return
        self._emit(self.reloaded, n)

    def _emit(self, signal: Any, *args: object) -> None:
        with contextlib.suppress(RuntimeError):  # the window closed meanwhile
            signal.emit(*args)


# ------------------------------------------------------------------ the dialog


class CallsImportDialog(QDialog):
    """Choose a file and its columns, import it on a worker with a cancellable progress
    dialog, and show what came of it (rows read, added, rejected and why)."""

    imported = Signal(object)  # CallsImportResult, after a successful import

    def __init__(self, target: ImportTarget, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("callsImportDialog")
        self.target = target
        self.result_: CallsImportResult | None = None
        self.outcome = ""  # "", "added", "cancelled", "failed"
        self.job = ImportJob(self)
        self.job.progressed.connect(self._on_progress)
        self.job.succeeded.connect(self._on_succeeded)
        self.job.failed.connect(self._on_failed)
        self.job.cancelled.connect(self._on_cancelled)
        self.progress: QProgressDialog | None = None

        self.intro = QLabel(self)
        self.intro.setWordWrap(True)
        self.file_edit = QLineEdit(self)
        self.file_edit.setObjectName("callsFile")
        self.file_button = QPushButton(self)
        self.file_button.clicked.connect(self.browse_file)
        file_row = QHBoxLayout()
        file_row.addWidget(self.file_edit, 1)
        file_row.addWidget(self.file_button)
        self.columns: dict[str, QComboBox] = {}
        for key in ("time", "lat", "lon", "type", "id"):
            box = QComboBox(self)
            box.setEditable(True)
            box.setObjectName(f"{key}Column")
            box.setMinimumContentsLength(18)
            self.columns[key] = box
        self.type_map_edit = QLineEdit(self)
        self.type_map_edit.setObjectName("typeMapFile")
        self.type_map_button = QPushButton(self)
        self.type_map_button.clicked.connect(self.browse_type_map)
        map_row = QHBoxLayout()
        map_row.addWidget(self.type_map_edit, 1)
        map_row.addWidget(self.type_map_button)
        self.default_type = QComboBox(self)
        self.default_type.setObjectName("defaultType")
        self.default_type.addItem("", "")
        for key in target.known_types:
            self.default_type.addItem(key, key)
        self.crs_box = QComboBox(self)
        self.crs_box.setObjectName("crs")
        for crs in CRS_CHOICES:
            self.crs_box.addItem("", crs)
        self.tz_box = QComboBox(self)
        self.tz_box.setObjectName("timeZone")
        self.tz_box.setEditable(True)
        for zone in dict.fromkeys((target.time_zone, *ZONES)):
            self.tz_box.addItem(zone)
        self.tz_box.setCurrentIndex(0)

        self.form = QFormLayout()
        self.labels = [QLabel(self) for _ in range(10)]
        rows: list[QWidget | QHBoxLayout] = [
            self._wrap(file_row),
            self.columns["time"],
            self.columns["lat"],
            self.columns["lon"],
            self.columns["type"],
            self.columns["id"],
            self._wrap(map_row),
            self.default_type,
            self.crs_box,
            self.tz_box,
        ]
        for label, field in zip(self.labels, rows, strict=True):
            self.form.addRow(label, field)

        self.summary = QPlainTextEdit(self)
        self.summary.setObjectName("importSummary")
        self.summary.setReadOnly(True)
        self.summary.setMinimumHeight(180)
        self.buttons = QDialogButtonBox(self)
        self.import_button = self.buttons.addButton("", QDialogButtonBox.ButtonRole.AcceptRole)
        self.import_button.setObjectName("startImport")
        self.rejects_button = self.buttons.addButton("", QDialogButtonBox.ButtonRole.ActionRole)
        self.rejects_button.setEnabled(False)
        self.close_button = self.buttons.addButton(QDialogButtonBox.StandardButton.Close)
        self.import_button.clicked.connect(self.start_import)
        self.rejects_button.clicked.connect(self.save_rejects)
        self.close_button.clicked.connect(self.reject)
        lay = QVBoxLayout(self)
        lay.addWidget(self.intro)
        lay.addLayout(self.form)
        lay.addWidget(self.summary, 1)
        lay.addWidget(self.buttons)
        self.resize(640, 620)
        self.retranslateUi()

    def _wrap(self, row: QHBoxLayout) -> QWidget:
        w = QWidget(self)
        row.setContentsMargins(0, 0, 0, 0)
        w.setLayout(row)
        return w

    def retranslateUi(self) -> None:
        """Every text of the dialog (on creation; the window re-creates it per use)."""
        self.setWindowTitle(self.tr("Import past 110 calls"))
        self.intro.setText(
            self.tr(
                "Past calls from a CSV or GeoJSON export are checked row by row and written "
                "in one transaction into the district “%1” of this workstation's hub. Cancel "
                "at any time: nothing is written until the whole file has been checked and "
                "stored."
            ).replace("%1", self.target.district_name)
        )
        texts = [
            self.tr("File (CSV or GeoJSON)"),
            self.tr("Time column"),
            self.tr("Latitude column"),
            self.tr("Longitude column"),
            self.tr("Type column (optional)"),
            self.tr("Id column (optional)"),
            self.tr("Type map (optional)"),
            self.tr("Type when there is no type column"),
            self.tr("Coordinate system"),
            self.tr("Time zone of times without offset"),
        ]
        for label, text in zip(self.labels, texts, strict=True):
            label.setText(text)
        self.file_button.setText(self.tr("Choose…"))
        self.type_map_button.setText(self.tr("Choose…"))
        self.file_edit.setPlaceholderText(self.tr("the calls file"))
        self.type_map_edit.setPlaceholderText(
            self.tr("CSV value,type or TOML [types]; empty: the type column holds incident types")
        )
        names = {
            "wgs84": self.tr("WGS-84 (GPS)"),
            "gcj02": self.tr("GCJ-02 (Chinese web maps)"),
            "bd09": self.tr("BD-09 (Baidu)"),
        }
        for i in range(self.crs_box.count()):
            self.crs_box.setItemText(i, names[str(self.crs_box.itemData(i))])
        self.default_type.setItemText(0, self.tr("(none)"))
        self.import_button.setText(self.tr("Import"))
        self.rejects_button.setText(self.tr("Save rejected rows…"))

    # ------------------------------------------------------------------ choices

    def browse_file(self) -> None:
        """Choose the calls file."""
        path, _ = QFileDialog.getOpenFileName(
            self,
            self.tr("Calls file"),
            self.file_edit.text(),
            self.tr("Calls (*.csv *.geojson *.json);;All files (*)"),
        )
        if path:
            self.set_file(path)

    def browse_type_map(self) -> None:
        """Choose the type map."""
        path, _ = QFileDialog.getOpenFileName(
            self,
            self.tr("Type map"),
            self.type_map_edit.text(),
            self.tr("Type maps (*.csv *.toml);;All files (*)"),
        )
        if path:
            self.type_map_edit.setText(path)

    def set_file(self, path: str | Path) -> None:
        """Take ``path`` as the calls file; a CSV's header fills the column choices."""
        p = Path(path)
        self.file_edit.setText(str(p))
        geojson = p.suffix.lower() in (".geojson", ".json")
        names = [] if geojson else csv_header(p)
        for key, box in self.columns.items():
            box.clear()
            if key in ("type", "id") or geojson:
                box.addItem("")  # optional (GeoJSON: the point itself is the place)
            box.addItems(names)
            if not (geojson and key in ("lat", "lon")):
                box.setCurrentText(guess_column(names, key))

    def set_columns(
        self, time: str, lat: str = "", lon: str = "", type_: str = "", id_: str = ""
    ) -> None:
        """Name the columns (what an operator types or picks)."""
        for key, value in zip(
            ("time", "lat", "lon", "type", "id"), (time, lat, lon, type_, id_), strict=True
        ):
            self.columns[key].setCurrentText(value)

    def set_crs(self, crs: str) -> None:
        """Choose the files' coordinate system: wgs84, gcj02 or bd09."""
        i = self.crs_box.findData(crs)
        if i < 0:
            raise ValueError(f"unknown coordinate system {crs!r} (choose from {CRS_CHOICES})")
        self.crs_box.setCurrentIndex(i)

    def column(self, key: str) -> str:
        return self.columns[key].currentText().strip()

    def spec(self) -> CallsSpec:
        """The import's spec from the choices; CallsImportError names what is missing."""
        path = Path(self.file_edit.text().strip())
        if not self.file_edit.text().strip() or not path.is_file():
            raise CallsImportError(self.tr("Choose the calls file first."))
        geojson = path.suffix.lower() in (".geojson", ".json")
        if not self.column("time"):
            raise CallsImportError(self.tr("Name the column that holds the time."))
        if not geojson and not (self.column("lat") and self.column("lon")):
            raise CallsImportError(self.tr("Name the latitude and longitude columns."))
        default = str(self.default_type.currentData() or "")
        if not self.column("type") and not default:
            raise CallsImportError(
                self.tr("Name the type column, or choose the type of every call in the file.")
            )
        tmap_text = self.type_map_edit.text().strip()
        tmap = read_type_map(tmap_text, self.target.known_types) if tmap_text else None
        return CallsSpec(
            CallColumns(
                self.column("time"),
                self.column("lat"),
                self.column("lon"),
                self.column("type"),
                self.column("id"),
            ),
            type_map=tmap,
            default_type=default,
            crs=str(self.crs_box.currentData()),
            tz=self.tz_box.currentText().strip() or self.target.time_zone,
        )

    # ------------------------------------------------------------------ running

    @property
    def running(self) -> bool:
        return self.job.running

    def start_import(self) -> bool:
        """Check the choices and start the import on the worker; False when it cannot."""
        if self.running:
            return False
        try:
            spec = self.spec()
        except CallsImportError as exc:
            self._show_error(str(exc))
            return False
        self.result_ = None
        self.outcome = ""
        self.rejects_button.setEnabled(False)
        self.summary.setPlainText(self.tr("Importing…"))
        self._set_inputs_enabled(False)
        self.progress = self._progress_dialog()
        self.job.start(self.target, Path(self.file_edit.text().strip()), spec)
        return True

    def _progress_dialog(self) -> QProgressDialog:
        dlg = QProgressDialog(self)
        dlg.setObjectName("callsImportProgress")
        dlg.setWindowTitle(self.tr("Importing calls"))
        dlg.setLabelText(self.tr("Starting…"))
        dlg.setCancelButtonText(self.tr("Cancel import"))
        dlg.setRange(0, STEPS)
        dlg.setValue(0)
        dlg.setAutoClose(False)
        dlg.setAutoReset(False)
        dlg.setMinimumDuration(0)
        # not modal: the console stays usable while a big file imports (dispatch goes on)
        dlg.setWindowModality(Qt.WindowModality.NonModal)
        dlg.canceled.connect(self.cancel_import)
        dlg.show()
        return dlg

    def cancel_import(self) -> None:
        """Stop the running import (the progress dialog's Cancel); nothing is written."""
        if not self.running:
            return
        self.job.cancel()
        if self.progress is not None:
            self.progress.setLabelText(self.tr("Cancelling… nothing will be written"))

    def _on_progress(self, phase: str, done: int, total: int) -> None:
        if self.progress is None or self.job.cancel_requested:
            return
        lo, hi = PHASES.get(phase, (0.0, 1.0))
        share = min(1.0, done / total) if total > 0 else 0.0
        self.progress.setValue(int(STEPS * (lo + (hi - lo) * share)))
        words = {
            "reading": self.tr("Reading the file: row %1 of about %2"),
            "checking": self.tr("Checking %2 rows"),
            "writing": self.tr("Writing: %1 of %2 calls"),
        }
        text = words.get(phase, "%1 / %2")
        self.progress.setLabelText(text.replace("%1", f"{done:,}").replace("%2", f"{total:,}"))

    def _finish(self) -> None:
        if self.progress is not None:
            self.progress.canceled.disconnect(self.cancel_import)
            self.progress.reset()
            self.progress.hide()
            self.progress.deleteLater()
            self.progress = None
        self._set_inputs_enabled(True)

    def _on_succeeded(self, res: CallsImportResult) -> None:
        self._finish()
        self.result_ = res
        self.outcome = "added"
        self.summary.setPlainText("\n".join(self.summary_lines(res)))
        self.rejects_button.setEnabled(bool(res.rejected))
        self.imported.emit(res)

    def _on_failed(self, why: str) -> None:
        self._finish()
        self.outcome = "failed"
        self._show_error(why)

    def _on_cancelled(self, _why: str) -> None:
        self._finish()
        self.outcome = "cancelled"
        self.summary.setPlainText(self.tr("Import cancelled: nothing was written."))

    def _show_error(self, why: str) -> None:
        self.summary.setPlainText(
            self.tr("Nothing was imported: %1").replace("%1", why.replace("\n", "\n  "))
        )

    def _set_inputs_enabled(self, on: bool) -> None:
        for w in (self.import_button, self.file_button, self.type_map_button):
            w.setEnabled(on)
        for i in range(self.form.rowCount()):
            item = self.form.itemAt(i, QFormLayout.ItemRole.FieldRole)
            field = item.widget() if item is not None else None
            if field is not None:
                field.setEnabled(on)

    def summary_lines(self, res: CallsImportResult) -> list[str]:
        """What the import did, for the operator: figures, reasons, the first rejected rows."""
        lines = [
            self.tr("%1: %2 rows read, %3 calls added, %4 already stored, %5 rejected (%6 s).")
            .replace("%1", res.file)
            .replace("%2", f"{res.rows:,}")
            .replace("%3", f"{res.added:,}")
            .replace("%4", f"{res.already:,}")
            .replace("%5", f"{len(res.rejected):,}")
            .replace("%6", f"{res.seconds:.1f}")
        ]
        for reason, k in res.by_reason.most_common():
            lines.append(self.tr("Rejected %1: %2").replace("%1", f"{k:,}").replace("%2", reason))
        if res.rejected:
            lines.append("")
            lines.append(self.tr("First rejected rows (row, field: reason):"))
            lines.extend(f"  {r}" for r in res.rejected[:SHOWN_REJECTS])
            if len(res.rejected) > SHOWN_REJECTS:
                lines.append(
                    self.tr("… and %1 more: “Save rejected rows” writes them all.").replace(
                        "%1", f"{len(res.rejected) - SHOWN_REJECTS:,}"
                    )
                )
        return lines

    def save_rejects(self) -> None:
        """Write every rejected row (row, field, reason) to a CSV file."""
        if self.result_ is None or not self.result_.rejected:
            return
        path, _ = QFileDialog.getSaveFileName(
            self,
            self.tr("Save rejected rows"),
            str(Path(self.file_edit.text()).with_suffix(".rejected.csv")),
            self.tr("CSV files (*.csv)"),
        )
        if path:
            try:
                write_rejects(self.result_, path)
            except OSError as exc:
                self._show_error(str(exc))

    def reject(self) -> None:
        """Close; while an import runs, Close (or Esc) cancels it instead."""
        if self.running:
            self.cancel_import()
            return
        super().reject()


# ------------------------------------------------------------------ the window's part


class CallsImport(QObject):
    """File > Import past 110 calls: the dialog, then the hub's history and the heat."""

    historyReloaded = Signal(int)  # calls new to the hub (0: its own look took them in first)

    def __init__(self, window: MainWindow) -> None:
        super().__init__(window)
        self.window = window
        self.dialog: CallsImportDialog | None = None
        self.notice: QMessageBox | None = None
        self.reloader = HistoryReloader(self)
        self.reloader.reloaded.connect(self._on_reloaded)
        self.reloader.failed.connect(self._on_reload_failed)
        self.added = 0  # calls the last import added
        self.action = window.add_action(
            "file",
            "importCalls",
            lambda: self.tr("&Import past 110 calls…"),
            self.open_dialog,
            owner=OWNER,
            before="screenshot",
            tooltip=lambda: self.tr("Import past 110 calls from a CSV or GeoJSON file"),
        )

    def open_dialog(self) -> CallsImportDialog | None:
        """Show the import dialog (embedded hub), or say where calls are imported."""
        target = local_target(self.window)
        if target is None and getattr(self.window, "hub_process", None) is not None:
            if self.window.district is None:
                self.window.statusBar().showMessage(
                    self.tr("The district is still loading; try again in a moment."), 10000
                )
            else:
                self._notice(
                    self.tr(
                        "This workstation's hub keeps its database in its own memory "
                        "(sqlite://): past calls cannot be imported into it. Start the "
                        "console on a database file or server (--db) to import them."
                    )
                )
            return None
        if target is None:
            self._notice(
                self.tr(
                    "This workstation is attached to a hub on another machine. Past calls are "
                    "imported on the hub's machine, into its database:\n\n"
                    "python main.py calls import FILE --db URL --time-col … --lat-col … "
                    "--lon-col … [--type-col … --id-col … --type-map FILE --crs gcj02 "
                    "--tz Asia/Shanghai]\n\n"
                    "The hub takes the new calls in within a minute; the heat map shows "
                    "them after that."
                )
            )
            return None
        role = str(getattr(self.window.bridge.client, "role", ""))
        if role not in IMPORT_ROLES:
            self._notice(
                self.tr("Importing past calls needs a supervisor's or an administrator's sign-in.")
            )
            return None
        if self.dialog is None or self.dialog.target.hub is not target.hub:
            self.dialog = CallsImportDialog(target, self.window)
            self.dialog.imported.connect(self._on_imported)
        self.dialog.show()
        self.dialog.raise_()
        return self.dialog

    def _notice(self, text: str) -> None:
        box = QMessageBox(QMessageBox.Icon.Information, self.tr("Import past 110 calls"), text)
        box.setParent(self.window, box.windowFlags())
        box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        box.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.notice = box
        box.open()

    def _on_imported(self, res: CallsImportResult) -> None:
        self.added = res.added
        if res.added <= 0 or self.dialog is None:
            return
        if not self.reloader.reload(self.dialog.target.hub):
            self._status(
                self.tr("%1 calls added; the hub takes them in within a minute."), res.added
            )

    def _on_reloaded(self, new: int) -> None:
        tools = getattr(self.window, "map_tools", None)
        panel = getattr(tools, "heat_panel", None)
        if panel is not None:
            panel.request()  # the filter as chosen, with the new calls
        else:
            self.window.request_heat(self.window.layer_panel.heat_window_s())
        self._status(self.tr("%1 calls added to the history; the heat map is redrawn."), self.added)
        self.historyReloaded.emit(new)

    def _on_reload_failed(self, why: str) -> None:
        self.window.statusBar().showMessage(
            self.tr("The calls are stored, but the hub could not reload them: %1").replace(
                "%1", why
            ),
            30000,
        )

    def _status(self, template: str, n: int) -> None:
        self.window.statusBar().showMessage(template.replace("%1", f"{n:,}"), 15000)


def install_calls_import(window: MainWindow) -> CallsImport:
    """Add File > Import past 110 calls to ``window``; returns the owner (a second call
    returns the same one)."""
    existing = getattr(window, "calls_import", None)
    if isinstance(existing, CallsImport):
        return existing
    return CallsImport(window)
