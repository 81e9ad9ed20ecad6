"""Force-deployment planning: run cards, travel times, joint assignment, coverage, move-ups.

Entry points::

    cards = load_run_cards(config)                       # config/run_cards.toml, validated
    engine = PlanEngine(config, cards, graph, district)  # once per graph and district
    plans = engine.plan([PlanRequest(...), ...], SituationView.from_situation(sit), hour)
    report = engine.coverage(view, hour)                 # coverage map layer
    moves = engine.move_ups(view, hour)                  # standing coverage gaps

Plans, coverage reports and move-ups are msgspec Structs (hub messages).
"""

from console.planning.coverage import CoverageReport
from console.planning.engine import PlanEngine, PlanError
from console.planning.fleet import SituationView
from console.planning.plan import MoveUp, Plan, PlanRequest, PlanSlot
from console.planning.runcards import RunCards, load_run_cards

__all__ = [
    "CoverageReport",
    "MoveUp",
    "Plan",
    "PlanEngine",
    "PlanError",
    "PlanRequest",
    "PlanSlot",
    "RunCards",
    "SituationView",
    "load_run_cards",
]
