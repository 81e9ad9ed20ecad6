"""110 call intake: the form an operator fills while the caller is on the line.

Everything the hub would refuse is checked here first, with a message that
says what to fix (the hub checks again: a remote workstation may be older).
A likely duplicate (same type, open, within ``workflow.duplicate_radius_m``
and ``duplicate_window_seconds``) is shown before anything is sent, with the
choice to merge the call into that incident (the hub records the caller and
what they report on it, and its call count rises), to open the existing
incident without recording anything, or to register a new one anyway.
"""

from __future__ import annotations

import math
import re
import time
from collections.abc import Callable

from PySide6.QtCore import QEvent, QStringListModel, Qt, Signal
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QComboBox,
    QCompleter,
    QDialog,
    QFormLayout,
    QFrame,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QSizePolicy,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from console.config import Config
from console.geo.coords import haversine_m
from console.hub.messages import (
    CreateIncident,
    IncidentState,
    MergeIntoIncident,
    Reply,
    StaticDistrict,
)
from console.polygon import contains
from widgets.bridge import HubBridge
from widgets.i18n import is_chinese
from widgets.panels.common import CLOSED_INCIDENT, incident_type_name, priority_text
from widgets.workflow.common import refused_text, show_message
from widgets.workflow.places import Place, build_places, find_place, nearest_place

MAX_DESCRIPTION = 2000
MAX_ADDRESS = 200
_PHONE_JUNK = re.compile(r"[\s\-()（）]")
_MOBILE = re.compile(r"1[3-9]\d{9}")
_LANDLINE = re.compile(r"0\d{2,3}[2-9]\d{6,7}")  # area code + local number
_LOCAL = re.compile(r"[2-9]\d{7}")  # Shanghai local number without 021


def normalise_phone(text: str) -> str:
    """Digits of a phone number without spaces, hyphens, brackets or +86/0086."""
    s = _PHONE_JUNK.sub("", text.strip())
    for prefix in ("+86", "0086"):
        if s.startswith(prefix):
            s = s[len(prefix) :]
    return s


def is_valid_phone(text: str) -> bool:
    """A Chinese mobile (1xx xxxx xxxx), a landline with area code, or a local 8-digit number."""
    s = normalise_phone(text)
    return bool(_MOBILE.fullmatch(s) or _LANDLINE.fullmatch(s) or _LOCAL.fullmatch(s))


def find_duplicates(
    incidents: list[IncidentState],
    incident_type: str,
    lon: float,
    lat: float,
    now: float,
    radius_m: float = 300.0,
    window_s: float = 1800.0,
) -> list[IncidentState]:
    """Open incidents of the same type within ``radius_m`` and ``window_s`` (nearest first)."""
    hits: list[tuple[float, IncidentState]] = []
    for inc in incidents:
        if inc.status in CLOSED_INCIDENT or inc.incident_type != incident_type:
            continue
        if now - inc.created_at > window_s:
            continue
        d = float(haversine_m(lon, lat, inc.lon, inc.lat))
        if d <= radius_m:
            hits.append((d, inc))
    hits.sort(key=lambda h: h[0])
    return [inc for _, inc in hits]


