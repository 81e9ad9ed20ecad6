"""What a workstation keeps of the hub's situation, without Qt (the widgets observe it)."""

from console.workstation.situation import (
    AlertUpdated,
    Change,
    IncidentUpdated,
    Moved,
    PlanUpdated,
    Reset,
    SituationModel,
    UnitUpdated,
)

__all__ = [
    "AlertUpdated",
    "Change",
    "IncidentUpdated",
    "Moved",
    "PlanUpdated",
    "Reset",
    "SituationModel",
    "UnitUpdated",
]
