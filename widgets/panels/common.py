"""Words, colours and clocks the panels share, so a status reads the same everywhere.

Status names are wire keys; their display texts go through Qt's
translator (context names below), looked up at paint time so a language
switch shows at once.  Config names (incident and unit types) come from the
TOML files in both languages and are picked by the current language.
"""

from __future__ import annotations

import time
from typing import cast

from PySide6.QtCore import QT_TRANSLATE_NOOP, QCoreApplication, QSize
from PySide6.QtGui import QColor
from PySide6.QtWidgets import QFrame, QScrollArea, QWidget

from console.config import Config
from widgets.i18n import is_chinese

CLOSED_INCIDENT = frozenset({"closed", "cancelled"})
OFF_DUTY = "off_duty"

UNIT_STATUS_TEXT = cast(
    dict[str, str],
    {
        "available": QT_TRANSLATE_NOOP("UnitStatus", "Available"),
        "dispatched": QT_TRANSLATE_NOOP("UnitStatus", "Dispatched"),
        "en_route": QT_TRANSLATE_NOOP("UnitStatus", "En route"),
        "on_scene": QT_TRANSLATE_NOOP("UnitStatus", "On scene"),
        "off_duty": QT_TRANSLATE_NOOP("UnitStatus", "Off duty"),
    },
)
UNIT_STATUS_COLOUR: dict[str, str] = {
    "available": "#2e7d32",
    "dispatched": "#ef6c00",
    "en_route": "#f9a825",
    "on_scene": "#c62828",
    "off_duty": "#757575",
}

INCIDENT_STATUS_TEXT = cast(
    dict[str, str],
    {
        "new": QT_TRANSLATE_NOOP("IncidentStatus", "New"),
        "plan_proposed": QT_TRANSLATE_NOOP("IncidentStatus", "Plan proposed"),
        "approved": QT_TRANSLATE_NOOP("IncidentStatus", "Approved"),
        "dispatched": QT_TRANSLATE_NOOP("IncidentStatus", "Dispatched"),
        "en_route": QT_TRANSLATE_NOOP("IncidentStatus", "Units en route"),
        "on_scene": QT_TRANSLATE_NOOP("IncidentStatus", "On scene"),
        "closed": QT_TRANSLATE_NOOP("IncidentStatus", "Closed"),
        "cancelled": QT_TRANSLATE_NOOP("IncidentStatus", "Cancelled"),
    },
)
PRIORITY_COLOUR: dict[int, str] = {1: "#d32f2f", 2: "#f57c00", 3: "#fbc02d", 4: "#1976d2"}


def unit_status_text(status: str) -> str:
    """Display text of a unit status key (the key itself when unknown)."""
    src = UNIT_STATUS_TEXT.get(status)
    return QCoreApplication.translate("UnitStatus", src) if src else status


def incident_status_text(status: str) -> str:
    """Display text of an incident status key (the key itself when unknown)."""
    src = INCIDENT_STATUS_TEXT.get(status)
    return QCoreApplication.translate("IncidentStatus", src) if src else status


def priority_text(priority: int) -> str:
    """P1..P4 in English, 1级..4级 in Chinese."""
    return QCoreApplication.translate("Priority", "P%1").replace("%1", str(priority))


def status_background(colour: str) -> QColor:
    """A light tint of a status colour, so black text on it stays legible."""
    c = QColor(colour)
    c.setAlpha(70)
    return c


def incident_type_name(config: Config, key: str) -> str:
    """Incident type name in the interface language, or the key if not configured."""
    it = config.incident_types.get(key)
    if it is None:
        return key
    return it.name_zh if is_chinese() else it.name_en


def unit_type_name(config: Config, key: str) -> str:
    """Unit type name in the interface language, or the key if not configured."""
    ut = config.unit_types.get(key)
    if ut is None:
        return key
    return ut.name_zh if is_chinese() else ut.name_en


def format_age(seconds: float | None) -> str:
    """Elapsed time as m:ss / h:mm:ss / "2 d 5 h"; an em dash when unknown."""
    if seconds is None or seconds != seconds:  # None or NaN
        return "—"
    s = max(0, int(seconds))
    if s < 3600:
        return f"{s // 60}:{s % 60:02d}"
    if s < 86400:
        return f"{s // 3600}:{s % 3600 // 60:02d}:{s % 60:02d}"
    return (
        QCoreApplication.translate("Age", "%1 d %2 h")
        .replace("%1", str(s // 86400))
        .replace("%2", str(s % 86400 // 3600))
    )


class HubClock:
    """The hub's time as seen here: wall clock plus the offset of the last hub stamp.

    Ages (time in status, fix age) must be measured against the hub's clock,
    not this machine's, or a skewed workstation shows negative ages.
    """

    def __init__(self) -> None:
        self.offset = 0.0

    def sync(self, hub_t: float) -> None:
        """Record a hub timestamp (Snapshot.t, UnitsMoved.t)."""
        if hub_t > 0:
            self.offset = hub_t - time.time()

    def now(self) -> float:
        """Current hub time in unix seconds."""
        return time.time() + self.offset


DOCK_MIN_WIDTH = 160
"""Narrowest a dock may be made (pixels); wider panels scroll inside it."""


class DockScroll(QScrollArea):
    """A scroll area that asks for its panel's full size, so docks open wide enough
    and scroll only when the operator (or a small screen) makes them smaller."""

    def sizeHint(self) -> QSize:
        inner = self.widget()
        if inner is None:
            return super().sizeHint()
        hint = inner.sizeHint()
        bar = self.verticalScrollBar().sizeHint().width()
        return QSize(hint.width() + bar, hint.height())


def scrollable(panel: QWidget) -> QScrollArea:
    """``panel`` in a frameless scroll area, so a tall dock never forces the main
    window taller than a 768-pixel screen (the dock scrolls instead)."""
    area = DockScroll()
    area.setObjectName(panel.objectName() + "Scroll" if panel.objectName() else "dockScroll")
    area.setWidget(panel)
    area.setWidgetResizable(True)
    area.setFrameShape(QFrame.Shape.NoFrame)
    area.setMinimumWidth(min(panel.minimumSizeHint().width(), DOCK_MIN_WIDTH))
    return area


def restyle(widget: QWidget, sheet: str) -> None:
    """Give ``widget`` the style sheet ``sheet`` unless it has it already: setting one, even
    the same, polishes the widget again and asks its window for a new layout."""
    if widget.styleSheet() != sheet:
        widget.setStyleSheet(sheet)
