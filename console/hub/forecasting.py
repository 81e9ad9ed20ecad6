"""The hub's heat engine: heat, hot spots, forecasts and patrol focus, answered off the hub thread.

Why a worker thread: a forecast takes ~50 ms and a patrol focus ~150 ms on
the demo district, and the hub thread also flushes unit positions ten times
a second.  The hub thread checks rights and the request (a bad one is refused
at once, with its reason), then hands the work to :class:`Forecasting`'s
small pool and goes on; :func:`deliver` sends the reply when the work is done.
The engine (:class:`~console.heat.engine.HeatEngine`) is immutable, so the
workers need no lock around it.

Local hours and weekdays are those of the district's time zone (the package's
``time_zone``; Asia/Shanghai when the hub was built without a package).  The
engine is built on first use, when the package is known.
"""

from __future__ import annotations

import logging
import math
import threading
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from datetime import UTC, datetime
from typing import Any

import numpy as np
import numpy.typing as npt

from console.config import Config
from console.domain import District
from console.geo.coords import LocalProjection
from console.heat.engine import HeatEngine
from console.heat.forecast import MODEL_NAMES
from console.heat.grid import MAX_CELLS
from console.heat.localtime import zone
from console.hub.errors import CommandError
from console.hub.messages import (
    GetForecast,
    GetHeat,
    GetHotspots,
    GetPatrolFocus,
    Reply,
)

log = logging.getLogger(__name__)

FALLBACK_TZ = "Asia/Shanghai"
HOUR_S = 3600.0
DAY_S = 86400.0
HORIZONS = {"shift": HOUR_S, "24h": HOUR_S, "7d": DAY_S}  # horizon -> step of its totals
WORKERS = 2  # a heat request from a moving slider need not wait behind a patrol focus
F64 = npt.NDArray[np.float64]
History = tuple[F64, F64, F64, list[str]]


def package_time_zone(hub: object) -> str:
    """The district package's time zone of a hub built by ``open_hub`` (``hub.package``),
    else :data:`FALLBACK_TZ`."""
    info = getattr(getattr(hub, "package", None), "info", None)
    tz = getattr(info, "time_zone", "")
    return tz if isinstance(tz, str) and tz else FALLBACK_TZ


def local_hour_start(t: float, tz: str) -> float:
    """The start of the local hour ``t`` falls in (a whole hour in ``tz``, not in UTC)."""
    local = datetime.fromtimestamp(t, tz=UTC).astimezone(zone(tz))
    return local.replace(minute=0, second=0, microsecond=0).timestamp()


def deliver(reply: Reply, fut: Future[Reply]) -> None:
    """Resolve ``fut`` with ``reply``; when the handler handed its work to a worker (the
    result is a Future), resolve it once that work is done (the hub thread does not wait)."""
    pending = reply.result
    if not isinstance(pending, Future):
        fut.set_result(reply)
        return

    def done(work: Future[Any]) -> None:
        if work.cancelled():  # the hub stopped before the work began
            fut.set_result(Reply(reply.request_id, False, error="the hub is stopping"))
            return
        exc = work.exception()
        if exc is None:
            fut.set_result(Reply(reply.request_id, True, result=work.result()))
        elif isinstance(exc, CommandError | ValueError):
            fut.set_result(Reply(reply.request_id, False, error=str(exc)))
        else:  # a bug must not leave the caller waiting
            log.error("heat engine work failed", exc_info=exc)
            fut.set_result(Reply(reply.request_id, False, error=f"internal error: {exc}"))

    pending.add_done_callback(done)


