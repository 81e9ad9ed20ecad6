"""``main.py district``, ``main.py calls`` and ``main.py plan``: a district from files to plans.

- ``district import DIR --db URL``: check the package, write it as a new version;
- ``district check DIR``: check only (no database);
- ``district export DIR --db URL [--district CODE]``: the stored district back to files;
- ``district list --db URL``: stored districts and their versions;
- ``calls import FILE --db URL --time-col C --lat-col C --lon-col C [...]``: past 110 calls;
- ``plan --db URL --type TYPE --at LAT,LON [--force-level N --manpower N] --json``.

Exit codes: 0 done, 1 the input has errors (reported, nothing written), 2 usage
or configuration problems, 3 the database holds no (such) district.
"""

from __future__ import annotations

import argparse
import json
import sys
import threading
import time
from pathlib import Path

from console.audit import AuditError
from console.audit.cli import audited_cli, cli_actor
from console.config import Config, ConfigError, load_config
from console.district.problems import PackageError, report
from console.district.stored import NoDistrictError
from console.store.db import Store, default_db_url, open_store
from console.store.errors import StoreError


def _config(path: Path | None) -> Config | None:
    try:
        return load_config(path)
    except ConfigError as exc:
        print(f"configuration error: {exc}", file=sys.stderr)
        return None


def _db_args(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "--db", metavar="URL", help="database URL (default: SQLite in the user data dir)"
    )
    p.add_argument("--config", metavar="DIR", type=Path, help="configuration directory")


def _key_arg(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "--key-dir",
        type=Path,
        help="hub and audit key directory (the import is audited first; default: user config)",
    )


def _open(url: str | None) -> Store:
    return open_store(url or default_db_url())


# ----------------------------------------------------------------------------- district


def _district_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="main.py district", description="import, check or export a district package"
    )
    sub = p.add_subparsers(dest="action", required=True)
    imp = sub.add_parser("import", help="check a package and write it as a new version")
    imp.add_argument("directory", type=Path)
    _db_args(imp)
    imp.add_argument("--by", default="district-import", help="who imports (for the record)")
    _key_arg(imp)
    chk = sub.add_parser("check", help="check a package without writing anything")
    chk.add_argument("directory", type=Path)
    chk.add_argument("--config", metavar="DIR", type=Path, help="configuration directory")
    exp = sub.add_parser("export", help="write the stored district back as a package")
    exp.add_argument("directory", type=Path)
    _db_args(exp)
    exp.add_argument("--district", metavar="CODE", help="which district (if there are several)")
    lst = sub.add_parser("list", help="stored districts and versions")
    _db_args(lst)
    return p


def district_main(argv: list[str]) -> int:
    args = _district_parser().parse_args(argv)
    cfg = _config(getattr(args, "config", None))
    if cfg is None:
        return 2
    try:
        if args.action == "check":
            return _check(args.directory, cfg)
        store = _open(args.db)
        try:
            if args.action == "import":
                payload = {"directory": str(args.directory), "by": args.by}
                with audited_cli(store, args.key_dir, "district.import", payload):
                    return _import(store, args.directory, cfg, args.by)
            if args.action == "export":
                return _export(store, args.directory, args.district)
            return _list(store)
        finally:
            store.close()
    except NoDistrictError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 3
    except AuditError as exc:
        print(f"refused, nothing imported: {exc}", file=sys.stderr)
        return 2
    except StoreError as exc:
        print(f"database error: {exc}", file=sys.stderr)
        return 2


def _check(directory: Path, cfg: Config) -> int:
    from console.district.load import load_package

    try:
        pkg, warnings = load_package(directory, cfg)
    except PackageError as exc:
        print(str(exc), file=sys.stderr)
        return 1
    if warnings:
        print(report(warnings))
    d = pkg.district
    print(
        f"package {directory} is good: district {d.code} ({d.name}), {len(d.stations)} stations, "
        f"{len(d.areas)} areas, {len(d.units)} units, {len(d.ways)} roads"
    )
    return 0


def _import(store: Store, directory: Path, cfg: Config, actor: str) -> int:
    from console.district.importer import import_package

    try:
        result = import_package(store, directory, cfg, actor=actor)
    except PackageError as exc:
        print(str(exc), file=sys.stderr)
        return 1
    if result.warnings:
        print(report(result.warnings))
    for line in result.lines():
        print(line)
    print(f"checked in {result.check_s:.1f} s, written in {result.write_s:.1f} s")
    return 0


