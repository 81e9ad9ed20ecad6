"""Coverage right now, for the map's coverage layer and the coverage dock.

Per force type: the share of roads reached within its arrival standard, the road nodes
left uncovered (as coordinates for the map), and the relocations the plan engine
suggests now (refill stripped areas and 1-minute points, stage idle units ahead of the
calls the history expects).
"""

from __future__ import annotations

from typing import Any

import msgspec
import numpy as np

from console.config import Config
from console.geo.roadgraph import RoadGraph
from console.hub.situation import Situation
from console.planning.engine import PlanEngine
from console.planning.fleet import SituationView


def coverage_now(
    engine: PlanEngine, situation: Situation, graph: RoadGraph, config: Config, hour: int
) -> dict[str, Any]:
    """The ``GetCoverage`` result: report, uncovered nodes per type, move-ups (as dicts)."""
    view = SituationView.from_situation(situation)
    report = engine.coverage(view, hour)
    fleet = engine.fleet(view)
    nodes, avail = engine.snap_units(view)
    uncovered: dict[str, dict[str, bytes]] = {}
    for f in report.forces:
        ut = config.unit_types[f.unit_type]
        sel = np.flatnonzero(avail & fleet.type_mask([f.unit_type]))
        ok, _ = engine.cov.share(hour, np.maximum(nodes[sel], 0), ut.speed_factor, f.standard_s)
        bad = np.flatnonzero(~ok)
        uncovered[f.unit_type] = {
            "lon": graph.node_lon[bad].astype(np.float64).tobytes(),
            "lat": graph.node_lat[bad].astype(np.float64).tobytes(),
        }
    body = msgspec.to_builtins(report)
    for f in body["forces"]:
        for gap in f["gaps"]:
            gap.pop("node_ids", None)
    move_ups = [msgspec.to_builtins(m) for m in engine.move_ups(view, hour)]
    return {"report": body, "uncovered": uncovered, "move_ups": move_ups}
