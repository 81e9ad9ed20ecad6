"""The open-incident list: now the incident board (:mod:`widgets.panels.incident_board`).

Kept so the main window and older callers import the same names; the board keeps the
list's API (``model.incidents()``, ``row_of``, ``select_incident``, ``visible_ids``,
``incidentActivated``) and adds filtering, the deadline column and ``incidentSelected``.
"""

from __future__ import annotations

from widgets.panels.incident_board import (
    ID_ROLE,
    SORT_ROLE,
    IncidentBoard,
    IncidentFilter,
    IncidentListPanel,
    IncidentTableModel,
)

__all__ = [
    "ID_ROLE",
    "SORT_ROLE",
    "IncidentBoard",
    "IncidentFilter",
    "IncidentListPanel",
    "IncidentTableModel",
]
