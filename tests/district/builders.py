"""Small district packages written by the tests: a synthetic street grid, and People's Square.

``write_grid_package`` makes a complete, valid package (GeoJSON roads) in a
few milliseconds, so every bad-input test starts from a good package and
breaks exactly one thing.  ``write_peoples_square`` builds a package around
the real OpenStreetMap extract in ``../shared/data`` with stations, areas and
units of our own.
"""

from __future__ import annotations

import csv
import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from console.geo.coords import LocalProjection
from console.geo.crs import from_wgs84

ROOT = Path(__file__).resolve().parents[2]
SHARED = ROOT.parent / "shared" / "data"
PEOPLES_SQUARE_OSM = SHARED / "osm" / "huangpu-peoples-square.osm"
PORTLAND_CALLS = SHARED / "incidents" / "portland-nij-2016-aug-sep.csv"

CENTRE = (121.47, 31.23)
P = LocalProjection(*CENTRE)


def ll(x: float, y: float) -> list[float]:
    """Local metres around CENTRE -> [lon, lat] (WGS-84)."""
    lon, lat = P.to_lonlat(float(x), float(y))
    return [round(float(lon), 7), round(float(lat), 7)]


def feature(geometry: dict[str, Any], **props: Any) -> dict[str, Any]:
    return {"type": "Feature", "properties": props, "geometry": geometry}


def polygon(points: Sequence[Sequence[float]], close: bool = True) -> dict[str, Any]:
    ring = [list(p) for p in points]
    if close:
        ring.append(list(ring[0]))
    return {"type": "Polygon", "coordinates": [ring]}


def point(p: Sequence[float]) -> dict[str, Any]:
    return {"type": "Point", "coordinates": list(p)}


def write_json(path: Path, features: list[dict[str, Any]]) -> None:
    path.write_text(
        json.dumps({"type": "FeatureCollection", "features": features}, ensure_ascii=False),
        encoding="utf-8",
    )


def write_csv(path: Path, header: Sequence[str], rows: Sequence[Sequence[Any]]) -> None:
    with path.open("w", encoding="utf-8", newline="") as fh:
        w = csv.writer(fh, lineterminator="\n")
        w.writerow(header)
        w.writerows(rows)


def read_json(path: Path) -> dict[str, Any]:
    doc: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    return doc


def toml(code: str, name: str, roads: str, crs: str = "wgs84", extra: str = "") -> str:
    return (
        f'[district]\ncode = "{code}"\nname = "{name}"\ntime_zone = "Asia/Shanghai"\n'
        f'crs = "{crs}"\napproximate = false\n\n[files]\nroads = "{roads}"\n'
        'points = "points.geojson"\nofficers = "officers.csv"\nroster = "roster.csv"\n'
        'gazetteer = "gazetteer.csv"\n' + extra
    )


def square(x0: float, y0: float, x1: float, y1: float) -> list[list[float]]:
    return [ll(x0, y0), ll(x1, y0), ll(x1, y1), ll(x0, y1)]


