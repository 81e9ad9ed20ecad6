"""The start-up check for steps a killed hub left half-done.

An approval and its orders are one transaction now (:mod:`console.hub.plans`), so a hub
killed during one leaves the plan awaiting approval or the incident dispatched with its
orders.  A database written by an older hub may still hold the two half-done states the
old separate transactions allowed; at start the hub finds them and:

- an incident approved (or dispatched) with no order at all is *flagged*: an alert on
  every workstation says so, and the plan book lets a supervisor plan it again
  (:meth:`~console.hub.plans.PlanBook.stranded`);
- an incident whose orders were written but whose status never moved on is *repaired*:
  it is recorded as dispatched (the chronology says why), since its orders are out.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field

from console.domain import IncidentStatus
from console.hub.alerts import AlertBoard
from console.hub.incidents import IncidentBook
from console.hub.messages import Event
from console.hub.orders import OrderDesk
from console.hub.plans import PlanBook

log = logging.getLogger(__name__)

STRANDED = "approval_without_orders"
"""The alert kind of an incident approved without orders."""
BEFORE_DISPATCH = (
    IncidentStatus.NEW.value,
    IncidentStatus.PLAN_PROPOSED.value,
    IncidentStatus.APPROVED.value,
)


@dataclass
class RepairReport:
    """What the start-up check found: incidents flagged and incidents repaired."""

    stranded: list[int] = field(default_factory=list)
    dispatched: list[int] = field(default_factory=list)


def repair_half_done(
    incidents: IncidentBook,
    plans: PlanBook,
    orders: OrderDesk,
    alerts: AlertBoard,
    emit: Callable[[Event], None],
) -> RepairReport:
    """Flag or repair every open incident a cut-short approval left half-done."""
    report = RepairReport()
    for iid in incidents.open_ids():
        st = incidents.state(iid)
        if st is None:
            continue
        if plans.stranded(iid):
            report.stranded.append(iid)
            log.warning("incident %d is %s without orders: flagged for a new plan", iid, st.status)
            alerts.raise_alert(
                f"stranded:{iid}",
                "critical",
                STRANDED,
                f"警情 {iid} 已批准但指令从未写入(批准中断): 请重新生成方案并批准",
                f"incident {iid} was approved but no order was ever written (the approval was "
                "cut short): propose a new plan and approve it",
                iid,
            )
        elif st.status in BEFORE_DISPATCH and orders.has_orders(iid):
            report.dispatched.append(iid)
            log.warning("incident %d had its orders but was still %s: dispatched", iid, st.status)
            incidents.set_status(
                iid,
                IncidentStatus.DISPATCHED,
                "system",
                {"repaired": f"orders were written before a restart; status was {st.status}"},
                emit,
            )
    return report
