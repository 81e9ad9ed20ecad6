"""``main.py district import``: check a package, then write it as a new version in one transaction.

Everything is read and checked before the database is touched; a package
with errors raises :class:`~console.district.problems.PackageError` and the
database is unchanged.  A good one is written in a single transaction:
stations, areas, units and officers are upserted (left-out ones retired, so
incidents, orders and the audit trail keep what they point at), the roster
and places replaced, the roads stored with the new version, and the changes
from the previous version kept in its summary.

The demo and real districts never share a database: a real package is
refused on a database holding the (approximate) demo, and the other way round.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from pathlib import Path

from console.config import Config
from console.district.diff import Change, counts, diff, roads_digest
from console.district.load import load_package
from console.district.model import DistrictPackage
from console.district.problems import Problem
from console.store import repos
from console.store.db import Store
from console.store.errors import StoreError
from console.store.package_repo import pack_roads


class MixedDistrictError(StoreError):
    """The demo and a real district would end up in the same database."""


@dataclass
class ImportResult:
    """What an import wrote."""

    code: str
    version: int
    counts: dict[str, int]
    changes: list[Change]
    warnings: list[Problem] = field(default_factory=list)
    check_s: float = 0.0
    write_s: float = 0.0

    def lines(self) -> list[str]:
        """The result as the command prints it."""
        c = self.counts
        out = [
            f"district {self.code}: version {self.version} written "
            f"({c['stations']} stations, {c['areas']} areas, {c['fixed_points']} fixed points, "
            f"{c['units']} units, {c['officers']} officers, {c['shifts']} shifts, "
            f"{c['ways']} roads with {c['road_vertices']} points, "
            f"{c['turn_restrictions']} turn restrictions, {c['places']} places)"
        ]
        if c.get("road_points_left_out"):
            out.append(
                f"{c['road_points_left_out']} road points outside the outline and its margin "
                "left out"
            )
        if self.version > 1:
            units = [ch for ch in self.changes if ch.what == "unit"]
            tally = {
                k: sum(1 for ch in units if ch.kind == k) for k in ("added", "removed", "moved")
            }
            out.append(
                f"units: {tally['added']} added, {tally['removed']} removed, "
                f"{tally['moved']} moved" + ("" if self.changes else " (nothing changed)")
            )
            out += [f"  {ch}" for ch in self.changes]
            out.append("a hub already running keeps the old version until it is restarted")
        return out


def check_mixing(store: Store, pkg: DistrictPackage) -> None:
    """Refuse to put the demo beside a real district (or a real one beside the demo)."""
    with store.session() as s:
        stored = repos.PackageRepo(s).districts()
    for code, name, approximate, _v in stored:
        if code == pkg.info.code:
            continue
        if approximate != pkg.info.approximate:
            kind = "the approximate demo district" if approximate else "a real district"
            raise MixedDistrictError(
                f"the database holds {kind} {name!r} ({code}); the demo and real districts "
                "are kept in separate databases: use another --db"
            )


def import_package(
    store: Store,
    directory: str | Path,
    config: Config,
    *,
    actor: str = "district-import",
    t: float | None = None,
) -> ImportResult:
    """Load, check and write a district package; PackageError (nothing written) if it is bad."""
    t0 = time.perf_counter()
    pkg, warnings = load_package(directory, config)
    return write_checked(store, pkg, warnings, str(directory), actor=actor, t=t, t0=t0)


def write_checked(
    store: Store,
    pkg: DistrictPackage,
    warnings: list[Problem],
    source: str,
    *,
    actor: str = "district-import",
    t: float | None = None,
    t0: float | None = None,
) -> ImportResult:
    """Write an already checked package as a new version (one transaction)."""
    t0 = time.perf_counter() if t0 is None else t0
    check_mixing(store, pkg)
    packed = pack_roads(pkg.district.ways, pkg.restrictions)
    digest = roads_digest(packed)
    checked = time.perf_counter()
    now = time.time() if t is None else t
    with store.transaction() as s:
        pr = repos.PackageRepo(s)
        before = pr.newest_version(pkg.info.code)
        old = pr.load(pkg.info.code, roads=False) if before is not None else None
        old_digest = str(before.summary.get("roads_digest", "")) if before is not None else ""
        changes = diff(old, pkg, old_digest, digest)
        tally = counts(pkg)
        summary = {
            "counts": tally,
            "roads_digest": digest,
            "roads_source": pkg.roads_source,
            "changes": [str(c) for c in changes[:500]],
            "warnings": len(warnings),
        }
        version = pr.save(
            pkg, t=now, actor=actor, source=source, summary=summary, packed_roads=packed
        )
    done = time.perf_counter()
    return ImportResult(
        pkg.info.code, version, tally, changes, warnings, checked - t0, done - checked
    )
