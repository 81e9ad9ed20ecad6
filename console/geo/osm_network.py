"""A district's streets from OpenStreetMap: routable ways, turn restrictions, addresses.

A relations-only pass finds the turn restrictions, then one pass of pyosmium
over the file (XML or PBF) with node locations; only objects with a
``highway`` or ``addr:housenumber`` tag reach Python, and a way's geometry
comes out of libosmium as one WKB string, decoded for all ways at once.
Ways are clipped to the area a caller keeps (the district outline plus a
margin) *after* the pass, with one vectorised point-in-polygon test over all
vertices, so the per-object Python work stays a thin loop.

Turn restrictions come from ``type=restriction`` relations with a via node
(``restriction``, ``restriction:motorcar`` or ``restriction:motor_vehicle``;
``except=motorcar`` exempts us); via-way restrictions are reported and skipped.
Addresses come from ``addr:street`` + ``addr:housenumber`` on nodes and ways
(a way's address sits at the mean of its vertices).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt
import osmium

from console.domain import RoadClass, Way
from console.geo.osm import (
    OsmFileNotFoundError,
    OsmLoadError,
    parse_maxspeed,
    parse_oneway,
    road_class,
    way_name,
)
from console.geo.turns import TurnRestriction

F64 = npt.NDArray[np.float64]
B = npt.NDArray[np.bool_]
KeepFn = Callable[[F64, F64], B]
_UNDEFINED = 2147483647  # osmium's x/y of a node whose location is not in the file
_CJK = re.compile(r"[\u3400-\u9fff]")
_RESTRICTION_KEYS = ("restriction:motorcar", "restriction:motor_vehicle", "restriction")


@dataclass(frozen=True)
class OsmAddress:
    """One addressed place: ``name`` is what an operator would type ("南京东路300号")."""

    name: str
    kind: str  # "address" | "building"
    lon: float
    lat: float
    street: str = ""
    number: str = ""


@dataclass
class OsmNetwork:
    """What a district import takes from an OSM file."""

    ways: list[Way]
    restrictions: list[TurnRestriction]
    addresses: list[OsmAddress]
    vertices: int  # way vertices kept
    vertices_read: int  # way vertices in the file (routable ways, before clipping)
    closed_by_access: int  # highway ways left out for access=private / motor_vehicle=no
    notes: list[tuple[str, str]] = field(default_factory=list)  # (where, reason)


def address_name(street: str, number: str) -> str:
    """ "南京东路" + "300" -> "南京东路300号"; "Main St" + "12" -> "12 Main St"."""
    street, number = street.strip(), number.strip()
    if not number:
        return street
    if _CJK.search(street):
        return f"{street}{number}" if number.endswith("号") else f"{street}{number}号"
    return f"{number} {street}".strip()


def _restriction(tags: dict[str, str]) -> bool | None:
    """only=True / only=False for a restriction that binds a patrol car, None if it does not."""
    if "motorcar" in tags.get("except", "") or "motor_vehicle" in tags.get("except", ""):
        return None
    for key in _RESTRICTION_KEYS:
        v = tags.get(key, "").strip().lower()
        if v.startswith("only_"):
            return True
        if v.startswith("no_"):
            return False
    return None


class _Reader:
    """The pass over the file; kept as a class so the loop body stays small.

    A way whose every node location is in the file becomes one WKB string made
    by libosmium (one C++ call, no Python per node); the rare way cut by the
    extract's edge, and the ways turn restrictions name (whose node ids are
    needed), are walked node by node.
    """

    def __init__(self, include_pedestrian: bool, want_refs: set[int]) -> None:
        self.include_pedestrian = include_pedestrian
        self.want_refs = want_refs
        self.fab = osmium.geom.WKBFactory()
        self.way_meta: list[tuple[str, RoadClass, int, float | None]] = []
        self.way_ids: list[int] = []
        self.wkb: list[str] = []  # hex WKB per way, "" when walked node by node
        self.walked: dict[int, tuple[list[int], list[int]]] = {}  # way index -> x, y (1e-7 deg)
        self.refs: dict[int, list[int]] = {}  # way index -> node ids (restriction ways only)
        self.addresses: list[OsmAddress] = []
        self.closed_by_access = 0

    def node(self, obj: osmium.osm.Node) -> None:
        tags = obj.tags
        if "addr:housenumber" in tags and obj.location.valid():
            self._address(tags, obj.location.lon, obj.location.lat)

    def way(self, obj: osmium.osm.Way) -> None:
        tags = obj.tags
        if "addr:housenumber" in tags:
            pts = [(n.lon, n.lat) for n in obj.nodes if n.x != _UNDEFINED]
            if pts:
                arr = np.asarray(pts)
                self._address(tags, float(arr[:, 0].mean()), float(arr[:, 1].mean()))
        if "highway" not in tags:
            return
        rc = road_class(tags, self.include_pedestrian)
        if rc is None:
            if road_class({"highway": tags["highway"]}, self.include_pedestrian) is not None:
                self.closed_by_access += 1
            return
        k = len(self.way_meta)
        self.way_meta.append(
            (way_name(tags), rc, parse_oneway(tags), parse_maxspeed(tags.get("maxspeed", None)))
        )
        self.way_ids.append(obj.id)
        if obj.id in self.want_refs:
            self.refs[k] = [n.ref for n in obj.nodes]
        try:
            self.wkb.append(self.fab.create_linestring(obj, osmium.geom.use_nodes.ALL))
        except (osmium.InvalidLocationError, RuntimeError):
            self.wkb.append("")
            self.walked[k] = ([n.x for n in obj.nodes], [n.y for n in obj.nodes])

    def _address(self, tags: Any, lon: float, lat: float) -> None:
        street = tags.get("addr:street", "") or tags.get("addr:place", "")
        number = tags.get("addr:housenumber", "")
        if street and number:
            self.addresses.append(
                OsmAddress(address_name(street, number), "address", lon, lat, street, number)
            )
        name = tags.get("name", "").strip()
        if name:
            self.addresses.append(OsmAddress(name, "building", lon, lat, street, number))


def _restriction_relations(path: Path) -> list[tuple[int, bool, list[tuple[str, int, str]]]]:
    """Restriction relations that bind a patrol car (a relations-only pass: cheap)."""
    out = []
    proc = osmium.FileProcessor(str(path), osmium.osm.RELATION)
    for obj in proc.with_filter(osmium.filter.KeyFilter("type")):
        if not isinstance(obj, osmium.osm.Relation):
            continue
        tags = {t.k: t.v for t in obj.tags}
        if tags.get("type") != "restriction":
            continue
        only = _restriction(tags)
        if only is not None:
            out.append((obj.id, only, [(m.type, m.ref, m.role) for m in obj.members]))
    return out


def read_osm_network(
    path: str | Path, include_pedestrian: bool = False, keep: KeepFn | None = None
) -> OsmNetwork:
    """Routable ways (clipped to ``keep``), turn restrictions and addresses of an OSM file.

    ``keep(lon, lat)`` returns which way vertices to keep (e.g. inside the
    district outline plus a margin); ways are cut where they leave it.
    """
    p = Path(path)
    if not p.is_file():
        raise OsmFileNotFoundError(f"OSM file not found: {p}")
    try:
        relations = _restriction_relations(p)
        want = {ref for _i, _o, ms in relations for t, ref, role in ms if t == "w"}
        r = _Reader(include_pedestrian, want)
        proc = osmium.FileProcessor(str(p)).with_locations()
        proc = proc.with_filter(osmium.filter.KeyFilter("highway", "addr:housenumber"))
        for obj in proc:
            if isinstance(obj, osmium.osm.Way):
                r.way(obj)
            elif isinstance(obj, osmium.osm.Node):
                r.node(obj)
    except RuntimeError as exc:
        raise OsmLoadError(f"cannot read OSM file {p}: {exc}") from None
    return _assemble(r, keep, relations)


def _coords(r: _Reader) -> tuple[F64, F64, npt.NDArray[np.int64]]:
    """All way vertices (lon, lat; NaN where a node is missing) and each way's first index."""
    lens = np.fromiter((len(h) // 2 for h in r.wkb), dtype=np.int64, count=len(r.wkb))
    npts = np.where(lens > 0, (lens - 9) // 16, 0)
    for k, (xs, _ys) in r.walked.items():
        npts[k] = len(xs)
    first = np.concatenate([[0], np.cumsum(npts)])
    lon = np.empty(int(first[-1]), dtype=np.float64)
    lat = np.empty_like(lon)
    blob = np.frombuffer(bytes.fromhex("".join(r.wkb)), dtype=np.uint8)
    if len(blob):
        if blob[0] != 1:
            raise OsmLoadError("unexpected big-endian WKB from libosmium")
        starts = np.concatenate([[0], np.cumsum(lens)])[:-1][lens > 0]
        body = np.ones(len(blob), dtype=bool)
        body[(starts[:, None] + np.arange(9)).ravel()] = False  # byte order, type, count
        xy = blob[body].view("<f8").reshape(-1, 2)
        from_wkb = lens > 0
        idx = (
            np.concatenate(
                [np.arange(first[k], first[k + 1]) for k in np.flatnonzero(from_wkb).tolist()]
            )
            if from_wkb.sum() != len(lens)
            else np.arange(int(first[-1]))
        )
        lon[idx], lat[idx] = xy[:, 0], xy[:, 1]
    for k, (xs, ys) in r.walked.items():
        xa, ya = np.asarray(xs, dtype=np.int64), np.asarray(ys, dtype=np.int64)
        bad = (xa == _UNDEFINED) | (ya == _UNDEFINED)
        lon[first[k] : first[k + 1]] = np.where(bad, np.nan, xa / 1e7)
        lat[first[k] : first[k + 1]] = np.where(bad, np.nan, ya / 1e7)
    return lon, lat, first


def _assemble(
    r: _Reader, keep: KeepFn | None, relations: list[tuple[int, bool, list[tuple[str, int, str]]]]
) -> OsmNetwork:
    lon, lat, first = _coords(r)
    ok = np.isfinite(lon) & np.isfinite(lat)
    if keep is not None and ok.any():
        inside = np.zeros(len(ok), dtype=bool)
        inside[ok] = keep(lon[ok], lat[ok])
        ok &= inside
    # runs of consecutive kept vertices inside one way (a way leaving the area is cut there)
    way_of = np.repeat(np.arange(len(r.way_meta)), np.diff(first))
    start = ok & np.r_[True, ~ok[:-1] | (way_of[1:] != way_of[:-1])]
    run = np.cumsum(start) - 1
    run_ids = run[ok]
    lengths = np.bincount(run_ids, minlength=int(start.sum()))
    run_first = np.flatnonzero(start)
    xs, ys = lon.tolist(), lat.tolist()
    ways: list[Way] = []
    for q in np.flatnonzero(lengths >= 2).tolist():
        a = int(run_first[q])
        b = a + int(lengths[q])
        name, rc, direction, speed = r.way_meta[int(way_of[a])]
        coords = tuple(zip(xs[a:b], ys[a:b], strict=True))
        if direction < 0:
            coords = coords[::-1]
        ways.append(Way(name, rc, direction != 0, coords, speed))
    net = OsmNetwork(
        ways=ways,
        restrictions=[],
        addresses=r.addresses,
        vertices=int(lengths[lengths >= 2].sum()),
        vertices_read=int(first[-1]),
        closed_by_access=r.closed_by_access,
    )
    _restrictions(r, net, relations, lon, lat, first)
    return net


def _restrictions(
    r: _Reader,
    net: OsmNetwork,
    relations: list[tuple[int, bool, list[tuple[str, int, str]]]],
    lon: F64,
    lat: F64,
    first: npt.NDArray[np.int64],
) -> None:
    """Resolve restriction relations to (from vertex, via, to vertex) coordinates."""
    if not relations:
        return
    index = {wid: k for k, wid in enumerate(r.way_ids)}
    for rel_id, only, members in relations:
        where = f"relation {rel_id}"
        frm = [ref for t, ref, role in members if t == "w" and role == "from"]
        to = [ref for t, ref, role in members if t == "w" and role == "to"]
        via = [(t, ref) for t, ref, role in members if role == "via"]
        if len(via) != 1 or via[0][0] != "n":
            net.notes.append((where, "via is not one node (via-way restrictions are not used)"))
            continue
        if len(frm) != 1 or len(to) != 1:
            net.notes.append((where, "needs exactly one 'from' and one 'to' way"))
            continue
        if frm[0] not in index or to[0] not in index:
            continue  # a way that is not routable for us (or not in the extract)
        v = via[0][1]
        kf, kt = index[frm[0]], index[to[0]]
        f = _neighbour(r, kf, v, arriving=True)
        t = _neighbour(r, kt, v, arriving=False)
        vi = _position(r, kf, v)
        if f is None or t is None or vi is None:
            net.notes.append((where, "the via node is not where the 'from' and 'to' ways meet"))
            continue
        flat = (int(first[kf]) + f, int(first[kf]) + vi, int(first[kt]) + t)
        pts = [(float(lon[i]), float(lat[i])) for i in flat]
        if not all(np.isfinite(c) for p in pts for c in p):
            continue
        net.restrictions.append(TurnRestriction(pts[0], pts[1], pts[2], only))


def _position(r: _Reader, k: int, node: int) -> int | None:
    refs = r.refs.get(k, [])
    return refs.index(node) if node in refs else None


def _neighbour(r: _Reader, k: int, via: int, arriving: bool) -> int | None:
    """Index (within way ``k``) of the vertex next to ``via`` (before it when arriving)."""
    i = _position(r, k, via)
    if i is None:
        return None
    a, b = 0, len(r.refs[k]) - 1
    direction = r.way_meta[k][2]
    if i == b and i > a:
        return i - 1
    if i == a and i < b:
        return i + 1
    if direction == 0 or not a < i < b:
        return None  # the way runs through the junction in both directions: ambiguous
    forward = direction > 0
    return (i - 1 if forward else i + 1) if arriving else (i + 1 if forward else i - 1)