class Forecasting:
    """Holds the heat engine over the hub's call history and answers the four heat commands.

    Each handler checks its command on the calling (hub) thread, raising
    :class:`CommandError` with the reason, and returns a Future of the reply's result.
    """

    def __init__(
        self,
        config: Config,
        district: District,
        history: History,
        tz: Callable[[], str] = lambda: FALLBACK_TZ,
        clock: Callable[[], float] | None = None,
    ) -> None:
        """``tz()``: the district's zone (read when the engine is first built); ``clock``:
        the hub's time (for requests that say "from now")."""
        self.config = config
        self.district = district
        self._history = history
        self._tz = tz
        self._clock = clock
        self._engine: HeatEngine | None = None
        self._lock = threading.Lock()
        self._pool: ThreadPoolExecutor | None = None  # started on first use, again after close
        self._pool_lock = threading.Lock()  # never held while an engine is built
        self.known_types = set(config.incident_types)
        self.areas = {a.code: a for a in district.areas}
        lon0, lat0, lon1, lat1 = district.bbox
        proj = LocalProjection((lon0 + lon1) / 2.0, (lat0 + lat1) / 2.0)
        xs, ys = proj.to_xy(np.array([lon0, lon1]), np.array([lat0, lat1]))
        self._extent_m = (float(xs[1] - xs[0]), float(ys[1] - ys[0]))

    # ------------------------------------------------------------------ engine

    @property
    def tz(self) -> str:
        """The zone local hours and weekdays are counted in."""
        return self.engine().tz

    def engine(self) -> HeatEngine:
        """The engine over the history (built once, on first use, on whichever thread)."""
        with self._lock:
            if self._engine is None:
                tz = self._tz() or FALLBACK_TZ
                try:
                    zone(tz)
                except ValueError:
                    log.warning("unknown district time zone %r: using %s", tz, FALLBACK_TZ)
                    tz = FALLBACK_TZ
                t, lon, lat, types = self._history
                self._engine = HeatEngine(
                    t,
                    lon,
                    lat,
                    list(types),
                    bbox=self.district.bbox,
                    tz=tz,
                    outline=self.district.outline,
                )
            return self._engine

    def add_calls(
        self, t: npt.ArrayLike, lon: npt.ArrayLike, lat: npt.ArrayLike, types: Sequence[str]
    ) -> None:
        """Take further calls into the history (a new engine replaces the old one)."""
        new = self.engine().with_calls(t, lon, lat, list(types))
        with self._lock:
            self._engine = new

    def close(self) -> None:
        """Stop the workers; work not yet begun is cancelled (its callers are told the hub is
        stopping).  A later request starts them again."""
        with self._pool_lock:
            pool, self._pool = self._pool, None
        if pool is not None:
            pool.shutdown(wait=False, cancel_futures=True)

    def run(self, work: Callable[[], dict[str, Any]]) -> Future[dict[str, Any]]:
        """Run ``work`` on the workers (the hub thread goes on)."""
        with self._pool_lock:
            if self._pool is None:
                self._pool = ThreadPoolExecutor(max_workers=WORKERS, thread_name_prefix="hub-heat")
            pool = self._pool
        return pool.submit(work)

    # ------------------------------------------------------------------ checks

    def _types(self, types: list[str] | None) -> list[str] | None:
        """The type filter checked against the configured types (hub thread)."""
        if types is None:
            return None
        unknown = sorted(set(types) - self.known_types)
        if unknown:
            raise CommandError(f"unknown incident type(s): {', '.join(unknown)}")
        return list(types)

    @staticmethod
    def _held(eng: HeatEngine, types: list[str] | None) -> list[str] | None:
        """A checked filter narrowed to the types the history holds (worker thread): a
        configured type without calls selects nothing instead of failing."""
        return None if types is None else [k for k in types if k in eng.calls.types]

    def _cell(self, cell_m: float, what: str) -> float:
        if not (math.isfinite(cell_m) and 5.0 <= cell_m <= 1000.0):
            raise CommandError(f"{what} cell size must be 5-1000 m, got {cell_m:g}")
        w, h = self._extent_m
        cells = math.ceil(w / cell_m) * math.ceil(h / cell_m)
        if cells > MAX_CELLS:
            raise CommandError(
                f"{what} cells of {cell_m:g} m make {cells:,} cells over the district "
                f"(limit {MAX_CELLS:,}): choose larger cells"
            )
        return float(cell_m)

    @staticmethod
    def _window(t0: float, t1: float, what: str) -> None:
        if not (math.isfinite(t0) and math.isfinite(t1)):
            raise CommandError(f"{what} window: start and end must be finite times")
        if not t1 > t0:
            raise CommandError(f"{what} window: end must be after start")

    @staticmethod
    def _hours(hours: Iterable[int] | None, weekdays: Iterable[int] | None) -> None:
        if hours is not None and any(not 0 <= h <= 23 for h in hours):
            raise CommandError(f"hours of day must be 0-23, got {sorted(hours)}")
        if weekdays is not None and any(not 0 <= d <= 6 for d in weekdays):
            raise CommandError(f"weekdays must be 0 (Monday) to 6 (Sunday), got {sorted(weekdays)}")

    def _now(self) -> float:
        if self._clock is None:
            raise CommandError("this hub has no clock: give the start time")
        return self._clock()

    # ------------------------------------------------------------------ commands

    def heat(self, cmd: GetHeat) -> Future[dict[str, Any]]:
        """Calls per km² of the window and filter (``GetHeat``), in the old wire form."""
        self._window(cmd.t0, cmd.t1, "heat")
        cell = self._cell(cmd.cell_m, "heat")
        if not (math.isfinite(cmd.bandwidth_m) and 0.0 <= cmd.bandwidth_m <= 2000.0):
            raise CommandError(f"heat bandwidth must be 0-2000 m, got {cmd.bandwidth_m:g}")
        self._hours(cmd.hours, cmd.weekdays)
        types = self._types(cmd.types)

        def work() -> dict[str, Any]:
            eng = self.engine()
            g = eng.density(
                cmd.t0,
                cmd.t1,
                types=self._held(eng, types),
                hours=cmd.hours,
                weekdays=cmd.weekdays,
                cell_m=cell,
                bandwidth_m=cmd.bandwidth_m,
            )
            return {
                "density": g.density.tobytes(),
                "shape": list(g.density.shape),
                "bbox": [g.lon0, g.lat0, g.lon1, g.lat1],
                "n_calls": g.n_calls,
                "max": g.max,
                "cell_m": cell,
                "bandwidth_m": cmd.bandwidth_m,
                "tz": eng.tz,
            }

        return self.run(work)

    def hotspots(self, cmd: GetHotspots) -> Future[dict[str, Any]]:
        """Gi* hot-spot areas (``GetHotspots``): ``HotSpotResult.to_wire`` plus "tz"."""
        self._window(cmd.t0, cmd.t1, "hot-spot")
        cell = self._cell(cmd.cell_m, "hot-spot")
        if not (math.isfinite(cmd.neighbourhood_m) and cell <= cmd.neighbourhood_m <= 5000.0):
            raise CommandError(
                f"hot-spot neighbourhood must be {cell:g}-5000 m (at least one cell), "
                f"got {cmd.neighbourhood_m:g}"
            )
        if not (math.isfinite(cmd.fdr) and 0.0 < cmd.fdr <= 0.5):
            raise CommandError(f"false-discovery rate must be in (0, 0.5], got {cmd.fdr}")
        self._hours(cmd.hours, cmd.weekdays)
        types = self._types(cmd.types)

        def work() -> dict[str, Any]:
            eng = self.engine()
            res = eng.hotspots(
                cmd.t0,
                cmd.t1,
                types=self._held(eng, types),
                hours=cmd.hours,
                weekdays=cmd.weekdays,
                cell_m=cell,
                neighbourhood_m=cmd.neighbourhood_m,
                fdr=cmd.fdr,
            )
            return {**res.to_wire(), "tz": eng.tz, "t0": cmd.t0, "t1": cmd.t1}

        return self.run(work)

    def forecast(self, cmd: GetForecast) -> Future[dict[str, Any]]:
        """Expected calls (``GetForecast``): ``Forecast.to_wire`` plus "tz" and "horizon"."""
        step = HORIZONS.get(cmd.horizon)
        if step is None:
            raise CommandError(
                f"unknown forecast horizon {cmd.horizon!r} (known: {', '.join(HORIZONS)})"
            )
        if cmd.model not in MODEL_NAMES:
            raise CommandError(
                f"unknown forecast model {cmd.model!r} (known: {', '.join(MODEL_NAMES)})"
            )
        if cmd.horizon == "shift" and not (
            math.isfinite(cmd.shift_hours) and 1.0 <= cmd.shift_hours <= 24.0
        ):
            raise CommandError(f"a shift lasts 1-24 hours, got {cmd.shift_hours:g}")
        if cmd.t0 is not None and not math.isfinite(cmd.t0):
            raise CommandError("forecast start must be a finite time")
        cell = self._cell(cmd.cell_m, "forecast")
        types = self._types(cmd.types)
        now = self._now() if cmd.t0 is None else cmd.t0

        def work() -> dict[str, Any]:
            eng = self.engine()
            t0 = local_hour_start(now, eng.tz) if cmd.t0 is None else cmd.t0
            span = {"shift": cmd.shift_hours * HOUR_S, "24h": DAY_S, "7d": 7 * DAY_S}
            fc = eng.forecast(
                t0,
                t0 + span[cmd.horizon],
                types=self._held(eng, types),
                cell_m=cell,
                model=cmd.model,
                step_s=step,
            )
            return {**fc.to_wire(), "tz": eng.tz, "horizon": cmd.horizon}

        return self.run(work)

    def patrol_focus(self, cmd: GetPatrolFocus) -> Future[dict[str, Any]]:
        """Patrol points per area for a shift (``GetPatrolFocus``)."""
        if cmd.area_codes is None:
            areas = list(self.district.areas)
        else:
            unknown = sorted(set(cmd.area_codes) - set(self.areas))
            if unknown:
                raise CommandError(f"unknown responsibility area(s): {', '.join(unknown)}")
            areas = [self.areas[c] for c in dict.fromkeys(cmd.area_codes)]
        if not areas:
            raise CommandError("the district has no responsibility areas to patrol")
        if not 1 <= cmd.per_area <= 10:
            raise CommandError(f"patrol points per area must be 1-10, got {cmd.per_area}")
        if not (math.isfinite(cmd.radius_m) and 50.0 <= cmd.radius_m <= 2000.0):
            raise CommandError(f"patrol radius must be 50-2000 m, got {cmd.radius_m:g}")
        for v in (cmd.t0, cmd.t1):
            if v is not None and not math.isfinite(v):
                raise CommandError("shift start and end must be finite times")
        if cmd.t0 is not None and cmd.t1 is not None:
            self._window(cmd.t0, cmd.t1, "shift")
            if cmd.t1 - cmd.t0 > 24 * HOUR_S:
                raise CommandError("a patrol shift lasts at most 24 hours")
        types = self._types(cmd.types)
        now = self._now() if cmd.t0 is None else cmd.t0

        def work() -> dict[str, Any]:
            eng = self.engine()
            t0 = local_hour_start(now, eng.tz) if cmd.t0 is None else cmd.t0
            t1 = t0 + 8 * HOUR_S if cmd.t1 is None else cmd.t1
            if not t1 > t0:
                raise CommandError("shift: end must be after start")
            focus = eng.patrol_focus(
                t0,
                t1,
                areas,
                types=self._held(eng, types),
                per_area=cmd.per_area,
                radius_m=cmd.radius_m,
            )
            return {
                "t0": t0,
                "t1": t1,
                "tz": eng.tz,
                "radius_m": cmd.radius_m,
                "areas": [f.to_wire() for f in focus],
            }

        return self.run(work)
