"""The patrol-focus dock: for a shift, the few places in each responsibility area where a unit
on patrol is nearest to the most expected calls, and the button that posts one as a patrol.

Posting a point registers an incident of type ``patrol`` at it (source
"forecast"), so the plan engine proposes the nearest free patrol unit, a
supervisor approves, and the order goes through the outbox like any other;
this panel only says which point, and marks points that already have an open
patrol incident nearby.  It lists each area's free patrol units beside its
expected calls, so the operator sees where posting a point leaves nobody.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

from PySide6.QtCore import QDateTime, QEvent, Qt, QTime, QTimer, Signal
from PySide6.QtGui import QBrush, QColor, QFont
from PySide6.QtWidgets import (
    QComboBox,
    QFormLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QSpinBox,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from console.config import Config
from console.hub.messages import GetPatrolFocus, Reply
from console.workstation.situation import (
    Change,
    IncidentUpdated,
    Reset,
    SituationModel,
    UnitUpdated,
)
from widgets.bridge import HubBridge
from widgets.panels.common import CLOSED_INCIDENT
from widgets.panels.forecast_panel import local_text, zone_of

PATROL_TYPE = "patrol"
SHIFT_STARTS = (0, 8, 16)  # local hours a shift may start at (three shifts a day)
SHIFT_S = 8 * 3600.0
POSTED_M = 150.0  # an open patrol incident this close marks a point as posted
RADII_M = (200, 300, 500)
POINT_ROLE = Qt.ItemDataRole.UserRole


@dataclass(frozen=True)
class FocusPoint:
    """A patrol point as the list holds it."""

    area_code: str
    area_name: str
    rank: int
    lon: float
    lat: float
    expected: float  # calls expected within the radius during the shift


def metres(a: tuple[float, float], b: tuple[float, float]) -> float:
    """Ground distance between two WGS84 points (equirectangular: fine below a few km)."""
    k = math.cos(math.radians((a[1] + b[1]) / 2.0))
    return math.hypot((a[0] - b[0]) * 111_320.0 * k, (a[1] - b[1]) * 110_540.0)


class PatrolFocusPanel(QWidget):
    """Shift, points per area and radius; the areas and their points; the post button."""

    focusLoaded = Signal(object)  # the GetPatrolFocus result (dict)
    pointActivated = Signal(object)  # FocusPoint the operator picked (zoom to it)
    postRequested = Signal(object)  # FocusPoint to post as a patrol
    requested = Signal(object)  # the GetPatrolFocus just sent
    listChanged = Signal()  # the list was (re)filled: posted marks or free units may differ

    def __init__(
        self,
        config: Config,
        bridge: HubBridge,
        situation: SituationModel,
        clock: Any,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("patrolFocusPanel")
        self.config = config
        self.bridge = bridge
        self.situation = situation
        self.clock = clock
        self.result: dict[str, Any] | None = None
        self.tz = "Asia/Shanghai"
        self.last_command: GetPatrolFocus | None = None
        self.requests = 0
        self._token = 0
        self._state = ""
        pt = config.incident_types.get(PATROL_TYPE)
        self.patrol_types = set(pt.unit_types) if pt is not None else {"patrol_group"}

        form = QFormLayout()
        self.shift_box, self.shift_label = QComboBox(self), QLabel(self)
        self.shift_box.setObjectName("patrolShift")
        self.per_area, self.per_area_label = QSpinBox(self), QLabel(self)
        self.per_area.setRange(1, 5)
        self.per_area.setValue(2)
        self.radius_box, self.radius_label = QComboBox(self), QLabel(self)
        for m in RADII_M:
            self.radius_box.addItem(f"{m} m", m)
        self.radius_box.setCurrentIndex(RADII_M.index(300))
        form.addRow(self.shift_label, self.shift_box)
        form.addRow(self.per_area_label, self.per_area)
        form.addRow(self.radius_label, self.radius_box)
        self.go = QPushButton(self)
        self.go.setObjectName("computePatrolFocus")
        self.post = QPushButton(self)
        self.post.setObjectName("postPatrolPoint")
        self.post.setEnabled(False)
        row = QHBoxLayout()
        row.addWidget(self.go)
        row.addWidget(self.post)
        row.addStretch(1)

        self.tree = QTreeWidget(self)
        self.tree.setObjectName("patrolFocusList")
        self.tree.setColumnCount(3)
        self.tree.setMinimumHeight(240)
        self.tree.setAlternatingRowColors(True)
        head = self.tree.header()
        head.setStretchLastSection(False)
        head.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        for col in (1, 2):
            head.setSectionResizeMode(col, QHeaderView.ResizeMode.ResizeToContents)
        self.info = QLabel(self)
        self.info.setWordWrap(True)

        lay = QVBoxLayout(self)
        lay.setContentsMargins(4, 4, 4, 4)
        lay.addLayout(form)
        lay.addLayout(row)
        lay.addWidget(self.tree, 1)
        lay.addWidget(self.info)

        self.go.clicked.connect(self.request)
        self.post.clicked.connect(self.post_selected)
        self.tree.currentItemChanged.connect(self._on_current)
        self.tree.itemActivated.connect(lambda it, _c: self._activate(it))
        self.tree.itemClicked.connect(lambda it, _c: self._activate(it))
        # units and incidents change often: refresh the free units and posted marks at most
        # four times a second
        self.refill = QTimer(self)
        self.refill.setSingleShot(True)
        self.refill.setInterval(250)
        self.refill.timeout.connect(self._fill)
        self.situation.subscribe(self._on_situation)
        self.retranslateUi()

    # ------------------------------------------------------------------ shift

    def shift_choices(self) -> list[float | None]:
        """None (from now) and the next three shift starts in the district's zone."""
        now = QDateTime.fromSecsSinceEpoch(int(self.clock()), zone_of(self.tz))
        day = now.date()
        starts: list[float] = []
        for add in range(2):
            for h in SHIFT_STARTS:
                t = QDateTime(day.addDays(add), QTime(h, 0), zone_of(self.tz))
                if t.toSecsSinceEpoch() > now.toSecsSinceEpoch():
                    starts.append(float(t.toSecsSinceEpoch()))
        return [None, *starts[:3]]

    def _fill_shifts(self) -> None:
        current = self.shift_box.currentIndex()
        self.shift_box.blockSignals(True)
        self.shift_box.clear()
        for start in self.shift_choices():
            if start is None:
                self.shift_box.addItem(self.tr("From now, 8 hours"), None)
            else:
                text = self.tr("Shift from %1").replace(
                    "%1", local_text(start, self.tz, "MM-dd HH:mm")
                )
                self.shift_box.addItem(text, start)
        self.shift_box.setCurrentIndex(max(0, current))
        self.shift_box.blockSignals(False)

    # ------------------------------------------------------------------ requests

    def command(self) -> GetPatrolFocus:
        start = self.shift_box.currentData()
        t0 = None if start is None else float(start)
        return GetPatrolFocus(
            t0=t0,
            t1=None if t0 is None else t0 + SHIFT_S,
            per_area=int(self.per_area.value()),
            radius_m=float(self.radius_box.currentData()),
        )

    def request(self) -> None:
        """Ask the hub for the patrol focus of the chosen shift."""
        cmd = self.command()
        self._token += 1
        token = self._token
        self.last_command = cmd
        self.requests += 1
        self._state = "loading"
        self._show_info()
        self.requested.emit(cmd)
        self.bridge.call(cmd, lambda r: self._on_reply(r, token), timeout_s=60.0)

    def _on_reply(self, reply: Reply, token: int) -> None:
        if token != self._token:
            return
        if not reply.ok:
            self._state = f"error:{reply.error}"
            self._show_info()
            return
        res = reply.result
        if not isinstance(res, dict) or not isinstance(res.get("areas"), list):
            self._state = "error:" + self.tr("the reply lists no areas")
            self._show_info()
            return
        self.result = res
        self.tz = str(res.get("tz", self.tz))
        self._state = ""
        self._fill()
        self._fill_shifts()
        self._show_info()
        self.focusLoaded.emit(res)

    # ------------------------------------------------------------------ list

    def points(self) -> list[FocusPoint]:
        """Every patrol point of the last answer, area by area."""
        out: list[FocusPoint] = []
        for a in (self.result or {}).get("areas", []):
            for p in a.get("points", []):
                out.append(
                    FocusPoint(
                        str(a["area_code"]),
                        str(a.get("area_name", a["area_code"])),
                        int(p["rank"]),
                        float(p["lon"]),
                        float(p["lat"]),
                        float(p["expected"]),
                    )
                )
        return out

    def posted_incident(self, point: FocusPoint) -> int | None:
        """The open patrol incident already at this point, if any."""
        for inc in self.situation.open_incidents():
            if inc.incident_type != PATROL_TYPE or inc.status in CLOSED_INCIDENT:
                continue
            if metres((inc.lon, inc.lat), (point.lon, point.lat)) <= POSTED_M:
                return inc.id
        return None

    def free_units(self, area_code: str) -> int:
        """Available patrol units of the area now."""
        return sum(
            1
            for u in self.situation.unit_list()
            if u.area == area_code and u.status == "available" and u.unit_type in self.patrol_types
        )

    def _fill(self) -> None:
        keep = self.selected_point()
        self.tree.clear()
        bold = QFont(self.font())
        bold.setBold(True)
        points = self.points()
        # busiest areas first: where a patrol matters most
        areas = sorted(
            (self.result or {}).get("areas", []),
            key=lambda a: -float(a.get("expected_total", 0.0)),
        )
        for a in areas:
            code = str(a["area_code"])
            free = self.free_units(code)
            area = QTreeWidgetItem(
                [
                    code,
                    f"{float(a.get('expected_total', 0.0)):.1f}",
                    self.tr("%1 free").replace("%1", str(free)),
                ]
            )
            area.setToolTip(0, str(a.get("area_name", code)))
            area.setFont(0, bold)
            if free == 0:
                area.setForeground(2, QBrush(QColor("#c62828")))
            area.setTextAlignment(1, Qt.AlignmentFlag.AlignRight)
            self.tree.addTopLevelItem(area)
            for p in points:
                if p.area_code != code:
                    continue
                posted = self.posted_incident(p)
                state = (
                    self.tr("posted #%1").replace("%1", str(posted)) if posted is not None else ""
                )
                row = QTreeWidgetItem(
                    [
                        self.tr("Point %1").replace("%1", str(p.rank)),
                        f"{p.expected:.2f}",
                        state,
                    ]
                )
                row.setData(0, POINT_ROLE, p)
                row.setTextAlignment(1, Qt.AlignmentFlag.AlignRight)
                if posted is not None:
                    row.setForeground(2, QBrush(QColor("#2e7d32")))
                area.addChild(row)
                if keep is not None and (keep.area_code, keep.rank) == (p.area_code, p.rank):
                    self.tree.setCurrentItem(row)
            area.setExpanded(True)
        self._on_current(self.tree.currentItem(), None)
        self.listChanged.emit()

    def selected_point(self) -> FocusPoint | None:
        item = self.tree.currentItem()
        p = item.data(0, POINT_ROLE) if item is not None else None
        return p if isinstance(p, FocusPoint) else None

    def select_point(self, area_code: str, rank: int) -> FocusPoint:
        """Make a point the current row (KeyError if it is not listed)."""
        for i in range(self.tree.topLevelItemCount()):
            area = self.tree.topLevelItem(i)
            for k in range(area.childCount() if area is not None else 0):
                row = area.child(k) if area is not None else None
                p = row.data(0, POINT_ROLE) if row is not None else None
                if isinstance(p, FocusPoint) and (p.area_code, p.rank) == (area_code, rank):
                    assert row is not None
                    self.tree.setCurrentItem(row)
                    return p
        raise KeyError(f"no patrol point {rank} of area {area_code!r} in the list")

    def _on_current(self, item: QTreeWidgetItem | None, _prev: object) -> None:
        p = self.selected_point()
        self.post.setEnabled(p is not None and self.posted_incident(p) is None)

    def _activate(self, item: QTreeWidgetItem) -> None:
        p = item.data(0, POINT_ROLE)
        if isinstance(p, FocusPoint):
            self.pointActivated.emit(p)

    def post_selected(self) -> None:
        """Ask for the selected point to be posted as a patrol (the window sends it)."""
        p = self.selected_point()
        if p is None or self.posted_incident(p) is not None:
            return
        self.post.setEnabled(False)  # until the incident shows up (or the post fails)
        self.postRequested.emit(p)

    def post_failed(self, error: str) -> None:
        """The hub refused the patrol incident: say why, allow another try."""
        self._state = f"error:{error}"
        self._show_info()
        self._on_current(self.tree.currentItem(), None)

    def _on_situation(self, change: Change) -> None:
        changed = isinstance(change, Reset | IncidentUpdated | UnitUpdated)
        if changed and self.result is not None and not self.refill.isActive():
            self.refill.start()

    # ------------------------------------------------------------------ texts

    def _show_info(self) -> None:
        st = self._state
        if st == "loading":
            text = self.tr("Computing…")
        elif st.startswith("error:"):
            text = self.tr("Patrol focus unavailable: %1").replace("%1", st[6:])
        elif self.result is not None:
            r = self.result
            span = (
                f"{local_text(float(r['t0']), self.tz)} – "
                f"{local_text(float(r['t1']), self.tz, 'HH:mm')}"
            )
            text = self.tr(
                "Shift %1: expected calls per area, and within the radius of each point. "
                "Select a point and post it: the plan sends the nearest free patrol unit."
            ).replace("%1", span)
        else:
            text = self.tr("Press “Patrol focus” for the points of the chosen shift.")
        self.info.setText(text)

    def retranslateUi(self) -> None:
        """Re-read every text (on LanguageChange)."""
        self.shift_label.setText(self.tr("Shift"))
        self.per_area_label.setText(self.tr("Points per area"))
        self.radius_label.setText(self.tr("Patrol radius"))
        self.go.setText(self.tr("Patrol focus"))
        self.post.setText(self.tr("Post patrol point"))
        self.tree.setHeaderLabels(
            [self.tr("Area / point"), self.tr("Expected calls"), self.tr("Patrol units")]
        )
        self._fill_shifts()
        if self.result is not None:
            self._fill()
        self._show_info()

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslateUi()
        super().changeEvent(event)
