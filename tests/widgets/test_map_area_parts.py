"""An area drawn on the map is its whole shape: every part of a multipolygon and the rings
of its holes, not only its largest ring (a real district's areas are often split)."""

from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import msgspec

from console.hub.mapdata import static_district
from tests.conftest import DemoParts
from widgets.map.district import place


def _rings(path: object) -> int:
    """Closed subpaths of a painter path (each ring is one)."""
    return sum(1 for i in range(path.elementCount()) if path.elementAt(i).isMoveTo())  # type: ignore[attr-defined]


def test_every_part_and_hole_of_an_area_is_drawn(demo_parts: DemoParts) -> None:
    from widgets.map.projection import DisplayProjection

    d = static_district(demo_parts.district, demo_parts.graph)
    lon0, lat0 = d.outline[0]
    proj = DisplayProjection(lon0, lat0, "wgs84")
    base = _rings(place(d, proj).areas)
    a = dict(d.areas[0])
    outer = [list(p) for p in a["polygon"]]
    xs = [p[0] for p in outer]
    ys = [p[1] for p in outer]
    cx, cy = sum(xs) / len(xs), sum(ys) / len(ys)
    hole = [
        [cx - 1e-4, cy - 1e-4],
        [cx + 1e-4, cy - 1e-4],
        [cx + 1e-4, cy + 1e-4],
        [cx - 1e-4, cy - 1e-4],
    ]
    island = [[x + 0.05, y] for x, y in outer[:4]]
    a["parts"] = [[outer, hole], [island]]  # two parts, the first with a hole
    split = msgspec.structs.replace(d, areas=[a, *d.areas[1:]])
    assert _rings(place(split, proj).areas) == base + 2  # the hole and the island too
