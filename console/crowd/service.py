"""The hub's crowd engine, without Qt and without the hub: counts in, forecasts and
alerts out.

The hub (later) owns one :class:`CrowdService`: it loads each place's hourly history
from the store at start, hands every live count to :meth:`add_count` (camera crowd
counts, enrolled counting devices over the terminal link) and calls :meth:`refresh`
once a minute **on a worker thread** (a model refit takes seconds; a plain refresh
tens of milliseconds).  ``refresh`` returns a :class:`PlaceForecast` per place for
the chart dock and the map's time slider, and the :class:`CrowdAlert` records to
raise through the hub's alert board.

Live counts are kept per counter and minute (a mean of the snapshots for an
occupancy, a sum for a flow), combined per place by its rule, and rolled up into the
hour when the hour ends -- only if at least 45 of its minutes were counted: a
half-counted hour is a gap, not a low hour.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np
import numpy.typing as npt

from console.crowd.alerts import CrowdAlert, CrowdWarnings
from console.crowd.band import residual_band
from console.crowd.context import Known, day_table_for
from console.crowd.evaluate import make_models
from console.crowd.gbm import GradientBoosting
from console.crowd.localtime import HOUR, HourGrid, local_hour_start
from console.crowd.models import Forecaster
from console.crowd.nowcast import MINUTE, minute_expectation, nowcast
from console.crowd.repo import MIN_MINUTES
from console.crowd.series import Panel
from console.crowd.settings import CrowdSettings, PlaceSettings

F64 = npt.NDArray[np.float64]
KEEP_MINUTES = 180


@dataclass(frozen=True)
class PlaceForecast:
    """Everything the chart dock and the map layer show for one place."""

    place: str
    issued_at: float
    model: str
    capacity: float
    warn_share: float
    alarm_share: float
    hour_times: F64  # bucket starts of the next horizon hours (UTC s)
    hour_point: F64
    hour_lower: F64
    hour_upper: F64
    minute_times: F64  # the nowcast's minutes (empty without live counts)
    minute_point: F64
    minute_lower: F64
    minute_upper: F64
    observed_times: F64  # the last 48 hourly counts (gaps left out)
    observed: F64
    peak_t: float | None
    peak: float | None

    def share_at(self, t: float) -> float | None:
        """Forecast share of capacity in the hour holding ``t`` (the map's time slider)."""
        i = int(np.searchsorted(self.hour_times, t, side="right")) - 1
        if i < 0 or i >= self.hour_times.size or not np.isfinite(self.hour_point[i]):
            return None
        return float(self.hour_point[i] / self.capacity)


@dataclass
class _Place:
    cfg: PlaceSettings
    hours: dict[float, float] = field(default_factory=dict)  # hour start -> count
    minutes: dict[str, dict[float, list[float]]] = field(default_factory=dict)  # sensor ->
    rolled: float = 0.0  # hours before this are rolled up


class CrowdService:
    """Counts in, forecasts and alerts out; thread-safe between add_count and refresh."""

    def __init__(self, settings: CrowdSettings, clock: Callable[[], float] = time.time) -> None:
        self.settings = settings
        self.clock = clock
        self.places = {p.code: _Place(p) for p in settings.places}
        self.warnings = CrowdWarnings([p.limits() for p in settings.places])
        self._lock = threading.Lock()
        self._models: dict[tuple[str, str, str | None], Forecaster] = {}

    # --- counts in -------------------------------------------------------------------

    def load_hours(self, code: str, times: F64, values: F64) -> None:
        """Hourly place counts from the store (bucket starts, counts; gaps left out)."""
        place = self._place(code)
        with self._lock:
            for t, v in zip(np.asarray(times, float), np.asarray(values, float), strict=True):
                if np.isfinite(v):
                    place.hours[float(t)] = float(v)

    def add_count(self, code: str, sensor: str, t: float, count: float) -> None:
        """One live count of a counter at ``t``: a snapshot of the people present for an
        occupancy place, the people counted since its last report for a flow place."""
        place = self._place(code)
        if not np.isfinite(count) or count < 0:
            raise ValueError(f"count {count!r} for {code}: not a count")
        minute = float(np.floor(t / MINUTE) * MINUTE)
        with self._lock:
            cell = place.minutes.setdefault(sensor, {}).setdefault(minute, [0.0, 0.0])
            cell[0] += float(count)
            cell[1] += 1.0

    def _place(self, code: str) -> _Place:
        try:
            return self.places[code]
        except KeyError:
            raise ValueError(f"no crowd place {code!r}") from None

    def _minute_series(self, place: _Place, start: float, stop: float) -> tuple[F64, F64]:
        """Place counts per minute in [start, stop): counters' minutes combined."""
        per: dict[float, list[float]] = {}
        for cells in place.minutes.values():
            for m, (total, n) in cells.items():
                if start <= m < stop:
                    v = total / n if place.cfg.measure == "occupancy" else total
                    per.setdefault(m, []).append(v)
        times = np.array(sorted(per), dtype=np.float64)
        rule = place.cfg.combine
        vals = np.array(
            [
                float(
                    max(per[m])
                    if rule == "max"
                    else sum(per[m]) / (len(per[m]) if rule == "mean" else 1)
                )
                for m in times
            ],
            dtype=np.float64,
        )
        return times, vals

    def _roll_up(self, place: _Place, now: float) -> None:
        """Complete hours of live minutes become hourly counts; old minutes are dropped."""
        current = float(local_hour_start(now, place.cfg.tz))
        start = min((m for c in place.minutes.values() for m in c), default=current)
        hour = max(float(local_hour_start(start, place.cfg.tz)), place.rolled)
        while hour < current:
            times, vals = self._minute_series(place, hour, hour + HOUR)
            if times.size >= MIN_MINUTES:
                if place.cfg.measure == "flow":
                    place.hours[hour] = float(vals.sum() * 60.0 / times.size)
                else:
                    place.hours[hour] = float(vals.mean())
            hour += HOUR
        place.rolled = max(place.rolled, current)
        cut = now - KEEP_MINUTES * MINUTE
        for cells in place.minutes.values():
            for m in [m for m in cells if m < cut]:
                del cells[m]

    # --- forecasts out ---------------------------------------------------------------

    def refresh(self, now: float | None = None) -> tuple[list[PlaceForecast], list[CrowdAlert]]:
        """Forecast every place from what is known at ``now``; the alerts this raises."""
        now = self.clock() if now is None else now
        fc = self.settings.forecast
        with self._lock:
            for place in self.places.values():
                self._roll_up(place, now)
            groups: dict[tuple[str, str, str | None], list[_Place]] = {}
            for place in self.places.values():
                c = place.cfg
                groups.setdefault((c.tz, c.country, c.subdiv), []).append(place)
            snapshot = {
                key: [(p, dict(p.hours), self._minute_series(p, now - 7200, now)) for p in ps]
                for key, ps in groups.items()
            }
        forecasts: list[PlaceForecast] = []
        alerts: list[CrowdAlert] = []
        for key, members in snapshot.items():
            panel, issue = self._panel(key[0], [h for _p, h, _m in members], now)
            known = Known(panel, issue, day_table_for(panel.grid, members[0][0].cfg.calendar()))
            model = self._model(key)
            point = model.forecast(known, fc.horizon_hours)
            if np.isnan(point).all() and model.name != "weekly_profile":
                point = make_models(["weekly_profile"])[1].forecast(known, fc.horizon_hours)
            lower, upper = residual_band(known, fc.horizon_hours, coverage=fc.band_coverage).apply(
                np.nan_to_num(point)
            )
            times = panel.grid.time(issue + np.arange(fc.horizon_hours)).astype(np.float64)
            for i, (place, hours, (m_t, m_v)) in enumerate(members):
                f = self._place_forecast(
                    place, now, model.name, times, point[i], lower[i], upper[i], hours, m_t, m_v
                )
                forecasts.append(f)
                alerts += self._alerts(place, now, f, m_t, m_v)
        return forecasts, alerts

    def _panel(self, tz: str, hours: list[dict[float, float]], now: float) -> tuple[Panel, int]:
        fc = self.settings.forecast
        start = now - fc.history_days * 86400.0
        grid = HourGrid.build(tz, start, now + (fc.horizon_hours + 1) * HOUR)
        y = np.full((len(hours), grid.n), np.nan)
        for s, h in enumerate(hours):
            if h:
                t = np.fromiter(h.keys(), dtype=np.float64)
                v = np.fromiter(h.values(), dtype=np.float64)
                col = ((t - grid.t0) // HOUR).astype(np.int64)
                ok = (col >= 0) & (col < grid.n)
                y[s, col[ok]] = v[ok]
        names = [f"s{i}" for i in range(len(hours))]
        return Panel(grid, names, y), grid.index(now)

    def _model(self, key: tuple[str, str, str | None]) -> Forecaster:
        if key not in self._models:
            fc = self.settings.forecast
            model = make_models([fc.model])[-1]
            if isinstance(model, GradientBoosting):
                model = GradientBoosting(refit_days=max(1, fc.refit_hours // 24), issue_hours="all")
            self._models[key] = model
        return self._models[key]

    def _place_forecast(
        self,
        place: _Place,
        now: float,
        model: str,
        times: F64,
        point: F64,
        lower: F64,
        upper: F64,
        hours: dict[float, float],
        m_t: F64,
        m_v: F64,
    ) -> PlaceForecast:
        cfg = place.cfg
        fc = self.settings.forecast
        exp = minute_expectation(
            times,
            point,
            np.concatenate(
                [
                    m_t,
                    np.floor(now / MINUTE) * MINUTE
                    + MINUTE * np.arange(fc.nowcast_minutes, dtype=np.float64),
                ]
            ),
            cfg.measure,
        )
        nc = nowcast(
            m_t,
            m_v,
            now,
            minutes=fc.nowcast_minutes,
            expected=exp if np.isfinite(exp).all() else None,
        )
        empty = np.empty(0)
        obs_t = np.array(sorted(t for t in hours if now - 48 * HOUR <= t < now), dtype=np.float64)
        finite = np.isfinite(point)
        peak_i = int(np.nanargmax(point)) if finite.any() else None
        return PlaceForecast(
            place=cfg.code,
            issued_at=now,
            model=model,
            capacity=cfg.capacity,
            warn_share=cfg.warn_share,
            alarm_share=cfg.alarm_share,
            hour_times=times,
            hour_point=point,
            hour_lower=lower,
            hour_upper=upper,
            minute_times=nc.times if nc else empty,
            minute_point=nc.point if nc else empty,
            minute_lower=nc.lower if nc else empty,
            minute_upper=nc.upper if nc else empty,
            observed_times=obs_t,
            observed=np.array([hours[t] for t in obs_t], dtype=np.float64),
            peak_t=float(times[peak_i]) if peak_i is not None else None,
            peak=float(point[peak_i]) if peak_i is not None else None,
        )

    def _alerts(
        self, place: _Place, now: float, f: PlaceForecast, m_t: F64, m_v: F64
    ) -> list[CrowdAlert]:
        code = place.cfg.code
        out = self.warnings.check_forecast(code, now, f.hour_times, f.hour_point, "hourly")
        if f.minute_times.size:
            out += self.warnings.check_forecast(
                code, now, f.minute_times, f.minute_point, "nowcast"
            )
        if place.cfg.measure == "occupancy" and m_t.size:
            out += self.warnings.check_measured(code, now, float(m_v[-1]))
        elif place.cfg.measure == "flow" and f.observed_times.size:
            last = f.observed_times[-1]
            if last >= now - 2 * HOUR:
                out += self.warnings.check_measured(code, now, float(f.observed[-1]))
        return out
