"""Past calls as sorted numpy columns in metres and local clock fields: the input of every model.

Why one sorted container: projection and local-time fields are computed once
(a filter slider then only builds boolean masks), and "the calls before t0"
is a slice found by binary search.  Forecasts and the evaluation hand models
nothing but such a slice, which is how no call of a scored window can reach
a model.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from console.geo.coords import LocalProjection
from console.heat.localtime import local_fields, zone

F64 = npt.NDArray[np.float64]
I16 = npt.NDArray[np.int16]
I8 = npt.NDArray[np.int8]
BoolArr = npt.NDArray[np.bool_]


@dataclass(frozen=True, eq=False)
class CallSet:
    """Calls sorted by time: UTC seconds, metres on ``proj``'s plane, type index, local fields.

    ``resolution_s`` is the coarsest clock step the times respect (86400 for a
    file of dates only, 3600 for whole hours, 1 otherwise): models that need
    the order of calls within a day must not invent one.
    """

    t: F64
    x: F64
    y: F64
    type_idx: I16
    types: tuple[str, ...]
    hour: I8
    weekday: I8
    day: npt.NDArray[np.int32]
    proj: LocalProjection
    tz: str
    resolution_s: float

    def __len__(self) -> int:
        return int(self.t.size)

    @classmethod
    def build(
        cls,
        t: npt.ArrayLike,
        lon: npt.ArrayLike,
        lat: npt.ArrayLike,
        types: Sequence[str] | None = None,
        *,
        tz: str = "Asia/Shanghai",
        proj: LocalProjection | None = None,
    ) -> CallSet:
        """Calls from parallel columns (``types``: one type name per call, or None for untyped)."""
        zone(tz)  # fail early, naming the zone
        ta = np.asarray(t, dtype=np.float64).ravel()
        lo = np.asarray(lon, dtype=np.float64).ravel()
        la = np.asarray(lat, dtype=np.float64).ravel()
        n = ta.size
        if lo.size != n or la.size != n:
            raise ValueError(f"calls need equal columns: t {n}, lon {lo.size}, lat {la.size}")
        if types is not None and len(types) != n:
            raise ValueError(f"calls need one type per call: {len(types)} types for {n} calls")
        bad = ~(np.isfinite(ta) & np.isfinite(lo) & np.isfinite(la))
        if bad.any():
            raise ValueError(f"call {int(np.argmax(bad))}: time and coordinates must be finite")
        if n and (np.abs(la).max() > 90 or np.abs(lo).max() > 180):
            raise ValueError("call coordinates out of range (lon -180..180, lat -90..90)")
        if types is None:
            names: tuple[str, ...] = ("",)
            idx = np.zeros(n, dtype=np.int16)
        else:
            arr = np.asarray(list(types), dtype=object).astype(str)
            uniq, inv = np.unique(arr, return_inverse=True)
            names = tuple(str(u) for u in uniq)
            idx = inv.astype(np.int16)
        if proj is None:
            if n == 0:
                raise ValueError("no calls, and no projection to place an empty set on")
            proj = LocalProjection(
                (float(lo.min()) + float(lo.max())) / 2.0, (float(la.min()) + float(la.max())) / 2.0
            )
        order = np.argsort(ta, kind="stable")
        ta, lo, la, idx = ta[order], lo[order], la[order], idx[order]
        x, y = proj.to_xy(lo, la) if n else (np.zeros(0), np.zeros(0))
        lf = local_fields(ta, tz)
        return cls(
            t=ta,
            x=np.asarray(x, dtype=np.float64),
            y=np.asarray(y, dtype=np.float64),
            type_idx=idx,
            types=names,
            hour=lf.hour,
            weekday=lf.weekday,
            day=lf.day,
            proj=proj,
            tz=tz,
            resolution_s=_resolution(lf.seconds_of_day),
        )

    def take(self, sel: BoolArr | slice) -> CallSet:
        """The calls chosen by a boolean mask or a slice (still sorted)."""
        return CallSet(
            t=self.t[sel],
            x=self.x[sel],
            y=self.y[sel],
            type_idx=self.type_idx[sel],
            types=self.types,
            hour=self.hour[sel],
            weekday=self.weekday[sel],
            day=self.day[sel],
            proj=self.proj,
            tz=self.tz,
            resolution_s=self.resolution_s,
        )

    def before(self, t0: float) -> CallSet:
        """Calls strictly before ``t0`` (a slice: the only door to training data)."""
        return self.take(slice(0, int(np.searchsorted(self.t, t0, side="left"))))

    def between(self, t0: float, t1: float) -> CallSet:
        """Calls with t0 <= t < t1."""
        a = int(np.searchsorted(self.t, t0, side="left"))
        b = int(np.searchsorted(self.t, t1, side="left"))
        return self.take(slice(a, b))

    def type_codes(self, names: Iterable[str]) -> list[int]:
        """Indices of type names; ValueError naming the unknown ones."""
        wanted = list(names)
        unknown = [k for k in wanted if k not in self.types]
        if unknown:
            raise ValueError(f"unknown incident type(s): {', '.join(map(str, unknown))}")
        return [self.types.index(k) for k in wanted]

    def mask(
        self,
        t0: float | None = None,
        t1: float | None = None,
        types: Iterable[str] | None = None,
        hours: Iterable[int] | None = None,
        weekdays: Iterable[int] | None = None,
    ) -> BoolArr:
        """Calls in [t0, t1), of the given types, local hours (0-23) and weekdays (0 = Monday)."""
        m = np.ones(self.t.size, dtype=bool)
        if t0 is not None:  # sorted by time: the window is one slice
            m[: int(np.searchsorted(self.t, t0, side="left"))] = False
        if t1 is not None:
            m[int(np.searchsorted(self.t, t1, side="left")) :] = False
        # small-integer columns: a lookup table beats np.isin several times over
        if types is not None:
            lut = np.zeros(len(self.types), dtype=bool)
            lut[self.type_codes(types)] = True
            m &= lut[self.type_idx]
        if hours is not None:
            hs = [int(h) for h in hours]
            if any(not 0 <= h <= 23 for h in hs):
                raise ValueError(f"hours must be 0-23, got {hs}")
            lut = np.zeros(24, dtype=bool)
            lut[hs] = True
            m &= lut[self.hour]
        if weekdays is not None:
            ws = [int(w) for w in weekdays]
            if any(not 0 <= w <= 6 for w in ws):
                raise ValueError(f"weekdays must be 0-6 (0 = Monday), got {ws}")
            lut = np.zeros(7, dtype=bool)
            lut[ws] = True
            m &= lut[self.weekday]
        return m


def _resolution(seconds_of_day: F64) -> float:
    """The coarsest clock step all local times fall on (86400, 3600, 60 or 1)."""
    if seconds_of_day.size == 0:
        return 1.0
    for step in (86400.0, 3600.0, 60.0):
        if np.all(np.abs(seconds_of_day - np.round(seconds_of_day / step) * step) < 1e-6):
            return step
    return 1.0