def write_grid_package(
    d: Path, *, crs: str = "wgs84", code: str = "grid", island: bool = False
) -> Path:
    """A 1 km square district: 6x6 street grid every 200 m, 2 stations, 4 areas, 5 units.

    ``crs``: write every coordinate in that system (the import converts back).
    ``island``: the grid covers the west half only; station S2 sits by a short
    one-way pair of streets in the east that does not connect (a split network).
    """
    d.mkdir(parents=True, exist_ok=True)

    def conv(p: list[float]) -> list[float]:
        if crs == "wgs84":
            return p
        lo, la = from_wgs84([p[0]], [p[1]], crs)
        return [float(lo[0]), float(la[0])]

    def pts(ps: list[list[float]]) -> list[list[float]]:
        return [conv(p) for p in ps]

    (d / "district.toml").write_text(toml(code, "网格区 (test)", "roads.geojson", crs), "utf-8")
    write_json(d / "outline.geojson", [feature(polygon(pts(square(-500, -500, 500, 500))))])
    areas = [
        ("A1", "西北", "S1", square(-500, 0, 0, 500)),
        ("A2", "东北", "S1", square(0, 0, 500, 500)),
        ("A3", "西南", "S2", square(-500, -500, 0, 0)),
        ("A4", "东南", "S2", square(0, -500, 500, 0)),
    ]
    write_json(
        d / "areas.geojson",
        [feature(polygon(pts(ring)), code=c, name=n, station=s) for c, n, s, ring in areas],
    )
    s2 = ll(380, -380) if island else ll(100, -100)
    write_json(
        d / "stations.geojson",
        [
            feature(point(conv(ll(-100, 100))), code="S1", name="一号派出所"),
            feature(point(conv(s2)), code="S2", name="二号派出所"),
        ],
    )
    write_json(
        d / "points.geojson",
        [
            feature(point(conv(ll(0, 0))), kind="fixed_point", code="FP1", name="中心广场"),
            feature(point(conv(ll(200, 200))), kind="landmark", name="网格大厦"),
        ],
    )
    lines = []
    xs = [-500, -300, -100, 100, 300, 500]
    east = [x for x in xs if x <= 0] if island else xs  # the island grid stops at x = 0
    for i, y in enumerate(xs):
        lines.append(
            feature(
                {
                    "type": "LineString",
                    "coordinates": pts([ll(x, y) for x in east + ([0] if island else [])]),
                },
                name=f"横{i}路",
                **{"class": "secondary" if i % 2 else "local"},
                oneway=False,
            )
        )
    for i, x in enumerate(east):
        lines.append(
            feature(
                {"type": "LineString", "coordinates": pts([ll(x, y) for y in xs])},
                name=f"纵{i}路",
                **{"class": "arterial" if i == 2 else "local"},
                oneway=False,
                speed_kmh=40 if i == 2 else None,
            )
        )
    if island:
        lines.append(
            feature(
                {"type": "LineString", "coordinates": pts([ll(300, -300), ll(450, -450)])},
                name="孤岛路",
                **{"class": "local"},
                oneway=True,
            )
        )
    write_json(d / "roads.geojson", lines)
    write_csv(
        d / "units.csv",
        ("call_sign", "unit_type", "station", "area", "post", "lon", "lat"),
        [
            ("G-1", "patrol_group", "S1", "A1", "", *conv(ll(-250, 250))),
            ("G-2", "patrol_group", "S1", "A2", "", *conv(ll(250, 250))),
            ("G-3", "patrol_group", "S2", "A3", "", *conv(ll(-250, -250))),
            ("G-4", "patrol_group", "S2", "A4", "", "", ""),
            ("SP-1", "special_police", "", "", "FP1", "", ""),
        ],
    )
    write_csv(
        d / "officers.csv",
        ("officer_id", "name", "rank", "phone", "unit", "kind"),
        [
            ("P001", "张三", "一级警员", "13800000001", "G-1", ""),
            ("A001", "李四", "辅警", "", "G-1", ""),
            ("P002", "王五", "二级警司", "13800000002", "G-2", ""),
            ("P003", "赵六", "一级警员", "", "G-3", ""),
            ("P004", "孙七", "一级警员", "", "G-4", ""),
            ("P005", "周八", "特警", "", "SP-1", ""),
        ],
    )
    write_csv(
        d / "roster.csv",
        ("date", "shift", "unit", "officers", "start", "end"),
        [
            ("2026-05-29", "白班", "G-1", "P001 A001", "08:00", "20:00"),
            ("2026-05-29", "夜班", "G-1", "P001", "20:00", "08:00"),
            ("2026-05-29", "白班", "G-2", "P002", "08:00", "20:00"),
            ("2026-05-28", "全天", "G-3", "P003", "00:00", "00:00"),
            ("2026-05-29", "全天", "G-3", "P003", "00:00", "00:00"),
            ("2026-05-28", "全天", "G-4", "P004", "00:00", "00:00"),
            ("2026-05-29", "全天", "G-4", "P004", "00:00", "00:00"),
            ("2026-05-28", "全天", "SP-1", "P005", "00:00", "00:00"),
            ("2026-05-29", "全天", "SP-1", "P005", "00:00", "00:00"),
        ],
    )
    write_csv(
        d / "gazetteer.csv",
        ("name", "kind", "lon", "lat", "street", "number"),
        [
            ("", "address", *conv(ll(-300, 110)), "横3路", "12"),
            ("网格百货", "building", *conv(ll(120, -300)), "", ""),
        ],
    )
    return d


PS_OUTLINE = [(121.4630, 31.2215), (121.4845, 31.2215), (121.4845, 31.2395), (121.4630, 31.2395)]
PS_LON_MID, PS_LAT_MID = 121.47375, 31.2305


