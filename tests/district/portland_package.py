"""The Portland (Oregon) package for the real-calls import: outline, type map, a coarse road grid.

The 37,819 calls of the NIJ 2016 data set (``../shared/data/incidents``) need a
district whose outline covers them: the convex hull of the calls inside a box
around Portland, 300 m wider, simplified.  Stations are the three precincts
(approximate places), areas split the outline between them, roads are a
coarse grid (the package is marked approximate), the type map sends the
data's ``description`` values to this console's incident types and leaves
administrative ones (warrants, follow-ups, area checks) out on purpose.

``python -m tests.district.portland_package DIR [CALLS.csv]`` writes it
(the copy in ``resources/districts/portland`` was made that way).
"""

from __future__ import annotations

import csv
import sys
from pathlib import Path

import numpy as np
import shapely
from shapely.geometry import MultiPoint, Polygon, box

from console.geo.coords import LocalProjection
from tests.district.builders import PORTLAND_CALLS, feature, point, write_csv, write_json

BOX = (-123.0, 45.3, -122.3, 45.8)  # lon0, lat0, lon1, lat1: Portland and around
CENTRE = (-122.65, 45.53)
PRECINCTS = [  # approximate places of the three police precincts
    ("CEN", "Central Precinct", -122.6774, 45.5165),
    ("NOR", "North Precinct", -122.6605, 45.5626),
    ("EAS", "East Precinct", -122.5531, 45.5171),
]
TYPE_RULES = [  # first matching prefix wins
    ("STABBING", "knife_attack"),
    ("SHOOTING", "knife_attack"),
    ("SHOTS FIRED", "knife_attack"),
    ("ASSAULT", "fight"),
    ("ROBBERY", "robbery"),
    ("THEFT", "theft"),
    ("IDENTITY THEFT", "theft"),
    ("BURGLARY", "theft"),
    ("PROWLER", "theft"),
    ("VEHICLE STOLEN", "theft"),
    ("FRAUD", "theft"),
    ("DISTURBANCE", "dispute"),
    ("NOISE DISTURBANCE", "dispute"),
    ("PARTY DISTURBANCE", "dispute"),
    ("UNWANTED PERSON", "dispute"),
    ("THREAT", "dispute"),
    ("CIVIL - CIVIL PROBLEM", "dispute"),
    ("ACCIDENT", "traffic_accident"),
    ("HAZARD", "traffic_accident"),
    ("DRIVING UNDER INFLUENCE", "traffic_accident"),
    ("WELFARE CHECK", "mental_disturbance"),
    ("DETOX TRANSPORT", "mental_disturbance"),
    ("SUSPICIOUS", "suspicious_object"),
    ("BOMB", "suspicious_object"),
    ("CHEMICAL OR BIOLOGICAL", "suspicious_object"),
    ("VANDALISM", "thrown_object"),
]


def type_map_rows(values: list[str]) -> list[tuple[str, str]]:
    out = []
    for v in sorted(set(values)):
        for prefix, target in TYPE_RULES:
            if v.startswith(prefix):
                out.append((v, target))
                break
    return out


