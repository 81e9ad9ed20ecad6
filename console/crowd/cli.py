"""``python main.py evaluate-crowd`` and ``python main.py crowd import``: count files from
the command line.  Progress and problems on stderr, the one result line on stdout."""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import sys
from pathlib import Path

from console.crowd.csvread import read_counts
from console.crowd.daytypes import PlaceCalendar
from console.crowd.errors import CrowdError
from console.crowd.evaluate import MODEL_NAMES, evaluate
from console.crowd.localtime import zone
from console.crowd.series import panel_from_file
from console.crowd.zones import country_of_zone


def _date(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a date (YYYY-MM-DD)") from None


def _eval_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="main.py evaluate-crowd",
        description="backtest the crowd forecast models on a count file; prints one JSON line",
    )
    p.add_argument("--csv", required=True, type=Path, metavar="FILE", help="CSV or CSV.gz")
    p.add_argument("--time-col", required=True, metavar="C")
    p.add_argument("--sensor-col", required=True, metavar="C")
    p.add_argument("--count-col", required=True, metavar="C")
    p.add_argument("--horizon-h", type=int, default=24, metavar="H", help="hours ahead (1-168)")
    p.add_argument("--from", dest="start", required=True, type=_date, metavar="DATE")
    p.add_argument("--to", dest="stop", required=True, type=_date, metavar="DATE")
    p.add_argument(
        "--tz", default="UTC", help="the file's time zone for naive times and local hours"
    )
    p.add_argument(
        "--country", help="holiday calendar (ISO code; default: the zone's country, e.g. NZ)"
    )
    p.add_argument("--subdiv", help="holiday subdivision, e.g. AUK for Auckland")
    p.add_argument("--models", default=",".join(MODEL_NAMES), help="comma-separated model names")
    p.add_argument("--issue-hour", type=int, default=0, help="local hour forecasts are issued")
    p.add_argument(
        "--refit-days", type=int, default=7, help="refit fitted models every N issue days"
    )
    p.add_argument(
        "--jobs", type=int, default=min(2, os.cpu_count() or 1), help="parallel processes"
    )
    p.add_argument("--agg", default="sum", choices=["sum", "mean", "max"], help="rows -> hour")
    p.add_argument("--delimiter", default=",")
    return p


def evaluate_crowd_main(argv: list[str]) -> int:
    """Entry point of ``main.py evaluate-crowd``; 0 on success, 2 on bad input."""
    args = _eval_parser().parse_args(argv)
    say = _stderr
    try:
        zone(args.tz)
        country = args.country or country_of_zone(args.tz)
        if country is None:
            raise CrowdError(f"no country known for zone {args.tz}: give --country")
        calendar = PlaceCalendar(country, args.subdiv)
        if not 0 <= args.issue_hour <= 23:
            raise CrowdError("--issue-hour must be 0 to 23")
        if args.jobs < 1:
            raise CrowdError("--jobs must be at least 1")
        models = [m.strip() for m in args.models.split(",") if m.strip()]
        say(f"reading {args.csv} ...")
        cf = read_counts(
            args.csv,
            time_col=args.time_col,
            count_col=args.count_col,
            sensor_col=args.sensor_col,
            tz=args.tz,
            delimiter=args.delimiter,
        )
        say(cf.summary())
        panel = panel_from_file(cf, args.tz, args.agg)
        say(
            f"{len(panel.names)} series, {panel.grid.n} hours; calendar {calendar.country}"
            f"{'-' + calendar.subdiv if calendar.subdiv else ''}, zone {args.tz}"
        )
        result = evaluate(
            panel,
            calendar,
            args.start,
            args.stop,
            horizon=args.horizon_h,
            model_names=models,
            issue_hour=args.issue_hour,
            refit_days=args.refit_days,
            jobs=args.jobs,
            progress=say,
        )
    except CrowdError as exc:
        say(f"evaluate-crowd: {exc}")
        return 2
    result["series"] = len(panel.names)
    result["bad_rows"] = len(cf.errors)
    result["skipped_rows"] = len(cf.skipped)
    print(json.dumps(result, ensure_ascii=False))
    return 0


def _stderr(msg: str) -> None:
    print(msg, file=sys.stderr, flush=True)


def _import_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="main.py crowd import",
        description="import a count file into a crowd place (counts per counter and bucket)",
    )
    p.add_argument("file", type=Path, metavar="FILE", help="CSV or CSV.gz")
    p.add_argument("--time-col", required=True, metavar="C")
    p.add_argument("--count-col", required=True, metavar="C")
    p.add_argument("--sensor-col", metavar="C", help="counter names (default: one counter)")
    p.add_argument("--sensor", metavar="NAME", help="the counter's name without --sensor-col")
    p.add_argument("--place", required=True, metavar="CODE", help="a place of crowd.toml")
    p.add_argument("--tz", help="zone of naive times (default: the place's)")
    p.add_argument("--res", type=int, default=3600, choices=[60, 3600], help="bucket, s")
    p.add_argument(
        "--skip-bad", action="store_true", help="import the good rows even if some are bad"
    )
    p.add_argument("--db", metavar="URL", help="database URL (default: the local SQLite)")
    p.add_argument(
        "--key-dir",
        type=Path,
        help="hub and audit key directory (the import is audited first; default: user config)",
    )
    p.add_argument("--config", metavar="DIR", type=Path, help="configuration directory")
    p.add_argument("--delimiter", default=",")
    return p


def crowd_main(argv: list[str]) -> int:
    """Entry point of ``main.py crowd …`` (``import`` for now); 0 ok, 2 bad input."""
    usage = (
        "usage: main.py crowd import FILE --time-col C --count-col C "
        "[--sensor-col C] --place CODE [--tz ZONE] [--skip-bad] [--db URL]"
    )
    if argv[:1] in (["-h"], ["--help"]):
        print(usage)
        return 0
    if not argv or argv[0] != "import":
        _stderr(usage)
        return 2
    args = _import_parser().parse_args(argv[1:])
    from console.audit import AuditError
    from console.audit.cli import audited_cli
    from console.crowd.importer import import_counts
    from console.crowd.settings import load_crowd_settings
    from console.store import StoreError, open_store

    try:
        place = load_crowd_settings(args.config).place(args.place)
        cf = read_counts(
            args.file,
            time_col=args.time_col,
            count_col=args.count_col,
            sensor_col=args.sensor_col,
            sensor=None if args.sensor_col else (args.sensor or args.file.stem),
            tz=args.tz or place.tz,
            delimiter=args.delimiter,
        )
        _stderr(cf.summary())
        if cf.errors and not args.skip_bad:
            _stderr(
                f"crowd import: {len(cf.errors)} bad rows, nothing imported "
                "(fix them, or --skip-bad to import the good rows)"
            )
            return 2
        payload = {"file": str(args.file), "place": place.code, "good_rows": int(cf.t.size)}
        with (
            open_store(args.db) as store,
            audited_cli(store, args.key_dir, "crowd.import", payload),  # on record first
            store.transaction() as session,
        ):
            done = import_counts(session, place, cf, args.res)
    except AuditError as exc:
        _stderr(f"crowd import refused, nothing imported: {exc}")
        return 2
    except (CrowdError, StoreError) as exc:
        _stderr(f"crowd import: {exc}")
        return 2
    done.update(bad_rows=len(cf.errors), skipped_rows=len(cf.skipped))
    print(json.dumps(done, ensure_ascii=False))
    return 0
