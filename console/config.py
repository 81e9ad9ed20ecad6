"""Load and validate the human-edited TOML files in ``config/``.

The console refuses to start half-configured: every file is decoded into a
typed schema (msgspec, unknown keys rejected) and then cross-checked (a unit
type named in an incident type must exist, force levels are 1-4, ...).  Any
problem raises one :class:`ConfigError` naming the file, the key and why.
"""

from __future__ import annotations

import os
import re
import typing
from dataclasses import dataclass
from pathlib import Path
from typing import Literal, TypeVar

import msgspec

T = TypeVar("T")

CONFIG_DIR = Path(__file__).resolve().parent.parent / "config"
CONFIG_DIR_ENV = "DISPATCH_CONFIG_DIR"
"""Where a deployment keeps its config files when not beside the program (``--config``
wins over it): the same directory for the hub, the workstations and their tools."""


def default_config_dir() -> Path:
    """``$DISPATCH_CONFIG_DIR`` when set, else the ``config/`` beside the program."""
    env = os.environ.get(CONFIG_DIR_ENV, "").strip()
    return Path(env) if env else CONFIG_DIR


FILES = (
    "unit_types.toml",
    "force_levels.toml",
    "arrival_standards.toml",
    "incident_types.toml",
    "roads.toml",
    "console.toml",
)


class ConfigError(Exception):
    """A config file is missing, unreadable or wrong; names file, key and reason."""

    def __init__(self, file: str, key: str, reason: str) -> None:
        self.file = file
        self.key = key
        self.reason = reason
        super().__init__(f"{file}: {key}: {reason}")


class _Strict(msgspec.Struct, forbid_unknown_fields=True, frozen=True):
    pass


class UnitType(_Strict, frozen=True):
    name_zh: str
    name_en: str
    crew: int
    standard: str
    colour: str
    symbol: Literal["circle", "square", "triangle", "diamond", "star", "cross"]
    speed_factor: float = 1.0
    description: str = ""


class ForceLevel(_Strict, frozen=True):
    level: int
    name_zh: str
    name_en: str
    unit_types: list[str]


class ArrivalStandard(_Strict, frozen=True):
    name_zh: str
    name_en: str
    seconds: int


class IncidentType(_Strict, frozen=True):
    name_zh: str
    name_en: str
    priority: int
    force_level: int
    manpower: int
    unit_types: list[str]


class RoadSpeeds(_Strict, frozen=True):
    arterial: float
    secondary: float
    local: float
    pedestrian: float


class TimeOfDay(_Strict, frozen=True):
    factors: list[float]


class MapSettings(_Strict, frozen=True):
    display_crs: Literal["wgs84", "gcj02"] = "wgs84"
    tile_source: str = ""
    stale_fix_seconds: int = 60
    redraw_hz: int = 10


class OrderSettings(_Strict, frozen=True):
    ack_deadline_seconds: int = 30
    time_to_live_seconds: int = 1800


class SimulationSettings(_Strict, frozen=True):
    enabled: bool = True
    tick_seconds: float = 1.0


class WorkflowSettings(_Strict, frozen=True):
    on_scene_alert_seconds: int = 3600
    duplicate_radius_m: float = 300.0
    duplicate_window_seconds: int = 1800


class _UnitTypesFile(_Strict, frozen=True):
    unit_types: dict[str, UnitType]


class _ForceLevelsFile(_Strict, frozen=True):
    force_levels: list[ForceLevel]


class _StandardsFile(_Strict, frozen=True):
    arrival_standards: dict[str, ArrivalStandard]


class _IncidentTypesFile(_Strict, frozen=True):
    incident_types: dict[str, IncidentType]


class _RoadsFile(_Strict, frozen=True):
    speeds_kmh: RoadSpeeds
    time_of_day: TimeOfDay


class _ConsoleFile(_Strict, frozen=True):
    map: MapSettings = MapSettings()
    orders: OrderSettings = OrderSettings()
    simulation: SimulationSettings = SimulationSettings()
    workflow: WorkflowSettings = WorkflowSettings()


