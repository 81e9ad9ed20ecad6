"""The hub's crowd part (issue 18): counts in, a forecast per place once a minute, warnings
on the alert board, and the crowd-crush run card from a warning.

- **Counts in.** :meth:`Crowding.add_count` is the one entry for every counter: an
  operator's ``AddCrowdCount``, an enrolled counting device over the terminal link, a
  camera's crowd count.  It may be called from any thread; the count is checked (known
  place, a number of people, not ahead of the hub clock, not older than
  :data:`MAX_AGE_S`), stored as that counter's minute (an upsert: a resend changes
  nothing) and handed to the forecaster.  A counter that belongs to a device takes
  counts from that device only.
- **Forecasts out.** Once a minute of the hub clock (sooner, at most every
  :data:`EARLY_S`, when counts arrived) the hub thread hands a refresh to this part's
  own worker thread -- a refit of the gradient boosting costs seconds of CPU, a plain
  refresh tens of milliseconds; the command thread never waits for either.  The hub
  thread then publishes one :class:`CrowdForecast` per place and raises the warnings.
- **Warnings.** Each :class:`~console.crowd.alerts.CrowdAlert` (a forecast crossing ahead
  of time with its lead time, a measured crossing now) becomes an ``Alert`` with
  ``crowd`` set: the same dock, sound and acknowledgement as every alert, raised once
  per episode key.  ``RaiseCrowdIncident`` opens a ``crowd_crush_risk`` incident at the
  place through the normal intake, so the plan engine's crowd-crush run card plans it.
- **History.** A hub loads each place's hourly counts from its store on the worker at
  start and rolls finished hours of live minutes up into hours.  The gradient boosting
  needs weeks of counts: until a place has :data:`MIN_FIT_DAYS` of them the weekly
  profile forecasts (a fit on too little data would be tried again every minute).  The
  labelled demo's simulated world instead gets the stand-in series of
  :mod:`console.hub.crowd_demo`, in memory only.
"""

from __future__ import annotations

import logging
import math
import threading
from collections import deque
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import msgspec
import numpy as np
import numpy.typing as npt
from sqlalchemy import select

from console.crowd.alerts import CrowdAlert
from console.crowd.csvread import MAX_COUNT
from console.crowd.localtime import HOUR, local_hour_start
from console.crowd.repo import CrowdRepo
from console.crowd.service import CrowdService, PlaceForecast
from console.crowd.settings import (
    CrowdSettings,
    PlaceSettings,
    for_district,
    load_crowd_settings,
)
from console.domain import District
from console.hub.alerts import AlertBoard
from console.hub.crowd_demo import DemoCounts, demo_counts, feed_value
from console.hub.errors import CommandError
from console.hub.messages import (
    AddCrowdCount,
    Command,
    CreateIncident,
    CrowdAlertInfo,
    CrowdForecast,
    Envelope,
    Event,
    GetCrowd,
    GetCrowdPlaces,
    RaiseCrowdIncident,
)
from console.store.db import Store
from console.store.models_crowd import CrowdSensorRow

log = logging.getLogger(__name__)

F64 = npt.NDArray[np.float64]
MINUTE = 60.0
EARLY_S = 10.0
"""Counts that arrive mid-minute are forecast from this many seconds on, not a minute later."""
FUTURE_SLACK_S = 300.0
MAX_AGE_S = 24 * HOUR
"""Older counts are history: ``main.py crowd import`` takes them.  The window is the
terminal link's timestamp window (docs/protocol.md section 3)."""
MIN_FIT_DAYS = 28
DEMO_FIT_AFTER_S = 60.0
"""The demo's hub-clock seconds on the weekly profile before the configured model is fitted."""
KEEP_MINUTES_S = 8 * 86400.0
"""Minute counts older than this are pruned (their hours are kept)."""
RECENT_S = 2 * HOUR  # live minutes read back at start, for the nowcast
Creator = Callable[[CreateIncident, Envelope], dict[str, Any]]


