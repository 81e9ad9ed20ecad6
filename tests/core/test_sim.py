"""The in-process simulation moves units along real roads, and to incidents."""

from __future__ import annotations

import numpy as np

from console.config import load_config
from console.demo.district import build_demo_district
from console.hub.bootstrap import build_graph
from console.sim import Simulator


def test_units_patrol_on_roads_and_drive_to_an_incident() -> None:
    cfg = load_config()
    d = build_demo_district()
    g = build_graph(d, cfg)
    sim = Simulator(g, d.units, {k: v.speed_factor for k, v in cfg.unit_types.items()}, seed=3)
    start_lon, start_lat = sim.lon.copy(), sim.lat.copy()
    for _ in range(30):
        sim.step(1.0)
    moved = np.hypot(sim.lon - start_lon, sim.lat - start_lat) > 1e-5
    fixed = np.array([u.fixed_point_code is not None for u in d.units])
    assert moved[~fixed].mean() > 0.5  # most patrols are moving
    assert not moved[fixed].any()  # special-police teams hold their 1-minute points
    # units move along edges: every position lies on the segment between two graph nodes,
    # so it is never farther from the nearest node than half the longest edge
    dist = g.snap_distance_m(sim.lon, sim.lat)
    assert dist.max() <= g.edge_len_m.max() / 2 + 1.0
    # send a patrol group to People's Square: it arrives and holds there
    i = next(k for k, u in enumerate(d.units) if u.unit_type == "patrol_group")
    sim.send_to(i, 121.4737, 31.2304)
    arrived: list[int] = []
    for _ in range(1200):
        _, a = sim.step(1.0)
        arrived += a
        if i in arrived:
            break
    assert i in arrived
    target = g.snap(121.4737, 31.2304)
    assert abs(sim.lon[i] - g.node_lon[target]) < 1e-9
    assert abs(sim.lat[i] - g.node_lat[target]) < 1e-9
    before = (sim.lon[i], sim.lat[i])
    sim.step(5.0)
    assert (sim.lon[i], sim.lat[i]) == before
