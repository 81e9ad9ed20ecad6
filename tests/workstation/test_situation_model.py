"""The workstation's situation model, without Qt: snapshot, events, order, typed notices."""

from __future__ import annotations

import numpy as np
import pytest

from console.hub.messages import (
    Alert,
    IncidentChanged,
    IncidentState,
    OrderChanged,
    PlanChanged,
    Snapshot,
    UnitChanged,
    UnitsMoved,
    UnitState,
)
from console.workstation import (
    AlertUpdated,
    Change,
    IncidentUpdated,
    Moved,
    PlanUpdated,
    Reset,
    SituationModel,
    UnitUpdated,
)

T0 = 1_780_000_000.0


def unit(i: int, status: str = "available", fix_t: float = T0, station: str = "S1") -> UnitState:
    return UnitState(
        idx=i,
        call_sign=f"巡-{i}",
        unit_type="patrol_group",
        station=station,
        area=None,
        status=status,
        status_since=T0 - 60,
        incident_id=None,
        lon=121.48 + i * 1e-4,
        lat=31.23,
        fix_t=fix_t,
    )


def incident(i: int, status: str = "new", priority: int = 2) -> IncidentState:
    return IncidentState(
        id=i,
        incident_type="theft",
        status=status,
        priority=priority,
        force_level=1,
        manpower=2,
        lon=121.48,
        lat=31.23,
        address=f"地址{i}",
        created_at=T0,
        source="call",
    )


def plan(incident_id: int, plan_id: int, status: str = "proposed", seq: int = 0) -> PlanChanged:
    return PlanChanged(
        seq=seq,
        plan_id=plan_id,
        incident_id=incident_id,
        status=status,
        approvals=[],
        approvals_needed=1,
        body={},
    )


def moves(idx: list[int], lon: list[float], t: float, seq: int = 0) -> UnitsMoved:
    n = len(idx)
    return UnitsMoved(
        seq=seq,
        t=t,
        idx=np.asarray(idx, dtype=np.int32).tobytes(),
        lon=np.asarray(lon, dtype=np.float64).tobytes(),
        lat=np.full(n, 31.24).tobytes(),
        fix_t=np.full(n, t).tobytes(),
    )


def snapshot(seq: int = 10, n: int = 3) -> Snapshot:
    return Snapshot(
        seq=seq,
        t=T0,
        units=[unit(i) for i in range(n)],
        incidents=[incident(2), incident(1), incident(3, status="closed")],
        plans=[plan(1, 5), plan(1, 4, "superseded")],
        alerts=[Alert(level="warning", kind="timer", text="超时", alert_id=7, incident_id=1)],
    )


@pytest.fixture
def model() -> SituationModel:
    m = SituationModel()
    m.apply_snapshot(snapshot())
    return m


def listen(m: SituationModel) -> list[Change]:
    seen: list[Change] = []
    m.subscribe(seen.append)
    return seen


def test_snapshot_fills_everything_and_says_so_once() -> None:
    m = SituationModel()
    seen = listen(m)
    assert not m.apply(UnitChanged(seq=3, unit=unit(0)))  # nothing to apply onto yet
    m.apply(snapshot())
    assert seen == [Reset(units=True, incidents=True, seq=10, t=T0)]
    assert m.n == 3 and m.call_signs == ["巡-0", "巡-1", "巡-2"] and m.row_of["巡-2"] == 2
    assert [i.id for i in m.open_incidents()] == [1, 2]  # closed left out, arrival (id) order
    assert m.plans[1].plan_id == 5  # the older plan of the snapshot does not win
    assert list(m.alerts) == [7]
    assert m.seq == 10 and m.t == T0 and m.on_duty_count() == 3


def test_events_not_newer_than_the_snapshot_are_dropped(model: SituationModel) -> None:
    seen = listen(model)
    assert not model.apply(UnitChanged(seq=10, unit=unit(1, "off_duty")))
    assert not model.apply(IncidentChanged(seq=9, incident=incident(4)))
    assert seen == [] and model.unit(1).status == "available"
    assert model.apply(UnitChanged(seq=11, unit=unit(1, "off_duty")))
    assert model.apply(UnitChanged(seq=0, unit=unit(2, "en_route")))  # unsequenced: taken
    assert [type(c) for c in seen] == [UnitUpdated, UnitUpdated]
    assert model.status_counts() == {"available": 1, "off_duty": 1, "en_route": 1}
    assert not model.apply(
        OrderChanged(seq=12, order_id="o", incident_id=1, call_sign="巡-0", state="read", t=T0)
    )


def test_a_batch_of_5000_moves_is_one_notice_with_the_rows() -> None:
    m = SituationModel()
    m.apply_snapshot(Snapshot(seq=1, t=T0, units=[unit(i) for i in range(5000)], incidents=[]))
    seen = listen(m)
    idx = np.arange(4999, -1, -1, dtype=np.int32)  # any order
    lon = 121.5 + idx * 1e-6
    assert m.apply(moves(idx.tolist(), lon.tolist(), T0 + 5, seq=2))
    assert len(seen) == 1
    (note,) = seen
    assert isinstance(note, Moved) and note.rows.size == 5000 and note.t == T0 + 5
    np.testing.assert_array_equal(note.rows, idx)  # hub index i is row i here
    np.testing.assert_array_equal(m.lon[note.rows], lon)
    assert (m.fix_t == T0 + 5).all() and m.t == T0 + 5 and m.moves_applied == 1
    assert m.current_unit(42).lon == pytest.approx(121.5 + 42e-6)
    assert m.unit(42).lon == pytest.approx(121.48 + 42e-4)  # the reported state is untouched


