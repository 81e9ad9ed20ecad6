"""The command hub on a real store and the real demo district, without Qt."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest

from console.hub.bootstrap import start_embedded_hub
from console.hub.client import InprocClient
from console.hub.hub import CommandHub
from console.hub.messages import (
    CancelIncident,
    CloseIncident,
    CreateIncident,
    Event,
    GetDistrict,
    GetHeat,
    GetSnapshot,
    IncidentChanged,
    SetUnitStatus,
    UnitChanged,
    UnitsMoved,
)
from tests.conftest import FrozenClock, HubFactory

PEOPLES_SQUARE = (121.4737, 31.2304)


@pytest.fixture
def hub(hub_factory: HubFactory, frozen_clock: FrozenClock) -> CommandHub:
    return hub_factory("hub", clock=frozen_clock)


@pytest.fixture
def client(hub: CommandHub) -> Iterator[InprocClient]:
    c = InprocClient(hub, actor="op1", role="operator", workstation="ws-1")
    yield c
    c.close()


def test_snapshot_lists_every_unit(client: InprocClient) -> None:
    r = client.call(GetSnapshot())
    assert r.ok
    snap = r.result
    assert len(snap.units) == len(client.hub.district.units) > 100
    types = {u.unit_type for u in snap.units}
    assert {"patrol_group", "special_police", "traffic_police", "auxiliary"} <= types
    assert all(u.status == "available" for u in snap.units)


def test_district_geometry_for_drawing(client: InprocClient) -> None:
    d = client.call(GetDistrict()).result
    seg = np.frombuffer(d.seg_lonlat, dtype=np.float64).reshape(-1, 4)
    cls = np.frombuffer(d.seg_class, dtype=np.int8)
    assert seg.shape[0] == cls.shape[0] > 1000
    assert d.approximate and "demo" in d.name
    assert len(d.fixed_points) == 11
    names = {label[0] for label in d.road_labels}
    assert "南京东路" in names


def test_heat_window_and_filters(client: InprocClient) -> None:
    now = client.hub.clock()  # the demo history ends at the hub's (frozen) now
    all30 = client.call(GetHeat(t0=now - 30 * 86400, t1=now)).result
    theft = client.call(GetHeat(t0=now - 30 * 86400, t1=now, types=["theft"])).result
    day = client.call(GetHeat(t0=now - 86400, t1=now)).result
    assert all30["n_calls"] > theft["n_calls"] > 0
    assert all30["n_calls"] > day["n_calls"] > 0
    grid = np.frombuffer(all30["density"], dtype=np.float32).reshape(all30["shape"])
    assert grid.max() == pytest.approx(all30["max"])
    bad = client.call(GetHeat(t0=now, t1=now - 1))
    assert not bad.ok and "end must be after start" in bad.error
    unknown = client.call(GetHeat(t0=now - 86400, t1=now, types=["ufo"]))
    assert not unknown.ok and "ufo" in unknown.error


def test_create_incident_validates_and_persists(client: InprocClient, tmp_path: Path) -> None:
    seen: list[Event] = []
    client.subscribe(seen.append)
    ok = client.call(
        CreateIncident(incident_type="fight", lon=PEOPLES_SQUARE[0], lat=PEOPLES_SQUARE[1])
    )
    assert ok.ok, ok.error
    iid = ok.result["incident_id"]
    unknown = client.call(CreateIncident(incident_type="alien", lon=121.47, lat=31.23))
    assert not unknown.ok and "unknown incident type 'alien'" in unknown.error
    outside = client.call(CreateIncident(incident_type="fight", lon=121.30, lat=31.23))
    assert not outside.ok and "outside the district" in outside.error
    nan = client.call(CreateIncident(incident_type="fight", lon=float("nan"), lat=31.23))
    assert not nan.ok
    level7 = client.call(
        CreateIncident(incident_type="fight", lon=121.4737, lat=31.2304, force_level=7)
    )
    assert not level7.ok and "force level" in level7.error
    snap = client.call(GetSnapshot()).result
    assert [i.id for i in snap.incidents] == [iid]
    assert snap.incidents[0].priority == 2 and snap.incidents[0].force_level == 2
    assert any(isinstance(e, IncidentChanged) and e.incident.id == iid for e in seen)
    # everything accepted survives a restart of the hub on the same database
    client.hub.stop()
    again = start_embedded_hub(str(client.hub.store.url), simulate=False, clock=client.hub.clock)
    try:
        assert [i.id for i in InprocClient(again).call(GetSnapshot()).result.incidents] == [iid]
    finally:
        again.stop()


def test_rights_are_checked_in_the_hub(client: InprocClient, hub: CommandHub) -> None:
    iid = client.call(CreateIncident(incident_type="theft", lon=121.48, lat=31.235)).result[
        "incident_id"
    ]
    refused = client.call(CancelIncident(incident_id=iid, reason="false alarm"))
    assert not refused.ok and "may not" in refused.error
    supervisor = InprocClient(hub, actor="sup1", role="supervisor")
    assert supervisor.call(CancelIncident(incident_id=iid, reason="false alarm")).ok
    terminal = InprocClient(hub, actor="t1", role="terminal")
    assert not terminal.call(GetSnapshot()).ok


def test_close_frees_units_and_status_changes(client: InprocClient, hub: CommandHub) -> None:
    iid = client.call(CreateIncident(incident_type="dispute", lon=121.48, lat=31.235)).result[
        "incident_id"
    ]
    hub.incidents.assign(iid, [0, 1], "test", hub.emit)
    assert hub.situation.status_of(0).value == "dispatched"
    seen: list[Event] = []
    client.subscribe(seen.append)
    assert client.call(CloseIncident(incident_id=iid, outcome="resolved")).ok
    assert hub.situation.status_of(0).value == "available"
    assert {e.unit.idx for e in seen if isinstance(e, UnitChanged)} == {0, 1}
    assert not client.call(CloseIncident(incident_id=iid)).ok  # already closed
    cs = hub.situation.specs[3].call_sign
    assert client.call(SetUnitStatus(call_sign=cs, status="off_duty")).ok
    assert hub.situation.status_of(3).value == "off_duty"
    assert not client.call(SetUnitStatus(call_sign=cs, status="asleep")).ok
    assert not client.call(SetUnitStatus(call_sign="nobody", status="available")).ok


def test_positions_are_coalesced(hub: CommandHub) -> None:
    got: list[UnitsMoved] = []
    done = threading.Event()

    def on_event(e: Event) -> None:
        if isinstance(e, UnitsMoved):
            got.append(e)
            done.set()

    hub.subscribe(on_event)
    n = len(hub.situation)
    now = hub.clock() + 5
    for k in range(50):  # 50 bursts of fixes for every unit before one flush
        hub.ingest_positions(
            np.arange(n),
            hub.situation.lon + 1e-6 * k,
            hub.situation.lat.copy(),
            np.full(n, now + k),
        )
    assert done.wait(5.0)
    first = got[0]
    idx = np.frombuffer(first.idx, dtype=np.int32)
    assert len(got) <= 2  # one coalesced event (two if the flush fell mid-burst)
    assert set(idx.tolist()) <= set(range(n)) and idx.size > 0
    # a stale fix never moves a unit backwards
    lon_before = hub.situation.lon[0]
    assert (
        hub.ingest_positions(np.array([0]), np.array([0.0]), np.array([0.0]), np.array([1.0])) == 0
    )
    assert hub.situation.lon[0] == lon_before


def test_bad_position_batch_is_ignored(hub: CommandHub) -> None:
    n = hub.ingest_positions(
        np.array([-1, 10_000_000, 0]),
        np.array([121.47, 121.47, float("nan")]),
        np.array([31.23, 31.23, 31.23]),
        np.array([hub.clock()] * 3),
    )
    assert n == 0


def test_coverage_per_force_type(client: InprocClient) -> None:
    from console.hub.messages import GetCoverage

    r = client.call(GetCoverage())
    assert r.ok, r.error
    forces = {f["unit_type"]: f for f in r.result["report"]["forces"]}
    assert {"patrol_group", "special_police"} <= set(forces)
    assert forces["patrol_group"]["length_share"] > 0.9  # 66 groups cover the district in 5 min
    for key, f in forces.items():
        lon = np.frombuffer(r.result["uncovered"][key]["lon"], dtype=np.float64)
        assert lon.size == f["uncovered_nodes"]
    assert len(r.result["report"]["fixed_points"]) == 11
    # the engine's standing suggestions travel with it: refills and staging ahead of calls
    assert isinstance(r.result["move_ups"], list)
    for m in r.result["move_ups"]:
        assert m["to_kind"] in ("area", "fixed_point", "post", "stage")
        assert m["call_sign"] and m["text_zh"] and m["text_en"] and m["eta_s"] >= 0
        assert 121.4 < m["lon"] < 121.6 and 31.1 < m["lat"] < 31.3


def test_fixes_pass_the_hubs_position_gate(hub: CommandHub) -> None:
    """Every source of fixes goes through one gate: ahead of the clock, outside the district
    and impossible jumps never reach the map (issue 13: positions through the same gate)."""
    now = hub.clock()
    i = 7
    home_lon, home_lat = float(hub.situation.lon[i]), float(hub.situation.lat[i])
    ok = hub.ingest_positions(
        np.array([i]), np.array([home_lon]), np.array([home_lat]), np.array([now])
    )
    assert ok == 1 and hub.positions_refused == 0
    for lon, lat, t in (
        (home_lon, home_lat, now + 3600.0),  # an hour ahead of the hub's clock
        (home_lon + 1.0, home_lat, now + 1.0),  # 100 km east, outside the district
        (home_lon + 0.02, home_lat, now + 2.0),  # 2 km in a second
    ):
        assert (
            hub.ingest_positions(np.array([i]), np.array([lon]), np.array([lat]), np.array([t]))
            == 0
        )
    assert hub.positions_refused == 3
    assert (float(hub.situation.lon[i]), float(hub.situation.lat[i])) == (home_lon, home_lat)
    assert hub.position_gate.refused == {"future": 1, "outside": 1, "speed": 1}
