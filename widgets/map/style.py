"""Colours, sizes and zoom thresholds of the map, kept in one place.

Unit colours and shapes come from ``config/unit_types.toml``; what is decided
here is how a *status* changes a unit's symbol, the incident priority colours,
road pens and the zoom levels (pixels per metre) at which labels appear.
"""

from __future__ import annotations

from PySide6.QtGui import QColor

# Unit drawing styles, one per status plus "stale fix"; index = column in the symbol atlas.
STYLE_AVAILABLE = 0
STYLE_DISPATCHED = 1
STYLE_EN_ROUTE = 2
STYLE_ON_SCENE = 3
STYLE_OFF_DUTY = 4
STYLE_STALE = 5
N_STYLES = 6

STATUS_STYLE: dict[str, int] = {
    "available": STYLE_AVAILABLE,
    "dispatched": STYLE_DISPATCHED,
    "en_route": STYLE_EN_ROUTE,
    "on_scene": STYLE_ON_SCENE,
    "off_duty": STYLE_OFF_DUTY,
}
# drawing order (low first): busy units end up on top of idle and stale ones
STYLE_Z = (2, 3, 4, 5, 0, 1)

UNIT_SYMBOL_PX = 15  # at close zoom
# (below this many pixels per metre, symbol size in px): smaller symbols when zoomed out
UNIT_SIZE_BY_ZOOM: tuple[tuple[float, int], ...] = ((0.22, 10), (0.5, 12))
OFF_DUTY_GREY = QColor("#9e9e9e")
STALE_GREY = QColor("#757575")
ON_SCENE_OUTLINE = QColor("#212121")
UNKNOWN_TYPE_COLOUR = "#607d8b"

PRIORITY_COLOURS: dict[int, QColor] = {
    1: QColor("#d50000"),  # red
    2: QColor("#ff6d00"),  # orange
    3: QColor("#ffd600"),  # yellow
    4: QColor("#2962ff"),  # blue
}
INCIDENT_PX = 24

# Base map
BACKGROUND = QColor("#dcdad5")
DISTRICT_FILL = QColor("#f4f2ec")
DISTRICT_OUTLINE = QColor("#37474f")
AREA_OUTLINE = QColor(70, 80, 170, 170)
AREA_LABEL = QColor("#3949ab")
STATION_COLOUR = QColor("#0d47a1")
FIXED_POINT_COLOUR = QColor("#b71c1c")

# road class -> (colour, casing colour or None, width px); 0 arterial .. 3 pedestrian
ROAD_STYLES: tuple[tuple[str, str | None, float], ...] = (
    ("#f6c26b", "#c49a4a", 4.0),
    ("#ffffff", "#b9b5ad", 2.6),
    ("#ffffff", "#cfc9bd", 1.3),
    ("#a9a49a", None, 0.8),
)

# Zoom thresholds in screen pixels per metre (the district fits at about 0.15-0.2).
ZOOM_FOOTPATHS = 0.25  # pedestrian ways only from here on (clutter and cost when zoomed out)
ZOOM_FIXED_POINT_NAMES = 0.12
ZOOM_AREA_CODES = 0.25
ZOOM_ROAD_NAMES = 0.45
ZOOM_CALL_SIGNS = 0.9
ZOOM_DISTRICT_NAME_MAX = 0.3
MAX_ROAD_LABELS = 40
MAX_CALL_SIGNS = 400

HIT_TOLERANCE_PX = 10.0
