"""Coverage: how much of the district each force type reaches within its standard.

Used twice: for the map (share of road length per force type, per area, and
where the gaps are) and by the planner, which must know what sending a unit
away *costs* before choosing it.  That cost is kept cheap by working with
reach sets ("nodes this unit reaches within its standard"), cached per
(node, hour, limit): removing unit ``u`` loses exactly the road its reach set
covers and no other unit's does, and only units near ``u`` can overlap it, so
the loss needs a handful of small bounded searches, not a district-wide one.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import msgspec
import numpy as np
import numpy.typing as npt
from scipy.sparse import coo_matrix
from scipy.sparse.csgraph import connected_components, dijkstra

from console.config import Config
from console.domain import FixedPoint
from console.geo.tolerance import cutoff, within_mask
from console.planning.fleet import Fleet
from console.planning.runcards import CoverageSettings
from console.planning.traveltimes import TravelTimes

F64 = npt.NDArray[np.float64]
I64 = npt.NDArray[np.int64]
B = npt.NDArray[np.bool_]

MAX_GAPS = 8


class GapCluster(msgspec.Struct, forbid_unknown_fields=True):
    """A connected patch of road no unit of the type reaches in time."""

    nodes: int
    length_m: float
    lon: float
    lat: float
    area_codes: list[str]
    node_ids: list[int]


class AreaCover(msgspec.Struct, forbid_unknown_fields=True):
    area_code: str
    name: str
    share: float  # of the area's road length
    units: int  # available units of the type in the area


class ForceCoverage(msgspec.Struct, forbid_unknown_fields=True):
    """Coverage of one force type from its currently available units."""

    unit_type: str
    name_zh: str
    name_en: str
    standard_s: float
    units_available: int
    node_share: float
    length_share: float
    uncovered_nodes: int
    areas: list[AreaCover]
    gaps: list[GapCluster]


class FixedPointCover(msgspec.Struct, forbid_unknown_fields=True):
    code: str
    name: str
    covered: bool
    best_unit: str | None
    best_s: float | None


class CoverageReport(msgspec.Struct, forbid_unknown_fields=True):
    """Everything the coverage map layer draws."""

    hour: int | None
    forces: list[ForceCoverage]
    fixed_points: list[FixedPointCover]
    areas_without_patrol: list[str]


class CoverageModel:
    """Coverage queries on one graph and district; caches what does not move."""

    def __init__(
        self,
        tt: TravelTimes,
        config: Config,
        settings: CoverageSettings,
        fixed_points: Sequence[FixedPoint] = (),
    ) -> None:
        self.tt = tt
        self.config = config
        self.settings = settings
        self.fixed_points = list(fixed_points)
        g = tt.graph
        if self.fixed_points:
            self.fp_nodes: I64 = np.asarray(
                g.snap(
                    np.array([p.lon for p in self.fixed_points]),
                    np.array([p.lat for p in self.fixed_points]),
                    scc_only=True,
                ),
                dtype=np.int64,
            )
        else:
            self.fp_nodes = np.empty(0, dtype=np.int64)
        self.fp_std_s = float(config.arrival_standards[settings.fixed_point_standard].seconds)
        self._fp_times: dict[int | None, F64] = {}

    # ---- fixed points ---------------------------------------------------------------------

    def fp_times(self, hour: int | None) -> F64:
        """(points, nodes) seconds from every node to each fixed point (speed factor 1), cached."""
        m = self._fp_times.get(hour)
        if m is None:
            lim = self.fp_std_s * max(
                (self.config.unit_types[t].speed_factor for t in self.settings.fixed_point_types),
                default=1.0,
            )
            if len(self.fp_nodes):
                m = np.asarray(
                    dijkstra(self.tt.reversed_csr(hour), indices=self.fp_nodes, limit=cutoff(lim)),
                    dtype=np.float64,
                ).reshape(len(self.fp_nodes), -1)
            else:
                m = np.empty((0, self.tt.graph.n_nodes))
            self._fp_times[hour] = m
        return m

    def fp_coverers(
        self, hour: int | None, fleet: Fleet, nodes: I64, avail: B
    ) -> tuple[list[I64], list[F64]]:
        """Per fixed point: available covering units (indices) and their times."""
        cover = avail & fleet.type_mask(self.settings.fixed_point_types)
        idx = np.flatnonzero(cover)
        times = self.fp_times(hour)
        out_u: list[I64] = []
        out_t: list[F64] = []
        for k in range(len(self.fp_nodes)):
            t = times[k, nodes[idx]] / fleet.speed[idx]
            ok = within_mask(t, self.fp_std_s)
            out_u.append(idx[ok])
            out_t.append(t[ok])
        return out_u, out_t

    # ---- district share -------------------------------------------------------------------

    def _tod(self, hour: int | None) -> float:
        f = self.tt.graph.tod_factors
        return 1.0 if (hour is None or f is None) else float(f[hour])

    def unique_loss_m(
        self,
        hour: int | None,
        nodes: I64,
        speed: F64,
        limit_s: float,
        members: I64,
        candidates: Sequence[int],
        weight: F64 | None = None,
    ) -> dict[int, float]:
        """Road metres covered (within ``limit_s``) by each candidate and by no other member.

        Exact with one multi-source search plus the candidates' cached reach
        sets: a node is lost with candidate ``c`` iff ``c`` reaches it, no
        non-candidate member does (one ``min_only`` Dijkstra from all of them)
        and no other candidate does (count over the candidates' reach sets).
        ``members`` are the available units of one force type (one speed factor).
        ``weight`` replaces road length per node (demand-weighted coverage).
        """
        g, tt = self.tt.graph, self.tt
        cands = np.asarray(list(candidates), dtype=np.int64)
        if cands.size == 0:
            return {}
        sf = float(speed[cands[0]])
        others = np.setdiff1d(members, cands)
        if others.size:
            t_o, _ = g.nearest_times_min_only(nodes[others], hour, sf, limit_s=limit_s)
            by_others = within_mask(t_o, limit_s)
        else:
            by_others = np.zeros(g.n_nodes, dtype=bool)
        reach = [tt.reach(int(nodes[c]), hour, limit_s * float(speed[c])) for c in cands]
        count = np.zeros(g.n_nodes, dtype=np.int32)
        for r in reach:
            count[r] += 1
        alone = (count == 1) & ~by_others
        w = tt.node_weight_m if weight is None else weight
        return {int(c): float(w[r[alone[r]]].sum()) for c, r in zip(cands, reach, strict=True)}

    def share(
        self, hour: int | None, nodes: I64, speed_factor: float, limit_s: float
    ) -> tuple[B, float]:
        """Which nodes some source reaches within ``limit_s``; and the length-weighted share."""
        g = self.tt.graph
        if len(nodes) == 0:
            return np.zeros(g.n_nodes, dtype=bool), 0.0
        d, _ = g.nearest_times_min_only(nodes, hour, speed_factor, limit_s=limit_s)
        ok = within_mask(d, limit_s)
        return ok, float(self.tt.node_weight_m[ok].sum() / max(self.tt.total_weight_m, 1e-9))

    # ---- the map report -------------------------------------------------------------------

    def _gaps(self, uncovered: B) -> list[GapCluster]:
        g, tt = self.tt.graph, self.tt
        idx = np.flatnonzero(uncovered)
        if idx.size == 0:
            return []
        both = uncovered[g.edge_src] & uncovered[g.edge_dst]
        n = g.n_nodes
        adj = coo_matrix(
            (np.ones(int(both.sum())), (g.edge_src[both], g.edge_dst[both])), shape=(n, n)
        )
        _, labels = connected_components(adj, directed=False)
        lab = labels[idx]
        weight = np.bincount(lab, weights=tt.node_weight_m[idx])
        order = np.argsort(-weight)
        out: list[GapCluster] = []
        for lb in order[:MAX_GAPS]:
            members = idx[lab == lb]
            if members.size == 0:
                break
            areas = sorted({tt.area_codes[a] for a in tt.node_area[members] if a >= 0})
            out.append(
                GapCluster(
                    nodes=int(members.size),
                    length_m=float(weight[lb]),
                    lon=float(g.node_lon[members].mean()),
                    lat=float(g.node_lat[members].mean()),
                    area_codes=areas,
                    node_ids=members.tolist(),
                )
            )
        return out

    def report(
        self,
        hour: int | None,
        fleet: Fleet,
        nodes: I64,
        avail: B,
        types: Sequence[str] | None = None,
    ) -> CoverageReport:
        """Coverage of each force type (default: every type with units) and of the fixed points."""
        tt, cfg = self.tt, self.config
        n_areas = len(tt.area_codes)
        area_w = np.bincount(
            tt.node_area[tt.node_area >= 0],
            weights=tt.node_weight_m[tt.node_area >= 0],
            minlength=n_areas,
        )
        forces: list[ForceCoverage] = []
        want = (
            types
            if types is not None
            else [k for k in fleet.type_keys if fleet.type_mask([k]).any()]
        )
        for key in want:
            ut = cfg.unit_types[key]
            std = float(cfg.arrival_standards[ut.standard].seconds)
            sel = np.flatnonzero(avail & fleet.type_mask([key]))
            ok, share = self.share(hour, nodes[sel], ut.speed_factor, std)
            cov_w = np.bincount(
                tt.node_area[ok & (tt.node_area >= 0)],
                weights=tt.node_weight_m[ok & (tt.node_area >= 0)],
                minlength=n_areas,
            )
            unit_area = tt.node_area[nodes[sel]]
            areas = [
                AreaCover(
                    tt.area_codes[a],
                    tt.area_names[a],
                    float(cov_w[a] / area_w[a]) if area_w[a] > 0 else 0.0,
                    int((unit_area == a).sum()),
                )
                for a in range(n_areas)
            ]
            forces.append(
                ForceCoverage(
                    unit_type=key,
                    name_zh=ut.name_zh,
                    name_en=ut.name_en,
                    standard_s=std,
                    units_available=int(sel.size),
                    node_share=float(ok.mean()) if ok.size else 0.0,
                    length_share=share,
                    uncovered_nodes=int((~ok).sum()),
                    areas=areas,
                    gaps=self._gaps(~ok),
                )
            )
        cov_u, cov_t = self.fp_coverers(hour, fleet, nodes, avail)
        fps = []
        for k, p in enumerate(self.fixed_points):
            best = int(np.argmin(cov_t[k])) if len(cov_t[k]) else -1
            fps.append(
                FixedPointCover(
                    p.code,
                    p.name,
                    best >= 0,
                    fleet.call_sign[int(cov_u[k][best])] if best >= 0 else None,
                    float(cov_t[k][best]) if best >= 0 else None,
                )
            )
        patrol_area = area_of_units(tt, fleet, nodes)[
            avail & fleet.type_mask(self.settings.area_types)
        ]
        have = np.bincount(patrol_area[patrol_area >= 0], minlength=n_areas)
        empty = [tt.area_codes[a] for a in range(n_areas) if have[a] == 0]
        return CoverageReport(hour, forces, fps, empty)


def area_of_units(tt: TravelTimes, fleet: Fleet, nodes: I64) -> I64:
    """Area each unit stands in (by its road node), else its home area, else -1."""
    a = tt.node_area[nodes]
    return np.where(a >= 0, a, fleet.home_area)


def finite_or_none(x: float) -> float | None:
    """JSON-safe float."""
    return x if math.isfinite(x) else None