def test_unknown_indices_and_bad_positions_are_skipped_and_bad_arrays_named(
    model: SituationModel,
) -> None:
    seen = listen(model)
    n = model.move(
        np.array([0, 99, -1, 1], np.int32),
        np.array([121.49, 121.0, 121.0, np.nan]),
        np.full(4, 31.2),
        np.full(4, T0 + 1),
    )
    assert n == 1 and len(seen) == 1 and list(seen[0].rows) == [0]  # type: ignore[union-attr]
    assert model.move(np.array([99], np.int32), np.ones(1), np.ones(1), np.ones(1)) == 0
    assert len(seen) == 1  # nothing moved: no notice
    with pytest.raises(ValueError, match="differ in length: idx 2, lon 1"):
        model.move(np.zeros(2, np.int32), np.zeros(1), np.zeros(2), np.zeros(2))
    bad = UnitsMoved(seq=11, t=T0, idx=b"\0" * 5, lon=b"", lat=b"", fix_t=b"")
    with pytest.raises(ValueError, match="seq 11: malformed"):
        model.apply(bad)


def test_a_status_event_never_rewinds_a_newer_position(model: SituationModel) -> None:
    model.apply(moves([0], [121.6], T0 + 10, seq=11))
    late = unit(0, "on_scene", fix_t=T0 + 3)
    seen = listen(model)
    model.apply(UnitChanged(seq=12, unit=late))
    assert model.lon[0] == 121.6 and model.fix_t[0] == T0 + 10
    assert model.unit(0).status == "on_scene"
    (note,) = seen
    assert note == UnitUpdated(0, late, snapshot().units[0])


def test_a_new_unit_is_appended_and_found_by_its_hub_index(model: SituationModel) -> None:
    seen = listen(model)
    newcomer = unit(40, station="S9")
    model.apply(UnitChanged(seq=11, unit=newcomer))
    assert seen == [UnitUpdated(3, newcomer, None)]
    assert model.n == 4 and model.row_of_hub_index(40) == 3 and model.row_of_hub_index(39) is None
    model.apply(moves([40], [121.7], T0 + 2, seq=12))
    assert model.lon[3] == 121.7
    # a unit re-registered under another hub index keeps its row
    moved_idx = unit(40)
    moved_idx.idx = 41
    model.update_unit(moved_idx)
    assert model.row_of_hub_index(41) == 3 and model.row_of_hub_index(40) is None


def test_incidents_plans_and_alerts_give_typed_notices(model: SituationModel) -> None:
    seen = listen(model)
    model.apply(IncidentChanged(seq=11, incident=incident(4, priority=1)))
    model.apply(IncidentChanged(seq=12, incident=incident(2, status="on_scene")))
    model.apply(IncidentChanged(seq=13, incident=incident(1, status="closed")))
    model.apply(IncidentChanged(seq=14, incident=incident(8, status="cancelled")))  # never open
    assert [i.id for i in model.open_incidents()] == [2, 4]
    kinds = [(type(c).__name__, getattr(c, "closed", None)) for c in seen]
    assert kinds == [
        ("IncidentUpdated", False),
        ("IncidentUpdated", False),
        ("IncidentUpdated", True),
    ]
    assert isinstance(seen[1], IncidentUpdated) and seen[1].previous == incident(2)
    seen.clear()
    assert not model.apply(plan(1, 4, "rejected", seq=15))  # older than plan 5: ignored
    assert model.apply(plan(1, 6, seq=16))
    raised = Alert(seq=17, level="critical", kind="escalation", text="无人应答", alert_id=8)
    model.apply(raised)
    acked = Alert(
        seq=18, level="critical", kind="escalation", text="无人应答", alert_id=8, acked_by="op"
    )
    model.apply(acked)
    assert seen == [
        PlanUpdated(plan(1, 6, seq=16)),
        AlertUpdated(raised, None),
        AlertUpdated(acked, raised),
    ]
    assert model.alerts[8].acked_by == "op"


def test_a_failing_observer_does_not_starve_the_others(
    model: SituationModel, caplog: pytest.LogCaptureFixture
) -> None:
    def broken(change: Change) -> None:
        raise RuntimeError("view bug")

    model.subscribe(broken)
    seen = listen(model)
    model.apply(UnitChanged(seq=11, unit=unit(0, "dispatched")))
    assert len(seen) == 1 and "view bug" in caplog.text
    stop = model.subscribe(seen.append)
    stop()
    stop()  # twice is harmless
    model.apply(UnitChanged(seq=12, unit=unit(0, "en_route")))
    assert len(seen) == 2


def test_duplicate_call_signs_are_refused_and_change_nothing(model: SituationModel) -> None:
    seen = listen(model)
    bad = snapshot(seq=20)
    bad.units.append(unit(1))
    with pytest.raises(ValueError, match="duplicate call sign '巡-1'"):
        model.apply(bad)
    assert model.seq == 10 and model.n == 3 and seen == []
    model.set_units([unit(5)])  # a list used on its own replaces only the units
    assert seen == [Reset(units=True, incidents=False, seq=None, t=0.0)]
    assert model.n == 1 and model.row_of_hub_index(5) == 0 and len(model.incidents) == 2
