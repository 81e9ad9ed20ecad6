"""Every user-visible text of the map, in English, in the "MapView" translation context.

Collected here so ``pyside6-lupdate`` finds them all (``QT_TRANSLATE_NOOP``)
and the translator sees one list; ``tr`` looks the Chinese up at run time.
Placeholders in braces are filled with ``str.format`` after translation.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QCoreApplication

if TYPE_CHECKING:  # the stubs say "object"; at run time it returns the source string

    def QT_TRANSLATE_NOOP(context: str, source: str) -> str: ...
else:
    from PySide6.QtCore import QT_TRANSLATE_NOOP

CONTEXT = "MapView"

# unit statuses (keys are the wire values of console.domain.UnitStatus)
STATUS = {
    "available": QT_TRANSLATE_NOOP("MapView", "Available"),
    "dispatched": QT_TRANSLATE_NOOP("MapView", "Dispatched"),
    "en_route": QT_TRANSLATE_NOOP("MapView", "En route"),
    "on_scene": QT_TRANSLATE_NOOP("MapView", "On scene"),
    "off_duty": QT_TRANSLATE_NOOP("MapView", "Off duty"),
}
STALE = QT_TRANSLATE_NOOP("MapView", "No recent fix")
UNKNOWN_STATUS = QT_TRANSLATE_NOOP("MapView", "Unknown status ({status})")
UNKNOWN_TYPE = QT_TRANSLATE_NOOP("MapView", "Unknown type ({type})")

# incident statuses (console.domain.IncidentStatus)
INCIDENT_STATUS = {
    "new": QT_TRANSLATE_NOOP("MapView", "New"),
    "plan_proposed": QT_TRANSLATE_NOOP("MapView", "Plan proposed"),
    "approved": QT_TRANSLATE_NOOP("MapView", "Approved"),
    "dispatched": QT_TRANSLATE_NOOP("MapView", "Dispatched"),
    "en_route": QT_TRANSLATE_NOOP("MapView", "En route"),
    "on_scene": QT_TRANSLATE_NOOP("MapView", "On scene"),
    "closed": QT_TRANSLATE_NOOP("MapView", "Closed"),
    "cancelled": QT_TRANSLATE_NOOP("MapView", "Cancelled"),
}
PRIORITY = {
    1: QT_TRANSLATE_NOOP("MapView", "Priority 1"),
    2: QT_TRANSLATE_NOOP("MapView", "Priority 2"),
    3: QT_TRANSLATE_NOOP("MapView", "Priority 3"),
    4: QT_TRANSLATE_NOOP("MapView", "Priority 4"),
}

# tooltips
FIX_SECONDS = QT_TRANSLATE_NOOP("MapView", "Fix {age} s ago")
FIX_MINUTES = QT_TRANSLATE_NOOP("MapView", "Fix {age} min ago")
FIX_NONE = QT_TRANSLATE_NOOP("MapView", "No fix yet")
TIP_STATION = QT_TRANSLATE_NOOP("MapView", "Station: {station}")
TIP_AREA = QT_TRANSLATE_NOOP("MapView", "Area: {area}")
TIP_INCIDENT = QT_TRANSLATE_NOOP("MapView", "Incident #{id}")
TIP_UNITS = QT_TRANSLATE_NOOP("MapView", "Units: {units}")

# legend and overlays
LEGEND = QT_TRANSLATE_NOOP("MapView", "Legend")
UNIT_TYPES = QT_TRANSLATE_NOOP("MapView", "Unit types")
UNIT_STATUS = QT_TRANSLATE_NOOP("MapView", "Unit status")
INCIDENT_PRIORITY = QT_TRANSLATE_NOOP("MapView", "Incident priority")
POLICE_STATION = QT_TRANSLATE_NOOP("MapView", "Police station")
FIXED_POINT = QT_TRANSLATE_NOOP("MapView", "1-minute point")
HEAT_TITLE = QT_TRANSLATE_NOOP("MapView", "110 calls per km²")
HEAT_TOP = QT_TRANSLATE_NOOP(
    "MapView", "Darkest colour: {top} per km² or more (the hottest {share} % of cells); peak {peak}"
)
HEAT_EMPTY = QT_TRANSLATE_NOOP("MapView", "No calls on the map")
HEAT_TIP = QT_TRANSLATE_NOOP("MapView", "110 calls: {value} per km²")
APPROXIMATE = QT_TRANSLATE_NOOP("MapView", "{name} (approximate)")
NO_DISTRICT = QT_TRANSLATE_NOOP("MapView", "No district loaded")
COVERAGE_LEGEND = QT_TRANSLATE_NOOP("MapView", "Not reached within {minutes} min: {type}")
GAP_LABEL = QT_TRANSLATE_NOOP("MapView", "Gap {rank}: {km} km of road")
METRES = QT_TRANSLATE_NOOP("MapView", "{n} m")
KILOMETRES = QT_TRANSLATE_NOOP("MapView", "{n} km")


def tr(source: str, **kw: object) -> str:
    """Translate a source text from this module and fill its placeholders."""
    text = QCoreApplication.translate(CONTEXT, source)
    return text.format(**kw) if kw else text


def all_sources() -> list[str]:
    """Every source text (the translator's checklist)."""
    out: list[str] = []
    for name, v in globals().items():
        if not name.isupper() or name == "CONTEXT":
            continue
        if isinstance(v, str):
            out.append(v)
        elif isinstance(v, dict):
            out.extend(x for x in v.values() if isinstance(x, str))
    return sorted(set(out))
