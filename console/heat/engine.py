"""The heat engine the hub holds: density, hot spots, forecasts and patrol focus of its call
history, each one call that a hub handler can run off the GUI thread.

Why one object: the history is projected to metres and given its local clock
fields once (a million calls: well under a second), after which a filter
slider only builds masks.  It never changes after construction (new calls
give a new engine through :meth:`with_calls`), so any thread may call any
method while another thread swaps in a newer engine.
"""

from __future__ import annotations

import threading
from collections.abc import Iterable, Sequence
from typing import Any

import numpy as np
import numpy.typing as npt

from console.domain import Area
from console.geo.coords import LocalProjection
from console.heat.calls import CallSet
from console.heat.density import HeatGrid
from console.heat.gistar import PMethod
from console.heat.grid import Grid
from console.heat.hotspots import HotSpotResult, find_hotspots
from console.heat.kde import kde_density
from console.heat.outlook import Forecast, make_forecast
from console.heat.patrol import AreaFocus, area_cells, patrol_focus

F64 = npt.NDArray[np.float64]
BBox = tuple[float, float, float, float]


class HeatEngine:
    """Read-only analytics over one call history (see the module docstring)."""

    def __init__(
        self,
        t: npt.ArrayLike,
        lon: npt.ArrayLike,
        lat: npt.ArrayLike,
        types: Sequence[str] | None,
        *,
        bbox: BBox,
        tz: str = "Asia/Shanghai",
        outline: Sequence[tuple[float, float]] | None = None,
    ) -> None:
        lon0, lat0, lon1, lat1 = (float(v) for v in bbox)
        if not (lon1 > lon0 and lat1 > lat0):
            raise ValueError(f"bbox must have max > min, got {bbox}")
        self.bbox: BBox = (lon0, lat0, lon1, lat1)
        self.tz = tz
        self.outline = None if outline is None else tuple(outline)
        proj = LocalProjection((lon0 + lon1) / 2.0, (lat0 + lat1) / 2.0)
        self.calls = CallSet.build(t, lon, lat, types, tz=tz, proj=proj)
        self._grids: dict[float, tuple[Grid, npt.NDArray[np.bool_] | None]] = {}
        self._area_masks: dict[tuple[float, str, Any], Any] = {}
        self._lock = threading.Lock()

    def with_calls(
        self,
        t: npt.ArrayLike,
        lon: npt.ArrayLike,
        lat: npt.ArrayLike,
        types: Sequence[str] | None,
    ) -> HeatEngine:
        """A new engine over this history plus the given calls (this one is unchanged)."""
        c = self.calls
        old_lon, old_lat = c.proj.to_lonlat(c.x, c.y)
        old_types = None if types is None else [c.types[i] for i in c.type_idx]
        new_types = None if types is None else [*(old_types or []), *types]
        return HeatEngine(
            np.concatenate([c.t, np.asarray(t, dtype=np.float64).ravel()]),
            np.concatenate([old_lon, np.asarray(lon, dtype=np.float64).ravel()]),
            np.concatenate([old_lat, np.asarray(lat, dtype=np.float64).ravel()]),
            new_types,
            bbox=self.bbox,
            tz=self.tz,
            outline=self.outline,
        )

    def grid(self, cell_m: float) -> tuple[Grid, npt.NDArray[np.bool_] | None]:
        """The grid over the district's box at ``cell_m`` and the district's cells (cached)."""
        if not 5.0 <= cell_m <= 1000.0:
            raise ValueError(f"cell size must be 5-1000 m, got {cell_m:g}")
        with self._lock:
            hit = self._grids.get(cell_m)
            if hit is None:
                g = Grid.over_bbox(self.bbox, cell_m, self.calls.proj)
                mask = None if self.outline is None else g.mask_of_polygon(self.outline)
                hit = (g, mask)
                self._grids[cell_m] = hit
            return hit

    def select(
        self,
        t0: float,
        t1: float,
        types: Iterable[str] | None = None,
        hours: Iterable[int] | None = None,
        weekdays: Iterable[int] | None = None,
    ) -> CallSet:
        """Calls in [t0, t1) of the given types, local hours and weekdays."""
        if not t1 > t0:
            raise ValueError("window: end must be after start")
        return self.calls.take(self.calls.mask(t0, t1, types, hours, weekdays))

    def density(
        self,
        t0: float,
        t1: float,
        *,
        types: Iterable[str] | None = None,
        hours: Iterable[int] | None = None,
        weekdays: Iterable[int] | None = None,
        cell_m: float = 50.0,
        bandwidth_m: float = 120.0,
    ) -> HeatGrid:
        """Calls per km² in the window (the heat layer; fast enough for a moving slider)."""
        sel = self.select(t0, t1, types, hours, weekdays)
        g, _ = self.grid(cell_m)
        dens = kde_density(g, sel.x, sel.y, bandwidth_m)
        lon0, lat0, lon1, lat1 = g.bbox
        return HeatGrid(dens.astype(np.float32), lon0, lat0, lon1, lat1, len(sel))

    def hotspots(
        self,
        t0: float,
        t1: float,
        *,
        types: Iterable[str] | None = None,
        hours: Iterable[int] | None = None,
        weekdays: Iterable[int] | None = None,
        cell_m: float = 100.0,
        neighbourhood_m: float = 300.0,
        fdr: float = 0.05,
        pvalues: PMethod = "count",
    ) -> HotSpotResult:
        """Gi* hot-spot areas of the window's calls inside the district."""
        sel = self.select(t0, t1, types, hours, weekdays)
        g, mask = self.grid(cell_m)
        return find_hotspots(sel, g, neighbourhood_m, fdr, mask, pvalues)

    def forecast(
        self,
        t0: float,
        t1: float,
        *,
        types: Iterable[str] | None = None,
        cell_m: float = 100.0,
        model: str = "blend",
        step_s: float = 3600.0,
    ) -> Forecast:
        """Expected calls in [t0, t1) from the calls before t0 (of the given types)."""
        calls = self.calls if types is None else self.calls.take(self.calls.mask(types=types))
        g, mask = self.grid(cell_m)
        fc = make_forecast(calls, g, t0, t1, model, step_s)
        if mask is not None:  # the district only: outside cells are not the console's to patrol
            kept = np.where(mask, fc.expected, 0.0)
            s = float(kept.sum())
            scale = s / fc.total if fc.total > 0 else 0.0
            fc = Forecast(
                g, fc.t0, fc.t1, fc.model, kept, fc.step_s, fc.step_starts, fc.step_totals * scale
            )
        return fc

    def patrol_focus(
        self,
        t0: float,
        t1: float,
        areas: Sequence[Area],
        *,
        types: Iterable[str] | None = None,
        cell_m: float = 100.0,
        per_area: int = 3,
        radius_m: float = 300.0,
        model: str = "blend",
    ) -> list[AreaFocus]:
        """Patrol points per responsibility area for the shift [t0, t1)."""
        fc = self.forecast(t0, t1, types=types, cell_m=cell_m, model=model)
        masks = []
        for a in areas:
            key = (cell_m, a.code, (tuple(a.polygon), getattr(a, "parts", ())))
            with self._lock:
                m = self._area_masks.get(key)
            if m is None:
                m = area_cells(fc.grid, a)
                with self._lock:
                    self._area_masks[key] = m
            masks.append(m)
        return patrol_focus(fc.expected, fc.grid, areas, per_area, radius_m, masks)
