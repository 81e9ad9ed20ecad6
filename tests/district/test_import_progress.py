"""What ``main.py calls import`` shows on the terminal while it runs, through the real CLI in
a child process: plain lines every 10 % when stderr is not a terminal, a bar redrawn in
place on a terminal (a real pseudo-terminal here); and the two ways of reading a CSV
(plain split, csv module) give the same rows and line numbers.
"""

from __future__ import annotations

import csv
import os
import pty
import re
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from console.config import Config
from console.district.calls_import import CallColumns
from console.district.calls_read import read_calls_csv
from console.district.importer import import_package
from console.store import Store, repos
from tests.district.builders import ROOT, P
from tests.district.conftest import run_main

ROWS = 110_000  # three batches of 50,000: progress between the start and the end
PHASES = ("reading", "checking", "writing")
COLS = ("--time-col", "time", "--lat-col", "lat", "--lon-col", "lon", "--type-col", "type")


def _calls(path: Path, rows: int) -> None:
    rng = np.random.default_rng(14)
    lon, lat = P.to_lonlat(rng.uniform(-450, 450, rows), rng.uniform(-450, 450, rows))
    t = 1_780_000_000 + rng.integers(0, 30 * 86400, rows)
    stamps = np.datetime_as_string(t.astype("datetime64[s]"), unit="s")
    kinds = np.asarray(("theft", "dispute", "fight"))[rng.integers(0, 3, rows)]
    with path.open("w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh)
        w.writerow(("id", "time", "lat", "lon", "type"))
        w.writerows(
            zip(
                (f"C{i}" for i in range(rows)),
                stamps.tolist(),
                np.round(lat, 7).tolist(),
                np.round(lon, 7).tolist(),
                kinds.tolist(),
                strict=True,
            )
        )


@pytest.fixture
def calls_file(tmp_path: Path, grid_dir: Path, store: Store, config: Config) -> Path:
    import_package(store, grid_dir, config)
    f = tmp_path / "calls.csv"
    _calls(f, ROWS)
    return f


def _count(store: Store) -> int:
    with store.session() as s:
        return repos.CallHistoryRepo(s).count()


def test_progress_lines_when_not_a_terminal(calls_file: Path, db_url: str, store: Store) -> None:
    run = run_main("calls", "import", str(calls_file), "--db", db_url, *COLS, "--id-col", "id")
    assert run.returncode == 0, run.stderr
    assert f"{ROWS} rows read, {ROWS} calls added" in run.stdout
    seen: dict[str, list[int]] = {p: [] for p in PHASES}
    for line in run.stderr.splitlines():
        m = re.fullmatch(r"(\w+): (\d+) %", line)
        if m:
            seen[m.group(1)].append(int(m.group(2)))
    for phase in PHASES:
        shares = seen[phase]
        assert shares, f"no {phase} progress in {run.stderr!r}"
        assert shares == sorted(shares) and shares[-1] == 100, (phase, shares)
    assert len(seen["reading"]) >= 3 and len(seen["writing"]) >= 3  # steps between
    assert [s for s in seen["writing"] if s < 100] == [45, 91]  # 50,000 and 100,000 of 110,000
    order = [ln.split(":")[0] for ln in run.stderr.splitlines() if ln.endswith("%")]
    assert order.index("checking") > order.index("reading")
    assert order.index("writing") > max(i for i, p in enumerate(order) if p == "checking")
    assert _count(store) == ROWS
    quiet = run_main(
        "calls", "import", str(calls_file), "--db", db_url, *COLS, "--id-col", "id", "--quiet"
    )
    assert quiet.returncode == 0, quiet.stderr
    assert "%" not in quiet.stderr
    assert f"0 calls added, {ROWS} already stored" in quiet.stdout


def test_progress_bar_on_a_terminal(calls_file: Path, db_url: str, store: Store) -> None:
    master, slave = pty.openpty()
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(p for p in (env.get("PYTHONPATH"), str(ROOT)) if p)
    proc = subprocess.Popen(
        [sys.executable, "main.py", "calls", "import", str(calls_file), "--db", db_url, *COLS],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=slave,
        stdin=subprocess.DEVNULL,
    )
    os.close(slave)
    chunks = []
    while True:
        try:
            data = os.read(master, 65536)
        except OSError:  # EIO: the child closed the terminal
            break
        if not data:
            break
        chunks.append(data)
    os.close(master)
    out, _ = proc.communicate(timeout=300)
    assert proc.returncode == 0
    assert f"{ROWS} rows read, {ROWS} calls added" in out.decode()
    shown = b"".join(chunks).decode().replace("\r\n", "\n")
    frames = [f for part in shown.split("\n") for f in part.split("\r") if f]
    bars = [
        re.fullmatch(r"(\w+)\s+\[(#*)\s*\]\s+([\d.]+) %", f.strip()) for f in frames if "[" in f
    ]
    assert bars and all(bars), frames
    for phase in PHASES:
        mine = [(len(m.group(2)), float(m.group(3))) for m in bars if m and m.group(1) == phase]
        assert mine, phase
        assert mine[-1] == (30, 100.0)  # a full bar at the end
        assert [s for _, s in mine] == sorted(s for _, s in mine)
    # each phase's full bar ends its line; the bar is otherwise redrawn in place
    assert shown.count("100.0 %\n") == len(PHASES)
    assert _count(store) == ROWS


def test_plain_split_and_csv_module_read_the_same(tmp_path: Path) -> None:
    rows = [
        ("k1", "2026-05-29 08:00", "31.23", "121.47", "盗窃"),
        ("k2", "", "31.23", "121.47", "theft"),
        ("k3", "2026-05-29T09:00:00", " 31.2301", "121.4701 ", "  fight "),
        ("k4", "1780000000", "x", "121.47", ""),
    ]
    cols = CallColumns("time", "lat", "lon", "type", "id")
    header = ("id", "time", "lat", "lon", "type")

    def write(name: str, terminator: str, quoting: int, last_newline: bool = True) -> Path:
        f = tmp_path / name
        with f.open("w", encoding="utf-8", newline="") as fh:
            w = csv.writer(fh, lineterminator=terminator, quoting=quoting)
            w.writerow(header)
            w.writerows(rows)
        if not last_newline:
            f.write_bytes(f.read_bytes().rstrip(b"\r\n"))
        return f

    plain = read_calls_csv(write("lf.csv", "\n", csv.QUOTE_MINIMAL), cols, None, None)
    quoted = read_calls_csv(write("q.csv", "\r\n", csv.QUOTE_ALL), cols, None, None)
    crlf = read_calls_csv(write("crlf.csv", "\r\n", csv.QUOTE_MINIMAL), cols, None, None)
    cut = read_calls_csv(write("cut.csv", "\n", csv.QUOTE_MINIMAL, False), cols, None, None)
    bom = tmp_path / "bom.csv"
    bom.write_bytes(b"\xef\xbb\xbf" + (tmp_path / "lf.csv").read_bytes())
    with_bom = read_calls_csv(bom, cols, None, None)
    gbk = tmp_path / "gbk.csv"
    gbk.write_bytes((tmp_path / "lf.csv").read_text(encoding="utf-8").encode("gb18030"))
    from_gbk = read_calls_csv(gbk, cols, None, None)
    for other in (quoted, crlf, cut, with_bom, from_gbk):
        assert other == plain
    assert plain.where == [2, 3, 4, 5]
    assert plain.type[0] == "盗窃" and plain.lat[2] == " 31.2301" and plain.type[2] == "  fight "
    # a blank line and a short row: the csv module's path, lines still counted from the file
    text = (tmp_path / "lf.csv").read_text(encoding="utf-8").splitlines()
    odd = tmp_path / "odd.csv"
    odd.write_text("\n".join([*text[:2], "", text[2], "k9,2026-05-29", *text[3:]]) + "\n", "utf-8")
    r = read_calls_csv(odd, cols, None, None)
    assert r.where == [2, 4, 5, 6, 7]
    assert r.ids == ["k1", "k2", "k9", "k3", "k4"] and r.lat[2] == ""