@dataclass(frozen=True)
class Config:
    """The whole validated configuration; immutable once loaded."""

    unit_types: dict[str, UnitType]
    force_levels: dict[int, ForceLevel]
    arrival_standards: dict[str, ArrivalStandard]
    incident_types: dict[str, IncidentType]
    road_speeds: RoadSpeeds
    time_of_day: tuple[float, ...]
    map: MapSettings
    orders: OrderSettings
    simulation: SimulationSettings
    workflow: WorkflowSettings
    source_dir: Path

    def eligible_types(self, force_level: int) -> list[str]:
        """Unit types that may answer an incident at this force level."""
        return list(self.force_levels[force_level].unit_types)

    def incident_type(self, key: str) -> IncidentType:
        """Look up an incident type, with an error that names the unknown key."""
        try:
            return self.incident_types[key]
        except KeyError:
            raise KeyError(f"unknown incident type {key!r}") from None


_PATH_RE = re.compile(r" - at `\$(?P<path>[^`]*)`")


def _decode(directory: Path, name: str, schema: type[T]) -> T:
    path = directory / name
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        raise ConfigError(name, "(file)", f"file not found in {directory}") from None
    except OSError as exc:
        raise ConfigError(name, "(file)", f"cannot read: {exc.strerror}") from None
    try:
        return msgspec.toml.decode(raw, type=schema)
    except msgspec.ValidationError as exc:
        text = _refine(raw, schema, exc)
        match = _PATH_RE.search(text)
        key = match.group("path").lstrip(".") if match else "(top level)"
        reason = _PATH_RE.sub("", text)
        if "missing required field" in reason:
            field = reason.split("`")[1] if "`" in reason else "?"
            key = f"{key}.{field}" if key != "(top level)" else field
        raise ConfigError(name, key or "(top level)", reason) from None
    except msgspec.DecodeError as exc:
        raise ConfigError(name, "(syntax)", f"not valid TOML: {exc}") from None


def _refine(raw: bytes, schema: type, exc: msgspec.ValidationError) -> str:
    """Replace msgspec's ``[...]`` for a table key by the key itself (``a.b`` not ``a[...]``)."""
    text = str(exc)
    match = _PATH_RE.search(text)
    if match is None or not match.group("path").startswith(".") or "[...]" not in text:
        return text
    section = match.group("path")[1:].split("[", 1)[0]
    try:
        table = msgspec.toml.decode(raw)[section]
        value_type = typing.get_args(typing.get_type_hints(schema)[section])[1]
    except (KeyError, IndexError, TypeError, msgspec.DecodeError):
        return text
    for name, value in table.items():
        try:
            msgspec.convert(value, value_type)
        except msgspec.ValidationError as inner:
            sub = _PATH_RE.search(str(inner))
            rest = sub.group("path") if sub else ""
            return _PATH_RE.sub("", str(inner)) + f" - at `$.{section}.{name}{rest}`"
    return text


def _check(ok: bool, file: str, key: str, reason: str) -> None:
    if not ok:
        raise ConfigError(file, key, reason)


