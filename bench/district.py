"""District import benchmark: prints one JSON line.

1. Roads: a generated city-size OpenStreetMap extract (PBF, a street grid of
   at least 200,000 road nodes every 50 m, block-long ways of mixed class,
   one-way streets, speed limits, private ways, turn restrictions and house
   addresses) imported as a district package with ``import_package`` (read,
   clip, check every station reaches the main network, write a new version
   to a fresh SQLite store), beside the raw time to parse the same file with
   pyosmium (node locations, every way's coordinates and tags).
2. Calls: 1,000,000 rows of 110 calls (id, ISO time, lat, lon, type) imported
   with ``import_calls`` (checked, deduplicated, written in one transaction),
   beside the raw time to read the same CSV with the csv module.

Keys: ``osm_nodes``, ``osm_import_s``, ``osm_parse_s``, ``osm_ratio``,
``calls_rows``, ``calls_import_s``, ``calls_parse_s``, ``calls_ratio``
(the ratios are import / raw parse; the aim is at most 4 each).

Run: ``.venv/bin/python bench/district.py`` (about a minute);
``--nodes 2000 --calls 5000`` for a smoke run.
"""

from __future__ import annotations

import argparse
import csv
import json
import math
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import osmium
from osmium.osm.mutable import Node, Relation, Way

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from console.config import load_config
from console.district.calls_import import CallColumns, CallsSpec, import_calls
from console.district.importer import import_package
from console.geo.coords import LocalProjection
from console.store import open_store

CENTRE = (121.47, 31.23)
STEP_M = 50.0
BLOCK = 8  # nodes per way
TYPES = ("theft", "dispute", "fight", "traffic_accident", "robbery")


def _ll(proj: LocalProjection, x: float, y: float) -> tuple[float, float]:
    lon, lat = proj.to_lonlat(x, y)
    return round(float(lon), 7), round(float(lat), 7)