@dataclass
class _Job:
    """One refresh: issued on the hub thread, computed on the worker, published back."""

    now: float
    future: Future[tuple[list[PlaceForecast], list[CrowdAlert]]]
    waiters: list[Future[list[CrowdForecast]]]


def _bytes(a: F64) -> bytes:
    return np.ascontiguousarray(a, dtype=np.float64).tobytes()


def forecast_event(f: PlaceForecast, p: PlaceSettings, note: str, note_en: str) -> CrowdForecast:
    """The wire form of a place's forecast (arrays as float64 bytes)."""
    return CrowdForecast(
        place=f.place,
        issued_at=f.issued_at,
        model=f.model,
        measure=p.measure,
        tz=p.tz,
        capacity=f.capacity,
        warn_share=f.warn_share,
        alarm_share=f.alarm_share,
        hour_times=_bytes(f.hour_times),
        hour_point=_bytes(f.hour_point),
        hour_lower=_bytes(f.hour_lower),
        hour_upper=_bytes(f.hour_upper),
        minute_times=_bytes(f.minute_times),
        minute_point=_bytes(f.minute_point),
        minute_lower=_bytes(f.minute_lower),
        minute_upper=_bytes(f.minute_upper),
        observed_times=_bytes(f.observed_times),
        observed=_bytes(f.observed),
        peak_t=f.peak_t,
        peak=f.peak,
        note=note,
        note_en=note_en,
    )


