"""Calls import: what to read (columns, type map, time zone) and what came of it.

Kept apart from the reading and the checks so a GUI can build a
:class:`CallsSpec` and show a :class:`CallsImportResult` without the rest.
"""

from __future__ import annotations

import csv
import io
import tomllib
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from console.district.csvread import read_text

Progress = Callable[[str, int, int], None]  # phase ("reading", "checking", "writing"), done, total
BATCH = 50_000


class CallsImportError(ValueError):
    """The import cannot run as asked (bad file, unknown column, bad type map): nothing written."""


class ImportCancelled(RuntimeError):
    """The user cancelled; the transaction was rolled back and nothing was written."""


@dataclass(frozen=True)
class CallColumns:
    """Which column holds what; ``lat``/``lon`` may be empty for GeoJSON (the point is used)."""

    time: str
    lat: str = ""
    lon: str = ""
    type: str = ""
    id: str = ""


@dataclass
class CallsSpec:
    """How to read one file."""

    columns: CallColumns
    type_map: dict[str, str] | None = None  # source value -> incident type; "*" = any other
    default_type: str = ""  # when there is no type column
    crs: str = "wgs84"
    tz: str = "Asia/Shanghai"  # for times without an offset
    time_format: str = ""  # strptime format; default ISO 8601 or unix seconds


@dataclass(frozen=True)
class Rejected:
    """One rejected row: where, which field, why."""

    where: str  # "line 12" or "feature 3"
    field: str
    reason: str

    def __str__(self) -> str:
        return f"{self.where}, field {self.field}: {self.reason}"


@dataclass
class CallsImportResult:
    """What an import did; ``by_reason`` counts rejections by their reason (values cut off)."""

    file: str
    rows: int = 0
    added: int = 0
    already: int = 0  # rows whose call was stored by an earlier import
    rejected: list[Rejected] = field(default_factory=list)
    by_reason: Counter[str] = field(default_factory=Counter)
    read_s: float = 0.0
    check_s: float = 0.0
    write_s: float = 0.0

    @property
    def seconds(self) -> float:
        return self.read_s + self.check_s + self.write_s


def read_type_map(path: str | Path, known_types: Sequence[str]) -> dict[str, str]:
    """A type map: CSV ``value,type`` (header line) or TOML ``[types]`` table; ``*`` = default.

    Every target must be a configured incident type; problems name the line."""
    p = Path(path)
    if not p.is_file():
        raise CallsImportError(f"type map {p} not found")
    known = set(known_types)
    out: dict[str, str] = {}
    bad: list[str] = []
    if p.suffix.lower() == ".toml":
        try:
            doc = tomllib.loads(p.read_text(encoding="utf-8"))
        except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
            raise CallsImportError(f"type map {p.name}: not valid TOML: {exc}") from None
        table = doc.get("types")
        if not isinstance(table, dict):
            raise CallsImportError(f"type map {p.name}: needs a [types] table")
        for k, v in table.items():
            if not isinstance(v, str) or v not in known:
                bad.append(f"{p.name} key {k!r}: unknown incident type {v!r}")
            else:
                out[str(k).strip()] = v
    else:
        rows = list(csv.reader(io.StringIO(read_text(p), newline="")))
        if not rows or [c.strip().lower() for c in rows[0][:2]] != ["value", "type"]:
            raise CallsImportError(f"type map {p.name}: the first line must be 'value,type'")
        for n, row in enumerate(rows[1:], start=2):
            if not row or not any(c.strip() for c in row):
                continue
            if len(row) < 2:
                bad.append(f"{p.name} line {n}: needs a value and a type")
                continue
            value, target = row[0].strip(), row[1].strip()
            if target not in known:
                bad.append(f"{p.name} line {n}, field type: unknown incident type {target!r}")
                continue
            out[value] = target
    if bad:
        raise CallsImportError(
            "type map has errors:\n"
            + "\n".join(bad)
            + f"\n(known types: {', '.join(sorted(known))})"
        )
    return out