def write_peoples_square(d: Path, osm: Path = PEOPLES_SQUARE_OSM) -> Path:
    """A test district around People's Square on the real OSM extract (roads are OSM's)."""
    d.mkdir(parents=True, exist_ok=True)
    (d / "roads.osm").write_bytes(osm.read_bytes())
    (d / "district.toml").write_text(
        toml(
            "huangpu_ps", "黄浦 人民广场 (test)", "roads.osm", extra="\n[roads]\nmargin_m = 3000\n"
        ),
        encoding="utf-8",
    )
    write_json(d / "outline.geojson", [feature(polygon(PS_OUTLINE), name="人民广场测试区")])
    w, e, s, n = 121.4630, 121.4845, 31.2215, 31.2395
    xm, ym = PS_LON_MID, PS_LAT_MID
    quads = [
        ("NDL-1", "南东第一责任区", "NDL", [(xm, ym), (e, ym), (e, n), (xm, n)]),
        ("NDL-2", "南东第二责任区", "NDL", [(w, ym), (xm, ym), (xm, n), (w, n)]),
        ("RMGC-1", "人广第一责任区", "RMGC", [(w, s), (xm, s), (xm, ym), (w, ym)]),
        ("RMGC-2", "人广第二责任区", "RMGC", [(xm, s), (e, s), (e, ym), (xm, ym)]),
    ]
    write_json(
        d / "areas.geojson",
        [
            feature(polygon([list(p) for p in q]), code=c, name=nm, station=st)
            for c, nm, st, q in quads
        ],
    )
    write_json(
        d / "stations.geojson",
        [
            feature(point([121.4802, 31.2352]), code="NDL", name="南京东路派出所(测试)"),
            feature(point([121.4700, 31.2282]), code="RMGC", name="人民广场派出所(测试)"),
        ],
    )
    write_json(
        d / "points.geojson",
        [
            feature(
                point([121.4737, 31.2318]), kind="fixed_point", code="FP-RMGC", name="人民广场"
            ),
            feature(
                point([121.4818, 31.2365]), kind="fixed_point", code="FP-NJL", name="南京路步行街"
            ),
            feature(point([121.4752, 31.2330]), kind="landmark", name="上海市人民政府"),
        ],
    )
    units = [
        ("南东-1", "patrol_group", "NDL", "NDL-1", "", 121.4790, 31.2370),
        ("南东-2", "patrol_group", "NDL", "NDL-1", "", 121.4820, 31.2330),
        ("南东-3", "patrol_group", "NDL", "NDL-2", "", 121.4680, 31.2360),
        ("南东-步1", "foot_patrol", "NDL", "NDL-2", "FP-NJL", "", ""),
        ("人广-1", "patrol_group", "RMGC", "RMGC-1", "", 121.4680, 31.2260),
        ("人广-2", "patrol_group", "RMGC", "RMGC-2", "", 121.4780, 31.2250),
        ("人广-3", "patrol_group", "RMGC", "RMGC-2", "", 121.4810, 31.2280),
        ("特警-1", "special_police", "", "", "FP-RMGC", "", ""),
        ("交警-1", "traffic_police", "NDL", "", "", 121.4760, 31.2300),
        ("社区-1", "community_police", "RMGC", "RMGC-1", "", 121.4660, 31.2240),
    ]
    write_csv(
        d / "units.csv", ("call_sign", "unit_type", "station", "area", "post", "lon", "lat"), units
    )
    officers = []
    for k, u in enumerate(units):
        officers.append((f"PS{k:03d}", f"警员{k}", "一级警员", f"1390000{k:04d}", u[0], "officer"))
        officers.append((f"AX{k:03d}", f"辅警{k}", "辅警", "", u[0], "auxiliary"))
    write_csv(d / "officers.csv", ("officer_id", "name", "rank", "phone", "unit", "kind"), officers)
    roster = []
    for day in ("2026-05-28", "2026-05-29"):
        for k, u in enumerate(units):
            roster.append((day, "白班", u[0], f"PS{k:03d} AX{k:03d}", "08:00", "20:00"))
            roster.append((day, "夜班", u[0], f"PS{k:03d}", "20:00", "08:00"))
    write_csv(d / "roster.csv", ("date", "shift", "unit", "officers", "start", "end"), roster)
    write_csv(
        d / "gazetteer.csv",
        ("name", "kind", "lon", "lat", "street", "number"),
        [
            ("", "address", 121.4812, 31.2361, "南京东路", "300"),
            ("第一百货商店", "building", 121.4744, 31.2349, "南京东路", "830"),
        ],
    )
    return d
