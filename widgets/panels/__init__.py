"""Dockable side panels of the main window: incidents, units, map layers."""

from widgets.panels.incident_list import IncidentListPanel, IncidentTableModel
from widgets.panels.layer_panel import LayerPanel
from widgets.panels.unit_list import UnitListPanel, UnitTableModel

__all__ = [
    "IncidentListPanel",
    "IncidentTableModel",
    "LayerPanel",
    "UnitListPanel",
    "UnitTableModel",
]
