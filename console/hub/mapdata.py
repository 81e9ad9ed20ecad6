"""What a workstation's map asks the hub for besides live units: the static district
(outline, roads, stations, labels, crossings), built once per hub.

The heat of past 110 calls is answered by :mod:`console.hub.forecasting`, in the
district's own time zone.
"""

from __future__ import annotations

import numpy as np

from console.domain import District
from console.geo.intersections import intersections
from console.geo.roadgraph import RoadGraph
from console.hub.messages import StaticDistrict

MAX_ROAD_LABELS = 400


def static_district(
    district: District, graph: RoadGraph, tz: str = "Asia/Shanghai"
) -> StaticDistrict:
    """Everything a map draws that does not move, in one message (built once per hub);
    ``tz``: the district's zone, in which the console shows local times."""
    d = district
    segs = graph.segments_lonlat()
    labels = [
        (w.name, float(w.lon), float(w.lat), int(w.road_class))
        for w in graph.names_at()[:MAX_ROAD_LABELS]
        if w.name
    ]
    return StaticDistrict(
        code=d.code,
        name=d.name,
        approximate=d.approximate,
        outline=list(d.outline),
        stations=[{"code": s.code, "name": s.name, "lon": s.lon, "lat": s.lat} for s in d.stations],
        areas=[
            {"code": a.code, "name": a.name, "station": a.station_code, "polygon": list(a.polygon)}
            # the whole shape only when it is more than the one ring (Area.parts)
            | ({"parts": [[list(r) for r in part] for part in a.parts]} if a.parts else {})
            for a in d.areas
        ],
        fixed_points=[
            {"code": p.code, "name": p.name, "lon": p.lon, "lat": p.lat} for p in d.fixed_points
        ],
        landmarks=dict(d.landmarks),
        seg_lonlat=np.ascontiguousarray(segs.coords, dtype=np.float64).tobytes(),
        seg_class=np.ascontiguousarray(segs.road_class, dtype=np.int8).tobytes(),
        road_labels=labels,
        intersections=[(x.roads[0], x.roads[1], x.lon, x.lat) for x in intersections(graph)],
        tz=tz,
    )