class IntakeDialog(QDialog):
    """Register a 110 call; every field is an attribute so tests can drive the form."""

    incidentCreated = Signal(int)  # incident id the hub gave
    openIncidentRequested = Signal(int)  # the operator chose the existing (duplicate) incident
    incidentMerged = Signal(int, int)  # the call was recorded on incident id; its call count

    def __init__(
        self,
        bridge: HubBridge,
        config: Config,
        *,
        district: StaticDistrict | None = None,
        incidents: Callable[[], list[IncidentState]] | None = None,
        clock: Callable[[], float] = time.time,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("IntakeDialog")
        self.bridge = bridge
        self.config = config
        self.district = district
        self.incidents = incidents or (lambda: [])
        self.clock = clock
        self.places: list[Place] = build_places(district) if district is not None else []
        self.lon: float | None = None
        self.lat: float | None = None
        self.place_name = ""
        self.near: tuple[Place, float] | None = None
        self._auto_address = ""
        self.duplicates: list[IncidentState] = []
        self.duplicate_accepted = False
        self.pending = False
        self.created_id: int | None = None
        self.merged_into: int | None = None

        self.type_box = QComboBox(self)
        self.type_box.currentIndexChanged.connect(self._type_chosen)
        self.place_edit = QLineEdit(self)
        self.place_edit.setClearButtonEnabled(True)
        self._place_model = QStringListModel([p.label() for p in self.places], self)
        self.completer = QCompleter(self._place_model, self)
        self.completer.setFilterMode(Qt.MatchFlag.MatchContains)
        self.completer.setCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
        self.completer.setMaxVisibleItems(12)
        self.place_edit.setCompleter(self.completer)
        self.completer.activated.connect(self.choose_place)
        self.place_edit.returnPressed.connect(lambda: self.choose_place(self.place_edit.text()))
        self.location_label = QLabel(self)
        self.location_label.setWordWrap(True)
        self.address_edit = QLineEdit(self)
        self.address_edit.setMaxLength(MAX_ADDRESS)
        self.caller_edit = QLineEdit(self)
        self.description_edit = QPlainTextEdit(self)
        self.description_edit.setTabChangesFocus(True)
        self.description_edit.setMinimumHeight(70)
        self.description_edit.setMaximumHeight(120)
        self.priority_box = QComboBox(self)
        self.force_box = QComboBox(self)
        self.manpower_spin = QSpinBox(self)
        self.manpower_spin.setRange(1, 500)

        self.message_label = QLabel(self)
        self.message_label.setWordWrap(True)
        self.message_label.hide()
        self.duplicate_frame = QFrame(self)
        self.duplicate_frame.setObjectName("duplicateFrame")
        self.duplicate_frame.setStyleSheet(
            "#duplicateFrame { background: #fff3cd; border: 1px solid #e0c068;"
            " border-radius: 3px; }"
        )
        self.duplicate_label = QLabel(self.duplicate_frame)
        self.duplicate_label.setWordWrap(True)
        self.merge_button = QPushButton(self.duplicate_frame)
        self.merge_button.clicked.connect(self.merge_into_duplicate)
        self.open_existing_button = QPushButton(self.duplicate_frame)
        self.open_existing_button.clicked.connect(self.open_duplicate)
        self.create_anyway_button = QPushButton(self.duplicate_frame)
        self.create_anyway_button.clicked.connect(self.create_anyway)
        dup_lay = QVBoxLayout(self.duplicate_frame)
        dup_lay.addWidget(self.duplicate_label)
        dup_buttons = QHBoxLayout()
        dup_buttons.addWidget(self.merge_button)
        dup_buttons.addWidget(self.open_existing_button)
        dup_buttons.addWidget(self.create_anyway_button)
        dup_buttons.addStretch(1)
        dup_lay.addLayout(dup_buttons)
        self.duplicate_frame.hide()

        self.submit_button = QPushButton(self)
        self.submit_button.clicked.connect(self.submit)
        self.cancel_button = QPushButton(self)
        self.cancel_button.clicked.connect(self.reject)
        # Enter in a field (picking a place, typing a number) must never send the call:
        # no default button; Ctrl+Enter submits on purpose
        for b in (
            self.submit_button,
            self.cancel_button,
            self.merge_button,
            self.open_existing_button,
            self.create_anyway_button,
        ):
            b.setAutoDefault(False)
            b.setDefault(False)
        self.submit_shortcut = QShortcut(QKeySequence("Ctrl+Return"), self)
        self.submit_shortcut.activated.connect(self.submit)

        self.form = QFormLayout()
        self.form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        self._labels = [QLabel(self) for _ in range(9)]
        for lab, field in zip(
            self._labels,
            (
                self.type_box,
                self.place_edit,
                self.location_label,
                self.address_edit,
                self.caller_edit,
                self.description_edit,
                self.priority_box,
                self.force_box,
                self.manpower_spin,
            ),
            strict=True,
        ):
            self.form.addRow(lab, field)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        buttons.addWidget(self.cancel_button)
        buttons.addWidget(self.submit_button)
        lay = QVBoxLayout(self)
        lay.addLayout(self.form)
        lay.addWidget(self.duplicate_frame)
        lay.addWidget(self.message_label)
        lay.addStretch(1)
        lay.addLayout(buttons)
        self.location_label.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Maximum)
        self.resize(540, 520)
        self.retranslateUi()

    # ------------------------------------------------------------------ texts

    def retranslateUi(self) -> None:
        """Every text of the form (also on LanguageChange)."""
        self.setWindowTitle(self.tr("New incident (110 call)"))
        for lab, text in zip(
            self._labels,
            (
                self.tr("Incident type"),
                self.tr("Search place"),
                self.tr("Location"),
                self.tr("Address"),
                self.tr("Caller number"),
                self.tr("Description"),
                self.tr("Priority"),
                self.tr("Force level"),
                self.tr("Officers needed"),
            ),
            strict=True,
        ):
            lab.setText(text)
        self.place_edit.setPlaceholderText(
            self.tr("Landmark, station, 1-minute point, road, or crossing such as A / B")
        )
        self.caller_edit.setPlaceholderText(self.tr("e.g. 13812345678 or 021-63211234"))
        self.description_edit.setPlaceholderText(self.tr("What the caller reports"))
        self.submit_button.setText(self.tr("Register incident"))
        self.cancel_button.setText(self.tr("Cancel"))
        self.create_anyway_button.setText(self.tr("Register as a new incident anyway"))
        self._fill_types()
        self._fill_priorities()
        self._fill_force_levels()
        self._place_model.setStringList([p.label() for p in self.places])
        self._show_location()
        if self.duplicates:
            self._show_duplicates()

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslateUi()
        super().changeEvent(event)

    def _fill_types(self) -> None:
        current = self.type_box.currentData()
        self.type_box.blockSignals(True)
        self.type_box.clear()
        self.type_box.addItem(self.tr("— choose —"), None)
        items = sorted(
            self.config.incident_types.items(), key=lambda kv: (kv[1].priority, kv[1].name_zh)
        )
        for key, _it in items:
            self.type_box.addItem(incident_type_name(self.config, key), key)
        self.type_box.setCurrentIndex(max(0, self.type_box.findData(current)))
        self.type_box.blockSignals(False)

    def _fill_priorities(self) -> None:
        current = self.priority_box.currentData()
        self.priority_box.clear()
        for p in (1, 2, 3, 4):
            self.priority_box.addItem(priority_text(p), p)
        self.priority_box.setCurrentIndex(max(0, self.priority_box.findData(current or 3)))

    def _fill_force_levels(self) -> None:
        current = self.force_box.currentData()
        self.force_box.clear()
        for level in sorted(self.config.force_levels):
            fl = self.config.force_levels[level]
            self.force_box.addItem(f"{level} — {fl.name_zh if is_chinese() else fl.name_en}", level)
        self.force_box.setCurrentIndex(max(0, self.force_box.findData(current or 1)))

    # ------------------------------------------------------------------ input

    def set_type(self, key: str) -> None:
        """Choose an incident type by key (prefills priority, force level and manpower)."""
        i = self.type_box.findData(key)
        if i < 0:
            raise KeyError(f"unknown incident type {key!r}")
        self.type_box.setCurrentIndex(i)

    def _type_chosen(self, _index: int) -> None:
        key = self.type_box.currentData()
        it = self.config.incident_types.get(key) if key else None
        if it is not None:
            self.priority_box.setCurrentIndex(max(0, self.priority_box.findData(it.priority)))
            self.force_box.setCurrentIndex(max(0, self.force_box.findData(it.force_level)))
            self.manpower_spin.setValue(it.manpower)
        self._reset_duplicates()

    def set_location(self, lon: float, lat: float, name: str = "") -> None:
        """Set the incident point (a right-click on the map, or a chosen place).

        Without a name, the nearest known place (within 300 m) is offered as the
        address ("南京路步行街附近") unless the operator already typed one.
        """
        self.lon, self.lat = float(lon), float(lat)
        self.place_name = name
        self.near = None if name else nearest_place(self.places, self.lon, self.lat)
        if name:
            self.address_edit.setText(name)
        elif self.near is not None and (
            not self.address_edit.text().strip() or self.address_edit.text() == self._auto_address
        ):
            self._auto_address = self.tr("near %1").replace("%1", self.near[0].name)
            self.address_edit.setText(self._auto_address)
        self._show_location()
        self._reset_duplicates()

    def choose_place(self, label: str) -> bool:
        """Take a place by its completer label or exact name; False (with a message) if unknown."""
        p = find_place(self.places, label)
        if p is None:
            if label.strip():
                show_message(
                    self.message_label,
                    self.tr(
                        "No place called “%1” in the district; pick one from the list."
                    ).replace("%1", label.strip()),
                )
            return False
        self.set_location(p.lon, p.lat, p.name)
        show_message(self.message_label, "")
        return True

    def _show_location(self) -> None:
        if self.lon is None or self.lat is None:
            self.location_label.setText(
                self.tr("Not set: right-click the map or search a place above")
            )
            self.location_label.setStyleSheet("color: #8d6e63;")
        else:
            text = f"{self.lon:.5f}, {self.lat:.5f}"
            if self.place_name:
                text += f" — {self.place_name}"
            elif self.near is not None:
                text += " — " + self.tr("%1 m from %2").replace(
                    "%1", f"{self.near[1]:.0f}"
                ).replace("%2", self.near[0].label())
            self.location_label.setText(text)
            self.location_label.setStyleSheet("")

    # --------------------------------------------------------------- validate

    def validate(self) -> list[str]:
        """What is wrong with the form, one clear sentence per problem (empty when fine)."""
        errors: list[str] = []
        if not self.type_box.currentData():
            errors.append(self.tr("Choose the incident type."))
        if self.lon is None or self.lat is None:
            errors.append(self.tr("Set the location: right-click the map or search a place."))
        elif not (math.isfinite(self.lon) and math.isfinite(self.lat)):
            errors.append(self.tr("The location is not a valid coordinate."))
        elif self.district is not None and not bool(
            contains(self.district.outline, self.lon, self.lat)[0]
        ):
            errors.append(
                self.tr("The location %1 is outside the district %2.")
                .replace("%1", f"({self.lon:.5f}, {self.lat:.5f})")
                .replace("%2", self.district.name)
            )
        caller = self.caller_edit.text().strip()
        if caller and not is_valid_phone(caller):
            errors.append(
                self.tr(
                    "Caller number “%1” is not a phone number: use an 11-digit mobile "
                    "(1xx xxxx xxxx) or a landline such as 021-63211234."
                ).replace("%1", caller)
            )
        n = len(self.description_edit.toPlainText())
        if n > MAX_DESCRIPTION:
            errors.append(
                self.tr("The description is too long (%1 characters, at most %2).")
                .replace("%1", str(n))
                .replace("%2", str(MAX_DESCRIPTION))
            )
        return errors

    def command(self) -> CreateIncident:
        """The CreateIncident the form stands for (call :meth:`validate` first)."""
        if self.lon is None or self.lat is None or not self.type_box.currentData():
            raise ValueError("the intake form is incomplete: type and location are required")
        caller = self.caller_edit.text().strip()
        return CreateIncident(
            incident_type=str(self.type_box.currentData()),
            lon=self.lon,
            lat=self.lat,
            address=self.address_edit.text().strip(),
            caller=normalise_phone(caller) if caller else "",
            description=self.description_edit.toPlainText().strip(),
            priority=int(self.priority_box.currentData()),
            force_level=int(self.force_box.currentData()),
            manpower=int(self.manpower_spin.value()),
            source="call",
        )

    # ----------------------------------------------------------------- submit

    def submit(self) -> bool:
        """Validate, warn about a likely duplicate, then send; True when the command went out."""
        if self.pending:
            return False
        errors = self.validate()
        if errors:
            show_message(self.message_label, "\n".join(errors))
            return False
        show_message(self.message_label, "")
        if not self.duplicate_accepted:
            wf = self.config.workflow
            assert self.lon is not None and self.lat is not None
            self.duplicates = find_duplicates(
                self.incidents(),
                str(self.type_box.currentData()),
                self.lon,
                self.lat,
                self.clock(),
                wf.duplicate_radius_m,
                wf.duplicate_window_seconds,
            )
            if self.duplicates:
                self._show_duplicates()
                return False
        self.pending = True
        self.submit_button.setEnabled(False)
        self.bridge.call(self.command(), self._on_reply)
        return True

    def _on_reply(self, reply: Reply) -> None:
        self.pending = False
        self.submit_button.setEnabled(True)
        if not reply.ok:
            show_message(self.message_label, refused_text(reply.error))
            return
        result = reply.result if isinstance(reply.result, dict) else {}
        iid = result.get("incident_id")
        if not isinstance(iid, int):
            show_message(self.message_label, refused_text(f"unexpected reply {reply.result!r}"))
            return
        self.created_id = iid
        self.incidentCreated.emit(iid)
        self.accept()

    # ------------------------------------------------------------- duplicates

    def _show_duplicates(self) -> None:
        first = self.duplicates[0]
        assert self.lon is not None and self.lat is not None
        d = float(haversine_m(self.lon, self.lat, first.lon, first.lat))
        minutes = max(0, int((self.clock() - first.created_at) // 60))
        self.duplicate_label.setText(
            self.tr(
                "Likely duplicate: incident #%1 (%2) of the same type, %3 m away, "
                "reported %4 min ago at %5."
            )
            .replace("%1", str(first.id))
            .replace("%2", incident_type_name(self.config, first.incident_type))
            .replace("%3", f"{d:.0f}")
            .replace("%4", str(minutes))
            .replace("%5", first.address or f"{first.lon:.5f}, {first.lat:.5f}")
        )
        if first.calls > 1:
            self.duplicate_label.setText(
                self.duplicate_label.text()
                + " "
                + self.tr("It has %1 calls already.").replace("%1", str(first.calls))
            )
        self.merge_button.setText(self.tr("Merge into incident #%1").replace("%1", str(first.id)))
        self.open_existing_button.setText(
            self.tr("Open incident #%1 instead").replace("%1", str(first.id))
        )
        self.duplicate_frame.show()

    def _reset_duplicates(self) -> None:
        self.duplicates = []
        self.duplicate_accepted = False
        self.duplicate_frame.hide()

    def merge_command(self, incident_id: int) -> MergeIntoIncident:
        """The MergeIntoIncident recording this call on ``incident_id``."""
        caller = self.caller_edit.text().strip()
        return MergeIntoIncident(
            incident_id=incident_id,
            caller=normalise_phone(caller) if caller else "",
            description=self.description_edit.toPlainText().strip(),
            address=self.address_edit.text().strip(),
            lon=self.lon,
            lat=self.lat,
            source="call",
        )

    def merge_into_duplicate(self) -> bool:
        """Record this call on the likely duplicate; True when the command went out."""
        if not self.duplicates or self.pending:
            return False
        errors = self.validate()
        if errors:
            show_message(self.message_label, "\n".join(errors))
            return False
        target = self.duplicates[0].id
        self.pending = True
        self.merge_button.setEnabled(False)
        self.submit_button.setEnabled(False)
        self.bridge.call(self.merge_command(target), self._on_merged)
        return True

    def _on_merged(self, reply: Reply) -> None:
        self.pending = False
        self.merge_button.setEnabled(True)
        self.submit_button.setEnabled(True)
        if not reply.ok:
            show_message(self.message_label, refused_text(reply.error))
            return
        result = reply.result if isinstance(reply.result, dict) else {}
        iid, calls = result.get("incident_id"), result.get("calls")
        if not isinstance(iid, int) or not isinstance(calls, int):
            show_message(self.message_label, refused_text(f"unexpected reply {reply.result!r}"))
            return
        self.merged_into = iid
        self.incidentMerged.emit(iid, calls)
        self.accept()

    def open_duplicate(self) -> None:
        """Show the existing incident and close the form, recording nothing."""
        if self.duplicates:
            self.openIncidentRequested.emit(self.duplicates[0].id)
            self.reject()

    def create_anyway(self) -> None:
        """The operator judged it a different event: send it as new."""
        self.duplicate_accepted = True
        self.duplicate_frame.hide()
        self.submit()
