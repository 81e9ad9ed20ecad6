"""The live situation map (pyqtgraph): :class:`MapView` and its legend."""

from widgets.map.legend import MapLegend
from widgets.map.view import MapView

__all__ = ["MapLegend", "MapView"]
