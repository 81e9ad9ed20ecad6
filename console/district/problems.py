"""What is wrong with a district package: one line per bad feature or row.

Every check in the import adds a :class:`Problem` naming the file, where in
it (line, feature or relation), the field and the reason, instead of
stopping at the first one, so a police GIS team gets the whole list in one
report and fixes it in one round.  Errors stop the import (nothing is
written); warnings (gaps between areas, a road piece nobody needs) are
printed and the import goes on.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

MAX_SHOWN = 200  # a report longer than this says how many more there are


@dataclass(frozen=True)
class Problem:
    """One thing wrong with one feature or row."""

    file: str  # file name inside the package ("units.csv"), or "district.toml"
    where: str  # "line 7", "feature 3", "relation 123", "" for the whole file
    field: str  # column or property, "" when the whole row or feature is meant
    reason: str
    severity: str = "error"  # "error" stops the import, "warning" does not

    def __str__(self) -> str:
        head = self.file + (f" {self.where}" if self.where else "")
        if self.field:
            head += f", field {self.field}"
        tag = "" if self.severity == "error" else f"{self.severity}: "
        return f"{head}: {tag}{self.reason}"


class Problems:
    """Collects problems while a package is read and checked."""

    def __init__(self) -> None:
        self.items: list[Problem] = []

    def error(self, file: str, where: str, field: str, reason: str) -> None:
        self.items.append(Problem(file, where, field, reason))

    def warning(self, file: str, where: str, field: str, reason: str) -> None:
        self.items.append(Problem(file, where, field, reason, "warning"))

    def extend(self, problems: Iterable[Problem]) -> None:
        self.items.extend(problems)

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.items if p.severity == "error"]

    @property
    def warnings(self) -> list[Problem]:
        return [p for p in self.items if p.severity != "error"]

    def __bool__(self) -> bool:
        return bool(self.errors)


def report(problems: Iterable[Problem], limit: int = MAX_SHOWN) -> str:
    """The problems as lines of text, errors first, cut after ``limit`` lines."""
    items = sorted(problems, key=lambda p: p.severity != "error")
    lines = [str(p) for p in items[:limit]]
    if len(items) > limit:
        lines.append(f"... and {len(items) - limit} more")
    return "\n".join(lines)


class PackageError(ValueError):
    """A district package has errors; nothing was written.  ``problems`` lists them all."""

    def __init__(self, problems: Iterable[Problem], directory: str = "") -> None:
        self.problems = list(problems)
        n = sum(1 for p in self.problems if p.severity == "error")
        where = f" {directory}" if directory else ""
        super().__init__(
            f"district package{where} has {n} error(s); nothing was written:\n"
            + report(self.problems)
        )