def _export(store: Store, directory: Path, code: str | None) -> int:
    from console.district.export import write_package
    from console.district.stored import load_stored

    pkg = load_stored(store, code)
    write_package(pkg, directory)
    print(f"district {pkg.info.code} written to {directory}")
    return 0


def _list(store: Store) -> int:
    from console.store import repos

    with store.session() as s:
        pr = repos.PackageRepo(s)
        for code, name, approximate, version in pr.districts():
            label = " (approximate)" if approximate else ""
            print(f"{code}\t{name}{label}\tversion {version}")
            for v in pr.versions(code):
                when = time.strftime("%Y-%m-%d %H:%M", time.localtime(v.created_at))
                print(f"  v{v.version}\t{when}\t{v.created_by}\t{v.source}")
    return 0


# -------------------------------------------------------------------------------- calls


def _calls_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="main.py calls", description="import past 110 calls")
    sub = p.add_subparsers(dest="action", required=True)
    imp = sub.add_parser("import", help="import a CSV or GeoJSON file of calls")
    imp.add_argument("file", type=Path)
    _db_args(imp)
    _key_arg(imp)
    imp.add_argument("--time-col", required=True, help="column with the time (ISO 8601 or unix s)")
    imp.add_argument("--lat-col", default="", help="latitude column (CSV; GeoJSON: the point)")
    imp.add_argument("--lon-col", default="", help="longitude column")
    imp.add_argument("--type-col", default="", help="column with the call type")
    imp.add_argument("--id-col", default="", help="column with the call's id (dedup by id)")
    imp.add_argument("--type-map", type=Path, help="CSV value,type or TOML [types] (* = default)")
    imp.add_argument(
        "--default-type", default="", help="incident type when there is no type column"
    )
    imp.add_argument("--crs", default="wgs84", help="wgs84, gcj02 or bd09")
    imp.add_argument(
        "--tz", default="", help="time zone of times without offset (default: district's)"
    )
    imp.add_argument("--time-format", default="", help="strptime format if not ISO 8601")
    imp.add_argument("--district", metavar="CODE", help="whose outline the calls must lie in")
    imp.add_argument("--rejects", type=Path, help="write every rejected row to this CSV file")
    imp.add_argument("--quiet", action="store_true", help="no progress bar")
    return p


class _Bar:
    """A one-line progress bar on a terminal (plain lines every 10 % elsewhere)."""

    def __init__(self, enabled: bool) -> None:
        self.enabled = enabled
        self.tty = sys.stderr.isatty()
        self.last = ""

    def __call__(self, phase: str, done: int, total: int) -> None:
        if not self.enabled or total <= 0:
            return
        share = min(1.0, done / total)
        if self.tty:
            bar = "#" * int(share * 30)
            sys.stderr.write(f"\r{phase:9s} [{bar:30s}] {100 * share:5.1f} %")
            if share >= 1.0:
                sys.stderr.write("\n")
            sys.stderr.flush()
            return
        key = f"{phase}{int(share * 10)}"
        if key != self.last:
            self.last = key
            print(f"{phase}: {100 * share:.0f} %", file=sys.stderr, flush=True)


