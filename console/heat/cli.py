"""``python main.py evaluate-forecast``: score every forecast model on an incident CSV.

One JSON line on stdout (``{"windows": N, "models": {...}, "best": NAME, ...}``),
progress on stderr, exit status 2 with one clear message on bad input.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections.abc import Sequence

import numpy as np

from console.geo.coords import LocalProjection
from console.heat.calls import CallSet
from console.heat.csvload import InputError, read_calls_csv
from console.heat.evaluate import evaluate
from console.heat.forecast import MODEL_NAMES, make_models
from console.heat.grid import Grid


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="main.py evaluate-forecast",
        description="Roll forward through an incident file week by week: every model is fitted "
        "on the calls before each window and scored on the window (PAI, PEI, hit rate at the "
        "top --area-frac of cells).",
    )
    p.add_argument("--csv", required=True, help="incident file (CSV with a header row, WGS84)")
    p.add_argument("--time-col", required=True, help="column of the call time")
    p.add_argument("--lat-col", required=True, help="column of the latitude")
    p.add_argument("--lon-col", required=True, help="column of the longitude")
    p.add_argument("--type-col", help="column of the incident type (needed by --types)")
    p.add_argument("--types", help="comma-separated types to keep (default: all calls)")
    p.add_argument("--cell-m", type=float, default=150.0, help="grid cell size in metres")
    p.add_argument("--area-frac", type=float, default=0.01, help="share of cells flagged")
    p.add_argument("--train-days", type=int, default=28, help="days the baseline is fitted on")
    p.add_argument("--horizon-days", type=int, default=7, help="days each window covers")
    p.add_argument("--step-days", type=int, default=7, help="days between window starts")
    p.add_argument("--tz", default="UTC", help="zone of times without an offset (IANA name)")
    p.add_argument(
        "--models", help=f"comma-separated subset of {','.join(MODEL_NAMES)} (default: all)"
    )
    p.add_argument(
        "--bbox",
        help="min_lon,min_lat,max_lon,max_lat: keep only calls inside (default: the file's extent)",
    )
    return p


def _split(text: str | None) -> list[str] | None:
    if text is None:
        return None
    items = [s.strip() for s in text.split(",") if s.strip()]
    return items or None


def _load(args: argparse.Namespace, log: object) -> tuple[CallSet, Grid]:
    if args.types and not args.type_col:
        raise InputError("--types needs --type-col (the column holding the incident type)")
    if not args.cell_m > 0:
        raise InputError(f"--cell-m must be positive, got {args.cell_m:g}")
    raw = read_calls_csv(
        args.csv, args.time_col, args.lat_col, args.lon_col, args.type_col, args.tz
    )
    for reason, (n, line) in raw.skipped.items():
        print(f"skipped {n} row(s) with {reason} (first at line {line})", file=sys.stderr)
    keep = np.ones(raw.t.size, dtype=bool)
    if args.bbox:
        try:
            lon0, lat0, lon1, lat1 = (float(v) for v in args.bbox.split(","))
        except ValueError:
            raise InputError(f"--bbox needs four numbers, got {args.bbox!r}") from None
        keep &= (raw.lon >= lon0) & (raw.lon <= lon1) & (raw.lat >= lat0) & (raw.lat <= lat1)
        print(f"--bbox keeps {int(keep.sum())} of {keep.size} rows", file=sys.stderr)
    if not keep.any():
        raise InputError(f"{args.csv}: no rows with a time and a position in range")
    lon, lat = raw.lon[keep], raw.lat[keep]
    proj = LocalProjection(
        (float(lon.min()) + float(lon.max())) / 2.0, (float(lat.min()) + float(lat.max())) / 2.0
    )
    x, y = proj.to_xy(lon, lat)
    grid = Grid.covering(x, y, args.cell_m, proj)
    types = _split(args.types)
    if types is not None:
        assert raw.types is not None
        kinds = np.asarray(raw.types, dtype=object)[keep]
        absent = [t for t in types if not np.any(kinds == t)]
        if absent:
            raise InputError(
                f"{args.csv}: no rows of type {', '.join(map(repr, absent))} "
                f"in column {args.type_col!r}"
            )
        keep_t = np.isin(kinds, types)
        calls = CallSet.build(
            raw.t[keep][keep_t],
            lon[keep_t],
            lat[keep_t],
            list(kinds[keep_t]),
            tz=args.tz,
            proj=proj,
        )
    else:
        kinds_all = None if raw.types is None else list(np.asarray(raw.types, dtype=object)[keep])
        calls = CallSet.build(raw.t[keep], lon, lat, kinds_all, tz=args.tz, proj=proj)
    return calls, grid


def evaluate_forecast_main(argv: Sequence[str] | None = None) -> int:
    """Entry point of ``main.py evaluate-forecast``; returns the exit status."""
    args = _parser().parse_args(None if argv is None else list(argv))
    started = time.perf_counter()

    def progress(msg: str) -> None:
        print(f"[{time.perf_counter() - started:6.1f} s] {msg}", file=sys.stderr, flush=True)

    try:
        if not 0 < args.area_frac <= 1:
            raise InputError(f"--area-frac must be in (0, 1], got {args.area_frac:g}")
        models = make_models(_split(args.models), args.train_days)
        calls, grid = _load(args, progress)
        res_s = {86400.0: "dates only", 3600.0: "whole hours", 60.0: "minutes"}.get(
            calls.resolution_s, "seconds"
        )
        progress(
            f"{len(calls)} calls ({res_s}), grid {grid.ny} x {grid.nx} cells of "
            f"{grid.cell_m:g} m, models {', '.join(m.name for m in models)}"
        )
        result = evaluate(
            calls,
            grid,
            models,
            train_days=args.train_days,
            horizon_days=args.horizon_days,
            step_days=args.step_days,
            area_frac=args.area_frac,
            progress=progress,
        )
    except (InputError, ValueError, OSError) as exc:
        print(f"evaluate-forecast: error: {exc}", file=sys.stderr)
        return 2
    if not result.windows:
        print("evaluate-forecast: error: every window was empty", file=sys.stderr)
        return 2
    summary = result.summary()
    summary["seconds"] = round(time.perf_counter() - started, 1)
    print(json.dumps(summary), flush=True)
    return 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(evaluate_forecast_main())