def load_config(directory: Path | str | None = None) -> Config:
    """Read every config file from ``directory`` (default :func:`default_config_dir`) and
    validate it."""
    d = Path(directory) if directory is not None else default_config_dir()
    units = _decode(d, "unit_types.toml", _UnitTypesFile).unit_types
    levels_file = _decode(d, "force_levels.toml", _ForceLevelsFile)
    standards = _decode(d, "arrival_standards.toml", _StandardsFile).arrival_standards
    incidents = _decode(d, "incident_types.toml", _IncidentTypesFile).incident_types
    roads = _decode(d, "roads.toml", _RoadsFile)
    console = _decode(d, "console.toml", _ConsoleFile)

    f = "unit_types.toml"
    _check(bool(units), f, "unit_types", "at least one unit type is required")
    for key, ut in units.items():
        _check(ut.crew >= 1, f, f"unit_types.{key}.crew", f"must be at least 1, got {ut.crew}")
        _check(
            ut.standard in standards,
            f,
            f"unit_types.{key}.standard",
            f"unknown arrival standard {ut.standard!r} (known: {', '.join(sorted(standards))})",
        )
        _check(
            re.fullmatch(r"#[0-9a-fA-F]{6}", ut.colour) is not None,
            f,
            f"unit_types.{key}.colour",
            f"expected a colour like '#1565c0', got {ut.colour!r}",
        )
        _check(ut.speed_factor > 0, f, f"unit_types.{key}.speed_factor", "must be positive")

    f = "force_levels.toml"
    levels: dict[int, ForceLevel] = {}
    for i, fl in enumerate(levels_file.force_levels):
        key = f"force_levels[{i}]"
        _check(1 <= fl.level <= 4, f, f"{key}.level", f"force level must be 1-4, got {fl.level}")
        _check(fl.level not in levels, f, f"{key}.level", f"force level {fl.level} defined twice")
        for ut_key in fl.unit_types:
            _check(ut_key in units, f, f"{key}.unit_types", f"unknown unit type {ut_key!r}")
        levels[fl.level] = fl
    missing = sorted(set(range(1, 5)) - set(levels))
    _check(not missing, f, "force_levels", f"force levels {missing} are not defined")

    f = "arrival_standards.toml"
    for key, st in standards.items():
        _check(st.seconds > 0, f, f"arrival_standards.{key}.seconds", "must be positive")

    f = "incident_types.toml"
    _check(bool(incidents), f, "incident_types", "at least one incident type is required")
    for key, it in incidents.items():
        p = f"incident_types.{key}"
        _check(
            1 <= it.priority <= 4, f, f"{p}.priority", f"priority must be 1-4, got {it.priority}"
        )
        _check(
            1 <= it.force_level <= 4,
            f,
            f"{p}.force_level",
            f"force level must be 1-4, got {it.force_level}",
        )
        _check(it.manpower >= 1, f, f"{p}.manpower", f"must be at least 1, got {it.manpower}")
        _check(bool(it.unit_types), f, f"{p}.unit_types", "at least one unit type is required")
        for ut_key in it.unit_types:
            _check(ut_key in units, f, f"{p}.unit_types", f"unknown unit type {ut_key!r}")

    f = "roads.toml"
    for cls in ("arterial", "secondary", "local", "pedestrian"):
        v = getattr(roads.speeds_kmh, cls)
        _check(0 < v <= 130, f, f"speeds_kmh.{cls}", f"speed must be in (0, 130] km/h, got {v}")
    tod = roads.time_of_day.factors
    _check(len(tod) == 24, f, "time_of_day.factors", f"need 24 hourly factors, got {len(tod)}")
    _check(all(0 < x <= 1.5 for x in tod), f, "time_of_day.factors", "factors must be in (0, 1.5]")

    f = "console.toml"
    _check(console.map.stale_fix_seconds > 0, f, "map.stale_fix_seconds", "must be positive")
    _check(1 <= console.map.redraw_hz <= 60, f, "map.redraw_hz", "must be 1-60")
    _check(
        console.orders.ack_deadline_seconds > 0,
        f,
        "orders.ack_deadline_seconds",
        "must be positive",
    )
    _check(console.simulation.tick_seconds > 0, f, "simulation.tick_seconds", "must be positive")
    _check(
        console.workflow.on_scene_alert_seconds > 0,
        f,
        "workflow.on_scene_alert_seconds",
        "must be positive",
    )

    return Config(
        unit_types=dict(units),
        force_levels=dict(sorted(levels.items())),
        arrival_standards=dict(standards),
        incident_types=dict(incidents),
        road_speeds=roads.speeds_kmh,
        time_of_day=tuple(tod),
        map=console.map,
        orders=console.orders,
        simulation=console.simulation,
        workflow=console.workflow,
        source_dir=d,
    )
