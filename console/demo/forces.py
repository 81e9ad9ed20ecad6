"""The demo district's forces: who is on duty, where they start, which area owns them.

Every unit starts on a road vertex (so routing needs no snapping guesswork),
no two units share a start vertex unless they stand at the same 1-minute
point, and every unit carries the station and area it stands in.  Members are
distinct personal names because the store uses them as officer badges.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace

import numpy as np
import numpy.typing as npt

from console.demo.geometry import F64, I64, LocalFrame, points_in_polygon
from console.demo.huangpu_data import FIXED_POINTS, LANDMARKS, TRAFFIC_POSTS
from console.demo.names import PersonNames
from console.demo.streets import Street
from console.domain import Area, FixedPoint, RoadClass, UnitSpec

PATROLS_PER_AREA = 2
FOOT_PATROL_POSTS: tuple[tuple[str, int], ...] = (
    ("南京东路", 4),  # the pedestrian street
    ("中山东一路", 3),  # the Bund
    ("豫园", 3),  # Yuyuan bazaar, by landmark
)
AUXILIARY_POSTS: tuple[tuple[str, str], ...] = (
    ("保安", "南京路步行街"),
    ("保安", "世纪广场"),
    ("保安", "豫园"),
    ("保安", "城隍庙"),
    ("保安", "新天地"),
    ("保安", "大世界"),
    ("志愿", "外滩"),
    ("志愿", "陈毅广场"),
    ("志愿", "人民广场"),
    ("志愿", "田子坊"),
    ("志愿", "十六铺"),
    ("志愿", "南京东路站"),
)
ARMED_POLICE_POSTS: tuple[str, ...] = ("人民广场", "外滩")


@dataclass
class _Vertices:
    """Unique road vertices with what the placement rules need to know about them."""

    xy: F64
    drivable: npt.NDArray[np.bool_]  # on a road cars may use
    by_way: dict[str, set[int]]  # way name -> vertex ids (ways sharing a name pooled)
    by_way_class: dict[tuple[str, RoadClass], list[int]]  # ordered along the ways
    used: set[int] = field(default_factory=set)

    @classmethod
    def of(cls, streets: list[Street]) -> _Vertices:
        allv = np.concatenate([s.xy for s in streets])
        xy, inv = np.unique(allv, axis=0, return_inverse=True)
        inv = inv.ravel()
        drivable = np.zeros(len(xy), dtype=bool)
        by_way: dict[str, set[int]] = {}
        by_class: dict[tuple[str, RoadClass], list[int]] = {}
        start = 0
        for s in streets:
            ids = [int(v) for v in inv[start : start + len(s.xy)]]
            start += len(s.xy)
            if s.road_class != RoadClass.PEDESTRIAN:
                drivable[ids] = True
            by_way.setdefault(s.name, set()).update(ids)
            by_class.setdefault((s.name, s.road_class), []).extend(ids)
        return cls(xy, drivable, by_way, by_class)

    def nearest(self, p: F64, candidates: I64 | None = None, allow_used: bool = False) -> int:
        """The unused vertex (of ``candidates``, default all) nearest to ``p``."""
        ids = np.arange(len(self.xy)) if candidates is None else np.asarray(candidates)
        if not allow_used and self.used:
            ids = ids[~np.isin(ids, list(self.used))]
        if len(ids) == 0:
            raise ValueError("no free road vertex left to place a unit")
        k = int(ids[np.argmin(np.hypot(*(self.xy[ids] - p).T))])
        self.used.add(k)
        return k


class ForceBuilder:
    """Places all units of the demo district; one instance per build."""

    def __init__(
        self,
        frame: LocalFrame,
        streets: list[Street],
        areas: list[Area],
        area_polys: list[F64],
        rng: np.random.Generator,
    ) -> None:
        self.frame = frame
        self.v = _Vertices.of(streets)
        self.areas = areas
        self.polys = area_polys
        self.rng = rng
        self.names = PersonNames(rng)
        self.units: list[UnitSpec] = []
        self.fixed_points: list[FixedPoint] = []

    def _add(
        self,
        call_sign: str,
        unit_type: str,
        vertex: int,
        members: tuple[str, ...],
        fixed_point_code: str | None = None,
    ) -> None:
        """Record a unit; its station and area are filled in by :meth:`build`."""
        lon, lat = (round(float(c), 7) for c in self.frame.to_lonlat(self.v.xy[vertex])[0])
        self.units.append(
            UnitSpec(call_sign, unit_type, None, None, lon, lat, members, fixed_point_code)
        )

    def _with_areas(self) -> list[UnitSpec]:
        """Every unit tagged with the area (and station) its home lies in."""
        home = self.frame.to_xy([(u.home_lon, u.home_lat) for u in self.units])
        found = np.full(len(home), -1)
        for k, poly in enumerate(self.polys):
            found[(found < 0) & points_in_polygon(home[:, 0], home[:, 1], poly)] = k
        out = []
        for u, k in zip(self.units, found, strict=True):
            area = self.areas[k] if k >= 0 else None
            station = area.station_code if area else None
            out.append(replace(u, station_code=station, area_code=area.code if area else None))
        return out

    def _crew(self, *roles: str) -> tuple[str, ...]:
        return tuple(f"{role} {self.names.take()}" for role in roles)

    def _landmark(self, key: str) -> F64:
        return self.frame.to_xy([LANDMARKS[key]])[0]

    def patrol_groups(self) -> None:
        """Two cars per area, far apart inside it, plus the area's community officer."""
        inside_by_area = []
        for poly in self.polys:
            inside = points_in_polygon(self.v.xy[:, 0], self.v.xy[:, 1], poly) & self.v.drivable
            ids = np.flatnonzero(inside)
            if len(ids) < PATROLS_PER_AREA + 1:
                raise ValueError("a responsibility area has too few road vertices for its units")
            inside_by_area.append(ids)
        for area, ids in zip(self.areas, inside_by_area, strict=True):
            first = self.v.nearest(self.v.xy[self.rng.choice(ids)], ids)
            far = ids[np.hypot(*(self.v.xy[ids] - self.v.xy[first]).T) >= 250.0]
            pool = far if len(far) else ids
            second = self.v.nearest(self.v.xy[self.rng.choice(pool)], ids)
            for k, vertex in enumerate((first, second), start=1):
                self._add(f"{area.code}-{k}", "patrol_group", vertex, self._crew("民警", "辅警"))
        for area, ids in zip(self.areas, inside_by_area, strict=True):
            vertex = self.v.nearest(self.v.xy[self.rng.choice(ids)], ids)
            self._add(f"社区-{area.code}", "community_police", vertex, self._crew("社区民警"))

    def special_police(self) -> None:
        """One armed team standing at each 1-minute point (the point sits on a road vertex)."""
        for n, (code, name, key) in enumerate(FIXED_POINTS, start=1):
            vertex = self.v.nearest(self._landmark(key))
            lon, lat = (round(float(c), 7) for c in self.frame.to_lonlat(self.v.xy[vertex])[0])
            self.fixed_points.append(FixedPoint(code, name, lon, lat))
            members = self._crew("特警", "特警", "特警", "特警")
            self._add(f"特警-{n:02d}", "special_police", vertex, members, fixed_point_code=code)

    def traffic_police(self) -> None:
        """A post at each listed junction (the vertex the two roads share)."""
        for n, (road_a, road_b) in enumerate(TRAFFIC_POSTS, start=1):
            a, b = self.v.by_way.get(road_a), self.v.by_way.get(road_b)
            if not a or not b:
                raise ValueError(f"traffic post needs roads {road_a!r} and {road_b!r}")
            shared = np.array(sorted(a & b))
            if len(shared) == 0:  # roads do not meet: take a's vertex nearest to b
                bxy = self.v.xy[np.array(sorted(b))]
                ids = np.array(sorted(a))
                d = np.min(np.hypot(*(self.v.xy[ids, None, :] - bxy[None]).transpose(2, 0, 1)), 1)
                shared = ids[np.argsort(d)[:1]]
            vertex = self.v.nearest(self.v.xy[shared[0]], candidates=shared, allow_used=True)
            self._add(f"交警-{n}", "traffic_police", vertex, self._crew("交警", "辅警"))

    def foot_patrols(self) -> None:
        """Officers on foot along the pedestrian street, the Bund and around Yuyuan."""
        n = 0
        for where, count in FOOT_PATROL_POSTS:
            ped = self.v.by_way_class.get((where, RoadClass.PEDESTRIAN))
            line = ped or self.v.by_way_class.get((where, RoadClass.ARTERIAL))
            if line:
                ids = np.array(line)
                pick = [
                    min(len(ids) - 1, round((k + 0.5) * len(ids) / count)) for k in range(count)
                ]
                targets = [self.v.xy[ids[k]] for k in pick]
            else:
                centre = self._landmark(where)
                angles = 2 * np.pi * np.arange(count) / count
                targets = [centre + 80.0 * np.array([np.cos(a), np.sin(a)]) for a in angles]
            for t in targets:
                n += 1
                self._add(f"步巡-{n}", "foot_patrol", self.v.nearest(t), self._crew("民警", "辅警"))

    def armed_police(self) -> None:
        for n, key in enumerate(ARMED_POLICE_POSTS, start=1):
            cand = np.flatnonzero(self.v.drivable)
            vertex = self.v.nearest(self._landmark(key), cand)
            self._add(f"武警-{n}", "armed_police", vertex, self._crew(*["武警"] * 6))

    def auxiliary(self) -> None:
        counts: dict[str, int] = {}
        for kind, key in AUXILIARY_POSTS:
            counts[kind] = counts.get(kind, 0) + 1
            role = "保安" if kind == "保安" else "志愿者"
            vertex = self.v.nearest(self._landmark(key))
            self._add(f"辅-{kind}-{counts[kind]}", "auxiliary", vertex, self._crew(*[role] * 4))

    def build(self) -> tuple[list[FixedPoint], list[UnitSpec]]:
        """All units in a stable order: patrols, community, special, traffic, foot, armed, aux."""
        self.patrol_groups()
        self.special_police()
        self.traffic_police()
        self.foot_patrols()
        self.armed_police()
        self.auxiliary()
        return self.fixed_points, self._with_areas()
