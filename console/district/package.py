"""``district.toml``: what the package is and which file holds what.

The manifest is read first and on its own, so a package with a broken
manifest is refused before any file is opened; every problem names the key.
"""

from __future__ import annotations

import math
import tomllib
import zoneinfo
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from console.district.model import DEFAULT_MARGIN_M, PackageInfo
from console.district.problems import Problems
from console.geo.crs import parse_crs

MANIFEST = "district.toml"
# file keys: (required, default name)
FILES: dict[str, tuple[bool, str]] = {
    "outline": (True, "outline.geojson"),
    "areas": (True, "areas.geojson"),
    "stations": (True, "stations.geojson"),
    "points": (False, "points.geojson"),
    "roads": (True, "roads.osm"),
    "restrictions": (False, "restrictions.csv"),
    "units": (True, "units.csv"),
    "officers": (False, "officers.csv"),
    "roster": (False, "roster.csv"),
    "gazetteer": (False, "gazetteer.csv"),
}
_DISTRICT_KEYS = {"code", "name", "time_zone", "crs", "approximate"}
_ROADS_KEYS = {"margin_m", "include_pedestrian"}


@dataclass(frozen=True)
class Manifest:
    """The parsed ``district.toml``: package info and the path of every file it names."""

    directory: Path
    info: PackageInfo
    files: dict[str, Path]  # key -> path (optional files only when named and present)

    def name_of(self, key: str) -> str:
        """The file name used in problem reports."""
        p = self.files.get(key)
        return p.name if p is not None else FILES[key][1]


def _text(v: Any) -> str | None:
    return v.strip() if isinstance(v, str) and v.strip() else None


def read_manifest(directory: Path, problems: Problems) -> Manifest | None:
    """Parse ``district.toml``; every problem goes to ``problems``; None if unusable."""
    path = directory / MANIFEST
    if not directory.is_dir():
        problems.error(str(directory), "", "", "not a directory")
        return None
    if not path.is_file():
        problems.error(MANIFEST, "", "", f"missing: every package needs {MANIFEST}")
        return None
    try:
        doc = tomllib.loads(path.read_text(encoding="utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        problems.error(MANIFEST, "", "", f"not valid TOML: {exc}")
        return None
    for key in doc:
        if key not in ("district", "files", "roads"):
            problems.error(MANIFEST, "", key, "unknown table (use [district], [files], [roads])")
    d = doc.get("district")
    if not isinstance(d, dict):
        problems.error(MANIFEST, "", "district", "the [district] table is missing")
        return None
    for key in d:
        if key not in _DISTRICT_KEYS:
            problems.error(MANIFEST, "[district]", key, "unknown key")
    code, name = _text(d.get("code")), _text(d.get("name"))
    if code is None:
        problems.error(MANIFEST, "[district]", "code", "missing or empty")
    elif len(code) > 64:
        problems.error(MANIFEST, "[district]", "code", "longer than 64 characters")
    if name is None:
        problems.error(MANIFEST, "[district]", "name", "missing or empty")
    tz = _text(d.get("time_zone")) or "Asia/Shanghai"
    try:
        zoneinfo.ZoneInfo(tz)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        problems.error(MANIFEST, "[district]", "time_zone", f"unknown time zone {tz!r}")
    crs = "wgs84"
    try:
        crs = parse_crs(d.get("crs", "wgs84"))
    except ValueError as exc:
        problems.error(MANIFEST, "[district]", "crs", str(exc))
    approximate = d.get("approximate", False)
    if not isinstance(approximate, bool):
        problems.error(MANIFEST, "[district]", "approximate", "must be true or false")
        approximate = False
    roads = doc.get("roads", {})
    margin, pedestrian = DEFAULT_MARGIN_M, False
    if not isinstance(roads, dict):
        problems.error(MANIFEST, "", "roads", "[roads] must be a table")
        roads = {}
    for key in roads:
        if key not in _ROADS_KEYS:
            problems.error(MANIFEST, "[roads]", key, "unknown key")
    if "margin_m" in roads:
        m = roads["margin_m"]
        if isinstance(m, bool) or not isinstance(m, (int, float)) or not math.isfinite(m) or m < 0:
            problems.error(MANIFEST, "[roads]", "margin_m", "must be a number of metres >= 0")
        else:
            margin = float(m)
    if "include_pedestrian" in roads:
        if not isinstance(roads["include_pedestrian"], bool):
            problems.error(MANIFEST, "[roads]", "include_pedestrian", "must be true or false")
        else:
            pedestrian = roads["include_pedestrian"]
    files = _files(directory, doc.get("files", {}), problems)
    if code is None or name is None or problems:
        return None
    info = PackageInfo(code, name, tz, crs, approximate, margin, pedestrian)
    return Manifest(directory, info, files)


def _files(directory: Path, table: Any, problems: Problems) -> dict[str, Path]:
    if not isinstance(table, dict):
        problems.error(MANIFEST, "", "files", "[files] must be a table of file names")
        table = {}
    for key in table:
        if key not in FILES:
            problems.error(
                MANIFEST, "[files]", key, f"unknown file key (known: {', '.join(FILES)})"
            )
    out: dict[str, Path] = {}
    for key, (required, default) in FILES.items():
        given = table.get(key)
        if given is not None and _text(given) is None:
            problems.error(MANIFEST, "[files]", key, "must be a file name")
            continue
        name = _text(given) or default
        path = directory / name
        if Path(name).is_absolute() or ".." in Path(name).parts:
            problems.error(MANIFEST, "[files]", key, f"{name!r} must be a name inside the package")
        elif path.is_file():
            out[key] = path
        elif required or given is not None:
            problems.error(name, "", "", f"missing (named by [files] {key} in {MANIFEST})")
    return out