def calls_main(argv: list[str]) -> int:
    args = _calls_parser().parse_args(argv)
    cfg = _config(args.config)
    if cfg is None:
        return 2
    from console.district.calls_import import (
        CallColumns,
        CallsImportError,
        CallsSpec,
        ImportCancelled,
        import_calls,
        read_type_map,
        result_lines,
        write_rejects,
    )
    from console.district.stored import choose_district
    from console.store import repos

    try:
        store = _open(args.db)
    except StoreError as exc:
        print(f"database error: {exc}", file=sys.stderr)
        return 2
    try:
        code = choose_district(store, args.district)
        with store.session() as s:
            pkg = repos.PackageRepo(s).load(code, roads=False)
        types = list(cfg.incident_types)
        spec = CallsSpec(
            CallColumns(args.time_col, args.lat_col, args.lon_col, args.type_col, args.id_col),
            type_map=read_type_map(args.type_map, types) if args.type_map else None,
            default_type=args.default_type,
            crs=args.crs,
            tz=args.tz or pkg.info.time_zone,
            time_format=args.time_format,
        )
        cancel = threading.Event()
        payload = {"file": str(args.file), "district": code, "crs": args.crs, "tz": spec.tz}
        try:
            with audited_cli(store, args.key_dir, "calls.import", payload) as trail:
                res = import_calls(
                    store,
                    args.file,
                    spec,
                    pkg.district.outline,
                    types,
                    progress=_Bar(not args.quiet),
                    cancel=cancel,
                )
                actor, host = cli_actor()
                trail.record(
                    actor=actor,
                    workstation=host,
                    action="calls.import.done",
                    payload={
                        **payload,
                        "rows": res.rows,
                        "added": res.added,
                        "already": res.already,
                        "rejected": len(res.rejected),
                    },
                )
        except KeyboardInterrupt:
            cancel.set()
            print("\ncancelled: nothing was written", file=sys.stderr)
            return 1
    except NoDistrictError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 3
    except (CallsImportError, ValueError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    except ImportCancelled as exc:
        print(str(exc), file=sys.stderr)
        return 1
    except AuditError as exc:
        print(f"refused, nothing imported: {exc}", file=sys.stderr)
        return 2
    except StoreError as exc:
        print(f"database error: {exc}", file=sys.stderr)
        return 2
    finally:
        store.close()
    for line in result_lines(res):
        print(line)
    if args.rejects:
        write_rejects(res, args.rejects)
        print(f"rejected rows written to {args.rejects}")
    return 0


# --------------------------------------------------------------------------------- plan


def _plan_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="main.py plan", description="the plan the engine would propose now (nothing created)"
    )
    _db_args(p)
    p.add_argument("--type", required=True, dest="incident_type", help="incident type key")
    p.add_argument("--at", required=True, metavar="LAT,LON", help="the incident's place (WGS-84)")
    p.add_argument("--crs", default="wgs84", help="system of --at: wgs84, gcj02 or bd09")
    p.add_argument("--force-level", type=int, help="override the run card's force level")
    p.add_argument("--manpower", type=int, help="override the manpower")
    p.add_argument("--district", metavar="CODE", help="which district (if there are several)")
    p.add_argument("--time", type=float, help="plan as of this unix time (default: now)")
    p.add_argument("--json", action="store_true", help="one JSON object on stdout")
    return p


def plan_main(argv: list[str]) -> int:
    args = _plan_parser().parse_args(argv)
    cfg = _config(args.config)
    if cfg is None:
        return 2
    from console.district.whatif import PlanQueryError, plan_now
    from console.geo.crs import to_wgs84

    try:
        lat_s, lon_s = args.at.split(",")
        lat, lon = float(lat_s), float(lon_s)
        x, y = to_wgs84([lon], [lat], args.crs)
        lon, lat = float(x[0]), float(y[0])
    except ValueError:
        print(f"error: --at must be LAT,LON in degrees, got {args.at!r}", file=sys.stderr)
        return 2
    try:
        store = _open(args.db)
    except StoreError as exc:
        print(f"database error: {exc}", file=sys.stderr)
        return 2
    try:
        out = plan_now(
            store,
            cfg,
            args.incident_type,
            lon,
            lat,
            force_level=args.force_level,
            manpower=args.manpower,
            district=args.district,
            now=args.time,
        )
    except NoDistrictError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 3
    except PlanQueryError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    finally:
        store.close()
    if args.json:
        print(json.dumps(out, ensure_ascii=False))
        return 0
    print(
        f"{out['incident_type']} at ({lat:.6f}, {lon:.6f}) in {out['district']}, "
        f"force level {out['force_level']}, manpower {out['manpower_assigned']}/{out['manpower']}"
    )
    for u in out["units"]:
        ok = "met" if u["met"] else "MISSED"
        print(
            f"  {u['call_sign']:14s} {u['unit_type']:18s} {u['role']:22s} "
            f"ETA {u['eta_s']:6.0f} s  road {u['road_distance_m']:7.0f} m  {u['standard']} {ok}"
        )
    for f in out["shortfalls"]:
        print(f"  short: {f['text']}")
    return 0