class Crowding:
    """Counts, forecasts and warnings of the crowd places (see the module text)."""

    def __init__(
        self,
        config_dir: Path | str | None,
        store: Store,
        alerts: AlertBoard,
        create_incident: Creator,
        emit: Callable[[Event], None],
        clock: Callable[[], float],
        settings: CrowdSettings | None = None,
        district: District | None = None,
    ) -> None:
        """``create_incident``: the normal intake (``IncidentCommands.create``);
        ``district``: only its own places are kept (:func:`for_district`)."""
        chosen = settings if settings is not None else load_crowd_settings(config_dir)
        if district is not None:
            chosen, left_out = for_district(chosen, district.code, district.outline)
            for why in left_out:
                log.warning("%s", why)
        self.settings = chosen
        self.store = store
        self.alerts = alerts
        self.create_incident = create_incident
        self.emit = emit
        self.clock = clock
        self.places = {p.code: p for p in self.settings.places}
        self.service = self._service(self._fit_model(enough=False))
        self.latest: dict[str, CrowdForecast] = {}
        self.demo: DemoCounts | None = None
        self.refresh_threads: deque[str] = deque(maxlen=20)  # where refreshes ran (tests)
        self.incident_of: dict[int, int] = {}  # crowd alert id -> the incident it opened
        self._use_demo = False
        self._lock = threading.Lock()
        self._place_ids: dict[str, int] = {}
        self._ids_lock = threading.Lock()
        self._seen: set[tuple[str, str, float]] = set()  # (place, sensor, minute) taken
        self._dirty_hours: set[tuple[str, float]] = set()  # hours to roll up once ended
        self._has_data = False
        self._new_counts = False
        self._loaded = False
        self._fed_until = 0.0  # demo feed: minutes before this were fed
        self._pruned_at = 0.0
        self._checked_fit_at = 0.0
        self._loaded_at = 0.0
        self._last_issue: float | None = None
        self._job: _Job | None = None
        self._waiters: list[Future[list[CrowdForecast]]] = []
        self._running = False
        self._pool: ThreadPoolExecutor | None = None

    # ------------------------------------------------------------------ lifecycle

    def start(self, demo: bool = False) -> None:
        """Begin refreshing (the first refresh loads the history on the worker).  ``demo``:
        the labelled demo's simulated world: the stand-in counts of :mod:`crowd_demo`."""
        self._use_demo = demo and bool(self.places)
        self._running = bool(self.places)

    def stop(self) -> None:
        """Stop refreshing; a refresh under way finishes on its own and is not published."""
        self._running = False
        pool, self._pool = self._pool, None
        if pool is not None:
            pool.shutdown(wait=False, cancel_futures=True)

    def set_settings(self, settings: CrowdSettings) -> None:
        """Take changed crowd settings (places, limits, model): the next refresh reloads
        every place's history with them."""
        with self._ids_lock, self._lock:
            self.settings = settings
            self.places = {p.code: p for p in settings.places}
            self._place_ids = {}
            self._loaded = False
        self._running = self._running or bool(self.places)

    def reload(self) -> Future[list[CrowdForecast]]:
        """Read the history again at the next refresh (counts imported while the hub runs:
        ``main.py crowd import``); the future holds that refresh's forecasts."""
        self._loaded = False
        return self.request_refresh()

    def handlers(self) -> dict[type[Command], Callable[[Any, Envelope], Any]]:
        """The command table entries (the hub adds them to its own)."""
        return {
            GetCrowdPlaces: lambda c, e: self.place_list(),
            GetCrowd: lambda c, e: self.get(c.place),
            AddCrowdCount: self._add_command,
            RaiseCrowdIncident: self.raise_incident,
        }

    # ------------------------------------------------------------------ counts in

    def add_count(
        self,
        place: str,
        sensor: str,
        t: float,
        people: float,
        *,
        source: str = "operator",
        device: str = "",
    ) -> dict[str, Any]:
        """Take one counter's count for the minute holding ``t`` (any thread); raises
        :class:`CommandError` naming what is wrong.  Returns {"place", "sensor", "minute"}."""
        p, sensor, minute, people = self._check(place, sensor, t, people)
        pid = self._place_id(p.code)
        with self.store.transaction() as s:
            repo = CrowdRepo(s)
            owner = s.scalar(
                select(CrowdSensorRow.device).where(
                    CrowdSensorRow.place_id == pid, CrowdSensorRow.code == sensor
                )
            )
            if owner is not None and owner != device:
                whose = f"device {owner}" if owner else "the operators' entries"
                raise CommandError(f"counter {sensor!r} of {p.code} belongs to {whose}")
            sid = repo.ensure_sensors(pid, [sensor], source, device)[sensor]
            repo.put_counts(
                pid,
                np.array([sid], dtype=np.int64),
                60,
                np.array([minute]),
                np.array([people]),
                now=self.clock(),
            )
        with self._lock:
            key = (p.code, sensor, minute)
            if key not in self._seen:  # a resend is stored again, never counted twice
                self._seen.add(key)
                self.service.add_count(p.code, sensor, minute, people)
            self._dirty_hours.add((p.code, float(local_hour_start(minute, p.tz))))
            self._has_data = self._new_counts = True
        return {"place": p.code, "sensor": sensor, "minute": minute}

    def _add_command(self, cmd: AddCrowdCount, env: Envelope) -> dict[str, Any]:
        t = self.clock() if cmd.t is None else cmd.t
        return self.add_count(cmd.place, cmd.sensor, t, cmd.people, source="operator")

    def _check(
        self, place: str, sensor: str, t: float, people: float
    ) -> tuple[PlaceSettings, str, float, float]:
        p = self.places.get(place)
        if p is None:
            known = ", ".join(self.places) or "none configured"
            raise CommandError(f"no crowd place {place!r} (places: {known})")
        sensor = sensor.strip()
        if not 1 <= len(sensor) <= 64:
            raise CommandError("a counter's name must be 1 to 64 characters")
        if not isinstance(people, int | float) or not math.isfinite(people):
            raise CommandError(f"count {people!r} for {place}: not a number of people")
        if not 0 <= people <= MAX_COUNT:
            raise CommandError(f"count {people:g} for {place}: must be 0 to {MAX_COUNT:,.0f}")
        if not isinstance(t, int | float) or not math.isfinite(t):
            raise CommandError(f"count time {t!r} for {place}: not a time")
        now = self.clock()
        if t > now + FUTURE_SLACK_S:
            raise CommandError(
                f"count time for {place} is {t - now:,.0f} s ahead of the hub clock: "
                "check the counter's clock"
            )
        if t < now - MAX_AGE_S:
            raise CommandError(
                f"count time for {place} is over {MAX_AGE_S / HOUR:g} h old: import history "
                "with main.py crowd import"
            )
        return p, sensor, float(math.floor(t / MINUTE) * MINUTE), float(people)

    def _place_id(self, code: str) -> int:
        """The place's row id; every place's row is made (or brought in line with the
        settings) in one transaction the first time one is needed."""
        with self._ids_lock:
            if not self._place_ids:
                with self.store.transaction() as s:
                    repo = CrowdRepo(s)
                    now = self.clock()
                    ids = {p.code: repo.ensure_place(p, now) for p in self.places.values()}
                self._place_ids = ids
            return self._place_ids[code]

    # ------------------------------------------------------------------ reads

    def place_list(self) -> dict[str, Any]:
        """``GetCrowdPlaces``: each place's geometry and limits, and the counts' label."""
        demo = self.demo
        return {
            "places": [
                {
                    "code": p.code,
                    "name": p.name,
                    "name_en": p.name_en or p.name,
                    "kind": p.kind,
                    "polygon": [list(v) for v in p.polygon],
                    "point": list(p.point) if p.point is not None else None,
                    "centre": list(p.centre),
                    "capacity": p.capacity,
                    "warn_share": p.warn_share,
                    "alarm_share": p.alarm_share,
                    "measure": p.measure,
                    "tz": p.tz,
                }
                for p in self.places.values()
            ],
            "note": demo.note if demo is not None else "",
            "note_en": demo.note_en if demo is not None else "",
        }

    def get(self, place: str = "") -> dict[str, Any]:
        """``GetCrowd``: the latest forecast of ``place`` (every place for "")."""
        if place and place not in self.places:
            raise CommandError(f"no crowd place {place!r} (places: {', '.join(self.places)})")
        rows = [f for code, f in self.latest.items() if not place or code == place]
        return {"forecasts": rows}

    # ------------------------------------------------------------------ run card

    def raise_incident(self, cmd: RaiseCrowdIncident, env: Envelope) -> dict[str, Any]:
        """A ``crowd_crush_risk`` incident at the warning's place, through the normal intake
        (its plan follows as for any call); the warning counts as acknowledged."""
        a = self.alerts.require(cmd.alert_id)
        info = a.crowd
        if info is None:
            raise CommandError(f"alert {cmd.alert_id} is not a crowd warning")
        done = self.incident_of.get(cmd.alert_id)
        if done is not None:
            raise CommandError(f"alert {cmd.alert_id} already opened incident #{done}")
        text = a.text or a.text_en
        result = self.create_incident(
            CreateIncident(
                incident_type=info.incident_type,
                lon=info.lon,
                lat=info.lat,
                address=info.place_name,
                description=text,
                source="crowd",
            ),
            env,
        )
        iid = int(result["incident_id"])
        self.incident_of[cmd.alert_id] = iid
        a.incident_id = iid
        if a.acked_by:
            self.alerts.emit(a)
        else:
            self.alerts.ack(cmd.alert_id, env.actor)  # re-published with the incident
        return {**result, "alert_id": cmd.alert_id}

    # ------------------------------------------------------------------ refresh

    def request_refresh(self) -> Future[list[CrowdForecast]]:
        """A refresh now (unless one is under way: then the next; tests, the screenshot
        tool, an import); the future holds the forecasts once they are published."""
        fut: Future[list[CrowdForecast]] = Future()
        with self._lock:
            self._waiters.append(fut)
        self._issue(force=True)
        return fut

    def tick(self) -> None:
        """Hub thread, every tick: publish a finished refresh; start the next when due."""
        with self._lock:
            job = self._job
            if job is not None and job.future.done():
                self._job = None
            else:
                job = None
        if job is not None:
            self._publish(job)
        self._issue()

    def _issue(self, force: bool = False) -> None:
        """Hand a refresh to the worker when one is due and none is under way (any thread)."""
        if not self._running:
            return
        now = self.clock()
        with self._lock:
            last = self._last_issue
            due = (
                force
                or last is None
                or math.floor(now / MINUTE) != math.floor(last / MINUTE)
                or bool(self._waiters)
                or (self._new_counts and now - last >= EARLY_S)
            )
            if not due or self._job is not None:
                return
            waiters, self._waiters = self._waiters, []
            self._new_counts = False
            self._last_issue = now
            if self._pool is None:
                self._pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="hub-crowd")
            self._job = _Job(now, self._pool.submit(self._refresh, now), waiters)

    def _publish(self, job: _Job) -> None:
        try:
            forecasts, alerts = job.future.result()
        except Exception as exc:  # the next minute tries again; the log says why
            if not job.future.cancelled():
                log.error("crowd refresh failed", exc_info=exc)
            forecasts, alerts = [], []
        if not self._running:
            forecasts, alerts = [], []
        demo = self.demo
        note, note_en = (demo.note, demo.note_en) if demo is not None else ("", "")
        places = self.places
        events = [
            forecast_event(f, places[f.place], note, note_en)
            for f in forecasts
            if f.place in places
        ]
        for ev in events:
            self.latest[ev.place] = ev
            self.emit(ev)
        for ca in alerts:
            if ca.place in places:
                self._raise(ca)
        for w in job.waiters:
            if not w.done():
                w.set_result(list(events))

    def _raise(self, ca: CrowdAlert) -> None:
        p = self.places[ca.place]
        lon, lat = (ca.lon, ca.lat) if ca.lon is not None and ca.lat is not None else p.centre
        info = CrowdAlertInfo(
            key=ca.key,
            place=ca.place,
            place_name=p.name,
            source=ca.source,
            t_cross=ca.t_cross,
            t_peak=ca.t_peak,
            lead_s=ca.lead_s,
            share=ca.share,
            peak=ca.peak,
            lon=float(lon),
            lat=float(lat),
            incident_type=ca.incident_type,
        )
        self.alerts.raise_alert(ca.key, ca.level, ca.kind, ca.text, ca.text_en, None, crowd=info)

    # ------------------------------------------------------------------ worker

    def _refresh(self, now: float) -> tuple[list[PlaceForecast], list[CrowdAlert]]:
        """Worker thread: history on the first call, the demo feed, hour roll-ups, then the
        service's refresh (skipped while no place has any count)."""
        self.refresh_threads.append(threading.current_thread().name)
        if not self._loaded or self._may_fit(now):
            self._load(now)
        if self.demo is not None:
            self._feed_demo(now)
        self._roll_up(now)
        with self._lock:
            service, has_data = self.service, self._has_data
            cut = now - MAX_AGE_S - MINUTE
            self._seen = {k for k in self._seen if k[2] >= cut}
        if not has_data:
            return [], []
        return service.refresh(now)

    def _load(self, now: float) -> None:
        """Each place's hourly history and recent minutes into a new service (its model
        the configured one once a place has MIN_FIT_DAYS of counts)."""
        self._loaded = True
        self._loaded_at = now
        first = self._use_demo and self.demo is None  # the demo's first load
        hours: dict[str, tuple[F64, F64]] = {}
        minutes: dict[str, tuple[F64, F64]] = {}
        if self._use_demo:
            self.demo = demo = demo_counts(self.settings, now)
            for code in self.places:
                if code in demo.series:
                    hour = float(local_hour_start(now, self.places[code].tz))
                    hours[code] = demo.hours_before(code, hour)
            if first:  # a reload carries the minutes already fed over (below)
                self._fed_until = math.floor(now / MINUTE) * MINUTE - RECENT_S
        else:
            hours, minutes = self._stored(now)
        span = max((float(t[-1] - t[0]) for t, _ in hours.values() if t.size), default=0.0)
        # the demo forecasts from its first minute with the weekly profile and fits the
        # configured model a little later (a hub that only runs for a test never fits)
        enough = span >= MIN_FIT_DAYS * 86400.0 and not first
        service = self._service(self._fit_model(enough=enough))
        for code, (t, v) in hours.items():
            service.load_hours(code, t, v)
        for code, (t, v) in minutes.items():
            for tt, vv in zip(t, v, strict=True):
                service.add_count(code, "stored", float(tt), float(vv))
        with self._lock:
            live = self.service  # counts that came in meanwhile: carried over
            for code, place in live.places.items():
                for sensor, cells in place.minutes.items():
                    for m, (total, n) in cells.items():
                        service.add_count(code, sensor, m, total / n)
            self.service = service
            self._has_data = self._has_data or any(t.size for t, _ in hours.values())
        log.info(
            "crowd: %d places, %s, model %s",
            len(self.places),
            "demo " + self.demo.kind if self.demo else "counts from the store",
            service.settings.forecast.model,
        )

    def _stored(self, now: float) -> tuple[dict[str, tuple[F64, F64]], dict[str, tuple[F64, F64]]]:
        start = now - self.settings.forecast.history_days * 86400.0
        hours: dict[str, tuple[F64, F64]] = {}
        minutes: dict[str, tuple[F64, F64]] = {}
        with self.store.transaction() as s:
            repo = CrowdRepo(s)
            for p in self.places.values():
                pid = self._place_id(p.code)
                hours[p.code] = repo.series(pid, 3600, start, now, p.combine)
                minutes[p.code] = repo.series(pid, 60, now - RECENT_S, now, p.combine)
        return hours, minutes

    def _feed_demo(self, now: float) -> None:
        """The demo's live counter: each minute that ended since the last feed, replayed
        from the stand-in series (memory only, never stored)."""
        demo = self.demo
        assert demo is not None
        last_full = math.floor(now / MINUTE) * MINUTE - MINUTE
        start = max(self._fed_until, last_full - RECENT_S)
        minutes = np.arange(start, last_full + 1.0, MINUTE)
        with self._lock:
            for code in self.places:
                for m in minutes:
                    v = feed_value(demo, code, float(m))
                    if v is not None:
                        self.service.add_count(code, "demo-feed", float(m), v)
                        self._has_data = True
        self._fed_until = last_full + MINUTE

    def _roll_up(self, now: float) -> None:
        """Ended hours with new minute counts become hourly counts in the store; minute
        counts older than KEEP_MINUTES_S are pruned once a day."""
        with self._lock:
            due = sorted((c, h) for c, h in self._dirty_hours if h + HOUR <= now)
            self._dirty_hours.difference_update(due)
        if not due and now - self._pruned_at < 86400.0:
            return
        with self.store.transaction() as s:
            repo = CrowdRepo(s)
            for code, hour in due:
                p = self.places[code]
                repo.roll_up_hour(self._place_id(code), hour, p.measure, now)
            if now - self._pruned_at >= 86400.0:
                self._pruned_at = now
                repo.prune(60, now - KEEP_MINUTES_S)

    # ------------------------------------------------------------------ model

    def _may_fit(self, now: float) -> bool:
        """While the weekly profile stands in for the configured model: whether to fit it
        now (then the service is rebuilt from the history).  The demo fits
        DEMO_FIT_AFTER_S after its first forecasts; a hub checks once a day whether a
        place now has MIN_FIT_DAYS of counts."""
        service = self.service
        if service.settings.forecast.model == self.settings.forecast.model:
            return False
        if self.demo is not None:
            return now - self._loaded_at >= DEMO_FIT_AFTER_S
        if now - self._checked_fit_at < 86400.0:
            return False
        self._checked_fit_at = now
        spans = [max(p.hours) - min(p.hours) for p in service.places.values() if p.hours]
        return max(spans, default=0.0) >= MIN_FIT_DAYS * 86400.0

    def _fit_model(self, enough: bool) -> str:
        """The configured model, or the weekly profile while history is too short to fit."""
        model = self.settings.forecast.model
        return model if enough or model != "gradient_boosting" else "weekly_profile"

    def _service(self, model: str) -> CrowdService:
        fc = msgspec.structs.replace(self.settings.forecast, model=model)
        return CrowdService(msgspec.structs.replace(self.settings, forecast=fc), self.clock)
