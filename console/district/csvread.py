"""CSV files of a package: header checked, rows numbered by their line in the file.

Duty systems in China often export GB18030 (GBK) rather than UTF-8, and
spreadsheets add a byte-order mark; both are accepted.  Column names are
matched without regard to case or surrounding spaces.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from console.district.problems import Problems

ENCODINGS = ("utf-8-sig", "gb18030")


@dataclass(frozen=True)
class Row:
    """One data row: its line number in the file and its values by (lower-case) column."""

    line: int
    values: dict[str, str]

    @property
    def where(self) -> str:
        return f"line {self.line}"

    def get(self, key: str) -> str:
        return self.values.get(key, "").strip()


def read_text(path: Path) -> str:
    """The file's text in the first encoding that decodes it (UTF-8, then GB18030)."""
    data = path.read_bytes()
    for enc in ENCODINGS:
        try:
            return data.decode(enc)
        except UnicodeDecodeError:
            continue
    raise UnicodeDecodeError("utf-8", data, 0, 1, "neither UTF-8 nor GB18030")


def read_csv(
    path: Path, required: Sequence[str], optional: Sequence[str], problems: Problems
) -> list[Row] | None:
    """Rows of a CSV file with a header naming at least ``required``; None if unusable."""
    name = path.name
    try:
        text = read_text(path)
    except (OSError, UnicodeDecodeError) as exc:
        problems.error(name, "", "", f"cannot read: {exc}")
        return None
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        header = next(reader)
    except StopIteration:
        problems.error(name, "", "", "empty file: a header line is needed")
        return None
    except csv.Error as exc:
        problems.error(name, "line 1", "", f"not valid CSV: {exc}")
        return None
    cols = [h.strip().lower() for h in header]
    missing = [c for c in required if c not in cols]
    if missing:
        problems.error(
            name, "line 1", ", ".join(missing), "required column(s) missing from the header"
        )
        return None
    known = set(required) | set(optional)
    for c in cols:
        if c and c not in known:
            problems.warning(name, "line 1", c, "unknown column, ignored")
    rows: list[Row] = []
    line = 1
    try:
        for values in reader:
            start = line + 1
            line = reader.line_num
            if not values or all(not v.strip() for v in values):
                continue
            if len(values) > len(cols):
                problems.error(
                    name, f"line {start}", "", f"{len(values)} fields, the header has {len(cols)}"
                )
                continue
            rows.append(Row(start, dict(zip(cols, values, strict=False))))
    except csv.Error as exc:
        problems.error(name, f"line {reader.line_num}", "", f"not valid CSV: {exc}")
        return None
    return rows
