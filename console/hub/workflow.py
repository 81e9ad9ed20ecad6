"""The command loop, assembled: plan -> supervisor decision -> orders -> receipts -> close,
with its timers, alerts and escalations.

The work is done by narrow parts, each built here from exactly what it needs:

- :class:`~console.hub.current_plans.CurrentPlans`: the current plan per incident;
- :class:`~console.hub.availability.Availability`: who may be sent now, the local hour;
- :class:`~console.hub.plans.PlanBook`: propose, approve (as many supervisors as the
  approval policy asks: none, one or two), reject, amend;
- :class:`~console.hub.orders.OrderDesk`: orders into the outbox, receipts, unit effects,
  cancellation, finishing;
- :class:`~console.hub.alerts.AlertBoard`: alerts raised once, acknowledged, decided;
- :class:`~console.hub.reassignment.Reassignment`: the replacement an escalation names and
  the supervisor's answer;
- :class:`~console.hub.timers.Timers`: overdue acknowledgements, expiries, late arrival,
  on scene too long;
- :class:`~console.hub.delivery.DeliveryDesk`: the alert for an order no terminal can
  receive, and the operator's record of delivering it by radio or phone.

:func:`build_workflow` is the one place that knows how they connect (who listens to
whom); :class:`Workflow` holds them for the hub and keeps the few names older callers
use (``order_listeners``, ``cancel_listeners``, ``unit_effect``, ``raise_alert``,
``check_timers``).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from console.config import Config
from console.domain import District, OrderState
from console.geo.roadgraph import RoadGraph
from console.hub.alerts import AlertBoard
from console.hub.approval_policy import FILE as POLICY_FILE
from console.hub.approval_policy import ApprovalPolicy, load_approval_policy
from console.hub.availability import Availability
from console.hub.bodies import ManualSlots
from console.hub.current_plans import CurrentPlans
from console.hub.delivery import DeliveryDesk
from console.hub.incidents import IncidentBook
from console.hub.localtime import SHANGHAI, LocalTime
from console.hub.messages import Alert
from console.hub.orders import CancelListener, OrderDesk, OrderListener
from console.hub.plans import PlanBook
from console.hub.publisher import Publisher
from console.hub.reassignment import Reassignment
from console.hub.situation import Situation
from console.hub.terminals import TerminalRegister
from console.hub.timers import Timers
from console.planning.demand import Demand
from console.planning.engine import PlanEngine
from console.planning.reassign import Proposal
from console.planning.runcards import load_run_cards
from console.store.db import Store

log = logging.getLogger(__name__)

History = tuple[
    npt.NDArray[np.float64], npt.NDArray[np.float64], npt.NDArray[np.float64], list[str]
]
"""Past 110 calls: times, longitudes, latitudes, incident types."""


def build_engine(
    config: Config,
    graph: RoadGraph,
    district: District,
    history: History,
    local: LocalTime = SHANGHAI,
) -> PlanEngine:
    """The plan engine on the district's run cards; coverage weighted by where and when
    (in the district's local hours) past calls came (without a usable history, by road
    length)."""
    cards = load_run_cards(config)
    engine = PlanEngine(config, cards, graph, district)
    set_demand(engine, history, local)
    return engine


def set_demand(engine: PlanEngine, history: History, local: LocalTime = SHANGHAI) -> None:
    """Weigh the engine's coverage by the call history (kept as it was if unusable)."""
    t, lon, lat, types = history
    if len(t):
        try:
            engine.demand = Demand.from_calls(
                engine.tt, engine.cards, local.hour_of_day(t), list(types), lon, lat
            )
        except ValueError as exc:
            log.warning("call history not used for coverage weights: %s", exc)


def approval_policy_for(config: Config) -> ApprovalPolicy:
    """The approval policy beside the config files (``approval_policy.toml``).

    A config directory without the file (one written before the policy existed) keeps the
    seed rule, which asks more approvals, never fewer; a file that is there but wrong
    raises :class:`~console.config.ConfigError` naming file, key and reason: the hub does
    not start on a policy it cannot read."""
    if not (config.source_dir / POLICY_FILE).exists():
        log.warning("no %s in %s: the seed rule applies", POLICY_FILE, config.source_dir)
        return ApprovalPolicy.seed()
    return load_approval_policy(config.source_dir, config)


