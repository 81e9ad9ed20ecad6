"""``config/crowd.toml``: the busy places, their limits and the forecast settings.

Validated like every config file (msgspec, unknown keys refused) but loaded here so
the crowd work does not touch the shared ``console/config.py``; every problem is a
:class:`CrowdError` naming the file, the key and the reason.
"""

from __future__ import annotations

import tomllib
from collections.abc import Sequence
from pathlib import Path

import msgspec

from console.crowd.alerts import PlaceLimits
from console.crowd.daytypes import PlaceCalendar
from console.crowd.errors import CrowdError
from console.crowd.evaluate import MODEL_NAMES
from console.crowd.localtime import zone
from console.polygon import contains

FILE = "crowd.toml"
DEFAULT_DIR = Path(__file__).resolve().parents[2] / "config"


class _Strict(msgspec.Struct, forbid_unknown_fields=True, frozen=True):
    pass


class ForecastSettings(_Strict, frozen=True):
    model: str = "gradient_boosting"
    horizon_hours: int = 168
    nowcast_minutes: int = 30
    refit_hours: int = 24
    history_days: int = 400
    band_coverage: float = 0.8


class PlaceSettings(_Strict, frozen=True):
    code: str
    name: str
    kind: str  # area | point
    capacity: float
    name_en: str = ""
    polygon: list[tuple[float, float]] = []  # [lon, lat] WGS84, for an area
    point: tuple[float, float] | None = None  # [lon, lat] WGS84, for a point
    tz: str = "Asia/Shanghai"
    country: str = "CN"
    subdiv: str | None = None
    measure: str = "occupancy"  # occupancy (people present) | flow (people per hour)
    combine: str = "sum"  # how the counters of one place add up: sum | max | mean
    warn_share: float = 0.8
    alarm_share: float = 0.95
    hysteresis_share: float = 0.05

    @property
    def centre(self) -> tuple[float, float]:
        """A point to show and to send units to: the point, or the polygon's vertex mean."""
        if self.point is not None:
            return self.point
        lons = [p[0] for p in self.polygon]
        lats = [p[1] for p in self.polygon]
        return sum(lons) / len(lons), sum(lats) / len(lats)

    def limits(self) -> PlaceLimits:
        lon, lat = self.centre
        return PlaceLimits(
            code=self.code,
            name=self.name,
            name_en=self.name_en,
            capacity=self.capacity,
            warn_share=self.warn_share,
            alarm_share=self.alarm_share,
            hysteresis_share=self.hysteresis_share,
            tz=self.tz,
            lon=lon,
            lat=lat,
            measure=self.measure,
        )

    def calendar(self) -> PlaceCalendar:
        return PlaceCalendar(self.country, self.subdiv)


class CrowdSettings(_Strict, frozen=True):
    forecast: ForecastSettings = ForecastSettings()
    places: list[PlaceSettings] = []
    district: str = ""
    """The district code these places belong to ("" : any district; each place must
    still lie inside the running district's outline, see :func:`for_district`)."""

    def place(self, code: str) -> PlaceSettings:
        for p in self.places:
            if p.code == code:
                return p
        known = ", ".join(p.code for p in self.places) or "none"
        raise CrowdError(f"no crowd place {code!r} in {FILE} (places: {known})")


def _fail(key: str, reason: str) -> CrowdError:
    return CrowdError(f"{FILE}: {key}: {reason}")


def _check(settings: CrowdSettings) -> None:
    f = settings.forecast
    if f.model not in MODEL_NAMES:
        raise _fail("forecast.model", f"{f.model!r} is not one of {', '.join(MODEL_NAMES)}")
    if not 1 <= f.horizon_hours <= 168:
        raise _fail("forecast.horizon_hours", "must be 1 to 168")
    if not 1 <= f.nowcast_minutes <= 120:
        raise _fail("forecast.nowcast_minutes", "must be 1 to 120")
    if not 1 <= f.refit_hours <= 24 * 14:
        raise _fail("forecast.refit_hours", "must be 1 to 336")
    if not 28 <= f.history_days <= 3660:
        raise _fail("forecast.history_days", "must be 28 to 3660")
    if not 0.5 <= f.band_coverage < 1:
        raise _fail("forecast.band_coverage", "must be at least 0.5 and below 1")
    seen: set[str] = set()
    for i, p in enumerate(settings.places):
        key = f"places[{i}] ({p.code})"
        if not p.code.strip() or len(p.code) > 64:
            raise _fail(f"places[{i}].code", "1 to 64 characters")
        if p.code in seen:
            raise _fail(f"{key}.code", "used twice")
        seen.add(p.code)
        if p.kind not in ("area", "point"):
            raise _fail(f"{key}.kind", f"{p.kind!r}: use area or point")
        coords = list(p.polygon) + ([p.point] if p.point else [])
        if p.kind == "area" and len(p.polygon) < 3:
            raise _fail(f"{key}.polygon", "an area needs at least 3 [lon, lat] vertices")
        if p.kind == "point" and p.point is None:
            raise _fail(f"{key}.point", "a point place needs point = [lon, lat]")
        for lon, lat in coords:
            if not (-180 <= lon <= 180 and -90 <= lat <= 90):
                raise _fail(f"{key}", f"[{lon}, {lat}] is not a WGS84 [lon, lat]")
        if p.measure not in ("occupancy", "flow"):
            raise _fail(f"{key}.measure", f"{p.measure!r}: use occupancy or flow")
        if p.combine not in ("sum", "max", "mean"):
            raise _fail(f"{key}.combine", f"{p.combine!r}: use sum, max or mean")
        try:
            zone(p.tz)
            p.calendar()
            p.limits()
        except CrowdError as exc:
            raise _fail(key, str(exc)) from None


def load_crowd_settings(directory: Path | str | None = None) -> CrowdSettings:
    """``crowd.toml`` from ``directory`` (default ``config/``); no file means no places."""
    path = Path(directory or DEFAULT_DIR) / FILE
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        return CrowdSettings()
    except OSError as exc:
        raise CrowdError(f"{FILE}: cannot read {path}: {exc.strerror or exc}") from None
    try:
        data = tomllib.loads(raw.decode("utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise CrowdError(f"{FILE}: not valid TOML: {exc}") from None
    try:
        settings = msgspec.convert(data, CrowdSettings)
    except msgspec.ValidationError as exc:
        raise CrowdError(f"{FILE}: {exc}") from None
    _check(settings)
    return settings


def for_district(
    settings: CrowdSettings, code: str, outline: Sequence[tuple[float, float]]
) -> tuple[CrowdSettings, list[str]]:
    """The places of ``settings`` that belong to the district ``code`` with ``outline``,
    and a sentence for each place left out (for the hub's log).

    The crowd places are the district's own: a file written for another district (its
    ``district`` key names another code) gives no places at all, and a place whose
    centre lies outside the outline is left out, so a hub never forecasts, warns of or
    opens incidents at a square of some other city.
    """
    if settings.district and settings.district != code:
        why = (
            f"{FILE} lists the crowd places of district {settings.district!r}, not of "
            f"{code!r}: no crowd places (write this district's own in {FILE})"
        )
        return msgspec.structs.replace(settings, places=[]), [why]
    kept: list[PlaceSettings] = []
    dropped: list[str] = []
    for place in settings.places:
        lon, lat = place.centre
        if len(outline) >= 3 and bool(contains(outline, lon, lat)[0]):
            kept.append(place)
        else:
            dropped.append(
                f"crowd place {place.code!r} ({place.name}) lies outside district {code!r}: "
                "left out"
            )
    return msgspec.structs.replace(settings, places=kept), dropped