def write_city(path: Path, nodes: int) -> tuple[int, float]:
    """A square street grid of at least ``nodes`` nodes; returns (node count, half size m)."""
    side = max(4, math.ceil(math.sqrt(nodes)))
    proj = LocalProjection(*CENTRE)
    half = (side - 1) * STEP_M / 2.0
    xs = np.arange(side) * STEP_M - half
    lon, lat = proj.to_lonlat(*np.meshgrid(xs, xs))
    lon, lat = np.round(lon, 7), np.round(lat, 7)
    nid = np.arange(side * side, dtype=np.int64).reshape(side, side) + 1
    rng = np.random.default_rng(14)
    w = osmium.SimpleWriter(str(path))
    way_id = 1
    try:
        for i in range(side):
            for j in range(side):
                tags = {}
                if (i * 7 + j * 3) % 40 == 0:
                    tags = {"addr:street": f"{i}号路", "addr:housenumber": str(j + 1)}
                w.add_node(Node(id=int(nid[i, j]), location=(lon[i, j], lat[i, j]), tags=tags))
        for axis in (0, 1):
            for k in range(side):
                line = nid[k, :] if axis == 0 else nid[:, k]
                hw = "primary" if k % 20 == 0 else "secondary" if k % 5 == 0 else "residential"
                for a in range(0, side - 1, BLOCK - 1):
                    refs = [int(v) for v in line[a : a + BLOCK]]
                    if len(refs) < 2:
                        continue
                    tags = {"highway": hw, "name": f"{'横' if axis == 0 else '纵'}{k}路"}
                    if hw == "residential" and k % 2:
                        tags["oneway"] = "yes" if (k // 2) % 2 else "-1"
                    if hw == "primary":
                        tags["maxspeed"] = "60"
                    if rng.random() < 0.01 and hw == "residential":
                        tags["access"] = "private"
                    w.add_way(Way(id=way_id, nodes=refs, tags=tags))
                    way_id += 1
        # no-left-turn restrictions at every 50th junction: two one-block ways meeting there
        rel = 1
        for i in range(5, side - 5, 50):
            for j in range(5, side - 5, 50):
                via = int(nid[i, j])
                w.add_way(
                    Way(id=way_id, nodes=[int(nid[i, j - 1]), via], tags={"highway": "secondary"})
                )
                w.add_way(
                    Way(
                        id=way_id + 1,
                        nodes=[via, int(nid[i + 1, j])],
                        tags={"highway": "secondary"},
                    )
                )
                members = [("w", way_id, "from"), ("n", via, "via"), ("w", way_id + 1, "to")]
                tags = {"type": "restriction", "restriction": "no_left_turn"}
                w.add_relation(Relation(id=rel, members=members, tags=tags))
                way_id += 2
                rel += 1
    finally:
        w.close()
    return side * side, half


def write_package(d: Path, osm: Path, half: float) -> None:
    proj = LocalProjection(*CENTRE)

    def sq(x0: float, y0: float, x1: float, y1: float) -> list[list[float]]:
        ring = [_ll(proj, x0, y0), _ll(proj, x1, y0), _ll(proj, x1, y1), _ll(proj, x0, y1)]
        return [list(p) for p in [*ring, ring[0]]]

    def fc(features: list[dict[str, object]]) -> str:
        return json.dumps({"type": "FeatureCollection", "features": features}, ensure_ascii=False)

    def feat(geom: dict[str, object], **props: object) -> dict[str, object]:
        return {"type": "Feature", "properties": props, "geometry": geom}

    h = half - 10.0
    (d / "district.toml").write_text(
        '[district]\ncode = "bench_city"\nname = "Bench city"\n[files]\n'
        f'roads = "{osm.name}"\n[roads]\nmargin_m = 100\n',
        encoding="utf-8",
    )
    (d / "outline.geojson").write_text(
        fc([feat({"type": "Polygon", "coordinates": [sq(-h, -h, h, h)]})])
    )
    areas = []
    stations = []
    units = []
    for k, (x0, y0) in enumerate([(-h, -h), (0, -h), (-h, 0), (0, 0)]):
        code = f"S{k}"
        sx, sy = x0 + h / 2, y0 + h / 2
        stations.append(
            feat({"type": "Point", "coordinates": list(_ll(proj, sx, sy))}, code=code, name=code)
        )
        areas.append(
            feat(
                {"type": "Polygon", "coordinates": [sq(x0, y0, x0 + h, y0 + h)]},
                code=f"A{k}",
                name=f"A{k}",
                station=code,
            )
        )
        for u in range(5):
            units.append(
                (f"U{k}-{u}", "patrol_group", code, f"A{k}", "", *_ll(proj, sx + 40 * u, sy))
            )
    (d / "stations.geojson").write_text(fc(stations))
    (d / "areas.geojson").write_text(fc(areas))
    with (d / "units.csv").open("w", newline="", encoding="utf-8") as fh:
        wr = csv.writer(fh)
        wr.writerow(("call_sign", "unit_type", "station", "area", "post", "lon", "lat"))
        wr.writerows(units)


def write_calls(path: Path, rows: int, half: float) -> None:
    proj = LocalProjection(*CENTRE)
    rng = np.random.default_rng(7)
    x = rng.uniform(-0.9 * half, 0.9 * half, rows)
    y = rng.uniform(-0.9 * half, 0.9 * half, rows)
    lon, lat = proj.to_lonlat(x, y)
    t = 1_780_000_000 + rng.integers(0, 90 * 86400, rows)
    stamps = np.datetime_as_string(t.astype("datetime64[s]"), unit="s")
    kinds = np.asarray(TYPES)[rng.integers(0, len(TYPES), rows)]
    with path.open("w", newline="", encoding="utf-8") as fh:
        wr = csv.writer(fh)
        wr.writerow(("id", "time", "lat", "lon", "type"))
        wr.writerows(
            zip(
                (f"C{i:08d}" for i in range(rows)),
                stamps.tolist(),
                np.round(lat, 7).tolist(),
                np.round(lon, 7).tolist(),
                kinds.tolist(),
                strict=True,
            )
        )


def raw_osm_parse(path: Path) -> float:
    """pyosmium alone: node locations, every way's coordinates and tags."""
    t0 = time.perf_counter()
    n = 0
    for obj in osmium.FileProcessor(str(path)).with_locations():
        if isinstance(obj, osmium.osm.Way):
            tags = {t.k: t.v for t in obj.tags}
            n += len(tags)
            for nd in obj.nodes:
                n += nd.x
    return time.perf_counter() - t0


def raw_csv_parse(path: Path) -> float:
    t0 = time.perf_counter()
    with path.open(newline="", encoding="utf-8") as fh:
        rows = list(csv.reader(fh))
    assert rows
    return time.perf_counter() - t0


def run(nodes: int, calls: int) -> dict[str, object]:
    config = load_config()
    with tempfile.TemporaryDirectory(prefix="bench-district-") as tmp:
        base = Path(tmp)
        pkg = base / "pkg"
        pkg.mkdir()
        osm = pkg / "city.osm.pbf"
        n_nodes, half = write_city(osm, nodes)
        write_package(pkg, osm, half)
        osm_parse = min(raw_osm_parse(osm) for _ in range(2))
        store = open_store(f"sqlite:///{base / 'bench.sqlite3'}")
        try:
            t0 = time.perf_counter()
            result = import_package(store, pkg, config)
            osm_import = time.perf_counter() - t0
            calls_csv = base / "calls.csv"
            write_calls(calls_csv, calls, half)
            calls_parse = min(raw_csv_parse(calls_csv) for _ in range(2))
            spec = CallsSpec(CallColumns("time", "lat", "lon", "type", "id"), tz="Asia/Shanghai")
            t0 = time.perf_counter()
            res = import_calls(
                store, calls_csv, spec, result_outline(store), list(config.incident_types)
            )
            calls_import = time.perf_counter() - t0
        finally:
            store.close()
    return {
        "bench": "district",
        "osm_nodes": n_nodes,
        "osm_ways": result.counts["ways"],
        "osm_turn_restrictions": result.counts["turn_restrictions"],
        "osm_import_s": round(osm_import, 3),
        "osm_check_s": round(result.check_s, 3),
        "osm_write_s": round(result.write_s, 3),
        "osm_parse_s": round(osm_parse, 3),
        "osm_ratio": round(osm_import / osm_parse, 2),
        "calls_rows": calls,
        "calls_added": res.added,
        "calls_rejected": len(res.rejected),
        "calls_import_s": round(calls_import, 3),
        "calls_read_s": round(res.read_s, 3),
        "calls_check_s": round(res.check_s, 3),
        "calls_write_s": round(res.write_s, 3),
        "calls_parse_s": round(calls_parse, 3),
        "calls_ratio": round(calls_import / calls_parse, 2),
    }


def result_outline(store: object) -> list[tuple[float, float]]:
    from console.district.stored import load_stored
    from console.store import Store

    assert isinstance(store, Store)
    return list(load_stored(store).district.outline)


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--nodes", type=int, default=202_500, help="road nodes of the city (>= 200,000)")
    p.add_argument("--calls", type=int, default=1_000_000, help="rows of calls")
    args = p.parse_args(argv)
    print(json.dumps(run(args.nodes, args.calls)), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
