"""Which texts the map writes, from which zoom on, in which order and style.

Priority is the list order: station names win over coverage gaps, 1-minute
points, area codes, road names and finally call signs (the most numerous).
Road names and call signs also keep off unit, incident and station symbols.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import numpy.typing as npt
from PySide6.QtGui import QColor

from widgets.map import style as st
from widgets.map.layers.coverage import GAP_COLOUR
from widgets.map.layers.labels import LabelGroup, LabelSource, make_font

if TYPE_CHECKING:
    from collections.abc import Callable

    from widgets.map.view import MapView

F64 = npt.NDArray[np.float64]
_EMPTY: tuple[F64, F64, list[str]] = (np.zeros(0), np.zeros(0), [])
MAX_GAP_LABELS = 5


def map_label_groups(view: MapView) -> list[LabelGroup]:
    """The label groups of a :class:`MapView`, reading its current data on every paint."""

    def placed(attr_x: str, attr_y: str, attr_t: str) -> LabelSource:
        def source() -> tuple[F64, F64, list[str]]:
            p = view.placed
            if p is None:
                return _EMPTY
            return getattr(p, attr_x), getattr(p, attr_y), getattr(p, attr_t)

        return source

    def visible(key: str) -> Callable[[], bool]:
        return lambda: view.is_layer_visible(key)

    def call_signs() -> tuple[F64, F64, list[str]]:
        t = view.table
        return t.x, t.y, t.call_signs

    def gaps() -> tuple[F64, F64, list[str]]:
        return view.gap_x, view.gap_y, view.gap_texts

    white = QColor(255, 255, 255, 200)
    return [
        LabelGroup(
            "stations",
            placed("station_x", "station_y", "station_names"),
            visible("stations"),
            0.0,
            100,
            make_font(13, bold=True),
            st.STATION_COLOUR,
            offset=(12, 0),
            background=white,
            alternatives=((-12, 0),),
        ),
        LabelGroup(
            "coverage_gaps",
            gaps,
            visible("coverage"),
            0.0,
            MAX_GAP_LABELS,
            make_font(12, bold=True),
            GAP_COLOUR.darker(125),
            centred=True,
            background=QColor(255, 255, 255, 225),
            alternatives=((0, -22), (0, 22), (0, -44), (0, 44), (-90, 0), (90, 0)),
        ),
        LabelGroup(
            "fixed_points",
            placed("point_x", "point_y", "point_names"),
            visible("fixed_points"),
            st.ZOOM_FIXED_POINT_NAMES,
            100,
            make_font(12),
            st.FIXED_POINT_COLOUR,
            offset=(11, 0),
            background=white,
        ),
        LabelGroup(
            "areas",
            placed("area_x", "area_y", "area_codes"),
            visible("areas"),
            st.ZOOM_AREA_CODES,
            200,
            make_font(12, bold=True),
            st.AREA_LABEL,
            centred=True,
            background=QColor(255, 255, 255, 150),
        ),
        LabelGroup(
            "roads",
            placed("road_x", "road_y", "road_names"),
            visible("roads"),
            st.ZOOM_ROAD_NAMES,
            st.MAX_ROAD_LABELS,
            make_font(12, italic=True),
            QColor("#4e342e"),
            centred=True,
            background=QColor(255, 255, 255, 170),
            avoid_symbols=True,
        ),
        LabelGroup(
            "call_signs",
            call_signs,
            visible("units"),
            st.ZOOM_CALL_SIGNS,
            st.MAX_CALL_SIGNS,
            make_font(11),
            QColor("#0d1b2a"),
            offset=(10, 0),
            background=QColor(255, 255, 255, 185),
            avoid_symbols=True,
            alternatives=((-10, 0), (8, -14), (8, 14), (-8, -14), (-8, 14)),
        ),
    ]
