"""The hub's command table: which part carries out each workstation command.

Routing only (what a command does lives in the part it names); built once by the hub
from its parts, so the hub itself stays the thread, the rights check and the events.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from console.hub.admin import Administration
from console.hub.forecasting import Forecasting
from console.hub.incident_commands import IncidentCommands
from console.hub.incidents import IncidentBook
from console.hub.messages import (
    AckAlert,
    AmendPlan,
    ApprovePlan,
    CancelIncident,
    CloseIncident,
    Command,
    CreateIncident,
    CreateUser,
    DismissProposal,
    EnrollTerminal,
    Envelope,
    GetChronology,
    GetCoverage,
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
    PlanChanged,
    ProposePlan,
    ReassignOrder,
    RecordManualDelivery,
    RejectPlan,
    ResetPassword,
    RevokeTerminal,
    SetUnitStatus,
    SetUserDisabled,
    UnlockUser,
)
from console.hub.workflow import Workflow

Handler = Callable[[Any, Envelope], Any]


def plan_result(ev: PlanChanged) -> dict[str, Any]:
    """The reply to a plan command: where the plan stands."""
    return {
        "plan_id": ev.plan_id,
        "status": ev.status,
        "approvals": list(ev.approvals),
        "approvals_needed": ev.approvals_needed,
    }


def command_table(
    *,
    workflow: Workflow,
    admin: Administration,
    incidents: IncidentBook,
    incident_commands: IncidentCommands,
    forecasting: Forecasting,
    snapshot: Handler,
    district: Handler,
    stats: Callable[[float, float], Any],
    coverage: Callable[[], Any],
) -> dict[type[Command], Handler]:
    """Each command type and the call that carries it out (``c``: command, ``e``: envelope
    with the signed-in actor)."""
    wf, adm, ic, plans = workflow, admin, incident_commands, workflow.plans
    return {
        GetSnapshot: snapshot,
        GetDistrict: district,
        CreateIncident: ic.create,
        MergeIntoIncident: ic.merge,
        SetUnitStatus: ic.set_unit_status,
        CloseIncident: ic.close,
        CancelIncident: ic.cancel,
        Login: lambda c, e: adm.login(c.username, c.password),
        Logout: lambda c, e: adm.logout(e.token),
        CreateUser: lambda c, e: adm.create_user(c.username, c.display_name, c.password, c.role),
        ListUsers: lambda c, e: adm.list_users(),
        SetUserDisabled: lambda c, e: adm.set_disabled(c.username, c.disabled, e.actor),
        ResetPassword: lambda c, e: adm.reset_password(c.username, c.new_password),
        UnlockUser: lambda c, e: adm.unlock(c.username, e.actor, e.workstation),
        ListUnits: lambda c, e: adm.list_units(),
        EnrollTerminal: lambda c, e: adm.enroll(c.call_sign, c.endpoint, e.actor),
        RevokeTerminal: lambda c, e: adm.revoke(c.public_key, c.call_sign),
        ProposePlan: lambda c, e: plan_result(
            plans.propose(c.incident_id, e.actor, c.force_level, c.manpower)
        ),
        ApprovePlan: lambda c, e: plan_result(plans.approve(c.plan_id, e.actor)),
        RejectPlan: lambda c, e: plan_result(plans.reject(c.plan_id, c.reason, e.actor)),
        AmendPlan: lambda c, e: plan_result(
            plans.amend(c.plan_id, c.remove, c.add, c.reason, e.actor)
        ),
        GetPlan: lambda c, e: plans.for_incident(c.incident_id),
        GetChronology: lambda c, e: incidents.chronology(c.incident_id),
        GetStats: lambda c, e: stats(c.t0, c.t1),
        GetCoverage: lambda c, e: coverage(),
        AckAlert: lambda c, e: wf.alerts.ack(c.alert_id, e.actor).alert_id,
        ReassignOrder: lambda c, e: wf.reassignment.reassign(c.alert_id, c.call_sign, e.actor),
        DismissProposal: lambda c, e: wf.reassignment.dismiss_proposal(
            c.alert_id, c.reason, e.actor
        ),
        RecordManualDelivery: lambda c, e: wf.delivery.record(
            c.order_id, c.channel, c.contact, c.at, c.accepted, e.actor
        ),
        OrderReceipt: lambda c, e: wf.orders.receipt(
            c.order_id, c.state, c.reason, c.outcome, e.actor
        ),
        # the heat engine: checked here, computed on its worker thread (see deliver)
        GetHeat: lambda c, e: forecasting.heat(c),
        GetHotspots: lambda c, e: forecasting.hotspots(c),
        GetForecast: lambda c, e: forecasting.forecast(c),
        GetPatrolFocus: lambda c, e: forecasting.patrol_focus(c),
    }
