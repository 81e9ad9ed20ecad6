"""The demo district written as a district package, so it loads the way a real one does.

``python -m console.demo.package DIR`` writes it; the copy the console opens
with ``--demo`` is ``resources/districts/huangpu-demo`` (a test checks that it
is what the generator writes today).  The package says ``approximate = true``,
which every view of it shows.
"""

from __future__ import annotations

import sys
from pathlib import Path

from console.demo.district import DEFAULT_SEED, build_demo_district
from console.district.export import write_package
from console.district.model import DistrictPackage, Officer, PackageInfo

DEMO_PACKAGE = Path(__file__).resolve().parents[2] / "resources" / "districts" / "huangpu-demo"
AUXILIARY_RANKS = ("辅警", "志愿者")


def demo_package(seed: int = DEFAULT_SEED) -> DistrictPackage:
    """The demo district as a package: officers from the units' members ("民警 张嘉豪")."""
    d = build_demo_district(seed)
    officers = []
    for u in d.units:
        for m in u.members:
            rank, _, name = m.partition(" ")
            if not name:
                rank, name = "", m
            kind = "auxiliary" if rank in AUXILIARY_RANKS else "officer"
            officers.append(Officer(m, name, rank, "", u.call_sign, kind))
    info = PackageInfo(d.code, d.name, "Asia/Shanghai", "wgs84", True)
    return DistrictPackage(info, d, [], officers, [], [], "geojson")


def write_demo_package(directory: str | Path, seed: int = DEFAULT_SEED) -> Path:
    """Write the demo package for ``seed`` into ``directory``."""
    return write_package(demo_package(seed), directory)


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    target = Path(args[0]) if args else DEMO_PACKAGE
    write_demo_package(target)
    print(f"demo district package written to {target}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