@dataclass(frozen=True)
class Workflow:
    """The command loop's parts (see the module text), held together for the hub."""

    engine: PlanEngine
    current: CurrentPlans
    availability: Availability
    plans: PlanBook
    orders: OrderDesk
    alerts: AlertBoard
    reassignment: Reassignment
    timers: Timers
    delivery: DeliveryDesk

    @property
    def order_listeners(self) -> list[OrderListener]:
        """Told (order id, situation index, body) once an order is written (the link's kick,
        the stand-in terminals); the order desk's list."""
        return self.orders.order_listeners

    @property
    def cancel_listeners(self) -> list[CancelListener]:
        """Told (order id, unit store id, reason) once an open order is withdrawn."""
        return self.orders.cancel_listeners

    def unit_effect(
        self, i: int, incident_id: int, new: OrderState, cs: str, reason: str, order_id: str = ""
    ) -> None:
        """See :meth:`OrderDesk.unit_effect` (the link applies receipts in batches)."""
        self.orders.unit_effect(i, incident_id, new, cs, reason, order_id)

    def raise_alert(
        self,
        key: str,
        level: str,
        kind: str,
        text: str,
        text_en: str,
        incident_id: int | None,
        proposal: Proposal | None = None,
        order_id: str = "",
    ) -> Alert | None:
        """See :meth:`AlertBoard.raise_alert` (the link raises a terminal's feedback)."""
        return self.alerts.raise_alert(
            key, level, kind, text, text_en, incident_id, proposal, order_id
        )

    def check_timers(self) -> None:
        """See :meth:`Timers.check`."""
        self.timers.check()


def build_workflow(
    config: Config,
    store: Store,
    graph: RoadGraph,
    situation: Situation,
    incidents: IncidentBook,
    engine: PlanEngine,
    clock: Callable[[], float],
    publish: Publisher,
    release: Callable[[int], None],
    terminals: TerminalRegister | None = None,
    local: LocalTime = SHANGHAI,
    policy: ApprovalPolicy | None = None,
) -> Workflow:
    """Build the parts on the hub's store, situation and incident book, and connect them.

    ``release(i)``: the hub frees unit ``i`` outside an incident's closing (see
    :class:`OrderDesk`).  ``terminals``: which units a terminal reaches (default: none,
    a hub without a link).  ``local``: the district's clock.  ``policy``: how many
    supervisors approve a plan (default: :func:`approval_policy_for` the config).  The
    current plans are reloaded for the open incidents.
    """
    current = CurrentPlans(policy if policy is not None else approval_policy_for(config))
    current.load(store, incidents.open_ids())
    availability = Availability(situation, incidents, current, clock, local)
    slots = ManualSlots(config, graph, situation, clock, availability.hour)
    orders = OrderDesk(config, store, incidents, situation, clock, publish, release)
    availability.sent_at = orders.sent_at
    alerts = AlertBoard(store, incidents, clock, publish.event)
    plans = PlanBook(
        store,
        incidents,
        situation,
        engine,
        current,
        availability,
        slots,
        orders,
        clock,
        publish.event,
    )
    reassignment = Reassignment(
        store,
        incidents,
        situation,
        engine,
        current,
        availability,
        slots,
        alerts,
        orders,
        clock,
        publish,
    )
    orders.refusal_listeners.append(reassignment.on_refused)
    timers = Timers(
        config, store, incidents, situation, alerts, orders, reassignment.escalation, clock
    )
    delivery = DeliveryDesk(
        store,
        incidents,
        situation,
        terminals if terminals is not None else TerminalRegister(),
        alerts,
        orders,
        reassignment.escalation,
        clock,
    )
    orders.sent_listeners.append(delivery.on_sent)
    return Workflow(
        engine=engine,
        current=current,
        availability=availability,
        plans=plans,
        orders=orders,
        alerts=alerts,
        reassignment=reassignment,
        timers=timers,
        delivery=delivery,
    )
