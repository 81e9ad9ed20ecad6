"""The officer's shell terminal and the simulator, against a real link on real sockets."""

from __future__ import annotations

import io
import subprocess
import sys
from pathlib import Path

from sqlalchemy import select

from console.link.hubport import SituationPort
from console.link.keys import KeyPair, write_terminal_key
from console.link.node import HubNode
from console.link.posbatch import MAX_SPEED_MPS
from console.store.db import Store
from console.store.models import OrderRow
from console.store.models_trust import PhotoRow
from console.terminal.client import TerminalClient
from console.terminal.gps import RouteSource, parse_nmea
from console.terminal.localstore import SqliteStore
from console.terminal.shell import Shell
from console.terminal.simulator import build
from tests.link.helpers import (
    LAT0,
    LON0,
    add_orders,
    enroll_fleet,
    jpeg,
    make_incident,
    wait_until,
)

JPEG = jpeg()


def _state(store: Store, oid: str) -> str:
    with store.session() as s:
        row = s.get(OrderRow, oid)
        assert row is not None
        return row.state


def test_shell_officer_works_an_order(
    tmp_path: Path, node: HubNode, store: Store, hub_keys: KeyPair
) -> None:
    key = enroll_fleet(store, 1, hub_keys.public)[0]
    out = io.StringIO()
    shell: list[Shell] = []
    client = TerminalClient(
        key,
        node.link.endpoint,
        SqliteStore(tmp_path / "t.sqlite3"),
        on_event=lambda k, p: shell[0].on_event(k, p) if shell else None,
    )
    shell.append(Shell(client, out, bell=True))
    sh = shell[0]
    client.start()
    try:
        assert wait_until(lambda: client.connected)
        oid = add_orders(store, make_incident(store), [key.unit])[0]
        node.link.kick()
        assert wait_until(lambda: "NEW ORDER" in out.getvalue())
        assert "\a" in out.getvalue() and oid[:8] in out.getvalue()
        photo = tmp_path / "scene.jpg"
        photo.write_bytes(JPEG)
        for line in ("orders", "show 1", "accept 1", "arrive 1", f"photo {oid[:6]} {photo} crowd"):
            assert sh.run_command(line)
        assert wait_until(lambda: _state(store, oid) == "arrived")
        assert sh.run_command(f"finish {oid[:6]} handled, no injuries")
        assert wait_until(lambda: _state(store, oid) == "finished")
        sh.run_command("orders")
        assert "no open orders" in out.getvalue()
        sh.run_command("accept 9")
        sh.run_command("status flying")
        sh.run_command("reject")
        text = out.getvalue()
        assert "no single open order matches '9'" in text
        assert "status must be" in text and "needs 2 argument" in text
        assert not sh.run_command("quit")
        with store.session() as s:
            row = s.scalars(select(OrderRow).where(OrderRow.id == oid)).one()
            assert row.outcome == "handled, no injuries"
            filed = s.scalars(select(PhotoRow)).one()  # the photo command's picture
            assert filed.order_id == oid and filed.size == len(JPEG)
    finally:
        client.stop()


def test_terminal_program_starts_and_quits(
    tmp_path: Path, node: HubNode, store: Store, hub_keys: KeyPair
) -> None:
    key = enroll_fleet(store, 1, hub_keys.public)[0]
    path = tmp_path / "t.key"
    write_terminal_key(path, key)
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "console.link.cli",
            "terminal",
            "--hub",
            node.link.endpoint,
            "--key",
            str(path),
            "--store",
            str(tmp_path / "t.sqlite3"),
            "--fixed",
            f"{LON0},{LAT0}",
            "--no-bell",
        ],
        input="help\norders\nquit\n",
        capture_output=True,
        text=True,
        timeout=60,
        cwd=Path(__file__).parents[2],
    )
    assert proc.returncode == 0, proc.stderr
    assert f"terminal of {key.unit}" in proc.stdout and "commands" in proc.stdout
    bad = subprocess.run(
        [sys.executable, "-m", "console.link.cli", "terminal", "--key", str(tmp_path / "nope.key")],
        capture_output=True,
        text=True,
        timeout=60,
        cwd=Path(__file__).parents[2],
    )
    assert bad.returncode == 2 and "does not exist" in bad.stderr


def test_simulated_officers_answer_orders(
    node: HubNode, store: Store, port: SituationPort, hub_keys: KeyPair
) -> None:
    keys = enroll_fleet(store, 6, hub_keys.public)
    homes = [(LON0 + i * 1e-3, LAT0) for i in range(6)]
    fleet, sim = build(
        keys,
        node.link.endpoint,
        homes,
        seed=3,
        delay_s=(0.05, 0.2),
        on_scene_s=(0.1, 0.3),
        reject_p=0.0,
        offline_per_min=0.0,
    )
    for o in sim.officers:
        o.mover.speed = 0.8 * MAX_SPEED_MPS  # a fast car the hub's position gate believes
    fleet.start()
    try:
        assert wait_until(
            lambda: all(port.situation.fix_t[port.situation.index[k.unit]] > 0 for k in keys)
        )
        ids = [  # each to a call at its own post: a short drive
            add_orders(store, make_incident(store, *home), [k.unit])[0]
            for k, home in zip(keys, homes, strict=True)
        ]
        node.link.kick()
        assert wait_until(lambda: all(_state(store, i) == "finished" for i in ids), timeout=30)
        assert sim.stats.orders == 6 and sim.stats.finished == 6
    finally:
        fleet.stop()


def test_gps_sources() -> None:
    body = "GPRMC,123519,A,3113.824,N,12128.800,E,022.4,084.4,230394,003.1,W"
    cs = 0
    for ch in body:
        cs ^= ord(ch)
    fix = parse_nmea(f"${body}*{cs:02X}")
    assert parse_nmea(f"${body}*{cs ^ 1:02X}") is None  # corrupted
    assert fix is not None
    assert abs(fix.lat - 31.2304) < 1e-3 and abs(fix.lon - 121.48) < 1e-3
    assert fix.speed is not None and abs(fix.speed - 22.4 * 0.514444) < 1e-6
    assert parse_nmea("$GPRMC,123519,V,,,,,,,230394,,*00") is None  # no fix / bad checksum
    assert parse_nmea("garbage") is None
    r = RouteSource([121.47, 121.48], [31.23, 31.23], speed=10.0, start=0.0)
    a, b = r.at(0.0), r.at(500.0)
    assert a.lon == 121.47 and 121.47 < b.lon < 121.48 and b.heading is not None
    assert abs(b.heading - 90.0) < 1.0
