"""A re-import of the district keeps what the command room already wrote: incidents, the
orders sent for them (even to a unit the new package retires) and every audit record, with
the audit chain still verifying afterwards.  Real store, real CLI (in process)."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from console.audit import trail_for, verify
from console.store import Store, repos
from console.store.models import IncidentRow, OrderRow, UnitRow
from tests.district.conftest import run_inproc

NOON = 1_780_027_200.0  # 2026-05-29 12:00 Asia/Shanghai


def _drop_unit(pkg: Path, call_sign: str) -> None:
    """The next version of the package: one unit gone (and its officers and shifts)."""
    for name, col in (("units.csv", "call_sign"), ("officers.csv", "unit"), ("roster.csv", "unit")):
        f = pkg / name
        with f.open(encoding="utf-8", newline="") as fh:
            rows = list(csv.reader(fh))
        k = rows[0].index(col)
        with f.open("w", encoding="utf-8", newline="") as fh:
            csv.writer(fh, lineterminator="\n").writerows(
                [rows[0], *(r for r in rows[1:] if r[k] != call_sign)]
            )


def _audit(store: Store) -> list[tuple[int, str, str]]:
    with store.session() as s:
        return [(r.seq, r.action, r.hash) for r in repos.AuditRepo(s).tail(10_000)]


def test_reimport_keeps_incidents_orders_and_the_audit_chain(
    grid_dir: Path, db_url: str, store: Store, capsys: pytest.CaptureFixture[str]
) -> None:
    code, _, err = run_inproc(capsys, "district", "import", str(grid_dir), "--db", db_url)
    assert code == 0, err
    with store.transaction() as s:
        inc = repos.IncidentRepo(s).create(
            incident_type="theft",
            priority=2,
            force_level=1,
            manpower=2,
            lon=121.47,
            lat=31.23,
            created_by="op",
            created_at=NOON,
        )
        units = {u.call_sign: u.id for u in s.query(UnitRow)}
        order_ids = repos.OrderRepo(s).add_many(
            [
                repos.NewOrder(inc.id, units["G-2"], "first", {"text": "去现场"}),
                repos.NewOrder(inc.id, units["G-3"], "support", {"text": "支援"}),
            ],
            ack_deadline_seconds=60,
            time_to_live_seconds=600,
            now=NOON,
        )
        repos.OrderRepo(s).mark_state(order_ids[0], "delivered", t=NOON + 5)
        inc_id = inc.id
    trail_for(store).record(
        actor="op", workstation="ws1", action="CreateIncident", payload={"incident": inc_id}
    )
    before = _audit(store)
    assert any(a == "CreateIncident" for _, a, _ in before)
    with store.session() as s:
        orders_before = {
            o.id: (o.incident_id, o.unit_id, o.role, o.state, o.body)
            for o in s.query(OrderRow).all()
        }
    assert len(orders_before) == 2

    _drop_unit(grid_dir, "G-2")  # the unit holding the delivered order leaves the roster
    code, out, err = run_inproc(capsys, "district", "import", str(grid_dir), "--db", db_url)
    assert code == 0, err
    assert "version 2 written" in out and "unit G-2 removed" in out

    after = _audit(store)
    assert after[: len(before)] == before  # every earlier record unchanged, in place
    assert [a for _, a, _ in after[len(before) :]] == ["district.import"]  # the re-import's own
    assert verify(store) is None  # the chain still verifies end to end
    with store.session() as s:
        assert s.get(IncidentRow, inc_id) is not None
        orders_after = {
            o.id: (o.incident_id, o.unit_id, o.role, o.state, o.body)
            for o in s.query(OrderRow).all()
        }
        assert orders_after == orders_before
        g2 = s.get(UnitRow, units["G-2"])
        assert g2 is not None and g2.retired_at is not None  # retired, not deleted
        assert {o.id for o in repos.OrderRepo(s).for_incident(inc_id)} == set(order_ids)
        current = repos.PackageRepo(s).load("grid", roads=False)
    assert "G-2" not in {u.call_sign for u in current.district.units}
