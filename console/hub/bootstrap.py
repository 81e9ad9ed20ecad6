"""Assemble a running hub: config, store, district, road graph, call history.

Kept apart from the hub itself so tests can build a hub from parts, and so
the embedded (``python main.py``) and stand-alone (``python main.py hub``)
modes start the same way.
"""

from __future__ import annotations

import logging
import math
import time

import numpy as np
import numpy.typing as npt

from console.config import Config, load_config
from console.demo.district import build_demo_district
from console.demo.history import generate_call_history
from console.domain import District
from console.geo.roadgraph import RoadGraph
from console.hub.hub import CommandHub
from console.store import repos
from console.store.db import Store, default_db_url, open_store

log = logging.getLogger(__name__)

History = tuple[
    npt.NDArray[np.float64], npt.NDArray[np.float64], npt.NDArray[np.float64], list[str]
]
HISTORY_DAYS = 90


def build_graph(district: District, config: Config) -> RoadGraph:
    """The district's road graph with the configured speeds and time-of-day factors."""
    return RoadGraph.from_ways(district.ways, config.road_speeds, tod_factors=config.time_of_day)


def ensure_history(store: Store, district: District, now: float) -> History:
    """Load the 110-call history; generate the demo's 90 days (or the missing gap) once."""
    with store.transaction() as s:
        r = repos.CallHistoryRepo(s)
        span = r.time_span()
        start = (
            now - HISTORY_DAYS * 86400.0
            if span is None
            else max(span[1], now - HISTORY_DAYS * 86400.0)
        )
        if now - start > 6 * 3600.0:
            days = max(1, math.ceil((now - start) / 86400.0))
            h = generate_call_history(district, days=days, end_time=now, seed=int(now // 86400))
            keep = h.t > start
            types = np.asarray(h.types)[h.type_idx[keep]]
            r.insert_arrays(h.t[keep], h.lon[keep], h.lat[keep], types)
            log.info("added %d demo 110 calls to the history", int(keep.sum()))
        calls = r.query(now - HISTORY_DAYS * 86400.0, now + 1.0)
    return calls.t, calls.lon, calls.lat, [str(x) for x in calls.incident_type]


def start_embedded_hub(
    db_url: str | None = None,
    config: Config | None = None,
    simulate: bool = True,
) -> CommandHub:
    """Open the store, load the demo district and start a hub thread."""
    cfg = config or load_config()
    store = open_store(db_url or default_db_url())
    district = build_demo_district()
    with store.transaction() as s:
        repos.DistrictRepo(s).save_district(district)
    graph = build_graph(district, cfg)
    history = ensure_history(store, district, time.time())
    hub = CommandHub(
        cfg, store, district, graph, history, simulate=simulate and cfg.simulation.enabled
    )
    return hub.start()
