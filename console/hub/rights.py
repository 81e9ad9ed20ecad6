"""Which roles may send which command: checked in the hub, whatever a workstation shows.

Kept apart from the hub so the table reads as one page and the workstation server
(``console.link.workstation``) can name the commands it accepts without the hub.
"""

from __future__ import annotations

from console.hub.messages import (
    AckAlert,
    AddCrowdCount,
    AmendPlan,
    ApprovePlan,
    CancelIncident,
    CloseIncident,
    Command,
    CreateIncident,
    CreateUser,
    DismissProposal,
    EnrollTerminal,
    GetChronology,
    GetCoverage,
    GetCrowd,
    GetCrowdPlaces,
    GetDistrict,
    GetForecast,
    GetHeat,
    GetHotspots,
    GetPatrolFocus,
    GetPlan,
    GetSnapshot,
    GetStats,
    ListUnits,
    ListUsers,
    Login,
    Logout,
    MergeIntoIncident,
    OrderReceipt,
    ProposePlan,
    RaiseCrowdIncident,
    ReassignOrder,
    RecordManualDelivery,
    RejectPlan,
    ResetPassword,
    RevokeTerminal,
    SetUnitStatus,
    SetUserDisabled,
    UnlockUser,
)
from console.hub.messages_sensing import SENSING_RIGHTS
from console.hub.messages_shift import SHIFT_RIGHTS

ALL_STAFF = frozenset({"operator", "supervisor", "admin"})
SUPERVISORS = frozenset({"supervisor"})
ADMINS = frozenset({"admin"})
ANYONE = frozenset({"operator", "supervisor", "admin", "terminal", "anonymous"})
CAMERAS = frozenset({"camera"})
"""A camera's own role: it may report what it saw (``CameraReport``) and nothing else,
not even sign in or read the situation (console/hub/sensing.py)."""
RIGHTS: dict[type[Command], frozenset[str]] = {
    Login: ANYONE,
    Logout: ANYONE,
    CreateUser: ADMINS,
    ListUsers: ADMINS,
    SetUserDisabled: ADMINS,
    UnlockUser: ADMINS,
    ResetPassword: ADMINS,
    ListUnits: ADMINS,
    EnrollTerminal: ADMINS,
    RevokeTerminal: ADMINS,
    GetSnapshot: ALL_STAFF,
    GetDistrict: ALL_STAFF,
    GetHeat: ALL_STAFF,
    GetPlan: ALL_STAFF,
    GetChronology: ALL_STAFF,
    GetStats: ALL_STAFF,
    GetCoverage: ALL_STAFF,
    CreateIncident: ALL_STAFF,
    MergeIntoIncident: ALL_STAFF,
    SetUnitStatus: ALL_STAFF,
    CloseIncident: ALL_STAFF,
    CancelIncident: frozenset({"supervisor", "admin"}),
    ProposePlan: ALL_STAFF,
    ApprovePlan: SUPERVISORS,
    RejectPlan: SUPERVISORS,
    AmendPlan: SUPERVISORS,
    AckAlert: ALL_STAFF,
    ReassignOrder: SUPERVISORS,
    RecordManualDelivery: ALL_STAFF,
    DismissProposal: SUPERVISORS,
    OrderReceipt: frozenset({"terminal", "system"}),
    GetHotspots: ALL_STAFF,
    GetForecast: ALL_STAFF,
    GetPatrolFocus: ALL_STAFF,
    # crowd places (console/hub/crowding.py); devices and cameras count through the link's
    # and the video pipeline's hub entry (Crowding.add_count), not through this command
    GetCrowdPlaces: ALL_STAFF,
    GetCrowd: ALL_STAFF,
    AddCrowdCount: ALL_STAFF | {"system"},
    RaiseCrowdIncident: ALL_STAFF,
    **SHIFT_RIGHTS,  # history, reports, shift log, handover (console/hub/shift.py)
    **SENSING_RIGHTS,  # camera reports (role "camera" only), confirm/dismiss (sensing.py)
}
