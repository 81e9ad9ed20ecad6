"""Capacity warnings: a forecast crossing raises an alert ahead of time, with its lead
time; a measured count crossing raises one now.

Each place has a safe capacity and two shares of it: warning (e.g. 80 %) and alarm
(e.g. 95 %, a critical alert).  Forecasts are refreshed every minute, so the same
crossing is seen again and again, a little earlier or later each time: an alert
belongs to an *episode* per (place, forecast or measured, level), raised once when
the episode starts and ended only when every forecast source (hourly, nowcast)
again stays below the level minus a hysteresis margin -- a crowd hovering around
the line does not ring every minute.  Records are plain data; the hub turns them
into its ``Alert`` events (same dock, sound and acknowledgement as every alert), and
an operator can open the crowd-crush run card from one (``incident_type``).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

import numpy as np
import numpy.typing as npt

from console.crowd.errors import CrowdError
from console.crowd.localtime import zone

F64 = npt.NDArray[np.float64]
LEVELS = ("warning", "critical")
INCIDENT_TYPE = "crowd_crush_risk"


@dataclass(frozen=True)
class PlaceLimits:
    """What a place may safely hold and when to warn; ``tz`` for the times in texts."""

    code: str
    name: str
    capacity: float
    warn_share: float = 0.8
    alarm_share: float = 0.95
    hysteresis_share: float = 0.05
    tz: str = "Asia/Shanghai"
    name_en: str = ""
    lon: float | None = None
    lat: float | None = None
    measure: str = "occupancy"  # occupancy: people present; flow: people per hour

    def __post_init__(self) -> None:
        if not (self.capacity > 0):
            raise CrowdError(f"place {self.code}: capacity must be positive")
        if not 0 < self.warn_share < self.alarm_share <= 2:
            raise CrowdError(
                f"place {self.code}: need 0 < warning share < alarm share (<= 2), got "
                f"{self.warn_share} and {self.alarm_share}"
            )
        if not 0 <= self.hysteresis_share < self.warn_share:
            raise CrowdError(f"place {self.code}: hysteresis share must be below the warning")
        zone(self.tz)

    def threshold(self, level: str) -> float:
        return self.capacity * (self.warn_share if level == "warning" else self.alarm_share)


@dataclass(frozen=True)
class CrowdAlert:
    """One alert to raise: what the hub needs to build its ``Alert`` event."""

    key: str  # the episode: the same crossing is never raised twice under one key
    place: str
    level: str  # warning | critical
    kind: str  # crowd_forecast | crowd_measured
    source: str  # hourly | nowcast | measured
    t: float  # when raised (UTC s)
    t_cross: float  # first bucket at or over the level (== t for a measured crossing)
    lead_s: float  # t_cross - t: how far ahead
    t_peak: float
    peak: float  # the count at the peak of the crossing run
    share: float  # peak / capacity
    text: str  # Chinese
    text_en: str
    incident_type: str = INCIDENT_TYPE
    lon: float | None = None
    lat: float | None = None


@dataclass
class _Episode:
    key: str
    sources: set[str] = field(default_factory=set)


def _lead_text(seconds: float) -> tuple[str, str]:
    minutes = max(0, round(seconds / 60))
    if minutes < 90:
        return f"{minutes} 分钟后", f"in {minutes} min"
    hours = round(seconds / 3600)
    if hours < 48:
        return f"{hours} 小时后", f"in {hours} h"
    d, h = divmod(hours, 24)
    return f"{d} 天 {h} 小时后", f"in {d} d {h} h"


def _clock(t: float, now: float, tz: str) -> tuple[str, str]:
    z = zone(tz)
    at = dt.datetime.fromtimestamp(t, z)
    today = dt.datetime.fromtimestamp(now, z).date()
    if at.date() == today:
        return at.strftime("%H:%M"), at.strftime("%H:%M")
    if at.date() == today + dt.timedelta(days=1):
        return "明天 " + at.strftime("%H:%M"), "tomorrow " + at.strftime("%H:%M")
    return at.strftime("%m-%d %H:%M"), at.strftime("%a %d %b %H:%M")


class CrowdWarnings:
    """The warning state of every place; feed it forecasts and counts, get alerts back."""

    def __init__(self, places: list[PlaceLimits]) -> None:
        self.places = {p.code: p for p in places}
        self._episodes: dict[tuple[str, str, str], _Episode] = {}

    def _place(self, code: str) -> PlaceLimits:
        try:
            return self.places[code]
        except KeyError:
            raise CrowdError(f"no limits for place {code!r}") from None

    def active(self) -> list[str]:
        """Keys of the episodes under way (for a snapshot after a restart or a resync)."""
        return sorted(e.key for e in self._episodes.values())

    def check_forecast(
        self, code: str, now: float, times: F64, values: F64, source: str = "hourly"
    ) -> list[CrowdAlert]:
        """Alerts for a new forecast ``values`` at bucket starts ``times`` (UTC s).

        Only buckets from ``now`` on count; a NaN is no forecast.
        """
        place = self._place(code)
        times = np.asarray(times, dtype=np.float64)
        values = np.asarray(values, dtype=np.float64)
        future = (times >= now - 1e-6) & np.isfinite(values)
        t, v = times[future], values[future]
        out: list[CrowdAlert] = []
        for level in LEVELS:
            limit = place.threshold(level)
            ep_key = (code, "crowd_forecast", level)
            over = np.flatnonzero(v >= limit)
            episode = self._episodes.get(ep_key)
            if over.size == 0:
                clear = v.size == 0 or bool(
                    np.all(v < limit - place.hysteresis_share * place.capacity)
                )
                if episode is not None and clear:
                    episode.sources.discard(source)
                    if not episode.sources:
                        del self._episodes[ep_key]
                continue
            first = int(over[0])
            run_end = first
            while run_end + 1 < v.size and v[run_end + 1] >= limit:
                run_end += 1
            peak_i = first + int(np.argmax(v[first : run_end + 1]))
            if episode is not None:
                episode.sources.add(source)
                continue
            key = f"crowd/{code}/forecast/{level}/{int(t[first])}"
            self._episodes[ep_key] = _Episode(key, {source})
            out.append(
                self._alert(
                    place,
                    key,
                    level,
                    "crowd_forecast",
                    source,
                    now,
                    float(t[first]),
                    float(t[peak_i]),
                    float(v[peak_i]),
                )
            )
        return out

    def check_measured(self, code: str, now: float, count: float) -> list[CrowdAlert]:
        """Alerts for a count measured at ``now`` (occupancy, or the place's flow unit)."""
        place = self._place(code)
        if not np.isfinite(count):
            return []
        out: list[CrowdAlert] = []
        for level in LEVELS:
            limit = place.threshold(level)
            ep_key = (code, "crowd_measured", level)
            episode = self._episodes.get(ep_key)
            if count >= limit:
                if episode is None:
                    key = f"crowd/{code}/measured/{level}/{int(now)}"
                    self._episodes[ep_key] = _Episode(key, {"measured"})
                    out.append(
                        self._alert(
                            place,
                            key,
                            level,
                            "crowd_measured",
                            "measured",
                            now,
                            now,
                            now,
                            float(count),
                        )
                    )
            elif episode is not None and count < limit - place.hysteresis_share * place.capacity:
                del self._episodes[ep_key]
        return out

    @staticmethod
    def _alert(
        place: PlaceLimits,
        key: str,
        level: str,
        kind: str,
        source: str,
        now: float,
        t_cross: float,
        t_peak: float,
        peak: float,
    ) -> CrowdAlert:
        share = peak / place.capacity
        pct = round(100 * share)
        name_en = place.name_en or place.name
        limit_pct = round(100 * (place.warn_share if level == "warning" else place.alarm_share))
        if kind == "crowd_measured" and place.measure == "flow":
            text = f"{place.name} 最近一小时 {peak:,.0f} 人次，达到容量的 {pct}%"
            text_en = f"{name_en} {peak:,.0f} people in the last hour, {pct} % of capacity"
        elif kind == "crowd_measured":
            text = f"{place.name} 当前人数 {peak:,.0f}，达到容量的 {pct}%"
            text_en = f"{name_en} now {peak:,.0f} people, {pct} % of capacity"
        else:
            zh_at, en_at = _clock(t_peak, now, place.tz)
            zh_in, en_in = _lead_text(t_peak - now)
            text = f"{place.name} 预计 {zh_at} 达到容量的 {pct}%（{zh_in}）"
            text_en = f"{name_en} expected {pct} % of capacity at {en_at}, {en_in}"
            if t_cross < t_peak:
                zc_at, ec_at = _clock(t_cross, now, place.tz)
                zc_in, ec_in = _lead_text(t_cross - now)
                text += f"；{zc_at} 起超过 {limit_pct}%（{zc_in}）"
                text_en += f" (over {limit_pct} % from {ec_at}, {ec_in})"
        return CrowdAlert(
            key=key,
            place=place.code,
            level=level,
            kind=kind,
            source=source,
            t=now,
            t_cross=t_cross,
            lead_s=max(0.0, t_cross - now),
            t_peak=t_peak,
            peak=peak,
            share=share,
            text=text,
            text_en=text_en,
            lon=place.lon,
            lat=place.lat,
        )