def write_portland_package(d: Path, calls: Path = PORTLAND_CALLS) -> Path:
    d.mkdir(parents=True, exist_ok=True)
    with calls.open(encoding="utf-8", newline="") as fh:
        rows = list(csv.DictReader(fh))
    lon = np.array([float(r["lon"] or "nan") for r in rows])
    lat = np.array([float(r["lat"] or "nan") for r in rows])
    ok = (lon > BOX[0]) & (lon < BOX[2]) & (lat > BOX[1]) & (lat < BOX[3])
    proj = LocalProjection(*CENTRE)
    x, y = proj.to_xy(lon[ok], lat[ok])
    hull = MultiPoint(np.column_stack([x, y])).convex_hull.buffer(300.0).simplify(150.0)
    ring = np.asarray(hull.exterior.coords)
    hlon, hlat = proj.to_lonlat(ring[:, 0], ring[:, 1])
    outline = [[round(float(a), 6), round(float(b), 6)] for a, b in zip(hlon, hlat, strict=True)]
    outline[-1] = outline[0]
    (d / "district.toml").write_text(
        "# Portland, Oregon: for the NIJ 2016 calls (stations, areas, roads approximate)\n"
        '[district]\ncode = "portland_nij"\nname = "Portland (NIJ 2016 calls)"\n'
        'time_zone = "America/Los_Angeles"\ncrs = "wgs84"\napproximate = true\n\n'
        '[files]\nroads = "roads.geojson"\nofficers = "officers.csv"\n\n'
        "[roads]\nmargin_m = 500.0\n",
        encoding="utf-8",
    )
    write_json(d / "outline.geojson", [feature({"type": "Polygon", "coordinates": [outline]})])
    poly_m = Polygon(ring)
    cut_x = (
        proj.to_xy(PRECINCTS[0][2], PRECINCTS[0][3])[0]
        + proj.to_xy(PRECINCTS[2][2], PRECINCTS[2][3])[0]
    ) / 2
    cut_y = proj.to_xy(-122.66, 45.545)[1]
    big = 1e6
    west = poly_m.intersection(box(-big, -big, cut_x, big))
    pieces = [
        ("NOR-N", "North", "NOR", west.intersection(box(-big, cut_y, big, big))),
        ("CEN-W", "Central / West", "CEN", west.intersection(box(-big, -big, big, cut_y))),
        ("EAS-E", "East", "EAS", poly_m.intersection(box(cut_x, -big, big, big))),
    ]
    areas = []
    for c, n, st, g in pieces:
        g = shapely.make_valid(g)
        polys = []
        for p in getattr(g, "geoms", [g]):
            if p.geom_type != "Polygon" or p.area <= 1:
                continue
            rx, ry = proj.to_lonlat(*np.asarray(p.exterior.coords).T)
            polys.append(
                [[[round(float(a), 6), round(float(b), 6)] for a, b in zip(rx, ry, strict=True)]]
            )
        for poly in polys:
            poly[0][-1] = poly[0][0]
        geom = (
            {"type": "Polygon", "coordinates": polys[0]}
            if len(polys) == 1
            else {"type": "MultiPolygon", "coordinates": polys}
        )
        areas.append(feature(geom, code=c, name=n, station=st))
    write_json(d / "areas.geojson", areas)
    write_json(
        d / "stations.geojson",
        [feature(point([lo, la]), code=c, name=n) for c, n, lo, la in PRECINCTS],
    )
    minx, miny, maxx, maxy = poly_m.bounds
    lines = []
    step = 1600.0
    for k, gx in enumerate(np.arange(minx, maxx + step, step)):
        ys = np.arange(miny, maxy + 200.0, 200.0)
        lo, la = proj.to_lonlat(np.full(len(ys), gx), ys)
        coords = [[round(float(a), 6), round(float(b), 6)] for a, b in zip(lo, la, strict=True)]
        cls = "arterial" if k % 4 == 0 else "secondary"
        lines.append(
            feature(
                {"type": "LineString", "coordinates": coords},
                name=f"N-S {k}",
                **{"class": cls},
                oneway=False,
            )
        )
    for k, gy in enumerate(np.arange(miny, maxy + step, step)):
        xs_ = np.arange(minx, maxx + 200.0, 200.0)
        lo, la = proj.to_lonlat(xs_, np.full(len(xs_), gy))
        coords = [[round(float(a), 6), round(float(b), 6)] for a, b in zip(lo, la, strict=True)]
        cls = "arterial" if k % 4 == 0 else "secondary"
        lines.append(
            feature(
                {"type": "LineString", "coordinates": coords},
                name=f"E-W {k}",
                **{"class": cls},
                oneway=False,
            )
        )
    write_json(d / "roads.geojson", lines)
    units = []
    officers = []
    for c, _n, lo, la in PRECINCTS:
        for j in range(1, 5):
            area = {"CEN": "CEN-W", "NOR": "NOR-N", "EAS": "EAS-E"}[c]
            cs = f"{c}-{j}"
            units.append((cs, "patrol_group", c, area, "", lo + 0.004 * (j - 2), la))
            officers.append((f"{cs}-A", f"Officer {cs} A", "Officer", "", cs, "officer"))
            officers.append((f"{cs}-B", f"Officer {cs} B", "Officer", "", cs, "officer"))
    write_csv(
        d / "units.csv", ("call_sign", "unit_type", "station", "area", "post", "lon", "lat"), units
    )
    write_csv(d / "officers.csv", ("officer_id", "name", "rank", "phone", "unit", "kind"), officers)
    write_csv(
        d / "calls-type-map.csv",
        ("value", "type"),
        type_map_rows([r["description"] for r in rows if r["description"]]),
    )
    return d


if __name__ == "__main__":
    target = Path(sys.argv[1])
    src = Path(sys.argv[2]) if len(sys.argv) > 2 else PORTLAND_CALLS
    write_portland_package(target, src)
    print(f"Portland package written to {target}")
